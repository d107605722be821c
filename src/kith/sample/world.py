"""A seeded sample world: Sam Rivera's studio, its people and a year of e-mail.

``generate_world`` draws everything from one ``random.Random(seed)`` and never
reads the clock, so a seed always gives the same world. The patterns later
features must find are planted on purpose (``cast``, ``story``) and written
down in ``SampleWorld.truth``; the rest (who is waiting, who is new) is read
back from the generated messages, so the truth always agrees with the mail.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from kith.errors import ConfigError
from kith.sample.cast import Casting
from kith.sample.entities import (
    DEFAULT_END,
    LIST_ADDRESS,
    LIST_ID,
    NEWCOMER_DAYS,
    OWNER,
    OWNER_EMAILS,
    OWNER_NEWS,
    SHOP,
    WAITING_RECENT_DAYS,
    Address,
    Folder,
    SampleMessage,
    SamplePerson,
)
from kith.sample.story import Story
from kith.sample.templates import NEED_ASK_SUBJECT, NEED_OFFER_SUBJECT
from kith.sample.topics import TOPICS

__all__ = [
    "DEFAULT_END",
    "Address",
    "SampleMessage",
    "SamplePerson",
    "SampleWorld",
    "generate_world",
]


@dataclass(frozen=True, slots=True)
class SampleWorld:
    """Everything ``generate_world`` made.

    ``truth`` maps a pattern to the sorted e-mail addresses of the people who
    show it (keys ending in ``_message_ids`` hold message ids instead); see
    the package docstring of ``kith.sample``.
    """

    seed: int
    end: datetime
    days: int
    owner: Address
    owner_aliases: tuple[Address, ...]
    list_address: Address
    list_id: str
    people: tuple[SamplePerson, ...]
    messages: tuple[SampleMessage, ...]
    truth: dict[str, list[str]] = field(default_factory=dict)
    #: The introductions Sam proposes (double opt-in), to record before the
    #: mail moves them on: (A's e-mail, B's, when proposed).
    introductions: tuple[tuple[str, str, datetime], ...] = ()

    def person(self, email: str) -> SamplePerson:
        """The person with ``email``; ``KeyError`` if there is none."""
        for p in self.people:
            if p.email == email:
                return p
        raise KeyError(email)

    def folder(self, name: Folder) -> list[SampleMessage]:
        """The messages filed in ``name``, oldest first."""
        return [m for m in self.messages if m.folder == name]

    def summary(self) -> dict[str, int]:
        """Counts per folder and per pattern, for reports and ``kith demo``."""
        counts: dict[str, int] = {"people": len(self.people), "messages": len(self.messages)}
        for name in ("inbox", "sent", "lists"):
            counts[name] = sum(1 for m in self.messages if m.folder == name)
        counts["threads"] = len({m.thread for m in self.messages})
        counts["html_messages"] = sum(1 for m in self.messages if m.html)
        counts["alias_messages"] = sum(
            1 for m in self.messages if any(a.email == OWNER_NEWS.email for a in m.addresses())
        )
        for key, values in self.truth.items():
            if key != "owner_addresses":
                counts[key] = len(values)
        return counts


def _truth(
    people: Sequence[SamplePerson],
    messages: Sequence[SampleMessage],
    end: datetime,
    opt_ins: Sequence[tuple[str, str, datetime]] = (),
) -> dict[str, list[str]]:
    """The planted patterns, plus the ones read back from the messages themselves."""
    known = {p.email for p in people}
    first_seen: dict[str, datetime] = {}
    owner_wrote_to: set[str] = set()
    for m in messages:
        for a in m.addresses():
            if a.email in known:
                first_seen.setdefault(a.email, m.date)
        if m.direction == "out" and not m.list_id:
            owner_wrote_to.update(a.email for a in (*m.to, *m.cc))
    newcomers = [e for e, t in first_seen.items() if t >= end - timedelta(days=NEWCOMER_DAYS)]
    wrote = {m.sender.email for m in messages}

    # Waiting: an ask from someone with no later message from the owner in its thread.
    last_owner: dict[str, datetime] = {}
    for m in messages:
        if m.direction == "out":
            last_owner[m.thread] = m.date
    waiting_ids: list[str] = []
    waiting_recent: set[str] = set()
    waiting_old: set[str] = set()
    for m in messages:
        if m.direction != "in" or not m.needs_reply:
            continue
        answered = m.thread in last_owner and last_owner[m.thread] > m.date
        if not answered:
            waiting_ids.append(m.message_id)
            recent = m.date >= end - timedelta(days=WAITING_RECENT_DAYS)
            (waiting_recent if recent else waiting_old).add(m.sender.email)

    def emails(pred: Callable[[SamplePerson], bool]) -> list[str]:
        return sorted(p.email for p in people if pred(p))

    reach_cut = sorted(p.reach for p in people)[int(len(people) * 0.95)]
    return {
        "owner_addresses": sorted(OWNER_EMAILS),
        "rhythm_weekly": emails(lambda p: p.rhythm == "weekly" and p.cooling_after is None),
        "rhythm_monthly": emails(lambda p: p.rhythm == "monthly" and p.cooling_after is None),
        "rhythm_quarterly": emails(lambda p: p.rhythm == "quarterly" and p.cooling_after is None),
        "cooling": emails(lambda p: p.cooling_after is not None),
        "givers_never_thanked": emails(lambda p: p.giver and not p.thanked),
        "givers_thanked": emails(lambda p: p.giver and p.thanked),
        "referred": emails(lambda p: p.referred and p.referred_by is not None),
        "introduced": emails(lambda p: p.introduced and p.referred_by is not None),
        "owner_introduced": sorted(
            {a.email for m in messages if m.tag == "owner_intro" for a in (*m.to, *m.cc)}
        ),
        "newcomers": sorted(newcomers),
        "newcomers_unanswered": sorted(
            e for e in newcomers if e in wrote and e not in owner_wrote_to
        ),
        "waiting": sorted(waiting_recent | waiting_old),
        "waiting_recent": sorted(waiting_recent),
        "waiting_old": sorted(waiting_old),
        "waiting_message_ids": sorted(waiting_ids),
        "list_members": emails(lambda p: p.list_member),
        "purchasers": sorted(
            {m.reply_to.email for m in messages if m.tag == "receipt" and m.reply_to}
        ),
        "complainers": sorted({m.sender.email for m in messages if m.tag == "complaint"}),
        "circle_need": sorted({m.sender.email for m in messages if m.tag == "circle_need"}),
        "html_only": sorted({m.sender.email for m in messages if m.html and m.sender != SHOP}),
        "non_ascii": emails(lambda p: not p.name.isascii()),
        "high_reach": emails(lambda p: p.reach >= reach_cut),
        "complementary_pairs": _complementary(messages),
        # the first introduction Sam proposes is agreed and made, the second declined
        "opt_in_made": sorted(opt_ins[0][:2]) if opt_ins else [],
        "opt_in_declined": sorted(opt_ins[1][:2]) if len(opt_ins) > 1 else [],
        **{
            f"topic_{name}": sorted({m.sender.email for m in messages if m.tag == f"topic:{name}"})
            for name in TOPICS
        },
    }


def _complementary(messages: Sequence[SampleMessage]) -> list[str]:
    """The planted complementary pairs, "asker giver" (``Story.needs_and_offers``)."""
    asks = {
        m.subject.removeprefix(NEED_ASK_SUBJECT): m.sender.email
        for m in messages
        if m.tag == "need_ask"
    }
    offers = {
        m.subject.removeprefix(NEED_OFFER_SUBJECT): m.sender.email
        for m in messages
        if m.tag == "need_offer"
    }
    return sorted(f"{asks[t]} {offers[t]}" for t in asks if t in offers)


def generate_world(
    seed: int = 7,
    people: int = 300,
    days: int = 365,
    end: datetime = DEFAULT_END,
) -> SampleWorld:
    """Sam Rivera's year: ``people`` contacts and their e-mail over ``days`` up to ``end``.

    Deterministic: the same arguments give the same world, message for
    message. Raises ``ConfigError`` when the world is too small to hold its
    patterns (fewer than 60 people or 180 days) or ``end`` is naive.
    """
    if people < 60:
        raise ConfigError(
            f"a sample world needs at least 60 people, not {people}",
            hint="use --people 60 or more (the default is 300)",
        )
    if days < 180:
        raise ConfigError(
            f"a sample world needs at least 180 days, not {days}",
            hint="cooling relationships stop 60-150 days before the end; use --days 180 or more",
        )
    if end.tzinfo is None:
        raise ConfigError(
            "the end of a sample world must be time-zone aware", hint="pass tzinfo=UTC"
        )
    end = end.astimezone(UTC)
    rng = random.Random(seed)
    cast = Casting(rng, people, end).cast()
    story = Story(rng, seed, cast, days, end)
    everyone, written = story.write()
    messages = tuple(sorted(written, key=lambda m: (m.date.astimezone(UTC), m.message_id)))
    persons = tuple(everyone)
    return SampleWorld(
        seed=seed,
        end=end,
        days=days,
        owner=OWNER,
        owner_aliases=(OWNER_NEWS,),
        list_address=LIST_ADDRESS,
        list_id=LIST_ID,
        people=persons,
        messages=messages,
        truth={**_truth(persons, messages, end, story.opt_ins), **story.planted},
        introductions=tuple(story.opt_ins),
    )
