"""One evaluation run, as ``kith eval`` and the benchmark ask for it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from kith.evaluation.data import read_interactions
from kith.evaluation.edgebank import EdgeBank, Memory
from kith.evaluation.kith_model import KithPredictor, TrainNegatives
from kith.evaluation.protocol import History, LinkPredictor, Negatives, Result, evaluate

Model = Literal["kith", "edgebank"]
MODELS: tuple[Model, ...] = ("kith", "edgebank")


def make_predictor(
    model: Model,
    negatives: Negatives,
    *,
    train_negatives: TrainNegatives = "random",
    memory: Memory = "unlimited",
    history: History | None = None,
) -> LinkPredictor:
    """A fresh, unfitted model: kith's (trained on ``train_negatives``) or EdgeBank
    (with ``memory``), reading ``history`` (None: as DyGLib runs that kind of
    model: kith's, like its neighbour-sampling models, every edge before each
    edge's time; EdgeBank each batch's)."""
    if model == "edgebank":
        return EdgeBank(memory, history=history or "batch")
    return KithPredictor(negatives, train_negatives=train_negatives, history=history or "event")


def run(
    path: Path,
    negatives: Negatives,
    model: Model = "kith",
    *,
    train_negatives: TrainNegatives = "random",
    memory: Memory = "unlimited",
    history: History | None = None,
) -> tuple[Result, LinkPredictor]:
    """Read ``path``, run the DyGLib protocol with ``model``; the result (labelled
    with kith's training negatives or EdgeBank's memory) and the fitted model."""
    data = read_interactions(path)
    predictor = make_predictor(
        model, negatives, train_negatives=train_negatives, memory=memory, history=history
    )
    result = evaluate(data, predictor, negatives)
    if isinstance(predictor, EdgeBank):
        return replace(result, memory=predictor.memory), predictor
    if isinstance(predictor, KithPredictor):
        return replace(result, train_negatives=predictor.train_negatives), predictor
    return result, predictor
