"""The README shows every command that exists: each command and subcommand
that ``kith --help`` (and each group's ``--help``) lists appears in it as
``kith <command>``."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from kith.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def listed(*group: str) -> list[str]:
    """The commands ``kith [group] --help`` lists, in its "Commands:" section."""
    result = CliRunner().invoke(cli, [*group, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _, found, section = result.output.partition("\nCommands:\n")
    if not found:
        return []
    return [
        line.split()[0] for line in section.splitlines() if line.startswith("  ") and line[2] != " "
    ]


def every_command(*group: str) -> list[tuple[str, ...]]:
    """Every command and subcommand under ``group``, depth first."""
    found = []
    for name in listed(*group):
        found.append((*group, name))
        found.extend(every_command(*group, name))
    return found


def test_the_help_lists_the_commands_it_should() -> None:
    commands = every_command()
    # The walk itself: top-level commands, groups and their subcommands.
    assert {("import",), ("today",), ("me",), ("me", "add"), ("audit", "attention")} <= set(
        commands
    )


def test_every_command_in_the_help_appears_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [
        " ".join(path)
        for path in every_command()
        if not re.search(rf"\bkith {re.escape(' '.join(path))}(?![\w-])", text)
    ]
    assert not missing, f"README.md does not show: {', '.join(missing)}"
