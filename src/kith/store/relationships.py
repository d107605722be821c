"""The reads behind every list of relationships: ranks for the Dunbar layers,
the cooling rule and the strength score written as SQL, and the sorted list
``kith relationships`` prints.

The meanings live in ``kith.relate`` (``layers``, ``cooling``, ``strength``);
this module only reads what they need, on a ``kith.store.sql.Db``. The SQL
forms of the cooling rule and of the strength score are the same formulas,
so a filter or an order in the database agrees with the figure shown (tests
compare them row by row).

`kith today` reads only the ranks and the cooling rule from here; the
strength score and the listing (``kith.relate.strength``, ``listing``) are
imported where they are used, so its start-up does not pay for them.
"""

from __future__ import annotations

import math
from typing import Any

from kith.relate import cooling, layers
from kith.store.sql import Db
from kith.units import DAY

#: A relationship the layers rank: both sides have written.
TWO_WAY = "r.n_in > 0 AND r.n_out > 0"
#: People listed: not me, not merged away.
ACTIVE = "p.merged_into IS NULL AND NOT p.is_me"
#: When a check-in falls due: last contact + COOLING_RATIO (2) × the usual gap
#: in seconds, written as the index ``ix_relationship_cooling_due`` is.
COOLING_DUE_SQL = "(r.last_contact_at + r.median_gap_days * 172800)"
#: The COOLING_RATIO × DAY that ``COOLING_DUE_SQL`` is written for, and the
#: rhythm thresholds (MIN_CONTACT_DAYS, MIN_THREADS) of the partial index:
#: ``tests/test_today_store.py`` checks they are ``kith.relate.cooling``'s.
COOLING_DUE_FACTOR = 172800
COOLING_INDEX_WHERE = "contact_days >= 4 AND threads >= 5"
#: The closest two-way people read to rank the layers: by decayed contact as
#: stored, then aged to ``now`` (a row computed earlier holds a larger
#: figure); read again, wider, when the aged ranking could miss someone.
RANK_READ = 3 * layers.RANKED
RANK_READ_MAX = 64 * layers.RANKED


def closest(db: Db, limit: int) -> list[tuple[int, float, int, float]]:
    """(person id, decayed, computed_at, half-life days) of the ``limit``
    two-way relationships with the most decayed contact as stored, most first."""
    sql = (
        "SELECT r.person_id, r.decayed, r.computed_at, r.half_life_days"
        f" FROM relationship r JOIN person p ON p.id = r.person_id WHERE {ACTIVE} AND {TWO_WAY}"
        " ORDER BY r.decayed DESC LIMIT :limit"
    )
    return [(int(a), float(b), int(c), float(d)) for a, b, c, d in db.rows(sql, {"limit": limit})]


def layer_ranks(db: Db, now: int) -> dict[int, int]:
    """person id → rank (from 1) among the two-way relationships by decayed
    contact at ``now``, for the ``layers.RANKED`` closest: whoever is not in
    it is ``beyond`` (two-way) or ``outside`` (``kith.relate.layers``)."""
    limit = RANK_READ
    while True:
        rows = closest(db, limit)
        if not rows:
            return {}
        ranks = layers.rank_closest(rows, now, read_all=len(rows) < limit or limit >= RANK_READ_MAX)
        if ranks is not None:
            return ranks
        limit *= 4


def layer_of_row(row: dict[str, Any], ranks: dict[int, int]) -> str:
    """The layer of a relationship row (``person_id``, ``n_in``, ``n_out``)."""
    return layers.layer_of(row.get("n_in"), row.get("n_out"), ranks.get(int(row["person_id"])))


def cooling_sql(alias: str = "r.") -> str:
    """``kith.relate.cooling``'s rule as SQL on a relationship row, as of
    ``:now`` (bind ``cooling_params(now)``); along the partial index of the
    queue's check-ins."""
    due = COOLING_DUE_SQL.replace("r.", alias)
    return f"({rhythm_sql(alias)} AND {due} <= :now AND {alias}last_contact_at >= :cold_since)"


def rhythm_sql(alias: str = "r.") -> str:
    """``kith.relate.cooling.has_rhythm`` as SQL on a relationship row."""
    a = alias
    span = f"({a}last_contact_at - {a}first_contact_at)"
    return (
        f"({a}contact_days >= {cooling.MIN_CONTACT_DAYS} AND {a}threads >= {cooling.MIN_THREADS}"
        f" AND {a}n_in >= {cooling.MIN_EXCHANGES} AND {a}n_out >= {cooling.MIN_EXCHANGES}"
        f" AND {span} >= {cooling.MIN_RHYTHM_SPAN_DAYS * DAY}"
        f" AND {a}median_gap_days > 0"
        f" AND {span} <= {cooling.MAX_IRREGULARITY * DAY}"
        f" * {a}median_gap_days * ({a}contact_days - 1))"
    )


def cooling_params(now: int) -> dict[str, int]:
    """The parameters of ``cooling_sql``."""
    return {"now": now, "cold_since": now - cooling.COLD_AFTER_DAYS * DAY}


def strength_sql(now: int, postgres: bool, alias: str = "") -> str:
    """``kith.relate.strength.score_row``'s log-odds as one SQL expression
    over a relationship row (``ln``/``exp``: PostgreSQL, and SQLite with its
    math functions, which ``Db`` provides where SQLite lacks them)."""
    from kith.relate import strength

    a = alias
    least = "LEAST" if postgres else "min"
    greatest = "GREATEST" if postgres else "max"
    day = float(DAY)
    x = {
        "recency": f"ln(1 + {greatest}({now} - {least}({a}last_in_at, {a}last_out_at), 0) / {day})",
        "frequency": (
            f"ln(1 + ({a}decayed_in + {a}decayed_out) * exp(-{math.log(2)!r} * "
            f"({now} - {a}computed_at) / ({a}half_life_days * {day})))"
        ),
        "tenure": f"ln(1 + {greatest}({now} - {a}first_contact_at, 0) / {day})",
        "reciprocity": f"(1.0 - abs({a}n_in - {a}n_out) * 1.0 / ({a}n_in + {a}n_out))",
        "channels": f"ln(1 + COALESCE({a}channels, 0))",
        "replies": f"ln(1 + {a}my_replies + {a}their_replies)",
    }
    terms = " + ".join(
        f"({strength.WEIGHTS[k]!r}) * ({x[k]} - ({strength.MEAN[k]!r})) / {strength.SCALE[k]!r}"
        for k in strength.FACTORS
    )
    rates = {k: math.log(v / (1 - v)) for k, v in strength.ONE_WAY_RATE.items()}
    return (
        f"CASE WHEN {a}n_in > 0 AND {a}n_out > 0 THEN {strength.INTERCEPT!r} + {terms} "
        f"WHEN {a}n_in > 0 THEN {rates['never replied']!r} "
        f"WHEN {a}n_out > 0 THEN {rates['unanswered']!r} ELSE -1e9 END"
    )


def strength_at_least(score: float) -> float | None:
    """The log-odds ``strength_sql`` must reach for a score of ``score``
    (0–100); None when every score does."""
    if score <= 0:
        return None
    p = min(score, 100.0) / 100.0
    return math.inf if p >= 1 else math.log(p / (1 - p))


def _order_keys(sort: str, now: int, postgres: bool) -> list[str]:
    """The terms ``sort`` orders by, each highest first (NULL as lowest):
    ``kith.relate.listing.order_in_python`` written as SQL."""
    if sort == "strength":
        return [strength_sql(now, postgres)]
    if sort == "cooling":
        rhythm = rhythm_sql()
        return [
            f"CASE WHEN {cooling_sql()} THEN 2 WHEN {rhythm} THEN 1 ELSE 0 END",
            f"CASE WHEN r.median_gap_days > 0 THEN ({now} - r.last_contact_at) / {DAY}.0"
            " / r.median_gap_days END",
        ]
    return [
        f"CASE WHEN {TWO_WAY} AND r.gives_in > r.gives_out THEN 1 ELSE 0 END",
        "r.gives_in - r.gives_out",
    ]


_BROUGHT = """
SELECT i.person_id, count(DISTINCT x.id)
FROM interaction x
JOIN participant pa ON pa.interaction_id = x.id
JOIN identity i ON i.id = pa.identity_id
WHERE x.kind IN ('referral', 'intro') AND x.direction <> 'out'
  AND pa.role IN ('from', 'sender') AND x.occurred_at <= :now
GROUP BY i.person_id
"""


def relationships(
    db: Db, now: int, sort: str = "strength", limit: int | None = 50
) -> list[dict[str, Any]]:
    """The top ``limit`` relationships by ``sort`` (``kith.relate.listing.SORTS``),
    each with its strength, layer, cooling and debt: the database orders and
    cuts (one pass over ``relationship``), ``kith.relate.listing`` scores the
    rows kept."""
    from kith.relate import listing

    if sort not in listing.SORTS:
        raise ValueError(f"sort must be one of {', '.join(listing.SORTS)}")
    cols = ", ".join(f"r.{c}" for c in listing.COLUMNS)
    brought: dict[int, int] = {}
    if sort == "referrals":
        brought = {int(p): int(n) for p, n in db.rows(_BROUGHT, {"now": now})}
        ids = sorted(brought, key=lambda p: (-brought[p], p))[: limit or None]
        rows = rows_of(db, ids)
    else:
        cut = f" LIMIT {int(limit)}" if limit else ""
        rows = db.rows(
            f"SELECT {cols} FROM relationship r "
            "ORDER BY "
            + "".join(f"COALESCE({k}, -1e18) DESC, " for k in _order_keys(sort, now, db.postgres))
            + f"r.person_id{cut}",
            cooling_params(now),
        )
    names = names_of(db, [int(r[0]) for r in rows])
    return listing.present(rows, now, names, layer_ranks(db, now), brought)


def rows_of(db: Db, ids: list[int]) -> list[tuple[Any, ...]]:
    """The ``listing.COLUMNS`` of these people's relationship rows, in ``ids``' order."""
    from kith.relate import listing

    by_id: dict[int, tuple[Any, ...]] = {}
    cols = ", ".join(listing.COLUMNS)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in db.rows(
            f"SELECT {cols} FROM relationship WHERE person_id IN :ids", {"ids": chunk}
        ):
            by_id[int(r[0])] = r
    return [by_id[p] for p in ids if p in by_id]


def all_rows(db: Db) -> list[tuple[Any, ...]]:
    """Every relationship row's ``listing.COLUMNS``."""
    from kith.relate import listing

    return db.rows(f"SELECT {', '.join(listing.COLUMNS)} FROM relationship")


def names_of(db: Db, ids: list[int]) -> dict[int, str | None]:
    """person id → name."""
    found: dict[int, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for pid, name in db.rows("SELECT id, name FROM person WHERE id IN :ids", {"ids": chunk}):
            found[int(pid)] = name
    return found


#: The analytics' columns the Person page shows.
ROW_SHOWN = (
    "computed_at, half_life_days, interactions, n_in, n_out, decayed, first_contact_at, "
    "last_contact_at, median_gap_days, silence_days, cooling_ratio, waiting, gives_in, "
    "gives_out, give_balance, sentiment_mean, channels, threads, contact_days"
)


def relationship_row(db: Db, person_id: int, now: int) -> dict[str, Any] | None:
    """The analytics' row for me ↔ ``person_id`` as of ``now`` (silence and
    cooling read from its raw times), or None before a refresh."""
    try:
        row = db.first(
            f"SELECT {ROW_SHOWN} FROM relationship WHERE person_id = :pid", {"pid": person_id}
        )
    except Exception:  # no relationship table: a ledger older than the analytics
        db.conn.rollback()
        return None
    if row is None:
        return None
    found = dict(zip([c.strip() for c in ROW_SHOWN.split(",")], row, strict=True))
    found["silence_days"] = cooling.silence_days(found["last_contact_at"], now)
    found["cooling_ratio"] = cooling.ratio(found["last_contact_at"], found["median_gap_days"], now)
    found["cooling"] = cooling.is_cooling(found, now)
    return found
