"""Primary keys in blocks, and chunked ``IN`` lists: what every writer needs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlalchemy import Connection

T = TypeVar("T")

#: The largest id SQL stores (a signed 64-bit integer, SQLite's and
#: PostgreSQL's ``bigint``): a bigger number names nothing, and binding one fails.
MAX_ID = (1 << 63) - 1
#: Most values bound in one ``IN (...)`` list (SQLite allows 32,766 in all).
IN_CHUNK = 900


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def allocate_ids(conn: Connection, table_name: str, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table_name``.

    SQLite: the writer holds the write lock (``BEGIN IMMEDIATE``), so the
    block after ``max(id)`` is its own. PostgreSQL: taken from the column's
    sequence, safe beside other writers.
    """
    from sqlalchemy import text

    if count == 0:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table_name, "n": count},
        )
        return [int(r[0]) for r in rows]
    top = conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table_name}")).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))
