"""The feature pipeline: one definition (``definition``, SQL), run by DuckDB
over the analytics mirror (``duck``) for every refresh, or by Spark over a
Parquet export of it (``spark``) for ledgers beyond one machine; either way
the results are written back to the ledger as ``relationship`` and ``tie``
rows (``writeback``).

Pure functions of (ledger, ``now``, settings); see ``docs/design.md``, "The
feature pipeline".
"""

from __future__ import annotations

from kith.analytics.refresh import RefreshResult, refresh
from kith.analytics.settings import AnalyticsSettings
from kith.units import HALF_LIFE_DAYS

__all__ = ["HALF_LIFE_DAYS", "AnalyticsSettings", "RefreshResult", "refresh"]
