"""The command line: analytics: the feature pipeline."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kith.cli.base import State, cli, fmt_ts, now_ts, pass_state
from kith.cli.progress import ProgressReporter, progress_bar
from kith.errors import KithError

if TYPE_CHECKING:
    from kith.signals.valence import Ahead


@cli.group()
def analytics() -> None:
    """The feature pipeline: relationship and tie rows computed from the ledger."""


def _parse_now(text: str | None) -> int:
    """``--now``: epoch seconds or an ISO date/time (UTC unless it says); default the clock."""
    if text is None:
        return now_ts()
    if text.isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise KithError(
            f"--now wants a date (2026-11-20), a time (2026-11-20T17:00) or epoch seconds, "
            f"not {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def analytics_progress(bar: ProgressReporter | None) -> Callable[[int, int], None] | None:
    """What a refresh reports its progress to: a line of ``bar`` (None: no bar)."""
    if bar is None:
        return None

    def heard(done: int, total: int) -> None:
        bar(ANALYTICS_LINE, done, done / total if total else None)

    return heard


#: The progress bar's line for a refresh: interactions read and scored.
ANALYTICS_LINE = "analytics: reading, scoring"


def _print_refresh(result: Any) -> None:
    if result.mode == "unchanged":
        click.echo(f"analytics: nothing new since the last refresh (now {fmt_ts(result.now)})")
        return
    why = f" ({result.reason})" if result.reason else ""
    on = " on Spark" if result.engine == "spark" else ""
    click.echo(
        f"analytics: {result.mode} refresh{on}{why}: {result.relationships:,} relationships, "
        f"{result.ties:,} ties as of {fmt_ts(result.now)} in {result.seconds['total']:.1f}s"
    )


@analytics.command("refresh")
@click.option("--full", is_flag=True, help="Recompute everyone, not only what is new.")
@click.option("--now", "now_text", metavar="WHEN", help="Compute as of this time (default: now).")
@click.option(
    "--half-life-days",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Half-life of the decayed counts (default 90; a change recomputes everyone).",
)
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Where to compute: DuckDB here, or Spark (extra kith[spark]; always everyone).",
)
@click.option(
    "--master",
    metavar="URL",
    help="With --engine spark: the Spark master (default local[2], two local cores).",
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --engine spark: write the Parquet inputs here, for a cluster to read "
    "(default: a temporary folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_state
def analytics_refresh(
    state: State,
    full: bool,
    now_text: str | None,
    half_life_days: float | None,
    engine_name: str,
    master: str | None,
    export_dir: Path | None,
    as_json: bool,
) -> None:
    """Bring the relationship and tie rows up to date.

    Only the people and pairs that new interactions touch are recomputed,
    unless the settings changed, people were merged, or --full. The first
    run reads the whole ledger into an analytics mirror beside it (a DuckDB
    file; safe to delete).

    With --engine spark the same definition runs on Apache Spark over a
    Parquet export of that mirror, for everyone, and the rows are written
    back to the ledger just as DuckDB's are.
    """
    from kith.analytics import AnalyticsSettings, refresh
    from kith.analytics.refresh import SPARK_MASTER, SparkRun, as_dict

    if engine_name != "spark" and (master or export_dir):
        raise click.UsageError("--master and --export go with --engine spark")
    spark = SparkRun(master or SPARK_MASTER, export_dir) if engine_name == "spark" else None
    settings = AnalyticsSettings() if half_life_days is None else AnalyticsSettings(half_life_days)
    with progress_bar(as_json) as bar:
        result = refresh(
            state.engine,
            now=_parse_now(now_text),
            settings=settings,
            full=full,
            progress=analytics_progress(bar),
            spark=spark,
        )
    from kith.connect.circles import refresh_yields

    refresh_yields(state.engine, _parse_now(now_text))
    if as_json:
        click.echo(json.dumps(as_dict(result), indent=2))
        return
    _print_refresh(result)


@analytics.command("export-parquet")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_state
def analytics_export(state: State, folder: Path) -> None:
    """Write the pipeline's inputs as Parquet files into FOLDER (for a Spark job of your own;
    `kith analytics refresh --engine spark` exports, computes and writes back in one go)."""
    from kith.analytics.export import export_ledger

    counts = export_ledger(state.engine, folder)
    for name, rows in counts.items():
        click.echo(f"  {name}.parquet: {rows:,} rows")
    click.echo(f"Exported to {folder}")


def analytics_after_import(
    state: State, imported: int, *, quiet: bool = False, ahead: Ahead | None = None
) -> None:
    """After an import: refresh the analytics for what came in (a failure is reported,
    and the import still counts), with a progress bar unless ``quiet``; ``ahead``
    holds the bodies the import had scored as it read them. Then the private
    circles' new-tie yield (``kith.connect.circles.refresh_yields``)."""
    if imported == 0:
        return
    from kith.analytics import refresh

    try:
        with progress_bar(quiet) as bar:
            heard = analytics_progress(bar)
            early = ahead.scores(heard) if ahead is not None else None
            result = refresh(state.engine, now=now_ts(), progress=heard, ahead=early)
    except KithError as exc:
        click.echo(f"analytics not refreshed: {exc}", err=True)
        click.echo("  run: kith analytics refresh", err=True)
        return
    _print_refresh(result)
    from kith.connect.circles import refresh_yields

    refresh_yields(state.engine, now_ts())
