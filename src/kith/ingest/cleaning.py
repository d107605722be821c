"""Cleaning text read from files, shared by the contact, calendar and purchase importers.

Text from files is untrusted: it may hold NUL bytes (which PostgreSQL refuses
in text columns) and other control characters. ``clean`` makes it safe to
store; ``content_id`` gives a record without an id of its own a stable one.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from kith.errors import InputError

#: Control characters other than tab and newline (and lone surrogates, which
#: cannot be encoded for the database).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
#: How much ``identify`` reads: enough for a header or the first lines.
SNIFF_BYTES = 4096


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
        raise InputError(
            f"cannot read {what}: {exc.strerror or exc}",
            where=str(path),
            hint="check that the file exists and that you may read it",
        ) from exc


def decode(data: bytes) -> str:
    """Bytes as text: UTF-16 when it has a BOM, else UTF-8 (a BOM dropped),
    else Windows-1252, which every spreadsheet on Windows writes."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")
