"""The X/Twitter archive importer.

The real archive is ``../shared/data/formats/twitter``; the edge cases are
small archives in ``tests/data/x/<case>/``, each with its expected records in
``tests/data/x/<case>.json`` (``KITH_REGEN_GOLDEN=1`` rewrites them).
"""

from __future__ import annotations

import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from kith.errors import InputError
from kith.ingest.testing import check_importer, inputs, record_json
from kith.ingest.x_archive import XArchiveImporter, _roots
from kith.model import Channel, Fact, IdentityRef, Kind, Origin, Role, Skipped
from tests.test_ingest_social import (
    DATA,
    contacts,
    interactions,
    read_case,
    skipped,
)

CASES = DATA / "x"
CASE_DIRS = inputs(CASES, folders=True)
ME = "1964312974236991488"


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(XArchiveImporter(), case)


def test_every_kind_of_tweet() -> None:
    records = read_case(XArchiveImporter(), CASES / "every_kind")
    by_id = {r.source_id: r for r in interactions(records)}
    kinds = {sid: r.kind for sid, r in by_id.items()}
    assert kinds == {
        "1010": Kind.REPLY,  # to Ben, Carla named too
        "1008": Kind.MENTION,  # a thread of mine that names Dave
        "1006": Kind.SHARE,  # a retweet of Carla
        "1004": Kind.SHARE,  # a quote of Dave's status
        "1003": Kind.MENTION,
        "1002": Kind.REPLY,  # "@grok …": a reply to a user, with no status
        "dm:5002": Kind.MESSAGE,
        "dm:5001": Kind.MESSAGE,
    }
    # Left out: 1009 and 1007 (my thread, nobody else), 1005 (my own tweet
    # retweeted), 1001 (a plain tweet).
    reply = by_id["1010"]
    assert [(p.role, p.identity.key) for p in reply.participants] == [
        (Role.FROM, "x-id:100"),
        (Role.TO, "x-id:200"),
        (Role.CC, "x-id:300"),
    ]
    assert reply.refs == ("900",) and reply.is_reply
    assert reply.extra == {"visibility": "public", "url": "https://x.com/analima/status/1010"}
    assert by_id["1008"].refs == ("1007",)  # its chain's root and parent are one tweet
    assert by_id["1006"].body == "RT @carla_r: our launch is today & you are invited"
    assert [p.identity.key for p in by_id["1004"].participants] == ["x-id:100", "x:dave"]
    assert by_id["1004"].extra["quoted_url"] == "https://x.com/Dave/status/777"
    dm = by_id["dm:5002"]
    assert [(p.role, p.identity.key) for p in dm.participants] == [
        (Role.FROM, "x-id:200"),
        (Role.TO, "x-id:100"),
    ]
    assert dm.channel is Channel.SOCIAL and dm.extra == {"visibility": "private"}
    assert dm.thread_key == "dm:100-200" and dm.body == "thanks for the intro <3"


def test_owner_card_and_people_cards() -> None:
    records = read_case(XArchiveImporter(), CASES / "every_kind")
    me, *cards = contacts(records)
    assert me.is_me and me.name == "Ana Lima"
    assert [i.key for i in me.identities] == [
        "x-id:100",
        "x:analima",
        "email:ana@example.org",
        "url:ana.example",
    ]
    assert me.facts == (
        Fact("url", "https://ana.example/"),
        Fact("location", "Porto"),
        Fact("bio", "I make things"),
    )
    by_id = {c.identities[0].value: c for c in cards}
    # Ben follows me and I follow him: both facts ride on the card linking id and handle.
    assert by_id["200"].identities == (
        IdentityRef("x-id", "200", "Ben Okafor"),
        IdentityRef("x", "beno", "Ben Okafor"),
    )
    assert by_id["200"].facts == (Fact("follows", "me"), Fact("followed_by", "me"))
    assert by_id["600"].facts == (Fact("follows", "me"),)  # met nowhere else
    assert by_id["700"].facts == (Fact("followed_by", "me"),)
    assert not any(c.is_me for c in cards)


def test_bad_records_are_skipped_with_their_place_and_the_rest_is_read() -> None:
    records = read_case(XArchiveImporter(), CASES / "bad_records")
    where = str(CASES / "bad_records" / "data")
    assert skipped(records) == [
        Skipped(Origin(f"{where}/follower.js", 0), "a follower record without an accountId"),
        Skipped(Origin(f"{where}/tweets.js", 1), "a tweet without an id"),
        Skipped(
            Origin(f"{where}/tweets.js", 2),
            "tweet 2003: unreadable created_at: 'Mon Foo 99 10:00:00 +0000 2025'",
        ),
        Skipped(Origin(f"{where}/tweets.js", 3), "not a tweet: the record has no 'tweet' object"),
        Skipped(
            Origin(f"{where}/direct-messages.js", 0),
            "a direct message without an id in conversation '100-200'",
        ),
    ]
    assert [r.source_id for r in interactions(records)] == ["2001", "2005"]


def test_truncated_tweets_file_keeps_the_whole_tweets_before_the_cut() -> None:
    records = read_case(XArchiveImporter(), CASES / "truncated_tweets")
    assert [r.source_id for r in interactions(records)] == ["3001", "3002"]
    (cut,) = skipped(records)
    assert cut.origin.position == 2
    assert cut.reason.startswith("unreadable JSON from this record on (")
    assert cut.reason.endswith("the rest of the file is not read")


def test_a_data_file_without_its_prefix_is_an_error_naming_it() -> None:
    case = CASES / "no_ytd_prefix"
    with pytest.raises(InputError) as caught:
        read_case(XArchiveImporter(), case)
    assert caught.value.where == str(case / "data" / "tweets.js")
    assert "should start with 'window.YTD.<name>.part0 = '" in str(caught.value)


def test_an_archive_that_does_not_say_whose_it_is_is_an_error() -> None:
    with pytest.raises(InputError, match="does not say whose it is"):
        read_case(XArchiveImporter(), CASES / "no_account")


def test_the_manifest_names_the_owner_when_account_js_is_missing() -> None:
    records = read_case(XArchiveImporter(), CASES / "manifest_only")
    me = contacts(records)[0]
    assert me.is_me and [i.key for i in me.identities] == ["x-id:100", "x:analima"]
    assert [r.source_id for r in interactions(records)] == ["5001"]  # from tweet.js, bare tweets


def test_metadata_only_keeps_no_text_and_nothing_else_changes() -> None:
    case = CASES / "every_kind"
    with_bodies = [record_json(r, CASES) for r in read_case(XArchiveImporter(), case)]
    without = [record_json(r, CASES) for r in read_case(XArchiveImporter(), case, bodies=False)]
    assert [r | {"body": None} if "body" in r else r for r in with_bodies] == without


def test_reply_chains_root_at_the_oldest_tweet_reached() -> None:
    parents = {"3": "2", "2": "1", "1": "0", "9": "8", "a": "b", "b": "a"}
    roots = _roots(parents)
    assert (roots["3"], roots["2"], roots["1"], roots["9"]) == ("0", "0", "0", "8")
    assert {roots["a"], roots["b"]} <= {"a", "b"}  # a loop ends, somewhere


# --- the real archive -------------------------------------------------------------------


def test_the_real_archive_counts(shared_data: Path) -> None:
    records = read_case(XArchiveImporter(), shared_data / "formats" / "twitter", bodies=False)
    assert not skipped(records)
    tweets = [r for r in interactions(records) if not r.source_id.startswith("dm:")]
    kinds = Counter(r.kind for r in tweets)
    # 2,045 tweets: 1,793 replies (1,751 to others; 42 in my own threads, of which
    # 41 name others: mentions), 41 + 0 other mentions, 239 retweets (173 of others:
    # shares; 66 of my own tweets: left out), 1 quote, 12 plain tweets.
    assert kinds == {Kind.REPLY: 1751, Kind.MENTION: 41, Kind.SHARE: 174}
    assert sum(r.is_reply for r in tweets) == 1792  # 1,793 minus the lone self-reply
    assert 2045 - len(tweets) == 66 + 12 + 1
    assert sum(1 for r in tweets if r.kind is Kind.REPLY and not r.refs) == 13  # "@grok …"
    assert all(r.participants[0].identity.key == f"x-id:{ME}" for r in tweets)
    dms = [r for r in interactions(records) if r.source_id.startswith("dm:")]
    assert len(dms) == 17 and all(r.kind is Kind.MESSAGE for r in dms)
    cards = contacts(records)
    assert cards[0].is_me and sum(c.is_me for c in cards) == 1
    follows = Counter(f.key for c in cards for f in c.facts if f.value == "me")
    assert len({c.identities[0].value for c in cards}) == len(cards)  # one card a person
    assert follows == {"follows": 61, "followed_by": 167}  # follower.js, following.js


def test_the_zip_reads_like_the_folder(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "formats" / "twitter"
    archive = tmp_path / "twitter-2026-03-06.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in sorted((folder / "data").iterdir()):
            z.write(file, f"data/{file.name}")
    importer = XArchiveImporter()
    assert importer.identify(archive)
    assert importer.files(archive) == [archive]
    from_zip = read_case(importer, archive, bodies=False)
    from_folder = read_case(importer, folder, bodies=False)
    assert len(from_zip) == len(from_folder)
    assert [getattr(r, "source_id", None) for r in from_zip] == [
        getattr(r, "source_id", None) for r in from_folder
    ]
    assert from_zip[5].origin.file == f"{archive}!data/tweets.js"


def test_a_zip_that_is_not_an_archive_is_not_claimed(tmp_path: Path) -> None:
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("a.jpg", b"x")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert not XArchiveImporter().identify(other)
    assert not XArchiveImporter().identify(broken)


def test_split_tweet_files_are_read_in_part_order(tmp_path: Path) -> None:
    case = tmp_path / "split"
    shutil.copytree(CASES / "every_kind", case)
    data = case / "data"
    text = (data / "tweets.js").read_text()
    (data / "tweets-part1.js").write_text(
        text.replace("window.YTD.tweets.part0", "window.YTD.tweets.part1")
        .replace('"1010"', '"2010"')
        .replace('"id": "1003"', '"id": "2003"')
        .replace('"id_str": "1003"', '"id_str": "2003"')
    )
    records = interactions(read_case(XArchiveImporter(), case))
    files = [Path(r.origin.file).name for r in records if not r.source_id.startswith("dm:")]
    assert files == ["tweets.js"] * 6 + ["tweets-part1.js"] * 6
