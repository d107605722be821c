"""How fast is the feature pipeline on a big ledger?

Builds (once, cached in bench/.cache/) a SQLite ledger from the sample
generator's scale records — by default 1,000,000 people and 20,000,000
interactions, metadata only; ``scale_ledger.py`` writes it straight into the
schema in minutes — then, in one process:

1. runs a full refresh from nothing: reads the whole ledger into a fresh
   analytics mirror (DuckDB, through Arrow record batches), computes, writes
   the rows back;
2. times the bare aggregation (counts, first, last per person over the
   participant × identity × interaction join) and the full feature run that
   a full refresh does (``kith.analytics.compiled``: from the same raw
   tables of the mirror), alternately, ``--runs`` times each (wall and CPU
   seconds: the machine is shared, and the load average is printed with the
   figures); the target is features ≤ 1.5× the bare aggregation; then the
   same features by the SQL steps (``--sql-runs``, for reference: what
   Spark and incremental refreshes run). The compiled run keeps its working
   memory from one run to the next, as DuckDB keeps its buffer pool
   (``kith.analytics.workspace``; ``bench_memory.py`` shows why); so
   ``--cold-runs`` times each once more in a process of its own, where
   neither holds any memory yet;
3. imports ``--new`` (1,000) new interactions and times the incremental
   refresh that follows (target: under 2 s);
4. runs ``kith analytics refresh --full`` in a child process: its phases,
   and its peak resident memory (target: under 4 GB);

and prints the peak resident memory of this process too.
``--keep-mirror`` skips step 1 when the mirror and the stored rows exist
(reruns on a quieter machine).

Run: ``.venv/bin/python bench/bench_analytics.py [--people 1000000] [--interactions 20000000]``
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scale import iter_scale_records
from scale_ledger import build

from kith.analytics import compiled, duck, mirror, refresh
from kith.analytics.settings import HALF_LIFE_DAYS
from kith.sample.entities import DEFAULT_END
from kith.store.db import open_store
from kith.store.writer import LedgerWriter

CACHE = Path(__file__).resolve().parent / ".cache"
NOW = int(DEFAULT_END.timestamp())


def import_new(url: str, people: int, count: int) -> float:
    """Import ``count`` new interactions (fresh ids, among the same people); returns seconds."""
    engine = open_store(url)
    with engine.connect() as conn:
        run = int(conn.exec_driver_sql("SELECT COUNT(*) FROM import_run").scalar_one())
    tag = f"inc{run}-"
    records = [
        dataclasses.replace(r, source_id=tag + r.source_id, refs=tuple(tag + ref for ref in r.refs))
        for r in iter_scale_records(people, count, seed=1000 + run)
    ]
    started = time.perf_counter()
    writer = LedgerWriter(engine, importer="bench", path="new", now=NOW, store_bodies=False)
    writer.start()
    writer.write(records)
    writer.finish("done", NOW)
    engine.dispose()
    return time.perf_counter() - started


def skew(con: Any) -> None:
    """How unevenly the log's rows fall on people (why the compiled run's
    buckets are bounded by rows, not by people)."""
    busiest, first = con.execute(
        "SELECT (SELECT COUNT(*) FROM m_log GROUP BY person_id ORDER BY 1 DESC LIMIT 1), "
        f"(SELECT COUNT(*) FROM m_log WHERE person_id < {compiled.BUCKET_PEOPLE})"
    ).fetchone() or (0, 0)
    print(
        f"log rows of the busiest person: {busiest:,}; "
        f"of the first {compiled.BUCKET_PEOPLE:,} people: {first:,}",
        flush=True,
    )


def _load_kernels() -> None:
    """A full refresh of a ledger of one interaction (in a temporary folder):
    Numba compiles the kernels once per version, else loads them from its
    cache, on their first call in a process."""
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{Path(folder) / 'kith.db'}")
        records = list(iter_scale_records(10, 1, seed=1))
        writer = LedgerWriter(engine, importer="bench", path="one", now=NOW, store_bodies=False)
        writer.start()
        writer.write(records)
        writer.finish("done", NOW)
        refresh(engine, now=NOW, full=True, mirror_path=None)
        engine.dispose()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--interactions", type=int, default=20_000_000)
    ap.add_argument("--runs", type=int, default=3, help="Timed runs of each query.")
    ap.add_argument("--sql-runs", type=int, default=1, help="Timed runs of the SQL steps.")
    ap.add_argument(
        "--cold-runs", type=int, default=3, help="Runs of each in a fresh process (0: none)."
    )
    ap.add_argument("--new", type=int, default=1_000, help="Interactions of the incremental step.")
    ap.add_argument("--db", type=Path, help="Use this ledger instead of the cached one.")
    ap.add_argument("--build-only", action="store_true", help="Build the cached ledger, stop.")
    ap.add_argument("--keep-mirror", action="store_true", help="Reuse the mirror (skip step 1).")
    ap.add_argument(
        "--incremental-only",
        type=int,
        metavar="N",
        help="Only step 3, N times: import --new interactions, then refresh (the mirror kept).",
    )
    ap.add_argument(
        "--cold-only",
        type=int,
        metavar="N",
        help="Only the fresh-process comparison, N times each (the mirror kept).",
    )
    ap.add_argument(
        "--full-only",
        type=int,
        metavar="N",
        help="Only step 4, N times: kith analytics refresh --full in a child process.",
    )
    args = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    db = args.db or CACHE / f"analytics-{args.people}-{args.interactions}.db"
    if not db.exists():
        print(f"building {db.name} ...", flush=True)
        build(db, args.people, args.interactions)
    if args.build_only:
        return
    url = f"sqlite:///{db}"
    if args.full_only:
        print(f"load average at the start: {_load()}", flush=True)
        for _ in range(args.full_only):
            full_in_child(db)
        print(f"load average after: {_load()}", flush=True)
        return
    if args.incremental_only:
        print(f"load average at the start: {_load()}", flush=True)
        for _ in range(args.incremental_only):
            incremental(url, args.people, args.new)
        print(f"load average after: {_load()}", flush=True)
        return
    engine = open_store(url)
    path = mirror.default_path(engine)
    assert path is not None
    print(f"load average at the start: {_load()}", flush=True)
    if args.cold_only:
        engine.dispose()
        con = mirror.connect(path)
        skew(con)
        con.close()
        cold(path, args.cold_only)
        print(f"load average after: {_load()}", flush=True)
        return
    if not (args.keep_mirror and path.exists()):
        # 1. A full refresh from nothing: the whole ledger read into a new mirror
        #    (Arrow batches → DuckDB), every feature computed, the rows written back.
        path.unlink(missing_ok=True)
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM analytics_state")
        result = refresh(engine, now=NOW, full=True)
        print(
            f"full refresh from scratch: {result.relationships:,} relationships, "
            f"{result.ties:,} ties; "
            + ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
            + " (load = reading the ledger into the mirror)",
            flush=True,
        )
    engine.dispose()
    con = mirror.connect(path)
    n_ix, n_pa, n_log = con.execute(
        "SELECT (SELECT COUNT(*) FROM m_interaction), (SELECT COUNT(*) FROM m_participant), "
        "(SELECT COUNT(*) FROM m_log)"
    ).fetchone() or (0, 0, 0)
    print(f"ledger: {n_ix:,} interactions, {n_pa:,} participants, log {n_log:,} rows ({db.name})")
    skew(con)

    started = time.perf_counter()
    mirror.update_replies(con)
    print(f"reply links brought up to date: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    _load_kernels()
    print(f"compiled kernels loaded (compiled, if new): {time.perf_counter() - started:.1f} s")

    # 2. The bare aggregation and the full run's features, on the same data,
    #    alternately; then the SQL steps.
    duck.full_inputs(con)
    wall: dict[str, list[float]] = {"bare": [], "features": [], "sql": []}
    cpu: dict[str, list[float]] = {"bare": [], "features": [], "sql": []}
    passes: dict[str, float] = {}
    for _ in range(args.runs):
        with _timed(wall["bare"], cpu["bare"]):
            duck.baseline(con, NOW)
        with _timed(wall["features"], cpu["features"]):
            passes = duck.run(con, NOW, HALF_LIFE_DAYS, compiled=True)
    steps: dict[str, float] = {}
    for _ in range(args.sql_runs):
        with _timed(wall["sql"], cpu["sql"]):
            steps = duck.run(con, NOW, HALF_LIFE_DAYS)
    con.close()
    labels = {
        "bare": "bare aggregation (GROUP BY person):",
        "features": "all features, compiled (a full run):",
        "sql": "all features, SQL steps:",
    }
    for key, label in labels.items():
        if wall[key]:
            print(
                f"{label:<38} wall median {statistics.median(wall[key]):6.2f} s "
                f"(runs {_fmt(wall[key])}); CPU median {statistics.median(cpu[key]):6.2f} s"
            )
    b, f = statistics.median(wall["bare"]), statistics.median(wall["features"])
    cb, cf = statistics.median(cpu["bare"]), statistics.median(cpu["features"])
    pairs = " ".join(f"{x / y:.2f}" for x, y in zip(wall["features"], wall["bare"], strict=True))
    print(
        f"features / bare: {f / b:.2f}x wall ({cf / cb:.2f}x CPU) in medians; "
        f"run by run {pairs} (target ≤ 1.5x)"
    )
    print("  passes (last run): " + ", ".join(f"{k} {v:.2f}s" for k, v in passes.items()))
    if steps:
        slowest = sorted(steps.items(), key=lambda kv: -kv[1])
        print("  SQL steps (last run): " + ", ".join(f"{k} {v:.2f}s" for k, v in slowest))
    print(
        f"  working memory kept between compiled runs: {compiled.SPACE.held / 2**20:,.0f} MB",
        flush=True,
    )
    print(f"load average after: {_load()}", flush=True)
    if args.cold_runs:
        cold(path, args.cold_runs)

    # 4. New interactions, then the incremental refresh.
    incremental(url, args.people, args.new)
    print(f"peak RSS of this process: {peak_rss_mb():,.0f} MB")
    full_in_child(db)


#: The CLI, then the process's own high-water mark of resident memory
#: (``VmHWM``: unlike ``ru_maxrss`` of a child, it does not count the
#: parent's memory copied at fork).
_CHILD = """
import atexit, sys
from kith.cli import main
def _peak():
    with open("/proc/self/status") as f:
        sys.stderr.write("".join(l for l in f if l.startswith("VmHWM")))
atexit.register(_peak)
sys.argv = ["kith", *sys.argv[1:]]
main()
"""


#: One bare aggregation or one compiled run, timed, in a process of its own
#: (the modules imported before the clock starts).
_COLD = """
import json, sys, time
from pathlib import Path
from kith.analytics import compiled, duck, mirror
path, what, now, half_life = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
con = mirror.connect(path)
duck.full_inputs(con)
started = time.perf_counter()
if what == "bare":
    duck.baseline(con, now)
else:
    duck.run(con, now, half_life, compiled=True)
print(json.dumps(time.perf_counter() - started))
"""


def cold(path: Path, runs: int) -> None:
    """The bare aggregation and the compiled run, each in a fresh process
    (nothing held yet), alternately ``runs`` times."""
    took: dict[str, list[float]] = {"bare": [], "features": []}
    for _ in range(runs):
        for what in took:
            done = subprocess.run(
                [sys.executable, "-c", _COLD, str(path), what, str(NOW), str(HALF_LIFE_DAYS)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            took[what].append(float(done.stdout))
    b, f = statistics.median(took["bare"]), statistics.median(took["features"])
    print(
        f"in fresh processes: bare {b:.2f} s (runs {_fmt(took['bare'])}), compiled run "
        f"{f:.2f} s (runs {_fmt(took['features'])}): {f / b:.2f}x",
        flush=True,
    )


def full_in_child(db: Path) -> None:
    """``kith analytics refresh --full`` in a child process: its phases and its
    peak resident memory (what a user's full recompute costs)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, "--db", str(db),
         "analytics", "refresh", "--full", "--now", str(NOW), "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    took = time.perf_counter() - started
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"not JSON from the child: {done.stdout[:300]!r}") from None
    peak = int(done.stderr.split("VmHWM:")[1].split()[0]) / 1024
    print(
        f"kith analytics refresh --full in a child process: {took:.1f} s; "
        + ", ".join(f"{k} {v:.1f}s" for k, v in result["seconds"].items())
        + f"; peak RSS {peak:,.0f} MB (target < 4,096 MB)",
        flush=True,
    )


def incremental(url: str, people: int, new: int) -> None:
    """Import ``new`` interactions, then time the incremental refresh that follows."""
    imported = import_new(url, people, new)
    engine = open_store(url)
    started = time.perf_counter()
    inc = refresh(engine, now=NOW)
    took = time.perf_counter() - started
    engine.dispose()
    print(
        f"import of {new:,} new interactions: {imported:.1f} s; incremental refresh: "
        f"{took:.2f} s (target < 2 s), mode {inc.mode}, {inc.people:,} people, "
        f"{inc.ties:,} ties; " + ", ".join(f"{k} {v:.2f}s" for k, v in inc.seconds.items()),
        flush=True,
    )


@contextlib.contextmanager
def _timed(wall: list[float], cpu: list[float]) -> Iterator[None]:
    """Append the wall and CPU (user + system, every thread) seconds of the block."""
    started, used = time.perf_counter(), _cpu()
    yield
    wall.append(time.perf_counter() - started)
    cpu.append(_cpu() - used)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
