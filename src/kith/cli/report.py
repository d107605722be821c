"""The command line: report: how my connections changed over a period."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from kith.cli.base import State, cli, pass_state

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@cli.command()
@click.option("--from", "start", type=_DATE, help="First day of the period (UTC).")
@click.option("--to", "end", type=_DATE, help="First day after the period (UTC).")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Folder to write into (default: kith-report-FROM-TO here).",
)
@click.option("--pdf", is_flag=True, help="Also write report.pdf (needs kith[pdf]).")
@pass_state
def report(
    state: State, start: datetime | None, end: datetime | None, out: Path | None, pdf: bool
) -> None:
    """How my connections changed over a period, as a self-contained HTML page.

    By default the last full quarter before the ledger's as-of day (its last
    analytics refresh), against the quarter before; with --from/--to, that
    period against as many days just before it."""
    from kith.report import connections, render

    with state.reader() as db:
        data = connections.build(
            db, None if start is None else start.date(), None if end is None else end.date()
        )
    page = render.html(data)
    files = {render.HTML_NAME: page.encode()}
    if pdf:
        files[render.PDF_NAME] = render.pdf(page)
    folder = out or Path(f"kith-report-{data['current_start']}-{data['current_end']}")
    for path in render.write(folder, files):
        click.echo(str(path))
