"""One definition, two engines: DuckDB (``kith analytics refresh``) and Spark
(``kith analytics refresh --engine spark``: export, compute on ``local[2]``,
write back) leave the same ``relationship`` and ``tie`` rows in the ledger on
the sample world, with gives, public posts and a meeting added so that every
feature has something to count.

The slow test of the suite: it starts a JVM (marked ``spark`` and ``slow``;
``pytest -m 'not spark'`` leaves it out). Skipped where Java or PySpark is
missing, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.analytics import refresh
from kith.cli import cli
from kith.demo import build_demo
from kith.sample.entities import OWNER
from tests.test_analytics import add_every_kind


def _need(what: str, ok: bool) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing: the Spark test must run in CI")
        pytest.skip(f"{what} is missing")


def _stored(engine: Engine) -> dict[str, list[dict[str, object]]]:
    with engine.connect() as conn:
        return {
            "relationship": [
                dict(r._mapping)
                for r in conn.execute(text("SELECT * FROM relationship ORDER BY person_id"))
            ],
            "tie": [
                dict(r._mapping)
                for r in conn.execute(text("SELECT * FROM tie ORDER BY person_a, person_b"))
            ],
        }


@pytest.mark.slow
@pytest.mark.spark
def test_duckdb_and_spark_refreshes_leave_the_same_rows(tmp_path: Path) -> None:
    _need("a Java runtime", shutil.which("java") is not None)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _need("PySpark (pip install 'kith[spark]')", False)

    demo = build_demo(tmp_path / "demo", people=120)
    engine, now = demo.engine, demo.now
    add_every_kind(engine, now, OWNER.email)
    result = refresh(engine, now=now, full=True)
    assert result.relationships > 100 and result.ties > 10
    duck_rows = _stored(engine)
    with engine.begin() as conn:  # nothing of DuckDB's rows may pass for Spark's
        conn.execute(text("DELETE FROM tie"))
        conn.execute(text("DELETE FROM relationship"))
    export = tmp_path / "export"
    done = CliRunner().invoke(
        cli,
        ["--db", str(demo.workspace / "kith.db"), "analytics", "refresh", "--engine", "spark",
         "--master", "local[2]", "--export", str(export), "--now", str(now), "--json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["engine"] == "spark" and report["mode"] == "full"
    assert report["relationships"] == result.relationships and report["ties"] == result.ties
    assert (export / "interaction.parquet").is_file()
    spark_rows = _stored(engine)
    for name, rows in duck_rows.items():
        got = spark_rows[name]
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
    # The state a Spark refresh leaves lets DuckDB go on from it.
    assert refresh(engine, now=now).mode == "unchanged"


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
    db = tmp_path / "kith.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    done = CliRunner().invoke(cli, ["--db", str(db), "analytics", "refresh", "--engine", "spark"])
    assert done.exit_code == 1
    assert "the Spark engine needs PySpark" in done.stderr
    assert "pip install 'kith[spark]'" in done.stderr
    assert not (tmp_path / "kith.analytics.duckdb").exists()  # nothing done before the error


def test_master_and_export_go_with_the_spark_engine(tmp_path: Path) -> None:
    db = str(tmp_path / "kith.db")
    done = CliRunner().invoke(cli, ["--db", db, "analytics", "refresh", "--master", "local[2]"])
    assert done.exit_code == 2
    assert "--master and --export go with --engine spark" in done.stderr


def test_spark_engine_refuses_a_folder_that_is_no_export(tmp_path: Path) -> None:
    from kith.analytics import spark
    from kith.errors import KithError

    with pytest.raises(KithError, match="not a kith Parquet export"):
        spark.compute(None, tmp_path, 0, 90.0)
