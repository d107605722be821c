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


# Addresses are stored in lower case (kith.ingest.email_headers.normalise_email).
GMANE_COPY = "ana.lima-re5jqeeqqe8avxtiumwx3w@public.gmane.org"


def test_gateway_copies_are_read_and_never_link_by_name():
    from kith.identity import gateway_confidence, gateway_local_part, link_key

    assert gateway_local_part(GMANE_COPY) == "ana.lima"
    assert gateway_local_part("ana.lima@public.gmane.org") is None  # no hash: not mangled
    assert gateway_local_part("ana.lima-Re5JQEeQqe8AvxtiuMwx3w@x.org") is None
    assert handle_stem("email", GMANE_COPY) == "analima"
    assert link_key("email", GMANE_COPY, "Ana Lima") is None
    assert gateway_confidence(GMANE_COPY, "ana.lima@x.org", True, 1)[0] == 0.85
    low, why = gateway_confidence(GMANE_COPY, "ana.lima@x.org", False, 3)
    assert low == 0.2
    assert "3 addresses have this local part" in why


def test_a_gateway_copy_is_suggested_with_its_evidence_never_merged(engine):
    write(
        engine,
        [
            msg("a@x", "ana.lima@lima.studio", ["bo@y.org"], 100, name="Ana Lima"),
            msg("b@x", GMANE_COPY, ["bo@y.org"], 200, name="Ana Lima"),
            # Another copy whose local part no one else has: nothing to suggest.
            msg("c@x", "cy-re5jqeeqqe8avxtiumwx3w@public.gmane.org", ["bo@y.org"], 300),
            # A look-alike gateway domain is not a gateway.
            msg("d@x", "bo-re5jqeeqqe8avxtiumwx3w@gmane.example", ["ana@y.org"], 400),
        ],
    )
    copy = repository.find_person(engine, GMANE_COPY)
    original = repository.find_person(engine, "ana.lima@lima.studio")
    assert copy != original  # the import merged nothing by itself
    people_before = repository.stats(engine)["people"]
    assert suggestions.refresh_suggestions(engine, now=NOW) == 1
    (s,) = suggestions.list_suggestions(engine)
    assert s.confidence == 0.85
    assert s.evidence[0] == (
        f"{GMANE_COPY} is a mail gateway's copy of an address like ana.lima@lima.studio"
    )
    assert "the same name beside both" in s.evidence
    assert repository.stats(engine)["people"] == people_before
    suggestions.decide(engine, s.id, accept=True, now=NOW)
    assert repository.find_person(engine, GMANE_COPY) == repository.find_person(
        engine, "ana.lima@lima.studio"
    )
