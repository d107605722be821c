"""Person: one person's identities, timeline, scores and notes; merge and unmerge."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from kith.errors import KithError
from kith.matching.matters import what_matters
from kith.store import browse, reads
from kith.store import relationships as rel
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


def chart(points: list[Any] | None, width: int = 560, height: int = 120) -> dict[str, Any] | None:
    """An SVG polyline of strength over time (the page draws it without script)."""
    if not points or len(points) < 2:
        return None
    xs = [int(p["at"]) for p in points]
    ys = [float(p["score"]) for p in points]
    x0, x1 = min(xs), max(xs)
    top = max(ys) or 1.0
    pad = 4
    coords = " ".join(
        f"{pad + (x - x0) / ((x1 - x0) or 1) * (width - 2 * pad):.1f},"
        f"{height - pad - y / top * (height - 2 * pad):.1f}"
        for x, y in zip(xs, ys, strict=True)
    )
    return {"width": width, "height": height, "points": coords, "first": x0, "last": x1, "top": top}


def _person(request: Request, pid: int, timeline: int) -> dict[str, Any]:
    ledger = ledger_of(request)
    now = ledger.now()
    with ledger.reader() as db:
        profile = reads.person_profile(db, pid, timeline=timeline).as_dict()
        relationship = rel.relationship_row(db, pid, now)
        notes = browse.notes(db, pid)
        report, history = scores(db, pid, now)
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
