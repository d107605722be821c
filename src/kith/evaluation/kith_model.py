"""kith's model in the protocol: the tie features of ``kith.relate.linkpred`` and
a logistic regression fitted on the training period.

Fitting streams the training edges (hidden nodes' removed) in batches of 200,
as the test does: each positive gets negatives, each row's features are read
from the edges before it (``history``: by default every edge before its own
time, as DyGLib's neighbour-sampling models read theirs; or the edges before
its batch), then the edges are added. So the model learns from rows read
exactly as the scored ones are.

DyGLib trains every model with random negatives only, and so does kith by
default (``train_negatives="random"``): the like-for-like comparison with the
published table. ``train_negatives="matching"`` fits one model per evaluation
setting instead, with training negatives chosen on UCI's validation period —
not comparable with the published table, kept to show what knowing the test's
kind of negative is worth (docs/design.md has the table):

- random evaluation: random training negatives;
- historical: one random and one historical negative per positive;
- inductive: one inductive and one historical negative per positive, the
  inductive ones drawn as the test draws them but with the cut at the
  training period's median time (edges first seen after it; DyGLib's fallback
  to random pairs while there are too few), learning from the batches after
  the cut only.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kith.evaluation.data import Interactions
from kith.evaluation.protocol import (
    History,
    Negatives,
    NegativeSampler,
    Pending,
    batches,
    steps,
)
from kith.relate.linkpred import LogisticModel, TieHistory

#: Seed of the training negatives (DyGLib leaves its training sampler unseeded).
TRAIN_SAMPLER_SEED = 1
#: Inductive training negatives: edges first seen after this quantile of the
#: training times, as the test's are edges first seen after validation; only
#: the batches after it are learnt from.
INDUCTIVE_TRAINING_CUT = 0.5
TrainNegatives = Literal["random", "matching"]
#: ``random``: DyGLib's training (like for like); ``matching``: one model per setting.
TRAIN_NEGATIVES: tuple[TrainNegatives, ...] = ("random", "matching")
#: ``matching``'s training negatives for each evaluation setting (chosen on the
#: validation period).
TRAINING_NEGATIVES: dict[Negatives, tuple[Negatives, ...]] = {
    "random": ("random",),
    "historical": ("random", "historical"),
    "inductive": ("inductive", "historical"),
}


class KithPredictor:
    """Tie features from the past only, weighed by a logistic regression."""

    name = "kith"

    def __init__(
        self,
        negatives: Negatives = "random",
        *,
        train_negatives: TrainNegatives = "random",
        training: tuple[Negatives, ...] | None = None,
        history: History = "event",
    ) -> None:
        """A model for evaluation with ``negatives``, trained on random negatives
        or on those ``TRAINING_NEGATIVES`` matches to ``negatives``; ``training``
        overrides both (for comparing them). ``history``: what it has seen when
        it reads a row, in training and when scoring (``kith.evaluation.protocol``)."""
        if train_negatives not in TRAIN_NEGATIVES:
            raise ValueError(f"unknown training negatives {train_negatives!r}")
        self.history: History = history
        self.train_negatives: TrainNegatives = train_negatives
        matching = TRAINING_NEGATIVES[negatives] if train_negatives == "matching" else None
        self.training_negatives = training or matching or ("random",)
        self.ties = TieHistory()
        self.model: LogisticModel | None = None

    def fit(self, train: Interactions) -> None:
        cut = float(np.quantile(train.ts, INDUCTIVE_TRAINING_CUT))
        samplers = [
            NegativeSampler(train, kind, seed=TRAIN_SAMPLER_SEED + k, observed_until=cut)
            for k, kind in enumerate(self.training_negatives)
        ]
        inductive = "inductive" in self.training_negatives
        rows: list[NDArray[np.float64]] = []
        labels: list[NDArray[np.float64]] = []
        pending = Pending(self.ties.add_many, self.history)
        for part in batches(len(train)):
            src, dst, ts = train.src[part], train.dst[part], train.ts[part]
            if inductive and ts[0] <= cut:
                pending.hold(src, dst, ts)
                continue
            negatives = [sampler.sample(src, dst, ts) for sampler in samplers]
            for step in steps(ts, self.history):
                pending.before(float(ts[step][0]))
                rows.append(self.ties.matrix(src[step], dst[step], ts[step]))
                labels.append(np.ones(len(src[step])))
                for neg_src, neg_dst in negatives:
                    rows.append(self.ties.matrix(neg_src[step], neg_dst[step], ts[step]))
                    labels.append(np.zeros(len(neg_src[step])))
                pending.hold(src[step], dst[step], ts[step])
        pending.flush()
        self.model = LogisticModel.fit(np.concatenate(rows), np.concatenate(labels))

    def observe(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        self.ties.add_many(src, dst, ts)

    def score(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        if self.model is None:
            raise RuntimeError("KithPredictor.score before fit")
        return self.model.log_odds(self.ties.matrix(src, dst, ts))
