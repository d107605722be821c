"""One definition, two engines: DuckDB (``kith analytics refresh``) and Spark
(over ``kith analytics export-parquet``) give the same ``relationship`` and
``tie`` rows on the sample world, with gives, public posts and a meeting
added so that every feature has something to count.

The slow test of the suite: it starts a JVM (marked ``spark`` and ``slow``;
``pytest -m 'not spark'`` leaves it out). Skipped where Java or PySpark is
missing, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from kith.analytics import refresh
from kith.analytics.export import export_ledger
from kith.demo import build_demo
from kith.sample.entities import OWNER
from tests.test_analytics import add_every_kind


def _need(what: str, ok: bool) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing: the Spark test must run in CI")
        pytest.skip(f"{what} is missing")


@pytest.mark.slow
@pytest.mark.spark
def test_duckdb_and_spark_compute_the_same_rows(tmp_path: Path) -> None:
    _need("a Java runtime", shutil.which("java") is not None)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _need("PySpark (pip install 'kith[spark]')", False)
    from kith.analytics import spark

    demo = build_demo(tmp_path / "demo", people=120)
    engine, now = demo.engine, demo.now
    add_every_kind(engine, now, OWNER.email)
    result = refresh(engine, now=now, full=True)
    assert result.relationships > 100 and result.ties > 10
    with engine.connect() as conn:
        duck_rows = {
            "relationship": [
                dict(r._mapping)
                for r in conn.execute(text("SELECT * FROM relationship ORDER BY person_id"))
            ],
            "tie": [
                dict(r._mapping)
                for r in conn.execute(text("SELECT * FROM tie ORDER BY person_a, person_b"))
            ],
        }
    export = tmp_path / "export"
    counts = export_ledger(engine, export)
    assert counts["interaction"] > 1000
    with spark.session() as session:
        tables = spark.compute(session, export, now, 90.0)
    for name, rows in duck_rows.items():
        got = tables[name].to_pylist()
        assert len(got) == len(rows), name
        assert list(got[0]) == list(rows[0]), name
        for want, have in zip(rows, got, strict=True):
            for key, value in want.items():
                if isinstance(value, float) or isinstance(have[key], float):
                    assert have[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (name, key)
                else:
                    assert have[key] == value, (name, key, want)
    # Every feature had something to compare.
    rel = duck_rows["relationship"]
    for column in ("gives_in", "gives_out", "waiting", "my_replies", "their_replies",
                   "threads_started", "sentiment_n", "n_meeting"):  # fmt: skip
        assert any(r[column] for r in rel), column
    assert any(r["public_share"] for r in rel)
    assert any(r["cooling_ratio"] is not None for r in rel)


def test_spark_engine_says_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    import builtins

    from kith.analytics import spark
    from kith.errors import KithError

    real_import = builtins.__import__

    def no_pyspark(name, *args, **kwargs):
        if name.startswith("pyspark"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    with pytest.raises(KithError, match=r"pip install 'kith\[spark\]'"), spark.session():
        pass


def test_spark_engine_refuses_a_folder_that_is_no_export(tmp_path: Path) -> None:
    from kith.analytics import spark
    from kith.errors import KithError

    with pytest.raises(KithError, match="not a kith Parquet export"):
        spark.compute(None, tmp_path, 0, 90.0)
