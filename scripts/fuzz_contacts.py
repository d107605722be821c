"""Fuzz the vCard, iCalendar, contacts-CSV and purchases importers for a while.

The same mutations as the hypothesis tests (``tests/formats_support.py``:
bytes flipped, cut, inserted, deleted, duplicated) applied to real samples,
for as many seconds as asked. Every input must give records or ``Skipped``,
or a ``KithError``; anything else is a bug: the input is saved beside the
report and the script exits 1.

Run: ``.venv/bin/python scripts/fuzz_contacts.py SECONDS [--seed N] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.formats_support import (  # noqa: E402
    DATA,
    SHARED_FORMATS,
    apply_ops,
    extract_mutated,
    random_ops,
)

from kith.ingest.base import Importer  # noqa: E402
from kith.ingest.contacts_csv import GoogleContactsImporter, LinkedInImporter  # noqa: E402
from kith.ingest.ics import IcsImporter  # noqa: E402
from kith.ingest.purchases import PurchasesImporter  # noqa: E402
from kith.ingest.vcard import VCardImporter  # noqa: E402


def corpus() -> list[tuple[Importer, str, bytes]]:
    """(importer, file suffix, sample bytes) for every sample the fuzzer mutates."""
    found: list[tuple[Importer, str, bytes]] = []
    groups: list[tuple[Importer, str, list[Path]]] = [
        (VCardImporter(), ".vcf", [*SHARED_FORMATS.glob("vcard/*.vcf"), *DATA.glob("vcard/*.vcf")]),
        (IcsImporter(), ".ics", [*SHARED_FORMATS.glob("ics/*.ics"), *DATA.glob("ics/*.ics")]),
        (
            GoogleContactsImporter(),
            ".csv",
            [*SHARED_FORMATS.glob("google-contacts/*.csv"), *DATA.glob("contacts_csv/google*.csv")],
        ),
        (
            LinkedInImporter(),
            ".csv",
            [*SHARED_FORMATS.glob("linkedin/*.csv"), *DATA.glob("contacts_csv/linkedin*.csv")],
        ),
        (PurchasesImporter(), ".csv", sorted(DATA.glob("purchases/*.csv"))),
    ]
    for importer, suffix, paths in groups:
        for path in sorted(paths):
            # The long series take a second each to expand: not worth mutating.
            if path.stem not in ("daily_forever", "hourly_cap"):
                found.append((importer, suffix, path.read_bytes()))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seconds", type=float, help="how long to run")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="where to save")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else time.time_ns() % 2**32
    rng = random.Random(seed)
    samples = corpus()
    deadline = time.monotonic() + args.seconds
    runs = records = 0
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline:
            importer, suffix, sample = rng.choice(samples)
            raw = apply_ops(sample, random_ops(rng, len(sample)))
            runs += 1
            try:
                records += extract_mutated(importer, raw, suffix, Path(tmp))
            except Exception:  # report any failure: that is what a fuzzer is for
                args.out.mkdir(parents=True, exist_ok=True)
                saved = args.out / f"{importer.name}-{seed}-{runs}{suffix}"
                saved.write_bytes(raw)
                traceback.print_exc()
                print(f"FAILED on input {runs} (seed {seed}); saved as {saved}")
                return 1
    print(f"{runs} inputs, {records} records, no failures (seed {seed}, {args.seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
