"""How fast do `kith people --json | head` and `kith person X` answer on a big ledger?

Builds (once, cached in bench/.cache/) a SQLite ledger from the sample
generator's scale records — by default 1,000,000 people and 3,000,000
interactions — then times each command as a user runs it: a new process,
from start to exit, median and worst of ``--runs`` runs. The baseline in the
same run is `kith --version`, the interpreter's and kith's start-up alone.

Run: ``.venv/bin/python bench/bench_reads.py [--people 1000000] [--interactions 3000000]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scale_ledger import build
from sqlalchemy import Engine, text

from kith.model import Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role
from kith.store import repository
from kith.store.db import open_store
from kith.store.writer import LedgerWriter

CACHE = Path(__file__).resolve().parent / ".cache"
KITH = Path(sys.executable).with_name("kith")
BATCH = 20_000


def top_up(path: Path, target: int) -> None:
    """Bring the ledger to ``target`` people with one LinkedIn-style
    "connected" interaction each for people the generator never drew: a CRM
    holds many people you only connected with once."""
    engine = open_store(f"sqlite:///{path}")
    have = repository.stats(engine)["people"]
    missing = target - have
    if missing <= 0:
        return
    print(f"topping up {missing:,} people ...", flush=True)
    writer = LedgerWriter(engine, importer="bench", path="sample:connections", now=0)
    writer.start()
    batch = []
    for i in range(missing):
        ident = IdentityRef("email", f"connection{i}@people{i % 997}.example", f"Connection {i}")
        batch.append(
            InteractionRecord(
                source="linkedin",
                source_id=f"bench-connection-{i}",
                channel=Channel.SOCIAL,
                kind=Kind.CONNECT,
                occurred_at=1_700_000_000 + i,
                participants=(Participant(Role.FROM, ident),),
                origin=Origin("sample:connections", i),
            )
        )
        if len(batch) == BATCH:
            writer.write(batch)
            batch = []
    writer.write(batch)
    writer.finish("done", 0)
    engine.dispose()


def unique_person(engine: Engine) -> tuple[str, str]:
    """A name that only one person has, and that person's e-mail address."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT p.name, i.value FROM person p JOIN identity i ON i.person_id = p.id "
                "WHERE p.name_key IN (SELECT name_key FROM person GROUP BY name_key "
                "HAVING count(*) = 1 LIMIT 1) LIMIT 1"
            )
        ).one()
    return str(row[0]).replace("'", ""), str(row[1])


def timed(command: str, runs: int) -> tuple[float, float, float]:
    """(median wall, worst wall, median CPU) milliseconds of ``command`` in a shell.

    CPU time (user + system of the processes) is printed beside wall time
    because this machine is shared: under load, wall time grows with the
    queue for the cores while CPU time stays what the command costs.
    """
    times = []
    cpu = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(times), max(times), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--people",
        type=int,
        default=1_700_000,
        help="people in the generator's pool; about 60%% appear in 3M interactions",
    )
    ap.add_argument("--interactions", type=int, default=3_000_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--target-people", type=int, default=1_000_000)
    ap.add_argument(
        "--me",
        action="store_true",
        help="Build the ledger with the sample world's owner as me (directions, two-way "
        "relationships), and refresh its relationship rows; without it the owner is a "
        "person like any other.",
    )
    ap.add_argument(
        "--db",
        type=Path,
        help="Time this ledger as it is (e.g. bench_web.py's, whose relationship rows "
        "and scores are computed) instead of building one.",
    )
    args = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    if args.db is not None:
        db = args.db
    else:
        mine = "-me" if args.me else ""
        db = CACHE / f"ledger-{args.people}-{args.interactions}{mine}.db"
        if not db.exists():
            print(f"building {db.name} ...", flush=True)
            build(db, args.people, args.interactions, me=args.me)
        top_up(db, args.target_people)
        if args.me:
            subprocess.run([str(KITH), "--db", str(db), "analytics", "refresh"], check=True)
    engine = open_store(f"sqlite:///{db}")
    counts = repository.stats(engine)
    print(f"ledger: {counts['people']:,} people, {counts['interactions']:,} interactions")
    name, email = unique_person(engine)
    base = f"'{KITH}' --db '{db}'"
    cases = [
        ("baseline: kith --version", f"'{KITH}' --version"),
        ("kith people --json | head", f"{base} people --json | head"),
        ("kith people (table, first 50)", f"{base} people"),
        # the order `kith people` opened on before closest became the default
        ("kith people --sort name --json | head", f"{base} people --sort name --json | head"),
        ("kith people --sort name (table)", f"{base} people --sort name"),
        (f"kith person '{name}'", f"{base} person '{name}'"),
        (f"kith person {email}", f"{base} person '{email}'"),
    ]
    for label, command in cases:
        median, worst, cpu = timed(command, args.runs)
        print(
            f"{label:<44} wall median {median:6.0f} ms, worst {worst:6.0f} ms; "
            f"CPU median {cpu:6.0f} ms"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
