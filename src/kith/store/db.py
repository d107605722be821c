"""Opening the ledger: the engine, SQLite's settings, and migrations.

Migrations run on first use: ``open_store`` compares the database's Alembic
revision with the newest one shipped and upgrades when they differ. The check
reads one row, so opening an up-to-date ledger costs no Alembic import.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from kith.errors import StoreError
from kith.files import create_private
from kith.store.sql import ledger_url

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration; ``tests/test_store.py`` checks it matches the scripts.
HEAD_REVISION = "0013"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 opens transactions implicitly; kith issues BEGIN itself
    # (see _sqlite_begin) so that writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A writer takes the write lock at BEGIN, so ids it reads (max(id)) stay its own.
    if conn.get_execution_options().get("kith_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (a URL, or a SQLite file's path: ``ledger_url``);
    SQLite files get WAL mode, and are created 0600 (their folder 0700) when new."""
    url = ledger_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"not a database URL: {url!r}",
            hint="use sqlite:///path/to/kith.db or postgresql+psycopg://user@host/db",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            # The ledger is the owner's alone; SQLite gives -wal and -shm its mode.
            create_private(Path(database).expanduser())
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError:
            raise StoreError(
                "PostgreSQL support is not installed",
                hint="pip install 'kith[postgres]'",
            ) from None
    raise StoreError(
        f"kith stores its ledger in SQLite or PostgreSQL, not {parsed.get_backend_name()}",
        where=url,
    )


def current_revision(engine: Engine) -> str | None:
    """The ledger's Alembic revision, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return None if row is None else str(row[0])


def upgrade(engine: Engine) -> None:
    """Run every migration not yet applied (``kith db upgrade``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    log.info("ledger upgraded to revision %s", HEAD_REVISION)


def require_ledger(url: str) -> None:
    """A ``StoreError`` when ``url`` names a SQLite file that is not there: a
    mistyped ``--db`` must not quietly make a new, empty ledger (only ``kith
    init`` creates one). Other databases are checked when connecting."""
    try:
        parsed = make_url(ledger_url(url))
    except ArgumentError:
        return  # make_engine says what is wrong with it
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    path = Path(database).expanduser()
    if not path.exists():
        raise StoreError(
            "no ledger here",
            where=str(path),
            hint=f"kith --db {path} init creates one; or check --db / KITH_DATABASE_URL for a typo",
        )


def open_store(url: str, *, migrate: bool = True) -> Engine:
    """Open the ledger at ``url``, migrating it on first use."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision != HEAD_REVISION:
            if not migrate:
                raise StoreError(
                    f"the ledger is at revision {revision or 'none'}, kith needs {HEAD_REVISION}",
                    where=_safe(url),
                    hint="run: kith db upgrade",
                )
            upgrade(engine)
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the ledger: {exc.orig}",
            where=_safe(url),
            hint="check the path or server, or set KITH_DATABASE_URL / --db",
        ) from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the ledger: {exc}", where=_safe(url)) from None
    return engine


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
