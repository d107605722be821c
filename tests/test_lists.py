"""Mailing lists are circles, not people: the rules in ``kith.identity`` and what the
e-mail reader makes of them, on small cases and on the real Apache archives."""

from __future__ import annotations

from pathlib import Path

import pytest

from kith.identity import (
    is_automated,
    is_list_shaped,
    is_sibling_list,
    link_key,
    list_id_of,
    list_of_machinery,
    organisation_domain,
)
from kith.ingest.base import ImportOptions
from kith.ingest.email_headers import parse_message
from kith.ingest.mbox import MboxImporter
from kith.model import InteractionRecord, Origin, Role
from tests.shared import SHARED_DATA, needs_shared_data

CASES = Path(__file__).resolve().parent / "data" / "email"
APACHE = SHARED_DATA / "email" / "apache"
METADATA = ImportOptions(store_bodies=False)

#: The lists the Apache archives were cross-posted to, found by reading their To and Cc
#: headers (``grep -h '^\(To\|Cc\):'``): none of them carries a List-Post of its own.
APACHE_CROSS_POSTED = {
    "core-dev@hadoop.apache.org",
    "core-user@hadoop.apache.org",
    "common-user@hadoop.apache.org",
    "hdfs-dev@hadoop.apache.org",
    "mapreduce-dev@hadoop.apache.org",
    "mapreduce-user@hadoop.apache.org",
    "hadoop-dev@lucene.apache.org",
    "announce@apache.org",
    "announce@jackrabbit.apache.org",
    "users@jackrabbit.apache.org",
}


def read(name: str) -> InteractionRecord:
    record = parse_message((CASES / name).read_bytes(), Origin(name), METADATA)
    assert isinstance(record, InteractionRecord)
    return record


def addresses(record: InteractionRecord) -> set[str]:
    return {p.identity.value for p in record.participants}


# --- the rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("dev-owner@x.org", "dev@x.org"),
        ("owner-dev@x.org", "dev@x.org"),
        ("makers-bounces@lists.x.org", "makers@lists.x.org"),
        ("makers-bounces+sam=y.com@lists.x.org", "makers@lists.x.org"),
        ("dev-request@x.org", "dev@x.org"),
        ("owner@x.org", None),
        ("-owner@x.org", None),
        ("owner-@x.org", None),
        ("bounces@x.org", None),
        ("ana@x.org", None),
        ("not-an-address", None),
    ],
)
def test_list_of_machinery(address: str, expected: str | None) -> None:
    assert list_of_machinery(address) == expected


def test_list_machinery_is_automated_and_its_name_links_no_one() -> None:
    for address in ("dev-owner@x.org", "owner-dev@x.org", "dev-bounces@x.org", "dev-request@x.org"):
        assert is_automated(address)
        assert link_key("email", address, "Ana Lima") is None
    assert not is_automated("ana.owner@x.org")
    assert link_key("email", "ana@x.org", "Ana Lima") == "ana lima@x.org"


def test_list_id_of_follows_the_list_id_convention() -> None:
    # The Apache archives carry both: List-Id <dev.sling.apache.org>, List-Post dev@sling…
    assert list_id_of("dev@sling.apache.org") == "dev.sling.apache.org"


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("hadoop.apache.org", "apache.org"),
        ("apache.org", "apache.org"),
        ("lists.x.co.uk", "x.co.uk"),
        ("x.de", "x.de"),
        ("a.b.x.de", "x.de"),
    ],
)
def test_organisation_domain(domain: str, expected: str) -> None:
    assert organisation_domain(domain) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("dev@x.org", True),
        ("hdfs-dev@x.org", True),
        ("common-user@x.org", True),
        ("announce@x.org", True),
        ("java-commits@x.org", True),
        ("-dev@x.org", False),
        ("developer@x.org", False),
        ("s29752-hadoopgeneral@yahoo.com", False),
        ("ana@x.org", False),
    ],
)
def test_is_list_shaped(address: str, expected: bool) -> None:
    assert is_list_shaped(address) is expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("hdfs-dev@hadoop.apache.org", True),
        ("hadoop-dev@lucene.apache.org", True),
        ("announce@apache.org", True),
        ("common-dev@hadoop.apache.org", False),  # the list itself
        ("ana@hadoop.apache.org", False),  # a person at the same domain
        ("dev@other.org", False),  # a list of another organisation
        ("dev-user@gmail.com", False),  # webmail: never by shape
    ],
)
def test_is_sibling_list(address: str, expected: bool) -> None:
    assert is_sibling_list(address, "common-dev@hadoop.apache.org") is expected


# --- what the reader makes of each signal (the golden files hold the whole records) ----


@pytest.mark.parametrize(
    ("case", "list_id", "list_address"),
    [
        ("list_post_only.eml", "dev.sling.example.org", "dev@sling.example.org"),
        ("mailing_list_ezmlm.eml", "users.jackrabbit.example.org", "users@jackrabbit.example.org"),
        ("x_mailing_list.eml", "tools.lists.example.org", "tools@lists.example.org"),
        ("list_unsubscribe_only.eml", "builders.example.org", "builders@example.org"),
        ("sender_bounces.eml", "makers.lists.example.org", "makers@lists.example.org"),
        ("sender_owner.eml", "growers.example.org", "growers@example.org"),
    ],
)
def test_a_list_without_list_id_is_a_circle_not_a_person(
    case: str, list_id: str, list_address: str
) -> None:
    record = read(case)
    assert (record.list_id, record.list_name) == (list_id, list_address)
    assert list_address not in addresses(record)
    assert not [p for p in record.participants if is_automated(p.identity.value)]
    assert record.author is not None and record.author.value == "ana@example.org"


def test_direct_mail_has_no_list() -> None:
    record = read("plus_address.eml")
    assert record.list_id is None and record.list_name is None


def test_cross_posted_lists_are_not_recipients_but_people_stay() -> None:
    record = read("cross_posted.eml")
    assert record.list_id == "common-dev.hadoop.example.org"
    assert addresses(record) == {
        "ana@example.org",
        "bo@example.org",
        "s29752-hadoopgeneral@yahoo.com",  # a person's address that ends in "general"
        "dev@other.example.net",  # a list, but of another organisation: kept
    }


def test_the_author_is_kept_even_when_it_is_list_shaped() -> None:
    raw = (
        b"Message-ID: <a@x.org>\nDate: Sat, 10 Mar 2012 09:05:00 +0000\n"
        b"From: announce@x.org\nTo: dev@x.org\nList-Post: <mailto:dev@x.org>\n\nhi\n"
    )
    record = parse_message(raw, Origin("x"), METADATA)
    assert isinstance(record, InteractionRecord)
    assert [(p.role, p.identity.value) for p in record.participants] == [
        (Role.FROM, "announce@x.org")
    ]


# --- the real archives ----------------------------------------------------------------


@needs_shared_data
def test_no_apache_list_address_is_a_participant() -> None:
    records = [
        r
        for path in sorted(APACHE.glob("*.mbox"))
        for r in MboxImporter().extract(path, METADATA)
        if isinstance(r, InteractionRecord)
    ]
    assert len(records) == 986
    lists = {r.list_name for r in records}
    assert lists == {
        "common-dev@hadoop.apache.org",
        "dev@jackrabbit.apache.org",
        "dev@sling.apache.org",
    }
    seen = {p.identity.value for r in records for p in r.participants}
    assert not seen & (lists | APACHE_CROSS_POSTED)
    # The people who wrote to those lists are all still there.
    assert len({r.author.value for r in records if r.author is not None}) > 100
    assert "s29752-hadoopgeneral@yahoo.com" in seen


# --- a list's address where a message does not say it came through the list -------------


def test_a_known_lists_address_is_a_circle_in_every_message(engine) -> None:
    import dataclasses

    from sqlalchemy import select

    from kith.store import repository
    from kith.store.schema import circle, identity, interaction
    from tests.test_store import msg, write

    through_list = dataclasses.replace(
        msg("list@x", "ana@x.org", ["bo@y.org"], 100),
        list_id="dev.sling.example.org",
        list_name="dev@sling.example.org",
    )
    # My own copy of what I sent to the list carries no list header (read before the
    # list's message, in the same batch); a message of a later run copies the list.
    mine = msg("sent@x", "me@z.org", ["dev@sling.example.org"], 50)
    copied = msg("cc@x", "cy@w.org", ["bo@y.org", "dev@sling.example.org"], 200)
    write(engine, [mine, through_list])
    write(engine, [copied])
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(identity.c.value).where(identity.c.value == "dev@sling.example.org")
            ).all()
            == []
        )
        circles = dict(
            conn.execute(
                select(interaction.c.source_id, circle.c.key).join(
                    circle, circle.c.id == interaction.c.circle_id
                )
            ).all()
        )
    assert circles == {
        "list@x": "list:dev.sling.example.org",
        "sent@x": "list:dev.sling.example.org",
        "cc@x": "list:dev.sling.example.org",
    }
    assert repository.find_person(engine, "bo@y.org")  # the person beside it stays


def test_an_address_no_message_named_as_a_list_stays_a_person(engine) -> None:
    from kith.store import repository
    from tests.test_store import msg, write

    write(engine, [msg("a@x", "ana@x.org", ["dev@sling.example.org"], 100)])
    assert repository.find_person(engine, "dev@sling.example.org")
