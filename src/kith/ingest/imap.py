"""Reading mail from an IMAP server: the protocol half of ``kith sync imap``.

Parse only, like every importer: this module talks to the server and turns each
fetched message into a record with ``parse_message`` (the parser mbox and
Maildir use); it never opens the ledger. ``kith.sync.imap`` decides what to
fetch, from the sync state, and hands the records to the ledger.

A mailbox is opened read-only (EXAMINE) and messages are fetched with
``BODY.PEEK``, so a sync never sets ``\\Seen`` or changes anything else on the
server. Every socket has a timeout. Errors come out as ``ImapError``:
``ImapConnectionError`` when the connection failed or dropped (worth retrying),
``ImapSecurityError`` when TLS could not be set up, ``ImapLoginError`` when the
server refused the credentials, ``ImapMailboxError`` when a mailbox cannot be
opened.
"""

from __future__ import annotations

import base64
import calendar
import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from kith.errors import InputError
from kith.ingest.base import ImportOptions
from kith.ingest.email_headers import parse_message
from kith.model import InteractionRecord, Origin, Skipped

log = logging.getLogger(__name__)

#: Seconds a socket operation may take before the connection counts as lost.
DEFAULT_TIMEOUT = 60.0
#: UIDs looked up per ``UID SEARCH``: the answer is one line, and imaplib
#: refuses lines over 1 MB (50,000 UIDs of up to 7 digits stay under 400 kB).
SEARCH_WINDOW = 50_000
#: Most bytes of message text asked for in one FETCH when bodies are fetched,
#: so that a batch of large messages does not have to fit in memory at once.
FETCH_BYTES = 32 << 20
#: A message longer than this is cut: its headers and first parts are kept (as in mbox).
MAX_MESSAGE_BYTES = 64 << 20

_T = TypeVar("_T")

_UID_RE = re.compile(rb"\bUID (\d+)")
_SIZE_RE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_INTERNALDATE_RE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) '
    rb'(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"'
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        b"jan feb mar apr may jun jul aug sep oct nov dec".split(),
        start=1,
    )
}


class Security(StrEnum):
    """How the connection is protected: TLS from the start, upgraded, or not at all."""

    SSL = "ssl"
    STARTTLS = "starttls"
    PLAIN = "plain"

    @property
    def default_port(self) -> int:
        return 993 if self is Security.SSL else 143


@dataclass(frozen=True, slots=True)
class ImapAccount:
    """Where to sync from. Holds no password: that is passed to ``ImapClient.connect``."""

    host: str
    user: str
    port: int
    security: Security = Security.SSL
    timeout: float = DEFAULT_TIMEOUT

    @property
    def key(self) -> str:
        """``user@host:port``: names the account in the sync state."""
        return f"{self.user}@{self.host}:{self.port}"

    def url(self, mailbox: str | None = None) -> str:
        """``imap://user@host:port/mailbox``: the origin of records, and the
        ``where`` of errors."""
        return f"imap://{self.key}/{mailbox or ''}"


@dataclass(frozen=True, slots=True)
class MailboxInfo:
    """What selecting a mailbox told: its UIDVALIDITY, next UID and message count."""

    name: str
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True, slots=True)
class FetchedMessage:
    """One message as fetched: its UID, INTERNALDATE (epoch seconds) and bytes."""

    uid: int
    internaldate: int | None
    raw: bytes


class ImapError(InputError):
    """The IMAP server could not be used for what was asked."""


class ImapConnectionError(ImapError):
    """The connection could not be made, timed out or dropped: retrying may help."""


class ImapSecurityError(ImapError):
    """TLS could not be set up: an untrusted certificate, or not TLS at that port."""

    exit_code = 2


class ImapLoginError(ImapError):
    """The server refused the user name and password."""

    exit_code = 2


class ImapMailboxError(ImapError):
    """A mailbox could not be opened (it does not exist, or may not be read)."""


def read_message(
    message: FetchedMessage,
    where: str,
    options: ImportOptions,
    *,
    fallback_date: int | None = None,
) -> InteractionRecord | Skipped:
    """The record of a fetched message, or why it was skipped.

    The message's INTERNALDATE (when the server received it) stands where an
    mbox ``From `` line's date would: it is used only when neither the Date
    header nor a Received header gives a time. The record's origin is
    ``where`` (the mailbox's URL) and the UID.
    """
    return parse_message(
        message.raw,
        Origin(where, message.uid),
        options,
        envelope_date=message.internaldate,
        fallback_date=fallback_date,
    )


class ImapClient:
    """A logged-in connection. ``connect`` makes one; use it as a context manager."""

    def __init__(self, account: ImapAccount, conn: imaplib.IMAP4) -> None:
        self.account = account
        self._conn = conn

    @classmethod
    def connect(cls, account: ImapAccount, password: str) -> ImapClient:
        """Connect, secure the connection as ``account.security`` says, and log in."""
        where = f"{account.host}:{account.port}"
        conn = _call(where, "connecting", lambda: _open(account))
        client = cls(account, conn)
        try:
            client._login(password)
        except BaseException:
            client.close()
            raise
        return client

    def _login(self, password: str) -> None:
        conn = self._conn
        where = f"{self.account.host}:{self.account.port}"
        try:
            if "AUTH=PLAIN" in conn.capabilities:
                # SASL PLAIN carries UTF-8; LOGIN only ASCII (imaplib's encoding).
                secret = f"\0{self.account.user}\0{password}".encode()
                conn.authenticate("PLAIN", lambda _challenge: secret)
            else:
                conn.login(self.account.user, password)
        except imaplib.IMAP4.abort as exc:
            raise ImapConnectionError(
                f"the connection dropped while logging in: {_reason(exc)}", where=where
            ) from None
        except imaplib.IMAP4.error as exc:
            raise ImapLoginError(
                f"the server refused the login for {self.account.user}: {_reason(exc)}",
                where=where,
                hint="check the user name and the password (KITH_IMAP_PASSWORD, or "
                "kith sync imap --store-password to save it in the keyring)",
            ) from None
        except UnicodeEncodeError:
            raise ImapLoginError(
                "the server offers only LOGIN, which cannot carry this non-ASCII password",
                where=where,
            ) from None
        except OSError as exc:
            raise ImapConnectionError(
                f"the connection failed while logging in: {_reason(exc)}", where=where
            ) from None

    def __enter__(self) -> ImapClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Log out, or just drop the connection when it is already broken."""
        try:
            self._conn.logout()
        except (imaplib.IMAP4.error, OSError, ValueError) as exc:
            log.debug("closing %s: %s", self.account.url(), exc)
            with contextlib.suppress(imaplib.IMAP4.error, OSError, ValueError):
                self._conn.shutdown()

    def select(self, mailbox: str) -> MailboxInfo:
        """Open ``mailbox`` read-only (EXAMINE)."""
        where = self.account.url(mailbox)
        conn = self._conn
        typ, data = self._do(mailbox, lambda: conn.select(mailbox_arg(mailbox), readonly=True))
        if typ != "OK":
            raise ImapMailboxError(
                f"cannot open the mailbox: {_text(data)}",
                where=where,
                hint=self._mailbox_hint(),
            )
        _, validity = conn.response("UIDVALIDITY")
        _, uidnext = conn.response("UIDNEXT")
        if not validity or validity[0] is None:
            raise ImapMailboxError("the server gave no UIDVALIDITY for the mailbox", where=where)
        return MailboxInfo(
            mailbox,
            int(validity[-1]),
            int(uidnext[-1]) if uidnext and uidnext[-1] is not None else None,
            int(data[0]) if data and data[0] is not None else 0,
        )

    def _mailbox_hint(self) -> str:
        try:
            typ, data = self._conn.list()
        except (imaplib.IMAP4.error, OSError):
            return "check the mailbox name"
        names = [_list_name(i) for i in data if isinstance(i, bytes)] if typ == "OK" else []
        if not names:
            return "check the mailbox name"
        shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
        return f"mailboxes on the server: {shown}"

    def uids_after(self, last_uid: int, uidnext: int | None) -> list[int]:
        """UIDs above ``last_uid`` in the selected mailbox, in order.

        Searched in windows up to ``uidnext`` (each answer stays small), then once
        past it, for mail that arrived since the mailbox was selected.
        """
        found: set[int] = set()
        start = last_uid + 1
        if uidnext is not None:
            while start < uidnext:
                end = min(start + SEARCH_WINDOW - 1, uidnext - 1)
                found.update(self._search(f"{start}:{end}"))
                start = end + 1
        # "n:*" always includes the highest UID, even below n: hence the filter.
        found.update(self._search(f"{start}:*"))
        return sorted(u for u in found if u > last_uid)

    def _search(self, uid_range: str) -> list[int]:
        conn = self._conn
        typ, data = self._do(None, lambda: conn.uid("SEARCH", "UID", uid_range))
        if typ != "OK":
            raise ImapError(f"UID SEARCH failed: {_text(data)}", where=self.account.url())
        return [int(word) for item in data if item for word in item.split()]

    def fetch(self, uids: Sequence[int], *, bodies: bool) -> list[FetchedMessage]:
        """The messages with ``uids``: their headers, or whole (up to
        ``MAX_MESSAGE_BYTES`` each) when ``bodies``. Never sets ``\\Seen``."""
        if not uids:
            return []
        if not bodies:
            return self._fetch(uids, "BODY.PEEK[HEADER]")
        messages: list[FetchedMessage] = []
        for group in self._by_size(uids):
            messages.extend(self._fetch(group, f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>"))
        return messages

    def _by_size(self, uids: Sequence[int]) -> Iterator[Sequence[int]]:
        """``uids`` in runs of at most ``FETCH_BYTES`` of mail (a larger message alone)."""
        conn = self._conn
        typ, data = self._do(None, lambda: conn.uid("FETCH", uid_set(uids), "(UID RFC822.SIZE)"))
        sizes: dict[int, int] = {}
        for item in data if typ == "OK" else []:
            line = item[0] if isinstance(item, tuple) else item
            if isinstance(line, bytes):
                uid_match, size_match = _UID_RE.search(line), _SIZE_RE.search(line)
                if uid_match and size_match:
                    sizes[int(uid_match[1])] = int(size_match[1])
        start, total = 0, 0
        for i, uid in enumerate(uids):
            size = min(sizes.get(uid, 0), MAX_MESSAGE_BYTES)
            if i > start and total + size > FETCH_BYTES:
                yield uids[start:i]
                start, total = i, 0
            total += size
        if start < len(uids):
            yield uids[start:]

    def _fetch(self, uids: Sequence[int], item: str) -> list[FetchedMessage]:
        conn = self._conn
        typ, data = self._do(
            None, lambda: conn.uid("FETCH", uid_set(uids), f"(UID INTERNALDATE {item})")
        )
        if typ != "OK":
            raise ImapError(f"UID FETCH failed: {_text(data)}", where=self.account.url())
        return list(fetch_answer_messages(data))

    def _do(self, mailbox: str | None, command: Callable[[], _T]) -> _T:
        return _call(self.account.url(mailbox), "reading", command)


# --- helpers -------------------------------------------------------------------------------


def _open(account: ImapAccount) -> imaplib.IMAP4:
    if account.security is Security.SSL:
        return imaplib.IMAP4_SSL(
            account.host,
            account.port,
            ssl_context=ssl.create_default_context(),
            timeout=account.timeout,
        )
    conn = imaplib.IMAP4(account.host, account.port, timeout=account.timeout)
    if account.security is Security.STARTTLS:
        try:
            if "STARTTLS" not in conn.capabilities:
                raise ImapSecurityError(
                    "the server does not offer STARTTLS",
                    where=f"{account.host}:{account.port}",
                    hint="use --ssl (port 993), or --plain on a network you trust",
                )
            conn.starttls(ssl_context=ssl.create_default_context())
        except BaseException:
            # A failed handshake may have closed the socket already.
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                conn.shutdown()
            raise
    return conn


def _call(where: str, doing: str, command: Callable[[], _T]) -> _T:
    """Run one imaplib call, turning its failures into ``ImapError``s."""
    try:
        return command()
    except ssl.SSLCertVerificationError as exc:
        raise ImapSecurityError(
            f"the server's TLS certificate was not accepted: {exc.verify_message}",
            where=where,
            hint="check the host name; a self-signed certificate must be trusted by the "
            "system (or named in SSL_CERT_FILE)",
        ) from None
    except (ssl.SSLEOFError, ssl.SSLZeroReturnError) as exc:
        raise ImapConnectionError(
            f"the connection dropped while {doing}: {_reason(exc)}", where=where
        ) from None
    except ssl.SSLError as exc:
        raise ImapSecurityError(
            f"the TLS handshake failed: {exc.reason or exc}",
            where=where,
            hint="check --ssl (port 993) / --starttls / --plain (port 143) and the port",
        ) from None
    except imaplib.IMAP4.abort as exc:
        raise ImapConnectionError(
            f"the connection dropped while {doing}: {_reason(exc)}", where=where
        ) from None
    except imaplib.IMAP4.error as exc:
        raise ImapError(f"the server said: {_reason(exc)}", where=where) from None
    except (OSError, EOFError) as exc:
        raise ImapConnectionError(
            f"the connection failed while {doing}: {_reason(exc)}", where=where
        ) from None


def fetch_answer_messages(data: list[Any]) -> Iterator[FetchedMessage]:
    """The messages in imaplib's FETCH answer.

    Each message with a literal comes as ``(text before the literal, literal)``
    followed by the rest of its line as bytes; the UID and INTERNALDATE may be
    in either part. Untagged FETCH answers without a literal (flag updates)
    are not messages and are passed over.
    """
    meta = b""
    body: bytes | None = None
    for item in data:
        if isinstance(item, tuple):
            if body is not None:
                yield from _message(meta, body)
            meta, body = item[0], item[1]
        elif isinstance(item, bytes) and body is not None:
            yield from _message(meta + item, body)
            meta, body = b"", None
    if body is not None:
        yield from _message(meta, body)


def _message(meta: bytes, body: bytes) -> Iterator[FetchedMessage]:
    uid = _UID_RE.search(meta)
    if uid is None:
        log.debug("FETCH answer without a UID passed over: %r", meta[:200])
        return
    yield FetchedMessage(int(uid[1]), internaldate(meta), body)


def internaldate(text: bytes) -> int | None:
    """Epoch seconds of the ``INTERNALDATE "dd-Mon-yyyy hh:mm:ss +zzzz"`` in ``text``.

    Read here, not with ``imaplib.Internaldate2tuple``, which gives local time.
    """
    match = _INTERNALDATE_RE.search(text)
    if match is None:
        return None
    month = _MONTHS.get(match[2].lower())
    if month is None:
        return None
    day, year, hour, minute, second = (int(match[i]) for i in (1, 3, 4, 5, 6))
    try:
        utc = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    offset = (int(match[8]) * 60 + int(match[9])) * 60
    return utc - offset if match[7] == b"+" else utc + offset


def uid_set(uids: Sequence[int]) -> str:
    """A compact IMAP sequence set: ``[1, 2, 3, 7, 9, 10]`` -> ``1:3,7,9:10``."""
    runs: list[str] = []
    start = prev = uids[0]
    for uid in uids[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        runs.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    runs.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(runs)


def mailbox_arg(name: str) -> str:
    """A mailbox name as an IMAP quoted string, in modified UTF-7 (RFC 3501 5.1.3).

    imaplib sends arguments as they are: "Sent Items" needs quotes, "Entwürfe"
    becomes "Entw&APw-rfe".
    """
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            packed = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + packed.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list_name(line: bytes) -> str:
    """The mailbox name at the end of a LIST answer: ``(\\HasNoChildren) "." "INBOX"``."""
    text = line.decode("utf-8", "replace").rstrip()
    if text.endswith('"'):
        start = text.rfind(' "', 0, len(text) - 1)
        return text[start + 2 : -1] if start >= 0 else text
    return text.rsplit(" ", 1)[-1]


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]  # imaplib puts the server's bytes in its messages
    return text or type(exc).__name__


def _text(data: list[Any]) -> str:
    parts = [d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data if d]
    return " ".join(parts) or "no reason given"
