"""``kith today``: the day's list, chosen fairly, kept in the ledger.

One plan per day (UTC), remade whenever it is asked for, so that it always
reflects what was done, snoozed or skipped and what the last analytics
refresh found. The steps:

1. Read the relationship rows that can make an item (``kith.store.attention``:
   indexed queries only, never every relationship).
2. Lay the contacts recorded with ``kith done`` over them: a contact made
   since the last analytics refresh resets the rhythm and answers what the
   person sent before it at once.
3. Make the candidate items (``kith.attention.candidates``), tiers by Dunbar layer:
   the closest two-way people by decayed contact at ``now`` (``kith.relate.layers``).
4. Keep each item's first-due time in ``attention_item``; leave out what is
   done, skipped, or snoozed until a later day.
5. Choose with the fair scheduler (``kith.attention.scheduler``), from the
   fair state the previous day's plan left, within the minutes left after
   what was already done today; save the plan and the state after it in
   ``attention_day``.

When a wait starts: a reply's at the oldest message still waiting (the
person has waited since then, whatever kith knew); a proactive item's when
it fell due, but not before the first day kith planned a list, so that a
relationship that cooled a year before kith was installed is not a year
overdue on its first morning. A snoozed item comes back on its day with its
wait as it was, ahead of the scheduler's choice (the user asked to see it
then), as far as the minutes go.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from kith.attention import actionable, inbound
from kith.attention.candidates import (
    ANSWERABLE_KINDS,
    FOLLOW_UP_AFTER_DAYS,
    FOLLOW_UP_HORIZON_DAYS,
    NEWCOMER_DAYS,
    REPLY_HORIZON_DAYS,
    THANK_AFTER_GIVES,
    Item,
    Relationship,
    birthday_keys,
    candidates,
    introduction_items,
    tier_of,
    with_proposals,
)
from kith.attention.drafts import asked
from kith.attention.scheduler import (
    MAX_WAIT_DAYS,
    TIER_WEIGHTS,
    FairState,
    choose,
)
from kith.attention.settings import TodaySettings
from kith.connect.introductions import OPEN
from kith.connect.today import proposals
from kith.relate.cooling import COLD_AFTER_DAYS, MIN_CONTACT_DAYS, MIN_THREADS
from kith.store import attention as store
from kith.store import introductions
from kith.store.attention import Conn
from kith.store.relationships import layer_ranks
from kith.store.sql import using
from kith.units import DAY

#: Rows read per kind of item, those it wants most (the longest wait first):
#: enough for any day's list (the knapsack weighs 80 candidates, a day holds
#: a few dozen minutes), and the same few hundred rows on any size of ledger.
#: The closest people's rows and those the queue holds items for are read
#: besides, whatever their kind's order.
CANDIDATES_PER_KIND = 100


def day_of(now: int) -> date:
    """The UTC day of ``now``."""
    return datetime.fromtimestamp(now, UTC).date()


def day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def end_of(day: date) -> int:
    """The ``now`` of ``--date DAY``: its last second (UTC)."""
    return day_start(day) + DAY - 1


#: How each kind of item reads as a task ("Reply to Ana Lima").
TITLES = {
    "reply": "Reply to",
    "thank": "Thank",
    "check_in": "Check in with",
    "welcome": "Welcome",
    "follow_up": "Follow up with",
    "celebrate": "Celebrate",
    "introduce": "Introduction step with",
    "ask_followup": "Follow up your ask with",
    "ask_thanks": "Thank",
    "join_thread": "Join the thread started by",
    "welcome_new": "Welcome",
}


def title(kind: str, person: str) -> str:
    return f"{TITLES.get(kind, kind)} {person}"


@dataclass(frozen=True, slots=True)
class DoneToday:
    """An item done on the plan's day."""

    id: str
    kind: str
    person_id: int
    person: str
    minutes: int
    at: int


@dataclass(slots=True)
class DayPlan:
    """The day's list: the items to do, in order, and what is done already."""

    day: date
    now: int
    budget: int
    items: list[Item]
    done: list[DoneToday] = field(default_factory=list)
    #: How many items were due (what the scheduler chose from) …
    due: int = 0
    analytics: store.AnalyticsStatus | None = None
    #: … and whether more were (a kind had more than ``CANDIDATES_PER_KIND``).
    more: bool = False
    #: Old debts: messages that asked something of me, past the reply horizon
    #: with nothing newer from them (``kith.attention.inbound``), and from how many people.
    let_go: int = 0
    let_go_people: int = 0

    @property
    def planned(self) -> int:
        return sum(i.minutes for i in self.items)

    @property
    def spent(self) -> int:
        return sum(d.minutes for d in self.done)


def plan_day(ledger: Any, now: int, settings: TodaySettings, *, save: bool = True) -> DayPlan:
    """The list for ``now``'s day (see the module docstring); saved unless
    ``save`` is false. ``ledger``: an engine or a ``Db`` (``kith.store.sql.using``)."""
    today = day_of(now)
    key = today.isoformat()
    with using(ledger, write=True) as conn:
        status = store.analytics_status(conn)
        held = store.held_items(conn)
        ranks = layer_ranks(conn, now)
        people = [*ranks, *(r.person_id for r in held.values())]
        rels, capped = relationships(conn, now, people=people)
        replies: dict[int, int] = {}
        for row in held.values():
            if row.kind == "reply":
                replies[row.person_id] = min(row.first_due_at, replies.get(row.person_id, now))
        found = candidates(
            rels,
            now,
            minutes=settings.minutes,
            ranks=ranks,
            replies=replies,
            history_start=store.history_start(conn),
        )
        found += introduction_items(
            introductions.listing(conn, states=OPEN), now, minutes=settings.minutes, ranks=ranks
        )
        tier = {r.person_id: tier_of(r, ranks.get(r.person_id)) for r in rels}
        found = with_proposals(found, proposals(conn, now), tier, settings.minutes)
        known = store.known_items(conn, [i.id for i in found])
        ids = {i.id for i in found}
        gone = sorted(i for i in held if i not in ids)
        back = sorted(i for i, row in known.items() if row.status == "gone")
        first = store.first_day(conn)
        queue_start = day_start(min(date.fromisoformat(first), today) if first else today)
        due, new = _due_items(found, known, now, queue_start)
        before = store.day_before(conn, key)
        state = FairState()
        if before is not None:
            state.served.update(before.state_after)
        state_before = dict(state.served)
        done = _done_today(conn, key, state)
        left_minutes = max(0, settings.budget - sum(d.minutes for d in done))
        returning = _back_from_snooze(due, known, left_minutes, now, state)
        back_ids = {i.id for i in returning}
        rest = [i for i in due if i.id not in back_ids]
        picked = choose(rest, left_minutes - sum(i.minutes for i in returning), now, state)
        chosen = returning + [i for i in picked if isinstance(i, Item)]
        listed = {c.id for c in chosen}
        left = [i.due_since for i in due if i.id not in listed]
        if save:
            store.add_items(conn, [row for row in new if row["id"] in listed])
            store.mark_gone(conn, gone, now)
            store.reopen(conn, back)
            store.mark_listed(conn, [c.id for c in chosen], now)
            store.save_day(
                conn,
                store.DayRow(
                    key,
                    now,
                    settings.budget,
                    len(due),
                    min(left, default=None),
                    state_before,
                    dict(state.served),
                    [brief(c) for c in chosen],
                ),
            )
    debts = [r.let_go for r in rels if r.let_go]
    return DayPlan(
        today,
        now,
        settings.budget,
        chosen,
        done,
        len(due),
        status,
        bool(capped),
        let_go=sum(debts),
        let_go_people=len(debts),
    )


def brief(item: Item) -> dict[str, Any]:
    """What the day's row keeps of an item."""
    return {
        "id": item.id,
        "kind": item.kind,
        "person_id": item.person_id,
        "person": item.person,
        "tier": item.tier,
        "minutes": item.minutes,
        "reason": item.reason,
        "due_since": item.due_since,
    }


def window(now: int) -> store.Window:
    """What makes a relationship row a candidate at ``now`` (the thresholds of
    ``kith.attention.candidates``)."""
    return store.Window(
        now=now,
        reply_since=now - REPLY_HORIZON_DAYS * DAY,
        newcomer_since=now - NEWCOMER_DAYS * DAY,
        cold_since=now - COLD_AFTER_DAYS * DAY,
        ask_since=now - FOLLOW_UP_HORIZON_DAYS * DAY,
        ask_until=now - FOLLOW_UP_AFTER_DAYS * DAY,
        thank_after=THANK_AFTER_GIVES,
        min_contact_days=MIN_CONTACT_DAYS,
        min_threads=MIN_THREADS,
        birthday_keys=birthday_keys(now),
    )


def relationships(
    conn: Conn, now: int, *, people: Sequence[int] = ()
) -> tuple[list[Relationship], list[str]]:
    """The rows that can make an item at ``now`` (and the rows of ``people``),
    with ``kith done`` contacts laid over; and the kinds that had more rows
    than were read."""
    w = window(now)
    read = store.candidate_rows(conn, w, limit=CANDIDATES_PER_KIND, people=people)
    rows = read.rows
    addresses = store.addresses(conn, [int(r["person_id"]) for r in rows])
    machines = _machines(addresses)
    rows = [r for r in rows if int(r["person_id"]) not in machines]
    my_identities = store.my_identities(conn)
    mine_at = actionable.my_organisations(my_identities)
    colleagues = {pid for pid, ids in addresses.items() if actionable.colleague(ids, mine_at)}
    contacts = store.kith_contacts(conn) if rows else {}
    last_out = {
        int(r["person_id"]): int(r["last_out_at"])
        for r in rows
        if r.get("last_out_at") is not None
        and w.ask_since <= int(r["last_out_at"]) <= w.ask_until
        and int(r["last_out_at"]) > int(r.get("last_in_at") or 0)
    }
    mine = store.my_last_messages(conn, last_out) if last_out else {}
    questions = {pid: q for pid, (s, b) in mine.items() if (q := asked(s, b)) is not None}
    firsts = {
        int(r["person_id"]): int(r["first_contact_at"])
        for r in rows
        if r.get("first_contact_at") is not None
        and int(r["first_contact_at"]) >= w.newcomer_since
        and r.get("last_out_at") is None
    }
    introduced = store.introducers(conn, firsts) if firsts else {}
    wrote = store.wrote_to_me(conn, list(firsts)) if firsts else set()
    found = []
    for row in rows:
        r = Relationship.from_row(row)
        pid = r.person_id
        if pid in questions or pid in introduced:
            r = replace(r, asked=questions.get(pid), introduced_by=introduced.get(pid))
        if pid in colleagues:
            r = replace(r, colleague=True)
        if pid in firsts:
            r = replace(r, wrote_to_me=pid in wrote)
        at = contacts.get(r.person_id)
        if at is not None and at <= now:
            r = with_kith_contact(conn, r, at, now)
        found.append(r)
    me = [value for _, value in my_identities]
    return inbound.apply(conn, found, now, me), read.capped


def _machines(addresses: Mapping[int, Sequence[tuple[str, str, str | None]]]) -> set[int]:
    """People all of whose identities are machines' (``kith.attention.actionable``)."""
    return {pid for pid, idents in addresses.items() if actionable.machine(idents) is not None}


def with_kith_contact(conn: Conn, r: Relationship, at: int, now: int) -> Relationship:
    """``r`` as if the analytics knew of my contact at ``at`` (``kith done``).

    It is my latest message to them, and it answers everything they sent
    before it: what is still waiting is what they wrote after it and after my
    latest message the analytics know of (looked up for this person only).
    """
    if r.asked is not None and at >= (r.last_out_at or 0):
        r = replace(r, asked=None)  # my question was followed up
    last_out = max(r.last_out_at or 0, at)
    if not r.waiting or r.oldest_waiting_at is None or r.oldest_waiting_at > at:
        return replace(r, last_out_at=last_out)
    after = None
    if (r.last_in_at or 0) > at:
        after = store.inbound_after(conn, r.person_id, last_out, now, ANSWERABLE_KINDS)
    if after is None:
        return replace(r, last_out_at=last_out, waiting=0, oldest_waiting_at=None)
    first, count = after
    return replace(r, last_out_at=last_out, waiting=count, oldest_waiting_at=first)


def _due_items(
    found: Sequence[Item], known: Mapping[str, store.ItemRow], now: int, queue_start: int
) -> tuple[list[Item], list[dict[str, Any]]]:
    """The items due now with the wait each carries, and the rows of those new to the queue."""
    due: list[Item] = []
    new: list[dict[str, Any]] = []
    for item in found:
        row = known.get(item.id)
        if row is None:
            since = item.due_since if item.kind == "reply" else max(item.due_since, queue_start)
            new.append(
                {
                    "id": item.id,
                    "kind": item.kind,
                    "person_id": item.person_id,
                    "tier": item.tier,
                    "first_due_at": since,
                    "first_seen_at": now,
                    "first_listed_at": None,
                    "status": "open",
                    "snoozed_until": None,
                    "acted_at": None,
                }
            )
        elif row.status in ("done", "skipped") or (
            row.status == "snoozed" and now < (row.snoozed_until or 0)
        ):
            continue
        else:
            since = row.first_due_at
        due.append(item if since == item.due_since else replace(item, due_since=since))
    return due, new


def _back_from_snooze(
    due: Sequence[Item],
    known: Mapping[str, store.ItemRow],
    budget: int,
    now: int,
    state: FairState,
) -> list[Item]:
    """Snoozed items back today, as many as fit: the user asked to see them
    that day, so they go on the list ahead of the scheduler's choice (their
    proactive minutes count as their tier's service). From the next day on
    they are ordinary due items, their wait as it was."""
    start = day_start(day_of(now))

    def returning(i: Item) -> bool:
        row = known.get(i.id)
        until = row.snoozed_until if row is not None and row.status == "snoozed" else None
        return until is not None and start <= until < start + DAY

    back = sorted(
        (i for i in due if returning(i)),
        key=lambda i: (known[i.id].snoozed_until or 0, i.due_since, i.id),
    )
    taken: list[Item] = []
    used = 0
    for item in back:
        if used + item.minutes > budget:
            continue
        taken.append(item)
        used += item.minutes
        if item.kind != "reply" and item.days_due(now) < MAX_WAIT_DAYS:
            weight = TIER_WEIGHTS.get(item.tier, min(TIER_WEIGHTS.values()))
            state.served[item.tier] = state.served.get(item.tier, 0.0) + item.minutes / weight
    return taken


def _done_today(conn: Conn, key: str, state: FairState) -> list[DoneToday]:
    """What was done on day ``key``; its proactive minutes count as the day's
    service in ``state``, as the scheduler would have counted them (overdue
    items excepted, which it takes without charging their tier)."""
    acts = [a for a in store.actions(conn, key) if a["action"] == "done"]
    rows = store.known_items(conn, [str(a["item_id"]) for a in acts])
    done = []
    for a in acts:
        row = rows.get(str(a["item_id"]))
        tier = row.tier if row else "long_tail"
        overdue = row is not None and int(a["at"]) - row.first_due_at >= MAX_WAIT_DAYS * DAY
        if a["kind"] != "reply" and not overdue:
            weight = TIER_WEIGHTS.get(tier, min(TIER_WEIGHTS.values()))
            state.served[tier] = state.served.get(tier, 0.0) + int(a["minutes"]) / weight
        done.append(
            DoneToday(
                str(a["item_id"]),
                str(a["kind"]),
                int(a["person_id"]),
                store.person_name(conn, int(a["person_id"])),
                int(a["minutes"]),
                int(a["at"]),
            )
        )
    return done
