"""Asks, public conversations and how others see me (``kith.connect``):
the ``/asks`` page and their part of ``/api/``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kith.connect import asks
from kith.connect.conversations import conversations
from kith.connect.outside import perception, terms
from kith.connect.profile import load_profile
from kith.errors import KithError
from kith.store import asks as store
from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["asks"])

#: Threads and terms the page shows (the API gives them all).
PAGE_THREADS = 20
PAGE_TERMS = 8


@router.get("/api/asks")
def asks_api(
    request: Request,
    person: Annotated[int | None, Query(description="Only the asks to this person.")] = None,
) -> list[dict[str, Any]]:
    """Every ask, newest first: whom, who answered, the answer rate, the
    median hours to an answer, and how many yeses were expected (``kith asks``)."""
    with ledger_of(request).reader() as db:
        return [asks.summary(a) for a in store.asks(db, person_id=person)]


def _conversations(request: Request, about: list[str]) -> dict[str, Any]:
    profile = load_profile()
    with ledger_of(request).reader() as db:
        looked_for = terms(db, profile) + [t for t in about if t.strip()]
        found = conversations(db, looked_for) if looked_for else []
    return {"terms": looked_for, "threads": [c.as_dict() for c in found]}


@router.get("/api/conversations")
def conversations_api(
    request: Request,
    about: Annotated[list[str], Query(description="Terms to look for too.")] = [],  # noqa: B006
) -> dict[str, Any]:
    """Public threads where my name, business, products or topics (``[profile]``)
    or the ``about`` terms come up: who took part, whether I did, who is new
    to me (``kith conversations``)."""
    return _conversations(request, about)


@router.get("/api/perception")
def perception_api(request: Request) -> dict[str, Any]:
    """Terms others use of me more than I do and the reverse, each with its
    z-score and two quotes, and key phrases of each side (``kith perception``)."""
    profile = load_profile()
    with ledger_of(request).reader() as db:
        return perception(db, profile)


@router.get("/asks", include_in_schema=False)
def asks_page(request: Request) -> Response:
    with ledger_of(request).reader() as db:
        listed = [asks.summary(a) for a in store.asks(db)]
    talk = _conversations(request, [])
    words: dict[str, Any] | None = None
    problem = None
    try:
        with ledger_of(request).reader() as db:
            words = perception(db, load_profile())
    except KithError as exc:
        problem = str(exc)
    return render(
        request,
        "asks.html",
        {
            "asks": listed,
            "threads": talk["threads"][:PAGE_THREADS],
            "more_threads": max(0, len(talk["threads"]) - PAGE_THREADS),
            "terms": talk["terms"],
            "words": words,
            "words_problem": problem,
            "top": PAGE_TERMS,
        },
    )
