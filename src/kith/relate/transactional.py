"""Transactional pattern: contact only around purchases.

share = contacts (in or out, not the purchase or its referral itself) within
``WINDOW_DAYS`` of one of their purchases / all such contacts. The pattern
holds when they bought at least once, there were at least ``MIN_CONTACTS``
contacts, and the share is at least ``THRESHOLD``: the relationship lives on
orders (a receipt, a question about delivery) and is silent between them.

Source: ours — a rule on the ledger, not a published measure. It answers the
question in ARCHITECTURE.md (which connections count: not only purchases).
"""

from __future__ import annotations

import bisect
from typing import Any

from kith.relate.data import Event
from kith.relate.explain import Explanation
from kith.units import DAY

WINDOW_DAYS = 7
MIN_CONTACTS = 3
THRESHOLD = 0.8
_ORDER_KINDS = ("purchase", "referral")


def transactional(events: list[Event]) -> dict[str, Any]:
    """The share of contacts near a purchase, and whether the pattern holds."""
    bought = sorted(e.at for e in events if e.kind == "purchase" and e.authored)
    contacts = [e.at for e in events if e.direction in ("in", "out") and e.kind not in _ORDER_KINDS]
    if not bought:
        return {
            "transactional": False,
            "purchases": 0,
            "contacts": len(contacts),
            "share_near_purchase": None,
            "summary": "no purchases",
            "evidence": [],
        }
    near = 0
    for t in contacts:
        k = bisect.bisect_left(bought, t - WINDOW_DAYS * DAY)
        near += k < len(bought) and bought[k] <= t + WINDOW_DAYS * DAY
    share = near / len(contacts) if contacts else None
    holds = share is not None and len(contacts) >= MIN_CONTACTS and share >= THRESHOLD
    if share is None:
        summary = f"{len(bought)} purchases and no other contact"
    elif holds:
        summary = (
            f"transactional: {near} of {len(contacts)} contacts "
            f"within {WINDOW_DAYS} days of a purchase"
        )
    else:
        summary = f"not only around purchases: {near} of {len(contacts)} contacts near one"
    return {
        "transactional": holds,
        "purchases": len(bought),
        "contacts": len(contacts),
        "share_near_purchase": None if share is None else round(share, 2),
        "summary": summary,
        "evidence": [
            f"{len(bought)} purchases; {len(contacts)} other contacts, {near} near a purchase"
        ],
    }


EXPLANATION = Explanation(
    name="transactional",
    title="contact only around purchases",
    formula=(
        f"share = contacts within ±{WINDOW_DAYS} days of a purchase / all contacts (not the\n"
        f"purchases themselves); the pattern holds with ≥ 1 purchase, ≥ {MIN_CONTACTS} contacts,\n"
        f"share ≥ {THRESHOLD:g}."
    ),
    source="ours: a rule on the ledger, not a published measure.",
    status="ours; window and threshold are choices.",
    validation="tests: contacts placed near and far from purchases give the share expected.",
    notes="Purchases (transactional)",
    aliases=("purchases",),
)
