"""Unix mbox archives: many messages in one file, each after a ``From `` line.

The file is streamed in large chunks, so a mailbox of many gigabytes needs no
more memory than its largest message (and at most ``MAX_MESSAGE_BYTES`` of
that). A message starts at a line beginning ``From `` at the start of the file
or after an empty line; a ``From `` inside a body that is not after an empty
line stays part of the body.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from kith.errors import InputError
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.email_headers import parse_envelope_date, parse_message
from kith.model import InteractionRecord, Origin, Record

#: Bytes read per system call.
CHUNK_BYTES = 8 << 20
#: A message longer than this is cut (its headers and first part are kept).
MAX_MESSAGE_BYTES = 64 << 20

_BOUNDARY = b"\nFrom "


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
        with file:
            previous = mtime
            for offset, message in split_mbox(file, where=str(path)):
                origin = Origin(str(path), offset)
                envelope_date = None
                if message.startswith(b"From "):
                    newline = message.find(b"\n")
                    if newline < 0:
                        newline = len(message)
                    line = message[5:newline].decode("latin-1")
                    envelope_date = parse_envelope_date(line)
                    message = message[newline + 1 :]
                record = parse_message(
                    message, origin, options, envelope_date=envelope_date, fallback_date=previous
                )
                if isinstance(record, InteractionRecord):
                    previous = record.occurred_at
                yield record


def split_mbox(file: BinaryIO, *, where: str) -> Iterator[tuple[int, bytes]]:
    """``(byte offset, message bytes)`` for each message, its ``From `` line included.

    Anything before the first ``From `` line comes out as a message of its own
    at offset 0, so that the caller can report it. Messages that are only
    whitespace are left out.
    """
    buf = b""
    base = 0  # file offset of buf[0]
    start = 0  # where the current message starts in buf
    scan = 0  # where to look for the next boundary in buf
    cut: bytes | None = None  # the kept head of an over-long current message
    cut_offset = 0
    while True:
        try:
            chunk = file.read(CHUNK_BYTES)
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
                # The boundary may straddle the next chunk; keep its first bytes in view.
                scan = max(len(buf) - len(_BOUNDARY), scan)
                break
            scan = found + 1
            if not _after_empty_line(buf, found):
                continue
            if cut is not None:
                yield cut_offset, cut
                cut = None
            elif found + 1 > start and buf[start : found + 1].strip():
                yield base + start, buf[start : found + 1]
            start = found + 1
        if cut is None and len(buf) - start > MAX_MESSAGE_BYTES:
            cut, cut_offset = buf[start : start + MAX_MESSAGE_BYTES], base + start
        if cut is not None:
            # Drop the middle of the over-long message but keep the bytes the
            # boundary test looks back at.
            keep_from = max(scan - 2, start)
            base += keep_from
            scan -= keep_from
            buf = buf[keep_from:]
            start = 0
    if cut is not None:
        yield cut_offset, cut
    elif buf[start:].strip():
        yield base + start, buf[start:]


def _after_empty_line(buf: bytes, newline: int) -> bool:
    """Whether the line ending at ``buf[newline]`` follows an empty line (LF or CRLF)."""
    if newline == 0:
        return True  # lone newline at the very start of the buffer: an empty line
    before = buf[newline - 1]
    if before == 0x0A:
        return True
    return before == 0x0D and (newline < 2 or buf[newline - 2] == 0x0A)
