"""How I describe myself: the ``[profile]`` table of the config file.

::

    [profile]
    name = "Sam Rivera"
    business = "Rivera Studio"
    products = ["Field Notes", "the letterpress course"]
    topics = ["letterpress", "risograph"]
    description = "I run a small print studio ..."

``kith conversations`` looks for the name, the business, the products and the
topics in public threads; ``kith perception`` compares the description (and
what I write) with what others write to me.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kith.config import config_table
from kith.errors import ConfigError

#: The keys ``[profile]`` may hold.
KEYS = ("name", "business", "products", "topics", "description")


@dataclass(frozen=True, slots=True)
class Profile:
    """The ``[profile]`` settings, and where they were read (for messages)."""

    name: str = ""
    business: str = ""
    products: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    description: str = ""
    where: str = "[profile]"

    def terms(self) -> list[str]:
        """The name, business, products and topics, each once, in that order."""
        found: list[str] = []
        for term in (self.name, self.business, *self.products, *self.topics):
            t = " ".join(term.split())
            if t and t.lower() not in (f.lower() for f in found):
                found.append(t)
        return found


def _texts(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{key} must be a text or a list of texts", where=f"{where} {key}")


def load_profile(config_file: Path | None = None) -> Profile:
    """``[profile]`` from the config file (empty when absent); a ``ConfigError``
    naming the key for an unknown key or a value of the wrong type."""
    table, where = config_table("profile", config_file)
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r}", where=where, hint="known: " + ", ".join(KEYS)
        )
    single: dict[str, str] = {}
    for key in ("name", "business", "description"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise ConfigError(f"{key} must be a text", where=f"{where} {key}")
        single[key] = value.strip()
    return Profile(
        name=single["name"],
        business=single["business"],
        products=_texts(table.get("products", []), "products", where),
        topics=_texts(table.get("topics", []), "topics", where),
        description=single["description"],
        where=where,
    )
