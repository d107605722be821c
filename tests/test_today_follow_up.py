"""Follow-ups in ``kith today``: a question of mine left unanswered, and an
introduction I have not acted on. Fixed dates; SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kith.model import IdentityRef, InteractionRecord, Kind, Participant, Role
from kith.store import repository
from kith.store.db import open_store
from tests.test_today import ME, D, Ledger, at, exchange, mine, record, write

GUS = IdentityRef("email", "gus@g.test", "Gus Moreau")
ANA = IdentityRef("email", "ana@x.test", "Ana Lima")
HANA = IdentityRef("email", "hana@h.test", "Hana Sato")
IDA = IdentityRef("email", "ida@i.test", "Ida Novak")


def mail(sid: str, when: int, sender: IdentityRef, to: IdentityRef, subject: str, body: str):
    return replace(record(sid, when, sender, to, subject=subject), body=body)


def intro(sid: str, when: int, giver: IdentityRef, newcomer: IdentityRef) -> InteractionRecord:
    r = record(sid, when, giver, mine(), kind=Kind.INTRO, subject="Meet Hana")
    return replace(r, participants=(*r.participants, Participant(Role.CC, newcomer)))


@pytest.fixture
def ledger(db_url: str):
    engine = open_store(db_url)
    repository.add_me(engine, "email", ME, name="Sam Rivera", now=at(D, 200))
    records = []
    # Gus: known; nine days ago I asked him something; no answer since.
    records += exchange("ana", "ana-1", at(D, 80), "Hello")
    records.append(mail("gus-0", at(D, 40), GUS, mine(), "Contract", "Here is the draft."))
    records.append(
        mail("gus-1", at(D, 9), mine(), GUS, "Re: Contract",
             "Thanks Gus.\n\nCould you send the signed copy by Friday?\n\n> Here is the draft.")
    )  # fmt: skip
    # Ida: I wrote nine days ago too, but asked nothing: no follow-up.
    records.append(mail("ida-0", at(D, 30), IDA, mine(), "Talk", "Loved the talk."))
    records.append(mail("ida-1", at(D, 9), mine(), IDA, "Re: Talk", "Thank you, Ida!"))
    # Hana: Ana introduced her five days ago; I have not written to Hana.
    records.append(intro("intro-1", at(D, 5), ANA, HANA))
    write(engine, records, now=at(D, 1))
    book = Ledger(db_url, engine)
    book.refresh(D)
    yield book
    engine.dispose()


def by_person(day: dict) -> dict[str, dict]:
    return {i["person"]: i for i in day["items"]}


def test_an_unanswered_question_and_an_introduction_make_follow_ups(ledger: Ledger):
    items = by_person(ledger.today(D, "--minutes", "120"))
    assert items["Gus Moreau"]["kind"] == "follow_up"
    assert items["Gus Moreau"]["reason"] == (
        'has not answered your question "Could you send the signed copy by Friday?" (9 days ago)'
    )
    assert "Could you send the signed copy by Friday?" in items["Gus Moreau"]["draft"]
    assert items["Hana Sato"]["kind"] == "follow_up"
    assert items["Hana Sato"]["reason"] == (
        "was introduced to you by Ana Lima 5 days ago; you have not written yet"
    )
    assert "Ana put us in touch" in items["Hana Sato"]["draft"]
    assert "Ida Novak" not in items  # I asked her nothing


def test_a_question_is_not_followed_up_too_early_or_too_late(ledger: Ledger):
    # Six days after the question: not yet; 31 days after: let go.
    early = by_person(ledger.today(D - timedelta(days=3), "--minutes", "120"))
    assert "Gus Moreau" not in early
    assert early["Hana Sato"]["kind"] == "follow_up"
    late = by_person(ledger.today(D + timedelta(days=22), "--minutes", "120"))
    assert "Gus Moreau" not in late


def test_an_answer_or_done_ends_the_follow_up(ledger: Ledger):
    gus = by_person(ledger.today(D, "--minutes", "120"))["Gus Moreau"]
    ledger.run("done", gus["id"], "--date", D.isoformat(), "--note", "nudged")
    assert "Gus Moreau" not in by_person(ledger.today(D, "--minutes", "120"))
    # Gus answers the next day with what I asked for: a thank-you is due, not a follow-up.
    write(
        ledger.engine,
        [mail("gus-2", at(D, -1, 10), GUS, mine(), "Re: Contract", "Here is the signed copy.")],
        now=at(D, -1),
    )
    ledger.refresh(D + timedelta(days=1))
    later = by_person(ledger.today(D + timedelta(days=1), "--minutes", "120"))
    assert later["Gus Moreau"]["kind"] == "thank"  # he gave what I asked for
    assert later["Gus Moreau"]["reason"] == (
        'sent you something 1 day ago: "Here is the signed copy."; not yet thanked'
    )
