"""kith's model in the protocol: tie features (``kith.relate.linkpred``) and a
logistic regression fitted on the training period."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kith.evaluation.data import Interactions
from kith.evaluation.protocol import NegativeSampler, Negatives, batches
from kith.relate.linkpred import LogisticModel, TieHistory

#: Seed of the training negatives (DyGLib leaves its training sampler unseeded).
TRAIN_SAMPLER_SEED = 1


class KithPredictor:
    """Features from the past only; weights fitted on the training period with
    negatives drawn as ``train_negatives`` says."""

    name = "kith"

    def __init__(self, train_negatives: Negatives = "random") -> None:
        self.train_negatives = train_negatives
        self.history = TieHistory()
        self.model: LogisticModel | None = None

    def fit(self, train: Interactions) -> None:
        sampler = NegativeSampler(
            train,
            self.train_negatives,
            seed=TRAIN_SAMPLER_SEED,
            observed_until=float(np.quantile(train.ts, 0.5)),
        )
        rows: list[NDArray[np.float64]] = []
        for part in batches(len(train)):
            src, dst, ts = train.src[part], train.dst[part], train.ts[part]
            neg_src, neg_dst = sampler.sample(src, dst, ts)
            rows.append(self.history.matrix(src, dst, ts))
            rows.append(self.history.matrix(neg_src, neg_dst, ts))
            self.history.add_many(src, dst, ts)
        x = np.concatenate(rows)
        y = np.concatenate(
            [np.full(len(r), 1.0 if k % 2 == 0 else 0.0) for k, r in enumerate(rows)]
        )
        self.model = LogisticModel.fit(x, y)

    def observe(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        self.history.add_many(src, dst, ts)

    def score(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        assert self.model is not None, "fit first"
        return self.model.log_odds(self.history.matrix(src, dst, ts))
