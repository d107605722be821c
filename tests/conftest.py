"""Shared fixtures. Every test that asks for ``db_url`` (or ``engine``) runs
twice: on SQLite and on a real PostgreSQL server started for the session.

Where PostgreSQL cannot be started the PostgreSQL half is skipped, except in
CI (``CI=true``), where that is a failure. The same holds for the real corpora
(``shared_data``, set by ``KITH_SHARED_DATA``: see ``tests/shared.py``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.pg import PostgresServer, find_bindir
from tests.shared import require

_counter = itertools.count()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real corpora's folder, ``$KITH_SHARED_DATA`` (default ``../shared/data``):
    a test that asks for it is skipped where it is missing, and fails in CI."""
    return require()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL binaries not found (scripts/setup installs Debian's postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bindir)
    server.start()
    yield server
    server.stop()


@contextmanager
def _fresh_ledger(kind: str, tmp_path: Path, request: pytest.FixtureRequest, name: str):
    """A fresh, empty ledger's URL: a SQLite file made as ``kith init`` makes
    it (other commands refuse a missing ledger), or a new PostgreSQL database."""
    if kind == "sqlite":
        from kith.store.db import open_store

        url = f"sqlite:///{tmp_path / name}"
        open_store(url).dispose()
        yield url
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    database = f"t{os.getpid()}_{next(_counter)}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    yield server.url(database)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, empty ledger database."""
    with _fresh_ledger(request.param, tmp_path, request, "kith.db") as url:
        yield url


@pytest.fixture
def other_db_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh, empty ledger of the same kind as ``db_url`` (a restore's
    or an export's destination)."""
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    with _fresh_ledger(kind, tmp_path, request, "other.db") as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    from kith.store.db import open_store

    eng = open_store(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never read or write the developer's own kith config or ledger."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("KITH_DATABASE_URL", raising=False)
    monkeypatch.delenv("KITH_STORE_BODIES", raising=False)
