"""The login (only asked for off loopback)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from kith.web import security
from kith.web.render import render

router = APIRouter(tags=["login"])


def _next(target: str | None) -> str:
    # Only paths on this site: never an open redirect.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _next(next), "failed": False})


@router.post("/login", dependencies=[Depends(security.csrf_only)])
def login(
    request: Request,
    password: Annotated[str, Form()],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Log in with the owner's password; sets the session cookie."""
    hashed = request.app.state.config.password_hash
    if not hashed or not security.check_password(hashed, password):
        return render(request, "login.html", {"next": _next(next), "failed": True}, status_code=401)
    response = RedirectResponse(_next(next), status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE,
        security.session_token(request),
        max_age=security.SESSION_SECONDS,
        **security.cookie_options(request),
    )
    return response


@router.post("/logout", dependencies=[Depends(security.csrf_only)])
def logout(request: Request) -> Response:
    """End the session."""
    response = RedirectResponse("/login" if request.app.state.config.login_required else "/", 303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response
