"""The Mastodon export importer.

The real export is ``../shared/data/formats/mastodon``; edge cases are small
exports in ``tests/data/mastodon/<case>/`` with their expected records in
``<case>.json`` beside them (``KITH_REGEN_GOLDEN=1`` rewrites them).
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from kith.errors import InputError
from kith.ingest.mastodon import MastodonImporter, _visibility
from kith.ingest.testing import check_importer, inputs
from kith.model import Fact, Kind, Role
from tests.test_ingest_social import (
    DATA,
    contacts,
    interactions,
    read_case,
    skipped,
)

CASES = DATA / "mastodon"
CASE_DIRS = inputs(CASES, folders=True)
ME = "https://social.example/users/ana/statuses"


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(MastodonImporter(), case)


def test_every_kind_of_activity() -> None:
    records = read_case(MastodonImporter(), CASES / "every_kind")
    by_id = {
        r.source_id.removeprefix(ME + "/").removesuffix("/activity"): r
        for r in interactions(records)
    }
    assert {sid: r.kind for sid, r in by_id.items()} == {
        "2": Kind.REPLY,
        "3": Kind.REPLY,
        "4": Kind.MESSAGE,
        "5": Kind.MENTION,
        "7": Kind.SHARE,
        "8": Kind.SHARE,
    }
    # 1: a plain post, 6: my own thread, 10: a boost of my own post, 11: an Update.
    reply = by_id["2"]
    assert [(p.role, p.identity.key) for p in reply.participants] == [
        (Role.FROM, "mastodon:ana@social.example"),
        (Role.TO, "mastodon:ben@ben.example"),
    ]
    assert reply.refs == (
        "tag:bens.example,2024:objectId=77:objectType=Conversation",
        "https://bens.example/users/ben/statuses/77",
    )
    assert reply.is_reply and reply.extra["visibility"] == "public"
    # A Firefish reply URL says nothing of its author; the Mention's name does.
    assert by_id["3"].participants[1].identity.key == "mastodon:dee@firefish.example"
    assert by_id["3"].extra["visibility"] == "followers"
    assert by_id["4"].extra["visibility"] == "direct"
    assert [p.identity.key for p in by_id["5"].participants[1:]] == [
        "mastodon:carla@social.example",
        "mastodon:ben@ben.example",
    ]
    assert by_id["8"].participants[1].identity.key == "mastodon:dee@firefish.example"
    assert by_id["8"].extra == {
        "visibility": "public",
        "url": "https://firefish.example/notes/9qqq",
    }
    assert [s.reason for s in skipped(records)] == [
        "boost of https://threads.example/ap/users/123/post/456/: whose post it is cannot be "
        "told from the export",
        "https://nowhere.example/objects/abc: whose post it is cannot be told from its URL",
    ]


def test_owner_card_and_likes_as_facts() -> None:
    records = read_case(MastodonImporter(), CASES / "every_kind")
    me, *cards = contacts(records)
    assert me.is_me and me.name == "Ana Lima"
    assert [i.key for i in me.identities] == [
        "mastodon:ana@social.example",
        "mastodon:ana_old@old.example",
        "url:ana.example",
    ]
    assert me.facts == (
        Fact("url", "https://social.example/@ana"),
        Fact("website", "https://ana.example/"),
        Fact("bio", "I make things"),
    )
    facts = {c.identities[0].key: c.facts for c in cards}
    assert facts == {
        "mastodon:ben@ben.example": (
            Fact("liked_by_me", "https://bens.example/users/ben/statuses/90"),
            Fact("liked_by_me", "https://bens.example/@ben/91"),
            Fact("bookmarked_by_me", "https://bens.example/users/ben/statuses/90"),
        ),
        # Known to be Dee's from the boost of the same post.
        "mastodon:dee@firefish.example": (
            Fact("liked_by_me", "https://firefish.example/notes/9qqq"),
        ),
        "mastodon:carla@social.example": (
            Fact("bookmarked_by_me", "https://social.example/users/carla/statuses/5"),
        ),
    }


def test_bad_records_are_skipped_and_the_rest_is_read() -> None:
    records = read_case(MastodonImporter(), CASES / "bad_records")
    outbox = str(CASES / "bad_records" / "outbox.json")
    assert [(s.origin.file, s.origin.position, s.reason) for s in skipped(records)] == [
        (outbox, 1, "an activity without an id"),
        (outbox, 2, f"{ME}/23/activity: Create without an object"),
        (outbox, 3, f"{ME}/24/activity: unreadable published time: 'not a date'"),
        (outbox, 4, "not an activity: no type"),
        (outbox, 5, "not an activity: no type"),
        (outbox, 6, f"{ME}/27/activity: a boost without the boosted post's URL"),
        (str(CASES / "bad_records" / "likes.json"), 0, "not a post URL: '42'"),
        (str(CASES / "bad_records" / "likes.json"), 1, "not a post URL: 'ftp://x'"),
    ]
    assert len(interactions(records)) == 2


def test_a_cut_off_outbox_is_an_error_naming_it() -> None:
    with pytest.raises(InputError) as caught:
        read_case(MastodonImporter(), CASES / "truncated_outbox")
    assert caught.value.where == str(CASES / "truncated_outbox" / "outbox.json")
    assert str(caught.value).startswith(f"{caught.value.where}: not valid JSON (")
    assert "is the outbox.json complete?" in str(caught.value)


def test_an_actor_without_a_name_is_an_error() -> None:
    with pytest.raises(InputError, match="does not name the account"):
        read_case(MastodonImporter(), CASES / "nameless_actor")


@pytest.mark.parametrize(
    ("to", "cc", "expected"),
    [
        (["https://www.w3.org/ns/activitystreams#Public"], [], "public"),
        (["as:Public"], [], "public"),
        (
            ["https://a.example/users/a/followers"],
            ["https://www.w3.org/ns/activitystreams#Public"],
            "unlisted",
        ),
        (["https://a.example/users/a/followers"], [], "followers"),
        (["https://b.example/users/b"], [], "direct"),
        ("https://www.w3.org/ns/activitystreams#Public", None, "public"),
    ],
)
def test_visibility(to: object, cc: object, expected: str) -> None:
    assert _visibility({"to": to, "cc": cc}) == expected


# --- the real export --------------------------------------------------------------------


def test_the_real_export_counts(shared_data: Path) -> None:
    records = read_case(MastodonImporter(), shared_data / "formats" / "mastodon", bodies=False)
    found = interactions(records)
    # 1,586 activities: 1,260 Create (422 replies: 193 to others, 229 in my own
    # threads), 326 Announce (319 boosts of others, 6 of my own posts, 1 whose
    # author cannot be told).
    assert Counter(r.kind for r in found) == {
        Kind.REPLY: 193,
        Kind.MENTION: 92,
        Kind.MESSAGE: 14,
        Kind.SHARE: 319,
    }
    assert Counter(r.extra["visibility"] for r in found) == {
        "public": 568,
        "direct": 31,
        "followers": 7,
        "unlisted": 12,
    }
    assert sum(r.is_reply for r in found) == 212  # 193 replies + 19 mentions in my threads
    cards = contacts(records)
    assert cards[0].is_me and sum(c.is_me for c in cards) == 1
    facts = Counter(f.key for c in cards[1:] for f in c.facts)
    assert facts == {"liked_by_me": 1107, "bookmarked_by_me": 854}  # of 1,115 and 865
    assert len(cards) - 1 == 796  # one card per author
    reasons = Counter(s.reason.split(":")[-1].strip() for s in skipped(records))
    assert reasons == {
        "whose post it is cannot be told from its URL": 17,
        "whose post it is cannot be told from the export": 1,
    }


def test_the_zip_reads_like_the_folder(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "formats" / "mastodon"
    archive = tmp_path / "archive-20240601.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in sorted(folder.iterdir()):
            z.write(file, file.name)
    assert MastodonImporter().identify(archive)
    from_zip = read_case(MastodonImporter(), archive, bodies=False)
    from_folder = read_case(MastodonImporter(), folder, bodies=False)
    assert [getattr(r, "source_id", None) for r in from_zip] == [
        getattr(r, "source_id", None) for r in from_folder
    ]
