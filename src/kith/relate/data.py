"""What the scores read about one person: a few small queries, no SQLAlchemy.

``Source`` wraps whatever connection the caller has — a
``kith.store.reads.Reader``, a DB-API connection (``sqlite3``, ``psycopg``)
or an SQLAlchemy ``Connection`` — and runs plain SQL that SQLite and
PostgreSQL both read, written with ``?`` marks. ``load_person`` gathers one
person's relationship row and their interactions with me; the scores are pure
functions of what it returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kith.relate.strength import ROW_COLUMNS

#: The relationship columns the report reads.
RELATIONSHIP_COLUMNS = (
    "person_id",
    *ROW_COLUMNS,
    "interactions",
    "n_among",
    "n_purchase",
    "decayed",
    "first_at",
    "last_at",
    "last_contact_at",
    "active_days",
    "contact_days",
    "median_gap_days",
    "my_reply_median_s",
    "their_reply_median_s",
    "waiting",
    "gives_in",
    "gives_out",
    "sentiment_n",
    "sentiment_mean",
    "negative_share",
    "public_share",
    "threads",
    "threads_started",
    "started_share",
)


class Source:
    """Plain SQL with ``?`` marks on any of the connections kith hands out: a
    ``Reader``, a ``kith.store.sql.Db``, an SQLAlchemy ``Connection`` or a
    DB-API connection."""

    def __init__(self, conn: Any) -> None:
        self._reader = conn if hasattr(conn, "rows") and hasattr(conn, "first") else None
        driver = conn
        if self._reader is None and isinstance(getattr(conn, "dialect", None), str):
            driver = conn.conn  # kith.store.sql.Db
        elif self._reader is None and hasattr(conn, "dialect") and hasattr(conn, "connection"):
            driver = conn.connection.driver_connection  # an SQLAlchemy Connection
        self._conn = driver
        module = type(driver).__module__
        self.postgres = (
            bool(getattr(conn, "postgres", False)) if self._reader else "psycopg" in module
        )

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self._reader is not None:
            found: list[tuple[Any, ...]] = self._reader.rows(sql, params)
            return found
        cur = self._conn.cursor()
        try:
            cur.execute(sql.replace("?", "%s") if self.postgres else sql, params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def dicts(
        self, sql: str, names: tuple[str, ...], params: tuple[Any, ...] = ()
    ) -> list[dict[str, Any]]:
        return [dict(zip(names, r, strict=True)) for r in self.rows(sql, params)]


@dataclass(frozen=True, slots=True)
class Event:
    """One interaction the person took part in, as the scores need it."""

    id: int
    at: int
    direction: str
    channel: str
    kind: str
    reply: bool
    authored: bool  # they wrote it (role from/sender)
    public: bool
    tz_offset_min: int | None
    extra: dict[str, Any]
    body: str | None


@dataclass
class PersonData:
    person_id: int
    name: str | None
    row: dict[str, Any] | None
    events: list[Event] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


#: At most this many of a person's latest interactions are read for the
#: scores that need each one (the counts come from the stored row): a list
#: address with 175k interactions took 10 s to read whole on the bench ledger.
MAX_EVENTS = 20_000

#: One row per (interaction, role); grouped in Python (cheaper than GROUP BY
#: over every column), newest first so that a limit keeps the latest.
_EVENTS = """
SELECT x.id, x.occurred_at, x.direction, x.channel, x.kind, x.is_reply, pa.role,
  c.visibility, x.tz_offset_min, x.extra, {body}
FROM participant pa
JOIN identity i ON i.id = pa.identity_id
JOIN interaction x ON x.id = pa.interaction_id
LEFT JOIN circle c ON c.id = x.circle_id
WHERE i.person_id = ? AND x.occurred_at <= ?
ORDER BY x.occurred_at DESC, x.id DESC
LIMIT ?
"""


def parse_extra(text: Any) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def events_of(
    src: Source, person_id: int, now: int, *, bodies: bool = True, limit: int = MAX_EVENTS
) -> list[Event]:
    """The interactions ``person_id`` took part in up to ``now`` (the latest
    ``limit``), oldest first."""
    sql = _EVENTS.format(body="x.body" if bodies else "NULL")
    merged: dict[int, list[Any]] = {}
    rows = src.rows(sql, (person_id, now, limit))
    for xid, at, direction, channel, kind, is_reply, role, visibility, tz, extra, body in rows:
        authored = role in ("from", "sender")
        seen = merged.get(xid)
        if seen is not None:
            seen[6] = seen[6] or authored
            continue
        data = parse_extra(extra)
        merged[xid] = [
            int(xid),
            int(at),
            str(direction),
            str(channel),
            str(kind),
            bool(is_reply),
            authored,
            visibility == "public" or data.get("visibility") == "public",
            None if tz is None else int(tz),
            data,
            body,
        ]
    kept = list(merged.values())
    if len(rows) == limit and len(kept) > 1:
        kept.pop()  # the oldest may have lost a role to the limit
    return [Event(*fields) for fields in reversed(kept)]


def relationship_row(src: Source, person_id: int) -> dict[str, Any] | None:
    cols = ", ".join(RELATIONSHIP_COLUMNS)
    found = src.dicts(
        f"SELECT {cols} FROM relationship WHERE person_id = ?", RELATIONSHIP_COLUMNS, (person_id,)
    )
    return found[0] if found else None


def load_person(src: Source, person_id: int, now: int) -> PersonData:
    """The person's name, relationship row, interactions and facts."""
    named = src.rows("SELECT name FROM person WHERE id = ?", (person_id,))
    facts = src.rows(
        "SELECT f.key, f.value FROM fact f JOIN identity i ON i.id = f.identity_id "
        "WHERE i.person_id = ? ORDER BY f.id",
        (person_id,),
    )
    return PersonData(
        person_id,
        named[0][0] if named else None,
        relationship_row(src, person_id),
        events_of(src, person_id, now),
        [(str(k), str(v)) for k, v in facts],
    )
