"""Introductions, double opt-in: the steps, the mail that moves them on, and their yield.

An introduction of A to B moves through these states (``STATES``)::

    proposed → asked_a → a_agreed → asked_b → b_agreed → made → connected
                    ↘ a_declined        ↘ b_declined          ↘ no_contact

A is asked first; B only once A has said yes; the introduction is made only
once both have (double opt-in: nobody receives an introduction they did not
want). ``declined`` (I decided not to make it) and ``cancelled`` (called off)
end one before it is made. Each move is a step in the ledger, with when, by
whom (``me``: a command or the web; ``mail``: an imported message; ``kith``:
the yield check) and a note.

After each import (``after_import``, run by the ledger writer):

- **mail moves it on** where it can: my message to A (without B) that names
  B is the ask; A's reply in that thread says yes or no
  (``kith.signals.consent``, a plain answer only); the same for B; my
  message to both A and B whose words say it introduces
  (``kith.signals.intro``) makes it.
- **introductions made to me** (kind ``intro``, recognised by
  ``kith.store.gives``) are recorded as made, with A me and the author as
  the one who made it;
- **yield**: every made introduction is checked for direct contact — an
  interaction both A and B took part in, after it was made, without the one
  who introduced them — by day ``YIELD_DAYS`` (30 and 90). Found within 90
  days: ``connected``; none by then: ``no_contact``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kith.errors import KithError, NotFoundError
from kith.signals import names
from kith.signals.consent import answer
from kith.signals.intro import says_introduction
from kith.signals.text import own_words
from kith.store import introductions as store
from kith.store.introductions import IntroRow, Mail
from kith.units import DAY

PROPOSED = "proposed"
ASKED_A = "asked_a"
A_AGREED = "a_agreed"
A_DECLINED = "a_declined"
ASKED_B = "asked_b"
B_AGREED = "b_agreed"
B_DECLINED = "b_declined"
MADE = "made"
CONNECTED = "connected"
NO_CONTACT = "no_contact"
DECLINED = "declined"
CANCELLED = "cancelled"

#: Every state, in the order of the board, and what each means.
STATES: Mapping[str, str] = {
    PROPOSED: "proposed: nobody asked yet",
    ASKED_A: "A asked, waiting for their answer",
    A_AGREED: "A said yes",
    ASKED_B: "B asked, waiting for their answer",
    B_AGREED: "both said yes",
    MADE: "introduced",
    CONNECTED: "they went on without the introducer",
    NO_CONTACT: f"no direct contact in {90} days",
    A_DECLINED: "A said no",
    B_DECLINED: "B said no",
    DECLINED: "I decided not to",
    CANCELLED: "called off",
}
#: States still waiting for a step (a made one waits for its outcome).
OPEN = (PROPOSED, ASKED_A, A_AGREED, ASKED_B, B_AGREED, MADE)
#: The ends of a made introduction: its outcome.
ENDED_MADE = (CONNECTED, NO_CONTACT)
#: Open states before it is made: what ``decline`` and ``cancel`` may end.
BEFORE_MADE = (PROPOSED, ASKED_A, A_AGREED, ASKED_B, B_AGREED)

#: What a command (or a button) does in each state: (state, event) → new state.
#: ``agreed`` and ``declined`` are the answer of whoever is in question: A
#: until A has said yes, then B.
TRANSITIONS: Mapping[tuple[str, str], str] = {
    (PROPOSED, "ask"): ASKED_A,
    (A_AGREED, "ask"): ASKED_B,
    (PROPOSED, "agreed"): A_AGREED,
    (ASKED_A, "agreed"): A_AGREED,
    (A_AGREED, "agreed"): B_AGREED,
    (ASKED_B, "agreed"): B_AGREED,
    (PROPOSED, "declined"): A_DECLINED,
    (ASKED_A, "declined"): A_DECLINED,
    (A_AGREED, "declined"): B_DECLINED,
    (ASKED_B, "declined"): B_DECLINED,
    (B_AGREED, "made"): MADE,
    (MADE, "met"): CONNECTED,
    **{(s, "decline"): DECLINED for s in BEFORE_MADE},
    **{(s, "cancel"): CANCELLED for s in BEFORE_MADE},
}
#: The column each of these states stamps with the time it was reached.
STAMPS: Mapping[str, str] = {
    ASKED_A: "asked_a_at",
    ASKED_B: "asked_b_at",
    MADE: "made_at",
    CONNECTED: "contact_at",
}
#: The events, as the surfaces name them.
EVENTS: Mapping[str, str] = {
    "ask": "I asked the next person (A, then B once A said yes)",
    "agreed": "the person in question said yes",
    "declined": "the person in question said no",
    "made": "I made the introduction (both said yes)",
    "met": "they met or wrote without me (the outcome, when mail cannot show it)",
    "decline": "I decided not to make it",
    "cancel": "call it off",
}

#: The yield is read at these days after an introduction is made.
YIELD_DAYS = (30, 90)
#: A made introduction of mine with no direct contact yet is checked on after these days.
CHECK_AFTER_DAYS = 30
#: Mail is read from this long before an introduction was recorded (the ask
#: may go out before the command that records it).
LOOKBACK_DAYS = 3


class IntroductionError(KithError):
    """An introduction that cannot be started or moved as asked; nothing was written."""


# -- starting and moving one on ---------------------------------------------------


def states_named(names: Sequence[str]) -> list[str] | None:
    """The states ``names`` stand for (``open``: every open one); None for
    none named (all); an ``IntroductionError`` for a name that is no state."""
    wanted: list[str] = []
    for name in names:
        if name == "open":
            wanted += OPEN
        elif name in STATES:
            wanted.append(name)
        else:
            raise IntroductionError(f"no state {name!r}", hint="states: open, " + ", ".join(STATES))
    return wanted or None


def _merged_away(person: store.PersonCheck) -> IntroductionError:
    return IntroductionError(
        f"#{person.id} {person.name} was merged into #{person.merged_into} "
        f"{person.merged_into_name}",
        hint=f"introduce #{person.merged_into} instead",
    )


def check_people(conn: Any, a: int, b: int) -> tuple[store.PersonCheck, store.PersonCheck]:
    """A and B, if they can be introduced; else an ``IntroductionError``
    naming who and why (someone to themselves, me, a merged-away person, a
    person with no e-mail address, a pair already open)."""
    found = []
    for pid in (a, b):
        person = store.person_check(conn, pid)
        if person is None:
            raise NotFoundError(f"no person #{pid}", hint="kith people lists them with their ids")
        if person.merged_into is not None:
            raise _merged_away(person)
        if person.is_me:
            raise IntroductionError(
                f"#{person.id} {person.name} is you: an introduction is of two of your people",
                hint="kith introduce A B names two people other than you",
            )
        if person.emails == 0:
            raise IntroductionError(
                f"#{person.id} {person.name} has no e-mail address to ask or introduce them at",
                hint=f"add one: kith identity add #{person.id} name@example.org",
            )
        found.append(person)
    if a == b:
        raise IntroductionError(
            f"#{a} {found[0].name} cannot be introduced to themselves",
            hint="name two different people",
        )
    already = store.open_between(conn, a, b, OPEN)
    if already is not None:
        raise IntroductionError(
            f"{already.a_name} and {already.b_name} already have an open introduction "
            f"({already.id}, {already.state})",
            hint=f"kith introductions shows it; kith introduce --cancel {already.id} ends it",
        )
    return found[0], found[1]


def find(conn: Any, query: str) -> int:
    """The person ``query`` names (``kith.store.reads.find_person``: #id, an
    address or a name), except that the ``#id`` of a merged-away person is an
    error naming whom they were merged into (not silently that person)."""
    from kith.store.reads import find_person
    from kith.store.sql import as_db

    q = query.strip()
    if q.startswith("#") and q[1:].isdigit():
        found = store.person_check(conn, int(q[1:]))
        if found is not None and found.merged_into is not None:
            raise _merged_away(found)
    return find_person(as_db(conn), q)


def start(conn: Any, a: int, b: int, *, now: int, note: str | None = None) -> IntroRow:
    """A new introduction of ``a`` to ``b``, proposed (``check_people`` first:
    nothing is written when they cannot be introduced), and moved on at once
    by the mail the ledger already holds (``LOOKBACK_DAYS``)."""
    check_people(conn, a, b)
    iid = store.create(conn, a=a, b=b, state=PROPOSED, at=now, note=note or None)
    # mail already in the ledger (an ask sent before the command) moves it on at once
    if _follow_one(conn, _get(conn, iid)):
        me = store.me(conn)
        if me is not None:
            check_yield(conn, me=me, now=now)
    return _get(conn, iid)


def _get(conn: Any, iid: int) -> IntroRow:
    row = store.get(conn, iid)
    if row is None:
        raise NotFoundError(
            f"no introduction {iid}", hint="kith introductions lists them with their ids"
        )
    return row


def advance(conn: Any, iid: int, event: str, *, now: int, note: str | None = None) -> IntroRow:
    """Move introduction ``iid`` on by ``event`` (``EVENTS``); an
    ``IntroductionError`` saying what can be done instead when the state
    does not allow it."""
    if event not in EVENTS:
        raise IntroductionError(f"no such step {event!r}", hint="steps: " + ", ".join(EVENTS))
    row = _get(conn, iid)
    new = TRANSITIONS.get((row.state, event))
    if new is None:
        allowed = [e for (s, e) in TRANSITIONS if s == row.state]
        raise IntroductionError(
            f"introduction {iid} of {row.a_name} and {row.b_name} is {row.state} "
            f"({STATES[row.state]}): it cannot take '{event}'",
            hint=("it can take: " + ", ".join(allowed)) if allowed else "it has ended",
        )
    columns = {STAMPS[new]: now} if new in STAMPS else {}
    store.move(conn, iid, new, at=now, actor="me", note=note or None, columns=columns)
    return _get(conn, iid)


# -- what to do next ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NextStep:
    """The next thing for me to do about an introduction."""

    #: ask_a, ask_b, make, check (the draft template is ``introduce_<key>.txt``).
    key: str
    #: Whom it is done with, and the other one.
    person_id: int
    person: str
    other: str
    words: str
    #: Since when it has been mine to do.
    due_since: int

    @property
    def template(self) -> str:
        return f"introduce_{self.key}.txt"


def _first(name: str) -> str:
    """The first name to call someone by in a sentence: their whole name when
    none is sure (``kith.signals.names``)."""
    from kith.signals.names import first_name

    return first_name(name) or name


def next_step(row: IntroRow, now: int) -> NextStep | None:
    """My next step for ``row`` at ``now`` (None: it waits for someone else, or has ended)."""
    a, b = row.a_name, row.b_name
    if row.state == PROPOSED:
        words = f"ask {a} whether they would like to meet {b}"
        return NextStep("ask_a", row.a_id, a, b, words, row.created_at)
    if row.state == A_AGREED:
        words = f"{_first(a)} said yes: ask {b} whether they would like to meet {a}"
        return NextStep("ask_b", row.b_id, b, a, words, row.updated_at)
    if row.state == B_AGREED:
        words = f"{_first(b)} said yes: make the introduction of {a} and {b}"
        return NextStep("make", row.b_id, b, a, words, row.updated_at)
    if row.state == MADE and row.by_id is None and row.made_at is not None:
        due = row.made_at + CHECK_AFTER_DAYS * DAY
        if now >= due:
            days = (now - row.made_at) // DAY
            words = f"check how the introduction of {a} and {b} went ({days} days ago)"
            return NextStep("check", row.a_id, a, b, words, due)
    return None


def waiting_for(row: IntroRow) -> str | None:
    """Whom the introduction waits for, in words (None: me, or nobody)."""
    if row.state == ASKED_A:
        return f"waiting for {row.a_name}'s answer"
    if row.state == ASKED_B:
        return f"waiting for {row.b_name}'s answer"
    if row.state == MADE:
        return f"waiting to see whether {row.a_name} and {row.b_name} talk"
    return None


def draft_fields(row: IntroRow, step: NextStep, my_name: str | None) -> dict[str, Any]:
    """The fields of a step's draft template (``kith.attention.drafts.FIELDS``)."""
    return {
        "name": step.person,
        "first_name": names.first_name(step.person),
        "other_name": step.other,
        "other_first_name": _first(step.other),
        "a_name": row.a_name,
        "b_name": row.b_name,
        "note": row.note,
        "introduction": row.id,
        "my_name": my_name,
        "my_first_name": names.first_name(my_name),
    }


def draft(
    row: IntroRow, now: int, *, my_name: str | None, user_dir: Path | None = None
) -> str | None:
    """The draft of the next step (the user's template first), or None."""
    from kith.drafting import FIELDS, Templates

    step = next_step(row, now)
    if step is None:
        return None
    context: dict[str, Any] = dict.fromkeys(FIELDS)
    context.update(kind="introduce", reason=step.words, **draft_fields(row, step, my_name))
    return Templates(user_dir).render(step.template, context)


# -- yield --------------------------------------------------------------------------


def yield_of(row: IntroRow, now: int) -> dict[int, bool | None]:
    """For each of ``YIELD_DAYS``: whether A and B were in direct contact by
    that day after it was made (None: not made, or too early to say)."""
    found: dict[int, bool | None] = {}
    for days in YIELD_DAYS:
        if row.made_at is None:
            found[days] = None
        elif row.contact_at is not None and row.contact_at <= row.made_at + days * DAY:
            found[days] = True
        elif now < row.made_at + days * DAY:
            found[days] = None
        else:
            found[days] = False
    return found


@dataclass(frozen=True, slots=True)
class YieldTotal:
    """Introductions made in a year, and how many led to direct contact."""

    year: int
    made: int
    led: int

    def words(self) -> str:
        plural = "s" * (self.made != 1)
        return (
            f"of {self.made} introduction{plural} made in {self.year}, "
            f"{self.led} led to direct contact"
        )


def yield_total(rows: Sequence[IntroRow], now: int) -> YieldTotal:
    """Of the introductions made in ``now``'s year (UTC; mine and those made to
    me), how many led to direct contact within ``YIELD_DAYS[-1]`` days."""
    year = datetime.fromtimestamp(now, UTC).year
    made = [
        r
        for r in rows
        if r.made_at is not None and datetime.fromtimestamp(r.made_at, UTC).year == year
    ]
    led = sum(1 for r in made if yield_of(r, now)[YIELD_DAYS[-1]])
    return YieldTotal(year, len(made), led)


def as_dict(row: IntroRow, now: int) -> dict[str, Any]:
    """An introduction for JSON and the templates."""
    step = next_step(row, now)
    marks = {f"day_{d}": v for d, v in yield_of(row, now).items()}
    return {
        "id": row.id,
        "a": {"id": row.a_id, "name": row.a_name},
        "b": {"id": row.b_id, "name": row.b_name},
        "by": None if row.by_id is None else {"id": row.by_id, "name": row.by_name},
        "state": row.state,
        "state_words": STATES.get(row.state, row.state),
        "note": row.note,
        "created_at": row.created_at,
        "asked_a_at": row.asked_a_at,
        "asked_b_at": row.asked_b_at,
        "made_at": row.made_at,
        "contact_at": row.contact_at,
        "next": None if step is None else {"step": step.key, "words": step.words},
        "waiting": waiting_for(row),
        "events": [e for (s, e) in TRANSITIONS if s == row.state],
        "yield": marks,
        "yield_words": yield_words(marks) if row.made_at is not None else None,
    }


# -- after each import ----------------------------------------------------------------


@dataclass(slots=True)
class Followed:
    """What one pass after an import did."""

    moved: int = 0
    received: int = 0
    connected: int = 0
    no_contact: int = 0


def after_import(conn: Any, *, run: int, lo: int, hi: int, now: int) -> Followed:
    """Everything introductions take from an import run (the module docstring):
    the run's introductions made to me recorded, mail moving mine on, yield."""
    done = Followed()
    me = store.me(conn)
    if me is None:
        return done
    for iid, at, by, to in store.received_in_run(conn, run=run, lo=lo, hi=hi):
        store.create(
            conn,
            a=me,
            b=to,
            by_person=by,
            state=MADE,
            at=at,
            made_at=at,
            made_interaction_id=iid,
            step_actor="mail",
        )
        done.received += 1
    done.moved = follow_mail(conn, run=(lo, hi))
    done.connected, done.no_contact = check_yield(conn, me=me, now=now)
    return done


def follow(conn: Any, *, now: int) -> Followed:
    """Mail moving my open introductions on, and the yield of the made ones,
    from what the ledger holds (as after an import, without its new
    introductions made to me): for introductions recorded after their mail."""
    done = Followed()
    me = store.me(conn)
    if me is not None:
        done.moved = follow_mail(conn)
        done.connected, done.no_contact = check_yield(conn, me=me, now=now)
    return done


def _names(text: str | None, name: str) -> bool:
    """Whether ``text`` names ``name`` (the whole name or the first name)."""
    if not text:
        return False
    for part in {name, _first(name)}:
        if len(part) >= 2 and re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.I):
            return True
    return False


def _ask(conn: Any, person: int, other: int, other_name: str, since: int) -> Mail | None:
    """My first message to ``person`` (without ``other``) from ``since`` on that names ``other``."""
    for m in store.asks(conn, person, other, since):
        if _names(m.subject, other_name) or _names(own_words(m.body), other_name):
            return m
    return None


def _answer(conn: Any, person: int, ask: Mail) -> tuple[Mail, str] | None:
    """``person``'s first message in the thread of ``ask`` that says yes or no."""
    if ask.thread_id is None:
        return None
    for m in store.replies_from(conn, person, ask.thread_id, ask.occurred_at):
        said = answer(m.body)
        if said is not None:
            return m, said
    return None


def _introduction_mail(conn: Any, a: int, b: int, since: int) -> Mail | None:
    """My first message to both ``a`` and ``b`` from ``since`` on whose words introduce."""
    for m in store.to_both(conn, a, b, since):
        if says_introduction(m.subject, m.body):
            return m
    return None


def follow_mail(conn: Any, *, run: tuple[int, int] | None = None) -> int:
    """Move my open introductions on from the mail in the ledger (the module
    docstring); how many steps were taken. With ``run`` (an import run's
    first and last interaction id), only those whose A or B is in the run's
    interactions: nothing else can have moved them."""
    rows = [r for r in store.listing(conn, states=BEFORE_MADE) if r.by_id is None]
    if run is not None:
        people = {p for r in rows for p in (r.a_id, r.b_id)}
        touched = store.in_run(conn, sorted(people), lo=run[0], hi=run[1])
        rows = [r for r in rows if r.a_id in touched or r.b_id in touched]
    return sum(_follow_one(conn, row) for row in rows)


def _follow_one(conn: Any, row: IntroRow) -> int:
    """Move ``row`` on as far as its mail shows; how many steps were taken.
    Each look-up is read by an index: my messages with one person, the
    replies in one thread."""
    moved = 0
    state = row.state
    since = row.created_at - LOOKBACK_DAYS * DAY
    made = _introduction_mail(conn, row.a_id, row.b_id, since)
    # the asks and answers are what came before it
    before_made = made.occurred_at if made is not None else None
    for person, other, other_name, asked, agreed, declined in (
        (row.a_id, row.b_id, row.b_name, ASKED_A, A_AGREED, A_DECLINED),
        (row.b_id, row.a_id, row.a_name, ASKED_B, B_AGREED, B_DECLINED),
    ):
        before = PROPOSED if asked == ASKED_A else A_AGREED
        if state not in (before, asked):
            continue
        ask = _ask(conn, person, other, other_name, since)
        if ask is None or (before_made is not None and ask.occurred_at >= before_made):
            break
        if state == before:
            store.move(
                conn,
                row.id,
                asked,
                at=ask.occurred_at,
                actor="mail",
                interaction_id=ask.id,
                columns={STAMPS[asked]: ask.occurred_at},
            )
            state, moved = asked, moved + 1
        got = _answer(conn, person, ask)
        if got is None or (before_made is not None and got[0].occurred_at >= before_made):
            break
        reply, said = got
        state = agreed if said == "agreed" else declined
        store.move(conn, row.id, state, at=reply.occurred_at, actor="mail", interaction_id=reply.id)
        moved += 1
        if state == declined:
            return moved
        since = reply.occurred_at
    if made is not None and state in BEFORE_MADE:
        note = None if state == B_AGREED else f"made by mail while {state}"
        store.move(
            conn,
            row.id,
            MADE,
            at=made.occurred_at,
            actor="mail",
            interaction_id=made.id,
            note=note,
            columns={STAMPS[MADE]: made.occurred_at, "made_interaction_id": made.id},
        )
        moved += 1
    return moved


def check_yield(conn: Any, *, me: int, now: int) -> tuple[int, int]:
    """Check every made introduction for direct contact (the module
    docstring); (how many connected, how many reached day 90 without)."""
    horizon = YIELD_DAYS[-1] * DAY
    connected = quiet = 0
    checked: list[int] = []
    for row in store.listing(conn, states=[MADE]):
        if row.made_at is None:
            continue
        checked.append(row.id)
        without = row.by_id if row.by_id is not None else me
        contact = store.direct_contact(
            conn,
            row.a_id,
            row.b_id,
            without=without,
            after=row.made_at,
            until=row.made_at + horizon,
        )
        if contact is not None:
            store.move(
                conn, row.id, CONNECTED, at=now, actor="kith", columns={STAMPS[CONNECTED]: contact}
            )
            connected += 1
        elif now > row.made_at + horizon:
            store.move(conn, row.id, NO_CONTACT, at=now, actor="kith")
            quiet += 1
    store.mark_checked(conn, checked, now)
    return connected, quiet


def of_person(conn: Any, pid: int, now: int) -> list[dict[str, Any]]:
    """The introductions ``pid`` is in, from their side: whom they were (or
    are to be) introduced to, by whom (None: me), the state and the yield;
    for the person's page and ``kith person``."""
    found = []
    for row in store.listing(conn, person=pid):
        if pid == row.by_id:
            other = None
            words = f"introduced {row.a_name} and {row.b_name}"
        else:
            other_id, other_name = (
                (row.b_id, row.b_name) if pid == row.a_id else (row.a_id, row.a_name)
            )
            other = {"id": other_id, "name": other_name}
            by = "me" if row.by_id is None else (row.by_name or f"#{row.by_id}")
            words = f"to {other_name}, by {by}"
        shown = {f"day_{d}": v for d, v in yield_of(row, now).items()}
        found.append(
            {
                "id": row.id,
                "other": other,
                "by": None if row.by_id is None else {"id": row.by_id, "name": row.by_name},
                "state": row.state,
                "made_at": row.made_at,
                "words": f"{words}: {row.state}",
                "yield": shown,
                "yield_words": yield_words(shown) if row.made_at is not None else None,
            }
        )
    return found


def yield_words(marks: Mapping[str, bool | None]) -> str:
    """``{"day_30": True, "day_90": None}`` → 'day 30: yes, day 90: …' (… not yet known)."""
    said = {True: "yes", False: "no", None: "…"}
    return ", ".join(f"{k.replace('_', ' ')}: {said[v]}" for k, v in marks.items())
