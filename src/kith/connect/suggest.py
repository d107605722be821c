"""Who of my people could gain from knowing whom: introduction suggestions.

Pairs of my people who have not talked without me, best first, each with its
reasons in words and the evidence behind them. A pair's score is

    score = trust × (W_COMPLEMENT·complement + W_NETWORK·network
                     + W_TOPIC·topic + W_CIRCLE·circles)        (0–100)

* **trust** — both sides must trust me: only two-way relationships whose
  last contact is within ``kith.relate.cooling.COLD_AFTER_DAYS`` and whose
  strength (``kith.relate.strength``) is at least ``MIN_STRENGTH`` take part
  (an introduction spends goodwill: never through a cold tie); trust is the
  geometric mean of the two strengths, /100.
* **complement** — what one asks for and the other offers
  (``kith.connect.words``: ``kith.signals.intent`` on their own words, their
  organisation, title and role; TF-IDF cosine), the larger direction.
* **network** — ``kith.connect.network.network_scores`` on the ledger's tie
  graph (the score ``kith eval --task new-ties`` measures), divided by the
  largest among the candidates, times an inverted U on how many of my people
  they already share: moderately weak ties are worth most (Rajkumar et al.,
  Science 2022; shared/SCIENCE.md "Connecting people"), peaking at
  ``SHARED_PEAK`` and never below ``1 − INVERTED_U_DEPTH`` of the peak.
* **topic** — the cosine of all they wrote; **circles** — 1 − e^(−k) of the
  k circles (lists, communities) both wrote in.

The weights are product choices, not fitted: only the network part has an
evaluation (new ties); say so where the figure is shown.

**Fairness**: the list is filled best first, but nobody appears in more than
``MAX_PER_PERSON`` suggestions (``--for``: the other sides), so the few best
connected cannot take every line (Gunarathne et al. 2018 on favouring the
biggest, shared/SCIENCE.md "Fair attention").
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kith.connect import words
from kith.connect.network import TieGraph, network_scores
from kith.errors import NotFoundError
from kith.relate import cooling, strength
from kith.store import connect as reads
from kith.store.relationships import names_of
from kith.store.sql import Db
from kith.units import DAY

#: Below this strength (0–100) a relationship is too weak to introduce through.
MIN_STRENGTH = 5
#: The weights of the parts (product choices, see the module docstring).
W_COMPLEMENT = 0.6
W_NETWORK = 0.2
W_TOPIC = 0.05
W_CIRCLE = 0.15
#: How many people both already know (besides me) at which a pair is worth most.
SHARED_PEAK = 2
#: How far the inverted U falls for strangers and near-friends.
INVERTED_U_DEPTH = 0.5
#: Complementarity below this is not given as a reason (nor counted).
MIN_WORDS_SCORE = 0.1
#: An ask meets an offer, or two people's words overlap, on at least this many
#: distinctive words (one place name is not a need).
MIN_SHARED_TERMS = 2
#: Topic overlap below this is not given as a reason.
MIN_TOPIC_REASON = 0.15
#: The most suggestions one person appears in.
MAX_PER_PERSON = 2
#: Messages read per person (their newest).
MESSAGES_PER_PERSON = 60
#: The default length of the list.
DEFAULT_LIMIT = 10


@dataclass
class Suggestion:
    """Two people who could gain from knowing each other, why, and the evidence."""

    a: tuple[int, str]
    b: tuple[int, str]
    score: float
    reasons: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``kith introduce --suggest --json``."""
        return {
            "a": {"id": self.a[0], "name": self.a[1]},
            "b": {"id": self.b[0], "name": self.b[1]},
            "score": self.score,
            "reasons": self.reasons,
            "evidence": self.evidence,
            "parts": self.parts,
        }


def inverted_u(shared: int) -> float:
    """The worth of a pair that already shares ``shared`` people, peak 1 at
    ``SHARED_PEAK``: 1 − DEPTH·(1 − x·e^(1−x)), x = shared / SHARED_PEAK."""
    x = shared / SHARED_PEAK
    return 1.0 - INVERTED_U_DEPTH * (1.0 - x * math.exp(1.0 - x))


def check_person(db: Db, query: str) -> int:
    """The person ``--for`` names, refusing a merged-away ``#id`` by name."""
    from kith.store.reads import find_person

    q = query.strip()
    if q.startswith("#") and q[1:].isdigit():
        state = reads.person_state(db, int(q[1:]))
        if state is not None and state[1] is not None:
            raise NotFoundError(
                f"#{q[1:]} ({state[0] or 'no name'}) was merged into #{state[1]}",
                hint=f"ask for #{state[1]}",
            )
    return find_person(db, query)


def suggest(
    db: Db, now: int, *, for_person: int | None = None, limit: int = DEFAULT_LIMIT
) -> list[Suggestion]:
    """The best ``limit`` introductions among my warm relationships as of ``now``."""
    warm = _warm(db, now)
    if for_person is not None and for_person not in warm:
        return []
    people = sorted(warm)
    if len(people) < 2:
        return []
    index = {p: k for k, p in enumerate(people)}
    talked = reads.talked_without_me(db, people)
    tie_rows = reads.ties(db)
    me = reads.my_identity_values(db)
    me_names = reads.my_names(db)
    facts = reads.role_facts(db, people)
    messages = reads.messages_by(db, people, MESSAGES_PER_PERSON)
    voices = {p: words.voice_of(messages.get(p, []), facts.get(p, []), me) for p in people}
    vectors = words.vectorise(voices, [name for name, _ in warm.values()] + me_names)
    circles = reads.circles_written_in(db, people)
    threads = reads.threads_of(db, people)

    rows_a, rows_b = _candidates(people, talked, for_person)
    if not rows_a:
        return []
    graph, ids = _graph(tie_rows)
    neighbours = _neighbours(tie_rows)
    around = sorted({n for p in people for n in neighbours.get(p, {})})
    names = {i: n for i, n in names_of(db, around).items() if n}
    span = now - min((r[3] for r in tie_rows), default=now)
    net = np.zeros(len(rows_a))
    known = [
        (k, ids[a], ids[b])
        for k, (a, b) in enumerate(zip(rows_a, rows_b, strict=True))
        if a in ids and b in ids
    ]
    if known and graph is not None:
        got = network_scores(
            graph,
            np.array([i for _, i, _ in known], dtype=np.int64),
            np.array([j for _, _, j in known], dtype=np.int64),
            float(now),
            float(max(span, DAY)),
        )
        for (k, _, _), s in zip(known, got.tolist(), strict=True):
            net[k] = s
    top_net = float(net.max()) if len(net) and net.max() > 0 else 1.0

    scored: list[Suggestion] = []
    for k, (a, b) in enumerate(zip(rows_a, rows_b, strict=True)):
        s = _score(
            a,
            b,
            warm,
            net[k] / top_net,
            (neighbours, names),
            circles,
            threads,
            voices,
            vectors,
            index,
        )
        if s is not None:
            scored.append(s)
    scored.sort(key=lambda s: (-s.score, s.a[0], s.b[0]))
    return _fair(scored, for_person, limit)


def _warm(db: Db, now: int) -> dict[int, tuple[str, int]]:
    """person → (name, strength) of the relationships warm enough to introduce through."""
    cold_since = now - cooling.COLD_AFTER_DAYS * DAY
    warm: dict[int, tuple[str, int]] = {}
    for row in reads.two_way_rows(db):
        last = row.get("last_contact_at")
        if last is None or int(last) < cold_since:
            continue
        score = strength.score_row(row, now).score
        if score >= MIN_STRENGTH:
            warm[int(row["person_id"])] = (row["name"] or f"#{row['person_id']}", score)
    return warm


def _candidates(
    people: list[int], talked: set[tuple[int, int]], for_person: int | None
) -> tuple[list[int], list[int]]:
    rows_a: list[int] = []
    rows_b: list[int] = []
    for n, a in enumerate(people):
        for b in people[n + 1 :]:
            if (a, b) in talked:
                continue
            if for_person is not None and for_person not in (a, b):
                continue
            rows_a.append(a)
            rows_b.append(b)
    return rows_a, rows_b


def _graph(
    tie_rows: list[tuple[int, int, int, int, int, int]],
) -> tuple[TieGraph | None, dict[int, int]]:
    ids: dict[int, int] = {}
    for a, b, *_ in tie_rows:
        ids.setdefault(a, len(ids))
        ids.setdefault(b, len(ids))
    if not tie_rows:
        return None, ids
    u = np.array([ids[r[0]] for r in tie_rows], dtype=np.int64)
    v = np.array([ids[r[1]] for r in tie_rows], dtype=np.int64)
    first = np.array([r[3] for r in tie_rows], dtype=np.float64)
    last = np.array([r[4] for r in tie_rows], dtype=np.float64)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((hi, lo))
    graph = TieGraph(len(ids), lo[order], hi[order], first[order], last[order])
    return graph, ids


def _neighbours(tie_rows: list[tuple[int, int, int, int, int, int]]) -> dict[int, dict[int, int]]:
    """person → {neighbour: last contact} on the tie graph."""
    found: dict[int, dict[int, int]] = {}
    for a, b, _, _, last, _ in tie_rows:
        found.setdefault(a, {})[b] = last
        found.setdefault(b, {})[a] = last
    return found


def _score(
    a: int,
    b: int,
    warm: dict[int, tuple[str, int]],
    network: float,
    around: tuple[dict[int, dict[int, int]], dict[int, str]],
    circles: dict[int, dict[str, int]],
    threads: dict[int, dict[int, str]],
    voices: dict[int, words.Voice],
    vectors: words.Vectors | None,
    index: dict[int, int],
) -> Suggestion | None:
    (name_a, strength_a), (name_b, strength_b) = warm[a], warm[b]
    reasons: list[str] = []
    evidence: list[dict[str, Any]] = []

    complement = 0.0
    topic = 0.0
    if vectors is not None:
        i, j = index[a], index[b]
        forward = vectors.complement(a, b)
        backward = vectors.complement(b, a)
        match = max(
            (m for m in (forward, backward) if m is not None), key=lambda m: m.score, default=None
        )
        topic = float(vectors.topic[i, j])
        if (
            match is not None
            and match.score >= MIN_WORDS_SCORE
            and len(match.terms) >= MIN_SHARED_TERMS
        ):
            complement = match.score
            asker, giver = (a, b) if match is forward else (b, a)
            reasons.append(
                f"{warm[asker][0]} asks for what {warm[giver][0]} offers ({', '.join(match.terms)})"
            )
            evidence.append(_said("asks", asker, warm, _quoted(match.ask, match.terms)))
            evidence.append(_said("offers", giver, warm, _quoted(match.offer, match.terms)))
        elif topic >= MIN_TOPIC_REASON:
            terms = words.shared_terms(
                vectors.everything, i, vectors.everything, j, vectors.terms, words.TERMS_SHOWN
            )
            if len(terms) >= MIN_SHARED_TERMS:
                reasons.append(f"both write about {', '.join(terms)}")

    neighbours, names = around
    common = sorted(set(neighbours.get(a, {})) & set(neighbours.get(b, {})))
    shape = inverted_u(len(common))
    if common:
        shown = [names.get(c, f"#{c}") for c in common[:3]]
        last = max(min(neighbours[a][c], neighbours[b][c]) for c in common)
        reasons.append(
            f"{len(common)} {'person knows' if len(common) == 1 else 'people know'} both: "
            f"{', '.join(shown)}{' …' if len(common) > 3 else ''}"
        )
        evidence.append(
            {
                "what": "common",
                "count": len(common),
                "people": common[:10],
                "last_both_at": words.day(last),
            }
        )
    both_circles = sorted(set(circles.get(a, {})) & set(circles.get(b, {})))
    if both_circles:
        reasons.append(f"both write in {', '.join(both_circles[:2])}")
        evidence.append(
            {
                "what": "circles",
                "circles": both_circles,
                "messages": {
                    str(a): sum(circles[a][c] for c in both_circles),
                    str(b): sum(circles[b][c] for c in both_circles),
                },
            }
        )
    both_threads = set(threads.get(a, {})) & set(threads.get(b, {}))
    if both_threads:
        subjects = sorted({threads[a][t] for t in both_threads if threads[a][t]})[:2]
        evidence.append({"what": "threads", "count": len(both_threads), "subjects": subjects})

    if not reasons:
        return None
    trust = math.sqrt(strength_a * strength_b) / 100.0
    circle_part = 1.0 - math.exp(-len(both_circles))
    value = (
        W_COMPLEMENT * complement
        + W_NETWORK * network * shape
        + W_TOPIC * topic
        + W_CIRCLE * circle_part
    )
    reasons.append(
        f"both trust you: strength {strength_a} and {strength_b}, two-way; "
        "kith has seen no message between them without you"
    )
    evidence.append({"what": "strength", str(a): strength_a, str(b): strength_b})
    return Suggestion(
        (a, name_a),
        (b, name_b),
        round(100.0 * trust * value, 2),
        reasons,
        evidence,
        {
            "complement": round(complement, 3),
            "network": round(network, 3),
            "inverted_u": round(shape, 3),
            "topic": round(topic, 3),
            "circles": round(circle_part, 3),
            "trust": round(trust, 3),
        },
    )


def _quoted(said: words.Said, terms: list[str]) -> words.Said:
    """The sentence of ``said`` that holds the shared terms (all of it if none does)."""
    return words.quote([said], terms) or said


def _said(
    what: str, person: int, warm: dict[int, tuple[str, int]], s: words.Said
) -> dict[str, Any]:
    return {
        "what": what,
        "person_id": person,
        "name": warm[person][0],
        "date": words.day(s.occurred_at) if s.occurred_at else None,
        "subject": s.subject,
        "quote": s.text,
    }


def _fair(scored: list[Suggestion], for_person: int | None, limit: int) -> list[Suggestion]:
    """Best first, nobody in more than ``MAX_PER_PERSON`` (but ``for_person``)."""
    seen: Counter[int] = Counter()
    chosen: list[Suggestion] = []
    for s in scored:
        if len(chosen) >= limit:
            break
        sides = [p for p in (s.a[0], s.b[0]) if p != for_person]
        if any(seen[p] >= MAX_PER_PERSON for p in sides):
            continue
        seen.update(sides)
        chosen.append(s)
    return chosen
