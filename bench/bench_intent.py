"""How well does kith tell what an inbound message wants (``kith.signals.intent``)?

Reads the 320 labelled messages of ``tests/data/intent/labels.jsonl`` back from
the shared data (``../shared/data``; the labelling guide is beside the labels),
reads each with ``read_intent`` (me: an Enron mailbox's owner; a list member
for Apache mail) and prints, for the dev split (read while the rules were
written), the held-out split (not) and both:

- precision, recall and F1 of each class (``asks`` and ``gives`` as flags,
  ``informs`` and ``automated`` as the one word);
- the confusion matrix of the one word (rows: the label; columns: the reader);
- the baseline "every inbound message waits for a reply" (asks for all) beside
  the reader's asks;

then the reader's speed over every message of the four Apache archives and of
the Enron mailboxes (own words included, as at import; bodies already parsed).

Run: ``.venv/bin/python bench/bench_intent.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.intent_set import CLASSES, Labelled, Scores, load, score  # noqa: E402

from kith.ingest.base import ImportOptions  # noqa: E402
from kith.ingest.maildir import MaildirImporter  # noqa: E402
from kith.ingest.mbox import MboxImporter  # noqa: E402
from kith.model import InteractionRecord  # noqa: E402
from kith.signals.intent import Intent, Reading, read_intent  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
#: Speed is timed over this many passes of the Apache messages (the best one is printed).
PASSES = 3


def print_scores(title: str, scores: Scores) -> None:
    print(f"\n{title} ({scores.count} messages)")
    print(f"  {'class':<10} {'precision':>9} {'recall':>7} {'F1':>6}")
    for c in CLASSES:
        print(
            f"  {c.value:<10} {scores.precision[c]:>9.2f} {scores.recall[c]:>7.2f}"
            f" {scores.f1(c):>6.2f}"
        )
    print(
        f"  baseline 'every inbound message waits for a reply': asks precision"
        f" {scores.baseline_asks_precision:.2f}, recall 1.00, F1 {scores.baseline_asks_f1:.2f}"
        f" (the reader: F1 {scores.f1(Intent.ASKS):.2f})"
    )
    print("  confusion (rows: label, columns: reader)")
    print("  " + " " * 10 + "".join(f"{c.value:>10}" for c in CLASSES))
    for truth in CLASSES:
        row = scores.confusion[truth]
        print(f"  {truth.value:<10}" + "".join(f"{row[c]:>10}" for c in CLASSES))


def read_of(item: Labelled) -> Reading:
    """The reader on one labelled message, with its reader's addresses."""
    return read_intent(item.record, item.me)


def speed(records: list[InteractionRecord]) -> float:
    """The best of ``PASSES`` timings (seconds) of reading every record, bodies parsed."""
    best = float("inf")
    for _ in range(PASSES):
        start = time.perf_counter()
        for record in records:
            read_intent(record)
        best = min(best, time.perf_counter() - start)
    return best


def corpora() -> dict[str, list[InteractionRecord]]:
    """Every message of the Apache archives, and of the Enron mailboxes."""
    apache = [
        record
        for path in sorted((SHARED / "email" / "apache").glob("*.mbox"))
        for record in MboxImporter().extract(path, ImportOptions())
        if isinstance(record, InteractionRecord)
    ]
    enron = [
        record
        for record in MaildirImporter().extract(SHARED / "email" / "enron-mini", ImportOptions())
        if isinstance(record, InteractionRecord)
    ]
    return {"Apache": apache, "Enron": enron}


def main() -> None:
    items = load(SHARED)
    dev = [i for i in items if i.split == "dev"]
    held_out = [i for i in items if i.split == "held_out"]
    print_scores("dev: read while the rules were written", score(dev, read_of))
    print_scores("held out: not read while writing them", score(held_out, read_of))
    print_scores("all", score(items, read_of))
    print(f"\nspeed (best of {PASSES}, own words included):")
    for name, records in corpora().items():
        seconds = speed(records)
        print(
            f"  {name}: {len(records)} messages in {seconds:.3f} s,"
            f" {len(records) / seconds:,.0f} messages/s"
        )


if __name__ == "__main__":
    main()
