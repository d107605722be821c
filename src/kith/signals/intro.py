"""Whether a message's words say it introduces someone.

The words half of ``kith.store.gives``' introductions (the shape is read
from the ledger there): the subject or the author's own first lines say so
("Intro: Sam <> Ana", "meet", "introducing", "cc'ing", "sent them your
way": ``CUE``), not somebody else's words quoted or forwarded below them
(where "I would like to introduce myself" is a stranger's).
"""

from __future__ import annotations

import re

from kith.signals.text import own_words

#: Words that say a message introduces someone (subject or first lines).
CUE = re.compile(
    r"<>|\bintro\b|\bintroduc|\bmeet\b|\breferr|\bconnect(?:ing)? you\b|\bshould (?:talk|meet)\b"
    r"|\blooping in\b|\bcc'?ing\b|\bsent (?:him|her|them) your way\b",
    re.IGNORECASE,
)
#: How much of the author's own words the cue is looked for in: their first lines.
CUE_CHARS = 1000


def says_introduction(subject: str | None, body: str | None) -> bool:
    """Whether the subject or the author's own first lines introduce someone (``CUE``)."""
    return bool(
        CUE.search(subject or "") or CUE.search(own_words(body, limit=CUE_CHARS)[:CUE_CHARS])
    )
