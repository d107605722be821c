"""Cleaning text read from files, shared by the contact, calendar and purchase importers.

Text from files is untrusted: it may hold NUL bytes (which PostgreSQL refuses
in text columns) and other control characters. ``clean`` makes it safe to
store; ``content_id`` gives a record without an id of its own a stable one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from kith.errors import InputError

#: Control characters other than tab and newline (and lone surrogates, which
#: cannot be encoded for the database).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
#: How much ``identify`` reads: enough for a header or the first lines.
SNIFF_BYTES = 4096
#: The longest line (folds included) kept from a line-based file (vCard,
#: iCalendar, CSV): a base64 photo runs to a few hundred kB. Longer lines are
#: left out and reported, and never held in memory whole.
MAX_LINE_BYTES = 8 * 1024 * 1024
#: How much is read at a time when a file is streamed.
_CHUNK_BYTES = 1024 * 1024
_BREAK = re.compile(rb"\r\n|\r|\n")


def clean(text: str | None) -> str | None:
    """``text`` without control characters (``\\r\\n`` becomes ``\\n``), stripped;
    None when nothing is left."""
    if text is None:
        return None
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text or None


def one_line(text: str | None) -> str | None:
    """``clean`` with all whitespace runs made one space (names, titles)."""
    cleaned = clean(text)
    if cleaned is None:
        return None
    return _SPACES.sub(" ", cleaned) or None


def content_id(*parts: object) -> str:
    """``sha1:`` and the hex SHA-1 of ``parts`` as canonical JSON: the same
    content gives the same id in any run."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha1:" + hashlib.sha1(blob.encode("utf-8", "surrogatepass")).hexdigest()


def head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file, or ``b""`` for anything else."""
    if not path.is_file():
        return b""
    with path.open("rb") as file:
        return file.read(size)


def read_bytes(path: Path, what: str) -> bytes:
    """The whole file, or an ``InputError`` naming it (``what``: "the vCard file")."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, what, exc) from exc


def read_lines(path: Path, what: str) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, line)`` for each line of ``path`` (``\\r\\n``, ``\\r`` or
    ``\\n`` ends one), read a chunk at a time; a line over ``MAX_LINE_BYTES``
    comes as ``(number, None)`` and is not kept. A UTF-16 file (it starts with
    a byte-order mark) is read whole and given as UTF-8; others as they are."""
    try:
        file = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, what, exc) from exc
    with file:
        start = file.read(2)
        if start in (b"\xff\xfe", b"\xfe\xff"):
            text = (start + file.read()).decode("utf-16", "replace").encode("utf-8")
            for number, line in enumerate(_BREAK.split(text), 1):
                yield number, line if len(line) <= MAX_LINE_BYTES else None
            return
        number = 0
        carry = start + file.read(1)
        carry = carry.removeprefix(b"\xef\xbb\xbf")  # UTF-8's byte-order mark
        overlong = False
        while True:
            chunk = file.read(_CHUNK_BYTES)
            buffer = carry + chunk
            if not chunk:
                lines = _BREAK.split(buffer.removesuffix(b"\r")) if buffer else []
                if lines and not lines[-1] and not overlong:
                    lines.pop()  # the file ends with a line break
                for i, line in enumerate(lines or [b""] if overlong else lines):
                    number += 1
                    too_long = (overlong and i == 0) or len(line) > MAX_LINE_BYTES
                    yield number, None if too_long else line
                return
            # a \r at the end may be the first half of \r\n: keep it for the next chunk
            cut = len(buffer) - 1 if buffer.endswith(b"\r") else len(buffer)
            ends = [m.end() for m in _BREAK.finditer(buffer, 0, cut)]
            if not ends:
                overlong = overlong or cut > MAX_LINE_BYTES
                carry = buffer[cut:] if overlong else buffer  # a held-back \r stays
                continue
            lines = _BREAK.split(buffer[: ends[-1]])[:-1]
            for i, line in enumerate(lines):
                number += 1
                too_long = (overlong and i == 0) or len(line) > MAX_LINE_BYTES
                yield number, None if too_long else line
            overlong = False
            carry = buffer[ends[-1] :]


def too_long(number: int) -> str:
    """Why line ``number`` was left out (see ``read_lines``)."""
    return f"line {number} is over {MAX_LINE_BYTES / 2**20:g} MiB long; left out"


def _unreadable(path: Path, what: str, exc: OSError) -> InputError:
    return InputError(
        f"cannot read {what}: {exc.strerror or exc}",
        where=str(path),
        hint="check that the file exists and that you may read it",
    )


def decode(data: bytes) -> str:
    """Bytes as text: UTF-16 when it has a BOM, else UTF-8 (a BOM dropped),
    else Windows-1252, which every spreadsheet on Windows writes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")
