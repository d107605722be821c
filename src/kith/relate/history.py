"""A relationship row rebuilt from one person's contacts, as of any time.

The strength score reads a handful of ``relationship`` columns (see
``kith.relate.strength.ROW_COLUMNS``). The feature pipeline computes them for
everyone at the ledger's ``now``; ``row_as_of`` computes the same columns
from a plain list of contacts for any earlier time, in pure Python. It serves
two purposes: the strength history of one person (one small query, then a
point per month), and fitting the weights on networks that are not a ledger
(``bench/fit_strength.py``), so that the fitted weights and the shipped score
read exactly the same numbers.

Definitions match ``kith.analytics.definition`` for the columns used, with one
difference stated: ``my_replies``/``their_replies`` count contacts marked as
replies (an importer's ``is_reply``), where the pipeline matches each reply to
its parent; in data without reply markers, ``replies_by_gap`` marks a message
as a reply when it answers one from the other side within ``REPLY_WINDOW_S``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kith.units import DAY, HALF_LIFE_DAYS

#: A message sent within a day of one received from the same person answers
#: it, in data that marks no replies (the CHAOSS "time to first response" idea).
REPLY_WINDOW_S = DAY


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact with the person: when, which way (``in``/``out``), how."""

    at: int
    direction: str
    channel: str = "email"
    reply: bool = False


def replies_by_gap(contacts: Sequence[Contact], window_s: int = REPLY_WINDOW_S) -> list[Contact]:
    """``contacts`` (in time order) with ``reply`` set on each message that
    follows one from the other side within ``window_s``."""
    out: list[Contact] = []
    previous: Contact | None = None
    for c in contacts:
        answered = (
            previous is not None
            and previous.direction != c.direction
            and c.at - previous.at <= window_s
        )
        out.append(Contact(c.at, c.direction, c.channel, answered))
        previous = c
    return out


def row_as_of(
    contacts: Iterable[Contact], now: int, half_life_days: float = HALF_LIFE_DAYS
) -> dict[str, Any]:
    """The strength columns of a relationship row from ``contacts`` at or before ``now``."""
    lam = math.log(2) / (half_life_days * DAY)
    n_in = n_out = my_replies = their_replies = 0
    decayed_in = decayed_out = 0.0
    first: int | None = None
    last_in: int | None = None
    last_out: int | None = None
    channels: set[str] = set()
    for c in contacts:
        if c.at > now or c.direction not in ("in", "out"):
            continue
        w = math.exp(-lam * (now - c.at))
        first = c.at if first is None else min(first, c.at)
        channels.add(c.channel)
        if c.direction == "in":
            n_in += 1
            decayed_in += w
            last_in = c.at if last_in is None else max(last_in, c.at)
            their_replies += c.reply
        else:
            n_out += 1
            decayed_out += w
            last_out = c.at if last_out is None else max(last_out, c.at)
            my_replies += c.reply
    return {
        "computed_at": now,
        "half_life_days": half_life_days,
        "n_in": n_in,
        "n_out": n_out,
        "decayed_in": decayed_in,
        "decayed_out": decayed_out,
        "first_contact_at": first,
        "last_in_at": last_in,
        "last_out_at": last_out,
        "channels": len(channels),
        "my_replies": my_replies,
        "their_replies": their_replies,
    }


#: … and only when the ledger's history began at least this long before it:
#: someone first seen in a ledger's first weeks may be an old contact whose
#: earlier mail is not in it (a month of a mailing list's archive, say).
NEWCOMER_HISTORY_DAYS = 30


def can_tell_new(first_at: int | None, history_start: int | None) -> bool:
    """Whether the ledger can tell that someone first seen at ``first_at`` is
    new: its history (from ``history_start``) reaches ``NEWCOMER_HISTORY_DAYS``
    further back. The one rule for every "new to you" (welcomes, replies to a
    first message, newcomers in public threads)."""
    if first_at is None:
        return False
    return history_start is None or first_at - history_start >= NEWCOMER_HISTORY_DAYS * DAY
