"""Import speed of the social-archive importers: ``kith import`` into a fresh SQLite ledger.

Each import runs as its own process (``kith import --no-analytics``: the
feature refresh that follows an import has its own benchmark), timed from start
to exit (``process``), with the CPU time it used (``cpu``: what to trust when
others share the machine), the import time the CLI prints (``cli``, tenths of a
second) and the process's peak resident memory. Three inputs:

* the real X archive in ``../shared/data/formats/twitter`` (2,045 tweets);
* the real Mastodon export in ``../shared/data/formats/mastodon`` (1,586 activities);
* a synthetic X archive of ``--tweets`` tweets (default 100,000) made here in a
  temporary folder: the real archive's tweets repeated in its real layout
  (``data/tweets.js`` behind its ``window.YTD`` prefix, ~1.7 kB a tweet), with
  new ids, reply chains kept within each repetition.

Run: ``.venv/bin/python bench/bench_social.py [--tweets 100000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KITH = Path(sys.executable).with_name("kith")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_CLI_TIME = re.compile(r"new interactions in ([\d.]+)s")


def timed_import(path: Path, db: Path) -> tuple[float, float, float, float, str]:
    """(process seconds, its CPU seconds, CLI-reported seconds, peak RSS MB, summary
    line) of one import. CPU time is the figure to trust on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(KITH), "--db", str(db), "import", "-q", "--no-analytics", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    match = _CLI_TIME.search(done.stdout)
    cli = float(match.group(1)) if match else float("nan")
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("✓")), done.stdout)
    return seconds, cpu, cli, peak_mb, line.strip()


def synthetic_archive(folder: Path, tweets: int) -> Path:
    """An X archive of ``tweets`` tweets, made from the real one's, in its layout."""
    real = SHARED / "formats" / "twitter" / "data"
    data = folder / "data"
    data.mkdir(parents=True)
    for name in ("account.js", "profile.js", "follower.js", "following.js"):
        shutil.copy(real / name, data / name)
    raw = (real / "tweets.js").read_text(encoding="utf-8")
    prefix, _, body = raw.partition("= ")
    template = [item["tweet"] for item in json.loads(body)]
    next_id = 3_000_000_000_000_000_000
    with (data / "tweets.js").open("w", encoding="utf-8") as out:
        out.write(prefix + "= [")
        written = 0
        while written < tweets:
            renumbered: dict[str, str] = {}
            block = template[: tweets - written]
            for tweet in block:
                renumbered[tweet["id_str"]] = str(next_id)
                next_id -= 1
            for tweet in block:
                copy = dict(tweet)
                copy["id_str"] = copy["id"] = renumbered[tweet["id_str"]]
                parent = tweet.get("in_reply_to_status_id_str")
                if parent in renumbered:
                    copy["in_reply_to_status_id_str"] = renumbered[parent]
                    copy["in_reply_to_status_id"] = renumbered[parent]
                out.write(("," if written else "") + "\n" + json.dumps({"tweet": copy}, indent=2))
                written += 1
        out.write("\n]")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=100_000, help="synthetic archive size")
    parser.add_argument("--runs", type=int, default=3, help="imports of each real sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kith-bench-social-") as tmp:
        work = Path(tmp)
        print(f"{'input':<34} {'process':>9} {'cpu':>7} {'cli':>6} {'peak MB':>8}  summary")
        samples = [
            ("X archive, 2,045 tweets", SHARED / "formats" / "twitter"),
            ("Mastodon outbox, 1,586 activities", SHARED / "formats" / "mastodon"),
        ]
        for label, path in samples:
            for run in range(args.runs):
                db = work / f"{path.name}-{run}.db"
                seconds, cpu, cli, peak, line = timed_import(path, db)
                print(
                    f"{label:<34} {seconds:>8.2f}s {cpu:>6.2f}s {cli:>5.1f}s {peak:>8.0f}  {line}"
                )
        started = time.perf_counter()
        archive = synthetic_archive(work / "synthetic", args.tweets)
        size = (archive / "data" / "tweets.js").stat().st_size
        made = time.perf_counter() - started
        mb = size / 1e6
        print(f"(synthetic archive: {args.tweets:,} tweets, {mb:,.0f} MB, made in {made:.1f}s)")
        seconds, cpu, cli, peak, line = timed_import(archive, work / "synthetic.db")
        label = f"synthetic X archive, {args.tweets:,} tweets"
        print(f"{label:<34} {seconds:>8.2f}s {cpu:>6.2f}s {cli:>5.1f}s {peak:>8.0f}  {line}")
        print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
