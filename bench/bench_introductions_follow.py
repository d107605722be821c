"""How long does the introductions' pass after an import take on a big ledger?

``kith.connect.introductions.follow`` is what every import run (and IMAP
sync) does for introductions besides recording the new ones made to me: for
each open introduction of mine, read A's and B's e-mail since it was
recorded and look for the ask, the answer and the introduction e-mail; for
each made one, look for the first interaction of A and B without the
introducer in its 90 days. Builds (once, cached in bench/.cache/) a SQLite
scale ledger (``scale_ledger.py``), records ``--open`` proposed and
``--made`` made introductions between people with an address — half of the
pairs among the ``--open``/``--made`` busiest people, half at random — then
times, ``--runs`` times, each in a transaction rolled back after it:
``after_import`` for an import run of the ledger's last ``--run``
interactions (what an IMAP sync or a new mailbox does), then ``follow`` over
every introduction (what recording one after its mail, or a run that
touches everyone, costs at most).

Run: ``.venv/bin/python bench/bench_introductions_follow.py [--people 100000]
[--interactions 1000000] [--open 100] [--made 100] [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

from scale_ledger import build

from kith.connect import introductions as intro
from kith.store import introductions as store
from kith.store.db import open_store
from kith.store.sql import Db

CACHE = Path(__file__).parent / ".cache"
#: Introductions are recorded this long before the ledger's last interaction.
RECORDED_DAYS_BEFORE_END = 120
DAY = 86_400


def pairs(db: Db, count: int, rng: random.Random) -> list[tuple[int, int]]:
    """``count`` pairs of people with an e-mail address: half among the
    busiest (most interactions), half at random; never me, never twice."""
    busiest = [
        int(r[0])
        for r in db.rows(
            "SELECT i.person_id FROM identity i JOIN participant p ON p.identity_id = i.id"
            " JOIN person pe ON pe.id = i.person_id WHERE i.kind = 'email' AND NOT pe.is_me"
            " GROUP BY i.person_id ORDER BY COUNT(*) DESC LIMIT :n",
            {"n": count},
        )
    ]
    everyone = [
        int(r[0])
        for r in db.rows(
            "SELECT DISTINCT i.person_id FROM identity i JOIN person pe ON pe.id = i.person_id"
            " WHERE i.kind = 'email' AND NOT pe.is_me"
        )
    ]
    found: set[tuple[int, int]] = set()
    while len(found) < count:
        pool = busiest if len(found) < count // 2 else everyone
        a, b = rng.sample(pool, 2)
        if (b, a) not in found:
            found.add((a, b))
    return sorted(found)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=100)
    ap.add_argument("--made", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--run", type=int, default=1_000, help="Interactions in the import run.")
    args = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"introductions-{args.people}-{args.interactions}.db"
    if not path.exists():
        build(path, args.people, args.interactions)
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    engine = open_store(f"sqlite:///{path}")
    rng = random.Random(5)
    times: list[float] = []
    runs: list[float] = []
    with engine.connect() as conn:
        db = Db.of(conn)
        end = int(db.scalar("SELECT MAX(occurred_at) FROM interaction"))
        top = int(db.scalar("SELECT MAX(id) FROM interaction"))
        last_run = int(db.scalar("SELECT import_id FROM interaction WHERE id = :id", {"id": top}))
        total = int(db.scalar("SELECT COUNT(*) FROM interaction"))
        recorded = end - RECORDED_DAYS_BEFORE_END * DAY
        chosen = pairs(db, args.open + args.made, rng)
        print(f"ledger: {total:,} interactions; {args.open} open and {args.made} made")
        for run in range(args.runs):
            with conn.begin() as tx:
                for n, (a, b) in enumerate(chosen):
                    if n < args.open:
                        store.create(db, a=a, b=b, state=intro.PROPOSED, at=recorded)
                    else:
                        store.create(db, a=a, b=b, state=intro.MADE, at=recorded, made_at=recorded)
                started = time.perf_counter()
                done = intro.after_import(db, run=last_run, lo=top - args.run + 1, hi=top, now=end)
                runs.append(time.perf_counter() - started)
                started = time.perf_counter()
                done = intro.follow(db, now=end)
                times.append(time.perf_counter() - started)
                print(
                    f"run {run + 1}: after an import of {args.run:,}: {runs[-1]:.3f} s; "
                    f"every introduction: {times[-1]:.3f} s; moved {done.moved}, "
                    f"connected {done.connected}, no contact {done.no_contact}"
                )
                tx.rollback()
    engine.dispose()
    print(
        f"after an import of the last {args.run:,} interactions: median "
        f"{statistics.median(runs):.3f} s, worst {max(runs):.3f} s"
    )
    print(
        f"follow: median {statistics.median(times):.3f} s, worst {max(times):.3f} s "
        f"over {args.runs} runs ({args.open + args.made} introductions)"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
