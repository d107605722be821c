"""``kith eval --task new-ties``: who will begin talking, the classic protocol.

Liben-Nowell & Kleinberg (2007): the **past** is the interactions before the
cut, here the 70% quantile of interaction times (the split ``kith eval``
and DyGLib make: on the e-mail departments a cut at 70% of the wall-clock
span leaves one new pair or none after it). The **truth** is every pair
(undirected) that first interacts at or after the cut and never did before.
The **candidates** are every pair two steps apart in the past graph (a common
neighbour, no tie of their own); the truth outside them cannot be reached by
any method here and is counted apart (``new_pairs``). Each method ranks all
candidates; precision at k and average precision (AP, over the whole
ranking) are in percent. Equal scores are ordered at random (``SEED``), the
same order for every method, so no method gains from the candidates' order.

kith's score is ``kith.connect.network.network_scores`` — the one
``kith introduce --suggest`` ranks by. The baselines are networkx's
``adamic_adar_index``, ``jaccard_coefficient`` and ``common_neighbors``,
and a random order, all computed in the same run on the same candidates.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from kith.connect.network import TieGraph, network_scores, two_step_pairs
from kith.errors import InputError
from kith.evaluation.data import Interactions

#: The share of interactions (by time quantile) that make the past.
PAST_SHARE = 0.7
#: The default k of precision at k.
DEFAULT_K = 100
#: The seed of the random baseline and of the order among equal scores.
SEED = 0
#: The methods, kith's first, in the order they are printed.
METHODS = ("kith", "adamic_adar", "jaccard", "common_neighbours", "random")


@dataclass(frozen=True)
class Split:
    """The past graph, its two-step candidates, and which of them are new ties."""

    graph: TieGraph
    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    truth: NDArray[np.bool_]
    new_pairs: int
    cut: float
    span: float


@dataclass(frozen=True)
class NewTiesResult:
    """Precision at k and AP (percent) of each method on one split."""

    k: int
    candidates: int
    positives: int
    new_pairs: int
    past: int
    future: int
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``kith eval --task new-ties --json``."""
        data: dict[str, Any] = {
            "task": "new-ties",
            "k": self.k,
            "candidates": self.candidates,
            "positives": self.positives,
            "new_pairs": self.new_pairs,
            "past_interactions": self.past,
            "future_interactions": self.future,
        }
        data.update(self.scores)
        return data


def split(data: Interactions, past_share: float = PAST_SHARE, end_share: float = 1.0) -> Split:
    """The past before the ``past_share`` time quantile, its candidates and the
    truth: the new pairs up to the ``end_share`` quantile (1: to the end; an
    earlier split, such as 0.5 → 0.7, is where constants are chosen)."""
    nodes, index = np.unique(np.r_[data.src, data.dst], return_inverse=True)
    u = index[: len(data)].astype(np.int64)
    v = index[len(data) :].astype(np.int64)
    cut = float(np.quantile(data.ts, past_share))
    past = data.ts < cut
    if not past.any() or past.all():
        raise InputError(
            "every interaction falls on one side of the cut: no past or no future",
            where=data.source,
            hint="the new-ties protocol needs interactions spread over time",
        )
    n = len(nodes)
    graph = TieGraph.from_contacts(n, u[past], v[past], data.ts[past])
    rows, cols = two_step_pairs(graph)
    later = ~past & (u != v)
    if end_share < 1.0:
        later &= data.ts < float(np.quantile(data.ts, end_share))
    seen = set((graph.a * n + graph.b).tolist())
    lo = np.minimum(u[later], v[later])
    hi = np.maximum(u[later], v[later])
    fresh = {k for k in (lo * n + hi).tolist() if k not in seen}
    truth = np.fromiter(
        (k in fresh for k in (rows * n + cols).tolist()), dtype=np.bool_, count=len(rows)
    )
    span = cut - float(data.ts[0])
    return Split(graph, rows, cols, truth, len(fresh), cut, span)


def ranking_figures(
    scores: NDArray[np.float64], truth: NDArray[np.bool_], k: int
) -> dict[str, float]:
    """Precision at ``k`` and AP, in percent, of ranking by ``scores`` (highest
    first; equal scores in a fixed random order)."""
    if len(scores) == 0:
        return {"precision_at_k": 0.0, "ap": 0.0}
    tiebreak = np.random.default_rng(SEED).random(len(scores))
    order = np.lexsort((tiebreak, -scores))
    hits = truth[order]
    top = hits[:k]
    precision_at_k = 100.0 * float(top.sum()) / k
    found = np.cumsum(hits)
    at_hit = found[hits] / (np.flatnonzero(hits) + 1.0)
    ap = 100.0 * float(at_hit.mean()) if len(at_hit) else 0.0
    return {"precision_at_k": round(precision_at_k, 2), "ap": round(ap, 2)}


def baseline_scores(s: Split) -> dict[str, NDArray[np.float64]]:
    """networkx's Adamic–Adar, Jaccard and common neighbours, and a random score."""
    g = nx.Graph()
    g.add_nodes_from(range(s.graph.n))
    g.add_edges_from(zip(s.graph.a.tolist(), s.graph.b.tolist(), strict=True))
    pairs = list(zip(s.rows.tolist(), s.cols.tolist(), strict=True))
    count = len(pairs)
    adamic = np.fromiter((p for _, _, p in nx.adamic_adar_index(g, pairs)), float, count)
    jaccard = np.fromiter((p for _, _, p in nx.jaccard_coefficient(g, pairs)), float, count)
    common = np.fromiter(
        (sum(1 for _ in nx.common_neighbors(g, a, b)) for a, b in pairs), float, count
    )
    rand = np.random.default_rng(SEED + 1).random(count)
    return {
        "adamic_adar": adamic,
        "jaccard": jaccard,
        "common_neighbours": common,
        "random": rand,
    }


def run_new_ties(data: Interactions, k: int = DEFAULT_K) -> NewTiesResult:
    """The new-ties protocol on ``data``: kith's network score beside the baselines."""
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}", hint="--k 100")
    started = time.perf_counter()
    s = split(data)
    ranked = {"kith": network_scores(s.graph, s.rows, s.cols, s.cut, s.span)}
    ranked.update(baseline_scores(s))
    past = int((data.ts < s.cut).sum())
    return NewTiesResult(
        k=k,
        candidates=len(s.rows),
        positives=int(s.truth.sum()),
        new_pairs=s.new_pairs,
        past=past,
        future=len(data) - past,
        scores={m: ranking_figures(ranked[m], s.truth, k) for m in METHODS},
        seconds=round(time.perf_counter() - started, 1),
    )
