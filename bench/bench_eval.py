"""Predicting the next interactions: kith's tie-feature model against EdgeBank
and the published table, on the DyGLib protocol (`kith eval`).

For UCI and the two email-Eu-core departments, each negative sampling (random,
historical, inductive): AP and AUC (percent, averaged over test batches of
200) of kith's model trained on random negatives (as DyGLib trains every
model: the like-for-like figure), of kith's model trained on negatives
matching the evaluated kind (not comparable with the published table), and
of EdgeBank with each of DyGLib's four memories, with the seconds each kith
run took (reading, fitting and scoring). UCI is printed beside the published
DyGLib figures. Then two checks on UCI:

- EdgeBank fed event by event (each edge sees every earlier edge, also those
  earlier in its own batch): the information DyGLib's neighbour-sampling
  models have at test time, which the batch rule denies kith and EdgeBank;
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

import numpy as np

from kith.evaluation.data import Interactions, read_interactions
from kith.evaluation.edgebank import DYGLIB_UCI_MEMORY, MEMORIES, EdgeBank
from kith.evaluation.kith_model import KithPredictor
from kith.evaluation.protocol import (
    NEGATIVES,
    TEST_SAMPLER_SEED,
    Negatives,
    NegativeSampler,
    average_precision,
    batches,
    evaluate,
    roc_auc,
    split_chronologically,
    subset,
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
        "| kith, matching training (not comparable) | "
        + " | ".join(f"EdgeBank {m}" for m in MEMORIES)
        + " |"
    )
    print("|---|---|---|---:|---|" + "---|" * len(MEMORIES))
    total = time.perf_counter()
    for name, d in data.items():
        for negatives in NEGATIVES:
            kith = evaluate(d, KithPredictor(negatives), negatives)
            matching = evaluate(d, KithPredictor(negatives, train_negatives="matching"), negatives)
            banks = [evaluate(d, EdgeBank(m), negatives) for m in MEMORIES]
            print(
                f"| {name} | {negatives} | {kith.ap:.2f} / {kith.auc:.2f} | {kith.seconds:.1f} "
                f"| {matching.ap:.2f} / {matching.auc:.2f} | "
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
    print("\nEdgeBank (unlimited memory) fed event by event on UCI:\n")
    print("| negatives | AP | AUC |")
    print("|---|---:|---:|")
    for negatives in NEGATIVES:
        ap, auc = edgebank_event_by_event(uci, negatives)
        print(f"| {negatives} | {ap:.2f} | {auc:.2f} |")

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


def edgebank_event_by_event(data: Interactions, negatives: Negatives) -> tuple[float, float]:
    """EdgeBank (unlimited memory) on the test period, each edge seeing every earlier one."""
    split = split_chronologically(data)
    seen = split.train | split.val
    src, dst = data.src[seen].tolist(), data.dst[seen].tolist()
    test = subset(data, split.test)
    sampler = NegativeSampler(
        data, negatives, seed=TEST_SAMPLER_SEED, observed_until=float(data.ts[split.val][-1])
    )
    aps, aucs = [], []
    for part in batches(len(test)):
        b_src, b_dst, b_ts = test.src[part], test.dst[part], test.ts[part]
        neg_src, neg_dst = sampler.sample(b_src, b_dst, b_ts)
        pos, neg = [], []
        known = set(zip(src, dst, strict=True))
        pending = 0
        for k in range(len(b_src)):
            while pending < k and b_ts[pending] < b_ts[k]:
                known.add((int(b_src[pending]), int(b_dst[pending])))
                pending += 1
            pos.append((int(b_src[k]), int(b_dst[k])) in known)
            neg.append((int(neg_src[k]), int(neg_dst[k])) in known)
        labels = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        scores = np.r_[pos, neg].astype(np.float64)
        aps.append(average_precision(labels, scores))
        aucs.append(roc_auc(labels, scores))
        src += b_src.tolist()
        dst += b_dst.tolist()
    return 100 * float(np.mean(aps)), 100 * float(np.mean(aucs))


if __name__ == "__main__":
    main()
