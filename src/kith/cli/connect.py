"""``kith ask``, ``kith asks``, ``kith conversations``, ``kith perception``
(``kith.connect``, ``kith.signals.fightin``)."""

from __future__ import annotations

import json
from typing import Any

import click

from kith.cli.base import State, cli, fmt_ts, now_ts, pass_state
from kith.errors import KithError


def _json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@cli.command()
@click.argument("text")
@click.option("--to", "people", multiple=True, metavar="PERSON", help="Whom to ask (repeat).")
@click.option("--suggest", is_flag=True, help="Propose whom to ask, and ask them.")
@click.option("--count", type=click.IntRange(1, 50), default=None, help="How many to suggest.")
@click.option("--expect", type=int, default=None, help="How many you expect to say yes.")
@click.option(
    "--kind",
    type=click.Choice(["advice", "referral", "feedback", "favour"]),
    default=None,
    help="What kind of ask (default: guessed from the words).",
)
@click.option("--dry-run", is_flag=True, help="Show whom and the drafts; record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the ask as JSON.")
@pass_state
def ask(
    state: State,
    text: str,
    people: tuple[str, ...],
    suggest: bool,
    count: int | None,
    expect: int | None,
    kind: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Record an ask (advice, a referral, feedback, a favour) and draft it.

    \b
      kith ask "Who knows a good risograph printer?" --to ana@x.org --to "Bo Chen"
      kith ask "Feedback on my new course page?" --suggest --expect 2
    """
    from kith.attention.drafts import Drafts
    from kith.attention.settings import load_today_settings
    from kith.connect import asks
    from kith.signals.names import first_name
    from kith.store.browse import me
    from kith.store.reads import find_person
    from kith.store.sql import using

    if not " ".join(text.split()):
        raise KithError("the ask is empty", hint='say what you ask: kith ask "Who knows a …?"')
    if people and suggest:
        raise KithError("give --to or --suggest, not both")
    if not people and not suggest:
        raise KithError("whom to ask?", hint="name people with --to PERSON, or use --suggest")
    now = now_ts()
    suggestions: list[asks.Suggestion] = []
    if suggest:
        from kith.cli.matching import fresh_vectors

        fresh_vectors(state)
    with state.reader() as db:
        if suggest:
            suggestions = asks.suggest(db, text, now, count=count or asks.SUGGEST_COUNT)
            if not suggestions:
                raise KithError(
                    "nobody's words fit this ask",
                    hint="name people with --to, or say more about what you need",
                )
            ids = [s.person_id for s in suggestions]
        else:
            ids = [find_person(db, p) for p in people]
        names = dict(db.rows("SELECT id, name FROM person WHERE id IN :ids", {"ids": ids}))
        owner = me(db)
    if owner is not None and owner[0] in ids:
        raise KithError("that is you: ask someone else", hint="kith people lists the others")
    ids = sorted(set(ids), key=ids.index)
    asks.check_ask(text, ids, expect)
    if suggestions and not as_json:
        click.echo("Whom to ask:")
        for s in suggestions:
            click.echo(f"  #{s.person_id} {s.name}: {s.reason}")
    if expect is None:
        if dry_run:
            expect = 0
        else:
            expect = click.prompt(
                f"Of the {len(ids)} you ask, how many do you expect to say yes?",
                type=click.IntRange(0, len(ids)),
                err=True,
            )
    assert expect is not None
    cleaned = asks.check_ask(text, ids, expect)
    subject = asks.subject_of(cleaned)
    my_name = owner[1] if owner else None
    drafts = Drafts(load_today_settings().templates)
    written = {}
    for pid in ids:
        name = names.get(pid) or f"#{pid}"
        written[pid] = drafts.render(
            "ask.txt",
            {
                "name": name,
                "first_name": first_name(name),
                "my_name": my_name,
                "my_first_name": first_name(my_name) if my_name else None,
                "ask": cleaned,
                "subject": subject,
            },
        )
    ask_id = None
    if not dry_run:
        with using(state.engine, write=True) as db:
            ask_id = asks.record(db, cleaned, ids, expect, now, kind)
    if as_json:
        _json(
            {
                "id": ask_id,
                "text": cleaned,
                "subject": subject,
                "expected": expect,
                "to": [{"person_id": p, "name": names.get(p)} for p in ids],
                "suggestions": [s.as_dict() for s in suggestions],
                "drafts": {str(p): d for p, d in written.items()},
            }
        )
        return
    for pid in ids:
        click.echo(f"\n--- to {names.get(pid) or f'#{pid}'} (subject: {subject})\n{written[pid]}")
    if ask_id is None:
        click.echo("(dry run: nothing recorded)")
    else:
        click.echo(
            f"Ask #{ask_id} recorded: {len(ids)} asked, you expect {expect} yes. "
            "Send it with this subject; replies are marked when you import them (kith asks)."
        )


@cli.command("asks")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def list_asks(state: State, as_json: bool) -> None:
    """Your asks: who answered, how fast, and yeses expected against answers."""
    from kith.connect import asks
    from kith.store import asks as store

    with state.reader() as db:
        found = [asks.summary(a) for a in store.asks(db)]
    if as_json:
        _json(found)
        return
    if not found:
        click.echo('No asks yet. kith ask "TEXT" --to PERSON records one.')
        return
    for a in found:
        rate = "-" if a["answer_rate"] is None else f"{a['answer_rate']:.0%}"
        hours = "-" if a["median_hours"] is None else f"{a['median_hours']} h"
        click.echo(
            f"#{a['id']} {fmt_ts(a['asked_at'])} [{a['kind']}] {a['text']}\n"
            f"   asked {a['asked']}, answered {a['answered']} ({rate}), median {hours}; "
            f"you expected {a['expected']} yes"
        )
        for r in a["recipients"]:
            when = r["answered_at"]
            said = f"answered {fmt_ts(when)}" if when else "no answer yet"
            click.echo(f"     {r['name']}: {said}")


@cli.command()
@click.option("--about", "about", multiple=True, metavar="TERMS", help="Terms to look for too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=int, default=30, show_default=True, help="Threads shown (table).")
@pass_state
def conversations(state: State, about: tuple[str, ...], as_json: bool, limit: int) -> None:
    """Public threads where you, your business, products or topics come up.

    The terms come from [profile] in the config file (name, business,
    products, topics) and from --about (comma-separated or repeated).
    """
    from kith.config import config_file_path
    from kith.connect.conversations import conversations as find
    from kith.connect.profile import load_profile
    from kith.store.browse import me
    from kith.store.words import count

    profile = load_profile()
    terms = profile.terms() + [t.strip() for a in about for t in a.split(",") if t.strip()]
    with state.reader() as db:
        owner = me(db)
        if owner and owner[1] and owner[1].lower() not in (t.lower() for t in terms):
            terms.insert(0, owner[1])
        if not terms:
            raise KithError(
                "nothing to look for",
                hint=f"give --about TERMS, or name your business, products and topics "
                f"under [profile] in {config_file_path()}",
            )
        if not count(db):
            raise KithError("the ledger is empty", hint="import your mail first: kith import FILE")
        found = find(db, terms)
    if as_json:
        _json({"terms": terms, "threads": [c.as_dict() for c in found]})
        return
    if not found:
        click.echo(f"No public thread mentions {', '.join(terms)}.")
        return
    for c in found[:limit]:
        where = c.circle or c.source
        mine = "you took part" if c.me_in else "you have not taken part"
        new = ", ".join(p.name for p in c.newcomers[:5])
        click.echo(
            f"{fmt_ts(c.last_at)[:10]}  {c.subject or '(no subject)'}  [{where}]\n"
            f"   about {', '.join(c.terms)}; {len(c.people)} people, {c.messages} messages; {mine}"
            + (f"\n   new to you: {new}" + (" …" if len(c.newcomers) > 5 else "") if new else "")
        )
    if len(found) > limit:
        click.echo(f"({len(found) - limit} more; --limit N or --json for all)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def perception(state: State, as_json: bool) -> None:
    """Words others use to you and about your work, against your own.

    Needs [profile] description in the config file: how you describe yourself.
    About words only: warmth and competence as each person perceives you is
    a score of its own (kith explain warmth).
    """
    from kith.connect.outside import perception as compare
    from kith.connect.profile import load_profile

    profile = load_profile()
    with state.reader() as db:
        found = compare(db, profile)
    if as_json:
        _json(found)
        return
    for key, title in (("others_more", "Others say more"), ("me_more", "You say more")):
        click.echo(f"{title}:")
        for t in found[key]:
            click.echo(f"  {t['term']:<18} z={t['z']:+.1f}")
            for q in t["quotes"]:
                click.echo(f'      "{q["quote"]}" ({q["source"]})')
    click.echo("Their phrases: " + "; ".join(found["others_phrases"]))
    click.echo("Your phrases:  " + "; ".join(found["me_phrases"]))
