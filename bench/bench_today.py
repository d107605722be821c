"""How fast does `kith today` answer on a big ledger with its scores precomputed?

Target: under 300 ms more than the interpreter's and kith's own start-up
(`kith --version`, measured in the same run), on a ledger of a million
people whose relationship rows are computed.

The ledger: by default a copy of the one bench/bench_reads.py builds
(``--people 1000000``, 3M interactions, under bench/.cache/), made once into
bench/.cache/today-<name>.db, where Sam's address is declared (so messages
have directions) and the analytics are refreshed in full as of the world's
end. ``--db PATH`` takes another ledger to copy; ``--in-place`` uses it as it
is (it must have its analytics computed). `kith today` reads only indexed
rows, so the interaction count matters only to the few look-ups its drafts
make; the people and the candidate rows are what it scales with.

Each command runs as a user runs it: a new process, start to exit, median
and worst of ``--runs``, with its CPU time (user + system, less swayed than
the wall clock by other work on a shared machine). A second baseline is
what the ledger commands that go through SQLAlchemy pay first: importing it
and opening the ledger; `kith today` does not (it plans on the driver,
``kith.store.sql``). "Same day" re-plans a day already planned; "a new day"
plans a day for the first time (its items are stored).

Run: ``.venv/bin/python bench/bench_today.py [--db PATH] [--runs 7]``
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

CACHE = Path(__file__).resolve().parent / ".cache"
KITH = Path(sys.executable).with_name("kith")
DEFAULT_SOURCE = CACHE / "ledger-1000000-3000000.db"
#: What every command that reads the ledger pays before its own work.
OPEN_ONLY = "from kith.store.db import open_store; open_store"


def prepare(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (SQLite's backup: consistent even with a
    WAL beside it), declare Sam's address, and refresh the analytics in full."""
    from kith.analytics.refresh import refresh
    from kith.sample.entities import DEFAULT_END, OWNER
    from kith.store import repository
    from kith.store.db import open_store

    started = time.perf_counter()
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    src.backup(dst)
    src.close()
    dst.close()
    print(f"  copied {source.name} in {time.perf_counter() - started:.0f}s", flush=True)
    engine = open_store(f"sqlite:///{partial}")
    now = int(DEFAULT_END.timestamp())
    step = time.perf_counter()
    repository.add_me(engine, "email", OWNER.email, name=OWNER.name, now=now)
    print(f"  declared {OWNER.email} in {time.perf_counter() - step:.0f}s", flush=True)
    step = time.perf_counter()
    result = refresh(engine, now=now, mirror_path=partial.with_suffix(".duckdb"))
    print(
        f"  analytics: {result.relationships:,} relationships in {time.perf_counter() - step:.0f}s",
        flush=True,
    )
    engine.dispose()
    partial.with_suffix(".duckdb").unlink(missing_ok=True)
    partial.rename(target)


def timed(command: list[str], runs: int) -> tuple[float, float, float]:
    """(median, worst) wall-clock milliseconds of ``command``, and its median
    CPU milliseconds (user + system: less swayed by other work on the machine)."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(times), max(times), statistics.median(cpu)


def in_process(db: Path, day: date, runs: int) -> tuple[float, float, int, int]:
    """(median ms to plan, median ms to render the drafts, items, due) inside one process."""
    from kith.attention.drafts import render_all
    from kith.attention.settings import TodaySettings
    from kith.attention.today import end_of, plan_day
    from kith.store.db import open_store

    engine = open_store(f"sqlite:///{db}")
    settings = TodaySettings()
    plans, drafts = [], []
    plan = None
    for _ in range(runs):
        started = time.perf_counter()
        plan = plan_day(engine, end_of(day), settings)
        plans.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        render_all(engine, plan.items, plan.now, None)
        drafts.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    assert plan is not None
    return statistics.median(plans), statistics.median(drafts), len(plan.items), plan.due


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_SOURCE, help="The ledger to copy.")
    ap.add_argument("--in-place", action="store_true", help="Use --db as it is.")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if args.in_place:
        db = args.db
    else:
        if not args.db.exists():
            sys.exit(
                f"{args.db} is missing: build it with "
                ".venv/bin/python bench/bench_reads.py --people 1000000"
            )
        db = CACHE / f"today-{args.db.stem}.db"
        if not db.exists():
            print(f"preparing {db.name} (once) ...", flush=True)
            prepare(args.db, db)
    from kith.store.db import open_store

    engine = open_store(f"sqlite:///{db}")
    with engine.connect() as conn:
        people, rels, inter = conn.execute(
            text(
                "SELECT (SELECT COUNT(*) FROM person), (SELECT COUNT(*) FROM relationship),"
                " (SELECT MAX(id) FROM interaction)"
            )
        ).one()
        last = conn.execute(text("SELECT MAX(day) FROM attention_day")).scalar()
    engine.dispose()
    print(f"ledger: {people:,} people, {rels:,} relationship rows, {inter:,} interactions")
    first = date(2026, 11, 20)
    fresh = date.fromisoformat(last) + timedelta(days=1) if last else first
    same = fresh
    base = [str(KITH), "--db", str(db)]
    # Plan the "same day" once, so its runs re-plan it.
    subprocess.run([*base, "today", "--date", same.isoformat()], check=True, capture_output=True)
    plan_ms, draft_ms, items, due = in_process(db, same, args.runs)
    print(
        f"in one process: plan {plan_ms:.0f} ms, drafts {draft_ms:.0f} ms "
        f"({items} items of the {due} due it weighed)"
    )
    cases = [
        ("baseline: kith --version", [str(KITH), "--version"]),
        (
            "for scale: import SQLAlchemy, open the ledger",
            [sys.executable, "-c", f"{OPEN_ONLY}('sqlite:///{db}')"],
        ),
        ("kith today --json (same day)", [*base, "today", "--date", same.isoformat(), "--json"]),
        ("kith today (same day, text)", [*base, "today", "--date", same.isoformat()]),
    ]
    results = {}
    for label, command in cases:
        results[label] = timed(command, args.runs)
    # A new day each run: the first plan of a day stores its new items.
    walls, cpus = [], []
    for n in range(args.runs):
        day = (same + timedelta(days=1 + n)).isoformat()
        wall, _, cpu = timed([*base, "today", "--date", day, "--json"], 1)
        walls.append(wall)
        cpus.append(cpu)
    results["kith today --json (a new day)"] = (
        statistics.median(walls),
        max(walls),
        statistics.median(cpus),
    )
    baseline = results["baseline: kith --version"]
    print(f"{'':<44} {'wall median':>11} {'worst':>7} {'cpu':>6}   over --version")
    for label, (median, worst, cpu) in results.items():
        extra = (
            ""
            if label.startswith("baseline: kith --")
            else f"   +{median - baseline[0]:.0f} ms wall, +{cpu - baseline[2]:.0f} ms cpu"
        )
        print(f"{label:<44} {median:8.0f} ms {worst:7.0f} {cpu:6.0f}{extra}")


if __name__ == "__main__":
    main()
