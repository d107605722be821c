"""People: search and filters over everyone, a page at a time."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kith.errors import InputError
from kith.relate import layers
from kith.store import browse
from kith.store.ids import MAX_ID
from kith.web.render import render
from kith.web.routes import ledger_of, matching

router = APIRouter(tags=["people"])

Sort = Literal["name", "strength", "recent"]
Layer = Literal["", "support", "sympathy", "close", "active", "beyond", "outside"]
Debt = Literal["", "owed", "owing"]
#: The last page number asked for: its offset (times at most ``browse.MAX_PAGE``)
#: stays far inside SQL's 64-bit integers.
LAST_PAGE = 1_000_000_000
#: People shown for the match box.
MATCHES_SHOWN = 10


def _query(
    q: str,
    role: str,
    layer: str,
    min_strength: float | None,
    cooling: bool,
    debt: str,
    circle: int | None,
    sort: str,
    page: int,
    per_page: int,
) -> browse.PeopleQuery:
    return browse.PeopleQuery(
        q=q,
        role=role,
        layer=layer,
        min_strength=min_strength,
        cooling=cooling,
        debt=debt,
        circle=circle,
        sort=sort,
        page=page,
        per_page=per_page,
    )


@router.get("/api/people")
def people_api(
    request: Request,
    q: Annotated[str, Query(description="A name or an address, from its start.")] = "",
    role: Annotated[str, Query(description="Part of their role or job title.")] = "",
    layer: Annotated[
        Layer, Query(description="In this Dunbar layer (two-way relationships by contact rate).")
    ] = "",
    min_strength: Annotated[
        float | None, Query(ge=0, le=100, description="Strength 0–100, as kith relationships.")
    ] = None,
    cooling: Annotated[
        bool, Query(description="Silent for twice their usual gap, with a rhythm (as check-ins).")
    ] = False,
    debt: Annotated[Debt, Query(description="owed: they gave more; owing: you did.")] = "",
    circle: Annotated[int | None, Query(description="A circle's id (GET /api/circles).")] = None,
    sort: Sort = "name",
    page: Annotated[int, Query(ge=1, le=LAST_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=browse.MAX_PAGE)] = 50,
    audience: Annotated[
        bool, Query(description="Only those who fit your audience (GET /api/audience).")
    ] = False,
) -> dict[str, Any]:
    """A page of people matching a search and filters, each with the strength,
    layer and cooling of `kith relationships` (kith.relate), as of now."""
    query = _query(q, role, layer, min_strength, cooling, debt, circle, sort, page, per_page)
    ledger = ledger_of(request)
    members = None if query.circle is None else ledger.circle_members(query.circle)
    inside = None
    if audience:
        inside = frozenset(m.person_id for m in matching.audience_members(ledger)[1])
    with ledger.reader() as db:
        found = browse.search_people(db, query, ledger.now(), members=members, only=inside)
    return {
        "people": found.rows,
        "page": found.page,
        "per_page": found.per_page,
        "more": found.more,
    }


@router.get("/api/circles")
def circles_api(request: Request) -> dict[str, Any]:
    """Every circle (mailing list, community, cohort), to filter people by."""
    with ledger_of(request).reader() as db:
        return {"circles": browse.circles(db)}


def number(text: str, kind: type[float] | type[int], field: str) -> Any:
    """A form's number field: empty is None (a plain form sends every field)."""
    if not text.strip():
        return None
    try:
        value = kind(text)
    except ValueError:
        raise InputError(f"{field}: not a number: {text!r}") from None
    if value < 0:
        raise InputError(f"{field}: must not be negative")
    if value > MAX_ID:
        raise InputError(f"{field}: out of range")
    return value


@router.get("/people", include_in_schema=False)
def people_page(
    request: Request,
    q: str = "",
    role: str = "",
    layer: Layer = "",
    min_strength: str = "",
    cooling: bool = False,
    debt: Debt = "",
    circle: str = "",
    sort: Sort = "name",
    page: Annotated[int, Query(ge=1, le=LAST_PAGE)] = 1,
    match: str = "",
    audience: bool = False,
) -> Response:
    query = _query(
        q,
        role,
        layer,
        number(min_strength, float, "min_strength"),
        cooling,
        debt,
        number(circle, int, "circle"),
        sort,
        page,
        50,
    )
    ledger = ledger_of(request)
    members = None if query.circle is None else ledger.circle_members(query.circle)
    inside = None
    if audience:
        inside = frozenset(m.person_id for m in matching.audience_members(ledger)[1])
    matches = matching.find_matches(ledger, match, MATCHES_SHOWN) if match.strip() else None
    with ledger.reader() as db:
        found = browse.search_people(db, query, ledger.now(), members=members, only=inside)
        circles = browse.circles(db)
    shown = {
        k: v
        for k, v in {
            "q": q,
            "role": role,
            "layer": layer,
            "min_strength": query.min_strength,
            "cooling": "true" if cooling else "",
            "debt": debt,
            "circle": query.circle,
            "sort": sort if sort != "name" else "",
            "audience": "true" if audience else "",
        }.items()
        if v not in ("", None)
    }
    return render(
        request,
        "people.html",
        {
            "query": query,
            "found": found,
            "match": match,
            "matches": matches,
            "audience": audience,
            "circles": circles,
            "layers": list(layers.LAYER_NAMES),
            "prev_url": f"/people?{urlencode({**shown, 'page': page - 1})}" if page > 1 else None,
            "next_url": f"/people?{urlencode({**shown, 'page': page + 1})}" if found.more else None,
        },
    )
