"""An export that is several files: a folder, or the same folder as a ``.zip``.

X and Mastodon hand out their archives as zip files that people often unpack
first; both forms read the same here. Members are named by their path inside
the export with ``/`` (``data/tweets.js``); a record's ``Origin.file`` is the
member's real path in a folder, or ``archive.zip!data/tweets.js`` in a zip.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from kith.errors import InputError

#: Largest member read into memory. A tweets.js of 100,000 tweets is ~170 MB,
#: and parsing takes a few times its size: a member declaring more than this
#: is refused before a byte of it is inflated.
MAX_MEMBER_BYTES = 1 << 30
#: Most a member may inflate, as a multiple of its compressed size. Exports'
#: JSON and text deflate 3–20 times; deflate's own ceiling is about 1,030, which
#: a zip bomb's run of one byte reaches (1.5 MB inflating to 1.5 GiB).
MAX_COMPRESSION_RATIO = 100
#: Members too small to matter, whatever their ratio (an empty JSON array).
_RATIO_FLOOR_BYTES = 1 << 20
#: How deep a folder export is listed: its files and its subfolders' files (an X
#: archive's ``data/``); deeper folders hold media, possibly tens of thousands of files.
_DEPTH = 2


def is_zip(path: Path) -> bool:
    """A ``.zip`` file that really is one (reads only its end record)."""
    return path.is_file() and path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)


def _listing(folder: Path, prefix: str = "", depth: int = _DEPTH) -> list[str]:
    """Member paths of a folder export, ``_DEPTH`` levels deep, hidden entries left out."""
    found: list[str] = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            if entry.is_file():
                found.append(prefix + entry.name)
            elif entry.is_dir() and depth > 1:
                found.extend(_listing(Path(entry.path), f"{prefix}{entry.name}/", depth - 1))
    return found


class Bundle:
    """Read access to the files of a folder or zip export. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}  # lower-cased member path → real member path
        try:
            if path.is_dir():
                for rel in _listing(path):
                    self._names[rel.lower()] = rel
            elif is_zip(path):
                self._zip = zipfile.ZipFile(path)
                for info in self._zip.infolist():
                    if not info.is_dir():
                        self._names[info.filename.lower()] = info.filename
            else:
                raise InputError(
                    "not a folder or a .zip archive" if path.exists() else "no such file or folder",
                    where=str(path),
                )
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            raise InputError(f"cannot open the export: {exc}", where=str(path)) from exc

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    @property
    def names(self) -> Iterable[str]:
        """Every member's path, as stored."""
        return self._names.values()

    def find(self, *names: str) -> str | None:
        """The first member whose path is, or ends with ``/`` + , one of ``names``
        (case-insensitive); shallower paths win. None when there is none."""
        for wanted in names:
            wanted = wanted.lower()
            if wanted in self._names:
                return self._names[wanted]
            hits = sorted(
                (k for k in self._names if k.endswith("/" + wanted)), key=lambda k: k.count("/")
            )
            if hits:
                return self._names[hits[0]]
        return None

    def siblings(self, member: str, pattern: str) -> list[str]:
        """Members in the same folder as ``member`` whose name matches ``pattern``
        (a glob), sorted by name."""
        folder = PurePosixPath(member).parent
        found = [
            real
            for real in self._names.values()
            if PurePosixPath(real).parent == folder and PurePosixPath(real).match(pattern)
        ]
        return sorted(found)

    def where(self, member: str) -> str:
        """How records from ``member`` name their file."""
        if self._zip is not None:
            return f"{self.path}!{member}"
        return str(self.path / member)

    def read(self, member: str, *, limit: int = MAX_MEMBER_BYTES) -> bytes:
        """A member's bytes; ``InputError`` naming it when it cannot be read."""
        where = self.where(member)
        try:
            if self._zip is not None:
                info = self._zip.getinfo(member)
                if info.file_size > limit:
                    raise InputError(f"too large to read ({info.file_size:,} bytes)", where=where)
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > _RATIO_FLOOR_BYTES and ratio > MAX_COMPRESSION_RATIO:
                    raise InputError(
                        f"compressed {ratio:,.0f} times ({info.compress_size:,} bytes inflating "
                        f"to {info.file_size:,}): refused as a zip bomb",
                        where=where,
                        hint="real exports compress far less: download it again",
                    )
                # The declared size binds: zipfile stops there and checks the CRC.
                with self._zip.open(info) as handle:
                    data = handle.read(limit + 1)
            else:
                with (self.path / member).open("rb") as handle:
                    data = handle.read(limit + 1)
        except InputError:
            raise
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise InputError(f"cannot read: {exc}", where=where) from exc
        if len(data) > limit:
            raise InputError(f"too large to read (over {limit:,} bytes)", where=where)
        return data

    def files(self, members: Iterable[str]) -> list[Path]:
        """The paths to report progress by: the members in a folder, the zip itself."""
        if self._zip is not None:
            return [self.path]
        return [self.path / m for m in members]
