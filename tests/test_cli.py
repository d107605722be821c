"""The command line as a user meets it: exact messages for bad input, and
nothing already stored lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kith.cli import cli

CASES = Path(__file__).parent / "data" / "email"
KITH = Path(sys.executable).with_name("kith")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def stats(db: str) -> dict:
    return json.loads(run("--db", db, "stats", "--json").stdout)


def test_bad_records_are_skipped_counted_and_named(db_url):
    result = run("--db", db_url, "import", "-q", str(CASES / "junk.mbox"))
    assert result.exit_code == 0
    assert "junk.mbox [mbox]: 2 imported, 0 duplicates, 2 skipped" in result.stdout
    assert (
        f"skipped {CASES / 'junk.mbox'}:207: no header block: "
        "the message does not start with 'Name: value' header lines"
    ) in result.stderr
    assert f"skipped {CASES / 'junk.mbox'}:288: binary data: NUL bytes" in result.stderr
    assert stats(db_url)["skipped"] == 2


def test_fail_fast_stops_at_the_first_bad_record_and_keeps_what_came_before(db_url):
    before = run("--db", db_url, "import", "-q", str(CASES / "plus_address.eml"))
    assert before.exit_code == 0
    result = run("--db", db_url, "import", "-q", "--fail-fast", str(CASES / "junk.mbox"))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"kith: {CASES / 'junk.mbox'}:207: no header block: "
        "the message does not start with 'Name: value' header lines"
    )
    counts = stats(db_url)
    assert counts["interactions"] == 2  # the saved message and junk.mbox's first
    assert counts["skipped"] == 1


def test_a_bad_path_is_reported_and_the_batch_goes_on(db_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n")
    result = run(
        "--db", db_url, "import", "-q", str(tmp_path / "missing.mbox"), str(notes),
        str(CASES / "crlf.mbox"),
    )  # fmt: skip
    assert result.exit_code == 1
    assert f"✗ {tmp_path / 'missing.mbox'}: no such file or folder" in result.stderr
    assert f"✗ {notes}: kith does not recognise this file" in result.stderr
    assert "known formats:" in result.stderr
    assert "crlf.mbox [mbox]: 2 imported" in result.stdout
    assert stats(db_url)["interactions"] == 2


def test_a_mistyped_ledger_path_creates_nothing(tmp_path):
    typo = tmp_path / "kihh" / "kith.db"
    result = run("--db", str(typo), "import", "-q", str(CASES / "crlf.mbox"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kith: {typo}: no ledger here")
    assert f"kith --db {typo} init creates one" in result.stderr
    assert not typo.parent.exists()


def test_an_unknown_person_and_an_empty_ledger(tmp_path):
    db = str(tmp_path / "kith.db")
    assert run("--db", db, "init").exit_code == 0
    empty = run("--db", db, "people")
    assert empty.exit_code == 0
    assert "Nobody yet. Import something" in empty.stdout
    missing = run("--db", db, "person", "nobody@example.org")
    assert missing.exit_code == 3
    assert missing.stderr.startswith("kith: nobody matches 'nobody@example.org'")


def test_a_bad_database_url_and_a_bad_config_file(tmp_path, monkeypatch):
    result = run("--db", "mysql://x/y", "stats")
    assert result.exit_code == 1
    assert "kith stores its ledger in SQLite or PostgreSQL, not mysql" in result.stderr
    config = tmp_path / "config" / "kith"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[privacy]\nstore_bodies = "maybe"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = run("--db", str(tmp_path / "k.db"), "stats")
    assert result.exit_code == 2
    assert "config.toml [privacy] store_bodies: store_bodies must be true or false" in (
        result.stderr
    )


def test_me_person_merge_unmerge_through_the_cli(db_url, shared_data):
    assert run("--db", db_url, "init", "--me", "Jukka.Zitting@gmail.com").exit_code == 0
    run("--db", db_url, "import", "-q", str(shared_data / "email" / "apache"))
    counts = stats(db_url)
    assert counts["by_direction"]["out"] > 0  # Jukka's own messages are mine
    shown = run("--db", db_url, "me", "list")
    assert shown.stdout.strip() == "email:jukka.zitting@gmail.com"
    assert run("--db", db_url, "import", "-q", str(CASES / "plus_address.eml")).exit_code == 0
    listing = json.loads(run("--db", db_url, "people", "--json").stdout)
    assert listing, "people were imported"
    first, second = listing[0]["identity"], listing[-1]["identity"]
    merged = run("--db", db_url, "merge", first, second)
    assert merged.exit_code == 0, merged.output
    assert "Undo with: kith unmerge" in merged.stdout
    merged_id = merged.stdout.split("Merged #")[1].split(" ")[0]
    profile = json.loads(run("--db", db_url, "person", first, "--json").stdout)
    assert int(merged_id) in profile["merged_from"]
    undone = run("--db", db_url, "unmerge", f"#{merged_id}")
    assert undone.exit_code == 0
    assert json.loads(run("--db", db_url, "person", first, "--json").stdout)["merged_from"] == []


def test_people_json_stops_cleanly_when_the_reader_leaves(tmp_path):
    db = str(tmp_path / "kith.db")
    subprocess.run([str(KITH), "--db", db, "init"], check=True, capture_output=True)
    subprocess.run([str(KITH), "--db", db, "import", "-q", str(CASES)], check=False)
    pipeline = subprocess.run(
        f"'{KITH}' --db '{db}' people --json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert pipeline.stdout.startswith("[")
    assert "Traceback" not in pipeline.stderr
    assert "BrokenPipe" not in pipeline.stderr
    assert "Exception ignored" not in pipeline.stderr


def test_the_ledger_is_named_alike_by_flag_and_environment(tmp_path: Path, monkeypatch) -> None:
    """A plain path is a SQLite ledger's in KITH_DATABASE_URL as in --db, and a
    missing one is refused there too, not made."""
    path = tmp_path / "here" / "k.db"
    monkeypatch.setenv("KITH_DATABASE_URL", str(path))
    missing = CliRunner().invoke(cli, ["people"])
    assert missing.exit_code != 0 and "no ledger here" in missing.output
    assert not path.exists()
    assert CliRunner().invoke(cli, ["init", "--me", "jo@x.org"]).exit_code == 0
    assert path.is_file()
    listed = CliRunner().invoke(cli, ["--db", str(path), "me", "list"])
    assert listed.exit_code == 0 and "jo@x.org" in listed.output
    monkeypatch.setenv("KITH_DATABASE_URL", f"sqlite:///{path}")
    assert "jo@x.org" in CliRunner().invoke(cli, ["me", "list"]).output
