"""Writing imported records into the ledger, fast and safely.

A ``LedgerWriter`` takes records in batches. Each batch is one transaction:
new people, identities, threads, circles, interactions, participants, skipped
records and the import run's counters commit together or not at all, so an
import killed half-way leaves the ledger as it was after its last whole batch,
and running it again finishes the job (duplicates are recognised by
``(source, source_id)``).

Speed comes from doing per batch what would otherwise be done per row: one
query finds which messages are already stored, one finds the known
identities, ids are allocated in blocks, and rows go in with ``executemany``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, update

from kith import identity as rules
from kith.model import (
    Channel,
    ContactRecord,
    DateQuality,
    IdentityRef,
    InteractionRecord,
    Kind,
    Role,
    Skipped,
)
from kith.store.gives import mark_introductions
from kith.store.ids import allocate_ids, chunks
from kith.store.merging import merge_in, recompute_directions
from kith.store.schema import (
    circle,
    fact,
    identity,
    import_run,
    interaction,
    participant,
    person,
    skipped,
)
from kith.store.schema import thread as thread_t

log = logging.getLogger(__name__)

#: Enum member → its text, faster than ``.value`` on the hot path (and
#: PostgreSQL's driver would store an enum's name, not its value).
_VALUE: dict[StrEnum, str] = {m: m.value for e in (Role, Channel, Kind, DateQuality) for m in e}
#: Most entries a writer cache holds before it is cleared.
CACHE_CAP = 200_000
_RECIPIENTS = (Role.TO, Role.CC, Role.BCC, Role.ATTENDEE)


#: Column order of the tuples ``LedgerWriter._store`` builds.
_INTERACTION_COLUMNS = (
    "id",
    "source",
    "source_id",
    "channel",
    "kind",
    "direction",
    "occurred_at",
    "tz_offset_min",
    "date_quality",
    "thread_id",
    "parent_ref",
    "is_reply",
    "subject",
    "body",
    "circle_id",
    "import_id",
    "origin_file",
    "origin_position",
    "extra",
)


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert tuples of ``columns`` straight through the driver's ``executemany``:
    on the hot path SQLAlchemy's per-row parameter processing costs more than
    SQLite's own insert (measured in bench/RESULTS.md)."""
    if not rows:
        return
    style = conn.dialect.paramstyle
    mark = "?" if style == "qmark" else "%s" if style in ("format", "pyformat") else None
    if mark is None:  # pragma: no cover - kith's dialects are qmark or format
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)


def insert_dicts(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``bulk_insert`` for rows given as dicts with the same keys."""
    if rows:
        columns = list(rows[0])
        bulk_insert(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


def fetch_in(
    conn: Connection, sql: str, fixed: tuple[Any, ...], values: Sequence[Any]
) -> list[Any]:
    """Rows of ``sql`` whose ``IN ({marks})`` list is ``values``, straight through
    the driver: the batch look-ups run per batch on the hot path, where building
    a SQLAlchemy statement with a bound parameter per value costs more than the
    query (bench/RESULTS.md). ``?`` in ``sql`` stands for the dialect's mark."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    text_ = sql.replace("?", mark).replace("{marks}", ", ".join([mark] * len(values)))
    return list(conn.exec_driver_sql(text_, (*fixed, *values)))


_STORED_IDS = "SELECT source_id FROM interaction WHERE source = ? AND source_id IN ({marks})"
_IDENTITIES = "SELECT value, id, person_id FROM identity WHERE kind = ? AND value IN ({marks})"
_MESSAGE_THREADS = (
    "SELECT source_id, thread_id FROM interaction "
    "WHERE source = ? AND source_id IN ({marks}) AND thread_id IS NOT NULL"
)
_LINKED = (
    "SELECT identity.link_key, identity.person_id FROM identity "
    "JOIN person ON person.id = identity.person_id "
    "WHERE person.is_me = ? AND identity.link_key IN ({marks}) "
    "AND person.merged_into IS NULL ORDER BY identity.id"
)
_FACTS = "SELECT identity_id, key, value, source FROM fact WHERE identity_id IN ({marks})"
_PERSON_OF = "SELECT id, person_id FROM identity WHERE id IN ({marks})"
_THREADS = "SELECT root_key, id FROM thread WHERE source = ? AND root_key IN ({marks})"


@dataclass(slots=True)
class BatchResult:
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0


@dataclass(slots=True)
class _Known:
    """What the writer remembers between batches (all of it re-readable from the ledger)."""

    identities: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    threads: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, root_key)
    message_threads: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, id)
    circles: dict[str, int] = field(default_factory=dict)
    me: set[int] = field(default_factory=set)  # identity ids

    def trim(self) -> None:
        """Forget what has grown past its cap (it is read back from the ledger
        when needed), so that memory stays flat however big the import."""
        for cache in (self.identities, self.threads, self.message_threads):
            if len(cache) > CACHE_CAP:
                cache.clear()


class LedgerWriter:
    """Writes one import run. Use ``start``, then ``write`` per batch, then ``finish``."""

    def __init__(
        self,
        engine: Engine,
        *,
        importer: str,
        path: str,
        now: int,
        store_bodies: bool = True,
    ) -> None:
        self.engine = engine
        self.importer = importer
        self.path = path
        self.now = now
        self.store_bodies = store_bodies
        self.import_id = 0
        self._known = _Known()
        self._me_changed = False
        self.totals = BatchResult()
        #: The first and last interaction id this run stored.
        self._ids: tuple[int, int] | None = None
        self.introductions = 0

    # -- the run ---------------------------------------------------------

    def start(self) -> int:
        with self._begin() as conn:
            self.import_id = allocate_ids(conn, "import_run", 1)[0]
            conn.execute(
                import_run.insert(),
                {
                    "id": self.import_id,
                    "importer": self.importer,
                    "path": self.path,
                    "started_at": self.now,
                    "status": "running",
                    "imported": 0,
                    "duplicates": 0,
                    "skipped": 0,
                },
            )
            self._known.me = {
                int(r[0])
                for r in conn.execute(
                    select(identity.c.id)
                    .join(person, person.c.id == identity.c.person_id)
                    .where(person.c.is_me.is_(True))
                )
            }
        return self.import_id

    def finish(self, status: str, finished_at: int) -> None:
        with self._begin() as conn:
            if self._ids is not None:
                lo, hi = self._ids
                self.introductions = mark_introductions(conn, run=self.import_id, lo=lo, hi=hi)
            conn.execute(
                update(import_run)
                .where(import_run.c.id == self.import_id)
                .values(status=status, finished_at=finished_at)
            )

    def _begin(self) -> AbstractContextManager[Connection]:
        return self.engine.execution_options(kith_write=True).begin()

    # -- one batch -------------------------------------------------------

    def write(
        self,
        records: Sequence[InteractionRecord],
        bad: Sequence[Skipped] = (),
        contacts: Sequence[ContactRecord] = (),
    ) -> BatchResult:
        """Store one batch in one transaction; returns what came of it.

        A contact counts as imported when it added something (an identity, a
        fact, a link between people), else as a duplicate.
        """
        result = BatchResult(skipped=len(bad))
        with self._begin() as conn:
            if contacts:
                added = self._store_contacts(conn, contacts)
                result.imported += added
                result.duplicates += len(contacts) - added
            if self._me_changed:
                recompute_directions(conn)
                self._me_changed = False
            fresh = self._drop_duplicates(conn, records)
            result.duplicates += len(records) - len(fresh)
            if fresh:
                self._store(conn, fresh)
            result.imported += len(fresh)
            if bad:
                conn.execute(
                    skipped.insert(),
                    [
                        {
                            "import_id": self.import_id,
                            "file": s.origin.file,
                            "position": s.origin.position,
                            "reason": s.reason,
                        }
                        for s in bad
                    ],
                )
            conn.execute(
                update(import_run)
                .where(import_run.c.id == self.import_id)
                .values(
                    imported=import_run.c.imported + result.imported,
                    duplicates=import_run.c.duplicates + result.duplicates,
                    skipped=import_run.c.skipped + result.skipped,
                )
            )
        self._known.trim()
        self.totals.imported += result.imported
        self.totals.duplicates += result.duplicates
        self.totals.skipped += result.skipped
        return result

    def _drop_duplicates(
        self, conn: Connection, records: Sequence[InteractionRecord]
    ) -> list[InteractionRecord]:
        seen: set[tuple[str, str]] = set()
        unique: list[InteractionRecord] = []
        for r in records:
            key = (r.source, r.source_id)
            if key not in seen:
                seen.add(key)
                unique.append(r)
        by_source: dict[str, list[str]] = {}
        for r in unique:
            by_source.setdefault(r.source, []).append(r.source_id)
        stored: set[tuple[str, str]] = set()
        for source, ids in by_source.items():
            for part in chunks(ids):
                rows = fetch_in(conn, _STORED_IDS, (source,), part)
                stored.update((source, str(r[0])) for r in rows)
        return [r for r in unique if (r.source, r.source_id) not in stored]

    def _store(self, conn: Connection, records: list[InteractionRecord]) -> None:
        ident = self._resolve_identities(conn, records)
        circles = self._resolve_circles(conn, records)
        threads = self._resolve_threads(conn, records, circles)
        ids = allocate_ids(conn, "interaction", len(records))
        lo, hi = (ids[0], ids[-1]) if self._ids is None else self._ids
        self._ids = (min(lo, ids[0]), max(hi, ids[-1]))
        me = self._known.me
        import_id = self.import_id
        store_bodies = self.store_bodies
        rows: list[tuple[Any, ...]] = []
        parts: list[tuple[int, int, str]] = []
        for rid, r in zip(ids, records, strict=True):
            author_is_me = False
            to_me = False
            seen_parts: set[tuple[int, str]] = set()
            for p in r.participants:
                iid = ident[(p.identity.kind, p.identity.value)][0]
                role = p.role
                if iid in me:
                    if role is Role.FROM:
                        author_is_me = True
                    elif role in _RECIPIENTS:
                        to_me = True
                key = (iid, _VALUE[role])
                if key not in seen_parts:
                    seen_parts.add(key)
                    parts.append((rid, iid, key[1]))
            direction = "out" if author_is_me else "in" if to_me else "among"
            tid = threads[r.source_id]
            rows.append(
                (
                    rid,
                    r.source,
                    r.source_id,
                    _VALUE[r.channel],
                    _VALUE[r.kind],
                    direction,
                    r.occurred_at,
                    r.tz_offset_min,
                    _VALUE[r.date_quality],
                    tid,
                    r.refs[-1] if r.refs else None,
                    r.is_reply,
                    r.subject,
                    r.body if store_bodies else None,
                    circles.get(r.list_id) if r.list_id else None,
                    import_id,
                    r.origin.file,
                    r.origin.position,
                    json.dumps(r.extra, sort_keys=True, ensure_ascii=False) if r.extra else None,
                )
            )
        bulk_insert(conn, interaction, _INTERACTION_COLUMNS, rows)
        bulk_insert(conn, participant, ("interaction_id", "identity_id", "role"), parts)

    # -- contact cards -----------------------------------------------------

    def _store_contacts(self, conn: Connection, contacts: Sequence[ContactRecord]) -> int:
        """Link each card's identities to one person, add its facts; returns how
        many cards added anything.

        New people and identities are gathered and inserted in bulk (ids in
        blocks); they are written out early only before a card links people
        the ledger already has, since that merge reads them.
        """
        known = self._known.identities
        self._load_identities(conn, [(i.kind, i.value) for c in contacts for i in c.identities])
        wanted = {(i.kind, i.value) for c in contacts for i in c.identities}
        person_ids = iter(allocate_ids(conn, "person", len(contacts)))
        identity_ids = iter(allocate_ids(conn, "identity", len(wanted - known.keys())))
        new_people: list[dict[str, Any]] = []
        new_identities: list[dict[str, Any]] = []
        card_facts: list[tuple[ContactRecord, list[int]]] = []
        changed_cards: set[int] = set()

        def flush() -> None:
            insert_dicts(conn, person, new_people)
            insert_dicts(conn, identity, new_identities)
            new_people.clear()
            new_identities.clear()

        for card in contacts:
            keys = list(dict.fromkeys((i.kind, i.value) for i in card.identities))
            if not keys:
                continue
            changed = False
            people = sorted({known[k][1] for k in keys if k in known})
            if card.is_me:
                flush()
                me = self._me_person(conn, card, next(person_ids))
                changed = self._link_people(conn, sorted({me, *people}), card) != me or any(
                    p != me for p in people
                )
                target = me
            elif len(people) > 1:
                flush()
                target = self._link_people(conn, people, card)
                changed = True
            elif people:
                target = people[0]
            else:
                target = next(person_ids)
                name = card.name or next(
                    (i.display_name for i in card.identities if i.display_name), None
                )
                if name is None:
                    first = card.identities[0]
                    email = first.kind == "email"
                    name = rules.name_from_address(first.value) if email else first.value
                new_people.append(
                    {
                        "id": target,
                        "name": name,
                        "name_key": rules.name_key(name),
                        "is_me": False,
                        "created_at": self.now,
                        "import_id": self.import_id,
                    }
                )
                changed = True
            by_key = {(i.kind, i.value): i for i in card.identities}
            for k in keys:
                if k in known:
                    continue
                iid = next(identity_ids)
                new_identities.append(
                    {
                        "id": iid,
                        "kind": k[0],
                        "value": k[1],
                        "display_name": by_key[k].display_name,
                        "person_id": target,
                        "alias_of": None,
                        "first_seen": None,
                        "import_id": self.import_id,
                    }
                )
                known[k] = (iid, target)
                changed = True
            if card.is_me:
                mine = {known[k][0] for k in keys}
                if not mine <= self._known.me:
                    self._known.me |= mine
                    self._me_changed = True
            if card.name and people and not card.is_me:
                flush()
                self._maybe_rename(conn, target, card.name)
            if card.facts:
                card_facts.append((card, [known[k][0] for k in keys]))
            if changed:
                changed_cards.add(id(card))
        flush()
        changed_cards |= self._add_facts(conn, card_facts)
        return len(changed_cards)

    def _me_person(self, conn: Connection, card: ContactRecord, new_id: int) -> int:
        """My person, made from ``card`` (as ``new_id``) if the ledger has none yet."""
        row = conn.execute(select(person.c.id).where(person.c.is_me.is_(True))).first()
        if row is not None:
            return int(row[0])
        me = new_id
        conn.execute(
            person.insert(),
            {
                "id": me,
                "name": card.name,
                "name_key": rules.name_key(card.name),
                "is_me": True,
                "created_at": self.now,
                "import_id": self.import_id,
            },
        )
        return me

    def _link_people(self, conn: Connection, people: list[int], card: ContactRecord) -> int:
        """One person for everyone the card names: the others are merged into
        me if I am among them, else into the oldest. Returns that person."""
        me_rows = conn.execute(
            select(person.c.id).where(person.c.id.in_(people), person.c.is_me.is_(True))
        ).all()
        target = int(me_rows[0][0]) if me_rows else people[0]
        for other in people:
            if other == target:
                continue
            merge_in(
                conn,
                target,
                other,
                reason=f"listed together on {card.source} record {card.source_id}",
                now=self.now,
            )
            for key, (iid, pid) in list(self._known.identities.items()):
                if pid == other:
                    self._known.identities[key] = (iid, target)
        return target

    def _maybe_rename(self, conn: Connection, pid: int, name: str) -> None:
        """A card's name replaces a name that was only made up from an address."""
        row = conn.execute(select(person.c.name).where(person.c.id == pid)).first()
        if row is None:
            return
        values = conn.execute(select(identity.c.value).where(identity.c.person_id == pid))
        made_up = {rules.name_from_address(str(v[0])) for v in values}
        if row[0] is None or row[0] in made_up:
            conn.execute(
                update(person)
                .where(person.c.id == pid)
                .values(name=name, name_key=rules.name_key(name))
            )

    def _add_facts(
        self, conn: Connection, cards: list[tuple[ContactRecord, list[int]]]
    ) -> set[int]:
        """Store the cards' facts not yet stored (each attaches to its card's
        first identity); returns the ``id()`` of the cards that added one."""
        if not cards:
            return set()
        every = sorted({iid for _, ids in cards for iid in ids})
        have: set[tuple[int, str, str, str]] = set()
        for part in chunks(every):
            for iid, key, value, source in fetch_in(conn, _FACTS, (), part):
                have.add((int(iid), str(key), str(value), str(source)))
        person_of = self._person_of(conn, every)
        seen_by_person = {
            (person_of.get(iid), key, value, source) for iid, key, value, source in have
        }
        rows: list[dict[str, Any]] = []
        added: set[int] = set()
        for card, ids in cards:
            anchor = ids[0]
            for f in dict.fromkeys(card.facts):
                mark = (person_of.get(anchor), f.key, f.value, card.source)
                if mark in seen_by_person:
                    continue
                seen_by_person.add(mark)
                added.add(id(card))
                rows.append(
                    {
                        "identity_id": anchor,
                        "key": f.key,
                        "value": f.value,
                        "source": card.source,
                        "source_id": card.source_id,
                        "import_id": self.import_id,
                    }
                )
        ids = allocate_ids(conn, "fact", len(rows))
        insert_dicts(conn, fact, [{"id": fid, **r} for fid, r in zip(ids, rows, strict=True)])
        return added

    def _person_of(self, conn: Connection, identity_ids: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for part in chunks(identity_ids):
            for iid, pid in fetch_in(conn, _PERSON_OF, (), part):
                found[int(iid)] = int(pid)
        return found

    # -- identities and people ---------------------------------------------

    def _resolve_identities(
        self, conn: Connection, records: Sequence[InteractionRecord]
    ) -> dict[tuple[str, str], tuple[int, int]]:
        """(kind, value) → (identity id, person id) for every participant, creating
        people and identities that are new."""
        known = self._known.identities
        wanted: dict[tuple[str, str], IdentityRef] = {}
        first_seen: dict[tuple[str, str], int] = {}
        for r in records:
            for p in r.participants:
                key = (p.identity.kind, p.identity.value)
                if key in known:
                    continue
                current = wanted.get(key)
                if current is None or (current.display_name is None and p.identity.display_name):
                    wanted[key] = p.identity
                first_seen[key] = min(first_seen.get(key, r.occurred_at), r.occurred_at)
                if p.identity.kind == "email":
                    base = rules.base_address(p.identity.value)
                    if base != p.identity.value and ("email", base) not in known:
                        wanted.setdefault(("email", base), IdentityRef("email", base))
                        first_seen.setdefault(("email", base), r.occurred_at)
        if not wanted:
            return known
        self._load_identities(conn, list(wanted))
        missing = [k for k in wanted if k not in known]
        if missing:
            self._create_identities(conn, [wanted[k] for k in missing], first_seen)
        return known

    def _load_identities(self, conn: Connection, keys: list[tuple[str, str]]) -> None:
        by_kind: dict[str, list[str]] = {}
        for kind, value in keys:
            by_kind.setdefault(kind, []).append(value)
        for kind, values in by_kind.items():
            for part in chunks(values):
                rows = fetch_in(conn, _IDENTITIES, (kind,), part)
                for value, iid, pid in rows:
                    self._known.identities[(kind, str(value))] = (int(iid), int(pid))

    def _create_identities(
        self,
        conn: Connection,
        refs: list[IdentityRef],
        first_seen: dict[tuple[str, str], int],
    ) -> None:
        known = self._known.identities
        # Base addresses first, so that their aliases can join them.
        refs.sort(key=lambda r: rules.base_address(r.value) != r.value)
        links = {(r.kind, r.value): rules.link_key(r.kind, r.value, r.display_name) for r in refs}
        by_link = self._people_by_link(conn, {k for k in links.values() if k})
        new_people: list[dict[str, object]] = []
        new_identities: list[dict[str, object]] = []
        person_ids = iter(allocate_ids(conn, "person", len(refs)))
        identity_ids = iter(allocate_ids(conn, "identity", len(refs)))
        for ref in refs:
            key = (ref.kind, ref.value)
            link = links[key]
            iid = next(identity_ids)
            alias_of: int | None = None
            pid: int | None = None
            if ref.kind == "email":
                base = rules.base_address(ref.value)
                if base != ref.value and ("email", base) in known:
                    alias_of, pid = known[("email", base)]
            if pid is None and link:
                pid = by_link.get(link)
            if pid is None:
                pid = next(person_ids)
                new_people.append(
                    {
                        "id": pid,
                        "name": _person_name(ref),
                        "name_key": rules.name_key(_person_name(ref)),
                        "is_me": False,
                        "created_at": first_seen.get(key, self.now),
                        "import_id": self.import_id,
                    }
                )
                if link:
                    by_link[link] = pid
            new_identities.append(
                {
                    "id": iid,
                    "kind": ref.kind,
                    "value": ref.value,
                    "display_name": ref.display_name,
                    "person_id": pid,
                    "alias_of": alias_of,
                    "first_seen": first_seen.get(key),
                    "import_id": self.import_id,
                    "link_key": link,
                }
            )
            known[key] = (iid, pid)
            if alias_of is not None and alias_of in self._known.me:
                self._known.me.add(iid)
        if new_people:
            insert_dicts(conn, person, new_people)
        insert_dicts(conn, identity, new_identities)

    def _people_by_link(self, conn: Connection, links: set[str]) -> dict[str, int]:
        """Link key → the person already holding an identity with it (an indexed
        look-up: names are matched only within an organisation's domain)."""
        found: dict[str, int] = {}
        for part in chunks(sorted(links)):
            for link, pid in fetch_in(conn, _LINKED, (False,), part):
                found.setdefault(str(link), int(pid))
        return found

    # -- circles and threads -----------------------------------------------

    def _resolve_circles(
        self, conn: Connection, records: Sequence[InteractionRecord]
    ) -> dict[str, int]:
        known = self._known.circles
        names = {r.list_id: r.list_name for r in records if r.list_id and r.list_id not in known}
        for list_id, name in names.items():
            key = f"list:{list_id}"
            row = conn.execute(select(circle.c.id).where(circle.c.key == key)).first()
            if row is None:
                cid = allocate_ids(conn, "circle", 1)[0]
                conn.execute(
                    circle.insert(),
                    {
                        "id": cid,
                        "key": key,
                        "name": name or list_id,
                        "visibility": "public",
                        "import_id": self.import_id,
                    },
                )
            else:
                cid = int(row[0])
            known[list_id] = cid
        return known

    def _resolve_threads(
        self,
        conn: Connection,
        records: Sequence[InteractionRecord],
        circles: dict[str, int],
    ) -> dict[str, int]:
        """source_id → thread id.

        A message joins the thread of the nearest message it references. Else
        its thread is found by key: its root reference; or, with no references,
        its own id (its replies may have come first) and then its ``thread_key``
        (e-mail: the normalised subject among the same participants). Keys do
        not depend on import order, so two files give the same threads in
        either order.
        """
        msg_threads = self._known.message_threads
        threads = self._known.threads
        unknown: dict[str, set[str]] = {}
        for r in records:
            for ref in r.refs:
                if (r.source, ref) not in msg_threads:
                    unknown.setdefault(r.source, set()).add(ref)
        for source, refs in unknown.items():
            for part in chunks(sorted(refs)):
                rows = fetch_in(conn, _MESSAGE_THREADS, (source,), part)
                for sid, tid in rows:
                    msg_threads[(source, str(sid))] = int(tid)
        keys = {r.source_id: _thread_keys(r) for r in records}
        self._load_threads(conn, {(r.source, k) for r in records for k in keys[r.source_id]})
        # New threads get placeholder ids (negative) until ids are allocated.
        new_threads: list[dict[str, object]] = []
        assigned: dict[str, int] = {}
        for r in records:
            src = r.source
            tid = next(
                (msg_threads[(src, ref)] for ref in reversed(r.refs) if (src, ref) in msg_threads),
                None,
            )
            if tid is None:
                tid = next(
                    (threads[(src, k)] for k in keys[r.source_id] if (src, k) in threads), None
                )
            if tid is None:
                tid = -(len(new_threads) + 1)
                root_key = keys[r.source_id][-1]
                new_threads.append(
                    {
                        "id": tid,
                        "source": src,
                        "root_key": root_key,
                        "subject": r.subject,
                        "circle_id": circles.get(r.list_id) if r.list_id else None,
                        "started_at": r.occurred_at,
                        "import_id": self.import_id,
                    }
                )
                threads[(src, root_key)] = tid
            assigned[r.source_id] = tid
            msg_threads[(src, r.source_id)] = tid
        if new_threads:
            real = allocate_ids(conn, "thread", len(new_threads))
            for row, tid in zip(new_threads, real, strict=True):
                threads[(str(row["source"]), str(row["root_key"]))] = tid
                row["id"] = tid
            insert_dicts(conn, thread_t, new_threads)
            for r in records:
                placeholder = assigned[r.source_id]
                if placeholder < 0:
                    tid = real[-placeholder - 1]
                    assigned[r.source_id] = msg_threads[(r.source, r.source_id)] = tid
        return assigned

    def _load_threads(self, conn: Connection, keys: set[tuple[str, str]]) -> None:
        by_source: dict[str, list[str]] = {}
        for source, key in keys:
            if (source, key) not in self._known.threads:
                by_source.setdefault(source, []).append(key)
        for source, wanted in by_source.items():
            for part in chunks(sorted(wanted)):
                rows = fetch_in(conn, _THREADS, (source,), part)
                for key, tid in rows:
                    self._known.threads[(source, str(key))] = int(tid)


def _person_name(ref: IdentityRef) -> str:
    """A new person's name: the display name beside the identity, else one made
    from an e-mail address (automated senders' display names name others)."""
    if ref.kind == "email":
        if ref.display_name and not rules.is_automated(ref.value):
            return ref.display_name
        return rules.name_from_address(ref.value)
    return ref.display_name or ref.value


def _thread_keys(record: InteractionRecord) -> tuple[str, ...]:
    """The keys a record's thread may be known by, most specific first."""
    if record.refs:
        return (record.refs[0],)
    if record.thread_key:
        return (record.source_id, record.thread_key)
    return (record.source_id,)


def count_rows(conn: Connection, table_name: str) -> int:
    table = {t.name: t for t in (person, identity, interaction, thread_t, skipped)}[table_name]
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
