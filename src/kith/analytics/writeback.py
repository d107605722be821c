"""Writing results back to the ledger: ``relationship`` and ``tie`` rows, and
the ``analytics_state`` row, in one transaction.

A full run replaces both tables; an incremental one replaces the rows whose
keys it computed (the ledger is append-only between full runs, so a pair or
person computed before and not now cannot have changed). Rows go in as
Arrow batches through the driver: ``executemany`` on SQLite, ``COPY`` on
PostgreSQL (psycopg).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, select

from kith.store.schema import analytics_state, relationship, tie
from kith.store.writer import bulk_insert

_KEYS = {"relationship": ("person_id",), "tie": ("person_a", "person_b")}


@dataclass(frozen=True, slots=True)
class StoredState:
    """The ``analytics_state`` row: what the stored results are up to."""

    token: str
    computed_at: int
    last_interaction_id: int
    fingerprint: str
    settings: dict[str, Any]
    mode: str


def stored_state(engine: Engine) -> StoredState | None:
    with engine.connect() as conn:
        row = conn.execute(select(analytics_state).where(analytics_state.c.id == 1)).first()
    if row is None:
        return None
    return StoredState(
        str(row.token),
        int(row.computed_at),
        int(row.last_interaction_id),
        str(row.fingerprint),
        json.loads(row.settings),
        str(row.mode),
    )


def _rows(reader: pa.RecordBatchReader) -> Iterator[tuple[list[str], list[tuple[Any, ...]]]]:
    for batch in reader:
        if batch.num_rows:
            columns = [c.to_pylist() for c in batch.columns]
            yield batch.schema.names, list(zip(*columns, strict=True))


def write(
    engine: Engine,
    readers: dict[str, Callable[[], pa.RecordBatchReader]],
    *,
    replace_all: bool,
    state: StoredState,
    finished_at: int,
) -> dict[str, int]:
    """Write the rows of each reader (``relationship``, ``tie``; opened one at a
    time) and ``state``; returns row counts."""
    counts = {name: 0 for name in readers}
    with engine.begin() as conn:
        rebuild = _drop_indexes(conn, list(readers)) if replace_all and readers else []
        if replace_all:
            for name in ("tie", "relationship"):
                conn.exec_driver_sql(f"DELETE FROM {name}")
        for name, open_reader in readers.items():
            for columns, rows in _rows(open_reader()):
                if not replace_all:
                    _delete_keys(conn, name, columns, rows)
                _insert(conn, name, columns, rows)
                counts[name] += len(rows)
        for sql in rebuild:
            conn.exec_driver_sql(sql)
        conn.execute(analytics_state.delete())
        conn.execute(
            analytics_state.insert(),
            {
                "id": 1,
                "token": state.token,
                "computed_at": state.computed_at,
                "last_interaction_id": state.last_interaction_id,
                "fingerprint": state.fingerprint,
                "settings": json.dumps(state.settings, sort_keys=True),
                "mode": state.mode,
                "finished_at": finished_at,
            },
        )
    return counts


def _drop_indexes(conn: Connection, tables: list[str]) -> list[str]:
    """On SQLite, drop the secondary indexes of ``tables`` (inside the
    transaction) and return the statements that make them again: building an
    index once over all the rows costs less than keeping it up to date row by
    row (a quarter of a full refresh's write at 20M, bench/RESULTS.md).
    Readers keep the old rows and indexes until the commit (WAL). Elsewhere
    nothing: on PostgreSQL dropping an index would lock readers out until the
    commit."""
    if conn.dialect.name != "sqlite":
        return []
    marks = ", ".join("?" for _ in tables)
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        tuple(tables),
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in found]


def save_state(engine: Engine, state: StoredState, finished_at: int) -> None:
    """Only the state row (a refresh that found nothing to recompute)."""
    write(engine, {}, replace_all=False, state=state, finished_at=finished_at)


def _delete_keys(
    conn: Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    keys = _KEYS[table]
    where = [columns.index(k) for k in keys]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"DELETE FROM {table} WHERE " + " AND ".join(f"{k} = {mark}" for k in keys)
    conn.exec_driver_sql(sql, [tuple(r[i] for i in where) for r in rows])


def _insert(conn: Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        raw: Any = conn.connection.driver_connection
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    bulk_insert(conn, {"relationship": relationship, "tie": tie}[table], columns, rows)
