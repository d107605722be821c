"""The reads behind the web app's People and Network pages, on a ``Reader``.

Plain SQL that SQLite and PostgreSQL both read, like ``kith.store.reads``:
a page of people matching a search and filters, the circles to filter by,
one relationship row, and the ties among the strongest relationships.

The filters read the ``relationship`` table the analytics write. It has no
``strength`` or ``layer`` column (yet): strength here is ``decayed``, the
exponentially decayed count of contacts as of the last refresh, and a Dunbar
layer is a rank by it. Ranks do not change as the figures age (every row
decays at the same rate), so ranking the stored values is exact.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from kith.attention.candidates import (
    COLD_AFTER_DAYS,
    COOLING_RATIO,
    MIN_CONTACT_DAYS,
    MIN_THREADS,
)
from kith.store.reads import Reader

#: Dunbar's layers, by rank of strength (Dunbar 1998; Zhou et al. 2005):
#: a layer holds everyone ranked at or above its size.
LAYERS: dict[str, int] = {
    "support": 5,
    "sympathy": 15,
    "close": 50,
    "active": 150,
    "acquainted": 500,
    "known": 1500,
}


#: Cooling, as the daily queue's check-ins see it (``kith.attention.candidates``):
#: silent for twice its own usual gap, with a rhythm to break (contact days and
#: separate conversations enough), and not yet cold (silent over a year).
def cooling_sql(alias: str = "") -> str:
    """The cooling test on a relationship row, as SQL (``alias``: ``r.``)."""
    return (
        f"({alias}cooling_ratio >= {COOLING_RATIO!r} AND {alias}contact_days >= "
        f"{MIN_CONTACT_DAYS} AND {alias}threads >= {MIN_THREADS} AND "
        f"{alias}silence_days <= {COLD_AFTER_DAYS})"
    )


SORTS = ("name", "strength", "recent")
#: The most rows one page may ask for.
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class PeopleQuery:
    """What the People page asks for. Empty fields do not filter."""

    q: str = ""
    role: str = ""
    layer: str = ""
    min_strength: float | None = None
    cooling: bool = False
    #: "owed": they gave more than they got; "owing": I gave more.
    debt: str = ""
    circle: int | None = None
    sort: str = "name"
    page: int = 1
    per_page: int = 50


@dataclass(slots=True)
class PeoplePage:
    rows: list[dict[str, Any]]
    page: int
    per_page: int
    more: bool


_COLUMNS = f"""
SELECT p.id, p.name,
  (SELECT i.kind || ':' || i.value FROM identity i
     WHERE i.person_id = p.id AND i.alias_of IS NULL ORDER BY i.id LIMIT 1) AS ident,
  r.decayed, r.interactions, r.last_contact_at, r.cooling_ratio, r.give_balance,
  CASE WHEN {cooling_sql("r.")} THEN 1 ELSE 0 END AS cooling
"""
#: By name, everyone, along the name index; by strength or recency, the
#: people with figures, from the relationship rows (strength along its index:
#: the tie-break on ``person_id`` follows the index, so nothing is sorted).
_FROM = {
    "name": " FROM person p LEFT JOIN relationship r ON r.person_id = p.id",
    "strength": " FROM relationship r JOIN person p ON p.id = r.person_id",
    "recent": " FROM relationship r JOIN person p ON p.id = r.person_id",
}
_ORDER = {
    "name": " ORDER BY p.name, p.id",
    "strength": " ORDER BY r.decayed DESC, r.person_id DESC",
    "recent": " ORDER BY r.last_contact_at DESC, r.person_id DESC",
}


def fold(text: str) -> str:
    """Lower case without accents: how a search is compared with name keys."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def search_people(
    reader: Reader, query: PeopleQuery, *, members: Collection[int] | None = None
) -> PeoplePage:
    """One page of people (not me, not merged away) matching ``query``.

    The search ``q`` matches an address from its start (``ana@``), or a name
    from its start (``ana li`` finds Ana Lima), both by index. Sorted by
    strength or recency, only people with figures are listed. Pages are
    counted by offset: cheap along an index, and a person can name a page.
    ``members`` are the circle's people when the caller has them already
    (``circle_members`` reads every interaction of the ledger).
    """
    sort = query.sort if query.sort in _ORDER else "name"
    sql = _COLUMNS + _FROM[sort] + " WHERE p.merged_into IS NULL AND p.is_me = ?"
    params: list[Any] = [False]
    # A filter on the figures picks its people from the relationship rows
    # first (one pass over them at most, or an index), so a rare match does
    # not cost a walk through everyone in name order.
    figures: list[str] = []
    figure_params: list[Any] = []
    q = query.q.strip()
    if q:
        low = q.lower().removeprefix("email:")
        if "@" in low or ":" in low:
            sql += (
                " AND p.id IN (SELECT i.person_id FROM identity i"
                " WHERE i.value >= ? AND i.value < ?)"
            )
            params += [low, low + "\uffff"]
        else:
            key = fold(q)
            sql += " AND ((p.name_key >= ? AND p.name_key < ?) OR p.name = ?)"
            params += [key, key + "\uffff", q]
    if query.role.strip():
        sql += (
            " AND p.id IN (SELECT i.person_id FROM fact f JOIN identity i ON i.id = f.identity_id"
            " WHERE f.key IN ('role', 'title') AND lower(f.value) LIKE ?)"
        )
        params.append(f"%{query.role.strip().lower()}%")
    if query.layer:
        size = LAYERS.get(query.layer)
        if size is not None:
            sql += (
                " AND p.id IN (SELECT person_id FROM relationship"
                " ORDER BY decayed DESC, person_id DESC LIMIT ?)"
            )
            params.append(size)
    if query.min_strength is not None:
        figures.append("decayed >= ?")
        figure_params.append(query.min_strength)
    if query.cooling:
        figures.append(cooling_sql())
    if query.debt == "owed":
        figures.append("give_balance > 0")
    elif query.debt == "owing":
        figures.append("give_balance < 0")
    if figures:
        sql += (
            " AND p.id IN (SELECT person_id FROM relationship WHERE " + " AND ".join(figures) + ")"
        )
        params += figure_params
    if query.circle is not None:
        found = circle_members(reader, query.circle) if members is None else members
        clause, value = _in_set(reader, found)
        sql += f" AND p.id {clause}"
        params.append(value)
    per_page = max(1, min(query.per_page, MAX_PAGE))
    page = max(1, query.page)
    sql += _ORDER[sort] + " LIMIT ? OFFSET ?"
    params += [per_page + 1, (page - 1) * per_page]
    rows = [
        {
            "id": int(pid),
            "name": name,
            "identity": ident,
            "strength": None if decayed is None else float(decayed),
            "interactions": int(n or 0),
            "last_contact": None if last is None else int(last),
            "cooling_ratio": None if cooling is None else float(cooling),
            "give_balance": None if balance is None else int(balance),
            "cooling": bool(is_cooling),
        }
        for pid, name, ident, decayed, n, last, cooling, balance, is_cooling in reader.rows(
            sql, tuple(params)
        )
    ]
    return PeoplePage(rows[:per_page], page, per_page, len(rows) > per_page)


def circle_members(reader: Reader, circle: int) -> frozenset[int]:
    """Everyone who took part in the circle's interactions (by the partial
    index on ``interaction.circle_id``, migration 0007; a big list's members
    still take a while to gather, so the web app keeps the answer until the
    ledger changes)."""
    return frozenset(
        int(r[0])
        for r in reader.rows(
            "SELECT DISTINCT i.person_id FROM interaction x"
            " JOIN participant pa ON pa.interaction_id = x.id"
            " JOIN identity i ON i.id = pa.identity_id WHERE x.circle_id = ?",
            (circle,),
        )
    )


def _in_set(reader: Reader, ids: Collection[int]) -> tuple[str, Any]:
    """``IN`` a set of ids as one parameter: a JSON array on SQLite, an array
    on PostgreSQL (any size, one statement)."""
    if reader.postgres:
        return "= ANY(?)", sorted(ids)
    return "IN (SELECT value FROM json_each(?))", json.dumps(sorted(ids))


def circles(reader: Reader) -> list[dict[str, Any]]:
    """Every circle, by name."""
    return [
        {"id": int(i), "name": name or key, "visibility": vis}
        for i, key, name, vis in reader.rows(
            "SELECT id, key, name, visibility FROM circle ORDER BY name, id"
        )
    ]


def relationship_row(reader: Reader, person_id: int) -> dict[str, Any] | None:
    """The analytics' row for me ↔ ``person_id``, or None before a refresh."""
    cols = (
        "computed_at, half_life_days, interactions, n_in, n_out, decayed, first_contact_at, "
        "last_contact_at, median_gap_days, silence_days, cooling_ratio, waiting, gives_in, "
        "gives_out, give_balance, sentiment_mean, channels, threads, contact_days"
    )
    try:
        row = reader.first(f"SELECT {cols} FROM relationship WHERE person_id = ?", (person_id,))
    except Exception:  # no relationship table: a ledger older than the analytics
        reader.conn.rollback()
        return None
    if row is None:
        return None
    found = dict(zip([c.strip() for c in cols.split(",")], row, strict=True))
    found["cooling"] = bool(
        (found["cooling_ratio"] or 0) >= COOLING_RATIO
        and found["contact_days"] >= MIN_CONTACT_DAYS
        and found["threads"] >= MIN_THREADS
        and (found["silence_days"] or 0) <= COLD_AFTER_DAYS
    )
    return found


#: Ranks are counted this far (the widest Dunbar layer); below it, "beyond".
RANKED = 1500


def rank_of(reader: Reader, decayed: float) -> int | None:
    """How many relationships are stronger than ``decayed``, plus one; None
    beyond the first ``RANKED`` (counting a million index entries for a
    passing acquaintance would cost a page tens of milliseconds)."""
    found = reader.first(
        "SELECT count(*) FROM (SELECT 1 FROM relationship WHERE decayed > ? LIMIT ?) AS s",
        (decayed, RANKED),
    )
    stronger = int(found[0] if found else 0)
    return None if stronger >= RANKED else stronger + 1


def notes(reader: Reader, person_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """What the user wrote when closing the day's items for this person, newest first."""
    return [
        {"at": int(at), "action": action, "note": note}
        for at, action, note in reader.rows(
            "SELECT at, action, note FROM attention_action WHERE person_id = ?"
            " AND note IS NOT NULL ORDER BY at DESC, id DESC LIMIT ?",
            (person_id, limit),
        )
    ]


def network(
    reader: Reader,
    *,
    limit: int,
    min_strength: float = 0.0,
    circle: int | None = None,
    members: Collection[int] | None = None,
) -> tuple[list[tuple[int, str | None, float]], list[tuple[int, int, float]], int]:
    """The ``limit`` strongest relationships (optionally in one circle, at
    least ``min_strength``) and the ties among them; and how many matched.

    Returns (nodes as (id, name, strength), edges as (a, b, decayed), total).
    """
    where = "r.decayed >= ?"
    params: list[Any] = [min_strength]
    if circle is not None:
        found = circle_members(reader, circle) if members is None else members
        clause, value = _in_set(reader, found)
        where += f" AND r.person_id {clause}"
        params.append(value)
    total_row = reader.first(f"SELECT count(*) FROM relationship r WHERE {where}", tuple(params))
    total = int(total_row[0]) if total_row else 0
    nodes = [
        (int(pid), name, float(decayed))
        for pid, name, decayed in reader.rows(
            f"SELECT r.person_id, p.name, r.decayed FROM relationship r"
            f" JOIN person p ON p.id = r.person_id WHERE {where}"
            " ORDER BY r.decayed DESC, r.person_id DESC LIMIT ?",
            (*params, limit),
        )
    ]
    top = (
        f"SELECT r.person_id FROM relationship r WHERE {where}"
        " ORDER BY r.decayed DESC, r.person_id DESC LIMIT ?"
    )
    edges = [
        (int(a), int(b), float(d))
        for a, b, d in reader.rows(
            f"WITH top AS ({top}) SELECT t.person_a, t.person_b, t.decayed FROM tie t"
            " WHERE t.person_a IN (SELECT person_id FROM top)"
            " AND t.person_b IN (SELECT person_id FROM top)",
            (*params, limit),
        )
    ]
    return nodes, edges, total


def me(reader: Reader) -> tuple[int, str | None] | None:
    """The owner's person row, if declared."""
    row = reader.first("SELECT id, name FROM person WHERE is_me = ? ORDER BY id LIMIT 1", (True,))
    return None if row is None else (int(row[0]), row[1])
