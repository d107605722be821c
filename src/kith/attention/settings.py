"""Settings of the daily queue: the day's minutes and the minutes each action takes.

Read from the ``[today]`` table of the config file (``kith.config``); a
command-line flag beats it, and it beats the defaults here::

    [today]
    budget = 30            # minutes a day
    minutes.reply = 5      # minutes per action, by kind
    minutes.check_in = 10

Draft templates the user edits live beside the config file, in
``templates/<kind>.txt`` (``kith.attention.drafts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kith.attention.candidates import DEFAULT_MINUTES
from kith.config import config_home, config_table
from kith.errors import ConfigError

#: Minutes a day, unless the config file or ``--minutes`` says otherwise.
DEFAULT_BUDGET = 30
#: Most minutes a single action or a day may be set to (a sanity bound for typos).
MAX_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class TodaySettings:
    """The day's budget in minutes and each kind's minutes."""

    budget: int = DEFAULT_BUDGET
    minutes: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MINUTES))
    #: Where the user's own draft templates are (``<kind>.txt``).
    templates: Path | None = None

    def with_budget(self, budget: int | None) -> TodaySettings:
        return self if budget is None else replace(self, budget=_minutes(budget, "--minutes"))


def _minutes(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"minutes must be a whole number, not {value!r}", where=where)
    if not 0 < value <= MAX_MINUTES:
        raise ConfigError(f"minutes must be between 1 and {MAX_MINUTES}, not {value}", where=where)
    return value


def from_table(table: Mapping[str, Any], where: str) -> TodaySettings:
    """Settings from a ``[today]`` table; errors name the key and say what is wrong."""
    unknown = sorted(set(table) - {"budget", "minutes"})
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r}", where=where, hint="known: budget, minutes.<kind>"
        )
    budget = _minutes(table["budget"], f"{where} budget") if "budget" in table else DEFAULT_BUDGET
    minutes = dict(DEFAULT_MINUTES)
    given = table.get("minutes", {})
    if not isinstance(given, Mapping):
        raise ConfigError("minutes must be a table: minutes.reply = 5", where=f"{where} minutes")
    for kind, value in given.items():
        if kind not in DEFAULT_MINUTES:
            raise ConfigError(
                f"no action called {kind!r}",
                where=f"{where} minutes.{kind}",
                hint="kinds: " + ", ".join(DEFAULT_MINUTES),
            )
        minutes[kind] = _minutes(value, f"{where} minutes.{kind}")
    return TodaySettings(budget=budget, minutes=minutes, templates=config_home() / "templates")


def load_today_settings(config_file: Path | None = None) -> TodaySettings:
    """The ``[today]`` settings of the user's config file (defaults where absent)."""
    table, where = config_table("today", config_file)
    return from_table(table, where)
