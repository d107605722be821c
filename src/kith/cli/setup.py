"""The command line: setting up: init, me, db."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kith.cli.base import State, cli, identity_arg, now_ts, pass_state


@cli.command()
@click.option(
    "--me", "mine", multiple=True, metavar="ADDRESS", help="One of your addresses (repeatable)."
)
@click.option("--name", help="Your name, as others see it.")
@pass_state
def init(state: State, mine: tuple[str, ...], name: str | None) -> None:
    """Create the ledger and declare your own addresses.

    Your addresses decide each message's direction: to you (in), from you
    (out), or between others (among). You can add more later with `kith me add`.
    """
    from kith.store import repository

    state.may_create = True
    engine = state.engine
    for text in mine:
        kind, value = identity_arg(text)
        repository.add_me(engine, kind, value, name=name, now=now_ts())
    click.echo(f"Ledger ready: {engine.url.render_as_string(hide_password=True)}")
    for ident in repository.my_identities(engine):
        click.echo(f"  me: {ident}")
    if not mine:
        click.echo("  (no addresses of yours yet: kith init --me you@example.org)")


@cli.group()
def me() -> None:
    """Your own identities."""


@me.command("add")
@click.argument("addresses", nargs=-1, required=True)
@click.option("--name", help="Your name, as others see it.")
@pass_state
def me_add(state: State, addresses: tuple[str, ...], name: str | None) -> None:
    """Declare ADDRESSES yours (e-mail, or kind:value such as x:@you).

    Messages already imported are re-read: their directions are recomputed.
    """
    from kith.store import repository

    for text in addresses:
        kind, value = identity_arg(text)
        repository.add_me(state.engine, kind, value, name=name, now=now_ts())
        click.echo(f"me: {kind}:{value}")


@me.command("remove")
@click.argument("addresses", nargs=-1, required=True)
@pass_state
def me_remove(state: State, addresses: tuple[str, ...]) -> None:
    """ADDRESSES are not yours after all (an archive's owner taken for you, say):
    each becomes a person of its own, and directions are recomputed."""
    from kith.store import repository

    for text in addresses:
        kind, value = identity_arg(text)
        pid = repository.remove_me(state.engine, kind, value, now=now_ts())
        click.echo(f"{kind}:{value} is no longer yours: it is #{pid} now.")


@me.command("list")
@pass_state
def me_list(state: State) -> None:
    """List your identities."""
    from kith.store import repository

    for ident in repository.my_identities(state.engine):
        click.echo(ident)


@cli.group()
def db() -> None:
    """The ledger's database."""


@db.command("upgrade")
@pass_state
def db_upgrade(state: State) -> None:
    """Apply schema migrations (also done automatically on first use)."""
    from kith.store.db import HEAD_REVISION, make_engine, upgrade

    engine = make_engine(state.settings.database_url)
    upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    click.echo(f"Ledger at revision {HEAD_REVISION}: {where}")


@db.command("backup")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a file that is already at PATH.")
@click.option("--json", "as_json", is_flag=True, help="Print the backup's counts as JSON.")
@pass_state
def db_backup(state: State, path: Path, force: bool, as_json: bool) -> None:
    """Back up the whole ledger to PATH, safely while kith is in use.

    SQLite: one file, a copy of the ledger as of one moment (an import that is
    running is caught between two of its batches). PostgreSQL: a pg_dump
    archive of one snapshot. Prints what the backup holds (as kith stats does).

    \b
    Examples:
      kith db backup ~/backups/kith-2026-12-05.db
      kith db restore ~/backups/kith-2026-12-05.db --force
    """
    from kith.store.backup import backup

    counts = backup(state.engine, path, force=force)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(
        f"Backed up to {path}: {counts['people']:,} people, "
        f"{counts['interactions']:,} interactions, {counts['identities']:,} identities"
    )


@db.command("restore")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a ledger that already holds data.")
@click.option("--json", "as_json", is_flag=True, help="Print the restored ledger's counts as JSON.")
@pass_state
def db_restore(state: State, path: Path, force: bool, as_json: bool) -> None:
    """Replace the ledger with the backup at PATH (made by kith db backup).

    A ledger that holds anything is replaced only with --force. The analytics
    mirror is dropped (it is rebuilt on the next refresh).
    """
    from kith.analytics import mirror
    from kith.store.backup import restore
    from kith.store.db import make_engine

    engine = make_engine(state.settings.database_url)
    counts = restore(engine, path, force=force)
    mirror.remove(engine)
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    click.echo(
        f"Restored from {path}: {counts['people']:,} people, "
        f"{counts['interactions']:,} interactions, {counts['identities']:,} identities"
    )
