"""Introductions on the web: the board, its forms (CSRF as the other pages),
the JSON API in /docs, and the person page; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kith.store import repository
from kith.web.app import create_app
from kith.web.config import WebConfig
from tests.test_introductions import ANA, BO, CY, HELLO, ME, load, ts
from tests.test_web import assert_error, csrf_of


@pytest.fixture
def client(engine, db_url, tmp_path) -> Iterator[TestClient]:
    repository.add_me(engine, "email", ME, name="Sam Rivera", now=0)
    load(engine, tmp_path, "hello.mbox", HELLO, ts(1, 20))
    app = create_app(WebConfig(database_url=db_url))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def page(client: TestClient, path: str = "/introductions") -> str:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    return r.text


def test_the_board_starts_and_moves_one_on_through_its_forms(client):
    text = page(client)
    assert 'id="suggestions"' in text
    token = csrf_of(text)
    r = client.post(
        "/introductions",
        data={"a": ANA, "b": BO, "note": "both bake", "csrf_token": token},
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, "/introductions")
    (started,) = client.get("/api/introductions").json()["introductions"]
    assert (started["state"], started["note"]) == ("proposed", "both bake")
    assert "Would you like to meet Bo?" in started["draft"]
    text = page(client)
    assert "Next: ask Ana Lima whether they would like to meet Bo Chen" in text
    iid = started["id"]
    for event in ("ask", "agreed"):
        r = client.post(f"/introductions/{iid}/{event}", data={"csrf_token": token})
        assert r.status_code == 200  # followed back to the board
    moved = client.get(f"/api/introductions/{iid}").json()
    assert moved["state"] == "a_agreed"
    assert [s["state"] for s in moved["steps"]] == ["proposed", "asked_a", "a_agreed"]
    assert "Ana said yes: ask Bo Chen" in page(client)


def test_a_form_without_the_csrf_token_is_refused(client):
    page(client)
    r = client.post("/introductions", data={"a": ANA, "b": BO})
    assert_error(r, 403, "did not come from kith")
    assert client.get("/api/introductions").json()["introductions"] == []


def test_the_api_refuses_bad_input_naming_who_and_why(client):
    ok = client.post("/api/introductions", json={"a": ANA, "b": BO})
    assert ok.status_code == 200
    assert_error(
        client.post("/api/introductions", json={"a": CY, "b": CY}),
        400,
        "Cy Ortiz cannot be introduced to themselves",
    )
    assert_error(
        client.post("/api/introductions", json={"a": BO, "b": ANA}),
        400,
        "Ana Lima and Bo Chen already have an open introduction",
    )
    assert_error(
        client.post(f"/api/introductions/{ok.json()['id']}/made", json={}),
        400,
        "cannot take 'made'",
    )
    assert_error(client.post("/api/introductions/999/ask", json={}), 404, "no introduction 999")
    assert_error(client.get("/api/introductions?state=bogus"), 400, "no state 'bogus'")
    assert len(client.get("/api/introductions").json()["introductions"]) == 1


def test_the_person_page_and_api_show_their_introductions(client):
    started = client.post("/api/introductions", json={"a": ANA, "b": BO}).json()
    bo = started["b"]["id"]
    data = client.get(f"/api/people/{bo}").json()
    assert [(i["other"]["name"], i["state"]) for i in data["introductions"]] == [
        ("Ana Lima", "proposed")
    ]
    assert 'To <a href="/people/' in page(client, f"/people/{bo}")


def test_the_api_is_in_the_docs(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/introductions",
        "/api/introductions/{iid}",
        "/api/introductions/{iid}/{event}",
    } <= set(paths)
    assert "state" in {p["name"] for p in paths["/api/introductions"]["get"]["parameters"]}
