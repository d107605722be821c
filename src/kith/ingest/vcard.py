"""vCard files (``.vcf``) of versions 2.1, 3.0 and 4.0: one contact per card.

kith reads vCards with its own parser: ``vobject`` (the maintained library)
drops vCard 2.1 quoted-printable continuation lines as unparseable, fails a
whole Android export on one odd base64 photo, and cuts Gmail's ``FN`` at its
first comma (tested on ``../shared/data/formats/vcard``). The format is small:

* a *physical* line starting with a space or tab continues the one before
  (the fold's first whitespace character is dropped);
* a property encoded ``QUOTED-PRINTABLE`` whose line ends in ``=`` continues
  on the next line whatever it starts with (vCard 2.1 soft line breaks),
  but never across ``END:VCARD``;
* ``CHARSET`` says how a value's bytes are text; without it UTF-8 is tried,
  then Windows-1252;
* ``BASE64`` values (photos, keys, sounds) are not read at all, and the
  unindented base64 lines vCard 2.1 allows are not properties (no colon);
* an ``AGENT`` property may hold a whole nested card: it is left out.

A card becomes a ``ContactRecord`` (source ``vcard``; id its ``UID``, else a
hash of what was read from it). Identities: ``EMAIL``, ``TEL`` (not fax or
pager numbers: they are shared lines, and every identity on a card is taken as
that one person), ``URL`` (X, Mastodon and LinkedIn profile URLs become those
identities; a ``URL;TYPE=WORK`` is the company's site and stays a ``url``
fact, or it would make colleagues one person), ``X-SOCIALPROFILE``, ``IMPP``
and ``X-TWITTER``-style handles where they name X, Mastodon or LinkedIn.
Other instant-messaging handles become ``im`` facts. A card with no identity
is skipped with a reason; so is a card with broken quoted-printable text or
one the file ends inside.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kith.errors import InputError
from kith.ingest import cleaning, identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.cleaning import clean, content_id, head, one_line, read_lines, too_long
from kith.model import ContactRecord, Fact, IdentityRef, Origin, Record, Skipped

SOURCE = "vcard"

_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_QP_BROKEN = re.compile(rb"=(?![0-9A-Fa-f]{2})(?!$)")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_BDAY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:$|T)")
_BDAY_NO_YEAR = re.compile(r"^--(\d{2})-?(\d{2})$")
#: vCard 2.1 lets ``ENCODING`` values stand alone as parameters.
_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"})
#: Telephone types that are not a way of reaching the person (shared lines).
_NOT_PERSONAL_TEL = frozenset({"FAX", "PAGER"})
#: Instant-messaging properties of Apple, Gmail, Evolution and Outlook exports.
_IM_PROPERTIES = {
    "X-AIM": "aim",
    "X-GADUGADU": "gadugadu",
    "X-GOOGLE-TALK": "gtalk",
    "X-GTALK": "gtalk",
    "X-ICQ": "icq",
    "X-JABBER": "xmpp",
    "X-MSN": "msn",
    "X-MS-IMADDRESS": "im",
    "X-QQ": "qq",
    "X-SKYPE": "skype",
    "X-SKYPE-USERNAME": "skype",
    "X-YAHOO": "yahoo",
}
#: The properties kith reads; the others are not even decoded.
_READ = frozenset(
    {
        "ADR",
        "BDAY",
        "CATEGORIES",
        "EMAIL",
        "FN",
        "IMPP",
        "N",
        "NICKNAME",
        "NOTE",
        "ORG",
        "ROLE",
        "TEL",
        "TITLE",
        "UID",
        "URL",
        "X-LINKEDIN",
        "X-MASTODON",
        "X-SOCIALPROFILE",
        "X-TWITTER",
        *_IM_PROPERTIES,
    }
)
#: Identity kinds in the order a card lists them: its first identity carries
#: the card's facts, and an e-mail address is the steadiest anchor.
_KIND_ORDER = {"email": 0, "linkedin": 1, "x": 2, "mastodon": 3, "url": 4, "phone": 5}


class BadValue(ValueError):
    """A property value that cannot be decoded; the card is skipped."""


@dataclass(slots=True)
class Property:
    """One content line: ``NAME;PARAM=VALUE:value``, the value still encoded."""

    line: int
    name: str
    params: dict[str, list[str]]
    raw: bytes

    def param(self, key: str) -> str | None:
        values = self.params.get(key)
        return values[0] if values else None

    @property
    def types(self) -> set[str]:
        return {t.upper() for value in self.params.get("TYPE", ()) for t in value.split(",")}

    def is_binary(self) -> bool:
        encoding = (self.param("ENCODING") or "").upper()
        return encoding in ("BASE64", "B")

    def text(self) -> str:
        """The value as text: quoted-printable and charset decoded, not unescaped."""
        raw = self.raw
        if (self.param("ENCODING") or "").upper() in ("QUOTED-PRINTABLE", "QP"):
            bad = _QP_BROKEN.search(raw)
            if bad is not None:
                snippet = raw[bad.start() : bad.start() + 3].decode("latin-1")
                raise BadValue(
                    f"line {self.line}: {self.name} has broken quoted-printable text "
                    f"({snippet!r} is not an escape)"
                )
            raw = binascii.a2b_qp(raw)
        charset = self.param("CHARSET")
        if charset:
            try:
                return raw.decode(codecs.lookup(charset.strip('"')).name, "replace")
            except (LookupError, ValueError):  # unknown, or not a name at all (a NUL in it)
                pass
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace")


@dataclass(slots=True)
class Card:
    line: int
    props: list[Property] = field(default_factory=list)


class VCardImporter(Importer):
    """Reads ``.vcf`` address books (Android, iOS/macOS, Gmail, Outlook, Evolution …)."""

    name = "vcard"
    description = "vCard contacts (.vcf), versions 2.1, 3.0 and 4.0"

    def identify(self, path: Path) -> bool:
        data = head(path)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            data = data.decode("utf-16", "replace").encode("utf-8")
        return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:11].upper() == b"BEGIN:VCARD"

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        found = False
        for card in split_cards(read_lines(path, "the vCard file")):
            found = True
            if isinstance(card, Skipped):
                yield Skipped(Origin(where, card.origin.position), card.reason)
                continue
            try:
                yield read_card(card, where, options)
            except BadValue as exc:
                yield Skipped(Origin(where, card.line), str(exc))
        if not found:
            raise InputError(
                "not a vCard file: no BEGIN:VCARD line",
                where=where,
                hint="export the address book as vCard (.vcf), or name the format with --format",
            )


# -- lines and cards ------------------------------------------------------------------


def logical_lines(lines: Iterable[tuple[int, bytes | None]]) -> Iterator[tuple[int, bytes | None]]:
    """``(first physical line number, unfolded line)`` for each content line;
    a line over ``cleaning.MAX_LINE_BYTES``, folds included, comes as ``None``."""
    number = 0
    line: bytes | None = None
    started = False
    for nxt_number, nxt in lines:
        if started and line is not None and nxt is not None:
            if line.endswith(b"=") and _is_quoted_printable(line) and not _is_boundary(nxt):
                line = line[:-1] + nxt  # a soft line break
                line = line if len(line) <= cleaning.MAX_LINE_BYTES else None
                continue
            if nxt[:1] in (b" ", b"\t"):
                line += nxt[1:]  # a fold
                line = line if len(line) <= cleaning.MAX_LINE_BYTES else None
                continue
        elif started and line is None and (nxt is None or nxt[:1] in (b" ", b"\t")):
            continue  # the rest of a line too long to keep
        if started and (line is None or line.strip()):
            yield number, line
        number, line, started = nxt_number, nxt, True
    if started and (line is None or line.strip()):
        yield number, line


def _is_quoted_printable(line: bytes) -> bool:
    colon = line.find(b":")
    return colon > 0 and b"QUOTED-PRINTABLE" in line[:colon].upper()


def _is_boundary(line: bytes) -> bool:
    upper = line.strip().upper()
    return upper.startswith((b"END:VCARD", b"BEGIN:VCARD"))


def split_cards(lines: Iterable[tuple[int, bytes | None]]) -> Iterator[Card | Skipped]:
    """Each card's properties; a card the file ends inside, or one a new
    ``BEGIN:VCARD`` interrupts, comes out as ``Skipped`` (its origin's file empty)."""
    card: Card | None = None
    nested = 0  # depth inside AGENT cards
    agent_open = False
    for number, line in logical_lines(lines):
        if line is None:
            yield Skipped(
                Origin("", number),
                too_long(number),
            )
            continue
        marker = line.strip().upper()
        if marker == b"BEGIN:VCARD":
            if card is None:
                card, nested = Card(number), 0
            elif agent_open or nested:
                nested += 1
            else:
                yield Skipped(
                    Origin("", card.line),
                    f"card not closed: a new card begins at line {number} before END:VCARD",
                )
                card, nested = Card(number), 0
            agent_open = False
            continue
        if marker == b"END:VCARD":
            if card is not None:
                if nested:
                    nested -= 1
                else:
                    yield card
                    card = None
            continue
        if card is None or nested:
            continue
        prop = parse_property(number, line)
        if prop is not None:
            card.props.append(prop)
            agent_open = prop.name == "AGENT" and not prop.raw.strip()
    if card is not None:
        yield Skipped(Origin("", card.line), "card not closed: the file ends before END:VCARD")


def parse_property(number: int, line: bytes) -> Property | None:
    """``[group.]NAME *(;param) : value``; None for a line that is not one, or
    for a property kith does not read (``AGENT`` aside: it may open a card)."""
    colon = line.find(b":")
    if colon > 0 and b'"' in line[:colon]:
        colon = _unquoted_colon(line)
    if colon <= 0:
        return None
    head_text = line[:colon].decode("utf-8", "replace")
    parts = _split_params(head_text) if '"' in head_text else head_text.split(";")
    name = parts[0].rpartition(".")[2].strip().upper()
    if name not in _READ and name != "AGENT":
        return None
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        key, eq, value = part.partition("=")
        key = key.strip().upper()
        if not eq:
            key, value = ("ENCODING" if key in _BARE_ENCODINGS else "TYPE"), key
        params.setdefault(key, []).append(value.strip().strip('"'))
    return Property(number, name, params, line[colon + 1 :])


def _unquoted_colon(line: bytes) -> int:
    quoted = False
    for i, byte in enumerate(line):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == 0x3A and not quoted:  # :
            return i
    return -1


def _split_params(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


# -- values ---------------------------------------------------------------------------


def unescape(text: str) -> str:
    r"""``\n`` is a line break; ``\,`` ``\;`` ``\\`` and any other escaped
    character stand for themselves (Gmail writes ``http\://``)."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def split_value(text: str, separator: str) -> list[str]:
    """Split a structured value on unescaped ``separator``, then unescape each part."""
    if "\\" not in text:
        return text.split(separator)
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return [unescape(p) for p in parts]


def iso_birthday(text: str) -> str | None:
    """``19800322``, ``1980-03-22`` or ``1980-03-22T…`` → ``1980-03-22``; a vCard 4
    date without a year (``--0203``) → ``--02-03``; None for anything else,
    impossible days included."""
    value = text.strip()
    match = _BDAY.match(value)
    year = None
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif match := _BDAY_NO_YEAR.match(value):
        month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        date(year or 2000, month, day)  # 2000: a leap year, so --02-29 stands
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def format_address(parts: list[str]) -> str | None:
    """An ``ADR`` (PO box; extended; street; locality; region; code; country) as one line."""
    parts = [*parts, *[""] * 7][:7]
    pobox, extended, street, locality, region, code, country = (
        ", ".join(x for line in p.splitlines() if (x := line.strip().rstrip(",").strip()))
        for p in parts
    )
    region_code = " ".join(p for p in (region, code) if p)
    return one_line(
        ", ".join(p for p in (street, extended, pobox, locality, region_code, country) if p)
    )


# -- a card into a record -----------------------------------------------------------


def read_card(card: Card, where: str, options: ImportOptions) -> ContactRecord | Skipped:
    """The ``ContactRecord`` a card describes, or ``Skipped`` when it names no one."""
    props = [p for p in card.props if p.name in _READ and not p.is_binary()]
    texts = {id(p): p.text() for p in props}  # BadValue here skips the card

    def first(name: str) -> Property | None:
        return next((p for p in props if p.name == name), None)

    fn = first("FN")
    name = one_line(unescape(texts[id(fn)])) if fn else None
    if name is None and (n := first("N")) is not None:
        family, given, additional, prefix, suffix = [*split_value(texts[id(n)], ";"), *[""] * 5][:5]
        name = one_line(" ".join(p for p in (prefix, given, additional, family, suffix) if p))

    found: list[IdentityRef] = []
    facts: list[Fact] = []

    def add_fact(key: str, value: str | None) -> None:
        value = clean(value)
        if value:
            facts.append(Fact(key, value))

    for p in props:
        text = texts[id(p)]
        value = clean(unescape(text)) or ""
        tag = p.name
        ref: IdentityRef | None = None
        if tag == "EMAIL":
            ref = identities.email(value, name)
        elif tag == "TEL":
            if not p.types & _NOT_PERSONAL_TEL:
                ref = identities.phone(_tel_number(value), name)
        elif tag == "URL":
            if "WORK" in p.types:
                add_fact("url", identities.normalise_url(value) or value)
            else:
                ref = profile(value, name)
        elif tag == "X-SOCIALPROFILE":
            ref = social_profile(p.types, value, p.param("X-USER"), name)
        elif tag == "IMPP":
            scheme, _, handle = value.partition(":")
            ref = social_profile({scheme.upper()}, handle, None, name)
            if ref is None and handle:
                add_fact("im", value)
        elif tag in ("X-TWITTER", "X-MASTODON", "X-LINKEDIN"):
            ref = social_profile({tag[2:]}, value, None, name)
        elif tag in _IM_PROPERTIES:
            if value:
                add_fact("im", f"{_IM_PROPERTIES[tag]}:{value}")
        elif tag == "ORG":
            org, *department = (one_line(x) for x in split_value(text, ";"))
            add_fact("org", org)
            add_fact("department", ", ".join(d for d in department if d))
        elif tag in ("TITLE", "ROLE", "NICKNAME"):
            add_fact(tag.lower(), one_line(value))
        elif tag == "CATEGORIES":
            for category in split_value(text, ","):
                add_fact("category", one_line(category))
        elif tag == "NOTE":
            add_fact("note", value)
        elif tag == "BDAY":
            add_fact("birthday", iso_birthday(value))
        elif tag == "ADR":
            add_fact("address", format_address(split_value(text, ";")))
        if ref is not None:
            found.append(ref)

    unique = list({ref.key: ref for ref in reversed(found)}.values())[::-1]
    unique.sort(key=lambda r: _KIND_ORDER.get(r.kind, len(_KIND_ORDER)))
    facts = list(dict.fromkeys(facts))
    origin = Origin(where, card.line)
    if not unique:
        return Skipped(origin, "no e-mail address, phone number or profile URL on this card")
    uid_prop = first("UID")
    uid = one_line(unescape(texts[id(uid_prop)])) if uid_prop else None
    source_id = uid or content_id(
        SOURCE, name, [r.key for r in unique], [[f.key, f.value] for f in facts]
    )
    if not options.store_bodies:
        facts = [f for f in facts if f.key != "note"]
    return ContactRecord(SOURCE, source_id, tuple(unique), origin, name=name, facts=tuple(facts))


def _tel_number(value: str) -> str:
    """``tel:+1-418-656-9254;ext=102`` (vCard 4) → ``+1-418-656-9254``."""
    if value[:4].lower() == "tel:":
        value = value[4:]
    return value.split(";", 1)[0]


def profile(url: str, name: str | None) -> IdentityRef | None:
    """A profile URL as the identity it names: LinkedIn, X, Mastodon, else a URL."""
    return (
        identities.linkedin(url, name) if "linkedin." in url.lower() else identities.url(url, name)
    )


def social_profile(
    services: set[str], value: str, user: str | None, name: str | None
) -> IdentityRef | None:
    """An identity from a social-profile property, by its service where it names
    X (Twitter), Mastodon or LinkedIn, else from a profile URL; None otherwise."""
    services = {s.lower() for s in services}
    candidates = [c for c in (value, user) if c]
    if services & {"twitter", "x"}:
        for c in candidates:
            if ref := identities.x_handle(c, name):
                return ref
    if services & {"mastodon", "fediverse"}:
        for c in candidates:
            if ref := identities.mastodon(c, name):
                return ref
    if "linkedin" in services:
        for c in candidates:
            if ref := identities.linkedin(c, name):
                return ref
    if "://" in value:
        return profile(value, name)
    return None
