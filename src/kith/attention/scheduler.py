"""Choosing the day's items fairly, within the minutes there are.

The rules, in order (each a product choice, stated here and tested):

0. **A day that mixes.** When kinds other than replies are due, each keeps
   a place: the most pressing item of each such kind (highest priority, as
   in rule 3) is taken first, as long as together they fit in ``MIX_SHARE``
   of the budget — the shortest first (then the most pressing), so that as
   many kinds as possible fit; a kind whose item does not fit is passed
   over. The rule is over kinds, not a list of them: a new kind of item gets
   its place without a change here.
   The rest of the budget, at least ``1 - MIX_SHARE`` of it, goes by the
   rules below, so people who wait still come first.
1. **Overdue first.** An item due for ``MAX_WAIT_DAYS`` or more is taken
   before anything else, oldest first. This is the starvation bound: as long
   as the overdue items fit in the day's budget, no due item waits longer than
   ``MAX_WAIT_DAYS`` days. ``kith audit attention`` reports when they do not.
2. **Replies, oldest first,** up to ``REPLY_SHARE`` of the budget when
   proactive items are waiting (all of it otherwise). Nothing about the
   person — followers, revenue, status — moves a reply ahead; only its age.
3. **Proactive outreach shared between tiers** (inner circle, active, long
   tail, and the unseen: people who give much, reach little and get little
   attention) in proportion to ``TIER_WEIGHTS``, by weighted fair queueing
   over minutes — the next item comes from the tier that has received the
   fewest minutes for its weight, counted across days (the same long-run
   shares as deficit round robin, Shreedhar & Varghese 1995, without its
   quantum to tune). A tier with nothing waiting saves no credit. Within a
   tier, priority is the item's urgency plus ``AGING_PER_DAY`` for every day
   it has been due, so waiting raises it.
4. **The budget is filled well**: the candidates in fair order are chosen
   by a 0/1 knapsack over whole minutes; an item is worth its minutes times
   a weight falling with its rank, so the time is used and earlier items are
   preferred: where a greedy cut stops at the first item that does not fit,
   the knapsack takes the later ones that do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kith.units import DAY

#: Longest a due item may wait before it is taken ahead of everything.
MAX_WAIT_DAYS = 14
#: Most of a day's budget the one-of-each-kind places of rule 0 may take.
MIX_SHARE = 0.4
#: The kind that answers someone who waits (rules 1–2); every other kind is proactive.
REPLY_KIND = "reply"
#: Most of a day's budget replies may take while proactive items wait.
REPLY_SHARE = 0.6
#: Share of the proactive minutes each tier earns per day (a product choice).
TIER_WEIGHTS: Mapping[str, float] = {
    "inner": 0.35,
    "active": 0.30,
    "long_tail": 0.20,
    "unseen": 0.15,
}
#: Priority added per day an item has been due.
AGING_PER_DAY = 0.25
#: Worth of the k-th candidate in fair order, for the knapsack: minutes × RANK_DECAY ** k.
RANK_DECAY = 0.9
#: How many optional candidates the knapsack weighs (0.9 ** 80 < 0.001).
KNAPSACK_DEPTH = 80


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something worth doing today for someone."""

    id: str
    kind: str  # reply, thank, check_in, welcome, follow_up, celebrate
    person_id: int
    tier: str
    minutes: int
    urgency: float
    due_since: int

    def days_due(self, now: int) -> float:
        return max(0.0, (now - self.due_since) / DAY)


@dataclass(slots=True)
class FairState:
    """What the scheduler carries from one day to the next: the proactive
    minutes each tier has received, divided by its weight."""

    served: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIER_WEIGHTS, 0.0))


def choose(
    candidates: Sequence[Candidate], budget: int, now: int, state: FairState
) -> list[Candidate]:
    """The day's items, at most ``budget`` minutes, in the order to do them.

    ``state`` carries each tier's service so far to the next day.
    """
    if budget <= 0 or not candidates:
        return []
    mixed = _one_of_each_kind(candidates, budget, now)
    room = budget - sum(c.minutes for c in candidates if c.id in mixed)
    overdue = sorted(
        (c for c in candidates if c.days_due(now) >= MAX_WAIT_DAYS),
        key=lambda c: (c.due_since, c.id),
    )
    first = _prefix_that_fits([c for c in overdue if c.id not in mixed], room)
    mandatory = first | mixed
    rest = [c for c in candidates if c.days_due(now) < MAX_WAIT_DAYS]
    replies = sorted((c for c in rest if c.kind == REPLY_KIND), key=lambda c: (c.due_since, c.id))
    proactive = [c for c in rest if c.kind != REPLY_KIND]

    # The replies' share is of the day, not of what rule 0 left: the places kept
    # for other kinds come out of the proactive minutes first.
    left = budget - sum(c.minutes for c in overdue if c.id in first)
    reply_cap = left * (REPLY_SHARE if proactive else 1.0)
    first_replies = _prefix_within(replies, reply_cap)
    left -= sum(c.minutes for c in first_replies)

    queues = _tier_queues(proactive, now)
    fair = _fair_order(queues, state)
    taken = {c.id for c in (*overdue, *first_replies)}
    later_replies = [c for c in replies if c.id not in taken]
    ordered = [*overdue, *first_replies, *fair, *later_replies]
    chosen = _knapsack(ordered, budget, mandatory)

    chosen_ids = {c.id for c in chosen}
    for c in chosen:
        free = c.id in mandatory and c.days_due(now) >= MAX_WAIT_DAYS  # the bound's, uncharged
        if c.kind != REPLY_KIND and not free:
            state.served[c.tier] = state.served.get(c.tier, 0.0) + c.minutes / _weight(c.tier)
    waiting = [t for t, q in queues.items() if any(c.id not in chosen_ids for c in q)]
    if waiting:
        floor = min(state.served.get(t, 0.0) for t in waiting)
        for tier in TIER_WEIGHTS:
            if tier not in waiting:
                # An idle tier saves no credit: it comes back level with the others.
                state.served[tier] = max(state.served.get(tier, 0.0), floor)
    return chosen


def _weight(tier: str) -> float:
    return TIER_WEIGHTS.get(tier, min(TIER_WEIGHTS.values()))


def _fair_order(queues: dict[str, list[Candidate]], state: FairState) -> list[Candidate]:
    """Weighted fair queueing over the tiers: the next item comes from the
    tier that has received the least service for its weight so far."""
    served = {tier: state.served.get(tier, 0.0) for tier in queues}
    heads = {tier: 0 for tier in queues}
    order: list[Candidate] = []
    while True:
        ready = [t for t, q in queues.items() if heads[t] < len(q)]
        if not ready:
            return order
        tier = min(ready, key=lambda t: (served[t], t))
        item = queues[tier][heads[tier]]
        heads[tier] += 1
        served[tier] += item.minutes / _weight(tier)
        order.append(item)


def _one_of_each_kind(candidates: Sequence[Candidate], budget: int, now: int) -> set[str]:
    """Rule 0: the ids of the most pressing item of each kind but replies, the
    shortest first (then the most pressing), within ``MIX_SHARE`` of ``budget``."""
    best: dict[str, Candidate] = {}
    for c in candidates:
        if c.kind == REPLY_KIND:
            continue
        held = best.get(c.kind)
        if held is None or (-_priority(c, now), c.id) < (-_priority(held, now), held.id):
            best[c.kind] = c
    room = int(budget * MIX_SHARE)
    taken: set[str] = set()
    for c in sorted(best.values(), key=lambda c: (c.minutes, -_priority(c, now), c.kind)):
        if c.minutes <= room:
            taken.add(c.id)
            room -= c.minutes
    return taken


def _priority(c: Candidate, now: int) -> float:
    return c.urgency + AGING_PER_DAY * c.days_due(now)


def _tier_queues(items: Sequence[Candidate], now: int) -> dict[str, list[Candidate]]:
    """Each tier's items, highest priority first."""
    queues: dict[str, list[Candidate]] = {tier: [] for tier in TIER_WEIGHTS}
    for c in items:
        queues.setdefault(c.tier, []).append(c)
    for queue in queues.values():
        queue.sort(key=lambda c: (-_priority(c, now), c.id))
    return queues


def _prefix_within(items: Sequence[Candidate], minutes: float) -> list[Candidate]:
    """The leading items that fit in ``minutes`` (skipping none: a queue's order holds)."""
    taken: list[Candidate] = []
    used = 0
    for c in items:
        if used + c.minutes > minutes:
            break
        taken.append(c)
        used += c.minutes
    return taken


def _prefix_that_fits(items: Sequence[Candidate], budget: int) -> set[str]:
    taken: set[str] = set()
    used = 0
    for c in items:
        if used + c.minutes <= budget:
            taken.add(c.id)
            used += c.minutes
    return taken


def _knapsack(ordered: Sequence[Candidate], budget: int, mandatory: set[str]) -> list[Candidate]:
    """0/1 knapsack over minutes: the most valuable set within ``budget``, an
    item worth its minutes × RANK_DECAY ** rank (time used, earlier first),
    mandatory items always in; kept in fair order.

    Only the first ``KNAPSACK_DEPTH`` optional candidates are weighed: past
    them a rank's value is below a thousandth of the first's."""
    must = [c for c in ordered if c.id in mandatory]
    room = budget - sum(c.minutes for c in must)
    optional = [(rank, c) for rank, c in enumerate(ordered) if c.id not in mandatory]
    optional = [(r, c) for r, c in optional if c.minutes <= room][:KNAPSACK_DEPTH]
    value = [0.0] * (room + 1)
    took: list[list[bool]] = []
    for rank, c in optional:
        worth = c.minutes * RANK_DECAY**rank
        row = [False] * (room + 1)
        for m in range(room, c.minutes - 1, -1):
            with_it = value[m - c.minutes] + worth
            if with_it > value[m] + 1e-12:
                value[m] = with_it
                row[m] = True
        took.append(row)
    picked = {c.id for c in must}
    m = room
    for i in range(len(optional) - 1, -1, -1):
        if took[i][m]:
            picked.add(optional[i][1].id)
            m -= optional[i][1].minutes
    return [c for c in ordered if c.id in picked]
