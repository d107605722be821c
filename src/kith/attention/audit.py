"""Is the daily queue fair? The measures ``kith audit attention`` prints from
the recorded items, actions and days, and ``bench/simulate_attention.py``
prints for a simulated quarter.

- **Response rate and time** (by group): of the reply items the queue found,
  the share done, and the median days from the wait's start to done.
  Gunarathne, Rui & Seidmann (2018) found airlines answered under half of
  complaints and favoured customers with more followers: across groups of
  reach (the simulation) or of closeness (real data) these should be flat.
- **Longest wait**: the most days any due item waited before it was first
  listed (or, for one still left off, up to its day's list), against the
  scheduler's bound ``MAX_WAIT_DAYS``; lists are made once a day, so a wait
  may pass the bound by less than a day. Waits count from the first day the
  queue was planned: what was already overdue then (a backlog of replies
  kith inherited) is counted apart, as ``inherited``.
- **Budget use**: minutes listed (done included) over the day's budget, on
  average; and minutes done over the budget.
- **Gini of minutes per person**: how unequally the minutes done were
  spread over the people who had anything due (0: evenly; near 1: all on
  one person). Some inequality is expected (a weekly rhythm needs more
  than a yearly one); the figure is for watching over time.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from kith.attention.scheduler import MAX_WAIT_DAYS
from kith.store.attention import DayRow, ItemRow
from kith.units import DAY


@dataclass(frozen=True, slots=True)
class GroupMeasure:
    """The reply measures of one group of people (a tier, a reach decile)."""

    group: str
    people: int
    replies: int
    answered: int
    rate: float | None
    median_days: float | None
    minutes: int


@dataclass(slots=True)
class AttentionAudit:
    """Every measure of the module docstring."""

    days: int = 0
    budget_use: float | None = None
    done_use: float | None = None
    items: int = 0
    replies: int = 0
    answered: int = 0
    response_rate: float | None = None
    median_response_days: float | None = None
    longest_wait_days: float | None = None
    longest_wait_item: str | None = None
    over_bound: int = 0
    inherited: int = 0
    bound_days: int = MAX_WAIT_DAYS
    gini: float | None = None
    people: int = 0
    #: What the queue lets go (``kith.store.attention.let_go``), when counted.
    stale_replies: int | None = None
    cold: int | None = None
    groups: list[GroupMeasure] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def gini(values: Sequence[float]) -> float | None:
    """Gini coefficient of ``values`` (≥ 0): G = Σᵢ(2i − n − 1)·x₍ᵢ₎ / (n·Σx),
    over the values sorted ascending, i = 1…n; None for no values, 0 when all are 0."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return None
    total = sum(xs)
    if total == 0:
        return 0.0
    return sum((2 * i - n - 1) * x for i, x in enumerate(xs, start=1)) / (n * total)


def _day_start(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def measure(
    items: Sequence[ItemRow],
    actions: Sequence[Mapping[str, Any]],
    days: Sequence[DayRow],
    *,
    group_of: Mapping[int, str] | None = None,
    groups: Sequence[str] = (),
) -> AttentionAudit:
    """The measures of the module docstring. People are grouped by
    ``group_of`` (person id → group; people without one are left out of the
    groups), or else by the tier of each item; ``groups`` orders the groups
    (and names those that may have no items)."""
    audit = AttentionAudit(days=len(days), items=len(items))
    done_minutes: dict[int, int] = {}
    done_by_day: dict[str, int] = {}
    done_ids: dict[str, set[str]] = {}
    for a in actions:
        if a["action"] == "done":
            pid = int(a["person_id"])
            day = str(a["day"])
            done_minutes[pid] = done_minutes.get(pid, 0) + int(a["minutes"])
            done_by_day[day] = done_by_day.get(day, 0) + int(a["minutes"])
            done_ids.setdefault(day, set()).add(str(a["item_id"]))
    if days:
        # A day's minutes: what its (last) list holds and was not done, plus what was done.
        listed = [
            (
                sum(int(i["minutes"]) for i in d.items if i["id"] not in done_ids.get(d.day, ()))
                + done_by_day.get(d.day, 0)
            )
            / d.budget
            for d in days
            if d.budget
        ]
        done = [done_by_day.get(d.day, 0) / d.budget for d in days if d.budget]
        audit.budget_use = statistics.fmean(listed) if listed else None
        audit.done_use = statistics.fmean(done) if done else None

    start = _day_start(min(d.day for d in days)) if days else 0
    waits: list[tuple[float, str]] = []
    for it in items:
        if it.first_listed_at is not None:
            waits.append(((it.first_listed_at - max(it.first_due_at, start)) / DAY, it.id))
        if (start - it.first_due_at) / DAY > MAX_WAIT_DAYS:
            audit.inherited += 1
    for d in days:
        if d.oldest_left_at is not None:
            wait = (d.planned_at - max(d.oldest_left_at, start)) / DAY
            waits.append((wait, f"one left off on {d.day}"))
    if waits:
        longest = max(waits)
        audit.longest_wait_days, audit.longest_wait_item = longest
        audit.over_bound = sum(1 for w, _ in waits if w > MAX_WAIT_DAYS + 1)

    replies = [it for it in items if it.kind == "reply"]
    answered = [it for it in replies if it.status == "done" and it.acted_at is not None]
    audit.replies, audit.answered = len(replies), len(answered)
    audit.response_rate = len(answered) / len(replies) if replies else None
    audit.median_response_days = _median(
        [((it.acted_at or 0) - it.first_due_at) / DAY for it in answered]
    )

    people = {it.person_id for it in items}
    audit.people = len(people)
    audit.gini = gini([done_minutes.get(p, 0) for p in people])

    def group(it: ItemRow) -> str | None:
        return group_of.get(it.person_id) if group_of is not None else it.tier

    names = list(groups) + sorted({g for it in items if (g := group(it)) is not None} - set(groups))
    for name in names:
        mine = [it for it in items if group(it) == name]
        rep = [it for it in mine if it.kind == "reply"]
        ans = [it for it in rep if it.status == "done" and it.acted_at is not None]
        who = {it.person_id for it in mine}
        audit.groups.append(
            GroupMeasure(
                name,
                len(who),
                len(rep),
                len(ans),
                len(ans) / len(rep) if rep else None,
                _median([((it.acted_at or 0) - it.first_due_at) / DAY for it in ans]),
                sum(done_minutes.get(p, 0) for p in who),
            )
        )
    return audit
