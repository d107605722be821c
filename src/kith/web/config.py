"""What one web app serves and how: the ledger, the address, the login."""

from __future__ import annotations

import ipaddress
import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


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
    #: The login's argon2 hash; required (and then asked for) off loopback.
    password_hash: str | None = None
    #: Cookies only over HTTPS (TLS here, or at a proxy in front).
    secure_cookies: bool = False
    #: Signs the session cookie; a new one per run logs everyone out on restart.
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    #: Plan this day (UTC) instead of the clock's: the sample world's last day.
    day: date | None = None
    #: Where uploaded export files are kept while they import.
    upload_dir: Path | None = None

    @property
    def login_required(self) -> bool:
        return not is_loopback(self.host)

    def to_json(self) -> str:
        """For worker processes (``kith serve --workers``): they share the secret."""
        return json.dumps(
            {
                "database_url": self.database_url,
                "store_bodies": self.store_bodies,
                "host": self.host,
                "password_hash": self.password_hash,
                "secure_cookies": self.secure_cookies,
                "secret": self.secret.hex(),
                "day": self.day.isoformat() if self.day else None,
                "upload_dir": str(self.upload_dir) if self.upload_dir else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> WebConfig:
        d = json.loads(text)
        return cls(
            database_url=d["database_url"],
            store_bodies=d["store_bodies"],
            host=d["host"],
            password_hash=d["password_hash"],
            secure_cookies=d["secure_cookies"],
            secret=bytes.fromhex(d["secret"]),
            day=date.fromisoformat(d["day"]) if d["day"] else None,
            upload_dir=Path(d["upload_dir"]) if d["upload_dir"] else None,
        )
