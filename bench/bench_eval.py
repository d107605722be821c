"""Predicting the next interactions: kith's tie-feature model against EdgeBank
and the published table, on the DyGLib protocol (`kith eval`).

For UCI and the two email-Eu-core departments, each negative sampling (random,
historical, inductive): AP and AUC (percent, averaged over test batches of
200) of kith's model and of EdgeBank (unlimited memory), and the seconds each
run took (reading, fitting and scoring). UCI is printed beside the published
DyGLib figures. Then three checks of the protocol on UCI:

- EdgeBank with the memories DyGLib tunes per setting (our reading of its
  configs: a time window of the last 15% of history for historical negatives,
  a repeat threshold for inductive ones), against the published EdgeBank;
- EdgeBank fed event by event (each edge sees every earlier edge, also those
  earlier in its own batch): the information DyGLib's neighbour-sampling
  models have at test time, which the batch rule denies kith and EdgeBank;
- with ``--regimes``: kith's model fitted with each choice of training
  negatives, scored on the *validation* period (how TRAINING_NEGATIVES was
  chosen).

Run: ``.venv/bin/python bench/bench_eval.py [--regimes]``
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from kith.evaluation.data import Interactions, read_interactions
from kith.evaluation.edgebank import EdgeBank
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

TEMPORAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "temporal"
DATASETS = {
    "UCI": TEMPORAL / "ml_uci.csv",
    "Eu-core Dept1": TEMPORAL / "email-Eu-core-temporal-Dept1.txt",
    "Eu-core Dept2": TEMPORAL / "email-Eu-core-temporal-Dept2.txt",
}
#: DyGLib's EdgeBank time window: the last ``test_ratio`` (15%) of history.
WINDOW_SHARE = 0.15


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
    print("| data | negatives | kith AP | kith AUC | s | EdgeBank AP | EdgeBank AUC | s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    total = time.perf_counter()
    for name, d in data.items():
        for negatives in NEGATIVES:
            kith = evaluate(d, KithPredictor(negatives), negatives)
            bank = evaluate(d, EdgeBank(), negatives)
            print(
                f"| {name} | {negatives} | {kith.ap:.2f} | {kith.auc:.2f} | {kith.seconds:.1f} "
                f"| {bank.ap:.2f} | {bank.auc:.2f} | {bank.seconds:.1f} |",
                flush=True,
            )
    print(f"\nall 18 runs: {time.perf_counter() - total:.0f} s\n")

    print("Published on UCI (DyGLib; * = TPNet's own runs or method, not DyGLib):\n")
    print("| negatives | EdgeBank AP / AUC | best DyGLib AP (AUC) | best in table AP (AUC) |")
    print("|---|---|---|---|")
    for negatives in NEGATIVES:
        rows = published_for(negatives)
        bank = next(p for p in rows if p.model == "EdgeBank")
        best = max((p for p in rows if p.dyglib), key=lambda p: p.ap)
        top = max(rows, key=lambda p: p.ap)
        star = "" if top.dyglib else "*"
        print(
            f"| {negatives} | {bank.ap:.2f} / {bank.auc:.2f} "
            f"| {best.model} {best.ap:.2f} ± {best.ap_std:.2f} ({best.auc:.2f}) "
            f"| {top.model}{star} {top.ap:.2f} ± {top.ap_std:.2f} ({top.auc:.2f}) |"
        )

    uci = data["UCI"]
    print("\nProtocol checks on UCI (EdgeBank variants):\n")
    print("| EdgeBank memory | negatives | AP | AUC | published AP / AUC |")
    print("|---|---|---:|---:|---|")
    for negatives, memory in (("historical", "window"), ("inductive", "threshold")):
        ap, auc = edgebank_variant(uci, negatives, memory=memory)
        bank = next(p for p in published_for(negatives) if p.model == "EdgeBank")
        print(f"| {memory} | {negatives} | {ap:.2f} | {auc:.2f} | {bank.ap:.2f} / {bank.auc:.2f} |")
    for negatives in NEGATIVES:
        ap, auc = edgebank_variant(uci, negatives, memory="unlimited", event_level=True)
        print(f"| unlimited, event by event | {negatives} | {ap:.2f} | {auc:.2f} | — |")

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


def edgebank_variant(
    data: Interactions, negatives: Negatives, *, memory: str, event_level: bool = False
) -> tuple[float, float]:
    """EdgeBank on the test period with another memory, or fed event by event.

    ``window``: pairs seen in the last 15% of history by time quantile;
    ``threshold``: pairs seen at least as often as the average pair.
    """
    split = split_chronologically(data)
    seen = split.train | split.val
    src, dst, ts = data.src[seen].tolist(), data.dst[seen].tolist(), data.ts[seen].tolist()
    test = subset(data, split.test)
    sampler = NegativeSampler(
        data, negatives, seed=TEST_SAMPLER_SEED, observed_until=float(data.ts[split.val][-1])
    )
    aps, aucs = [], []
    for part in batches(len(test)):
        b_src, b_dst, b_ts = test.src[part], test.dst[part], test.ts[part]
        neg_src, neg_dst = sampler.sample(b_src, b_dst, b_ts)
        if event_level:
            pos, neg = [], []
            known = set(zip(src, dst, strict=True))
            pending = 0
            for k in range(len(b_src)):
                while pending < k and b_ts[pending] < b_ts[k]:
                    known.add((int(b_src[pending]), int(b_dst[pending])))
                    pending += 1
                pos.append((int(b_src[k]), int(b_dst[k])) in known)
                neg.append((int(neg_src[k]), int(neg_dst[k])) in known)
        else:
            known = remembered(src, dst, ts, memory)
            pos = [(u, v) in known for u, v in zip(b_src.tolist(), b_dst.tolist(), strict=True)]
            neg = [(u, v) in known for u, v in zip(neg_src.tolist(), neg_dst.tolist(), strict=True)]
        labels = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
        scores = np.r_[pos, neg].astype(np.float64)
        aps.append(average_precision(labels, scores))
        aucs.append(roc_auc(labels, scores))
        src += b_src.tolist()
        dst += b_dst.tolist()
        ts += b_ts.tolist()
    return 100 * float(np.mean(aps)), 100 * float(np.mean(aucs))


def remembered(
    src: list[int], dst: list[int], ts: list[float], memory: str
) -> set[tuple[int, int]]:
    if memory == "window":
        start = float(np.quantile(ts, 1 - WINDOW_SHARE))
        return {(u, v) for u, v, t in zip(src, dst, ts, strict=True) if t >= start}
    if memory == "threshold":
        counts = Counter(zip(src, dst, strict=True))
        average = sum(counts.values()) / len(counts)
        return {pair for pair, n in counts.items() if n >= average}
    return set(zip(src, dst, strict=True))


if __name__ == "__main__":
    main()
