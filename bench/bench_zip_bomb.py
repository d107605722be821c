"""Peak memory of ``kith import`` on a zip bomb: an X archive whose
``tweets.js`` is one byte repeated, deflated about a thousand times.

Each run is a fresh ``kith import`` process on a new ledger; its peak RSS
is read from ``getrusage``. "unchecked" lifts the compression-ratio check
(as before it existed: only the 1 GiB member cap is left), "checked" is
kith as it is.

    .venv/bin/python bench/bench_zip_bomb.py --mib 512
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ACCOUNT = (
    b'window.YTD.account.part0 = [{"account": {"accountId": "1", "username": "me", '
    b'"accountDisplayName": "Me", "email": "me@example.org"}}]'
)
RUN = """
import sys
import kith.ingest.bundle as bundle
if sys.argv[1] == "unchecked":
    bundle.MAX_COMPRESSION_RATIO = float("inf")
from kith.cli import cli
sys.argv = ["kith", "--db", sys.argv[2], "import", sys.argv[3]]
cli()
"""


def bomb(path: Path, mib: int) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/account.js", ACCOUNT)
        with z.open("data/tweets.js", "w", force_zip64=True) as out:
            out.write(b"window.YTD.tweets.part0 = [")
            chunk = b" " * (1 << 20)
            for _ in range(mib):
                out.write(chunk)
            out.write(b"]")


def run(mode: str, folder: Path, archive: Path) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, the last line printed) of one import."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN, mode, str(folder / f"{mode}.db"), str(archive)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        raise SystemExit("the checked run must go first: getrusage keeps the children's maximum")
    lines = (done.stdout + done.stderr).strip().splitlines()
    refused = [line.strip() for line in lines if "zip bomb" in line]
    return peak / 1024, seconds, (refused or lines or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=512, help="the inflated tweets.js, in MiB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = folder / "twitter.zip"
        bomb(archive, args.mib)
        size = archive.stat().st_size
        print(f"zip {size / 1e6:.1f} MB, tweets.js {args.mib:,} MiB inflated")
        # Checked first: RUSAGE_CHILDREN reports the largest child so far.
        for mode in ("checked", "unchecked"):
            peak, seconds, last = run(mode, folder, archive)
            print(f"{mode:9}: peak RSS {peak:,.0f} MB, {seconds:.1f}s; {last[:110]}")


if __name__ == "__main__":
    main()
