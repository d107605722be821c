"""One person's scores with their reasons, from what the ledger holds on them.

``person_report(data, now, …)`` runs every score of ``kith.relate`` on one
person's stored relationship row and interactions (``PersonData``); the
result is plain JSON-able data, each part with a ``summary`` and its
``evidence``. ``strength_history`` gives the strength at the end of each
month. Both are pure: ``kith.store.scores`` reads their inputs (a handful of
small, indexed queries) for the CLI and the web app.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kith.relate import community as community_score
from kith.relate import cooling as cooling_score
from kith.relate import fournier as fournier_score
from kith.relate import layers, strength
from kith.relate import perception as perception_score
from kith.relate import reciprocity as reciprocity_score
from kith.relate import referrals as referral_score
from kith.relate import transactional as transactional_score
from kith.relate.data import MAX_EVENTS, Event, PersonData
from kith.relate.explain import Explanation
from kith.relate.history import Contact, row_as_of
from kith.relate.referrals import ReferralReads
from kith.units import DAY

#: The parts of ``person_report``, in the order shown: each report key with
#: its score's explanation, whose name is the word ``kith person`` shows.
PARTS: tuple[tuple[str, Explanation], ...] = (
    ("strength", strength.EXPLANATION),
    ("layer", layers.EXPLANATION),
    ("cooling", cooling_score.EXPLANATION),
    ("reciprocity", reciprocity_score.EXPLANATION),
    ("fournier", fournier_score.EXPLANATION),
    ("warmth_competence", perception_score.EXPLANATION),
    ("referrals", referral_score.EXPLANATION),
    ("community", community_score.EXPLANATION),
    ("transactional", transactional_score.EXPLANATION),
)

#: Every score, by the name ``kith explain`` takes.
SCORES: dict[str, Explanation] = {e.name: e for _, e in PARTS}


def find_score(word: str) -> Explanation | None:
    """The score a word shown by kith names (its name or an alias, any case), or None."""
    key = word.strip().lower()
    for e in SCORES.values():
        if key == e.name or key in e.aliases:
            return e
    return None


def contacts_of(events: list[Event]) -> list[Contact]:
    """The person's contacts with me (in or out), for ``history.row_as_of``."""
    return [
        Contact(e.at, e.direction, e.channel, e.reply)
        for e in events
        if e.direction in ("in", "out")
    ]


def _strength_row(data: PersonData, now: int) -> dict[str, Any]:
    row = data.row
    if row is not None and int(row["computed_at"]) <= now:
        return row
    return row_as_of(contacts_of(data.events), now)


def _contact_days(events: list[Event], now: int, days: int) -> int:
    return len(
        {e.at // DAY for e in events if e.direction in ("in", "out") and e.at > now - days * DAY}
    )


def person_report(
    data: PersonData,
    now: int,
    *,
    rank: int | None,
    ties: list[tuple[int, int]],
    referrals: ReferralReads,
    desired: fournier_score.Desired | None = None,
) -> dict[str, Any]:
    """Every score of one person as of ``now``, each with a summary and evidence.

    ``rank``: their rank among two-way relationships (``kith.relate.layers``;
    None past the widest layer); ``ties``: (interactions, last time) of their
    ties to others; ``referrals``: the reads the referral chains walk;
    ``desired``: the owner's desired profiles per role, None reads them from
    the config file (``fournier.load_desired``)."""
    row = data.row or {}
    srow = _strength_row(data, now)
    s = strength.score_row(srow, now).as_dict()
    s["evidence"] = [
        f"{c['factor']}: {c['value']} ({c['meaning']}) {c['points']:+.1f}"
        for c in s["contributions"]
    ]
    layer = layers.layer(row.get("n_in"), row.get("n_out"), rank, float(row.get("decayed") or 0.0))
    cooling = cooling_score.report(
        data.row, now, _contact_days(data.events, now, 90), _contact_days(data.events, now, 365)
    )
    wc = perception_score.warmth_competence(
        data.events, int(row.get("my_replies") or 0), row.get("my_reply_median_s")
    )
    comm = community_score.community(data.events, ties, now)
    total = int(row.get("interactions") or len(data.events))
    return {
        "person_id": data.person_id,
        "name": data.name,
        "now": now,
        #: The interactions the per-event scores read (the latest ``MAX_EVENTS``).
        "events_read": len(data.events),
        "events_total": max(total, len(data.events)),
        "strength": s,
        "layer": layer,
        "cooling": cooling,
        "reciprocity": reciprocity_score.ledger(data.events),
        "fournier": fournier_score.fournier(
            row or srow, data.events, data.facts, now, desired or fournier_score.load_desired()
        ),
        "warmth_competence": wc,
        "referrals": referral_score.referrals(
            referrals, data.person_id, data.events, data.facts, now, {data.person_id: data.name}
        ),
        "community": comm
        if comm is not None
        else {"summary": "not in a public circle", "evidence": [], "orbit_level": None},
        "transactional": transactional_score.transactional(data.events),
    }


def truncation_note(report: dict[str, Any]) -> str | None:
    """Says so when the per-event scores read only the latest interactions."""
    if report["events_read"] >= report["events_total"]:
        return None
    return (
        f"reasons from the latest {report['events_read']:,} of "
        f"{report['events_total']:,} interactions (at most {MAX_EVENTS:,} are read)"
    )


def _month_ends(first: int, now: int) -> list[int]:
    start = datetime.fromtimestamp(first, UTC)
    year, month = start.year, start.month
    out = []
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        t = int(datetime(year, month, 1, tzinfo=UTC).timestamp()) - 1
        if t >= now:
            break
        out.append(t)
    out.append(now)
    return out


def strength_history(events: list[Event], now: int) -> list[dict[str, Any]]:
    """The strength at the end of each month since the first contact, and at ``now``."""
    contacts = contacts_of(events)
    if not contacts:
        return []
    points = []
    for t in _month_ends(contacts[0].at, now):
        result = strength.score_row(row_as_of(contacts, t), t)
        points.append({"at": t, "score": result.score, "state": result.state})
    return points
