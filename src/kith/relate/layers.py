"""Dunbar layers: support 5, sympathy 15, close 50, active 150; beyond; outside.

The one definition every surface uses (``kith relationships``, ``kith
person``, the web app's People and Person pages, the daily queue's tiers).

Layer, by rank (docs/science.md "Dunbar's layers", the *proposal*): rank my
two-way relationships (both sides have written) by contact rate — the
decayed count of interactions with them (``kith.units.HALF_LIFE_DAYS``
half-life, the feature pipeline's ``decayed``, aged to ``now``) — and cut at
the cumulative caps 5, 15, 50 and 150 (Dunbar 2020, abstract read; Hill &
Dunbar 2003, read: ~150). The names are Dunbar's: the support clique, the
sympathy group, close friends (the affinity group), the active network. Two-way
people ranked past 150 are ``beyond``; anyone else is ``outside``: the layers
describe relationships I keep, not a fan base.

Rhythm layer, by frequency: contact days per month, cut at ≥ 4 (weekly: the
inner layer) and ≥ 1 (monthly: the next) — the only frequencies sourced,
second-hand — then ≥ 1 per 6 months and ≥ 1 per year, which are ours. The
person report shows it for the last 90 and 365 days as evidence beside the
cooling rule (``kith.relate.cooling``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kith.relate.explain import Explanation
from kith.units import DAY, HALF_LIFE_DAYS

#: The layers by name, with the cumulative rank each reaches to.
LAYERS: Mapping[str, int] = {"support": 5, "sympathy": 15, "close": 50, "active": 150}
#: Two-way, ranked past the widest layer.
BEYOND = "beyond"
#: Not a two-way relationship: not ranked.
OUTSIDE = "outside"
#: Every layer name, innermost first.
LAYER_NAMES: tuple[str, ...] = (*LAYERS, BEYOND, OUTSIDE)
#: Ranks are counted this far (the widest layer); past it, ``beyond``.
RANKED = max(LAYERS.values())
#: Contact days per month that reach each layer (support: weekly, sympathy:
#: monthly — second-hand; close and active: ours).
RATE_FLOORS: Mapping[str, float] = {
    "support": 4.0,
    "sympathy": 1.0,
    "close": 1 / 6,
    "active": 1 / 12,
}
DAYS_PER_MONTH = 365.25 / 12


def is_two_way(n_in: int | None, n_out: int | None) -> bool:
    """Both sides have written: a relationship the layers rank."""
    return int(n_in or 0) > 0 and int(n_out or 0) > 0


def layer_of_rank(rank: int | None) -> str:
    """The layer of a two-way relationship at ``rank`` (from 1) among the
    two-way ones; None (ranked past ``RANKED``) is ``beyond``."""
    if rank is None:
        return BEYOND
    for name, cap in LAYERS.items():
        if rank <= cap:
            return name
    return BEYOND


def layer_of(n_in: int | None, n_out: int | None, rank: int | None) -> str:
    """The layer of a relationship: ``outside`` unless two-way, else by rank."""
    return layer_of_rank(rank) if is_two_way(n_in, n_out) else OUTSIDE


def aged(decayed: float, computed_at: int, half_life_days: float, now: int) -> float:
    """A decayed count stored at ``computed_at``, as of ``now`` (exact for
    exponential decay when nothing happened in between)."""
    if now <= computed_at or half_life_days <= 0:
        return float(decayed)
    return float(decayed * 2.0 ** (-(now - computed_at) / (half_life_days * DAY)))


def rank_closest(
    rows: Iterable[tuple[int, float, int, float]], now: int, read_all: bool
) -> dict[int, int] | None:
    """person id → rank (from 1) by decayed contact at ``now``, for the
    ``RANKED`` closest of ``rows`` — (person id, decayed, computed_at,
    half-life days) of two-way relationships, most stored decayed first.

    Ageing only lowers a figure, so when the ``RANKED``-th aged figure is at
    least the smallest stored figure read, nobody unread can be above it and
    the ranking is exact. Returns None when it is not (read more rows), unless
    ``read_all`` (the rows are every two-way relationship)."""
    listed = list(rows)
    order = sorted((-aged(d, c, hl, now), pid) for pid, d, c, hl in listed)[:RANKED]
    settled = len(order) == RANKED and -order[-1][0] >= listed[-1][1]
    if not (read_all or settled):
        return None
    return {pid: rank for rank, (_, pid) in enumerate(order, start=1)}


def rate_layer(per_month: float) -> str:
    """The layer whose typical contact frequency ``per_month`` reaches."""
    for name, floor in RATE_FLOORS.items():
        if per_month >= floor:
            return name
    return BEYOND


def layer(
    n_in: int | None, n_out: int | None, rank: int | None, contact_rate: float
) -> dict[str, Any]:
    """The layer with its evidence."""
    name = layer_of(n_in, n_out, rank)
    if name == OUTSIDE:
        summary = "outside the layers: they are for people you exchange with both ways"
    elif name == BEYOND:
        summary = f"beyond {RANKED}: past the first {RANKED} two-way relationships by contact rate"
    else:
        summary = f"{name} ({LAYERS[name]}): #{rank} of your two-way relationships by contact rate"
    return {
        "layer": name,
        "rank": rank if name not in (OUTSIDE, BEYOND) else None,
        "summary": summary,
        "evidence": [f"decayed contact rate {contact_rate:.2f} ({HALF_LIFE_DAYS:g}-day half-life)"],
    }


def rhythm(days_90: int, days_365: int) -> dict[str, Any]:
    """Contact days per month in the last 90 and 365 days, and the layer each reaches."""
    rate_90 = days_90 / (90 / DAYS_PER_MONTH)
    rate_365 = days_365 / (365 / DAYS_PER_MONTH)
    return {
        "rate_90": round(rate_90, 2),
        "rate_365": round(rate_365, 2),
        "layer_90": rate_layer(rate_90),
        "layer_365": rate_layer(rate_365),
    }


EXPLANATION = Explanation(
    name="layer",
    title="Dunbar layer: support 5 / sympathy 15 / close 50 / active 150 / beyond / outside",
    formula=(
        f"rank two-way relationships by decayed contact rate ({HALF_LIFE_DAYS:g}-day half-life,"
        " aged to now);\n"
        "ranks 1–5 → support, 6–15 → sympathy, 16–50 → close, 51–150 → active, then beyond;\n"
        "one-way or no contact → outside.\n"
        "rhythm layer (evidence): contact days per month ≥ 4 → support, ≥ 1 → sympathy,\n"
        "≥ 1/6 → close, ≥ 1/12 → active."
    ),
    source=(
        "Dunbar 2020 (abstract read): layers 5/15/50/150, each ~3× the last;\n"
        "Hill & Dunbar 2003 (read): networks of ~150; 'inner layer at least weekly,\n"
        "next at least monthly' (second-hand). The rank caps are a proposal of ours,\n"
        "meant for relationships the owner personally keeps."
    ),
    status=(
        "proposal. Frequencies for the close and active layers are ours. Rank by contact rate\n"
        "rather than by clustering log rates (the proposal's second option, not built)."
    ),
    validation=(
        "tests: ranks land in the expected layers; on the sample world, planted weekly-rhythm\n"
        "people rank in the inner layers more often than quarterly ones (tests/test_relate.py);\n"
        "the web app and kith relationships agree on every person's layer (tests/test_web.py)."
    ),
    notes="Dunbar's layers",
)
