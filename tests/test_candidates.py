"""Each kind of item appears for the right reason (fixed dates)."""

from __future__ import annotations

from kith.attention.candidates import Relationship, candidates, item_id, tiers

NOW = 1_800_000_000
DAY = 86_400


def rel(pid, **kw):
    return Relationship(person_id=pid, name=f"Person {pid}", **kw)


def kinds(items):
    return {(i.kind, i.person_id) for i in items}


def test_a_waiting_message_asks_for_a_reply_and_flags_a_newcomer():
    items = candidates(
        [rel(1, waiting=2, oldest_waiting_at=NOW - 3 * DAY, first_contact_at=NOW - 3 * DAY)],
        NOW,
    )
    (reply,) = items
    assert reply.kind == "reply"
    assert reply.reason == (
        "has waited 3 days for your answer (2 messages); it is their first message to you"
    )
    assert reply.due_since == NOW - 3 * DAY
    assert reply.minutes == 5


def test_gives_never_returned_ask_for_thanks():
    (thank,) = candidates([rel(2, gives_in=6, gives_out=0, last_in_at=NOW - DAY)], NOW)
    assert thank.kind == "thank"
    assert "gave to you 6 times" in thank.reason
    assert "you never answered in kind" in thank.reason
    assert candidates([rel(2, gives_in=6, gives_out=1)], NOW) == []


def test_a_newcomer_nobody_answered_is_welcomed():
    (welcome,) = candidates([rel(3, first_contact_at=NOW - 2 * DAY, n_in=1)], NOW)
    assert welcome.kind == "welcome"
    assert welcome.reason == "is new: first in touch 2 days ago, not yet welcomed"


def test_cooling_against_their_own_rhythm():
    cooling = rel(
        4, contact_days=12, median_gap_days=7.0, silence_days=30.0, cooling_ratio=30 / 7,
        last_in_at=NOW - 30 * DAY, n_in=6, n_out=6, first_contact_at=NOW - 120 * DAY,
    )  # fmt: skip
    (check,) = candidates([cooling], NOW)
    assert check.kind == "check_in"
    assert check.reason == "usually in touch about weekly; silent for 30 days"
    steady = rel(5, contact_days=12, median_gap_days=7.0, silence_days=8.0, cooling_ratio=8 / 7)
    assert candidates([steady], NOW) == []


def test_a_birthday_this_week_is_celebrated():
    from datetime import UTC, datetime, timedelta

    soon = (datetime.fromtimestamp(NOW, UTC) + timedelta(days=3)).strftime("%m-%d")
    (party,) = candidates([rel(6, birthday=soon)], NOW)
    assert party.kind == "celebrate"
    later = (datetime.fromtimestamp(NOW, UTC) + timedelta(days=30)).strftime("%m-%d")
    assert candidates([rel(6, birthday=later)], NOW) == []


def test_ids_are_stable_and_first_due_is_kept():
    r = rel(1, waiting=1, oldest_waiting_at=NOW - DAY)
    first = candidates([r], NOW)[0]
    again = candidates([r], NOW + 5 * DAY)[0]
    assert first.id == again.id == item_id("reply", 1, NOW - DAY)
    thank = rel(2, gives_in=3, last_in_at=NOW)
    tid = candidates([thank], NOW)[0].id
    assert candidates([thank], NOW + 9 * DAY, first_due={tid: NOW})[0].due_since == NOW


def test_tiers_by_two_way_layer_and_the_unseen():
    rels = [rel(i, decayed=100.0 - i, n_in=3, n_out=5) for i in range(200)]
    rels.append(rel(999, decayed=0.1, gives_in=3, n_out=0))
    rels.append(rel(1000, decayed=500.0, n_in=40, n_out=0))  # a fan: one way only
    t = tiers(rels, NOW)
    assert t[0] == "inner" and t[14] == "inner" and t[15] == "active"
    assert t[149] == "active" and t[150] == "long_tail"
    assert t[999] == "unseen"
    assert t[1000] == "long_tail"


def test_a_newcomer_is_only_new_when_the_ledger_reaches_further_back():
    from kith.relate.history import NEWCOMER_HISTORY_DAYS, can_tell_new

    first = NOW - 2 * DAY
    r = rel(3, first_contact_at=first, n_in=1)
    # The ledger began a week before they first wrote: they may be an old contact.
    assert candidates([r], NOW, history_start=first - 7 * DAY) == []
    (welcome,) = candidates([r], NOW, history_start=first - NEWCOMER_HISTORY_DAYS * DAY)
    assert welcome.kind == "welcome"
    assert can_tell_new(first, None) and not can_tell_new(None, first)
