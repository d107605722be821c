"""The daily queue's SQL: reading the rows that can make items, and keeping
the queue's own tables (``attention_item``, ``attention_action``,
``attention_day``).

Every read of ``relationship`` here goes through an index (migration 0005):
waiting people by their last message, thank-yous by gives, check-ins by the
time silence reaches twice the usual gap, newcomers by first contact, the
closest people by decayed contact, birthdays by month and day. The queries
spell the indexed expressions exactly as the indexes do, or the database
would not use them (``tests/test_today_store.py`` reads SQLite's plans).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text, update

from kith.store.ids import allocate_ids, chunks
from kith.store.schema import (
    analytics_state,
    attention_action,
    attention_day,
    attention_item,
    identity,
    interaction,
    person,
)

#: When a check-in falls due: last contact + COOLING_RATIO (2) × the usual gap
#: in seconds, written as the index ``ix_relationship_cooling_due`` is.
COOLING_DUE_SQL = "(r.last_contact_at + r.median_gap_days * 172800)"
#: The COOLING_RATIO × SECONDS_PER_DAY that ``COOLING_DUE_SQL`` is written for.
COOLING_DUE_FACTOR = 172800
#: A birthday's ``MM-DD``, as the index ``ix_fact_birthday`` has it.
BIRTHDAY_KEY_SQL = "substr(f.value, length(f.value) - 4, 5)"

#: The relationship columns the queue reads (``kith.attention.candidates.Relationship``).
_COLUMNS = [
    *("person_id", "decayed", "n_in", "n_out", "first_contact_at", "last_in_at"),
    *("last_out_at", "contact_days", "median_gap_days", "silence_days", "cooling_ratio"),
    *("waiting", "oldest_waiting_at", "gives_in", "gives_out", "threads", "computed_at"),
    "half_life_days",
]
_SELECT = (
    "SELECT "
    + ", ".join(f"r.{c}" for c in _COLUMNS)
    + ", COALESCE(p.name, (SELECT MIN(i.value) FROM identity i WHERE i.person_id = p.id),"
    " '#' || CAST(p.id AS VARCHAR(12))) AS name"
    " FROM relationship r JOIN person p ON p.id = r.person_id"
)
_ACTIVE = "p.merged_into IS NULL AND NOT p.is_me"


@dataclass(frozen=True, slots=True)
class AnalyticsStatus:
    """How current the relationship rows are: computed as of ``computed_at``,
    with ``behind`` interactions stored since the refresh (not counting the
    contacts ``kith done`` recorded: the queue lays those over the rows itself)."""

    computed_at: int
    behind: int


def analytics_status(conn: Connection) -> AnalyticsStatus | None:
    """None when the analytics never ran on this ledger."""
    row = conn.execute(
        select(analytics_state.c.computed_at, analytics_state.c.last_interaction_id)
    ).first()
    if row is None:
        return None
    behind = conn.execute(
        select(func.count()).where(
            interaction.c.id > int(row.last_interaction_id), interaction.c.source != "kith"
        )
    ).scalar_one()
    return AnalyticsStatus(int(row.computed_at), int(behind))


def candidate_rows(
    conn: Connection,
    *,
    now: int,
    reply_since: int,
    newcomer_since: int,
    cold_since: int,
    thank_after: int,
    min_contact_days: int,
    birthday_keys: Sequence[str],
    people: Sequence[int] = (),
) -> list[dict[str, Any]]:
    """The relationship rows that can make an item at ``now``, each once,
    with the person's name and (for people with a birthday soon) ``birthday``.

    Waiting people who wrote since ``reply_since``; thank-yous due; check-ins
    that fell due between ``cold_since`` and ``now``; first contact since
    ``newcomer_since``; birthdays on ``birthday_keys`` (``MM-DD``); and the
    rows of ``people`` (those with items the queue holds).
    """
    queries = [
        f"{_SELECT} WHERE r.waiting > 0 AND r.last_in_at >= :reply_since AND {_ACTIVE}",
        f"{_SELECT} WHERE r.gives_out = 0 AND r.gives_in >= :thank_after AND {_ACTIVE}",
        f"{_SELECT} WHERE {COOLING_DUE_SQL} >= :cold_since AND {COOLING_DUE_SQL} <= :now"
        f" AND r.contact_days >= :min_contact_days AND {_ACTIVE}",
        f"{_SELECT} WHERE r.first_contact_at >= :newcomer_since AND {_ACTIVE}",
    ]
    params = {
        "now": now,
        "reply_since": reply_since,
        "newcomer_since": newcomer_since,
        "cold_since": cold_since,
        "thank_after": thank_after,
        "min_contact_days": min_contact_days,
    }
    found: dict[int, dict[str, Any]] = {}
    for sql in queries:
        for row in conn.execute(text(sql), params).mappings():
            found.setdefault(int(row["person_id"]), dict(row))
    wanted = sorted({int(p) for p in people} - set(found))
    for start in range(0, len(wanted), 900):
        part = wanted[start : start + 900]
        marks = ", ".join(f":p{n}" for n in range(len(part)))
        sql = f"{_SELECT} WHERE r.person_id IN ({marks}) AND {_ACTIVE}"
        rows = conn.execute(text(sql), {f"p{n}": pid for n, pid in enumerate(part)})
        for mapping in rows.mappings():
            found.setdefault(int(mapping["person_id"]), dict(mapping))
    if birthday_keys:
        for pid, value in birthdays(conn, birthday_keys).items():
            if pid not in found:
                bare = _row_of(conn, pid)
                if bare is None:
                    continue
                found[pid] = bare
            found[pid]["birthday"] = value
    return list(found.values())


def birthdays(conn: Connection, keys: Sequence[str]) -> dict[int, str]:
    """person id → birthday (as stored) for birthdays on ``keys`` (``MM-DD``)."""
    marks = ", ".join(f":k{n}" for n in range(len(keys)))
    sql = (
        "SELECT i.person_id, MIN(f.value) FROM fact f JOIN identity i ON i.id = f.identity_id"
        f" WHERE f.key = 'birthday' AND {BIRTHDAY_KEY_SQL} IN ({marks}) GROUP BY i.person_id"
    )
    rows = conn.execute(text(sql), {f"k{n}": k for n, k in enumerate(keys)})
    return {int(pid): str(value) for pid, value in rows}


def _row_of(conn: Connection, pid: int) -> dict[str, Any] | None:
    """One person's row; a person the analytics have not seen gets an empty one."""
    row = conn.execute(text(f"{_SELECT} WHERE r.person_id = :pid AND {_ACTIVE}"), {"pid": pid})
    found = row.mappings().first()
    if found is not None:
        return dict(found)
    bare = conn.execute(
        select(person.c.id, person.c.name).where(
            person.c.id == pid, person.c.merged_into.is_(None), person.c.is_me.is_(False)
        )
    ).first()
    if bare is None:
        return None
    return {"person_id": pid, "name": bare.name or f"#{pid}"}


def closest(conn: Connection, limit: int) -> list[tuple[int, float, int, float]]:
    """(person id, decayed, computed_at, half-life days) of the ``limit``
    people with the most decayed contact as stored, most first."""
    sql = (
        "SELECT r.person_id, r.decayed, r.computed_at, r.half_life_days"
        f" FROM relationship r JOIN person p ON p.id = r.person_id WHERE {_ACTIVE}"
        " ORDER BY r.decayed DESC LIMIT :limit"
    )
    return [
        (int(a), float(b), int(c), float(d))
        for a, b, c, d in conn.execute(text(sql), {"limit": limit})
    ]


def addresses(conn: Connection, person_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """person id → (kind, value) of each identity, for ``person_ids``."""
    found: dict[int, list[tuple[str, str]]] = {}
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), 900):
        rows = conn.execute(
            select(identity.c.person_id, identity.c.kind, identity.c.value).where(
                identity.c.person_id.in_(ids[start : start + 900])
            )
        )
        for pid, kind, value in rows:
            found.setdefault(int(pid), []).append((str(kind), str(value)))
    return found


def kith_contacts(conn: Connection) -> dict[int, int]:
    """person id → the latest contact recorded with ``kith done``."""
    rows = conn.execute(
        select(attention_action.c.person_id, func.max(attention_action.c.at))
        .where(attention_action.c.action == "done")
        .group_by(attention_action.c.person_id)
    )
    return {int(pid): int(at) for pid, at in rows}


def inbound_after(
    conn: Connection, person_id: int, after: int, until: int, kinds: Sequence[str]
) -> tuple[int, int] | None:
    """(time of the first, how many) of the messages ``person_id`` wrote to me
    after ``after`` and up to ``until`` (kinds ``kinds``); None if there were none."""
    kind_marks = ", ".join(f":k{n}" for n in range(len(kinds)))
    sql = (
        "SELECT MIN(i.occurred_at), COUNT(*) FROM identity idn"
        " JOIN participant pa ON pa.identity_id = idn.id AND pa.role = 'from'"
        " JOIN interaction i ON i.id = pa.interaction_id"
        " WHERE idn.person_id = :pid AND i.direction = 'in'"
        f" AND i.occurred_at > :after AND i.occurred_at <= :until AND i.kind IN ({kind_marks})"
    )
    params: dict[str, Any] = {"pid": person_id, "after": after, "until": until}
    params.update({f"k{n}": k for n, k in enumerate(kinds)})
    first, count = conn.execute(text(sql), params).one()
    return None if not count else (int(first), int(count))


# -- the queue's own rows ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An ``attention_item`` row."""

    id: str
    kind: str
    person_id: int
    tier: str
    first_due_at: int
    first_seen_at: int
    first_listed_at: int | None
    status: str
    snoozed_until: int | None
    acted_at: int | None


def _item(row: Any) -> ItemRow:
    return ItemRow(
        str(row.id),
        str(row.kind),
        int(row.person_id),
        str(row.tier),
        int(row.first_due_at),
        int(row.first_seen_at),
        None if row.first_listed_at is None else int(row.first_listed_at),
        str(row.status),
        None if row.snoozed_until is None else int(row.snoozed_until),
        None if row.acted_at is None else int(row.acted_at),
    )


def known_items(conn: Connection, ids: Iterable[str]) -> dict[str, ItemRow]:
    """The stored rows of the items ``ids`` (by primary key, in chunks)."""
    found: dict[str, ItemRow] = {}
    for part in chunks(sorted(set(ids))):
        for row in conn.execute(select(attention_item).where(attention_item.c.id.in_(part))):
            found[str(row.id)] = _item(row)
    return found


def held_items(conn: Connection) -> dict[str, ItemRow]:
    """The items the queue holds: open (or gone and maybe back) and snoozed."""
    rows = conn.execute(
        select(attention_item).where(attention_item.c.status.in_(("open", "snoozed")))
    )
    return {str(r.id): _item(r) for r in rows}


def mark_gone(conn: Connection, ids: Sequence[str], now: int) -> None:
    """Items no longer due (their situation ended without the user): status ``gone``."""
    for start in range(0, len(ids), 900):
        conn.execute(
            update(attention_item)
            .where(attention_item.c.id.in_(ids[start : start + 900]))
            .values(status="gone", acted_at=now)
        )


def reopen(conn: Connection, ids: Sequence[str]) -> None:
    """Gone items due again (the same situation came back): status ``open``."""
    for start in range(0, len(ids), 900):
        conn.execute(
            update(attention_item)
            .where(attention_item.c.id.in_(ids[start : start + 900]))
            .values(status="open", acted_at=None)
        )


def item(conn: Connection, item_id: str) -> ItemRow | None:
    row = conn.execute(select(attention_item).where(attention_item.c.id == item_id)).first()
    return None if row is None else _item(row)


def all_items(conn: Connection) -> list[ItemRow]:
    return [_item(r) for r in conn.execute(select(attention_item).order_by(attention_item.c.id))]


def add_items(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new ``attention_item`` rows (status open)."""
    batch = 500
    for start in range(0, len(rows), batch):
        conn.execute(attention_item.insert(), [dict(r) for r in rows[start : start + batch]])


def mark_listed(conn: Connection, ids: Sequence[str], now: int) -> None:
    """Items shown for the first time at ``now`` get ``first_listed_at``."""
    for part in chunks(list(ids)):
        conn.execute(
            update(attention_item)
            .where(attention_item.c.id.in_(part), attention_item.c.first_listed_at.is_(None))
            .values(first_listed_at=now)
        )


def set_status(
    conn: Connection, item_id: str, status: str, *, at: int, until: int | None = None
) -> None:
    conn.execute(
        update(attention_item)
        .where(attention_item.c.id == item_id)
        .values(status=status, acted_at=at, snoozed_until=until)
    )


def record_action(conn: Connection, **values: Any) -> int:
    """Append an ``attention_action`` row; returns its id."""
    aid = allocate_ids(conn, "attention_action", 1)[0]
    conn.execute(attention_action.insert(), {"id": aid, **values})
    return aid


def actions(conn: Connection, day: str | None = None) -> list[dict[str, Any]]:
    """Every recorded action (of ``day``, if given), oldest first."""
    query = select(attention_action).order_by(attention_action.c.at, attention_action.c.id)
    if day is not None:
        query = query.where(attention_action.c.day == day)
    return [dict(r) for r in conn.execute(query).mappings()]


@dataclass(frozen=True, slots=True)
class DayRow:
    """An ``attention_day`` row, JSON decoded."""

    day: str
    planned_at: int
    budget: int
    due: int
    oldest_left_at: int | None
    state_before: dict[str, float]
    state_after: dict[str, float]
    items: list[dict[str, Any]]


def _day(row: Any) -> DayRow:
    return DayRow(
        str(row.day),
        int(row.planned_at),
        int(row.budget),
        int(row.due),
        None if row.oldest_left_at is None else int(row.oldest_left_at),
        json.loads(row.state_before),
        json.loads(row.state_after),
        json.loads(row.items),
    )


def day_before(conn: Connection, day: str) -> DayRow | None:
    """The latest planned day before ``day``."""
    row = conn.execute(
        select(attention_day)
        .where(attention_day.c.day < day)
        .order_by(attention_day.c.day.desc())
        .limit(1)
    ).first()
    return None if row is None else _day(row)


def first_day(conn: Connection) -> str | None:
    """The first day the queue was planned (``YYYY-MM-DD``)."""
    value = conn.execute(select(func.min(attention_day.c.day))).scalar()
    return None if value is None else str(value)


def days(conn: Connection) -> list[DayRow]:
    return [_day(r) for r in conn.execute(select(attention_day).order_by(attention_day.c.day))]


def day(conn: Connection, day: str) -> DayRow | None:
    row = conn.execute(select(attention_day).where(attention_day.c.day == day)).first()
    return None if row is None else _day(row)


def save_day(conn: Connection, row: DayRow) -> None:
    """Write ``row``, replacing the day's earlier plan."""
    conn.execute(attention_day.delete().where(attention_day.c.day == row.day))
    conn.execute(
        attention_day.insert(),
        {
            "day": row.day,
            "planned_at": row.planned_at,
            "budget": row.budget,
            "due": row.due,
            "oldest_left_at": row.oldest_left_at,
            "state_before": json.dumps(row.state_before, sort_keys=True),
            "state_after": json.dumps(row.state_after, sort_keys=True),
            "items": json.dumps(row.items, ensure_ascii=False),
        },
    )


# -- what drafts need -------------------------------------------------------------

_THEIR = (
    " FROM identity idn JOIN participant pa ON pa.identity_id = idn.id"
    " JOIN interaction i ON i.id = pa.interaction_id"
    " WHERE idn.person_id = :pid AND i.occurred_at <= :now AND i.source <> 'kith'"
)


def message(
    conn: Connection, person_id: int, now: int, *, inbound: bool, since: int | None = None
) -> tuple[str | None, int] | None:
    """(subject, time) of a message with ``person_id``: the first they wrote
    at or after ``since``, or else the latest with them (written by them if
    ``inbound``); None if there is none."""
    where = " AND pa.role = 'from' AND i.direction = 'in'" if inbound else ""
    if since is not None:
        sql = (
            f"SELECT i.subject, i.occurred_at {_THEIR}{where} AND i.occurred_at >= :since"
            " ORDER BY i.occurred_at ASC LIMIT 1"
        )
    else:
        sql = f"SELECT i.subject, i.occurred_at {_THEIR}{where} ORDER BY i.occurred_at DESC LIMIT 1"
    row = conn.execute(text(sql), {"pid": person_id, "now": now, "since": since}).first()
    return None if row is None else (row[0], int(row[1]))


def gives_received(
    conn: Connection, person_id: int, now: int, kinds: Sequence[str]
) -> dict[str, int]:
    """How many times ``person_id`` gave, by kind (shares, referrals, …)."""
    marks = ", ".join(f":k{n}" for n in range(len(kinds)))
    sql = (
        f"SELECT i.kind, COUNT(*) {_THEIR} AND pa.role = 'from' AND i.direction <> 'out'"
        f" AND i.kind IN ({marks}) GROUP BY i.kind"
    )
    params: dict[str, Any] = {"pid": person_id, "now": now}
    params.update({f"k{n}": k for n, k in enumerate(kinds)})
    return {str(k): int(n) for k, n in conn.execute(text(sql), params)}


def my_name(conn: Connection) -> str | None:
    return conn.execute(select(person.c.name).where(person.c.is_me.is_(True))).scalar()


def identities_of(conn: Connection, person_id: int) -> list[tuple[str, str]]:
    """(kind, value) of a person's identities, e-mail first, base addresses before aliases."""
    rows = sorted(
        conn.execute(
            select(identity.c.kind, identity.c.value, identity.c.alias_of)
            .where(identity.c.person_id == person_id)
            .order_by(identity.c.id)
        ).all(),
        key=lambda r: (r.kind != "email", r.alias_of is not None),
    )
    return [(str(r.kind), str(r.value)) for r in rows]


def my_identities(conn: Connection) -> list[tuple[str, str]]:
    pid = conn.execute(select(person.c.id).where(person.c.is_me.is_(True))).scalar()
    return [] if pid is None else identities_of(conn, int(pid))


def person_name(conn: Connection, person_id: int) -> str:
    name = conn.execute(select(person.c.name).where(person.c.id == person_id)).scalar()
    return str(name) if name else f"#{person_id}"


def begin_write(engine: Engine) -> Any:
    """A write transaction (SQLite takes its write lock up front)."""
    return engine.execution_options(kith_write=True).begin()
