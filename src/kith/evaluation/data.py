"""Reading interaction networks: who wrote to whom, and when.

Three layouts are read, chosen by the first line of the file:

- DyGLib's processed CSV (``ml_uci.csv``): a header ``,u,i,ts,label,idx`` (the
  first column is an unnamed row number); only ``u``, ``i`` and ``ts`` are used.
- Any CSV with a header naming ``u``, ``i`` and ``ts`` (other columns ignored).
- SNAP's plain edge lists (``email-Eu-core-temporal``): ``src dst seconds`` per
  line, separated by spaces or tabs, LF or CRLF, ``#`` lines skipped.

Node ids are integers; times are numbers (seconds in every file at hand, and
in kith's ledger). Rows are put in time order by a stable sort (DyGLib's files
already are; the e-mail files have a few rows out of order).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kith.errors import InputError

#: Fewer interactions than this cannot fill a test period of 200-edge batches
#: meaningfully; such a file is refused.
MIN_INTERACTIONS = 100

#: The columns a CSV must name (DyGLib's: source, destination, time).
REQUIRED_COLUMNS = ("u", "i", "ts")


@dataclass(frozen=True)
class Interactions:
    """A network's interactions in time order: ``src[k]`` wrote to ``dst[k]`` at ``ts[k]``."""

    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    ts: NDArray[np.float64]
    source: str = ""

    def __len__(self) -> int:
        return len(self.src)


def read_interactions(path: Path) -> Interactions:
    """Read ``path`` in any of the layouts above, or raise ``InputError`` naming file and line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the interactions file: {exc.strerror or exc}",
            where=str(path),
            hint="give a CSV with columns u,i,ts (DyGLib's layout) or a 'src dst time' edge list",
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 text", where=f"{path}:{line}") from exc
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if "," in first:
        src, dst, ts = _read_csv(path, text)
    else:
        src, dst, ts = _read_edge_list(path, text)
    if len(src) < MIN_INTERACTIONS:
        raise InputError(
            f"only {len(src)} interactions; the protocol needs at least {MIN_INTERACTIONS}",
            where=str(path),
            hint="a 70/15/15 split in batches of 200 needs a longer history",
        )
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    t = np.asarray(ts, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    return Interactions(s[order], d[order], t[order], source=str(path))


def _read_csv(path: Path, text: str) -> tuple[list[int], list[int], list[float]]:
    rows = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    cols: list[int] = []
    src: list[int] = []
    dst: list[int] = []
    ts: list[float] = []
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().casefold() for cell in row]
            header_line = line
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InputError(
                    f"the header has no {', '.join(missing)} column"
                    + ("s" if len(missing) > 1 else ""),
                    where=f"{path}:{line}",
                    hint="name the columns u (source), i (destination) and ts (time), "
                    "as DyGLib's ml_*.csv files do",
                )
            cols = [header.index(c) for c in REQUIRED_COLUMNS]
            continue
        if len(row) < len(header):
            raise InputError(
                f"{len(row)} fields where the header (line {header_line}) has {len(header)}",
                where=f"{path}:{line}",
            )
        u, i, t = (row[c] for c in cols)
        src.append(_node(u, "u", path, line))
        dst.append(_node(i, "i", path, line))
        ts.append(_time(t, path, line))
    return src, dst, ts


def _read_edge_list(path: Path, text: str) -> tuple[list[int], list[int], list[float]]:
    src: list[int] = []
    dst: list[int] = []
    ts: list[float] = []
    for line, content in enumerate(text.splitlines(), start=1):
        fields = content.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) < 3:
            raise InputError(
                f"{len(fields)} field(s) where 'source destination time' needs 3",
                where=f"{path}:{line}",
                hint="an edge list has one interaction per line: src dst time",
            )
        src.append(_node(fields[0], "source", path, line))
        dst.append(_node(fields[1], "destination", path, line))
        ts.append(_time(fields[2], path, line))
    return src, dst, ts


def _node(text: str, column: str, path: Path, line: int) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InputError(
            f"the {column} column holds {text.strip()!r}, not a whole-number node id",
            where=f"{path}:{line}",
        ) from None


def _time(text: str, path: Path, line: int) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(
            f"the time column holds {text.strip()!r}, not a number",
            where=f"{path}:{line}",
            hint="times must be numbers (seconds since some start, as in ml_uci.csv)",
        )
    return value
