"""How fast and how good is ``kith circle form`` on a pool of 1,000 people?

Builds a SQLite ledger (in a temporary folder) of ``--people`` people, each
two-way with me: each writes about one of a few topics in their own words and
I answer; ``--ties`` threads copy two of them (they know each other), and a
public list holds ``--list`` of them (pairs that already shared a circle). Then:

1. ``kith circle form --size 4-6 --count 20 --json`` in a child process, as a
   user runs it (start-up, reading the pool, scoring, CP-SAT, drafts): its
   wall time, the objective, the bound the solver proved and the gap;
2. in this process, the same pool read and scored by the same code
   (``kith.store.circles.pool_facts``, ``kith.connect.circles.score_inputs``),
   and the objective (``score_grouping``) of the solver's circles beside a
   random grouping's (mean of ``--random`` draws) and the greedy grouping's.

Target: under 10 s end to end. The machine is shared: the load average is printed.

Run: ``.venv/bin/python bench/bench_circles.py [--people 1000] [--count 20]``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kith.analytics import refresh
from kith.connect import circles as connect
from kith.model import Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role
from kith.store import circles as store
from kith.store import repository
from kith.store.db import open_store
from kith.store.sql import using
from kith.store.writer import LedgerWriter

NOW = 1_767_225_600  # 2026-01-01 UTC
DAY = 86_400
ME = "me@bench.test"
TOPICS = (
    "kiln glaze clay firing pottery studio wheel",
    "podcast episode microphone audio editing guests",
    "bookkeeping invoices tax quarter accountant receipts",
    "wedding photography lenses light editing clients",
    "garden compost seeds soil allotment harvest",
    "newsletter subscribers writing growth sponsors issue",
    "pricing course cohort launch students online",
    "hiring freelancers contracts rates portfolio",
)


def _message(sid: str, at: int, frm: str, to: tuple[str, ...], body: str, cc: tuple[str, ...] = ()):
    parts = [Participant(Role.FROM, IdentityRef("email", frm))]
    parts += [Participant(Role.TO, IdentityRef("email", a)) for a in to]
    parts += [Participant(Role.CC, IdentityRef("email", a)) for a in cc]
    return InteractionRecord(
        source="bench",
        source_id=sid,
        channel=Channel.EMAIL,
        kind=Kind.MESSAGE,
        occurred_at=at,
        participants=tuple(parts),
        origin=Origin("bench", 0),
        body=body,
    )


def build(url: str, people: int, ties: int, on_list: int, rng: random.Random) -> None:
    engine = open_store(url)
    repository.add_me(engine, "email", ME, name="Me", now=0)
    records = []
    addresses = [f"p{i}@bench.test" for i in range(people)]
    for i, who in enumerate(addresses):
        words = TOPICS[i % len(TOPICS)].split()
        body = " ".join(rng.choice(words) for _ in range(12)) + "."
        at = NOW - rng.randint(20, 300) * DAY
        records.append(_message(f"in{i}", at, who, (ME,), body))
        records.append(_message(f"out{i}", at + 3600, ME, (who,), "Thanks, noted."))
    for k in range(ties):
        a, b = rng.sample(addresses, 2)
        records.append(
            _message(f"tie{k}", NOW - rng.randint(5, 300) * DAY, a, (ME,), "See you.", (b,))
        )
    for k, who in enumerate(rng.sample(addresses, on_list)):
        record = _message(
            f"list{k}", NOW - rng.randint(5, 300) * DAY, who, ("list@bench.test",), "Hi all."
        )
        records.append(dataclasses.replace(record, list_id="guild", list_name="guild"))
    writer = LedgerWriter(engine, importer="bench", path="bench", now=NOW)
    writer.start()
    writer.write(records)
    writer.finish("done", NOW)
    refresh(engine, now=NOW, mirror_path=None)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--size", default="4-6")
    parser.add_argument("--ties", type=int, default=1500)
    parser.add_argument("--list", type=int, default=60)
    parser.add_argument("--random", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=connect.DEFAULT_TIME_LIMIT)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        started = time.monotonic()
        build(url, args.people, args.ties, args.list, rng)
        print(
            f"ledger: {args.people:,} people, {args.ties:,} ties, {args.list} on a list "
            f"({time.monotonic() - started:.1f}s to build)"
        )
        env = {**os.environ, "XDG_CONFIG_HOME": tmp, "XDG_DATA_HOME": tmp}
        command = [
            str(Path(sys.executable).with_name("kith")),
            "--db",
            url,
            "circle",
            "form",
            "--size",
            args.size,
            "--count",
            str(args.count),
            "--time-limit",
            str(args.time_limit),
            "--json",
        ]
        load = os.getloadavg()[0]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.monotonic() - started
        if done.returncode != 0:
            sys.exit(f"kith circle form failed: {done.stderr}")
        data = json.loads(done.stdout)
        groups = [[m["id"] for m in c["members"]] for c in data["circles"]]
        print(
            f"kith circle form (end to end, child process): {wall:.2f}s, load {load:.1f}; "
            f"{len(groups)} circles of {min(map(len, groups))}-{max(map(len, groups))}; "
            f"solver {data['status']}, golfer rule {data['golfer_rule']}"
        )
        print(
            f"  objective {data['objective']:g}, bound {data['bound']:g}, gap {data['gap']:.1%} "
            f"(CP-SAT's own bound over the people its model held: {data['solver_bound']:g})"
        )
        for note in data["notes"]:
            print(f"  note: {note}")
        engine = open_store(url)
        with using(engine) as db:
            spec, ids = store.pool_ids(db, None, NOW)
            facts = store.pool_facts(db, spec, ids)
        inputs = connect.score_inputs(facts, "", NOW)
        sizes = connect.Sizes.parse(args.size)
        mine = connect.score_grouping(inputs, groups)
        randoms = [
            connect.score_grouping(inputs, connect.random_grouping(ids, len(groups), sizes, rng))
            for _ in range(args.random)
        ]
        started = time.monotonic()
        greedy = connect.greedy_grouping(inputs, len(groups), sizes)
        greedy_s = time.monotonic() - started
        print(
            "objective of the same pool's groupings (same score_grouping, repeats cost "
            f"{connect.W_REPEAT:g}):"
        )
        print(f"  solver  {mine:>10,.0f}")
        print(f"  greedy  {connect.score_grouping(inputs, greedy):>10,.0f}  ({greedy_s:.2f}s)")
        print(
            f"  random  {statistics.mean(randoms):>10,.0f}  (mean of {args.random} draws, "
            f"best {max(randoms):,.0f})"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
