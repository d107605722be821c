"""``/``: what the ledger holds and where to go from here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["overview"])

_COUNTS = (
    "SELECT (SELECT count(*) FROM person WHERE merged_into IS NULL AND is_me = ?),"
    " (SELECT count(*) FROM interaction), (SELECT count(*) FROM circle),"
    " (SELECT max(computed_at) FROM relationship)"
)


def _overview(request: Request) -> dict[str, Any]:
    with ledger_of(request).reader() as reader:
        people, interactions, circles, computed = reader.first(_COUNTS, (False,)) or (0, 0, 0, 0)
    return {
        "people": int(people or 0),
        "interactions": int(interactions or 0),
        "circles": int(circles or 0),
        "computed_at": None if computed is None else int(computed),
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
