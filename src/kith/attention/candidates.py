"""What is worth doing for whom: candidate items from the relationship features.

Pure functions of (relationship rows, now, settings). Each candidate carries
its reason in words and what a draft needs; the scheduler decides which fit
the day. The rules are *proposals* (see SCIENCE.md): thresholds are named
here and shown in ``kith explain today``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.attention.scheduler import SECONDS_PER_DAY, Candidate

#: Minutes each kind of action takes, unless the user's settings say otherwise.
DEFAULT_MINUTES: Mapping[str, int] = {
    "reply": 5,
    "thank": 5,
    "check_in": 10,
    "welcome": 5,
    "follow_up": 5,
    "celebrate": 3,
}
#: A first contact this recent makes someone a newcomer.
NEWCOMER_DAYS = 14
#: Gives received, with none returned, that make a thank-you due.
THANK_AFTER_GIVES = 2
#: Silence this many times someone's own usual gap makes a check-in due …
COOLING_RATIO = 2.0
#: … for relationships with at least this many contact days (a rhythm to break).
MIN_CONTACT_DAYS = 4
#: The inner circle and the active ring, by decayed contact rank (Dunbar's 15 / 150).
INNER_RANK = 15
ACTIVE_RANK = 150


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
    birthday: str | None = None  # MM-DD

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


def item_id(kind: str, person_id: int, anchor: int | str) -> str:
    """Stable, short: the same due item keeps its id from day to day."""
    digest = hashlib.sha1(f"{kind}:{person_id}:{anchor}".encode()).hexdigest()[:8]
    return f"{kind[:2]}{digest}"


def tiers(relationships: Sequence[Relationship]) -> dict[int, str]:
    """inner / active / long_tail by decayed contact rank, and ``unseen`` for
    people who give and get little attention back (they would otherwise sit
    at the end of the long tail for ever)."""
    ranked = sorted(relationships, key=lambda r: (-r.decayed, r.person_id))
    found: dict[int, str] = {}
    for rank, r in enumerate(ranked):
        if r.gives_in > r.gives_out and r.n_out <= 1:
            found[r.person_id] = "unseen"
        elif rank < INNER_RANK:
            found[r.person_id] = "inner"
        elif rank < ACTIVE_RANK:
            found[r.person_id] = "active"
        else:
            found[r.person_id] = "long_tail"
    return found


def _days(seconds: float) -> int:
    return max(0, round(seconds / SECONDS_PER_DAY))


def candidates(
    relationships: Sequence[Relationship],
    now: int,
    *,
    minutes: Mapping[str, int] = DEFAULT_MINUTES,
    first_due: Mapping[str, int] | None = None,
) -> list[Item]:
    """Every item due today. ``first_due`` maps item ids to when they were
    first seen due (kept by the queue), so waiting can raise priority."""
    first_due = first_due or {}
    tier_of = tiers(relationships)
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
                tier=tier_of[r.person_id],
                minutes=int(minutes.get(kind, DEFAULT_MINUTES[kind])),
                urgency=urgency,
                due_since=first_due.get(iid, due),
                person=r.name,
                reason=reason,
                context={"name": r.name, "first_name": r.name.split()[0], **context},
            )
        )

    for r in relationships:
        newcomer = (
            r.first_contact_at is not None
            and now - r.first_contact_at <= NEWCOMER_DAYS * SECONDS_PER_DAY
        )
        if r.waiting and r.oldest_waiting_at is not None:
            waited = _days(now - r.oldest_waiting_at)
            reason = f"has waited {waited} day{'s' * (waited != 1)} for your answer"
            if r.waiting > 1:
                reason += f" ({r.waiting} messages)"
            if newcomer:
                reason += "; it is their first message to you"
            at = r.oldest_waiting_at
            add("reply", r, at, at, 1.0, reason, waited_days=waited, newcomer=newcomer)
            continue  # answering them is the contact they need
        if r.gives_in >= THANK_AFTER_GIVES and r.gives_out == 0:
            reason = (
                f"gave to you {r.gives_in} times (shares, referrals, mentions); "
                "you never answered in kind"
            )
            urgency = 1.0 + 0.2 * r.gives_in
            add("thank", r, r.gives_in, r.last_in_at or now, urgency, reason, gives=r.gives_in)
        elif newcomer and r.last_out_at is None:
            since = _days(now - (r.first_contact_at or now))
            plural = "s" * (since != 1)
            reason = f"is new: first in touch {since} day{plural} ago, not yet welcomed"
            add("welcome", r, r.first_contact_at or 0, r.first_contact_at or now, 1.5, reason)
        elif (
            r.cooling_ratio is not None
            and r.cooling_ratio >= COOLING_RATIO
            and r.contact_days >= MIN_CONTACT_DAYS
            and r.median_gap_days
        ):
            gap = max(1, round(r.median_gap_days))
            silent = round(r.silence_days or 0)
            reason = f"usually in touch every {gap} days; silent for {silent} days"
            last = max(r.last_in_at or 0, r.last_out_at or 0)
            due = int(last + r.median_gap_days * COOLING_RATIO * SECONDS_PER_DAY)
            urgency = min(r.cooling_ratio / COOLING_RATIO, 3.0)
            add("check_in", r, last, due, urgency, reason, gap_days=gap, silent_days=silent)
        if r.birthday and _within_days(r.birthday, now, 7):
            reason = f"has a birthday on {r.birthday}"
            anchor = f"{r.birthday}:{_year(now)}"
            add("celebrate", r, anchor, now, 0.8, reason, birthday=r.birthday)
    return found


def _year(now: int) -> int:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(now, UTC).year


def _within_days(month_day: str, now: int, days: int) -> bool:
    from datetime import UTC, date, datetime, timedelta

    today = datetime.fromtimestamp(now, UTC).date()
    try:
        month, day = (int(x) for x in month_day.split("-")[-2:])
    except ValueError:
        return False
    for year in (today.year, today.year + 1):
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        if timedelta(0) <= when - today <= timedelta(days=days):
            return True
    return False


def by_id(items: Iterable[Item]) -> dict[str, Item]:
    return {i.id: i for i in items}
