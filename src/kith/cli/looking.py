"""The command line: looking: people, person, stats."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import click

from kith.cli.base import State, cli, fmt_ts, now_ts, pass_state


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
    type=click.Choice(["closest", "name", "recent", "interactions"]),
    default="closest",
    show_default=True,
    help="Order. closest: two-way relationships first, each part by recent, frequent "
    "contact (as of the last refresh); closest and name are instant on any size, the "
    "others count everyone first.",
)
@click.option("--limit", type=int, default=None, help="At most this many (table default: 50).")
@click.option(
    "--audience",
    "in_audience",
    is_flag=True,
    help="Only those who fit your audience (kith audience).",
)
@pass_state
def people(state: State, as_json: bool, sort: str, limit: int | None, in_audience: bool) -> None:
    """Everyone in the ledger, with their interactions and last contact."""
    from kith.store import reads

    inside: set[int] | None = None
    if in_audience:
        from kith.cli.matching import audience_ids

        inside = audience_ids(state)
    if as_json:
        with (
            state.reader() as db,
            closing(
                reads.iter_people(db, sort=sort, limit=None if inside is not None else limit)
            ) as rows,
        ):
            # closed here, before its connection, even when the reader of the pipe leaves
            _stream_json_lines(r.as_dict() for r in _only(rows, inside, limit))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    shown = limit or 50
    table = Table(box=None, header_style="bold")
    for col in ("id", "name", "identity", "interactions", "last contact"):
        table.add_column(col, justify="right" if col in ("id", "interactions") else "left")
    count = 0
    with state.reader() as db:
        found = closing(
            reads.iter_people(db, sort=sort, limit=None if inside is not None else shown)
        )
        with found as rows:
            for r in _only(rows, inside, shown):
                table.add_row(
                    f"#{r.id}",
                    # plain text, never markup: names come from files nobody vouches for
                    Text(r.name or ""),
                    Text(r.identity or ""),
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


def _only(rows: Iterator[Any], inside: set[int] | None, limit: int | None) -> Iterator[Any]:
    """``rows`` whose id is in ``inside`` (all when None), at most ``limit``."""
    count = 0
    for r in rows:
        if limit is not None and count >= limit:
            return
        if inside is None or r.id in inside:
            count += 1
            yield r


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=int, default=20, show_default=True, help="Timeline length.")
@pass_state
def person(state: State, query: str, as_json: bool, limit: int) -> None:
    """One person's profile and timeline. QUERY is a name, an address or #id."""
    from kith.connect.introductions import of_person
    from kith.matching.matters import what_matters
    from kith.store import reads
    from kith.store.scores import person_report

    now = now_ts()
    from kith.attention.inbound import person_status

    with state.reader() as db:
        profile = reads.person_profile(db, reads.find_person(db, query), timeline=limit)
        scores = None if profile.is_me else person_report(db, profile.id, now)
        introduced = of_person(db, profile.id, now)
        status = None if profile.is_me else person_status(db, profile.id, now)
        matters = None if profile.is_me else what_matters(db, profile.id)
    if as_json:
        data = profile.as_dict()
        data["scores"] = scores
        data["introductions"] = introduced
        data["matters"] = None if matters is None else matters.as_dict()
        if status is not None:
            data["today"] = status.as_dict()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
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
    if status is not None:
        for line in status.lines():
            click.echo(f"  {line}")
    if scores is not None:
        from kith.cli.relationships import person_scores_text

        for line in person_scores_text(scores):
            click.echo(line)
    if introduced:
        click.echo("Introductions:")
        for found in introduced:
            made = f"  (direct contact {found['yield_words']})" if found["yield_words"] else ""
            click.echo(f"  {found['id']}: {found['words']}{made}")
    if matters is not None:
        from kith.cli.matching import matters_text

        for line in matters_text(matters):
            click.echo(line)
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
