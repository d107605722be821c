"""The connection report (``kith report``) in the app's layout, each record
linking to its person's page."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kith.errors import InputError
from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["report"])


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"not a date: {text!r}", where=name, hint="give YYYY-MM-DD") from None


@router.get("/report", include_in_schema=False)
def report_page(request: Request, start: str = "", end: str = "") -> Response:
    """How my connections changed: ``start``/``end`` as ``kith report --from/--to``."""
    from kith.report import connections
    from kith.report import render as report_render

    first, last = _day(start, "start"), _day(end, "end")
    with ledger_of(request).reader() as db:
        data = connections.build(db, first, last)
    return render(
        request,
        "report.html",
        {
            "report": data,
            "body": report_render.body(data, links=True),
            "start": start or data["current_start"],
            "end": end or data["current_end"],
        },
    )
