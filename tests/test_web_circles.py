"""/circles: propose, review and create private circles, through the HTTP
interface (both ledgers) and in a real browser (Chromium, as in
test_web_browser.py)."""

from __future__ import annotations

import re

import pytest

from tests.test_web import assert_error, client, csrf_of, day, ledger_url, world  # noqa: F401
from tests.test_web_browser import (  # noqa: F401
    axe_violations,
    browser,
    page,
    server,
    shot,
    unlabelled_controls,
)


def test_form_api_proposes_and_writes_nothing(client):  # noqa: F811
    r = client.post("/api/circles/form", json={"size": "3-4", "count": 2, "time_limit": 2})
    assert r.status_code == 200, r.text
    data = r.json()
    assert {"circles", "objective", "bound"} <= set(data)
    assert len(data["circles"]) == 2
    for c in data["circles"]:
        assert 3 <= len(c["members"]) <= 4 and c["reasons"] and c["draft"]
    assert client.get("/api/circles/private").json() == {"circles": []}


def test_create_then_change_members_through_the_api(client):  # noqa: F811
    people = client.get("/api/people", params={"sort": "strength"}).json()["people"][:4]
    ids = [p["id"] for p in people]
    r = client.post("/api/circles/private", json={"name": "Pricing", "members": ids[:3]})
    assert r.status_code == 200, r.text
    cid = r.json()["id"]
    r = client.post(f"/api/circles/private/{cid}/members/add", json={"people": [ids[3]]})
    assert r.json() == {"changed": 1}
    r = client.post(f"/api/circles/private/{cid}/members/remove", json={"people": [ids[0]]})
    assert r.json() == {"changed": 1}
    (listed,) = client.get("/api/circles/private").json()["circles"]
    assert {m["id"] for m in listed["members"]} == set(ids[1:])


def test_bad_input_is_a_422_or_404_and_writes_nothing(client):  # noqa: F811
    r = client.post("/api/circles/form", json={"size": "500-600"})
    assert_error(r, 422, "fewer than one circle of 500")
    r = client.post("/api/circles/form", json={"must_link": [[1, 999999]]})
    assert_error(r, 404, "no person #999999")
    r = client.post("/api/circles/private", json={"name": "X", "members": [999999]})
    assert_error(r, 404, "no person #999999")
    assert client.get("/api/circles/private").json() == {"circles": []}


def test_the_page_form_needs_its_csrf_token(client):  # noqa: F811
    person = client.get("/api/people").json()["people"][0]["id"]
    r = client.post("/circles/create", data={"name": "X", "members": str(person)})
    assert_error(r, 403, "did not come from kith")
    page_ = client.get("/circles", headers={"Accept": "text/html"})
    token = csrf_of(page_.text)
    r = client.post(
        "/circles/create",
        data={"name": "X", "members": str(person), "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and re.match(r"/circles#circle-\d+", r.headers["location"])
    assert [c["name"] for c in client.get("/api/circles/private").json()["circles"]] == ["X"]


@pytest.mark.browser
def test_propose_review_and_create_in_the_browser(page):  # noqa: F811
    page.goto("/circles")
    assert "Circles" in page.locator("h1").inner_text()
    assert unlabelled_controls(page) == []
    page.get_by_label("Size").fill("3-5")
    page.get_by_label("Circles", exact=True).fill("2")
    page.get_by_label("Need or topic").fill("pricing an online course")
    page.get_by_role("button", name="Propose").click()
    proposals = page.locator("li.proposal")
    proposals.first.wait_for(timeout=30_000)
    assert proposals.count() == 2
    assert "fit the need" in page.locator("section[aria-labelledby='proposed-h']").inner_text()
    assert unlabelled_controls(page) == []
    shot(page, "circles-proposed")
    assert axe_violations(page) == []
    members = proposals.first.locator("h3").inner_text()
    proposals.first.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/circles#circle-\d+"))
    mine = page.locator("section[aria-labelledby='mine-h']").inner_text()
    for name in members.split(", "):
        assert name in mine
    assert "New-tie yield" in mine
    shot(page, "circles-created")
