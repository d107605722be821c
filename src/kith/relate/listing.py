"""Every relationship with its headline scores: what ``kith relationships``
shows for each row, a pure function of the rows, ``now`` and the layer ranks.

Scores are not stored: they change with ``now`` and with the weights. The
database orders the stored ``relationship`` rows by the score's own formula
written as SQL (``kith.store.relationships``) and keeps the top few;
``present`` then scores those exactly (``strength.score_columns``). Reading
and scoring every row in Python took 8–13 s on the 745k-relationship bench
ledger (bench/RESULTS.md); ``order_in_python`` is that path, kept as the
reference the SQL order is tested against.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kith.relate import cooling, layers, strength
from kith.units import DAY

SORTS = ("strength", "cooling", "debt", "referrals")
#: The relationship columns a listed row needs.
COLUMNS = (
    "person_id",
    *strength.ROW_COLUMNS,
    "decayed",
    "last_contact_at",
    "median_gap_days",
    "contact_days",
    "threads",
    "gives_in",
    "gives_out",
)


def as_columns(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """``COLUMNS`` as float arrays (NULL as NaN), for the vectorised score."""
    import numpy as np

    return {
        name: np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=np.float64)
        for i, name in enumerate(COLUMNS)
    }


def present(
    rows: list[tuple[Any, ...]],
    now: int,
    names: Mapping[int, str | None],
    ranks: Mapping[int, int],
    brought: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """Each row (``COLUMNS``) as listed: strength 0–100 and its state, the
    layer (``ranks``: the two-way ranks, ``kith.store.relationships.layer_ranks``),
    whether cooling and the silence in usual gaps, the give balance, and the
    people brought (when ``brought`` is given)."""
    if not rows:
        return []
    cols = as_columns(rows)
    score = strength.score_columns(cols, now)
    out = []
    for k, r in enumerate(rows):
        row = dict(zip(COLUMNS, r, strict=True))
        pid = int(row["person_id"])
        n_in, n_out = int(row["n_in"] or 0), int(row["n_out"] or 0)
        ratio = cooling.ratio(row["last_contact_at"], row["median_gap_days"], now)
        gives_in, gives_out = int(row["gives_in"] or 0), int(row["gives_out"] or 0)
        out.append(
            {
                "person_id": pid,
                "name": names.get(pid),
                "strength": round(float(score[k])),
                "state": strength.state_of(n_in, n_out),
                "layer": layers.layer_of(n_in, n_out, ranks.get(pid)),
                "cooling": cooling.is_cooling(row, now),
                "cooling_ratio": None if ratio is None else round(ratio, 2),
                "gives_in": gives_in,
                "gives_out": gives_out,
                "debt": gives_in - gives_out,
                "referrals": brought.get(pid, 0) if brought else None,
            }
        )
    return out


def order_in_python(
    rows: list[tuple[Any, ...]], now: int, sort: str, limit: int | None
) -> list[int]:
    """Indexes of the top ``limit`` of ``rows`` (``COLUMNS``) by ``sort``
    (strength, cooling or debt), computed in numpy: the order the SQL of
    ``kith.store.relationships`` gives, written the other way.

    - strength: the score, highest first.
    - cooling: how far past their own rhythm, by ``kith.relate.cooling``:
      the cooling first, then the rest with a rhythm (steady, or cold), then
      those without one; each part by silence / usual gap, longest first.
    - debt: those I owe first (two-way, and they gave more than I did), then
      everyone else; each part by gives in − gives out, most owed first.
    """
    import numpy as np

    if not rows:
        return []
    cols = as_columns(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            cols["median_gap_days"] > 0,
            (now - cols["last_contact_at"]) / DAY / cols["median_gap_days"],
            np.nan,
        )
    keys: list[Any]  # each highest first
    if sort == "strength":
        keys = [strength.score_columns(cols, now)]
    elif sort == "cooling":
        as_rows = [dict(zip(COLUMNS, r, strict=True)) for r in rows]
        tier = [
            2
            if cooling.is_cooling(row, now)
            else 1
            if cooling.has_rhythm(**cooling.rhythm_of(row))
            else 0
            for row in as_rows
        ]
        keys = [np.array(tier, dtype=np.float64), ratio]
    else:
        debt = cols["gives_in"] - cols["gives_out"]
        owed = (cols["n_in"] > 0) & (cols["n_out"] > 0) & (debt > 0)
        keys = [owed.astype(np.float64), debt]
    order = np.lexsort((cols["person_id"], *(-np.nan_to_num(k, nan=-1e18) for k in reversed(keys))))
    return [int(k) for k in order[: limit or len(rows)]]
