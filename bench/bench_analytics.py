"""How fast is the feature pipeline on a big ledger?

Builds (once, cached in bench/.cache/) a SQLite ledger from the sample
generator's scale records (``scale.py``) — by default 1,000,000 people and
20,000,000 interactions, metadata only; ``scale_ledger.py`` writes it straight
into the schema — then:

1. a full refresh from nothing: the whole ledger read into a fresh analytics
   mirror (DuckDB, through Arrow record batches), every feature computed by
   the SQL definition, the rows written back;
2. ``kith analytics refresh --full`` in a child process, as a user runs it
   (the mirror kept), ``--runs`` times: its phases and its peak resident
   memory; with ``--compare-write``, each run is followed by one whose
   write-back goes through ``executemany`` (as before the ADBC bulk ingest),
   for a like-for-like figure of the write;
3. in this process, the bare aggregation (counts, first and last per person
   over participant ⋈ identity ⋈ interaction) and the SQL steps of a full
   run, alternately, ``--compute-runs`` times (for scale: what the features
   cost against the least any per-person figure costs);
4. ``--new`` (1,000) new interactions imported, then the incremental refresh
   that follows, ``--incremental`` times.

``--write-sizes N,N,…`` times instead only the full write-back of the first
N relationships and 2N ties of a full run, through ADBC's bulk ingest and
through ``executemany``, alternately (``--runs`` times each): where the bulk
ingest's child process starts to pay (``writeback.INGEST_ABOVE``). The full
rows are written back at the end.

The machine is shared: the load average is printed with the figures.

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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from scale import iter_scale_records
from scale_ledger import build

from kith.analytics import duck, mirror, refresh, writeback
from kith.sample.entities import DEFAULT_END
from kith.store.db import open_store
from kith.store.writer import LedgerWriter
from kith.units import HALF_LIFE_DAYS

CACHE = Path(__file__).resolve().parent / ".cache"
NOW = int(DEFAULT_END.timestamp())

#: The least any per-person figure costs: counts, first and last per person
#: over the same inputs the features read (the mirror's raw tables).
BARE_AGGREGATION = """
SELECT idn.person_id, COUNT(*) AS n,
  COUNT(*) FILTER (WHERE i.direction = 'in') AS n_in,
  MIN(i.occurred_at) AS first_at, MAX(i.occurred_at) AS last_at
FROM m_participant pa
JOIN m_identity idn ON idn.id = pa.identity_id
JOIN m_interaction i ON i.id = pa.interaction_id
WHERE i.occurred_at <= {now}
GROUP BY idn.person_id"""


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--interactions", type=int, default=20_000_000)
    ap.add_argument("--runs", type=int, default=3, help="Full refreshes in a child process.")
    ap.add_argument(
        "--compare-write",
        action="store_true",
        help="After each full refresh, one whose write-back goes through executemany.",
    )
    ap.add_argument(
        "--compute-runs", type=int, default=3, help="Bare aggregation / SQL steps pairs (0: none)."
    )
    ap.add_argument("--incremental", type=int, default=3, help="Import-then-refresh rounds.")
    ap.add_argument("--new", type=int, default=1_000, help="Interactions of each round.")
    ap.add_argument("--db", type=Path, help="Use this ledger instead of the cached one.")
    ap.add_argument("--build-only", action="store_true", help="Build the cached ledger, stop.")
    ap.add_argument("--keep-mirror", action="store_true", help="Reuse the mirror (skip step 1).")
    ap.add_argument("--write-sizes", help="Only the write-back of N,N,… relationships (+2N ties).")
    args = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    db = args.db or CACHE / f"analytics-{args.people}-{args.interactions}.db"
    if not db.exists():
        print(f"building {db.name} ...", flush=True)
        build(db, args.people, args.interactions)
    if args.build_only:
        return
    url = f"sqlite:///{db}"
    engine = open_store(url)
    path = mirror.default_path(engine)
    assert path is not None
    print(f"load average at the start: {_load()}", flush=True)
    if args.write_sizes:
        write_sizes(engine, path, [int(n) for n in args.write_sizes.split(",")], args.runs)
        print(f"load average after: {_load()}", flush=True)
        return
    if not (args.keep_mirror and path.exists()):
        # 1. A full refresh from nothing.
        path.unlink(missing_ok=True)
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM analytics_state")
        result = refresh(engine, now=NOW, full=True)
        print(
            f"full refresh from nothing: {result.relationships:,} relationships, "
            f"{result.ties:,} ties; {_phases(result.seconds)} (load = reading the ledger "
            "into the mirror)",
            flush=True,
        )
    engine.dispose()
    con = mirror.connect(path)
    n_ix, n_pa, n_log = con.execute(
        "SELECT (SELECT COUNT(*) FROM m_interaction), (SELECT COUNT(*) FROM m_participant), "
        "(SELECT COUNT(*) FROM m_log)"
    ).fetchone() or (0, 0, 0)
    con.close()
    print(f"ledger: {n_ix:,} interactions, {n_pa:,} participants, log {n_log:,} rows ({db.name})")

    # 2. The full refresh a user runs, in a process of its own.
    took: dict[str, list[float]] = {"adbc": [], "executemany": []}
    writes: dict[str, list[float]] = {"adbc": [], "executemany": []}
    for _ in range(args.runs):
        for how in ("adbc", "executemany") if args.compare_write else ("adbc",):
            total, write = full_in_child(db, how)
            took[how].append(total)
            writes[how].append(write)
    for how, runs in took.items():
        if runs:
            print(
                f"kith analytics refresh --full ({how} write-back): median {_median(runs)} s "
                f"(runs {_fmt(runs)}); write median {_median(writes[how])} s "
                f"(runs {_fmt(writes[how])})",
                flush=True,
            )
    print(f"load average: {_load()}", flush=True)

    # 3. The SQL steps against the bare aggregation, in this process.
    if args.compute_runs:
        compute(path, args.compute_runs)

    # 4. New interactions, then the incremental refresh.
    for _ in range(args.incremental):
        incremental(url, args.people, args.new)
    print(f"load average after: {_load()}", flush=True)
    print(f"peak RSS of this process: {peak_rss_mb():,.0f} MB")


def write_sizes(engine: Any, path: Path, sizes: list[int], runs: int) -> None:
    """The full write-back of the first N relationships and 2N ties, through
    the bulk ingest and through ``executemany``, alternately."""
    con = mirror.connect(path)
    duck.full_inputs(con)
    duck.run(con, NOW, HALF_LIFE_DAYS)
    tables = {name: duck.result_reader(con, name).read_all() for name in ("relationship", "tie")}
    con.close()
    state = writeback.stored_state(engine)
    assert state is not None, "run a full refresh first"
    real = writeback.has_adbc

    def write(rel: int, ties: int, adbc: bool) -> float:
        writeback.has_adbc = lambda: adbc
        parts = {
            "relationship": tables["relationship"].slice(0, rel),
            "tie": tables["tie"].slice(0, ties),
        }
        readers = {name: _batches(table) for name, table in parts.items()}
        started = time.perf_counter()
        writeback.write(
            engine, readers, replace_all=True, state=state, finished_at=NOW,
            row_count=writeback.INGEST_ABOVE + 1 if adbc else 0,
        )  # fmt: skip
        return time.perf_counter() - started

    for n in sizes:
        took: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(runs):
            for adbc in (True, False):
                took[adbc].append(write(n, 2 * n, adbc))
        print(
            f"write-back of {n:,} relationships and {2 * n:,} ties: bulk ingest median "
            f"{_median(took[True])} s (runs {_fmt(took[True])}), executemany median "
            f"{_median(took[False])} s (runs {_fmt(took[False])})",
            flush=True,
        )
    write(tables["relationship"].num_rows, tables["tie"].num_rows, True)
    writeback.has_adbc = real


def _batches(table: pa.Table) -> Any:
    return lambda: pa.RecordBatchReader.from_batches(table.schema, table.to_batches(65_536))


def compute(path: Path, runs: int) -> None:
    """The bare aggregation and the SQL steps of a full run, alternately."""
    con = mirror.connect(path)
    duck.full_inputs(con)
    wall: dict[str, list[float]] = {"bare": [], "sql": []}
    cpu: dict[str, list[float]] = {"bare": [], "sql": []}
    steps: dict[str, float] = {}
    for _ in range(runs):
        with _timed(wall["bare"], cpu["bare"]):
            con.execute(f"CREATE OR REPLACE TEMP TABLE bare AS {BARE_AGGREGATION.format(now=NOW)}")
        with _timed(wall["sql"], cpu["sql"]):
            steps = duck.run(con, NOW, HALF_LIFE_DAYS)
    con.close()
    labels = {"bare": "bare aggregation (GROUP BY person):", "sql": "all features, SQL steps:"}
    for key, label in labels.items():
        print(
            f"{label:<36} wall median {_median(wall[key])} s (runs {_fmt(wall[key])}); "
            f"CPU median {_median(cpu[key])} s"
        )
    ratio = statistics.median(wall["sql"]) / statistics.median(wall["bare"])
    print(f"features / bare: {ratio:.2f}x wall in medians")
    slowest = sorted(steps.items(), key=lambda kv: -kv[1])
    print("  SQL steps (last run): " + ", ".join(f"{k} {v:.2f}s" for k, v in slowest), flush=True)


#: The CLI, then the process's own high-water mark of resident memory
#: (``VmHWM``: unlike ``ru_maxrss`` of a child, it does not count the
#: parent's memory copied at fork). ``executemany`` as the first argument:
#: the write-back as it was before ADBC's bulk ingest. Its own children (the
#: bulk ingest, the ledger's readers) start through ``_WRAPPER``, which
#: appends each one's ``VmHWM`` to the file in ``KITH_BENCH_HWM``.
_CHILD = """
import atexit, sys
from kith.cli import main
if sys.argv.pop(1) == "executemany":
    from kith.analytics import writeback
    writeback.has_adbc = lambda: False
sys.executable = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as f:
        sys.stderr.write("".join(l for l in f if l.startswith("VmHWM")))
atexit.register(_peak)
sys.argv = ["kith", *sys.argv[1:]]
main()
"""


#: A Python that runs what it is given (a script, or ``-m module``) and then
#: appends its own peak resident memory to the file named by ``KITH_BENCH_HWM``.
_WRAPPER = """#!{python}
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as f:
        peak = next(line.split()[1] for line in f if line.startswith("VmHWM"))
    with open(os.environ["KITH_BENCH_HWM"], "a") as out:
        out.write(f"{{peak}}\\n")
atexit.register(_peak)
sys.argv = sys.argv[1:]
if sys.argv[0] == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def full_in_child(db: Path, how: str) -> tuple[float, float]:
    """``kith analytics refresh --full`` in a child process: its phases, its
    peak resident memory and its own children's; returns its wall and
    write-back seconds."""
    wrapper, hwm = CACHE / "python-hwm", CACHE / "children-hwm.txt"
    wrapper.write_text(_WRAPPER.format(python=sys.executable))
    wrapper.chmod(0o755)
    hwm.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, how, str(wrapper), "--db", str(db),
         "analytics", "refresh", "--full", "--now", str(NOW), "--json"],
        capture_output=True, text=True, check=True, env={**os.environ, "KITH_BENCH_HWM": str(hwm)},
    )  # fmt: skip
    took = time.perf_counter() - started
    children = max((int(x) for x in hwm.read_text().split()), default=0) if hwm.exists() else 0
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"not JSON from the child: {done.stdout[:300]!r}") from None
    peak = int(done.stderr.split("VmHWM:")[1].split()[0]) / 1024
    print(
        f"kith analytics refresh --full ({how}) in a child process: {took:.1f} s; "
        f"{_phases(result['seconds'])}; peak RSS {peak:,.0f} MB (its children's: "
        f"{children / 1024:,.0f} MB at most)",
        flush=True,
    )
    return took, float(result["seconds"]["write"])


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
        f"{took:.2f} s, mode {inc.mode}, {inc.people:,} people, {inc.ties:,} ties; "
        + ", ".join(f"{k} {v:.2f}s" for k, v in inc.seconds.items()),
        flush=True,
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def _phases(seconds: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.1f}s" for k, v in seconds.items())


def _load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
