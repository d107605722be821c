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
    apart = np.asarray(adj[rows, cols]).ravel() == 0
    return rows[apart].astype(np.int64), cols[apart].astype(np.int64)


def network_scores(
    graph: TieGraph,
    rows: NDArray[np.int64],
    cols: NDArray[np.int64],
    now: float,
    span: float,
    *,
    recency_share: float = RECENCY_SHARE,
    novelty_share: float = NOVELTY_SHARE,
    novelty_exponent: float = NOVELTY_EXPONENT,
) -> NDArray[np.float64]:
    """kith's network score of each pair ``rows[k]``–``cols[k]`` as of ``now``.

    score(u, v) = Σ_{w ∈ Γ(u) ∩ Γ(v)} r(u, w) · r(v, w) / log|Γ(w)|
                  · ((1 + n_u) · (1 + n_v)) ^ NOVELTY_EXPONENT

    r = 2^(−(now − last contact) / (RECENCY_SHARE · span)); n_x = Σ over x's
    ties of 2^(−(now − first contact) / (NOVELTY_SHARE · span)); ``span`` is
    the length of the history in seconds (the ledger's, or the evaluation's
    past). Zero for a pair without a common neighbour. The keyword arguments
    exist for the choice of the constants (``bench/bench_newties.py``).
    """
    if len(rows) == 0:
        return np.zeros(0)
    span = max(float(span), 1.0)
    recency = np.exp2(-np.maximum(now - graph.last_at, 0.0) / (recency_share * span))
    upper = sp.coo_matrix((recency, (graph.a, graph.b)), shape=(graph.n, graph.n))
    r = (upper + upper.T).tocsr()
    degree = graph.degrees()
    inverse_log = np.zeros(graph.n)
    hub = degree > 1
    inverse_log[hub] = 1.0 / np.log(degree[hub])
    shared = (r @ sp.diags(inverse_log) @ r).tocsr()
    structure = np.asarray(shared[rows, cols]).ravel()
    begun = np.exp2(-np.maximum(now - graph.first_at, 0.0) / (novelty_share * span))
    novelty = np.bincount(np.r_[graph.a, graph.b], weights=np.r_[begun, begun], minlength=graph.n)
    lift = np.power((1.0 + novelty[rows]) * (1.0 + novelty[cols]), novelty_exponent)
    result: NDArray[np.float64] = structure * lift
    return result
