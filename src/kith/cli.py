"""The command line. Thin: it reads flags, calls the core, and prints.

Errors are turned into messages and exit codes in one place, ``KithGroup.invoke``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import click

from kith.config import Settings, load_settings
from kith.errors import KithError

log = logging.getLogger("kith")


class KithGroup(click.Group):
    """Turns KithError into a clean message and exit code, and a closed pipe into silence."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KithError as exc:
            click.echo(f"kith: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # `kith people --json | head`: the reader left; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)


class State:
    """Settings and the open ledger, made once per command when first needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Any = None

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from kith.store.db import open_store

            self._engine = open_store(self.settings.database_url)
        return self._engine

    @contextmanager
    def reader(self) -> Iterator[Any]:
        """Read-only queries on the bare driver when the ledger is ready (fast:
        no SQLAlchemy import), else through the engine, creating or migrating
        the ledger first."""
        from kith.store.reads import open_reader, reader_for

        with open_reader(self.settings.database_url) as fast:
            if fast is not None:
                yield fast
                return
        with reader_for(self.engine) as reader:
            yield reader


pass_state = click.make_pass_decorator(State)


def now_ts() -> int:
    """The clock, read here at the surface and passed down."""
    return int(time.time())


def fmt_ts(ts: int | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def identity_arg(text: str) -> tuple[str, str]:
    """``ana@x.org`` → (email, ana@x.org); ``x:@Ana`` → (x, ana): normalised the
    way importers store each kind (``kith.ingest.identities``)."""
    from kith.ingest import identities

    text = text.strip()
    if "@" in text and ":" not in text.split("@", 1)[0]:
        value = identities.normalise_email(text)
        if value is None:
            raise KithError(f"not an e-mail address: {text!r}")
        return "email", value
    kind, sep, value = text.partition(":")
    kind = kind.strip().lower()
    if not sep or not value.strip():
        raise KithError(
            f"not an identity: {text!r}", hint="give an e-mail address or kind:value (x:@ana)"
        )
    normalisers = {
        "email": identities.normalise_email,
        "x": identities.normalise_x_handle,
        "mastodon": identities.normalise_mastodon,
        "phone": identities.normalise_phone,
        "url": identities.normalise_url,
    }
    normalise = normalisers.get(kind)
    if normalise is not None:
        normalised = normalise(value)
        if normalised is None:
            raise KithError(f"not a valid {kind} identity: {value!r}")
        return kind, normalised
    if kind in ("discourse", "linkedin"):
        return kind, value.strip().lower()
    return kind, value.strip()


@click.group(cls=KithGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Ledger to use (default: $KITH_DATABASE_URL, else $XDG_DATA_HOME/kith/kith.db). "
    "A path or a sqlite:/// or postgresql+psycopg:// URL.",
)
@click.option("-v", "--verbose", count=True, help="Say more (-vv for debug logging).")
@click.version_option(package_name="kith")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, verbose: int) -> None:
    """kith: one ledger of the people your business runs on, and what to do today.

    \b
    Start here:
      kith demo                      try it on a generated sample world
      kith init --me you@example.org tell kith which addresses are yours
      kith import ~/mail/archive.mbox
      kith people                    everyone, with their last contact
      kith person ana@example.org    one person's profile and timeline
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )
    if database_url and "://" not in database_url:
        database_url = f"sqlite:///{Path(database_url).expanduser().resolve()}"
    settings = load_settings().with_overrides(database_url=database_url)
    ctx.obj = State(settings)


# -- setting up ---------------------------------------------------------------


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


# -- importing ----------------------------------------------------------------


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
    "--no-analytics", is_flag=True, help="Do not refresh the relationship features afterwards."
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
    started = time.monotonic()
    with _progress(quiet) as progress:
        summaries = import_paths(
            engine,
            paths,
            settings,
            now=now_ts(),
            fmt=fmt,
            fail_fast=fail_fast,
            progress=progress,
            params=params,
        )
    elapsed = time.monotonic() - started
    _print_summaries(summaries, elapsed)
    if not no_analytics:
        _analytics_after_import(state, sum(s.imported for s in summaries))
    if any(not s.ok for s in summaries):
        sys.exit(1)


class _ProgressReporter:
    """A rich progress bar per file: records read, rate, and how far through."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[records]:>9,} records"),
            TextColumn("{task.fields[rate]:>8,.0f}/s"),
            TimeElapsedColumn(),
            transient=False,
            console=_stderr_console(),
        )
        self.tasks: dict[str, Any] = {}
        self.started: dict[str, float] = {}

    def __call__(self, path: str, records: int, fraction: float | None) -> None:
        if path not in self.tasks:
            self.tasks[path] = self.bar.add_task(_short(path), total=1.0, records=0, rate=0.0)
            self.started[path] = time.monotonic()
        elapsed = max(time.monotonic() - self.started[path], 1e-6)
        update: dict[str, Any] = {"records": records, "rate": records / elapsed}
        if fraction is not None:
            update["completed"] = fraction
        self.bar.update(self.tasks[path], **update)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _short(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1) :]


class _progress:
    def __init__(self, quiet: bool) -> None:
        self.reporter: _ProgressReporter | None = None
        if not quiet and sys.stderr.isatty():
            self.reporter = _ProgressReporter()

    def __enter__(self) -> _ProgressReporter | None:
        if self.reporter:
            self.reporter.bar.start()
        return self.reporter

    def __exit__(self, *exc: object) -> None:
        if self.reporter:
            self.reporter.bar.stop()


def _print_summaries(summaries: list[Any], elapsed: float) -> None:
    total_read = 0
    for s in summaries:
        if s.error and not s.imported and not s.duplicates:
            click.echo(f"✗ {s.error}", err=True)
            continue
        total_read += s.imported + s.duplicates + s.skipped
        click.echo(
            f"{'✓' if s.ok else '✗'} {s.path} [{s.importer}]: {s.imported:,} imported, "
            f"{s.duplicates:,} duplicates, {s.skipped:,} skipped"
        )
        for p in s.problems:
            click.echo(f"    skipped {p.origin.file}:{p.origin.position}: {p.reason}", err=True)
        if s.skipped > len(s.problems):
            click.echo(f"    … and {s.skipped - len(s.problems):,} more (kith stats)", err=True)
        if s.error:
            click.echo(f"    stopped: {s.error}", err=True)
    imported = sum(s.imported for s in summaries)
    rate = total_read / elapsed if elapsed > 0 else 0.0
    click.echo(
        f"{len(summaries)} source(s): {imported:,} new interactions in {elapsed:.1f}s "
        f"({rate:,.0f} records/s)"
    )


# -- syncing ------------------------------------------------------------------


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
    with _progress(quiet) as progress:
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
    _print_summaries(summaries, elapsed)
    if any(not s.ok for s in summaries):
        sys.exit(1)


# -- looking ------------------------------------------------------------------


def _stream_json_lines(rows: Iterator[dict[str, Any]]) -> None:
    out = sys.stdout
    out.write("[")
    first = True
    for row in rows:
        out.write(("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")
    out.flush()


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (streamed; safe to pipe to head)."
)
@click.option(
    "--sort",
    type=click.Choice(["name", "recent", "interactions"]),
    default="name",
    show_default=True,
    help="Order; name is instant on any size, the others count everyone first.",
)
@click.option("--limit", type=int, default=None, help="At most this many (table default: 50).")
@pass_state
def people(state: State, as_json: bool, sort: str, limit: int | None) -> None:
    """Everyone in the ledger, with their interactions and last contact."""
    if as_json:
        with state.reader() as reader, closing(reader.iter_people(sort=sort, limit=limit)) as rows:
            # closed here, before its connection, even when the reader of the pipe leaves
            _stream_json_lines(r.as_dict() for r in rows)
        return
    from rich.console import Console
    from rich.table import Table

    shown = limit or 50
    table = Table(box=None, header_style="bold")
    for col in ("id", "name", "identity", "interactions", "last contact"):
        table.add_column(col, justify="right" if col in ("id", "interactions") else "left")
    count = 0
    with state.reader() as reader:
        for r in reader.iter_people(sort=sort, limit=shown):
            table.add_row(
                f"#{r.id}",
                r.name or "",
                r.identity or "",
                f"{r.interactions:,}",
                fmt_ts(r.last_contact),
            )
            count += 1
    console = Console()
    if count == 0:
        console.print("Nobody yet. Import something: kith import PATH (or try kith demo).")
        return
    console.print(table)
    if limit is None and count == shown:
        console.print(f"[dim]first {shown}; --limit N for more, --json for all[/dim]")


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=int, default=20, show_default=True, help="Timeline length.")
@pass_state
def person(state: State, query: str, as_json: bool, limit: int) -> None:
    """One person's profile and timeline. QUERY is a name, an address or #id."""
    with state.reader() as reader:
        profile = reader.person_profile(reader.find_person(query), timeline=limit)
    if as_json:
        click.echo(json.dumps(profile.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"#{profile.id} {profile.name or '(no name)'}{'  (me)' if profile.is_me else ''}")
    for ident in profile.identities:
        alias = "  (alias)" if ident["alias"] else ""
        shown_name = f'  "{ident["display_name"]}"' if ident["display_name"] else ""
        click.echo(f"  {ident['kind']}:{ident['value']}{shown_name}{alias}")
    c = profile.counts
    click.echo(
        f"  {sum(c.values()):,} interactions: {c.get('in', 0):,} to you, "
        f"{c.get('out', 0):,} from you, {c.get('among', 0):,} among others; "
        f"{profile.threads:,} threads"
    )
    click.echo(f"  first {fmt_ts(profile.first_contact)}, last {fmt_ts(profile.last_contact)}")
    for f in profile.facts:
        click.echo(f"  {f['key']}: {f['value']}  ({f['source']})")
    if profile.merged_from:
        click.echo("  merged from: " + ", ".join(f"#{i}" for i in profile.merged_from))
    if profile.timeline:
        click.echo("Timeline (newest first):")
        arrows = {"in": "←", "out": "→", "among": "·"}
        for item in profile.timeline:
            where = f" [{item['circle']}]" if item["circle"] else ""
            click.echo(
                f"  {fmt_ts(item['at'])} {arrows.get(item['direction'], '?')} "
                f"{item['kind']:<8} {item['subject'] or ''}{where}"
            )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def stats(state: State, as_json: bool) -> None:
    """Counts of what the ledger holds."""
    from kith.store import repository

    data = repository.stats(state.engine)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    d = data["by_direction"]
    click.echo(f"people        {data['people']:>10,}")
    click.echo(f"identities    {data['identities']:>10,}")
    click.echo(
        f"interactions  {data['interactions']:>10,}  "
        f"(in {d['in']:,}, out {d['out']:,}, among {d['among']:,})"
    )
    click.echo(f"threads       {data['threads']:>10,}  ({data['replies']:,} replies)")
    click.echo(f"circles       {data['circles']:>10,}")
    click.echo(f"skipped       {data['skipped']:>10,}")


# -- merging ------------------------------------------------------------------


@cli.command("merge")
@click.argument("keep", required=False)
@click.argument("other", required=False)
@click.option("--reason", default="merged by hand", show_default=True)
@click.option("--suggested", is_flag=True, help="Review the merge suggestions kith found.")
@click.option("--accept", type=int, metavar="N", help="Accept suggestion N (merge).")
@click.option("--reject", type=int, metavar="N", help="Reject suggestion N (never shown again).")
@click.option("--json", "as_json", is_flag=True, help="With --suggested: list them as JSON.")
@pass_state
def merge_cmd(
    state: State,
    keep: str | None,
    other: str | None,
    reason: str,
    suggested: bool,
    accept: int | None,
    reject: int | None,
    as_json: bool,
) -> None:
    """Merge OTHER into KEEP: one person with both's identities (undo: kith unmerge OTHER).

    \b
    Where the evidence is weaker (mostly a shared name across channels) kith
    suggests instead of merging:
      kith merge --suggested            review them one by one (or list them)
      kith merge --suggested --json     list them with evidence and confidence
      kith merge --accept 3             merge the two people of suggestion 3
      kith merge --reject 3             keep them apart; it will not come back
    """
    from kith.store import repository, suggestions

    if accept is not None:
        suggestions.decide(state.engine, accept, accept=True, now=now_ts())
        click.echo(f"Suggestion {accept} accepted: merged. Undo with kith unmerge.")
        return
    if reject is not None:
        suggestions.decide(state.engine, reject, accept=False, now=now_ts())
        click.echo(f"Suggestion {reject} rejected: they stay apart.")
        return
    if suggested:
        _review_suggestions(state, as_json)
        return
    if not keep or not other:
        raise KithError("name two people to merge", hint="kith merge KEEP OTHER, or --suggested")
    a = repository.find_person(state.engine, keep)
    b = repository.find_person(state.engine, other)
    repository.merge_people(state.engine, a, b, reason=reason, now=now_ts())
    click.echo(f"Merged #{b} into #{a}. Undo with: kith unmerge '#{b}'")


def _review_suggestions(state: State, as_json: bool) -> None:
    from kith.store import suggestions

    suggestions.refresh_suggestions(state.engine, now=now_ts())
    found = suggestions.list_suggestions(state.engine)
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No merge suggestions: nobody looks like someone else.")
        return
    interactive = sys.stdin.isatty()
    for s in found:
        click.echo(
            f"[{s.id}] #{s.person_a} {s.name_a}  ~  #{s.person_b} {s.name_b}  "
            f"(confidence {s.confidence:.2f})"
        )
        for reason in s.evidence:
            click.echo(f"      {reason}")
        if not interactive:
            continue
        answer = click.prompt(
            "  merge? [y]es / [n]o / [s]kip / [q]uit",
            type=click.Choice(["y", "n", "s", "q"]),
            default="s",
            show_choices=False,
        )
        if answer == "q":
            break
        if answer in ("y", "n"):
            suggestions.decide(state.engine, s.id, accept=answer == "y", now=now_ts())
    if not interactive:
        click.echo("Decide with: kith merge --accept N  or  kith merge --reject N")


@cli.command("unmerge")
@click.argument("merged")
@pass_state
def unmerge_cmd(state: State, merged: str) -> None:
    """Undo the merge that folded MERGED (#id) into someone else."""
    from kith.store import repository

    text = merged.strip()
    if not (text.startswith("#") and text[1:].isdigit()):
        raise KithError(
            "name the merged person by #id", hint="kith person KEPT shows 'merged from'"
        )
    kept, back = repository.unmerge_person(state.engine, int(text[1:]), now=now_ts())
    click.echo(f"#{back} is separate from #{kept} again.")


# -- analytics ----------------------------------------------------------------


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


def _print_refresh(result: Any) -> None:
    if result.mode == "unchanged":
        click.echo(f"analytics: nothing new since the last refresh (now {fmt_ts(result.now)})")
        return
    why = f" ({result.reason})" if result.reason else ""
    click.echo(
        f"analytics: {result.mode} refresh{why}: {result.relationships:,} relationships, "
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
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_state
def analytics_refresh(
    state: State, full: bool, now_text: str | None, half_life_days: float | None, as_json: bool
) -> None:
    """Bring the relationship and tie rows up to date.

    Only the people and pairs that new interactions touch are recomputed,
    unless the settings changed, people were merged, or --full. The first
    run reads the whole ledger into an analytics mirror beside it (a DuckDB
    file; safe to delete).
    """
    from kith.analytics import AnalyticsSettings, refresh
    from kith.analytics.refresh import as_dict

    settings = AnalyticsSettings() if half_life_days is None else AnalyticsSettings(half_life_days)
    result = refresh(state.engine, now=_parse_now(now_text), settings=settings, full=full)
    if as_json:
        click.echo(json.dumps(as_dict(result), indent=2))
        return
    _print_refresh(result)


@analytics.command("export-parquet")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_state
def analytics_export(state: State, folder: Path) -> None:
    """Write the pipeline's inputs as Parquet files into FOLDER (for the Spark engine)."""
    from kith.analytics.export import export_ledger

    counts = export_ledger(state.engine, folder)
    for name, rows in counts.items():
        click.echo(f"  {name}.parquet: {rows:,} rows")
    click.echo(f"Exported to {folder}")


@analytics.command("spark")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--now", "now_text", metavar="WHEN", help="Compute as of this time (default: now).")
@click.option("--half-life-days", type=click.FloatRange(min=0, min_open=True), default=None)
@click.option("--master", default="local[2]", show_default=True, help="Spark master URL.")
def analytics_spark(
    folder: Path, now_text: str | None, half_life_days: float | None, master: str
) -> None:
    """Compute the features with Spark over an export in FOLDER.

    Writes FOLDER/relationship.parquet and FOLDER/tie.parquet: the same rows
    `kith analytics refresh --full` writes to the ledger.
    """
    import pyarrow.parquet as pq

    from kith.analytics import spark
    from kith.analytics.settings import HALF_LIFE_DAYS

    now = _parse_now(now_text)
    with spark.session(master) as session:
        tables = spark.compute(session, folder, now, half_life_days or HALF_LIFE_DAYS)
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
        click.echo(f"  {name}.parquet: {table.num_rows:,} rows")


def _analytics_after_import(state: State, imported: int) -> None:
    """After an import: refresh the analytics for what came in (a failure is reported,
    and the import still counts)."""
    if imported == 0:
        return
    from kith.analytics import refresh

    try:
        result = refresh(state.engine, now=now_ts())
    except KithError as exc:
        click.echo(f"analytics not refreshed: {exc}", err=True)
        click.echo("  run: kith analytics refresh", err=True)
        return
    _print_refresh(result)


# -- the demo -----------------------------------------------------------------


@cli.command()
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to build it (default: $XDG_DATA_HOME/kith/demo).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the sample world.")
@click.option("--people", "n_people", type=int, default=300, show_default=True, help="Its size.")
@click.option("--no-browser", is_flag=True, help="Do not offer to open the web app.")
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

    del no_browser  # the web app comes with `kith serve`
    folder = (workspace or data_home() / "demo").expanduser().resolve()
    with _progress(quiet) as progress:
        result = build_demo(folder, seed=seed, people=n_people, progress=progress)
    _print_summaries(result.summaries, result.seconds)
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


# -- today: the daily queue ---------------------------------------------------

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _attention_now(on: datetime | None) -> int:
    """``--date D``: the last second of D (UTC); else the clock."""
    if on is None:
        return now_ts()
    from kith.attention.today import end_of

    return end_of(on.date())


def _today_settings(minutes: int | None) -> Any:
    from kith.attention.settings import load_today_settings

    return load_today_settings().with_budget(minutes)


def _plan(state: State, on: datetime | None, minutes: int | None, refresh: bool) -> Any:
    from kith.attention.today import plan_day

    settings = _today_settings(minutes)
    now = _attention_now(on)
    if refresh:
        from kith.analytics.refresh import refresh as run_refresh

        run_refresh(state.engine, now=now)
    return settings, plan_day(state.engine, now, settings)


def _drafts(state: State, plan: Any, settings: Any) -> dict[str, str]:
    from kith.attention.drafts import render_all

    return render_all(state.engine, plan.items, plan.now, settings.templates)


def print_plan(plan: Any, drafts: dict[str, str], *, hints: bool = True) -> None:
    """The day's list as text: each item with its reason, minutes, id and draft."""
    from kith.attention.candidates import sentence
    from kith.attention.today import title

    d = plan.day
    spoken = f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"
    if not plan.items:
        if plan.analytics is None:
            click.echo(f"Today, {spoken}: nothing to show yet.")
            click.echo(
                "kith has no relationship figures for this ledger: import your mail "
                "(kith import PATH), then run kith analytics refresh."
            )
        elif plan.done:
            click.echo(f"Today, {spoken}: all done ({plan.spent} minutes). Well done!")
        else:
            click.echo(f"Today, {spoken}: nothing is due. A free day.")
    else:
        count = len(plan.items)
        more = plan.due - count
        of = f"of the {plan.budget - plan.spent} left" if plan.spent else f"of {plan.budget}"
        click.echo(
            f"Today, {spoken}: {count} item{'s' * (count != 1)}, {plan.planned} minutes {of}"
            + (f" ({more}{'+' * plan.more} more due)" if more > 0 else "")
        )
        for n, item in enumerate(plan.items, start=1):
            click.echo("")
            click.echo(f"{n}. {title(item.kind, item.person)}  ·  {item.minutes} min  ·  {item.id}")
            click.echo(f"   {sentence(item)}")
            for line in drafts.get(item.id, "").rstrip().splitlines():
                click.echo(f"   │ {line}".rstrip())
    if plan.done:
        click.echo("")
        click.echo("Done today: " + ", ".join(f"{title(x.kind, x.person)} ✓" for x in plan.done))
    if plan.analytics is not None and plan.analytics.behind and hints:
        behind = plan.analytics.behind
        click.echo(
            f"\n(figures as of {fmt_ts(plan.analytics.computed_at)}; {behind:,} "
            f"interaction{'s' * (behind != 1)} since: kith analytics refresh)",
            err=True,
        )
    if plan.items and hints:
        click.echo("\nThen: kith done ID [--note …]  ·  kith snooze ID --days N  ·  kith skip ID")


@cli.command("today")
@click.option(
    "--minutes",
    type=click.IntRange(1, 24 * 60),
    help="Minutes you have today (default: [today] budget in config.toml, else 30).",
)
@click.option("--date", "on", type=_DATE, help="The day to plan, YYYY-MM-DD (UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {items: [...], budget}.")
@click.option("--refresh", is_flag=True, help="Bring the relationship figures up to date first.")
@pass_state
def today_cmd(
    state: State, minutes: int | None, on: datetime | None, as_json: bool, refresh: bool
) -> None:
    """A short list of who to connect with today, why, and a draft for each.

    \b
    Replies to people who wait (oldest first, whoever they are), thank-yous
    to people who keep giving, check-ins where a rhythm went quiet, welcomes
    for newcomers, birthdays: chosen fairly within your minutes (see
    docs/design.md). Close the loop with:
      kith done ID [--note TEXT]   did it (recorded as a contact)
      kith snooze ID --days N      not now: back in N days
      kith skip ID                 not this one (it returns only if things change)
    """
    settings, plan = _plan(state, on, minutes, refresh)
    drafts = _drafts(state, plan, settings)
    if as_json:
        data = {
            "date": plan.day.isoformat(),
            "budget": plan.budget,
            "items": [
                {
                    "id": i.id,
                    "kind": i.kind,
                    "person": i.person,
                    "minutes": i.minutes,
                    "reason": i.reason,
                    "draft": drafts.get(i.id, ""),
                }
                for i in plan.items
            ],
            "done": [
                {"id": x.id, "kind": x.kind, "person": x.person, "minutes": x.minutes}
                for x in plan.done
            ],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print_plan(plan, drafts)


@cli.command("done")
@click.argument("item_id")
@click.option("--note", help="What you did or said (kept with the contact).")
@click.option("--date", "on", type=_DATE, help="The day it was done, YYYY-MM-DD (UTC).")
@pass_state
def done_cmd(state: State, item_id: str, note: str | None, on: datetime | None) -> None:
    """Mark ITEM_ID done: recorded as a contact, so the person's rhythm starts again."""
    from kith.attention.actions import done
    from kith.attention.today import title

    settings = _today_settings(None)
    out = done(
        state.engine,
        item_id,
        now=_attention_now(on),
        note=note,
        minutes=settings.minutes,
        store_bodies=state.settings.store_bodies,
    )
    if not out.recorded:
        click.echo(f"{title(out.kind, out.person)}: done already.")
        return
    click.echo(f"Done: {title(out.kind, out.person)} (recorded as a contact, {out.source_id}).")


@cli.command("snooze")
@click.argument("item_id")
@click.option("--days", type=click.IntRange(1, 3650), required=True, help="Back in N days.")
@click.option("--date", "on", type=_DATE, help="Today's date, YYYY-MM-DD (UTC).")
@pass_state
def snooze_cmd(state: State, item_id: str, days: int, on: datetime | None) -> None:
    """Put ITEM_ID off: it comes back on the list in DAYS days."""
    from kith.attention.actions import snooze
    from kith.attention.today import title

    out = snooze(state.engine, item_id, days=days, now=_attention_now(on))
    back = datetime.fromtimestamp(out.until or 0, UTC).strftime("%Y-%m-%d")
    click.echo(f"Snoozed: {title(out.kind, out.person)}, back on {back}.")


@cli.command("skip")
@click.argument("item_id")
@click.option("--date", "on", type=_DATE, help="Today's date, YYYY-MM-DD (UTC).")
@pass_state
def skip_cmd(state: State, item_id: str, on: datetime | None) -> None:
    """Drop ITEM_ID: it does not come back unless the situation changes."""
    from kith.attention.actions import skip
    from kith.attention.today import title

    out = skip(state.engine, item_id, now=_attention_now(on))
    click.echo(f"Skipped: {title(out.kind, out.person)}.")


@cli.command("digest")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for kith-DATE.md and kith-DATE.html.",
)
@click.option("--minutes", type=click.IntRange(1, 24 * 60), help="Minutes you have that day.")
@click.option("--date", "on", type=_DATE, help="The day, YYYY-MM-DD (UTC).")
@pass_state
def digest_cmd(state: State, out: Path, minutes: int | None, on: datetime | None) -> None:
    """Write the day's list as Markdown and HTML (to send yourself by e-mail)."""
    from kith.attention.drafts import Drafts
    from kith.attention.reminders import write_digest

    settings, plan = _plan(state, on, minutes, False)
    drafts = _drafts(state, plan, settings)
    for path in write_digest(plan, drafts, Drafts(settings.templates), out):
        click.echo(str(path))


@cli.command("feed")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("-"),
    show_default=True,
    help="The .ics file to write (- for standard output).",
)
@click.option("--minutes", type=click.IntRange(1, 24 * 60), help="Minutes you have that day.")
@click.option("--date", "on", type=_DATE, help="The day, YYYY-MM-DD (UTC).")
@pass_state
def feed_cmd(state: State, out: Path, minutes: int | None, on: datetime | None) -> None:
    """Write the day's list as an iCalendar feed (one all-day event per item)."""
    from kith.attention.reminders import feed

    settings, plan = _plan(state, on, minutes, False)
    data = feed(plan, _drafts(state, plan, settings))
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(f"{out}: {len(plan.items)} event(s)")


@cli.group("audit")
def audit_group() -> None:
    """Reports on how kith and you are doing."""


@audit_group.command("attention")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--date", "on", type=_DATE, help="As of this day, YYYY-MM-DD (UTC).")
@pass_state
def audit_attention_cmd(state: State, as_json: bool, on: datetime | None) -> None:
    """Is the daily queue fair? Replies by tier, the longest wait, budget use.

    Measured from what kith listed and what you did (kith done / snooze /
    skip); see docs/design.md, "Today: the daily queue".
    """
    from kith.attention.audit import measure
    from kith.attention.today import window
    from kith.store import attention as store

    with state.engine.connect() as conn:
        result = measure(
            store.all_items(conn),
            store.actions(conn),
            store.days(conn),
            groups=("inner", "active", "long_tail", "unseen"),
        )
        result.stale_replies, result.cold = store.let_go(conn, window(_attention_now(on)))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    print_audit(result, group_label="tier")


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def print_audit(a: Any, *, group_label: str) -> None:
    """The attention audit as text (also used by bench/simulate_attention.py)."""
    from kith.attention.candidates import REPLY_HORIZON_DAYS

    if not a.days and not a.items:
        click.echo("No lists yet: run kith today, and come back after a few days.")
        return
    click.echo(f"{a.days} day(s) planned; {a.items} item(s) listed for {a.people} people.")
    click.echo(
        f"Budget: {_pct(a.budget_use)} of the minutes listed on average, {_pct(a.done_use)} done."
    )
    click.echo(
        f"Replies listed: {a.replies}, done: {a.answered} ({_pct(a.response_rate)}), "
        f"median {_num(a.median_response_days)} days from the wait's start to done."
    )
    within = "within" if a.over_bound == 0 else "PAST"
    click.echo(
        f"Longest wait before listing: {_num(a.longest_wait_days)} days "
        f"({a.longest_wait_item or '-'}); {within} the bound of {a.bound_days} days "
        "(and the day it falls in: one list a day)"
        + (f": {a.over_bound} item(s) over it" if a.over_bound else "")
    )
    if a.inherited:
        click.echo(
            f"({a.inherited} item(s) had waited past the bound already when the first "
            "list was made: waits count from that day)"
        )
    click.echo(f"Gini of minutes done per person: {_num(a.gini, 2)}")
    if a.stale_replies is not None:
        click.echo(
            f"Let go: {a.stale_replies:,} people whose unanswered messages are all over "
            f"{REPLY_HORIZON_DAYS} days old; {a.cold:,} relationships with a rhythm, "
            f"silent over a year (cold, not cooling)."
        )
    click.echo("")
    click.echo(
        f"{group_label:<12} {'people':>6} {'replies':>7} {'done':>5} {'rate':>5} "
        f"{'median d':>8} {'minutes':>7}"
    )
    for g in a.groups:
        click.echo(
            f"{g.group:<12} {g.people:>6} {g.replies:>7} {g.answered:>5} {_pct(g.rate):>5} "
            f"{_num(g.median_days):>8} {g.minutes:>7}"
        )


def show_demo_today(result: Any) -> None:
    """The end of ``kith demo``: the sample world's list for its last day."""
    if result.today is None:
        return
    click.echo("\nToday in the sample world (kith today):\n")
    print_plan(result.today, result.drafts, hints=False)
    db_flag = f"--db {result.workspace / 'kith.db'}"
    day = result.today.day.isoformat()
    click.echo(f"\n  kith {db_flag} today --date {day}")


# -- eval: predicting the next interactions -----------------------------------


@cli.command("eval")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--negatives",
    type=click.Choice(["random", "historical", "inductive"]),
    default="random",
    show_default=True,
    help="How each true interaction's negative is drawn (DyGLib's three ways).",
)
@click.option(
    "--model",
    "model_name",
    type=click.Choice(["kith", "edgebank"]),
    default="kith",
    show_default=True,
    help="kith's tie-feature model, or the EdgeBank baseline.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: ap, auc (percent), ...")
@click.option("--explain", is_flag=True, help="Also print the fitted weight of each feature.")
def eval_cmd(path: Path, negatives: str, model_name: str, as_json: bool, explain: bool) -> None:
    """Predict the next interactions in PATH and print AP and AUC.

    PATH holds interactions in DyGLib's CSV layout (columns u, i, ts, as in
    ml_uci.csv) or as a 'src dst time' edge list. The DyGLib protocol is used:
    split at the 70% and 85% time quantiles, 10% of later nodes hidden from
    training, test edges in batches of 200, one negative each; AP and ROC-AUC
    averaged over batches. For DyGLib's ml_uci.csv the published results are
    printed beside.

    \b
    Examples:
      kith eval ml_uci.csv
      kith eval ml_uci.csv --negatives historical --explain
      kith eval email-Eu-core-temporal-Dept1.txt --model edgebank --json
    """
    from kith.evaluation.runner import run

    result, predictor = run(path, cast(Any, negatives), cast(Any, model_name))
    weights = _eval_weights(predictor) if explain else None
    if as_json:
        data: dict[str, Any] = result.as_dict()
        if weights is not None:
            data["weights"] = {name: round(w, 4) for name, w, _ in weights}
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(
        f"{path.name}: {result.interactions:,} interactions; training {result.train:,} "
        f"({result.hidden:,} nodes hidden), validation {result.val:,}, "
        f"test {result.scored:,} in {result.batches} batches"
    )
    click.echo(
        f"{result.model}, {result.negatives} negatives: AP {result.ap:.2f}  "
        f"AUC {result.auc:.2f}  ({result.seconds:.1f} s)"
    )
    _echo_published(path, result)
    if weights is not None:
        click.echo("")
        if not weights:
            click.echo("EdgeBank has no weights: 1 for a pair seen before, else 0.")
        else:
            click.echo("Weights (change in log-odds per standard deviation), largest first:")
            for name, weight, meaning in weights:
                click.echo(f"  {weight:+7.3f}  {name:<24} {meaning}")


def _eval_weights(predictor: Any) -> list[tuple[str, float, str]]:
    from kith.evaluation.kith_model import KithPredictor
    from kith.relate.linkpred import FEATURES

    if not isinstance(predictor, KithPredictor) or predictor.model is None:
        return []
    meaning = {f.name: f.meaning for f in FEATURES}
    return [(n, w, meaning[n]) for n, w in predictor.model.explain()]


def _echo_published(path: Path, result: Any) -> None:
    from kith.evaluation.published import UCI_FILE_NAME, published_for

    if path.name != UCI_FILE_NAME:
        return
    rows: list[tuple[float, str]] = []
    for p in published_for(result.negatives):
        mark = "" if p.dyglib else " *"
        rows.append(
            (
                p.ap,
                f"  {p.model + mark:<20} {p.ap:6.2f} ± {p.ap_std:4.2f}  "
                f"{p.auc:6.2f} ± {p.auc_std:4.2f}",
            )
        )
    rows.append(
        (
            result.ap,
            f"→ {result.model + ' (this run)':<20} {result.ap:6.2f}         {result.auc:6.2f}",
        )
    )
    click.echo("")
    click.echo(
        f"Published on UCI, transductive, {result.negatives} negatives "
        "(DyGLib, NeurIPS 2023; mean ± std of 5 runs):"
    )
    click.echo(f"  {'model':<20} {'AP':>6}         {'AUC':>6}")
    for _, line in sorted(rows, key=lambda r: -r[0]):
        click.echo(line)
    click.echo("  * not a DyGLib number: TPNet's (NeurIPS 2024) own runs or method")


def main() -> None:
    cli(prog_name="kith")


if __name__ == "__main__":  # pragma: no cover
    main()
