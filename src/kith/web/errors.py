"""Errors → HTTP statuses, in one place, with one JSON shape.

Every error the app answers with, whatever raised it, has this body::

    {"error": {"status": 404, "message": "no person #7", "where": null,
               "hint": "try an e-mail address, #id, or `kith people`"}}

API requests (``/api/…``, htmx requests, or clients that do not accept
HTML) get it as JSON; a browser gets the same words on an error page.
"""

from __future__ import annotations

import logging
import re
from pathlib import PurePath
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from kith.errors import AmbiguousError, ConfigError, InputError, KithError, NotFoundError

log = logging.getLogger(__name__)

#: An absolute path in an error's words: shown by its last part only, since
#: the server's folders are nobody's business but the owner's.
_PATH = re.compile(r"(?:^|(?<=[\s'\"(=\[])|(?<=:///))/(?:[^\s/:!'\"]+/)+([^\s/:!'\"]*)")


class TooManyRequests(KithError):
    """Too many of one kind of request (wrong passwords, imports): wait."""

    def __init__(self, message: str, *, hint: str | None = None, retry_after: int = 1):
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class RequestTooLarge(HTTPException):
    """A request body over the app's limit (``WebConfig.max_upload_bytes``)."""

    hint = "import a smaller file, or raise the limit: kith serve --max-upload-mb"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is too large (over {limit:,} bytes)")


#: The status of each kind of KithError (the most specific class wins).
STATUSES: dict[type[KithError], int] = {
    NotFoundError: 404,
    AmbiguousError: 409,
    InputError: 422,
    ConfigError: 500,
    TooManyRequests: 429,
}


def without_paths(text: str) -> str:
    """``text`` with each absolute path cut to its last part (a file's name)."""
    return _PATH.sub(lambda m: m.group(1) or PurePath(m.group(0)).name, text)


class LoginRequired(Exception):
    """The request needs a session and has none."""


class CsrfError(Exception):
    """An unsafe request without the page's CSRF token."""


def status_of(exc: KithError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUSES:
            return STATUSES[cls]
    return 400


def error_body(
    status: int, message: str, *, where: str | None = None, hint: str | None = None
) -> dict[str, Any]:
    return {"error": {"status": status, "message": message, "where": where, "hint": hint}}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.headers.get("hx-request"):
        return True
    return "text/html" not in request.headers.get("accept", "")


def respond(
    request: Request,
    status: int,
    message: str,
    *,
    where: str | None = None,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The one way an error leaves the app."""
    body = error_body(status, message, where=where, hint=hint)
    if wants_json(request):
        return JSONResponse(body, status_code=status, headers=headers)
    from kith.web.render import render

    return render(
        request, "error.html", {"error": body["error"]}, status_code=status, headers=headers
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(KithError)
    async def kith_error(request: Request, exc: KithError) -> Response:
        headers = None
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
        return respond(
            request,
            status_of(exc),
            without_paths(exc.message),
            where=without_paths(exc.where) if exc.where else None,
            hint=exc.hint,
            headers=headers,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return respond(request, 401, "log in first", hint="POST /login with the password")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(CsrfError)
    async def csrf_error(request: Request, exc: CsrfError) -> Response:
        return respond(
            request,
            403,
            "this form is stale or did not come from kith",
            hint="reload the page and try again",
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        headers = dict(exc.headers) if exc.headers else None
        hint = exc.hint if isinstance(exc, RequestTooLarge) else None
        return respond(request, exc.status_code, message, hint=hint, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            place = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query"))
            problems.append(f"{place}: {e.get('msg', 'invalid')}" if place else e.get("msg", ""))
        return respond(request, 422, "; ".join(problems) or "invalid request")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Answered outside every middleware (Starlette's last resort), so the
        # security headers are put on here.
        from kith.web.security import response_headers

        log.exception("%s %s failed", request.method, request.url.path)
        return respond(
            request,
            500,
            "something went wrong inside kith",
            hint="the server log has the details",
            headers=response_headers(request.app.state.config),
        )
