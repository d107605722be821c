"""Today: the day's list, and done / snooze / skip (inline on the page)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from kith.web.render import render
from kith.web.routes import ledger_of

router = APIRouter(tags=["today"])


class DoneBody(BaseModel):
    note: str | None = Field(None, description="What you did or said (kept with the contact).")


class SnoozeBody(BaseModel):
    days: int = Field(ge=1, le=3650, description="Back on the list in this many days.")


def _items(request: Request) -> dict[str, Any]:
    from kith.attention.candidates import sentence
    from kith.attention.today import title

    day = ledger_of(request).today()
    plan = day.plan
    return {
        "date": plan.day.isoformat(),
        "budget": plan.budget,
        "planned": plan.planned,
        "spent": plan.spent,
        "due": plan.due,
        "analytics": None
        if plan.analytics is None
        else {"computed_at": plan.analytics.computed_at, "behind": plan.analytics.behind},
        "items": [
            {
                "id": i.id,
                "kind": i.kind,
                "title": title(i.kind, i.person),
                "person": i.person,
                "person_id": i.person_id,
                "minutes": i.minutes,
                "reason": i.reason,
                "sentence": sentence(i),
                "draft": day.drafts.get(i.id, ""),
            }
            for i in plan.items
        ],
        "done": [
            {
                "id": x.id,
                "kind": x.kind,
                "title": title(x.kind, x.person),
                "person_id": x.person_id,
                "minutes": x.minutes,
            }
            for x in plan.done
        ],
    }


@router.get("/api/today")
def today_api(request: Request) -> dict[str, Any]:
    """The day's list (as `kith today --json`): each item with its reason and draft."""
    return _items(request)


@router.get("/today", include_in_schema=False)
def today_page(request: Request) -> Response:
    return render(request, "today.html", {"today": _items(request)})


def _act(
    request: Request, item_id: str, action: str, days: int = 7, note: str | None = None
) -> Any:
    from kith.attention import actions
    from kith.attention.settings import load_today_settings

    ledger = ledger_of(request)
    now = ledger.now()
    if action == "done":
        out = actions.done(
            ledger.engine,
            item_id,
            now=now,
            note=note or None,
            minutes=load_today_settings().minutes,
            store_bodies=ledger.config.store_bodies,
        )
    elif action == "snooze":
        out = actions.snooze(ledger.engine, item_id, days=days, now=now)
    else:
        out = actions.skip(ledger.engine, item_id, now=now)
    ledger.forget_day()
    return out


def _outcome(out: Any) -> dict[str, Any]:
    from kith.attention.today import title

    return {
        "id": out.item_id,
        "action": out.action,
        "title": title(out.kind, out.person),
        "recorded": out.recorded,
        "until": None
        if out.until is None
        else datetime.fromtimestamp(out.until, UTC).date().isoformat(),
    }


@router.post("/api/today/items/{item_id}/done")
def done_api(request: Request, item_id: str, body: DoneBody | None = None) -> dict[str, Any]:
    """Mark an item done: recorded as a contact, so the person's rhythm starts again."""
    return _outcome(_act(request, item_id, "done", note=body.note if body else None))


@router.post("/api/today/items/{item_id}/snooze")
def snooze_api(request: Request, item_id: str, body: SnoozeBody) -> dict[str, Any]:
    """Put an item off: it comes back on the list in `days` days."""
    return _outcome(_act(request, item_id, "snooze", days=body.days))


@router.post("/api/today/items/{item_id}/skip")
def skip_api(request: Request, item_id: str) -> dict[str, Any]:
    """Drop an item: it does not come back unless the situation changes."""
    return _outcome(_act(request, item_id, "skip"))


@router.post("/today/items/{item_id}/{action}", include_in_schema=False)
def act_inline(
    request: Request,
    item_id: str,
    action: str,
    days: Annotated[int, Form(ge=1, le=3650)] = 7,
    note: Annotated[str | None, Form()] = None,
) -> Response:
    """The page's buttons (htmx): the item's row comes back, closed."""
    from fastapi import HTTPException

    if action not in ("done", "snooze", "skip"):
        raise HTTPException(404, f"no action {action!r}: done, snooze or skip")
    out = _outcome(_act(request, item_id, action, days=days, note=note))
    if not request.headers.get("hx-request"):  # a plain form post: back to the list
        return RedirectResponse("/today", status_code=303)
    return render(request, "today_closed.html", {"out": out})
