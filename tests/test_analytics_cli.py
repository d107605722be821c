"""``kith analytics`` as a user meets it, and the refresh at the end of ``kith import``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from kith.cli import cli
from kith.sample.entities import DEFAULT_END, OWNER

NOW = "2026-11-20T17:00"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from kith.sample.mbox import write_mbox
    from kith.sample.world import generate_world

    folder = tmp_path_factory.mktemp("mail")
    return write_mbox(generate_world(seed=3, people=60), folder)


def test_import_refreshes_the_analytics_of_what_came_in(db_url, mail):
    assert run("--db", db_url, "init", "--me", OWNER.email).exit_code == 0
    first = run("--db", db_url, "import", "-q", str(mail[0]))
    assert first.exit_code == 0, first.output
    assert "analytics: full refresh (no results stored yet): " in first.stdout
    second = run("--db", db_url, "import", "-q", *map(str, mail[1:]))
    assert second.exit_code == 0, second.output
    assert "analytics: incremental refresh: " in second.stdout
    again = run("--db", db_url, "import", "-q", *map(str, mail))
    assert "analytics" not in again.stdout  # nothing new, nothing to refresh
    engine = create_engine(db_url)
    with engine.connect() as conn:
        people = conn.execute(
            text("SELECT COUNT(*) FROM person WHERE NOT is_me AND merged_into IS NULL")
        ).scalar_one()
        rows = conn.execute(text("SELECT COUNT(*) FROM relationship")).scalar_one()
    engine.dispose()
    assert rows == people > 10


def test_refresh_as_of_a_date_and_as_json(tmp_path, mail):
    db = str(tmp_path / "kith.db")
    run("--db", db, "init", "--me", OWNER.email)
    run("--db", db, "import", "-q", *map(str, mail))
    full = run("--db", db, "analytics", "refresh", "--full", "--now", NOW, "--json")
    assert full.exit_code == 0, full.output
    data = json.loads(full.stdout)
    assert data["mode"] == "full" and data["reason"] == "asked for"
    assert data["now"] == int(DEFAULT_END.timestamp())
    same = run("--db", db, "analytics", "refresh", "--now", NOW)
    assert same.stdout.startswith("analytics: nothing new since the last refresh")
    other = run("--db", db, "analytics", "refresh", "--now", NOW, "--half-life-days", "30")
    assert "full refresh (the settings changed)" in other.stdout


def test_a_bad_now_says_what_it_wants(tmp_path):
    run("--db", str(tmp_path / "kith.db"), "init")
    result = run("--db", str(tmp_path / "kith.db"), "analytics", "refresh", "--now", "soon")
    assert result.exit_code == 1
    assert "--now wants a date (2026-11-20), a time (2026-11-20T17:00) or epoch seconds" in (
        result.stderr
    )


def test_export_parquet_writes_the_inputs(tmp_path, mail):
    db = str(tmp_path / "kith.db")
    run("--db", db, "init", "--me", OWNER.email)
    run("--db", db, "import", "-q", str(mail[0]))
    out = tmp_path / "export"
    result = run("--db", db, "analytics", "export-parquet", str(out))
    assert result.exit_code == 0, result.output
    for name in ("person", "identity", "interaction", "participant"):
        assert (out / f"{name}.parquet").is_file()
        assert f"{name}.parquet: " in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rows"]["interaction"] > 0
