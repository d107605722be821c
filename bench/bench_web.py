"""How fast do the web app's Today and Person pages answer on a million people,
under 20 concurrent clients?

Target: p95 under 100 ms for ``/today`` and ``/people/{id}``, zero errors, with
1M people, 20 concurrent clients on loopback.

The ledger: a copy (bench/.cache/web-<name>.db, made once) of the ledger
bench/bench_today.py prepares — bench/bench_reads.py's scale world (3,000,000
interactions among 613,841 people), Sam's addresses declared, the analytics
refreshed — topped up to ``--people`` (1,000,000) with people you connected
with once, then refreshed again as of the same day.
The server: a real ``kith serve`` (its own process, uvicorn) planning the
world's last day. The clients: ``wrk`` (Debian's package; C, so the load
generator takes little of the two cores from the server), 20 connections,
for ``--seconds`` each, against:

- ``/healthz`` — the baseline: the server's own cost per request;
- ``/today`` — the day's list with drafts (HTML);
- ``/people/{id}`` — a person's page (HTML), a different person each request,
  drawn from ``--sample`` people who have a relationship row.

A Lua script gives wrk's p50/p95/p99 and counts every non-2xx answer and
socket error as an error. The machine's load (``uptime``) is printed with
the figures: other jobs share these two cores.

Run: ``.venv/bin/python bench/bench_web.py [--db PATH] [--seconds 20] [--workers 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
KITH = Path(sys.executable).with_name("kith")
DEFAULT_SOURCE = CACHE / "today-ledger-1000000-3000000.db"
CLIENTS = 20

LUA = """
local ids = {%(ids)s}
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  local path = paths[(n %% #paths) + 1]
  if string.find(path, "{id}") then
    path = string.gsub(path, "{id}", ids[math.random(#ids)])
  end
  return wrk.format("GET", path, {["Accept"] = "text/html"})
end
local bad = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p95\\": %%f, "
    .. "\\"p99\\": %%f, \\"max\\": %%f, \\"status_errors\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def copy_ledger(source: Path, target: Path) -> None:
    """SQLite's backup: consistent even while another process writes the source."""
    print(f"copying {source.name} to {target.name} (once) ...", flush=True)
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(partial)
    src.backup(dst)
    src.close()
    dst.close()
    partial.rename(target)


def top_up(db: Path, people: int) -> None:
    """Bring the copy to ``people`` people (bench_reads.py's top-up: one
    "connected" interaction each for people the generator never drew), and
    refresh the analytics as of the same day, so every one has a relationship row."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    have, computed = conn.execute(
        "SELECT (SELECT count(*) FROM person), (SELECT max(computed_at) FROM relationship)"
    ).fetchone()
    conn.close()
    if have >= people:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_reads import top_up as add_people  # type: ignore[import-not-found]

    from kith.analytics.refresh import refresh
    from kith.store.db import open_store

    started = time.perf_counter()
    add_people(db, people)
    engine = open_store(f"sqlite:///{db}")
    refresh(engine, now=int(computed))
    engine.dispose()
    print(f"topped up to {people:,} people in {time.perf_counter() - started:.0f} s", flush=True)


def prepare_source(source: Path) -> None:
    if source.exists():
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_today import prepare  # type: ignore[import-not-found]

    raw = CACHE / "ledger-1000000-3000000.db"
    if not raw.exists():
        sys.exit(f"{raw} is missing: .venv/bin/python bench/bench_reads.py --people 1000000")
    prepare(raw, source)


def wrk(url: str, paths: list[str], ids: list[int], seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(
            LUA
            % {
                "ids": ", ".join(f'"{i}"' for i in ids),
                "paths": ", ".join(f'"{p}"' for p in paths),
            }
        )
        script = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CLIENTS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_SOURCE, help="the ledger to copy")
    parser.add_argument("--seconds", type=int, default=20, help="how long each run lasts")
    parser.add_argument("--sample", type=int, default=2000, help="people the person page draws")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--people", type=int, default=1_000_000, help="people in the ledger")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: scripts/setup --system installs Debian's wrk")
    prepare_source(args.db)
    db = CACHE / f"web-{args.db.stem}.db"
    if not db.exists():
        copy_ledger(args.db, db)
    top_up(db, args.people)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    people, computed = conn.execute(
        "SELECT (SELECT count(*) FROM person), (SELECT max(computed_at) FROM relationship)"
    ).fetchone()
    rng = random.Random(5)
    top = conn.execute("SELECT max(rowid) FROM relationship").fetchone()[0]
    ids = sorted(
        {
            int(r[0])
            for r in conn.execute(
                "SELECT person_id FROM relationship WHERE rowid IN "
                f"({', '.join(str(rng.randint(1, top)) for _ in range(args.sample * 2))})"
            )
        }
    )[: args.sample]
    conn.close()
    day = datetime.fromtimestamp(computed, UTC).date()
    print(f"ledger: {db.name}, {people:,} people; planning {day}; {len(ids)} people to open")
    command = [str(KITH), "--db", str(db), "serve", "--port", str(args.port)]
    command += ["--date", day.isoformat(), "--workers", str(args.workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"kith serve did not start: {server.stderr.read().decode()}")
                time.sleep(0.2)
        started = time.perf_counter()
        urllib.request.urlopen(f"{url}/today", timeout=120).close()
        print(f"first /today (plans the day): {1000 * (time.perf_counter() - started):.0f} ms")
        # Every worker process plans the day once: many requests at once reach them all.
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(
                pool.map(
                    lambda _: urllib.request.urlopen(f"{url}/today", timeout=120).read(),
                    range(CLIENTS * args.workers * 2),
                )
            )
        for pid in ids[:50]:  # warm the page cache a little, as a used server would be
            urllib.request.urlopen(f"{url}/people/{pid}", timeout=60).close()
        load_before = os.getloadavg()
        print(f"load before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
        print(
            f"\n{CLIENTS} clients, {args.seconds} s each, {args.workers} server process(es)\n"
            f"{'page':<16} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'max ms':>7} {'errors':>6}"
        )
        for name, paths in [
            ("/healthz", ["/healthz"]),
            ("/today", ["/today"]),
            ("/people/{id}", ["/people/{id}"]),
        ]:
            r = wrk(url, paths, ids, args.seconds)
            errors = int(r["status_errors"] + r["socket_errors"])
            print(
                f"{name:<16} {r['requests'] / r['seconds']:>7.0f} {r['p50']:>7.1f} "
                f"{r['p95']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} {errors:>6}",
                flush=True,
            )
        print("\nthe network map's data, one client (median of 3):")
        for limit in (2_000, 10_000):
            times, data = [], {}
            for _ in range(3):
                started = time.perf_counter()
                with urllib.request.urlopen(f"{url}/api/network?limit={limit}", timeout=120) as r:
                    data = json.load(r)
                times.append(time.perf_counter() - started)
            people = [n for n in data["nodes"] if not n.get("me")]
            ties = [e for e in data["edges"] if "me" not in (e["source"], e["target"])]
            clusters = len({n["cluster"] for n in people})
            print(
                f"/api/network?limit={limit:<6} {statistics.median(times) * 1000:7.0f} ms: "
                f"{len(people):,} people, {len(ties):,} ties, {clusters} clusters"
            )
        load = os.getloadavg()
        print(f"\nload after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
