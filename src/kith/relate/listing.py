"""Every relationship with its headline scores, sorted: ``kith relationships``.

Computed in Python from the stored ``relationship`` rows, vectorised with
numpy (``strength.score_columns``), rather than stored by the refresh: the
scores change with ``now`` and with the weights, and on the 1M-person bench
ledger reading the rows is most of the time (bench/RESULTS.md). The layer is
the rank by decayed contact among two-way relationships, as in the report.
"""

from __future__ import annotations

from typing import Any

from kith.relate import layers, strength
from kith.relate.data import Source

SORTS = ("strength", "cooling", "debt", "referrals")
_COLUMNS = (
    "person_id",
    *strength.ROW_COLUMNS,
    "decayed",
    "last_contact_at",
    "median_gap_days",
    "gives_in",
    "gives_out",
)

_BROUGHT = """
SELECT i.person_id, count(DISTINCT x.id)
FROM interaction x
JOIN participant pa ON pa.interaction_id = x.id
JOIN identity i ON i.id = pa.identity_id
WHERE x.kind IN ('referral', 'intro') AND x.direction <> 'out'
  AND pa.role IN ('from', 'sender') AND x.occurred_at <= ?
GROUP BY i.person_id
"""


def relationships(
    conn: Any, now: int, sort: str = "strength", limit: int | None = 50
) -> list[dict[str, Any]]:
    """The top ``limit`` relationships by ``sort``: strength (highest first),
    cooling (silence / usual gap, highest first), debt (gives received minus
    given, highest first), referrals (interactions bringing others, most first)."""
    import numpy as np

    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    src = Source(conn)
    rows = src.rows(f"SELECT {', '.join(_COLUMNS)} FROM relationship")
    if not rows:
        return []
    cols = {
        name: np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=np.float64)
        for i, name in enumerate(_COLUMNS)
    }
    score = strength.score_columns(cols, now)
    two_way = (cols["n_in"] > 0) & (cols["n_out"] > 0)
    decayed = np.where(two_way, cols["decayed"], -np.inf)
    order = np.argsort(-decayed, kind="stable")
    rank = np.empty(len(rows), dtype=np.int64)
    rank[order] = np.arange(1, len(rows) + 1)
    silence = (now - cols["last_contact_at"]) / strength.DAY
    with np.errstate(divide="ignore", invalid="ignore"):
        cooling = np.where(cols["median_gap_days"] > 0, silence / cols["median_gap_days"], np.nan)
    debt = cols["gives_in"] - cols["gives_out"]
    brought = np.zeros(len(rows))
    if sort == "referrals":
        counts = dict(src.rows(_BROUGHT, (now,)))
        brought = np.array([counts.get(int(p), 0) for p in cols["person_id"]], dtype=np.float64)
    key = {
        "strength": score,
        "cooling": np.nan_to_num(cooling, nan=-1.0),
        "debt": debt,
        "referrals": brought,
    }[sort]
    top = np.argsort(-key, kind="stable")[: limit if limit else len(rows)]
    ids = [int(cols["person_id"][k]) for k in top]
    names = _names(src, ids)
    out = []
    for k in top:
        pid = int(cols["person_id"][k])
        state = strength.state_of(int(cols["n_in"][k]), int(cols["n_out"][k]))
        out.append(
            {
                "person_id": pid,
                "name": names.get(pid),
                "strength": round(float(score[k])),
                "state": state,
                "layer": layers.layer_of_rank(int(rank[k]) if two_way[k] else None),
                "cooling_ratio": None if np.isnan(cooling[k]) else round(float(cooling[k]), 2),
                "gives_in": int(cols["gives_in"][k]),
                "gives_out": int(cols["gives_out"][k]),
                "debt": int(debt[k]),
                "referrals": int(brought[k]) if sort == "referrals" else None,
            }
        )
    return out


def _names(src: Source, ids: list[int]) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for pid, name in src.rows(
            f"SELECT id, name FROM person WHERE id IN ({marks})", tuple(chunk)
        ):
            found[int(pid)] = name
    return found
