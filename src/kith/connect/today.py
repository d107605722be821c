"""``kith today``'s proposals from asks and public conversations (``kith.connect``)."""

from __future__ import annotations

from typing import Any

from kith.connect import asks, conversations
from kith.connect.profile import load_profile
from kith.connect.proposal import Proposal
from kith.store.sql import as_db


def proposals(conn: Any, now: int) -> list[Proposal]:
    """Follow-ups and thank-yous for asks (answers imported since are marked
    first), and "join this thread" / "welcome this person" for the public
    conversations about the terms of ``[profile]`` and my name."""
    db = as_db(conn)
    asks.mark_answers(db)
    found = asks.today_items(db, now)
    terms = load_profile().terms()
    row = db.first("SELECT name FROM person WHERE is_me = :yes LIMIT 1", {"yes": True})
    if row is not None and row[0] and row[0].lower() not in (t.lower() for t in terms):
        terms.insert(0, row[0])
    return found + conversations.today_items(db, terms, now)
