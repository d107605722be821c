"""``kith forget``: a person removed everywhere stays gone after the same
mailbox is imported again; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.cli import cli

MESSAGES = [
    # (id, from, to, cc, subject)
    ("1", "ana@example.org", "me@example.org", "", "Only with me"),
    ("2", "me@example.org", "ana@example.org", "", "Re: Only with me"),
    ("3", "ana@example.org", "me@example.org", "bo@example.org", "Ana writes to both"),
    ("4", "bo@example.org", "me@example.org", "ana@example.org", "Bo writes, one copied"),
    ("5", "bo@example.org", "me@example.org", "", "Bo alone"),
]


def _mbox(path: Path) -> Path:
    lines = []
    for n, sender, to, cc, subject in MESSAGES:
        lines += [
            f"From {sender} Mon Jan  1 10:00:00 2024",
            f"From: {sender.split('@')[0].title()} <{sender}>",
            f"To: {to}",
            *([f"Cc: {cc}"] if cc else []),
            f"Subject: {subject}",
            f"Date: Mon, {n} Jan 2024 10:00:00 +0000",
            f"Message-ID: <{n}@example.org>",
            "",
            f"Message {n}: words of {sender}.",
            "",
        ]
    path.write_text("\n".join(lines))
    return path


def _card(path: Path) -> Path:
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nEMAIL:ana@example.org\r\n"
        "EMAIL:ana.lima@gmail.com\r\nNOTE:met at the fair\r\nEND:VCARD\r\n"
    )
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _stats(db: str) -> dict:
    return json.loads(run("--db", db, "stats", "--json").stdout)


def _all_text(engine: Engine) -> str:
    """Every value the ledger stores, as one text (to look for any trace)."""
    found = []
    with engine.connect() as conn:
        for table in ("person", "identity", "interaction", "fact", "participant", "thread"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                found.append(" ".join(str(v) for v in row))
    return "\n".join(found)


@pytest.fixture
def ledger(db_url: str, tmp_path: Path) -> tuple[str, list[Path]]:
    files = [_mbox(tmp_path / "mail.mbox"), _card(tmp_path / "ana.vcf")]
    assert run("--db", db_url, "init", "--me", "me@example.org").exit_code == 0
    result = run("--db", db_url, "import", "-q", *map(str, files))
    assert result.exit_code == 0, result.output
    return db_url, files


def test_forget_removes_a_person_everywhere_and_reimport_leaves_them_out(
    ledger: tuple[str, list[Path]], engine: Engine
) -> None:
    db, files = ledger
    before = _stats(db)
    assert before["people"] == 2 and before["interactions"] == 5
    assert "Ana" in _all_text(engine)

    from kith.analytics.mirror import default_path

    mirror = default_path(engine)
    assert mirror is not None and mirror.exists()  # the import's refresh made it
    result = run("--db", db, "forget", "ana@example.org", "--yes", "--json")
    assert result.exit_code == 0, result.output
    assert not mirror.exists()  # it held her rows too
    assert json.loads(result.stdout) == {
        "forget_id": 1,
        "people": 1,
        "identities": 2,
        "interactions": 3,  # the two with only me, and the one she wrote
        "removed_from": 1,  # Bo's message keeps Bo and me
    }
    after = _stats(db)
    assert after["people"] == 1 and after["interactions"] == 2
    stored = _all_text(engine)
    assert "ana" not in stored.lower() and "fair" not in stored

    again = run("--db", db, "import", "-q", *map(str, files))
    assert again.exit_code == 0, again.output
    assert _stats(db) == after  # she stays gone
    assert "ana" not in _all_text(engine).lower()
    listed = json.loads(run("--db", db, "forget", "--list", "--json").stdout)
    assert [(r["id"], r["identities"]) for r in listed] == [(1, 2)]


def test_undo_lifts_the_block_the_same_day_only(
    ledger: tuple[str, list[Path]], engine: Engine
) -> None:
    db, files = ledger
    assert run("--db", db, "forget", "ana@example.org", "--yes").exit_code == 0
    with engine.begin() as conn:  # the forget was made yesterday
        conn.execute(text("UPDATE forgotten SET at = at - 86400"))
    refused = run("--db", db, "forget", "--undo", "1")
    assert refused.exit_code == 1
    assert "only a forget of today can be undone" in refused.stderr
    with engine.begin() as conn:
        conn.execute(text("UPDATE forgotten SET at = at + 86400"))
    assert run("--db", db, "forget", "--undo", "1").exit_code == 0
    assert run("--db", db, "import", "-q", *map(str, files)).exit_code == 0
    assert _stats(db)["people"] == 2  # imported again, as asked


def test_forgetting_asks_first_and_refuses_me_and_strangers(
    ledger: tuple[str, list[Path]],
) -> None:
    db, _ = ledger
    unasked = run("--db", db, "forget", "ana@example.org")
    assert unasked.exit_code == 1
    assert "cannot be undone" in unasked.stderr and "--yes" in unasked.stderr
    me = run("--db", db, "forget", "me@example.org", "--yes")
    assert me.exit_code == 1
    assert "that is you" in me.stderr
    nobody = run("--db", db, "forget", "zed@example.org", "--yes")
    assert nobody.exit_code == 3
    assert _stats(db)["people"] == 2
