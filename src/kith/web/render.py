"""Pages: Jinja2 templates (autoescaped) and the CSRF cookie (every response's
security headers are put on by ``kith.web.security.Shield``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kith.relate.cooling import gap_words
from kith.web import security

TEMPLATES = Path(__file__).parent / "templates"


def fmt_ts(ts: int | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if ts is None:
        return "–"
    return datetime.fromtimestamp(ts, UTC).strftime(pattern)


def fmt_num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    # The templates ship with kith: no stat of their files on every page.
    auto_reload=False,
)
_env.filters["ts"] = fmt_ts
_env.filters["num"] = fmt_num
_env.filters["gap_words"] = gap_words


def render_text(name: str, context: dict[str, Any]) -> str:
    return _env.get_template(name).render(**context)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page or fragment, with the CSRF token in its forms (and its cookie when new)."""
    token = security.csrf_token(request)
    config = request.app.state.config
    html = render_text(
        name,
        {
            **context,
            "csrf_token": token,
            "path": request.url.path,
            "login": config.login_required,
        },
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    name = security.cookie_name(request, security.CSRF_COOKIE)
    if request.cookies.get(name) != token:
        response.set_cookie(name, token, **security.cookie_options(request))
    return response
