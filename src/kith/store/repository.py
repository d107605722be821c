"""Reading the ledger and the few edits a user makes by hand: me, merges.

Imports go through ``kith.store.writer``; everything else that touches the
ledger's SQL lives here, so the CLI and web app stay free of it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, update

from kith import identity as rules
from kith.errors import NotFoundError
from kith.store import reads
from kith.store.ids import allocate_ids
from kith.store.merging import merge_in, recompute_directions
from kith.store.reads import PersonRow, Profile
from kith.store.schema import (
    circle,
    identity,
    interaction,
    merge,
    participant,
    person,
    skipped,
    thread,
)
from kith.store.sql import using


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


def remove_me(engine: Engine, kind: str, value: str, *, now: int) -> int:
    """``kind:value`` is not mine after all: it (and its plus-aliases) becomes a
    person of its own, named by its display name; directions of stored
    interactions are recomputed. Returns that person's id."""
    with _write(engine) as conn:
        me = me_person_id(conn)
        row = conn.execute(
            select(identity.c.id, identity.c.person_id, identity.c.display_name).where(
                identity.c.kind == kind, identity.c.value == value
            )
        ).first()
        if me is None or row is None or int(row[1]) != me:
            raise NotFoundError(
                f"{kind}:{value} is not one of your identities", hint="kith me list shows them"
            )
        name = row[2] or rules.name_from_address(value)
        pid = allocate_ids(conn, "person", 1)[0]
        conn.execute(
            person.insert(),
            {
                "id": pid,
                "name": name,
                "name_key": rules.name_key(name),
                "is_me": False,
                "created_at": now,
            },
        )
        iid = int(row[0])
        conn.execute(
            update(identity)
            .where(or_(identity.c.id == iid, identity.c.alias_of == iid))
            .values(person_id=pid)
        )
        recompute_directions(conn)
    return pid


def likely_me(engine: Engine, *, limit: int = 3) -> list[tuple[str, float]]:
    """The identities that take part in the largest share of interactions, with
    that share: in one person's own mailbox or archive, the owner is on nearly
    every message. Offered when the ledger does not know who I am yet."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(interaction)).scalar_one()
        if not total:
            return []
        rows = conn.execute(
            select(identity.c.kind, identity.c.value, func.count().label("n"))
            .join(participant, participant.c.identity_id == identity.c.id)
            .group_by(identity.c.kind, identity.c.value)
            .order_by(func.count().desc(), identity.c.value)
            .limit(limit)
        ).all()
    return [(f"{k}:{v}", int(n) / int(total)) for k, v, n in rows]


def likely_mine(engine: Engine, runs: Collection[int]) -> list[tuple[str, str]]:
    """Identities that import ``runs`` added and that look like mine
    (``kith.identity.looks_like_mine``), each with why: offered, never applied."""
    if not runs:
        return []
    with engine.connect() as conn:
        me = me_person_id(conn)
        if me is None:
            return []
        my_name = conn.execute(select(person.c.name).where(person.c.id == me)).scalar()
        domains = {
            str(v).partition("@")[2]
            for v in conn.execute(
                select(identity.c.value).where(
                    identity.c.person_id == me, identity.c.kind == "email"
                )
            ).scalars()
        }
        found = conn.execute(
            select(identity.c.kind, identity.c.value, identity.c.display_name).where(
                identity.c.import_id.in_(list(runs)),
                identity.c.kind == "email",
                identity.c.person_id != me,
            )
        ).all()
    offers = []
    for kind, value, display in found:
        why = rules.looks_like_mine(my_name, domains, kind, value, display)
        if why is not None:
            offers.append((f"{kind}:{value}", why))
    return sorted(offers)


def my_identities(engine: Engine) -> list[str]:
    """My identities as ``kind:value``, sorted (two indexed look-ups: my person,
    then its identities)."""
    with engine.connect() as conn:
        me = me_person_id(conn)
        if me is None:
            return []
        rows = conn.execute(
            select(identity.c.kind, identity.c.value).where(identity.c.person_id == me)
        )
        return [f"{k}:{v}" for k, v in sorted((str(k), str(v)) for k, v in rows)]


# -- finding people -----------------------------------------------------------


def find_person(engine: Engine, query: str) -> int:
    """The one person ``query`` names (see ``kith.store.reads.find_person``)."""
    with using(engine) as db:
        return reads.find_person(db, query)


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


def iter_people(
    engine: Engine, *, sort: str = "closest", limit: int | None = None
) -> Iterator[PersonRow]:
    """People (not me, not merged away), streamed in ``sort`` order."""
    with using(engine) as db:
        yield from reads.iter_people(db, sort=sort, limit=limit)


def person_profile(engine: Engine, pid: int, *, timeline: int = 20) -> Profile:
    """One person's profile (see ``kith.store.reads.person_profile``)."""
    with using(engine) as db:
        return reads.person_profile(db, pid, timeline=timeline)


def stats(engine: Engine) -> dict[str, Any]:
    """Counts of what the ledger holds (``kith stats --json``)."""
    with engine.connect() as conn:
        return stats_of(conn)


def stats_of(conn: Connection) -> dict[str, Any]:
    """``stats`` as ``conn``'s transaction sees the ledger."""

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
            select(func.count()).where(person.c.merged_into.is_(None), person.c.is_me.is_(False))
        ),
        "identities": scalar(select(func.count()).select_from(identity)),
        "interactions": scalar(select(func.count()).select_from(interaction)),
        "by_direction": by_direction,
        "threads": scalar(select(func.count()).select_from(thread)),
        "replies": scalar(select(func.count()).where(interaction.c.is_reply.is_(True))),
        "circles": scalar(select(func.count()).select_from(circle)),
        "skipped": scalar(select(func.count()).select_from(bad)),
    }
