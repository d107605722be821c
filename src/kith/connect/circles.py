"""Forming private circles: small groups (masterminds, dinners, peer groups,
cohorts) drawn from a pool of my people, and what came of them.

**Constraints** (always hard): each circle's size within the bounds; nobody
in two circles of one round; must-link pairs in one circle together,
cannot-link pairs never. **The social golfer rule** — no pair that already
shared a circle, private or public — is hard while the pool allows it; when
the solver proves it cannot be met (the pool has run out of new pairs), it
becomes a penalty per repeated pair (``W_REPEAT``), and the proposal says so.

**Aims** (the objective, maximised; each term weighted by a named constant):

- a shared need or topic: TF-IDF cosine similarity (Salton & Buckley 1988)
  of what each person wrote themselves (``kith.signals.text.own_words``) and
  their profile fields; each person's ``TOPIC_NEIGHBOURS`` most similar
  people in the pool make the pairs scored (``W_TOPIC`` × similarity, scaled
  so the pool's closest pair is 1); ``--need`` text is scored against each
  person the same way (``W_NEED``, scaled so the best fit is 1), and the
  pairs of the best-fitting people (fit ≥ ``NEED_FIT``, at most
  ``NEED_PEERS``) count as topic pairs with their fits' product, so that a
  need gathers its people in one circle rather than spreading them;
- a mix of people who know each other (a tie) and who do not: teams of
  incumbents and newcomers with some repeat ties did best in Guimerà,
  Uzzi, Spiro & Amaral 2005 (Science 308:697), teams of only repeat ties
  worst; so up to ``MIX_KNOWN_PAIRS`` known pairs per circle earn
  ``W_MIX``, each known pair beyond costs ``W_MIX``;
- nobody alone with strangers: a member who knows someone in the pool but
  nobody in their circle costs ``W_ALONE``;
- fairness across the pool: a member earns ``W_FAIR`` × how long since they
  were last placed (1 for never, rising to 1 over ``FAIRNESS_DAYS``), so
  people not recently placed come first.

Solved with OR-Tools CP-SAT within a time limit, starting from the greedy
grouping; the proposal carries the objective, the best bound proved and the
gap between them. On a big pool the model holds a shortlist
(``SHORTLIST_FACTOR`` × the places, by fairness and fit, the linked and the
greedy grouping's people), said in the notes; CP-SAT's bound then holds for
the shortlist only, and the bound reported is ``pool_bound``'s over the whole
pool (elsewhere the smaller of the two).
``score_grouping`` computes the same objective for any grouping (the
benchmark's random and greedy groupings, and the tests' check of the
solver's own figure).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.errors import InputError
from kith.signals.text import stop_words
from kith.store.circles import PoolFacts, PoolPerson, pair
from kith.units import DAY

log = logging.getLogger(__name__)

#: Weights of the aims (integers after ``SCALE``; see the module docstring).
W_NEED = 3.0
W_TOPIC = 2.0
W_MIX = 1.0
W_ALONE = 2.0
W_FAIR = 1.0
W_REPEAT = 5.0
#: Known pairs per circle that count towards the mix; more cost as much.
MIX_KNOWN_PAIRS = 2
#: Each person's most similar people in the pool whose pairs are scored.
TOPIC_NEIGHBOURS = 5
#: A pair this similar or less shares nothing worth a word.
MIN_SIMILARITY = 0.05
#: People who fit the need this well (the best is 1) are tied by it, pairwise,
#: up to this many of them.
NEED_FIT = 0.5
NEED_PEERS = 40
#: Days after which someone placed before counts as never placed.
FAIRNESS_DAYS = 180
#: The model holds at most this many people per place to fill.
SHORTLIST_FACTOR = 2
#: Objective coefficients are the weights × this, rounded (CP-SAT is integer).
SCALE = 100
#: The solver's time limit when none is given, in seconds.
DEFAULT_TIME_LIMIT = 5.0
#: The new-tie yield's window, and the random groupings drawn beside it.
YIELD_DAYS = 60
RANDOM_DRAWS = 200
#: Terms kept in the TF-IDF vocabulary (the most frequent in the pool).
MAX_TERMS = 6_000

_WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ0-9'-]{2,}")


@dataclass(frozen=True, slots=True)
class Sizes:
    """The bounds of a circle's size."""

    low: int
    high: int

    @classmethod
    def parse(cls, text: str) -> Sizes:
        """``4-6`` (or ``5``) → Sizes(4, 6); a clear error for anything else."""
        low_s, _, high_s = text.strip().partition("-")
        try:
            low = int(low_s)
            high = int(high_s) if high_s else low
        except ValueError:
            raise InputError(
                f"cannot read the size {text!r}", where="--size", hint="give LOW-HIGH, e.g. 4-6"
            ) from None
        if low < 2:
            raise InputError(
                f"a circle of {low} is not a circle", where="--size", hint="the least is 2"
            )
        if high < low:
            raise InputError(
                f"the size {text!r} ends below where it starts", where="--size", hint="e.g. 4-6"
            )
        return cls(low, high)


@dataclass(frozen=True, slots=True)
class FormRequest:
    """What ``kith circle form`` asks for."""

    sizes: Sizes
    count: int | None = None
    need: str = ""
    must_link: tuple[tuple[int, int], ...] = ()
    cannot_link: tuple[tuple[int, int], ...] = ()
    time_limit: float = DEFAULT_TIME_LIMIT
    kind: str = "peer group"
    seed: int = 0


@dataclass(slots=True)
class Inputs:
    """The scored pool: everything the objective reads."""

    people: list[PoolPerson]
    need: dict[int, float]
    fair: dict[int, float]
    #: Pair → similarity, scaled to 0–1 (the pool's closest pair is 1).
    topic: dict[tuple[int, int], float]
    known: set[tuple[int, int]]
    shared: set[tuple[int, int]]
    #: People who know someone in the pool (only they can be "alone").
    knows_someone: set[int]
    #: person id → their TF-IDF terms (term → weight), for the reasons.
    terms: dict[int, dict[str, float]]
    need_terms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed circle."""

    members: tuple[int, ...]
    reasons: tuple[str, ...]
    draft: str = ""


@dataclass(frozen=True, slots=True)
class Formation:
    """A round of proposed circles, with how good the solver proved them."""

    circles: list[Proposal]
    objective: float
    bound: float
    #: (bound − objective) / |bound|; 0 when proved optimal.
    gap: float
    status: str
    #: "hard" or "soft": how the social golfer rule applied.
    golfer: str
    notes: list[str]
    names: dict[int, str]
    seconds: float
    #: The scored pool the circles were formed from (not printed).
    inputs: Inputs | None = None
    #: The bound CP-SAT proved over the people its model held (``bound`` is
    #: the best bound proved for the whole pool: see ``pool_bound``).
    solver_bound: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``kith circle form --json``."""
        return {
            "circles": [
                {
                    "members": [{"id": p, "name": self.names.get(p)} for p in c.members],
                    "reasons": list(c.reasons),
                    "draft": c.draft,
                }
                for c in self.circles
            ],
            "objective": self.objective,
            "bound": self.bound,
            "solver_bound": self.solver_bound,
            "gap": self.gap,
            "status": self.status,
            "golfer_rule": self.golfer,
            "notes": self.notes,
            "weights": weights(),
        }


def weights() -> dict[str, float]:
    """The aims' weights, as stated with every proposal."""
    return {
        "need": W_NEED,
        "topic": W_TOPIC,
        "mix": W_MIX,
        "alone": W_ALONE,
        "fairness": W_FAIR,
        "repeat": W_REPEAT,
    }


# -- text: TF-IDF ---------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """The words of ``text`` that can carry a topic (lower case, no stopwords)."""
    stop = stop_words()
    return [w.strip("'-") for w in _WORD.findall(text.lower()) if w not in stop]


def tfidf(
    texts: Mapping[int, str], need: str = ""
) -> tuple[dict[int, dict[str, float]], dict[str, float]]:
    """Each text's TF-IDF vector (sublinear tf, smoothed idf, L2-normalised),
    and the ``need`` text's in the same vocabulary. Terms in one text only, or
    in more than half of them, are left out: they tie nobody to anybody."""
    counts = {pid: Counter(tokens(t)) for pid, t in texts.items()}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = max(1, len(counts))
    vocab = {t for t, k in df.items() if 2 <= k <= max(2, n // 2)}
    if len(vocab) > MAX_TERMS:
        vocab = {
            t
            for t, _ in sorted(((t, df[t]) for t in vocab), key=lambda x: (-x[1], x[0]))[:MAX_TERMS]
        }
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1 for t in vocab}

    def vector(c: Counter[str]) -> dict[str, float]:
        v = {t: (1 + math.log(k)) * idf[t] for t, k in c.items() if t in idf}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {t: x / norm for t, x in v.items()} if norm else {}

    need_counts = Counter(tokens(need))
    need_vec: dict[str, float] = {}
    if need_counts:
        # the need's own words count even where only one person used them
        idf.update({t: math.log((1 + n) / (1 + df[t])) + 1 for t in need_counts if df[t]})
        need_vec = vector(need_counts)
    return {pid: vector(c) for pid, c in counts.items()}, need_vec


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def score_inputs(facts: PoolFacts, need: str, now: int) -> Inputs:
    """The pool's scores: need fit, fairness, topic pairs (see the module docstring)."""
    import numpy as np

    people = facts.people
    terms, need_vec = tfidf({p.id: p.text for p in people}, need)
    for p in people:
        if need:
            # the need's rarer words are in nobody's vocabulary but theirs
            extra = Counter(t for t in tokens(p.text) if t in need_vec and t not in terms[p.id])
            for t in extra:
                terms[p.id][t] = 0.0
    need_raw = {p.id: _cosine(need_vec, terms[p.id]) for p in people} if need_vec else {}
    top_need = max(need_raw.values(), default=0.0)
    need_fit = {pid: v / top_need for pid, v in need_raw.items()} if top_need > 0 else {}
    fair = {p.id: fairness(p.last_placed, now) for p in people}
    topic: dict[tuple[int, int], float] = {}
    vocab = sorted({t for v in terms.values() for t in v})
    if vocab and len(people) > 1:
        index = {t: k for k, t in enumerate(vocab)}
        matrix = np.zeros((len(people), len(vocab)), dtype=np.float32)
        for row, p in enumerate(people):
            for t, x in terms[p.id].items():
                matrix[row, index[t]] = x
        sims = matrix @ matrix.T
        np.fill_diagonal(sims, 0.0)
        k = min(TOPIC_NEIGHBOURS, len(people) - 1)
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for row, cols in enumerate(nearest):
            for col in cols:
                s = float(sims[row, col])
                if s > MIN_SIMILARITY:
                    topic[pair(people[row].id, people[int(col)].id)] = s
        top = max(topic.values(), default=0.0)
        if top > 0:
            topic = {k2: v / top for k2, v in topic.items()}
    # a shared need ties people as a shared topic does: the pairs of the
    # best-fitting people (at most NEED_PEERS of them) score their fits' product
    fitting = sorted(
        (pid for pid, v in need_fit.items() if v >= NEED_FIT), key=lambda p: (-need_fit[p], p)
    )[:NEED_PEERS]
    for k, a in enumerate(fitting):
        for b in fitting[k + 1 :]:
            ab = pair(a, b)
            topic[ab] = max(topic.get(ab, 0.0), need_fit[a] * need_fit[b])
    knows = {a for ab in facts.known for a in ab}
    return Inputs(
        people, need_fit, fair, topic, set(facts.known), set(facts.shared), knows, terms, need_vec
    )


def fairness(last_placed: int | None, now: int) -> float:
    """1 for someone never placed in a private circle, else the days since
    their last one over ``FAIRNESS_DAYS``, at most 1."""
    if last_placed is None:
        return 1.0
    return max(0.0, min(1.0, (now - last_placed) / DAY / FAIRNESS_DAYS))


# -- the objective, in Python -------------------------------------------------


def score_grouping(
    inputs: Inputs, groups: Sequence[Sequence[int]], *, golfer: str = "soft"
) -> float:
    """The objective of ``groups`` (the one the solver maximises, in the same
    integer units): with ``golfer`` "soft", repeated pairs cost ``W_REPEAT``."""
    total = 0
    for group in groups:
        members = sorted(group)
        known_pairs = 0
        for p in members:
            total += _coef(W_NEED, inputs.need.get(p, 0.0)) + _coef(W_FAIR, inputs.fair[p])
        for k, a in enumerate(members):
            for b in members[k + 1 :]:
                ab = (a, b)
                total += _coef(W_TOPIC, inputs.topic.get(ab, 0.0))
                if ab in inputs.known:
                    known_pairs += 1
                if golfer == "soft" and ab in inputs.shared:
                    total -= _coef(W_REPEAT, 1.0)
        total += _coef(W_MIX, 1.0) * (
            min(known_pairs, MIX_KNOWN_PAIRS) - max(0, known_pairs - MIX_KNOWN_PAIRS)
        )
        for p in members:
            if p in inputs.knows_someone and not any(
                pair(p, q) in inputs.known for q in members if q != p
            ):
                total -= _coef(W_ALONE, 1.0)
    return float(total)


#: Above this many people the model keeps each person to ``NEAR_CIRCLES``
#: circles of the greedy start: the one they are in and those whose members
#: share most topic and acquaintance with them (then the circles are no longer
#: interchangeable, and the symmetry rule is off).
SMALL_MODEL = 120
NEAR_CIRCLES = 4


def _near_circles(
    inputs: Inputs, people: Sequence[int], start: Sequence[Sequence[int]]
) -> dict[int, set[int]]:
    """person → the circles of ``start`` they may join in a big model."""
    circle_of = {p: c for c, g in enumerate(start) for p in g}
    weight: dict[tuple[int, int], float] = defaultdict(float)
    for (a, b), s in inputs.topic.items():
        weight[a, b] = weight[b, a] = s
    for a, b in inputs.known:
        weight[a, b] += 1.0
        weight[b, a] += 1.0
    out: dict[int, set[int]] = {}
    for p in people:
        affinity = [
            (sum(weight.get((p, q), 0.0) for q in g if q != p), -c) for c, g in enumerate(start)
        ]
        best = {-c for _, c in sorted(affinity, reverse=True)[:NEAR_CIRCLES]}
        if p in circle_of:
            best.add(circle_of[p])
        out[p] = best
    return out


def pool_bound(inputs: Inputs, count: int, sizes: Sizes) -> float:
    """An upper bound of the objective over the whole pool, in its units.

    Each pair's topic gain is split between its two members, so a grouping's
    value is at most the sum over its members of their own gain (need,
    fairness) plus half their best ``high - 1`` pair gains; at most
    ``count × high`` people are placed, so the best that many such values,
    plus the most the mix can earn (``MIX_KNOWN_PAIRS`` per circle), bound
    it. Penalties are left out (they only lower the value)."""
    pair_gains: dict[int, list[int]] = defaultdict(list)
    for (a, b), s in inputs.topic.items():
        gain = _coef(W_TOPIC, s)
        pair_gains[a].append(gain)
        pair_gains[b].append(gain)
    values = sorted(
        (
            _coef(W_NEED, inputs.need.get(p.id, 0.0))
            + _coef(W_FAIR, inputs.fair[p.id])
            + sum(sorted(pair_gains[p.id], reverse=True)[: sizes.high - 1]) / 2
            for p in inputs.people
        ),
        reverse=True,
    )
    placed = sum(v for v in values[: count * sizes.high] if v > 0)
    return float(placed + count * MIX_KNOWN_PAIRS * _coef(W_MIX, 1.0))


def _coef(weight: float, value: float) -> int:
    return round(weight * value * SCALE)


# -- checks --------------------------------------------------------------------


def check_request(pool: Sequence[int], request: FormRequest, names: Mapping[int, str]) -> int:
    """The number of circles to form, or a clear error saying what cannot be
    done and why: a pool smaller than one circle, sizes that cannot be met,
    contradictory or impossible links."""
    sizes, n = request.sizes, len(pool)
    if n < sizes.low:
        raise InputError(
            f"the pool has {n} {'person' if n == 1 else 'people'}, fewer than one circle of "
            f"{sizes.low}",
            where="--pool",
            hint="widen the pool (--pool everyone) or lower --size",
        )
    count = request.count
    if count is None:
        count = max(1, math.ceil(n / sizes.high))
        while count > 1 and count * sizes.low > n:
            count -= 1
    if count < 1:
        raise InputError(f"cannot form {count} circles", where="--count", hint="give 1 or more")
    if count * sizes.low > n:
        raise InputError(
            f"{count} circles of at least {sizes.low} need {count * sizes.low} people; "
            f"the pool has {n}",
            where="--count",
            hint=f"ask for at most {n // sizes.low} circles, or lower --size",
        )
    inside = set(pool)
    for flag, links in (("--must-link", request.must_link), ("--cannot-link", request.cannot_link)):
        for a, b in links:
            for p in (a, b):
                if p not in inside:
                    raise InputError(
                        f"{names.get(p, f'#{p}')} is not in the pool",
                        where=flag,
                        hint="widen --pool or drop the link",
                    )
            if a == b:
                raise InputError(f"{names.get(a)} is linked to themselves", where=flag)
    groups = _must_groups(request.must_link)
    for group in groups:
        if len(group) > sizes.high:
            raise InputError(
                f"must-link puts {len(group)} people in one circle "
                f"({', '.join(names.get(p, f'#{p}') for p in sorted(group))}), more than "
                f"{sizes.high}",
                where="--must-link",
            )
        for a, b in request.cannot_link:
            if a in group and b in group:
                raise InputError(
                    f"{names.get(a)} and {names.get(b)} must be together and cannot be: "
                    "the links contradict each other",
                    where="--cannot-link",
                )
    return count


def _must_groups(links: Sequence[tuple[int, int]]) -> list[set[int]]:
    """The must-link pairs joined into groups (a with b, b with c: one group)."""
    groups: list[set[int]] = []
    for a, b in links:
        touching = [g for g in groups if a in g or b in g]
        merged = {a, b}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return groups


# -- the solver ------------------------------------------------------------------


def form(facts: PoolFacts, request: FormRequest, now: int) -> Formation:
    """Propose circles from the pool ``facts`` (see the module docstring)."""
    started = time.monotonic()
    names = {p.id: p.name for p in facts.people}
    pool = [p.id for p in facts.people]
    count = check_request(pool, request, names)
    inputs = score_inputs(facts, request.need, now)
    greedy = greedy_grouping(inputs, count, request.sizes)
    chosen, notes = shortlist(inputs, request, count, [p for g in greedy for p in g])
    deadline = started + request.time_limit
    status, groups, objective, bound = _solve(
        inputs, chosen, request, count, "hard", deadline, greedy
    )
    golfer = "hard"
    if not groups:
        if status == "INFEASIBLE":
            among = "the people the model held have" if len(chosen) < len(pool) else "the pool has"
            notes.append(
                f"no grouping avoids every pair that already shared a circle: {among} run "
                f"out of new pairs, so each repeated pair costs {W_REPEAT:g} instead"
            )
        else:
            notes.append(
                "no grouping without repeated pairs was found in the time limit: each "
                f"repeated pair costs {W_REPEAT:g} instead"
            )
        golfer = "soft"
        left = max(1.0, deadline - time.monotonic())
        status, groups, objective, bound = _solve(
            inputs, chosen, request, count, "soft", time.monotonic() + left, greedy
        )
    if not groups:
        raise InputError(
            f"no {count} circles of {request.sizes.low}-{request.sizes.high} meet the "
            f"constraints ({status.lower()})",
            where="--must-link/--cannot-link" if request.must_link or request.cannot_link else None,
            hint="loosen the links, lower --count, or raise --time-limit",
        )
    proposals = [
        Proposal(tuple(sorted(g)), tuple(reasons(inputs, g, names, request.need, golfer)))
        for g in groups
    ]
    # the solver's bound holds for the people it held; over the whole pool,
    # and often tighter, the per-person bound
    solver_bound = bound
    pooled = pool_bound(inputs, count, request.sizes)
    bound = pooled if len(chosen) < len(pool) else min(bound, pooled)
    bound = max(bound, objective)
    gap = 0.0 if bound == objective else abs(bound - objective) / max(1.0, abs(bound))
    return Formation(
        proposals,
        objective,
        bound,
        round(gap, 4),
        status,
        golfer,
        notes,
        names,
        round(time.monotonic() - started, 3),
        inputs,
        solver_bound,
    )


def shortlist(
    inputs: Inputs, request: FormRequest, count: int, placed: Sequence[int] = ()
) -> tuple[list[int], list[str]]:
    """The people the model holds: everyone, or on a big pool the
    ``SHORTLIST_FACTOR`` × places best by fairness and fit, plus the linked
    and those ``placed`` by the greedy grouping the search starts from."""
    places = count * request.sizes.high
    limit = max(places * SHORTLIST_FACTOR, count * request.sizes.low)
    ids = [p.id for p in inputs.people]
    if len(ids) <= limit:
        return ids, []
    topic_of: dict[int, float] = defaultdict(float)
    for (a, b), s in inputs.topic.items():
        topic_of[a] = max(topic_of[a], s)
        topic_of[b] = max(topic_of[b], s)

    def worth(p: int) -> float:
        return (
            W_NEED * inputs.need.get(p, 0.0)
            + W_FAIR * inputs.fair[p]
            + W_TOPIC * topic_of[p]
            + (W_MIX if p in inputs.knows_someone else 0.0)
        )

    linked = {p for ab in (*request.must_link, *request.cannot_link) for p in ab}
    ranked = sorted(ids, key=lambda p: (-worth(p), p))
    kept = set(ranked[:limit]) | linked | set(placed)
    note = (
        f"the model held {len(kept)} of the pool's {len(ids)} people: the best "
        f"{limit} by fairness and fit ({SHORTLIST_FACTOR} for each place), the linked, and "
        "the greedy grouping's"
    )
    return sorted(kept), [note]


def _solve(
    inputs: Inputs,
    people: list[int],
    request: FormRequest,
    count: int,
    golfer: str,
    deadline: float,
    greedy: Sequence[Sequence[int]],
) -> tuple[str, list[list[int]], float, float]:
    """One CP-SAT solve, starting from ``greedy``: (status, groups, objective, best bound)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    circles = range(count)
    inside = set(people)
    position = {p: k for k, p in enumerate(people)}
    start = sorted((g for g in greedy if g), key=lambda g: min(position[p] for p in g))
    hinted = {p: c for c, g in enumerate(start) for p in g}
    allowed = _near_circles(inputs, people, start) if len(people) > SMALL_MODEL else None
    x = {(p, c): model.new_bool_var(f"x{p}_{c}") for p in people for c in circles}
    objective: list[Any] = []
    for k, p in enumerate(people):
        model.add_at_most_one(x[p, c] for c in circles)
        for c in circles:
            if allowed is not None:
                # a big model: each person only in the circles near them
                if c not in allowed[p]:
                    model.add(x[p, c] == 0)
            elif c > k:
                # circles are interchangeable: the k-th person goes to one of the first k+1
                model.add(x[p, c] == 0)
        gain = _coef(W_NEED, inputs.need.get(p, 0.0)) + _coef(W_FAIR, inputs.fair[p])
        if gain:
            objective.extend(gain * x[p, c] for c in circles)
    for c in circles:
        size = sum(x[p, c] for p in people)
        model.add(size >= request.sizes.low)
        model.add(size <= request.sizes.high)
    for a, b in request.must_link:
        model.add(sum(x[a, c] for c in circles) == 1)
        for c in circles:
            model.add(x[a, c] == x[b, c])
    for a, b in request.cannot_link:
        for c in circles:
            model.add_bool_or([x[a, c].negated(), x[b, c].negated()])
    shared = [ab for ab in inputs.shared if ab[0] in inside and ab[1] in inside]
    if golfer == "hard":
        for a, b in shared:
            for c in circles:
                model.add_bool_or([x[a, c].negated(), x[b, c].negated()])
    # pair variables: z = x_a AND x_b, only for the pairs the objective scores
    known = [ab for ab in inputs.known if ab[0] in inside and ab[1] in inside]
    both: dict[tuple[int, int, int], Any] = {}

    def can(a: int, b: int, c: int) -> bool:
        return allowed is None or (c in allowed[a] and c in allowed[b])

    def together(a: int, b: int, c: int, *, exact: bool) -> Any:
        z = both.get((a, b, c))
        if z is None:
            z = both[a, b, c] = model.new_bool_var(f"z{a}_{b}_{c}")
            model.add_implication(z, x[a, c])
            model.add_implication(z, x[b, c])
        if exact:
            model.add_bool_or([x[a, c].negated(), x[b, c].negated(), z])
        return z

    for (a, b), s in inputs.topic.items():
        gain = _coef(W_TOPIC, s)
        if gain and a in inside and b in inside:
            objective.extend(gain * together(a, b, c, exact=False) for c in circles if can(a, b, c))
    if golfer == "soft":
        cost = _coef(W_REPEAT, 1.0)
        for a, b in shared:
            objective.extend(-cost * together(a, b, c, exact=True) for c in circles if can(a, b, c))
    known_of: dict[int, list[int]] = defaultdict(list)
    for a, b in known:
        known_of[a].append(b)
        known_of[b].append(a)
    mix = _coef(W_MIX, 1.0)
    mixes: dict[int, tuple[Any, Any]] = {}
    alones: dict[tuple[int, int], Any] = {}
    for c in circles:
        pairs_c = [together(a, b, c, exact=True) for a, b in known if can(a, b, c)]
        if not pairs_c:
            continue
        counted = model.new_int_var(0, MIX_KNOWN_PAIRS, f"mix{c}")
        excess = model.new_int_var(0, len(pairs_c), f"excess{c}")
        mixes[c] = (counted, excess)
        model.add(counted <= sum(pairs_c))
        model.add(excess >= sum(pairs_c) - MIX_KNOWN_PAIRS)
        objective.append(mix * counted)
        objective.append(-mix * excess)
    alone_cost = _coef(W_ALONE, 1.0)
    for p in people:
        if p not in inputs.knows_someone:
            continue
        for c in circles:
            if allowed is not None and c not in allowed[p]:
                continue
            alone = alones[p, c] = model.new_bool_var(f"alone{p}_{c}")
            friends = [both[key] for q in known_of.get(p, []) if (key := (*pair(p, q), c)) in both]
            model.add(sum(friends) + alone >= x[p, c])
            objective.append(-alone_cost * alone)
    # tighter relaxation: a member is together with at most high - 1 others
    by_person: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for (a, b, c), z in both.items():
        by_person[a, c].append(z)
        by_person[b, c].append(z)
    for (p, c), zs in by_person.items():
        if len(zs) >= request.sizes.high:
            model.add(sum(zs) <= (request.sizes.high - 1) * x[p, c])
    # start from the greedy grouping, its circles ordered as the symmetry rule wants
    # a whole hint (every variable), so that the search starts from a solution
    for (p, c), var in x.items():
        model.add_hint(var, hinted.get(p) == c)
    for (a, b, c), var in both.items():
        model.add_hint(var, hinted.get(a) == c and hinted.get(b) == c)
    for c, (counted, excess) in mixes.items():
        k = sum(1 for a, b in known if hinted.get(a) == c and hinted.get(b) == c)
        model.add_hint(counted, min(k, MIX_KNOWN_PAIRS))
        model.add_hint(excess, max(0, k - MIX_KNOWN_PAIRS))
    for (p, c), var in alones.items():
        friend = any(hinted.get(q) == c for q in known_of.get(p, []))
        model.add_hint(var, hinted.get(p) == c and not friend)
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, deadline - time.monotonic())
    solver.parameters.num_workers = 2
    # presolve took most of a 10 s budget on a 1,000-person pool, for little: the
    # search starts from the whole greedy hint instead
    solver.parameters.cp_model_presolve = False
    solver.parameters.random_seed = request.seed
    code = solver.solve(model)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, [], 0.0, 0.0
    groups = [[p for p in people if solver.value(x[p, c])] for c in circles]
    # the model's figure can fall short of the grouping's own where a pair
    # variable was left at 0: report the grouping's (equal at the optimum)
    value = max(float(solver.objective_value), score_grouping(inputs, groups, golfer=golfer))
    log.debug("circles: %s, %s s, %d variables", status, solver.wall_time, len(x) + len(both))
    return status, groups, value, max(value, float(solver.best_objective_bound))


# -- groupings to compare with ----------------------------------------------------


def random_grouping(
    ids: Sequence[int], count: int, sizes: Sizes, rng: random.Random
) -> list[list[int]]:
    """``count`` groups of random sizes within ``sizes`` drawn at random from ``ids``."""
    order = list(ids)
    rng.shuffle(order)
    out, at = [], 0
    for _ in range(count):
        n = rng.randint(sizes.low, sizes.high)
        out.append(order[at : at + n])
        at += n
    return out


def greedy_grouping(
    inputs: Inputs, count: int, sizes: Sizes, *, people: Sequence[int] | None = None
) -> list[list[int]]:
    """Each circle seeded with the fairest, best-fitting person left, then
    filled one by one with whoever adds most to the objective (``score_grouping``
    of that circle, repeated pairs never taken), up to the upper size."""
    left = {p.id for p in inputs.people} if people is None else set(people)
    groups: list[list[int]] = []

    def alone_score(group: list[int]) -> float:
        return score_grouping(inputs, [group], golfer="soft")

    for _ in range(count):
        seed = max(left, key=lambda p: (alone_score([p]), -p))
        group = [seed]
        left.discard(seed)
        while len(group) < sizes.high and left:
            base = alone_score(group)
            # only people tied to the group by topic or acquaintance, else anyone
            near = {
                q for p in group for ab in (*inputs.topic, *inputs.known) if p in ab for q in ab
            } & left
            pick = max(
                near or left,
                key=lambda q: (
                    -math.inf
                    if any(pair(q, p) in inputs.shared for p in group)
                    else alone_score([*group, q]) - base,
                    -q,
                ),
            )
            if len(group) >= sizes.low and alone_score([*group, pick]) <= base:
                break
            group.append(pick)
            left.discard(pick)
        groups.append(group)
    return groups


# -- reasons -----------------------------------------------------------------------


def reasons(
    inputs: Inputs, group: Sequence[int], names: Mapping[int, str], need: str, golfer: str
) -> list[str]:
    """Why these people, in words: the topic they share, the need they fit,
    who knows whom, who is new to circles, and any repeated pair."""
    members = sorted(group)
    out: list[str] = []
    shared_terms = _shared_terms(inputs, members)
    if shared_terms:
        out.append("they write about " + ", ".join(shared_terms))
    if need:
        fits = [p for p in members if inputs.need.get(p, 0.0) >= NEED_FIT]
        if fits:
            words = sorted(
                {t for p in fits for t in inputs.terms.get(p, {}) if t in inputs.need_terms}
            )[:4]
            said = f" ({', '.join(words)})" if words else ""
            out.append(f"fit the need {need!r}{said}: " + _names(fits, names))
    pairs = [(a, b) for k, a in enumerate(members) for b in members[k + 1 :]]
    known = [ab for ab in pairs if ab in inputs.known]
    out.append(
        f"{len(known)} of {len(pairs)} pairs know each other already; "
        f"{len(pairs) - len(known)} would be new"
    )
    alone = [
        p
        for p in members
        if p in inputs.knows_someone and not any(pair(p, q) in inputs.known for q in members)
    ]
    strangers = [p for p in members if p not in inputs.knows_someone]
    if alone:
        out.append("knows nobody else here yet: " + _names(alone, names))
    elif len(strangers) < len(members):
        out.append("everyone who knows someone in the pool knows someone here")
    never = [p for p in members if inputs.fair[p] >= 1.0]
    if never:
        out.append(f"{len(never)} of {len(members)} not placed in a circle recently")
    repeated = [ab for ab in pairs if ab in inputs.shared]
    if repeated:
        out.append(
            "shared a circle before: "
            + "; ".join(f"{names.get(a)} & {names.get(b)}" for a, b in repeated)
        )
    elif golfer == "hard":
        out.append("no pair has shared a circle before")
    return out


def _shared_terms(inputs: Inputs, members: Sequence[int], top: int = 4) -> list[str]:
    weight: dict[str, float] = defaultdict(float)
    used: Counter[str] = Counter()
    for p in members:
        for t, w in inputs.terms.get(p, {}).items():
            if w > 0:
                weight[t] += w
                used[t] += 1
    common = [t for t in weight if used[t] >= 2]
    return sorted(common, key=lambda t: (-used[t], -weight[t], t))[:top]


def _names(ids: Sequence[int], names: Mapping[int, str]) -> str:
    return ", ".join(names.get(p, f"#{p}") for p in ids)


# -- yield -------------------------------------------------------------------------


def new_tie_yield(
    members: Sequence[int], start: int, contacts: Mapping[tuple[int, int], Sequence[int]]
) -> tuple[int, int, int]:
    """A group's new-tie yield as counts: (pairs, pairs with no direct contact
    before ``start``, of those how many interacted directly within
    ``YIELD_DAYS`` after it). ``contacts``: pair → the times they interacted."""
    end = start + YIELD_DAYS * DAY
    ordered = sorted(set(members))
    pairs = new = met = 0
    for k, a in enumerate(ordered):
        for b in ordered[k + 1 :]:
            pairs += 1
            times = contacts.get((a, b), ())
            if any(t < start for t in times):
                continue
            new += 1
            if any(start <= t < end for t in times):
                met += 1
    return pairs, new, met


def random_yield(
    pool: Sequence[int],
    size: int,
    start: int,
    contacts: Mapping[tuple[int, int], Sequence[int]],
    rng: random.Random,
    draws: int = RANDOM_DRAWS,
) -> float | None:
    """The new-tie yield of ``draws`` random groups of ``size`` from ``pool``
    started at the same time: met / new pairs over all draws (None when no
    draw has a new pair)."""
    if len(pool) < size:
        return None
    new = met = 0
    for _ in range(draws):
        _, n, m = new_tie_yield(rng.sample(list(pool), size), start, contacts)
        new += n
        met += m
    return met / new if new else None


def yield_rows(
    circles: Sequence[tuple[int, int, list[int], list[int]]],
    contacts: Mapping[tuple[int, int], Sequence[int]],
    now: int,
) -> list[dict[str, Any]]:
    """The ``circle_yield`` rows of ``circles`` ((id, start, members, pool)),
    each beside ``RANDOM_DRAWS`` random groupings of its pool (seeded by the
    circle's id)."""
    out = []
    for cid, start, members, pool in circles:
        pairs, new, met = new_tie_yield(members, start, contacts)
        baseline = random_yield(pool, len(members), start, contacts, random.Random(cid))
        out.append(
            {
                "circle_id": cid,
                "computed_at": now,
                "pairs": pairs,
                "new_pairs": new,
                "met": met,
                "yield_share": met / new if new else None,
                "random_share": baseline,
                "random_draws": RANDOM_DRAWS,
                "window_ends_at": start + YIELD_DAYS * DAY,
            }
        )
    return out


def refresh_yields(engine: Any, now: int) -> int:
    """Recompute and store every private circle's new-tie yield (after an
    import); how many circles."""
    from kith.analytics.definition import MAX_TIE_PEOPLE
    from kith.store import circles as store
    from kith.store.sql import using

    with using(engine) as db:
        circles = store.yield_inputs(db)
        if not circles:
            return 0
        people = {p for _, _, members, pool in circles for p in (*members, *pool)}
        until = min(now + 1, max(start for _, start, _, _ in circles) + YIELD_DAYS * DAY)
        contacts = store.pair_contacts(db, people, until, MAX_TIE_PEOPLE)
    store.write_yields(engine, yield_rows(circles, contacts, now))
    return len(circles)


# -- from the ledger to proposals with drafts --------------------------------------


def propose(
    db: Any, pool: str | None, request: FormRequest, now: int, templates: Any = None
) -> tuple[Formation, str, list[int]]:
    """Read the pool ``pool`` (``kith.store.circles.pool_ids``) from ``db``,
    form circles and give each its invitation draft (the ``circle_invite.txt``
    template, which a file of that name in ``templates`` replaces); also the
    pool's description and ids, kept with the round when the circles are created."""
    from kith.store import circles as store

    spec, ids = store.pool_ids(db, pool, now)
    facts = store.pool_facts(db, spec, ids)
    formation = form(facts, request, now)
    from kith.store.attention import my_name

    me = my_name(db)
    assert formation.inputs is not None
    drafted = [
        Proposal(
            c.members,
            c.reasons,
            draft(c, formation.names, request, me, templates, formation.inputs),
        )
        for c in formation.circles
    ]
    return dataclasses.replace(formation, circles=drafted), spec, ids


#: The invitation's template (``kith/attention/templates``, replaceable like the day's drafts).
INVITE_TEMPLATE = "circle_invite.txt"


def draft(
    proposal: Proposal,
    names: Mapping[int, str],
    request: FormRequest,
    my_name: str | None,
    templates: Any,
    inputs: Inputs,
) -> str:
    """The circle's invitation draft. Fields: members, first_names, kind, need,
    topics, known_pairs, new_pairs (counts of pairs), reasons, my_name, my_first_name."""
    from kith.drafting import Templates
    from kith.signals.names import first_name

    members = [names.get(p, f"#{p}") for p in proposal.members]
    ordered = sorted(proposal.members)
    pairs = [(a, b) for k, a in enumerate(ordered) for b in ordered[k + 1 :]]
    known = sum(1 for ab in pairs if ab in inputs.known)
    context = {
        "members": members,
        # Whole names where no first name is sure (kith.signals.names).
        "first_names": [first_name(n) or n for n in members],
        "kind": request.kind,
        "need": request.need or None,
        "topics": _shared_terms(inputs, ordered, top=3),
        "known_pairs": known,
        "new_pairs": len(pairs) - known,
        "reasons": list(proposal.reasons),
        "my_name": my_name,
        "my_first_name": first_name(my_name) if my_name else None,
    }
    return Templates(templates).render(INVITE_TEMPLATE, context)
