"""The command line: what the ledger keeps and where it came from — import
runs, the right to be forgotten, exports."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime

import click

from kith.cli.base import State, cli, now_ts, pass_state
from kith.errors import KithError


@cli.command()
@click.argument("person", required=False)
@click.option("--yes", is_flag=True, help="Do not ask before forgetting.")
@click.option("--list", "show", is_flag=True, help="List what was forgotten, and when.")
@click.option("--undo", type=int, metavar="ID", help="Lift forget ID's block (only the same day).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def forget(
    state: State, person: str | None, yes: bool, show: bool, undo: int | None, as_json: bool
) -> None:
    """Remove PERSON everywhere, for good: the right to be forgotten.

    Their identities, the interactions they wrote or had only with you, their
    place in the rest, their facts, scores, suggestions and queue items go, in
    one transaction; the analytics mirror is dropped. Each identity is kept
    only as a salted hash, so importing the same mailbox again leaves them out.

    \b
    Examples:
      kith forget ana@example.org
      kith forget --list
      kith forget --undo 3      # lifts the block (today only); the data stays gone
    """
    from kith.store import forget as forgetting

    if show:
        rows = forgetting.listing(state.engine)
        if as_json:
            click.echo(json.dumps([{"id": i, "at": at, "identities": n} for i, at, n in rows]))
        elif not rows:
            click.echo("Nobody has been forgotten.")
        for i, at, n in [] if as_json else rows:
            when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M")
            click.echo(f"#{i}  {when} UTC  {n} identit{'y' if n == 1 else 'ies'}")
        return
    if undo is not None:
        lifted = forgetting.undo(state.engine, undo, now=now_ts())
        click.echo(f"Forget #{undo} lifted: {lifted} identities may be imported again.")
        return
    if person is None:
        raise KithError("name the person to forget", hint="kith forget ana@example.org")
    from kith.store import repository

    pid = repository.find_person(state.engine, person)
    profile = repository.person_profile(state.engine, pid, timeline=0)
    if not yes:
        if not sys.stdin.isatty():
            raise KithError(
                f"forgetting #{pid} {profile.name or ''} cannot be undone",
                hint="run it in a terminal to confirm, or add --yes",
            )
        click.confirm(
            f"Forget #{pid} {profile.name or ''} and everything about them, for good?",
            abort=True,
        )
    from kith.analytics import mirror

    done = forgetting.forget(state.engine, pid, now=now_ts())
    mirror.remove(state.engine)  # it held their rows too
    if as_json:
        click.echo(
            json.dumps(
                {
                    "forget_id": done.forget_id,
                    "people": done.people,
                    "identities": done.identities,
                    "interactions": done.interactions,
                    "removed_from": done.removed_from,
                }
            )
        )
        return
    click.echo(
        f"Forgot #{pid}: {done.identities} identities, {done.interactions} interactions "
        f"removed, and their place in {done.removed_from} others. Forget #{done.forget_id}: "
        "a later import leaves them out."
    )


@cli.command("imports")
@click.option("--delete", "run_id", type=int, metavar="RUN", help="Remove what run RUN added.")
@click.option("--yes", is_flag=True, help="Do not ask before deleting.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def imports_(state: State, run_id: int | None, yes: bool, as_json: bool) -> None:
    """Past import runs, newest first; --delete RUN removes what one run added.

    A run whose process is gone before it finished shows as interrupted (run
    the same import again to finish it). Deleting a run removes its
    interactions, facts and skipped records, and the people, identities,
    threads and circles it created that nothing else uses.

    \b
    Examples:
      kith imports
      kith imports --delete 12
    """
    from kith.store import runs

    if run_id is not None:
        if not yes:
            if not sys.stdin.isatty():
                raise KithError(
                    f"deleting import run #{run_id} removes what it added",
                    hint="run it in a terminal to confirm, or add --yes",
                )
            click.confirm(f"Remove everything import run #{run_id} added?", abort=True)
        from kith.analytics import mirror

        removed = runs.delete_run(state.engine, run_id)
        mirror.remove(state.engine)
        if as_json:
            click.echo(json.dumps({"run": run_id, **dataclasses.asdict(removed)}))
            return
        click.echo(
            f"Removed import run #{run_id}: {removed.interactions:,} interactions, "
            f"{removed.people:,} people, {removed.identities:,} identities, "
            f"{removed.facts:,} facts, {removed.skipped:,} skipped records."
        )
        return
    found = runs.runs(state.engine)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in found], indent=2))
        return
    if not found:
        click.echo("No imports yet. Import something: kith import PATH")
        return
    for r in found:
        when = datetime.fromtimestamp(r.started_at, UTC).strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"#{r.id:<5} {when}  {r.status:<11} {r.importer:<10} {r.imported:>8,} new "
            f"{r.duplicates:>8,} known {r.skipped:>6,} skipped  {r.path}"
        )


@cli.command()
@click.argument("person", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "vcard", "csv"]),
    default="json",
    show_default=True,
    help="json: everything, and kith import reads it back; vcard: an address book; "
    "csv: a spreadsheet of people.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="A file (default: stdout).",
)
@pass_state
def export(state: State, person: str | None, fmt: str, output: str | None) -> None:
    """Export everyone's data, or PERSON's: what the ledger holds about them.

    \b
    Examples:
      kith export -o ledger.json            # all of it; kith import ledger.json reads it back
      kith export ana@example.org           # one person's data (their identities, facts,
                                            # and every interaction they took part in)
      kith export --format vcard -o people.vcf
    """
    from kith.store import export as exporting
    from kith.store import repository

    pid = repository.find_person(state.engine, person) if person else None
    if output is None:
        exporting.export(state.engine, sys.stdout, fmt, pid)
        return
    import os
    from pathlib import Path

    target = Path(output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            os.chmod(partial, 0o600)
            count = exporting.export(state.engine, out, fmt, pid)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Exported {count:,} {'person' if count == 1 else 'people'} to {target}", err=True)
