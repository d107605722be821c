"""Folders of one message per file: a real Maildir, or any tree of ``.eml``-like files.

A Maildir (``cur/``, ``new/``, ``tmp/``) is read from ``cur`` and ``new``, with
its Maildir++ subfolders (``.Sent/`` …); ``tmp`` holds deliveries in progress and
is left alone. Any other folder is read whole, as the Enron corpus is laid out
(``allen-p/inbox/1.``, ``2.`` …). Files are taken in natural order (``2.``
before ``10.``) so every run yields the same records in the same order; a
message's copies in other folders are one message (``_read_messages``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from kith.errors import InputError
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.email_headers import parse_envelope_date, parse_message
from kith.ingest.mbox import MAX_MESSAGE_BYTES
from kith.model import InteractionRecord, Origin, Record, Skipped

#: How many files ``identify`` reads to decide that a plain folder holds messages.
FILES_TO_SNIFF = 3

_MESSAGE_START_RE = re.compile(rb"[!-9;-~]+[ \t]*:[^\n]*\n")
_MAILDIR_PARTS = ("cur", "new", "tmp")
_MAIL_HEADER_RE = re.compile(rb"(?im)^(from|message-id)[ \t]*:")


class MaildirImporter(Importer):
    """Reads a Maildir or a folder tree holding one RFC 822 message per file."""

    name = "maildir"
    description = "a Maildir, or a folder tree of one-message-per-file (.eml) mail"

    def identify(self, path: Path) -> bool:
        if path.is_file():  # one saved message (.eml)
            return _looks_like_message(path)
        if not path.is_dir():
            return False
        if _is_maildir(path):
            return True
        sniffed = 0
        for file, problem in _walk(path):
            if problem is not None or not _looks_like_message(file):
                return False
            sniffed += 1
            if sniffed == FILES_TO_SNIFF:
                break
        return sniffed > 0

    def files(self, path: Path) -> list[Path]:
        if path.is_file():
            return [path]
        return [file for file, problem in _walk(path) if problem is None]

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        if path.is_file():
            yield from _read_messages([(path, None)], options)
            return
        if not path.is_dir():
            raise InputError(
                "not a folder" if path.exists() else "no such folder",
                where=str(path),
                hint="give the Maildir (the folder holding cur/ new/ tmp/) or a folder of messages",
            )
        try:
            os.listdir(path)
        except OSError as exc:
            raise InputError(
                f"cannot list the folder: {exc.strerror or exc}", where=str(path)
            ) from exc
        yield from _read_messages(_walk(path), options)


def _read_messages(
    files: Iterable[tuple[Path, str | None]], options: ImportOptions
) -> Iterator[Record]:
    """One record per message file (or Skipped with the walk's problem).

    A copy of a message already read in this walk (the same sender, time,
    subject and body: an Enron mailbox keeps one message in ``all_documents``,
    ``notes_inbox`` and ``discussion_threads``, each copy with a Message-ID of
    its own) takes the first copy's id, so the ledger stores it once and the
    import counts it as a duplicate."""
    first_of: dict[tuple[object, ...], str] = {}
    for record in _parse_files(files, options):
        if isinstance(record, InteractionRecord):
            author = record.author
            key = (
                None if author is None else (author.kind, author.value),
                record.occurred_at,
                record.subject,
                hashlib.blake2b((record.body or "").encode(), digest_size=16).digest(),
            )
            first = first_of.setdefault(key, record.source_id)
            if first != record.source_id:
                record = replace(record, source_id=first)
        yield record


def _parse_files(
    files: Iterable[tuple[Path, str | None]], options: ImportOptions
) -> Iterator[Record]:
    for file, problem in files:
        origin = Origin(str(file), 0)
        if problem is not None:
            yield Skipped(origin, problem)
            continue
        try:
            with file.open("rb") as handle:
                raw = handle.read(MAX_MESSAGE_BYTES)
                mtime = int(os.fstat(handle.fileno()).st_mtime)
        except OSError as exc:
            yield Skipped(origin, f"cannot read the message file: {exc.strerror or exc}")
            continue
        envelope_date = None
        if raw.startswith(b"From "):  # saved with an mbox envelope line
            newline = raw.find(b"\n")
            if newline < 0:
                newline = len(raw)
            envelope_date = parse_envelope_date(raw[5:newline].decode("latin-1"))
            raw = raw[newline + 1 :]
        yield parse_message(raw, origin, options, envelope_date=envelope_date, fallback_date=mtime)


def _natural_key(name: str) -> str:
    """Sort key that puts ``2.`` before ``10.``: runs of digits padded to one width."""
    return re.sub(r"\d+", lambda digits: digits[0].zfill(20), name)


def _is_maildir(folder: Path) -> bool:
    return all((folder / part).is_dir() for part in _MAILDIR_PARTS)


def _walk(folder: Path) -> Iterator[tuple[Path, str | None]]:
    """Message files under ``folder`` in a fixed order: ``(path, None)``.

    A subfolder that cannot be listed comes out as ``(subfolder, reason)``.
    Hidden files are skipped; hidden folders only when they are not Maildir++
    subfolders.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: _natural_key(entry.name))
    except OSError as exc:
        yield folder, f"cannot list the folder: {exc.strerror or exc}"
        return
    maildir = _is_maildir(folder)
    if maildir:  # its messages, then its subfolders; never its metadata files
        for part in ("cur", "new"):
            yield from _files_in(folder / part)
    subfolders = []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if maildir and entry.name in _MAILDIR_PARTS:
                continue
            if not entry.name.startswith(".") or _is_maildir(Path(entry.path)):
                subfolders.append(Path(entry.path))
        elif not maildir and not entry.name.startswith(".") and entry.is_file():
            yield Path(entry.path), None
    for subfolder in subfolders:
        yield from _walk(subfolder)


def _files_in(folder: Path) -> Iterator[tuple[Path, str | None]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: _natural_key(entry.name))
    except OSError as exc:
        yield folder, f"cannot list the folder: {exc.strerror or exc}"
        return
    for entry in entries:
        if not entry.name.startswith(".") and entry.is_file():
            yield Path(entry.path), None


def _looks_like_message(file: Path) -> bool:
    """Whether a file starts like one RFC 822 message: ``Name: value`` lines
    with a ``From:`` or ``Message-ID:`` header among them.

    A file that starts with ``From `` is more likely an mbox than one message,
    so a folder of those is left to the mbox importer, file by file; other
    ``Name:value`` formats (vCard, iCalendar) have no From or Message-ID header.
    """
    try:
        with file.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    if _MESSAGE_START_RE.match(head) is None:
        return False
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return _MAIL_HEADER_RE.search(block) is not None
