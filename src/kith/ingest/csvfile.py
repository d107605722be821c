"""Reading CSV exports row by row, each row with the line it starts on.

Exports from contact books and shops are CSV with a header row, sometimes
after a preamble (LinkedIn's "Notes:"). A row the ``csv`` module cannot read
(a stray quote) comes out as a ``CsvProblem`` and reading goes on at the next
line; a row with fewer fields than the header is reported by the importer.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kith.errors import InputError
from kith.ingest.cleaning import SNIFF_BYTES, decode, head, read_lines, too_long

#: How many rows may come before the header (LinkedIn's preamble is three lines).
MAX_PREAMBLE_ROWS = 10


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: ``line`` is where it starts (1-based), ``cells`` by column name."""

    line: int
    cells: dict[str, str]
    #: Fields the row has, against the header's count (a short row was cut).
    width: int


@dataclass(frozen=True, slots=True)
class CsvProblem:
    line: int
    reason: str


def header_key(name: str) -> str:
    """How column names are compared: case and surrounding spaces ignored."""
    return " ".join(name.split()).casefold()


def sniff_delimiter(first_line: str) -> str:
    """``,`` unless ``;`` or a tab is more frequent in the header line."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def first_text_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


class CsvFile:
    """A CSV export read whole (exports are small next to memory): its header
    and its rows, keyed by the header's names (``header_key`` form)."""

    def __init__(
        self,
        path: Path,
        *,
        is_header: Callable[[list[str]], bool],
        what: str,
        delimiter: str | None = None,
    ) -> None:
        self.path = path
        self.long_lines: list[int] = []
        self.delimiter = delimiter or sniff_delimiter(first_text_line(decode(head(path))))
        self._reader = csv.reader(
            self._lines(read_lines(path, what)), delimiter=self.delimiter, strict=True
        )
        self.header: list[str] = []
        self.header_line = 0
        for _ in range(MAX_PREAMBLE_ROWS):
            row = self._next()
            if row is None:
                break
            if isinstance(row, CsvProblem) or not row[1]:
                continue
            if is_header(row[1]):
                self.header_line, self.header = row[0], [header_key(c) for c in row[1]]
                break
        if not self.header:
            raise InputError(
                f"{what} has no header row with the expected columns",
                where=str(path),
                hint="is this the right export? name the importer with --format",
            )

    def _lines(self, lines: Iterator[tuple[int, bytes | None]]) -> Iterator[str]:
        """The file's lines as text, streamed; a line too long to keep is a blank
        line here (its number kept in ``too_long`` and reported as a problem)."""
        for number, line in lines:
            if line is None:
                self.long_lines.append(number)
                yield "\n"
            else:
                yield decode(line).replace("\x00", "") + "\n"

    def _next(self) -> tuple[int, list[str]] | CsvProblem | None:
        start = self._reader.line_num + 1
        try:
            return start, next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            return CsvProblem(start, f"unreadable CSV ({exc})")

    def rows(self) -> Iterator[CsvRow | CsvProblem]:
        """The rows after the header; blank lines are left out."""
        names = self.header
        while True:
            row = self._next()
            if row is None:
                yield from self._long_lines(until=None)
                return
            if isinstance(row, CsvProblem):
                yield row
                continue
            line, cells = row
            yield from self._long_lines(until=line)
            if not any(c.strip() for c in cells):
                continue
            yield CsvRow(line, dict(zip(names, cells, strict=False)), len(cells))

    def _long_lines(self, until: int | None) -> Iterator[CsvProblem]:
        """The lines left out as too long, up to line ``until`` (None: all)."""
        while self.long_lines and (until is None or self.long_lines[0] <= until):
            number = self.long_lines.pop(0)
            yield CsvProblem(number, too_long(number))

    def has(self, column: str) -> bool:
        return header_key(column) in self.header


def head_rows(path: Path, rows: int = 1) -> list[list[str]]:
    """The first ``rows`` non-empty rows of a CSV file, read from its first few
    KB only (for ``identify``): a cut-off last line is simply left out."""
    text = decode(head(path))
    lines = text.splitlines()[: rows + 20]
    if len(text) >= SNIFF_BYTES and lines:
        lines = lines[:-1]  # may be cut in the middle
    delimiter = sniff_delimiter(first_text_line(text))
    found: list[list[str]] = []
    try:
        for cells in csv.reader(lines, delimiter=delimiter):
            if any(c.strip() for c in cells):
                found.append(cells)
                if len(found) == rows:
                    break
    except csv.Error:
        pass  # whatever was read before the bad line is enough to decide
    return found
