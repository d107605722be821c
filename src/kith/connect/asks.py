"""Asks: advice, a referral, feedback or a favour asked of my people.

``kith ask "TEXT" --to PEOPLE`` records an ask; ``--suggest`` proposes whom
to ask (``suggest``):

* **fit** — people whose own words and profile fit the ask, by ``kith
  match``'s score (``fit``; ``kith.matching.search``);
* **dormant ties** — ``DORMANT_SLOTS`` of the places go to people who were
  once two-way and have been silent for ``DORMANT_AFTER_DAYS``: reconnecting
  with them gives more novel advice than current ties, at the same trust
  (Levin, Walter & Murnighan 2011);
* **fairness** — nobody is asked more than ``MAX_ASKS_PER_QUARTER`` times in
  ``QUARTER_DAYS`` unless I gave them something since (``kith.model.GIVE_KINDS``).

Before an ask goes out I say how many I expect to say yes; people
underestimate it (Flynn & Lake 2008), and ``kith asks`` shows expected
against actual. Replies are found by the ask's subject: after each import,
``mark_answers`` marks the recipients whose message with that subject
arrived after the ask.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kith.connect.proposal import Proposal
from kith.errors import KithError
from kith.store import asks as store
from kith.store.sql import Db
from kith.units import DAY, QUARTER_DAYS

#: The kinds of ask.
ASK_KINDS = ("advice", "referral", "feedback", "favour")
#: Words that make an ask of each kind (else it is advice).
_KIND_WORDS = {
    "referral": re.compile(r"\b(refer|referral|introduc\w*|put me in touch|know anyone)\b", re.I),
    "feedback": re.compile(r"\b(feedback|review|thoughts on|what do you think|critique)\b", re.I),
    "favour": re.compile(r"\b(favou?r|could you help|can you help|lend|borrow)\b", re.I),
}
#: How many people ``--suggest`` proposes, and how many of those places go to dormant ties.
SUGGEST_COUNT = 5
DORMANT_SLOTS = 2
#: A two-way tie silent this long is dormant. Levin et al. (2011) took ties
#: dormant for three years or more; a small business's ledger rarely holds
#: that much history, so a year counts here.
DORMANT_AFTER_DAYS = 365
#: Nobody is asked more than this often in this many days, unless I gave them something since.
MAX_ASKS_PER_QUARTER = 2
#: A recipient who has not answered this many days after an ask makes a follow-up due …
ASK_FOLLOW_UP_DAYS = 5
#: … until this many days; an answer makes a thank-you due for as long, until I write.
ASK_HORIZON_DAYS = 30
#: The ask's own messages go out within this many days of recording it: a
#: message to them later than that is my writing again (no follow-up needed).
ASK_SENT_WITHIN_DAYS = 2
#: Words of the ask kept in the subject its drafts carry.
SUBJECT_WORDS = 8


def kind_of(text: str) -> str:
    """The kind of an ask from its words (advice unless it says otherwise)."""
    for kind, words in _KIND_WORDS.items():
        if words.search(text):
            return kind
    return "advice"


def subject_of(text: str) -> str:
    """The subject an ask's drafts carry (replies are matched by it)."""
    words = text.split()
    short = " ".join(words[:SUBJECT_WORDS]).rstrip("?.!,;:")
    return f"A quick ask: {short}{'…' if len(words) > SUBJECT_WORDS else ''}"


def fit(db: Db, ask: str, people: Sequence[int]) -> dict[int, float]:
    """How well each of ``people`` fits ``ask``, 0..1: ``kith match``'s score
    (``kith.matching.search``: their own words and profile, the stored vectors,
    kept fresh by the caller), 0 below its ``MIN_SCORE`` or for no words."""
    from kith.matching.audience import MIN_SCORE
    from kith.matching.search import match

    wanted = set(people)
    found = dict.fromkeys(people, 0.0)
    for m in match(db, ask, limit=max(len(wanted), 1), candidates=len(wanted) or None):
        if m.person_id in wanted and m.score >= MIN_SCORE:
            found[m.person_id] = m.score
    return found


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Someone to ask, and why."""

    person_id: int
    name: str
    fit: float
    dormant: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "name": self.name,
            "fit": round(self.fit, 4),
            "dormant": self.dormant,
            "reason": self.reason,
        }


def is_dormant(row: Mapping[str, Any], now: int) -> bool:
    """Once two-way, silent for ``DORMANT_AFTER_DAYS``."""
    last = row.get("last_contact_at")
    return (
        int(row.get("n_in") or 0) > 0
        and int(row.get("n_out") or 0) > 0
        and last is not None
        and now - int(last) >= DORMANT_AFTER_DAYS * DAY
    )


def asked_too_often(asked: Sequence[int], given: int | None) -> bool:
    """Asked ``MAX_ASKS_PER_QUARTER`` times in the quarter (``asked``: when),
    with nothing given them since the first of those asks."""
    if len(asked) < MAX_ASKS_PER_QUARTER:
        return False
    return given is None or given < min(asked)


def choose(
    rows: Sequence[Mapping[str, Any]],
    scores: Mapping[int, float],
    now: int,
    *,
    asked: Mapping[int, Sequence[int]],
    given: Mapping[int, int],
    count: int = SUGGEST_COUNT,
    dormant_slots: int = DORMANT_SLOTS,
) -> list[Suggestion]:
    """The people to ask: the best-fitting dormant ties (up to
    ``dormant_slots``), then the best-fitting others, leaving out whoever was
    asked too often (``asked_too_often``) and whoever fits not at all. Ties
    in fit go to the closer relationship (decayed contact), then the lower id."""
    allowed = [
        r
        for r in rows
        if scores.get(int(r["person_id"]), 0.0) > 0
        and not asked_too_often(asked.get(int(r["person_id"]), ()), given.get(int(r["person_id"])))
    ]
    allowed.sort(
        key=lambda r: (
            -scores[int(r["person_id"])],
            -float(r.get("decayed") or 0),
            int(r["person_id"]),
        )
    )
    dormant = [r for r in allowed if is_dormant(r, now)][:dormant_slots]
    taken = {int(r["person_id"]) for r in dormant}
    rest = [r for r in allowed if int(r["person_id"]) not in taken][: count - len(dormant)]
    picked = sorted(
        [*dormant, *rest], key=lambda r: (-scores[int(r["person_id"])], int(r["person_id"]))
    )
    found = []
    for r in picked:
        pid = int(r["person_id"])
        dormant_tie = is_dormant(r, now)
        reason = f"their words fit the ask ({scores[pid]:.2f})"
        if dormant_tie:
            years = (now - int(r["last_contact_at"])) / (365 * DAY)
            reason += f"; a dormant tie, silent {years:.1f} years: likely a fresh view"
        found.append(Suggestion(pid, r.get("name") or f"#{pid}", scores[pid], dormant_tie, reason))
    return found


def suggest(db: Db, text: str, now: int, *, count: int = SUGGEST_COUNT) -> list[Suggestion]:
    """Whom to ask ``text`` of (see the module docstring)."""
    rows = store.people_rows(db)
    if not rows:
        raise KithError(
            "no relationships to suggest from",
            hint="import mail first, then run `kith analytics refresh`, or name people with --to",
        )
    scores = fit(db, text, [int(r["person_id"]) for r in rows])
    ids = [int(r["person_id"]) for r in rows if scores.get(int(r["person_id"]), 0) > 0]
    asked = store.asked_since(db, ids, now - QUARTER_DAYS * DAY)
    given = store.last_given(db, [p for p, times in asked.items() if times])
    return choose(rows, scores, now, asked=asked, given=given, count=count)


def check_ask(text: str, people: Sequence[int], expected: int | None) -> str:
    """The ask's text, stripped; a ``KithError`` for an empty ask, nobody to
    ask, or an expectation that is not between 0 and the number asked."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise KithError("the ask is empty", hint='say what you ask: kith ask "Who knows a …?"')
    if not people:
        raise KithError("nobody to ask", hint="name people with --to, or use --suggest")
    if expected is not None and not 0 <= expected <= len(people):
        raise KithError(
            f"--expect must be between 0 and {len(people)} (the people asked), not {expected}"
        )
    return cleaned


def record(
    db: Db, text: str, people: Sequence[int], expected: int, now: int, kind: str | None = None
) -> int:
    """Store the ask; its id."""
    cleaned = check_ask(text, people, expected)
    chosen = kind or kind_of(cleaned)
    if chosen not in ASK_KINDS:
        raise KithError(f"unknown kind of ask {chosen!r}", hint="one of " + ", ".join(ASK_KINDS))
    return store.add_ask(
        db,
        text=cleaned,
        kind=chosen,
        subject=subject_of(cleaned),
        at=now,
        expected=expected,
        people=sorted(set(people)),
    )


def mark_answers(db: Db) -> int:
    """Mark the recipients whose reply to an ask has been imported (a message
    from them since the ask, with its subject); how many were marked."""
    marked = 0
    for ask_id, subject, at, pid in store.unanswered(db):
        for answer_id, when, _ in store.replies_from(db, pid, subject, at):
            store.set_answered(db, ask_id, pid, when, answer_id)
            marked += 1
            break
    return marked


def summary(ask: store.AskRow) -> dict[str, Any]:
    """One ask for ``kith asks``: who, who answered, the answer rate and the
    median hours to an answer, expected against actual yeses."""
    answered = [r for r in ask.recipients if r.answered_at is not None]
    hours = [((r.answered_at or 0) - ask.created_at) / 3600 for r in answered]
    asked = len(ask.recipients)
    return {
        "id": ask.id,
        "text": ask.text,
        "kind": ask.kind,
        "subject": ask.subject,
        "asked_at": ask.created_at,
        "asked": asked,
        "answered": len(answered),
        "answer_rate": round(len(answered) / asked, 3) if asked else None,
        "median_hours": round(statistics.median(hours), 1) if hours else None,
        "expected": ask.expected,
        "recipients": [
            {"person_id": r.person_id, "name": r.name, "answered_at": r.answered_at}
            for r in ask.recipients
        ],
    }


def items(asks: Sequence[store.AskRow], written: Mapping[int, int], now: int) -> list[Proposal]:
    """``kith today``'s ask items: a follow-up (``ask_followup``) to whoever
    has not answered ``ASK_FOLLOW_UP_DAYS`` after an ask (until
    ``ASK_HORIZON_DAYS``, and not when I wrote to them again after sending
    it: ``ASK_SENT_WITHIN_DAYS``), a thank-you (``ask_thanks``) to whoever
    answered and has not heard from me since (``written``: when I last wrote
    to each person)."""
    found: list[Proposal] = []
    for ask in asks:
        for r in ask.recipients:
            last = written.get(r.person_id, 0)
            if r.answered_at is None:
                age = now - ask.created_at
                if not ASK_FOLLOW_UP_DAYS * DAY <= age <= ASK_HORIZON_DAYS * DAY:
                    continue
                if last > ask.created_at + ASK_SENT_WITHIN_DAYS * DAY:
                    continue
                kind = "ask_followup"
                days = round(age / DAY)
                reason = f'has not answered your ask "{ask.text}" ({days} days ago)'
                due = ask.created_at + ASK_FOLLOW_UP_DAYS * DAY
            else:
                if last >= r.answered_at or now - r.answered_at > ASK_HORIZON_DAYS * DAY:
                    continue
                kind = "ask_thanks"
                days = round((now - r.answered_at) / DAY)
                reason = f'answered your ask "{ask.text}"; thank them'
                due = r.answered_at
            found.append(
                Proposal(
                    kind,
                    r.person_id,
                    r.name,
                    f"ask:{ask.id}",
                    due,
                    1.2,
                    reason,
                    {"ask": ask.text, "days": days},
                )
            )
    return found


def today_items(db: Db, now: int) -> list[Proposal]:
    """The ask items due at ``now`` (``items``), read from the ledger."""
    recent = [a for a in store.asks(db) if now - a.created_at <= 2 * ASK_HORIZON_DAYS * DAY]
    if not recent:
        return []
    people = sorted({r.person_id for a in recent for r in a.recipients})
    return items(recent, store.last_written(db, people), now)
