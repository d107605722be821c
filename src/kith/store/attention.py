"""The daily queue's SQL: reading the rows that can make items, and keeping
the queue's own tables (``attention_item``, ``attention_action``,
``attention_day``).

Every read of ``relationship`` here goes through an index (migration 0005):
waiting people by their last message, thank-yous by gives, check-ins by the
time silence reaches twice the usual gap, newcomers by first contact, the
closest people by decayed contact, birthdays by month and day. The queries
spell the indexed expressions exactly as the indexes do, or the database
would not use them (``tests/test_today_store.py`` reads SQLite's plans).

The SQL is written out rather than built from ``kith.store.schema``:
`kith today` answers in a fraction of a second, and building the schema's
tables costs a good part of that; the column names are the schema's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.sql.elements import TextClause

from kith.store.ids import allocate_ids, chunks


def _in(sql: str, *names: str) -> TextClause:
    """``sql`` whose ``IN :name`` parameters take a list."""
    return text(sql).bindparams(*(bindparam(n, expanding=True) for n in names))


#: When a check-in falls due: last contact + COOLING_RATIO (2) × the usual gap
#: in seconds, written as the index ``ix_relationship_cooling_due`` is.
COOLING_DUE_SQL = "(r.last_contact_at + r.median_gap_days * 172800)"
#: The COOLING_RATIO × SECONDS_PER_DAY that ``COOLING_DUE_SQL`` is written for,
#: and the rhythm thresholds (MIN_CONTACT_DAYS, MIN_THREADS) of the partial
#: index: ``tests/test_today_store.py`` checks they are the queue's.
COOLING_DUE_FACTOR = 172800
COOLING_INDEX_WHERE = "contact_days >= 4 AND threads >= 5"
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
        text("SELECT computed_at, last_interaction_id FROM analytics_state ORDER BY id LIMIT 1")
    ).first()
    if row is None:
        return None
    behind = conn.execute(
        text("SELECT COUNT(*) FROM interaction WHERE id > :last AND source <> 'kith'"),
        {"last": int(row.last_interaction_id)},
    ).scalar_one()
    return AnalyticsStatus(int(row.computed_at), int(behind))


@dataclass(frozen=True, slots=True)
class Window:
    """What makes a relationship row a candidate at ``now`` (``kith.attention.candidates``)."""

    now: int
    #: Replies: a waiting message since this (the horizon).
    reply_since: int
    #: Welcomes: first contact since this.
    newcomer_since: int
    #: Check-ins: fell due since this (silent longer is cold).
    cold_since: int
    thank_after: int
    min_contact_days: int
    min_threads: int
    birthday_keys: Sequence[str] = ()


#: Each kind's rows, in the order the queue wants them most (the longest
#: wait first; for thank-yous the most generous first), from its index.
_QUERIES = {
    # Replies: the oldest waiting message is within the horizon …
    "reply": "r.waiting > 0 AND r.oldest_waiting_at >= :reply_since ORDER BY r.oldest_waiting_at",
    # … or it is stale but they wrote since my last message (the latest waits).
    "reply_again": "r.waiting > 0 AND r.last_in_at >= :reply_since"
    " AND r.oldest_waiting_at < :reply_since AND r.last_in_at > COALESCE(r.last_out_at, 0)"
    " ORDER BY r.last_in_at",
    "thank": "r.gives_out = 0 AND r.gives_in >= :thank_after ORDER BY r.gives_in DESC",
    # The rhythm's thresholds are written into the SQL, not bound: the partial
    # index ``ix_relationship_cooling_due`` holds only rows past them, and a
    # database uses it only when the query names the same constants.
    "check_in": f"{COOLING_DUE_SQL} >= :cold_since AND {COOLING_DUE_SQL} <= :now"
    " AND r.contact_days >= {min_contact_days} AND r.threads >= {min_threads}"
    f" ORDER BY {COOLING_DUE_SQL}",
    "welcome": "r.first_contact_at >= :newcomer_since AND r.last_out_at IS NULL"
    " AND r.waiting = 0 ORDER BY r.first_contact_at",
}


@dataclass(slots=True)
class Candidates:
    """The rows read, each once, and the kinds whose query hit its limit (more are due)."""

    rows: list[dict[str, Any]]
    capped: list[str]


def candidate_rows(
    conn: Connection, window: Window, *, limit: int, people: Sequence[int] = ()
) -> Candidates:
    """The relationship rows that can make an item in ``window``, with the
    person's name (and ``birthday`` for a birthday soon): for each kind of
    item at most ``limit`` rows, those it wants most (``_QUERIES``), each by
    its index; the rows of ``people`` (the closest, and those the queue
    holds items for); birthdays on ``window.birthday_keys`` (``MM-DD``).
    """
    params = {
        "now": window.now,
        "reply_since": window.reply_since,
        "newcomer_since": window.newcomer_since,
        "cold_since": window.cold_since,
        "thank_after": window.thank_after,
        "min_contact_days": window.min_contact_days,
        "min_threads": window.min_threads,
        "limit": limit,
    }
    found: dict[int, dict[str, Any]] = {}
    capped = []
    for kind, where in _QUERIES.items():
        condition, _, order = where.partition(" ORDER BY ")
        condition = condition.replace(
            "{min_contact_days}", str(int(window.min_contact_days))
        ).replace("{min_threads}", str(int(window.min_threads)))
        sql = f"{_SELECT} WHERE {condition} AND {_ACTIVE} ORDER BY {order} LIMIT :limit"
        rows = conn.execute(text(sql), params).mappings().all()
        if len(rows) >= limit:
            capped.append(kind)
        for row in rows:
            found.setdefault(int(row["person_id"]), dict(row))
    wanted = sorted({int(p) for p in people} - set(found))
    for start in range(0, len(wanted), 900):
        part = wanted[start : start + 900]
        marks = ", ".join(f":p{n}" for n in range(len(part)))
        sql = f"{_SELECT} WHERE r.person_id IN ({marks}) AND {_ACTIVE}"
        result = conn.execute(text(sql), {f"p{n}": pid for n, pid in enumerate(part)})
        for mapping in result.mappings():
            found.setdefault(int(mapping["person_id"]), dict(mapping))
    if window.birthday_keys:
        for pid, value in birthdays(conn, window.birthday_keys).items():
            if pid not in found:
                bare = _row_of(conn, pid)
                if bare is None:
                    continue
                found[pid] = bare
            found[pid]["birthday"] = value
    return Candidates(list(found.values()), capped)


def let_go(conn: Connection, window: Window) -> tuple[int, int]:
    """(people whose waiting messages are all older than the reply horizon,
    relationships with a rhythm that fell due before ``window.cold_since``):
    what the queue no longer asks about. Counted by the same indexes."""
    stale = conn.execute(
        text(
            "SELECT COUNT(*) FROM relationship r JOIN person p ON p.id = r.person_id"
            f" WHERE r.waiting > 0 AND r.last_in_at < :since AND {_ACTIVE}"
        ),
        {"since": window.reply_since},
    ).scalar_one()
    rhythm = (
        f"r.contact_days >= {int(window.min_contact_days)}"
        f" AND r.threads >= {int(window.min_threads)}"
    )
    cold = conn.execute(
        text(
            "SELECT COUNT(*) FROM relationship r JOIN person p ON p.id = r.person_id"
            f" WHERE {COOLING_DUE_SQL} < :cold_since AND {rhythm} AND {_ACTIVE}"
        ),
        {"cold_since": window.cold_since},
    ).scalar_one()
    return int(stale), int(cold)


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
        text(
            "SELECT p.id, p.name FROM person p WHERE p.id = :pid AND p.merged_into IS NULL"
            " AND NOT p.is_me"
        ),
        {"pid": pid},
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
    query = _in("SELECT person_id, kind, value FROM identity WHERE person_id IN :ids", "ids")
    for start in range(0, len(ids), 900):
        for pid, kind, value in conn.execute(query, {"ids": ids[start : start + 900]}):
            found.setdefault(int(pid), []).append((str(kind), str(value)))
    return found


def kith_contacts(conn: Connection) -> dict[int, int]:
    """person id → the latest contact recorded with ``kith done``."""
    rows = conn.execute(
        text(
            "SELECT person_id, MAX(at) FROM attention_action WHERE action = 'done'"
            " GROUP BY person_id"
        )
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


_ITEM = (
    "SELECT id, kind, person_id, tier, first_due_at, first_seen_at, first_listed_at, status,"
    " snoozed_until, acted_at FROM attention_item"
)
_ITEM_COLUMNS = _ITEM[len("SELECT ") : _ITEM.index(" FROM")].split(", ")


def known_items(conn: Connection, ids: Iterable[str]) -> dict[str, ItemRow]:
    """The stored rows of the items ``ids`` (by primary key, in chunks)."""
    found: dict[str, ItemRow] = {}
    query = _in(f"{_ITEM} WHERE id IN :ids", "ids")
    for part in chunks(sorted(set(ids))):
        for row in conn.execute(query, {"ids": list(part)}):
            found[str(row.id)] = _item(row)
    return found


def held_items(conn: Connection) -> dict[str, ItemRow]:
    """The items the queue holds: listed and not done, skipped or gone; snoozed."""
    rows = conn.execute(text(f"{_ITEM} WHERE status IN ('open', 'snoozed')"))
    return {str(r.id): _item(r) for r in rows}


def _set_many(conn: Connection, sql: str, ids: Sequence[str], **values: Any) -> None:
    query = _in(sql, "ids")
    for start in range(0, len(ids), 900):
        conn.execute(query, {"ids": list(ids[start : start + 900]), **values})


def mark_gone(conn: Connection, ids: Sequence[str], now: int) -> None:
    """Items no longer due (their situation ended without the user): status ``gone``."""
    sql = "UPDATE attention_item SET status = 'gone', acted_at = :now WHERE id IN :ids"
    _set_many(conn, sql, ids, now=now)


def reopen(conn: Connection, ids: Sequence[str]) -> None:
    """Gone items due again (the same situation came back): status ``open``."""
    sql = "UPDATE attention_item SET status = 'open', acted_at = NULL WHERE id IN :ids"
    _set_many(conn, sql, ids)


def mark_listed(conn: Connection, ids: Sequence[str], now: int) -> None:
    """Items shown for the first time at ``now`` get ``first_listed_at``."""
    sql = (
        "UPDATE attention_item SET first_listed_at = :now"
        " WHERE id IN :ids AND first_listed_at IS NULL"
    )
    _set_many(conn, sql, ids, now=now)


def item(conn: Connection, item_id: str) -> ItemRow | None:
    row = conn.execute(text(f"{_ITEM} WHERE id = :id"), {"id": item_id}).first()
    return None if row is None else _item(row)


def all_items(conn: Connection) -> list[ItemRow]:
    return [_item(r) for r in conn.execute(text(f"{_ITEM} ORDER BY id"))]


def add_items(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new ``attention_item`` rows (every column of ``_ITEM`` given)."""
    if not rows:
        return
    cols = ", ".join(_ITEM_COLUMNS)
    marks = ", ".join(f":{c}" for c in _ITEM_COLUMNS)
    conn.execute(
        text(f"INSERT INTO attention_item ({cols}) VALUES ({marks})"),
        [{c: r[c] for c in _ITEM_COLUMNS} for r in rows],
    )


def set_status(
    conn: Connection, item_id: str, status: str, *, at: int, until: int | None = None
) -> None:
    conn.execute(
        text(
            "UPDATE attention_item SET status = :status, acted_at = :at,"
            " snoozed_until = :until WHERE id = :id"
        ),
        {"status": status, "at": at, "until": until, "id": item_id},
    )


_ACTION_COLUMNS = [
    *("id", "item_id", "person_id", "kind", "action", "day", "at", "minutes"),
    *("snooze_days", "note", "interaction_source_id"),
]


def record_action(conn: Connection, **values: Any) -> int:
    """Append an ``attention_action`` row; returns its id."""
    aid = allocate_ids(conn, "attention_action", 1)[0]
    row = {"id": aid, **values}
    cols = ", ".join(_ACTION_COLUMNS)
    marks = ", ".join(f":{c}" for c in _ACTION_COLUMNS)
    conn.execute(text(f"INSERT INTO attention_action ({cols}) VALUES ({marks})"), row)
    return aid


def actions(conn: Connection, day: str | None = None) -> list[dict[str, Any]]:
    """Every recorded action (of ``day``, if given), oldest first."""
    where = "" if day is None else " WHERE day = :day"
    sql = f"SELECT {', '.join(_ACTION_COLUMNS)} FROM attention_action{where} ORDER BY at, id"
    return [dict(r) for r in conn.execute(text(sql), {"day": day}).mappings()]


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


_DAY = (
    "SELECT day, planned_at, budget, due, oldest_left_at, state_before, state_after, items"
    " FROM attention_day"
)


def day_before(conn: Connection, day: str) -> DayRow | None:
    """The latest planned day before ``day``."""
    row = conn.execute(
        text(f"{_DAY} WHERE day < :day ORDER BY day DESC LIMIT 1"), {"day": day}
    ).first()
    return None if row is None else _day(row)


def first_day(conn: Connection) -> str | None:
    """The first day the queue was planned (``YYYY-MM-DD``)."""
    value = conn.execute(text("SELECT MIN(day) FROM attention_day")).scalar()
    return None if value is None else str(value)


def days(conn: Connection) -> list[DayRow]:
    return [_day(r) for r in conn.execute(text(f"{_DAY} ORDER BY day"))]


def day(conn: Connection, day: str) -> DayRow | None:
    row = conn.execute(text(f"{_DAY} WHERE day = :day"), {"day": day}).first()
    return None if row is None else _day(row)


def save_day(conn: Connection, row: DayRow) -> None:
    """Write ``row``, replacing the day's earlier plan."""
    conn.execute(text("DELETE FROM attention_day WHERE day = :day"), {"day": row.day})
    conn.execute(
        text(
            "INSERT INTO attention_day (day, planned_at, budget, due, oldest_left_at,"
            " state_before, state_after, items) VALUES (:day, :planned_at, :budget, :due,"
            " :oldest_left_at, :state_before, :state_after, :items)"
        ),
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


def _me(conn: Connection) -> tuple[int, str | None] | None:
    row = conn.execute(
        text("SELECT id, name FROM person WHERE is_me = :yes LIMIT 1"), {"yes": True}
    ).first()
    return None if row is None else (int(row[0]), row[1])


def my_name(conn: Connection) -> str | None:
    me = _me(conn)
    return None if me is None else me[1]


def identities_of(conn: Connection, person_id: int) -> list[tuple[str, str]]:
    """(kind, value) of a person's identities, e-mail first, base addresses before aliases."""
    rows = sorted(
        conn.execute(
            text("SELECT kind, value, alias_of FROM identity WHERE person_id = :pid ORDER BY id"),
            {"pid": person_id},
        ).all(),
        key=lambda r: (r.kind != "email", r.alias_of is not None),
    )
    return [(str(r.kind), str(r.value)) for r in rows]


def my_identities(conn: Connection) -> list[tuple[str, str]]:
    me = _me(conn)
    return [] if me is None else identities_of(conn, me[0])


def person_name(conn: Connection, person_id: int) -> str:
    name = conn.execute(
        text("SELECT name FROM person WHERE id = :pid"), {"pid": person_id}
    ).scalar()
    return str(name) if name else f"#{person_id}"


def begin_write(engine: Engine) -> Any:
    """A write transaction (SQLite takes its write lock up front)."""
    return engine.execution_options(kith_write=True).begin()
