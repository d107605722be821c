"""``/``: what the ledger holds and where to go from here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kith.store import browse
from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["overview"])


def _overview(request: Request) -> dict[str, Any]:
    with ledger_of(request).reader() as db:
        people, interactions, circles, computed = browse.overview(db)
    return {
        "people": people,
        "interactions": interactions,
        "circles": circles,
        "computed_at": computed,
    }


@router.get("/api/overview")
def overview_api(request: Request) -> dict[str, Any]:
    """Counts of what the ledger holds, and when its figures were computed."""
    return _overview(request)


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    day = ledger_of(request).today()
    return render(
        request,
        "home.html",
        {"overview": _overview(request), "items": day.plan.items[:3], "due": len(day.plan.items)},
    )
