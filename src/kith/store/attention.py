"""The daily queue's SQL: reading the rows that can make items, and keeping
the queue's own tables (``attention_item``, ``attention_action``,
``attention_day``).

Every read of ``relationship`` here goes through an index (migration 0005):
waiting people by their last message, thank-yous by gives, check-ins by the
time silence reaches twice the usual gap, newcomers by first contact, the
closest people by decayed contact (``kith.store.relationships``), birthdays
by month and day. The queries spell the indexed expressions exactly as the
indexes do, or the database would not use them (``tests/test_today_store.py`` reads SQLite's plans).

The SQL is written out rather than built from ``kith.store.schema``:
`kith today` answers in a fraction of a second, and building the schema's
tables costs a good part of that; the column names are the schema's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kith.model import GIVE_TO_ME_DIRECTION
from kith.store.ids import chunks
from kith.store.relationships import COOLING_DUE_SQL
from kith.store.sql import as_db

#: Every function takes a ``kith.store.sql.Db`` or an SQLAlchemy connection.
Conn = Any


#: A birthday's ``MM-DD``, as the index ``ix_fact_birthday`` has it.
BIRTHDAY_KEY_SQL = "substr(f.value, length(f.value) - 4, 5)"

#: The relationship columns the queue reads (``kith.attention.candidates.Relationship``).
_COLUMNS = [
    *("person_id", "decayed", "n_in", "n_out", "first_contact_at", "last_in_at"),
    *("last_out_at", "contact_days", "median_gap_days", "silence_days", "cooling_ratio"),
    *("waiting", "oldest_waiting_at", "gives_in", "gives_out", "threads", "computed_at"),
    *("half_life_days", "public_share"),
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


def analytics_status(conn: Conn) -> AnalyticsStatus | None:
    """None when the analytics never ran on this ledger."""
    db = as_db(conn)
    row = db.first(
        "SELECT computed_at, last_interaction_id FROM analytics_state ORDER BY id LIMIT 1"
    )
    if row is None:
        return None
    behind = db.scalar(
        "SELECT COUNT(*) FROM interaction WHERE id > :last AND source <> 'kith'",
        {"last": int(row[1])},
    )
    return AnalyticsStatus(int(row[0]), int(behind))


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
    #: Follow-ups: my last message between these, unanswered.
    ask_since: int
    ask_until: int
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
    # Old debts: everything waiting is older than the horizon (the latest first),
    # read so that what asks among them is counted as let go, not dropped unseen.
    "let_go": "r.waiting > 0 AND r.oldest_waiting_at < :reply_since"
    " ORDER BY r.oldest_waiting_at DESC",
    "thank": "r.gives_out = 0 AND r.gives_in >= :thank_after ORDER BY r.gives_in DESC",
    # The rhythm's thresholds are written into the SQL, not bound: the partial
    # index ``ix_relationship_cooling_due`` holds only rows past them, and a
    # database uses it only when the query names the same constants.
    "check_in": f"{COOLING_DUE_SQL} >= :cold_since AND {COOLING_DUE_SQL} <= :now"
    " AND r.contact_days >= {min_contact_days} AND r.threads >= {min_threads}"
    f" ORDER BY {COOLING_DUE_SQL}",
    "welcome": "r.first_contact_at >= :newcomer_since AND r.last_out_at IS NULL"
    " AND r.waiting = 0 ORDER BY r.first_contact_at",
    # Follow-ups: I wrote last, a while ago, and heard nothing back (whether
    # I asked something is read from my message: ``my_last_messages``).
    "follow_up": "r.last_out_at >= :ask_since AND r.last_out_at <= :ask_until"
    " AND r.last_out_at > COALESCE(r.last_in_at, 0) ORDER BY r.last_out_at",
}


@dataclass(slots=True)
class Candidates:
    """The rows read, each once, and the kinds whose query hit its limit (more are due)."""

    rows: list[dict[str, Any]]
    capped: list[str]


def candidate_rows(
    conn: Conn, window: Window, *, limit: int, people: Sequence[int] = ()
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
        "ask_since": window.ask_since,
        "ask_until": window.ask_until,
        "thank_after": window.thank_after,
        "min_contact_days": window.min_contact_days,
        "min_threads": window.min_threads,
        "limit": limit,
    }
    db = as_db(conn)
    found: dict[int, dict[str, Any]] = {}
    capped = []
    for kind, where in _QUERIES.items():
        condition, _, order = where.partition(" ORDER BY ")
        condition = condition.replace(
            "{min_contact_days}", str(int(window.min_contact_days))
        ).replace("{min_threads}", str(int(window.min_threads)))
        sql = f"{_SELECT} WHERE {condition} AND {_ACTIVE} ORDER BY {order} LIMIT :limit"
        rows = db.dicts(sql, params)
        if len(rows) >= limit:
            capped.append(kind)
        for row in rows:
            found.setdefault(int(row["person_id"]), row)
    wanted = sorted({int(p) for p in people} - set(found))
    for part in chunks(wanted):
        sql = f"{_SELECT} WHERE r.person_id IN :ids AND {_ACTIVE}"
        for mapping in db.dicts(sql, {"ids": list(part)}):
            found.setdefault(int(mapping["person_id"]), mapping)
    if window.birthday_keys:
        for pid, value in birthdays(db, window.birthday_keys).items():
            if pid not in found:
                bare = _row_of(db, pid)
                if bare is None:
                    continue
                found[pid] = bare
            found[pid]["birthday"] = value
    return Candidates(list(found.values()), capped)


def let_go(conn: Conn, window: Window) -> tuple[int, int]:
    """(people whose waiting messages are all older than the reply horizon,
    relationships with a rhythm that fell due before ``window.cold_since``):
    what the queue no longer asks about. Counted by the same indexes."""
    db = as_db(conn)
    stale = db.scalar(
        "SELECT COUNT(*) FROM relationship r JOIN person p ON p.id = r.person_id"
        f" WHERE r.waiting > 0 AND r.last_in_at < :since AND {_ACTIVE}",
        {"since": window.reply_since},
    )
    rhythm = (
        f"r.contact_days >= {int(window.min_contact_days)}"
        f" AND r.threads >= {int(window.min_threads)}"
    )
    cold = db.scalar(
        "SELECT COUNT(*) FROM relationship r JOIN person p ON p.id = r.person_id"
        f" WHERE {COOLING_DUE_SQL} < :cold_since AND {rhythm} AND {_ACTIVE}",
        {"cold_since": window.cold_since},
    )
    return int(stale), int(cold)


def relationship_of(conn: Conn, person_id: int) -> dict[str, Any] | None:
    """One person's relationship row with the columns the queue reads
    (``kith.attention.candidates.Relationship.from_row``), or None."""
    return _row_of(conn, person_id)


def birthdays(conn: Conn, keys: Sequence[str]) -> dict[int, str]:
    """person id → birthday (as stored) for birthdays on ``keys`` (``MM-DD``)."""
    sql = (
        "SELECT i.person_id, MIN(f.value) FROM fact f JOIN identity i ON i.id = f.identity_id"
        f" WHERE f.key = 'birthday' AND {BIRTHDAY_KEY_SQL} IN :keys GROUP BY i.person_id"
    )
    rows = as_db(conn).rows(sql, {"keys": list(keys)})
    return {int(pid): str(value) for pid, value in rows}


def _row_of(conn: Conn, pid: int) -> dict[str, Any] | None:
    """One person's row; a person the analytics have not seen gets an empty one."""
    db = as_db(conn)
    found = db.dicts(f"{_SELECT} WHERE r.person_id = :pid AND {_ACTIVE}", {"pid": pid})
    if found:
        return found[0]
    bare = db.first(
        "SELECT p.id, p.name FROM person p WHERE p.id = :pid AND p.merged_into IS NULL"
        " AND NOT p.is_me",
        {"pid": pid},
    )
    if bare is None:
        return None
    return {"person_id": pid, "name": bare[1] or f"#{pid}"}


def addresses(
    conn: Conn, person_ids: Sequence[int]
) -> dict[int, list[tuple[str, str, str | None]]]:
    """person id → (kind, value, display name) of each identity, for ``person_ids``."""
    found: dict[int, list[tuple[str, str, str | None]]] = {}
    ids = sorted(set(person_ids))
    db = as_db(conn)
    query = "SELECT person_id, kind, value, display_name FROM identity WHERE person_id IN :ids"
    for part in chunks(ids):
        for pid, kind, value, name in db.rows(query, {"ids": list(part)}):
            found.setdefault(int(pid), []).append((str(kind), str(value), name))
    return found


def kith_contacts(conn: Conn) -> dict[int, int]:
    """person id → the latest contact recorded with ``kith done``."""
    rows = as_db(conn).rows(
        "SELECT person_id, MAX(at) FROM attention_action WHERE action = 'done' GROUP BY person_id"
    )
    return {int(pid): int(at) for pid, at in rows}


def inbound_after(
    conn: Conn, person_id: int, after: int, until: int, kinds: Sequence[str]
) -> tuple[int, int] | None:
    """(time of the first, how many) of the messages ``person_id`` wrote to me
    after ``after`` and up to ``until`` (kinds ``kinds``); None if there were none."""
    sql = (
        "SELECT MIN(i.occurred_at), COUNT(*) FROM identity idn"
        " JOIN participant pa ON pa.identity_id = idn.id AND pa.role = 'from'"
        " JOIN interaction i ON i.id = pa.interaction_id"
        " WHERE idn.person_id = :pid AND i.direction = 'in'"
        " AND i.occurred_at > :after AND i.occurred_at <= :until AND i.kind IN :kinds"
    )
    params = {"pid": person_id, "after": after, "until": until, "kinds": list(kinds)}
    first, count = as_db(conn).rows(sql, params)[0]
    return None if not count else (int(first), int(count))


def my_last_messages(
    conn: Conn, last_out: Mapping[int, int]
) -> dict[int, tuple[str | None, str | None]]:
    """person id → (subject, body) of my latest message to them, the one
    sent at ``last_out[person id]`` (looked up by that time: an index)."""
    db = as_db(conn)
    found: dict[int, tuple[str | None, str | None]] = {}
    sql = (
        "SELECT idn.person_id, i.occurred_at, i.subject, i.body FROM interaction i"
        " JOIN participant pa ON pa.interaction_id = i.id AND pa.role IN ('to', 'cc')"
        " JOIN identity idn ON idn.id = pa.identity_id"
        " WHERE i.occurred_at IN :times AND i.direction = 'out' AND i.source <> 'kith'"
        " AND idn.person_id IN :pids ORDER BY i.occurred_at, i.id"
    )
    for part in chunks(sorted(last_out)):
        times = sorted({last_out[p] for p in part})
        for pid, at, subject, body in db.rows(sql, {"times": times, "pids": list(part)}):
            if int(at) == last_out.get(int(pid)):
                found[int(pid)] = (subject, body)
    return found


def introducers(conn: Conn, first_contact: Mapping[int, int]) -> dict[int, str]:
    """person id → the name of who introduced them to me, for those whose
    first contact (at ``first_contact[person id]``) was an introduction
    (``kith.store.gives``)."""
    db = as_db(conn)
    found: dict[int, str] = {}
    sql = (
        "SELECT idn.person_id, i.occurred_at, COALESCE(ap.name, fi.value) FROM interaction i"
        " JOIN participant pa ON pa.interaction_id = i.id AND pa.role IN ('to', 'cc')"
        " JOIN identity idn ON idn.id = pa.identity_id"
        " JOIN participant fa ON fa.interaction_id = i.id AND fa.role = 'from'"
        " JOIN identity fi ON fi.id = fa.identity_id JOIN person ap ON ap.id = fi.person_id"
        " WHERE i.occurred_at IN :times AND i.kind = 'intro' AND idn.person_id IN :pids"
    )
    for part in chunks(sorted(first_contact)):
        times = sorted({first_contact[p] for p in part})
        for pid, at, name in db.rows(sql, {"times": times, "pids": list(part)}):
            if int(at) == first_contact.get(int(pid)):
                found.setdefault(int(pid), str(name))
    return found


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


def _item(row: Sequence[Any]) -> ItemRow:
    iid, kind, pid, tier, due, seen, listed, status, until, acted = row
    return ItemRow(
        str(iid),
        str(kind),
        int(pid),
        str(tier),
        int(due),
        int(seen),
        None if listed is None else int(listed),
        str(status),
        None if until is None else int(until),
        None if acted is None else int(acted),
    )


_ITEM = (
    "SELECT id, kind, person_id, tier, first_due_at, first_seen_at, first_listed_at, status,"
    " snoozed_until, acted_at FROM attention_item"
)
_ITEM_COLUMNS = _ITEM[len("SELECT ") : _ITEM.index(" FROM")].split(", ")


def known_items(conn: Conn, ids: Iterable[str]) -> dict[str, ItemRow]:
    """The stored rows of the items ``ids`` (by primary key, in chunks)."""
    found: dict[str, ItemRow] = {}
    db = as_db(conn)
    for part in chunks(sorted(set(ids))):
        for row in db.rows(f"{_ITEM} WHERE id IN :ids", {"ids": list(part)}):
            found[str(row[0])] = _item(row)
    return found


def held_items(conn: Conn) -> dict[str, ItemRow]:
    """The items the queue holds: listed and not done, skipped or gone; snoozed."""
    rows = as_db(conn).rows(f"{_ITEM} WHERE status IN ('open', 'snoozed')")
    return {str(r[0]): _item(r) for r in rows}


def _set_many(conn: Conn, sql: str, ids: Sequence[str], **values: Any) -> None:
    db = as_db(conn)
    for part in chunks(ids):
        db.execute(sql, {"ids": list(part), **values}).close()


def mark_gone(conn: Conn, ids: Sequence[str], now: int) -> None:
    """Items no longer due (their situation ended without the user): status ``gone``."""
    sql = "UPDATE attention_item SET status = 'gone', acted_at = :now WHERE id IN :ids"
    _set_many(conn, sql, ids, now=now)


def reopen(conn: Conn, ids: Sequence[str]) -> None:
    """Gone items due again (the same situation came back): status ``open``."""
    sql = "UPDATE attention_item SET status = 'open', acted_at = NULL WHERE id IN :ids"
    _set_many(conn, sql, ids)


def mark_listed(conn: Conn, ids: Sequence[str], now: int) -> None:
    """Items shown for the first time at ``now`` get ``first_listed_at``."""
    sql = (
        "UPDATE attention_item SET first_listed_at = :now"
        " WHERE id IN :ids AND first_listed_at IS NULL"
    )
    _set_many(conn, sql, ids, now=now)


def item(conn: Conn, item_id: str) -> ItemRow | None:
    row = as_db(conn).first(f"{_ITEM} WHERE id = :id", {"id": item_id})
    return None if row is None else _item(row)


def all_items(conn: Conn) -> list[ItemRow]:
    return [_item(r) for r in as_db(conn).rows(f"{_ITEM} ORDER BY id")]


def add_items(conn: Conn, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new ``attention_item`` rows (every column of ``_ITEM`` given)."""
    if not rows:
        return
    cols = ", ".join(_ITEM_COLUMNS)
    marks = ", ".join(f":{c}" for c in _ITEM_COLUMNS)
    as_db(conn).executemany(
        f"INSERT INTO attention_item ({cols}) VALUES ({marks})",
        [{c: r[c] for c in _ITEM_COLUMNS} for r in rows],
    )


def set_status(conn: Conn, item_id: str, status: str, *, at: int, until: int | None = None) -> None:
    as_db(conn).execute(
        "UPDATE attention_item SET status = :status, acted_at = :at,"
        " snoozed_until = :until WHERE id = :id",
        {"status": status, "at": at, "until": until, "id": item_id},
    ).close()


_ACTION_COLUMNS = [
    *("id", "item_id", "person_id", "kind", "action", "day", "at", "minutes"),
    *("snooze_days", "note", "interaction_source_id"),
]


def record_action(conn: Conn, **values: Any) -> int:
    """Append an ``attention_action`` row; returns its id."""
    db = as_db(conn)
    if db.dialect == "postgresql":
        aid = int(db.scalar("SELECT nextval(pg_get_serial_sequence('attention_action', 'id'))"))
    else:  # a writer: the transaction holds SQLite's write lock
        aid = int(db.scalar("SELECT coalesce(max(id), 0) + 1 FROM attention_action"))
    row = {"id": aid, **values}
    cols = ", ".join(_ACTION_COLUMNS)
    marks = ", ".join(f":{c}" for c in _ACTION_COLUMNS)
    db.execute(f"INSERT INTO attention_action ({cols}) VALUES ({marks})", row).close()
    return aid


def actions(conn: Conn, day: str | None = None) -> list[dict[str, Any]]:
    """Every recorded action (of ``day``, if given), oldest first."""
    where = "" if day is None else " WHERE day = :day"
    sql = f"SELECT {', '.join(_ACTION_COLUMNS)} FROM attention_action{where} ORDER BY at, id"
    return as_db(conn).dicts(sql, {"day": day} if day is not None else None)


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


def _day(row: Sequence[Any]) -> DayRow:
    day, planned_at, budget, due, oldest_left_at, state_before, state_after, items = row
    return DayRow(
        str(day),
        int(planned_at),
        int(budget),
        int(due),
        None if oldest_left_at is None else int(oldest_left_at),
        json.loads(state_before),
        json.loads(state_after),
        json.loads(items),
    )


_DAY = (
    "SELECT day, planned_at, budget, due, oldest_left_at, state_before, state_after, items"
    " FROM attention_day"
)


def day_before(conn: Conn, day: str) -> DayRow | None:
    """The latest planned day before ``day``."""
    row = as_db(conn).first(f"{_DAY} WHERE day < :day ORDER BY day DESC LIMIT 1", {"day": day})
    return None if row is None else _day(row)


def first_day(conn: Conn) -> str | None:
    """The first day the queue was planned (``YYYY-MM-DD``)."""
    value = as_db(conn).scalar("SELECT MIN(day) FROM attention_day")
    return None if value is None else str(value)


def days(conn: Conn) -> list[DayRow]:
    return [_day(r) for r in as_db(conn).rows(f"{_DAY} ORDER BY day")]


def day(conn: Conn, day: str) -> DayRow | None:
    row = as_db(conn).first(f"{_DAY} WHERE day = :day", {"day": day})
    return None if row is None else _day(row)


def save_day(conn: Conn, row: DayRow) -> None:
    """Write ``row``, replacing the day's earlier plan."""
    db = as_db(conn)
    db.execute("DELETE FROM attention_day WHERE day = :day", {"day": row.day}).close()
    db.execute(
        "INSERT INTO attention_day (day, planned_at, budget, due, oldest_left_at,"
        " state_before, state_after, items) VALUES (:day, :planned_at, :budget, :due,"
        " :oldest_left_at, :state_before, :state_after, :items)",
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
    ).close()


# -- what drafts need -------------------------------------------------------------

_THEIR = (
    " FROM identity idn JOIN participant pa ON pa.identity_id = idn.id"
    " JOIN interaction i ON i.id = pa.interaction_id"
    " WHERE idn.person_id = :pid AND i.occurred_at <= :now AND i.source <> 'kith'"
)


def message(
    conn: Conn, person_id: int, now: int, *, inbound: bool, since: int | None = None
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
    params = {"pid": person_id, "now": now}
    if since is not None:
        params["since"] = since
    row = as_db(conn).first(sql, params)
    return None if row is None else (row[0], int(row[1]))


def gives_received(conn: Conn, person_id: int, now: int, kinds: Sequence[str]) -> dict[str, int]:
    """How many times ``person_id`` gave to me, by kind (shares, referrals, …;
    ``kith.model.gives_to_me``)."""
    sql = (
        f"SELECT i.kind, COUNT(*) {_THEIR} AND pa.role = 'from'"
        f" AND i.direction = '{GIVE_TO_ME_DIRECTION}'"
        " AND i.kind IN :kinds GROUP BY i.kind"
    )
    params = {"pid": person_id, "now": now, "kinds": list(kinds)}
    return {str(k): int(n) for k, n in as_db(conn).rows(sql, params)}


def _me(conn: Conn) -> tuple[int, str | None] | None:
    row = as_db(conn).first("SELECT id, name FROM person WHERE is_me = :yes LIMIT 1", {"yes": True})
    return None if row is None else (int(row[0]), row[1])


def my_name(conn: Conn) -> str | None:
    me = _me(conn)
    return None if me is None else me[1]


def identities_of(conn: Conn, person_id: int) -> list[tuple[str, str]]:
    """(kind, value) of a person's identities, e-mail first, base addresses before aliases."""
    rows = sorted(
        as_db(conn).rows(
            "SELECT kind, value, alias_of FROM identity WHERE person_id = :pid ORDER BY id",
            {"pid": person_id},
        ),
        key=lambda r: (r[0] != "email", r[2] is not None),
    )
    return [(str(kind), str(value)) for kind, value, _ in rows]


def my_identities(conn: Conn) -> list[tuple[str, str]]:
    me = _me(conn)
    return [] if me is None else identities_of(conn, me[0])


def person_name(conn: Conn, person_id: int) -> str:
    name = as_db(conn).scalar("SELECT name FROM person WHERE id = :pid", {"pid": person_id})
    return str(name) if name else f"#{person_id}"


#: Messages a person wrote to me (To or Cc, or a reply to mine on a list) since a
#: time, of the answerable kinds, with no later message of mine in their thread:
#: the analytics' waiting rule, read for a few people (``kith.attention.inbound``
#: reads what each wants).
_WAITING = (
    "SELECT idn.person_id, i.id, i.source, i.source_id, i.occurred_at, i.subject, i.body,"
    " i.is_reply, i.circle_id, idn.value, idn.display_name, idn.kind FROM identity idn"
    " JOIN participant pa ON pa.identity_id = idn.id AND pa.role = 'from'"
    " JOIN interaction i ON i.id = pa.interaction_id"
    " WHERE idn.person_id IN :pids AND i.direction = 'in' AND i.kind IN :kinds"
    " AND i.occurred_at >= :since AND i.occurred_at <= :now"
    " AND (EXISTS (SELECT 1 FROM participant m JOIN identity mi ON mi.id = m.identity_id"
    " JOIN person mp ON mp.id = mi.person_id"
    " WHERE m.interaction_id = i.id AND m.role IN ('to', 'cc') AND mp.is_me)"
    # or "in" without me among its people: a reply to a message of mine, written to
    # a list (the analytics' ``to_me``, ``kith.analytics.definition.LOG``)
    " OR NOT EXISTS (SELECT 1 FROM participant m JOIN identity mi ON mi.id = m.identity_id"
    " JOIN person mp ON mp.id = mi.person_id WHERE m.interaction_id = i.id AND mp.is_me))"
    " AND NOT EXISTS (SELECT 1 FROM interaction o WHERE o.thread_id = i.thread_id"
    " AND o.direction = 'out' AND o.occurred_at >= i.occurred_at AND o.occurred_at <= :now)"
    " ORDER BY i.occurred_at, i.id"
)
_RECIPIENTS = (
    "SELECT pa.interaction_id, pa.role, idn.value, idn.display_name, idn.kind FROM participant pa"
    " JOIN identity idn ON idn.id = pa.identity_id"
    " WHERE pa.interaction_id IN :ids AND pa.role IN ('to', 'cc')"
)


@dataclass(frozen=True, slots=True)
class WaitingMessage:
    """One message waiting on me, with what ``kith.signals.intent`` reads of it."""

    person_id: int
    id: int
    source: str
    source_id: str
    at: int
    subject: str | None
    body: str | None
    is_reply: bool
    in_circle: bool
    sender: str
    sender_name: str | None
    #: The sender identity's kind (``email``, ``x-id`` …).
    sender_kind: str = "email"
    #: (role, value, display name, kind) of each recipient in To and Cc.
    recipients: tuple[tuple[str, str, str | None, str], ...] = ()


def waiting_messages(
    conn: Conn, since: Mapping[int, int], now: int, kinds: Sequence[str]
) -> dict[int, list[WaitingMessage]]:
    """person id → their messages waiting on me (oldest first), from
    ``since[person id]`` up to ``now`` (kinds ``kinds``)."""
    db = as_db(conn)
    found: dict[int, list[WaitingMessage]] = {}
    for part in chunks(sorted(since)):
        params = {
            "pids": list(part),
            "kinds": list(kinds),
            "since": min(since[p] for p in part),
            "now": now,
        }
        for row in db.rows(_WAITING, params):
            pid, iid, source, sid, at, subject, body, reply, circle, sender, name, kind = row
            if int(at) < since[int(pid)]:
                continue
            found.setdefault(int(pid), []).append(
                WaitingMessage(
                    int(pid),
                    int(iid),
                    str(source),
                    str(sid),
                    int(at),
                    subject,
                    body,
                    bool(reply),
                    circle is not None,
                    str(sender),
                    name,
                    str(kind),
                )
            )
    ids = sorted({m.id for ms in found.values() for m in ms})
    recipients: dict[int, list[tuple[str, str, str | None, str]]] = {}
    for part in chunks(ids):
        for iid, role, value, name, kind in db.rows(_RECIPIENTS, {"ids": list(part)}):
            recipients.setdefault(int(iid), []).append((str(role), str(value), name, str(kind)))
    return {
        pid: [
            WaitingMessage(**{**_fields(m), "recipients": tuple(recipients.get(m.id, ()))})
            for m in ms
        ]
        for pid, ms in found.items()
    }


def _fields(m: WaitingMessage) -> dict[str, Any]:
    return {name: getattr(m, name) for name in WaitingMessage.__dataclass_fields__}


def wrote_to_me(conn: Conn, person_ids: Sequence[int]) -> set[int]:
    """Those of ``person_ids`` who wrote something of theirs to me (an "in"
    interaction they are the author of), not only stood beside me on another's."""
    db = as_db(conn)
    query = (
        "SELECT DISTINCT idn.person_id FROM identity idn"
        " JOIN participant pa ON pa.identity_id = idn.id AND pa.role = 'from'"
        " JOIN interaction i ON i.id = pa.interaction_id AND i.direction = 'in'"
        " WHERE idn.person_id IN :pids"
    )
    found: set[int] = set()
    for part in chunks(sorted(set(person_ids))):
        found.update(int(pid) for (pid,) in db.rows(query, {"pids": list(part)}))
    return found


def history_start(conn: Conn) -> int | None:
    """When the ledger's history begins: its first interaction (by the time index)."""
    found = as_db(conn).scalar("SELECT MIN(occurred_at) FROM interaction")
    return None if found is None else int(found)
