"""End-to-end import speed and memory: ``kith import`` into a fresh SQLite ledger.

Writes a sample-world mbox of ``--messages`` messages (``kith.sample``'s scale
generator: realistic headers, threads, a mailing list), then in the same run:

* baseline: the Python standard library's header parse of the same file
  (``mailbox.mbox`` + ``email.parser.BytesHeaderParser``) on ``--baseline``
  messages, nothing stored;
* ``kith import --no-bodies`` (headers only) and ``kith import`` (bodies kept),
  both with ``--no-analytics`` (the feature refresh has its own benchmark),
  each as a separate process into a new ledger, timed from start to exit, with
  the process's peak resident memory.

Run: ``.venv/bin/python bench/bench_import.py [--messages 200000] [--people 20000]``
(``--messages 1000000`` for the memory check).
"""

from __future__ import annotations

import argparse
import mailbox
import resource
import subprocess
import sys
import tempfile
import time
from email.parser import BytesHeaderParser
from pathlib import Path

from scale import write_scale_mbox

KITH = Path(sys.executable).with_name("kith")


def baseline(path: Path, limit: int) -> float:
    """Messages per second of the stdlib header parse over the first ``limit`` messages."""
    parser = BytesHeaderParser()
    box = mailbox.mbox(path, create=False)
    started = time.perf_counter()
    n = 0
    for key in box.iterkeys():
        msg = parser.parsebytes(box.get_bytes(key))
        for name in ("From", "To", "Cc", "Date", "Message-ID", "In-Reply-To", "References"):
            msg.get(name)
        n += 1
        if n >= limit:
            break
    return n / (time.perf_counter() - started)


def timed_import(path: Path, db: Path, *flags: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one ``kith import`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [str(KITH), "--db", str(db), "import", "-q", "--no-analytics", *flags, str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far; runs go smallest first.
    return seconds, max(peak_kb, before) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--baseline", type=int, default=20_000)
    ap.add_argument("--no-bodies-only", action="store_true", help="skip the run with bodies")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kith-bench-") as tmp:
        mbox = Path(tmp) / "sample.mbox"
        started = time.perf_counter()
        size = write_scale_mbox(mbox, args.people, args.messages, seed=11)
        print(
            f"wrote {args.messages:,} messages ({size / 1e6:,.0f} MB, {args.people:,} people) "
            f"in {time.perf_counter() - started:.1f}s"
        )
        base = baseline(mbox, min(args.baseline, args.messages))
        print(f"baseline stdlib header parse: {base:>10,.0f} msg/s (nothing stored)")
        runs = [("kith import --no-bodies", ("--no-bodies",))]
        if not args.no_bodies_only:
            runs.append(("kith import (bodies)", ()))
        for i, (label, flags) in enumerate(runs):
            db = Path(tmp) / f"kith{i}.db"
            seconds, peak = timed_import(mbox, db, *flags)
            rate = args.messages / seconds
            print(
                f"{label:<28}: {rate:>10,.0f} msg/s end-to-end ({seconds:.1f}s, "
                f"{rate / base:.1f}x baseline), peak RSS {peak:,.0f} MB"
            )


if __name__ == "__main__":
    main()
