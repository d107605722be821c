"""The web app through its HTTP interface (FastAPI's test client), on the
sample world, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kith.cli import cli
from kith.errors import ConfigError
from kith.web import security
from kith.web.app import create_app
from kith.web.config import WebConfig, is_loopback
from tests.web_world import build_world

_copies = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory) -> Iterator[tuple[str, str, object]]:
    """(backend, the world's ledger URL, its last day), built once per backend."""
    folder = tmp_path_factory.mktemp(f"world-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'world.db'}"
        day = build_world(url, folder)
        yield "sqlite", url, day
        return
    server = request.getfixturevalue("postgres")
    name = f"world{os.getpid()}"
    admin = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    day = build_world(server.url(name), folder)
    yield "postgresql", server.url(name), (day, server, admin, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def ledger_url(world, tmp_path) -> Iterator[str]:
    """A fresh copy of the world's ledger for one test (actions change it)."""
    backend, url, extra = world
    if backend == "sqlite":
        source = Path(url.split(":///", 1)[1])
        target = tmp_path / "kith.db"
        shutil.copy(source, target)
        yield f"sqlite:///{target}"
        return
    _, server, admin, template = extra
    name = f"{template}_{next(_copies)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield server.url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def day(world):
    backend, _, extra = world
    return extra if backend == "sqlite" else extra[0]


@pytest.fixture
def client(ledger_url, day) -> Iterator[TestClient]:
    app = create_app(WebConfig(database_url=ledger_url, day=day))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def assert_error(response, status: int, words: str) -> None:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message", "where", "hint"}
    assert body["error"]["status"] == status
    assert words in body["error"]["message"]


# -- pages ----------------------------------------------------------------------


def test_every_page_answers_with_html(client):
    person = client.get("/api/people", params={"sort": "strength"}).json()["people"][0]["id"]
    for path, words in [
        ("/", "Your people"),
        ("/today", "Today, 2026-11-20"),
        ("/people", "People"),
        (f"/people/{person}", "Timeline"),
        ("/network", "network-map"),
        ("/import", "Export file"),
        ("/docs", "swagger-ui"),
    ]:
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 200, path
        assert words in r.text, path
    assert "cdn" not in client.get("/docs").text.lower()


def test_the_openapi_document_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in [
        "/api/today",
        "/api/today/items/{item_id}/done",
        "/api/people",
        "/api/people/{pid}",
        "/api/people/{pid}/merge",
        "/api/network",
        "/api/imports",
        "/api/imports/{job_id}",
    ]:
        assert path in paths


def test_static_bundles_are_served(client):
    for path in ["/static/js/app.js", "/static/js/network.js", "/static/css/kith.css"]:
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 1000, path


# -- today ----------------------------------------------------------------------


def test_today_lists_the_items_with_reasons_and_drafts(client):
    data = client.get("/api/today").json()
    assert data["date"] == "2026-11-20"
    assert data["items"]
    first = data["items"][0]
    assert first["reason"] and first["draft"] and first["sentence"].startswith(first["person"])


def test_done_through_the_api_takes_the_item_off_the_list(client):
    item = client.get("/api/today").json()["items"][0]
    r = client.post(f"/api/today/items/{item['id']}/done", json={"note": "called her"})
    assert r.status_code == 200
    assert r.json()["action"] == "done" and r.json()["recorded"]
    after = client.get("/api/today").json()
    assert item["id"] not in [i["id"] for i in after["items"]]
    assert item["id"] in [d["id"] for d in after["done"]]
    person = client.get(f"/api/people/{item['person_id']}").json()
    assert [n["note"] for n in person["notes"]] == ["called her"], (
        item,
        person["notes"],
        person["id"],
    )


def test_snooze_and_skip_through_the_page_return_the_closed_row(client):
    page = client.get("/today", headers={"Accept": "text/html"})
    token = csrf_of(page.text)
    first, second = client.get("/api/today").json()["items"][:2]
    r = client.post(
        f"/today/items/{first['id']}/snooze",
        data={"days": "3", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200
    assert f"Snoozed: {first['title']}, back on 2026-11-23" in r.text
    r = client.post(
        f"/today/items/{second['id']}/skip",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert f"Skipped: {second['title']}" in r.text
    left = [i["id"] for i in client.get("/api/today").json()["items"]]
    assert first["id"] not in left and second["id"] not in left


def test_a_form_without_the_csrf_token_is_refused(client):
    client.get("/today", headers={"Accept": "text/html"})
    item = client.get("/api/today").json()["items"][0]
    r = client.post(f"/today/items/{item['id']}/skip", data={"days": "3"})
    assert_error(r, 403, "did not come from kith")
    r = client.post(
        f"/today/items/{item['id']}/skip",
        data={"csrf_token": "forged"},
        headers={"HX-Request": "1"},
    )
    assert_error(r, 403, "did not come from kith")
    assert item["id"] in [i["id"] for i in client.get("/api/today").json()["items"]]


def test_an_unknown_item_is_a_404_in_the_one_error_shape(client):
    r = client.post("/api/today/items/re0000000000/skip", json={})
    assert_error(r, 404, "no item 're0000000000'")
    assert "kith today" in r.json()["error"]["hint"]


# -- people and person --------------------------------------------------------------


def test_people_search_by_name_and_address(client):
    strongest = client.get("/api/people", params={"sort": "strength"}).json()["people"][0]
    first_name = strongest["name"].split()[0]
    found = client.get("/api/people", params={"q": first_name[:3].lower()}).json()["people"]
    assert strongest["id"] in [p["id"] for p in found]
    address = strongest["identity"].split(":", 1)[1]
    found = client.get("/api/people", params={"q": address[:6]}).json()["people"]
    assert strongest["id"] in [p["id"] for p in found]


def test_people_filters_and_pages(client):
    everyone = client.get("/api/people", params={"per_page": 200}).json()["people"]
    cooling = client.get("/api/people", params={"cooling": True, "per_page": 200}).json()
    assert cooling["people"] and all(p["cooling"] for p in cooling["people"])
    assert all(p["cooling_ratio"] >= 2 for p in cooling["people"])
    owed = client.get("/api/people", params={"debt": "owed", "per_page": 200}).json()["people"]
    assert owed and all(p["give_balance"] > 0 for p in owed)
    for layer, size in (("support", 5), ("sympathy", 10)):  # ranks 1–5, 6–15
        inner = client.get("/api/people", params={"layer": layer}).json()["people"]
        assert len(inner) == size and {p["layer"] for p in inner} == {layer}
    outside = client.get("/api/people", params={"layer": "outside", "per_page": 200}).json()
    assert outside["people"] and {p["layer"] for p in outside["people"]} == {"outside"}
    strong = client.get("/api/people", params={"min_strength": 30, "per_page": 200}).json()
    assert strong["people"] and all(p["strength"] >= 30 for p in strong["people"])
    page1 = client.get("/api/people", params={"per_page": 10}).json()
    page2 = client.get("/api/people", params={"per_page": 10, "page": 2}).json()
    assert page1["more"] and [p["id"] for p in page1["people"] + page2["people"]] == [
        p["id"] for p in everyone[:20]
    ]
    circles = client.get("/api/circles").json()["circles"]
    assert circles
    members = client.get("/api/people", params={"circle": circles[0]["id"]}).json()["people"]
    assert members
    html = client.get("/people", params={"cooling": "true"}, headers={"Accept": "text/html"})
    assert "cooling" in html.text


def test_the_web_and_the_command_line_agree_on_every_person(client, ledger_url, day):
    """One meaning of strength, layer and cooling: the People page, its JSON
    and `kith relationships --json` say the same of everyone, as of the same day."""
    import json

    out = CliRunner().invoke(
        cli,
        ["--db", ledger_url, "relationships", "--json", "--limit", "0", "--date", str(day)],
    )
    assert out.exit_code == 0, out.output
    listed = {r["person_id"]: r for r in json.loads(out.output)}
    web: dict[int, dict] = {}
    page = 1
    while True:
        found = client.get("/api/people", params={"per_page": 200, "page": page}).json()
        web.update({p["id"]: p for p in found["people"]})
        if not found["more"]:
            break
        page += 1
    with_rows = {pid: p for pid, p in web.items() if p["strength"] is not None}
    assert set(listed) <= set(web)
    assert set(with_rows) == set(listed)
    for pid, row in listed.items():
        shown = web[pid]
        got = (shown["strength"], shown["layer"], shown["cooling"], shown["cooling_ratio"])
        assert got == (row["strength"], row["layer"], row["cooling"], row["cooling_ratio"]), pid
    # the sample world has every kind: inner layers, one-way people, cooling ones
    layers = {r["layer"] for r in listed.values()}
    assert {"support", "sympathy", "close", "outside"} <= layers
    assert any(r["cooling"] for r in listed.values())
    assert all(p["layer"] == "outside" for pid, p in web.items() if pid not in listed)
    # and the page shows the same words
    html = client.get("/people", params={"layer": "support"}, headers={"Accept": "text/html"})
    support = [pid for pid, r in listed.items() if r["layer"] == "support"]
    assert len(support) == 5
    for pid in support:
        assert f'href="/people/{pid}"' in html.text
        assert f'<td class="num">{listed[pid]["strength"]}</td>' in html.text


def test_person_has_identities_timeline_and_figures(client):
    by_strength = client.get("/api/people", params={"sort": "strength"}).json()["people"]
    assert [p["strength"] for p in by_strength] == sorted(
        (p["strength"] for p in by_strength), reverse=True
    )
    support = client.get("/api/people", params={"layer": "support"}).json()["people"]
    ranks = sorted(client.get(f"/api/people/{p['id']}").json()["rank"] for p in support)
    assert ranks == [1, 2, 3, 4, 5]
    pid = support[0]["id"]
    data = client.get(f"/api/people/{pid}").json()
    assert data["identities"] and data["timeline"]
    assert data["relationship"]["decayed"] > 0
    assert data["report"]["layer"]["layer"] == "support"
    page = client.get(f"/people/{pid}", headers={"Accept": "text/html"}).text
    assert "Reciprocity ledger" in page and "Strength over time" in page
    # the daily queue's view of them: the asks waiting, as `kith today` counts them
    today = data["today"]
    assert set(today) == {"not_acted_on", "waiting_asks", "let_go", "gave_unanswered", "gave"}
    assert f"{today['waiting_asks']} message" in page and "that ask something" in page


def test_the_person_page_and_the_command_line_agree_on_what_waits(client, ledger_url):
    import json

    people = client.get("/api/people", params={"per_page": 40}).json()["people"]
    for p in people[:10]:
        web = client.get(f"/api/people/{p['id']}").json()["today"]
        out = CliRunner().invoke(cli, ["--db", ledger_url, "person", f"#{p['id']}", "--json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["today"] == web


def test_a_missing_person_is_a_404_page_for_a_browser_and_json_for_the_api(client):
    assert_error(client.get("/api/people/999999"), 404, "no person #999999")
    page = client.get("/people/999999", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "no person #999999" in page.text
    assert "<html" in page.text


def test_merge_and_unmerge(client):
    a, b = client.get("/api/people", params={"per_page": 2}).json()["people"]
    r = client.post(f"/api/people/{a['id']}/merge", json={"other": f"#{b['id']}"})
    assert r.json() == {"kept": a["id"], "merged": b["id"]}
    merged = client.get(f"/api/people/{a['id']}").json()
    assert b["id"] in merged["merged_from"]
    followed = client.get(f"/people/{b['id']}", follow_redirects=False)
    assert followed.status_code == 303 and followed.headers["location"] == f"/people/{a['id']}"
    r = client.post(f"/api/people/{b['id']}/unmerge", json={})
    assert r.json() == {"kept": a["id"], "merged": b["id"]}
    assert client.get(f"/api/people/{a['id']}").json()["merged_from"] == []
    assert_error(client.post(f"/api/people/{b['id']}/unmerge", json={}), 404, "not merged")


# -- network and import ----------------------------------------------------------------


def test_network_has_clusters_ties_and_me(client):
    data = client.get("/api/network", params={"limit": 50}).json()
    people = [n for n in data["nodes"] if not n.get("me")]
    assert len(people) == 50 and data["total"] >= 50
    assert any(n.get("me") for n in data["nodes"])
    assert any(e["source"] != "me" for e in data["edges"])
    assert {n["cluster"] for n in people} >= {0}
    alone = client.get("/api/network", params={"limit": 50, "me": False}).json()
    assert not any(n.get("me") for n in alone["nodes"])


def test_import_an_uploaded_file_and_watch_it(client):
    import time

    mbox = Path(__file__).parent / "data" / "email" / "crlf.mbox"
    r = client.post(
        "/api/imports",
        params={"filename": "crlf.mbox"},
        content=mbox.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202
    job = r.json()
    deadline = time.monotonic() + 30
    while job["status"] in ("running", "refreshing") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/api/imports/{job['id']}").json()
    assert job["status"] == "done", job
    assert job["summaries"][0]["importer"] == "mbox"
    assert job["summaries"][0]["imported"] + job["summaries"][0]["duplicates"] > 0
    # The figures are brought up to date as kith import does: no command to run by hand.
    assert job["refreshed"]["relationships"] > 0, job
    page = client.get(f"/import/{job['id']}", headers={"HX-Request": "1"}).text
    assert "Done in" in page and "The figures are up to date" in page
    assert "kith analytics refresh" not in page
    # Another server process (kith serve --workers N) sees the same job.
    from kith.web.jobs import Jobs

    other = Jobs(client.app.state.ledger).get(job["id"])
    assert other.status == "done" and other.summaries == job["summaries"]
    assert "crlf.mbox" in client.get("/import", headers={"Accept": "text/html"}).text
    assert_error(client.get("/api/imports/nothere"), 404, "no import 'nothere'")


def test_an_unreadable_upload_fails_naming_the_file_and_loses_nothing(client):
    import time

    before = client.get("/api/people", params={"per_page": 1000}).json()
    r = client.post(
        "/api/imports",
        params={"filename": "notes.bin"},
        content=b"\x00\x01 not an export kith knows \xff" * 20,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202
    job = r.json()
    deadline = time.monotonic() + 30
    while job["status"] in ("running", "refreshing") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/api/imports/{job['id']}").json()
    assert job["status"] == "failed", job
    assert "notes.bin" in job["error"]
    # Said once, on one line, with its hint: no server path, nothing refreshed.
    assert "\n" not in job["error"] and "known formats" in job["error"]
    assert job["refreshed"] is None
    page = client.get(f"/import/{job['id']}", headers={"HX-Request": "1"}).text
    assert page.count("does not recognise") == 1
    assert client.get("/api/people", params={"per_page": 1000}).json() == before


def test_import_through_the_page_form(client):
    token = csrf_of(client.get("/import", headers={"Accept": "text/html"}).text)
    mbox = Path(__file__).parent / "data" / "email" / "crlf.mbox"
    r = client.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("crlf.mbox", mbox.read_bytes(), "application/mbox")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/import/")
    page = client.get(r.headers["location"], headers={"Accept": "text/html"})
    assert "Importing crlf.mbox" in page.text


def test_a_bodiless_post_needs_the_token_too(client):
    item = client.get("/api/today").json()["items"][0]
    assert_error(client.post(f"/api/today/items/{item['id']}/skip"), 403, "did not come")


def test_validation_errors_use_the_one_shape(client):
    assert_error(client.get("/api/people", params={"page": 0}), 422, "page")
    assert_error(client.get("/nowhere"), 404, "no page at /nowhere")


# -- the login off loopback -------------------------------------------------------------


def test_off_loopback_without_a_password_the_app_refuses_to_start(ledger_url):
    with pytest.raises(ConfigError, match="needs a login"):
        create_app(WebConfig(database_url=ledger_url, host="0.0.0.0"))
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_off_loopback_every_page_asks_for_the_login(ledger_url, day):
    config = WebConfig(
        database_url=ledger_url,
        host="0.0.0.0",
        password_hash=security.hash_password("correct horse"),
        secure_cookies=True,
        day=day,
    )
    with TestClient(create_app(config), base_url="https://kith.example") as c:
        r = c.get("/today", headers={"Accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/today"
        assert_error(c.get("/api/today"), 401, "log in first")
        assert c.get("/healthz").status_code == 200
        login = c.get("/login?next=/today")
        token = csrf_of(login.text)
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
        bad = c.post("/login", data={"password": "wrong", "csrf_token": token, "next": "/"})
        assert bad.status_code == 401 and "not right" in bad.text
        no_token = c.post("/login", data={"password": "correct horse"})
        assert no_token.status_code == 403
        ok = c.post(
            "/login",
            data={"password": "correct horse", "csrf_token": token, "next": "/today"},
            follow_redirects=False,
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/today"
        session = ok.headers["set-cookie"].lower()
        assert "kith_session=" in session
        assert "httponly" in session and "secure" in session and "samesite=strict" in session
        assert c.get("/api/today").status_code == 200
        open_redirect = c.post(
            "/login",
            data={"password": "correct horse", "csrf_token": token, "next": "//evil.example"},
            follow_redirects=False,
        )
        assert open_redirect.headers["location"] == "/"


def test_serve_refuses_plain_http_off_loopback_and_teaches_in_its_help():
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code != 0 and "unencrypted" in r.output and "--certfile" in r.output
    help_text = runner.invoke(cli, ["serve", "--help"]).output
    for words in ["127.0.0.1", "--set-password", "--behind-proxy", "/docs", "/today"]:
        assert words in help_text


def test_the_password_is_stored_as_an_argon2_hash():
    hashed = security.hash_password("correct horse")
    assert hashed.startswith("$argon2id$") and "correct horse" not in hashed
    assert security.check_password(hashed, "correct horse")
    assert not security.check_password(hashed, "wrong")
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--set-password"], input="correct horse\ncorrect horse\n")
    assert r.exit_code == 0, r.output
    stored = security.password_file().read_text().strip()
    assert stored.startswith("$argon2id$")
    assert oct(security.password_file().stat().st_mode & 0o777) == "0o600"
    assert security.load_password_hash() == stored


def test_an_unexpected_failure_is_a_500_in_the_one_shape(ledger_url, day, monkeypatch):
    app = create_app(WebConfig(database_url=ledger_url, day=day))

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.state.ledger, "today", broken)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        r = c.get("/api/today")
        assert_error(r, 500, "something went wrong inside kith")
        assert "disk on fire" not in r.text
        page = c.get("/today", headers={"Accept": "text/html"})
        assert page.status_code == 500 and "something went wrong" in page.text


def test_a_new_empty_ledger_has_every_page(tmp_path):
    app = create_app(WebConfig(database_url=f"sqlite:///{tmp_path / 'new.db'}"))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        for path in ["/", "/today", "/people", "/network", "/import"]:
            r = c.get(path, headers={"Accept": "text/html"})
            assert r.status_code == 200, path
        assert "Nothing to show yet" in c.get("/today", headers={"Accept": "text/html"}).text
        assert c.get("/api/people").json()["people"] == []
        assert c.get("/api/network").json()["nodes"] == []


def test_off_loopback_the_api_schema_needs_the_login_too(ledger_url):
    config = WebConfig(
        database_url=ledger_url,
        host="0.0.0.0",
        password_hash=security.hash_password("correct horse"),
        secure_cookies=True,
    )
    with TestClient(create_app(config), base_url="https://kith.example") as c:
        assert_error(c.get("/openapi.json"), 401, "log in first")
        assert c.get("/docs", follow_redirects=False).status_code in (303, 401)


def test_introduction_suggestions_are_on_the_page_and_one_is_proposed_in_place(client):
    found = client.get("/api/introductions/suggestions", params={"limit": 3}).json()
    assert 0 < len(found["suggestions"]) <= 3
    first = found["suggestions"][0]
    assert first["reasons"] and first["a"]["id"] != first["b"]["id"]
    text = client.get("/introductions", headers={"Accept": "text/html"}).text
    assert first["a"]["name"] in text and first["b"]["name"] in text
    assert first["reasons"][0] in text
    r = client.post(
        "/introductions",
        data={
            "a": f"#{first['a']['id']}",
            "b": f"#{first['b']['id']}",
            "note": first["reasons"][0],
            "csrf_token": csrf_of(text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    made = client.get("/api/introductions").json()["introductions"]
    assert any({i["a"]["id"], i["b"]["id"]} == {first["a"]["id"], first["b"]["id"]} for i in made)
    assert_error(client.get("/api/introductions/suggestions", params={"for": "#999999"}), 404, "")
