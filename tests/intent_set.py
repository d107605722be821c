"""The labelled inbound messages of ``tests/data/intent/labels.jsonl`` (the guide
beside it), read back from the shared data, and how a reader scores on them.

Used by ``tests/test_intent.py`` and ``bench/bench_intent.py``: one way to read
the set and one way to count, so the test's floor and the bench's figures are
the same numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kith.ingest.base import ImportOptions
from kith.ingest.maildir import MaildirImporter
from kith.ingest.mbox import MboxImporter
from kith.model import InteractionRecord
from kith.signals.intent import Intent, Reading

LABELS = Path(__file__).resolve().parent / "data" / "intent" / "labels.jsonl"
#: The Enron mailboxes' owners: "me" for the messages of their folders.
ENRON_OWNERS = {
    "allen-p": "phillip.allen@enron.com",
    "arnold-j": "john.arnold@enron.com",
    "arora-h": "harry.arora@enron.com",
    "badeer-r": "robert.badeer@enron.com",
}
#: The order of the classes in every table.
CLASSES = (Intent.ASKS, Intent.GIVES, Intent.INFORMS, Intent.AUTOMATED)


@dataclass(frozen=True)
class Labelled:
    """One labelled message: where it is, its labels, its split, and the record read back."""

    file: str
    message_id: str
    labels: frozenset[Intent]
    split: str
    record: InteractionRecord

    @property
    def me(self) -> tuple[str, ...]:
        """The reader's addresses: an Enron mailbox's owner; none for list mail."""
        parts = Path(self.file).parts
        if len(parts) > 2 and parts[1] == "enron-mini":
            return (ENRON_OWNERS[parts[2]],)
        return ()

    @property
    def intent(self) -> Intent:
        """The one word, ranked as ``Reading.intent`` ranks."""
        for intent in (Intent.AUTOMATED, Intent.ASKS, Intent.GIVES):
            if intent in self.labels:
                return intent
        return Intent.INFORMS


def load(shared: Path) -> list[Labelled]:
    """Every labelled message, in the file's order, read from ``shared`` (the shared data)."""
    rows = [json.loads(line) for line in LABELS.read_text().splitlines() if line.strip()]
    wanted: dict[str, set[str]] = {}
    for row in rows:
        wanted.setdefault(row["file"], set()).add(row["message_id"])
    found: dict[tuple[str, str], InteractionRecord] = {}
    for file, ids in wanted.items():
        path = shared / file
        importer = MboxImporter() if path.suffix == ".mbox" else MaildirImporter()
        for record in importer.extract(path, ImportOptions()):
            if isinstance(record, InteractionRecord) and record.source_id in ids:
                found.setdefault((file, record.source_id), record)
    keys = [(row["file"], row["message_id"]) for row in rows]
    missing = [key for key in keys if key not in found]
    if missing:
        raise AssertionError(f"labelled messages not in the shared data: {missing[:3]}")
    return [
        Labelled(
            row["file"],
            row["message_id"],
            frozenset(Intent(label) for label in row["labels"]),
            row["split"],
            found[row["file"], row["message_id"]],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Scores:
    """Precision and recall per class, the confusion matrix, and the "asks = all" baseline.

    ``asks`` and ``gives`` are scored as flags (a message labelled both counts
    for each); ``informs`` and ``automated`` as the one word. The confusion
    matrix counts the one word: ``confusion[truth][predicted]``.
    """

    count: int
    precision: dict[Intent, float]
    recall: dict[Intent, float]
    confusion: dict[Intent, Counter[Intent]]
    baseline_asks_precision: float

    def f1(self, intent: Intent) -> float:
        p, r = self.precision[intent], self.recall[intent]
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def baseline_asks_f1(self) -> float:
        """F1 of "every inbound message waits for a reply" (asks for all: recall 1)."""
        p = self.baseline_asks_precision
        return 2 * p / (1 + p) if p else 0.0


def score(items: Iterable[Labelled], read: Callable[[Labelled], Reading]) -> Scores:
    """How ``read`` does on ``items``."""
    items = list(items)
    truth_flags: dict[Intent, list[bool]] = {c: [] for c in CLASSES}
    said_flags: dict[Intent, list[bool]] = {c: [] for c in CLASSES}
    confusion: dict[Intent, Counter[Intent]] = {c: Counter() for c in CLASSES}
    for item in items:
        reading = read(item)
        said = {
            Intent.ASKS: reading.asks,
            Intent.GIVES: reading.gives,
            Intent.INFORMS: reading.intent is Intent.INFORMS,
            Intent.AUTOMATED: reading.automated,
        }
        truth = {
            Intent.ASKS: Intent.ASKS in item.labels,
            Intent.GIVES: Intent.GIVES in item.labels,
            Intent.INFORMS: item.intent is Intent.INFORMS,
            Intent.AUTOMATED: item.intent is Intent.AUTOMATED,
        }
        for c in CLASSES:
            truth_flags[c].append(truth[c])
            said_flags[c].append(said[c])
        confusion[item.intent][reading.intent] += 1
    precision, recall = {}, {}
    for c in CLASSES:
        hits = sum(t and s for t, s in zip(truth_flags[c], said_flags[c], strict=True))
        precision[c] = hits / max(1, sum(said_flags[c]))
        recall[c] = hits / max(1, sum(truth_flags[c]))
    asks_share = sum(truth_flags[Intent.ASKS]) / max(1, len(items))
    return Scores(len(items), precision, recall, confusion, asks_share)
