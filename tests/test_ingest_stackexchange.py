"""The Stack Exchange data dump importer.

The real dump is ``../shared/data/community/stackexchange-history-meta``; edge
cases are small dumps in ``tests/data/stackexchange/<case>/`` with their
expected records in ``<case>.json`` beside them (``KITH_REGEN_GOLDEN=1``
rewrites them).
"""

from __future__ import annotations

import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from kith.errors import InputError
from kith.ingest.base import ImportOptions
from kith.ingest.stackexchange import StackExchangeImporter, site_of
from kith.ingest.testing import check_importer, inputs
from kith.model import Fact, Kind, Origin, Role, Skipped
from tests.test_ingest_social import (
    DATA,
    contacts,
    interactions,
    read_case,
    skipped,
)

CASES = DATA / "stackexchange"
CASE_DIRS = inputs(CASES, folders=True)


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(StackExchangeImporter(), case, ImportOptions(params={"site": "diaries"}))


def test_questions_answers_comments() -> None:
    case = CASES / "small_site"
    records = read_case(StackExchangeImporter(), case, {"site": "diaries"})
    by_id = {r.source_id: r for r in interactions(records)}

    def who(sid: str) -> list[tuple[Role, str]]:
        return [(p.role, p.identity.value) for p in by_id[sid].participants]

    question = by_id["diaries/post/1"]
    assert question.kind is Kind.MESSAGE and who("diaries/post/1") == [(Role.FROM, "diaries/6")]
    assert question.subject == "How do I cite a diary?" and question.body == "A question."
    assert question.thread_key == "diaries/q/1" and question.list_id == "stackexchange:diaries"
    answer = by_id["diaries/post/2"]
    assert answer.kind is Kind.ANSWER and answer.refs == ("diaries/post/1",)
    assert who("diaries/post/2") == [(Role.FROM, "diaries/5"), (Role.TO, "diaries/6")]
    assert who("diaries/post/7") == [(Role.FROM, "diaries/6")]  # answering my own question
    assert who("diaries/comment/10") == [(Role.FROM, "diaries/6"), (Role.TO, "diaries/5")]
    assert by_id["diaries/comment/10"].refs == ("diaries/post/1", "diaries/post/2")
    assert by_id["diaries/comment/11"].refs == ("diaries/post/1",)
    # Left out: post 3 and comment 12 (a deleted account), post 4 (a tag wiki).
    assert sorted(by_id) == [
        "diaries/comment/10",
        "diaries/comment/11",
        "diaries/post/1",
        "diaries/post/2",
        "diaries/post/7",
    ]
    where = str(case)
    assert skipped(records) == [
        Skipped(Origin(f"{where}/Users.xml", 3), "a user without an Id"),
        Skipped(
            Origin(f"{where}/Posts.xml", 4),
            "post 5: unreadable CreationDate: '2012-13-45T12:00:00.000'",
        ),
        Skipped(Origin(f"{where}/Posts.xml", 5), "answer 6 names no question (ParentId)"),
        Skipped(Origin(f"{where}/Comments.xml", 3), "comment 13 names no post (PostId)"),
    ]
    cards = contacts(records)
    assert [(c.identities[0].value, c.name) for c in cards] == [
        ("diaries/5", "Ana Lima"),
        ("diaries/6", "Ben"),
    ]  # not the Community bot
    assert cards[0].facts == (
        Fact("url", "https://ana.example"),
        Fact("location", "Porto"),
        Fact("reputation", "1200"),
    )


def test_a_cut_off_file_is_an_error_naming_it_and_the_line() -> None:
    with pytest.raises(InputError) as caught:
        read_case(StackExchangeImporter(), CASES / "broken_posts")
    assert caught.value.where == str(CASES / "broken_posts" / "Posts.xml")
    assert caught.value.message.startswith("broken XML at line 5, column")


@pytest.mark.parametrize(
    ("folder", "site"),
    [
        ("stackexchange-history-meta", "history.meta"),
        ("history.meta.stackexchange.com", "history.meta"),
        ("stackoverflow.com", "stackoverflow"),
        ("german.stackexchange.com", "german"),
    ],
)
def test_site_from_the_folder_name(folder: str, site: str) -> None:
    assert site_of(Path("/dumps") / folder) == site


# --- the real dump ----------------------------------------------------------------------


def test_the_real_dump_counts(shared_data: Path) -> None:
    folder = shared_data / "community" / "stackexchange-history-meta"
    records = read_case(StackExchangeImporter(), folder, bodies=False)
    assert not skipped(records)
    # Users 2,295 less the Community bot; Posts 1,657: 556 questions (27 by deleted
    # accounts, 6 owned by Community), 1,095 answers (19 deleted, 6 Community),
    # 6 tag wikis; Comments 3,454 (142 by deleted accounts).
    assert len(contacts(records)) == 2294
    found = interactions(records)
    assert Counter(r.kind for r in found) == {
        Kind.MESSAGE: 523,
        Kind.ANSWER: 1070,
        Kind.COMMENT: 3312,
    }
    assert {r.list_id for r in found} == {"stackexchange:history.meta"}
    # An answer or comment is addressed to the post's owner unless that is its author.
    answers = [r for r in found if r.kind is Kind.ANSWER]
    assert sum(len(r.participants) == 2 for r in answers) == 951


def test_memory_stays_flat_while_streaming(shared_data: Path) -> None:
    folder = shared_data / "community" / "stackexchange-history-meta"
    tracemalloc.start()
    try:
        count = sum(
            1 for _ in StackExchangeImporter().extract(folder, ImportOptions(store_bodies=False))
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 7000
    assert peak < 8 << 20  # the files hold 5.4 MB: not kept in memory
