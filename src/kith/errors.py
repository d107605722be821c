"""One exception tree for kith: what failed, where, and what to do next.

The CLI turns a ``KithError`` into a clean message and exit code in one place
(``kith.cli``); nothing else catches them broadly.
"""

from __future__ import annotations


class KithError(Exception):
    """Base of every error kith raises on purpose.

    ``where`` names the file, line or record; ``hint`` says what to do next.
    """

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  {self.hint}"
        return text


class ConfigError(KithError):
    """A setting is missing or invalid."""

    exit_code = 2


class StoreError(KithError):
    """The ledger could not be opened, migrated or written."""


class InputError(KithError):
    """An input could not be read. ``where`` is ``file:position``."""


class UnknownFormatError(InputError):
    """No importer recognises a file."""


class NotFoundError(KithError):
    """A person, identity or item named on the command line does not exist."""

    exit_code = 3


class AmbiguousError(KithError):
    """A name matches more than one person."""

    exit_code = 3
