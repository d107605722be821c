"""What the messages waiting on me want: ``kith.signals.intent`` read for the queue.

The analytics count every unanswered message as waiting (``relationship.waiting``),
a thank-you note as much as a question. The queue reads the waiting messages of
the few people who can make an item (``kith.store.attention.waiting_messages``)
and keeps what each wants, by ``kith.signals.intent.read_intent`` (the one
classifier):

- a message that **asks** (a question, a request, an invitation) waits for a
  reply; those older than the reply horizon are **let go**, and counted, never
  silently dropped, and so are those whose near deadline has passed ("these
  are due today", "a meeting tomorrow morning": ``NEAR_DEADLINE``);
- one that only **gives** (a share, thanks, a referral, advice) calls for a
  thank-you;
- one that **informs**, or is **automated**, waits for nothing.

A message that asks and gives makes a reply (the thanks go in the reply).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from kith.attention import actionable
from kith.attention.candidates import REPLY_HORIZON_DAYS, Relationship
from kith.model import (
    ANSWERABLE_KINDS,
    Channel,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Role,
)
from kith.signals.intent import Reading, read_intent
from kith.signals.text import own_words
from kith.store import attention as store
from kith.store.attention import Conn, WaitingMessage
from kith.units import DAY


@dataclass(frozen=True, slots=True)
class Waiting:
    """What one person's waiting messages want: the times of those that ask and
    of those that only give (oldest first), with the latest one's cue."""

    asks: tuple[int, ...] = ()
    gives: tuple[int, ...] = ()
    ask_cue: str | None = None
    give_cue: str | None = None
    #: What the latest give did, in words (``GIVE_VERBS``).
    gave: str | None = None
    #: The first of them answers an earlier message ("Re: stage coach"): whoever
    #: wrote it is not getting in touch for the first time.
    answers_earlier: bool = False
    #: How many of their messages were read, and whether every one was a machine's
    #: (a newsletter under a name: no welcome for it).
    read: int = 0
    automated: bool = False
    #: The asks whose near deadline ("due today", "a meeting tomorrow", in the ask
    #: or in a message of theirs the same day after it) has passed: let go, counted.
    passed: tuple[int, ...] = ()


#: A give's cue (``kith.signals.intent``) as what they did for me.
GIVE_VERBS = {
    "thanks": "thanked you",
    "your work": "shared or praised your work",
    "referral": "referred someone to you",
    "share": "sent you something",
    "advice": "helped you",
}


def record_of(m: WaitingMessage) -> InteractionRecord:
    """The message as ``read_intent`` reads it."""
    roles = {"to": Role.TO, "cc": Role.CC}
    people = [Participant(Role.FROM, IdentityRef(m.sender_kind, m.sender, m.sender_name))]
    people += [Participant(roles[r], IdentityRef(k, v, n)) for r, v, n, k in m.recipients]
    return InteractionRecord(
        source=m.source,
        source_id=m.source_id,
        channel=Channel.EMAIL,
        kind=Kind.REPLY if m.is_reply else Kind.MESSAGE,
        occurred_at=m.at,
        participants=tuple(people),
        origin=Origin("ledger"),
        subject=m.subject,
        body=m.body,
        list_id="circle" if m.in_circle else None,
        is_reply=m.is_reply,
    )


#: Words that put a deadline within a day or so of the message.
NEAR_DEADLINE = re.compile(
    r"\b(?:due|by|before|until|end of)\s+(?:today|tonight|tomorrow)\b"
    r"|\btomorrow(?:'s)?\s+(?:morning|afternoon|meeting|call)\b"
    r"|\b(?:meeting|call|filing|file|deadline)\b[^.?!\n]{0,40}\b(?:today|tomorrow)\b",
    re.IGNORECASE,
)
#: Days after a message naming a near deadline that the deadline has surely passed.
DEADLINE_PASSED_DAYS = 2


def read_waiting(
    messages: Sequence[WaitingMessage], me: Collection[str], now: int | None = None
) -> Waiting:
    """What ``messages`` (one person's, oldest first) want of me (at ``now``:
    which asks' near deadlines have passed)."""
    asks: list[int] = []
    gives: list[int] = []
    ask_cue = give_cue = gave = None
    machines = 0
    deadlines: list[int] = []  # times of their messages that name a near deadline
    cues: dict[int, str | None] = {}
    for m in messages:
        reading: Reading = read_intent(record_of(m), me)
        machines += reading.automated
        if not reading.automated and NEAR_DEADLINE.search(own_words(m.body, limit=3000)):
            deadlines.append(m.at)
        if reading.asks:
            asks.append(m.at)
            ask_cue = cues[m.at] = _cue(reading, "asks")
        elif reading.gives:
            gives.append(m.at)
            give_cue = _cue(reading, "gives")
            name = next(c.name for c in reading.cues if c.intent == "gives")
            gave = GIVE_VERBS.get(name, "gave you something")
    answers = bool(messages) and messages[0].is_reply
    automated = bool(messages) and machines == len(messages)
    passed = tuple(
        a
        for a in asks
        if now is not None
        and any(a <= d <= a + DAY and now > d + DEADLINE_PASSED_DAYS * DAY for d in deadlines)
    )
    live = [a for a in asks if a not in passed]
    if live and live[-1] != asks[-1]:
        ask_cue = cues[live[-1]]  # the cue of the latest ask still waiting
    return Waiting(
        tuple(asks),
        tuple(gives),
        ask_cue,
        give_cue,
        gave,
        answers,
        len(messages),
        automated,
        passed,
    )


def _cue(reading: Reading, intent: str) -> str | None:
    for cue in reading.cues:
        if cue.intent == intent:
            return cue.evidence
    return None


def waiting_of(
    conn: Conn, rows: Sequence[Relationship], now: int, me: Collection[str]
) -> dict[int, Waiting]:
    """person id → what their waiting messages want, for the ``rows`` with any waiting."""
    since = {
        r.person_id: r.oldest_waiting_at
        for r in rows
        if r.waiting and r.oldest_waiting_at is not None
    }
    if not since:
        return {}
    found = store.waiting_messages(conn, since, now, ANSWERABLE_KINDS)
    return {pid: read_waiting(found.get(pid, []), me, now) for pid in since}


def with_intent(r: Relationship, w: Waiting, now: int) -> Relationship:
    """``r`` with only the messages that ask counted as waiting, the latest
    unanswered give kept for a thank-you, and the asks past the reply horizon
    counted as let go (unless a newer ask waits: then the reply names them)."""
    horizon = now - REPLY_HORIZON_DAYS * DAY
    live = [a for a in w.asks if a not in w.passed]
    latest = max(live, default=None)
    old = len(live) if latest is not None and latest < horizon else 0
    return replace(
        r,
        waiting=len(live),
        oldest_waiting_at=min(live, default=None),
        last_ask_at=latest,
        ask_cue=w.ask_cue,
        gave_at=max(w.gives, default=None),
        give_cue=w.give_cue,
        gave=w.gave,
        given=len(w.gives),
        let_go=old + len(w.passed),
        answers_earlier=w.answers_earlier,
        automated=w.automated,
    )


def apply(
    conn: Conn, rows: Sequence[Relationship], now: int, me: Collection[str]
) -> list[Relationship]:
    """``rows`` with what their waiting messages want read (``with_intent``)."""
    read: Mapping[int, Waiting] = waiting_of(conn, rows, now, me)
    return [with_intent(r, read[r.person_id], now) if r.person_id in read else r for r in rows]


@dataclass(frozen=True, slots=True)
class PersonStatus:
    """One person as the daily queue sees them, for the person view: why they
    are not a person to act on (None: they are), and their messages that ask
    something of me still unanswered, of which ``let_go`` are past the reply
    horizon (the list's "older messages you let go" counts the same)."""

    why_not: str | None
    asks: int
    let_go: int
    #: Their unanswered messages that give (a share, thanks, a referral, advice:
    #: what the day's thank-yous come from), and what the latest one did.
    gives: int = 0
    gave: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The person view's JSON (``kith person --json`` and the web API alike)."""
        return {
            "not_acted_on": self.why_not,
            "waiting_asks": self.asks,
            "let_go": self.let_go,
            "gave_unanswered": self.gives,
            "gave": self.gave,
        }

    def lines(self) -> list[str]:
        """The person view's lines."""
        out = []
        if self.why_not:
            out.append(f"Not on the daily list: {self.why_not}")
        wait = f"Waiting on you: {self.asks} message{'s' * (self.asks != 1)} that ask something"
        if self.let_go:
            wait += f" ({self.let_go} older than {REPLY_HORIZON_DAYS} days, let go)"
        out.append(wait)
        if self.gives:
            plural = "s" * (self.gives != 1)
            unanswered = f"{self.gives} message{plural} not yet answered"
            out.append(f"Gave in {unanswered} (latest: {self.gave})")
        return out


def person_status(conn: Conn, person_id: int, now: int) -> PersonStatus:
    """``PersonStatus`` of ``person_id`` at ``now``, by the queue's own rules
    (``kith.attention.actionable``, ``with_intent``)."""
    identities = store.addresses(conn, [person_id]).get(person_id, [])
    from kith.attention.candidates import Relationship

    found = store.relationship_of(conn, person_id)
    row = None if found is None else Relationship.from_row(found)
    why = actionable.why_not(identities, row.public_share if row else None)
    if row is None or actionable.machine(identities) is not None:
        return PersonStatus(why, 0, 0)
    me = [value for _, value in store.my_identities(conn)]
    w = waiting_of(conn, [row], now, me).get(person_id, Waiting())
    horizon = now - REPLY_HORIZON_DAYS * DAY
    late = sum(1 for at in w.asks if at < horizon and at not in w.passed)
    gave = None if not w.gives else f"{w.gave}: “{w.give_cue}”" if w.give_cue else w.gave
    return PersonStatus(why, len(w.asks), late + len(w.passed), len(w.gives), gave)
