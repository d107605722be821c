"""``kith analytics export-parquet``: the pipeline's inputs as Parquet files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from kith.analytics import mirror, spark, writeback


def export_ledger(engine: Engine, folder: Path) -> dict[str, int]:
    """Bring the analytics mirror up to date and write its inputs to ``folder``.

    The files hold exactly the rows the DuckDB engine reads, so Spark over
    them computes the same ``relationship`` and ``tie`` rows.
    """
    stored = writeback.stored_state(engine)
    facts = mirror.ledger_facts(engine)
    # Without stored results the mirror would not be kept (its token is the
    # ledger's); an in-memory one serves the export.
    path = mirror.default_path(engine) if stored is not None else None
    con = mirror.connect(path)
    try:
        mirror.sync(con, engine, stored.token if stored else "export", facts)
        return spark.export_parquet(con, folder)
    finally:
        con.close()
