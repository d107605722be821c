"""The command line: private circles: kith circle form|create|add|remove, kith circles."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click

from kith.cli.base import State, cli, fmt_ts, now_ts, pass_state
from kith.errors import InputError


def templates_dir() -> Any:
    """The user's own draft templates (where ``kith today``'s are)."""
    from kith.config import config_home

    return config_home() / "templates"


@cli.group()
def circle() -> None:
    """Private circles: propose them from a pool, create them, change members."""


def _people(db: Any, queries: tuple[str, ...] | list[str]) -> list[int]:
    """Each query's person (a name, an address or #id); an unknown one is an error."""
    from kith.store.reads import find_person

    return [find_person(db, q) for q in queries]


def _links(db: Any, values: tuple[str, ...], flag: str) -> tuple[tuple[int, int], ...]:
    links = []
    for value in values:
        parts = [p.strip() for p in value.split(",")]
        if len(parts) != 2 or not all(parts):
            raise InputError(
                f"cannot read {value!r}", where=flag, hint=f"give two people: {flag} 'Ana,Bo'"
            )
        a, b = _people(db, parts)
        links.append((a, b))
    return tuple(links)


@circle.command("form")
@click.option(
    "--pool",
    default=None,
    metavar="FILTER",
    help="Who to draw from: two-way (default: everyone I have a two-way relationship with), "
    "everyone, or role=…,layer=…,circle=…,org=… (all must hold).",
)
@click.option("--size", default="4-6", show_default=True, help="Each circle's size, LOW-HIGH.")
@click.option(
    "--count", type=int, default=None, help="How many circles (default: the pool's fill)."
)
@click.option("--need", default="", help="A need or topic the circles gather around.")
@click.option("--must-link", multiple=True, metavar="A,B", help="Two people to put together.")
@click.option("--cannot-link", multiple=True, metavar="A,B", help="Two people to keep apart.")
@click.option(
    "--time-limit", type=float, default=None, metavar="S", help="The solver's time, in seconds."
)
@click.option(
    "--kind",
    type=click.Choice(["mastermind", "dinner", "peer group", "cohort"]),
    default="peer group",
    show_default=True,
)
@click.option("--create", "create_now", is_flag=True, help="Create the proposed circles now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def form_cmd(
    state: State,
    pool: str | None,
    size: str,
    count: int | None,
    need: str,
    must_link: tuple[str, ...],
    cannot_link: tuple[str, ...],
    time_limit: float | None,
    kind: str,
    create_now: bool,
    as_json: bool,
) -> None:
    """Propose private circles from a pool, each with reasons and an invitation draft.

    Constraints: sizes within --size, nobody in two circles, no pair that already
    shared a circle while the pool allows it (else each repeat is penalised, and
    said), must-link and cannot-link. Aims, weighted and stated: a shared need or
    topic, a mix of people who know each other and who do not, nobody alone with
    strangers, people not recently placed first. Solved with OR-Tools CP-SAT; the
    objective, the best bound it proved and the gap are printed.

    \b
    Examples:
      kith circle form --size 4-6 --need "pricing a first product"
      kith circle form --pool role=founder --count 2 --must-link "Ana,Bo" --json
    """
    from kith.connect import circles as connect
    from kith.store import circles as store

    request = connect.FormRequest(
        sizes=connect.Sizes.parse(size),
        count=count,
        need=need.strip(),
        time_limit=connect.DEFAULT_TIME_LIMIT if time_limit is None else time_limit,
        kind=kind,
    )
    now = now_ts()
    with state.reader() as db:
        request = dataclasses.replace(
            request,
            must_link=_links(db, must_link, "--must-link"),
            cannot_link=_links(db, cannot_link, "--cannot-link"),
        )
        formation, spec, ids = connect.propose(db, pool, request, now, templates_dir())
    created: list[int] = []
    if create_now:
        day = fmt_ts(now)[:10]
        created = store.create_circles(
            state.engine,
            [
                store.NewCircle(f"{kind} {day} #{k}", c.members, kind, c.reasons)
                for k, c in enumerate(formation.circles, 1)
            ],
            now,
            pool=spec,
            pool_ids=ids,
            settings={"size": size, "need": need, "kind": kind},
        )
    if as_json:
        data = formation.as_dict()
        data["pool"] = {"filter": spec, "people": len(ids)}
        if created:
            data["created"] = created
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{len(formation.circles)} circles from a pool of {len(ids)} ({spec}); "
        f"objective {formation.objective:g}, best bound {formation.bound:g}, "
        f"gap {formation.gap:.1%} ({formation.status.lower()}, {formation.seconds:g} s)"
    )
    click.echo(
        f"no repeated pairs: {'a hard constraint' if formation.golfer == 'hard' else 'a penalty'}"
        "; weights: " + ", ".join(f"{k} {v:g}" for k, v in connect.weights().items())
    )
    if formation.solver_bound is not None and formation.solver_bound != formation.bound:
        click.echo(
            f"the bound is the per-person bound over the pool; CP-SAT's over the people "
            f"its model held: {formation.solver_bound:g}"
        )
    for note in formation.notes:
        click.echo(f"note: {note}")
    for k, c in enumerate(formation.circles, 1):
        names = ", ".join(formation.names.get(p, f"#{p}") for p in c.members)
        click.echo(f"\nCircle {k}: {names}")
        for reason in c.reasons:
            click.echo(f"  - {reason}")
        click.echo("  Draft:")
        for line in c.draft.rstrip().splitlines():
            click.echo(f"    {line}")
    if created:
        click.echo(f"\ncreated: {', '.join(f'#{i}' for i in created)} (kith circles)")
    else:
        click.echo("\nCreate them: kith circle form … --create, or kith circle create NAME PEOPLE…")


@circle.command("create")
@click.argument("name")
@click.argument("people", nargs=-1, required=True)
@click.option(
    "--kind",
    type=click.Choice(["mastermind", "dinner", "peer group", "cohort"]),
    default="peer group",
    show_default=True,
)
@pass_state
def create_cmd(state: State, name: str, people: tuple[str, ...], kind: str) -> None:
    """Create a private circle NAME with PEOPLE (names, addresses or #ids)."""
    from kith.store import circles as store

    now = now_ts()
    with state.reader() as db:
        ids = _people(db, people)
        spec, pool = store.pool_ids(db, None, now)
    (cid,) = store.create_circles(
        state.engine,
        [store.NewCircle(name.strip(), tuple(dict.fromkeys(ids)), kind)],
        now,
        pool=spec,
        pool_ids=set(pool) | set(ids),
        settings={"kind": kind},
    )
    click.echo(f"created circle #{cid} {name} with {len(set(ids))} people")


def _change(state: State, name: str, people: tuple[str, ...], *, add: bool) -> None:
    from kith.store import circles as store

    with state.reader() as db:
        cid, _ = store.find_circle(db, name)
        ids = _people(db, people)
    changed = store.change_members(state.engine, cid, ids, now_ts(), add=add)
    click.echo(f"{'added' if add else 'removed'} {changed} of {len(ids)} in circle #{cid} {name}")


@circle.command("add")
@click.argument("name")
@click.argument("people", nargs=-1, required=True)
@pass_state
def add_cmd(state: State, name: str, people: tuple[str, ...]) -> None:
    """Add PEOPLE to the private circle NAME."""
    _change(state, name, people, add=True)


@circle.command("remove")
@click.argument("name")
@click.argument("people", nargs=-1, required=True)
@pass_state
def remove_cmd(state: State, name: str, people: tuple[str, ...]) -> None:
    """Take PEOPLE out of the private circle NAME."""
    _change(state, name, people, add=False)


def yield_words(row: dict[str, Any] | None) -> str:
    """A circle's new-tie yield in words, beside the random groupings'."""
    from kith.connect.circles import YIELD_DAYS

    if row is None:
        return "yield: no import since it started"
    share = row["yield_share"]
    base = row["random_share"]
    mine = "-" if share is None else f"{share:.0%}"
    theirs = "-" if base is None else f"{base:.0%}"
    open_note = "" if row["computed_at"] >= row["window_ends_at"] else " so far"
    return (
        f"new-tie yield{open_note}: {mine} ({row['met']} of {row['new_pairs']} new pairs met "
        f"within {YIELD_DAYS} days); random groupings of the same pool: {theirs} "
        f"({row['random_draws']} draws)"
    )


@cli.command("circles")
@click.option("--all", "show_all", is_flag=True, help="Also count the public circles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def circles_cmd(state: State, show_all: bool, as_json: bool) -> None:
    """Private circles, with members, reasons and new-tie yield.

    Public circles (mailing lists, communities) come from imports: the People
    page's circle filter lists them, and --all counts them here.
    """
    from kith.store import circles as store
    from kith.store.browse import circles as all_circles

    with state.reader() as db:
        rows = store.list_private(db)
        public = [c for c in all_circles(db) if c["visibility"] == "public"] if show_all else []
    if as_json:
        data: dict[str, Any] = {"circles": [r.as_dict() for r in rows]}
        if show_all:
            data["public"] = public
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No private circles yet. Propose some: kith circle form")
    for r in rows:
        click.echo(f"#{r.id} {r.name} ({r.kind or 'circle'}, since {fmt_ts(r.created_at)[:10]})")
        click.echo("  " + ", ".join(name for _, name in r.members))
        for reason in r.reasons:
            click.echo(f"  - {reason}")
        click.echo("  " + yield_words(r.yield_row))
    if show_all:
        click.echo(f"\n{len(public)} public circles (mailing lists, communities):")
        for c in public:
            click.echo(f"  #{c['id']} {c['name']}")
    else:
        click.echo("(public circles, from imports: kith circles --all)")
