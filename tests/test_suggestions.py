"""Merge suggestions: weaker evidence is suggested, never merged on its own."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kith.cli import cli
from kith.identity import handle_stem, suggestion_confidence
from kith.model import ContactRecord, IdentityRef, Origin
from kith.store import repository, suggestions
from kith.store.writer import LedgerWriter
from tests.test_store import NOW, msg, write


def cards(engine, *records):
    w = LedgerWriter(engine, importer="test", path="cards", now=NOW)
    w.start()
    w.write([], (), list(records))
    w.finish("done", NOW)


def test_handle_stems():
    assert handle_stem("email", "ana.lima2+news@x.org") == "analima"
    assert handle_stem("x", "Ana_Lima") == "analima"
    assert handle_stem("mastodon", "ana@mastodon.social") == "ana"
    assert handle_stem("phone", "+4915112345678") is None


def test_confidence_grows_with_evidence_and_falls_with_common_names():
    plain, why = suggestion_confidence("ana lima", 2, {"email"}, {"email"}, {"ana"}, {"lima"})
    assert plain == 0.5
    assert why == ["same name (ana lima)"]
    strong, why = suggestion_confidence("ana lima", 2, {"email"}, {"x"}, {"analima"}, {"analima"})
    assert strong == 0.85
    assert "the same handle letters (analima)" in why
    common, why = suggestion_confidence("ana lima", 5, {"email"}, {"email"}, set(), set())
    assert common == 0.2
    assert "5 people share this name" in why


def test_a_shared_name_across_channels_is_suggested_then_decided(engine):
    write(engine, [msg("a@x", "ana.lima@gmail.com", ["bo@y.org"], 100, name="Ana Lima")])
    cards(
        engine,
        ContactRecord(
            source="x",
            source_id="follower/1",
            identities=(IdentityRef("x", "analima", "Ana Lima"),),
            origin=Origin("follower.js", 0),
            name="Ana Lima",
        ),
    )
    people_before = repository.stats(engine)["people"]
    assert suggestions.refresh_suggestions(engine, now=NOW) == 1
    assert suggestions.refresh_suggestions(engine, now=NOW) == 0  # not suggested twice
    (s,) = suggestions.list_suggestions(engine)
    assert s.confidence == 0.85
    assert repository.stats(engine)["people"] == people_before  # nothing merged by itself
    suggestions.decide(engine, s.id, accept=True, now=NOW)
    assert repository.stats(engine)["people"] == people_before - 1
    assert repository.find_person(engine, "x:analima") == repository.find_person(
        engine, "ana.lima@gmail.com"
    )
    assert suggestions.list_suggestions(engine) == []


def test_rejected_suggestions_do_not_come_back_through_the_cli(db_url):
    runner = CliRunner()
    eng_msgs = [
        msg("a@x", "ana.lima@gmail.com", ["bo@y.org"], 100, name="Ana Lima"),
        msg("b@x", "ana@lima.studio", ["bo@y.org"], 200, name="Ana Lima"),
    ]
    from kith.store.db import open_store

    engine = open_store(db_url)
    write(engine, eng_msgs)
    listed = runner.invoke(cli, ["--db", db_url, "merge", "--suggested", "--json"])
    assert listed.exit_code == 0, listed.output
    (item,) = json.loads(listed.stdout)
    assert item["evidence"] == ["same name (ana lima)"]
    rejected = runner.invoke(cli, ["--db", db_url, "merge", "--reject", str(item["id"])])
    assert "rejected: they stay apart" in rejected.stdout
    again = runner.invoke(cli, ["--db", db_url, "merge", "--suggested"])
    assert "No merge suggestions" in again.stdout
    twice = runner.invoke(cli, ["--db", db_url, "merge", "--reject", str(item["id"])])
    assert twice.exit_code == 1
    assert f"suggestion {item['id']} was already rejected" in twice.stderr
    engine.dispose()
