"""The reads behind the web app's People and Network pages, on a ``Db``.

Plain SQL that SQLite and PostgreSQL both read, like ``kith.store.reads``:
a page of people matching a search and filters, the circles to filter by,
notes, and the ties among the strongest relationships.

A person's strength, layer and cooling on the People page are those of
``kith relationships`` (``kith.relate``: ``strength``, ``layers``,
``cooling``), as of the app's ``now``: the filters and the order by strength
run the same formulas in SQL (``kith.store.relationships``), and the rows of
a page are scored by ``kith.relate.listing.present``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from kith.relate import layers, listing
from kith.store import relationships as rel
from kith.store.sql import Db, contains

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


_COLUMNS = (
    """
SELECT p.id, p.name,
  (SELECT i.kind || ':' || i.value FROM identity i
     WHERE i.person_id = p.id AND i.alias_of IS NULL ORDER BY i.id LIMIT 1) AS ident,
  r.interactions, r.give_balance, """
    + ", ".join(f"r.{c}" for c in listing.COLUMNS)
    + "\n"
)
#: By name, everyone, along the name index; by strength or recency, the
#: people with figures, from the relationship rows (by strength, every row's
#: score is computed and sorted: the score changes with ``now``).
_FROM = {
    "name": " FROM person p LEFT JOIN relationship r ON r.person_id = p.id",
    "strength": " FROM relationship r JOIN person p ON p.id = r.person_id",
    "recent": " FROM relationship r JOIN person p ON p.id = r.person_id",
}
_ORDER = {
    "name": " ORDER BY p.name, p.id",
    "strength": " ORDER BY {strength} DESC, r.person_id DESC",
    "recent": " ORDER BY r.last_contact_at DESC, r.person_id DESC",
}


def fold(text: str) -> str:
    """Lower case without accents: how a search is compared with name keys."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def search_people(
    db: Db,
    query: PeopleQuery,
    now: int,
    *,
    members: Collection[int] | None = None,
    only: Collection[int] | None = None,
) -> PeoplePage:
    """One page of people (not me, not merged away) matching ``query``.

    The search ``q`` matches an address from its start (``ana@``), or a name
    from its start (``ana li`` finds Ana Lima), both by index. Sorted by
    strength or recency, only people with figures are listed. Pages are
    counted by offset: cheap along an index, and a person can name a page.
    Strength, layer and cooling are as of ``now``.
    ``members`` are the circle's people when the caller has them already
    (``circle_members`` reads every interaction of the ledger); ``only``
    keeps the page to these people (the audience: ``kith.matching.audience``).
    """
    sort = query.sort if query.sort in _ORDER else "name"
    # The page's ids first (the order may compute every row's score), then
    # their columns, by id.
    sql = "SELECT p.id" + _FROM[sort] + " WHERE p.merged_into IS NULL AND p.is_me = :me"
    params: dict[str, Any] = {"me": False, **rel.cooling_params(now)}
    ranks = rel.layer_ranks(db, now)
    # A filter on the figures picks its people from the relationship rows
    # first (one pass over them at most, or an index), so a rare match does
    # not cost a walk through everyone in name order.
    figures: list[str] = []
    q = query.q.strip()
    if q:
        low = q.lower().removeprefix("email:")
        if "@" in low or ":" in low:
            sql += (
                " AND p.id IN (SELECT i.person_id FROM identity i"
                " WHERE i.value >= :low AND i.value < :high)"
            )
            params.update(low=low, high=low + "\uffff")
        else:
            key = fold(q)
            sql += " AND ((p.name_key >= :key AND p.name_key < :key_end) OR p.name = :q)"
            params.update(key=key, key_end=key + "\uffff", q=q)
    if query.role.strip():
        sql += (
            " AND p.id IN (SELECT i.person_id FROM fact f JOIN identity i ON i.id = f.identity_id"
            " WHERE f.key IN ('role', 'title') AND lower(f.value) LIKE :role ESCAPE '\\')"
        )
        params["role"] = contains(query.role.strip().lower())
    if query.layer in layers.LAYERS:
        inside = [pid for pid, rank in ranks.items() if layers.layer_of_rank(rank) == query.layer]
        clause, params["layer"] = _in_set(db, inside, "layer")
        sql += f" AND p.id {clause}"
    elif query.layer == layers.BEYOND:
        clause, params["ranked"] = _in_set(db, ranks, "ranked")
        figures.append(rel.TWO_WAY)
        sql += f" AND NOT (p.id {clause})"
    elif query.layer == layers.OUTSIDE:
        sql += f" AND p.id NOT IN (SELECT r.person_id FROM relationship r WHERE {rel.TWO_WAY})"
    if query.min_strength is not None:
        least = rel.strength_at_least(query.min_strength)
        if least is not None:
            figures.append(f"{rel.strength_sql(now, db.postgres, 'r.')} >= :least")
            params["least"] = least
    if query.cooling:
        figures.append(rel.cooling_sql())
    if query.debt == "owed":
        figures.append("r.give_balance > 0")
    elif query.debt == "owing":
        figures.append("r.give_balance < 0")
    if figures:
        sql += (
            " AND p.id IN (SELECT r.person_id FROM relationship r WHERE "
            + " AND ".join(figures)
            + ")"
        )
    if query.circle is not None:
        found = circle_members(db, query.circle) if members is None else members
        clause, params["circle"] = _in_set(db, found, "circle")
        sql += f" AND p.id {clause}"
    if only is not None:
        clause, params["only"] = _in_set(db, only, "only")
        sql += f" AND p.id {clause}"
    per_page = max(1, min(query.per_page, MAX_PAGE))
    page = max(1, query.page)
    sql += _ORDER[sort].format(strength=rel.strength_sql(now, db.postgres, "r."))
    sql += " LIMIT :limit OFFSET :offset"
    params.update(limit=per_page + 1, offset=(page - 1) * per_page)
    ids = [int(r[0]) for r in db.rows(sql, params)]
    clause, listed = _in_set(db, ids, "ids")
    by_id = {
        int(r[0]): r
        for r in db.rows(_COLUMNS + _FROM["name"] + f" WHERE p.id {clause}", {"ids": listed})
    }
    found_rows = [by_id[i] for i in ids]
    scored = iter(listing.present([r[5:] for r in found_rows if r[5] is not None], now, {}, ranks))
    rows = []
    for pid, name, ident, n, balance, *figures_row in found_rows:
        figures_of = next(scored) if figures_row[0] is not None else None
        rows.append(
            {
                "id": int(pid),
                "name": name,
                "identity": ident,
                "strength": None if figures_of is None else figures_of["strength"],
                "state": None if figures_of is None else figures_of["state"],
                "layer": layers.OUTSIDE if figures_of is None else figures_of["layer"],
                "interactions": int(n or 0),
                "last_contact": None
                if figures_of is None
                else _int(figures_row, "last_contact_at"),
                "cooling_ratio": None if figures_of is None else figures_of["cooling_ratio"],
                "give_balance": None if balance is None else int(balance),
                "cooling": False if figures_of is None else figures_of["cooling"],
            }
        )
    return PeoplePage(rows[:per_page], page, per_page, len(rows) > per_page)


def _int(row: list[Any], column: str) -> int | None:
    value = row[listing.COLUMNS.index(column)]
    return None if value is None else int(value)


def circle_members(db: Db, circle: int) -> frozenset[int]:
    """Everyone who took part in the circle's interactions (by the partial
    index on ``interaction.circle_id``, migration 0007; a big list's members
    still take a while to gather, so the web app keeps the answer until the
    ledger changes)."""
    return frozenset(
        int(r[0])
        for r in db.rows(
            "SELECT DISTINCT i.person_id FROM interaction x"
            " JOIN participant pa ON pa.interaction_id = x.id"
            " JOIN identity i ON i.id = pa.identity_id WHERE x.circle_id = :circle",
            {"circle": circle},
        )
    )


def _in_set(db: Db, ids: Collection[int], name: str) -> tuple[str, Any]:
    """``IN`` a set of ids as one parameter ``:name``, a JSON array (any
    size, one statement)."""
    value = json.dumps(sorted(ids))
    if db.postgres:
        elements = f"json_array_elements_text(CAST(:{name} AS json))"
        return f"IN (SELECT CAST(value AS BIGINT) FROM {elements})", value
    return f"IN (SELECT value FROM json_each(:{name}))", value


def circles(db: Db) -> list[dict[str, Any]]:
    """Every circle, by name."""
    return [
        {"id": int(i), "name": name or key, "visibility": vis}
        for i, key, name, vis in db.rows(
            "SELECT id, key, name, visibility FROM circle ORDER BY name, id"
        )
    ]


def notes(db: Db, person_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """What the user wrote when closing the day's items for this person, newest first."""
    return [
        {"at": int(at), "action": action, "note": note}
        for at, action, note in db.rows(
            "SELECT at, action, note FROM attention_action WHERE person_id = :pid"
            " AND note IS NOT NULL ORDER BY at DESC, id DESC LIMIT :limit",
            {"pid": person_id, "limit": limit},
        )
    ]


def network(
    db: Db,
    now: int,
    *,
    limit: int,
    min_strength: float = 0.0,
    circle: int | None = None,
    members: Collection[int] | None = None,
) -> tuple[list[tuple[int, str | None, float]], list[tuple[int, int, float]], int]:
    """The ``limit`` strongest relationships at ``now`` (strength 0–100,
    ``kith.relate.strength``; optionally in one circle, at least
    ``min_strength``) and the ties among them; and how many matched.

    Returns (nodes as (id, name, strength), edges as (a, b, decayed), total).
    """
    score = rel.strength_sql(now, db.postgres, "r.")
    where = "1 = 1"
    params: dict[str, Any] = {"limit": limit}
    least = rel.strength_at_least(min_strength)
    if least is not None:
        where += f" AND {score} >= :least"
        params["least"] = least
    if circle is not None:
        found = circle_members(db, circle) if members is None else members
        clause, params["members"] = _in_set(db, found, "members")
        where += f" AND r.person_id {clause}"
    total_row = db.first(f"SELECT count(*) FROM relationship r WHERE {where}", params)
    total = int(total_row[0]) if total_row else 0
    # The order reads every row's score; the columns and the ties are then
    # read for the nodes alone, by id.
    ids = [
        int(r[0])
        for r in db.rows(
            f"SELECT r.person_id FROM relationship r WHERE {where}"
            f" ORDER BY {score} DESC, r.person_id DESC LIMIT :limit",
            params,
        )
    ]
    names = rel.names_of(db, ids)
    scored = listing.present(rel.rows_of(db, ids), now, names, {})
    nodes = [(s["person_id"], s["name"], float(s["strength"])) for s in scored]
    kept = set(ids)
    clause, value = _in_set(db, ids, "ids")
    edges = [
        (int(a), int(b), float(d))
        for a, b, d in db.rows(
            f"SELECT t.person_a, t.person_b, t.decayed FROM tie t WHERE t.person_a {clause}",
            {"ids": value},
        )
        if int(b) in kept
    ]
    return nodes, edges, total


def me(db: Db) -> tuple[int, str | None] | None:
    """The owner's person row, if declared."""
    row = db.first(
        "SELECT id, name FROM person WHERE is_me = :yes ORDER BY id LIMIT 1", {"yes": True}
    )
    return None if row is None else (int(row[0]), row[1])


def overview(db: Db) -> tuple[int, int, int, int | None]:
    """People (not me, not merged away), interactions, circles, and when the
    analytics last computed a relationship row."""
    row = db.first(
        "SELECT (SELECT count(*) FROM person WHERE merged_into IS NULL AND is_me = :me),"
        " (SELECT count(*) FROM interaction), (SELECT count(*) FROM circle),"
        " (SELECT max(computed_at) FROM relationship)",
        {"me": False},
    )
    people, interactions, n_circles, computed = row or (0, 0, 0, None)
    return (
        int(people or 0),
        int(interactions or 0),
        int(n_circles or 0),
        None if computed is None else int(computed),
    )


def change_token(db: Db) -> tuple[Any, ...]:
    """What changes whenever the day's list may: the newest interaction,
    action, analytics run, merge and unmerge."""
    row = db.first(
        "SELECT (SELECT max(id) FROM interaction), (SELECT max(id) FROM attention_action),"
        " (SELECT max(finished_at) FROM analytics_state), (SELECT max(id) FROM merge),"
        " (SELECT max(undone_at) FROM merge)"
    )
    return tuple(row or ())
