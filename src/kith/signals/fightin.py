"""Outside vs inside: the words others use to me against the words I use
(``kith perception``). Not ``kith.relate.perception``, which is warmth and
competence as perceived in one relationship; this is about words.

Two corpora of own words (``kith.signals.text.own_words``): **others** — what
people wrote to me (inbound messages, comments, mentions), and **me** — my
self-description (``[profile] description``) and what I wrote to others.

Terms are compared by the log-odds ratio with an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16–22): with ``y`` a
term's count, ``n`` a corpus's size and the prior ``α_w = PRIOR_WORDS ·
(y_w,others + y_w,me) / (n_others + n_me)`` (``α0 = PRIOR_WORDS``),

    δ_w = log((y_w,o + α_w) / (n_o + α0 − y_w,o − α_w))
          − log((y_w,m + α_w) / (n_m + α0 − y_w,m − α_w))
    σ²_w ≈ 1 / (y_w,o + α_w) + 1 / (y_w,m + α_w),     z_w = δ_w / σ_w

A positive ``z`` leans to others, a negative one to me. A term is kept only
when at least ``MIN_SOURCES`` messages on its side use it, and each comes
with that many quotes. Phrases are YAKE's key phrases (Campos et al. 2020),
offline, of each side.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.signals.text import QUOTE_CHARS, stop_words
from kith.signals.text import SENTENCE_BREAK as _SENTENCE_END

#: The prior's weight in words (α0): how strongly rare terms are shrunk to the pooled rate.
PRIOR_WORDS = 500.0
#: Messages on a term's side that must use it (and quotes shown).
MIN_SOURCES = 2
#: Terms shown on each side, and key phrases.
TOP_TERMS = 20
TOP_PHRASES = 10
#: Newest messages read on each side, characters kept of each, characters given to YAKE.
MESSAGES = 5_000
CHARS_PER_MESSAGE = 4_000
PHRASE_CHARS = 200_000
#: Shortest term counted.
MIN_TERM_CHARS = 3

_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]")


@dataclass(frozen=True, slots=True)
class Text:
    """One source of words: who wrote it, when, and its own words."""

    text: str
    source: str
    at: int | None = None


@dataclass(slots=True)
class Term:
    """A term that leans to one side, with its z-score and quotes."""

    term: str
    z: float
    quotes: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"term": self.term, "z": round(self.z, 3), "quotes": self.quotes}


def tokens(text: str, stop: frozenset[str]) -> list[str]:
    """The lowercase words of ``text``, stop words and short words out."""
    return [
        w
        for w in _WORD.findall(text.lower().replace("’", "'"))
        if len(w) >= MIN_TERM_CHARS and w not in stop
    ]


def log_odds(
    others: Mapping[str, int], me: Mapping[str, int], prior_words: float = PRIOR_WORDS
) -> dict[str, float]:
    """The z-score of each term's log-odds ratio, others against me, with an
    informative Dirichlet prior from the pooled counts (see the module
    docstring). Positive: others use it more."""
    n_o = sum(others.values())
    n_m = sum(me.values())
    total = n_o + n_m
    if not n_o or not n_m:
        return {}
    a0 = prior_words
    found: dict[str, float] = {}
    for term in set(others) | set(me):
        y_o = others.get(term, 0)
        y_m = me.get(term, 0)
        alpha = a0 * (y_o + y_m) / total
        delta = math.log((y_o + alpha) / (n_o + a0 - y_o - alpha)) - math.log(
            (y_m + alpha) / (n_m + a0 - y_m - alpha)
        )
        variance = 1.0 / (y_o + alpha) + 1.0 / (y_m + alpha)
        found[term] = delta / math.sqrt(variance)
    return found


def quote(text: str, term: str) -> str:
    """The sentence of ``text`` that uses ``term``, cut to ``QUOTE_CHARS``."""
    pattern = re.compile(rf"(?<![a-z]){re.escape(term)}(?![a-z])", re.IGNORECASE)
    for sentence in _SENTENCE_END.split(text):
        if pattern.search(sentence):
            said = " ".join(sentence.split())
            if len(said) <= QUOTE_CHARS:
                return said
            at = max(0, pattern.search(said).start() - QUOTE_CHARS // 2)  # type: ignore[union-attr]
            return "…" + said[at : at + QUOTE_CHARS - 2] + "…"
    return ""


def _side(texts: Sequence[Text], stop: frozenset[str]) -> tuple[Counter[str], dict[str, list[int]]]:
    counts: Counter[str] = Counter()
    sources: dict[str, list[int]] = {}
    for n, t in enumerate(texts):
        words = tokens(t.text, stop)
        counts.update(words)
        for w in set(words):
            sources.setdefault(w, []).append(n)
    return counts, sources


def compare(
    others: Sequence[Text],
    me: Sequence[Text],
    *,
    top: int = TOP_TERMS,
    ignore: Iterable[str] = (),
) -> dict[str, list[Term]]:
    """``{"others_more": [...], "me_more": [...]}``: the ``top`` terms leaning
    most to each side by z-score, each used in at least ``MIN_SOURCES`` texts
    of its side and quoted from that many. ``ignore``: words left out (names)."""
    stop = stop_words() | {w.lower() for w in ignore}
    o_counts, o_sources = _side(others, stop)
    m_counts, m_sources = _side(me, stop)
    z = log_odds(o_counts, m_counts)
    result: dict[str, list[Term]] = {}
    for key, sign, texts, sources in (
        ("others_more", 1.0, others, o_sources),
        ("me_more", -1.0, me, m_sources),
    ):
        ranked = sorted(
            (t for t, s in z.items() if s * sign > 0 and len(sources.get(t, ())) >= MIN_SOURCES),
            key=lambda t: (-z[t] * sign, t),
        )[:top]
        terms = []
        for term in ranked:
            quotes = []
            for n in sources[term]:
                said = quote(texts[n].text, term)
                if said:
                    quotes.append({"quote": said, "source": texts[n].source, "at": texts[n].at})
                if len(quotes) >= MIN_SOURCES:
                    break
            terms.append(Term(term, z[term], quotes))
        result[key] = terms
    return result


def phrases(texts: Sequence[Text], top: int = TOP_PHRASES, ignore: Iterable[str] = ()) -> list[str]:
    """YAKE's ``top`` key phrases (up to three words) of ``texts``, best
    first, leaving out those made only of ``ignore``'s words (names)."""
    import yake

    joined = "\n".join(t.text for t in texts)[:PHRASE_CHARS]
    if not joined.strip():
        return []
    left_out = {w.lower() for w in ignore}
    extractor = yake.KeywordExtractor(lan="en", n=3, top=top + len(left_out))
    found = [
        str(phrase)
        for phrase, _ in extractor.extract_keywords(joined)
        if not set(str(phrase).lower().split()) <= left_out
    ]
    return found[:top]
