"""Read one RFC 5322 message into an ``InteractionRecord``, fast.

The stdlib ``email`` parser builds a full object tree and manages about 5,700
messages a second here; an import has to reach 10,000 a second end to end,
with the database's share on top. So headers are read straight from the
bytes: one precompiled regex picks out the dozen headers kith needs and stops
at the blank line that ends the header block; RFC 2047 words are decoded only
where ``=?`` occurs; address lists and dates, which repeat a lot in a mailbox
(list addresses, bots), are parsed once and cached. The stdlib is used for
what is rare: unusual address syntax (``email.utils.getaddresses``), unusual
date formats (``email.utils.parsedate_tz``) and encoded words.

Bodies are read only when asked for (``ImportOptions.store_bodies``): the
first text/plain part, else the first HTML part as text. MIME parts are walked
here too, since the stdlib spends ~600 µs on an ordinary multipart message.

Nothing here raises on bad input: a message that cannot be read comes back as
``Skipped`` with a reason a person can act on. A body that cannot be decoded
is read as well as it can be (unknown charsets as UTF-8 with replacement
characters): the message still counts, with or without its text.
"""

from __future__ import annotations

import binascii
import calendar
import codecs
import hashlib
import logging
import re
from collections.abc import Callable, Iterator
from datetime import date
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import getaddresses, parsedate_tz
from functools import lru_cache
from html.parser import HTMLParser

from kith import identity as identity_rules
from kith.ingest.base import ImportOptions
from kith.model import (
    Channel,
    DateQuality,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Role,
    Skipped,
)
from kith.units import DAY

log = logging.getLogger(__name__)

#: ``(address, display name)`` pairs read from one address header.
_Pairs = tuple[tuple[str, str | None], ...]

SOURCE = "email"
#: Longest body kept, in characters; the rest of a long message is dropped.
MAX_BODY_CHARS = 100_000
#: Dates outside [1971-01-01, 2101-01-01) UTC are typos or clock faults, not history.
MIN_EPOCH = 31_536_000
MAX_EPOCH = 4_133_980_800
#: Instants that clients write when they have no date: the DOS/FAT epoch
#: (1980-01-01T00:00Z; Enron has "Mon, 31 Dec 1979 16:00:00 -0800"). Read as no date.
NULL_DATES = frozenset({315_532_800})

EMPTY = "empty: the message holds nothing but whitespace"
NO_SENDER = "no sender: From header missing or unreadable"
NO_HEADERS = "no header block: the message does not start with 'Name: value' header lines"
BINARY_HEADERS = "binary data: NUL bytes in the header block"
TRUNCATED_HEADERS = "truncated: the message ends inside its header block"
NO_DATE = "no date: no usable Date, Received or envelope date and no fallback time"


def _header_patterns(*names: str) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Regexes that pick the headers ``names`` out of a header block, fast.

    The second is the workhorse: one pass of the regex engine over the block
    finds each wanted header after a newline (groups: name, value with its
    folded lines) or the blank line that ends the block (group 3), skipping
    everything else (Received above all) in C. The first matches a wanted
    header on the first line, which has no newline before it.

    Two things make it 2-3 times faster than ``^(from|to|…):`` with
    IGNORECASE and MULTILINE: a literal ``\n`` lets the engine jump from line
    to line, and branching on the first letter as a plain literal (``F(?i:rom)``,
    ``f(?i:rom)``, …) lets it reject a line after one comparison per branch.
    """
    by_first: dict[str, list[str]] = {}
    for name in names:
        by_first.setdefault(name[0], []).append(re.escape(name[1:]))
    branches = [
        f"{re.escape(letter)}(?i:{'|'.join(sorted(rests, key=len, reverse=True))})"
        for first, rests in by_first.items()
        for letter in sorted({first.upper(), first.lower()})
    ]
    field = ("(" + "|".join(branches) + r")[ \t]*:(.*(?:\n[ \t].*)*)").encode()
    return re.compile(field), re.compile(rb"\n(?:" + field + rb"|\r?(\n))")


_FIRST_HEADER_RE, _HEADER_RE = _header_patterns(
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "date",
    "message-id",
    "subject",
    "references",
    "in-reply-to",
    "list-id",
    "list-post",
    "list-unsubscribe",
    "x-mailing-list",
    "mailing-list",
    "x-from",
    "content-type",
    "content-transfer-encoding",
)
_RECEIVED_RE = re.compile(rb"^received[ \t]*:(.*(?:\n[ \t].*)*)", re.MULTILINE | re.IGNORECASE)
_FIRST_LINE_RE = re.compile(rb"[!-9;-~]+[ \t]*:")
# Headers that may legitimately appear more than once and then add up.
_LIST_HEADERS = frozenset({b"to", b"cc", b"bcc"})

_ID_RE = re.compile(r"<([^<>\s]*)>")
_MSGID_RE = re.compile(r"<([^<>]*)>")
_EMAIL_RE = re.compile(r"[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f]+@[\w-]+(?:\.[\w-]+)*\.?")
_QUOTED_NAME_RE = re.compile(r'\s*"([^"\\]*)"\s*<([^<>\s]*)>\s*')
_PLAIN_ADDR_RE = re.compile(r"[^\s<>]+")
_NOTES_DOMAIN_RE = re.compile(r"@[\w-]+$")
_REPLY_RE = re.compile(r"\s*(?:\[[^\]]*\]\s*)*(?:re|aw|sv)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_SUBJECT_PREFIX_RE = re.compile(
    r"^(?:\s*(?:(?:re|fwd?|aw|sv)\s*(?:\[\d+\])?\s*:|\[[^\]]*\]))+", re.IGNORECASE
)
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)

# RFC 5322 dates as nearly every mailer writes them: "Thu, 1 Mar 2012 17:25:58 +0000".
_DATE_RE = re.compile(
    r"\s*(?:[A-Za-z]+,?\s*)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d{2})(\d{2})\b)?"
)
# The asctime of an mbox "From " line: "sender  Thu Mar  1 17:26:21 2012".
_ENVELOPE_RE = re.compile(
    r"([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:[A-Za-z]{3,5}\s+)?(\d{4})"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# After "Last, First" a comma can also start a suffix: "Continental Airlines, Inc.".
# Compared without dots: "Ph.D." is "phd".
_NAME_SUFFIXES = frozenset(
    "inc ltd llc co corp plc gmbh ag sa bv nv jr sr ii iii iv phd md esq".split()  # noqa: SIM905
)


# --- small public helpers -------------------------------------------------------------


def normalise_email(addr: str | None) -> str | None:
    """``" <Ana+News@X.org> "`` -> ``"ana+news@x.org"``; ``None`` unless it is ``local@domain``.

    Plus-addressing is kept (see ``base_address``); a ``mailto:`` prefix and a
    trailing dot on the domain are dropped.
    """
    if not addr:
        return None
    value = addr.strip().strip("<>\"' \t").lower()
    if value.startswith("mailto:"):
        value = value[7:]
    if not _EMAIL_RE.fullmatch(value):
        return None
    return value.rstrip(".")


def base_address(addr: str) -> str:
    """The identity a plus-address belongs to: ``ana+news@x.org`` -> ``ana@x.org``."""
    return identity_rules.base_address(normalise_email(addr) or addr.strip().lower())


def normalise_name(display: str | None) -> str | None:
    """A display name as a person would write it, or ``None``.

    Decodes RFC 2047 words, drops quotes and extra whitespace, turns
    ``"Allen, Phillip K."`` into ``"Phillip K. Allen"`` (not ``"…, Inc."``), and
    returns ``None`` for an empty name or one that is only an address.
    """
    if not display:
        return None
    name = _decode_words(display) if "=?" in display else display
    name = " ".join(name.replace("\x00", "").split()).strip("\"' ")
    if not name or ("@" in name and normalise_email(name) is not None):
        return None
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if last and first and first.lower().replace(".", "") not in _NAME_SUFFIXES:
            name = f"{first} {last}"
    return name


def normalise_subject(subject: str) -> str:
    """The thread key of a subject: no ``Re:``/``Fwd:``/``AW:``/``[tag]`` prefixes, casefolded."""
    return " ".join(_SUBJECT_PREFIX_RE.sub("", subject).split()).casefold()


def parse_envelope_date(line: str) -> int | None:
    """Seconds since the epoch from an mbox ``From `` line (UTC assumed), or ``None``.

    ``line`` is what follows ``From ``: ``sender  Thu Mar  1 17:26:21 2012``.
    """
    words = line.split()
    # The common shape, read from the end: ... month day hh:mm:ss year.
    if len(words) >= 5 and len(words[-1]) == 4 and words[-1].isdigit():
        month = _MONTHS.get(words[-4][:3].lower())
        clock = words[-2].split(":")
        if month is not None and words[-3].isdigit() and len(clock) == 3:
            hour, minute, second = clock
            if hour.isdigit() and minute.isdigit() and second.isdigit():
                return _to_epoch(
                    int(words[-1]), month, int(words[-3]), int(hour), int(minute), int(second), 0
                )
    match = _ENVELOPE_RE.search(line)
    if match is None:
        return _parse_date(line.strip())[0] if line.strip() else None
    month = _MONTHS.get(match[1].lower())
    if month is None:
        return None
    return _to_epoch(
        int(match[6]), month, int(match[2]), int(match[3]), int(match[4]), int(match[5] or 0), 0
    )


# --- the parser ------------------------------------------------------------------------


def parse_message(
    raw: bytes,
    origin: Origin,
    options: ImportOptions,
    *,
    envelope_date: int | None = None,
    fallback_date: int | None = None,
) -> InteractionRecord | Skipped:
    """One message (without its mbox ``From `` line) as a record, or why it was skipped.

    The time comes from the Date header, else the topmost Received header,
    else ``envelope_date`` (the mbox ``From `` line), else ``fallback_date``
    (the message before it, or the file's mtime); ``date_quality`` says which.
    ``tz_offset_min`` comes from the Date header only: a Received header
    carries the receiving server's offset, not the sender's. The body is read
    only when ``options.store_bodies`` is true.
    """
    if not raw or raw.isspace():
        return Skipped(origin, EMPTY)
    if _FIRST_LINE_RE.match(raw) is None:
        return Skipped(origin, NO_HEADERS)
    fields, head_end, body_start = _read_headers(raw, _FIRST_HEADER_RE, _HEADER_RE)
    if head_end < 0:
        return Skipped(origin, TRUNCATED_HEADERS)
    if raw.find(b"\x00", 0, head_end) >= 0:
        return Skipped(origin, BINARY_HEADERS)

    people = _people(
        fields.get(b"from"),
        fields.get(b"sender"),
        fields.get(b"reply-to"),
        fields.get(b"to"),
        fields.get(b"cc"),
        fields.get(b"bcc"),
        fields.get(b"x-from"),
    )
    if people is None:
        return Skipped(origin, NO_SENDER)
    participants, from_pairs, to_pairs, cc_pairs = people

    date_value = fields.get(b"date")
    date_text = _text(date_value) if date_value is not None else ""
    occurred_at, tz_offset = _parse_date(date_text) if date_text else (None, None)
    quality = DateQuality.HEADER
    if occurred_at is None:
        tz_offset = None
        quality = DateQuality.RECEIVED
        occurred_at = _received_date(raw, head_end)
    if occurred_at is None:
        quality, occurred_at = DateQuality.ENVELOPE, envelope_date
    if occurred_at is None:
        quality, occurred_at = DateQuality.POSITION, fallback_date
    if occurred_at is None:
        return Skipped(origin, NO_DATE)

    subject = _subject(fields[b"subject"]) if b"subject" in fields else None
    refs = _refs(fields.get(b"references"), fields.get(b"in-reply-to"))
    thread_key = None
    if refs:
        is_reply = True
    else:
        is_reply = subject is not None and _REPLY_RE.match(subject) is not None
        thread_key = _thread_key(subject, from_pairs, to_pairs, cc_pairs)

    source_id = _message_id(fields[b"message-id"]) if b"message-id" in fields else None
    if source_id is None:
        source_id = _content_id(from_pairs, to_pairs, cc_pairs, date_text, subject)

    list_address = _list_address(fields)
    list_id = _list_id(fields[b"list-id"]) if b"list-id" in fields else None
    if list_address is not None:
        if list_id is None:
            list_id = identity_rules.list_id_of(list_address)
        participants = _without_lists(participants, list_address)

    # Positional: keyword arguments double the cost of building a record
    # (tests/test_ingest_email.py pins the field order this relies on).
    return InteractionRecord(
        SOURCE,
        source_id,
        Channel.EMAIL,
        Kind.REPLY if is_reply else Kind.MESSAGE,
        occurred_at,
        participants,
        origin,
        quality,
        tz_offset,
        subject,
        _body(raw, fields, body_start) if options.store_bodies else None,
        refs,
        list_id,
        list_address,
        is_reply,
        thread_key,
    )


@lru_cache(maxsize=1 << 14)
def _people(
    from_: bytes | None,
    sender: bytes | None,
    reply_to: bytes | None,
    to: bytes | None,
    cc: bytes | None,
    bcc: bytes | None,
    x_from: bytes | None,
) -> tuple[tuple[Participant, ...], _Pairs, _Pairs, _Pairs] | None:
    """The participants of a message from its raw address headers; ``None`` without an author.

    Also returns the From, To and Cc pairs (for thread and content keys).
    Cached: in a mailbox the same people write to the same people again and again.
    """
    from_pairs = _addresses_of(from_)
    sender_pairs = _addresses_of(sender)
    author = from_pairs[0] if from_pairs else sender_pairs[0] if sender_pairs else None
    if author is None:
        return None
    author_name = author[1]
    if author_name is None and x_from is not None:
        author_name = _x_from_name(_text(x_from))
    to_pairs = _addresses_of(to)
    cc_pairs = _addresses_of(cc)
    participants = [_participant(Role.FROM, author[0], author_name)]
    # (role, address) -> index: an address listed twice in a role counts once,
    # with the first display name found for it.
    seen = {(Role.FROM, author[0]): 0}
    for role, pairs in (
        (Role.SENDER, sender_pairs),
        (Role.REPLY_TO, _addresses_of(reply_to)),
        (Role.TO, to_pairs),
        (Role.CC, cc_pairs),
        (Role.BCC, _addresses_of(bcc)),
    ):
        for address, name in pairs:
            index = seen.get((role, address))
            if index is None:
                seen[role, address] = len(participants)
                participants.append(_participant(role, address, name))
            elif name is not None and participants[index].identity.display_name is None:
                participants[index] = _participant(role, address, name)
    return tuple(participants), from_pairs, to_pairs, cc_pairs


# --- header values ---------------------------------------------------------------------


def _text(value: bytes) -> str:
    """A raw header value as text: unfolded, decoded, stripped (RFC 2047 words left alone)."""
    if b"\n" in value:
        value = value.replace(b"\r\n", b"").replace(b"\n", b"")
    try:
        text = value.decode("ascii")
    except UnicodeDecodeError:
        # Raw 8-bit headers (RFC 6532 or just careless mailers): UTF-8, else Latin-1.
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
    return text.strip()


def _subject(value: bytes) -> str | None:
    text = _text(value)
    if "=?" in text:
        text = _decode_words(text)
    return text.replace("\t", " ").strip() or None


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; an undecodable word is kept as written."""
    try:
        parts = decode_header(text)
    except (HeaderParseError, ValueError, IndexError, LookupError):
        return text
    out = []
    for data, charset in parts:
        if isinstance(data, str):
            out.append(data)
        elif charset is None:
            out.append(data.decode("raw-unicode-escape", "replace"))
        else:
            out.append(_decode(data, charset))
    return "".join(out).replace("\x00", "")


def _decode(data: bytes, charset: str | None) -> str:
    """Decode text in its declared charset; never raises.

    A charset Python does not know is read as UTF-8 with replacement
    characters. Text with no charset is read as UTF-8, else as Windows-1252
    (what undeclared 8-bit mail nearly always is).
    """
    codec = _codec(charset) if charset else None
    if codec is not None:
        try:
            return data.decode(codec, "replace")
        except (UnicodeError, LookupError, ValueError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if charset:  # declared but unknown: keep what UTF-8 can read
            return data.decode("utf-8", "replace")
        return data.decode("cp1252", "replace")


@lru_cache(maxsize=256)
def _codec(charset: str) -> str | None:
    """The codec name for a MIME charset, or ``None`` if Python has no text codec for it."""
    name = charset.strip().strip("\"'").split("*", 1)[0].lower()
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # bytes.decode refuses non-text codecs (base64, zlib, ...) anyway; say so early.
    return info.name if getattr(info, "_is_text_encoding", True) else None


@lru_cache(maxsize=1 << 16)
def _addresses_of(value: bytes | None) -> _Pairs:
    """``(address, display name)`` pairs of a raw address header, unusable entries dropped.

    ``addr``, ``Name <addr>`` and ``"Name" <addr>`` lists are split here; groups,
    comments and escapes go to ``email.utils.getaddresses``. Cached on the raw
    bytes: list addresses and bots repeat in every message.
    """
    if value is None:
        return ()
    text = _text(value)
    pairs = _split_simple_addresses(text)
    if pairs is None:
        try:
            pairs = getaddresses([text])
        except (ValueError, IndexError, TypeError):  # hostile input; treat as unreadable
            pairs = []
    out = []
    for name, addr in pairs:
        address = normalise_email(addr)
        if address is not None:
            out.append((address, normalise_name(name)))
    return tuple(out)


def _split_simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """The common address forms as ``(name, addr)`` pairs; ``None`` for anything else."""
    if '"' in value:
        match = _QUOTED_NAME_RE.fullmatch(value)
        return [(match[1], match[2])] if match else None
    if "(" in value or ":" in value or ";" in value or "\\" in value:
        return None
    pairs = []
    for piece in value.split(","):
        piece = piece.strip()
        if not piece:
            continue
        lt = piece.find("<")
        if lt < 0:
            if not _PLAIN_ADDR_RE.fullmatch(piece):
                return None
            pairs.append(("", piece))
        else:
            gt = piece.find(">", lt)
            if gt != len(piece) - 1 or "<" in piece[lt + 1 :]:
                return None
            pairs.append((piece[:lt], piece[lt + 1 : gt]))
    return pairs


def _x_from_name(text: str) -> str | None:
    """The name in an Exchange or Notes ``X-From``: ``Dunton, Heather </O=ENRON/...>``.

    Lotus Notes appends its dotless domain to names (``Enron Announcements@ENRON``,
    ``ana@yahoo.com@ENRON``); that tail is dropped.
    """
    lt = text.find("<")
    return normalise_name(_NOTES_DOMAIN_RE.sub("", (text[:lt] if lt >= 0 else text).strip()))


@lru_cache(maxsize=1 << 14)
def _participant(role: Role, address: str, name: str | None) -> Participant:
    return Participant(role, IdentityRef("email", address, name))


def _message_id(value: bytes) -> str | None:
    text = _text(value)
    match = _ID_RE.search(text)
    if match is not None and match[1]:
        return match[1]
    ids = _msgids(value)
    return ids[0] if ids else "".join(text.split()) or None


def _msgids(value: bytes) -> list[str]:
    """The ``<id>``s of a Message-ID, References or In-Reply-To value, without brackets."""
    try:
        text = value.decode("ascii")  # ids need no unfolding: the regex spans lines
    except UnicodeDecodeError:
        text = _text(value)
    ids = _ID_RE.findall(text)
    if len(ids) == text.count("<") and "" not in ids:
        return ids
    # Whitespace inside the brackets (folded ids), or no brackets at all.
    ids = ["".join(i.split()) for i in _MSGID_RE.findall(text)]
    if not ids:
        ids = [token for token in text.split() if "@" in token]
    return [i for i in ids if i]


def _refs(references: bytes | None, in_reply_to: bytes | None) -> tuple[str, ...]:
    """References in order, then In-Reply-To: no duplicates, the direct parent last."""
    parents = _msgids(in_reply_to) if in_reply_to is not None else []
    if references is None:
        return tuple(dict.fromkeys(parents))
    ordered = _msgids(references)
    if parents:
        parent_set = set(parents)
        ordered = [ref for ref in ordered if ref not in parent_set]
        ordered.extend(parents)
    return tuple(dict.fromkeys(ordered))


def _thread_key(subject: str | None, *addresses: _Pairs) -> str | None:
    """``subject:<sha1>`` of the normalised subject among the same set of people.

    Threads messages that carry no references (Enron's "RE:" chains): a reply
    swaps From and To but keeps the set of people and the subject.
    """
    topic = normalise_subject(subject) if subject else ""
    if not topic:
        return None
    people = sorted({address for pairs in addresses for address, _ in pairs})
    key = topic + "\n" + ",".join(people)
    return "subject:" + hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()


@lru_cache(maxsize=256)
def _list_id(value: bytes) -> str | None:
    text = _text(value)
    match = _MSGID_RE.search(text)
    if match is not None:
        text = match[1]
    return text.strip() or None


def _list_address(fields: dict[bytes, bytes]) -> str | None:
    """The address of the list a message came through, or None if it came directly.

    Read from the first of these that names one: ``List-Post``; ``X-Mailing-List``;
    ezmlm's ``Mailing-List: list dev@x.org; contact …``; ``List-Unsubscribe``
    (``dev-unsubscribe@``, ``dev-request@``, ``dev-leave@`` are ``dev@``); a
    ``Sender`` that is the list's machinery (``dev-bounces@``, ``owner-dev@``, see
    ``kith.identity.list_of_machinery``). ``List-Id`` alone names the circle but no
    address.
    """
    for name, read in _LIST_ADDRESS_READERS:
        value = fields.get(name)
        if value is not None:
            address = read(value)
            if address is not None:
                return address
    return None


def _without_lists(
    participants: tuple[Participant, ...], list_address: str
) -> tuple[Participant, ...]:
    """``participants`` without the list itself, its machinery and the sibling lists it
    was cross-posted to (``kith.identity.is_sibling_list``): those are circles, not
    people. The author stays, whoever it is."""
    return tuple(
        p
        for p in participants
        if p.role is Role.FROM
        or not (
            p.identity.value == list_address
            or identity_rules.list_of_machinery(p.identity.value) == list_address
            or identity_rules.is_sibling_list(p.identity.value, list_address)
        )
    )


@lru_cache(maxsize=256)
def _first_address(value: bytes) -> str | None:
    """The first ``local@domain`` in a header value (``<tools@x.org> archive/latest/12``)."""
    match = _EMAIL_RE.search(_text(value))
    return normalise_email(match[0]) if match is not None else None


_EZMLM_LIST_RE = re.compile(r"\blist\s+(\S+@[^\s;]+)", re.IGNORECASE)
_EZMLM_CONTACT_RE = re.compile(r"\bcontact\s+(\S+)-help@([^\s;]+)", re.IGNORECASE)


@lru_cache(maxsize=256)
def _ezmlm_list(value: bytes) -> str | None:
    """The list's address from ezmlm's ``Mailing-List``: ``list dev@x.org; …``, else
    ``contact dev-help@x.org; run by ezmlm`` (the help address is ``<list>-help@``)."""
    text = _text(value)
    match = _EZMLM_LIST_RE.search(text)
    if match is not None:
        return normalise_email(match[1])
    match = _EZMLM_CONTACT_RE.search(text)
    return normalise_email(f"{match[1]}@{match[2]}") if match is not None else None


#: Local-part suffixes of a list's unsubscribe address (ezmlm, Mailman, Sympa-like).
_UNSUBSCRIBE_SUFFIXES = ("-unsubscribe", "-request", "-leave")


@lru_cache(maxsize=256)
def _list_unsubscribe(value: bytes) -> str | None:
    """The list's address from a ``List-Unsubscribe`` mailto (``dev-unsubscribe@x.org``
    → ``dev@x.org``); None for web links and addresses of another shape."""
    for match in _MSGID_RE.finditer(_text(value)):
        if not match[1].lower().startswith("mailto:"):
            continue
        address = normalise_email(match[1].split("?", 1)[0])
        if address is None:
            continue
        local, _, domain = address.partition("@")
        for suffix in _UNSUBSCRIBE_SUFFIXES:
            if local.endswith(suffix) and len(local) > len(suffix):
                return f"{local[: -len(suffix)]}@{domain}"
    return None


@lru_cache(maxsize=256)
def _list_post(value: bytes) -> str | None:
    """The list's posting address from ``List-Post: <mailto:dev@x.org>`` (``NO`` -> None)."""
    text = _text(value)
    match = _MSGID_RE.search(text)
    if match is None:
        return None
    return normalise_email(match[1].split("?", 1)[0])


@lru_cache(maxsize=256)
def _machinery_list(value: bytes) -> str | None:
    """The list whose machinery a ``Sender`` is (``dev-bounces@x.org`` → ``dev@x.org``)."""
    for sender, _ in _addresses_of(value):
        address = identity_rules.list_of_machinery(sender)
        if address is not None:
            return address
    return None


#: Where a list's address is read from, in order (see ``_list_address``).
_LIST_ADDRESS_READERS: tuple[tuple[bytes, Callable[[bytes], str | None]], ...] = (
    (b"list-post", _list_post),
    (b"x-mailing-list", _first_address),
    (b"mailing-list", _ezmlm_list),
    (b"list-unsubscribe", _list_unsubscribe),
    (b"sender", _machinery_list),
)


def _content_id(
    from_pairs: _Pairs,
    to_pairs: _Pairs,
    cc_pairs: _Pairs,
    date_text: str,
    subject: str | None,
) -> str:
    """``sha1:`` of normalised From, To, Cc, Date and Subject, for messages without an id."""
    epoch = _parse_date(date_text)[0] if date_text else None
    key = "\n".join(
        (
            ",".join(address for address, _ in from_pairs),
            ",".join(address for address, _ in to_pairs),
            ",".join(address for address, _ in cc_pairs),
            str(epoch) if epoch is not None else " ".join(date_text.split()),
            " ".join((subject or "").split()).casefold(),
        )
    )
    return "sha1:" + hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()


# --- dates -------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 12)
def _parse_date(text: str) -> tuple[int | None, int | None]:
    """(UTC epoch seconds, sender's offset in minutes) of a date header; Nones if unusable.

    The offset is ``None`` when the date names none or says ``-0000`` (unknown).
    """
    match = _DATE_RE.match(text)
    if match is not None:
        month = _MONTHS.get(match[2].lower())
        offset = None
        if match[7] is not None:
            minutes = int(match[8]) * 60 + int(match[9])
            offset = -minutes if match[7] == "-" else minutes
            if offset == 0 and match[7] == "-":
                offset = None
        if month is not None and (match[7] is not None or _zone_is_utc(text[match.end() :])):
            year = int(match[3])
            if year < 100:  # "0001": read as two digits, as email.utils does (2001)
                year += 1900 if year > 68 else 2000
            epoch = _to_epoch(
                year,
                month,
                int(match[1]),
                int(match[4]),
                int(match[5]),
                int(match[6] or 0),
                offset or 0,
            )
            if epoch is None:
                return None, None
            return epoch, offset
    return _parse_date_slowly(text)


def _zone_is_utc(rest: str) -> bool:
    zone = rest.strip().split(" ", 1)[0].upper()
    return zone in ("GMT", "UT", "UTC", "Z")


def _parse_date_slowly(text: str) -> tuple[int | None, int | None]:
    try:
        parts = parsedate_tz(text)
    except (ValueError, IndexError, TypeError, OverflowError):
        return None, None
    if parts is None:
        return None, None
    year, month, day, hour, minute, second = parts[:6]
    zone = parts[9]
    offset = None if zone is None else zone // 60
    try:
        epoch = calendar.timegm((year, month, day, hour, minute, second)) - (zone or 0)
    except (ValueError, OverflowError, TypeError):
        return None, None
    if not MIN_EPOCH <= epoch < MAX_EPOCH or epoch in NULL_DATES:
        return None, None
    return epoch, offset


def _to_epoch(
    year: int, month: int, day: int, hour: int, minute: int, second: int, offset_min: int
) -> int | None:
    if hour > 23 or minute > 59 or second > 60:
        return None
    try:
        days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
    except ValueError:
        return None
    epoch = days * DAY + hour * 3_600 + minute * 60 + second - offset_min * 60
    return epoch if MIN_EPOCH <= epoch < MAX_EPOCH and epoch not in NULL_DATES else None


def _received_date(raw: bytes, head_end: int) -> int | None:
    """The date after the last ``;`` of the topmost Received header."""
    match = _RECEIVED_RE.search(raw, 0, head_end)
    if match is None:
        return None
    text = _text(match[1])
    _, semicolon, stamp = text.rpartition(";")
    return _parse_date(stamp.strip())[0] if semicolon else None


# --- bodies ------------------------------------------------------------------------------


def _body(raw: bytes, fields: dict[bytes, bytes], body_start: int) -> str | None:
    """The message text: its first text/plain part, else its first HTML part as text.

    MIME is walked here rather than with ``email``: the stdlib takes ~600 µs
    for an ordinary multipart/alternative message, ten times all the rest.
    """
    content_type = _text(fields[b"content-type"]) if b"content-type" in fields else ""
    encoding = (
        _text(fields[b"content-transfer-encoding"])
        if b"content-transfer-encoding" in fields
        else ""
    )
    plain, html = _entity_text(content_type, encoding, raw[body_start:], 0)
    if plain is None and html is not None:
        plain = html_to_text(html[:MAX_HTML_CHARS])
    return _finish(plain) if plain is not None else None


#: Multiparts nested deeper than this are not looked into.
MAX_MIME_DEPTH = 8
#: Longest HTML converted to text, in characters.
MAX_HTML_CHARS = 1_000_000

_FIRST_PART_HEADER_RE, _PART_HEADER_RE = _header_patterns(
    "content-type", "content-transfer-encoding", "content-disposition"
)
_BOUNDARY_RE = re.compile(r"""boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))""", re.IGNORECASE)


def _entity_text(
    content_type: str, encoding: str, payload: bytes, depth: int
) -> tuple[str | None, str | None]:
    """``(plain text, HTML)`` of a MIME entity; at most one of them is set."""
    mime_type = content_type.split(";", 1)[0].strip().lower()
    if mime_type.startswith("multipart/"):
        return _multipart_text(content_type, payload, depth)
    if mime_type not in ("", "text/plain", "text/html"):
        return None, None
    charset = _CHARSET_RE.search(content_type)
    text = _decode(
        _transfer_decode(payload, encoding.strip().lower()), charset[1] if charset else None
    )
    return (None, text) if mime_type == "text/html" else (text, None)


def _multipart_text(content_type: str, payload: bytes, depth: int) -> tuple[str | None, str | None]:
    """The first text/plain part of a multipart (depth first), else its first HTML part."""
    match = _BOUNDARY_RE.search(content_type)
    if match is None or depth >= MAX_MIME_DEPTH:
        return None, None
    html = None
    for part in _parts(payload, (match[1] or match[2]).encode("utf-8", "replace")):
        fields, _, body_start = _read_headers(part, _FIRST_PART_HEADER_RE, _PART_HEADER_RE)
        if body_start < 0:
            continue  # cut off inside its headers
        disposition = fields.get(b"content-disposition", b"")
        if disposition.strip().lower().startswith(b"attachment"):
            continue
        plain, part_html = _entity_text(
            _text(fields.get(b"content-type", b"")),
            _text(fields.get(b"content-transfer-encoding", b"")),
            part[body_start:],
            depth + 1,
        )
        if plain is not None:
            return plain, None
        html = html or part_html
    return None, html


def _parts(payload: bytes, boundary: bytes) -> Iterator[bytes]:
    """The body parts between ``--boundary`` lines, up to ``--boundary--`` (or the end)."""
    marker = b"--" + boundary
    part_start = -1
    pos = 0
    while True:
        found = payload.find(marker, pos)
        if found < 0:
            break
        pos = found + len(marker)
        after = payload[pos : pos + 2]
        at_line_start = found == 0 or payload[found - 1] == 0x0A
        if not at_line_start or after[:1] not in (b"", b"-", b"\r", b"\n", b" ", b"\t"):
            continue
        if part_start >= 0:
            yield payload[part_start:found]
        if after == b"--":
            return
        line_end = payload.find(b"\n", pos)
        part_start = len(payload) if line_end < 0 else line_end + 1
    if part_start >= 0:  # no closing delimiter: a cut-off message
        yield payload[part_start:]


def _read_headers(
    raw: bytes, first_re: re.Pattern[bytes], rest_re: re.Pattern[bytes]
) -> tuple[dict[bytes, bytes], int, int]:
    """``(wanted headers by lowercase name, end of the header block, start of the body)``.

    ``first_re`` matches a wanted header on the first line, ``rest_re`` one after
    a newline or the blank line that ends the block (groups: name, value,
    blank). The ends are -1 when the block never ends; a block of whole lines
    with no blank line after it is a message without a body.
    """
    if raw[:1] == b"\n" or raw[:2] == b"\r\n":
        return {}, 0, raw.find(b"\n") + 1
    first = first_re.match(raw)
    fields = {} if first is None else {first[1].lower(): first[2]}
    for match in rest_re.finditer(raw):
        name, value, blank = match.groups()
        if blank is not None:
            return fields, match.start() + 1, match.end()
        name = name.lower()
        if name not in fields:
            fields[name] = value
        elif name in _LIST_HEADERS:
            fields[name] += b"," + value
    if raw.endswith(b"\n"):
        return fields, len(raw), len(raw)
    return fields, -1, -1


def _transfer_decode(payload: bytes, encoding: str) -> bytes:
    """Undo a Content-Transfer-Encoding, reading no more than a capped body needs."""
    if encoding == "quoted-printable":
        # At most 4 bytes a character, at most 3 encoded bytes a byte.
        return binascii.a2b_qp(payload[: MAX_BODY_CHARS * 12].replace(b"\r\n", b"\n"))
    if encoding == "base64":
        limit = MAX_BODY_CHARS * 6
        if len(payload) > limit:  # cut at a line end: whole 4-character groups
            payload = payload[: payload.rfind(b"\n", 0, limit) + 1]
        try:
            return binascii.a2b_base64(payload)
        except binascii.Error:
            return b""
    return payload[: MAX_BODY_CHARS * 4]


def _finish(text: str) -> str | None:
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    return text[:MAX_BODY_CHARS] or None


class _HTMLText(HTMLParser):
    """Text of an HTML document: no scripts, styles or title; a line break per block."""

    BLOCKS = frozenset(
        "p div br li tr h1 h2 h3 h4 h5 h6 table blockquote pre hr ul ol dl dt dd "  # noqa: SIM905
        "section article header footer address".split()
    )
    HIDDEN = frozenset({"script", "style", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # Collapse runs of whitespace but keep one at each end: "a <b>b</b>".
            text = " ".join(data.split())
            lead = " " if data[:1].isspace() else ""
            trail = " " if data[-1:].isspace() and text else ""
            self.chunks.append(lead + text + trail)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body (stdlib ``html.parser``); never raises on bad HTML."""
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError, IndexError) as exc:  # html.parser on broken markup
        log.debug("HTML body only partly read: %s", exc)
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
