"""Whether an answer to "would you like to meet …?" says yes or no.

Read in the author's own words only (``kith.signals.text.own_words``: not
my question quoted below them). A no wins over a yes ("I'd love to, but not
right now" is a no); an answer with neither is left for me to read
(``None``), never guessed.
"""

from __future__ import annotations

import re

from kith.signals.text import own_words

#: Words that decline an introduction.
DECLINE = re.compile(
    r"\bno,? thanks?\b|\bnot (?:right )?now\b|\bnot (?:really )?interested\b|\brather not\b"
    r"|\b(?:i'?ll|i will|have to|must|need to|going to) pass\b|\bnot a good time\b"
    r"|\bcan'?t take (?:on|this)\b|\btoo busy\b|\bnot at the moment\b|\bmaybe later\b"
    r"|\bdon'?t think (?:so|it would)\b|\bdecline\b",
    re.IGNORECASE,
)
#: Words that agree to one.
AGREE = re.compile(
    r"\byes\b|\bsure\b|\bhappy to\b|\bglad to\b|\b(?:would|i'?d) love\b|\blove to\b"
    r"|\bsounds (?:good|great|lovely)\b|\bof course\b|\bplease do\b|\bgo ahead\b"
    r"|\bdelighted\b|\babsolutely\b|\bby all means\b|\bi'?d like that\b|\bkeen\b",
    re.IGNORECASE,
)
#: How much of the author's own words is read: an answer says it first.
ANSWER_CHARS = 600


def answer(body: str | None) -> str | None:
    """``"declined"``, ``"agreed"`` or None (neither said) for an answer's body."""
    words = own_words(body, limit=ANSWER_CHARS)[:ANSWER_CHARS]
    if DECLINE.search(words):
        return "declined"
    if AGREE.search(words):
        return "agreed"
    return None
