"""The command line: syncing from servers."""

from __future__ import annotations

import sys
import time

import click

from kith.cli.base import State, cli, log, now_ts, pass_state
from kith.cli.progress import print_summaries, progress_bar


@cli.group()
def sync() -> None:
    """Fetch what is new from live sources (only what changed since last time)."""


@sync.command("imap")
@click.option("--host", required=True, help="The IMAP server.")
@click.option("--port", type=click.IntRange(1, 65535), help="Default: 993 with --ssl, else 143.")
@click.option("--user", required=True, help="Your user name on the server.")
@click.option(
    "--mailbox",
    "mailboxes",
    multiple=True,
    default=("INBOX",),
    show_default=True,
    help="A mailbox to sync (repeatable).",
)
@click.option(
    "--ssl", "security", flag_value="ssl", default=True, help="TLS from the start (default)."
)
@click.option("--starttls", "security", flag_value="starttls", help="Plain, upgraded to TLS.")
@click.option("--plain", "security", flag_value="plain", help="No TLS (only on a trusted network).")
@click.option(
    "--bodies/--headers-only",
    default=False,
    help="Fetch and keep message text, or headers only (default).",
)
@click.option(
    "--store-password",
    is_flag=True,
    help="Ask for the password, check it with the server and save it in the OS keyring.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Messages fetched and committed together.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the server before the connection counts as lost.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="Reconnect this often after a dropped connection.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_state
def sync_imap_cmd(
    state: State,
    host: str,
    port: int | None,
    user: str,
    mailboxes: tuple[str, ...],
    security: str,
    bodies: bool,
    store_password: bool,
    batch_size: int,
    timeout: float,
    retries: int,
    quiet: bool,
) -> None:
    """Fetch new mail from an IMAP server into the ledger.

    The first run reads each mailbox whole; later runs fetch only messages
    above the last UID stored. A mailbox recreated on the server (a new
    UIDVALIDITY) is read again; messages already stored are recognised by
    Message-ID. Nothing on the server changes (no message is marked read).

    The password comes from $KITH_IMAP_PASSWORD, else the OS keyring (service
    kith-imap, user USER@HOST): save it there once with --store-password.

    \b
    Examples:
      kith sync imap --host imap.example.org --user ana --store-password
      kith sync imap --host imap.example.org --user ana --mailbox INBOX --mailbox Sent
    """
    from kith.ingest.imap import ImapAccount, ImapClient, Security
    from kith.sync import credentials
    from kith.sync.imap import sync_imap

    mode = Security(security)
    account = ImapAccount(host, user, port or mode.default_port, mode, timeout)
    if mode is Security.PLAIN and host not in ("localhost", "127.0.0.1", "::1"):
        log.warning("--plain: the password goes to %s unencrypted", host)
    if store_password:
        credentials.keyring_backend()  # fails before asking when there is no keyring
        password = click.prompt(
            f"IMAP password for {user}@{host}", hide_input=True, confirmation_prompt=True
        )
        with ImapClient.connect(account, password):
            pass  # the server accepted it: worth keeping
        backend = credentials.store_password(user, host, password)
        click.echo(f"Saved the password for {user}@{host} in the keyring ({backend}).")
        return
    password = credentials.find_password(user, host)
    engine = state.engine
    started = time.monotonic()
    with progress_bar(quiet) as progress:
        summaries = sync_imap(
            engine,
            account,
            password,
            mailboxes,
            now=now_ts(),
            bodies=bodies,
            batch_size=batch_size,
            retries=retries,
            progress=progress,
        )
    elapsed = time.monotonic() - started
    for s in summaries:
        if not s.uidvalidity:
            continue  # never opened: its error says why
        if s.recreated:
            click.echo(
                f"! {s.mailbox} was recreated on the server (UIDVALIDITY {s.recreated[1]}, "
                f"was {s.recreated[0]}): read all of it again; messages already stored "
                "are recognised and not stored twice"
            )
        click.echo(
            f"  {s.mailbox}: fetched {s.fetched:,} message(s); up to UID {s.last_uid:,} "
            f"(UIDVALIDITY {s.uidvalidity})"
            + (f"; {s.retried} dropped connection(s) retried" if s.retried else "")
        )
    print_summaries(summaries, elapsed)
    if any(not s.ok for s in summaries):
        sys.exit(1)
