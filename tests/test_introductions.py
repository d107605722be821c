"""Introductions, double opt-in (kith.connect.introductions): the steps, bad
input, mail moving them on after an import, and their yield."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from kith.cli import cli
from kith.config import Settings
from kith.connect import introductions as intro
from kith.importing import import_paths
from kith.store import introductions as store
from kith.store import repository
from kith.store.sql import using

ME = "sam@rivera.studio"
ANA = "ana@lima.org"
BO = "bo@chen.org"
CY = "cy@ortiz.org"


def ts(month: int, day: int, year: int = 2025) -> int:
    return int(datetime(year, month, day, 10, tzinfo=UTC).timestamp())


def message(
    mid: str,
    when: int,
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    cc: str = "",
    reply_to: str | None = None,
) -> str:
    date = datetime.fromtimestamp(when, UTC)
    refs = f"In-Reply-To: <{reply_to}@x>\nReferences: <{reply_to}@x>\n" if reply_to else ""
    return (
        f"From {sender} {date.strftime('%a %b %d %H:%M:%S %Y')}\n"
        f"From: {sender}\nTo: {to}\n"
        + (f"Cc: {cc}\n" if cc else "")
        + f"Subject: {subject}\nDate: {date.strftime('%a, %d %b %Y %H:%M:%S +0000')}\n"
        f"Message-ID: <{mid}@x>\n{refs}\n{body}\n\n"
    )


def load(engine, tmp_path: Path, name: str, mail: str, now: int) -> None:
    path = tmp_path / name
    path.write_text(mail)
    summaries = import_paths(engine, [path], Settings(), now=now)
    assert all(s.ok for s in summaries), summaries


#: Before anything: everyone has written with me once.
HELLO = (
    message("h1", ts(1, 10), f"Ana Lima <{ANA}>", ME, "Hello", "Hi Sam.")
    + message("h2", ts(1, 11), f"Bo Chen <{BO}>", ME, "Hello", "Hi Sam.")
    + message("h3", ts(1, 12), f"Cy Ortiz <{CY}>", ME, "Hello", "Hi Sam.")
)


@pytest.fixture
def people(engine, tmp_path):
    repository.add_me(engine, "email", ME, name="Sam Rivera", now=0)
    load(engine, tmp_path, "hello.mbox", HELLO, ts(1, 20))
    with using(engine) as db:
        from kith.store.reads import find_person

        return {e: find_person(db, e) for e in (ANA, BO, CY)}


def test_the_steps_go_in_order_and_are_recorded(engine, people):
    a, b = people[ANA], people[BO]
    with using(engine, write=True) as db:
        row = intro.start(db, a, b, now=ts(2, 1), note="both bake")
        assert (row.state, row.note) == ("proposed", "both bake")
        assert intro.next_step(row, ts(2, 1)).words == (
            "ask Ana Lima whether they would like to meet Bo Chen"
        )
        with pytest.raises(intro.IntroductionError, match="cannot take 'made'"):
            intro.advance(db, row.id, "made", now=ts(2, 2))
        for event, state in [
            ("ask", "asked_a"),
            ("agreed", "a_agreed"),
            ("ask", "asked_b"),
            ("agreed", "b_agreed"),
            ("made", "made"),
        ]:
            row = intro.advance(db, row.id, event, now=ts(2, 2))
            assert row.state == state
        assert [s.state for s in store.steps(db, row.id)] == [
            "proposed",
            "asked_a",
            "a_agreed",
            "asked_b",
            "b_agreed",
            "made",
        ]
        assert intro.next_step(row, ts(2, 10)) is None
        assert intro.next_step(row, ts(3, 10)).key == "check"


def test_a_no_from_a_ends_it_before_b_is_asked(engine, people):
    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(2, 1))
        row = intro.advance(db, row.id, "declined", now=ts(2, 2))
        assert row.state == "a_declined"
        assert intro.next_step(row, ts(2, 3)) is None
        # ended: the pair may be proposed again
        assert intro.start(db, people[ANA], people[BO], now=ts(2, 4)).state == "proposed"


def count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM introduction")).scalar_one())


def test_someone_to_themselves_is_refused(engine, people):
    with (
        using(engine, write=True) as db,
        pytest.raises(intro.IntroductionError, match="Ana Lima cannot be introduced to themselves"),
    ):
        intro.start(db, people[ANA], people[ANA], now=ts(2, 1))
    assert count(engine) == 0


def test_a_merged_away_person_is_refused(engine, people):
    repository.merge_people(engine, people[BO], people[CY], reason="test", now=ts(2, 1))
    with (
        using(engine, write=True) as db,
        pytest.raises(
            intro.IntroductionError, match=rf"#{people[CY]} Cy Ortiz was merged into #{people[BO]}"
        ),
    ):
        intro.start(db, people[ANA], people[CY], now=ts(2, 1))
    assert count(engine) == 0


def test_the_same_pair_twice_while_open_is_refused(engine, people):
    with using(engine, write=True) as db:
        first = intro.start(db, people[ANA], people[BO], now=ts(2, 1))
    with (
        using(engine, write=True) as db,
        pytest.raises(
            intro.IntroductionError,
            match=rf"Ana Lima and Bo Chen already have an open introduction \({first.id}, ",
        ),
    ):
        intro.start(db, people[BO], people[ANA], now=ts(2, 2))
    assert count(engine) == 1


def test_a_person_with_no_address_is_refused(engine, people):
    with using(engine, write=True) as db:
        db.execute(
            "INSERT INTO person (name, is_me, created_at) VALUES ('Dee Noaddress', :no, 0)",
            {"no": False},
        ).close()
        dee = int(db.scalar("SELECT id FROM person WHERE name = 'Dee Noaddress'"))
    with (
        using(engine, write=True) as db,
        pytest.raises(
            intro.IntroductionError, match=rf"#{dee} Dee Noaddress has no e-mail address"
        ),
    ):
        intro.start(db, people[ANA], dee, now=ts(2, 1))
    assert count(engine) == 0


def test_me_is_refused(engine, people):
    with using(engine, write=True) as db:
        mine = store.me(db)
    with (
        using(engine, write=True) as db,
        pytest.raises(intro.IntroductionError, match="Sam Rivera is you"),
    ):
        intro.start(db, mine, people[ANA], now=ts(2, 1))
    assert count(engine) == 0


#: The whole double opt-in in mail, then Ana and Bo on their own.
OPT_IN = (
    message(
        "ask-a", ts(3, 2), ME, ANA, "Someone you should know", "Ana, would you like to meet Bo?"
    )
    + message(
        "ans-a",
        ts(3, 3),
        ANA,
        ME,
        "Re: Someone you should know",
        "Yes, happy to!\n\nOn Sunday Sam wrote:\n> Ana, would you like to meet Bo?",
        reply_to="ask-a",
    )
    + message("ask-b", ts(3, 4), ME, BO, "A baker", "Bo, Ana Lima bakes too. Shall I connect you?")
    + message("ans-b", ts(3, 5), BO, ME, "Re: A baker", "Sure, go ahead.", reply_to="ask-b")
    + message("made", ts(3, 6), ME, f"{ANA}, {BO}", "Intro: Ana <> Bo", "Ana, meet Bo; Bo, Ana.")
    + message("direct", ts(3, 20), BO, ANA, "Coffee?", "Shall we have coffee next week?")
)


def test_imported_mail_moves_it_on_and_shows_its_yield(engine, people, tmp_path):
    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(3, 1))
    load(engine, tmp_path, "optin.mbox", OPT_IN, ts(7, 1))
    with using(engine) as db:
        row = store.get(db, row.id)
        steps = [(s.state, s.actor) for s in store.steps(db, row.id)]
    assert steps == [
        ("proposed", "me"),
        ("asked_a", "mail"),
        ("a_agreed", "mail"),
        ("asked_b", "mail"),
        ("b_agreed", "mail"),
        ("made", "mail"),
        ("connected", "kith"),
    ]
    assert (row.made_at, row.contact_at) == (ts(3, 6), ts(3, 20))
    assert intro.yield_of(row, ts(7, 1)) == {30: True, 90: True}
    total = intro.yield_total([row], ts(7, 1))
    assert total.words() == "of 1 introduction made in 2025, 1 led to direct contact"


def test_an_answer_without_yes_or_no_waits_for_me(engine, people, tmp_path):
    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(3, 1))
    mail = message("ask-a", ts(3, 2), ME, ANA, "Meet Bo?", "Would you like to meet Bo?")
    mail += message("ans-a", ts(3, 3), ANA, ME, "Re: Meet Bo?", "Who is he?", reply_to="ask-a")
    load(engine, tmp_path, "unsure.mbox", mail, ts(3, 4))
    with using(engine) as db:
        assert store.get(db, row.id).state == "asked_a"


def test_a_no_in_mail_ends_it(engine, people, tmp_path):
    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(3, 1))
    mail = message("ask-a", ts(3, 2), ME, ANA, "Meet Bo?", "Would you like to meet Bo?")
    mail += message(
        "ans-a",
        ts(3, 3),
        ANA,
        ME,
        "Re: Meet Bo?",
        "I'd love to but not right now.",
        reply_to="ask-a",
    )
    load(engine, tmp_path, "no.mbox", mail, ts(3, 4))
    with using(engine) as db:
        assert store.get(db, row.id).state == "a_declined"


def test_no_direct_contact_by_day_90_is_no_yield(engine, people, tmp_path):
    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(3, 1))
        for event in ("ask", "agreed", "ask", "agreed", "made"):
            row = intro.advance(db, row.id, event, now=ts(3, 2))
    # Ana and Bo only ever write with me in copy: not without me
    mail = message("with-me", ts(3, 10), BO, f"{ANA}, {ME}", "Coffee?", "All three of us?")
    load(engine, tmp_path, "copied.mbox", mail, ts(4, 1))
    with using(engine) as db:
        assert store.get(db, row.id).state == "made"
        assert intro.yield_of(store.get(db, row.id), ts(4, 1)) == {30: False, 90: None}
    load(engine, tmp_path, "later.mbox", message("z", ts(6, 5), CY, ME, "Hi", "Hi."), ts(6, 5))
    with using(engine) as db:
        row = store.get(db, row.id)
    assert row.state == "no_contact"
    assert intro.yield_of(row, ts(6, 5)) == {30: False, 90: False}


def test_an_introduction_made_to_me_is_recorded_and_followed(engine, people, tmp_path):
    new = "dana@new.org"
    mail = message("i", ts(4, 1), ANA, ME, "Intro: Sam <> Dana", "Sam, meet Dana.", cc=new)
    mail += message("d", ts(4, 9), new, ME, "Hello Sam", "Good to meet you.")
    load(engine, tmp_path, "received.mbox", mail, ts(4, 10))
    with using(engine) as db:
        (row,) = store.listing(db)
        mine = store.me(db)
    assert (row.a_id, row.by_id, row.state) == (mine, people[ANA], "connected")
    assert row.contact_at == ts(4, 9)


def run(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)


def test_the_commands(engine, db_url, people):
    started = run(db_url, "introduce", ANA, BO, "--note", "both bake", "--json")
    assert started.exit_code == 0, started.output
    row = json.loads(started.output)
    assert (row["state"], row["next"]["step"]) == ("proposed", "ask_a")
    iid = str(row["id"])
    draft = run(db_url, "introduce", "--draft", iid)
    assert "Would you like to meet Bo?" in draft.output
    assert "both bake" in draft.output
    assert "asked_a" in run(db_url, "introduce", "--ask", iid).output
    assert "a_agreed" in run(db_url, "introduce", "--agreed", iid).output
    refused = run(db_url, "introduce", "--made", iid)
    assert refused.exit_code == 1
    assert "cannot take 'made'" in refused.output
    again = run(db_url, "introduce", BO, ANA)
    assert again.exit_code == 1
    assert "already have an open introduction" in again.output
    listed = json.loads(run(db_url, "introductions", "--state", "open", "--json").output)
    assert [i["state"] for i in listed["introductions"]] == ["a_agreed"]
    assert listed["introductions"][0]["next"]["words"].startswith("Ana said yes: ask Bo Chen")
    assert run(db_url, "introduce", "--cancel", iid).exit_code == 0
    assert (
        json.loads(run(db_url, "introductions", "--state", "open", "--json").output)[
            "introductions"
        ]
        == []
    )
    text_list = run(db_url, "introductions").output
    assert "Ana Lima and Bo Chen: cancelled" in text_list
    assert "Of 0 introductions made in" in text_list


def test_a_merged_away_person_by_id_is_named(engine, db_url, people):
    repository.merge_people(engine, people[BO], people[CY], reason="test", now=ts(2, 1))
    out = run(db_url, "introduce", ANA, f"#{people[CY]}")
    assert out.exit_code == 1
    assert f"#{people[CY]} Cy Ortiz was merged into #{people[BO]} Bo Chen" in out.output
    assert count(engine) == 0


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_migration_0010_matches_the_schema(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kith.store.schema import metadata

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diffs if "introduction" in repr(d)] == []


def test_consent_reads_the_answer_not_the_question():
    from kith.signals.consent import answer

    assert answer("Yes please!") == "agreed"
    assert answer("Sounds good.\n\n> would you rather not?") == "agreed"
    assert answer("I would love to, but not right now.") == "declined"
    assert answer("Who is Bo?\n\n> Yes?") is None


def test_each_step_of_mine_is_an_item_of_the_day_with_its_draft(engine, people):
    from kith.attention.drafts import render_all
    from kith.attention.settings import TodaySettings
    from kith.attention.today import plan_day

    with using(engine, write=True) as db:
        asked = intro.start(db, people[ANA], people[BO], now=ts(3, 1), note="both bake")
        waiting = intro.start(db, people[ANA], people[CY], now=ts(3, 1))
        intro.advance(db, waiting.id, "ask", now=ts(3, 2))
        agreed = intro.start(db, people[BO], people[CY], now=ts(3, 1))
        intro.advance(db, agreed.id, "agreed", now=ts(3, 2))
    plan = plan_day(engine, ts(3, 3), TodaySettings(budget=60))
    items = [i for i in plan.items if i.kind == "introduce"]
    assert sorted(i.reason for i in items) == [
        "Bo said yes: ask Cy Ortiz whether they would like to meet Bo Chen",
        "ask Ana Lima whether they would like to meet Bo Chen",
    ]
    drafts = render_all(engine, items, ts(3, 3), None)
    by_person = {i.person: drafts[i.id] for i in items}
    assert "I'd like to introduce you to Bo Chen: both bake." in by_person["Ana Lima"]
    assert by_person["Ana Lima"].rstrip().endswith("Sam")
    assert "Bo Chen would like to meet you" in by_person["Cy Ortiz"]
    # moving it on takes the step off the day
    with using(engine, write=True) as db:
        intro.advance(db, asked.id, "ask", now=ts(3, 3))
    again = plan_day(engine, ts(3, 3), TodaySettings(budget=60))
    assert [i.person for i in again.items if i.kind == "introduce"] == ["Cy Ortiz"]


def test_forgetting_a_person_removes_their_introductions(engine, people):
    from kith.store.forget import forget

    with using(engine, write=True) as db:
        gone = intro.start(db, people[ANA], people[BO], now=ts(3, 1))
        kept = intro.start(db, people[BO], people[CY], now=ts(3, 1))
        intro.advance(db, gone.id, "ask", now=ts(3, 2))
    forget(engine, people[ANA], now=ts(3, 3))
    with using(engine) as db:
        assert [r.id for r in store.listing(db)] == [kept.id]
        assert store.steps(db, gone.id) == []


def test_the_person_view_shows_whom_they_were_introduced_to(engine, db_url, people, tmp_path):
    with using(engine, write=True) as db:
        intro.start(db, people[ANA], people[BO], now=ts(3, 1))
    load(engine, tmp_path, "optin.mbox", OPT_IN, ts(7, 1))
    shown = run(db_url, "person", BO)
    assert "Introductions:" in shown.output
    assert "to Ana Lima, by me: connected  (direct contact day 30: yes, day 90: yes)" in (
        shown.output
    )
    data = json.loads(run(db_url, "person", ANA, "--json").output)
    (found,) = data["introductions"]
    assert (found["other"]["name"], found["by"], found["state"]) == ("Bo Chen", None, "connected")
    listed = run(db_url, "introductions").output
    assert "direct contact: day 30: yes, day 90: yes" in listed


def test_the_sample_worlds_introductions_are_moved_on_by_its_mail(tmp_path):
    from kith.demo import build_demo
    from kith.sample.world import generate_world

    result = build_demo(tmp_path, people=120, today=False)
    world = generate_world(seed=7, people=120)
    (agreed_a, agreed_b, _), (declined_a, declined_b, _) = world.introductions
    assert world.truth["opt_in_made"] == sorted([agreed_a, agreed_b])
    with using(result.engine) as db:
        rows = {(r.a_id, r.b_id): r for r in store.listing(db)}
        from kith.store.reads import find_person

        made = rows[(find_person(db, agreed_a), find_person(db, agreed_b))]
        declined = rows[(find_person(db, declined_a), find_person(db, declined_b))]
        made_steps = [(s.state, s.actor) for s in store.steps(db, made.id)]
        declined_steps = [s.state for s in store.steps(db, declined.id)]
    assert made_steps == [
        ("proposed", "me"),
        ("asked_a", "mail"),
        ("a_agreed", "mail"),
        ("asked_b", "mail"),
        ("b_agreed", "mail"),
        ("made", "mail"),
        ("connected", "kith"),
    ]
    assert intro.yield_of(made, result.now) == {30: True, 90: True}
    assert declined_steps == ["proposed", "asked_a", "a_declined"]
    result.engine.dispose()


def test_recorded_after_its_mail_it_is_moved_on_at_once(engine, people, tmp_path):
    ask = message("ask-a", ts(3, 2), ME, ANA, "Meet Bo?", "Would you like to meet Bo?")
    ask += message("ans-a", ts(3, 3), ANA, ME, "Re: Meet Bo?", "Yes please.", reply_to="ask-a")
    load(engine, tmp_path, "asked.mbox", ask, ts(3, 4))
    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(3, 4))
    assert row.state == "a_agreed"
    assert row.asked_a_at == ts(3, 2)


def test_the_report_counts_the_introductions_i_made(engine, people):
    from kith.report.connections import ledger_made

    with using(engine, write=True) as db:
        row = intro.start(db, people[ANA], people[BO], now=ts(2, 1))
        for event in ("ask", "agreed", "ask", "agreed", "made"):
            row = intro.advance(db, row.id, event, now=ts(2, 2))
        intro.start(db, people[ANA], people[CY], now=ts(2, 3))  # proposed only
    with using(engine) as db:
        made = ledger_made(db)
        got = made(ts(2, 1), ts(3, 1))
        assert [(m.a, m.b, m.taken_up) for m in got] == [(people[ANA], people[BO], False)]
        assert made(ts(3, 1), ts(4, 1)) == []


def test_a_merge_carries_introductions_and_circles_to_who_is_kept(engine, db_url, people):
    from click.testing import CliRunner

    from kith.cli import cli

    ana, bo, cy = people[ANA], people[BO], people[CY]
    with using(engine, write=True) as db:
        both = intro.start(db, ana, bo, now=ts(2, 1)).id
    made = CliRunner().invoke(cli, ["--db", db_url, "circle", "create", "Bakers", ANA, CY])
    assert made.exit_code == 0, made.output
    repository.merge_people(engine, cy, bo, reason="same person", now=ts(2, 2))
    repository.merge_people(engine, ana, cy, reason="same person", now=ts(2, 3))
    with using(engine) as db:
        # Bo became Cy, then Cy became Ana: an introduction of Ana to herself is left as it was.
        row = store.get(db, both)
        assert (row.a_id, row.b_id) == (ana, cy)
        members = db.rows("SELECT person_id FROM circle_member")
    assert [int(m[0]) for m in members] == [ana]  # Cy's place went to Ana, who had one
