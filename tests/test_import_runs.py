"""``kith imports``: past runs, and ``--delete RUN`` removing what one run
added and nothing else; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.cli import cli


def _mbox(path: Path, messages: list[tuple[str, str, str]]) -> Path:
    lines = []
    for n, sender, to in messages:
        lines += [
            f"From {sender} Mon Jan  1 10:00:00 2024",
            f"From: {sender.split('@')[0].title()} <{sender}>",
            f"To: {to}",
            f"Subject: message {n}",
            f"Date: Mon, {n} Jan 2024 10:00:00 +0000",
            f"Message-ID: <{n}@example.org>",
            "",
            f"Message {n}.",
            "",
        ]
    path.write_text("\n".join(lines))
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _stats(db: str) -> dict:
    return json.loads(run("--db", db, "stats", "--json").stdout)


def _identities(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT value FROM identity")).scalars())


def test_deleting_a_run_removes_what_it_added_and_nothing_else(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    first = _mbox(
        tmp_path / "first.mbox",
        [("1", "ana@example.org", "me@example.org"), ("2", "bo@example.org", "me@example.org")],
    )
    second = _mbox(
        tmp_path / "second.mbox",
        [("3", "bo@example.org", "cy@example.org"), ("4", "dee@example.org", "me@example.org")],
    )
    card = tmp_path / "cy.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy\r\nEMAIL:cy@example.org\r\n"
        "NOTE:a note\r\nEND:VCARD\r\n"
    )
    assert run("--db", db_url, "init", "--me", "me@example.org").exit_code == 0
    assert run("--db", db_url, "import", "-q", str(first)).exit_code == 0
    after_first = _stats(db_url)
    assert run("--db", db_url, "import", "-q", str(second), str(card)).exit_code == 0
    assert _stats(db_url)["interactions"] == 4

    listed = json.loads(run("--db", db_url, "imports", "--json").stdout)
    assert [(r["importer"], r["status"], r["imported"]) for r in listed] == [
        ("vcard", "done", 1),
        ("mbox", "done", 2),
        ("mbox", "done", 2),
    ]
    second_run, card_run = listed[1]["id"], listed[0]["id"]

    removed = run("--db", db_url, "imports", "--delete", str(second_run), "--yes", "--json")
    assert removed.exit_code == 0, removed.output
    # dee came only with it; bo came with the first run; cy is still on the card
    assert json.loads(removed.stdout) == {
        "run": second_run,
        "interactions": 2,
        "identities": 1,
        "people": 1,
        "facts": 0,
        "skipped": 0,
    }
    assert _identities(engine) == [
        "ana@example.org",
        "bo@example.org",
        "cy@example.org",
        "me@example.org",
    ]
    assert run("--db", db_url, "imports", "--delete", str(card_run), "--yes").exit_code == 0
    assert _stats(db_url) == after_first
    assert [r["id"] for r in json.loads(run("--db", db_url, "imports", "--json").stdout)] == [
        listed[2]["id"]
    ]

    # and importing it again brings it back as it was
    assert run("--db", db_url, "import", "-q", str(second)).exit_code == 0
    assert _stats(db_url)["interactions"] == 4


def test_deleting_an_unknown_or_running_run_is_refused(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    unknown = run("--db", db_url, "imports", "--delete", "99", "--yes")
    assert unknown.exit_code == 3
    assert "no import run #99" in unknown.stderr
    import os
    import socket

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO import_run (id, importer, path, started_at, status, imported,"
                " duplicates, skipped, host, pid) VALUES (7, 'mbox', 'x', 1, 'running', 0, 0, 0,"
                " :host, :pid)"
            ),
            {"host": socket.gethostname(), "pid": os.getpid()},
        )
    busy = run("--db", db_url, "imports", "--delete", "7", "--yes")
    assert busy.exit_code == 1
    assert "import run #7 is still running" in busy.stderr
    assert json.loads(run("--db", db_url, "imports", "--json").stdout)[0]["status"] == "running"
