"""Reading stored rows as of another ``now``.

Rows are exact as of their ``computed_at``. For a later ``now`` with no new
interactions (an incremental refresh recomputes anyone who has some), the
decayed counts shrink by one factor — ``2 ** (-(now - computed_at) / half-life)``
— and silence, cooling and tenure follow from the raw times kept in the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kith.units import DAY

_DECAYED = ("decayed", "decayed_in", "decayed_out")


def decay_factor(computed_at: int, now: int, half_life_days: float) -> float:
    """How much a decayed count computed at ``computed_at`` is worth at ``now``."""
    return float(2.0 ** (-(now - computed_at) / (half_life_days * DAY)))


def age(row: Mapping[str, Any], now: int) -> dict[str, Any]:
    """A ``relationship`` or ``tie`` row as of ``now`` (not before its ``computed_at``)."""
    computed_at = int(row["computed_at"])
    if now < computed_at:
        raise ValueError(f"cannot age a row computed at {computed_at} back to {now}")
    out = dict(row)
    factor = decay_factor(computed_at, now, float(row["half_life_days"]))
    for name in _DECAYED:
        if name in out and out[name] is not None:
            out[name] = out[name] * factor
    if "last_contact_at" in out:
        last = out["last_contact_at"]
        out["silence_days"] = None if last is None else (now - last) / DAY
        gap = out.get("median_gap_days")
        out["cooling_ratio"] = None if last is None or not gap else (now - last) / DAY / gap
        first = out.get("first_at")
        out["tenure_days"] = None if first is None else (now - first) / DAY
    out["computed_at"] = now
    return out
