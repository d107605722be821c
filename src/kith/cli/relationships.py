"""The command line: relationships (the scores, sorted) and explain (what a score is)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

import click

from kith.cli.base import State, cli, now_ts, pass_state

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def at_date(on: datetime | None) -> int:
    """``--date D``: the last second of D (UTC); else the clock."""
    if on is None:
        return now_ts()
    return int(datetime.combine(on.date(), time(23, 59, 59), UTC).timestamp())


@cli.command()
@click.option(
    "--sort",
    type=click.Choice(["strength", "cooling", "debt", "referrals"]),
    default="strength",
    show_default=True,
    help="strength: highest first; cooling: the furthest past their own rhythm first "
    "(silence / usual gap), the cooling before the rest; debt: those you owe first "
    "(two-way, and they gave more than you did), most owed first; referrals: most "
    "people brought.",
)
@click.option("--limit", type=int, default=30, show_default=True, help="How many (0: all).")
@click.option("--date", "on", type=_DATE, help="Score as of the end of this day, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def relationships(state: State, sort: str, limit: int, on: datetime | None, as_json: bool) -> None:
    """Your relationships with their strength, layer, cooling, debt and referrals."""
    from kith.store.relationships import relationships as listing

    with state.reader() as db:
        rows = listing(db, at_date(on), sort=sort, limit=limit or None)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(
            "Nobody has brought anyone yet (no referral or intro interactions)."
            if sort == "referrals"
            else "No relationships yet: import something, then kith analytics refresh."
        )
        return
    click.echo(
        f"{'id':>7}  {'name':<28} {'strength':>8}  {'state':<14} {'layer':<8} "
        f"{'cooling':>13} {'debt':>5}" + ("  brought" if sort == "referrals" else "")
    )
    for r in rows:
        ratio = "-" if r["cooling_ratio"] is None else f"{r['cooling_ratio']:.1f}×"
        cooling = f"cooling {ratio}" if r["cooling"] else ratio
        line = (
            f"{'#' + str(r['person_id']):>7}  {(r['name'] or '')[:28]:<28} {r['strength']:>8}  "
            f"{r['state']:<14} {r['layer']:<8} {cooling:>13} {r['debt']:>+5}"
        )
        if sort == "referrals":
            line += f"  {r['referrals']:>7}"
        click.echo(line)


@cli.command()
@click.argument("score", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def explain(score: str | None, as_json: bool) -> None:
    """How a score is computed: its formula, source and validation. Alone: the list."""
    from kith.errors import NotFoundError
    from kith.relate.report import SCORES, find_score

    if score is None:
        if as_json:
            click.echo(json.dumps([e.as_dict() for e in SCORES.values()], indent=2))
            return
        for e in SCORES.values():
            also = f" (also: {', '.join(e.aliases)})" if e.aliases else ""
            click.echo(f"{e.name:<14} {e.title}{also}")
        click.echo("\nkith explain SCORE for its formula, source and validation.")
        return
    found = find_score(score)
    if found is None:
        raise NotFoundError(
            f"no score called {score!r}",
            hint="kith explain lists them: " + ", ".join(SCORES),
        )
    click.echo(json.dumps(found.as_dict(), indent=2) if as_json else found.text())


def person_scores_text(report: dict[str, Any]) -> list[str]:
    """The report's lines for ``kith person``: each score's summary, then its reasons."""
    from kith.relate.report import PARTS, truncation_note

    lines = ["Scores (kith explain SCORE for the formulas):"]
    note = truncation_note(report)
    if note:
        lines.append(f"  ({note})")
    for key, explanation in PARTS:
        part = report[key]
        lines.append(f"  {explanation.name:<14} {part['summary']}")
        for reason in part.get("evidence", [])[:6]:
            lines.append(f"  {'':<14}   · {reason}")
    return lines
