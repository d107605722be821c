"""The one way to read the ledger: ``Db``, plain SQL with named parameters
on a DB-API connection, without SQLAlchemy.

The commands a person waits for (`kith today`, `kith people`, `kith person`)
spend more on importing SQLAlchemy than on their queries (bench/RESULTS.md),
so every read module of ``kith.store`` (``reads``, ``browse``,
``relationships``, ``person_data``, ``attention``, ``gives``) takes a ``Db``:
the driver (``sqlite3`` or ``psycopg``) opened directly (``open_db``), or
borrowed from an SQLAlchemy connection that is open anyway (``Db.of``,
``using``), inside that connection's transaction. The writer and the
migrations use SQLAlchemy Core, which builds the schema.

The SQL is written once, in SQLite's and PostgreSQL's common dialect, with
``:name`` parameters; a list bound to ``IN :name`` expands to one parameter
per value. For psycopg the names become ``%(name)s`` (and a literal ``%``
is doubled).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

#: ``:name`` outside quotes, not part of ``::`` (a PostgreSQL cast).
_NAMED = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)")

Params = Mapping[str, Any]


#: The escape character of ``contains``' patterns (``LIKE … ESCAPE '\\'``).
LIKE_ESCAPE = "\\"


def contains(text: str) -> str:
    """A ``LIKE`` pattern matching ``text`` anywhere, its own ``%``, ``_`` and
    ``\\`` taken literally; use it with ``ESCAPE '\\'`` (``kith person '%'``
    must not match everyone)."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


class Db:
    """A DB-API connection and the dialect its SQL is translated for."""

    __slots__ = ("_cache", "conn", "dialect")

    def __init__(self, conn: Any, dialect: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"no SQL translation for {dialect}")
        self.conn = conn
        self.dialect = dialect
        self._cache: dict[str, str] = {}
        if dialect == "sqlite":
            _ensure_math(conn)

    @property
    def postgres(self) -> bool:
        """Whether the ledger is PostgreSQL (else SQLite)."""
        return self.dialect == "postgresql"

    @classmethod
    def of(cls, connection: Any) -> Db:
        """The driver connection under an SQLAlchemy ``Connection`` (same transaction)."""
        return cls(connection.connection.driver_connection, connection.dialect.name)

    def _translate(self, sql: str, params: Params | None) -> tuple[str, Params]:
        if params and any(isinstance(v, list | tuple) for v in params.values()):
            given = params
            flat: dict[str, Any] = {}

            def expand(m: re.Match[str]) -> str:
                name = m.group(1)
                if name is None:
                    return m.group(0)
                value = given[name]
                if not isinstance(value, list | tuple):
                    flat[name] = value
                    return m.group(0)
                if not value:
                    return "(NULL)"  # IN (NULL) matches nothing
                for n, v in enumerate(value):
                    flat[f"{name}__{n}"] = v
                return "(" + ", ".join(f":{name}__{n}" for n in range(len(value))) + ")"

            sql = _NAMED.sub(expand, sql)
            params = flat
        if self.dialect == "sqlite":
            return sql, params or {}
        cached = self._cache.get(sql)
        if cached is None:

            def named(m: re.Match[str]) -> str:
                if m.group(1) is None:
                    return m.group(0).replace("%", "%%")
                return f"%({m.group(1)})s"

            parts = []
            last = 0
            for m in _NAMED.finditer(sql):
                parts.append(sql[last : m.start()].replace("%", "%%"))
                parts.append(named(m))
                last = m.end()
            parts.append(sql[last:].replace("%", "%%"))
            cached = "".join(parts)
            if len(self._cache) < 512:
                self._cache[sql] = cached
        return cached, params or {}

    def execute(self, sql: str, params: Params | None = None) -> Any:
        """Run ``sql``; the driver's cursor (for ``fetchall``, ``description``)."""
        text, bound = self._translate(sql, params)
        cursor = self.conn.cursor()
        cursor.execute(text, bound)
        return cursor

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if not rows:
            return
        text, _ = self._translate(sql, rows[0])
        cursor = self.conn.cursor()
        cursor.executemany(text, rows)
        cursor.close()

    def stream(
        self, sql: str, params: Params | None = None, *, batch: int = 500
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of ``sql`` a batch at a time (PostgreSQL: a server-side cursor)."""
        text, bound = self._translate(sql, params)
        cursor = self.conn.cursor(name="kith_stream") if self.postgres else self.conn.cursor()
        try:
            cursor.execute(text, bound)
            while found := cursor.fetchmany(batch):
                for r in found:
                    yield tuple(r)
        finally:
            cursor.close()

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        cursor = self.execute(sql, params)
        try:
            return [tuple(r) for r in cursor.fetchall()]
        finally:
            cursor.close()

    def dicts(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        cursor = self.execute(sql, params)
        try:
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        finally:
            cursor.close()

    def first(self, sql: str, params: Params | None = None) -> tuple[Any, ...] | None:
        cursor = self.execute(sql, params)
        try:
            row = cursor.fetchone()
            return None if row is None else tuple(row)
        finally:
            cursor.close()

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self.first(sql, params)
        return None if row is None else row[0]


def _ln(x: float | None) -> float | None:
    return math.log(x) if x is not None and x > 0 else None


def _exp(x: float | None) -> float | None:
    return None if x is None else math.exp(min(x, _EXP_MAX))


_EXP_MAX = 709.0  # math.exp overflows past it


_sqlite_has_math: bool | None = None


def _ensure_math(conn: Any) -> None:
    """Give an SQLite connection ``ln`` and ``exp`` where SQLite was built
    without its math functions (the strength score is written as SQL with
    them: ``kith.store.relationships``), with SQLite's meaning: NULL for the
    log of what is not positive. Whether they are built in is asked once."""
    global _sqlite_has_math
    if _sqlite_has_math is None:
        import sqlite3

        probe = sqlite3.connect(":memory:")
        try:
            probe.execute("SELECT ln(1), exp(0)")
            _sqlite_has_math = True
        except sqlite3.OperationalError:  # no such function
            _sqlite_has_math = False
        finally:
            probe.close()
    if not _sqlite_has_math:
        conn.create_function("ln", 1, _ln, deterministic=True)
        conn.create_function("exp", 1, _exp, deterministic=True)


@contextmanager
def using(ledger: Any, *, write: bool = False) -> Iterator[Db]:
    """A ``Db`` on ``ledger``: a ``Db`` as it is (already in its transaction:
    ``open_db``), or a connection of an SQLAlchemy engine, in a write
    transaction (SQLite's lock taken at BEGIN: ``kith.store.db``) or a read."""
    if isinstance(ledger, Db):
        yield ledger
    elif write:
        with ledger.execution_options(kith_write=True).begin() as conn:
            yield Db.of(conn)
    else:
        with ledger.connect() as conn:
            yield Db.of(conn)


def as_db(conn: Any) -> Db:
    """``conn`` as a ``Db``: itself, or the driver under an SQLAlchemy connection."""
    return conn if isinstance(conn, Db) else Db.of(conn)


def latest_revision() -> str:
    """The newest migration shipped (the scripts are numbered ``NNNN_name.py``)."""
    import os

    versions = Path(__file__).parent / "migrations" / "versions"
    names = sorted(n for n in os.listdir(versions) if n[:4].isdigit() and n.endswith(".py"))
    return names[-1].split("_", 1)[0]


def ledger_url(text: str) -> str:
    """``text`` as a database URL: a plain path (``~/kith.db``) is a SQLite file's,
    wherever a ledger is named (``--db``, ``KITH_DATABASE_URL``, the config)."""
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


@contextmanager
def open_db(url: str, *, write: bool = False) -> Iterator[Db | None]:
    """A ``Db`` straight on the driver, in one transaction (committed when the
    block ends, rolled back on an error), or None when the ledger must first
    be created or migrated: then the caller opens it the ordinary way
    (``kith.store.db.open_store``)."""
    url = ledger_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    conn: Any
    if scheme == "sqlite":
        import sqlite3

        path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
        if not path or path == ":memory:" or not Path(path).is_file():
            yield None
            return
        mode = "rw" if write else "ro"
        conn = sqlite3.connect(
            f"file:{Path(path).resolve()}?mode={mode}", uri=True, isolation_level=None
        )
        conn.execute("PRAGMA busy_timeout=10000")
        if write:
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        dialect = "sqlite"
    elif scheme == "postgresql":
        try:
            import psycopg
        except ModuleNotFoundError:
            yield None
            return
        conn = psycopg.connect(url.replace(parts.scheme + "://", "postgresql://", 1))
        dialect = "postgresql"
    else:
        yield None
        return
    try:
        db = Db(conn, dialect)
        try:
            current = db.scalar("SELECT version_num FROM alembic_version")
        except Exception:  # no alembic_version table: a new or foreign database
            current = None
            if dialect == "postgresql":
                conn.rollback()
        if current != latest_revision():
            yield None
            return
        if dialect == "sqlite":
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield db
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    finally:
        conn.close()
