"""One evaluation run, as ``kith eval`` and the benchmark ask for it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from kith.evaluation.data import read_interactions
from kith.evaluation.edgebank import EdgeBank
from kith.evaluation.kith_model import KithPredictor
from kith.evaluation.protocol import LinkPredictor, Negatives, Result, evaluate

Model = Literal["kith", "edgebank"]
MODELS: tuple[Model, ...] = ("kith", "edgebank")


def make_predictor(model: Model, negatives: Negatives) -> LinkPredictor:
    """A fresh, unfitted model: kith's (fitted for ``negatives``) or EdgeBank."""
    if model == "edgebank":
        return EdgeBank()
    return KithPredictor(negatives)


def run(path: Path, negatives: Negatives, model: Model = "kith") -> tuple[Result, LinkPredictor]:
    """Read ``path``, run the DyGLib protocol with ``model``; the result and the fitted model."""
    data = read_interactions(path)
    predictor = make_predictor(model, negatives)
    return evaluate(data, predictor, negatives), predictor
