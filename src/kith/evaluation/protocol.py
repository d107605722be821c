"""The DyGLib protocol for dynamic link prediction, transductive setting.

This is our reading of DyGLib (Yu et al., NeurIPS 2023; ``utils/DataLoader.py``
``get_link_prediction_data``, ``utils/utils.py`` ``NegativeEdgeSampler`` and
``NeighborSampler``, ``evaluate_models_utils.py``). Where the summary in
``shared/data/SOURCES.md`` is shorter than the code, the code's reading is used
and said below. The reproduction check is EdgeBank: on UCI with random
negatives it gives 76.20 AP / 77.30 AUC here, the published figures to the
hundredth.

**Split.** ``val_time`` and ``test_time`` are the 70% and 85% quantiles of the
timestamps (``numpy.quantile``, linear). Train: ``ts <= val_time``;
validation: ``val_time < ts <= test_time``; test: ``ts > test_time``.

**Hidden nodes.** The candidates are all nodes appearing in an edge after
``val_time`` (DyGLib's ``test_node_set``: *appearing*, not first seen — the
summary's "first seen" is looser than the code). ``int(0.1 × all nodes)`` of
them are drawn with Python's ``random`` seeded 2020 (``random.sample`` over the
set in its iteration order, as Python < 3.11 did for sets), and every
training-period edge touching one is removed from training. Validation and
test keep all their edges.

**What a model has seen.** Fitting sees the training edges (hidden nodes'
removed); the validation edges are then added to its memory. Each test edge
is then scored from one of two histories, as DyGLib's models read theirs:

- ``event``: every edge strictly before the scored edge's own time, also
  those earlier in its batch — what DyGLib's neighbour sampler hands TGAT,
  CAWN, TCL, GraphMixer and DyGFormer (``find_neighbors_before``: a
  ``searchsorted`` on the edge's time, left side, so an edge at the same
  time is not seen), in training as in evaluation;
- ``batch``: the edges before the batch; the batch is added after it is
  scored (EdgeBank's ``history_data``; the memory models' updates).

Edges sharing a time are scored together (``steps``) and added once the
next edge to score is later (``Pending``: a time can straddle two batches).
Each model says which it reads (``LinkPredictor.history``): EdgeBank
``batch``, kith's model ``event``, either changeable to compare them.

**Batches.** Test edges in time order, 200 per batch, the last one shorter.
Each positive gets one negative, scored at the positive's time. AP and ROC-AUC
are computed per batch and averaged over batches.

**Negatives** (``NegativeEdgeSampler``, test seed 2, over the whole data set):

- *random*: the source is the positive's; the destination is drawn uniformly
  from all distinct destinations of the data set (``RandomState.randint``; a
  source index is drawn and discarded first, as DyGLib does). There is no
  collision check: 4 of UCI's 8,976 test negatives are the positive pair
  itself (25 and 50 in the e-mail departments), scored as the positive is.
- *historical*: distinct (src, dst) edges seen at or before the batch's first
  time and not among the edges timed within the batch's first..last time,
  drawn without replacement.
- *inductive*: the same, but only edges never seen up to the last validation
  time (so, first seen in the test period before this batch).
- *fallback* (historical and inductive): when fewer such edges exist than the
  batch needs, all of them are used and the rest are drawn uniformly without
  replacement from all (source, destination) pairs of the data set's distinct
  sources × destinations that are not a positive of the batch. DyGLib lists
  that product in a Python set; here pairs are drawn by rejection, so the
  distribution is the same but the random stream (and so which pairs) is not.

``period="val"`` runs the same loop on the validation period (sampler seed 0,
inductive cut at the last training time), for choosing a model without
looking at the test period.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from kith.errors import InputError
from kith.evaluation.data import Interactions

Negatives = Literal["random", "historical", "inductive"]
NEGATIVES: tuple[Negatives, ...] = ("random", "historical", "inductive")
#: What a model has seen when it scores an edge: every edge before the edge's
#: time (``event``), or every edge before its batch (``batch``).
History = Literal["event", "batch"]
HISTORIES: tuple[History, ...] = ("event", "batch")

VAL_QUANTILE = 0.70
TEST_QUANTILE = 0.85
#: Share of all nodes hidden from training (DyGLib: ``int(0.1 * num_nodes)``).
HIDDEN_NODE_SHARE = 0.10
HIDDEN_NODE_SEED = 2020
BATCH_SIZE = 200
#: DyGLib's seeds of the validation and test negative samplers.
VAL_SAMPLER_SEED = 0
TEST_SAMPLER_SEED = 2

Edge = tuple[int, int]


@dataclass(frozen=True)
class Split:
    """Which edges are training, validation and test, and which nodes were hidden."""

    val_time: float
    test_time: float
    train: NDArray[np.bool_]
    val: NDArray[np.bool_]
    test: NDArray[np.bool_]
    hidden: frozenset[int]


def split_chronologically(data: Interactions) -> Split:
    """DyGLib's split of ``data`` (see the module docstring)."""
    val_time, test_time = (float(q) for q in np.quantile(data.ts, [VAL_QUANTILE, TEST_QUANTILE]))
    src = data.src.tolist()
    dst = data.dst.tolist()
    nodes = set(src) | set(dst)
    after = data.ts > val_time
    # Built the way DyGLib builds it, so the set iterates in the same order.
    candidates = set(data.src[after].tolist()).union(set(data.dst[after].tolist()))
    count = min(int(HIDDEN_NODE_SHARE * len(nodes)), len(candidates))
    hidden = frozenset(random.Random(HIDDEN_NODE_SEED).sample(tuple(candidates), count))
    touches_hidden = np.fromiter(
        ((u in hidden or v in hidden) for u, v in zip(src, dst, strict=True)),
        dtype=np.bool_,
        count=len(src),
    )
    train = (data.ts <= val_time) & ~touches_hidden
    val = (data.ts > val_time) & (data.ts <= test_time)
    test = data.ts > test_time
    for name, mask in (("training", train), ("validation", val), ("test", test)):
        if not mask.any():
            raise InputError(
                f"the {name} period is empty: too many interactions share a time",
                where=data.source or None,
                hint="the split cuts at the 70% and 85% time quantiles; times must vary",
            )
    return Split(val_time, test_time, train, val, test, hidden)


def subset(data: Interactions, mask: NDArray[np.bool_]) -> Interactions:
    """The interactions where ``mask`` is true, in their order."""
    return Interactions(data.src[mask], data.dst[mask], data.ts[mask], data.source)


def batches(n: int, size: int = BATCH_SIZE) -> Iterator[slice]:
    """Consecutive slices of ``size`` over ``range(n)``, the last one shorter."""
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


class Pending:
    """Edges already scored that the model has not seen yet, handed to ``observe``
    when ``history`` lets the model see them."""

    def __init__(self, observe: Callable[..., None], history: History) -> None:
        if history not in HISTORIES:
            raise ValueError(f"unknown history {history!r}")
        self._observe = observe
        self._history = history
        self._held: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]] = []

    def hold(self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]) -> None:
        """Keep these scored edges (in time order) until the model may see them."""
        self._held.append((src, dst, ts))

    def before(self, t: float) -> None:
        """Hand over what the model may see when it scores at time ``t``: every held
        edge (``batch``, called at a batch's start) or those before ``t`` (``event``)."""
        if not self._held:
            return
        src, dst, ts = (np.concatenate(parts) for parts in zip(*self._held, strict=True))
        seen = len(ts) if self._history == "batch" else int(np.searchsorted(ts, t, side="left"))
        if seen:
            self._observe(src[:seen], dst[:seen], ts[:seen])
        self._held = [(src[seen:], dst[seen:], ts[seen:])] if seen < len(ts) else []

    def flush(self) -> None:
        """Hand over everything held."""
        self.before(np.inf)


def steps(ts: NDArray[np.float64], history: History) -> Iterator[slice]:
    """The slices of a batch (times ``ts``, in order) that are scored together and
    then observed: the whole batch for ``batch``, each run of equal times for
    ``event``."""
    if history not in HISTORIES:
        raise ValueError(f"unknown history {history!r}")
    if history == "batch" or len(ts) == 0:
        yield slice(0, len(ts))
        return
    starts = np.flatnonzero(np.r_[True, ts[1:] != ts[:-1]])
    ends = np.r_[starts[1:], len(ts)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield slice(start, end)


class NegativeSampler:
    """DyGLib's ``NegativeEdgeSampler`` for one period: one negative per positive.

    ``data`` is the whole data set (its distinct sources, destinations and
    edges over time); ``observed_until`` is the inductive cut. Batches must
    come in time order.
    """

    def __init__(
        self,
        data: Interactions,
        strategy: Negatives,
        *,
        seed: int,
        observed_until: float | None = None,
    ) -> None:
        if strategy not in NEGATIVES:
            raise ValueError(f"unknown negative sampling {strategy!r}")
        self.strategy = strategy
        self.sources = np.unique(data.src)
        self.destinations = np.unique(data.dst)
        self._rng = np.random.RandomState(seed)
        self._ts = data.ts
        self._edges: list[Edge] = list(zip(data.src.tolist(), data.dst.tolist(), strict=True))
        self._cursor = 0
        #: Distinct edges seen so far, in order of first appearance.
        self._seen: dict[Edge, None] = {}
        #: Of those, the ones not seen by ``observed_until`` (the inductive pool).
        self._unobserved: dict[Edge, None] = {}
        self._observed: set[Edge] = set()
        if strategy == "inductive":
            if observed_until is None:
                raise ValueError("inductive negatives need observed_until")
            cut = int(np.searchsorted(self._ts, observed_until, side="right"))
            self._observed = set(self._edges[:cut])
        self._source_set = set(self.sources.tolist())
        self._destination_set = set(self.destinations.tolist())

    def sample(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Negatives for the batch of positives ``src → dst`` at times ``ts``."""
        size = len(src)
        if self.strategy == "random":
            self._rng.randint(0, len(self.sources), size)  # DyGLib draws sources, then drops them
            picks = self._rng.randint(0, len(self.destinations), size)
            return src.copy(), self.destinations[picks]
        start, end = float(ts[0]), float(ts[-1])
        self._advance(start)
        lo = int(np.searchsorted(self._ts, start, side="left"))
        hi = int(np.searchsorted(self._ts, end, side="right"))
        in_batch_time = set(self._edges[lo:hi])
        pool_source = self._seen if self.strategy == "historical" else self._unobserved
        pool = [e for e in pool_source if e not in in_batch_time]
        if size <= len(pool):
            chosen = [pool[k] for k in self._rng.choice(len(pool), size=size, replace=False)]
        else:
            positives = set(zip(src.tolist(), dst.tolist(), strict=True))
            chosen = self._random_pairs(size - len(pool), positives) + pool
        neg = np.array(chosen, dtype=np.int64).reshape(-1, 2)
        return neg[:, 0].copy(), neg[:, 1].copy()

    def _advance(self, until: float) -> None:
        edges, ts = self._edges, self._ts
        k = self._cursor
        while k < len(edges) and ts[k] <= until:
            edge = edges[k]
            if edge not in self._seen:
                self._seen[edge] = None
                if self.strategy == "inductive" and edge not in self._observed:
                    self._unobserved[edge] = None
            k += 1
        self._cursor = k

    def _random_pairs(self, count: int, avoid: set[Edge]) -> list[Edge]:
        """``count`` pairs drawn uniformly from sources × destinations minus ``avoid``,
        without replacement while enough pairs exist (DyGLib's collision check)."""
        n_src, n_dst = len(self.sources), len(self.destinations)
        blocked = {e for e in avoid if e[0] in self._source_set and e[1] in self._destination_set}
        available = n_src * n_dst - len(blocked)
        distinct = available >= count
        chosen: list[Edge] = []
        taken: set[Edge] = set()
        while len(chosen) < count:
            flat = self._rng.randint(0, n_src * n_dst, count - len(chosen))
            for f in flat.tolist():
                edge = (int(self.sources[f // n_dst]), int(self.destinations[f % n_dst]))
                if edge in blocked and available > 0:
                    continue
                if distinct and edge in taken:
                    continue
                taken.add(edge)
                chosen.append(edge)
                if len(chosen) == count:
                    break
        return chosen


def average_precision(labels: NDArray[np.float64], scores: NDArray[np.float64]) -> float:
    """Average precision as scikit-learn computes it: Σ (Rₖ − Rₖ₋₁)·Pₖ over the
    distinct score thresholds, highest first (tied scores form one step)."""
    order = np.argsort(-scores, kind="mergesort")
    s = scores[order]
    y = labels[order]
    last_of_ties = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[last_of_ties]
    fp = last_of_ties + 1 - tp
    precision = tp / (tp + fp)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def roc_auc(labels: NDArray[np.float64], scores: NDArray[np.float64]) -> float:
    """Area under the ROC curve: the chance a positive outscores a negative, ties
    counting one half (Mann–Whitney with mid-ranks; equals scikit-learn's)."""
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(len(s), dtype=np.float64)
    starts = np.r_[0, np.nonzero(np.diff(s))[0] + 1]
    ends = np.r_[starts[1:], len(s)]
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        ranks[a:b] = (a + b + 1) / 2.0
    pos = labels[order] > 0
    n_pos = int(pos.sum())
    n_neg = len(s) - n_pos
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


class LinkPredictor(Protocol):
    """What the protocol needs of a model."""

    name: str
    #: What it has seen when it scores an edge (the module docstring).
    history: History

    def fit(self, train: Interactions) -> None:
        """Learn from the training edges, and remember them."""

    def observe(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        """Remember these edges (in time order)."""

    def score(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """How likely each ``src → dst`` is at ``ts``, from what was observed so far only."""


@dataclass(frozen=True)
class Result:
    """AP and ROC-AUC in percent, averaged over ``batches`` batches."""

    ap: float
    auc: float
    negatives: Negatives
    model: str
    batches: int
    seconds: float
    #: Edges in the file, and in the training (hidden nodes' removed), validation
    #: and scored periods; nodes hidden from training.
    interactions: int = 0
    train: int = 0
    val: int = 0
    scored: int = 0
    hidden: int = 0
    #: kith's training negatives (``random`` or ``matching``); EdgeBank's memory.
    train_negatives: str | None = None
    memory: str | None = None
    #: What the model had seen when it scored an edge (``History``).
    history: str = "batch"

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "ap": round(self.ap, 2),
            "auc": round(self.auc, 2),
            "negatives": self.negatives,
            "model": self.model,
            "batches": self.batches,
            "history": self.history,
        }
        if self.train_negatives is not None:
            data["train_negatives"] = self.train_negatives
        if self.memory is not None:
            data["memory"] = self.memory
        return data


def evaluate(
    data: Interactions,
    predictor: LinkPredictor,
    negatives: Negatives,
    *,
    period: Literal["test", "val"] = "test",
) -> Result:
    """Fit ``predictor`` on the training period, then score ``period`` batch by batch."""
    started = time.perf_counter()
    split = split_chronologically(data)
    predictor.fit(subset(data, split.train))
    if period == "test":
        val = subset(data, split.val)
        predictor.observe(val.src, val.dst, val.ts)
        sampler = NegativeSampler(
            data, negatives, seed=TEST_SAMPLER_SEED, observed_until=float(val.ts[-1])
        )
        scored = subset(data, split.test)
    else:
        last_train = float(data.ts[split.train][-1])
        sampler = NegativeSampler(data, negatives, seed=VAL_SAMPLER_SEED, observed_until=last_train)
        scored = subset(data, split.val)
    aps: list[float] = []
    aucs: list[float] = []
    pending = Pending(predictor.observe, predictor.history)
    for part in batches(len(scored)):
        src, dst, ts = scored.src[part], scored.dst[part], scored.ts[part]
        neg_src, neg_dst = sampler.sample(src, dst, ts)
        pos_scores = np.zeros(len(src))
        neg_scores = np.zeros(len(neg_src))
        for step in steps(ts, predictor.history):
            pending.before(float(ts[step][0]))
            pos_scores[step] = predictor.score(src[step], dst[step], ts[step])
            neg_scores[step] = predictor.score(neg_src[step], neg_dst[step], ts[step])
            pending.hold(src[step], dst[step], ts[step])
        labels = np.r_[np.ones(len(src)), np.zeros(len(neg_src))]
        scores = np.r_[pos_scores, neg_scores]
        aps.append(average_precision(labels, scores))
        aucs.append(roc_auc(labels, scores))
    pending.flush()
    return Result(
        ap=100.0 * float(np.mean(aps)),
        auc=100.0 * float(np.mean(aucs)),
        negatives=negatives,
        model=predictor.name,
        batches=len(aps),
        seconds=time.perf_counter() - started,
        interactions=len(data),
        train=int(split.train.sum()),
        val=int(split.val.sum()),
        scored=len(scored),
        hidden=len(split.hidden),
        history=predictor.history,
    )
