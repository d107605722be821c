"""What scoring only the start of someone's own words costs and keeps.

Reads every message with a body in the Apache archives and the Enron mail
(``../shared/data/email``), finds each one's own words
(``kith.signals.text.own_words``) and prints:

* how long the own words are (percentiles), and how many messages have none;
* for caps of 280, 500, 1,000 and 2,000 characters: VADER texts per second,
  and how often the capped score's class (negative at or below -0.05,
  positive at or above 0.05, else neutral) and value agree with the score of
  all of the own words (20,000 characters at most);
* whether reading only a body's first ``READ_CHARS`` changes the scored text.

With ``--lean``, only this instead: the CPU seconds of VADER's stock analyzer
and of kith's (``kith.signals.valence._lean_analyzer``) over the scored text
of each message (``valence.scored_text``), twice each, alternating, and how
many scores differ.

Run: ``.venv/bin/python bench/bench_valence.py [--lean]``.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from kith.ingest.base import ImportOptions
from kith.ingest.maildir import MaildirImporter
from kith.ingest.mbox import MboxImporter
from kith.model import InteractionRecord
from kith.signals import valence
from kith.signals.text import own_words

EMAIL = (
    Path(
        os.environ.get("KITH_SHARED_DATA")
        or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    / "email"
)
#: The longest own words scored as "all of them" (VADER's cost grows faster than the text).
WHOLE = 20_000


def bodies() -> list[str]:
    """Every body in the Apache mboxes and the Enron Maildirs."""
    out: list[str] = []
    for path in sorted((EMAIL / "apache").glob("*.mbox")):
        out += _read(MboxImporter().extract(path, ImportOptions()))
    out += _read(MaildirImporter().extract(EMAIL / "enron-mini", ImportOptions()))
    return out


def _read(records: object) -> list[str]:
    return [r.body for r in records if isinstance(r, InteractionRecord) and r.body]  # type: ignore[attr-defined]


def _class(score: float) -> int:
    if score <= valence.NEGATIVE_COMPOUND:
        return -1
    return 1 if score >= -valence.NEGATIVE_COMPOUND else 0


def lean() -> None:
    """CPU seconds of the stock analyzer and kith's over the same texts."""
    texts = [t for t in (valence.scored_text(b) for b in bodies()) if t]
    ours, stock = valence._analyzer(), valence.stock_analyzer()
    print(f"load average {os.getloadavg()[0]:.1f}; {len(texts):,} scored texts")
    for _ in range(2):
        for name, analyzer in (("stock VADER", stock), ("kith's analyzer", ours)):
            started = time.process_time()
            for t in texts:
                analyzer.polarity_scores(t)
            print(f"{name:<16}: {time.process_time() - started:.2f} s CPU")
    differ = sum(1 for t in texts if ours.polarity_scores(t) != stock.polarity_scores(t))
    print(f"scores that differ: {differ}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lean", action="store_true", help="time kith's analyzer against VADER's")
    if ap.parse_args().lean:
        lean()
        return
    texts = bodies()
    own = [own_words(b) for b in texts]
    lengths = sorted(len(o) for o in own)

    def at(q: float) -> int:
        return lengths[int(q * (len(lengths) - 1))]

    print(
        f"{len(texts):,} messages with a body; own words: median {at(0.5):,}, "
        f"75th percentile {at(0.75):,}, 90th {at(0.9):,} characters; "
        f"{sum(1 for n in lengths if n == 0):,} with none"
    )
    windowed = sum(
        1
        for b, o in zip(texts, own, strict=True)
        if own_words(b[: valence.READ_CHARS], limit=valence.MAX_CHARS)[: valence.MAX_CHARS]
        != o[: valence.MAX_CHARS]
    )
    print(
        f"first {valence.MAX_CHARS} own characters changed by reading {valence.READ_CHARS:,} "
        f"of the body: {windowed} messages"
    )
    scored = [o for o in own if o]
    whole = [valence.compound(o[:WHOLE]) for o in scored]
    for cap in (280, 500, 1000, 2000):
        started = time.perf_counter()
        capped = [valence.compound(o[:cap]) for o in scored]
        seconds = time.perf_counter() - started
        agree = sum(_class(a) == _class(b) for a, b in zip(capped, whole, strict=True))
        error = sum(abs(a - b) for a, b in zip(capped, whole, strict=True)) / len(whole)
        print(
            f"cap {cap:>5,}: {len(scored) / seconds:>7,.0f} texts/s; class as the whole "
            f"{agree / len(whole):.1%}, mean |difference| {error:.3f}"
        )


if __name__ == "__main__":
    main()
