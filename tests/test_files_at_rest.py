"""Files at rest (issue 15, finding 13): the ledger, its analytics mirror and
the web app's job files are the owner's alone — files 0600 in folders 0700,
whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kith.analytics import mirror
from kith.store.db import open_store
from kith.web.config import WebConfig
from kith.web.jobs import Job, Jobs
from kith.web.ledger import Ledger


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The usual umask, under which files come out 0644 unless kith says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_the_sqlite_ledger_and_its_wal_are_0600_in_a_0700_folder(tmp_path):
    db = tmp_path / "new" / "kith" / "kith.db"
    engine = open_store(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        wal = db.with_name("kith.db-wal")
        shm = db.with_name("kith.db-shm")
        assert wal.exists() and shm.exists()
        assert mode(db) == "0o600" and mode(wal) == "0o600" and mode(shm) == "0o600"
    finally:
        engine.dispose()
    assert mode(db.parent) == "0o700" and mode(db.parent.parent) == "0o700"


def test_an_existing_folder_is_left_as_it_is(tmp_path):
    tmp_path.chmod(0o755)
    engine = open_store(f"sqlite:///{tmp_path / 'kith.db'}")
    engine.dispose()
    assert mode(tmp_path) == "0o755" and mode(tmp_path / "kith.db") == "0o600"


def test_the_duckdb_mirror_is_0600_in_a_0700_folder(tmp_path):
    path = tmp_path / "analytics" / "x.duckdb"
    con = mirror.connect(path)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        con.execute("INSERT INTO t VALUES (1)")
    finally:
        con.close()
    assert mode(path) == "0o600" and mode(path.parent) == "0o700"
    for other in path.parent.iterdir():
        if other.is_file():
            assert mode(other) == "0o600", other


def test_job_files_are_0600_in_a_0700_folder(tmp_path):
    folder = tmp_path / "web" / "abc"
    ledger = Ledger(WebConfig(database_url=f"sqlite:///{tmp_path / 'kith.db'}"))
    try:
        jobs = Jobs(ledger, folder)
        jobs._save(Job("a1b2c3", "x.vcf", 0.0))
        saved = folder / "import-a1b2c3.json"
        assert mode(saved) == "0o600"
        assert mode(folder) == "0o700" and mode(folder.parent) == "0o700"
    finally:
        ledger.close()
