"""Introduction suggestions (``kith introduce --suggest``) on a small hand-made
ledger with fixed dates — a pair that already talks is never suggested, nor a
pair through a cold tie, and nobody takes every line — and on the sample
world, whose planted complementary pairs must come out near the top."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kith.connect.suggest import MAX_PER_PERSON, SHARED_PEAK, inverted_u, suggest
from kith.model import IdentityRef, Kind
from kith.store import repository
from kith.store.db import open_store
from kith.store.sql import using
from tests.test_today import ME, Ledger, at, mine, record, write

D = date(2026, 3, 10)

ASKS = {
    "ana": "Could you recommend a bookkeeper? Our bookkeeping is a mess since we sell abroad.",
    "cy": "Do you know a bookkeeper? I need help with bookkeeping for the shop abroad.",
    "eli": "Do you know anyone who does letterpress printing for wedding invitations?",
    "gil": "Do you know someone for web design? Our shop needs a new web design.",
    "hal": "Could you recommend a web design studio? We want a web design refresh.",
    "ivy": "Do you know a person who does web design for small shops?",
}
OFFERS = {
    "bo": "I now take on bookkeeping clients: monthly books and VAT for shops abroad.",
    "dee": "We now do letterpress printing in house: wedding invitations and cards.",
    "wes": "Our studio does web design for small shops, from sketches to launch.",
}


def person(key: str) -> IdentityRef:
    return IdentityRef("email", f"{key}@{key}.test", f"{key.title()} Test")


def exchanges(key: str, text: str, days_ago: list[int]) -> list:
    """Their message (``text``) and my answer, once for each of ``days_ago``."""
    them = person(key)
    out = []
    for n, days in enumerate(days_ago):
        sid = f"{key}-{n}"
        when = at(D, days)
        out.append(replace(record(sid, when, them, mine(), subject=f"Hello {n}"), body=text))
        answer = record(
            f"{sid}-re", when + 3600, mine(), them, kind=Kind.REPLY,
            subject=f"Re: Hello {n}", refs=(sid,),
        )  # fmt: skip
        out.append(replace(answer, body="Thank you, good to hear from you."))
    return out


@pytest.fixture
def ledger(db_url: str):
    engine = open_store(db_url)
    repository.add_me(engine, "email", ME, name="Sam Rivera", now=at(D, 500))
    records = []
    for key, text in {**ASKS, **OFFERS}.items():
        if key != "dee":
            records += exchanges(key, text, [60, 30, 10])
    # Dee offers what Eli asks for, but we last wrote 400 days ago: a cold tie.
    records += exchanges("dee", OFFERS["dee"], [460, 430, 400])
    # Cy and Bo already write to each other, without me.
    direct = replace(
        record("cy-bo", at(D, 20), person("cy"), person("bo"), subject="Books"),
        body="Thanks for the help with the books.",
    )
    records.append(direct)
    write(engine, records, now=at(D, 1))
    book = Ledger(db_url, engine)
    book.refresh(D)
    yield book
    engine.dispose()


def pairs(found) -> set[frozenset[str]]:
    return {frozenset((s.a[1].split()[0].lower(), s.b[1].split()[0].lower())) for s in found}


def now() -> int:
    return at(D, 0, hour=23)


def test_an_ask_meets_an_offer(ledger: Ledger):
    with using(ledger.engine) as db:
        found = suggest(db, now(), limit=20)
    assert frozenset(("ana", "bo")) in pairs(found)
    first = next(s for s in found if {s.a[1], s.b[1]} == {"Ana Test", "Bo Test"})
    assert any("Ana Test asks for what Bo Test offers" in r for r in first.reasons)
    quotes = {e["what"]: e for e in first.evidence if "quote" in e}
    assert "bookkeep" in quotes["asks"]["quote"].lower()
    assert quotes["asks"]["date"] == "2026-02-28"  # her newest ask, ten days before
    assert "bookkeeping" in quotes["offers"]["quote"]


def test_a_pair_already_talking_is_never_suggested(ledger: Ledger):
    with using(ledger.engine) as db:
        found = suggest(db, now(), limit=50)
        only_cy = suggest(db, now(), for_person=_id(db, "cy"), limit=50)
    assert frozenset(("bo", "cy")) not in pairs(found)
    assert frozenset(("bo", "cy")) not in pairs(only_cy)


def test_no_suggestion_through_a_cold_tie(ledger: Ledger):
    with using(ledger.engine) as db:
        found = suggest(db, now(), limit=50)
        for_dee = suggest(db, now(), for_person=_id(db, "dee"), limit=50)
    assert not any("dee" in p for p in pairs(found))
    assert for_dee == []


def test_nobody_takes_more_than_their_share_but_for_asks_them_all(ledger: Ledger):
    with using(ledger.engine) as db:
        found = suggest(db, now(), limit=50)
        for_wes = suggest(db, now(), for_person=_id(db, "wes"), limit=50)
    with_wes = [p for p in pairs(found) if "wes" in p]
    assert len(with_wes) == MAX_PER_PERSON
    assert {frozenset(("wes", k)) for k in ("gil", "hal", "ivy")} <= pairs(for_wes)


def test_the_inverted_u_peaks_at_a_few_shared_people():
    assert inverted_u(SHARED_PEAK) == 1.0
    assert inverted_u(0) < inverted_u(1) < inverted_u(SHARED_PEAK)
    assert inverted_u(12) < inverted_u(SHARED_PEAK)


def test_cli_json_shape_and_bad_for(ledger: Ledger):
    out = ledger.run("introduce", "--suggest", "--date", D.isoformat(), "--json").output
    data = json.loads(out)
    first = data["suggestions"][0]
    assert set(first) >= {"a", "b", "score", "reasons", "evidence"}
    assert set(first["a"]) == {"id", "name"}
    missing = ledger.run("introduce", "--suggest", "--for", "nobody@nowhere.test", ok=False)
    assert missing.exit_code != 0
    assert "nobody matches 'nobody@nowhere.test'" in missing.output


def test_a_merged_away_person_is_refused_by_name(ledger: Ledger):
    with using(ledger.engine) as db:
        ana, gil = _id(db, "ana"), _id(db, "gil")
    repository.merge_people(ledger.engine, ana, gil, reason="test", now=at(D, 0))
    result = ledger.run("introduce", "--suggest", "--for", f"#{gil}", ok=False)
    assert result.exit_code != 0
    assert f"#{gil} (Gil Test) was merged into #{ana}" in result.output


def _id(db, key: str) -> int:
    return int(
        db.scalar("SELECT person_id FROM identity WHERE value = :v", {"v": f"{key}@{key}.test"})
    )


def test_the_sample_worlds_complementary_pairs_come_out_near_the_top(tmp_path: Path):
    from kith.demo import build_demo

    result = build_demo(tmp_path / "demo", today=False)
    from kith.analytics.refresh import refresh

    refresh(result.engine, now=result.now, mirror_path=None)
    planted = json.loads((tmp_path / "demo" / "truth.json").read_text())["patterns"][
        "complementary_pairs"
    ]
    assert len(planted) == 4
    with using(result.engine) as db:
        found = suggest(db, result.now, limit=10)
        emails = {
            int(pid): value
            for pid, value in db.rows("SELECT person_id, value FROM identity WHERE kind = 'email'")
        }
    top = {frozenset((emails[s.a[0]], emails[s.b[0]])) for s in found}
    for pair in planted:
        assert frozenset(pair.split()) in top, pair
    result.engine.dispose()
