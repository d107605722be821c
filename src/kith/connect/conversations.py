"""Public conversations about me and my work: ``kith conversations``.

From every imported public source (mailing lists, Discourse, Stack Exchange,
X and Mastodon mentions, WordPress comments: ``kith.store.conversations.PUBLIC``)
the threads where my name, my business, my products or my topics
(``[profile]``: ``kith.connect.profile``) or the ``--about`` terms come up in
someone's own words (``kith.signals.text.own_words``, so a quote of an older
message does not count again), as a whole word or phrase, any case; threads
only machines wrote in (``kith.identity.is_automated``) are left out. For each:
who took part, whether I did, and the people in it I do not know yet (no
message to or from me).

``kith today`` gets two kinds of item from the threads active in the last
``RECENT_DAYS``: "join this thread" (``join_thread``, for whoever started it)
where I have not taken part, and "welcome this person" (``welcome_new``) for
each newcomer to me in them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.connect.proposal import Proposal
from kith.identity import is_automated
from kith.relate.history import can_tell_new
from kith.signals.text import own_words
from kith.store import conversations as store
from kith.store.sql import Db
from kith.units import DAY

#: Threads active this recently make ``kith today`` items.
RECENT_DAYS = 14
#: Most items of each kind ``kith today`` takes from conversations (the newest threads).
MOST_ITEMS = 20


@dataclass(slots=True)
class Person:
    """Someone who wrote in a thread."""

    person_id: int
    name: str
    known: bool
    first_at: int


@dataclass(slots=True)
class Conversation:
    """A public thread where one of the terms came up."""

    key: str
    subject: str | None
    source: str
    circle: str | None
    started_at: int
    last_at: int
    messages: int
    terms: list[str]
    people: list[Person] = field(default_factory=list)
    me_in: bool = False
    #: The interaction where a term came up first (for the link to it).
    first_match: int = 0

    @property
    def newcomers(self) -> list[Person]:
        return [p for p in self.people if not p.known]

    def as_dict(self) -> dict[str, Any]:
        return {
            "thread": self.key,
            "subject": self.subject,
            "source": self.source,
            "circle": self.circle,
            "started_at": self.started_at,
            "last_at": self.last_at,
            "messages": self.messages,
            "terms": self.terms,
            "i_took_part": self.me_in,
            "people": [
                {"person_id": p.person_id, "name": p.name, "known": p.known} for p in self.people
            ],
            "new_to_me": [{"person_id": p.person_id, "name": p.name} for p in self.newcomers],
        }


def machine(identity: str) -> bool:
    """Whether ``kind:value`` is an address machines send from (a tracker's
    notifications on a list are nobody to welcome: ``kith.identity.is_automated``)."""
    kind, _, value = identity.partition(":")
    return kind == "email" and is_automated(value)


def term_pattern(term: str) -> re.Pattern[str]:
    """``term`` as a whole word or phrase, any case, any run of spaces between its words."""
    words = [re.escape(w) for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def conversations(db: Db, terms: Sequence[str], *, since: int | None = None) -> list[Conversation]:
    """The public threads where ``terms`` come up (see the module docstring),
    the latest active first."""
    cleaned = [" ".join(t.split()) for t in terms if t.strip()]
    patterns = {t: term_pattern(t) for t in cleaned}
    found: dict[str, Conversation] = {}
    for iid, tid, subject, body, at, source, circle in store.mentioning(db, cleaned, since=since):
        text = f"{subject or ''}\n{own_words(body)}"
        hits = [t for t, p in patterns.items() if p.search(text)]
        if not hits:
            continue
        key = f"t{tid}" if tid is not None else f"i{iid}"
        conv = found.get(key)
        if conv is None:
            conv = found[key] = Conversation(
                key, subject, source, circle, at, at, 1, [], first_match=iid
            )
        conv.terms.extend(t for t in hits if t not in conv.terms)
    thread_ids = [int(k[1:]) for k in found if k[0] == "t"]
    for tid, info in store.threads(db, thread_ids).items():
        conv = found[f"t{tid}"]
        conv.subject = info["subject"] or conv.subject
        conv.started_at, conv.last_at = info["started_at"], info["last_at"]
        conv.messages = info["messages"]
    single = [int(k[1:]) for k in found if k[0] == "i"]
    wrote = [
        w for w in store.authors(db, threads=thread_ids, interactions=single) if not machine(w[6])
    ]
    known = store.known(db, sorted({w[2] for w in wrote if not w[4]}))
    for kind, at, pid, name, me, first, _ in wrote:
        conv = found[f"{kind}{at}"]
        if me:
            conv.me_in = True
        elif all(p.person_id != pid for p in conv.people):
            conv.people.append(Person(pid, name or f"#{pid}", pid in known, first))
    for conv in found.values():
        conv.people.sort(key=lambda p: (p.first_at, p.person_id))
    # A thread only machines wrote in (build failures, tracker notices) is no conversation.
    talked = [c for c in found.values() if c.people or c.me_in]
    return sorted(talked, key=lambda c: (-c.last_at, c.key))


def items(
    found: Sequence[Conversation], now: int, history_start: int | None = None
) -> list[Proposal]:
    """``kith today``'s conversation items from threads active since
    ``now - RECENT_DAYS``: join the ones I am not in (``join_thread``, for
    whoever started them), welcome the people in them new to me
    (``welcome_new``; not the one a join is for). At most ``MOST_ITEMS`` of each."""
    joins: list[Proposal] = []
    welcomes: list[Proposal] = []
    welcomed: set[int] = set()
    for conv in found:
        if now - conv.last_at > RECENT_DAYS * DAY or not conv.people:
            continue
        about = ", ".join(conv.terms)
        topic = conv.subject or "a public thread"
        where = f" on {conv.circle}" if conv.circle else f" ({conv.source})"
        context = {"thread": topic}
        if not conv.me_in and len(joins) < MOST_ITEMS:
            p = conv.people[0]
            welcomed.add(p.person_id)  # joining their thread is the welcome
            reason = f'started "{topic}"{where}, about {about}; join the thread'
            joins.append(
                Proposal(
                    "join_thread", p.person_id, p.name, conv.key, conv.last_at, 1.0, reason, context
                )
            )
        for p in conv.newcomers:
            if p.person_id in welcomed or len(welcomes) >= MOST_ITEMS:
                continue
            if not can_tell_new(p.first_at, history_start):
                continue  # first seen in the ledger's first weeks: maybe an old hand
            welcomed.add(p.person_id)
            reason = f'is new to you and wrote in "{topic}"{where}, about {about}'
            welcomes.append(
                Proposal(
                    "welcome_new", p.person_id, p.name, conv.key, p.first_at, 1.0, reason, context
                )
            )
    return joins + welcomes


def today_items(db: Db, terms: Sequence[str], now: int) -> list[Proposal]:
    """The conversation items due at ``now``, from the recent public messages."""
    if not terms:
        return []
    from kith.store.attention import history_start

    found = conversations(db, terms, since=now - RECENT_DAYS * DAY)
    return items(found, now, history_start(db))
