"""Predicting the next interactions: kith's tie-feature model against EdgeBank
and the published table, on the DyGLib protocol (`kith eval`).

For UCI and the two email-Eu-core departments, each negative sampling (random,
historical, inductive): AP and AUC (percent, averaged over test batches of
200) of kith's model trained on random negatives (as DyGLib trains every
model: the like-for-like figure), reading every edge before each edge's time
(as DyGLib's neighbour-sampling models read) and, beside it, only the edges
before each batch; of kith's model trained on negatives matching the
evaluated kind (not comparable with the published table); and of EdgeBank
with each of DyGLib's four memories, with the seconds each kith run took
(reading, fitting and scoring). UCI is printed beside the published DyGLib
figures. Then two checks on UCI:

- EdgeBank (unlimited memory) reading every edge before each edge's time, as
  kith's model does, against its batch-by-batch figure in the table;
- with ``--regimes``: kith's model fitted with each choice of training
  negatives, scored on the *validation* period (how TRAINING_NEGATIVES was
  chosen for ``--train-negatives matching``; the first row is the
  like-for-like model's validation figure).

Run: ``.venv/bin/python bench/bench_eval.py [--regimes]``
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from kith.evaluation.data import read_interactions
from kith.evaluation.edgebank import DYGLIB_UCI_MEMORY, MEMORIES, EdgeBank
from kith.evaluation.kith_model import KithPredictor
from kith.evaluation.protocol import (
    NEGATIVES,
    Negatives,
    evaluate,
    split_chronologically,
)
from kith.evaluation.published import published_for

SHARED = Path(
    os.environ.get("KITH_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
TEMPORAL = SHARED / "temporal"
DATASETS = {
    "UCI": TEMPORAL / "ml_uci.csv",
    "Eu-core Dept1": TEMPORAL / "email-Eu-core-temporal-Dept1.txt",
    "Eu-core Dept2": TEMPORAL / "email-Eu-core-temporal-Dept2.txt",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--regimes", action="store_true", help="compare training negatives")
    args = parser.parse_args()
    data = {name: read_interactions(path) for name, path in DATASETS.items()}
    for name, d in data.items():
        split = split_chronologically(d)
        print(
            f"{name}: {len(d):,} interactions, {len(set(d.src) | set(d.dst)):,} nodes; "
            f"train {int(split.train.sum()):,} ({len(split.hidden)} nodes hidden), "
            f"val {int(split.val.sum()):,}, test {int(split.test.sum()):,}"
        )
    print()
    print(
        "| data | negatives | kith, random training (AP / AUC) | s "
        "| kith, random training, batch history | kith, matching training (not comparable) | "
        + " | ".join(f"EdgeBank {m}" for m in MEMORIES)
        + " |"
    )
    print("|---|---|---|---:|---|---|" + "---|" * len(MEMORIES))
    total = time.perf_counter()
    for name, d in data.items():
        for negatives in NEGATIVES:
            kith = evaluate(d, KithPredictor(negatives), negatives)
            batch = evaluate(d, KithPredictor(negatives, history="batch"), negatives)
            matching = evaluate(d, KithPredictor(negatives, train_negatives="matching"), negatives)
            banks = [evaluate(d, EdgeBank(m), negatives) for m in MEMORIES]
            print(
                f"| {name} | {negatives} | {kith.ap:.2f} / {kith.auc:.2f} | {kith.seconds:.1f} "
                f"| {batch.ap:.2f} / {batch.auc:.2f} | {matching.ap:.2f} / {matching.auc:.2f} | "
                + " | ".join(f"{b.ap:.2f} / {b.auc:.2f}" for b in banks)
                + " |",
                flush=True,
            )
    print(f"\nall runs: {time.perf_counter() - total:.0f} s\n")

    print("Published on UCI (DyGLib; * = TPNet's own runs or method, not DyGLib):\n")
    print(
        "| negatives | EdgeBank AP / AUC (DyGLib's memory) | best DyGLib AP (AUC) "
        "| best in table AP (AUC) |"
    )
    print("|---|---|---|---|")
    for negatives in NEGATIVES:
        rows = published_for(negatives)
        bank = next(p for p in rows if p.model == "EdgeBank")
        best = max((p for p in rows if p.dyglib), key=lambda p: p.ap)
        top = max(rows, key=lambda p: p.ap)
        star = "" if top.dyglib else "*"
        print(
            f"| {negatives} | {bank.ap:.2f} / {bank.auc:.2f} ({DYGLIB_UCI_MEMORY[negatives]}) "
            f"| {best.model} {best.ap:.2f} ± {best.ap_std:.2f} ({best.auc:.2f}) "
            f"| {top.model}{star} {top.ap:.2f} ± {top.ap_std:.2f} ({top.auc:.2f}) |"
        )

    uci = data["UCI"]
    print("\nEdgeBank (unlimited memory) on UCI, reading every edge before each edge's time:\n")
    print("| negatives | AP | AUC |")
    print("|---|---:|---:|")
    for negatives in NEGATIVES:
        r = evaluate(uci, EdgeBank(history="event"), negatives)
        print(f"| {negatives} | {r.ap:.2f} | {r.auc:.2f} |")

    if args.regimes:
        print("\nTraining negatives, scored on UCI's validation period (AP / AUC):\n")
        regimes: list[tuple[Negatives, ...]] = [
            ("random",),
            ("historical",),
            ("random", "historical"),
            ("inductive",),
            ("inductive", "historical"),
        ]
        print("| training negatives | " + " | ".join(NEGATIVES) + " |")
        print("|---|---|---|---|")
        for training in regimes:  # inductive ones: batches after the training median only
            cells = []
            for negatives in NEGATIVES:
                model = KithPredictor(negatives, training=training)
                r = evaluate(uci, model, negatives, period="val")
                cells.append(f"{r.ap:.2f} / {r.auc:.2f}")
            print(f"| {' + '.join(training)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
