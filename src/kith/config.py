"""Typed settings: a flag beats ``KITH_*`` in the environment, which beats
``$XDG_CONFIG_HOME/kith/config.toml``, which beats the defaults here.

The config file uses TOML tables named after the setting's prefix::

    [privacy]
    store_bodies = false

    [database]
    url = "postgresql+psycopg://kith@localhost/kith"

Features with a table of settings of their own read it with ``config_table``
and check it themselves (``[today]``: ``kith.attention.settings``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kith.errors import ConfigError


def data_home() -> Path:
    """``$XDG_DATA_HOME/kith`` (``~/.local/share/kith`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kith"


def config_home() -> Path:
    """``$XDG_CONFIG_HOME/kith`` (``~/.config/kith`` when unset)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kith"


def default_database_url() -> str:
    return f"sqlite:///{data_home() / 'kith.db'}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting kith reads. Names map to ``KITH_<NAME>`` and to TOML keys."""

    #: SQLAlchemy URL of the ledger. Env: ``KITH_DATABASE_URL``; TOML ``[database] url``.
    database_url: str = ""
    #: Keep message text (false: metadata-only). Env ``KITH_STORE_BODIES``;
    #: TOML ``[privacy] store_bodies``.
    store_bodies: bool = True
    #: Records written per transaction during an import.
    import_batch_size: int = 20000

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the non-None ``values`` set (command-line flags)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


#: TOML location of each setting: (table, key).
_TOML_KEYS: dict[str, tuple[str, str]] = {
    "database_url": ("database", "url"),
    "store_bodies": ("privacy", "store_bodies"),
    "import_batch_size": ("import", "batch_size"),
}

_ENV_KEYS: dict[str, str] = {
    "database_url": "KITH_DATABASE_URL",
    "store_bodies": "KITH_STORE_BODIES",
    "import_batch_size": "KITH_IMPORT_BATCH_SIZE",
}


def _coerce(name: str, value: Any, where: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind in ("bool", bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false, not {value!r}", where=where)
    if kind in ("int", int):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"{name} must be a whole number, not {value!r}", where=where
            ) from None
        if number <= 0:
            raise ConfigError(f"{name} must be positive, not {number}", where=where)
        return number
    return str(value)


def config_file_path() -> Path:
    """``$XDG_CONFIG_HOME/kith/config.toml``."""
    return config_home() / "config.toml"


def _read_config(path: Path) -> dict[str, Any]:
    """The config file's tables ({} when there is no file)."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file: {exc}", where=str(path)) from None


def config_table(table: str, config_file: Path | None = None) -> tuple[dict[str, Any], str]:
    """One table of the config file as written (``{}`` when absent), and where
    it is, for error messages: for features whose settings are a table of
    their own (``[today]``), checked by the feature that reads them."""
    path = config_file or config_file_path()
    section = _read_config(path).get(table, {})
    if not isinstance(section, dict):
        raise ConfigError(f"[{table}] must be a table", where=str(path))
    return section, f"{path} [{table}]"


def load_settings(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Settings:
    """Settings from the config file and the environment (flags are applied by the caller)."""
    env = os.environ if env is None else env
    path = config_file or config_file_path()
    values: dict[str, Any] = {}
    data = _read_config(path)
    if data:
        for name, (table, key) in _TOML_KEYS.items():
            section = data.get(table)
            if isinstance(section, dict) and key in section:
                values[name] = _coerce(name, section[key], f"{path} [{table}] {key}")
    for name, var in _ENV_KEYS.items():
        if env.get(var):
            values[name] = _coerce(name, env[var], var)
    settings = Settings(**values)
    if not settings.database_url:
        settings = replace(settings, database_url=default_database_url())
    return settings
