"""Every relationship with its headline scores, sorted: ``kith relationships``.

Scores are not stored: they change with ``now`` and with the weights. The
database orders the stored ``relationship`` rows by the score's own formula
written as SQL (``strength_sql``) and keeps the top few; Python then scores
those exactly (``strength.score_columns``). Reading and scoring every row in
Python took 8–13 s on the 745k-relationship bench ledger (bench/RESULTS.md).
The layer is the rank by decayed contact among two-way relationships, as in
the report.
"""

from __future__ import annotations

import math
from typing import Any

from kith.relate import layers, strength
from kith.relate.data import Source
from kith.units import DAY

SORTS = ("strength", "cooling", "debt", "referrals")
#: Cooling order: the overdue (silent ≥ twice their usual gap) first, the
#: busiest when contact stopped first among them; then the rest by silence / gap.
OVERDUE = 1e6
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


def strength_sql(now: int, postgres: bool) -> str:
    """``strength.score_row``'s log-odds as one SQL expression over a relationship
    row (``ln``/``exp``: PostgreSQL, and SQLite built with its math functions)."""
    least = "LEAST" if postgres else "min"
    greatest = "GREATEST" if postgres else "max"
    day = float(DAY)
    x = {
        "recency": f"ln(1 + {greatest}({now} - {least}(last_in_at, last_out_at), 0) / {day})",
        "frequency": (
            f"ln(1 + (decayed_in + decayed_out) * exp(-{math.log(2)!r} * ({now} - computed_at)"
            f" / (half_life_days * {day})))"
        ),
        "tenure": f"ln(1 + {greatest}({now} - first_contact_at, 0) / {day})",
        "reciprocity": "(1.0 - abs(n_in - n_out) * 1.0 / (n_in + n_out))",
        "channels": "ln(1 + COALESCE(channels, 0))",
        "replies": "ln(1 + my_replies + their_replies)",
    }
    terms = " + ".join(
        f"({strength.WEIGHTS[k]!r}) * ({x[k]} - ({strength.MEAN[k]!r})) / {strength.SCALE[k]!r}"
        for k in strength.FACTORS
    )
    rates = {k: math.log(v / (1 - v)) for k, v in strength.ONE_WAY_RATE.items()}
    return (
        f"CASE WHEN n_in > 0 AND n_out > 0 THEN {strength.INTERCEPT!r} + {terms} "
        f"WHEN n_in > 0 THEN {rates['never replied']!r} "
        f"WHEN n_out > 0 THEN {rates['unanswered']!r} ELSE -1e9 END"
    )


def _order_key(sort: str, now: int, postgres: bool) -> str:
    if sort == "strength":
        return strength_sql(now, postgres)
    if sort == "cooling":
        ratio = f"({now} - last_contact_at) / {DAY}.0 / median_gap_days"
        at_last = (
            f"(decayed_in + decayed_out) * exp({math.log(2)!r} * (computed_at - last_contact_at)"
            f" / (half_life_days * {DAY}.0))"
        )
        return (
            f"CASE WHEN median_gap_days > 0 AND {ratio} >= {layers.COOLING_RATIO!r} "
            f"THEN {OVERDUE!r} + ln(1 + {at_last}) "
            f"WHEN median_gap_days > 0 THEN {ratio} END"
        )
    return "gives_in - gives_out"


def relationships(
    conn: Any, now: int, sort: str = "strength", limit: int | None = 50
) -> list[dict[str, Any]]:
    """The top ``limit`` relationships by ``sort``: strength (highest first),
    cooling (the overdue — silent twice their usual gap — busiest at their
    last contact first, then the rest by silence / gap), debt (gives received minus
    given, highest first), referrals (interactions bringing others, most first).

    The database orders and cuts (one pass over ``relationship``); Python
    scores the rows kept. Where SQLite lacks ``ln``, every row is read and
    scored in Python instead (the same order, slower)."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    src = Source(conn)
    cols = ", ".join(_COLUMNS)
    brought: dict[int, int] = {}
    if sort == "referrals":
        brought = {int(p): int(n) for p, n in src.rows(_BROUGHT, (now,))}
        ids = sorted(brought, key=lambda p: (-brought[p], p))[: limit or None]
        rows = _rows_of(src, ids)
    else:
        cut = f" LIMIT {int(limit)}" if limit else ""
        sql = (
            f"SELECT {cols} FROM relationship "
            f"ORDER BY COALESCE({_order_key(sort, now, src.postgres)}, -1e18) DESC, person_id{cut}"
        )
        try:
            rows = src.rows(sql)
        except Exception as exc:  # SQLite without its math functions
            if "no such function" not in str(exc):
                raise
            return _relationships_in_python(src, now, sort, limit)
    return _present(src, rows, now, brought, ranked=None)


def _rows_of(src: Source, ids: list[int]) -> list[tuple[Any, ...]]:
    by_id: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for r in src.rows(
            f"SELECT {', '.join(_COLUMNS)} FROM relationship WHERE person_id IN ({marks})",
            tuple(chunk),
        ):
            by_id[int(r[0])] = r
    return [by_id[p] for p in ids if p in by_id]


def _rank(src: Source, decayed: float) -> int:
    above = src.rows(
        "SELECT count(*) FROM (SELECT 1 FROM relationship WHERE decayed > ? "
        "AND n_in > 0 AND n_out > 0 LIMIT 151) t",
        (decayed,),
    )
    return int(above[0][0]) + 1


def _present(
    src: Source,
    rows: list[tuple[Any, ...]],
    now: int,
    brought: dict[int, int],
    ranked: dict[int, int] | None,
) -> list[dict[str, Any]]:
    import numpy as np

    if not rows:
        return []
    cols = _as_columns(rows)
    score = strength.score_columns(cols, now)
    names = _names(src, [int(r[0]) for r in rows])
    out = []
    for k, r in enumerate(rows):
        pid = int(r[0])
        n_in, n_out = int(cols["n_in"][k]), int(cols["n_out"][k])
        two_way = n_in > 0 and n_out > 0
        rank = None
        if two_way:
            rank = ranked[pid] if ranked is not None else _rank(src, float(cols["decayed"][k]))
        silence = (now - cols["last_contact_at"][k]) / DAY
        gap = cols["median_gap_days"][k]
        cooling = None if np.isnan(silence) or not gap > 0 else round(float(silence / gap), 2)
        gives_in, gives_out = int(cols["gives_in"][k]), int(cols["gives_out"][k])
        out.append(
            {
                "person_id": pid,
                "name": names.get(pid),
                "strength": round(float(score[k])),
                "state": strength.state_of(n_in, n_out),
                "layer": layers.layer_of_rank(rank),
                "cooling_ratio": cooling,
                "gives_in": gives_in,
                "gives_out": gives_out,
                "debt": gives_in - gives_out,
                "referrals": brought.get(pid, 0) if brought else None,
            }
        )
    return out


def _as_columns(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """``_COLUMNS`` as float arrays (NULL as NaN), for the vectorised score."""
    import numpy as np

    return {
        name: np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=np.float64)
        for i, name in enumerate(_COLUMNS)
    }


def _relationships_in_python(
    src: Source, now: int, sort: str, limit: int | None
) -> list[dict[str, Any]]:
    import numpy as np

    rows = src.rows(f"SELECT {', '.join(_COLUMNS)} FROM relationship")
    if not rows:
        return []
    cols = _as_columns(rows)
    score = strength.score_columns(cols, now)
    silence = (now - cols["last_contact_at"]) / DAY
    with np.errstate(divide="ignore", invalid="ignore"):
        cooling = np.where(cols["median_gap_days"] > 0, silence / cols["median_gap_days"], np.nan)
    at_last = (cols["decayed_in"] + cols["decayed_out"]) * np.exp(
        math.log(2)
        * (cols["computed_at"] - cols["last_contact_at"])
        / (cols["half_life_days"] * DAY)
    )
    overdue = np.where(cooling >= layers.COOLING_RATIO, OVERDUE + np.log1p(at_last), cooling)
    key = {
        "strength": score,
        "cooling": np.nan_to_num(overdue, nan=-1e18),
        "debt": cols["gives_in"] - cols["gives_out"],
    }[sort]
    top = np.lexsort((cols["person_id"], -key))[: limit or len(rows)]
    return _present(src, [rows[k] for k in top], now, {}, ranked=None)


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
