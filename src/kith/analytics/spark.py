"""The Spark engine: the same definitions over a Parquet export of the ledger.

For ledgers that outgrow one machine. ``export_parquet`` writes the inputs
(the analytics mirror's tables, the very rows the DuckDB engine reads) as
Parquet files; ``compute`` runs each step of ``kith.analytics.definition``,
transpiled from DuckDB's dialect to Spark SQL by SQLGlot, as a cached
temporary view, and returns the ``relationship`` and ``tie`` rows, which
``kith.analytics.refresh`` writes back to the ledger
(``kith analytics refresh --engine spark``).

PySpark is the optional extra ``kith[spark]`` and needs a Java runtime
(17 is tested). Here it runs in local mode; point ``master`` at a cluster and
the export at shared storage for more.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from kith.analytics import mirror
from kith.analytics.definition import LOG, RESULTS, steps
from kith.errors import KithError

#: The inputs, one Parquet file each.
INPUTS = ("person", "identity", "interaction", "participant")
_KEYS = {"relationship": ["person_id"], "tie": ["person_a", "person_b"]}


@lru_cache(maxsize=64)
def to_spark_sql(sql: str) -> str:
    """One step's SQL in Spark's dialect (SQLGlot, DuckDB → Spark)."""
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])


def export_parquet(con: Any, folder: Path) -> dict[str, int]:
    """Write the mirror's inputs (``con``: a synced mirror) to ``folder``; returns row counts."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    columns = {
        "person": "id, is_me, merged_into",
        "identity": "id, person_id",
        "interaction": "id, source_key, parent_key, channel, kind, direction, occurred_at, "
        "thread_id, is_public, sentiment",
        "participant": "interaction_id, identity_id, role",
    }
    for name in INPUTS:
        target = folder / f"{name}.parquet"
        con.execute(f"COPY (SELECT {columns[name]} FROM m_{name}) TO '{target}' (FORMAT parquet)")
        row = mirror.first_row(con, f"SELECT COUNT(*) FROM m_{name}")
        counts[name] = int(row[0]) if row else 0
    (folder / "manifest.json").write_text(
        json.dumps({"format": "kith-analytics-inputs/1", "rows": counts}, indent=2) + "\n",
        encoding="utf-8",
    )
    return counts


def require() -> None:
    """Raise a ``KithError`` saying what to install when the ``spark`` extra is missing."""
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        raise KithError(
            "the Spark engine needs PySpark and SQLGlot (the extra kith[spark])",
            hint="pip install 'kith[spark]' (and a Java 17 runtime)",
        ) from None


@contextmanager
def session(master: str = "local[2]", memory: str = "2g") -> Iterator[Any]:
    """A Spark session for kith (UTC, no UI, few shuffle partitions), stopped after."""
    require()
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        spark = (
            SparkSession.builder.master(master)
            .appName("kith-analytics")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", memory)
            .getOrCreate()
        )
    except Exception as exc:  # Py4J/JVM start-up failures have no common base class
        raise KithError(
            f"cannot start Spark: {exc}",
            hint="is a Java runtime installed (java -version)? Spark 4 needs Java 17 or newer",
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


def compute(spark: Any, folder: Path, now: int, half_life_days: float) -> dict[str, pa.Table]:
    """Run the definitions on Spark over the export in ``folder``; rows in key order."""
    missing = [n for n in INPUTS if not (folder / f"{n}.parquet").exists()]
    if missing:
        raise KithError(
            f"not a kith Parquet export: {', '.join(missing)} missing",
            where=str(folder),
            hint="write one with: kith analytics export-parquet DIR",
        )
    for name in INPUTS:
        spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
    spark.sql(
        "SELECT id AS person_id FROM person WHERE NOT is_me AND merged_into IS NULL"
    ).createOrReplaceTempView("target")
    cached = []
    for step in [LOG, *steps(now, half_life_days)]:
        frame = spark.sql(to_spark_sql(step.sql)).cache()
        frame.createOrReplaceTempView(step.name)
        cached.append(frame)
    out: dict[str, pa.Table] = {}
    for name in RESULTS:
        table: pa.Table = spark.table(name).orderBy(*_KEYS[name]).toArrow()
        out[name] = table
    for frame in cached:
        frame.unpersist()
    return out
