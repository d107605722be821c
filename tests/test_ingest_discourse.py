"""The Discourse importer (API responses saved as JSON).

Real responses are in ``../shared/data/community/discourse``; edge cases are
small files in ``tests/data/discourse``, each with its expected records in
``<name>.expected.json`` beside it (``KITH_REGEN_GOLDEN=1`` rewrites them).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kith.errors import InputError
from kith.ingest.discourse import DiscourseImporter
from kith.ingest.testing import check_importer, inputs
from kith.model import Kind, Origin, Role, Skipped
from tests.test_ingest_social import (
    DATA,
    contacts,
    interactions,
    read_case,
    skipped,
)

CASES = DATA / "discourse"
CASE_FILES = inputs(CASES, ".json")
HOST = "forum.example.org"


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(DiscourseImporter(), case)


def test_topic_posts_replies_and_what_is_left_out() -> None:
    records = read_case(DiscourseImporter(), CASES / "topic_replies.json")
    by_number = {int(r.source_id.rsplit("/", 1)[1]): r for r in interactions(records)}

    def who(n: int) -> list[tuple[Role, str]]:
        return [(p.role, p.identity.value) for p in by_number[n].participants]

    # The host comes from the avatars' /user_avatar/<host>/ paths.
    assert by_number[2].source_id == f"{HOST}/t/77/2"
    assert who(2) == [(Role.FROM, f"{HOST}/ben"), (Role.TO, f"{HOST}/ana")]  # to the topic
    assert by_number[2].kind is Kind.COMMENT and by_number[2].refs == (f"{HOST}/t/77/1",)
    assert who(3) == [(Role.FROM, f"{HOST}/carla"), (Role.TO, f"{HOST}/ben")]
    assert by_number[3].kind is Kind.REPLY
    assert by_number[3].refs == (f"{HOST}/t/77/1", f"{HOST}/t/77/2")
    assert who(5) == [(Role.FROM, f"{HOST}/ben"), (Role.TO, f"{HOST}/carla")]  # reply_to_user
    assert who(9) == [(Role.FROM, f"{HOST}/ana")]  # the starter answering the first post
    assert who(10) == [(Role.FROM, f"{HOST}/frank"), (Role.TO, f"{HOST}/ana")]  # 42 is later
    record = by_number[3]
    assert (record.list_id, record.list_name) == (f"discourse:{HOST}", HOST)
    assert record.thread_key == f"{HOST}/t/77" and record.subject == "Pricing help"
    assert record.body == "post 3 by carla"
    assert record.extra == {
        "visibility": "public",
        "url": f"https://{HOST}/t/pricing-help/77/3",
        "post_id": "9003",
    }
    # 4 is a small action, 6 was deleted: left out without a word.
    assert sorted(by_number) == [2, 3, 5, 9, 10]
    where = str(CASES / "topic_replies.json")
    assert skipped(records) == [
        Skipped(Origin(where, 5), f"post {HOST}/t/77/7: no readable username"),
        Skipped(Origin(where, 6), f"post {HOST}/t/77/8: unreadable created_at: 'yesterday'"),
    ]


def test_host_and_community_options() -> None:
    records = read_case(
        DiscourseImporter(),
        CASES / "latest_posts.json",
        {"host": "Talk.Example.COM", "community": "Example talk"},
    )
    first = interactions(records)[0]
    assert first.source_id == "talk.example.com/t/77/1"
    assert first.participants[0].identity.value == "talk.example.com/ana"
    assert (first.list_id, first.list_name) == ("discourse:talk.example.com", "Example talk")
    with pytest.raises(InputError, match="not a forum host name: 'bad host!'"):
        read_case(DiscourseImporter(), CASES / "latest_posts.json", {"host": "bad host!"})


def test_topic_list_users_become_cards() -> None:
    records = read_case(DiscourseImporter(), CASES / "topic_list_users.json")
    assert [(c.identities[0].value, c.name) for c in contacts(records)] == [
        ("discourse/ana", "Ana Lima"),
        ("discourse/ben", None),
    ]
    assert [s.reason for s in skipped(records)] == ["a user without a readable username"]


def test_bad_files_are_errors_naming_them() -> None:
    with pytest.raises(InputError) as caught:
        read_case(DiscourseImporter(), CASES / "truncated.json")
    assert caught.value.where == str(CASES / "truncated.json")
    assert "not valid JSON" in caught.value.message
    with pytest.raises(InputError, match="not a Discourse API response"):
        read_case(DiscourseImporter(), CASES / "not_discourse.json")
    assert not DiscourseImporter().identify(CASES / "not_discourse.json")


# --- the real responses -----------------------------------------------------------------


def test_the_real_responses(shared_data: Path) -> None:
    folder = shared_data / "community" / "discourse"
    found: dict[str, list[str]] = {}
    kinds: Counter[Kind] = Counter()
    for file in sorted(folder.glob("*.json")):
        records = read_case(DiscourseImporter(), file, bodies=False)
        assert not skipped(records) and not contacts(records)
        found[file.name] = [r.source_id for r in interactions(records)]
        kinds.update(r.kind for r in interactions(records))
    sizes = {name: len(ids) for name, ids in found.items()}
    assert sizes == {
        "discourse_post.json": 1,  # no host in it: "discourse"
        "discourse_posts.json": 4,
        "discourse_topic_1148.json": 20,  # the first page of 22 posts
        "discourse_topic_1149.json": 2,
        "discourse_topic_1150.json": 2,  # the same two posts: topic_id 1149 inside
        "discourse_topics.json": 0,  # topic lists hold no posts (and no users here)
        "discourse_topics_empty.json": 0,
        "discourse_topics_last_posted_at_null.json": 0,
        "discourse_topics_pinned.json": 0,
    }
    assert found["discourse_post.json"] == ["discourse/t/840/1"]
    assert found["discourse_posts.json"][0] == "talk.manageiq.org/t/1448/1"
    assert found["discourse_topic_1150.json"] == found["discourse_topic_1149.json"]
    assert kinds == {Kind.COMMENT: 19, Kind.REPLY: 10}
