"""``kith db backup`` / ``kith db restore`` on SQLite and PostgreSQL: a backup
taken while an import writes restores to the ledger as of the backup's moment."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.cli import cli
from kith.config import Settings
from kith.importing import import_paths
from kith.store.db import open_store

CASES = Path(__file__).parent / "data"
NOW = 1_780_000_000


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def stats(db: str) -> dict:
    result = run("--db", db, "stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fill(engine: Engine, db_url: str) -> None:
    paths = [CASES / "email" / "plus_address.eml", CASES / "email" / "junk.mbox"]
    import_paths(engine, paths, Settings(database_url=db_url), now=NOW)


def test_a_backup_taken_mid_write_restores_the_ledger_as_of_its_moment(
    db_url: str, engine: Engine, tmp_path: Path, other_db_url: str
) -> None:
    _fill(engine, db_url)
    before = stats(db_url)
    assert before["interactions"] > 0
    backup_file = tmp_path / "kith.backup"
    # An import's batch is under way (its transaction not yet committed) when
    # the backup is taken: the backup must not see any of it.
    with engine.connect() as writer:
        writer.execute(
            text("INSERT INTO person (name, is_me, created_at) VALUES ('Half Written', false, 1)")
        )
        result = run("--db", db_url, "db", "backup", str(backup_file), "--json")
        writer.commit()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == before
    assert stats(db_url)["people"] == before["people"] + 1  # the write did land, later

    other = other_db_url
    restored = run("--db", other, "db", "restore", str(backup_file), "--json")
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.stdout) == before
    assert stats(other) == before


def test_restore_never_replaces_a_ledger_with_data_unless_forced(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    _fill(engine, db_url)
    backup_file = tmp_path / "kith.backup"
    assert run("--db", db_url, "db", "backup", str(backup_file)).exit_code == 0
    again = run("--db", db_url, "db", "backup", str(backup_file))
    assert again.exit_code == 1
    assert f"kith: {backup_file}: a file is already there" in again.stderr
    before = stats(db_url)
    engine.dispose()
    refused = run("--db", db_url, "db", "restore", str(backup_file))
    assert refused.exit_code == 1
    assert "restoring would replace it" in refused.stderr
    assert stats(db_url) == before
    forced = run("--db", db_url, "db", "restore", str(backup_file), "--force")
    assert forced.exit_code == 0, forced.output
    assert stats(db_url) == before


def test_a_file_that_is_not_a_backup_is_refused_by_name(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    db = f"sqlite:///{tmp_path / 'kith.db'}"
    result = run("--db", db, "db", "restore", str(bogus))
    assert result.exit_code == 1
    assert f"{bogus}: not a kith backup of a SQLite ledger" in result.stderr


def test_a_backup_is_one_private_file(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kith.db'}"
    open_store(db).dispose()
    target = tmp_path / "b.db"
    assert run("--db", db, "db", "backup", str(target)).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.db")) == ["b.db"]
