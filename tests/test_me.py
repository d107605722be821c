"""Who I am: an archive that says whose it is, my likely other identities,
and a ledger that does not know me yet."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kith.cli import cli
from kith.identity import looks_like_mine

DOMAINS = ("enron.com",)


@pytest.mark.parametrize(
    ("value", "display", "why"),
    [
        ("k..allen@enron.com", "Phillip K. Allen", "your name (Phillip K. Allen) at enron.com"),
        ("pallen@enron.com", "Pallen", "your name's form of address at enron.com"),
        ("pallen@ect.enron.com", None, "your name's form of address at ect.enron.com"),
        ("phillip.k.allen@enron.com", None, "your name's form of address at enron.com"),
        ("a..allen@enron.com", "A Allen", None),  # another Allen
        ("margaret.allen@enron.com", "Margaret Allen", None),
        # A personal mailbox with my whole name shown and in its address: offered
        # (the Enron owner's pallen70@hotmail.com); the user says whether it is.
        (
            "pallen70@hotmail.com",
            "phillip allen",
            "your name (phillip allen) at a personal mailbox (hotmail.com)",
        ),
        ("phillip.allen@gmail.com", None, None),  # no name shown: a namesake may
        ("pa1970@gmail.com", "Phillip Allen", None),  # my name, not in the address
        ("margaret.allen@gmail.com", "Margaret Allen", None),
        # Another organisation's address with my whole name, and my name in the
        # address (an Apache committer's jukka@apache.org beside his own mailbox).
        (
            "phillip@example.org",
            "Phillip Allen",
            "your name (Phillip Allen) at example.org, and in its address",
        ),
        ("pa@example.org", "Phillip Allen", None),  # my name, not in the address
        ("phillip@example.org", "Phillip Jones", None),  # another Phillip
    ],
)
def test_my_likely_identities(value: str, display: str | None, why: str | None) -> None:
    assert looks_like_mine("Phillip Allen", DOMAINS, "email", value, display) == why


def _mail(path: Path) -> Path:
    path.write_text(
        "From: Phillip K. Allen <k..allen@enron.com>\nTo: Ana Lima <ana@example.org>\n"
        "Subject: hi\nDate: Mon, 1 Jan 2001 10:00:00 +0000\nMessage-ID: <m1@enron.com>\n\nhi\n"
    )
    return path


def test_an_import_offers_my_other_identities(tmp_path: Path) -> None:
    db = str(tmp_path / "k.db")
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["--db", db, "init", "--me", "phillip.allen@enron.com"]).exit_code == 0
    )
    result = runner.invoke(cli, ["--db", db, "import", "-q", str(_mail(tmp_path / "m.eml"))])
    assert result.exit_code == 0, result.output
    assert "These 1 look like you" in result.stderr
    assert "email:k..allen@enron.com: your name (Phillip K. Allen) at enron.com" in result.stderr


def test_without_my_identities_an_import_offers_the_likely_owner(tmp_path: Path) -> None:
    db = str(tmp_path / "k.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(cli, ["--db", db, "import", "-q", str(_mail(tmp_path / "m.eml"))])
    assert result.exit_code == 0, result.output
    assert "kith does not know which identities are yours yet" in result.stderr
    assert "email:ana@example.org is on 100% of them" in result.stderr


def test_an_archive_that_says_whose_it_is_is_named_and_undone(tmp_path: Path) -> None:
    db = str(tmp_path / "k.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init", "--me", "me@example.org"]).exit_code == 0
    archive = Path(__file__).parent / "data" / "x" / "every_kind"
    result = runner.invoke(cli, ["--db", db, "import", "-q", "--no-analytics", str(archive)])
    assert result.exit_code == 0, result.output
    assert "the file says it is yours:" in result.stderr
    line = next(x for x in result.stderr.splitlines() if "kith me remove" in x)
    keys = line.split("kith me remove ", 1)[1].rstrip(")").split()
    assert keys
    removed = runner.invoke(cli, ["--db", db, "me", "remove", *keys])
    assert removed.exit_code == 0, removed.output
    mine = runner.invoke(cli, ["--db", db, "me", "list"]).stdout.split()
    assert mine == ["email:me@example.org"]
