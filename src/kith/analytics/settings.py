"""The analytics settings: everything the features depend on besides the ledger and ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kith.units import HALF_LIFE_DAYS

#: Half-life of the decayed counts: an interaction this many days old counts half.


@dataclass(frozen=True, slots=True)
class AnalyticsSettings:
    """Settings of the feature pipeline; stored with the results, and a change
    makes the next refresh a full one."""

    half_life_days: float = HALF_LIFE_DAYS

    def __post_init__(self) -> None:
        if not self.half_life_days > 0:
            from kith.errors import ConfigError

            raise ConfigError(f"the half-life must be positive, not {self.half_life_days}")

    def as_json(self) -> dict[str, Any]:
        return {"half_life_days": float(self.half_life_days)}
