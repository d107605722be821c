"""How long does `kith report` take, and where does the time go?

The ledger: the sample world (``kith.sample``) of ``--people`` people,
imported and its analytics refreshed as of the world's end, made once into
bench/.cache/report-<people>.db. Then the default report (the last full
quarter against the one before) is computed (``kith.report.connections.build``:
the reads and the figures) and rendered (``kith.report.render.html``: the
charts and the page) ``--runs`` times; median and worst of each, the
interactions read and the page's size. The first run also checks that the
page comes out byte-identical every time.

Run: ``.venv/bin/python bench/bench_report.py [--people 120] [--runs 3]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web_world import build_world  # noqa: E402

CACHE = Path(__file__).parent / ".cache"


def build(people: int) -> Path:
    """The sample world's ledger, made once (as the web app's tests make it)."""
    db = CACHE / f"report-{people}.db"
    if not db.exists():
        CACHE.mkdir(exist_ok=True)
        mail = CACHE / f"report-{people}-mail"
        mail.mkdir(exist_ok=True)
        build_world(f"sqlite:///{db}", mail, people)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=120)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    db = build(args.people)
    from kith.report import connections, render
    from kith.store.sql import open_db

    computed: list[float] = []
    rendered: list[float] = []
    pages: set[bytes] = set()
    with open_db(f"sqlite:///{db}") as found:
        assert found is not None
        interactions = found.scalar("SELECT COUNT(*) FROM interaction")
        for _ in range(args.runs):
            t0 = time.perf_counter()
            report = connections.build(found, None, None)
            t1 = time.perf_counter()
            page = render.html(report).encode()
            t2 = time.perf_counter()
            computed.append(t1 - t0)
            rendered.append(t2 - t1)
            pages.add(page)

    def fmt(xs: list[float]) -> str:
        return f"median {statistics.median(xs):.2f} s, worst {max(xs):.2f} s"

    print(f"ledger: {args.people:,} people, {interactions:,} interactions ({db.name})")
    print(f"period: {report['current']} against {report['previous']}")
    print(f"compute (reads + figures): {fmt(computed)}")
    print(f"render (charts + page):    {fmt(rendered)}")
    print(f"page: {len(page):,} bytes; identical across {args.runs} runs: {len(pages) == 1}")


if __name__ == "__main__":
    main()
