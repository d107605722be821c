"""What does fresh memory cost here, against memory the process holds?

The compiled full run (``kith.analytics.compiled``) keeps its working memory
from one run to the next (``kith.analytics.workspace``) because of what this
prints, in one process, ``--gib`` GiB at a time:

1. filling memory the process already holds;
2. allocating fresh memory and filling it, right after freeing as much;
3. the same after a pause of 1 to 8 seconds since the free (a virtual
   machine that hands freed memory back to its host — free page reporting —
   does so within seconds, and the next touch of it faults in the host);

fresh memory both as NumPy allocates it (huge pages: it asks for them for
big arrays) and as the workspace does (a mapping of its own, small pages).

Each is timed ``--runs`` times, the median printed, with the process's system
time and page faults.

Run: ``.venv/bin/python bench/bench_memory.py [--gib 1] [--runs 3]``
"""

from __future__ import annotations

import argparse
import mmap
import os
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np


def _measure(
    work: Callable[[], object], runs: int, pause: float = 0.0
) -> tuple[float, float, float]:
    """Median wall seconds, system seconds and page faults of ``work``."""
    wall, system, faults = [], [], []
    for _ in range(runs):
        if pause:
            time.sleep(pause)
        before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        work()
        after = resource.getrusage(resource.RUSAGE_SELF)
        wall.append(time.perf_counter() - started)
        system.append(after.ru_stime - before.ru_stime)
        faults.append(after.ru_minflt - before.ru_minflt)
    return statistics.median(wall), statistics.median(system), statistics.median(faults)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gib", type=float, default=1.0, help="Size of each block, GiB.")
    ap.add_argument("--runs", type=int, default=3, help="Timed runs of each case.")
    args = ap.parse_args()
    n = int(args.gib * (1 << 30)) // 8
    print(f"load average at the start: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print(f"{'case':<56} {'wall s':>7} {'sys s':>7} {'faults':>8}  (medians of {args.runs})")

    _print("held: fill memory the process holds", _held(n, args.runs))
    for pages, fresh in (("huge", lambda: np.ones(n)), ("small", lambda: _small_pages(n))):
        for pause in (0.0, 1.0, 2.0, 4.0, 8.0):
            when = f"{pause:.0f} s after a free" if pause else "right after a free"
            figures = _measure(fresh, args.runs, pause)
            _print(f"fresh, {pages} pages, {when}: allocate + fill", figures)


def _small_pages(n: int) -> np.ndarray:
    """``n`` ones in a new anonymous mapping (``kith.analytics.workspace``'s blocks)."""
    values = np.frombuffer(mmap.mmap(-1, n * 8), np.float64)
    values.fill(1.0)
    return values


def _held(n: int, runs: int) -> tuple[float, float, float]:
    held = np.empty(n)
    held.fill(0.0)
    return _measure(lambda: held.fill(1.0), runs)


def _print(label: str, figures: tuple[float, float, float]) -> None:
    wall, system, faults = figures
    print(f"{label:<56} {wall:7.3f} {system:7.3f} {faults:8.0f}", flush=True)


if __name__ == "__main__":
    main()
