"""What the scores read about one person, as plain data.

``kith.store.scores`` reads them (one person's relationship row, their
interactions with me, their facts) and builds the ``Event`` list with
``events_from_rows``; every score of ``kith.relate`` is a pure function of
what it returns and ``now``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kith.relate.strength import ROW_COLUMNS

#: The relationship columns the report reads.
RELATIONSHIP_COLUMNS = (
    "person_id",
    *ROW_COLUMNS,
    "interactions",
    "n_among",
    "n_purchase",
    "decayed",
    "first_at",
    "last_at",
    "last_contact_at",
    "active_days",
    "contact_days",
    "median_gap_days",
    "my_reply_median_s",
    "their_reply_median_s",
    "waiting",
    "gives_in",
    "gives_out",
    "sentiment_n",
    "sentiment_mean",
    "negative_share",
    "public_share",
    "threads",
    "threads_started",
    "started_share",
)


@dataclass(frozen=True, slots=True)
class Event:
    """One interaction the person took part in, as the scores need it."""

    id: int
    at: int
    direction: str
    channel: str
    kind: str
    reply: bool
    authored: bool  # they wrote it (role from/sender)
    public: bool
    tz_offset_min: int | None
    extra: dict[str, Any]
    body: str | None


@dataclass
class PersonData:
    person_id: int
    name: str | None
    row: dict[str, Any] | None
    events: list[Event] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


#: At most this many of a person's latest interactions are read for the
#: scores that need each one (the counts come from the stored row): a list
#: address with 175k interactions took 10 s to read whole on the bench ledger.
MAX_EVENTS = 20_000


def parse_extra(text: Any) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def events_from_rows(rows: list[tuple[Any, ...]], limit: int) -> list[Event]:
    """Events from one row per (interaction, role), newest first — id, time,
    direction, channel, kind, is_reply, role, circle visibility, time zone
    offset, extra (JSON), body — read with at most ``limit`` rows; oldest first."""
    merged: dict[int, list[Any]] = {}
    for xid, at, direction, channel, kind, is_reply, role, visibility, tz, extra, body in rows:
        authored = role in ("from", "sender")
        seen = merged.get(xid)
        if seen is not None:
            seen[6] = seen[6] or authored
            continue
        data = parse_extra(extra)
        merged[xid] = [
            int(xid),
            int(at),
            str(direction),
            str(channel),
            str(kind),
            bool(is_reply),
            authored,
            visibility == "public" or data.get("visibility") == "public",
            None if tz is None else int(tz),
            data,
            body,
        ]
    kept = list(merged.values())
    if len(rows) == limit and len(kept) > 1:
        kept.pop()  # the oldest may have lost a role to the limit
    return [Event(*fields) for fields in reversed(kept)]
