"""Normalising identities, the same way for every importer.

An identity's ``value`` is compared byte for byte in the ledger, so every
source must write the same person's handle, phone or URL the same way:

=============  ===========================================  =========================
kind           value                                        example
=============  ===========================================  =========================
``email``      ``normalise_email``: lower case              ``ana+news@x.org``
``phone``      digits, with ``+`` when international        ``+4915112345678``
``url``        no scheme, no ``www.``, no trailing ``/``    ``ana.example/blog``
``x``          handle, lower case, no ``@``                 ``analima``
``x-id``       numeric X account id                         ``123456789``
``mastodon``   ``user@host``, lower case, no leading ``@``  ``ana@mastodon.social``
``linkedin``   profile path, lower case                     ``in/ana-lima``
``discourse``  ``host/username``, lower case                ``meta.discourse.org/ana``
``stackexchange`` ``site/user-id``                          ``history.meta/123``
=============  ===========================================  =========================
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from kith.ingest.email_headers import normalise_email
from kith.model import IdentityRef

__all__ = [
    "discourse",
    "email",
    "linkedin",
    "mastodon",
    "normalise_email",
    "normalise_phone",
    "normalise_url",
    "phone",
    "stackexchange",
    "url",
    "x_handle",
    "x_id",
]

_PHONE_JUNK = re.compile(r"[^\d+]")
_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,50})$")
_MASTODON = re.compile(r"^@?([A-Za-z0-9_.\-]+)@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})$")
#: A member's profile: ``in/<slug>``, or the old ``pub/<slug>/<id>/<id>/<id>``
#: whose numbers are what makes it unique.
_LINKEDIN_PATH = re.compile(r"^(?:in/[^/?#\s]+|pub/[^?#\s]+)")


def normalise_phone(text: str) -> str | None:
    """``+49 (151) 123-45678`` → ``+4915112345678``; None when fewer than 5 digits."""
    cleaned = _PHONE_JUNK.sub("", text.strip())
    plus = cleaned.startswith("+")
    digits = cleaned.replace("+", "")
    if text.strip().startswith("00") and not plus:
        plus, digits = True, digits[2:]
    if len(digits) < 5:
        return None
    return ("+" if plus else "") + digits


def normalise_url(text: str) -> str | None:
    """``https://www.Ana.example/blog/`` → ``ana.example/blog``; None if not a URL."""
    raw = text.strip()
    if not raw:
        return None
    if "://" not in raw:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or "." not in host:
        return None
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def normalise_x_handle(text: str) -> str | None:
    """``@AnaLima`` or ``https://x.com/AnaLima`` → ``analima``."""
    raw = text.strip()
    if "/" in raw:
        url = normalise_url(raw)
        if url is None:
            return None
        host, _, path = url.partition("/")
        if host not in ("twitter.com", "x.com", "mobile.twitter.com"):
            return None
        raw = path.split("/", 1)[0]
    match = _HANDLE.match(raw)
    return match.group(1).lower() if match else None


def normalise_mastodon(text: str) -> str | None:
    """``@Ana@Mastodon.Social`` or ``https://mastodon.social/@ana`` → ``ana@mastodon.social``."""
    raw = text.strip()
    if raw.startswith(("http://", "https://")):
        url = normalise_url(raw)
        if url is None:
            return None
        host, _, path = url.partition("/")
        user = path.removeprefix("@").removeprefix("users/").split("/", 1)[0]
        raw = f"{user}@{host}"
    match = _MASTODON.match(raw)
    return f"{match.group(1)}@{match.group(2)}".lower() if match else None


def normalise_linkedin(text: str) -> str | None:
    """``https://www.linkedin.com/in/Ana-Lima/`` (or ``uk.linkedin.com/in/…``,
    ``linkedin.com/pub/…``, ``in/ana-lima``) → ``in/ana-lima``; None for other
    pages (companies, posts) and other sites. Percent-escapes are decoded."""
    raw = text.strip()
    if not raw:
        return None
    if raw.lower().startswith(("in/", "pub/")):
        path = raw
    else:
        url = normalise_url(raw)
        if url is None:
            return None
        host, _, path = url.partition("/")
        if host != "linkedin.com" and not host.endswith(".linkedin.com"):
            return None
    match = _LINKEDIN_PATH.match(unquote(path).lower())
    return match.group(0).rstrip("/") if match else None


def _ref(kind: str, value: str | None, name: str | None) -> IdentityRef | None:
    return IdentityRef(kind, value, name or None) if value else None


def email(text: str, name: str | None = None) -> IdentityRef | None:
    return _ref("email", normalise_email(text), name)


def phone(text: str, name: str | None = None) -> IdentityRef | None:
    return _ref("phone", normalise_phone(text), name)


def url(text: str, name: str | None = None) -> IdentityRef | None:
    """A URL; X and Mastodon profile URLs become those identities instead."""
    handle = normalise_x_handle(text) if "/" in text else None
    if handle:
        return _ref("x", handle, name)
    if "/@" in text:
        account = normalise_mastodon(text)
        if account:
            return _ref("mastodon", account, name)
    return _ref("url", normalise_url(text), name)


def x_handle(text: str, name: str | None = None) -> IdentityRef | None:
    return _ref("x", normalise_x_handle(text), name)


def mastodon(text: str, name: str | None = None) -> IdentityRef | None:
    return _ref("mastodon", normalise_mastodon(text), name)


def linkedin(text: str, name: str | None = None) -> IdentityRef | None:
    """A LinkedIn member's profile URL or path, as ``linkedin:in/ana-lima``."""
    return _ref("linkedin", normalise_linkedin(text), name)


_X_ID = re.compile(r"^\d{1,30}$")
_DISCOURSE_USER = re.compile(r"^[\w.\-]{1,60}$")
_HOST = re.compile(r"^[a-z0-9][a-z0-9.\-]{0,252}$")


def x_id(text: str, name: str | None = None) -> IdentityRef | None:
    """A numeric X account id (stable across renames, unlike the handle)."""
    raw = text.strip()
    return _ref("x-id", raw if _X_ID.match(raw) else None, name)


def discourse(host: str, username: str, name: str | None = None) -> IdentityRef | None:
    """A Discourse account: ``host/username``, lower case."""
    host, user = host.strip().lower(), username.strip().lower()
    ok = _HOST.match(host) and _DISCOURSE_USER.match(user)
    return _ref("discourse", f"{host}/{user}" if ok else None, name)


def stackexchange(site: str, user_id: str, name: str | None = None) -> IdentityRef | None:
    """A Stack Exchange account: ``site/user-id`` (ids are per site)."""
    site, uid = site.strip().lower(), user_id.strip()
    ok = _HOST.match(site) and uid.lstrip("-").isdigit() and len(uid) <= 20
    return _ref("stackexchange", f"{site}/{int(uid)}" if ok else None, name)
