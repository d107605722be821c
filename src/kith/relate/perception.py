"""Warmth and competence as perceived, and my own warmth in behaviour.

Perceived: what they write to me (direction ``in``) and about me (their
``mention`` interactions among others), scored with kith's own lexicon
(``lexicon.tsv`` in this package; licence: kith's, MIT). Each message's own
text is read — quoted lines (``>``) and everything after an "On … wrote:"
or "Original Message" line are dropped, so my words quoted back are not
counted as theirs. Per scale::

    net = (positive cues − negative cues) / (positive cues + negative cues)

over all their messages pooled; ``warm`` when net ≥ 0.3 with at least
``MIN_CUES`` cues, ``cool`` when net ≤ −0.3, else ``mixed``; too few cues
says so rather than guess.

How the lexicon was made: for each scale, the words people use when they
judge intent (warmth: thanks, care, friendliness, and their opposites:
rudeness, coldness, complaint) and ability (competence: skill, reliability,
clarity, and mistakes, lateness, confusion), chosen by hand from the
definitions in Fiske, Cuddy & Glick 2007 and checked against the sample
world's messages and everyday e-mail; prefixes (``thank*``) cover
inflections; a third scale, register (formal vs informal markers), feeds the
Fournier formal/informal dimension. 100 entries. SADCAT (Nicolas, Bai &
Fiske 2021) was not used: its licence is stated as NA.

Validation: hand-labelled messages in tests/data/relate/perception_labelled.tsv,
labelled by the lexicon's author — a sanity check, not an independent one;
the figure is in ``EXPLANATION.validation``.

Behavioural warmth (mine): reply rate = my replies / their messages to me,
and the median time to my first reply (the pipeline's ``my_reply_median_s``).

Sources: Fiske, Cuddy & Glick 2007 (read): warmth judged first, weighs more;
Kervyn, Fiske & Malone 2012 (read): brands judged the same way. The lexicon
and thresholds are ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from kith.model import ABOUT_ME_AMONG_KINDS
from kith.relate.data import Event
from kith.relate.explain import Explanation
from kith.signals.text import own_words

SCALES = ("warmth", "competence", "register")
#: Fewer cues than this on a scale: not enough text to say.
MIN_CUES = 3
#: |net| at or above this reads as warm/cool (competent/doubted).
LEANING = 0.3
_WORD = re.compile(r"[a-z][a-z']*")


@cache
def lexicon() -> tuple[dict[str, tuple[str, int]], list[tuple[str, str, int]]]:
    """(exact words → (scale, sign), [(prefix, scale, sign)]) from ``lexicon.tsv``."""
    exact: dict[str, tuple[str, int]] = {}
    prefixes: list[tuple[str, str, int]] = []
    # A plain path (installed as package data): importlib.resources costs
    # ~30 ms of imports on every `kith person`.
    text = (Path(__file__).parent / "lexicon.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, scale, sign = line.split("\t")
        if word.endswith("*"):
            prefixes.append((word[:-1], scale, int(sign)))
        else:
            exact[word] = (scale, int(sign))
    return exact, prefixes


def cues(text: str) -> dict[str, list[int]]:
    """Per scale: [positive cues, negative cues] in ``text``."""
    exact, prefixes = lexicon()
    out = {s: [0, 0] for s in SCALES}
    for word in _WORD.findall(text.lower()):
        hit = exact.get(word)
        if hit is None:
            hit = next(((s, g) for p, s, g in prefixes if word.startswith(p)), None)
        if hit is not None:
            out[hit[0]][0 if hit[1] > 0 else 1] += 1
    return out


def net(counts: list[int]) -> float | None:
    pos, neg = counts
    return None if pos + neg == 0 else (pos - neg) / (pos + neg)


def label(counts: list[int], words: tuple[str, str]) -> str:
    value = net(counts)
    if value is None or sum(counts) < MIN_CUES:
        return "not enough text"
    if value >= LEANING:
        return words[0]
    if value <= -LEANING:
        return words[1]
    return "mixed"


def message_label(text: str, scale: str) -> int:
    """+1, −1 or 0 for one message on one scale (for validation)."""
    value = net(cues(own_words(text))[scale])
    return 0 if value is None or value == 0 else (1 if value > 0 else -1)


def perceived(events: Iterable[Event]) -> dict[str, Any]:
    """Their messages' cues pooled, per scale."""
    pooled = {s: [0, 0] for s in SCALES}
    messages = 0
    for e in events:
        if not e.authored or e.direction == "out" or not e.body:
            continue
        if e.direction == "among" and e.kind not in ABOUT_ME_AMONG_KINDS:
            continue  # a post among others is about anything; a mention is about me
        messages += 1
        for scale, (p, n) in cues(own_words(e.body)).items():
            pooled[scale][0] += p
            pooled[scale][1] += n
    return {"messages": messages, "cues": pooled}


def warmth_competence(
    events: list[Event], my_replies: int, my_reply_median_s: float | None
) -> dict[str, Any]:
    """Perceived warmth and competence from their text; my behavioural warmth."""
    seen = perceived(events)
    pooled = seen["cues"]
    theirs = sum(
        1
        for e in events
        if e.authored and e.direction == "in" and e.kind in ("message", "reply", "comment")
    )
    rate = None if theirs == 0 else min(my_replies / theirs, 1.0)
    w_label = label(pooled["warmth"], ("warm", "cool"))
    c_label = label(pooled["competence"], ("competent", "doubtful"))
    w_net, c_net = net(pooled["warmth"]), net(pooled["competence"])
    evidence = [
        f"{seen['messages']} of their messages to you with text; warmth cues "
        f"{pooled['warmth'][0]}+ / {pooled['warmth'][1]}−, competence cues "
        f"{pooled['competence'][0]}+ / {pooled['competence'][1]}−",
    ]
    if rate is not None:
        evidence.append(f"you replied to {my_replies} of their {theirs} messages")
    if my_reply_median_s is not None:
        evidence.append(f"your median time to reply: {my_reply_median_s / 3600:.1f} hours")
    mine = "no messages of theirs to answer" if rate is None else f"you answer {rate:.0%}"
    return {
        "perceived_warmth": w_label,
        "perceived_warmth_net": None if w_net is None else round(w_net, 2),
        "perceived_competence": c_label,
        "perceived_competence_net": None if c_net is None else round(c_net, 2),
        "my_reply_rate": None if rate is None else round(rate, 3),
        "my_reply_median_hours": (
            None if my_reply_median_s is None else round(my_reply_median_s / 3600, 1)
        ),
        "summary": f"their words: warmth {w_label}, competence {c_label}; {mine}",
        "evidence": evidence,
    }


EXPLANATION = Explanation(
    name="warmth",
    title="warmth and competence as perceived, and my own warmth in behaviour",
    formula=(
        "per scale, over their messages' own text (quotes dropped):\n"
        "net = (positive cues − negative cues) / all cues, from kith's lexicon\n"
        f"(src/kith/relate/lexicon.tsv); warm/competent if net ≥ {LEANING}, cool/doubtful if\n"
        f"≤ −{LEANING}, mixed between; fewer than {MIN_CUES} cues: not enough text.\n"
        "mine: reply rate = my replies / their messages; median time to my first reply."
    ),
    source=(
        "Fiske, Cuddy & Glick 2007 (read): warmth and competence, warmth first;\n"
        "Kervyn, Fiske & Malone 2012 (read): brands judged the same way.\n"
        "Lexicon: kith's own, hand-built (licence MIT, as kith); SADCAT not used (licence NA)."
    ),
    status="ours: a small hand-made lexicon; thresholds ours.",
    validation=(
        "30 hand-labelled messages (tests/data/relate/perception_labelled.tsv, labelled by the\n"
        "lexicon's author, so not independent): sign agreement warmth 28/30, competence 29/30\n"
        "(tests/test_relate.py recomputes them); misses: sarcasm ('Thanks for nothing'),\n"
        "words not in the list ('miss our chats', 'spot on')."
    ),
    notes="Warmth and competence",
)
