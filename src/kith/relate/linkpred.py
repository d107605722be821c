"""Who will write to whom next: kith's tie features, and a small model on them.

``TieHistory`` keeps, online, what kith knows of every tie from the
interactions seen so far: recency, frequency with exponential decay, who owes
a reply, each side's activity and age, and the tie graph around the pair.
``TieHistory.features(u, v, t)`` turns it into the numbers listed in
``FEATURES`` for "u writes to v at time t", from the past only.
``LogisticModel`` weighs them: a logistic regression on standardised features,
so each weight reads as "how much one standard deviation of this feature moves
the log-odds, the others held fixed".

Two clocks are used. Wall-clock ages and decays are in days (times are in
seconds, as in kith's ledger and every data set at hand). Activity is also
measured against the network's own traffic — a person's *share* of recent
messages, ages counted in *messages exchanged since* — because a network's
pace changes (UCI sends 70% of its messages in its first 44 of 194 days) and
a model fitted on a busy period must still read a quiet one. On UCI (random
negatives) shares in place of absolute decayed activity lifted test AP from
86.8 to 94.0 (validation 89.6 to 91.2), ages in messages then to 95.3 (91.9);
see docs/design.md.

Memory without decay is left out on purpose: a tie's all-time count, tenure,
all-time reciprocity, reply count and v's all-time share of u's messages made
a pair seen once, long ago, look like a strong tie. Fitted on random negatives
(pairs almost never seen), the model cannot learn otherwise, and it then ranks
old, dormant pairs — DyGLib's historical and inductive negatives — above the
new ties that are really made. Without them, UCI's validation AP (random
training negatives) went from 91.85 / 65.25 / 50.76 to 91.80 / 71.01 / 56.94
(random / historical / inductive negatives); recency and decayed counts keep
what the undecayed ones said about recent ties.

Sources are the entries of ``shared/SCIENCE.md`` named in each ``Feature``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kith.units import DAY

#: Half-lives of the decayed counts: a day, a week, a month (contact rhythms of
#: the inner Dunbar layers: at least weekly, at least monthly — second-hand).
HALF_LIVES_DAYS = (1.0, 7.0, 30.0)
#: The age given to a contact that never happened: longer than any history at hand.
NEVER_DAYS = 3_650.0
#: Shares below this are read as this (log of a share needs a floor).
SHARE_FLOOR = 1e-4


@dataclass(frozen=True)
class Feature:
    """One input of the model: its name, what it measures, and where it comes from."""

    name: str
    meaning: str
    source: str


_HL = ("day", "week", "month")
_FREQUENCY = (
    "frequency with exponential decay: Orbit Model v2 'love' (SCIENCE.md Community); "
    "tie weight as volume, Onnela et al. 2007"
)
_ACTIVITY = "activity and presence: Orbit Model v3; CHAOSS contributor absence"
_POPULARITY = (
    "popularity (preferential attachment; Orbit Model 'reach'); unverified as a tie-strength "
    "input, kept because it is the baseline every link predictor must beat"
)

FEATURES: tuple[Feature, ...] = (
    *(
        Feature(
            f"pair_{h}", f"log(1 + u→v messages, each decayed with a one-{h} half-life)", _FREQUENCY
        )
        for h in _HL
    ),
    *(
        Feature(
            f"reverse_{h}",
            f"log(1 + v→u messages, each decayed with a one-{h} half-life)",
            "reciprocal exchange: Granovetter 1973 (second-hand); Gilbert & Karahalios 2009",
        )
        for h in _HL
    ),
    Feature(
        "days_since_contact",
        f"log(1 + days since the last u–v message either way; {NEVER_DAYS:.0f} days if never)",
        "days since last contact, the largest effect in Gilbert & Karahalios 2009 (second-hand)",
    ),
    Feature(
        "messages_since_contact",
        "log(1 + messages in the whole network since the last u–v message; all so far if never)",
        "days since last contact (Gilbert & Karahalios 2009), on the network's own clock",
    ),
    Feature(
        "new_pair",
        "1 if u and v never exchanged a message",
        "'never replied' kept as its own state (SCIENCE.md tie-strength proposal)",
    ),
    Feature(
        "u_owes_reply",
        "1 if the last message between them went v→u (u has not answered it yet)",
        "waiting-on-me (ARCHITECTURE.md, Relationship); Kooti et al. 2015",
    ),
    Feature("u_days_idle", "log(1 + days since u last sent or received)", _ACTIVITY),
    Feature(
        "u_messages_idle",
        "log(1 + messages in the network since u last sent or received)",
        _ACTIVITY,
    ),
    Feature(
        "u_out_degree", "log(1 + distinct people u wrote to)", "network size, Hill & Dunbar 2003"
    ),
    *(
        Feature(
            f"u_sends_{h}",
            f"log(u's share of all messages sent, each decayed with a one-{h} half-life)",
            _ACTIVITY,
        )
        for h in _HL
    ),
    Feature(
        "u_age",
        "log(1 + messages in the network since u first appeared)",
        "tenure in the community (Orbit Model levels; CHAOSS engagement stages)",
    ),
    Feature("v_in_degree", "log(1 + distinct people who wrote to v)", _POPULARITY),
    Feature("v_days_idle", "log(1 + days since v last sent or received)", _ACTIVITY),
    Feature(
        "v_messages_idle",
        "log(1 + messages in the network since v last sent or received)",
        _ACTIVITY,
    ),
    *(
        Feature(
            f"v_receives_{h}",
            f"log(v's share of all messages received, each decayed with a one-{h} half-life)",
            _POPULARITY,
        )
        for h in _HL
    ),
    *(
        Feature(
            f"v_sends_{h}",
            f"log(v's share of all messages sent, each decayed with a one-{h} half-life)",
            _ACTIVITY,
        )
        for h in _HL
    ),
    Feature(
        "v_age",
        "log(1 + messages in the network since v first appeared): newcomers are written to",
        "tenure in the community (Orbit Model levels; CHAOSS engagement stages)",
    ),
    Feature(
        "common_neighbours",
        "log(1 + people both u and v exchanged messages with)",
        "common neighbours, best overall of 9 local indices (Zhou, Lü & Zhang 2009)",
    ),
    Feature(
        "adamic_adar",
        "Σ over common neighbours w of 1 / log(degree of w)",
        "Adamic–Adar (Zhou, Lü & Zhang 2009)",
    ),
    Feature(
        "resource_allocation",
        "Σ over common neighbours w of 1 / degree of w",
        "resource allocation, beat common neighbours (Zhou, Lü & Zhang 2009)",
    ),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

_N = len(HALF_LIVES_DAYS)
_RATES = tuple(math.log(2.0) / (h * DAY) for h in HALF_LIVES_DAYS)
_LOG_NEVER_DAYS = math.log1p(NEVER_DAYS)
_LOG_FLOOR = math.log(SHARE_FLOOR)


class _Decayed:
    """Sums of events decayed with each half-life, kept at the time of the last event."""

    __slots__ = ("at", "sums")

    def __init__(self, t: float) -> None:
        self.sums = [0.0] * _N
        self.at = t

    def value(self, t: float) -> list[float]:
        age = max(t - self.at, 0.0)
        return [s * math.exp(-r * age) for s, r in zip(self.sums, _RATES, strict=True)]

    def add(self, t: float) -> None:
        self.sums = [s + 1.0 for s in self.value(t)]
        self.at = max(t, self.at)


class _Pair:
    """u → v so far: decayed counts, last time (and message number)."""

    __slots__ = ("decayed", "last", "last_message")

    def __init__(self, t: float) -> None:
        self.last = t
        self.last_message = 0
        self.decayed = _Decayed(t)


class _Node:
    """One person so far: what they sent and received, when, and since which message."""

    __slots__ = ("first_message", "last", "last_message", "received", "sent")

    def __init__(self, t: float, message: int) -> None:
        self.sent = _Decayed(t)
        self.received = _Decayed(t)
        self.last = t
        self.last_message = message
        self.first_message = message


class TieHistory:
    """Everything the features need, updated one interaction at a time.

    ``features(u, v, t)`` reads only interactions already ``add``-ed: a caller
    that scores a batch before adding it cannot leak the future.
    """

    def __init__(self) -> None:
        self._pairs: dict[tuple[int, int], _Pair] = {}
        self._nodes: dict[int, _Node] = {}
        self._out: dict[int, set[int]] = {}
        self._in: dict[int, set[int]] = {}
        self._neighbours: dict[int, set[int]] = {}
        self._traffic: _Decayed = _Decayed(0.0)
        self._messages = 0

    def add(self, u: int, v: int, t: float) -> None:
        """Record that ``u`` wrote to ``v`` at ``t`` (calls in time order)."""
        self._messages += 1
        pair = self._pairs.get((u, v))
        if pair is None:
            pair = self._pairs[(u, v)] = _Pair(t)
        pair.decayed.add(t)
        pair.last = t
        pair.last_message = self._messages
        if self._messages == 1:
            self._traffic = _Decayed(t)
        self._traffic.add(t)
        for n in (u, v):
            node = self._nodes.get(n)
            if node is None:
                node = self._nodes[n] = _Node(t, self._messages)
            node.last = t
            node.last_message = self._messages
        sender = self._nodes[u]
        sender.sent.add(t)
        self._nodes[v].received.add(t)
        self._out.setdefault(u, set()).add(v)
        self._in.setdefault(v, set()).add(u)
        if u != v:
            self._neighbours.setdefault(u, set()).add(v)
            self._neighbours.setdefault(v, set()).add(u)

    def add_many(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        for u, v, t in zip(src.tolist(), dst.tolist(), ts.tolist(), strict=True):
            self.add(u, v, t)

    def features(self, u: int, v: int, t: float) -> list[float]:
        """The ``FEATURES`` of "u writes to v at ``t``", in their order."""
        pair = self._pairs.get((u, v))
        back = self._pairs.get((v, u))
        row = [math.log1p(x) for x in pair.decayed.value(t)] if pair else [0.0] * _N
        row += [math.log1p(x) for x in back.decayed.value(t)] if back else [0.0] * _N
        if pair is not None or back is not None:
            sides = [p for p in (pair, back) if p is not None]
            last = max(p.last for p in sides)
            row.append(math.log1p(max(t - last, 0.0) / DAY))
            latest = max(p.last_message for p in sides)
            row.append(math.log1p(self._messages - latest))
            row.append(0.0)
        else:
            row += [_LOG_NEVER_DAYS, math.log1p(self._messages), 1.0]
        owes = back is not None and (pair is None or back.last > pair.last)
        row.append(1.0 if owes else 0.0)

        traffic = self._traffic.value(t)
        nu = self._nodes.get(u)
        row += self._activity(nu, t)
        row.append(math.log1p(len(self._out.get(u, ()))))
        row += _shares(nu.sent.value(t) if nu else None, traffic)
        row.append(self._age(nu))

        nv = self._nodes.get(v)
        row.append(math.log1p(len(self._in.get(v, ()))))
        row += self._activity(nv, t)
        row += _shares(nv.received.value(t) if nv else None, traffic)
        row += _shares(nv.sent.value(t) if nv else None, traffic)
        row.append(self._age(nv))
        row += self._structure(u, v)
        return row

    def matrix(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """``features`` for many pairs, one row each."""
        rows = [
            self.features(u, v, t)
            for u, v, t in zip(src.tolist(), dst.tolist(), ts.tolist(), strict=True)
        ]
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))

    def _activity(self, node: _Node | None, t: float) -> list[float]:
        if node is None:
            return [_LOG_NEVER_DAYS, math.log1p(self._messages)]
        return [
            math.log1p(max(t - node.last, 0.0) / DAY),
            math.log1p(self._messages - node.last_message),
        ]

    def _age(self, node: _Node | None) -> float:
        return math.log1p(self._messages - node.first_message) if node is not None else 0.0

    def _structure(self, u: int, v: int) -> list[float]:
        """Common neighbours, Adamic–Adar and resource allocation on the undirected tie graph."""
        a = self._neighbours.get(u)
        b = self._neighbours.get(v)
        if not a or not b:
            return [0.0, 0.0, 0.0]
        if len(a) > len(b):
            a, b = b, a
        common = [w for w in a if w in b]
        aa = 0.0
        ra = 0.0
        for w in common:
            degree = len(self._neighbours[w])
            ra += 1.0 / degree
            if degree > 1:
                aa += 1.0 / math.log(degree)
        return [math.log1p(len(common)), aa, ra]


def _shares(mine: list[float] | None, traffic: list[float]) -> list[float]:
    if mine is None:
        return [_LOG_FLOOR] * _N
    return [
        math.log(SHARE_FLOOR + (m / x if x > 0 else 0.0))
        for m, x in zip(mine, traffic, strict=True)
    ]


L2_PENALTY = 1.0
_NEWTON_STEPS = 50


@dataclass(frozen=True)
class LogisticModel:
    """Logistic regression on standardised features: P(u writes to v) = σ(b + Σ wₖ·zₖ),
    zₖ = (xₖ − meanₖ) / sdₖ. A weight is the change in log-odds for one standard
    deviation of its feature, the others held fixed."""

    names: tuple[str, ...]
    mean: NDArray[np.float64]
    scale: NDArray[np.float64]
    weights: NDArray[np.float64]
    intercept: float

    @classmethod
    def fit(
        cls,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        names: tuple[str, ...] = FEATURE_NAMES,
        l2: float = L2_PENALTY,
    ) -> LogisticModel:
        """Maximum penalised likelihood by Newton's method (deterministic, no solver options)."""
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        z = np.c_[np.ones(len(x)), (x - mean) / scale]
        penalty = np.full(z.shape[1], l2)
        penalty[0] = 0.0
        beta = np.zeros(z.shape[1])
        for _ in range(_NEWTON_STEPS):
            p = _sigmoid(z @ beta)
            gradient = z.T @ (y - p) - penalty * beta
            hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
            step = np.linalg.solve(hessian, gradient)
            beta += step
            if float(np.max(np.abs(step))) < 1e-8:
                break
        return cls(names, mean, scale, beta[1:].copy(), float(beta[0]))

    def log_odds(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        result: NDArray[np.float64] = self.intercept + ((x - self.mean) / self.scale) @ self.weights
        return result

    def explain(self) -> list[tuple[str, float]]:
        """(feature, weight per standard deviation), largest effect first."""
        pairs = [(n, float(w)) for n, w in zip(self.names, self.weights, strict=True)]
        return sorted(pairs, key=lambda item: -abs(item[1]))


def _sigmoid(z: NDArray[np.float64]) -> NDArray[np.float64]:
    result: NDArray[np.float64] = 0.5 * (1.0 + np.tanh(0.5 * z))
    return result
