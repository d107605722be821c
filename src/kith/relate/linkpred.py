"""Who will write to whom next: kith's tie features, and a small model on them.

``TieHistory`` keeps, online, what kith knows of every tie from the
interactions seen so far (recency, frequency with exponential decay, tenure,
reciprocity, replies, each side's activity, the tie graph around the pair);
``TieHistory.features`` turns it into the numbers in ``FEATURES`` for a pair
(u → v) at a time t, from the past only. ``LogisticModel`` weighs them:
logistic regression on standardised features, so each weight reads as "how
much one standard deviation of this feature moves the log-odds".

Times are in seconds (kith's ledger, and every data set at hand); half-lives
and ages are in days. The model is validated in ``kith.evaluation`` (``kith
eval``) on the DyGLib protocol; see docs/design.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

SECONDS_PER_DAY = 86_400.0
#: Half-lives of the decayed counts: an hour (a burst of messages), a day, a
#: week, a month (a Dunbar-style contact rhythm, SCIENCE.md "Dunbar's layers").
HALF_LIVES_DAYS = (1.0 / 24.0, 1.0, 7.0, 30.0)
#: The age given to something that never happened: longer than any history at hand.
NEVER_DAYS = 3_650.0
_LOG_NEVER = math.log1p(NEVER_DAYS)


@dataclass(frozen=True)
class Feature:
    """One input of the model: its name, what it measures, and where it comes from."""

    name: str
    meaning: str
    source: str


_HL_NAMES = ("hour", "day", "week", "month")

FEATURES: tuple[Feature, ...] = (
    *(
        Feature(
            f"pair_{hl}",
            f"log(1 + u→v messages, each decayed with a one-{hl} half-life)",
            "frequency with decay: Orbit Model 'love' (SCIENCE.md Community); "
            "Onnela et al. 2007 tie weight",
        )
        for hl in _HL_NAMES
    ),
    Feature(
        "pair_count",
        "log(1 + all u→v messages so far)",
        "intensity: Gilbert & Karahalios 2009; Onnela et al. 2007",
    ),
    *(
        Feature(
            f"reverse_{hl}",
            f"log(1 + v→u messages, decayed with a one-{hl} half-life)",
            "reciprocal exchange: Granovetter 1973; Gilbert & Karahalios 2009",
        )
        for hl in _HL_NAMES
    ),
    Feature(
        "days_since_contact",
        f"log(1 + days since the last u–v message either way; {NEVER_DAYS:.0f} if never)",
        "days since last contact, the largest effect in Gilbert & Karahalios 2009",
    ),
    Feature(
        "new_pair",
        "1 if u and v never exchanged a message",
        "the 'never communicated' state kept apart (SCIENCE.md tie-strength proposal)",
    ),
    Feature(
        "tenure",
        "log(1 + days since the first u–v message)",
        "days since first contact, Gilbert & Karahalios 2009",
    ),
    Feature(
        "reciprocity",
        "ρ = 1 − |out − in| / (out + in) over u→v and v→u messages; 0 if none",
        "SCIENCE.md tie-strength proposal (reciprocal services, Granovetter 1973)",
    ),
    Feature(
        "v_answered_u",
        "log(1 + times v wrote to u after a message from u that v had not answered)",
        "reply patterns: CHAOSS time to first response; Kooti et al. 2015",
    ),
    Feature(
        "u_owes_reply",
        "1 if the last message between them went v→u (u has not answered it yet)",
        "waiting-on-me (ARCHITECTURE.md Relationship); Kooti et al. 2015",
    ),
    Feature(
        "share_of_u",
        "u→v messages / all of u's messages: v's share of u's attention",
        "Dunbar 2020: effort concentrates on the closest few",
    ),
    *(
        Feature(
            f"u_active_{hl}",
            f"log(1 + messages u sent, decayed with a one-{hl} half-life)",
            "activity and recency of the sender (Orbit Model v3 presence)",
        )
        for hl in _HL_NAMES
    ),
    Feature(
        "u_days_idle",
        "log(1 + days since u last sent or received anything)",
        "recency (Orbit Model v3; CHAOSS contributor absence)",
    ),
    Feature(
        "u_out_degree",
        "log(1 + distinct people u wrote to)",
        "network size, Hill & Dunbar 2003",
    ),
    *(
        Feature(
            f"v_popular_{hl}",
            f"log(1 + messages v received, decayed with a one-{hl} half-life)",
            "popularity (preferential attachment; Orbit Model 'reach')",
        )
        for hl in _HL_NAMES
    ),
    Feature(
        "v_in_degree",
        "log(1 + distinct people who wrote to v)",
        "popularity (preferential attachment)",
    ),
    Feature(
        "v_active_day",
        "log(1 + messages v sent, decayed with a one-day half-life)",
        "activity of the recipient (Orbit Model v3 presence)",
    ),
    Feature(
        "v_days_idle",
        "log(1 + days since v last sent or received anything)",
        "recency (Orbit Model v3; CHAOSS contributor absence)",
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
        "resource allocation, better than common neighbours (Zhou, Lü & Zhang 2009)",
    ),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

_N_HL = len(HALF_LIVES_DAYS)
_HL_SECONDS = tuple(h * SECONDS_PER_DAY for h in HALF_LIVES_DAYS)
_LN2 = math.log(2.0)

# A pair's state (u → v): [count, first_t, last_t, answered, decayed × half-lives]
_P_COUNT, _P_FIRST, _P_LAST, _P_ANSWERED, _P_DECAY = 0, 1, 2, 3, 4
# A node's state: [sent, last_sent, last_received, last_any, out-decay × hl, in-decay × hl]
_N_SENT, _N_LAST_OUT, _N_LAST_IN, _N_LAST, _N_OUT = 0, 1, 2, 3, 4
_N_IN = _N_OUT + _N_HL


def _decayed(values: list[float], offset: int, since: float, now: float) -> list[float]:
    """The decayed sums in ``values[offset : offset + half-lives]``, brought from
    ``since`` to ``now``."""
    age = max(now - since, 0.0)
    return [
        values[offset + k] * math.exp(-_LN2 * age / _HL_SECONDS[k]) for k in range(_N_HL)
    ]


class TieHistory:
    """Everything the features need, updated one interaction at a time.

    ``features(u, v, t)`` reads only interactions already ``add``-ed, so a
    caller that scores a batch before adding it cannot leak the future.
    """

    def __init__(self) -> None:
        self._pairs: dict[tuple[int, int], list[float]] = {}
        self._nodes: dict[int, list[float]] = {}
        self._out: dict[int, set[int]] = {}
        self._in: dict[int, set[int]] = {}
        self._neighbours: dict[int, set[int]] = {}
        self._events = 0
        self._total = [0.0] * _N_HL
        self._total_t = 0.0
        self._node_event: dict[int, int] = {}
        self._pair_event: dict[tuple[int, int], int] = {}
        self._first_event: dict[int, int] = {}
        self._new_total = [0.0] * _N_HL
        self._new_in: dict[int, list[float]] = {}
        self._new_out: dict[int, list[float]] = {}

    def add(self, u: int, v: int, t: float) -> None:
        """Record that ``u`` wrote to ``v`` at ``t`` (calls in time order)."""
        pair = self._pairs.get((u, v))
        back = self._pairs.get((v, u))
        if pair is None:
            pair = [0.0, t, t, 0.0] + [0.0] * _N_HL
            self._pairs[(u, v)] = pair
        # u answers v when v's last message to u came after u's last to v.
        if back is not None and (pair[_P_COUNT] == 0 or back[_P_LAST] > pair[_P_LAST]):
            pair[_P_ANSWERED] += 1.0
        pair[_P_DECAY:] = [d + 1.0 for d in _decayed(pair, _P_DECAY, pair[_P_LAST], t)]
        pair[_P_COUNT] += 1.0
        pair[_P_LAST] = t

        nu = self._node(u, t)
        nu[_N_OUT : _N_OUT + _N_HL] = [
            d + 1.0 for d in _decayed(nu, _N_OUT, nu[_N_LAST_OUT], t)
        ]
        nu[_N_SENT] += 1.0
        nu[_N_LAST_OUT] = t
        nu[_N_LAST] = t
        nv = self._node(v, t)
        nv[_N_IN : _N_IN + _N_HL] = [d + 1.0 for d in _decayed(nv, _N_IN, nv[_N_LAST_IN], t)]
        nv[_N_LAST_IN] = t
        nv[_N_LAST] = t

        if (u, v) not in self._pair_event and (v, u) not in self._pair_event:
            self._new_total = [x + 1.0 for x in _decayed(self._new_total, 0, self._total_t, t)]
            for store, n in ((self._new_in, v), (self._new_out, u)):
                st = store.get(n)
                if st is None:
                    st = [0.0] * _N_HL + [t]
                    store[n] = st
                st[:_N_HL] = [x + 1.0 for x in _decayed(st, 0, st[_N_HL], t)]
                st[_N_HL] = t
        else:
            self._new_total = _decayed(self._new_total, 0, self._total_t, t)
        self._first_event.setdefault(u, self._events + 1)
        self._first_event.setdefault(v, self._events + 1)
        self._total = [x + 1.0 for x in _decayed(self._total, 0, self._total_t, t)]
        self._total_t = t
        self._events += 1
        self._node_event[u] = self._events
        self._node_event[v] = self._events
        self._pair_event[(u, v)] = self._events
        self._pair_event[(v, u)] = self._events
        self._out.setdefault(u, set()).add(v)
        self._in.setdefault(v, set()).add(u)
        if u != v:
            self._neighbours.setdefault(u, set()).add(v)
            self._neighbours.setdefault(v, set()).add(u)

    def _node(self, n: int, t: float) -> list[float]:
        node = self._nodes.get(n)
        if node is None:
            node = [0.0, t, t, t] + [0.0] * (2 * _N_HL)
            self._nodes[n] = node
        return node

    def features(self, u: int, v: int, t: float) -> list[float]:
        """The ``FEATURES`` of u → v at time ``t``, in their order."""
        pair = self._pairs.get((u, v))
        back = self._pairs.get((v, u))
        row: list[float] = []
        if pair is not None:
            row += [math.log1p(d) for d in _decayed(pair, _P_DECAY, pair[_P_LAST], t)]
            row.append(math.log1p(pair[_P_COUNT]))
        else:
            row += [0.0] * (_N_HL + 1)
        if back is not None:
            row += [math.log1p(d) for d in _decayed(back, _P_DECAY, back[_P_LAST], t)]
        else:
            row += [0.0] * _N_HL
        n_uv = pair[_P_COUNT] if pair is not None else 0.0
        n_vu = back[_P_COUNT] if back is not None else 0.0
        last = max(pair[_P_LAST] if pair else -math.inf, back[_P_LAST] if back else -math.inf)
        first = min(pair[_P_FIRST] if pair else math.inf, back[_P_FIRST] if back else math.inf)
        if n_uv + n_vu > 0:
            row.append(math.log1p(max(t - last, 0.0) / SECONDS_PER_DAY))
            row.append(0.0)
            row.append(math.log1p(max(t - first, 0.0) / SECONDS_PER_DAY))
            row.append(1.0 - abs(n_uv - n_vu) / (n_uv + n_vu))
        else:
            row += [_LOG_NEVER, 1.0, 0.0, 0.0]
        row.append(math.log1p(back[_P_ANSWERED]) if back is not None else 0.0)
        owes = back is not None and (pair is None or back[_P_LAST] > pair[_P_LAST])
        row.append(1.0 if owes else 0.0)

        nu = self._nodes.get(u)
        if nu is not None and nu[_N_SENT] > 0:
            row.append(n_uv / nu[_N_SENT])
            row += [math.log1p(d) for d in _decayed(nu, _N_OUT, nu[_N_LAST_OUT], t)]
        else:
            row += [0.0] * (1 + _N_HL)
        row.append(_idle(nu, t))
        row.append(math.log1p(len(self._out.get(u, ()))))

        nv = self._nodes.get(v)
        if nv is not None:
            row += [math.log1p(d) for d in _decayed(nv, _N_IN, nv[_N_LAST_IN], t)]
            row.append(math.log1p(len(self._in.get(v, ()))))
            out_day = nv[_N_OUT + 1] * math.exp(-_LN2 * max(t - nv[_N_LAST_OUT], 0.0) / _HL_SECONDS[1])
            row.append(math.log1p(out_day))
        else:
            row += [0.0] * (_N_HL + 2)
        row.append(_idle(nv, t))
        row += self._structure(u, v)
        total = _decayed(self._total, 0, self._total_t, t)
        if nv is not None:
            vin = _decayed(nv, _N_IN, nv[_N_LAST_IN], t)
            row += [math.log(1e-4 + a / max(b, 1e-9)) for a, b in zip(vin, total)]
        else:
            row += [math.log(1e-4)] * _N_HL
        if nu is not None:
            uo = _decayed(nu, _N_OUT, nu[_N_LAST_OUT], t)
            row += [math.log(1e-4 + a / max(b, 1e-9)) for a, b in zip(uo, total)]
        else:
            row += [math.log(1e-4)] * _N_HL
        ev = self._events
        newt = _decayed(self._new_total, 0, self._total_t, t)
        for store, n in ((self._new_in, v), (self._new_out, u)):
            st = store.get(n)
            if st is None:
                row += [math.log(1e-4)] * _N_HL
            else:
                row += [math.log(1e-4 + a / max(b, 1e-9)) for a, b in zip(_decayed(st, 0, st[_N_HL], t), newt)]
        if nv is not None:
            vo = _decayed(nv, _N_OUT, nv[_N_LAST_OUT], t)
            row += [math.log(1e-4 + a / max(b, 1e-9)) for a, b in zip(vo, total)]
        else:
            row += [math.log(1e-4)] * _N_HL
        row.append(math.log1p(ev - self._first_event.get(v, ev)))
        row.append(math.log1p(ev - self._first_event.get(u, ev)))
        row.append(math.log1p(ev - self._pair_event.get((u, v), -10**6)))
        row.append(math.log1p(ev - self._node_event.get(v, -10**6)))
        row.append(math.log1p(ev - self._node_event.get(u, -10**6)))
        return row

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
            aa += 1.0 / math.log(degree) if degree > 1 else 0.0
        return [math.log1p(len(common)), aa, ra]

    def matrix(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """``features`` for many pairs, one row each."""
        rows = [
            self.features(u, v, t)
            for u, v, t in zip(src.tolist(), dst.tolist(), ts.tolist(), strict=True)
        ]
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(rows[0]) if rows else 0)

    def add_many(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        for u, v, t in zip(src.tolist(), dst.tolist(), ts.tolist(), strict=True):
            self.add(u, v, t)


def _idle(node: list[float] | None, t: float) -> float:
    if node is None:
        return _LOG_NEVER
    return math.log1p(max(t - node[_N_LAST], 0.0) / SECONDS_PER_DAY)


#: L2 penalty of the logistic regression, on standardised features.
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
