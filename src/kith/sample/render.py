"""Sample messages as RFC 5322 bytes, and the mbox framing around them.

Headers are written by hand (not through ``email.generator``) so that output
is fast and byte-for-byte stable; the stdlib is still used where encoding is
subtle: ``formataddr`` and ``Header`` for RFC 2047 names and subjects,
``quopri`` for HTML bodies. Lines end in ``\\n``, as in an mbox file.
"""

from __future__ import annotations

import quopri
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr

from kith.sample.entities import LIST_ADDRESS, Address, SampleMessage
from kith.sample.names import OWNER_ZONE, to_local

#: Header lines are folded before this many characters, as RFC 5322 recommends.
FOLD_AT = 78
#: mboxrd: a body line that starts with any number of ``>`` and then ``From `` gets one more ``>``.
_MBOXRD_FROM = re.compile(rb"^(>*From )", re.MULTILINE)
_RECEIVING_HOST = "mx.rivera.studio"


def format_address(address: Address) -> str:
    """``Name <addr>``, quoted or RFC 2047-encoded as needed; the bare address without a name."""
    if not address.name:
        return address.email
    return formataddr((address.name, address.email), charset="utf-8")


def address_header(name: str, addresses: Sequence[Address]) -> str:
    """``To: a, b, c`` folded after commas when the line grows too long."""
    line = f"{name}:"
    out: list[str] = []
    for i, address in enumerate(addresses):
        text = format_address(address) + ("," if i < len(addresses) - 1 else "")
        if len(line) + 1 + len(text) > FOLD_AT and line.strip() != f"{name}:":
            out.append(line)
            line = ""
        line += f" {text}"
    out.append(line)
    return "\n".join(out)


def subject_header(subject: str) -> str:
    if subject.isascii() and len(subject) < FOLD_AT - 9:
        return f"Subject: {subject}"
    return "Subject: " + Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


def id_list_header(name: str, ids: Sequence[str]) -> str:
    """``References:`` with one id per continuation line once it gets long."""
    return f"{name}: " + "\n ".join(f"<{i}>" for i in ids)


def received_header(msg: SampleMessage) -> str:
    """The last hop into Sam's mailbox: sending host (the list server for list mail), our MX."""
    domain = msg.sender.email.rsplit("@", 1)[1]
    if msg.list_id:
        domain = LIST_ADDRESS.email.rsplit("@", 1)[1]
    n = sum(msg.message_id.encode()) % 250 + 2
    arrived = to_local(OWNER_ZONE, msg.date + timedelta(seconds=2 + n % 40))
    return (
        f"Received: from smtp.{domain} (smtp.{domain} [203.0.113.{n}])\n"
        f"\tby {_RECEIVING_HOST} with ESMTPS id {msg.message_id[:12]};\n"
        f"\t{format_datetime(arrived)}"
    )


def render_message(msg: SampleMessage) -> bytes:
    """The whole message (headers, blank line, body) as bytes ending in a newline."""
    lines: list[str] = []
    if msg.folder != "sent":
        lines.append(received_header(msg))
    lines.append(f"Date: {format_datetime(msg.date)}")
    lines.append(address_header("From", (msg.sender,)))
    lines.append(address_header("To", msg.to))
    if msg.cc:
        lines.append(address_header("Cc", msg.cc))
    if msg.reply_to is not None:
        lines.append(address_header("Reply-To", (msg.reply_to,)))
    lines.append(subject_header(msg.subject))
    lines.append(f"Message-ID: <{msg.message_id}>")
    if msg.in_reply_to:
        lines.append(f"In-Reply-To: <{msg.in_reply_to}>")
    if msg.references:
        lines.append(id_list_header("References", msg.references))
    if msg.list_id:
        lines.append(f"List-Id: {msg.list_id}")
        lines.append(f"List-Post: {msg.list_post}")
        lines.append("Precedence: list")
    lines.append("MIME-Version: 1.0")
    if msg.html:
        body = quopri.encodestring(msg.body.encode("utf-8"))
        lines.append('Content-Type: text/html; charset="utf-8"')
        lines.append("Content-Transfer-Encoding: quoted-printable")
    else:
        body = msg.body.encode("utf-8")
        lines.append('Content-Type: text/plain; charset="utf-8"')
        lines.append(f"Content-Transfer-Encoding: {'7bit' if body.isascii() else '8bit'}")
    head = "\n".join(lines).encode("ascii") + b"\n\n"
    if not body.endswith(b"\n"):
        body += b"\n"
    return head + body


def envelope_line(sender: str, when: datetime) -> bytes:
    """The mbox ``From `` separator: sender and the UTC time in ``asctime`` form."""
    return f"From {sender} {time.asctime(when.astimezone(UTC).timetuple())}\n".encode("ascii")


def mboxrd_quote(message: bytes) -> bytes:
    """mboxrd escaping: ``From `` / ``>From `` at a line start gains one ``>``."""
    return _MBOXRD_FROM.sub(rb">\1", message)


def mbox_entry(sender: str, when: datetime, message: bytes) -> bytes:
    """One message framed for an mbox file: envelope, quoted message, blank line."""
    return envelope_line(sender, when) + mboxrd_quote(message) + b"\n"
