"""The reads a person waits for — `kith people`, `kith person` — on the
database driver alone.

Importing SQLAlchemy costs a command more than these queries do (measured in
bench/RESULTS.md: the import is most of a `kith person` call on a
million-person ledger), so these queries are plain SQL that SQLite and
PostgreSQL both read, run through a DB-API connection: ``sqlite3`` or
``psycopg`` opened directly (``open_reader``), or one borrowed from an
SQLAlchemy engine (``reader_for``) where the engine is open anyway. This
module imports neither SQLAlchemy nor a driver until it is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kith import identity as rules
from kith.errors import AmbiguousError, NotFoundError
from kith.store.ids import MAX_ID
from kith.store.sql import open_db

SORTS = ("name", "recent", "interactions")
#: What to do when a person is not there (the command line and the web app).
FIND_HINT = "find them with kith people, or on the web app's People page"

_PEOPLE = """
SELECT p.id, p.name,
  (SELECT i.kind || ':' || i.value FROM identity i
     WHERE i.person_id = p.id AND i.alias_of IS NULL ORDER BY i.id LIMIT 1) AS ident,
  (SELECT count(DISTINCT pa.interaction_id) FROM participant pa
     JOIN identity i ON i.id = pa.identity_id WHERE i.person_id = p.id) AS n,
  (SELECT max(x.occurred_at) FROM interaction x
     JOIN participant pa ON pa.interaction_id = x.id
     JOIN identity i ON i.id = pa.identity_id WHERE i.person_id = p.id) AS last_at
FROM person p
WHERE p.merged_into IS NULL AND p.is_me = ?
"""
_ORDER = {
    "name": " ORDER BY p.name, p.id",
    "recent": " ORDER BY last_at DESC, p.id",
    "interactions": " ORDER BY n DESC, p.id",
}
_THEIRS = (
    "SELECT pa.interaction_id FROM participant pa "
    "JOIN identity i ON i.id = pa.identity_id WHERE i.person_id = ?"
)


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


class Reader:
    """Read-only queries on one DB-API connection (``?`` marks are adapted)."""

    def __init__(self, conn: Any, paramstyle: str) -> None:
        self.conn = conn
        self.mark = "?" if paramstyle == "qmark" else "%s"
        self.postgres = paramstyle != "qmark"

    def _sql(self, sql: str) -> str:
        return sql if self.mark == "?" else sql.replace("?", self.mark)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def first(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    # -- people ------------------------------------------------------------------

    def iter_people(self, *, sort: str = "name", limit: int | None = None) -> Iterator[PersonRow]:
        """People (not me, not merged away), streamed in ``sort`` order.

        By name the query walks an index, so the first rows come at once on
        any size; ``recent`` and ``interactions`` count everyone first.
        """
        sql = _PEOPLE + _ORDER.get(sort, _ORDER["name"])
        params: tuple[Any, ...] = (False,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        # PostgreSQL streams through a server-side cursor; SQLite's cursor streams.
        cur = self.conn.cursor(name="kith_people") if self.postgres else self.conn.cursor()
        try:
            cur.execute(self._sql(sql), params)
            while batch := cur.fetchmany(500):
                for pid, name, ident, n, last_at in batch:
                    last = None if last_at is None else int(last_at)
                    yield PersonRow(int(pid), name, ident, int(n or 0), last)
        finally:
            cur.close()

    def find_person(self, query: str) -> int:
        """The one person ``query`` names: ``#id``, an identity (``ana@x.org``,
        ``email:ana@x.org``) or a name (exact, else a unique part of one)."""
        q = query.strip()
        if q.startswith("#") and q[1:].isascii() and q[1:].isdigit():
            if (
                int(q[1:]) > MAX_ID
                or self.first("SELECT id FROM person WHERE id = ?", (int(q[1:]),)) is None
            ):
                raise NotFoundError(f"no person #{q[1:]}", hint=FIND_HINT)
            return self._follow_merges(int(q[1:]))
        ids = sorted(
            {
                int(r[0])
                for kind, value in _identity_guesses(q)
                for r in self.rows(
                    "SELECT person_id FROM identity WHERE kind = ? AND value = ?", (kind, value)
                )
            }
        )
        key = rules.name_key(q)
        active = " AND merged_into IS NULL"
        if not ids and key:  # an indexed look-up, instant on any size
            ids = self._ids("SELECT id FROM person WHERE name_key = ?" + active, (key,))
        if not ids:  # reads every name
            ids = self._ids("SELECT id FROM person WHERE lower(name) = ?" + active, (q.lower(),))
        if not ids:
            pattern = f"%{q.lower()}%"
            ids = self._ids(
                "SELECT id FROM person WHERE lower(name) LIKE ?" + active + " LIMIT 11", (pattern,)
            )
        if not ids:
            raise NotFoundError(
                f"nobody matches {query!r}", hint="try an e-mail address, #id, or `kith people`"
            )
        ids = sorted({self._follow_merges(i) for i in ids})
        if len(ids) > 1:
            marks = ", ".join("?" * len(ids[:10]))
            names = self.rows(
                f"SELECT id, name FROM person WHERE id IN ({marks}) ORDER BY id", tuple(ids[:10])
            )
            listing = ", ".join(f"#{i} {n}" for i, n in names)
            raise AmbiguousError(
                f"{query!r} matches {len(ids)} people: {listing}",
                hint="name one by #id or by address",
            )
        return ids[0]

    def _ids(self, sql: str, params: tuple[Any, ...]) -> list[int]:
        return [
            int(r[0]) for r in self.rows(sql + ("" if "LIMIT" in sql else " LIMIT 100"), params)
        ]

    def _follow_merges(self, pid: int) -> int:
        seen = {pid}
        while True:
            row = self.first("SELECT merged_into FROM person WHERE id = ?", (pid,))
            if row is None or row[0] is None:
                return pid
            pid = int(row[0])
            if pid in seen:  # pragma: no cover - merges never form a cycle
                return pid
            seen.add(pid)

    def person_profile(self, pid: int, *, timeline: int = 20) -> Profile:
        """One person: identities, interaction counts by direction, facts, and
        the latest ``timeline`` interactions."""
        row = self.first("SELECT name, is_me FROM person WHERE id = ?", (pid,))
        if row is None:
            raise NotFoundError(f"no person #{pid}", hint=FIND_HINT)
        identities = [
            {"kind": k, "value": v, "display_name": d, "alias": a is not None}
            for k, v, d, a in self.rows(
                "SELECT kind, value, display_name, alias_of FROM identity "
                "WHERE person_id = ? ORDER BY id",
                (pid,),
            )
        ]
        theirs = f"x.id IN ({_THEIRS})"
        counts = {
            str(d): int(n)
            for d, n in self.rows(
                f"SELECT x.direction, count(*) FROM interaction x WHERE {theirs} "
                "GROUP BY x.direction",
                (pid,),
            )
        }
        span = self.first(
            "SELECT min(x.occurred_at), max(x.occurred_at), count(DISTINCT x.thread_id) "
            f"FROM interaction x WHERE {theirs}",
            (pid,),
        ) or (None, None, 0)
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
            for i, at, d, ch, k, s, c in self.rows(
                "SELECT x.id, x.occurred_at, x.direction, x.channel, x.kind, x.subject, c.name "
                f"FROM interaction x LEFT JOIN circle c ON c.id = x.circle_id WHERE {theirs} "
                "ORDER BY x.occurred_at DESC, x.id DESC LIMIT ?",
                (pid, timeline),
            )
        ]
        merged_from = [
            int(r[0])
            for r in self.rows("SELECT id FROM person WHERE merged_into = ? ORDER BY id", (pid,))
        ]
        facts = [
            {"key": k, "value": v, "source": s}
            for k, v, s in self.rows(
                "SELECT f.key, f.value, f.source FROM fact f "
                "JOIN identity i ON i.id = f.identity_id WHERE i.person_id = ? "
                "ORDER BY f.key, f.id",
                (pid,),
            )
        ]
        return Profile(
            id=pid,
            name=row[0],
            is_me=bool(row[1]),
            identities=identities,
            counts=counts,
            first_contact=None if span[0] is None else int(span[0]),
            last_contact=None if span[1] is None else int(span[1]),
            threads=int(span[2] or 0),
            timeline=items,
            merged_from=merged_from,
            facts=facts,
        )


def _identity_guesses(q: str) -> list[tuple[str, str]]:
    """The identities a query could name, each an indexed (kind, value) look-up:
    ``kind:value`` as given; an address as e-mail or Mastodon; ``@handle`` on
    X; a number as a phone. A plain name is no identity."""
    if ":" in q and "@" not in q.split(":", 1)[0]:
        kind, _, value = q.partition(":")
        value = value.lower() if "@" in value else value
        return [(kind.lower(), value), (kind.lower(), value.lstrip("@"))]
    if q.startswith("@"):
        return [("x", q[1:].lower()), ("mastodon", q[1:].lower())]
    if "@" in q:
        return [("email", q.lower()), ("mastodon", q.lower())]
    digits = "".join(ch for ch in q if ch.isdigit() or ch == "+")
    if len(digits) >= 5 and len(digits) >= len(q.replace(" ", "")) - 4:
        return [("phone", digits)]
    return []


@contextmanager
def reader_for(engine: Any) -> Iterator[Reader]:
    """A Reader on a connection borrowed from an SQLAlchemy engine."""
    raw = engine.raw_connection()
    try:
        yield Reader(raw.driver_connection, engine.dialect.paramstyle)
    finally:
        raw.close()


@contextmanager
def open_reader(url: str) -> Iterator[Reader | None]:
    """A Reader straight on the driver, or None when the ledger must first be
    created or migrated (then the caller opens it the ordinary way)."""
    with open_db(url) as db:
        if db is None:
            yield None
            return
        yield Reader(db.conn, "qmark" if db.dialect == "sqlite" else "format")
