"""Contact lists exported as CSV: Google Contacts and LinkedIn connections.

**Google Contacts** (both the legacy "Google CSV" header — ``Name``, ``Given
Name``, ``E-mail 1 - Value``, ``Organization 1 - Name``, ``Group Membership``
— and the current one — ``First Name``, ``Organization Name``, ``Labels``):
one ``ContactRecord`` per row (source ``google-contacts``) with every
``E-mail n - Value``, ``Phone n - Value`` and ``Website n - Value`` (a cell
may hold several values joined by `` ::: ``); facts ``org``, ``title``,
``department``, ``category`` (each group or label but the system ones),
``note``, ``birthday`` and ``address``. The export has no row ids: a row's id
is a hash of what was read from it.

**LinkedIn** ``Connections.csv`` (a "Notes:" preamble, a blank line, then
``First Name,Last Name,URL,Email Address,Company,Position,Connected On``):
one ``ContactRecord`` per row (source ``linkedin``; identities the profile URL
as ``linkedin:in/…`` and the e-mail address when the member shares it; facts
``org`` and ``title``) and one ``InteractionRecord`` for the connection
(channel ``social``, kind ``connect``, at 00:00 UTC on "Connected On", the
member as author, ``extra`` ``{"network": "linkedin"}``). Ids are the profile
path, so a newer export adds only the new connections.

A row without any identity, or cut short, is skipped as ``line N: reason``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from kith.ingest import identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.cleaning import clean, content_id, one_line
from kith.ingest.csvfile import CsvFile, CsvProblem, CsvRow, head_rows, header_key
from kith.ingest.vcard import iso_birthday, profile
from kith.model import (
    Channel,
    ContactRecord,
    Fact,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Record,
    Role,
    Skipped,
)

GOOGLE = "google-contacts"
LINKEDIN = "linkedin"

#: Google puts several values of one field in one cell, joined like this.
_MULTI = " ::: "
_NUMBERED = re.compile(r"^(e-mail|phone|website|address) (\d+) - (value|formatted)$")
#: Google's own groups: every contact is in "My Contacts".
_SYSTEM_GROUPS = frozenset({"mycontacts", "my contacts", "other contacts"})
#: Formats LinkedIn has written "Connected On" in over the years.
_LINKEDIN_DATES = ("%d %b %Y", "%d %B %Y", "%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d")


def _short_row(row: CsvRow, header: list[str]) -> Skipped | None:
    if row.width < len(header):
        return Skipped(
            Origin("", row.line),
            f"line {row.line}: row cut short ({row.width} of {len(header)} fields)",
        )
    return None


def _problem(where: str, problem: CsvProblem) -> Skipped:
    return Skipped(Origin(where, problem.line), f"line {problem.line}: {problem.reason}")


def _relocated(where: str, skipped: Skipped) -> Skipped:
    return Skipped(Origin(where, skipped.origin.position), skipped.reason)


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [v.strip() for v in cell.split(_MULTI) if v.strip()]


# -- Google ---------------------------------------------------------------------------


def _is_google_header(cells: list[str]) -> bool:
    keys = {header_key(c) for c in cells}
    named = bool(keys & {"name", "given name", "first name"})
    return named and bool(keys & {"e-mail 1 - value", "phone 1 - value"})


class GoogleContactsImporter(Importer):
    """Reads a Google Contacts CSV export."""

    name = GOOGLE
    description = "Google Contacts exported as CSV (Google CSV)"

    def identify(self, path: Path) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        first = head_rows(path)
        return bool(first) and _is_google_header(first[0])

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        csv = CsvFile(path, is_header=_is_google_header, what="the Google Contacts file")
        for row in csv.rows():
            if isinstance(row, CsvProblem):
                yield _problem(where, row)
                continue
            short = _short_row(row, csv.header)
            if short is not None:
                yield _relocated(where, short)
                continue
            yield google_row(row, where, options)


def _cell(row: CsvRow, *names: str) -> str | None:
    """The first of ``names`` the row has a value in, control characters removed."""
    for name in names:
        value = clean(row.cells.get(name))
        if value:
            return value
    return None


def google_row(row: CsvRow, where: str, options: ImportOptions) -> ContactRecord | Skipped:
    """One contact from a Google Contacts row."""
    name = one_line(_cell(row, "name")) or one_line(
        " ".join(
            v.strip()
            for v in (
                _cell(row, "name prefix"),
                _cell(row, "given name", "first name"),
                _cell(row, "additional name", "middle name"),
                _cell(row, "family name", "last name"),
                _cell(row, "name suffix"),
            )
            if v
        )
    )
    found: list[IdentityRef] = []
    facts: list[Fact] = []

    def fact(key: str, value: str | None) -> None:
        value = clean(value)
        if value:
            facts.append(Fact(key, value))

    numbered: list[tuple[str, int, str]] = []
    for column, raw in row.cells.items():
        match = _NUMBERED.match(column)
        value = clean(raw) if match else None
        if match and value:
            numbered.append((match.group(1), int(match.group(2)), value))
    order = {"e-mail": 0, "website": 1, "phone": 2, "address": 3}
    numbered.sort(key=lambda item: (order[item[0]], item[1]))
    for field_name, _, cell in numbered:
        for value in _split(cell):
            if field_name == "e-mail":
                ref = identities.email(value, name)
            elif field_name == "phone":
                ref = identities.phone(value, name)
            elif field_name == "website":
                ref = profile(value, name)
            else:
                fact("address", ", ".join(x.strip() for x in value.splitlines() if x.strip()))
                continue
            if ref is not None:
                found.append(ref)
    fact("org", one_line(_cell(row, "organization 1 - name", "organization name")))
    fact("title", one_line(_cell(row, "organization 1 - title", "organization title")))
    fact(
        "department", one_line(_cell(row, "organization 1 - department", "organization department"))
    )
    for group in _split(_cell(row, "group membership", "labels")):
        group = group.removeprefix("* ").strip()
        if group.casefold() not in _SYSTEM_GROUPS:
            fact("category", one_line(group))
    birthday = _cell(row, "birthday")
    fact("birthday", iso_birthday(birthday.strip()) if birthday else None)
    fact("note", _cell(row, "notes"))
    unique = list({r.key: r for r in reversed(found)}.values())[::-1]
    origin = Origin(where, row.line)
    if not unique:
        return Skipped(origin, f"line {row.line}: no e-mail address, phone number or website")
    facts = list(dict.fromkeys(facts))
    source_id = content_id(GOOGLE, name, [r.key for r in unique], [[f.key, f.value] for f in facts])
    if not options.store_bodies:
        facts = [f for f in facts if f.key != "note"]
    return ContactRecord(GOOGLE, source_id, tuple(unique), origin, name=name, facts=tuple(facts))


# -- LinkedIn -------------------------------------------------------------------------


def _is_linkedin_header(cells: list[str]) -> bool:
    keys = {header_key(c) for c in cells}
    return {"first name", "last name", "connected on"} <= keys


class LinkedInImporter(Importer):
    """Reads LinkedIn's ``Connections.csv`` (from "Get a copy of your data")."""

    name = LINKEDIN
    description = "LinkedIn connections (Connections.csv from a LinkedIn data export)"

    def identify(self, path: Path) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        return any(_is_linkedin_header(cells) for cells in head_rows(path, 6))

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        csv = CsvFile(path, is_header=_is_linkedin_header, what="the LinkedIn file", delimiter=",")
        for row in csv.rows():
            if isinstance(row, CsvProblem):
                yield _problem(where, row)
                continue
            short = _short_row(row, csv.header)
            if short is not None:
                yield _relocated(where, short)
                continue
            yield from linkedin_row(row, where)


def connected_on(text: str) -> int | None:
    """ "22 Dec 2025" (or an older export's "12/22/25", "2025-12-22") as 00:00 UTC."""
    value = " ".join(text.split())
    for form in _LINKEDIN_DATES:
        try:
            day = datetime.strptime(value, form)
        except ValueError:
            continue
        return int(day.replace(tzinfo=UTC).timestamp())
    return None


def linkedin_row(row: CsvRow, where: str) -> Iterator[Record]:
    """A connection's contact record, then the connection itself."""
    origin = Origin(where, row.line)
    name = one_line(
        " ".join(v.strip() for v in (_cell(row, "first name"), _cell(row, "last name")) if v)
    )
    member = identities.linkedin(_cell(row, "url", "profile url") or "", name)
    email = identities.email(_cell(row, "email address", "e-mail address") or "", name)
    found = [r for r in (member, email) if r is not None]
    if not found:
        yield Skipped(origin, f"line {row.line}: no profile URL or e-mail address")
        return
    facts = [
        Fact(key, value)
        for key, value in (
            ("org", one_line(_cell(row, "company"))),
            ("title", one_line(_cell(row, "position"))),
        )
        if value
    ]
    key = found[0].key.removeprefix("linkedin:")
    yield ContactRecord(LINKEDIN, key, tuple(found), origin, name=name, facts=tuple(facts))
    when_text = _cell(row, "connected on")
    when = connected_on(when_text) if when_text else None
    if when is None:
        yield Skipped(
            origin, f"line {row.line}: Connected On {(when_text or '').strip()!r} is not a date"
        )
        return
    yield InteractionRecord(
        source=LINKEDIN,
        source_id=f"connect/{key}",
        channel=Channel.SOCIAL,
        kind=Kind.CONNECT,
        occurred_at=when,
        participants=(Participant(Role.FROM, found[0]),),
        origin=origin,
        extra={"network": "linkedin"},
    )
