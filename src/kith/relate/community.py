"""Community: love, reach and orbit level for people in public circles.

The Orbit Model (MIT; read in three versions, docs/science.md "Community"):

- love = Σ weight(kind) · 0.9^(months ago) over what they did in public
  circles (v2); the weights per kind are ours, on v3's 1–12 scale
  (``WEIGHTS``);
- reach = Σ over their ties to others of log(1 + shared interactions) ·
  0.9^(idle months of the tie) (v3: connection strengths decaying 10% per
  idle month; the tie strength log(1 + n) is ours);
- orbit level 1 (closest) to 4: reached by love (``LOVE_LEVELS``, ours) or
  by presence — 2 active days in the last week → 1, 7 in the last 30 days →
  2, 30 in the last quarter → 3 (v3's three presence rules as we read them;
  mapping each to a level is ours). v3 promotes at once and demotes only
  periodically; kith computes the level afresh each time (no demotion delay).

Only people with interactions in a public circle (a mailing list, a forum, a
public post) get these; anyone else is ``None``.
"""

from __future__ import annotations

from typing import Any

from kith.relate.data import Event
from kith.relate.explain import Explanation
from kith.units import DAY

MONTH_DAYS = 30.4375
MONTHLY_DECAY = 0.9
#: Activity weights per kind (ours, on the Orbit v3 1–12 scale).
WEIGHTS = {
    "like": 1,
    "connect": 1,
    "mention": 2,
    "message": 3,
    "comment": 3,
    "reply": 4,
    "share": 5,
    "answer": 6,
    "meeting": 6,
    "intro": 8,
    "referral": 8,
    "purchase": 8,
}
DEFAULT_WEIGHT = 2
#: Love needed for orbit levels 1, 2 and 3 (ours).
LOVE_LEVELS = ((1, 40.0), (2, 12.0), (3, 3.0))
#: Presence: (level, active days needed, within this many days).
PRESENCE = ((1, 2, 7), (2, 7, 30), (3, 30, 91))


def love(events: list[Event], now: int) -> float:
    """Σ weight · 0.9^months over their own public activity."""
    total = 0.0
    for e in events:
        if not e.public or not (e.authored or e.direction == "in"):
            continue
        months = max(now - e.at, 0) / DAY / MONTH_DAYS
        total += WEIGHTS.get(e.kind, DEFAULT_WEIGHT) * MONTHLY_DECAY**months
    return total


def reach(ties: list[tuple[int, int]], now: int) -> float:
    """Σ log(1 + interactions) · 0.9^(idle months) over (interactions, last_at) of their ties."""
    import math

    return math.fsum(
        math.log1p(n) * MONTHLY_DECAY ** (max(now - last, 0) / DAY / MONTH_DAYS) for n, last in ties
    )


def level(love_value: float, events: list[Event], now: int) -> tuple[int, str]:
    """Orbit level 1–4 and what reached it."""
    days = {e.at // DAY for e in events if e.public and e.authored}
    best = (4, "below every threshold")
    for lvl, floor in LOVE_LEVELS:
        if love_value >= floor:
            best = (lvl, f"love {love_value:.1f} ≥ {floor:g}")
            break
    for lvl, needed, within in PRESENCE:
        active = sum(1 for d in days if d * DAY > now - within * DAY)
        if active >= needed and lvl < best[0]:
            best = (lvl, f"{active} active days in the last {within}")
    return best


def community(events: list[Event], ties: list[tuple[int, int]], now: int) -> dict[str, Any] | None:
    """Love, reach and orbit level, or None when they are in no public circle."""
    public = [e for e in events if e.public]
    if not public:
        return None
    value = love(events, now)
    r = reach(ties, now)
    lvl, why = level(value, events, now)
    own = sum(1 for e in public if e.authored)
    return {
        "love": round(value, 2),
        "reach": round(r, 2),
        "orbit_level": lvl,
        "summary": f"orbit {lvl} ({why}); love {value:.1f}, reach {r:.1f}",
        "evidence": [
            f"{len(public)} public interactions, {own} of them theirs",
            f"{len(ties)} ties to others in the ledger",
        ],
    }


EXPLANATION = Explanation(
    name="community",
    title="love, reach and orbit level (the Orbit Model)",
    formula=(
        "love = Σ weight(kind) · 0.9^(months ago) over their public activity;\n"
        "reach = Σ_ties log(1 + shared interactions) · 0.9^(idle months);\n"
        "orbit level: love ≥ 40 → 1, ≥ 12 → 2, ≥ 3 → 3, else 4; or presence: 2 active days\n"
        "in a week → 1, 7 in 30 days → 2, 30 in a quarter → 3 (the closer level wins).\n"
        "weights: " + ", ".join(f"{k} {v}" for k, v in WEIGHTS.items()) + "."
    ),
    source=(
        "The Orbit Model (read, v2 and v3): love with 0.9 monthly decay, activity weights\n"
        "1–12, presence rules, reach decaying 10% per idle month."
    ),
    status="read source; weights per kind, love thresholds and the level mapping are ours.",
    validation=(
        "tests: hand-made public activity with known months gives the formula's love; "
        "presence rules reach the levels stated."
    ),
    notes="Community",
)
