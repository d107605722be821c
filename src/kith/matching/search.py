"""Who fits a text (a question, a job, a collaboration, an event), with the quotes why.

Two stages, both on ``kith.signals.embed``'s vectors:

1. Every person's stored vector against the query's: exact cosine (one
   matrix product; 100k people take milliseconds, so no approximate index:
   ``bench/bench_match.py``). The best ``CANDIDATES`` go on.
2. Each candidate's passages (``kith.matching.texts``: sentences they wrote,
   with dates, and their profile facts) are embedded and read against the
   query, and a keyword score is taken beside it. A person's score blends

       score = W_PERSON · cos(person, query)
             + W_SENTENCE · max cos(sentence, query)
             + W_KEYWORD · keyword share

   where the keyword share is the idf-weighted share of the query's words
   (``terms``) that the person used anywhere, idf over the candidates (a word
   every candidate uses says little). The whole text's vector finds people
   whose words lean the query's way; the best sentence keeps a person who
   wrote one exact sentence about it among much else; the keywords catch
   names and rare terms a static model blurs.

The evidence of a match is its best passages by ``cos + keyword share``,
each with its date (none for a profile fact).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kith.matching.texts import Passage, PersonText, read_texts
from kith.signals import embed
from kith.signals.text import stop_words
from kith.store import embeddings as store
from kith.store.sql import Db

#: People read closely in stage 2 (at least; ``limit`` × ``CANDIDATE_FACTOR`` if more).
CANDIDATES = 60
CANDIDATE_FACTOR = 4
#: The blend (see the module docstring): weights sum to 1.
W_PERSON = 0.45
W_SENTENCE = 0.35
W_KEYWORD = 0.20
#: Quotes given per match.
EVIDENCE = 3
#: A quote is given only with at least this cosine or some keyword.
EVIDENCE_MIN_COS = 0.2

_WORD = re.compile(r"[a-z0-9][a-z0-9+#.-]*[a-z0-9+#]|[a-z0-9]")


@dataclass(frozen=True, slots=True)
class Evidence:
    """A passage that made a person fit, and how well it reads against the query."""

    text: str
    at: int | None
    kind: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "at": self.at, "kind": self.kind, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Match:
    """A person who fits, how well (0..1), and the quotes that say why."""

    person_id: int
    name: str
    score: float
    evidence: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "person": {"id": self.person_id, "name": self.name},
            "score": round(self.score, 4),
            "evidence": [e.as_dict() for e in self.evidence],
        }


def terms(text: str) -> list[str]:
    """The words of ``text`` that carry its topic: lower case, no stopwords, in order."""
    seen: dict[str, None] = {}
    stop = stop_words()
    for word in _WORD.findall(text.lower()):
        if word not in stop and len(word) > 1:
            seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class Vectors:
    """Every person's stored vector, loaded once for any number of queries."""

    ids: np.ndarray
    matrix: np.ndarray

    @classmethod
    def load(cls, db: Db) -> Vectors:
        """The stored matrix (one read), else the people's rows one by one."""
        model = embed.model()
        stored = store.load_matrix(db, model.model_id)
        if stored is not None:
            return cls(
                np.frombuffer(stored[0], dtype="<i8").astype(np.int64),
                embed.from_blobs([stored[1]], model.dims),
            )
        listed, blobs = store.load_vectors(db, model.model_id)
        return cls(np.asarray(listed, dtype=np.int64), embed.from_blobs(blobs, model.dims))


def match(
    db: Db,
    query: str,
    *,
    limit: int = 10,
    vectors: Vectors | None = None,
    candidates: int | None = None,
) -> list[Match]:
    """The people who best fit ``query``, best first, with their evidence.

    ``vectors`` are the stored ones (loaded here when not given); they are
    expected fresh (``kith.matching.index.refresh``). ``candidates`` read
    closely: by default ``CANDIDATES`` or ``limit`` × ``CANDIDATE_FACTOR``."""
    vectors = vectors if vectors is not None else Vectors.load(db)
    if limit <= 0 or len(vectors.ids) == 0:
        return []
    q = embed.encode([query])[0]
    cosines = vectors.matrix @ q
    wanted = min(len(cosines), candidates or max(CANDIDATES, limit * CANDIDATE_FACTOR))
    top = np.argpartition(-cosines, wanted - 1)[:wanted]
    closest = {int(vectors.ids[i]): float(cosines[i]) for i in top}
    texts = {t.person_id: t for t in read_texts(db, list(closest))}
    words = terms(query)
    idf = idf_of(words, texts.values())
    ranked: list[tuple[float, int, tuple[Evidence, ...]]] = []
    for pid, cos in closest.items():
        person = texts.get(pid)
        if person is None or not (person.facts or person.written):
            continue
        score, evidence = blend(cos, person, q, words, idf)
        ranked.append((score, pid, evidence))
    ranked.sort(key=lambda r: (-r[0], r[1]))
    ranked = ranked[:limit]
    named = store.names(db, [pid for _, pid, _ in ranked])
    return [Match(pid, named.get(pid, f"#{pid}"), score, ev) for score, pid, ev in ranked]


def blend(
    cos: float, person: PersonText, q: np.ndarray, words: Sequence[str], idf: dict[str, float]
) -> tuple[float, tuple[Evidence, ...]]:
    """A candidate's score (the module docstring's blend) from the cosine of their
    whole text ``cos``, their passages against the query vector ``q``, and the
    query's ``words`` weighted by ``idf``; and the quotes that made it."""
    passages = person.passages
    if not passages:
        return W_PERSON * cos, ()
    best_sentence, evidence = _read_closely(passages, q, words, idf)
    keyword = _keyword_share(person.text.lower(), words, idf)
    return W_PERSON * cos + W_SENTENCE * best_sentence + W_KEYWORD * keyword, evidence


def idf_of(words: Sequence[str], people: Iterable[PersonText]) -> dict[str, float]:
    """Inverse document frequency of each query word over the candidates' texts
    (smoothed: ln((N + 1) / (n + 1)) + 1, scikit-learn's)."""
    texts = [p.text.lower() for p in people]  # each text once: a property builds it
    n = len(texts)
    return {w: math.log((n + 1) / (sum(1 for t in texts if w in t) + 1)) + 1 for w in words}


def _keyword_share(text: str, words: Sequence[str], idf: dict[str, float]) -> float:
    """The idf-weighted share (0..1) of ``words`` found in ``text`` (lower case)."""
    total = sum(idf[w] for w in words)
    if total == 0:
        return 0.0
    return sum(idf[w] for w in words if _has_word(text, w)) / total


def _has_word(text: str, word: str) -> bool:
    start = text.find(word)
    while start >= 0:
        before = text[start - 1] if start else " "
        after_at = start + len(word)
        after = text[after_at] if after_at < len(text) else " "
        # a word, or its plural or -ing/-ed form: "gardening" for "garden"
        if not before.isalnum() and (not after.isalnum() or text[after_at:].startswith(_ENDS)):
            return True
        start = text.find(word, start + 1)
    return False


_ENDS = ("s ", "es ", "ing", "ed ", "er ", "s.", "s,")


def _read_closely(
    passages: Sequence[Passage], q: np.ndarray, words: Sequence[str], idf: dict[str, float]
) -> tuple[float, tuple[Evidence, ...]]:
    """The best passage's cosine, and the ``EVIDENCE`` best passages."""
    vectors = embed.encode([p.text for p in passages])
    cosines = vectors @ q
    scored: list[tuple[float, int]] = []
    for i, p in enumerate(passages):
        keyword = _keyword_share(p.text.lower() + " ", words, idf)
        if cosines[i] >= EVIDENCE_MIN_COS or keyword > 0:
            scored.append((float(cosines[i]) + keyword, i))
    scored.sort(key=lambda s: (-s[0], s[1]))
    evidence: list[Evidence] = []
    quoted: set[str] = set()
    for value, i in scored:
        p = passages[i]
        if p.text in quoted:
            continue
        quoted.add(p.text)
        evidence.append(Evidence(p.text, p.at, p.kind, value))
        if len(evidence) == EVIDENCE:
            break
    best = float(cosines.max()) if len(cosines) else 0.0
    return best, tuple(evidence)
