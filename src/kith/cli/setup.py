"""The command line: setting up: init, me, db."""

from __future__ import annotations

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
