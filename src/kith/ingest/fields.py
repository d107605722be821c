"""Reading exported JSON and XML safely: typed field access, times, and arrays
read element by element.

Exports are written by programs we do not control and sometimes cut short or
edited by hand, so nothing here trusts a field's type. The accessors return
``None`` (or an empty tuple) for a missing field *and* for a field of the wrong
type; a record that lacks what it cannot do without raises ``BadRecord``,
which an importer turns into ``Skipped`` with the reason. Shared by the
social-archive and community importers (X, Mastodon, WordPress, Discourse,
Stack Exchange).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from json.scanner import make_scanner
from typing import Any, cast

from kith.errors import InputError
from kith.units import DAY

#: Times outside [1971-01-01, 2101-01-01) UTC are typos or clock faults, not history
#: (the same bounds as the e-mail importer's).
MIN_EPOCH = 31_536_000
MAX_EPOCH = 4_133_980_800
#: Longest text kept from one post, comment or message, in characters.
MAX_BODY_CHARS = 100_000

_WS = re.compile(r"[ \t\n\r]*")
#: What may follow an array element: a comma or the closing bracket, amid whitespace.
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
#: Dates ``twitter_time`` remembers: (year, month, day) as written → days since 1970.
_DAYS: dict[tuple[str, str, str], int] = {}
_DAY_CACHE = 50_000
_DECODER = json.JSONDecoder()
#: The decoder's scanner itself: ``raw_decode`` without its Python wrapper, per element.
#: (typeshed types the C scanner's constructor oddly: the decoder is what it takes.)
_SCAN: Callable[[str, int], tuple[Any, int]] = cast(Any, make_scanner)(_DECODER)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


class BadRecord(Exception):
    """One record cannot be read; ``reason`` says why, for ``Skipped``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BrokenJSON(Exception):
    """A JSON array stops making sense at element ``index``: the rest is unreadable."""

    def __init__(self, index: int, detail: str) -> None:
        super().__init__(detail)
        self.index = index
        self.detail = detail


# -- typed access ------------------------------------------------------------------


def obj(data: object, key: str) -> Mapping[str, Any] | None:
    """``data[key]`` if ``data`` is an object and that is an object, else None."""
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, dict):
            return value
    return None


def text(data: object, key: str) -> str | None:
    """``data[key]`` as a non-empty string (numbers are written out), else None."""
    if not isinstance(data, dict):
        return None
    value = data.get(key)
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def integer(data: object, key: str) -> int | None:
    """``data[key]`` as an int (from a number or a string of digits), else None."""
    if not isinstance(data, dict):
        return None
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def items(data: object, key: str) -> list[Any]:
    """``data[key]`` if it is a list, else an empty list."""
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, list):
            return value
    return []


def digits(value: str | None) -> str | None:
    """``value`` if it is a plain run of digits (an X id), else None."""
    if value is None:
        return None
    value = value.strip()
    return value if value.isdigit() and len(value) <= 30 else None


def clip(body: str | None) -> str | None:
    """A body cut to ``MAX_BODY_CHARS``, or None when empty."""
    if not body:
        return None
    body = body.strip()
    return body[:MAX_BODY_CHARS] or None


# -- times -------------------------------------------------------------------------


def _checked(ts: int, raw: str) -> int:
    if not MIN_EPOCH <= ts < MAX_EPOCH:
        raise BadRecord(f"date out of range: {raw!r}")
    return ts


def iso_time(raw: str | None, what: str = "date") -> int:
    """Seconds since the epoch of an ISO 8601 time; one without an offset is UTC.

    ``2026-01-25T19:33:24.183Z``, ``2011-10-11T19:42:20.713``, ``2013-03-14 15:14:47``.
    """
    if raw is None:
        raise BadRecord(f"no {what}")
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadRecord(f"unreadable {what}: {raw[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return _checked(int(parsed.timestamp()), raw)
    except (OverflowError, ValueError):
        raise BadRecord(f"unreadable {what}: {raw[:40]!r}") from None


def twitter_time(raw: str | None) -> int:
    """Seconds since the epoch of X's ``Fri Mar 06 13:02:05 +0000 2026``.

    Read by hand: ``strptime`` costs ~15 µs a call, more than the rest of a
    tweet; days are looked up once per date.
    """
    if raw is None:
        raise BadRecord("no created_at")
    try:
        _, mon, day, clock, offset, year = raw.split(" ")
        days = _DAYS.get((year, mon, day))
        if days is None:
            days = date(int(year), _MONTHS[mon], int(day)).toordinal() - _EPOCH_ORDINAL
            if len(_DAYS) < _DAY_CACHE:
                _DAYS[(year, mon, day)] = days
        if len(clock) != 8 or clock[2] != ":" or clock[5] != ":":
            raise ValueError(clock)
        hh, mm, ss = int(clock[:2]), int(clock[3:5]), int(clock[6:])
        if len(offset) != 5 or offset[0] not in "+-" or hh > 23 or mm > 59 or ss > 60:
            raise ValueError(raw)
        off = (int(offset[1:3]) * 3600 + int(offset[3:5]) * 60) * (-1 if offset[0] == "-" else 1)
        ts = days * DAY + hh * 3600 + mm * 60 + ss - off
    except (ValueError, KeyError, OverflowError):
        raise BadRecord(f"unreadable created_at: {raw[:40]!r}") from None
    return _checked(ts, raw)


# -- JSON ----------------------------------------------------------------------------


def load_json(data: bytes, where: str, what: str) -> Any:
    """The JSON document in ``data``; ``InputError`` naming the place when it is not one."""
    try:
        return json.loads(data.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            f"is the {what} complete?",
            where=where,
            hint="export it again, or import the other files without this one",
        ) from None
    except RecursionError:
        raise InputError(f"the {what} is nested too deeply to read", where=where) from None


def _skip_ws(source: str, idx: int) -> int:
    match = _WS.match(source, idx)
    return match.end() if match else idx


def iter_json_array(source: str, start: int, where: str) -> Iterator[tuple[int, Any]]:
    """``(index, element)`` for each element of the JSON array at ``source[start:]``.

    Elements are decoded one at a time, so a file cut short yields every whole
    element before the cut and then raises ``BrokenJSON`` with the index of the
    first unreadable one. Raises ``InputError`` when there is no array at all.
    """
    idx = _skip_ws(source, start)
    if source[idx : idx + 1] != "[":
        raise InputError("no JSON array where one was expected", where=where)
    idx = _skip_ws(source, idx + 1)
    if source[idx : idx + 1] == "]":
        return
    index = 0
    scan = _SCAN
    separator = _SEPARATOR.match
    while True:
        try:
            value, idx = scan(source, idx)
        except StopIteration as stop:
            raise BrokenJSON(index, f"Expecting value at character {stop.value}") from None
        except json.JSONDecodeError as exc:
            raise BrokenJSON(index, f"{exc.msg} at character {exc.pos}") from None
        except RecursionError:
            raise BrokenJSON(index, "nested too deeply") from None
        yield index, value
        index += 1
        found = separator(source, idx)
        if found is None:
            idx = _skip_ws(source, idx)
            if idx >= len(source):
                raise BrokenJSON(index, "the file ends inside the array (cut short?)")
            raise BrokenJSON(index, f"expected ',' or ']' at character {idx}")
        if found.group(1) == "]":
            return
        idx = found.end()
