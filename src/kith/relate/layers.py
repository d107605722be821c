"""Dunbar layers (5 / 15 / 50 / 150 / beyond) and cooling against one's own rhythm.

Layer, by rank (SCIENCE.md "Dunbar's layers", the *proposal*): rank my
two-way relationships by contact rate — the decayed count of interactions
with them (90-day half-life, the feature pipeline's ``decayed``) — and cut at
the cumulative caps 5, 15, 50 and 150 (Dunbar 2020, abstract read; Hill &
Dunbar 2003, read: ~150). Only people I exchange with both ways are ranked:
the layers describe relationships I keep, not a fan base; anyone else is
``outside`` (not ranked).

Rhythm layer, by frequency: contact days per month, cut at ≥ 4 (weekly: the
inner layer) and ≥ 1 (monthly: the next) — the only frequencies sourced,
second-hand — then ≥ 1 per 6 months and ≥ 1 per year, which are ours.

Cooling: the rhythm layer of the last 90 days is outer to that of the last
365 days ("the 90-day rate falls a layer below the 365-day rate", the
proposal), or the silence has reached twice the person's usual gap between
contact days (``cooling_ratio`` ≥ 2, as the daily queue's check-ins).
"""

from __future__ import annotations

from typing import Any

from kith.relate.explain import Explanation

RANK_CAPS = (5, 15, 50, 150)
#: Contact days per month that reach each layer (5: weekly, 15: monthly —
#: second-hand; 50 and 150: ours).
RATE_FLOORS = ((5, 4.0), (15, 1.0), (50, 1 / 6), (150, 1 / 12))
#: Silence of this many usual gaps counts as cooling.
COOLING_RATIO = 2.0
DAYS_PER_MONTH = 365.25 / 12


def layer_of_rank(rank: int | None) -> str:
    """``"5"``, ``"15"``, ``"50"``, ``"150"``, ``"beyond"``, or ``"outside"``
    (not ranked: not a two-way relationship). ``rank`` counts from 1."""
    if rank is None:
        return "outside"
    for cap in RANK_CAPS:
        if rank <= cap:
            return str(cap)
    return "beyond"


def rate_layer(per_month: float) -> str:
    """The layer whose typical contact frequency ``per_month`` reaches."""
    for layer, floor in RATE_FLOORS:
        if per_month >= floor:
            return str(layer)
    return "beyond"


def _outer(a: str, b: str) -> bool:
    order = ["5", "15", "50", "150", "beyond"]
    return order.index(a) > order.index(b)


def layer(rank: int | None, contact_rate: float) -> dict[str, Any]:
    """The rank layer with its evidence."""
    name = layer_of_rank(rank)
    if rank is None:
        summary = "not ranked: layers are for people you exchange with both ways"
    else:
        summary = (
            f"layer {name}: #{rank} of your two-way relationships by contact rate"
            if name != "beyond"
            else f"beyond 150: #{rank} by contact rate"
        )
    return {
        "layer": name,
        "rank": rank,
        "summary": summary,
        "evidence": [f"decayed contact rate {contact_rate:.2f} (90-day half-life)"],
    }


def cooling(
    days_90: int,
    days_365: int,
    cooling_ratio: float | None,
    median_gap_days: float | None,
    silence_days: float | None,
) -> dict[str, Any]:
    """Cooling from contact days in the last 90 and 365 days and the usual gap."""
    rate_90 = days_90 / (90 / DAYS_PER_MONTH)
    rate_365 = days_365 / (365 / DAYS_PER_MONTH)
    l90, l365 = rate_layer(rate_90), rate_layer(rate_365)
    slower = days_365 > 0 and _outer(l90, l365)
    overdue = cooling_ratio is not None and cooling_ratio >= COOLING_RATIO
    evidence = [
        f"{days_90} contact days in the last 90 days ({rate_90:.1f}/month: layer {l90})",
        f"{days_365} in the last 365 ({rate_365:.1f}/month: layer {l365})",
    ]
    if median_gap_days is not None and silence_days is not None:
        evidence.append(
            f"silent {silence_days:.0f} days; usual gap {median_gap_days:.0f} days"
            + (f" ({cooling_ratio:.1f}×)" if cooling_ratio is not None else "")
        )
    if slower and overdue:
        summary = f"cooling: from layer {l365} to {l90}, and silent past twice the usual gap"
    elif slower:
        summary = f"cooling: the last 90 days fall from layer {l365} to {l90}"
    elif overdue:
        summary = f"cooling: silent {cooling_ratio:.1f}× the usual gap"
    else:
        summary = "steady against their own rhythm"
    return {
        "cooling": slower or overdue,
        "rate_90": round(rate_90, 2),
        "rate_365": round(rate_365, 2),
        "layer_90": l90,
        "layer_365": l365,
        "cooling_ratio": None if cooling_ratio is None else round(cooling_ratio, 2),
        "summary": summary,
        "evidence": evidence,
    }


EXPLANATION = Explanation(
    name="layer",
    title="Dunbar layer (5 / 15 / 50 / 150 / beyond) and cooling",
    formula=(
        "layer: rank two-way relationships by decayed contact rate (90-day half-life);\n"
        "ranks 1–5 → 5, 6–15 → 15, 16–50 → 50, 51–150 → 150, then beyond; one-way → outside.\n"
        "rhythm layer: contact days per month ≥ 4 → 5, ≥ 1 → 15, ≥ 1/6 → 50, ≥ 1/12 → 150.\n"
        "cooling: rhythm layer of the last 90 days outer to that of the last 365,\n"
        f"or silence ≥ {COOLING_RATIO:g} × the median gap between contact days."
    ),
    source=(
        "Dunbar 2020 (abstract read): layers 5/15/50/150, each ~3× the last;\n"
        "Hill & Dunbar 2003 (read): networks of ~150; 'inner layer at least weekly,\n"
        "next at least monthly' (second-hand). The rank caps and cooling rule are\n"
        "SCIENCE.md's proposal."
    ),
    status=(
        "proposal. Frequencies for layers 50 and 150 are ours. Rank by contact rate rather\n"
        "than by clustering log rates (the proposal's second option, not built)."
    ),
    validation=(
        "tests: a hand-made ledger with known rates lands each person in the expected layer;\n"
        "on the sample world, planted weekly-rhythm people rank in the inner layers more\n"
        "often than quarterly ones, and planted cooling people are flagged (tests/test_relate.py)."
    ),
)
