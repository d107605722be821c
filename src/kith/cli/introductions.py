"""The command line: introduce (who of my people could gain from knowing whom)."""

from __future__ import annotations

import json
from datetime import datetime

import click

from kith.cli.base import State, cli, pass_state
from kith.cli.relationships import at_date


@cli.command("introduce")
@click.option(
    "--suggest", is_flag=True, help="List pairs of your people worth introducing, with reasons."
)
@click.option("--for", "for_person", help="Only pairs with this person (#id, address or name).")
@click.option(
    "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="How many pairs."
)
@click.option(
    "--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="As of the end of this day."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def introduce(
    state: State,
    suggest: bool,
    for_person: str | None,
    limit: int,
    on: datetime | None,
    as_json: bool,
) -> None:
    """Introduce your people to each other.

    \b
    Examples:
      kith introduce --suggest
      kith introduce --suggest --for ana@example.org --limit 5 --json
    """
    if not suggest:
        raise click.UsageError("say what to do: kith introduce --suggest")
    show_suggestions(state, for_person, limit, as_json, at_date(on))


def show_suggestions(
    state: State, for_person: str | None, limit: int, as_json: bool, now: int
) -> None:
    """``kith introduce --suggest``: the best introductions, with reasons and evidence."""
    from kith.connect.suggest import check_person, suggest

    with state.reader() as db:
        who = check_person(db, for_person) if for_person else None
        found = suggest(db, now, for_person=who, limit=limit)
        computed = db.scalar("SELECT COUNT(*) FROM relationship")
    if as_json:
        data = {"suggestions": [s.as_dict() for s in found]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not found:
        if not computed:
            click.echo("No relationship figures yet: run kith analytics refresh first.")
        elif who is not None:
            click.echo(
                "No introductions to suggest for this person: only people you trust both "
                "ways and have been in touch with this year are introduced, to someone "
                "they have a reason to meet."
            )
        else:
            click.echo("No introductions to suggest yet.")
        return
    for n, s in enumerate(found, start=1):
        click.echo(f"{n:>2}. {s.a[1]} (#{s.a[0]}) and {s.b[1]} (#{s.b[0]})   score {s.score:.1f}")
        for reason in s.reasons:
            click.echo(f"      - {reason}")
        for e in s.evidence:
            if "quote" in e:
                click.echo(f"        {e['name']}, {e['date']}: \u201c{e['quote']}\u201d")
