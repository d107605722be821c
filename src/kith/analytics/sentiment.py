"""Valence of what people write: VADER's compound score of each stored body.

Hutto & Gilbert 2014 (VADER, a lexicon and rules tuned on social media text):
``compound`` is in [-1, 1]; at or below -0.05 counts as negative, at or above
0.05 as positive (the authors' convention). Scored once per interaction, when
it enters the analytics mirror; bodies of my own messages and empty bodies
(metadata-only ledgers) get no score.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from kith.errors import KithError


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:  # pragma: no cover - a core dependency
        raise KithError(
            "sentiment needs the vaderSentiment package",
            hint="pip install vaderSentiment (it comes with kith)",
        ) from None
    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score of ``text``."""
    return float(_analyzer().polarity_scores(text)["compound"])


def score_column(bodies: pa.Array) -> pa.Array:
    """A float64 column: the compound score of each non-empty body, else null."""
    present = pc.fill_null(pc.greater(pc.utf8_length(bodies), 0), False)
    if not pc.any(present).as_py():
        return pa.nulls(len(bodies), pa.float64())
    texts = bodies.to_pylist()
    flags = present.to_pylist()
    return pa.array(
        [compound(t) if f else None for t, f in zip(texts, flags, strict=True)], pa.float64()
    )
