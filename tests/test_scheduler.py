"""The fair scheduler: budget filled, replies oldest first, tiers shared,
nobody waits past the stated bound."""

from __future__ import annotations

import random

from kith.attention.scheduler import (
    MAX_WAIT_DAYS,
    TIER_WEIGHTS,
    Candidate,
    FairState,
    choose,
)
from kith.units import DAY

NOW = 1_800_000_000


def item(i, kind="check_in", tier="active", minutes=5, urgency=1.0, days=0.0, person=None):
    return Candidate(
        id=f"{kind}-{i}",
        kind=kind,
        person_id=person if person is not None else i,
        tier=tier,
        minutes=minutes,
        urgency=urgency,
        due_since=int(NOW - days * DAY),
    )


def test_an_empty_day_and_no_budget():
    assert choose([], 30, NOW, FairState()) == []
    assert choose([item(1)], 0, NOW, FairState()) == []


def test_the_budget_is_filled_not_cut_greedily():
    # In fair order 20, 15, 10, 5 minutes: a greedy cut stops after the 20
    # (the 15 does not fit), the knapsack fills all 30 minutes.
    items = [
        item(1, tier="inner", minutes=20, urgency=4),
        item(2, tier="inner", minutes=15, urgency=3),
        item(3, tier="inner", minutes=10, urgency=2),
        item(4, tier="inner", minutes=5, urgency=1),
    ]
    chosen = choose(items, 30, NOW, FairState())
    assert sum(c.minutes for c in chosen) == 30
    assert [c.id for c in chosen] == ["check_in-1", "check_in-3"]  # the first, and a fit


def test_replies_go_oldest_first_whoever_they_are_from():
    replies = [
        item(1, kind="reply", days=1, urgency=100),  # "important" but recent
        item(2, kind="reply", days=6, urgency=0),
        item(3, kind="reply", days=3, urgency=0),
    ]
    chosen = choose(replies, 10, NOW, FairState())
    assert [c.id for c in chosen] == ["reply-2", "reply-3"]


def test_overdue_items_come_before_everything():
    old = item(9, tier="long_tail", days=MAX_WAIT_DAYS + 1, urgency=0)
    replies = [item(i, kind="reply", days=5) for i in range(10)]
    chosen = choose([*replies, old], 15, NOW, FairState())
    assert chosen[0].id == old.id


def test_tiers_share_the_proactive_minutes_over_days():
    rng = random.Random(3)
    state = FairState()
    minutes_by_tier = dict.fromkeys(("inner", "active", "long_tail", "unseen"), 0)
    backlog = [
        item(
            i,
            tier=tier,
            minutes=rng.choice([5, 10]),
            urgency=rng.random() * (3 if tier == "inner" else 1),
        )
        for i, tier in enumerate(
            ["inner"] * 200 + ["active"] * 200 + ["long_tail"] * 200 + ["unseen"] * 200
        )
    ]
    # all tiers backlogged, within the wait bound (past it, the oldest go first)
    for day in range(MAX_WAIT_DAYS - 1):
        now = NOW + day * DAY
        chosen = choose(backlog, 60, now, state)
        for c in chosen:
            minutes_by_tier[c.tier] += c.minutes
        backlog = [c for c in backlog if c not in chosen]
    total = sum(minutes_by_tier.values())
    shares = {t: m / total for t, m in minutes_by_tier.items()}
    for tier, weight in TIER_WEIGHTS.items():  # the little guys ("unseen") included
        assert abs(shares[tier] - weight) < 0.03, (tier, shares)


def test_nobody_waits_past_the_bound_when_the_budget_can_carry_the_load():
    rng = random.Random(11)
    state = FairState()
    due: dict[str, Candidate] = {}
    waited = []
    next_id = 0
    for day in range(90):
        now = NOW + day * DAY
        for _ in range(rng.randint(2, 7)):  # new items every day, ~25 minutes' worth
            tier = rng.choice(["inner", "active", "long_tail", "long_tail", "unseen"])
            kind = rng.choice(["reply", "check_in", "thank"])
            c = item(
                next_id,
                kind=kind,
                tier=tier,
                minutes=rng.choice([3, 5, 10]),
                urgency=rng.random() * 5,
                days=0,
            )
            due[c.id] = (
                Candidate(**{**c.__getstate__(), "due_since": now})
                if hasattr(c, "__getstate__") and False
                else Candidate(c.id, c.kind, c.person_id, c.tier, c.minutes, c.urgency, now)
            )
            next_id += 1
        chosen = choose(list(due.values()), 35, now, state)
        for c in chosen:
            waited.append(c.days_due(now))
            del due[c.id]
    still = [c.days_due(NOW + 89 * DAY) for c in due.values()]
    assert max(waited) <= MAX_WAIT_DAYS
    assert max(still, default=0) <= MAX_WAIT_DAYS


def test_a_day_keeps_one_place_for_each_kind_due():
    """Rule 0: ten overdue replies would fill the day; the thank-you, welcome and
    follow-up due keep one place each, within MIX_SHARE of the budget."""
    from kith.attention.scheduler import MIX_SHARE

    replies = [item(i, kind="reply", days=MAX_WAIT_DAYS + 5) for i in range(10)]
    others = [
        item(20, kind="thank", days=1),
        item(21, kind="welcome", days=2),
        item(22, kind="thank", days=0),
        item(23, kind="check_in", minutes=10, days=1),
    ]
    chosen = choose([*replies, *others], 30, NOW, FairState())
    kinds = {c.kind for c in chosen}
    assert {"reply", "thank", "welcome"} <= kinds
    mixed = [c for c in chosen if c.kind != "reply"]
    assert sum(c.minutes for c in mixed) <= 30 * MIX_SHARE
    assert [c.id for c in chosen if c.kind == "thank"] == ["thank-20"]  # its best, not both
    # the rest of the day still goes to the people who wait, oldest first
    assert sum(c.minutes for c in chosen if c.kind == "reply") >= 30 * (1 - MIX_SHARE)
    # with only replies due, they take the whole day
    assert {c.kind for c in choose(replies, 30, NOW, FairState())} == {"reply"}
