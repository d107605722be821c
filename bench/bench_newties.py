"""kith's network score against the baselines on the new-ties protocol, and how
its constants were chosen.

``--choose`` runs the grid on the earlier split only (past: first 50% of
interactions by time quantile; truth: new pairs in the next 20%) on UCI and
both email-Eu-core departments, and prints each setting's AP relative to
Adamic–Adar (networkx) and the geometric mean of those ratios; the setting with
the best mean is what ``kith.connect.network`` ships. Without it, the test
split (70% → end), exactly as ``kith eval --task new-ties`` runs it.

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

from kith.connect.network import network_scores
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
#: The grid: recency half-life share, novelty exponent (novelty half-life share fixed).
RECENCY = (0.05, 0.2, 1.0)
EXPONENT = (0.0, 0.25, 0.5)
NOVELTY = 0.05


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
    best = None
    for recency, exponent in itertools.product(RECENCY, EXPONENT):
        ratios = []
        cells = []
        for s, aa in splits.values():
            scores = network_scores(
                s.graph,
                s.rows,
                s.cols,
                s.cut,
                s.span,
                recency_share=recency,
                novelty_share=NOVELTY,
                novelty_exponent=exponent,
            )
            fig = ranking_figures(scores, s.truth, DEFAULT_K)
            ratios.append(fig["ap"] / aa["ap"])
            cells.append(f"{fig['precision_at_k']:5.1f} {fig['ap']:6.2f}")
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(
            f"recency {recency:<5} exponent {exponent:<5} | "
            + " | ".join(cells)
            + f" | AP/AA geometric mean {mean:.3f}"
        )
        if best is None or mean > best[0]:
            best = (mean, recency, exponent)
    assert best is not None
    print(f"best: recency share {best[1]}, novelty exponent {best[2]} (mean {best[0]:.3f})")


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
