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

from kith.analytics.definition import RESULTS, baseline_sql, steps

_COLUMNS = {
    "interaction": "id, source_key, parent_key, channel, kind, direction, occurred_at, "
    "thread_id, is_public, sentiment",
    "participant": "interaction_id, identity_id, role",
    "identity": "id, person_id",
    "person": "id, is_me, merged_into",
}


def full_inputs(con: Any) -> None:
    """The inputs as views of the whole mirror; every eligible person is a target."""
    for name, cols in _COLUMNS.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {cols} FROM m_{name}")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE target AS "
        "SELECT id AS person_id FROM m_person WHERE NOT is_me AND merged_into IS NULL"
    )


def touched_people(con: Any, after_id: int, after_time: int, now: int) -> list[int]:
    """People (not me, not merged) in interactions with id above ``after_id``, or
    that happened in ``(after_time, now]``, or in the same threads as those."""
    con.execute(
        f"""
CREATE OR REPLACE TEMP TABLE new_ix AS
SELECT id, thread_id FROM m_interaction
WHERE id > {int(after_id)} OR (occurred_at > {int(after_time)} AND occurred_at <= {int(now)})"""
    )
    rows = con.execute(
        """
WITH ix AS (
  SELECT id FROM new_ix
  UNION
  SELECT i.id FROM m_interaction i
  WHERE i.thread_id IN (SELECT thread_id FROM new_ix WHERE thread_id IS NOT NULL)
)
SELECT DISTINCT idn.person_id
FROM m_participant pa
JOIN m_identity idn ON idn.id = pa.identity_id
JOIN m_person p ON p.id = idn.person_id
WHERE pa.interaction_id IN (SELECT id FROM ix) AND NOT p.is_me AND p.merged_into IS NULL
ORDER BY 1"""
    ).fetchall()
    return [int(r[0]) for r in rows]


def scoped_inputs(con: Any, people: Iterable[int]) -> None:
    """The inputs narrowed to what ``people``'s features depend on."""
    con.register("scope_people", pa.table({"person_id": pa.array(list(people), pa.int64())}))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE target AS SELECT person_id FROM scope_people")
    finally:
        con.unregister("scope_people")
    con.execute(
        """
CREATE OR REPLACE TEMP TABLE scope_ix AS
WITH mine AS (
  SELECT DISTINCT pa.interaction_id AS id
  FROM m_participant pa
  WHERE pa.identity_id IN (
    SELECT id FROM m_identity WHERE person_id IN (SELECT person_id FROM target))
)
SELECT id FROM mine
UNION
SELECT i.id FROM m_interaction i
WHERE i.thread_id IN (
  SELECT thread_id FROM m_interaction
  WHERE id IN (SELECT id FROM mine) AND thread_id IS NOT NULL)"""
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE interaction AS SELECT {_COLUMNS['interaction']} "
        "FROM m_interaction WHERE id IN (SELECT id FROM scope_ix)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE participant AS SELECT {_COLUMNS['participant']} "
        "FROM m_participant WHERE interaction_id IN (SELECT id FROM scope_ix)"
    )
    for name in ("identity", "person"):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {_COLUMNS[name]} FROM m_{name}"
        )


def drop_inputs(con: Any) -> None:
    """Forget the inputs of the last run (views on a full run, tables on a scoped one)."""
    names = ("interaction", "participant", "identity", "person", "target")
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()
    views = {r[0] for r in rows}
    for name in names:
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


def results(con: Any) -> dict[str, pa.Table]:
    """The ``relationship`` and ``tie`` rows of the last run, in key order."""
    keys = {"relationship": "person_id", "tie": "person_a, person_b"}
    return {
        name: con.sql(f"SELECT * FROM {name} ORDER BY {keys[name]}").to_arrow_table()
        for name in RESULTS
    }


def result_reader(con: Any, name: str) -> pa.RecordBatchReader:
    """The rows of result ``name`` as a stream of record batches."""
    reader: pa.RecordBatchReader = con.sql(f"SELECT * FROM {name}").to_arrow_reader(65_536)
    return reader


def baseline(con: Any, now: int) -> int:
    """Run the bare aggregation (for the bench); returns its row count."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE baseline AS {baseline_sql(now)}")
    count = con.execute("SELECT COUNT(*) FROM baseline").fetchone()
    return int(count[0]) if count else 0
