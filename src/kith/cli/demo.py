"""The command line: the demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kith.cli.base import cli, fmt_ts
from kith.cli.progress import print_summaries, progress_bar
from kith.cli.today import show_demo_today


@cli.command()
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to build it (default: $XDG_DATA_HOME/kith/demo).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the sample world.")
@click.option("--people", "n_people", type=int, default=300, show_default=True, help="Its size.")
@click.option("--no-browser", is_flag=True, help="Do not offer to open the web app at the end.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def demo(workspace: Path | None, seed: int, n_people: int, no_browser: bool, quiet: bool) -> None:
    """Build a sample world (no network), import it, and show what kith knows.

    The world is a small business owner's year of e-mail: customers, fans,
    peers and partners; threads with real reply delays; people who keep giving
    and were never thanked; relationships going cold; newcomers; messages left
    unanswered. It gets a ledger of its own in the workspace, never yours.
    """
    from kith.config import data_home
    from kith.demo import build_demo
    from kith.store import repository

    folder = (workspace or data_home() / "demo").expanduser().resolve()
    with progress_bar(quiet) as progress:
        result = build_demo(folder, seed=seed, people=n_people, progress=progress)
    print_summaries(result.summaries, result.seconds)
    click.echo("")
    click.echo(f"Sample world (seed {seed}) in {folder}")
    data = repository.stats(result.engine)
    d = data["by_direction"]
    click.echo(
        f"kith knows {data['people']:,} people and {data['interactions']:,} interactions: "
        f"{d['in']:,} to you, {d['out']:,} from you, {d['among']:,} among others "
        f"(on {data['circles']:,} mailing list); {data['threads']:,} threads, "
        f"{data['replies']:,} replies."
    )
    click.echo("\nThe people you exchange the most with:")
    for row in repository.iter_people(result.engine, sort="interactions", limit=8):
        click.echo(
            f"  #{row.id:<4} {row.name or '':<24} {row.interactions:>4} interactions, "
            f"last {fmt_ts(row.last_contact)}"
        )
    db_flag = f"--db {folder / 'kith.db'}"
    click.echo("\nLook around:")
    click.echo(f"  kith {db_flag} people")
    click.echo(f"  kith {db_flag} person '#<id>'")
    click.echo(f"  kith {db_flag} stats")
    show_demo_today(result)
    click.echo(
        f"\n  kith {db_flag} serve" + (f" --date {result.today.day}" if result.today else "")
    )
    # Only at a terminal: a pipe, a test or CI never waits for an answer.
    if not no_browser and sys.stdin.isatty() and sys.stdout.isatty():
        from kith.cli.serve import offer_demo_app

        offer_demo_app(result.database_url, result.today.day if result.today else None)
