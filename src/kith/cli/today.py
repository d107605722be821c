"""The command line: today: the daily queue."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from kith.cli.base import State, archive_hint, cli, fmt_ts, now_ts, pass_state

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


@contextmanager
def _ledger(state: State) -> Iterator[Any]:
    """The ledger for the day's list: straight on the driver, in one write
    transaction, when it is ready (no SQLAlchemy import: most of what
    `kith today` would cost), else the engine (creating or migrating it)."""
    from kith.store.sql import open_db

    with open_db(state.settings.database_url, write=True) as db:
        if db is not None:
            yield db
            return
    yield state.engine


def _plan(ledger: Any, on: datetime | None, minutes: int | None, save: bool) -> Any:
    from kith.attention.today import plan_day

    settings = _today_settings(minutes)
    now = _attention_now(on)
    return settings, plan_day(ledger, now, settings, save=save)


def _refresh(state: State, on: datetime | None) -> None:
    from kith.analytics.refresh import refresh as run_refresh

    run_refresh(state.engine, now=_attention_now(on))


def _drafts(ledger: Any, plan: Any, settings: Any) -> dict[str, str]:
    from kith.attention.drafts import render_all

    return render_all(ledger, plan.items, plan.now, settings.templates)


def _day(
    state: State, on: datetime | None, minutes: int | None, *, save: bool = True
) -> tuple[Any, Any, dict[str, str]]:
    """(settings, the day's plan, its drafts), planned and, unless ``save`` is
    false, saved in one transaction."""
    with _ledger(state) as ledger:
        settings, plan = _plan(ledger, on, minutes, save)
        return settings, plan, _drafts(ledger, plan, settings)


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
    if plan.let_go:
        click.echo("")
        click.echo(let_go_words(plan))
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


def let_go_words(plan: Any) -> str:
    """The old debts in a line: "12 older messages you let go (from 5 people) …"."""
    from kith.attention.candidates import REPLY_HORIZON_DAYS

    n, people = plan.let_go, plan.let_go_people
    return (
        f"{n} older message{'s' * (n != 1)} you let go (from {people} "
        f"{'person' if people == 1 else 'people'}): they asked something more than "
        f"{REPLY_HORIZON_DAYS} days ago and wait still (kith person NAME shows them)."
    )


@cli.command("today")
@click.option(
    "--minutes",
    type=click.IntRange(1, 24 * 60),
    help="Minutes you have today (default: [today] budget in config.toml, else 30).",
)
@click.option("--date", "on", type=_DATE, help="The day to plan, YYYY-MM-DD (UTC).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON: {items: [...], budget}. A look only: the day is not recorded "
    "(add --record to plan it).",
)
@click.option(
    "--record",
    is_flag=True,
    help="With --json: plan the day as kith today does (its items can be done, "
    "snoozed, skipped, and kith audit attention counts it).",
)
@click.option("--refresh", is_flag=True, help="Bring the relationship figures up to date first.")
@pass_state
def today_cmd(
    state: State,
    minutes: int | None,
    on: datetime | None,
    as_json: bool,
    record: bool,
    refresh: bool,
) -> None:
    """A short list of who to connect with today, why, and a draft for each.

    \b
    Replies to people who wait (oldest first, whoever they are), thank-yous
    to people who keep giving, check-ins where a rhythm went quiet, welcomes
    for newcomers, follow-ups on your unanswered questions and on
    introductions, birthdays: chosen fairly within your minutes (see
    docs/design.md). Close the loop with:
      kith done ID [--note TEXT]   did it (recorded as a contact)
      kith snooze ID --days N      not now: back in N days
      kith skip ID                 not this one (it returns only if things change)

    Asking for the day plans it: the list is recorded (for done, snooze, skip
    and kith audit attention). --json only looks, unless --record.
    """
    if refresh:
        _refresh(state, on)
    _, plan, drafts = _day(state, on, minutes, save=record or not as_json)
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
            "let_go": {"messages": plan.let_go, "people": plan.let_go_people},
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print_plan(plan, drafts)
    if hint := archive_hint(state, plan.now):
        click.echo("\n" + hint, err=True)


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

    settings, plan, drafts = _day(state, on, minutes)
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

    _, plan, drafts = _day(state, on, minutes)
    data = feed(plan, drafts)
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
