"""The reads behind the connection report (``kith report``).

The report compares two periods of the whole ledger, so it reads in bulk
where ``kith.store.scores`` reads one person: everyone's interactions up to
the end of the period (``person_events``: one row per interaction and
person, grouped into ``kith.relate.data.Event`` lists by the same
``events_from_rows`` the person view uses), the stored ties, and the
interactions of each kind and direction in a window. Everything is read in a
few plain queries on a ``Db``; the report itself is computed in
``kith.report.connections``, as pure functions of what these return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kith.relate.data import Event, events_from_rows
from kith.store.sql import Db

#: One row per (interaction, role, person who is not me), newest first per person.
_PERSON_EVENTS = """
SELECT i.person_id, x.id, x.occurred_at, x.direction, x.channel, x.kind, x.is_reply, pa.role,
  c.visibility, x.tz_offset_min, x.extra, x.circle_id
FROM interaction x
JOIN participant pa ON pa.interaction_id = x.id
JOIN identity i ON i.id = pa.identity_id
JOIN person p ON p.id = i.person_id
LEFT JOIN circle c ON c.id = x.circle_id
WHERE x.occurred_at < :until AND p.is_me = :no
ORDER BY i.person_id, x.occurred_at DESC, x.id DESC
"""


@dataclass
class LedgerEvents:
    """Everyone's interactions up to a time: events per person (oldest first)
    and the circle of each interaction that has one."""

    events: dict[int, list[Event]] = field(default_factory=dict)
    circle_of: dict[int, int] = field(default_factory=dict)


def person_events(db: Db, until: int) -> LedgerEvents:
    """Every person's (not mine) interactions before ``until``, as the scores read them
    (no bodies)."""
    out = LedgerEvents()
    current: int | None = None
    rows: list[tuple[Any, ...]] = []

    def flush() -> None:
        if current is not None and rows:
            out.events[current] = events_from_rows(rows, len(rows) + 1)

    for pid, xid, at, direction, channel, kind, reply, role, vis, tz, extra, circle in db.stream(
        _PERSON_EVENTS, {"until": until, "no": False}
    ):
        if pid != current:
            flush()
            current, rows = int(pid), []
        rows.append((xid, at, direction, channel, kind, reply, role, vis, tz, extra, None))
        if circle is not None:
            out.circle_of[int(xid)] = int(circle)
    flush()
    return out


def ties(db: Db, until: int) -> list[tuple[int, int, int, int, int]]:
    """(person a, person b, interactions, first, last) of the stored ties begun before
    ``until`` (``tie`` rows, as of the last refresh)."""
    return [
        (int(a), int(b), int(n), int(first), int(last))
        for a, b, n, first, last in db.rows(
            "SELECT person_a, person_b, interactions, first_at, last_at FROM tie"
            " WHERE first_at < :until ORDER BY person_a, person_b",
            {"until": until},
        )
    ]


def direction_counts(db: Db, since: int, until: int) -> dict[str, int]:
    """Interactions from ``since`` to before ``until`` by direction (in, out, among)."""
    counts = {"in": 0, "out": 0, "among": 0}
    for direction, n in db.rows(
        "SELECT direction, COUNT(*) FROM interaction"
        " WHERE occurred_at >= :since AND occurred_at < :until GROUP BY direction",
        {"since": since, "until": until},
    ):
        counts[str(direction)] = int(n)
    return counts


def span(db: Db) -> tuple[int, int] | None:
    """The first and last interaction's times, or None in an empty ledger."""
    row = db.first("SELECT MIN(occurred_at), MAX(occurred_at) FROM interaction")
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])


def public_circles(db: Db) -> dict[int, str]:
    """circle id → name of the public circles (mailing lists, communities)."""
    return {
        int(i): str(name or key)
        for i, key, name in db.rows(
            "SELECT id, key, name FROM circle WHERE visibility = 'public' ORDER BY id"
        )
    }
