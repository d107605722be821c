"""The DyGLib protocol behind `kith eval`: the split, the hidden nodes, the
negatives, the batches, EdgeBank and the metrics on hand-made cases, the
messages for bad input, and one run on UCI against the published figures."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from kith.cli import cli
from kith.evaluation.data import Interactions, read_interactions
from kith.evaluation.edgebank import EdgeBank
from kith.evaluation.kith_model import KithPredictor
from kith.evaluation.protocol import (
    BATCH_SIZE,
    NegativeSampler,
    average_precision,
    evaluate,
    roc_auc,
    split_chronologically,
)
from kith.evaluation.published import UCI_TRANSDUCTIVE
from kith.relate.linkpred import FEATURE_NAMES, FEATURES, TieHistory


def synthetic(n_edges: int = 2000, n_nodes: int = 60, seed: int = 7) -> Interactions:
    """A small network with one edge per second; later nodes join over time, and
    pairs repeat (so EdgeBank and kith have something to remember)."""
    rng = np.random.default_rng(seed)
    src = np.empty(n_edges, dtype=np.int64)
    dst = np.empty(n_edges, dtype=np.int64)
    for k in range(n_edges):
        alive = 10 + (n_nodes - 10) * k // n_edges
        if k > 20 and rng.random() < 0.5:
            j = int(rng.integers(0, k))  # repeat an earlier pair, sometimes answered
            src[k], dst[k] = (src[j], dst[j]) if rng.random() < 0.6 else (dst[j], src[j])
        else:
            u, v = rng.choice(alive, size=2, replace=False)
            src[k], dst[k] = u + 1, v + 1
    return Interactions(src, dst, np.arange(n_edges, dtype=np.float64))


# -- the split -------------------------------------------------------------------


def test_the_split_cuts_at_the_70_and_85_percent_time_quantiles():
    data = synthetic()
    split = split_chronologically(data)
    assert (split.val_time, split.test_time) == pytest.approx((1399.3, 1699.15))
    assert int(split.val.sum()) == 300  # times 1400..1699
    assert int(split.test.sum()) == 300  # times 1700..1999
    touching = np.isin(data.src, list(split.hidden)) | np.isin(data.dst, list(split.hidden))
    assert int(split.train.sum()) == 1400 - int(touching[:1400].sum())


def test_hidden_nodes_are_a_tenth_of_all_nodes_drawn_among_those_seen_after_the_cut():
    data = synthetic()
    split = split_chronologically(data)
    nodes = set(data.src.tolist()) | set(data.dst.tolist())
    after = data.ts > split.val_time
    later = set(data.src[after].tolist()) | set(data.dst[after].tolist())
    assert len(split.hidden) == int(0.1 * len(nodes)) == 5  # 57 nodes
    assert split.hidden <= later
    # Python's random seeded 2020, over the set of later nodes as DyGLib builds it.
    expected = random.Random(2020).sample(
        tuple(set(data.src[after].tolist()).union(set(data.dst[after].tolist()))), 5
    )
    assert split.hidden == frozenset(expected)
    # Their training-period edges are gone; validation and test keep everything.
    trained = set(data.src[split.train].tolist()) | set(data.dst[split.train].tolist())
    assert not trained & split.hidden
    assert split.val.sum() + split.test.sum() == int((data.ts > split.val_time).sum())


def test_uci_split_sizes(shared_data: Path):
    data = read_interactions(shared_data / "temporal" / "ml_uci.csv")
    split = split_chronologically(data)
    counts = (int(split.train.sum()), int(split.val.sum()), int(split.test.sum()))
    assert (len(data), counts, len(split.hidden)) == (59_835, (34_352, 8_975, 8_976), 189)


# -- batches and what a model sees ----------------------------------------------


class Recorder:
    """A model that remembers the calls it gets, and scores by edge time."""

    name = "recorder"

    def __init__(self, history: str = "batch") -> None:
        self.history = history
        self.calls: list[tuple[str, int, float, float]] = []

    def fit(self, train: Interactions) -> None:
        self.calls.append(("fit", len(train), float(train.ts[0]), float(train.ts[-1])))

    def observe(self, src, dst, ts) -> None:
        self.calls.append(("observe", len(src), float(ts[0]), float(ts[-1])))

    def score(self, src, dst, ts):
        self.calls.append(("score", len(src), float(ts[0]), float(ts[-1])))
        return np.zeros(len(src))


def test_test_edges_come_in_batches_of_200_in_time_order_scored_before_they_are_seen():
    data = synthetic(n_edges=5000, n_nodes=80)
    model = Recorder()
    result = evaluate(data, model, "random")
    fit, observe_val, *rest = model.calls
    assert fit[0] == "fit" and fit[3] <= 3499.3  # training: before the validation cut
    assert observe_val == ("observe", 750, 3500.0, 4249.0)  # then all of validation
    assert result.batches == 4
    # Per batch: positives scored, negatives scored (at the same times), then observed.
    expected = []
    for start, size in ((4250, 200), (4450, 200), (4650, 200), (4850, 150)):
        span = (float(start), float(start + size - 1))
        expected += [("score", size, *span), ("score", size, *span), ("observe", size, *span)]
    assert rest == expected
    assert BATCH_SIZE == 200


class Witness:
    """A model that checks, at each score, that it has seen every earlier edge and
    no edge of the scored time or later."""

    name = "witness"
    history = "event"

    def __init__(self) -> None:
        self.seen: list[float] = []
        self.all_ts = np.zeros(0)
        self.scored = 0

    def fit(self, train: Interactions) -> None:
        self.seen += train.ts.tolist()

    def observe(self, src, dst, ts) -> None:
        self.seen += ts.tolist()

    def score(self, src, dst, ts):
        assert len(set(ts.tolist())) == 1  # one time at a time
        t = float(ts[0])
        assert max(self.seen) < t
        assert len(self.seen) == int((self.all_ts < t).sum()) - self.hidden_before(t)
        self.scored += len(src)
        return np.zeros(len(src))

    def hidden_before(self, t: float) -> int:
        return int(((self.all_ts < t) & self.dropped).sum())


def test_event_history_scores_each_edge_from_every_edge_before_its_own_time():
    data = synthetic(n_edges=3000, n_nodes=80)
    # Several edges to a second: equal times must not see each other.
    data = Interactions(data.src, data.dst, np.floor(data.ts / 3.0), data.source)
    split = split_chronologically(data)
    model = Witness()
    model.all_ts = data.ts
    model.dropped = ~(split.train | split.val | split.test)  # hidden nodes' training edges
    result = evaluate(data, model, "historical")
    assert result.history == "event" and result.as_dict()["history"] == "event"
    assert model.scored == 2 * int(split.test.sum())
    batch = Recorder("batch")
    evaluate(data, batch, "historical")
    assert [c[1] for c in batch.calls if c[0] == "score"][:2] == [200, 200]


# -- negatives -------------------------------------------------------------------


def test_random_negatives_keep_the_source_and_draw_destinations_as_dyglib_does():
    data = synthetic()
    sampler = NegativeSampler(data, "random", seed=2)
    src, dst, ts = data.src[1700:1900], data.dst[1700:1900], data.ts[1700:1900]
    neg_src, neg_dst = sampler.sample(src, dst, ts)
    assert (neg_src == src).all()
    destinations = np.unique(data.dst)
    rng = np.random.RandomState(2)
    rng.randint(0, len(np.unique(data.src)), 200)  # DyGLib draws sources first, unused
    assert (neg_dst == destinations[rng.randint(0, len(destinations), 200)]).all()


def test_random_negatives_can_repeat_the_positive_pair_as_dyglibs_do():
    # DyGLib does no collision check for random negatives; the published
    # EdgeBank 76.20 depends on it. With few destinations a repeat is common.
    data = synthetic(n_nodes=12)
    sampler = NegativeSampler(data, "random", seed=2)
    src, dst, ts = data.src[1700:1900], data.dst[1700:1900], data.ts[1700:1900]
    neg_src, neg_dst = sampler.sample(src, dst, ts)
    repeats = int(((neg_src == src) & (neg_dst == dst)).sum())
    assert 0 < repeats < 50


def test_historical_negatives_are_past_edges_outside_the_batch():
    data = synthetic()
    sampler = NegativeSampler(data, "historical", seed=2)
    src, dst, ts = data.src[1700:1900], data.dst[1700:1900], data.ts[1700:1900]
    neg_src, neg_dst = sampler.sample(src, dst, ts)
    past = set(zip(data.src[:1701].tolist(), data.dst[:1701].tolist(), strict=True))
    batch = set(zip(src.tolist(), dst.tolist(), strict=True))
    negatives = list(zip(neg_src.tolist(), neg_dst.tolist(), strict=True))
    assert len(negatives) == 200 == len(set(negatives))  # without replacement
    assert all(e in past and e not in batch for e in negatives)


def test_inductive_negatives_fall_back_to_random_pairs_when_too_few_test_only_edges():
    data = synthetic()
    cut = 1699.0
    sampler = NegativeSampler(data, "inductive", seed=2, observed_until=cut)
    src, dst, ts = data.src[1700:1900], data.dst[1700:1900], data.ts[1700:1900]
    first = list(zip(*(a.tolist() for a in sampler.sample(src, dst, ts)), strict=True))
    # Nothing has been seen after the cut yet: all 200 are fallback pairs, distinct,
    # among sources × destinations, none a positive of the batch.
    positives = set(zip(src.tolist(), dst.tolist(), strict=True))
    sources, destinations = set(data.src.tolist()), set(data.dst.tolist())
    assert len(first) == len(set(first)) == 200
    assert all(u in sources and v in destinations for u, v in first)
    assert not positives & set(first)
    # Next batch: the edges first seen in the first batch come first in line.
    src2, dst2, ts2 = data.src[1900:2000], data.dst[1900:2000], data.ts[1900:2000]
    second = list(zip(*(a.tolist() for a in sampler.sample(src2, dst2, ts2)), strict=True))
    observed = set(zip(data.src[:1700].tolist(), data.dst[:1700].tolist(), strict=True))
    seen_then = set(zip(data.src[:1901].tolist(), data.dst[:1901].tolist(), strict=True))
    in_window = set(zip(src2.tolist(), dst2.tolist(), strict=True))
    test_only = seen_then - observed - in_window
    assert 0 < len(test_only) < 100
    assert test_only <= set(second)
    assert len(second) == 100


# -- metrics and EdgeBank by hand -----------------------------------------------


def test_average_precision_and_auc_count_ties_as_scikit_learn_does():
    labels = np.array([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    scores = np.array([1.0, 1.0, 0.0, 0.0, 0.0, 1.0])
    # Threshold 1: precision 2/3 at recall 2/3; threshold 0: precision 1/2 at recall 1.
    assert average_precision(labels, scores) == pytest.approx(2 / 3 * 2 / 3 + 1 / 3 * 1 / 2)
    # 9 positive-negative pairs: 4 won, 4 tied, 1 lost.
    assert roc_auc(labels, scores) == pytest.approx((4 + 4 / 2) / 9)
    ranked = np.array([0.9, 0.8, 0.3, 0.7, 0.2, 0.1])
    assert average_precision(labels, ranked) == pytest.approx((1 + 1 + 3 / 4) / 3)
    assert roc_auc(labels, ranked) == pytest.approx(8 / 9)


def test_edgebank_scores_one_for_a_directed_pair_seen_before():
    bank = EdgeBank()
    bank.fit(Interactions(np.array([1, 2]), np.array([2, 3]), np.array([0.0, 1.0])))
    pairs = (np.array([1, 2, 2, 3]), np.array([2, 1, 3, 3]))
    assert bank.score(*pairs, np.zeros(4)).tolist() == [1.0, 0.0, 1.0, 0.0]
    bank.observe(np.array([2]), np.array([1]), np.array([5.0]))
    assert bank.score(*pairs, np.zeros(4)).tolist() == [1.0, 1.0, 1.0, 0.0]


def test_edgebank_on_a_hand_made_network():
    # Nine nodes (so int(0.9) = 0 hidden), 20 edges at t = 0..19; the test period
    # is t > 16.15: three edges, one batch. RandomState(2) picks destinations
    # 2, 8, 5 of 2..9 for their negatives.
    src = [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 4, 5]
    dst = [2, 3, 4, 5, 6, 7, 8, 9, 3, 4, 5, 6, 7, 8, 9, 2, 2, 2, 9, 6]
    data = Interactions(np.array(src), np.array(dst), np.arange(20, dtype=np.float64))
    sampler = NegativeSampler(data, "random", seed=2)
    last = slice(17, 20)
    negatives = sampler.sample(data.src[last], data.dst[last], data.ts[last])
    assert [a.tolist() for a in negatives] == [[1, 4, 5], [2, 8, 5]]
    # Positives (1,2) seen, (4,9) unseen, (5,6) seen → 1, 0, 1. Negatives: (1,2)
    # is the positive itself, seen → 1; (4,8) and (5,5) unseen → 0.
    # AP: at score 1, precision 2/3 and recall 2/3; at 0, precision 1/2, recall 1.
    # AUC: of 9 positive-negative pairs 5 won, 2 tied.
    result = evaluate(data, EdgeBank(), "random")
    assert result.batches == 1
    assert result.ap == pytest.approx(100 * (2 / 3 * 2 / 3 + 1 / 3 * 1 / 2))
    assert result.auc == pytest.approx(100 * (5 + 2 / 2) / 9)


# -- the features -------------------------------------------------------------------


def test_every_feature_is_documented_with_a_source():
    assert len(set(FEATURE_NAMES)) == len(FEATURES)
    assert all(f.meaning and f.source for f in FEATURES)


def test_features_read_only_the_past():
    history = TieHistory()
    history.add(1, 2, 0.0)
    history.add(2, 1, 3600.0)
    history.add(1, 3, 7200.0)
    row = dict(zip(FEATURE_NAMES, history.features(1, 2, 86_400.0), strict=True))
    assert row["pair_month"] == pytest.approx(np.log1p(0.5 ** (1 / 30)))  # a day old
    assert row["reverse_day"] == pytest.approx(np.log1p(0.5 ** (23 / 24)))
    assert row["new_pair"] == 0.0
    assert row["u_owes_reply"] == 1.0  # the last message between them went 2 → 1
    assert row["messages_since_contact"] == pytest.approx(np.log1p(1))
    assert row["days_since_contact"] == pytest.approx(np.log1p(23 / 24))
    stranger = dict(zip(FEATURE_NAMES, history.features(3, 2, 86_400.0), strict=True))
    assert stranger["new_pair"] == 1.0
    assert stranger["common_neighbours"] == pytest.approx(np.log1p(1))  # both know 1


# -- reading files and the CLI's messages --------------------------------------


def edge_rows(n: int) -> list[tuple[int, int, int]]:
    return [(k % 7 + 1, (k * 3) % 11 + 1, 10 * k) for k in range(n)]


def test_the_three_layouts_read_the_same(tmp_path: Path):
    rows = edge_rows(150)
    dyglib = tmp_path / "ml_net.csv"
    with dyglib.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["", "u", "i", "ts", "label", "idx"])
        w.writerows([k, u, i, t, 0, k + 1] for k, (u, i, t) in enumerate(rows))
    plain = tmp_path / "plain.csv"
    plain.write_text("u,i,ts\n" + "".join(f"{u},{i},{t}\n" for u, i, t in rows))
    snap = tmp_path / "snap.txt"
    # CRLF, and two rows out of time order (as in email-Eu-core): sorted back, stably.
    lines = [f"{u} {i} {t}" for u, i, t in rows]
    lines[3], lines[4] = lines[4], lines[3]
    snap.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    read = [read_interactions(p) for p in (dyglib, plain, snap)]
    for data in read:
        assert data.src.tolist() == [u for u, _, _ in rows]
        assert data.dst.tolist() == [i for _, i, _ in rows]
        assert data.ts.tolist() == [float(t) for _, _, t in rows]


def run_eval(*args: str):
    return CliRunner().invoke(cli, ["eval", *args])


def test_a_missing_file_is_named():
    result = run_eval("/nonexistent/ml_uci.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "kith: /nonexistent/ml_uci.csv: cannot read the interactions file: "
        "No such file or directory"
    )


def test_a_header_without_a_time_column_is_named_with_its_line(tmp_path: Path):
    path = tmp_path / "no_ts.csv"
    path.write_text("\nsrc,i,time\n1,2,3\n")
    result = run_eval(str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kith: {path}:2: the header has no u, ts columns\n")


def test_a_non_numeric_time_is_named_with_its_line(tmp_path: Path):
    path = tmp_path / "bad_time.csv"
    rows = [f"{u},{i},{t}" for u, i, t in edge_rows(150)]
    rows[41] = "3,4,yesterday"
    path.write_text("u,i,ts\n" + "\n".join(rows) + "\n")
    result = run_eval(str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"kith: {path}:43: the time column holds 'yesterday', not a number\n"
        "  times must be numbers (seconds since some start, as in ml_uci.csv)\n"
    )


def test_a_bad_node_id_in_an_edge_list_is_named_with_its_line(tmp_path: Path):
    path = tmp_path / "bad_node.txt"
    path.write_text("# a comment\n1 2 3\nana 2 4\n")
    result = run_eval(str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"kith: {path}:3: the source column holds 'ana', not a whole-number node id\n"
    )


def test_too_few_interactions_are_refused(tmp_path: Path):
    path = tmp_path / "tiny.csv"
    path.write_text("u,i,ts\n" + "".join(f"{u},{i},{t}\n" for u, i, t in edge_rows(99)))
    result = run_eval(str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"kith: {path}: only 99 interactions; the protocol needs at least 100\n"
        "  a 70/15/15 split in batches of 200 needs a longer history\n"
    )


def write_synthetic(tmp_path: Path) -> Path:
    path = tmp_path / "net.csv"
    data = synthetic()
    path.write_text(
        "u,i,ts\n"
        + "".join(
            f"{u},{i},{int(t)}\n" for u, i, t in zip(data.src, data.dst, data.ts, strict=True)
        )
    )
    return path


def test_json_output(tmp_path: Path):
    path = write_synthetic(tmp_path)
    result = run_eval(str(path), "--model", "edgebank", "--negatives", "historical", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert sorted(out) == ["ap", "auc", "batches", "history", "memory", "model", "negatives"]
    assert out["history"] == "batch"  # EdgeBank as DyGLib runs it
    assert (out["model"], out["negatives"], out["batches"]) == ("edgebank", "historical", 2)
    assert out["memory"] == "unlimited"
    windowed = run_eval(str(path), "--model", "edgebank", "--memory", "window", "--json")
    assert json.loads(windowed.stdout)["memory"] == "window"


def test_kith_trains_on_random_negatives_unless_told_and_says_so(tmp_path: Path):
    path = write_synthetic(tmp_path)
    out = json.loads(run_eval(str(path), "--negatives", "historical", "--json").stdout)
    assert out["train_negatives"] == "random" and "memory" not in out
    assert out["history"] == "event"  # as DyGLib's neighbour-sampling models read
    assert KithPredictor("historical").training_negatives == ("random",)
    matching = json.loads(
        run_eval(
            str(path), "--negatives", "historical", "--train-negatives", "matching", "--json"
        ).stdout
    )
    assert matching["train_negatives"] == "matching"
    assert KithPredictor("historical", train_negatives="matching").training_negatives == (
        "random",
        "historical",
    )
    # Another model, so another figure: the flag reaches the fit.
    assert (matching["ap"], matching["auc"]) != (out["ap"], out["auc"])
    text = run_eval(str(path), "--negatives", "historical").stdout.splitlines()
    assert text[1].startswith("kith, trained on random negatives, historical negatives: AP ")
    assert text[2] == (
        "History read for each edge: every edge before its own time "
        "(as DyGLib's neighbour sampler)."
    )
    batch = json.loads(run_eval(str(path), "--history", "batch", "--json").stdout)
    assert batch["history"] == "batch"
    assert (batch["ap"], batch["auc"]) != (out["ap"], out["auc"])


# -- the published table and the real run -------------------------------------


def test_the_published_table_matches_the_shared_file(shared_data: Path):
    with (shared_data / "published" / "dyglib-uci-transductive.csv").open() as f:
        rows = {
            (r["neg_sampling"], r["model"], r["metric"]): (float(r["mean"]), float(r["std"]))
            for r in csv.DictReader(f)
        }
    embedded = {}
    for p in UCI_TRANSDUCTIVE:
        embedded[(p.negatives, p.model, "AP")] = (p.ap, p.ap_std)
        embedded[(p.negatives, p.model, "AUC")] = (p.auc, p.auc_std)
    assert embedded == rows


@pytest.mark.slow
def test_uci_edgebank_reproduces_the_published_figure_and_kith_beats_it(shared_data: Path):
    # About 10 s on one core: EdgeBank < 1 s, kith's model the rest.
    data = read_interactions(shared_data / "temporal" / "ml_uci.csv")
    bank = evaluate(data, EdgeBank(), "random")
    assert abs(bank.ap - 76.20) <= 1.5 and abs(bank.auc - 77.30) <= 1.5
    assert (round(bank.ap, 2), round(bank.auc, 2)) == (76.20, 77.30)  # in fact exactly
    kith = evaluate(data, KithPredictor("random"), "random")
    assert kith.ap > bank.ap + 15 and kith.auc > bank.auc + 15
    assert kith.batches == bank.batches == 45


@pytest.mark.slow
def test_uci_like_for_like_reaches_the_best_published_dyglib_ap_in_each_setting(
    shared_data: Path,
):
    # Random training negatives, each edge read from every edge before its time: what
    # DyGLib's neighbour-sampling models are trained and tested with. About 10 s.
    data = read_interactions(shared_data / "temporal" / "ml_uci.csv")
    for negatives in ("random", "historical", "inductive"):
        best = max(
            (p for p in UCI_TRANSDUCTIVE if p.negatives == negatives and p.dyglib),
            key=lambda p: p.ap,
        )
        kith = evaluate(data, KithPredictor(negatives), negatives)
        assert kith.history == "event"
        assert kith.ap >= best.ap, (negatives, kith.ap, best.model, best.ap)


def test_the_cli_prints_the_published_rows_beside_for_uci(shared_data: Path):
    result = run_eval(str(shared_data / "temporal" / "ml_uci.csv"), "--model", "edgebank")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("edgebank, unlimited memory, random negatives: AP 76.20  AUC 77.30")
    assert f"  {'DyGFormer':<44}  95.79 ± 0.17   94.49 ± 0.26" in lines
    assert f"→ {'edgebank, unlimited memory (this run)':<44}  76.20          77.30" in lines
    assert lines[-1].endswith("--model edgebank --memory unlimited")


def test_the_published_table_is_not_printed_beside_matching_training_negatives(
    shared_data: Path,
):
    uci = str(shared_data / "temporal" / "ml_uci.csv")
    result = run_eval(uci, "--negatives", "historical", "--train-negatives", "matching")
    assert result.exit_code == 0, result.output
    assert "not comparable with DyGLib's published table" in result.stdout
    assert "GraphMixer" not in result.stdout and "Published" not in result.stdout


def test_edgebank_memories_on_a_hand_made_history():
    bank = EdgeBank("window")
    # 20 edges at times 0..19: the window holds the last 15% of history times.
    src = np.arange(20, dtype=np.int64)
    bank.observe(src, src + 100, np.arange(20, dtype=np.float64))
    pairs = (src, src + 100, np.full(20, 20.0))
    # np.quantile(0..19, 0.85) = 16.15: pairs last seen at 17, 18, 19 remain.
    assert bank.score(*pairs).nonzero()[0].tolist() == [17, 18, 19]
    assert EdgeBank("unlimited").score(*pairs).sum() == 0  # it saw nothing
    threshold = EdgeBank("threshold")
    repeats = EdgeBank("repeat-window")
    a = np.array([1, 1, 1, 2, 3], dtype=np.int64)
    b = np.array([9, 9, 9, 9, 9], dtype=np.int64)
    t = np.array([0.0, 10.0, 20.0, 60.0, 100.0])
    for bank in (threshold, repeats):
        bank.observe(a, b, t)
    query = (np.array([1, 2, 3], dtype=np.int64), np.full(3, 9, dtype=np.int64), np.full(3, 101.0))
    # Mean count 5/3: only 1 → 9 (three times) is kept.
    assert threshold.score(*query).tolist() == [1.0, 0.0, 0.0]
    # Mean repeat gap 10 s over 3 distinct pairs = 3.33 s before the last time (100).
    assert repeats.score(*query).tolist() == [0.0, 0.0, 1.0]


@pytest.mark.slow
def test_uci_edgebank_memories_come_close_to_dyglibs_published_rows(shared_data: Path):
    # DyGLib's UCI rows: window memory for historical, repeat-window for inductive.
    # Not to the hundredth: the fallback random pairs come from another stream.
    data = read_interactions(shared_data / "temporal" / "ml_uci.csv")
    published = {(p.negatives, p.model): p for p in UCI_TRANSDUCTIVE}
    for negatives, memory in (("historical", "window"), ("inductive", "repeat-window")):
        bank = evaluate(data, EdgeBank(memory), negatives)
        p = published[(negatives, "EdgeBank")]
        assert abs(bank.ap - p.ap) < 0.5 and abs(bank.auc - p.auc) < 0.5, (negatives, bank)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--memory", "window"], "--memory is EdgeBank's"),
        (["--model", "edgebank", "--train-negatives", "matching"], "EdgeBank is not trained"),
        (["--task", "new-ties", "--negatives", "historical"], "--negatives: not read"),
        (["--k", "5"], "--k is for --task new-ties"),
    ],
)
def test_an_option_the_run_would_ignore_is_refused(tmp_path, args, words):
    from click.testing import CliRunner

    from kith.cli import cli

    path = tmp_path / "edges.txt"
    path.write_text("1 2 1\n2 3 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(path), *args])
    assert result.exit_code == 2 and words in result.output, result.output
