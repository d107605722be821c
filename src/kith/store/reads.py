"""The reads a person waits for — `kith people`, `kith person` — on the
database driver alone.

Importing SQLAlchemy costs a command more than these queries do (measured in
bench/RESULTS.md: the import is most of a `kith person` call on a
million-person ledger), so these queries are plain SQL that SQLite and
PostgreSQL both read, run on a ``kith.store.sql.Db``: the driver opened
directly (``open_db``), or borrowed from an SQLAlchemy engine
(``kith.store.sql.using``) where the engine is open anyway. This module
imports neither SQLAlchemy nor a driver until it is used.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from kith import identity as rules
from kith.errors import AmbiguousError, NotFoundError
from kith.store.ids import MAX_ID
from kith.store.relationships import TWO_WAY
from kith.store.sql import Db, contains

#: ``kith people`` orders: ``closest`` (the default) first.
SORTS = ("closest", "name", "recent", "interactions")
#: What to do when a person is not there (the command line and the web app).
FIND_HINT = "find them with kith people, or on the web app's People page"
#: The identity a listing shows for a person, best first: an e-mail address;
#: a handle (``x``, ``mastodon``); any other kind; last the opaque ones, an
#: X account number (``x-id``) or an X.500 path mangled into an address
#: (``/o=enron/ou=na/cn=…@enron.com``). Ties: the oldest identity.
READABLE_IDENTITY = """
  CASE WHEN i.kind = 'x-id' OR i.value LIKE '/%' THEN 3
       WHEN i.kind = 'email' THEN 0
       WHEN i.kind IN ('x', 'mastodon') THEN 1
       ELSE 2 END, i.id"""

_IDENTITY = f"""
  (SELECT i.kind || ':' || i.value FROM identity i
     WHERE i.person_id = p.id AND i.alias_of IS NULL
     ORDER BY {READABLE_IDENTITY} LIMIT 1) AS ident"""
_COLUMNS = f"""
SELECT p.id, p.name, {_IDENTITY},
  (SELECT count(DISTINCT pa.interaction_id) FROM participant pa
     JOIN identity i ON i.id = pa.identity_id WHERE i.person_id = p.id) AS n,
  (SELECT max(x.occurred_at) FROM interaction x
     JOIN participant pa ON pa.interaction_id = x.id
     JOIN identity i ON i.id = pa.identity_id WHERE i.person_id = p.id) AS last_at
"""
#: The same columns from the relationship row, as of the last refresh: the
#: closest are the busiest, and counting a busy person's interactions again
#: took most of a second on the bench ledger (bench/RESULTS.md).
_STORED_COLUMNS = f"SELECT p.id, p.name, {_IDENTITY}, r.interactions, r.last_at "
#: ``NOT p.is_me``, not ``p.is_me = false``: SQLite would read the people
#: through ``ix_person_is_me`` and sort them all, instead of along the order's index.
_LISTED = "p.merged_into IS NULL AND NOT p.is_me"
_PEOPLE = _COLUMNS + f"FROM person p WHERE {_LISTED}"
_ORDER = {
    "name": " ORDER BY p.name, p.id",
    "recent": " ORDER BY last_at DESC, p.id",
    "interactions": " ORDER BY n DESC, p.id",
}
#: ``closest``: three reads, one after the other, each along an index so the
#: first rows come at once on any size. Two-way relationships (both sides
#: wrote: ``kith.store.relationships.TWO_WAY``) by decayed contact as stored
#: at the last refresh (contacts weighted by recency, the figure the layers
#: rank by; the partial index ``ix_relationship_two_way_decayed``); then
#: everyone else with a relationship row, the same way
#: (``ix_relationship_decayed``); then anyone the last refresh has not seen,
#: by id (first seen first).
_BY_CLOSENESS = (
    # CROSS JOIN: SQLite walks relationship first, along the index (PostgreSQL
    # plans it as any join); ties by person_id DESC, the index's own order
    "FROM relationship r CROSS JOIN person p "
    f"WHERE p.id = r.person_id AND {_LISTED} AND %s ORDER BY r.decayed DESC, r.person_id DESC"
)
_CLOSEST_PARTS = (
    _STORED_COLUMNS + _BY_CLOSENESS % f"({TWO_WAY})",
    _STORED_COLUMNS + _BY_CLOSENESS % f"NOT ({TWO_WAY})",
    _PEOPLE
    + " AND NOT EXISTS (SELECT 1 FROM relationship r WHERE r.person_id = p.id) ORDER BY p.id",
)
_THEIRS = (
    "SELECT pa.interaction_id FROM participant pa "
    "JOIN identity i ON i.id = pa.identity_id WHERE i.person_id = :pid"
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


def iter_people(db: Db, *, sort: str = "closest", limit: int | None = None) -> Generator[PersonRow]:
    """People (not me, not merged away), streamed in ``sort`` order
    (``SORTS``), each with the most readable of their identities
    (``READABLE_IDENTITY``).

    ``closest`` (two-way first, then by decayed contact) and ``name`` walk
    an index, so the first rows come at once on any size; ``recent`` and
    ``interactions`` count everyone first. In ``closest`` the interactions
    and last contact of a person with a relationship row are the row's, as
    of the last refresh (``kith import`` refreshes); the other orders count
    them now.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    parts = _CLOSEST_PARTS if sort == "closest" else (_PEOPLE + _ORDER[sort],)
    left = limit
    for sql in parts:
        params: dict[str, Any] = {}
        if left is not None:
            if left <= 0:
                return
            sql += " LIMIT :limit"
            params["limit"] = left
        for pid, name, ident, n, last_at in db.stream(sql, params):
            last = None if last_at is None else int(last_at)
            yield PersonRow(int(pid), name, ident, int(n or 0), last)
            if left is not None:
                left -= 1


def find_person(db: Db, query: str) -> int:
    """The one person ``query`` names: ``#id``, an identity (``ana@x.org``,
    ``email:ana@x.org``) or a name (exact, else a unique part of one)."""
    q = query.strip()
    if q.startswith("#") and q[1:].isascii() and q[1:].isdigit():
        if (
            int(q[1:]) > MAX_ID
            or db.first("SELECT id FROM person WHERE id = :id", {"id": int(q[1:])}) is None
        ):
            raise NotFoundError(f"no person #{q[1:]}", hint=FIND_HINT)
        return _follow_merges(db, int(q[1:]))
    ids = sorted(
        {
            int(r[0])
            for kind, value in _identity_guesses(q)
            for r in db.rows(
                "SELECT person_id FROM identity WHERE kind = :kind AND value = :value",
                {"kind": kind, "value": value},
            )
        }
    )
    key = rules.name_key(q)
    active = " AND merged_into IS NULL"
    if not ids and key:  # an indexed look-up, instant on any size
        ids = _ids(db, "SELECT id FROM person WHERE name_key = :q" + active, key)
    if not ids:  # reads every name
        ids = _ids(db, "SELECT id FROM person WHERE lower(name) = :q" + active, q.lower())
    if not ids:
        ids = _ids(
            db,
            "SELECT id FROM person WHERE lower(name) LIKE :q ESCAPE '\\'" + active + " LIMIT 11",
            contains(q.lower()),
        )
    if not ids:
        raise NotFoundError(
            f"nobody matches {query!r}", hint="try an e-mail address, #id, or `kith people`"
        )
    ids = sorted({_follow_merges(db, i) for i in ids})
    if len(ids) > 1:
        names = db.rows(
            "SELECT id, name FROM person WHERE id IN :ids ORDER BY id", {"ids": ids[:10]}
        )
        listing = ", ".join(f"#{i} {n}" for i, n in names)
        raise AmbiguousError(
            f"{query!r} matches {len(ids)} people: {listing}",
            hint="name one by #id or by address",
        )
    return ids[0]


def _ids(db: Db, sql: str, q: str) -> list[int]:
    return [int(r[0]) for r in db.rows(sql + ("" if "LIMIT" in sql else " LIMIT 100"), {"q": q})]


def _follow_merges(db: Db, pid: int) -> int:
    seen = {pid}
    while True:
        row = db.first("SELECT merged_into FROM person WHERE id = :id", {"id": pid})
        if row is None or row[0] is None:
            return pid
        pid = int(row[0])
        if pid in seen:  # pragma: no cover - merges never form a cycle
            return pid
        seen.add(pid)


def person_profile(db: Db, pid: int, *, timeline: int = 20) -> Profile:
    """One person: identities, interaction counts by direction, facts, and
    the latest ``timeline`` interactions."""
    row = db.first("SELECT name, is_me FROM person WHERE id = :pid", {"pid": pid})
    if row is None:
        raise NotFoundError(f"no person #{pid}", hint=FIND_HINT)
    who = {"pid": pid}
    identities = [
        {"kind": k, "value": v, "display_name": d, "alias": a is not None}
        for k, v, d, a in db.rows(
            "SELECT kind, value, display_name, alias_of FROM identity "
            "WHERE person_id = :pid ORDER BY id",
            who,
        )
    ]
    theirs = f"x.id IN ({_THEIRS})"
    counts = {
        str(d): int(n)
        for d, n in db.rows(
            f"SELECT x.direction, count(*) FROM interaction x WHERE {theirs} GROUP BY x.direction",
            who,
        )
    }
    span = db.first(
        "SELECT min(x.occurred_at), max(x.occurred_at), count(DISTINCT x.thread_id) "
        f"FROM interaction x WHERE {theirs}",
        who,
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
        for i, at, d, ch, k, s, c in db.rows(
            "SELECT x.id, x.occurred_at, x.direction, x.channel, x.kind, x.subject, c.name "
            f"FROM interaction x LEFT JOIN circle c ON c.id = x.circle_id WHERE {theirs} "
            "ORDER BY x.occurred_at DESC, x.id DESC LIMIT :n",
            {"pid": pid, "n": timeline},
        )
    ]
    merged_from = [
        int(r[0])
        for r in db.rows("SELECT id FROM person WHERE merged_into = :pid ORDER BY id", who)
    ]
    facts = [
        {"key": k, "value": v, "source": s}
        for k, v, s in db.rows(
            "SELECT f.key, f.value, f.source FROM fact f "
            "JOIN identity i ON i.id = f.identity_id WHERE i.person_id = :pid "
            "ORDER BY f.key, f.id",
            who,
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
