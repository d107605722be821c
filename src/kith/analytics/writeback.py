"""Writing results back to the ledger: ``relationship`` and ``tie`` rows, and
the ``analytics_state`` row, in one transaction.

A full run replaces both tables; an incremental one replaces the rows whose
keys it computed (the ledger is append-only between full runs, so a pair or
person computed before and not now cannot have changed). Rows go in as
Arrow batches: a full run of many rows on a SQLite file through ADBC's bulk
ingest in a child process (``kith.analytics.ingest``); otherwise through the
driver, ``executemany`` on SQLite (for a few rows, such as an incremental
run's, starting the child costs more than it saves), ``COPY`` on PostgreSQL
(psycopg).
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, select

from kith.analytics import ingest
from kith.analytics.ledger import has_adbc, sqlite_path
from kith.errors import StoreError
from kith.store.schema import analytics_state, relationship, tie
from kith.store.writer import bulk_insert

log = logging.getLogger(__name__)

_KEYS = {"relationship": ("person_id",), "tie": ("person_a", "person_b")}
#: A full write of more rows than this (relationships and ties together) on
#: a SQLite file goes through the bulk ingest in a child process. Starting
#: the child costs 0.3 s on a quiet machine (more under load): for 105,000
#: rows the ingest took 0.67 s against 0.58 s for ``executemany``, for
#: 150,000 0.78 s against 0.82 s, for 270,000 1.21 s against 1.50 s
#: (bench/RESULTS.md, "One feature engine").
INGEST_ABOVE = 150_000


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
    row_count: int = 0,
) -> dict[str, int]:
    """Write the rows of each reader (``relationship``, ``tie``; opened one at a
    time) and ``state``; returns row counts. ``row_count``: how many rows the
    readers hold together, when known (it chooses how a full write goes in)."""
    row = _state_row(state, finished_at)
    path = sqlite_path(engine)
    if replace_all and row_count > INGEST_ABOVE and path is not None and has_adbc():
        return _ingest_in_child(path, readers, row)
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
        conn.execute(analytics_state.insert(), row)
    return counts


def _state_row(state: StoredState, finished_at: int) -> dict[str, Any]:
    return {
        "id": 1,
        "token": state.token,
        "computed_at": state.computed_at,
        "last_interaction_id": state.last_interaction_id,
        "fingerprint": state.fingerprint,
        "settings": json.dumps(state.settings, sort_keys=True),
        "mode": state.mode,
        "finished_at": finished_at,
    }


def _ingest_in_child(
    path: Path, readers: dict[str, Callable[[], pa.RecordBatchReader]], row: dict[str, Any]
) -> dict[str, int]:
    """A full write through ``kith.analytics.ingest`` in a child process: the
    plan, then each reader's batches as an Arrow IPC stream on its standard
    input. If anything fails here, the child is killed before it commits."""
    cmd = [sys.executable, str(Path(ingest.__file__)), str(path)]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        proc.stdin.write(json.dumps({"tables": list(readers), "state": row}).encode() + b"\n")
        for open_reader in readers.values():
            reader = open_reader()
            with pa.ipc.new_stream(proc.stdin, reader.schema) as sink:
                for batch in reader:
                    sink.write_batch(batch)
        proc.stdin.close()
    except BrokenPipeError:
        # The child stopped early: what it says is read below.
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    out, err = proc.stdout.read(), proc.stderr.read()
    if proc.wait() != 0:
        lines = err.decode("utf-8", "replace").strip().splitlines()
        log.debug("the analytics write-back failed:\n%s", "\n".join(lines))
        raise StoreError(
            "writing the analytics results failed, nothing was changed: "
            + (lines[-1] if lines else f"exit {proc.returncode}"),
            where=str(path),
        )
    counts: dict[str, int] = json.loads(out)
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
    found = conn.exec_driver_sql(ingest.INDEXES_SQL.format(marks=marks), tuple(tables)).all()
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
