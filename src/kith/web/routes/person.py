"""Person: one person's identities, timeline, scores and notes; merge and unmerge."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from kith.attention.inbound import person_status
from kith.connect.asks import summary
from kith.connect.introductions import of_person
from kith.errors import KithError
from kith.matching.matters import what_matters
from kith.store import browse, reads
from kith.store import relationships as rel
from kith.store.asks import asks as asks_to
from kith.store.scores import person_report, strength_history
from kith.store.sql import Db
from kith.web.render import render
from kith.web.routes import ledger_of

log = logging.getLogger(__name__)
router = APIRouter(tags=["person"])

#: The sections of ``kith.relate.report.person_report``, in the page's order.
SECTIONS = (
    ("strength", "Strength"),
    ("layer", "Layer"),
    ("cooling", "Cooling"),
    ("reciprocity", "Reciprocity"),
    ("fournier", "The relationship's form"),
    ("warmth_competence", "Warmth and competence, as perceived"),
    ("referrals", "Referrals"),
    ("community", "Community"),
    ("transactional", "Transactional"),
)


#: Interactions on the page (as `kith person`); the API gives up to 1,000.
PAGE_TIMELINE = 20


class MergeBody(BaseModel):
    other: str = Field(description="Who to fold into this person: #id, an address or a name.")


def scores(db: Db, pid: int, now: int) -> tuple[dict[str, Any] | None, list[Any] | None]:
    """The relationship report and strength history. A failing report is
    logged and shown as missing: one broken score must not take the page down."""
    try:
        return person_report(db, pid, now), strength_history(db, pid, now)
    except Exception:
        log.exception("the relationship report for #%s failed", pid)
        return None, None


#: The strength chart's frame: its size, and the margins the axes' labels sit in.
CHART_WIDTH = 560
CHART_HEIGHT = 160
CHART_LEFT = 36
CHART_BOTTOM = 22
CHART_PAD = 6
#: Room on the right for half of the last date's label.
CHART_RIGHT = 24
#: The strength scale (``kith.relate.strength``: 0–100) and its labelled lines.
STRENGTH_TOP = 100.0
STRENGTH_TICKS = (0, 25, 50, 75, 100)
#: At most this many dates on the time axis.
MAX_DATE_TICKS = 6


def _date_ticks(x0: int, x1: int) -> list[tuple[int, str]]:
    """First days of months (of years, over more than three years) between ``x0``
    and ``x1``, every k-th so that at most ``MAX_DATE_TICKS`` remain."""
    from datetime import UTC, datetime

    first = datetime.fromtimestamp(x0, UTC)
    last = datetime.fromtimestamp(x1, UTC)
    yearly = (last.year - first.year) * 12 + last.month - first.month > 36
    starts: list[tuple[int, str]] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        at = int(datetime(year, month, 1, tzinfo=UTC).timestamp())
        if x0 <= at <= x1 and (not yearly or month == 1):
            starts.append((at, f"{year}" if yearly else f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = -(-len(starts) // MAX_DATE_TICKS) or 1
    return starts[::step]


def chart(points: list[Any] | None) -> dict[str, Any] | None:
    """An SVG line of strength over time on the strength scale (0–100), with
    labelled axes (the page draws it without script)."""
    if not points or len(points) < 2:
        return None
    xs = [int(p["at"]) for p in points]
    ys = [float(p["score"]) for p in points]
    x0, x1 = min(xs), max(xs)
    left, right = CHART_LEFT, CHART_WIDTH - CHART_RIGHT
    top, bottom = CHART_PAD, CHART_HEIGHT - CHART_BOTTOM

    def x_of(x: int) -> float:
        return left + (x - x0) / ((x1 - x0) or 1) * (right - left)

    def y_of(y: float) -> float:
        return bottom - min(max(y, 0.0), STRENGTH_TOP) / STRENGTH_TOP * (bottom - top)

    coords = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in zip(xs, ys, strict=True))
    states = {str(p.get("state")) for p in points}
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "points": coords,
        "first": x0,
        "last": x1,
        "top": max(ys),
        "left": left,
        "right": right,
        "bottom": bottom,
        "y_ticks": [(v, round(y_of(v), 1)) for v in STRENGTH_TICKS],
        "x_ticks": [(round(x_of(at), 1), label) for at, label in _date_ticks(x0, x1)],
        # One-way ties are scored at their state's base rate: a flat line, said so.
        "one_way": "two-way" not in states,
    }


def _person(request: Request, pid: int, timeline: int) -> dict[str, Any]:
    ledger = ledger_of(request)
    now = ledger.now()
    with ledger.reader() as db:
        profile = reads.person_profile(db, pid, timeline=timeline).as_dict()
        relationship = rel.relationship_row(db, pid, now)
        notes = browse.notes(db, pid)
        report, history = scores(db, pid, now)
        introduced = of_person(db, pid, now)
        status = None if profile.get("is_me") else person_status(db, pid, now)
        asked = [summary(a) for a in asks_to(db, person_id=pid)]
        matters = None if profile["is_me"] else what_matters(db, pid).as_dict()
    # Their rank among the two-way relationships, as the report's layer has it.
    rank = report["layer"]["rank"] if report is not None and relationship is not None else None
    return {
        **profile,
        "relationship": relationship,
        "rank": rank,
        "notes": notes,
        "report": report,
        "strength_history": history,
        "introductions": introduced,
        "today": None if status is None else status.as_dict(),
        "asks": asked,
        "matters": matters,
    }


@router.get("/api/people/{pid}")
def person_api(
    request: Request, pid: int, timeline: Annotated[int, Query(ge=0, le=1000)] = 50
) -> dict[str, Any]:
    """One person: identities, facts, counts, the latest interactions, the
    analytics' figures, notes, the relationship report (null until computed),
    and what matters to them (topics, asks, offers from their own words)."""
    return _person(request, pid, timeline)


@router.get("/people/{pid}", include_in_schema=False)
def person_page(request: Request, pid: int) -> Response:
    with ledger_of(request).reader() as db:
        current = reads.find_person(db, f"#{pid}")  # follows merges
    if current != pid:  # merged into someone: show them
        return RedirectResponse(f"/people/{current}", status_code=303)
    data = _person(request, pid, PAGE_TIMELINE)
    sections = [(key, label, data["report"].get(key)) for key, label in SECTIONS if data["report"]]
    return render(
        request,
        "person.html",
        {"p": data, "sections": sections, "chart": chart(data["strength_history"])},
    )


def _merge(request: Request, pid: int, other: str) -> tuple[int, int]:
    from kith.store import repository

    ledger = ledger_of(request)
    with ledger.reader() as db:
        kept = reads.find_person(db, f"#{pid}")
        merged = reads.find_person(db, other)
    if merged == kept:
        raise KithError(f"{other!r} is #{kept} already", hint="name someone else to merge in")
    repository.merge_people(
        ledger.engine, kept, merged, reason="merged on the web", now=ledger.now()
    )
    ledger.forget_day()
    return kept, merged


def _unmerge(request: Request, pid: int) -> tuple[int, int]:
    from kith.store import repository

    ledger = ledger_of(request)
    kept, merged = repository.unmerge_person(ledger.engine, pid, now=ledger.now())
    ledger.forget_day()
    return kept, merged


@router.post("/api/people/{pid}/merge")
def merge_api(request: Request, pid: int, body: MergeBody) -> dict[str, int]:
    """Fold another person into this one (recorded; undo with unmerge)."""
    kept, merged = _merge(request, pid, body.other)
    return {"kept": kept, "merged": merged}


@router.post("/api/people/{pid}/unmerge")
def unmerge_api(request: Request, pid: int) -> dict[str, int]:
    """Undo the merge that folded this person into someone."""
    kept, merged = _unmerge(request, pid)
    return {"kept": kept, "merged": merged}


@router.post("/people/{pid}/merge", include_in_schema=False)
def merge_form(request: Request, pid: int, other: Annotated[str, Form()]) -> Response:
    kept, _ = _merge(request, pid, other)
    return RedirectResponse(f"/people/{kept}", status_code=303)


@router.post("/people/{pid}/unmerge", include_in_schema=False)
def unmerge_form(request: Request, pid: int) -> Response:
    _, merged = _unmerge(request, pid)
    return RedirectResponse(f"/people/{merged}", status_code=303)
