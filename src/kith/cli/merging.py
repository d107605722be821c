"""The command line: merging and unmerging people."""

from __future__ import annotations

import json
import sys

import click

from kith.cli.base import State, cli, now_ts, pass_state
from kith.errors import KithError


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
