"""Matching on the web, in a real browser (as tests/test_web_browser.py): the
match box on /people finds the sample world's planted fits with quotes, the
audience filter keeps the people list to the audience, the person page shows
what matters to them; and their JSON API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from kith.sample.topics import TOPICS
from tests import test_web_browser as base
from tests.test_web_browser import axe_violations, shot, unlabelled_controls

pytestmark = pytest.mark.browser

AUDIENCE = "beekeepers who keep honey bees in hives"

#: The browser tests' fixtures; ``page`` opens this module's ``server``.
browser = base.browser
page = base.page


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """``kith serve`` on the sample world, with an audience described in its config."""
    folder = tmp_path_factory.mktemp("match-world")
    with base.serve_world(folder, f'[audience]\ndescribe = "{AUDIENCE}"\n') as url:
        yield url


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_match_box_finds_the_planted_fits_with_quotes(page):
    page.goto("/people")
    page.get_by_label("Who fits…").fill(TOPICS["letterpress"].query)
    page.get_by_label("Who fits…").press("Enter")
    page.wait_for_url("**/people?match=*")
    results = page.locator("section.matches ol > li")
    assert results.count() >= 2
    first_two = " ".join(results.nth(i).inner_text() for i in range(2))
    assert first_two.count("Letterpress gives the wedding invitations") == 2
    assert unlabelled_controls(page) == []
    shot(page, "people-match")
    assert axe_violations(page) == []
    results.first.get_by_role("link").click()
    page.wait_for_url("**/people/*")
    assert page.get_by_role("heading", name="What matters to them").count() == 1
    assert "letterpress" in page.locator("section", has_text="What matters to them").inner_text()
    shot(page, "person-matters")


def test_the_audience_filter_keeps_the_list_to_the_audience(page, server):
    page.goto("/people")
    everyone = page.locator("table.people tbody tr").count()
    page.get_by_label("My audience only").check()
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**audience=true*")
    rows = page.locator("table.people tbody tr")
    status, audience = _get(f"{server}/api/audience")
    assert status == 200 and audience["description"] == AUDIENCE
    names = {m["person"]["name"] for m in audience["members"]}
    assert 2 <= rows.count() == len(names) < everyone
    assert {rows.nth(i).locator("td a").inner_text() for i in range(rows.count())} == names


def test_the_json_api(server):
    status, found = _get(f"{server}/api/match?q=Japanese%20translation&limit=3")
    assert status == 200
    assert [set(m) for m in found["matches"]] == [{"person", "score", "evidence"}] * 3
    assert "Japanese" in found["matches"][0]["evidence"][0]["text"]
    pid = found["matches"][0]["person"]["id"]
    status, matters = _get(f"{server}/api/people/{pid}/matters")
    assert status == 200 and "japanese" in matters["topics"][0]["words"]
    status, bad = _get(f"{server}/api/match?q=%20%20")
    assert status == 422 and "the query is empty" in bad["error"]["message"]
    status, spec = _get(f"{server}/openapi.json")
    assert {"/api/match", "/api/audience", "/api/people/{pid}/matters"} <= set(spec["paths"])
