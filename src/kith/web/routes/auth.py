"""The login (asked for off loopback, behind a proxy, or once a password is set)."""

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
async def login(
    request: Request,
    password: Annotated[str, Form()],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    """Log in with the owner's password; opens a session and sets its cookie.
    Too many wrong passwords from one client: 429 until it has waited."""
    hashed = request.app.state.config.password_hash
    limiter: security.LoginLimiter = request.app.state.logins
    if not hashed or not await limiter.check(security.client_key(request), hashed, password):
        return render(request, "login.html", {"next": _next(next), "failed": True}, status_code=401)
    response = RedirectResponse(_next(next), status_code=303)
    response.set_cookie(
        security.cookie_name(request, security.SESSION_COOKIE),
        security.session_token(request),
        max_age=security.SESSION_SECONDS,
        **security.cookie_options(request),
    )
    return response


@router.post("/logout", dependencies=[Depends(security.csrf_only)])
def logout(request: Request) -> Response:
    """End the session, on the server: its cookie no longer logs anyone in."""
    security.end_session(request)
    response = RedirectResponse("/login" if request.app.state.config.login_required else "/", 303)
    response.delete_cookie(
        security.cookie_name(request, security.SESSION_COOKIE),
        path="/",
        secure=bool(request.app.state.config.secure_cookies),
        httponly=True,
        samesite="strict",
    )
    return response
