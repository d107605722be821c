"""The valence kith scores is VADER's, score for score: the analyzer that
hands VADER's steps less to read (``kith.signals.valence._lean_analyzer``)
gives every message of the real mail the scores the stock analyzer gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from kith.ingest.base import ImportOptions
from kith.ingest.maildir import MaildirImporter
from kith.ingest.mbox import MboxImporter
from kith.model import InteractionRecord
from kith.signals import valence

#: One case each of what VADER's rules look at around a sentiment word.
CASES = [
    "",
    "good",
    "not good",
    "no good",
    "no, not bad at all",
    "It is not at all good, never so good, never this bad.",
    "Without doubt a great patch; without any doubt it is bad.",
    "at least it works, very least it is kind of nice, kind of broken",
    "The build was the bomb, yeah right, it cuts the mustard, kiss of death.",
    "we all thought it was a kiss of death for the release",
    "I love it but the tests are annoying and the docs are sort of useless",
    "I don't like it. You aren't wrong. Nor is he uncool, or nor happy.",
    "GREAT work, really GOOD!!! Is it?? Is it??? sad :( glad :) <3",
    "Thanks 😀 for the fix ❤ it is 👍🏻 fine",
    "Grüße, très bien, merci: naïve café is good",
    "no",
    "no no no no",
    "happy",
    "  good  ",
]


def _bodies(shared_data: Path) -> list[str]:
    """The text kith scores of each real message, and each body's first 2,000
    characters as they are (quotes, signatures and all: longer texts)."""
    options = ImportOptions(store_bodies=True)
    records = [
        r
        for path in sorted((shared_data / "email" / "apache").glob("*.mbox"))
        for r in MboxImporter().extract(path, options)
    ]
    enron = shared_data / "email" / "enron-mini"
    records += MaildirImporter().extract(enron, options)
    bodies = [r.body for r in records if isinstance(r, InteractionRecord) and r.body]
    assert len(bodies) > 2000  # 986 Apache messages, 1,041 Enron ones
    return [valence.scored_text(b) for b in bodies] + [b[:2000] for b in bodies]


def test_the_lean_analyzer_scores_as_vader_on_hand_cases() -> None:
    lean, stock = valence._analyzer(), valence.stock_analyzer()
    assert type(lean) is not type(stock)  # the release kith is pinned to is installed
    for text in CASES:
        assert lean.polarity_scores(text) == stock.polarity_scores(text), text
        assert valence.compound(text) == stock.polarity_scores(text)["compound"]


@pytest.mark.slow
def test_the_lean_analyzer_scores_as_vader_on_the_real_mail(shared_data: Path) -> None:
    lean, stock = valence._analyzer(), valence.stock_analyzer()
    texts = _bodies(shared_data)
    differ = [t for t in texts if lean.polarity_scores(t) != stock.polarity_scores(t)]
    assert differ == []
    # Both halves of the lean path are taken: ASCII texts and the rest.
    assert any(t.isascii() for t in texts) and any(not t.isascii() for t in texts)


def test_one_piece_is_walked_once_and_stays_the_text() -> None:
    piece = valence._OnePiece("a text")
    assert list(piece) == ["a text"] and type(next(iter(piece))) is str
    assert piece == "a text" and piece.strip() == "a text"
