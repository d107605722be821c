"""How likely two people are to start talking: kith's network score of a pair.

One function, ``network_scores``, scores pairs of people who have not talked
on the tie graph around them. ``kith introduce --suggest`` uses it on the
ledger's ties and ``kith eval --task new-ties`` on the past of an interaction
file, so the figure the evaluation measures is the one the suggestions use.

The score is Adamic–Adar with two levers added (sources in shared/SCIENCE.md,
"Brokerage and link prediction" and "Connecting people"):

* **recency of the shared ties**: each common neighbour w counts
  r(u, w) · r(v, w) / log(degree of w), where r is 2^(−age / h) of the last
  contact on that tie, h = ``RECENCY_SHARE`` of the history's length
  (Kossinets & Watts 2006: new ties close triangles around *current* foci;
  Adamic–Adar itself: Liben-Nowell & Kleinberg 2007, Zhou, Lü & Zhang 2009);
* **activity in the recent past**: people who have lately begun new ties
  keep beginning them; each side's count of ties begun, decayed with a
  half-life of ``NOVELTY_SHARE`` of the history, multiplies the score as
  (1 + n_u)^a · (1 + n_v)^a, a = ``NOVELTY_EXPONENT``.

Half-lives are shares of the history's length, not days, because networks
keep different paces (UCI sends most of its messages in its first weeks; the
e-mail departments write steadily for two years). The three constants were
chosen on the earlier split of the evaluation (first 50% → next 20% of the
interactions of UCI and both email-Eu-core departments, the best geometric
mean of AP relative to Adamic–Adar over a small grid), never on the test
pairs; docs/design.md "Introduction suggestions" lists the grid and figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kith.relate.linkpred import Feature, LogisticModel

#: A shared tie's recency half-life, as a share of the history's length.
RECENCY_SHARE = 0.2
#: The half-life of "ties begun lately", as a share of the history's length.
NOVELTY_SHARE = 0.05
#: How strongly recent tie-making on either side lifts a pair's score.
NOVELTY_EXPONENT = 0.5


@dataclass(frozen=True)
class TieGraph:
    """Undirected ties among ``n`` people numbered 0..n−1: ``a[k] < b[k]``,
    first and last contact on each tie (seconds), one row per pair."""

    n: int
    a: NDArray[np.int64]
    b: NDArray[np.int64]
    first_at: NDArray[np.float64]
    last_at: NDArray[np.float64]

    @classmethod
    def from_contacts(
        cls, n: int, u: NDArray[np.int64], v: NDArray[np.int64], at: NDArray[np.float64]
    ) -> TieGraph:
        """The graph of contacts ``u[k]``–``v[k]`` at ``at[k]`` (either order,
        repeats allowed, self-contacts dropped)."""
        keep = u != v
        lo = np.minimum(u[keep], v[keep])
        hi = np.maximum(u[keep], v[keep])
        t = at[keep]
        key = lo * n + hi
        order = np.lexsort((t, key))
        key, t = key[order], t[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        ends = np.r_[starts[1:], len(key)] - 1
        pair = key[starts]
        return cls(n, pair // n, pair % n, t[starts].astype(np.float64), t[ends].astype(np.float64))

    def adjacency(self) -> sp.csr_matrix:
        """The 0/1 adjacency matrix, symmetric."""
        ones = np.ones(len(self.a))
        upper = sp.coo_matrix((ones, (self.a, self.b)), shape=(self.n, self.n))
        return (upper + upper.T).tocsr()

    def degrees(self) -> NDArray[np.float64]:
        """How many people each person has a tie with."""
        return np.bincount(np.r_[self.a, self.b], minlength=self.n).astype(np.float64)


def two_step_pairs(graph: TieGraph) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every pair (i < j) two steps apart: a common neighbour, no tie of their own."""
    adj = graph.adjacency()
    two = (adj @ adj).tocoo()
    upper = two.row < two.col
    rows, cols = two.row[upper], two.col[upper]
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    apart = np.asarray(adj[rows, cols]).ravel() == 0
    return rows[apart].astype(np.int64), cols[apart].astype(np.int64)


#: The fewest new ties in the ledger's own recent history for a fitted model;
#: below it the network score keeps the fixed constants above.
MIN_FIT_POSITIVES = 30
#: The fitting cut: the time by which this share of the history's ties had begun.
#: The pairs two steps apart then are the examples, the ties begun after it the
#: positives.
FIT_TIE_SHARE = 0.8
#: The fitted model's L2 penalty (``kith.relate.linkpred.LogisticModel``).
FIT_L2 = 1.0

NETWORK_FEATURES: tuple[Feature, ...] = (
    Feature(
        "shared_recent",
        f"log Σ over common neighbours w of r(u, w)·r(v, w) / log|Γ(w)|, r = 2^(−age / "
        f"({RECENCY_SHARE} · history))",
        "Adamic–Adar weighted by recency (Liben-Nowell & Kleinberg 2007; Kossinets & Watts 2006)",
    ),
    Feature(
        "new_ties_lately",
        f"log(1 + n_u) + log(1 + n_v), n = ties begun, half-life {NOVELTY_SHARE} · history",
        "activity in the recent past (Lichtenwalter et al. 2010: node activity features)",
    ),
    Feature(
        "adamic_adar",
        "log Σ over common neighbours w of 1 / log|Γ(w)|",
        "Adamic–Adar (Zhou, Lü & Zhang 2009)",
    ),
    Feature(
        "resource_allocation",
        "log Σ over common neighbours w of 1 / |Γ(w)|",
        "resource allocation (Zhou, Lü & Zhang 2009)",
    ),
    Feature(
        "common_neighbours",
        "log of how many people both have a tie with",
        "common neighbours (Liben-Nowell & Kleinberg 2007)",
    ),
    Feature(
        "ties_fewer",
        "log(1 + ties) of the side with fewer",
        "degree, preferential attachment (Lichtenwalter et al. 2010)",
    ),
    Feature(
        "ties_more",
        "log(1 + ties) of the side with more",
        "degree, preferential attachment (Lichtenwalter et al. 2010)",
    ),
    Feature(
        "idle_longer",
        "the longer of the two sides' time since their last contact with anyone, / history",
        "activity and presence (Orbit Model v3; CHAOSS contributor absence)",
    ),
    Feature(
        "paths_of_three",
        "log(1 + paths of three ties from u to v)",
        "local path index, paths of length 3 (Lü, Jin & Zhou 2009; Katz 1953 truncated)",
    ),
)
NETWORK_FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in NETWORK_FEATURES)


@dataclass(frozen=True)
class NetworkModel:
    """How the network features make a score: score = exp(b + Σ wₖ·zₖ), the odds
    of a new tie under a logistic regression (``LogisticModel``). ``fitted``
    is False for the fixed constants (``fixed_model``); ``positives`` and
    ``examples`` are what a fitted one learnt from."""

    model: LogisticModel
    fitted: bool
    positives: int = 0
    examples: int = 0

    def explain(self) -> list[tuple[str, float]]:
        """(feature, weight per standard deviation), largest effect first."""
        return self.model.explain()


def fixed_model(novelty_exponent: float = NOVELTY_EXPONENT) -> NetworkModel:
    """The fixed constants as a model: score = shared_recent · ((1+n_u)(1+n_v))^exponent,
    weight 1 on ``shared_recent`` and ``novelty_exponent`` on ``new_ties_lately``."""
    weights = np.zeros(len(NETWORK_FEATURES))
    weights[0] = 1.0
    weights[1] = novelty_exponent
    k = len(NETWORK_FEATURES)
    model = LogisticModel(NETWORK_FEATURE_NAMES, np.zeros(k), np.ones(k), weights, 0.0)
    return NetworkModel(model, fitted=False)


def network_features(
    graph: TieGraph,
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    now: float,
    span: float,
    *,
    recency_share: float = RECENCY_SHARE,
    novelty_share: float = NOVELTY_SHARE,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The ``NETWORK_FEATURES`` of each pair ``rows[k]``–``cols[k]`` as of ``now``
    (one row each), and whether the pair has a common neighbour at all.

    ``span`` is the history's length in seconds (the ledger's, or the
    evaluation's past): half-lives are shares of it.
    """
    k = len(NETWORK_FEATURES)
    if len(rows) == 0:
        return np.zeros((0, k)), np.zeros(0, dtype=np.bool_)
    span = max(float(span), 1.0)
    adj = graph.adjacency()
    degree = graph.degrees()
    inverse_log = np.zeros(graph.n)
    hub = degree > 1
    inverse_log[hub] = 1.0 / np.log(degree[hub])
    inverse = np.zeros(graph.n)
    inverse[degree > 0] = 1.0 / degree[degree > 0]

    recency = np.exp2(-np.maximum(now - graph.last_at, 0.0) / (recency_share * span))
    upper = sp.coo_matrix((recency, (graph.a, graph.b)), shape=(graph.n, graph.n))
    r = (upper + upper.T).tocsr()

    def pairwise(left: sp.csr_matrix, weight: NDArray[np.float64]) -> NDArray[np.float64]:
        product = (left @ sp.diags(weight) @ left).tocsr()
        return np.asarray(product[rows, cols]).ravel()

    shared_recent = pairwise(r, inverse_log)
    adamic = pairwise(adj, inverse_log)
    resource = pairwise(adj, inverse)
    common = pairwise(adj, np.ones(graph.n))

    begun = np.exp2(-np.maximum(now - graph.first_at, 0.0) / (novelty_share * span))
    ends = np.r_[graph.a, graph.b]
    novelty = np.bincount(ends, weights=np.r_[begun, begun], minlength=graph.n)
    last_seen = np.full(graph.n, -np.inf)
    np.maximum.at(last_seen, ends, np.r_[graph.last_at, graph.last_at])
    idle = np.clip((now - last_seen) / span, 0.0, 1.0)
    ties = np.log1p(degree)
    x = np.column_stack(
        [
            _log(shared_recent),
            np.log1p(novelty[rows]) + np.log1p(novelty[cols]),
            _log(adamic),
            _log(resource),
            _log(common),
            np.minimum(ties[rows], ties[cols]),
            np.maximum(ties[rows], ties[cols]),
            np.maximum(idle[rows], idle[cols]),
            np.log1p(np.asarray((adj @ adj @ adj).tocsr()[rows, cols]).ravel()),
        ]
    )
    return x, common > 0


def as_of(graph: TieGraph, t: float) -> TieGraph:
    """The graph of the ties begun before ``t``, each last contact read as at most
    ``t`` (a tie's contacts between its first and last are not kept, so a tie
    that went on past ``t`` counts as in touch at ``t``)."""
    keep = graph.first_at < t
    return TieGraph(
        graph.n,
        graph.a[keep],
        graph.b[keep],
        graph.first_at[keep],
        np.minimum(graph.last_at[keep], t),
    )


def fit_network_model(
    graph: TieGraph,
    now: float,
    span: float,
    *,
    tie_share: float = FIT_TIE_SHARE,
    l2: float = FIT_L2,
    min_positives: int = MIN_FIT_POSITIVES,
) -> NetworkModel:
    """The network score's weights, learnt from this graph's own earlier history.

    Supervised link prediction (Lichtenwalter, Lussier & Chawla 2010): at the
    time ``t`` by which ``tie_share`` of the ties had begun, every pair two
    steps apart in ``as_of(graph, t)`` is an example, positive if the pair
    began a tie by ``now``; a logistic regression on ``NETWORK_FEATURES``
    (history ``span − (now − t)``) gives the weights applied at ``now``. With
    fewer than ``min_positives`` positives, the fixed constants
    (``fixed_model``).
    """
    if len(graph.a) == 0:
        return fixed_model()
    t = float(np.quantile(graph.first_at, tie_share))
    before = as_of(graph, t)
    rows, cols = two_step_pairs(before)
    if len(rows) == 0:
        return fixed_model()
    later = graph.first_at >= t
    began = set((graph.a[later] * graph.n + graph.b[later]).tolist())
    keys = (rows * graph.n + cols).tolist()
    y = np.fromiter((key in began for key in keys), dtype=np.float64, count=len(keys))
    positives = int(y.sum())
    if positives < min_positives:
        return fixed_model()
    x, _ = network_features(before, rows, cols, t, span - (now - t))
    model = LogisticModel.fit(x, y, NETWORK_FEATURE_NAMES, l2=l2)
    return NetworkModel(model, fitted=True, positives=positives, examples=len(keys))


def network_scores(
    graph: TieGraph,
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    now: float,
    span: float,
    *,
    model: NetworkModel | None = None,
) -> NDArray[np.float64]:
    """kith's network score of each pair ``rows[k]``–``cols[k]`` as of ``now``:
    exp(b + Σ wₖ·zₖ) over ``network_features``, with the weights ``model``
    gives, by default ``fit_network_model`` on this graph's own history (the
    fixed constants when it has too few new ties to learn from). Zero for a
    pair without a common neighbour.

    With the fixed constants it is

        score(u, v) = Σ_{w ∈ Γ(u) ∩ Γ(v)} r(u, w) · r(v, w) / log|Γ(w)|
                      · ((1 + n_u) · (1 + n_v)) ^ NOVELTY_EXPONENT

    r = 2^(−(now − last contact) / (RECENCY_SHARE · span)); n_x = Σ over x's
    ties of 2^(−(now − first contact) / (NOVELTY_SHARE · span)).
    """
    if len(rows) == 0:
        return np.zeros(0)
    chosen = model if model is not None else fit_network_model(graph, now, span)
    x, reachable = network_features(graph, rows, cols, now, span)
    result: NDArray[np.float64] = np.where(reachable, np.exp(chosen.model.log_odds(x)), 0.0)
    return result


def _log(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """log x, and 0 where x is 0 (pairs without a common neighbour, scored 0 anyway)."""
    result: NDArray[np.float64] = np.log(np.where(x > 0, x, 1.0))
    return result
