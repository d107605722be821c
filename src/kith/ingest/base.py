"""The one interface every importer follows.

An importer *parses only*: it never opens the database and never reads the
clock. ``identify`` looks at a path (cheaply: a few bytes) and says whether it
can read it; ``extract`` yields records, each carrying its provenance. A record
that cannot be read is yielded as ``Skipped`` with its file and position, so
the caller can count it, report it, or stop (``--fail-fast``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kith.model import Record


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the user asked for, passed to every importer.

    ``store_bodies`` false means metadata-only: no message text is read or kept.
    """

    store_bodies: bool = True
    #: Importer-specific settings from ``kith import --option KEY=VALUE`` (a
    #: purchases CSV's column mapping, a community account id …).
    params: Mapping[str, str] = field(default_factory=dict)

    def param(self, key: str, default: str | None = None) -> str | None:
        return self.params.get(key, default)


class Importer(ABC):
    """Reads one kind of input into records."""

    #: Short name shown to users and accepted by ``kith import --format``.
    name: str = ""
    #: What the importer reads, for ``--help`` and error messages.
    description: str = ""

    @abstractmethod
    def identify(self, path: Path) -> bool:
        """True if this importer can read ``path`` (a file or a folder)."""

    @abstractmethod
    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        """Yield the records in ``path`` in file order.

        Must not raise on bad records (yield ``Skipped``); may raise
        ``kith.errors.InputError`` when the whole file is unreadable.
        """

    def files(self, path: Path) -> list[Path]:
        """The files ``path`` stands for, for progress reporting. Defaults to itself."""
        return [path]

    def size(self, path: Path) -> int:
        """Bytes to read, for progress bars; 0 when unknown."""
        try:
            return sum(p.stat().st_size for p in self.files(path))
        except OSError:
            return 0
