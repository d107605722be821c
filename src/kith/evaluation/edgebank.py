"""EdgeBank: the memorisation baseline of dynamic link prediction.

Poursafaei et al., "Towards Better Evaluation for Dynamic Link Prediction",
NeurIPS 2022, as DyGLib runs it (``models/EdgeBank.py``). It predicts 1 for a
directed pair ``src → dst`` in its memory and 0 otherwise. It has no
parameters and sees exactly what every model sees: the training edges (hidden
nodes' removed), the validation edges, then each test batch after it is
scored. The memory is read again before each batch from that whole history,
as DyGLib rebuilds it per batch. Four memories, DyGLib's:

- ``unlimited``: every pair seen at any earlier time;
- ``window``: pairs seen within the last stretch of history holding the test
  period's share of it — from the ``1 − 0.15`` time quantile of all history
  times to the last one (DyGLib's ``time_window_memory``, ``fixed_proportion``
  with ``time_window_proportion = test_ratio``);
- ``repeat-window``: pairs seen within the last ``w`` seconds, ``w`` the mean
  gap between repeats of a pair, summed over repeated pairs and divided by the
  number of *all* distinct pairs, as DyGLib divides it (``repeat_interval``);
- ``threshold``: pairs seen at least as often as the mean pair
  (``repeat_threshold_memory``).

DyGLib's published EdgeBank rows take, per data set and negative sampling, the
memory its configuration names (``load_configs.py``): on UCI ``unlimited`` for
random, ``window`` for historical, ``repeat-window`` for inductive; on Enron
``window``, ``repeat-window`` and ``threshold``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kith.evaluation.data import Interactions
from kith.evaluation.protocol import HISTORIES, TEST_QUANTILE, History

Memory = Literal["unlimited", "window", "repeat-window", "threshold"]
MEMORIES: tuple[Memory, ...] = ("unlimited", "window", "repeat-window", "threshold")
#: The memory of DyGLib's published EdgeBank rows on UCI, per negative sampling
#: (its ``load_configs.py``); on Enron: window, repeat-window, threshold.
DYGLIB_UCI_MEMORY: dict[str, Memory] = {
    "random": "unlimited",
    "historical": "window",
    "inductive": "repeat-window",
}
#: The ``window`` memory's share of history: the test period's (DyGLib's ``test_ratio``).
WINDOW_SHARE = 1.0 - TEST_QUANTILE


class _Seen:
    """One directed pair so far: how often, first and last time."""

    __slots__ = ("count", "first", "last")

    def __init__(self, t: float) -> None:
        self.count = 0
        self.first = t
        self.last = t


class EdgeBank:
    """Remember directed edges; score 1 for a pair in memory, else 0."""

    name = "edgebank"

    def __init__(self, memory: Memory = "unlimited", *, history: History = "batch") -> None:
        """EdgeBank with ``memory``, reading ``history`` (DyGLib's: each batch)."""
        if memory not in MEMORIES:
            raise ValueError(f"unknown EdgeBank memory {memory!r}")
        if history not in HISTORIES:
            raise ValueError(f"unknown history {history!r}")
        self.memory: Memory = memory
        self.history: History = history
        self._pairs: dict[tuple[int, int], _Seen] = {}
        self._times: list[float] = []

    def fit(self, train: Interactions) -> None:
        self.observe(train.src, train.dst, train.ts)

    def observe(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> None:
        pairs = self._pairs
        for u, v, t in zip(src.tolist(), dst.tolist(), ts.tolist(), strict=True):
            seen = pairs.get((u, v))
            if seen is None:
                seen = pairs[(u, v)] = _Seen(t)
            seen.count += 1
            seen.last = t
        self._times += ts.tolist()

    def score(
        self, src: NDArray[np.int64], dst: NDArray[np.int64], ts: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        pairs = self._pairs
        found = [pairs.get(uv) for uv in zip(src.tolist(), dst.tolist(), strict=True)]
        if self.memory == "threshold":
            least = self._mean_count()
            kept = [s is not None and s.count >= least for s in found]
        else:
            since = self._window_start()
            kept = [s is not None and s.last >= since for s in found]
        return np.asarray(kept, dtype=np.float64)

    def _window_start(self) -> float:
        """The earliest time still in memory (−∞ for the unlimited memory)."""
        if self.memory == "unlimited" or not self._times:
            return -np.inf
        if self.memory == "window":
            return float(np.quantile(np.asarray(self._times), 1.0 - WINDOW_SHARE))
        # Mean gap between consecutive repeats = (last − first) / (count − 1).
        gaps = sum((s.last - s.first) / (s.count - 1) for s in self._pairs.values() if s.count > 1)
        return max(self._times) - gaps / len(self._pairs)

    def _mean_count(self) -> float:
        return sum(s.count for s in self._pairs.values()) / max(len(self._pairs), 1)
