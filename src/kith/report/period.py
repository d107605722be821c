"""The period a connection report covers, and the one it is compared with.

Dates are whole UTC days; a period runs from its first day up to, not
including, its end day (``--from 2026-01-01 --to 2026-04-01`` is the first
quarter). By default the report covers the last full calendar quarter before
the ledger's as-of day against the quarter before it; given dates, it is
compared with the period of the same number of days just before.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from kith.errors import InputError

#: Months in a quarter.
QUARTER_MONTHS = 3


@dataclass(frozen=True, slots=True)
class Span:
    """Days ``start`` up to, not including, ``end``."""

    start: date
    end: date

    @property
    def since(self) -> int:
        """The first second (UTC)."""
        return _ts(self.start)

    @property
    def until(self) -> int:
        """The first second after the span (UTC)."""
        return _ts(self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def label(self) -> str:
        """``2026-01-01 – 2026-03-31`` (the last day included)."""
        return f"{self.start.isoformat()} – {(self.end - timedelta(days=1)).isoformat()}"

    def holds(self, at: int) -> bool:
        return self.since <= at < self.until


@dataclass(frozen=True, slots=True)
class Period:
    """The period reported on and the one before it."""

    current: Span
    previous: Span


@cache
def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def day_of(ts: int) -> date:
    """The UTC day of a time."""
    return datetime.fromtimestamp(ts, UTC).date()


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // QUARTER_MONTHS * QUARTER_MONTHS + 1, 1)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_full_quarter(as_of: int) -> Period:
    """The last calendar quarter that ended by ``as_of``, and the quarter before."""
    end = _quarter_start(day_of(as_of + 1))
    start = _months_before(end, QUARTER_MONTHS)
    return Period(Span(start, end), Span(_months_before(start, QUARTER_MONTHS), start))


def choose(start: date | None, end: date | None, as_of: int) -> Period:
    """The period of ``--from``/``--to`` (either may be missing) as of ``as_of``.

    Missing both: ``last_full_quarter``. Only ``--from``: up to the as-of day
    (included). Only ``--to``: the three months before it. Raises
    ``InputError`` for an empty period, dates the wrong way round, or a period
    past the as-of day."""
    if start is None and end is None:
        return last_full_quarter(as_of)
    last_day = day_of(as_of)
    if end is None:
        end = last_day + timedelta(days=1)
    if start is None:
        start = _months_before(end, QUARTER_MONTHS)
    where = f"--from {start.isoformat()} --to {end.isoformat()}"
    if start == end:
        raise InputError(
            "the period is empty: it ends on the day it starts",
            where=where,
            hint="--to is the first day not included: --to one day later covers one day",
        )
    if start > end:
        raise InputError(
            "the dates are the wrong way round: --from is after --to",
            where=where,
            hint=f"swap them: --from {end.isoformat()} --to {start.isoformat()}",
        )
    if end > last_day + timedelta(days=1):
        raise InputError(
            f"the period ends after the ledger's as-of day {last_day.isoformat()}",
            where=where,
            hint="end it sooner, or run kith analytics refresh to bring the figures up to date",
        )
    length = end - start
    return Period(Span(start, end), Span(start - length, start))
