"""iCalendar files (``.ics``): each meeting occurrence with people in it.

An event (``VEVENT``) with an ``ORGANIZER`` or an ``ATTENDEE`` becomes one
``InteractionRecord`` per occurrence: channel and kind ``meeting``; the
organizer takes part as ``organizer`` and as ``from`` (the author); attendees
as ``attendee``, each ``PARTSTAT`` kept in ``extra`` as ``partstat:<address>``
(and ``RSVP`` as ``rsvp:<address>``). Only ``mailto:`` addresses (or an
``EMAIL`` parameter) become identities; an alarm's attendees are not the
event's. Events without organizer or attendees are left out, counted nowhere;
so are cancelled occurrences (``STATUS:CANCELLED``).

Times: ``DTSTART`` in UTC. ``TZID`` is honoured (the file's own ``VTIMEZONE``,
an IANA name, or a Windows name such as "Central Standard Time"); a floating
time is read as UTC, and an all-day date as 00:00 UTC that day.

Recurrence (``RRULE``, ``RDATE``, ``EXDATE`` and ``RECURRENCE-ID`` overrides)
is expanded by ``recurring-ical-events`` within a window, so that the same
file always gives the same records: by default from each event's first
``DTSTART`` to ``WINDOW_DAYS`` after it; with ``-o since=YYYY-MM-DD`` and/or
``-o until=YYYY-MM-DD`` (both days included) that window instead. At most
``MAX_OCCURRENCES`` occurrences are read per event either way.

An occurrence's id is ``UID/<its recurrence id>`` (the start it was first
scheduled for, ISO, in UTC; a date for all-day events), so a moved
occurrence keeps its id; an event without a ``UID`` uses a hash of its
content instead. The occurrences of one series share a thread.

A ``VEVENT`` that cannot be read (no ``DTSTART``, an unreadable date or
rule, never closed, or people but no address among them) is skipped with
its line; the file's other events are still read.
"""

from __future__ import annotations

import calendar as calendar_module
import itertools
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from kith.errors import ConfigError, InputError
from kith.ingest import identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.cleaning import (
    clean,
    content_id,
    decode,
    head,
    one_line,
    read_lines,
)
from kith.ingest.cleaning import too_long as too_long_reason
from kith.model import (
    Channel,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Record,
    Role,
    Skipped,
)
from kith.units import DAY

SOURCE = "ics"
#: Without ``since``/``until``, a series is read from its first start to this many days on.
WINDOW_DAYS = 365
#: At most this many occurrences of one event are read.
MAX_OCCURRENCES = 500
#: At most this long spent expanding one event's occurrences (seconds of wall time).
EXPANSION_SECONDS = 2.0
#: The Gregorian calendar repeats every 400 years: a rule whose days fall in
#: none of 400 consecutive years falls on no day ever.
_CYCLE_DAYS = 146_097

_SUFFIXES = (".ics", ".ical", ".icalendar", ".ifb")
#: Properties left out of an event's content hash: they change on every export.
_VOLATILE = frozenset({"DTSTAMP", "LAST-MODIFIED", "CREATED", "SEQUENCE"})
#: What the calendar libraries raise on input they cannot read: icalendar's
#: and recurring-ical-events' own errors derive from ValueError; dateutil's
#: rrule and the datetime arithmetic under them raise the others; and a TZID
#: naming a folder of the time-zone database ("Europe") makes zoneinfo raise
#: IsADirectoryError (found by scripts/fuzz_contacts.py).
_LIBRARY_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    OSError,
)


@dataclass(slots=True)
class Block:
    """The lines of one ``VEVENT`` and the line it begins on."""

    line: int
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Scan:
    events: list[Block] = field(default_factory=list)
    timezones: list[str] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    components: int = 0


class IcsImporter(Importer):
    """Reads iCalendar files: Google, Outlook, Apple, Thunderbird exports."""

    name = "ics"
    description = "iCalendar files (.ics): meetings and their organizers and attendees"

    def identify(self, path: Path) -> bool:
        start = head(path, 512).lstrip(b"\xef\xbb\xbf \t\r\n").upper()
        if start.startswith(b"BEGIN:VCALENDAR"):
            return True
        return (
            path.suffix.lower() in _SUFFIXES
            and start.startswith(b"BEGIN:V")
            and not start.startswith(b"BEGIN:VCARD")
        )

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        window = read_window(options.params)
        too_long: list[int] = []
        scan = scan_lines(_text_lines(read_lines(path, "the calendar file"), too_long))
        scan.problems += [(n, too_long_reason(n)) for n in too_long]
        if not scan.components:
            raise InputError(
                "not an iCalendar file: no BEGIN:VCALENDAR or BEGIN:VEVENT line",
                where=where,
                hint="export the calendar as .ics, or name the format with --format",
            )
        found: list[tuple[int, Any]] = [
            (line, Skipped(Origin(where, line), reason)) for line, reason in scan.problems
        ]
        found += parse_events(scan, where)
        found.sort(key=lambda pair: pair[0])
        raw = {block.line: block.lines for block in scan.events}
        groups: dict[str, list[tuple[int, Any]]] = {}
        for line, item in found:
            if isinstance(item, Skipped):
                groups[f"skipped {line}"] = [(line, item)]
                continue
            uid = one_line(_text(item, "UID")) or f"no uid {line}"
            groups.setdefault(uid, []).append((line, item))
        for group in groups.values():
            yield from read_series(group, where, window, options, raw)


# -- structure ------------------------------------------------------------------------


def _text_lines(lines: Iterable[tuple[int, bytes | None]], too_long: list[int]) -> Iterator[str]:
    """Each line as text; one too long to keep is an empty line, its number noted."""
    for number, line in lines:
        if line is None:
            too_long.append(number)
            yield ""
        else:
            yield decode(line)


def scan_lines(lines: Iterable[str]) -> Scan:
    """The ``VEVENT`` and ``VTIMEZONE`` blocks, found line by line so that one
    broken event (never closed, cut by another) is reported and the rest read."""
    scan = Scan()
    event: Block | None = None
    depth = 0  # components open inside the current event (alarms)
    zone: list[str] | None = None
    for number, line in enumerate(lines, 1):
        folded = line[:1] in (" ", "\t")
        marker = "" if folded else line.strip().upper()
        begin = marker.startswith("BEGIN:")
        end = marker.startswith("END:")
        name = marker.partition(":")[2].strip() if begin or end else ""
        if begin and name.startswith("V"):
            scan.components += 1
        if event is not None:
            if begin and name == "VEVENT" and not depth:
                scan.problems.append(
                    (event.line, f"VEVENT not closed: another begins at line {number}")
                )
                event = Block(number, [line])
                continue
            if end and not depth and name != "VEVENT":
                scan.problems.append(
                    (event.line, f"VEVENT not closed: END:{name} at line {number}")
                )
                event = None
                continue
            event.lines.append(line)
            if begin:
                depth += 1
            elif end and depth:
                depth -= 1
            elif end:
                scan.events.append(event)
                event = None
            continue
        if zone is not None:
            zone.append(line)
            if end and name == "VTIMEZONE":
                scan.timezones += zone
                zone = None
            continue
        if begin and name == "VEVENT":
            event, depth = Block(number, [line]), 0
        elif begin and name == "VTIMEZONE":
            zone = [line]
    if event is not None:
        scan.problems.append((event.line, "VEVENT not closed: the file ends before END:VEVENT"))
    return scan


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return "a TZID names no time zone"
    return str(exc)[:200] or type(exc).__name__


def _calendar(lines: Iterable[str]) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""])


def parse_events(scan: Scan, where: str) -> list[tuple[int, Any]]:
    """``(line, icalendar Event or Skipped)`` for each closed ``VEVENT``.

    All events are parsed as one calendar (with the file's time zones); if
    that fails, each on its own, so that only the unreadable ones are lost.
    """
    if not scan.events:
        return []
    try:
        calendar = icalendar.Calendar.from_ical(
            _calendar(itertools.chain(scan.timezones, *(b.lines for b in scan.events)))
        )
        parsed = [c for c in calendar.subcomponents if c.name == "VEVENT"]
        if len(parsed) == len(scan.events):
            return [(b.line, c) for b, c in zip(scan.events, parsed, strict=True)]
    except _LIBRARY_ERRORS:
        pass  # read them one by one below
    out: list[tuple[int, Any]] = []
    for block in scan.events:
        try:
            one = icalendar.Calendar.from_ical(_calendar([*scan.timezones, *block.lines]))
            event = next(c for c in one.subcomponents if c.name == "VEVENT")
        except (*_LIBRARY_ERRORS, StopIteration) as exc:
            reason = f"unreadable VEVENT: {_why(exc)}"
            out.append((block.line, Skipped(Origin(where, block.line), reason)))
            continue
        out.append((block.line, event))
    return out


# -- time -----------------------------------------------------------------------------


def read_window(params: Mapping[str, str]) -> tuple[int, int] | None:
    """``since``/``until`` as a half-open range of UTC seconds, or None."""
    since, until = params.get("since"), params.get("until")
    if not since and not until:
        return None
    start = _param_day(since, "since") if since else -(2**62)
    end = _param_day(until, "until") + DAY if until else 2**62
    return start, end


def _param_day(text: str, key: str) -> int:
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ConfigError(
            f"-o {key}={text!r} is not a date", hint=f"write it as -o {key}=2024-01-31"
        ) from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def timestamp(value: date | datetime) -> int:
    """Seconds since the epoch: a date at 00:00 UTC, a floating time as UTC."""
    if not isinstance(value, datetime):
        return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def iso(value: date | datetime) -> str:
    """A date as ``2024-01-31``; a time in UTC as ``2024-01-31T09:30:00Z``; a
    floating time without the ``Z``."""
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_minutes(value: date | datetime) -> int | None:
    if not isinstance(value, datetime):
        return None
    offset = value.utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def first(event: Any, name: str) -> Any:
    """A property's value, the first one when a (broken) event repeats it."""
    value = event.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(event: Any, name: str) -> str:
    value = first(event, name)
    return "" if value is None else str(value)


def _start(event: Any) -> date | datetime:
    """An event's ``DTSTART``, or ``ValueError`` saying what is wrong with it."""
    prop = first(event, "DTSTART")
    if prop is None:
        raise ValueError("VEVENT has no DTSTART")
    value = getattr(prop, "dt", None) if isinstance(prop, icalendar.prop.vDDDTypes) else None
    if not isinstance(value, date):
        raise ValueError(f"DTSTART {str(prop)[:40]!r} is not a date or time")
    timestamp(value)  # a date out of range raises here, not later
    return value


# -- people ---------------------------------------------------------------------------


def _values(event: Any, name: str) -> list[Any]:
    value = event.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _param(prop: Any, key: str) -> str | None:
    params = getattr(prop, "params", None)
    value = params.get(key) if params is not None else None
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _address(prop: Any) -> IdentityRef | None:
    name = one_line(_param(prop, "CN"))
    text = clean(str(prop)) or ""
    ref = identities.email(text, name) if text[:7].lower() == "mailto:" else None
    if ref is None and (email_param := clean(_param(prop, "EMAIL"))):
        ref = identities.email(email_param, name)
    return ref


def has_people(event: Any) -> bool:
    return "ORGANIZER" in event or "ATTENDEE" in event


def people(event: Any) -> tuple[list[Participant], dict[str, str]]:
    """The event's participants (organizer first, as author) and their replies."""
    parts: list[Participant] = []
    extra: dict[str, str] = {}
    for prop in _values(event, "ORGANIZER")[:1]:
        ref = _address(prop)
        if ref is not None:
            parts += [Participant(Role.FROM, ref), Participant(Role.ORGANIZER, ref)]
    seen: set[str] = set()
    for prop in _values(event, "ATTENDEE"):
        ref = _address(prop)
        if ref is None or ref.value in seen:
            continue
        seen.add(ref.value)
        parts.append(Participant(Role.ATTENDEE, ref))
        for key in ("PARTSTAT", "RSVP"):
            value = one_line(_param(prop, key))
            if value:
                extra[f"{key.lower()}:{ref.value}"] = value.upper()
    return parts, extra


# -- series into records ------------------------------------------------------------


def _problem(event: Any) -> str | None:
    """Why an event with people in it cannot be read, or None."""
    try:
        _start(event)
    except ValueError as exc:
        return str(exc)
    for name in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"):
        for prop in _values(event, name):
            if isinstance(prop, icalendar.prop.vBroken):
                return f"{name} {str(prop)[:40]!r} cannot be read"
    if not people(event)[0]:
        return "no ORGANIZER or ATTENDEE with an e-mail address"
    return None


def content_lines(lines: list[str]) -> list[str]:
    """An event's unfolded lines without those that change on every export
    (``DTSTAMP``, ``LAST-MODIFIED``, ``CREATED``, ``SEQUENCE``): what a hash
    of an event without a ``UID`` is taken over."""
    unfolded: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return [
        line
        for line in unfolded
        if re.split(r"[;:]", line, maxsplit=1)[0].strip().upper() not in _VOLATILE
    ]


def read_series(
    group: list[tuple[int, Any]],
    where: str,
    window: tuple[int, int] | None,
    options: ImportOptions,
    raw: Mapping[int, list[str]],
) -> Iterator[Record]:
    """The records of one ``UID``: its event, its overrides, their occurrences."""
    usable: list[tuple[int, Any]] = []
    for line, event in group:
        if isinstance(event, Skipped):
            yield event
        elif has_people(event):
            problem = _problem(event)
            if problem is None:
                usable.append((line, event))
            else:
                yield Skipped(Origin(where, line), problem)
        elif "RECURRENCE-ID" in event or "RRULE" in event or "RDATE" in event:
            # No people here, but an override or master of a series that has them.
            try:
                _start(event)
            except ValueError:
                continue
            usable.append((line, event))
    if not any(has_people(event) for _, event in usable):
        return
    first_line = usable[0][0]
    master_line = next((line for line, e in usable if "RECURRENCE-ID" not in e), first_line)
    lines_by_id: dict[str, int] = {}
    for line, event in usable:
        rid = first(event, "RECURRENCE-ID")
        if isinstance(rid, icalendar.prop.vDDDTypes) and isinstance(rid.dt, date):
            lines_by_id.setdefault(iso(rid.dt), line)
    masters = [e for _, e in usable if "RECURRENCE-ID" not in e] or [e for _, e in usable]
    if window is None:
        begin = min(timestamp(_start(e)) for e in masters)
        window = (begin, begin + WINDOW_DAYS * DAY)
    uid = one_line(_text(usable[0][1], "UID"))
    master_lines = [line for line, e in usable if "RECURRENCE-ID" not in e] or [first_line]
    key = uid or content_id(SOURCE, [content_lines(raw.get(line, [])) for line in master_lines])
    calendar = icalendar.Calendar()
    for _, event in usable:
        if not _rule_days_in(event, window):
            # No day of its rule falls in the window: only DTSTART and RDATEs can
            # (dateutil would search to the year 9999 for the next one).
            event = event.copy()
            del event["RRULE"]
        calendar.add_component(event)
    earliest = datetime.fromtimestamp(max(window[0] - DAY, -(2**35)), UTC)
    read = 0
    deadline = time.monotonic() + EXPANSION_SECONDS
    try:
        for occurrence in recurring_ical_events.of(calendar).after(earliest):
            start = _start(occurrence)
            at = timestamp(start)
            if at >= window[1] or read >= MAX_OCCURRENCES:
                break
            if time.monotonic() > deadline:
                yield Skipped(
                    Origin(where, first_line),
                    f"the recurrence took over {EXPANSION_SECONDS:g} s to expand; "
                    f"kept the first {read} occurrences",
                )
                break
            if at < window[0]:
                continue
            read += 1
            line = lines_by_id.get(_occurrence_id(occurrence, start), master_line)
            record = _record(occurrence, start, at, key, Origin(where, line), options, uid)
            if record is not None:
                yield record
    except _LIBRARY_ERRORS as exc:
        yield Skipped(Origin(where, first_line), f"cannot expand the recurrence: {_why(exc)}")


def _rule_days_in(event: Any, window: tuple[int, int]) -> bool:
    """Whether any day in ``window`` (at most one 400-year cycle of it) passes
    the day filters of ``event``'s rules: BYMONTH, BYMONTHDAY, BYYEARDAY and
    BYDAY's weekdays (ordinals and BYWEEKNO, BYSETPOS left out, so this is
    never stricter than the rule). True when there is no rule or no such filter.

    A rule that can never occur (``BYMONTH=4;BYMONTHDAY=31``) otherwise costs
    seconds of CPU per event in dateutil, which looks for the next occurrence
    up to the year 9999."""
    rules = event.get("RRULE")
    if rules is None:
        return True
    for rule in rules if isinstance(rules, list) else [rules]:
        months = {int(m) for m in rule.get("BYMONTH", [])}
        monthdays = {int(d) for d in rule.get("BYMONTHDAY", [])}
        yeardays = {int(d) for d in rule.get("BYYEARDAY", [])}
        if not monthdays and not yeardays:
            return True  # every month has days, and every week has each weekday
        weekdays = {_WEEKDAYS[str(d)[-2:].upper()] for d in rule.get("BYDAY", [])}
        first_day = datetime.fromtimestamp(max(window[0], 0), UTC).date()
        span = min((window[1] - window[0]) // 86_400 + 1, _CYCLE_DAYS)
        for offset in range(max(span, 1)):
            day = first_day + timedelta(days=offset)
            if months and day.month not in months:
                continue
            if weekdays and day.weekday() not in weekdays:
                continue
            if monthdays and not _in_month_days(day, monthdays):
                continue
            if yeardays and not _in_year_days(day, yeardays):
                continue
            return True
    return False


_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _in_month_days(day: date, wanted: set[int]) -> bool:
    last = (date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)).day
    return day.day in wanted or day.day - last - 1 in wanted


def _in_year_days(day: date, wanted: set[int]) -> bool:
    number = day.timetuple().tm_yday
    length = 366 if calendar_module.isleap(day.year) else 365
    return number in wanted or number - length - 1 in wanted


def _occurrence_id(occurrence: Any, start: date | datetime) -> str:
    rid = first(occurrence, "RECURRENCE-ID")
    value = getattr(rid, "dt", None)
    return iso(value if isinstance(value, date) else start)


def _record(
    occurrence: Any,
    start: date | datetime,
    at: int,
    key: str,
    origin: Origin,
    options: ImportOptions,
    uid: str | None,
) -> InteractionRecord | None:
    if _text(occurrence, "STATUS").upper() == "CANCELLED":
        return None
    participants, extra = people(occurrence)
    if not participants:
        return None
    location = one_line(_text(occurrence, "LOCATION"))
    if location:
        extra["location"] = location
    description = _text(occurrence, "DESCRIPTION")
    return InteractionRecord(
        source=SOURCE,
        source_id=f"{key}/{_occurrence_id(occurrence, start)}",
        channel=Channel.MEETING,
        kind=Kind.MEETING,
        occurred_at=at,
        participants=tuple(participants),
        origin=origin,
        tz_offset_min=offset_minutes(start),
        subject=one_line(_text(occurrence, "SUMMARY")),
        body=clean(description) if options.store_bodies else None,
        thread_key=uid,
        extra=extra,
    )
