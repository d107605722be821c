"""The command line: matching people to a text, and the audience."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kith.cli.base import State, cli, fmt_ts, now_ts, pass_state
from kith.errors import InputError

if TYPE_CHECKING:
    from kith.matching.matters import Matters


def fresh_vectors(state: State) -> None:
    """Embed the people whose text changed since the last refresh, if any did."""
    from kith.matching.index import refresh_if_stale
    from kith.store.sql import using

    refresh_if_stale(state.reader(), lambda: using(state.engine, write=True), now_ts())


def matters_text(matters: Matters) -> list[str]:
    """``kith person``'s lines on what matters to someone (none when they wrote nothing)."""
    if not (matters.topics or matters.asks or matters.offers):
        return []
    lines = ["What matters to them (from their own words):"]
    for t in matters.topics:
        lines.append(f"  writes about {', '.join(t.words) or '?'} ({t.messages} messages)")
        lines.append(f"    {fmt_ts(t.quote.at)[:10]}  “{t.quote.text}”")
    for label, quotes in (("asked", matters.asks), ("offered", matters.offers)):
        for q in quotes:
            lines.append(f"  {label} {fmt_ts(q.at)[:10]}  “{q.text}”")
    return lines


def match_after_import(state: State, imported: int) -> None:
    """After an import: embed the people whose text it changed (a failure is
    reported, and the import still counts; ``kith match`` tries again)."""
    from kith.errors import KithError

    if imported == 0:
        return
    try:
        fresh_vectors(state)
    except KithError as exc:
        click.echo(f"match vectors not refreshed: {exc}", err=True)


def read_query(text: str | None, path: Path | None, what: str = "query") -> str:
    """The text given as an argument or in a file: one of them, not empty."""
    if text is not None and path is not None:
        raise InputError(f"give the {what} as TEXT or --file, not both")
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot read the {what}: {exc.__class__.__name__}: {exc}", where=str(path)
            ) from None
    if text is None or not text.strip():
        where = str(path) if path is not None else None
        raise InputError(
            f"the {what} is empty: say what to match people to",
            where=where,
            hint='e.g. kith match "looking for a bookkeeper who knows restaurants"',
        )
    return text.strip()


@cli.command("match")
@click.argument("text", required=False)
@click.option("--file", "path", type=click.Path(path_type=Path), help="Read the text from F.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def match_(state: State, text: str | None, path: Path | None, limit: int, as_json: bool) -> None:
    """Who in the ledger fits TEXT: a question, a job, a collaboration, an event.

    Ranked by what they wrote (their own words, to you or in your communities)
    and their organisation, title, role and notes; each with the quotes that
    made them fit.

    \b
    Examples:
      kith match "who knows about sourdough starters"
      kith match --file job-post.txt --limit 5 --json
    """
    from kith.matching.search import match

    query = read_query(text, path)
    fresh_vectors(state)
    with state.reader() as db:
        found = match(db, query, limit=limit)
    if as_json:
        click.echo(json.dumps({"matches": [m.as_dict() for m in found]}, ensure_ascii=False))
        return
    if not found:
        click.echo("Nobody fits yet: kith matches on what people wrote and their profiles.")
        return
    for rank, m in enumerate(found, 1):
        click.echo(f"{rank:>2}. #{m.person_id} {m.name}  ({m.score:.2f})")
        for e in m.evidence:
            when = fmt_ts(e.at)[:10] if e.at is not None else e.kind
            click.echo(f"      {when}  “{e.text}”")


def audience_ids(state: State) -> set[int]:
    """The ids of the people who fit the configured audience (``kith people --audience``)."""
    from kith.matching import audience

    text = audience.required_description()
    fresh_vectors(state)
    with state.reader() as db:
        return {m.person_id for m in audience.members(db, text)}


@cli.command("audience")
@click.option("--describe", "describe", metavar="TEXT", help="Say who your business is for.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def audience_(state: State, describe: str | None, limit: int, as_json: bool) -> None:
    """Which of your people fit the audience your business is for, and how your
    time is split between them and the rest (last quarter and the one before).

    The description is kept in the config file ([audience] describe). It
    informs only: kith today still lists everyone.

    \b
    Examples:
      kith audience --describe "independent bakers and cafe owners"
      kith audience --json
    """
    from kith.matching import audience

    if describe is not None:
        audience.save_description(describe)  # refuses an empty one, writing nothing
    text = audience.required_description()
    fresh_vectors(state)
    now = now_ts()
    with state.reader() as db:
        inside = audience.members(db, text)
        split = audience.time_split(db, {m.person_id for m in inside}, now)
    if as_json:
        data = {
            "description": text,
            "members": [m.as_dict() for m in inside[:limit]],
            "count": len(inside),
            "time": split.as_dict(),
        }
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"Your audience: {text}")
    click.echo(f"{len(inside):,} of your people fit it (score ≥ {audience.MIN_SCORE}).")
    for m in inside[:limit]:
        click.echo(f"  #{m.person_id} {m.name}  ({m.score:.2f})")
        for e in m.evidence[:1]:
            when = fmt_ts(e.at)[:10] if e.at is not None else e.kind
            click.echo(f"      {when}  “{e.text}”")
    click.echo("Your time (messages in / out, your replies, minutes on kith today):")
    for label, (inner, outer) in (("last quarter", split.last), ("quarter before", split.before)):
        for name, side in (("inside", inner), ("outside", outer)):
            click.echo(
                f"  {label:<15} {name:<8} {len(side.people):>5} people  "
                f"{side.messages_in:>6} in  {side.messages_out:>6} out  "
                f"{side.replies:>5} replies  {side.minutes:>5} min"
            )
    click.echo("It informs only: kith today still lists everyone.")
