"""Circles: propose private circles from a pool, review them, create them;
each circle's members, reasons and new-tie yield (``kith circle``, ``kith circles``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from kith.errors import InputError
from kith.store.ids import MAX_ID
from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["circles"])

#: The web app's solver time: a page waits for it.
WEB_TIME_LIMIT = 3.0
Kind = Annotated[str, Field(pattern="^(mastermind|dinner|peer group|cohort)$")]


class FormBody(BaseModel):
    pool: str | None = Field(None, description="two-way (default), everyone, or role=…,layer=…")
    size: str = Field("4-6", description="Each circle's size, LOW-HIGH.")
    count: int | None = Field(None, ge=1, le=500, description="How many circles.")
    need: str = Field("", max_length=2000, description="A need or topic to gather around.")
    must_link: list[tuple[int, int]] = Field(
        default=[], description="Pairs of person ids to put together."
    )
    cannot_link: list[tuple[int, int]] = Field(
        default=[], description="Pairs of person ids to keep apart."
    )
    time_limit: float = Field(default=WEB_TIME_LIMIT, gt=0, le=60, description="Solver seconds.")
    kind: Kind = "peer group"


class CreateBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    members: list[int] = Field(min_length=1, description="Person ids.")
    kind: Kind = "peer group"
    reasons: list[str] = []
    pool: str | None = Field(None, description="The pool it was drawn from (for its yield).")


class MembersBody(BaseModel):
    people: list[int] = Field(min_length=1, description="Person ids.")


def _listed(request: Request) -> list[dict[str, Any]]:
    from kith.store import circles as store

    with ledger_of(request).reader() as db:
        return [r.as_dict() for r in store.list_private(db)]


def _propose(request: Request, body: FormBody) -> dict[str, Any]:
    from kith.config import config_home
    from kith.connect import circles as connect

    ledger = ledger_of(request)
    with ledger.reader() as db:
        for a, b in (*body.must_link, *body.cannot_link):
            _check_people(db, [a, b])
        request_ = connect.FormRequest(
            sizes=connect.Sizes.parse(body.size),
            count=body.count,
            need=body.need.strip(),
            must_link=tuple(body.must_link),
            cannot_link=tuple(body.cannot_link),
            time_limit=body.time_limit,
            kind=body.kind,
        )
        formation, spec, ids = connect.propose(
            db, body.pool, request_, ledger.now(), config_home() / "templates"
        )
    data = formation.as_dict()
    data["pool"] = {"filter": spec, "people": len(ids)}
    return data


def _check_people(db: Any, ids: list[int]) -> None:
    from kith.store.reads import find_person

    for pid in ids:
        if not 0 < pid <= MAX_ID:
            raise InputError(f"no person #{pid}")
        find_person(db, f"#{pid}")


def _create(request: Request, body: CreateBody) -> int:
    from kith.store import circles as store

    ledger = ledger_of(request)
    now = ledger.now()
    with ledger.reader() as db:
        _check_people(db, body.members)
        spec, pool = store.pool_ids(db, body.pool, now)
    (cid,) = store.create_circles(
        ledger.engine,
        [
            store.NewCircle(
                body.name.strip(),
                tuple(dict.fromkeys(body.members)),
                body.kind,
                tuple(body.reasons),
            )
        ],
        now,
        pool=spec,
        pool_ids=set(pool) | set(body.members),
        settings={"kind": body.kind},
    )
    return cid


@router.get("/api/circles/private")
def circles_api(request: Request) -> dict[str, Any]:
    """Private circles (as `kith circles --json`): members, reasons, new-tie yield.
    Every circle, public ones too, is at `/api/circles`."""
    return {"circles": _listed(request)}


@router.post("/api/circles/form")
def form_api(request: Request, body: FormBody) -> dict[str, Any]:
    """Propose circles from a pool (as `kith circle form --json`): members, reasons,
    draft, the objective, the solver's best bound and the gap. Nothing is written."""
    return _propose(request, body)


@router.post("/api/circles/private")
def create_api(request: Request, body: CreateBody) -> dict[str, Any]:
    """Create a private circle (as `kith circle create`)."""
    return {"id": _create(request, body)}


@router.post("/api/circles/private/{circle_id}/members/{action}")
def members_api(request: Request, circle_id: int, action: str, body: MembersBody) -> dict[str, Any]:
    """Add people to a private circle, or remove them (`action`: add or remove)."""
    from fastapi import HTTPException

    from kith.store import circles as store

    if action not in ("add", "remove"):
        raise HTTPException(404, f"no action {action!r}: add or remove")
    ledger = ledger_of(request)
    with ledger.reader() as db:
        _check_people(db, body.people)
    changed = store.change_members(
        ledger.engine, circle_id, body.people, ledger.now(), add=action == "add"
    )
    return {"changed": changed}


@router.get("/circles", include_in_schema=False)
def circles_page(
    request: Request,
    propose: bool = False,
    pool: str = "",
    size: str = "4-6",
    count: Annotated[int | None, Query(ge=1, le=500)] = None,
    need: Annotated[str, Query(max_length=2000)] = "",
    kind: str = "peer group",
) -> Response:
    from kith.store.circles import KINDS

    kind = kind if kind in KINDS else "peer group"
    asked = {"pool": pool, "size": size, "count": count, "need": need, "kind": kind}
    proposal = None
    problem = None
    if propose:
        try:
            body = FormBody(pool=pool or None, size=size, count=count, need=need, kind=kind)
            proposal = _propose(request, body)
        except InputError as exc:
            problem = str(exc)
    return render(
        request,
        "circles.html",
        {
            "circles": _listed(request),
            "asked": asked,
            "proposal": proposal,
            "problem": problem,
            "kinds": KINDS,
        },
    )


@router.post("/circles/create", include_in_schema=False)
def create_inline(
    request: Request,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    members: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "peer group",
    reasons: Annotated[str, Form()] = "[]",
    pool: Annotated[str, Form()] = "",
) -> Response:
    """The page's Create button: the proposal becomes a circle; back to the list."""
    try:
        ids = [int(p) for p in members.split(",") if p.strip()]
        said = json.loads(reasons)
    except ValueError:
        raise InputError("cannot read the circle's members or reasons") from None
    body = CreateBody(
        name=name,
        members=ids,
        kind=kind if kind in ("mastermind", "dinner", "peer group", "cohort") else "peer group",
        reasons=[str(r) for r in said] if isinstance(said, list) else [],
        pool=pool or None,
    )
    cid = _create(request, body)
    return RedirectResponse(f"/circles#circle-{cid}", status_code=303)
