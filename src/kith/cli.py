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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


pass_state = click.make_pass_decorator(State)


def now_ts() -> int:
    """The clock, read here at the surface and passed down."""
    return int(time.time())


def fmt_ts(ts: int | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def identity_arg(text: str) -> tuple[str, str]:
    """``ana@x.org`` → (email, ana@x.org); ``x:@ana`` → (x, @ana)."""
    text = text.strip()
    if "@" in text and ":" not in text.split("@", 1)[0]:
        from kith.ingest.email_headers import normalise_email

        value = normalise_email(text)
        if value is None:
            raise KithError(f"not an e-mail address: {text!r}")
        return "email", value
    kind, sep, value = text.partition(":")
    if not sep or not value:
        raise KithError(
            f"not an identity: {text!r}", hint="give an e-mail address or kind:value (x:@ana)"
        )
    return kind.lower(), value


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
@pass_state
def import_(
    state: State,
    paths: tuple[Path, ...],
    fmt: str | None,
    fail_fast: bool,
    no_bodies: bool,
    options: tuple[str, ...],
    quiet: bool,
) -> None:
    """Import PATHS (files or folders) into the ledger.

    The format is chosen by content: mbox files, Maildir folders and folders of
    message files. Importing the same thing twice adds nothing; bad records are
    skipped and counted (with file and byte offset) unless --fail-fast.

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
    from kith.store import repository

    if as_json:
        rows = repository.iter_people(state.engine, sort=sort, limit=limit)
        _stream_json_lines(r.as_dict() for r in rows)
        return
    from rich.console import Console
    from rich.table import Table

    shown = limit or 50
    table = Table(box=None, header_style="bold")
    for col in ("id", "name", "identity", "interactions", "last contact"):
        table.add_column(col, justify="right" if col in ("id", "interactions") else "left")
    count = 0
    for r in repository.iter_people(state.engine, sort=sort, limit=shown):
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
    from kith.store import repository

    pid = repository.find_person(state.engine, query)
    profile = repository.person_profile(state.engine, pid, timeline=limit)
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
@click.argument("keep")
@click.argument("other")
@click.option("--reason", default="merged by hand", show_default=True)
@pass_state
def merge_cmd(state: State, keep: str, other: str, reason: str) -> None:
    """Merge OTHER into KEEP: one person with both's identities (undo: kith unmerge OTHER)."""
    from kith.store import repository

    a = repository.find_person(state.engine, keep)
    b = repository.find_person(state.engine, other)
    repository.merge_people(state.engine, a, b, reason=reason, now=now_ts())
    click.echo(f"Merged #{b} into #{a}. Undo with: kith unmerge '#{b}'")


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


def main() -> None:
    cli(prog_name="kith")


if __name__ == "__main__":  # pragma: no cover
    main()
