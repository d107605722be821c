"""The command line: importing files."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kith.cli.analytics import analytics_after_import
from kith.cli.base import State, cli, now_ts, pass_state
from kith.cli.matching import match_after_import
from kith.cli.progress import print_summaries, progress_bar
from kith.errors import KithError


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", metavar="NAME", help="Skip detection and read with this importer.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first bad record or file.")
@click.option("--no-bodies", is_flag=True, help="Metadata only: store no message text.")
@click.option(
    "--option",
    "-o",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="An importer setting (repeatable), e.g. -o preset=shopify for a purchases CSV.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--no-analytics",
    is_flag=True,
    help="Do not refresh the relationship features (nor the vectors of kith match) afterwards.",
)
@pass_state
def import_(
    state: State,
    paths: tuple[Path, ...],
    fmt: str | None,
    fail_fast: bool,
    no_bodies: bool,
    options: tuple[str, ...],
    quiet: bool,
    no_analytics: bool,
) -> None:
    """Import PATHS (files or folders) into the ledger.

    The format is chosen by content: mail (mbox, Maildir, .eml), contacts
    (vCard, Google and LinkedIn CSV), calendars (iCalendar), social archives
    (X, Mastodon), WordPress WXR, Discourse JSON, Stack Exchange dumps and
    purchase CSVs (-o preset=shopify|woocommerce|stripe|generic or -o col.X=...).
    Importing the same thing twice adds nothing; bad records are skipped and
    counted (with file and position) unless --fail-fast.

    \b
    Examples:
      kith import ~/mail/archive.mbox
      kith import --no-bodies ~/Maildir
    """
    from kith.importing import import_paths
    from kith.signals.valence import Ahead
    from kith.store import repository

    params: dict[str, str] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KithError(f"--option wants KEY=VALUE, not {item!r}")
        params[key.strip()] = value.strip()
    settings = state.settings
    if no_bodies:
        settings = settings.with_overrides(store_bodies=False)
    engine = state.engine
    # The analytics after the import score what people wrote: start on it in
    # worker processes while the import reads (kith.signals.valence.Ahead).
    ahead = None
    if not no_analytics and settings.store_bodies:
        ahead = Ahead(mine=repository.my_identities(engine))
    try:
        started = time.monotonic()
        with progress_bar(quiet) as progress:
            summaries = import_paths(
                engine,
                paths,
                settings,
                now=now_ts(),
                fmt=fmt,
                fail_fast=fail_fast,
                progress=progress,
                params=params,
                on_record=None if ahead is None else ahead.add_record,
            )
        elapsed = time.monotonic() - started
        print_summaries(summaries, elapsed)
        _say_if_i_am_unknown(state)
        _offer_my_other_identities(state, [s.run_id for s in summaries if s.run_id])
        _mark_ask_answers(state, quiet)
        if not no_analytics:
            imported = sum(s.imported for s in summaries)
            analytics_after_import(state, imported, quiet=quiet, ahead=ahead)
            match_after_import(state, imported)
    finally:
        if ahead is not None:
            ahead.close()
    if any(not s.ok for s in summaries):
        sys.exit(1)


def _mark_ask_answers(state: State, quiet: bool) -> None:
    """Mark who answered an ask among the messages just imported (``kith asks``)."""
    from kith.connect.asks import mark_answers
    from kith.store.sql import using

    with using(state.engine, write=True) as db:
        marked = mark_answers(db)
    if marked and not quiet:
        click.echo(f"{marked} answer{'s' * (marked != 1)} to your asks (kith asks)")


#: An identity on at least this share of the ledger's interactions is offered as mine.
LIKELY_ME_SHARE = 0.3


def _say_if_i_am_unknown(state: State) -> None:
    """Without my identities every interaction is "among others" and the day is
    empty: say so after an import, and offer the likely owner."""
    from kith.store import repository

    if repository.my_identities(state.engine):
        return
    click.echo(
        "kith does not know which identities are yours yet: every interaction counts as "
        "among others, and kith today has nothing for you.",
        err=True,
    )
    likely = [
        (key, share)
        for key, share in repository.likely_me(state.engine)
        if share >= LIKELY_ME_SHARE
    ]
    for key, share in likely:
        click.echo(
            f"  {key} is on {share:.0%} of them: if it is yours, kith me add {key}", err=True
        )
    if not likely:
        click.echo("  kith me add you@example.org (or kith init --me …) tells it.", err=True)


def _offer_my_other_identities(state: State, runs: list[int]) -> None:
    """Identities this import brought that look like mine (my name at my
    domain): offered, so that I am not someone to check in with in my own day."""
    from kith.store import repository

    offers = repository.likely_mine(state.engine, runs)
    if not offers:
        return
    click.echo(f"These {len(offers)} look like you (kith me add … to say they are):", err=True)
    for key, why in offers[:SHOWN_OFFERS]:
        click.echo(f"  {key}: {why}", err=True)
    if len(offers) > SHOWN_OFFERS:
        click.echo(f"  … and {len(offers) - SHOWN_OFFERS} more", err=True)
    click.echo(f"  kith me add {' '.join(key for key, _ in offers[:SHOWN_OFFERS])}", err=True)


#: How many likely identities of mine an import names.
SHOWN_OFFERS = 5
