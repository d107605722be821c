"""How fast do the People page's JSON and the map's answer, filter by filter?

Each request goes through the web app (FastAPI's test client, in one
process: no server, no network), on a ledger whose analytics are refreshed,
as of the world's last day: median and worst of ``--runs`` after one warm-up
request, and the median CPU time of the process (the app and the client:
less swayed than the wall clock by other work on a shared machine). The
requests only use the HTTP interface, so the same script times any version
of kith (``PYTHONPATH=<another checkout>/src``), which is how the figures
before and after a change are taken in one sitting.

Run: ``.venv/bin/python bench/bench_people_page.py --db PATH [--runs 5]``
(e.g. bench_today.py's prepared copy, bench/.cache/today-*.db).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

CASES = [
    ("people by name (first page)", "/api/people", {}),
    ("people by strength", "/api/people", {"sort": "strength"}),
    ("people by strength, page 20", "/api/people", {"sort": "strength", "page": 20}),
    ("people, cooling only", "/api/people", {"cooling": True}),
    ("people in the sympathy layer", "/api/people", {"layer": "sympathy"}),
    ("people, strength at least 30", "/api/people", {"min_strength": 30}),
    ("map, 2,000 strongest", "/api/network", {"limit": 2000}),
    ("a person (the most recent contact)", "/api/people/{recent}", {}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--day", default="2026-11-20", help="the app's day (the world's last)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from fastapi.testclient import TestClient

    import kith
    from kith.web.app import create_app
    from kith.web.config import WebConfig

    print(f"kith from {Path(kith.__file__).parent}")
    config = WebConfig(database_url=f"sqlite:///{args.db}", day=date.fromisoformat(args.day))
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        recent = client.get("/api/people", params={"sort": "recent", "per_page": 1}).json()
        for label, path, params in CASES:
            path = path.format(recent=recent["people"][0]["id"])
            first = client.get(path, params=params)
            if first.status_code != 200:
                print(f"{label:<34} HTTP {first.status_code} (not offered by this version)")
                continue
            times, cpu = [], []
            for _ in range(args.runs):
                started, used = time.perf_counter(), time.process_time()
                client.get(path, params=params).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
            print(
                f"{label:<34} wall median {statistics.median(times):6.0f} ms, "
                f"worst {max(times):6.0f}; CPU median {statistics.median(cpu):6.0f} ms"
            )
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
