"""Reading the ledger as Arrow record batches, for DuckDB to take in.

DuckDB cannot attach the ledger here (its sqlite and postgres extensions are
downloads), so rows come through drivers in batches: the SQLAlchemy
connection's driver cursor, ``fetchmany`` at a time; and for a big read of a
SQLite file the ADBC SQLite driver (Arrow straight from C, about three times
the speed of the ``sqlite3`` module) in a child process that streams Arrow
IPC back. A child, because the ADBC driver carries its own copy of SQLite,
and two copies of SQLite in one process break each other's POSIX locks on
the same file (SQLite's "how to corrupt" §2.2.1; seen here as a bus error).
Either way the batches have the schemas below, and memory holds one batch at
a time.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from kith.errors import KithError
from kith.signals.valence import READ_CHARS

log = logging.getLogger(__name__)

BATCH_ROWS = 65_536

#: What the mirror reads from the ledger, with the Arrow types it arrives as.
#: Text columns that may be null are read as '' (the ADBC driver guesses a
#: column's type from its first rows, and a null-only start reads as integer).
QUERIES: dict[str, tuple[str, pa.Schema]] = {
    "interaction": (
        "SELECT id, source, source_id, COALESCE(parent_ref, '') AS parent_ref, channel, kind, "
        "direction, occurred_at, thread_id, circle_id, "
        "COALESCE(extra, '') AS extra, "
        # Only the start of a body is read: what its valence is scored on
        # lies within it (kith.signals.valence).
        "CASE WHEN direction <> 'out' THEN SUBSTR(COALESCE(body, ''), 1, {chars}) "
        "ELSE '' END AS body "
        "FROM interaction WHERE id > {lo} AND id <= {hi} ORDER BY id",
        pa.schema(
            [
                ("id", pa.int64()),
                ("source", pa.string()),
                ("source_id", pa.string()),
                ("parent_ref", pa.string()),
                ("channel", pa.string()),
                ("kind", pa.string()),
                ("direction", pa.string()),
                ("occurred_at", pa.int64()),
                ("thread_id", pa.int64()),
                ("circle_id", pa.int64()),
                ("extra", pa.string()),
                ("body", pa.string()),
            ]
        ),
    ),
    "participant": (
        "SELECT interaction_id, identity_id, role FROM participant "
        "WHERE interaction_id > {lo} AND interaction_id <= {hi} ORDER BY interaction_id",
        pa.schema(
            [("interaction_id", pa.int64()), ("identity_id", pa.int64()), ("role", pa.string())]
        ),
    ),
    "identity": (
        "SELECT id, person_id FROM identity WHERE id > {lo} AND id <= {hi}",
        pa.schema([("id", pa.int64()), ("person_id", pa.int64())]),
    ),
    "person": (
        "SELECT id, CASE WHEN is_me THEN 1 ELSE 0 END AS is_me, merged_into FROM person "
        "WHERE id > {lo} AND id <= {hi}",
        pa.schema([("id", pa.int64()), ("is_me", pa.int64()), ("merged_into", pa.int64())]),
    ),
    "circle": (
        "SELECT id, visibility FROM circle WHERE id > {lo} AND id <= {hi}",
        pa.schema([("id", pa.int64()), ("visibility", pa.string())]),
    ),
}


def sqlite_path(engine: Engine) -> Path | None:
    """The ledger's file when it is a SQLite file, else None."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().resolve()


def read_batches(
    engine: Engine, table: str, lo: int, hi: int, *, body_chars: int = READ_CHARS
) -> AbstractContextManager[pa.RecordBatchReader]:
    """Rows of ``table`` with ids in ``(lo, hi]`` as a stream of record batches
    (an interaction's body: its first ``body_chars`` characters)."""
    sql, schema = QUERIES[table]
    text = sql.format(lo=int(lo), hi=int(hi), chars=int(body_chars))
    path = sqlite_path(engine)
    if path is not None and table != "circle" and hi - lo > CHILD_ABOVE and has_adbc():
        return _child_reader(path, table, lo, hi, body_chars)
    return _Closing(_driver_reader(engine, text, schema), lambda: None)


class _Closing(AbstractContextManager[pa.RecordBatchReader]):
    def __init__(self, reader: pa.RecordBatchReader, close: Callable[[], None]) -> None:
        self.reader = reader
        self.close = close

    def __enter__(self) -> pa.RecordBatchReader:
        return self.reader

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Reads of more ids than this go through the ADBC child process.
CHILD_ABOVE = 200_000


def has_adbc() -> bool:
    """Whether the ADBC SQLite driver is installed (a core dependency; without
    it, reads and writes go through the ``sqlite3`` module)."""
    try:
        import adbc_driver_sqlite  # noqa: F401
    except ImportError:  # pragma: no cover - a core dependency; the driver path still works
        return False
    return True


def _child_reader(path: Path, table: str, lo: int, hi: int, body_chars: int) -> _Closing:
    """Batches read by ``python -m kith.analytics.dump`` in a child process."""
    cmd = [
        *(sys.executable, "-m", "kith.analytics.dump", str(path), table),
        *(str(lo), str(hi), str(body_chars)),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    stdout, stderr = proc.stdout, proc.stderr
    schema = QUERIES[table][1]

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            stream = pa.ipc.open_stream(stdout)
        except pa.ArrowInvalid:
            stream = None
        if stream is not None:
            yield from stream
        if proc.wait() != 0:
            message = stderr.read().decode("utf-8", "replace").strip().splitlines()
            raise KithError(
                f"reading the ledger's {table} table failed: "
                + (message[-1] if message else f"exit {proc.returncode}"),
                where=str(path),
            )

    def close() -> None:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stdout.close()
        stderr.close()

    return _Closing(pa.RecordBatchReader.from_batches(schema, batches()), close)


def dump(path: str, table: str, lo: int, hi: int, body_chars: int = READ_CHARS) -> None:
    """The child's side: the rows as an Arrow IPC stream on stdout."""
    import adbc_driver_sqlite.dbapi as adbc

    sql, schema = QUERIES[table]
    conn = adbc.connect(f"file:{path}?mode=ro")
    try:
        cur = conn.cursor()
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
        cur.execute(sql.format(lo=lo, hi=hi, chars=body_chars))
        with pa.ipc.new_stream(sys.stdout.buffer, schema) as out:
            for batch in cur.fetch_record_batch():
                out.write_batch(_conform(batch, schema))
        cur.close()
    finally:
        conn.close()


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with ``schema``'s types (a null-only column may arrive as int64)."""
    if batch.schema.equals(schema):
        return batch
    columns = []
    for i, field in enumerate(schema):
        col = batch.column(i)
        if col.type != field.type:
            col = (
                pa.nulls(len(col), field.type)
                if col.null_count == len(col)
                else col.cast(field.type)
            )
        columns.append(col)
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _driver_reader(engine: Engine, sql: str, schema: pa.Schema) -> pa.RecordBatchReader:
    def batches() -> Iterator[pa.RecordBatch]:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True).exec_driver_sql(sql)
            while True:
                rows: list[Any] = list(result.fetchmany(BATCH_ROWS))
                if not rows:
                    break
                cols = list(zip(*rows, strict=True))
                yield pa.RecordBatch.from_arrays(
                    [pa.array(_plain(c), type=f.type) for c, f in zip(cols, schema, strict=True)],
                    schema=schema,
                )

    return pa.RecordBatchReader.from_batches(schema, batches())


def read_bodies(engine: Engine, ids: list[int], chars: int = READ_CHARS) -> dict[int, str]:
    """The first ``chars`` characters of the bodies of interactions ``ids``."""
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), BODIES_PER_QUERY):
            part = ids[start : start + BODIES_PER_QUERY]
            marks = ", ".join(str(int(i)) for i in part)
            rows = conn.exec_driver_sql(
                f"SELECT id, SUBSTR(COALESCE(body, ''), 1, {int(chars)}) FROM interaction "
                f"WHERE id IN ({marks})"
            )
            out.update((int(i), str(b)) for i, b in rows)
    return out


#: Ids in one ``read_bodies`` query.
BODIES_PER_QUERY = 500


def _plain(values: tuple[Any, ...]) -> list[Any]:
    # PostgreSQL's CASE gives ints already; SQLite may hand back bools for is_me.
    return [int(v) if isinstance(v, bool) else v for v in values]
