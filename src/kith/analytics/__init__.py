"""The feature pipeline: one definition (``definition``), two engines (DuckDB
over the analytics mirror, ``duck``; Spark over a Parquet export, ``spark``),
results written back to the ledger as ``relationship`` and ``tie`` rows.

Pure functions of (ledger, ``now``, settings); see ``docs/design.md``, "The
feature pipeline".
"""

from __future__ import annotations

from kith.analytics.refresh import RefreshResult, refresh
from kith.analytics.settings import AnalyticsSettings
from kith.units import HALF_LIFE_DAYS

__all__ = ["HALF_LIFE_DAYS", "AnalyticsSettings", "RefreshResult", "refresh"]
