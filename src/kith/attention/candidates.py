"""What is worth doing for whom: candidate items from the relationship features.

Pure functions of (relationship rows, now, settings). Each candidate carries
its reason in words and what a draft needs; the scheduler decides which fit
the day. The rules are *proposals* (see SCIENCE.md): thresholds are named
here and explained in ``docs/design.md`` ("Today: the daily queue").
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kith.attention import actionable
from kith.attention.scheduler import Candidate
from kith.connect.proposal import Proposal

# The kinds that make gives and wait for answers, the queue's as the analytics'.
from kith.model import ANSWERABLE_KINDS as ANSWERABLE_KINDS
from kith.model import GIVE_KINDS as GIVE_KINDS
from kith.relate import cooling, layers
from kith.relate import cooling as cooling_mod
from kith.relate.cooling import COOLING_RATIO
from kith.relate.history import can_tell_new
from kith.store.introductions import IntroRow
from kith.units import DAY

#: Minutes each kind of action takes, unless the user's settings say otherwise.
DEFAULT_MINUTES: Mapping[str, int] = {
    "reply": 5,
    "thank": 5,
    "check_in": 10,
    "welcome": 5,
    "follow_up": 5,
    "celebrate": 3,
    "introduce": 10,
    # Asks and public conversations (kith.connect).
    "ask_followup": 5,
    "ask_thanks": 5,
    "join_thread": 10,
    "welcome_new": 5,
}
#: A first contact this recent makes someone a newcomer.
NEWCOMER_DAYS = 14
#: … and only when the ledger can tell (``kith.relate.history.can_tell_new``).
#: Gives received, with none returned, that make a thank-you due.
THANK_AFTER_GIVES = 2
#: A waiting message older than this, with nothing newer from them, is stale:
#: kith stops asking for a reply (the analytics' ``waiting`` counts every
#: unanswered message, a thank-you note as much as a question).
REPLY_HORIZON_DAYS = 30
#: My question unanswered this many days makes a follow-up due …
FOLLOW_UP_AFTER_DAYS = 7
#: … until this many days (then it is let go, like a stale reply).
FOLLOW_UP_HORIZON_DAYS = 30
#: Days before a birthday it becomes an item.
CELEBRATE_AHEAD_DAYS = 7
#: The tiers the scheduler shares attention between, by Dunbar layer
#: (``kith.relate.layers``): the inner circle and the active ring.
INNER_LAYERS = ("support", "sympathy")
ACTIVE_LAYERS = ("close", "active")


@dataclass(frozen=True, slots=True)
class Relationship:
    """The features of one relationship the queue reads (see kith.analytics)."""

    person_id: int
    name: str
    decayed: float = 0.0
    n_in: int = 0
    n_out: int = 0
    first_contact_at: int | None = None
    last_in_at: int | None = None
    last_out_at: int | None = None
    contact_days: int = 0
    median_gap_days: float | None = None
    silence_days: float | None = None
    cooling_ratio: float | None = None
    waiting: int = 0
    oldest_waiting_at: int | None = None
    gives_in: int = 0
    gives_out: int = 0
    #: Separate conversations with them; None when unknown (``MIN_THREADS`` not applied).
    threads: int | None = None
    birthday: str | None = None  # MM-DD, YYYY-MM-DD or --MM-DD
    #: The question in my latest message to them, when it went unanswered.
    asked: str | None = None
    #: Who introduced them to me, when their first contact was an introduction.
    introduced_by: str | None = None
    #: Share of the interactions with them that were public (``kith.attention.actionable``).
    public_share: float | None = None
    #: What their waiting messages want (``kith.attention.inbound``, by
    #: ``kith.signals.intent``): the latest that asks and its cue …
    last_ask_at: int | None = None
    ask_cue: str | None = None
    #: … the latest that only gives, its cue, how many gave …
    gave_at: int | None = None
    give_cue: str | None = None
    gave: str | None = None
    given: int = 0
    #: … and how many asks are past the reply horizon with none newer (let go).
    let_go: int = 0
    #: At my own organisation (``kith.attention.actionable.colleague``): never a newcomer.
    colleague: bool = False
    #: Their first waiting message answers an earlier one: not a first contact.
    answers_earlier: bool = False
    #: Whether they ever wrote to me themselves, not only beside me on someone
    #: else's message (None: not looked up) …
    wrote_to_me: bool | None = None
    #: … and whether every message of theirs waiting on me is a machine's (a
    #: newsletter under a person's name).
    automated: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Relationship:
        names = cls.__dataclass_fields__
        return cls(**{k: row[k] for k in names if k in row and row[k] is not None})


@dataclass(frozen=True, slots=True)
class Item(Candidate):
    """A candidate with its words: who, why, and what the draft needs."""

    person: str = ""
    reason: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "person": self.person,
            "person_id": self.person_id,
            "minutes": self.minutes,
            "reason": self.reason,
            "tier": self.tier,
        }


#: Hex digits of an item id after its kind: 40 bits keep ids of the open items
#: of a million-person ledger apart (8 digits would collide there).
ID_HEX = 10


def sentence(item: Item) -> str:
    """The item's reason as a sentence about the person: "Ana Lima has waited
    3 days for your answer." (a check-in's reason is a state, so it gets "is")."""
    if item.kind == "introduce":  # its reason is the step itself
        return item.reason[:1].upper() + item.reason[1:] + "."
    verb = "is " if item.kind == "check_in" else ""
    return f"{item.person} {verb}{item.reason}."


def item_id(kind: str, person_id: int, anchor: int | str) -> str:
    """Stable, short: the same due item keeps its id from day to day."""
    digest = hashlib.sha1(f"{kind}:{person_id}:{anchor}".encode()).hexdigest()[:ID_HEX]
    return f"{kind[:2]}{digest}"


def tiers(relationships: Sequence[Relationship], now: int) -> dict[int, str]:
    """inner / active / long_tail by Dunbar layer among the two-way
    relationships given, ranked by decayed contact at ``now`` (they are taken
    as stored at ``now``), and ``unseen`` for people who give and get little
    attention back (they would otherwise sit at the end of the long tail for
    ever)."""
    two_way = sorted(
        (r for r in relationships if layers.is_two_way(r.n_in, r.n_out)),
        key=lambda r: (-r.decayed, r.person_id),
    )
    rows = [(r.person_id, r.decayed, now, 1.0) for r in two_way]
    ranks = layers.rank_closest(rows, now, read_all=True) if rows else {}
    return {r.person_id: tier_of(r, (ranks or {}).get(r.person_id)) for r in relationships}


def tier_of(r: Relationship, rank: int | None) -> str:
    """The tier of ``r`` at two-way decayed-contact ``rank`` (from 1; None:
    past the widest layer, or not two-way), the unseen first."""
    if r.gives_in > r.gives_out and r.n_out <= 1:
        return "unseen"
    name = layers.layer_of(r.n_in, r.n_out, rank)
    if name in INNER_LAYERS:
        return "inner"
    if name in ACTIVE_LAYERS:
        return "active"
    return "long_tail"


def _days(seconds: float) -> int:
    return max(0, round(seconds / DAY))


def candidates(
    relationships: Sequence[Relationship],
    now: int,
    *,
    minutes: Mapping[str, int] = DEFAULT_MINUTES,
    first_due: Mapping[str, int] | None = None,
    ranks: Mapping[int, int] | None = None,
    replies: Mapping[int, int] | None = None,
    history_start: int | None = None,
) -> list[Item]:
    """Every item due today. ``first_due`` maps item ids to when they were
    first seen due (kept by the queue), so waiting can raise priority.

    ``replies`` maps people to the wait start of a reply item the queue
    holds for them: it stays due past ``REPLY_HORIZON_DAYS`` (the horizon
    decides what enters the queue, not what leaves it) until they are
    answered. ``history_start``: the ledger's first record, for
    ``can_tell_new``.

    ``ranks`` gives the two-way decayed-contact rank (from 1) of the closest
    people (person id → rank, ``kith.relate.layers``) when ``relationships``
    are not everyone (the queue reads only the rows that can make items); by
    default they are ranked among themselves.
    """
    first_due = first_due or {}
    if ranks is None:
        tier = tiers(relationships, now)
    else:
        tier = {r.person_id: tier_of(r, ranks.get(r.person_id)) for r in relationships}
    found: list[Item] = []

    def add(
        kind: str,
        r: Relationship,
        anchor: int | str,
        due: int,
        urgency: float,
        reason: str,
        **context: Any,
    ) -> None:
        iid = item_id(kind, r.person_id, anchor)
        found.append(
            Item(
                id=iid,
                kind=kind,
                person_id=r.person_id,
                tier=tier[r.person_id],
                minutes=int(minutes.get(kind, DEFAULT_MINUTES[kind])),
                urgency=urgency,
                due_since=first_due.get(iid, due),
                person=r.name,
                reason=reason,
                context={"name": r.name, **context},
            )
        )

    horizon = now - REPLY_HORIZON_DAYS * DAY
    held = replies or {}
    for r in relationships:
        # new to me: first in touch lately, as far as the ledger can tell, and
        # they came to me (I never wrote to them first) from outside my organisation
        newcomer = (
            r.first_contact_at is not None
            and now - r.first_contact_at <= NEWCOMER_DAYS * DAY
            and can_tell_new(r.first_contact_at, history_start)
            and r.last_out_at is None
            and not r.colleague
            and not r.answers_earlier
        )
        since = _waiting_since(r, horizon, held.get(r.person_id))
        if since is not None:
            waited = _days(now - since)
            reason = f"has waited {waited} day{'s' * (waited != 1)} for your answer"
            if since == r.oldest_waiting_at and r.waiting > 1:
                reason += f" ({r.waiting} messages)"
            elif since != r.oldest_waiting_at and r.waiting > 1:
                older = r.waiting - 1
                reason += f" ({older} older message{'s' * (older != 1)} left unanswered too)"
            if newcomer:
                reason += "; it is their first message to you"
            if r.ask_cue:
                reason += f'; asked: "{r.ask_cue}"'
            add(
                "reply",
                r,
                since,
                since,
                1.0,
                reason,
                waited_days=waited,
                newcomer=newcomer,
                messages=r.waiting,
            )
            continue  # answering them is the contact they need
        if (asked_days := _asked_days(r, now)) is not None:
            plural = "s" * (asked_days != 1)
            reason = f'has not answered your question "{r.asked}" ({asked_days} day{plural} ago)'
            add(
                "follow_up",
                r,
                f"ask:{r.last_out_at}",
                (r.last_out_at or now) + FOLLOW_UP_AFTER_DAYS * DAY,
                1.2,
                reason,
                days=asked_days,
                asked=r.asked,
            )
        elif (thank := _thank_due(r, now)) is not None:
            at, reason = thank
            add("thank", r, f"gave:{at}", at, 1.4, reason, gives=r.given, did=r.gave, gave_at=at)
        elif (
            r.gives_in >= THANK_AFTER_GIVES
            and r.gives_out == 0
            and not actionable.blocked("thank", r.public_share)
        ):
            reason = (
                f"gave to you {r.gives_in} times (shares, referrals, mentions); "
                "you never answered in kind"
            )
            urgency = 1.0 + 0.2 * r.gives_in
            add("thank", r, r.gives_in, r.last_in_at or now, urgency, reason, gives=r.gives_in)
        elif newcomer and r.introduced_by:
            since_days = _days(now - (r.first_contact_at or now))
            plural = "s" * (since_days != 1)
            reason = (
                f"was introduced to you by {r.introduced_by} {since_days} day{plural} ago; "
                "you have not written yet"
            )
            add(
                "follow_up",
                r,
                f"intro:{r.first_contact_at}",
                r.first_contact_at or now,
                1.5,
                reason,
                days=since_days,
                introduced_by=r.introduced_by,
            )
        elif (
            newcomer
            and r.wrote_to_me is not False
            and not r.automated
            and not actionable.blocked("welcome", r.public_share)
        ):
            since_days = _days(now - (r.first_contact_at or now))
            plural = "s" * (since_days != 1)
            reason = f"is new: first in touch {since_days} day{plural} ago, not yet welcomed"
            add(
                "welcome",
                r,
                r.first_contact_at or 0,
                r.first_contact_at or now,
                1.5,
                reason,
                days=since_days,
            )
        elif (
            not actionable.blocked("check_in", r.public_share)
            and (cooling := _cooling(r, now)) is not None
        ):
            last, silent, ratio = cooling
            gap = max(1, round(r.median_gap_days or 1))
            usually = cooling_mod.gap_words(r.median_gap_days or 1)
            reason = f"usually in touch {usually}; silent for {round(silent)} days"
            due = int(last + (r.median_gap_days or 0) * COOLING_RATIO * DAY)
            urgency = min(ratio / COOLING_RATIO, 3.0)
            add(
                "check_in",
                r,
                last,
                due,
                urgency,
                reason,
                gap_days=gap,
                silent_days=round(silent),
            )
        if r.birthday and (when := next_birthday(r.birthday, now)) is not None:
            day, days_left = when
            if days_left <= CELEBRATE_AHEAD_DAYS:
                spoken = f"{day.day} {day.strftime('%B')}"
                soon = "today" if days_left == 0 else f"in {days_left} day{'s' * (days_left != 1)}"
                reason = f"has a birthday on {spoken} ({soon})"
                due = _epoch(day) - CELEBRATE_AHEAD_DAYS * DAY
                add(
                    "celebrate",
                    r,
                    f"{r.birthday[-5:]}:{day.year}",
                    due,
                    0.8,
                    reason,
                    birthday=spoken,
                    days_left=days_left,
                )
    return found


def _thank_due(r: Relationship, now: int) -> tuple[int, str] | None:
    """(when, reason) of a thank-you for their latest unanswered message that
    gives (a share, thanks, a referral: ``kith.signals.intent``), within the
    reply horizon; None when there is none or they are met only in public."""
    if r.gave_at is None or r.gave_at < now - REPLY_HORIZON_DAYS * DAY:
        return None
    if actionable.blocked("thank", r.public_share):
        return None
    days = _days(now - r.gave_at)
    what = f': "{r.give_cue}"' if r.give_cue else ""
    did = r.gave or "gave you something"
    reason = f"{did} {days} day{'s' * (days != 1)} ago{what}; not yet thanked"
    return r.gave_at, reason


def proposed(
    p: Proposal, tiers: Mapping[int, str], minutes: Mapping[str, int] = DEFAULT_MINUTES
) -> Item:
    """An item of what ``kith.connect`` proposes (asks' follow-ups and
    thank-yous, public threads to join, people to welcome), the person in the
    long tail unless ``tiers`` knows better."""
    return Item(
        id=item_id(p.kind, p.person_id, p.anchor),
        kind=p.kind,
        person_id=p.person_id,
        tier=tiers.get(p.person_id, "long_tail"),
        minutes=int(minutes.get(p.kind, DEFAULT_MINUTES[p.kind])),
        urgency=p.urgency,
        due_since=p.due_since,
        person=p.person,
        reason=p.reason,
        context={"name": p.person, **p.context},
    )


#: Proposals that stand for a reply due to the same person: a thank-you for
#: answering my ask answers their answer, with the draft that says so.
REPLACE_REPLY = frozenset({"ask_thanks"})


def with_proposals(
    found: Sequence[Item],
    proposals: Iterable[Proposal],
    tiers: Mapping[int, str],
    minutes: Mapping[str, int] = DEFAULT_MINUTES,
) -> list[Item]:
    """``found`` and the items of ``proposals`` (``proposed``); a reply due to
    someone a ``REPLACE_REPLY`` proposal is for gives way to it (one item per
    person for the same message: doing it is the contact either would make)."""
    made = [proposed(p, tiers, minutes) for p in proposals]
    thanked = {i.person_id for i in made if i.kind in REPLACE_REPLY}
    return [i for i in found if not (i.kind == "reply" and i.person_id in thanked)] + made


def _asked_days(r: Relationship, now: int) -> int | None:
    """Days since my unanswered question to ``r``, when a follow-up is due."""
    if actionable.blocked("follow_up", r.public_share):
        return None
    if not r.asked or r.last_out_at is None or (r.last_in_at or 0) >= r.last_out_at:
        return None
    days = (now - r.last_out_at) / DAY
    if not FOLLOW_UP_AFTER_DAYS <= days <= FOLLOW_UP_HORIZON_DAYS:
        return None
    return _days(now - r.last_out_at)


def _waiting_since(r: Relationship, horizon: int, held: int | None = None) -> int | None:
    """When the wait for a reply started, or None when no reply is due.

    A reply the queue holds (started at ``held``) while what waited then
    still waits. Else the oldest unanswered message, if it is within the
    horizon; if it is older (stale), but they wrote again after my last
    message to them, their latest message is taken to wait (the stale ones
    are let go).
    """
    if not r.waiting or r.oldest_waiting_at is None:
        return None
    if held is not None and r.oldest_waiting_at <= held and (r.last_out_at or 0) < held:
        return held
    if r.oldest_waiting_at >= horizon:
        return r.oldest_waiting_at
    last_in = r.last_ask_at if r.last_ask_at is not None else (r.last_in_at or 0)
    if last_in >= horizon and last_in > (r.last_out_at or 0):
        return last_in
    return None


def _cooling(r: Relationship, now: int) -> tuple[int, float, float] | None:
    """(last contact, days silent, silence / usual gap) when ``r`` is cooling
    at ``now`` (``kith.relate.cooling``: the one rule)."""
    last = max(r.last_in_at or 0, r.last_out_at or 0)
    if not last:
        return None
    row = {
        "contact_days": r.contact_days,
        "threads": r.threads,
        "n_in": r.n_in,
        "n_out": r.n_out,
        "first_contact_at": r.first_contact_at,
        "last_contact_at": last,
        "median_gap_days": r.median_gap_days,
    }
    found = cooling.check(last_contact_at=last, now=now, **cooling.rhythm_of(row))
    return None if found is None else (last, *found)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def month_day(birthday: str) -> tuple[int, int] | None:
    """(month, day) of ``MM-DD``, ``YYYY-MM-DD`` or ``--MM-DD``; None if unreadable."""
    try:
        month, day = (int(x) for x in birthday.split("-")[-2:])
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return month, day


def next_birthday(birthday: str, now: int) -> tuple[date, int] | None:
    """The next birthday on or after ``now``'s day (UTC) and the days until it.

    Born on 29 February: celebrated on the 28th in other years."""
    md = month_day(birthday)
    if md is None:
        return None
    today = datetime.fromtimestamp(now, UTC).date()
    for year in (today.year, today.year + 1):
        month, day = md
        if (month, day) == (2, 29) and not calendar.isleap(year):
            day = 28
        try:
            when = date(year, month, day)
        except ValueError:
            return None
        if when >= today:
            return when, (when - today).days
    return None


def birthday_keys(now: int, days: int = CELEBRATE_AHEAD_DAYS) -> list[str]:
    """``MM-DD`` of the days from ``now``'s (UTC) to ``days`` later: the
    birthdays that make items (the store looks them up by these)."""
    today = datetime.fromtimestamp(now, UTC).date()
    keys = [(today + timedelta(days=n)).strftime("%m-%d") for n in range(days + 1)]
    if "02-28" in keys and not calendar.isleap(today.year) and "02-29" not in keys:
        keys.append("02-29")
    return keys


def by_id(items: Iterable[Item]) -> dict[str, Item]:
    return {i.id: i for i in items}


def introduction_items(
    rows: Sequence[IntroRow],
    now: int,
    *,
    minutes: Mapping[str, int] = DEFAULT_MINUTES,
    ranks: Mapping[int, int] | None = None,
) -> list[Item]:
    """An item of kind ``introduce`` for each introduction whose next step is
    mine (``kith.connect.introductions.next_step``: ask A, ask B, make it,
    check how it went), in the tier of the person it is done with (by their
    two-way rank, ``ranks``), its draft the step's own template."""
    from kith.connect.introductions import draft_fields, next_step

    found: list[Item] = []
    for row in rows:
        step = next_step(row, now)
        if step is None:
            continue
        layer = layers.layer_of_rank((ranks or {}).get(step.person_id))
        tier = (
            "inner"
            if layer in INNER_LAYERS
            else "active"
            if layer in ACTIVE_LAYERS
            else ("long_tail")
        )
        fields = draft_fields(row, step, None)
        del fields["my_name"], fields["my_first_name"]
        found.append(
            Item(
                id=item_id("introduce", step.person_id, f"{row.id}:{step.key}"),
                kind="introduce",
                person_id=step.person_id,
                tier=tier,
                minutes=int(minutes.get("introduce", DEFAULT_MINUTES["introduce"])),
                urgency=1.0,
                due_since=step.due_since,
                person=step.person,
                reason=step.words,
                context={**fields, "template": step.template, "step": step.key},
            )
        )
    return found
