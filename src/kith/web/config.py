"""What one web app serves and how: the ledger, the address, the login."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kith.config import config_table, data_home
from kith.errors import ConfigError

#: The largest upload by default (``[web] max_upload_mb``, ``kith serve
#: --max-upload-mb``): an X archive's text is a few hundred MB at most, and
#: its media (kith reads none) can be left out of the zip.
MAX_UPLOAD_BYTES = 1 << 30
#: Imports running at once by default (``[web] max_imports``): each reads
#: its file and writes the ledger; on two cores more only queue and use memory.
MAX_IMPORTS = 2


def is_wildcard(host: str) -> bool:
    """True for "every address" (0.0.0.0, ::): the app cannot know its names."""
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class WebConfig:
    """One web app's settings; ``kith serve`` makes it from flags and config."""

    database_url: str
    store_bodies: bool = True
    host: str = "127.0.0.1"
    #: The login's argon2 hash: when set, it is asked for (on loopback too);
    #: required off loopback and behind a proxy.
    password_hash: str | None = None
    #: Cookies only over HTTPS (TLS here, or at a proxy in front).
    secure_cookies: bool = False
    #: Signs the session cookie; a new one per run logs everyone out on restart.
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    #: Plan this day (UTC) instead of the clock's: the sample world's last day.
    day: date | None = None
    #: Where uploaded export files are kept while they import.
    upload_dir: Path | None = None

    #: HTTPS ends at a reverse proxy in front (``--behind-proxy``): the login
    #: is always asked for, and clients are told apart by X-Forwarded-For.
    behind_proxy: bool = False
    #: HTTPS here (``--certfile``): responses carry Strict-Transport-Security.
    tls: bool = False
    #: Host names the app answers to besides loopback's and ``host``
    #: (``--allow-host``, ``[web] allowed_hosts``): the name a proxy forwards.
    allowed_hosts: tuple[str, ...] = ()
    #: The largest request body, in bytes; a bigger one gets 413.
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    #: Imports running at once; one more gets 429.
    max_imports: int = MAX_IMPORTS

    @property
    def login_required(self) -> bool:
        """Off loopback, behind a proxy, or whenever a password is set."""
        return not is_loopback(self.host) or self.behind_proxy or self.password_hash is not None

    @property
    def state_folder(self) -> Path:
        """Where this ledger's web app keeps its job files and sessions."""
        key = hashlib.sha1(self.database_url.encode()).hexdigest()[:12]
        return data_home() / "web" / key

    def to_json(self) -> str:
        """For worker processes (``kith serve --workers``): they share the secret."""
        d: dict[str, Any] = asdict(self)
        d["secret"] = self.secret.hex()
        d["day"] = self.day.isoformat() if self.day else None
        d["upload_dir"] = str(self.upload_dir) if self.upload_dir else None
        d["allowed_hosts"] = list(self.allowed_hosts)
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> WebConfig:
        d = json.loads(text)
        d["secret"] = bytes.fromhex(d["secret"])
        d["day"] = date.fromisoformat(d["day"]) if d["day"] else None
        d["upload_dir"] = Path(d["upload_dir"]) if d["upload_dir"] else None
        d["allowed_hosts"] = tuple(d["allowed_hosts"])
        return cls(**d)


@dataclass(frozen=True, slots=True)
class WebSettings:
    """The config file's ``[web]`` table."""

    allowed_hosts: tuple[str, ...] = ()
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_imports: int = MAX_IMPORTS


def web_settings() -> WebSettings:
    """``[web]`` of the config file (``kith serve``'s flags beat it)::

    [web]
    allowed_hosts = ["kith.example.org"]   # names besides loopback's and --host
    max_upload_mb = 1024                   # the largest upload
    max_imports = 2                        # imports running at once
    """
    table, where = config_table("web")
    unknown = sorted(set(table) - {"allowed_hosts", "max_upload_mb", "max_imports"})
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}", where=where)
    hosts = table.get("allowed_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
        raise ConfigError("allowed_hosts must be a list of host names", where=where)
    numbers: dict[str, int] = {"max_upload_mb": MAX_UPLOAD_BYTES >> 20, "max_imports": MAX_IMPORTS}
    for key in numbers:
        value = table.get(key, numbers[key])
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{key} must be a positive whole number, not {value!r}", where=where)
        numbers[key] = value
    return WebSettings(
        allowed_hosts=tuple(hosts),
        max_upload_bytes=numbers["max_upload_mb"] << 20,
        max_imports=numbers["max_imports"],
    )
