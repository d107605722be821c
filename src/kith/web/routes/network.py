"""Network: the ties among the people you know, for the WebGL map."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kith import network_map
from kith.store import browse
from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["network"])

#: The most people one map shows (the strongest relationships first).
MAX_NODES = 10_000
#: My edge to someone weighs their strength (0–100) over this: 0–2.
ME_EDGE_SCALE = 50.0


@router.get("/api/network")
def network_api(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_NODES, description="The strongest N.")] = 2000,
    min_strength: Annotated[
        float, Query(ge=0, le=100, description="Strength 0–100, as kith relationships.")
    ] = 0.0,
    circle: Annotated[int | None, Query(description="Only people in this circle.")] = None,
    me: Annotated[bool, Query(description="Put me at the centre, tied to everyone.")] = True,
) -> dict[str, Any]:
    """People as nodes (with a cluster, a first position and their strength
    0–100) and ties as edges (weighted by their decayed contacts)."""
    ledger = ledger_of(request)
    members = None if circle is None else ledger.circle_members(circle)
    with ledger.reader() as db:
        nodes, edges, total = browse.network(
            db, ledger.now(), limit=limit, min_strength=min_strength, circle=circle, members=members
        )
        owner = browse.me(db) if me else None
    cluster_of = network_map.clusters([n for n, _, _ in nodes], edges)
    placed = network_map.layout([(n, s) for n, _, s in nodes], cluster_of)
    names = {n: name for n, name, _ in nodes}
    strength = {n: s for n, _, s in nodes}
    out_nodes: list[dict[str, Any]] = [
        {
            "id": p.id,
            "label": names[p.id] or f"#{p.id}",
            "cluster": p.cluster,
            "strength": round(strength[p.id], 3),
            "x": round(p.x, 3),
            "y": round(p.y, 3),
        }
        for p in placed
    ]
    out_edges: list[dict[str, Any]] = [
        {"source": a, "target": b, "weight": round(w, 3)} for a, b, w in edges
    ]
    if owner is not None:
        out_nodes.append(
            {"id": "me", "label": owner[1] or "me", "cluster": 0, "me": True, "x": 0, "y": 0}
        )
        out_edges += [
            {"source": "me", "target": n, "weight": round(s / ME_EDGE_SCALE, 3)}
            for n, _, s in nodes
        ]
    return {
        "nodes": out_nodes,
        "edges": out_edges,
        "total": total,
        "truncated": total > len(nodes),
    }


@router.get("/network", include_in_schema=False)
def network_page(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_NODES)] = 2000,
    min_strength: str = "",
    circle: str = "",
    me: bool = True,
) -> Response:
    from kith.web.routes.people import number

    with ledger_of(request).reader() as db:
        circles = browse.circles(db)
    return render(
        request,
        "network.html",
        {
            "circles": circles,
            "limit": limit,
            "min_strength": number(min_strength, float, "min_strength") or 0,
            "circle": number(circle, int, "circle"),
            "me": me,
        },
    )
