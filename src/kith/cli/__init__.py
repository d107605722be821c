"""The command line. Thin: it reads flags, calls the core, and prints.

One module per feature registers its commands on the group in ``base``.
Errors are turned into messages and exit codes in one place,
``base.KithGroup.invoke``. Heavy libraries are imported inside the commands,
so that ``kith --help`` and the read paths start fast.
"""

from __future__ import annotations

from kith.cli import (  # noqa: F401  (each registers its commands)
    analytics,
    circles,
    connect,
    demo,
    evaluate,
    imports,
    introductions,
    looking,
    matching,
    merging,
    privacy,
    relationships,
    report,
    serve,
    setup,
    sync,
    today,
)
from kith.cli.base import cli


def main() -> None:
    cli(prog_name="kith")


__all__ = ["cli", "main"]
