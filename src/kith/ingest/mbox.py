"""Unix mbox archives: many messages in one file, each after a ``From `` line.

The file is streamed in chunks, so a mailbox of many gigabytes needs no more
memory than its largest message (and at most ``MAX_MESSAGE_BYTES`` of that). A
message starts at a line beginning ``From `` at the start of the file or after
an empty line (LF or CRLF); a ``From `` line inside a body that does not follow
an empty line stays part of the body.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from kith.errors import InputError
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.email_headers import parse_envelope_date, parse_message
from kith.model import DateQuality, InteractionRecord, Origin, Record

#: Bytes read at a time. 1 MiB reads cost no more than larger ones here, and
#: joining the unread tail to each new chunk stays cheap.
CHUNK_BYTES = 1 << 20
#: A message longer than this is cut: its headers and first part are kept.
MAX_MESSAGE_BYTES = 64 << 20

_BOUNDARY = b"\nFrom "
_POSITION = DateQuality.POSITION
_LF, _CR = 0x0A, 0x0D

#: ``(byte offset of the From line, the From line after "From ", the message)``.
MboxMessage = tuple[int, bytes | None, bytes]


class MboxImporter(Importer):
    """Reads an mbox file (``From `` line before each message, or a ``.mbox`` name)."""

    name = "mbox"
    description = "an mbox mail archive (Thunderbird, Google Takeout, mailing-list archives)"

    def identify(self, path: Path) -> bool:
        if not path.is_file():
            return False
        if path.suffix.lower() == ".mbox":
            return True
        try:
            with path.open("rb") as file:
                return file.read(5) == b"From "
        except OSError:
            return False

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        try:
            file = path.open("rb")
            mtime = int(os.fstat(file.fileno()).st_mtime)
        except OSError as exc:
            raise InputError(
                f"cannot read the mbox file: {exc.strerror or exc}",
                where=str(path),
                hint="check that the file exists and that you may read it",
            ) from exc
        where = str(path)
        with file:
            previous = mtime
            for offset, envelope, message in split_mbox(file, where=where):
                if options.store_bodies and b">From " in message:
                    # Every quoted From line holds ">From ": most bodies have
                    # none, and finding that out is a scan in C, not a regex.
                    message = unquote_from_lines(message)
                record = parse_message(
                    message, Origin(where, offset), options, fallback_date=previous
                )
                if isinstance(record, InteractionRecord):
                    if record.date_quality is _POSITION and envelope is not None:
                        # Only now is the From line's date needed: neither Date nor
                        # Received gave one. Reading it lazily saves a parse per message.
                        envelope_date = parse_envelope_date(envelope.decode("latin-1"))
                        if envelope_date is not None:
                            record = replace(
                                record,
                                occurred_at=envelope_date,
                                date_quality=DateQuality.ENVELOPE,
                            )
                    previous = record.occurred_at
                yield record


_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def unquote_from_lines(message: bytes) -> bytes:
    """Undo mbox quoting: a body line ``>From …`` was written for ``From …``
    (mboxrd: one ``>`` is removed from any ``>…>From`` line)."""
    return _QUOTED_FROM.sub(rb"\1", message)


def split_mbox(file: BinaryIO, *, where: str) -> Iterator[MboxMessage]:
    """Each message of an mbox as ``(offset, From line or None, message bytes)``.

    ``offset`` is where the message's ``From `` line starts in the file.
    Anything before the first ``From `` line comes out as a message without
    one, so that the caller can report it; blocks of only whitespace are left
    out. ``where`` names the file in errors.
    """
    buf = b""
    base = 0  # file offset of buf[0]
    start = 0  # where the current message starts in buf
    scan = 0  # where to look for the next boundary in buf
    cutting = False  # the current message is over-long: its head is kept in `cut`
    cut: MboxMessage | None = None
    while True:
        try:
            # Read at least as much as is pending, so a long message is joined
            # in a few steps rather than a chunk at a time.
            chunk = file.read(max(CHUNK_BYTES, len(buf) - start))
        except OSError as exc:
            raise InputError(
                f"reading stopped: {exc.strerror or exc}", where=f"{where}:{base + len(buf)}"
            ) from exc
        if not chunk:
            break
        buf = buf[start:] + chunk
        base += start
        scan = max(scan - start, 0)
        start = 0
        while True:
            found = buf.find(_BOUNDARY, scan)
            if found < 0:
                # A boundary may straddle this chunk and the next: look again there.
                scan = max(scan, len(buf) - len(_BOUNDARY))
                break
            scan = found + 1
            # A boundary only after an empty line: "\n\n" or "\n\r\n" before "From ".
            before = buf[found - 1] if found else _LF
            if before != _LF and (before != _CR or (found > 1 and buf[found - 2] != _LF)):
                continue
            if cutting:
                if cut is not None:
                    yield cut
                cutting, cut = False, None
            elif found > start:
                message = _message(buf, start, found + 1, base)
                if message is not None:
                    yield message
            start = found + 1
        if not cutting and len(buf) - start > MAX_MESSAGE_BYTES:
            cutting, cut = True, _message(buf, start, start + MAX_MESSAGE_BYTES, base)
        if cutting:
            # Drop the rest of the over-long message as it streams past, keeping
            # the two bytes the boundary test looks back at.
            start = max(scan - 2, start)
    if cutting:
        if cut is not None:
            yield cut
    elif start < len(buf):
        message = _message(buf, start, len(buf), base)
        if message is not None:
            yield message


def _message(buf: bytes, start: int, end: int, base: int) -> MboxMessage | None:
    """The message in ``buf[start:end]``, its ``From `` line split off; None if blank."""
    if buf.startswith(b"From ", start):
        newline = buf.find(b"\n", start, end)
        if newline < 0:
            return base + start, buf[start + 5 : end], b""
        return base + start, buf[start + 5 : newline], buf[newline + 1 : end]
    block = buf[start:end]
    return None if block.isspace() or not block else (base + start, None, block)
