"""Rows in and out in bulk, straight through the driver.

On the import's hot path SQLAlchemy's per-row work costs more than SQLite
itself (measured in bench/RESULTS.md), so the writer inserts tuples with the
driver's ``executemany`` and runs its batch look-ups as plain ``IN`` lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert tuples of ``columns`` straight through the driver's ``executemany``:
    on the hot path SQLAlchemy's per-row parameter processing costs more than
    SQLite's own insert (measured in bench/RESULTS.md)."""
    if not rows:
        return
    style = conn.dialect.paramstyle
    mark = "?" if style == "qmark" else "%s" if style in ("format", "pyformat") else None
    if mark is None:  # pragma: no cover - kith's dialects are qmark or format
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
        return
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)


def insert_dicts(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``bulk_insert`` for rows given as dicts with the same keys."""
    if rows:
        columns = list(rows[0])
        bulk_insert(conn, table, columns, [tuple(r[c] for c in columns) for r in rows])


def fetch_in(
    conn: Connection, sql: str, fixed: tuple[Any, ...], values: Sequence[Any]
) -> list[Any]:
    """Rows of ``sql`` whose ``IN ({marks})`` list is ``values``, straight through
    the driver: the batch look-ups run per batch on the hot path, where building
    a SQLAlchemy statement with a bound parameter per value costs more than the
    query (bench/RESULTS.md). ``?`` in ``sql`` stands for the dialect's mark."""
    return list(conn.exec_driver_sql(_in_sql(conn, sql, len(values)), (*fixed, *values)))


def execute_in(conn: Connection, sql: str, fixed: tuple[Any, ...], values: Sequence[Any]) -> int:
    """``fetch_in`` for a statement that changes rows: how many it changed."""
    return int(conn.exec_driver_sql(_in_sql(conn, sql, len(values)), (*fixed, *values)).rowcount)


def _in_sql(conn: Connection, sql: str, count: int) -> str:
    """``sql`` in the dialect's marks, its ``{marks}`` a list of ``count`` of them."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return sql.replace("?", mark).replace("{marks}", ", ".join([mark] * count))
