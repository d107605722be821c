"""The reads behind one person's scores, and their report read from the ledger.

``person_report(db, person_id, now)`` reads what ``kith.relate.report``
needs — the person's relationship row, their latest interactions with me,
their facts, their rank among my two-way relationships, their ties, and
what the referral chains walk — in a handful of small, indexed queries on a
``kith.store.sql.Db`` (no SQLAlchemy, so `kith person` stays fast), and runs
the scores on it. ``strength_history`` does the same for the monthly points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kith.relate import layers, report
from kith.relate.data import MAX_EVENTS, RELATIONSHIP_COLUMNS, Event, PersonData, events_from_rows
from kith.store.relationships import layer_ranks
from kith.store.sql import Db

if TYPE_CHECKING:
    from kith.relate.fournier import Desired

#: One row per (interaction, role); grouped in Python (cheaper than GROUP BY
#: over every column), newest first so that a limit keeps the latest.
_EVENTS = """
SELECT x.id, x.occurred_at, x.direction, x.channel, x.kind, x.is_reply, pa.role,
  c.visibility, x.tz_offset_min, x.extra, {body}
FROM participant pa
JOIN identity i ON i.id = pa.identity_id
JOIN interaction x ON x.id = pa.interaction_id
LEFT JOIN circle c ON c.id = x.circle_id
WHERE i.person_id = :pid AND x.occurred_at <= :now
ORDER BY x.occurred_at DESC, x.id DESC
LIMIT :limit
"""


def events_of(
    db: Db, person_id: int, now: int, *, bodies: bool = True, limit: int = MAX_EVENTS
) -> list[Event]:
    """The interactions ``person_id`` took part in up to ``now`` (the latest
    ``limit``), oldest first."""
    sql = _EVENTS.format(body="x.body" if bodies else "NULL")
    rows = db.rows(sql, {"pid": person_id, "now": now, "limit": limit})
    return events_from_rows(rows, limit)


def relationship_row(db: Db, person_id: int) -> dict[str, Any] | None:
    """The stored relationship row's ``RELATIONSHIP_COLUMNS``, or None."""
    found = db.dicts(
        f"SELECT {', '.join(RELATIONSHIP_COLUMNS)} FROM relationship WHERE person_id = :pid",
        {"pid": person_id},
    )
    return found[0] if found else None


def load_person(db: Db, person_id: int, now: int) -> PersonData:
    """The person's name, relationship row, interactions and facts."""
    name = db.first("SELECT name FROM person WHERE id = :pid", {"pid": person_id})
    facts = db.rows(
        "SELECT f.key, f.value FROM fact f JOIN identity i ON i.id = f.identity_id "
        "WHERE i.person_id = :pid ORDER BY f.id",
        {"pid": person_id},
    )
    return PersonData(
        person_id,
        name[0] if name else None,
        relationship_row(db, person_id),
        events_of(db, person_id, now),
        [(str(k), str(v)) for k, v in facts],
    )


def ties_of(db: Db, person_id: int, now: int) -> list[tuple[int, int]]:
    """(interactions, last time) of the person's ties to others, up to ``now``."""
    rows = db.rows(
        "SELECT interactions, last_at FROM tie "
        "WHERE (person_a = :pid OR person_b = :pid) AND last_at <= :now",
        {"pid": person_id, "now": now},
    )
    return [(int(n), int(last)) for n, last in rows]


_EDGE_COLUMNS = "x.id, x.kind, x.occurred_at, x.direction, i2.person_id, pa2.role, p2.is_me"
_EDGE_JOINS = """
JOIN participant pa2 ON pa2.interaction_id = x.id
JOIN identity i2 ON i2.id = pa2.identity_id
JOIN person p2 ON p2.id = i2.person_id"""


class LedgerReferrals:
    """``kith.relate.referrals.ReferralReads`` on the ledger."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def edge_rows_touching(self, people: Sequence[int], now: int) -> list[tuple[Any, ...]]:
        return self.db.rows(
            f"SELECT {_EDGE_COLUMNS} FROM participant pa"
            " JOIN identity i ON i.id = pa.identity_id"
            f" JOIN interaction x ON x.id = pa.interaction_id{_EDGE_JOINS}"
            " WHERE i.person_id IN :people AND x.kind IN ('referral', 'intro')"
            " AND x.occurred_at <= :now",
            {"people": list(people), "now": now},
        )

    def edge_rows_between(self, since: int, until: int) -> list[tuple[Any, ...]]:
        """The participants of every referral and intro from ``since`` to before ``until``
        (the connection report's referrals)."""
        return self.db.rows(
            f"SELECT {_EDGE_COLUMNS} FROM interaction x{_EDGE_JOINS}"
            " WHERE x.kind IN ('referral', 'intro')"
            " AND x.occurred_at >= :since AND x.occurred_at < :until ORDER BY x.id",
            {"since": since, "until": until},
        )

    def edge_rows_of(self, interaction_ids: Sequence[int]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(interaction_ids), 500):
            chunk = list(interaction_ids[start : start + 500])
            rows += self.db.rows(
                f"SELECT {_EDGE_COLUMNS} FROM interaction x{_EDGE_JOINS} WHERE x.id IN :ids",
                {"ids": chunk},
            )
        return rows

    def people_named(self, names: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for name in names:
            hit = self.db.first(
                "SELECT id FROM person WHERE lower(name) = :name AND merged_into IS NULL "
                "ORDER BY id LIMIT 1",
                {"name": name.lower()},
            )
            if hit:
                found[name] = int(hit[0])
        return found

    def purchase_extras(self, people: Sequence[int], now: int) -> list[Any]:
        return [
            extra
            for (extra,) in self.db.rows(
                "SELECT x.extra FROM participant pa"
                " JOIN identity i ON i.id = pa.identity_id"
                " JOIN interaction x ON x.id = pa.interaction_id"
                " WHERE i.person_id IN :people AND x.kind = 'purchase'"
                " AND pa.role IN ('from', 'sender') AND x.occurred_at <= :now",
                {"people": list(people), "now": now},
            )
        ]

    def names(self, ids: Sequence[int]) -> dict[int, str | None]:
        return {
            int(pid): name
            for pid, name in self.db.rows(
                "SELECT id, name FROM person WHERE id IN :ids", {"ids": list(ids)}
            )
        }


def person_report(
    db: Db, person_id: int, now: int, desired: Desired | None = None
) -> dict[str, Any]:
    """Every score of one person as of ``now`` (``kith.relate.report.person_report``)."""
    data = load_person(db, person_id, now)
    row = data.row or {}
    # Only a two-way relationship has a rank (``kith.relate.layers``).
    two_way = layers.is_two_way(row.get("n_in"), row.get("n_out"))
    return report.person_report(
        data,
        now,
        rank=layer_ranks(db, now).get(person_id) if two_way else None,
        ties=ties_of(db, person_id, now),
        referrals=LedgerReferrals(db),
        desired=desired,
    )


def strength_history(db: Db, person_id: int, now: int) -> list[dict[str, Any]]:
    """The strength at the end of each month since the first contact, and at ``now``."""
    return report.strength_history(events_of(db, person_id, now, bodies=False), now)
