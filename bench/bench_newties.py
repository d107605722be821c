"""kith's network score against the baselines on the new-ties protocol, and how
its constants were chosen.

``--choose`` runs on the earlier split only (past: first 50% of interactions
by time quantile; truth: new pairs in the next 20%) on UCI and both
email-Eu-core departments. The network score's weights are fitted on each
graph's own earlier history (``kith.connect.network.fit_network_model``); the
grid is the fitting cut (share of ties begun) × the L2 penalty, each printed
with precision@100, AP and the positives the fit learnt from, and the
geometric mean of AP relative to Adamic–Adar (networkx); the fixed constants
(the fallback) are printed first. The setting with the best mean is what
``kith.connect.network`` ships. Without ``--choose``, the test split (70% →
end), exactly as ``kith eval --task new-ties`` runs it, with the fixed
constants beside it.

    .venv/bin/python bench/bench_newties.py --choose
    .venv/bin/python bench/bench_newties.py
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
import time
from pathlib import Path

from kith.connect.network import fit_network_model, fixed_model, network_scores
from kith.evaluation.data import read_interactions
from kith.evaluation.newties import (
    DEFAULT_K,
    METHODS,
    baseline_scores,
    ranking_figures,
    run_new_ties,
    split,
)

SHARED = Path(
    os.environ.get("KITH_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
DATA = SHARED / "temporal"
FILES = ("ml_uci.csv", "email-Eu-core-temporal-Dept1.txt", "email-Eu-core-temporal-Dept2.txt")
#: The grid: the fitting cut (share of the ties begun before it), the L2 penalty.
TIE_SHARE = (0.7, 0.8, 0.9)
L2 = (1.0, 10.0, 100.0)


def choose() -> None:
    splits = {}
    for name in FILES:
        data = read_interactions(DATA / name)
        s = split(data, past_share=0.5, end_share=0.7)
        aa = ranking_figures(baseline_scores(s)["adamic_adar"], s.truth, DEFAULT_K)
        splits[name] = (s, aa)
        print(
            f"{name}: {len(s.rows):,} candidates, {int(s.truth.sum()):,} positives; "
            f"adamic_adar P@100 {aa['precision_at_k']:.1f} AP {aa['ap']:.2f}"
        )
    print(" " * 24 + "(P@100 AP (fit positives) | UCI | Dept1 | Dept2)")
    best = None
    for setting in [None, *itertools.product(TIE_SHARE, L2)]:
        ratios = []
        cells = []
        for s, aa in splits.values():
            if setting is None:
                model = fixed_model()
            else:
                model = fit_network_model(
                    s.graph, s.cut, s.span, tie_share=setting[0], l2=setting[1]
                )
            scores = network_scores(s.graph, s.rows, s.cols, s.cut, s.span, model=model)
            fig = ranking_figures(scores, s.truth, DEFAULT_K)
            ratios.append(fig["ap"] / aa["ap"])
            learnt = str(model.positives) if model.fitted else "fixed"
            cells.append(f"{fig['precision_at_k']:5.1f} {fig['ap']:6.2f} ({learnt:>5})")
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        label = "fixed constants" if setting is None else f"ties {setting[0]:<4} L2 {setting[1]:<6}"
        print(f"{label:<22} | " + " | ".join(cells) + f" | AP/AA geometric mean {mean:.3f}")
        if setting is not None and (best is None or mean > best[0]):
            best = (mean, *setting)
    assert best is not None
    print(f"best: fitting cut at {best[1]} of the ties, L2 {best[2]} (mean {best[0]:.3f})")


def test_split() -> None:
    for name in FILES:
        started = time.perf_counter()
        result = run_new_ties(read_interactions(DATA / name))
        print(
            f"{name}: candidates {result.candidates:,}, positives {result.positives:,} "
            f"(new pairs {result.new_pairs:,}) in {time.perf_counter() - started:.1f} s"
        )
        for m in METHODS:
            f = result.scores[m]
            print(f"  {m:<18} P@{result.k} {f['precision_at_k']:6.2f}  AP {f['ap']:6.2f}")
        s = split(read_interactions(DATA / name))
        fixed = network_scores(s.graph, s.rows, s.cols, s.cut, s.span, model=fixed_model())
        f = ranking_figures(fixed, s.truth, result.k)
        print(f"  {'kith, fixed':<18} P@{result.k} {f['precision_at_k']:6.2f}  AP {f['ap']:6.2f}")
        model = fit_network_model(s.graph, s.cut, s.span)
        learnt = f"{model.positives:,} of {model.examples:,}" if model.fitted else "fixed constants"
        print(f"  kith's weights learnt from: {learnt}")
        for feature, weight in model.explain():
            print(f"    {feature:<20} {weight:+.2f}")
        ratio = result.scores["kith"]["precision_at_k"] / max(
            result.scores["adamic_adar"]["precision_at_k"], 1e-9
        )
        print(f"  kith / adamic_adar, precision@{result.k}: {ratio:.2f}x (target 1.2x)")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--choose", action="store_true", help="the grid on the 50%% → 70%% split")
    args = parser.parse_args(argv)
    choose() if args.choose else test_split()


if __name__ == "__main__":
    main(sys.argv[1:])
