"""Fit the strength score's weights and measure them on a temporal hold-out.

The question the score answers: given a relationship as of time T, will there
be two-way contact (at least one message each way) in (T, T + 30 days]?

Data (../shared/data/temporal, see its SOURCES.md): UCI (CollegeMsg, 194
days) and the two email-Eu-core departments (~530 days). Each unordered pair
of people with a message before T is one relationship; the lower id plays
"me" (every factor is symmetric, so the choice changes nothing). Features
come from ``kith.relate.history.row_as_of`` — the same columns the feature
pipeline stores — and ``kith.relate.strength.factor_values``, the very
function the shipped score calls. No data set here marks replies, so a
message answering one from the other side within a day counts as a reply
(``history.replies_by_gap``); every pair has one channel, so the channels
weight cannot be fitted and is left at its stated guess.

Split: snapshots every ``STEP_DAYS`` in each data set's first 60% of time
train; snapshots whose whole label window lies after every training label
(a gap of one horizon) test. Weights are fitted on the training snapshots of
all three data sets pooled; AUC is reported on each data set's hold-out, next
to single-factor baselines, and the cross-data-set check (fit on UCI only,
test on the e-mail departments, and the other way round).

Then the same weights on real mailboxes through the whole of kith: three
Enron mailboxes (../shared/data/email/enron-mini: allen-p, arora-h, badeer-r;
the owner is the mailbox holder, found as the commonest From of the folder;
arnold-j is left out: its folders hold almost nothing he sent), each
imported into a temporary ledger, the feature pipeline refreshed at each
month's end T (``kith.analytics.refresh(now=T, full=True)``), the stored
rows scored by ``strength.score_columns`` and labelled from the ledger. The
Apache archives are not used: one month per list, too short for a 30-day
label with a history before it.

Run: ``.venv/bin/python bench/fit_strength.py`` (prints the constants to
paste into ``src/kith/relate/strength.py`` and the figures for RESULTS.md).
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kith.evaluation.data import read_interactions
from kith.evaluation.protocol import roc_auc
from kith.relate import strength
from kith.relate.history import Contact, replies_by_gap, row_as_of
from kith.relate.linkpred import LogisticModel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DAY = 86_400
H = strength.HORIZON_DAYS * DAY
STEP_DAYS = 15
TRAIN_SHARE = 0.6
MAX_GAP_DAYS = 60
FITTED = ("recency", "frequency", "tenure", "reciprocity", "replies")


@dataclass
class Snapshot:
    x: NDArray[np.float64]  # two-way pairs × FACTORS
    y: NDArray[np.float64]
    state: list[str]  # every pair's state
    y_all: NDArray[np.float64]  # every pair's label


def pairs_of(path: Path) -> tuple[dict[tuple[int, int], list[Contact]], float, float]:
    data = read_interactions(path)
    pairs: dict[tuple[int, int], list[Contact]] = defaultdict(list)
    for s, d, t in zip(data.src.tolist(), data.dst.tolist(), data.ts.tolist(), strict=True):
        if s == d:
            continue
        a, b = min(s, d), max(s, d)
        pairs[(a, b)].append(Contact(int(t), "out" if s == a else "in"))
    marked = {k: replies_by_gap(v) for k, v in pairs.items()}
    # The e-mail departments fall silent for eight months near their end (a
    # hole in the data, not in the people): time ends at the first gap that long.
    gaps = np.nonzero(np.diff(data.ts) > MAX_GAP_DAYS * DAY)[0]
    end = float(data.ts[gaps[0]]) if len(gaps) else float(data.ts.max())
    return marked, float(data.ts.min()), end


def snapshot(pairs: dict[tuple[int, int], list[Contact]], t: int) -> Snapshot:
    xs: list[list[float]] = []
    ys: list[float] = []
    states: list[str] = []
    y_all: list[float] = []
    for contacts in pairs.values():
        if contacts[0].at > t:
            continue
        future = {c.direction for c in contacts if t < c.at <= t + H}
        label = float(future == {"in", "out"})
        row = row_as_of(contacts, t)
        state = strength.state_of(row["n_in"], row["n_out"])
        states.append(state)
        y_all.append(label)
        if state == "two-way":
            f = strength.factor_values(row, t)
            xs.append([f[k] for k in strength.FACTORS])
            ys.append(label)
    return Snapshot(
        np.array(xs, dtype=np.float64).reshape(-1, len(strength.FACTORS)),
        np.array(ys),
        states,
        np.array(y_all),
    )


def split(start: float, end: float) -> tuple[list[int], list[int]]:
    cut = start + TRAIN_SHARE * (end - start)
    times = np.arange(start + 2 * STEP_DAYS * DAY, end - H, STEP_DAYS * DAY)
    train = [int(t) for t in times if t + H <= cut]
    test = [int(t) for t in times if t >= cut + H]
    return train, test


def fit(snaps: list[Snapshot]) -> LogisticModel:
    x = np.vstack([s.x for s in snaps])
    y = np.concatenate([s.y for s in snaps])
    cols = [strength.FACTORS.index(k) for k in FITTED]
    return LogisticModel.fit(x[:, cols], y, names=FITTED)


def scores(model: LogisticModel, x: NDArray[np.float64]) -> NDArray[np.float64]:
    cols = [strength.FACTORS.index(k) for k in FITTED]
    return model.log_odds(x[:, cols])


def one_way_rates(snaps: list[Snapshot]) -> dict[str, float]:
    out = {}
    for state in ("never replied", "unanswered"):
        labels = [y for s in snaps for st, y in zip(s.state, s.y_all, strict=True) if st == state]
        out[state] = float(np.mean(labels)) if labels else 0.0
    return out


def all_pairs_auc(model: LogisticModel, snaps: list[Snapshot], rates: dict[str, float]) -> float:
    """AUC over every pair: two-way pairs by the model, one-way at their state's rate."""
    ys, ps = [], []
    for s in snaps:
        p_two = 1 / (1 + np.exp(-scores(model, s.x)))
        it = iter(p_two.tolist())
        for st, y in zip(s.state, s.y_all, strict=True):
            ys.append(y)
            ps.append(next(it) if st == "two-way" else rates.get(st, 0.0))
    return roc_auc(np.array(ys), np.array(ps))


def report(name: str, model: LogisticModel, test: list[Snapshot], rates: dict[str, float]) -> None:
    x = np.vstack([s.x for s in test])
    y = np.concatenate([s.y for s in test])
    p = 1 / (1 + np.exp(-scores(model, x)))
    col = strength.FACTORS.index
    baselines = {
        "recency alone": -x[:, col("recency")],
        "frequency alone": x[:, col("frequency")],
    }
    print(
        f"  {name:<22} two-way pairs {len(y):>6,} (positive {y.mean():5.1%}): "
        f"AUC {roc_auc(y, p):.3f}; all pairs {all_pairs_auc(model, test, rates):.3f}; "
        + "; ".join(f"{k} {roc_auc(y, v):.3f}" for k, v in baselines.items())
    )
    order = np.argsort(p)
    bins = np.array_split(order, 5)
    cal = ", ".join(f"{p[b].mean():.2f}/{y[b].mean():.2f}" for b in bins)
    print(f"  {'':<22} calibration by quintile (predicted/observed): {cal}")


ENRON = {
    "allen-p": "phillip.allen@enron.com",
    "arora-h": "harry.arora@enron.com",
    "badeer-r": "robert.badeer@enron.com",
}

_LABELS = """
SELECT i.person_id,
  MAX(CASE WHEN x.direction = 'in' AND pa.role IN ('from', 'sender') THEN 1 ELSE 0 END),
  MAX(CASE WHEN x.direction = 'out' AND pa.role IN ('to', 'cc', 'bcc') THEN 1 ELSE 0 END)
FROM interaction x
JOIN participant pa ON pa.interaction_id = x.id
JOIN identity i ON i.id = pa.identity_id
WHERE x.occurred_at > ? AND x.occurred_at <= ?
GROUP BY i.person_id
"""


def enron_check() -> None:
    import sqlite3
    import tempfile

    from kith.analytics import refresh
    from kith.config import Settings
    from kith.importing import import_paths
    from kith.store import repository
    from kith.store.db import open_store

    cols = ", ".join(strength.ROW_COLUMNS)
    ys: list[float] = []
    ps: list[float] = []
    y_any: list[float] = []
    p_any: list[float] = []
    for folder, owner in ENRON.items():
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/kith.db"
            engine = open_store(url)
            repository.add_me(engine, "email", owner, name=None, now=0)
            import_paths(
                engine,
                [DATA / "email" / "enron-mini" / folder],
                Settings(database_url=url),
                now=2_000_000_000,
            )
            conn = sqlite3.connect(f"{tmp}/kith.db")
            # Dates outside 1998–2003 are broken headers (the folders hold a few).
            lo, hi = conn.execute(
                "SELECT min(occurred_at), max(occurred_at) FROM interaction "
                "WHERE occurred_at BETWEEN 883612800 AND 1072915200"
            ).fetchone()
            times = range(lo + 60 * DAY, hi - H, 30 * DAY)
            n = pos = 0
            for t in times:
                refresh(engine, now=t, full=True, mirror_path=None)
                rows = conn.execute(f"SELECT person_id, {cols} FROM relationship").fetchall()
                if not rows:
                    continue
                found = conn.execute(_LABELS, (t, t + H)).fetchall()
                labels = {p: a and b for p, a, b in found}
                anyway = {p: a or b for p, a, b in found}
                arrays = {
                    k: np.array(
                        [np.nan if r[i + 1] is None else r[i + 1] for r in rows], dtype=float
                    )
                    for i, k in enumerate(strength.ROW_COLUMNS)
                }
                score = strength.score_columns(arrays, t)
                two_way = (arrays["n_in"] > 0) & (arrays["n_out"] > 0)
                for k, r in enumerate(rows):
                    y = float(bool(labels.get(r[0], 0)))
                    if two_way[k]:
                        y_any.append(float(bool(anyway.get(r[0], 0))))
                        p_any.append(float(score[k]))
                        ys.append(y)
                        ps.append(float(score[k]))
                        n += 1
                        pos += int(y)
            conn.close()
            engine.dispose()
            print(
                f"  {folder:<10} owner {owner}: {len(times)} month ends, "
                f"{n} two-way rows, {pos} positive"
            )
    y, p = np.array(ys), np.array(ps)
    ya, pa = np.array(y_any), np.array(p_any)
    two = f"AUC {roc_auc(y, p):.3f}" if 0 < y.sum() < len(y) else "AUC undefined"
    print(
        f"  pooled two-way rows {len(y):,}: two-way contact within 30 days {int(y.sum())} "
        f"({two}; too few positives to mean anything below ~30); "
        f"any contact within 30 days {int(ya.sum())} (AUC {roc_auc(ya, pa):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-mailboxes", action="store_true", help="skip the Enron check")
    args = parser.parse_args()
    started = time.perf_counter()
    sets = {
        "UCI": DATA / "temporal" / "ml_uci.csv",
        "Eu-core Dept1": DATA / "temporal" / "email-Eu-core-temporal-Dept1.txt",
        "Eu-core Dept2": DATA / "temporal" / "email-Eu-core-temporal-Dept2.txt",
    }
    train: dict[str, list[Snapshot]] = {}
    test: dict[str, list[Snapshot]] = {}
    for name, path in sets.items():
        pairs, start, end = pairs_of(path)
        tr, te = split(start, end)
        train[name] = [snapshot(pairs, t) for t in tr]
        test[name] = [snapshot(pairs, t) for t in te]
        n_tr = sum(len(s.y) for s in train[name])
        n_te = sum(len(s.y) for s in test[name])
        print(
            f"{name}: {len(pairs):,} pairs; {len(tr)} training snapshots ({n_tr:,} two-way rows), "
            f"{len(te)} test snapshots ({n_te:,}), days {(tr[0] - start) / DAY:.0f}–"
            f"{(tr[-1] - start) / DAY:.0f} / "
            f"{(te[0] - start) / DAY:.0f}–{(te[-1] - start) / DAY:.0f}"
        )
    pooled = [s for v in train.values() for s in v]
    model = fit(pooled)
    rates = one_way_rates(pooled)
    print("\nFitted on the three training periods pooled; tested on each later hold-out:")
    for name in sets:
        report(name, model, test[name], rates)
    print("\nCross-data-set: fit on one, test on the others' hold-outs:")
    uci = fit(train["UCI"])
    report("UCI → Eu-core Dept1", uci, test["Eu-core Dept1"], rates)
    report("UCI → Eu-core Dept2", uci, test["Eu-core Dept2"], rates)
    eu = fit(train["Eu-core Dept1"] + train["Eu-core Dept2"])
    report("Eu-core → UCI", eu, test["UCI"], rates)

    print("\nWeights (log-odds per standard deviation):")
    for k, w in model.explain():
        print(f"  {k:<12} {w:+.3f}")
    print("\nConstants for src/kith/relate/strength.py:")
    mean = dict(zip(FITTED, model.mean.tolist(), strict=True))
    scale = dict(zip(FITTED, model.scale.tolist(), strict=True))
    weights = dict(zip(FITTED, model.weights.tolist(), strict=True))
    mean["channels"], scale["channels"], weights["channels"] = math.log(2), 1.0, 0.0
    for label, d in (("MEAN", mean), ("SCALE", scale), ("WEIGHTS", weights)):
        body = ", ".join(f'"{k}": {d[k]:.4f}' for k in strength.FACTORS)
        print(f"{label} = {{{body}}}")
    print(f"INTERCEPT = {model.intercept:.4f}")
    print("ONE_WAY_RATE = {" + ", ".join(f'"{k}": {v:.4f}' for k, v in rates.items()) + "}")
    if not args.no_mailboxes:
        print("\nEnron mailboxes through the ledger and the feature pipeline:")
        enron_check()
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
