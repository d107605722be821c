"""Backing up and restoring the ledger, whole and consistent, while it is in use.

- **SQLite**: the online backup API copies every page in one step under one
  read transaction, so a backup taken while an import writes holds the ledger
  as of one moment (a whole number of the import's batches). The copy is
  written beside its destination and renamed into place: a backup is never
  half-written. It is a single file (journal mode DELETE).
- **PostgreSQL**: ``pg_dump`` (custom format) of a snapshot exported from a
  repeatable-read transaction, in which the counts are read too; restored
  with ``pg_restore --clean``.

``backup`` returns the ledger's counts (``kith stats --json``) at the backup's
moment; a restore gives a ledger with those counts. Restoring over a ledger
that holds anything needs ``force``: nothing is replaced by accident. The
analytics state goes with the ledger it describes; the command deletes the
mirror file (a cache of the replaced ledger).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from kith.errors import KithError, StoreError
from kith.store import repository


class BackupError(StoreError):
    """A backup or restore could not be made."""


def backup(engine: Engine, target: Path, *, force: bool = False) -> dict[str, Any]:
    """Write a backup of ``engine``'s ledger to ``target``; the ledger's counts then."""
    target = target.expanduser()
    if target.exists() and not force:
        raise BackupError(
            "a file is already there", where=str(target), hint="name a new file, or give --force"
        )
    if not target.parent.is_dir():
        raise BackupError("no such folder", where=str(target.parent))
    if engine.url.get_backend_name() == "sqlite":
        return _sqlite_backup(_sqlite_file(engine), target)
    return _pg_backup(engine, target)


def restore(engine: Engine, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Replace ``engine``'s ledger with the backup at ``source``; its counts after."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError("no such backup file", where=str(source))
    sqlite = engine.url.get_backend_name() == "sqlite"
    if sqlite and not _is_sqlite_ledger(source):
        raise BackupError(
            "not a kith backup of a SQLite ledger",
            where=str(source),
            hint="kith db backup PATH makes one; a PostgreSQL backup restores into PostgreSQL",
        )
    if not force:
        held = _holds(engine)
        if held:
            raise BackupError(
                f"the ledger holds {held}; restoring would replace it",
                where=engine.url.render_as_string(hide_password=True),
                hint="take a backup of it first (kith db backup PATH), then give --force",
            )
    if sqlite:
        _sqlite_restore(source, _sqlite_file(engine))
    else:
        _pg_restore(engine, source)
    engine.dispose()
    from kith.store.db import upgrade

    upgrade(engine)  # a backup from an older kith
    return repository.stats(engine)


# -- SQLite ---------------------------------------------------------------------------


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory ledger has nothing to back up")
    return Path(database).expanduser()


def _sqlite_backup(source: Path, target: Path) -> dict[str, Any]:
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)  # one step: every page under one read transaction
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {exc}", where=str(target)) from exc
    return _sqlite_stats(target)


def _sqlite_stats(path: Path) -> dict[str, Any]:
    from sqlalchemy import create_engine

    eng = create_engine(f"sqlite:///{path}")
    try:
        return repository.stats(eng)
    finally:
        eng.dispose()


def _is_sqlite_ledger(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return {"alembic_version", "interaction", "person"} <= names


def _sqlite_restore(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                dst.execute("PRAGMA busy_timeout=10000")
                src.backup(dst)  # replaces every page of the target, under its write lock
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed: {exc}", where=str(target)) from exc


def _holds(engine: Engine) -> str:
    """What the ledger holds, in words ("" when nothing or not a ledger yet)."""
    if engine.url.get_backend_name() == "sqlite" and not _sqlite_file(engine).exists():
        return ""
    try:
        counts = repository.stats(engine)
    except SQLAlchemyError:  # no tables yet: nothing to lose
        return ""
    if not counts["people"] and not counts["interactions"]:
        return ""
    return f"{counts['people']:,} people and {counts['interactions']:,} interactions"


# -- PostgreSQL -----------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    raise KithError(
        f"{name} is needed to back up or restore a PostgreSQL ledger",
        hint="install PostgreSQL's client tools (Debian: apt-get install postgresql-client)",
    )


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str], what: str, where: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise BackupError(f"{what} failed: {detail[0]}", where=where)


def _pg_backup(engine: Engine, target: Path) -> dict[str, Any]:
    partial = target.with_name(f".{target.name}.partial")
    try:
        counts = _pg_dump(engine, target, partial)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _pg_dump(engine: Engine, target: Path, partial: Path) -> dict[str, Any]:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = repository.stats_of(conn)
            # the dump sees exactly this transaction's snapshot, held open until it ends
            _run(
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                    f"--dbname={_libpq_url(engine)}",
                ],
                "pg_dump",
                str(target),
            )
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    return counts


def _pg_restore(engine: Engine, source: Path) -> None:
    engine.dispose()  # no connection of ours holds a lock on what is dropped
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={_libpq_url(engine)}",
            str(source),
        ],
        "pg_restore",
        str(source),
    )
