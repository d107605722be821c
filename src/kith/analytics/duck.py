"""The DuckDB engine: the definitions run as written, over the mirror.

A full run reads the mirror's tables as they are; a scoped run (incremental
refresh) first narrows them to what the touched people's features can
depend on: every interaction a touched person took part in, and every
interaction in the same threads (a later message of mine in the thread
answers theirs; the thread's first message says who started it).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from kith.analytics.definition import steps

_INTERACTION = (
    "id, source_key, parent_key, channel, kind, direction, occurred_at, thread_id, is_public, "
    "sentiment"
)


def full_inputs(con: Any) -> None:
    """The inputs as views of the whole mirror; every eligible person is a target."""
    con.execute("CREATE OR REPLACE TEMP VIEW log AS SELECT * FROM m_log")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW interaction AS SELECT {_INTERACTION} FROM m_interaction"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE target AS "
        "SELECT id AS person_id FROM m_person WHERE NOT is_me AND merged_into IS NULL"
    )


def touched_people(
    con: Any, after_id: int, after_time: int, now: int, after_person: int
) -> list[int]:
    """People (not me, not merged) in interactions with id above ``after_id``, or
    that happened in ``(after_time, now]``, or in the same threads as those; and
    people with ids above ``after_person`` (new, maybe without interactions)."""
    rows = con.execute(
        f"""
WITH new_ix AS (
  SELECT id, thread_id FROM m_interaction
  WHERE id > {int(after_id)} OR (occurred_at > {int(after_time)} AND occurred_at <= {int(now)})
),
ix AS (
  SELECT id FROM new_ix
  UNION
  SELECT i.id FROM m_interaction i
  WHERE i.thread_id IN (SELECT thread_id FROM new_ix WHERE thread_id IS NOT NULL)
)
SELECT l.person_id
FROM m_log l JOIN m_person p ON p.id = l.person_id
WHERE l.interaction_id IN (SELECT id FROM ix) AND p.merged_into IS NULL
UNION
SELECT id FROM m_person
WHERE id > {int(after_person)} AND NOT is_me AND merged_into IS NULL
ORDER BY 1"""
    ).fetchall()
    return [int(r[0]) for r in rows]


def scoped_inputs(con: Any, people: Iterable[int]) -> None:
    """The inputs narrowed to what ``people``'s features depend on (``SEMI JOIN``
    is DuckDB's; this narrowing is the DuckDB engine's, not the definition's)."""
    con.register("scope_people", pa.table({"person_id": pa.array(list(people), pa.int64())}))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE target AS SELECT person_id FROM scope_people")
    finally:
        con.unregister("scope_people")
    # Every step reads the log only for rows of target people (ties: both are
    # targets), so the log is theirs alone; interactions are their threads'
    # (a later message of mine, the thread's first one) and their own.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE log AS SELECT * FROM m_log "
        "WHERE person_id IN (SELECT person_id FROM target)"
    )
    con.execute(
        f"""
CREATE OR REPLACE TEMP TABLE interaction AS
SELECT {_INTERACTION} FROM m_interaction i
SEMI JOIN (SELECT DISTINCT thread_id FROM log WHERE thread_id IS NOT NULL) t
  ON t.thread_id = i.thread_id
UNION ALL
SELECT {_INTERACTION} FROM m_interaction i
SEMI JOIN (SELECT DISTINCT interaction_id FROM log WHERE thread_id IS NULL) o
  ON o.interaction_id = i.id"""
    )


def drop_inputs(con: Any) -> None:
    """Forget the inputs of the last run (views on a full run, tables on a scoped one)."""
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()
    views = {r[0] for r in rows}
    for name in ("log", "interaction", "target"):
        kind = "VIEW" if name in views else "TABLE"
        con.execute(f"DROP {kind} IF EXISTS temp.main.{name}")


def run(con: Any, now: int, half_life_days: float) -> dict[str, float]:
    """Run every step into a temporary table; returns seconds per step."""
    timings: dict[str, float] = {}
    for step in steps(now, half_life_days):
        started = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE {step.name} AS {step.sql}")
        timings[step.name] = time.perf_counter() - started
    return timings


def result_reader(con: Any, name: str) -> pa.RecordBatchReader:
    """The rows of result ``name`` as a stream of record batches, in key order
    (appending to the ledger's primary-key B-tree is cheaper than scattering)."""
    keys = {"relationship": "person_id", "tie": "person_a, person_b"}[name]
    reader: pa.RecordBatchReader = con.sql(f"SELECT * FROM {name} ORDER BY {keys}").to_arrow_reader(
        65_536
    )
    return reader


def result_rows(con: Any) -> int:
    """How many rows the last run's results hold, ``relationship`` and ``tie`` together."""
    row = con.execute("SELECT (SELECT COUNT(*) FROM relationship) + (SELECT COUNT(*) FROM tie)")
    return int(row.fetchall()[0][0])
