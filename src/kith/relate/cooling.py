"""Cooling: silent for twice one's own usual gap, with a rhythm to break.

The one rule every surface uses (``kith relationships``, ``kith person``, the
web app's People and Person pages, the daily queue's check-ins): a
relationship is *cooling* at ``now`` when

    (now − last contact) / median gap between contact days ≥ ``COOLING_RATIO``

and it has a rhythm (at least ``MIN_CONTACT_DAYS`` contact days and
``MIN_THREADS`` separate conversations) and is not cold (silent at most
``COLD_AFTER_DAYS``). It is computed from the raw times of the stored row, so
a row refreshed days ago is read as of ``now``.

Source: docs/science.md's *proposal* ("cooling" against one's own rhythm); the
ratio 2 and the thresholds are ours, measured on the sample world (see
``docs/design.md``, "Today" and "The scores"). The proposal's other reading —
the 90-day contact rate falling a layer below the 365-day rate — needs
contact days by window, which the stored row does not keep; the person
report shows it as the rhythm's evidence (``kith.relate.layers.rhythm``),
not as a second meaning of cooling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kith.relate import layers
from kith.relate.explain import Explanation
from kith.units import DAY

#: Silence of this many usual gaps counts as cooling (and makes a check-in due).
COOLING_RATIO = 2.0
#: … for relationships with at least this many contact days (a rhythm to break).
MIN_CONTACT_DAYS = 4
#: … and at least this many separate conversations (threads): a burst of
#: messages over a few days is not a rhythm. Measured on the sample world:
#: with it, 25 check-ins for its 11 planted cooling relationships (all found);
#: without it, 82 (the median gap of a burst is a day, so any silence "cools").
MIN_THREADS = 5
#: … and at least this many exchanges each way (messages in and out, the fewer
#: of the two): a rhythm is two-way, not a stream of their mail or mine.
MIN_EXCHANGES = 3
#: … spread over at least this many days from first to last contact: a burst of
#: daily mail over a fortnight is not "in touch every day" (the sample world and
#: the X archive both showed "every 1 days" from one busy week).
MIN_RHYTHM_SPAN_DAYS = 30
#: … and regular: the mean gap between contact days (first to last contact over
#: the gaps between them) at most this many times the median gap. Contact in
#: clusters far apart has a short median gap inside each cluster and no rhythm
#: across them (an Enron colleague written to in two bursts a year apart: a
#: 10-day median gap, a 50-day mean, "about weekly" where there was no week).
MAX_IRREGULARITY = 3.0
#: Silent longer than this, a relationship is cold, not cooling: reviving it
#: is not a daily check-in (``kith audit attention`` counts them).
COLD_AFTER_DAYS = 365


def silence_days(last_contact_at: int | None, now: int) -> float | None:
    """Days since the last contact either way (None: never in contact)."""
    return None if last_contact_at is None else (now - int(last_contact_at)) / DAY


def ratio(last_contact_at: int | None, median_gap_days: float | None, now: int) -> float | None:
    """Silence in usual gaps (None without a usual gap)."""
    silent = silence_days(last_contact_at, now)
    if silent is None or not median_gap_days or median_gap_days <= 0:
        return None
    return silent / float(median_gap_days)


def has_rhythm(
    contact_days: int | None,
    threads: int | None,
    *,
    exchanges: int | None = None,
    span_days: float | None = None,
    median_gap_days: float | None = None,
) -> bool:
    """Enough contact days, conversations, exchanges each way (``exchanges``:
    the fewer of messages in and out) and days from first to last contact
    (``span_days``) to speak of a rhythm, and contact regular enough
    (``MAX_IRREGULARITY``, with ``median_gap_days``). A count that is None (not
    known) is not held against it."""
    days = int(contact_days or 0)
    if days < MIN_CONTACT_DAYS:
        return False
    if exchanges is not None and exchanges < MIN_EXCHANGES:
        return False
    if span_days is not None and span_days < MIN_RHYTHM_SPAN_DAYS:
        return False
    if (
        span_days is not None
        and median_gap_days
        and span_days / (days - 1) > MAX_IRREGULARITY * float(median_gap_days)
    ):
        return False
    return threads is None or int(threads) >= MIN_THREADS


def rhythm_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """``has_rhythm``'s arguments from a ``relationship`` row (``contact_days``,
    ``threads``, ``n_in``, ``n_out``, ``first_contact_at``, ``last_contact_at``,
    ``median_gap_days``; a column the row lacks is not known)."""
    n_in, n_out = row.get("n_in"), row.get("n_out")
    first, last = row.get("first_contact_at"), row.get("last_contact_at")
    return {
        "contact_days": row.get("contact_days"),
        "threads": row.get("threads"),
        "exchanges": None if n_in is None or n_out is None else min(int(n_in), int(n_out)),
        "span_days": None if first is None or last is None else (last - first) / DAY,
        "median_gap_days": row.get("median_gap_days"),
    }


#: A usual gap in the words a person would use: (at most this many days, words).
GAP_WORDS = (
    (1.5, "about daily"),
    (4.5, "every few days"),
    (10.0, "about weekly"),
    (20.0, "every couple of weeks"),
    (45.0, "about monthly"),
    (120.0, "every few months"),
    (270.0, "about twice a year"),
)


def gap_words(median_gap_days: float) -> str:
    """ "about weekly", "every few months" … for a usual gap in days."""
    for most, words in GAP_WORDS:
        if median_gap_days <= most:
            return words
    return "about once a year"


def check(
    *,
    contact_days: int | None,
    threads: int | None,
    median_gap_days: float | None,
    last_contact_at: int | None,
    now: int,
    exchanges: int | None = None,
    span_days: float | None = None,
) -> tuple[float, float] | None:
    """(days silent, silence / usual gap) when the relationship is cooling at
    ``now``, else None (``has_rhythm`` for the rhythm)."""
    if not has_rhythm(
        contact_days,
        threads,
        exchanges=exchanges,
        span_days=span_days,
        median_gap_days=median_gap_days,
    ):
        return None
    r = ratio(last_contact_at, median_gap_days, now)
    silent = silence_days(last_contact_at, now)
    if r is None or silent is None or r < COOLING_RATIO or silent > COLD_AFTER_DAYS:
        return None
    return silent, r


def is_cooling(row: Mapping[str, Any], now: int) -> bool:
    """``check`` on a ``relationship`` row (``rhythm_of``'s columns)."""
    return check(last_contact_at=row.get("last_contact_at"), now=now, **rhythm_of(row)) is not None


def report(row: Mapping[str, Any] | None, now: int, days_90: int, days_365: int) -> dict[str, Any]:
    """The rule on one person's row as of ``now``, with its evidence: the
    silence against the usual gap, the rhythm, and contact days per month in
    the last 90 and 365 days (``days_90``, ``days_365``: contact days)."""
    row = row or {}
    last, gap = row.get("last_contact_at"), row.get("median_gap_days")
    contact_days, threads = row.get("contact_days"), row.get("threads")
    silent = silence_days(last, now)
    r = ratio(last, gap, now)
    cooling = is_cooling(row, now)
    rhythm = layers.rhythm(days_90, days_365)
    evidence = [
        f"{days_90} contact days in the last 90 days "
        f"({rhythm['rate_90']:.1f}/month: layer {rhythm['layer_90']})",
        f"{days_365} in the last 365 ({rhythm['rate_365']:.1f}/month: layer {rhythm['layer_365']})",
    ]
    if silent is not None and gap:
        evidence.append(
            f"silent {silent:.0f} days; usual gap {float(gap):.0f} days"
            + (f" ({r:.1f}×)" if r is not None else "")
        )
    if cooling:
        summary = f"cooling: silent {r:.1f}× the usual gap"
    elif not has_rhythm(**rhythm_of(row)):
        summary = (
            f"no rhythm to break yet ({int(contact_days or 0)} contact days, "
            f"{int(threads or 0)} conversations"
            + (", irregular" if has_rhythm(contact_days, threads) else "")
            + ")"
        )
    elif silent is not None and silent > COLD_AFTER_DAYS:
        summary = f"cold: silent {silent:.0f} days"
    else:
        summary = "steady against their own rhythm"
    return {
        "cooling": cooling,
        **rhythm,
        "cooling_ratio": None if r is None else round(r, 2),
        "summary": summary,
        "evidence": evidence,
    }


EXPLANATION = Explanation(
    name="cooling",
    title="cooling: silent for twice their own usual gap",
    formula=(
        f"cooling when silence / median gap between contact days ≥ {COOLING_RATIO:g},\n"
        f"with ≥ {MIN_CONTACT_DAYS} contact days, ≥ {MIN_THREADS} conversations,\n"
        f"≥ {MIN_EXCHANGES} messages each way, ≥ {MIN_RHYTHM_SPAN_DAYS} days from first to\n"
        f"last contact and a mean gap ≤ {MAX_IRREGULARITY:g}× the median (a rhythm),\n"
        f"and silent ≤ {COLD_AFTER_DAYS} days (else cold). Computed as of now from the\n"
        "stored row's last contact and usual gap."
    ),
    source=("a proposal of ours: cooling against one's own rhythm. The thresholds are ours."),
    status=(
        "proposal. One rule for the lists, the person report, the web app and the daily\n"
        "queue's check-ins."
    ),
    validation=(
        "on the sample world (seed 7) the rule makes 25 check-ins for the 11 planted cooling\n"
        "relationships, all found (82 without the conversations threshold); tests: planted\n"
        "cooling people are flagged more often than steady ones (tests/test_relate.py)."
    ),
    notes="Cooling",
)
