"""Reading the ledger and the few edits a user makes by hand: me, merges.

Imports go through ``kith.store.writer``; everything else that touches the
ledger's SQL lives here, so the CLI and web app stay free of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, update
from sqlalchemy.sql import Select

from kith import identity as rules
from kith.errors import AmbiguousError, NotFoundError
from kith.store.ids import allocate_ids
from kith.store.merging import merge_in, recompute_directions
from kith.store.schema import (
    circle,
    fact,
    identity,
    interaction,
    merge,
    participant,
    person,
    skipped,
    thread,
)


def _write(engine: Engine) -> Any:
    return engine.execution_options(kith_write=True).begin()


# -- me ---------------------------------------------------------------------


def me_person_id(conn: Connection) -> int | None:
    row = conn.execute(select(person.c.id).where(person.c.is_me.is_(True))).first()
    return None if row is None else int(row[0])


def add_me(engine: Engine, kind: str, value: str, *, name: str | None, now: int) -> int:
    """Declare ``kind:value`` one of my identities; returns my person id.

    If the identity was already imported as someone else, it (and its
    plus-aliases) moves to me; a person left with no identity is marked as
    merged into me. Directions of stored interactions are recomputed.
    """
    with _write(engine) as conn:
        me = me_person_id(conn)
        if me is None:
            me = allocate_ids(conn, "person", 1)[0]
            conn.execute(
                person.insert(),
                {
                    "id": me,
                    "name": name or rules.name_from_address(value),
                    "name_key": rules.name_key(name),
                    "is_me": True,
                    "created_at": now,
                },
            )
        elif name:
            conn.execute(update(person).where(person.c.id == me).values(name=name))
        row = conn.execute(
            select(identity.c.id, identity.c.person_id).where(
                identity.c.kind == kind, identity.c.value == value
            )
        ).first()
        if row is None:
            iid = allocate_ids(conn, "identity", 1)[0]
            conn.execute(
                identity.insert(),
                {"id": iid, "kind": kind, "value": value, "person_id": me, "first_seen": now},
            )
        else:
            iid, previous = int(row[0]), int(row[1])
            if previous != me:
                conn.execute(
                    update(identity)
                    .where(or_(identity.c.id == iid, identity.c.alias_of == iid))
                    .values(person_id=me)
                )
                left = conn.execute(
                    select(func.count()).where(identity.c.person_id == previous)
                ).scalar_one()
                if left == 0:
                    conn.execute(
                        update(person).where(person.c.id == previous).values(merged_into=me)
                    )
        recompute_directions(conn)
    return me


def my_identities(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(identity.c.kind, identity.c.value)
            .join(person, person.c.id == identity.c.person_id)
            .where(person.c.is_me.is_(True))
            .order_by(identity.c.kind, identity.c.value)
        )
        return [f"{k}:{v}" for k, v in rows]


# -- finding people -----------------------------------------------------------


def find_person(engine: Engine, query: str) -> int:
    """The one person ``query`` names: ``#id``, an identity (``ana@x.org``,
    ``email:ana@x.org``) or a name (exact, else a unique part of one)."""
    q = query.strip()
    with engine.connect() as conn:
        if q.startswith("#") and q[1:].isdigit():
            row = conn.execute(select(person.c.id).where(person.c.id == int(q[1:]))).first()
            if row is None:
                raise NotFoundError(f"no person #{q[1:]}")
            return _follow_merges(conn, int(row[0]))
        kind, _, value = (
            q.partition(":") if ":" in q and "@" not in q.split(":")[0] else ("", "", q)
        )
        value = value.lower() if "@" in value else value
        cond = identity.c.value == value
        if kind:
            cond = and_(cond, identity.c.kind == kind)
        ids = sorted({int(r[0]) for r in conn.execute(select(identity.c.person_id).where(cond))})
        key = rules.name_key(q)
        if not ids and key:  # an indexed look-up, instant on any size
            ids = _active_ids(conn, person.c.name_key == key)
        if not ids:  # a part of a name: this one reads every name
            ids = _active_ids(conn, func.lower(person.c.name) == q.lower())
        if not ids:
            pattern = f"%{q.lower()}%"
            ids = _active_ids(conn, func.lower(person.c.name).like(pattern), limit=11)
        if not ids:
            raise NotFoundError(
                f"nobody matches {query!r}", hint="try an e-mail address, #id, or `kith people`"
            )
        ids = sorted({_follow_merges(conn, i) for i in ids})
        if len(ids) > 1:
            names = conn.execute(
                select(person.c.id, person.c.name).where(person.c.id.in_(ids[:10]))
            ).all()
            listing = ", ".join(f"#{i} {n}" for i, n in names)
            raise AmbiguousError(
                f"{query!r} matches {len(ids)} people: {listing}",
                hint="name one by #id or by address",
            )
        return ids[0]


def _active_ids(conn: Connection, cond: Any, limit: int = 100) -> list[int]:
    rows = conn.execute(
        select(person.c.id).where(cond, person.c.merged_into.is_(None)).limit(limit)
    )
    return [int(r[0]) for r in rows]


def _follow_merges(conn: Connection, pid: int) -> int:
    seen = {pid}
    while True:
        row = conn.execute(select(person.c.merged_into).where(person.c.id == pid)).first()
        if row is None or row[0] is None:
            return pid
        pid = int(row[0])
        if pid in seen:  # pragma: no cover - merges never form a cycle
            return pid
        seen.add(pid)


# -- merges -------------------------------------------------------------------


def merge_people(engine: Engine, kept: int, merged: int, *, reason: str, now: int) -> int:
    """Merge person ``merged`` into ``kept``; returns the merge's id (for undo)."""
    with _write(engine) as conn:
        return merge_in(conn, kept, merged, reason=reason, now=now)


def unmerge_person(engine: Engine, merged: int, *, now: int) -> tuple[int, int]:
    """Undo the merge that folded ``merged`` into someone; returns (kept, merged)."""
    with _write(engine) as conn:
        row = conn.execute(
            select(merge.c.id, merge.c.kept_id, merge.c.identity_ids)
            .where(merge.c.merged_id == merged, merge.c.undone_at.is_(None))
            .order_by(merge.c.id.desc())
        ).first()
        if row is None:
            raise NotFoundError(
                f"#{merged} was not merged into anyone", hint="name the person who was merged"
            )
        mid, kept, ids = int(row[0]), int(row[1]), [int(i) for i in str(row[2]).split()]
        if ids:
            conn.execute(update(identity).where(identity.c.id.in_(ids)).values(person_id=merged))
        conn.execute(update(person).where(person.c.id == merged).values(merged_into=None))
        conn.execute(update(merge).where(merge.c.id == mid).values(undone_at=now))
        return kept, merged


# -- reading ------------------------------------------------------------------


@dataclass(slots=True)
class PersonRow:
    id: int
    name: str | None
    identity: str | None
    interactions: int
    last_contact: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "identity": self.identity,
            "interactions": self.interactions,
            "last_contact": self.last_contact,
        }


SORTS = ("name", "recent", "interactions")


def iter_people(
    engine: Engine, *, sort: str = "name", limit: int | None = None
) -> Iterator[PersonRow]:
    """People (not me, not merged away), streamed in ``sort`` order.

    Sorting by name walks an index, so the first rows come at once even with
    a million people; ``recent`` and ``interactions`` must aggregate everyone
    first.
    """
    first_identity = (
        select(identity.c.kind + ":" + identity.c.value)
        .where(identity.c.person_id == person.c.id, identity.c.alias_of.is_(None))
        .order_by(identity.c.id)
        .limit(1)
        .scalar_subquery()
    )
    count = (
        select(func.count(func.distinct(participant.c.interaction_id)))
        .join(identity, identity.c.id == participant.c.identity_id)
        .where(identity.c.person_id == person.c.id)
        .scalar_subquery()
    )
    last = (
        select(func.max(interaction.c.occurred_at))
        .join(participant, participant.c.interaction_id == interaction.c.id)
        .join(identity, identity.c.id == participant.c.identity_id)
        .where(identity.c.person_id == person.c.id)
        .scalar_subquery()
    )
    query: Select[Any] = select(
        person.c.id, person.c.name, first_identity, count.label("n"), last.label("last")
    ).where(person.c.merged_into.is_(None), person.c.is_me.is_(False))
    if sort == "recent":
        query = query.order_by(last.desc(), person.c.id)
    elif sort == "interactions":
        query = query.order_by(count.desc(), person.c.id)
    else:
        query = query.order_by(person.c.name, person.c.id)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=500).execute(query)
        for pid, name, ident, n, last_at in result:
            last_contact = None if last_at is None else int(last_at)
            yield PersonRow(int(pid), name, ident, int(n or 0), last_contact)


@dataclass(slots=True)
class Profile:
    id: int
    name: str | None
    is_me: bool
    identities: list[dict[str, Any]]
    counts: dict[str, int]
    first_contact: int | None
    last_contact: int | None
    threads: int
    timeline: list[dict[str, Any]] = field(default_factory=list)
    merged_from: list[int] = field(default_factory=list)
    facts: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_me": self.is_me,
            "identities": self.identities,
            "counts": self.counts,
            "first_contact": self.first_contact,
            "last_contact": self.last_contact,
            "threads": self.threads,
            "merged_from": self.merged_from,
            "facts": self.facts,
            "timeline": self.timeline,
        }


def person_profile(engine: Engine, pid: int, *, timeline: int = 20) -> Profile:
    """One person: identities, interaction counts by direction, and the latest timeline."""
    with engine.connect() as conn:
        row = conn.execute(select(person.c.name, person.c.is_me).where(person.c.id == pid)).first()
        if row is None:
            raise NotFoundError(f"no person #{pid}")
        idents = [
            {"kind": k, "value": v, "display_name": d, "alias": a is not None}
            for k, v, d, a in conn.execute(
                select(
                    identity.c.kind, identity.c.value, identity.c.display_name, identity.c.alias_of
                )
                .where(identity.c.person_id == pid)
                .order_by(identity.c.id)
            )
        ]
        theirs = (
            select(participant.c.interaction_id)
            .join(identity, identity.c.id == participant.c.identity_id)
            .where(identity.c.person_id == pid)
        )
        ids = theirs.scalar_subquery()
        counts = {
            str(d): int(n)
            for d, n in conn.execute(
                select(interaction.c.direction, func.count())
                .where(interaction.c.id.in_(ids))
                .group_by(interaction.c.direction)
            )
        }
        span = conn.execute(
            select(
                func.min(interaction.c.occurred_at),
                func.max(interaction.c.occurred_at),
                func.count(func.distinct(interaction.c.thread_id)),
            ).where(interaction.c.id.in_(ids))
        ).one()
        rows = conn.execute(
            select(
                interaction.c.id,
                interaction.c.occurred_at,
                interaction.c.direction,
                interaction.c.channel,
                interaction.c.kind,
                interaction.c.subject,
                circle.c.name,
            )
            .outerjoin(circle, circle.c.id == interaction.c.circle_id)
            .where(interaction.c.id.in_(ids))
            .order_by(interaction.c.occurred_at.desc(), interaction.c.id.desc())
            .limit(timeline)
        ).all()
        items = [
            {
                "id": int(i),
                "at": int(at),
                "direction": d,
                "channel": ch,
                "kind": k,
                "subject": s,
                "circle": c,
            }
            for i, at, d, ch, k, s, c in rows
        ]
        merged_from = [
            int(r[0]) for r in conn.execute(select(person.c.id).where(person.c.merged_into == pid))
        ]
        facts = [
            {"key": k, "value": v, "source": src}
            for k, v, src in conn.execute(
                select(fact.c.key, fact.c.value, fact.c.source)
                .join(identity, identity.c.id == fact.c.identity_id)
                .where(identity.c.person_id == pid)
                .order_by(fact.c.key, fact.c.id)
            )
        ]
    return Profile(
        id=pid,
        name=row[0],
        is_me=bool(row[1]),
        identities=idents,
        counts=counts,
        first_contact=None if span[0] is None else int(span[0]),
        last_contact=None if span[1] is None else int(span[1]),
        threads=int(span[2] or 0),
        timeline=items,
        merged_from=merged_from,
        facts=facts,
    )


def stats(engine: Engine) -> dict[str, Any]:
    """Counts of what the ledger holds (``kith stats --json``)."""
    with engine.connect() as conn:

        def scalar(query: Any) -> int:
            return int(conn.execute(query).scalar_one() or 0)

        by_direction = {"in": 0, "out": 0, "among": 0}
        for d, n in conn.execute(
            select(interaction.c.direction, func.count()).group_by(interaction.c.direction)
        ):
            by_direction[str(d)] = int(n)
        bad = select(skipped.c.file, skipped.c.position).distinct().subquery()
        return {
            "people": scalar(
                select(func.count()).where(
                    person.c.merged_into.is_(None), person.c.is_me.is_(False)
                )
            ),
            "identities": scalar(select(func.count()).select_from(identity)),
            "interactions": scalar(select(func.count()).select_from(interaction)),
            "by_direction": by_direction,
            "threads": scalar(select(func.count()).select_from(thread)),
            "replies": scalar(select(func.count()).where(interaction.c.is_reply.is_(True))),
            "circles": scalar(select(func.count()).select_from(circle)),
            "skipped": scalar(select(func.count()).select_from(bad)),
        }
