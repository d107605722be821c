"""What keeps a page on another site, a guessed password or a hostile request
out of the ledger.

- **Host names.** The app answers only to the names it was given: loopback's
  (127.0.0.1, localhost, [::1]), the ``--host`` address, and ``--allow-host``
  names (the name a proxy forwards). A page on ``evil.example`` whose name
  was re-pointed at 127.0.0.1 (DNS rebinding) gets 400, so it can read
  nothing. Bound to every address (0.0.0.0), the app cannot know its names:
  then the login guards it.
- **Origins.** A request that changes the ledger (anything but GET, HEAD,
  OPTIONS), form or JSON alike, is refused (403) when its Origin — or,
  without one, its Referer — is another site's or ``null``. Clients that send
  neither (curl, scripts) are not browsers, which is what the check is for.
- **Login.** One password (there is one owner), asked for off loopback,
  behind a proxy, and whenever one is set. Its argon2id hash is kept in
  ``$XDG_CONFIG_HOME/kith/web-password`` (``kith serve --set-password``) or
  ``KITH_WEB_PASSWORD_HASH``. A login opens a session kept on the server
  (``Sessions``) and names it in a signed cookie: HttpOnly, SameSite=Strict,
  Secure under HTTPS, for twelve hours; logging out ends it on the server, so
  a copied cookie stops working too. Wrong passwords back off per client
  (``LOGIN_FAILURES`` in ``LOGIN_WINDOW_SECONDS``, then 429), and at most
  ``CONCURRENT_CHECKS`` argon2 checks (64 MiB each) run at once.
- **CSRF.** Every page sets a random token in an HttpOnly, SameSite=Strict
  cookie and writes the same token into its forms (and a ``<meta>`` that the
  htmx requests send as ``X-CSRF-Token``). A form POST must bring it back.
  Bodies a plain form cannot send (JSON, raw bytes) need a CORS preflight
  across sites, which the app never grants; the origin check above covers
  them as well. Under HTTPS both cookies carry the ``__Host-`` prefix: no
  subdomain can set or shadow them.
- **Headers.** Every response, JSON, errors, static files and ``/docs``
  included, carries a Content-Security-Policy (scripts and styles from the
  app only, no framing), nosniff and a same-origin Referrer-Policy; under
  HTTPS, Strict-Transport-Security.
- **Sizes.** A request body over ``WebConfig.max_upload_bytes`` gets 413,
  whether it declares its length or not.
"""

from __future__ import annotations

import fcntl
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, get_args
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kith.config import config_home
from kith.errors import ConfigError
from kith.files import private_folder, write_private
from kith.store.ids import MAX_ID
from kith.web import errors
from kith.web.config import WebConfig, is_wildcard
from kith.web.errors import CsrfError, LoginRequired, RequestTooLarge, TooManyRequests

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

SESSION_COOKIE = "kith_session"
CSRF_COOKIE = "kith_csrf"
#: Under HTTPS a cookie named so must be Secure, for path ``/``, with no
#: Domain: a subdomain cannot set one that the app would read.
HOST_PREFIX = "__Host-"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
PASSWORD_ENV = "KITH_WEB_PASSWORD_HASH"
#: Wrong passwords one client may try within ``LOGIN_WINDOW_SECONDS``;
#: the next try waits until the oldest of them is that old.
LOGIN_FAILURES = 5
LOGIN_WINDOW_SECONDS = 15 * 60
#: argon2 checks at once: each takes 64 MiB (RFC 9106's low-memory profile).
CONCURRENT_CHECKS = 2
#: How long a login waits for a free check before it is told to retry (503).
CHECK_WAIT_SECONDS = 20
#: Clients whose failures are remembered; the oldest are forgotten beyond it.
REMEMBERED_CLIENTS = 10_000
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
#: What a page on another site can POST without a preflight (the Fetch
#: standard's CORS-safelisted types, or no body at all).
_SIMPLE = frozenset({*_FORMS, "text/plain", ""})
_INTEGER = re.compile(r"[+-]?[0-9]+")

#: The policy of every response: the app's own scripts and styles (inline
#: style attributes allowed: Swagger UI and sigma.js set them), no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
#: A year, as browsers' preload lists ask.
HSTS_SECONDS = 365 * 24 * 3600


def clock() -> float:
    """Seconds, for the login's back-off (tests move it)."""
    return time.monotonic()


# -- the password -----------------------------------------------------------------


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
    private_folder(path.parent)
    write_private(path, (hashed + "\n").encode())
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


class LoginLimiter:
    """Password checks: a back-off per client and a bound on checks at once.

    Used on the server's event loop; a login waiting for a check holds no
    worker thread, and the argon2 check itself runs in one."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._checks = anyio.Semaphore(CONCURRENT_CHECKS)

    def _recent(self, client: str, now: float) -> deque[float]:
        found = self._failures.get(client, deque())
        while found and found[0] <= now - LOGIN_WINDOW_SECONDS:
            found.popleft()
        return found

    def _refuse_if_waiting(self, client: str) -> None:
        now = clock()
        failures = self._recent(client, now)
        if len(failures) >= LOGIN_FAILURES:
            wait = int(failures[0] + LOGIN_WINDOW_SECONDS - now) + 1
            raise TooManyRequests(
                "too many wrong passwords from here",
                hint=f"wait {wait} seconds, then try again",
                retry_after=wait,
            )

    async def check(self, client: str, hashed: str, password: str) -> bool:
        """Whether ``password`` is right; ``TooManyRequests`` while ``client``
        must wait (the password is then not even checked), or when no check
        frees up within ``CHECK_WAIT_SECONDS``."""
        self._refuse_if_waiting(client)
        try:
            with anyio.fail_after(CHECK_WAIT_SECONDS):
                await self._checks.acquire()
        except TimeoutError:
            raise TooManyRequests(
                "too many logins at once", hint="try again in a moment", retry_after=5
            ) from None
        try:
            self._refuse_if_waiting(client)  # its failures may have come in meanwhile
            right = await anyio.to_thread.run_sync(check_password, hashed, password)
        finally:
            self._checks.release()
        if right:
            self._failures.pop(client, None)
            return True
        failures = self._recent(client, clock())
        failures.append(clock())
        self._failures[client] = failures
        if len(self._failures) > REMEMBERED_CLIENTS:
            self._failures.pop(next(iter(self._failures)))  # the longest remembered
        return False


def client_key(request: Request) -> str:
    """Who is logging in: the address, or behind a proxy the one it forwards
    (the last X-Forwarded-For entry: the one the proxy itself added)."""
    if request.app.state.config.behind_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.client.host if request.client else "unknown"


# -- the session --------------------------------------------------------------------


class Sessions:
    """Open sessions, kept in a file in the app's state folder so that every
    ``kith serve --workers`` process sees a logout at once."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "sessions.json"
        self._seen: tuple[tuple[int, int], dict[str, float]] = ((-1, -1), {})

    def _read(self) -> dict[str, float]:
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return {}
        # Every change replaces the file: a new inode, even within one clock tick.
        stamp = (found.st_ino, found.st_mtime_ns)
        if stamp != self._seen[0]:
            try:
                self._seen = (stamp, dict(json.loads(self.path.read_text())))
            except (OSError, ValueError):
                return {}
        return self._seen[1]

    def _change(self, edit: Callable[[dict[str, float]], None]) -> None:
        private_folder(self.path.parent)
        with (self.path.parent / "sessions.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            now = time.time()
            found = {sid: end for sid, end in self._read().items() if end > now}
            edit(found)
            partial = self.path.with_suffix(".partial")
            write_private(partial, json.dumps(found).encode())
            partial.replace(self.path)

    def open(self) -> str:
        sid = secrets.token_urlsafe(24)
        self._change(lambda found: found.__setitem__(sid, time.time() + SESSION_SECONDS))
        return sid

    def close(self, sid: str) -> None:
        def forget(found: dict[str, float]) -> None:
            found.pop(sid, None)

        self._change(forget)

    def active(self, sid: str) -> bool:
        return self._read().get(sid, 0.0) > time.time()


def cookie_name(request: Request, base: str) -> str:
    """``base``, with the ``__Host-`` prefix when cookies are Secure."""
    return HOST_PREFIX + base if request.app.state.config.secure_cookies else base


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.config.secret, salt="kith-session")


def _sessions(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


def session_token(request: Request) -> str:
    """A new session's cookie value."""
    return _signer(request).dumps({"sid": _sessions(request).open()})


def _session_id(request: Request) -> str | None:
    cookie = request.cookies.get(cookie_name(request, SESSION_COOKIE))
    if not cookie:
        return None
    try:
        data = _signer(request).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    sid = data.get("sid") if isinstance(data, dict) else None
    return sid if isinstance(sid, str) else None


def logged_in(request: Request) -> bool:
    sid = _session_id(request)
    return sid is not None and _sessions(request).active(sid)


def end_session(request: Request) -> None:
    """Log out: the session ends on the server, whoever holds its cookie."""
    sid = _session_id(request)
    if sid is not None:
        _sessions(request).close(sid)


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
    found = request.cookies.get(cookie_name(request, CSRF_COOKIE)) or getattr(
        request.state, "new_csrf", None
    )
    if found:
        return str(found)
    token = secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


def streams_its_form(endpoint: F) -> F:
    """Mark a route that reads its multipart form itself, as a stream (an
    upload): it checks the CSRF token with ``check_csrf_value``."""
    endpoint.kith_streams_form = True  # type: ignore[attr-defined]
    return endpoint


def check_csrf_value(request: Request, given: str) -> None:
    """``CsrfError`` unless ``given`` is this browser's token."""
    expected = request.cookies.get(cookie_name(request, CSRF_COOKIE), "")
    if not expected or not given or not hmac.compare_digest(expected, given):
        raise CsrfError()


async def _check_csrf(request: Request) -> None:
    if request.method in _SAFE:
        return
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in _SIMPLE:
        return
    given = request.headers.get(CSRF_HEADER, "")
    if not given and kind in _FORMS:
        if getattr(request.scope.get("endpoint"), "kith_streams_form", False):
            return  # the route reads the token from the stream
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else ""
    check_csrf_value(request, given)


# -- numbers in the URL ------------------------------------------------------------


def _is_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _check_numbers(request: Request) -> None:
    """Whole numbers in the path or query beyond what SQL stores (64 bits):
    no such id (404) in the path, a bad value (422) in the query."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    for fields, values, status in (
        (dependant.path_params, request.path_params, 404),
        (dependant.query_params, request.query_params, 422),
    ):
        for field in fields:
            raw = values.get(field.alias)
            if not isinstance(raw, str) or not _is_int(field.field_info.annotation):
                continue
            if _INTEGER.fullmatch(raw.strip()) and not -MAX_ID <= int(raw) <= MAX_ID:
                if status == 404:
                    raise HTTPException(404, f"nothing has the id {raw[:30]}")
                raise HTTPException(422, f"{field.alias}: out of range")


async def guard(request: Request) -> None:
    """Every route but the login and the health check: a session (when a
    login is asked for), numbers in range, and the CSRF token on anything
    that changes the ledger."""
    if request.app.state.config.login_required and not logged_in(request):
        raise LoginRequired()
    _check_numbers(request)
    await _check_csrf(request)


async def csrf_only(request: Request) -> None:
    """The login form itself: the CSRF token, no session."""
    await _check_csrf(request)


# -- every request: host, origin, size, headers --------------------------------------


def response_headers(config: WebConfig) -> dict[str, str]:
    """The headers every response carries."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    if config.tls or config.behind_proxy:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    return headers


def host_name(value: str) -> str:
    """The name in a Host header or URL authority, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def _same_address(name: str, other: str) -> bool:
    try:
        return ipaddress.ip_address(name) == ipaddress.ip_address(other)
    except ValueError:
        return name == other


class Shield:
    """ASGI middleware: refuses foreign host names, cross-site changes and
    oversized bodies, and puts the security headers on every response."""

    def __init__(self, app: ASGIApp, config: WebConfig) -> None:
        self.app = app
        self.config = config
        self.headers = response_headers(config)
        self.any_host = is_wildcard(config.host) and not config.allowed_hosts
        self.names = {
            *LOOPBACK_NAMES,
            host_name(config.host),
            *(host_name(h) for h in config.allowed_hosts),
        }

    def _known(self, name: str) -> bool:
        return self.any_host or any(_same_address(name, known) for known in self.names)

    def _foreign_origin(self, request: Request) -> bool:
        """A state change whose Origin (or Referer) is another site's."""
        if request.method in _SAFE:
            return False
        origin = request.headers.get("origin")
        if origin is None:
            referer = request.headers.get("referer")
            if referer is None:
                return False  # not a browser: nothing to forge
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        if origin.strip().lower() == "null":
            return True
        netloc = urlsplit(origin).netloc.lower()
        if not netloc or not self._known(host_name(netloc)):
            return True
        # Behind a proxy the Host header may be the proxy's own; else the
        # origin is exactly this server (its port too: another local server
        # on another port is another origin).
        return not self.config.behind_proxy and netloc != request.headers.get("host", "").lower()

    def _refusal(self, request: Request) -> tuple[int, str, str] | None:
        host = host_name(request.headers.get("host", ""))
        if not self._known(host):
            return (
                400,
                f"this server does not answer to the host name {host[:100]!r}",
                "open it by the address kith serve printed, or add the name with --allow-host",
            )
        if self._foreign_origin(request):
            return (
                403,
                "this request came from another site",
                "use kith's own pages, or send no Origin from scripts",
            )
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.config.max_upload_bytes:
            too_large = RequestTooLarge(self.config.max_upload_bytes)
            return 413, too_large.detail, too_large.hint
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        request = Request(scope)
        refused = self._refusal(request)
        if refused is not None:
            status, message, hint = refused
            response = errors.respond(request, status, message, hint=hint)
            await response(scope, receive, send_with_headers)
            return
        limit = self.config.max_upload_bytes
        seen = 0

        async def bounded_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise RequestTooLarge(limit)
            return message

        await self.app(scope, bounded_receive, send_with_headers)
