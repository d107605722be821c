"""A full write-back into a SQLite ledger file through ADBC's bulk ingest, in
a child process: ``python .../kith/analytics/ingest.py LEDGER``.

Why: turning Arrow batches into Python tuples for ``executemany`` was most
of a full refresh's write (``docs/design.md``, "The feature pipeline"); the
ADBC SQLite driver binds the Arrow batches to its insert in C. Why a child:
the driver carries its own copy of SQLite, and two copies in one process
break each other's POSIX locks on the same file (see
``kith.analytics.ledger``). The file is run by path, not as ``-m``, so that
the child imports pyarrow and the driver only, not kith.

What the child reads on standard input: one line of JSON, the plan
(``tables``: the result tables in the order their rows follow; ``state``:
the ``analytics_state`` row), then one Arrow IPC stream per table. In one
transaction it drops the tables' secondary indexes, empties the tables,
ingests the streams, makes the indexes again and replaces the state row,
and commits only when all of it went through: a failure anywhere (or the
parent going away) leaves the rows and the indexes as they were. It prints
the rows ingested per table as JSON.
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import Any

#: The secondary indexes of the tables named (``sql`` is null for the
#: primary key's own index, which stays).
INDEXES_SQL = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
    "AND tbl_name IN ({marks}) ORDER BY name"
)
#: The same waits and cache as the ledger's own connections (``kith.store.db``).
PRAGMAS = ("PRAGMA busy_timeout=10000", "PRAGMA cache_size=-65536")


def ingest(path: str, source: Any) -> dict[str, int]:
    """Carry out the plan and streams read from ``source`` on the ledger at ``path``."""
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    plan = json.loads(source.readline())
    tables: list[str] = plan["tables"]
    state: dict[str, Any] = plan["state"]
    counts = {name: 0 for name in tables}
    conn = adbc.connect(path)  # autocommit off: everything below is one transaction
    try:
        cur = conn.cursor()
        for pragma in PRAGMAS:
            cur.execute(pragma)
        marks = ", ".join("?" for _ in tables)
        cur.execute(INDEXES_SQL.format(marks=marks), tables)
        indexes = [(str(name), str(sql)) for name, sql in cur.fetchall()]
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        for name in reversed(tables):
            cur.execute(f"DELETE FROM {name}")
        for name in tables:
            reader = pa.ipc.open_stream(source)
            counts[name] = int(cur.adbc_ingest(name, reader, mode="append"))
        for _, sql in indexes:
            cur.execute(sql)
        cur.execute("DELETE FROM analytics_state")
        columns = list(state)
        cur.execute(
            f"INSERT INTO analytics_state ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [state[c] for c in columns],
        )
        cur.close()
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    return counts


def main() -> None:
    """The child's side: on failure the traceback, then one line saying what
    failed (the driver's messages run over several lines, the query last)."""
    try:
        counts = ingest(sys.argv[1], sys.stdin.buffer)
    except Exception as exc:
        traceback.print_exc()
        lines = str(exc).strip().splitlines()
        sys.stderr.write(f"\n{lines[0] if lines else type(exc).__name__}\n")
        raise SystemExit(1) from None
    sys.stdout.write(json.dumps(counts) + "\n")


if __name__ == "__main__":
    main()
