"""The login and the CSRF check.

- **Login.** Off loopback the app asks for one password (there is one owner).
  Its argon2id hash is kept in ``$XDG_CONFIG_HOME/kith/web-password``
  (``kith serve --set-password``) or ``KITH_WEB_PASSWORD_HASH``. A login
  sets a signed session cookie: HttpOnly, SameSite=Strict, Secure, for
  twelve hours. On loopback there is no login: whoever can reach
  127.0.0.1 can read the ledger file too.
- **CSRF.** Every page sets a random token in an HttpOnly, SameSite=Strict
  cookie and writes the same token into its forms (and a ``<meta>`` that
  the htmx requests send as ``X-CSRF-Token``). A POST must bring it back,
  or have a body of another type than a plain form can send (JSON, raw
  bytes): browsers send those across sites only after a CORS preflight,
  and the app allows no other origin. SameSite alone would
  leave older browsers and same-site subdomains open; the token does not.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from kith.config import config_home
from kith.errors import ConfigError
from kith.web.errors import CsrfError, LoginRequired

SESSION_COOKIE = "kith_session"
CSRF_COOKIE = "kith_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
PASSWORD_ENV = "KITH_WEB_PASSWORD_HASH"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
#: What a page on another site can POST without a preflight (the Fetch
#: standard's CORS-safelisted types, or no body at all).
_SIMPLE = frozenset({*_FORMS, "text/plain", ""})


def password_file() -> Path:
    return config_home() / "web-password"


def hash_password(password: str) -> str:
    """An argon2id hash (argon2-cffi's defaults: RFC 9106's low-memory profile)."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def check_password(hashed: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def save_password_hash(hashed: str) -> Path:
    """Write the hash where ``kith serve`` finds it, readable by the owner only."""
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(hashed + "\n")
    return path


def load_password_hash() -> str | None:
    """The login's hash: ``KITH_WEB_PASSWORD_HASH``, else the password file."""
    found = os.environ.get(PASSWORD_ENV, "").strip()
    if found:
        return found
    path = password_file()
    if path.is_file():
        text = path.read_text().strip()
        if not text.startswith("$argon2"):
            raise ConfigError(
                "the web password file does not hold an argon2 hash",
                where=str(path),
                hint="set it again: kith serve --set-password",
            )
        return text
    return None


# -- the session ----------------------------------------------------------------


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.config.secret, salt="kith-session")


def session_token(request: Request) -> str:
    return _signer(request).dumps({"owner": True})


def logged_in(request: Request) -> bool:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return False
    try:
        _signer(request).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return False
    return True


def cookie_options(request: Request) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "strict",
        "secure": bool(request.app.state.config.secure_cookies),
        "path": "/",
    }


# -- CSRF -----------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token for this page's forms: the browser's, or a new one (set by ``render``)."""
    found = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if found:
        return str(found)
    token = secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


async def _check_csrf(request: Request) -> None:
    if request.method in _SAFE:
        return
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in _SIMPLE:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    given = request.headers.get(CSRF_HEADER, "")
    if not given and kind in _FORMS:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else ""
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise CsrfError()


async def guard(request: Request) -> None:
    """Every route but the login and the health check: a session (off
    loopback), and the CSRF token on anything that changes the ledger."""
    if request.app.state.config.login_required and not logged_in(request):
        raise LoginRequired()
    await _check_csrf(request)


async def csrf_only(request: Request) -> None:
    """The login form itself: the CSRF token, no session."""
    await _check_csrf(request)
