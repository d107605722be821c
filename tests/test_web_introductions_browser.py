"""The introductions page in a real browser (Debian's Chromium, headless,
Playwright), against a real ``kith serve`` on a small ledger of my own: propose
one with the form, move it on with its buttons, and the board follows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kith.store import repository
from kith.store.db import open_store
from tests import test_web_browser as house
from tests.test_introductions import ANA, BO, HELLO, ME, load, ts
from tests.test_web_browser import axe_violations, serving, shot, unlabelled_controls

pytestmark = pytest.mark.browser

#: The house's browser and page fixtures (its page checks for script errors).
browser = house.browser
page = house.page


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A real ``kith serve`` on a ledger of three people; yields its URL."""
    folder = tmp_path_factory.mktemp("browser-introductions")
    db = folder / "kith.db"
    engine = open_store(f"sqlite:///{db}")
    repository.add_me(engine, "email", ME, name="Sam Rivera", now=0)
    load(engine, folder, "hello.mbox", HELLO, ts(1, 20))
    engine.dispose()
    with serving(db, folder) as url:
        yield url


def column(page, state: str):
    return page.locator(f"section.board-column[data-state='{state}']")


def test_propose_and_move_an_introduction_on_from_the_board(page):
    page.goto("/introductions")
    assert page.locator("h1").inner_text() == "Introductions"
    assert page.locator("#suggestions").count() == 1
    assert unlabelled_controls(page) == []
    page.get_by_label("A", exact=True).fill(ANA)
    page.get_by_label("B", exact=True).fill(BO)
    page.get_by_label("Why").fill("both bake")
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url("**/introductions")
    card = column(page, "proposed").locator("li.item")
    assert card.count() == 1
    assert "Next: ask Ana Lima whether they would like to meet Bo Chen" in card.inner_text()
    card.locator("summary").click()
    assert "Would you like to meet Bo?" in card.locator("pre.draft").inner_text()
    card.get_by_role("button", name="Ask").click()
    page.wait_for_url("**/introductions#intro-*")
    waiting = column(page, "asked_a").locator("li.item")
    assert "Waiting for Ana Lima's answer" in waiting.inner_text()
    waiting.get_by_role("button", name="Agreed").click()
    page.wait_for_url("**/introductions#intro-*")
    assert "Ana said yes: ask Bo Chen" in column(page, "a_agreed").inner_text()
    assert column(page, "proposed").locator("li.item").count() == 0
    shot(page, "introductions")
    assert axe_violations(page) == []
    page.locator("a", has_text="Bo Chen").first.click()
    assert "To Ana Lima, by me: a_agreed" in page.locator("#intro-h + ul").inner_text()
