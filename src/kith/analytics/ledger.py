"""Reading the ledger as Arrow record batches, for DuckDB to take in.

DuckDB cannot attach the ledger here (its sqlite and postgres extensions are
downloads), so rows come through the ledger's own drivers in batches: for a
SQLite file the ADBC SQLite driver (Arrow straight from C, about three times
the speed of the ``sqlite3`` module), otherwise the SQLAlchemy connection's
driver cursor, ``fetchmany`` at a time. Either way the batches have the
schemas below, and memory holds one batch at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

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
        "CASE WHEN direction <> 'out' THEN COALESCE(body, '') ELSE '' END AS body "
        "FROM interaction WHERE id > {lo} AND id <= {hi}",
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
        "WHERE interaction_id > {lo} AND interaction_id <= {hi}",
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
    engine: Engine, table: str, lo: int, hi: int
) -> AbstractContextManager[pa.RecordBatchReader]:
    """Rows of ``table`` with ids in ``(lo, hi]`` as a stream of record batches."""
    sql, schema = QUERIES[table]
    text = sql.format(lo=int(lo), hi=int(hi))
    path = sqlite_path(engine)
    if path is not None:
        adbc = _adbc_reader(path, text, schema)
        if adbc is not None:
            return adbc
    return _Closing(_driver_reader(engine, text, schema), lambda: None)


class _Closing(AbstractContextManager[pa.RecordBatchReader]):
    def __init__(self, reader: pa.RecordBatchReader, close: Callable[[], None]) -> None:
        self.reader = reader
        self.close = close

    def __enter__(self) -> pa.RecordBatchReader:
        return self.reader

    def __exit__(self, *exc: object) -> None:
        self.close()


def _adbc_reader(path: Path, sql: str, schema: pa.Schema) -> _Closing | None:
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:  # pragma: no cover - a core dependency; the driver path still works
        return None
    conn = adbc.connect(f"file:{path}?mode=ro")
    cur = conn.cursor()
    cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(BATCH_ROWS)})
    cur.execute(sql)
    raw = cur.fetch_record_batch()

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in raw:
            yield _conform(batch, schema)

    def close() -> None:
        cur.close()
        conn.close()

    return _Closing(pa.RecordBatchReader.from_batches(schema, batches()), close)


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """``batch`` with ``schema``'s types (a null-only column may arrive as int64)."""
    if batch.schema.equals(schema):
        return batch
    columns = []
    for i, field in enumerate(schema):
        col = batch.column(i)
        if col.type != field.type:
            col = pa.nulls(len(col), field.type) if col.null_count == len(col) else col.cast(field.type)
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


def _plain(values: tuple[Any, ...]) -> list[Any]:
    # PostgreSQL's CASE gives ints already; SQLite may hand back bools for is_me.
    return [int(v) if isinstance(v, bool) else v for v in values]
