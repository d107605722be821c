"""The right audience: which of my people fit the audience my business is for,
and how my time is split between them and everyone else.

The audience is described in words, kept in the config file
(``[audience] describe = "…"``). Who fits is decided by matching
(``kith.matching.search``) against the description: the
``CANDIDATES`` people whose text is nearest are read closely, and those who
score at least ``MIN_SCORE`` are in, each with the quotes that say why.
The threshold was read off the sample world, where people who fit a query
score 0.4–0.7 and the rest under 0.3 (tests/test_match.py).

The time split compares the last quarter (``QUARTER_DAYS`` up to now) with
the one before: messages (to and from each person), my replies, and the
minutes recorded on ``kith today``'s items done, inside and outside the
audience. It informs; it never hides anyone from ``kith today``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kith.config import config_file_path, config_table
from kith.errors import ConfigError, InputError, KithError
from kith.matching.search import Match, Vectors, match
from kith.store import audience as store
from kith.store.sql import Db
from kith.units import DAY, QUARTER_DAYS

#: People read closely against the description.
CANDIDATES = 500
#: The blended match score (``kith.matching.search``) from which a person is in.
MIN_SCORE = 0.3
#: The config table and key of the description.
TABLE, KEY = "audience", "describe"


def description(config_file: Path | None = None) -> str | None:
    """The audience description kept in the config, or None."""
    table, where = config_table(TABLE, config_file)
    value = table.get(KEY)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("the audience description must be words", where=where)
    return value.strip()


def required_description(config_file: Path | None = None) -> str:
    """The audience description kept in the config; an error saying how to give one."""
    text = description(config_file)
    if text is None:
        raise KithError(
            "no audience described yet",
            hint='describe it first: kith audience --describe "who your business is for"',
        )
    return text


def save_description(text: str, config_file: Path | None = None) -> Path:
    """Keep ``text`` as the audience description (the rest of the file as it was)."""
    if not text.strip():
        raise InputError(
            "the audience description is empty: say who your business is for",
            hint='e.g. kith audience --describe "independent bakers and cafe owners"',
        )
    path = config_file or config_file_path()
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    config_table(TABLE, path)  # the file reads as TOML before it is changed
    kept = _without_table(old, TABLE).rstrip()
    section = f"[{TABLE}]\n{KEY} = {json.dumps(' '.join(text.split()))}\n"
    new = (kept + "\n\n" if kept else "") + section
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".toml.partial")
    partial.write_text(new, encoding="utf-8")
    try:
        config_table(TABLE, partial)
    except ConfigError:
        partial.unlink()
        raise
    partial.replace(path)
    return path


_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$")


def _without_table(text: str, table: str) -> str:
    """``text`` (TOML) without the lines of ``[table]``."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            inside = header[1] == table
        if not inside:
            out.append(line)
    return "\n".join(out)


def members(db: Db, text: str, *, vectors: Vectors | None = None) -> list[Match]:
    """The people who fit the audience ``text``, best first, with their reasons
    (``vectors``: the stored ones, when the caller holds them)."""
    found = match(db, text, limit=CANDIDATES, candidates=CANDIDATES, vectors=vectors)
    return [m for m in found if m.score >= MIN_SCORE]


@dataclass(slots=True)
class Side:
    """My time with one side (inside or outside the audience) in one quarter."""

    people: set[int] = field(default_factory=set)
    messages_in: int = 0
    messages_out: int = 0
    replies: int = 0
    minutes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "people": len(self.people),
            "messages_in": self.messages_in,
            "messages_out": self.messages_out,
            "my_replies": self.replies,
            "minutes": self.minutes,
        }


@dataclass(frozen=True, slots=True)
class Split:
    """Inside and outside the audience, the last quarter and the one before."""

    last: tuple[Side, Side]
    before: tuple[Side, Side]

    def as_dict(self) -> dict[str, object]:
        return {
            "last_quarter": {"inside": self.last[0].as_dict(), "outside": self.last[1].as_dict()},
            "quarter_before": {
                "inside": self.before[0].as_dict(),
                "outside": self.before[1].as_dict(),
            },
        }


def time_split(db: Db, inside: set[int], now: int) -> Split:
    """How my messages, replies and minutes went to people in ``inside`` and the
    rest, over the last quarter up to ``now`` and the quarter before."""
    middle = now - QUARTER_DAYS * DAY
    start = middle - QUARTER_DAYS * DAY
    sides = [[Side(), Side()], [Side(), Side()]]  # [quarter][0 inside, 1 outside]
    messages, minutes = store.activity(db, start, middle, now)
    for pid, quarter, direction, is_reply, n in messages:
        side = sides[quarter][0 if pid in inside else 1]
        side.people.add(pid)
        if direction == "in":
            side.messages_in += n
        else:
            side.messages_out += n
            if is_reply:
                side.replies += n
    for pid, quarter, m in minutes:
        side = sides[quarter][0 if pid in inside else 1]
        side.people.add(pid)
        side.minutes += m
    return Split((sides[1][0], sides[1][1]), (sides[0][0], sides[0][1]))
