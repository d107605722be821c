"""Introductions: the open ones as a board by state, their steps in place, and yield."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["introductions"])


class StartBody(BaseModel):
    a: str = Field(description="Who is asked first: #id, an address or a name.")
    b: str = Field(description="Who is asked once A said yes: #id, an address or a name.")
    note: str | None = Field(None, max_length=2000, description="Why they should meet.")


class StepBody(BaseModel):
    note: str | None = Field(None, max_length=2000, description="A note kept with the step.")


def _board(request: Request, states: list[str] | None = None) -> dict[str, Any]:
    from kith.attention.settings import load_today_settings
    from kith.connect import introductions as intro
    from kith.store import introductions as store
    from kith.store.attention import my_name

    ledger = ledger_of(request)
    now = ledger.now()
    templates = load_today_settings().templates
    with ledger.reader() as db:
        rows = store.listing(db, states=states)
        made = store.listing(db, states=[intro.MADE, *intro.ENDED_MADE])
        me = my_name(db)
    found = []
    for row in rows:
        data = intro.as_dict(row, now)
        data["draft"] = intro.draft(row, now, my_name=me, user_dir=templates)
        found.append(data)
    total = intro.yield_total(made, now)
    return {
        "introductions": found,
        "yield": {
            "year": total.year,
            "made": total.made,
            "led_to_contact": total.led,
            "words": total.words(),
        },
        "states": dict(intro.STATES),
        "events": dict(intro.EVENTS),
    }


@router.get("/api/introductions")
def introductions_api(
    request: Request,
    state: Annotated[
        list[str] | None, Query(description="Only these states (repeatable); 'open' for all open.")
    ] = None,
) -> dict[str, Any]:
    """Introductions, newest first (as `kith introductions --json`): state,
    next step with its draft, yield at day 30 and 90, and this year's total."""
    from kith.connect.introductions import states_named

    return _board(request, states_named(state or ()))


#: Suggestions shown on the page (the API takes ``limit``).
PAGE_SUGGESTIONS = 5


def _suggestions(request: Request, for_person: str | None, limit: int) -> list[dict[str, Any]]:
    from kith.connect.suggest import check_person, suggest

    ledger = ledger_of(request)
    with ledger.reader() as db:
        who = check_person(db, for_person) if for_person else None
        return [s.as_dict() for s in suggest(db, ledger.now(), for_person=who, limit=limit)]


@router.get("/api/introductions/suggestions")
def suggestions_api(
    request: Request,
    for_person: Annotated[
        str | None, Query(alias="for", max_length=300, description="Only pairs with this person.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Pairs of my people who could gain from knowing each other, best first, each
    with its reasons and evidence (as `kith introduce --suggest --json`)."""
    return {"suggestions": _suggestions(request, for_person, limit)}


@router.get("/api/introductions/{iid}")
def introduction_api(request: Request, iid: int) -> dict[str, Any]:
    """One introduction with every step it took (when, by whom, the message that moved it)."""
    from kith.connect import introductions as intro
    from kith.errors import NotFoundError
    from kith.store import introductions as store

    ledger = ledger_of(request)
    with ledger.reader() as db:
        row = store.get(db, iid)
        if row is None:
            raise NotFoundError(f"no introduction {iid}")
        steps = store.steps(db, iid)
    data = intro.as_dict(row, ledger.now())
    data["steps"] = [
        {
            "state": s.state,
            "at": s.at,
            "by": s.actor,
            "interaction_id": s.interaction_id,
            "note": s.note,
        }
        for s in steps
    ]
    return data


def _start(request: Request, a: str, b: str, note: str | None) -> dict[str, Any]:
    from kith.connect import introductions as intro
    from kith.store.sql import using

    ledger = ledger_of(request)
    now = ledger.now()
    with using(ledger.engine, write=True) as db:
        row = intro.start(db, intro.find(db, a), intro.find(db, b), now=now, note=note)
    ledger.forget_day()
    return intro.as_dict(row, now)


def _step(request: Request, iid: int, event: str, note: str | None) -> dict[str, Any]:
    from kith.connect import introductions as intro
    from kith.store.sql import using

    if event not in intro.EVENTS:
        raise HTTPException(404, f"no step {event!r}: " + ", ".join(intro.EVENTS))
    ledger = ledger_of(request)
    now = ledger.now()
    with using(ledger.engine, write=True) as db:
        row = intro.advance(db, iid, event, now=now, note=note)
    ledger.forget_day()
    return intro.as_dict(row, now)


@router.post("/api/introductions")
def start_api(request: Request, body: StartBody) -> dict[str, Any]:
    """Start an introduction of A to B (proposed). Refused, with nothing
    written, for someone and themselves, me, a merged-away person, a person
    without an e-mail address, or a pair with one open already."""
    return _start(request, body.a, body.b, body.note)


@router.post("/api/introductions/{iid}/{event}")
def step_api(
    request: Request, iid: int, event: str, body: StepBody | None = None
) -> dict[str, Any]:
    """Move an introduction on: ask, agreed, declined (the person in
    question: A, then B), made, met, decline (I will not), cancel."""
    return _step(request, iid, event, body.note if body else None)


@router.get("/introductions", include_in_schema=False)
def introductions_page(request: Request) -> Response:
    from kith.connect import introductions as intro

    board = _board(request)
    columns = [
        (state, intro.STATES[state], [i for i in board["introductions"] if i["state"] == state])
        for state in intro.OPEN
    ]
    ended = [i for i in board["introductions"] if i["state"] not in intro.OPEN]
    suggestions = _suggestions(request, None, PAGE_SUGGESTIONS)
    return render(
        request,
        "introductions.html",
        {"board": board, "columns": columns, "ended": ended, "suggestions": suggestions},
    )


@router.post("/introductions", include_in_schema=False)
def start_inline(
    request: Request,
    a: Annotated[str, Form(max_length=300)],
    b: Annotated[str, Form(max_length=300)],
    note: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    _start(request, a, b, note or None)
    return RedirectResponse("/introductions", status_code=303)


@router.post("/introductions/{iid}/{event}", include_in_schema=False)
def step_inline(
    request: Request,
    iid: int,
    event: str,
    note: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    _step(request, iid, event, note or None)
    return RedirectResponse(f"/introductions#intro-{iid}", status_code=303)
