"""The WordPress (WXR) importer.

Real exports are in ``../shared/data/formats/wordpress-wxr``; edge cases are
small files in ``tests/data/wordpress``, each with its expected records in
``<name>.json`` beside it (``KITH_REGEN_GOLDEN=1`` rewrites them).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kith.errors import InputError
from kith.ingest.base import ImportOptions
from kith.ingest.testing import check_importer, inputs
from kith.ingest.wordpress import WordPressImporter
from kith.model import Fact, Kind, Origin, Role, Skipped
from tests.test_ingest_social import (
    DATA,
    contacts,
    interactions,
    read_case,
    skipped,
)

CASES = DATA / "wordpress"
CASE_FILES = inputs(CASES, ".xml")
ME = {"me": "ana"}


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(WordPressImporter(), case, ImportOptions(params=ME))


def test_comments_replies_and_pings() -> None:
    records = read_case(WordPressImporter(), CASES / "comments.xml", ME)
    by_id = {r.source_id.removeprefix("ana.example/comment/"): r for r in interactions(records)}

    def who(cid: str) -> list[tuple[Role, str]]:
        return [(p.role, p.identity.key) for p in by_id[cid].participants]

    assert who("2") == [(Role.FROM, "email:ben@example.net"), (Role.TO, "email:ana@example.org")]
    # My reply (its e-mail is mine) comes before Ben's comment in the file: still to Ben.
    assert who("3") == [(Role.FROM, "email:ana@example.org"), (Role.TO, "email:ben@example.net")]
    assert by_id["3"].refs == ("ana.example/post/10", "ana.example/comment/2")
    assert by_id["3"].is_reply and by_id["3"].subject == "Launch week"
    assert by_id["3"].body == "Thank you Ben! Glad it helped."
    assert by_id["3"].extra == {
        "visibility": "public",
        "url": "https://ana.example/launch-week/#comment-3",
    }
    assert by_id["4"].refs == (
        "ana.example/post/10",
        "ana.example/comment/2",
        "ana.example/comment/3",
    )
    assert by_id["4"].occurred_at == 1714651200  # 2024-05-02 12:00 site time: no GMT date
    ping = by_id["7"]
    assert ping.kind is Kind.MENTION
    assert who("7") == [(Role.FROM, "url:carla.example"), (Role.TO, "email:ana@example.org")]
    assert ping.extra["source_url"] == "https://carla.example/2024/05/links/"
    assert who("9")[0] == (Role.FROM, "url:dave.example")  # no e-mail: the website
    # On a guest's post, my comment (user id 1 is mine, whatever the e-mail) is to the guest.
    assert who("12") == [(Role.FROM, "email:ana@example.org"), (Role.TO, "email:guest@example.org")]
    # 5 (spam) and 6 (pending) are left out without a word.
    assert sorted(by_id) == ["12", "2", "3", "4", "7", "9"]
    assert skipped(records) == [
        Skipped(
            Origin(str(CASES / "comments.xml"), 6),
            "comment 8 has neither an e-mail address nor a URL",
        ),
        Skipped(
            Origin(str(CASES / "comments.xml"), 8),
            "comment 10: unreadable comment date: 'yesterday'",
        ),
    ]


def test_authors_are_cards_and_me_marks_mine() -> None:
    records = read_case(WordPressImporter(), CASES / "comments.xml", ME)
    cards = {c.source_id: c for c in contacts(records)}
    assert cards["author:ana@example.org"].is_me
    assert not cards["author:guest@example.org"].is_me
    # A commenter's website is a fact, not an identity.
    assert cards["commenter:ben@example.net"].facts == (Fact("url", "https://ben.example/"),)
    assert [i.key for i in cards["commenter:ben@example.net"].identities] == [
        "email:ben@example.net"
    ]
    nobody = read_case(WordPressImporter(), CASES / "comments.xml")
    assert not any(c.is_me for c in contacts(nobody))


def test_me_must_name_an_author() -> None:
    with pytest.raises(InputError) as caught:
        read_case(WordPressImporter(), CASES / "comments.xml", {"me": "anna"})
    assert str(caught.value) == (
        f"{CASES / 'comments.xml'}: -o me=anna names no author of this blog\n"
        "  its authors (wp:author_login) are: ana, guest"
    )


def test_broken_and_unsafe_xml_are_errors_naming_the_file() -> None:
    with pytest.raises(InputError) as caught:
        read_case(WordPressImporter(), CASES / "truncated.xml", ME)
    assert str(caught.value) == (
        f"{CASES / 'truncated.xml'}: broken XML at line 46, column 3: unclosed token\n"
        "  the export may be cut short: export it again from WordPress"
    )
    with pytest.raises(InputError, match=r"unsafe XML refused \(EntitiesForbidden\)"):
        read_case(WordPressImporter(), CASES / "entity_expansion.xml")


# --- the real exports -------------------------------------------------------------------


def test_theme_unit_test_data_counts(shared_data: Path) -> None:
    path = shared_data / "formats" / "wordpress-wxr" / "theme-unit-test-data.xml"
    records = read_case(WordPressImporter(), path, {"me": "themedemos"}, bodies=False)
    found = interactions(records)
    # 33 comments: 30 approved (26 comments, 2 pingbacks, 2 trackbacks), 3 not.
    assert Counter(r.kind for r in found) == {Kind.COMMENT: 26, Kind.MENTION: 4}
    assert not skipped(records)
    assert sum(r.is_reply for r in found) == 9  # 905 … 915, under 904
    mine = [r for r in found if r.participants[0].identity.value == "themeshaperwp+demos@gmail.com"]
    assert sorted(r.source_id.rsplit("/", 1)[1] for r in mine) == ["169", "2", "903", "910", "915"]
    assert {r.participants[1].identity.value for r in mine if len(r.participants) > 1} == {
        "themereviewteam@gmail.com",  # comment 2, on the other author's post
        "example@example.org",  # 910, 915: replies in the 904 chain
    }
    me = [c for c in contacts(records) if c.is_me]
    assert [c.identities[0].value for c in me] == ["themeshaperwp+demos@gmail.com"]
