"""The command line: introductions (kith introduce, kith introductions) and
suggestions of whom to introduce (kith introduce --suggest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from kith.cli.base import State, archive_hint, cli, fmt_ts, now_ts, pass_state
from kith.cli.relationships import at_date
from kith.errors import KithError


def _step_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--NAME ID``: take step NAME (``kith.connect.introductions.EVENTS``) on introduction ID."""
    return click.option(f"--{name}", f"step_{name}", type=int, metavar="ID", help=help_text)


@cli.command("introduce")
@click.argument("people", nargs=-1)
@click.option("--note", help="Why they should meet (kept with the introduction and its drafts).")
@_step_option("ask", "I asked the next person: A, then B once A said yes.")
@_step_option("agreed", "The person in question (A, then B) said yes.")
@_step_option("declined", "The person in question (A, then B) said no: it ends.")
@_step_option("made", "I made the introduction (both said yes).")
@_step_option("met", "They met or wrote without me (when mail cannot show it).")
@_step_option("decline", "I decided not to make it: it ends.")
@_step_option("cancel", "Call it off: it ends.")
@click.option("--draft", "draft_id", type=int, metavar="ID", help="Show the next step's draft.")
@click.option(
    "--suggest", is_flag=True, help="List pairs of your people worth introducing, with reasons."
)
@click.option("--for", "for_person", help="With --suggest: only pairs with this person.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="With --suggest: how many pairs.",
)
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --suggest: as of this day.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def introduce(
    state: State,
    people: tuple[str, ...],
    note: str | None,
    draft_id: int | None,
    suggest: bool,
    for_person: str | None,
    limit: int,
    on: datetime | None,
    as_json: bool,
    step_ask: int | None,
    step_agreed: int | None,
    step_declined: int | None,
    step_made: int | None,
    step_met: int | None,
    step_decline: int | None,
    step_cancel: int | None,
) -> None:
    """Introduce A to B, double opt-in: ask A, then B, then make it.

    \b
    An introduction moves through
      proposed → asked_a → a_agreed → asked_b → b_agreed → made → connected
    (or a_declined, b_declined, declined, cancelled, no_contact). Each step
    is recorded, has a draft, and is an item in kith today. Imported mail
    moves it on where it can: my message to A naming B is the ask, A's yes
    or no in that thread the answer (then the same for B), my message to
    both that introduces them makes it; after that, kith checks whether they
    wrote or met without me by day 30 and 90 (its yield).

    \b
    Examples:
      kith introduce ana@x.org bo@y.org --note "both run bakeries"
      kith introduce --ask 3          I asked A (then, once A said yes, B)
      kith introduce --agreed 3       the person asked said yes
      kith introduce --declined 3     … said no
      kith introduce --made 3         I sent the introduction
      kith introduce --met 3          they met without me
      kith introduce --decline 3      I will not make it after all
      kith introduce --cancel 3       call it off
      kith introduce --draft 3        the next step's draft
      kith introduce --suggest        pairs worth introducing, with reasons
      kith introduce --suggest --for ana@x.org --limit 5 --json
    """
    from kith.connect import introductions as intro
    from kith.store.sql import using

    steps = {
        "ask": step_ask,
        "agreed": step_agreed,
        "declined": step_declined,
        "made": step_made,
        "met": step_met,
        "decline": step_decline,
        "cancel": step_cancel,
    }
    chosen = [(event, iid) for event, iid in steps.items() if iid is not None]
    if suggest:
        if chosen or draft_id is not None or people:
            raise KithError("--suggest lists suggestions: give no people and no step with it")
        show_suggestions(state, for_person, limit, as_json, at_date(on))
        return
    now = now_ts()
    if len(chosen) + (draft_id is not None) + bool(people) > 1:
        raise KithError("give two people, or one step (--ask, --agreed, …), not several at once")
    if draft_id is not None:
        _show_draft(state, draft_id, now)
        return
    with using(state.engine, write=True) as db:
        if chosen:
            event, iid = chosen[0]
            row = intro.advance(db, iid, event, now=now, note=note)
        elif len(people) == 2:
            a, b = (intro.find(db, p) for p in people)
            row = intro.start(db, a, b, now=now, note=note)
        else:
            raise KithError(
                "name the two people to introduce",
                hint="kith introduce A B [--note …], or a step: kith introduce --ask ID",
            )
    if as_json:
        click.echo(json.dumps(intro.as_dict(row, now), ensure_ascii=False, indent=2))
        return
    click.echo(f"Introduction {row.id}: {row.a_name} and {row.b_name}: {row.state}")
    step = intro.next_step(row, now)
    if step is not None:
        click.echo(f"  next: {step.words} (kith introduce --draft {row.id})")
    elif (waiting := intro.waiting_for(row)) is not None:
        click.echo(f"  {waiting}")


def _show_draft(state: State, iid: int, now: int) -> None:
    from kith.attention.settings import load_today_settings
    from kith.connect import introductions as intro
    from kith.store import introductions as store
    from kith.store.attention import my_name

    with state.reader() as db:
        row = store.get(db, iid)
        if row is None:
            raise KithError(f"no introduction {iid}", hint="kith introductions lists them")
        me = my_name(db)
    text = intro.draft(row, now, my_name=me, user_dir=load_today_settings().templates)
    if text is None:
        raise KithError(
            f"introduction {iid} has no step of mine to draft ({row.state})",
            hint=intro.waiting_for(row) or "it has ended",
        )
    click.echo(text, nl=False)


@cli.command("introductions")
@click.option(
    "--state",
    "states",
    multiple=True,
    metavar="S",
    help="Only this state (repeatable): proposed, asked_a, a_agreed, asked_b, b_agreed, made, "
    "connected, no_contact, a_declined, b_declined, declined, cancelled; or open.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with the yield total.")
@pass_state
def introductions(state: State, states: tuple[str, ...], as_json: bool) -> None:
    """List introductions, newest first: state, next step, and yield (direct
    contact without the introducer by day 30 and 90), with this year's total."""
    from kith.connect import introductions as intro
    from kith.store import introductions as store

    wanted = intro.states_named(states)
    now = now_ts()
    with state.reader() as db:
        rows = store.listing(db, states=wanted)
        total = intro.yield_total(store.listing(db, states=[intro.MADE, *intro.ENDED_MADE]), now)
    if as_json:
        out = {
            "introductions": [intro.as_dict(r, now) for r in rows],
            "yield": {"year": total.year, "made": total.made, "led_to_contact": total.led},
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No introductions yet: kith introduce A B starts one.")
    for r in rows:
        by = "" if r.by_id is None else f" (by {r.by_name})"
        click.echo(f"{r.id:>4}  {r.a_name} and {r.b_name}{by}: {r.state}  {fmt_ts(r.created_at)}")
        step = intro.next_step(r, now)
        detail = step.words if step is not None else intro.waiting_for(r)
        if detail:
            click.echo(f"      {detail}")
        if (said := intro.as_dict(r, now)["yield_words"]) is not None:
            click.echo(f"      direct contact: {said}")
    click.echo(total.words().capitalize() + ".")


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
        if computed and (hint := archive_hint(state, now)):
            click.echo(hint, err=True)
        return
    for n, s in enumerate(found, start=1):
        click.echo(f"{n:>2}. {s.a[1]} (#{s.a[0]}) and {s.b[1]} (#{s.b[0]})   score {s.score:.1f}")
        for reason in s.reasons:
            click.echo(f"      - {reason}")
        for e in s.evidence:
            if "quote" in e:
                click.echo(f"        {e['name']}, {e['date']}: \u201c{e['quote']}\u201d")
