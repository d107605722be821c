"""Tie strength, 0–100: the chance of two-way contact in the next 30 days.

Formula (docs/science.md "Tie strength", the *proposal*, fitted here)::

    z = b + Σ_k w_k · (x_k − μ_k) / σ_k        strength = 100 · σ(z)

over six factors of the relationship as of ``now`` (each a column or two of
the ``relationship`` row, aged to ``now``):

- ``recency``     log(1 + days since the older of their last message and
                  mine) — how long since both sides last wrote;
- ``frequency``   log(1 + contacts both ways, each decayed with the
                  pipeline's 90-day half-life) — stands in for the proposal's
                  "contact days in 365", which the row does not keep;
- ``tenure``      log(1 + days since the first contact);
- ``reciprocity`` ρ = 1 − |in − out| / (in + out);
- ``channels``    log(1 + channels used);
- ``replies``     log(1 + replies either way).

The weights are a logistic regression of "two-way contact (a message each
way) in the next ``HORIZON_DAYS``" on these factors, fitted on a temporal
hold-out by ``bench/fit_strength.py`` (figures in bench/RESULTS.md and the
``VALIDATION`` line below). The logistic model's probability is already
calibrated on the data it was fitted on (it is its own Platt scaling); on
other data the base rate differs, and the score is best read as a rank.

Sources: Granovetter 1973 (second-hand: time, intensity, intimacy,
reciprocal services); Gilbert & Karahalios 2009 (abstract read: recency and
duration as the largest effects); the formula is a *proposal* of
docs/science.md, its weights are ours, fitted as described. ``channels`` is not
fitted: no data set at hand has more than one channel, so its weight is a
stated guess (``CHANNELS_WEIGHT``), small on purpose.

States: a score needs both sides to have written. Someone who wrote and
never had an answer is ``never replied``; someone I wrote to who never
answered is ``unanswered``; both get the fitted base rate of their state
(the share of such ties with two-way contact within the horizon), and no
factor breakdown. ``no contact``: only seen among others.

Each factor's contribution in points: its share of the log-odds away from
the average two-way relationship of the training data, scaled to the
distance of the score from that average's score (``BASE_SCORE``); the points
add up to ``score − BASE_SCORE``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kith.relate.explain import Explanation
from kith.units import DAY

#: The label's window: two-way contact within this many days of ``now``.
HORIZON_DAYS = 30
FACTORS = ("recency", "frequency", "tenure", "reciprocity", "channels", "replies")
#: The relationship columns the score reads.
ROW_COLUMNS = (
    "computed_at",
    "half_life_days",
    "n_in",
    "n_out",
    "decayed_in",
    "decayed_out",
    "first_contact_at",
    "last_in_at",
    "last_out_at",
    "channels",
    "my_replies",
    "their_replies",
)

# -- fitted by bench/fit_strength.py (see bench/RESULTS.md) ---------------------
#: Means and standard deviations of the factors in the training data.
MEAN = {
    "recency": 3.2189,
    "frequency": 1.8694,
    "tenure": 3.9276,
    "reciprocity": 0.7373,
    "channels": 0.6931,
    "replies": 1.2471,
}
SCALE = {
    "recency": 1.0760,
    "frequency": 0.8968,
    "tenure": 1.1173,
    "reciprocity": 0.2511,
    "channels": 1.0000,
    "replies": 0.9093,
}
#: Log-odds per standard deviation of each factor (``channels``: see below).
WEIGHTS = {
    "recency": -0.7505,
    "frequency": 1.0676,
    "tenure": 0.7952,
    "reciprocity": 0.2502,
    "channels": 0.0000,
    "replies": -0.4452,
}
INTERCEPT = -1.8140
#: Share of one-way ties that turned two-way within the horizon, by state.
ONE_WAY_RATE = {"never replied": 0.0287, "unanswered": 0.0297}
#: What the fit measured, for ``kith explain strength``.
VALIDATION = (
    "temporal hold-out AUC (two-way contact within 30 days): UCI 0.907, "
    "email-Eu-core Dept1 0.819, Dept2 0.823 (recency alone 0.917 / 0.776 / 0.799); "
    "three Enron-mini mailboxes through import and refresh: one positive in 455 rows, "
    "not measurable; bench/fit_strength.py, bench/RESULTS.md"
)
# --------------------------------------------------------------------------------

#: Not fitted (one channel in every data set at hand): a guess, in log-odds
#: per standard deviation, kept small so it can only nudge the score.
CHANNELS_WEIGHT = 0.15
WEIGHTS["channels"] = CHANNELS_WEIGHT

_MEANING = {
    "recency": "days since both sides last wrote",
    "frequency": "contacts both ways, decayed (90-day half-life)",
    "tenure": "days since the first contact",
    "reciprocity": "balance of messages in and out (1 = even)",
    "channels": "channels used",
    "replies": "replies either way",
}


@dataclass(frozen=True, slots=True)
class Strength:
    score: int
    state: str
    probability: float
    contributions: list[dict[str, Any]]
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "state": self.state,
            "probability": round(self.probability, 4),
            "contributions": self.contributions,
            "summary": self.summary,
        }


def _sigmoid(z: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * z))


def state_of(n_in: int, n_out: int) -> str:
    """``two-way``, ``never replied`` (they wrote, I never did), ``unanswered``
    (I wrote, they never did) or ``no contact``."""
    if n_in > 0 and n_out > 0:
        return "two-way"
    if n_in > 0:
        return "never replied"
    if n_out > 0:
        return "unanswered"
    return "no contact"


def factor_values(row: Mapping[str, Any], now: int) -> dict[str, float]:
    """The six factors (raw values, before the logs) and their model inputs.

    ``row`` holds ``ROW_COLUMNS``; decayed counts are aged from the row's
    ``computed_at`` to ``now``. Returns the model inputs keyed by factor;
    needs a two-way relationship (both last times set)."""
    n_in, n_out = int(row["n_in"]), int(row["n_out"])
    factor = 2.0 ** (-(now - int(row["computed_at"])) / (float(row["half_life_days"]) * DAY))
    decayed = (float(row["decayed_in"]) + float(row["decayed_out"])) * factor
    both_at = min(int(row["last_in_at"]), int(row["last_out_at"]))
    first = int(row["first_contact_at"])
    return {
        "recency": math.log1p(max(now - both_at, 0) / DAY),
        "frequency": math.log1p(decayed),
        "tenure": math.log1p(max(now - first, 0) / DAY),
        "reciprocity": 1.0 - abs(n_in - n_out) / (n_in + n_out),
        "channels": math.log1p(int(row["channels"] or 0)),
        "replies": math.log1p(int(row["my_replies"]) + int(row["their_replies"])),
    }


def raw_values(row: Mapping[str, Any], now: int) -> dict[str, float]:
    """The factors in their own units (days, counts, ρ), for people to read."""
    x = factor_values(row, now)
    return {
        k: (round(v, 2) if k == "reciprocity" else round(math.expm1(v), 1)) for k, v in x.items()
    }


def log_odds_terms(x: Mapping[str, float]) -> dict[str, float]:
    """Each factor's term of the log-odds, relative to the average relationship."""
    return {k: WEIGHTS[k] * (x[k] - MEAN[k]) / SCALE[k] for k in FACTORS}


#: The score of the average two-way relationship of the training data.
BASE_SCORE = 100.0 * _sigmoid(INTERCEPT)


def score_row(row: Mapping[str, Any], now: int) -> Strength:
    """Strength of one relationship row (``ROW_COLUMNS``) as of ``now``."""
    state = state_of(int(row["n_in"] or 0), int(row["n_out"] or 0))
    if state != "two-way":
        rate = ONE_WAY_RATE.get(state, 0.0)
        words = {
            "never replied": "they wrote and never had an answer",
            "unanswered": "you wrote and they never answered",
            "no contact": "seen only among others, never one to one",
        }[state]
        return Strength(
            round(100 * rate),
            state,
            rate,
            [],
            f"{state}: {words}; scored at the base rate of such ties ({100 * rate:.0f}%).",
        )
    x = factor_values(row, now)
    terms = log_odds_terms(x)
    z = INTERCEPT + sum(terms.values())
    p = _sigmoid(z)
    score = 100.0 * p
    total = sum(terms.values())
    spread = score - BASE_SCORE
    raw = raw_values(row, now)
    contributions: list[dict[str, Any]] = []
    for k in FACTORS:
        points = spread * terms[k] / total if abs(total) > 1e-12 else 0.0
        contributions.append(
            {"factor": k, "points": round(points, 1), "value": raw[k], "meaning": _MEANING[k]}
        )
    contributions.sort(key=lambda c: -abs(c["points"]))
    top = [c for c in contributions if abs(c["points"]) >= 1][:2]
    why = ", ".join(f"{c['factor']} {c['points']:+.0f}" for c in top) or "close to average"
    summary = (
        f"{round(score)}/100: a {100 * p:.0f}% chance of a message each way in the next "
        f"{HORIZON_DAYS} days (average {BASE_SCORE:.0f}; {why})."
    )
    return Strength(round(score), state, p, contributions, summary)


def score_columns(cols: Mapping[str, Any], now: int) -> Any:
    """Vectorised ``score_row`` over columns (numpy arrays of ``ROW_COLUMNS``,
    None as NaN): the scores 0–100 as floats, one-way states at their rates."""
    import numpy as np

    n_in = np.asarray(cols["n_in"], dtype=np.float64)
    n_out = np.asarray(cols["n_out"], dtype=np.float64)
    two_way = (n_in > 0) & (n_out > 0)
    factor = 2.0 ** (
        -(now - np.asarray(cols["computed_at"], dtype=np.float64))
        / (np.asarray(cols["half_life_days"], dtype=np.float64) * DAY)
    )
    decayed = (
        np.asarray(cols["decayed_in"], dtype=np.float64)
        + np.asarray(cols["decayed_out"], dtype=np.float64)
    ) * factor
    last_in = np.asarray(cols["last_in_at"], dtype=np.float64)
    last_out = np.asarray(cols["last_out_at"], dtype=np.float64)
    both = np.fmin(last_in, last_out)
    first = np.asarray(cols["first_contact_at"], dtype=np.float64)
    total = np.where(two_way, n_in + n_out, 1.0)
    x = {
        "recency": np.log1p(np.maximum(now - both, 0) / DAY),
        "frequency": np.log1p(decayed),
        "tenure": np.log1p(np.maximum(now - first, 0) / DAY),
        "reciprocity": 1.0 - np.abs(n_in - n_out) / total,
        "channels": np.log1p(np.nan_to_num(np.asarray(cols["channels"], dtype=np.float64))),
        "replies": np.log1p(
            np.asarray(cols["my_replies"], dtype=np.float64)
            + np.asarray(cols["their_replies"], dtype=np.float64)
        ),
    }
    z = INTERCEPT + sum(WEIGHTS[k] * (x[k] - MEAN[k]) / SCALE[k] for k in FACTORS)
    p = 0.5 * (1.0 + np.tanh(0.5 * np.nan_to_num(z)))
    one_way = np.where(
        n_in > 0, ONE_WAY_RATE["never replied"], np.where(n_out > 0, ONE_WAY_RATE["unanswered"], 0)
    )
    return 100.0 * np.where(two_way, p, one_way)


EXPLANATION = Explanation(
    name="strength",
    title="tie strength, 0–100: the chance of a message each way in the next 30 days",
    formula=(
        "strength = 100 · σ(b + Σ_k w_k · (x_k − μ_k) / σ_k)\n"
        "x: recency = log(1 + days since both sides last wrote); frequency = log(1 + contacts\n"
        "both ways, decayed, 90-day half-life); tenure = log(1 + days since first contact);\n"
        "reciprocity ρ = 1 − |in − out| / (in + out); channels = log(1 + channels);\n"
        "replies = log(1 + replies either way).\n"
        "Weights (log-odds per standard deviation): "
        + ", ".join(f"{k} {WEIGHTS[k]:+.2f}" for k in FACTORS)
        + f"; intercept {INTERCEPT:+.2f}.\n"
        "Points per factor: its share of the log-odds away from the average relationship,\n"
        f"scaled to score − {BASE_SCORE:.0f} (the average's score).\n"
        "Never replied / unanswered: their own state, scored at the base rate of such ties\n"
        f"({100 * ONE_WAY_RATE['never replied']:.1f}% / {100 * ONE_WAY_RATE['unanswered']:.1f}%)."
    ),
    source=(
        "Granovetter 1973 (second-hand); Gilbert & Karahalios, CHI 2009 (abstract read);\n"
        "the formula is a proposal of ours; the weights are fitted by bench/fit_strength.py\n"
        "(logistic regression, labels: two-way contact within 30 days)."
    ),
    status=(
        "proposal, fitted. Five weights fitted on UCI and email-Eu-core; the channels weight\n"
        f"({CHANNELS_WEIGHT}) is a guess: no data set at hand has more than one channel.\n"
        "Replies carry a negative weight once frequency is known (fitted, not assumed); in the\n"
        "fitting data a reply is a message answering one within a day."
    ),
    validation=VALIDATION,
    notes="Tie strength",
    aliases=("state",),
)
