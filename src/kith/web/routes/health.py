"""``/healthz``: the server answers (no ledger read, no login)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, bool]:
    """Always ``{"ok": true}`` while the server runs."""
    return {"ok": True}
