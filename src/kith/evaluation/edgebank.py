"""EdgeBank: the memorisation baseline of dynamic link prediction.

Poursafaei et al., "Towards Better Evaluation for Dynamic Link Prediction",
NeurIPS 2022 (as used in DyGLib). With unlimited memory it predicts 1 for a
directed pair ``src → dst`` seen at any earlier time and 0 otherwise. It has no
parameters and sees exactly what every model sees: the training edges (hidden
nodes' removed), the validation edges, then each test batch after it is scored.

DyGLib also tunes EdgeBank's memory per data set and negative type (a time
window, or a repeat threshold); only the unlimited memory is kept here, the
baseline the issue names.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from kith.evaluation.data import Interactions


class EdgeBank:
    """Remember every directed edge; score 1 for a remembered pair, else 0."""

    name = "edgebank"

    def __init__(self) -> None:
        self._memory: set[tuple[int, int]] = set()

    def fit(self, train: Interactions) -> None:
        self.observe(train.src, train.dst, train.ts)

    def observe(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        self._memory.update(zip(src.tolist(), dst.tolist(), strict=True))

    def score(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        memory = self._memory
        return np.fromiter(
            ((u, v) in memory for u, v in zip(src.tolist(), dst.tolist(), strict=True)),
            dtype=np.float64,
            count=len(src),
        )
