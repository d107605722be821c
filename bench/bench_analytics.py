"""How fast is the feature pipeline on a big ledger?

Builds (once, cached in bench/.cache/) a SQLite ledger from the sample
generator's scale records — by default 1,000,000 people and 20,000,000
interactions, metadata only — then, in one process:

1. runs a full refresh from nothing: reads the whole ledger into a fresh
   analytics mirror (DuckDB, through Arrow record batches), computes, writes
   the rows back;
2. times the bare aggregation (counts, first, last per person over the
   interaction × participant log) and the full feature pipeline, on the same
   mirror, alternately, ``--runs`` times each; the target is features ≤ 1.5×
   the bare aggregation;
3. imports ``--new`` (1,000) new interactions and times the incremental
   refresh that follows (target: under 2 s);

and prints the peak resident memory of the process (target: under 4 GB).

Run: ``.venv/bin/python bench/bench_analytics.py [--people 1000000] [--interactions 20000000]``
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import time
from pathlib import Path

from scale_ledger import build

from kith.analytics import duck, mirror, refresh
from kith.analytics.settings import HALF_LIFE_DAYS
from kith.sample.entities import DEFAULT_END
from kith.sample.scale import iter_scale_records
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


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--interactions", type=int, default=20_000_000)
    ap.add_argument("--runs", type=int, default=3, help="Timed runs of each query.")
    ap.add_argument("--new", type=int, default=1_000, help="Interactions of the incremental step.")
    ap.add_argument("--db", type=Path, help="Use this ledger instead of the cached one.")
    ap.add_argument("--build-only", action="store_true", help="Build the cached ledger, stop.")
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
    path.unlink(missing_ok=True)

    # 1. A full refresh from nothing: the whole ledger read into a new mirror
    #    (Arrow batches → DuckDB), every feature computed, the rows written back.
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM analytics_state")
    result = refresh(engine, now=NOW, full=True)
    engine.dispose()
    con = mirror.connect(path)
    n_ix, n_pa = con.execute(
        "SELECT (SELECT COUNT(*) FROM m_interaction), (SELECT COUNT(*) FROM m_participant)"
    ).fetchone() or (0, 0)
    print(f"ledger: {n_ix:,} interactions, {n_pa:,} participants ({db.name})")
    print(
        f"full refresh from scratch: {result.relationships:,} relationships, "
        f"{result.ties:,} ties; "
        + ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
        + " (load = reading the ledger into the mirror)"
    )

    # 2. The bare aggregation and the features, on the same data, alternately.
    duck.full_inputs(con)
    bare: list[float] = []
    logs: list[float] = []
    features: list[float] = []
    steps: dict[str, float] = {}
    for _ in range(args.runs):
        t = time.perf_counter()
        duck.baseline(con, NOW)
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        duck.build_log(con)
        logs.append(time.perf_counter() - t)
        t = time.perf_counter()
        steps = duck.run(con, NOW, HALF_LIFE_DAYS)
        features.append(time.perf_counter() - t)
    con.close()
    b, g, f = statistics.median(bare), statistics.median(logs), statistics.median(features)
    print(f"bare aggregation (GROUP BY person):  median {b:6.2f} s  runs {_fmt(bare)}")
    print(f"the log (kept in the mirror):        median {g:6.2f} s  runs {_fmt(logs)}")
    print(f"all features over the log:           median {f:6.2f} s  runs {_fmt(features)}")
    print(
        f"features / bare: {f / b:.2f}x over the kept log, {(f + g) / b:.2f}x with the log "
        "rebuilt (target ≤ 1.5x)"
    )
    slowest = sorted(steps.items(), key=lambda kv: -kv[1])[:6]
    print("  slowest steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in slowest))

    # 4. New interactions, then the incremental refresh.
    imported = import_new(url, args.people, args.new)
    engine = open_store(url)
    started = time.perf_counter()
    inc = refresh(engine, now=NOW)
    took = time.perf_counter() - started
    print(
        f"import of {args.new:,} new interactions: {imported:.1f} s; incremental refresh: "
        f"{took:.2f} s (target < 2 s), mode {inc.mode}, {inc.people:,} people, "
        f"{inc.ties:,} ties; " + ", ".join(f"{k} {v:.2f}s" for k, v in inc.seconds.items())
    )
    print(f"peak RSS of this process: {peak_rss_mb():,.0f} MB (target < 4,096 MB)")


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
