"""The web app against hostile requests (issue 15, "The web app"): a page on
another site reached through DNS rebinding, a login behind a proxy, huge
uploads and zip bombs, password guessing, missing headers, and ids and file
names out of range. Each test reproduces one finding; hostile inputs are
made here, small."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kith.cli import cli
from kith.errors import ConfigError, InputError
from kith.ingest.bundle import Bundle
from kith.web import security
from kith.web.app import create_app
from kith.web.config import WebConfig

PASSWORD = "correct horse"
BASE = "http://127.0.0.1:8750"
EVIL = "http://evil.example:8750"


@pytest.fixture(scope="module")
def hashed() -> str:
    return security.hash_password(PASSWORD)


@pytest.fixture
def ledger(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kith.db'}"


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


def open_client(config: WebConfig, base_url: str = BASE) -> TestClient:
    return TestClient(create_app(config), base_url=base_url, raise_server_exceptions=False)


@pytest.fixture
def client(ledger: str, uploads: Path) -> Iterator[TestClient]:
    with open_client(WebConfig(database_url=ledger, upload_dir=uploads)) as c:
        yield c


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def assert_error(response, status: int, words: str = "") -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert words in body["error"]["message"]
    return body["error"]


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# -- 1. DNS rebinding ---------------------------------------------------------


def test_a_foreign_host_name_is_refused(client):
    assert_error(client.get("/api/people", headers={"Host": "evil.example:8750"}), 400, "host")
    assert_error(client.get("/healthz", headers={"Host": "evil.example"}), 400, "host")
    for host in ["127.0.0.1:8750", "localhost:8750", "[::1]:8750", "LOCALHOST"]:
        assert client.get("/api/people", headers={"Host": host}).status_code == 200, host


def test_the_host_named_by_host_and_allow_host_is_accepted(ledger, hashed):
    config = WebConfig(
        database_url=ledger,
        host="192.168.1.5",
        password_hash=hashed,
        secure_cookies=True,
        allowed_hosts=("kith.example.org",),
    )
    with open_client(config, "https://192.168.1.5:8750") as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/healthz", headers={"Host": "kith.example.org"}).status_code == 200
        assert_error(c.get("/healthz", headers={"Host": "evil.example"}), 400, "host")


def test_a_state_change_from_another_origin_is_refused_json_too(client):
    json_post = client.post("/api/people/28/merge", json={"other": "#29"}, headers={"Origin": EVIL})
    assert_error(json_post, 403, "another site")
    raw = client.post(
        "/api/imports?filename=a.vcf",
        content=b"BEGIN:VCARD\r\nEND:VCARD\r\n",
        headers={"Origin": EVIL, "Content-Type": "application/octet-stream"},
    )
    assert_error(raw, 403, "another site")
    by_referer = client.post(
        "/api/people/28/merge", json={"other": "#29"}, headers={"Referer": EVIL + "/x"}
    )
    assert_error(by_referer, 403, "another site")
    null_origin = client.post(
        "/api/people/28/merge", json={"other": "#29"}, headers={"Origin": "null"}
    )
    assert_error(null_origin, 403, "another site")
    token = csrf_of(client.get("/today", headers={"Accept": "text/html"}).text)
    form = client.post(
        "/today/items/x/skip",
        data={"csrf_token": token},
        headers={"Origin": EVIL, "Accept": "application/json"},
    )
    assert_error(form, 403, "another site")
    # The app's own origin, or none at all (curl), goes through to the route.
    own = client.post("/api/people/28/merge", json={"other": "#29"}, headers={"Origin": BASE})
    assert_error(own, 404, "no person")
    assert_error(client.post("/api/people/28/merge", json={"other": "#29"}), 404, "no person")


# -- 2. --behind-proxy and a password always mean a login ----------------------


def test_behind_a_proxy_every_page_and_the_api_need_the_login(ledger, hashed):
    config = WebConfig(
        database_url=ledger, password_hash=hashed, secure_cookies=True, behind_proxy=True
    )
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    with open_client(config) as c:
        assert_error(c.get("/api/people", headers=forwarded), 401, "log in first")
        page = c.get(
            "/people", headers={**forwarded, "Accept": "text/html"}, follow_redirects=False
        )
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert_error(c.get("/openapi.json", headers=forwarded), 401)


def test_a_password_set_means_a_login_on_loopback_too(ledger, hashed):
    with open_client(WebConfig(database_url=ledger, password_hash=hashed)) as c:
        assert_error(c.get("/api/people"), 401, "log in first")


def test_behind_a_proxy_without_a_password_kith_refuses_to_start(ledger):
    with pytest.raises(ConfigError, match="needs a login"):
        create_app(WebConfig(database_url=ledger, behind_proxy=True))
    r = CliRunner().invoke(cli, ["--db", ledger.split(":///")[1], "serve", "--behind-proxy"])
    assert r.exit_code != 0 and "needs a login" in r.output


# -- 3. uploads ------------------------------------------------------------------


def test_an_upload_over_the_cap_is_refused_with_413_and_nothing_kept(ledger, uploads):
    config = WebConfig(database_url=ledger, upload_dir=uploads, max_upload_bytes=4096)
    with open_client(config) as c:
        big = b"x" * 10_000
        declared = c.post(
            "/api/imports?filename=big.vcf",
            content=big,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert_error(declared, 413, "too large")
        streamed = c.post(
            "/api/imports?filename=big.vcf",
            content=iter([big[:3000], big[3000:]]),  # chunked: no Content-Length
            headers={"Content-Type": "application/octet-stream"},
        )
        assert_error(streamed, 413, "too large")
        page = c.get("/import", headers={"Accept": "text/html"})
        form = c.post(
            "/import",
            data={"csrf_token": csrf_of(page.text)},
            files={"file": ("big.vcf", big, "text/vcard")},
            headers={"Accept": "application/json"},
        )
        assert_error(form, 413, "too large")
        assert c.get("/api/imports/nothing").status_code == 404
    assert leftovers(uploads) == []


def _write_bytes() -> int:
    """Bytes this process has written so far (Linux: /proc/self/io)."""
    text = Path("/proc/self/io").read_text()
    found = re.search(r"^wchar: (\d+)$", text, re.M)
    assert found
    return int(found.group(1))


def test_an_upload_is_written_to_disk_once(client, monkeypatch):
    started = threading.Event()
    monkeypatch.setattr("kith.importing.import_paths", lambda *a, **k: started.set() or [])
    size = 9 << 20  # over every in-memory spool (1 MB for forms, 8 MB before)
    body = b"BEGIN:VCARD\r\n" + b"N" * size
    before = _write_bytes()
    r = client.post(
        "/api/imports?filename=a.vcf",
        content=body,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    assert _write_bytes() - before < 1.5 * size
    token = csrf_of(client.get("/import", headers={"Accept": "text/html"}).text)
    before = _write_bytes()
    r = client.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("b.vcf", body, "text/vcard")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert _write_bytes() - before < 1.5 * size


def test_imports_at_once_are_capped(ledger, uploads, monkeypatch):
    release = threading.Event()

    def slow_import(*args, **kwargs):
        release.wait(10)
        return []

    monkeypatch.setattr("kith.importing.import_paths", slow_import)
    config = WebConfig(database_url=ledger, upload_dir=uploads, max_imports=1)
    headers = {"Content-Type": "application/octet-stream"}
    with open_client(config) as c:
        first = c.post("/api/imports?filename=a.vcf", content=b"x", headers=headers)
        assert first.status_code == 202
        second = c.post("/api/imports?filename=b.vcf", content=b"x", headers=headers)
        error = assert_error(second, 429, "imports are running")
        assert "wait" in (error["hint"] or "")
        release.set()
        deadline = time.monotonic() + 10
        while c.get(f"/api/imports/{first.json()['id']}").json()["status"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        third = c.post("/api/imports?filename=c.vcf", content=b"x", headers=headers)
        assert third.status_code == 202
    assert leftovers(uploads) == [] or release.is_set()


def bomb(path: Path, member: str = "data/tweets.js", size: int = 30 << 20) -> Path:
    """A small zip whose one member inflates ``size`` bytes of the same byte."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z,
        z.open(member, "w", force_zip64=True) as out,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            out.write(chunk)
    return path


def test_a_zip_bomb_member_is_refused_before_it_is_inflated(tmp_path):
    path = bomb(tmp_path / "twitter.zip")
    assert path.stat().st_size < 100_000
    with Bundle(path) as bundle, pytest.raises(InputError, match="compressed") as caught:
        bundle.read("data/tweets.js")
    assert "data/tweets.js" in (caught.value.where or "")


def test_a_zip_bomb_is_a_per_file_error_in_kith_import(tmp_path):
    path = bomb(tmp_path / "twitter.zip", member="data/account.js")
    db = tmp_path / "kith.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    r = CliRunner().invoke(cli, ["--db", str(db), "import", str(path)])
    assert r.exit_code != 0
    assert "compressed" in r.output and "twitter.zip" in r.output


def test_a_member_over_the_size_cap_is_refused(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("data/tweets.js", b"[]" * 5000)
    with Bundle(path) as bundle, pytest.raises(InputError, match="too large"):
        bundle.read("data/tweets.js", limit=1000)


# -- 4. the login ----------------------------------------------------------------


def _login(c: TestClient, password: str, headers: dict[str, str] | None = None):
    token = csrf_of(c.get("/login", headers={"Accept": "text/html"}).text)
    return c.post(
        "/login",
        data={"password": password, "csrf_token": token, "next": "/"},
        headers=headers or {},
        follow_redirects=False,
    )


def test_wrong_passwords_back_off_per_client(ledger, hashed, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(security, "clock", lambda: clock[0])
    with open_client(WebConfig(database_url=ledger, password_hash=hashed)) as c:
        for _ in range(security.LOGIN_FAILURES):
            assert _login(c, "wrong").status_code == 401
        refused = _login(c, PASSWORD)  # the right one, but too soon
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        clock[0] += security.LOGIN_WINDOW_SECONDS + 1
        assert _login(c, PASSWORD).status_code == 303


def test_behind_a_proxy_clients_are_told_apart_by_the_forwarded_address(ledger, hashed):
    config = WebConfig(
        database_url=ledger, password_hash=hashed, secure_cookies=True, behind_proxy=True
    )
    with open_client(config, "https://127.0.0.1:8750") as c:
        for _ in range(security.LOGIN_FAILURES + 1):
            _login(c, "wrong", {"X-Forwarded-For": "203.0.113.9"})
        assert _login(c, PASSWORD, {"X-Forwarded-For": "203.0.113.9"}).status_code == 429
        assert _login(c, PASSWORD, {"X-Forwarded-For": "198.51.100.4"}).status_code == 303


def test_password_checks_at_once_are_bounded(monkeypatch):
    running = [0]
    most = [0]
    lock = threading.Lock()

    def slow_check(hashed: str, password: str) -> bool:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return False

    monkeypatch.setattr(security, "check_password", slow_check)
    limiter = security.LoginLimiter()

    async def many() -> None:
        await asyncio.gather(
            *(limiter.check(f"10.0.0.{i}", "$argon2id$x", "guess") for i in range(12))
        )

    asyncio.run(many())
    assert 1 <= most[0] <= security.CONCURRENT_CHECKS


def test_logout_ends_the_session_on_the_server(ledger, hashed):
    with open_client(WebConfig(database_url=ledger, password_hash=hashed)) as c:
        ok = _login(c, PASSWORD)
        assert ok.status_code == 303
        session = c.cookies.get(security.SESSION_COOKIE)
        assert session and c.get("/api/people").status_code == 200
        token = csrf_of(c.get("/", headers={"Accept": "text/html"}).text)
        c.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        c.cookies.set(security.SESSION_COOKIE, session)  # the old cookie, kept by a thief
        assert_error(c.get("/api/people"), 401, "log in first")


def test_under_https_the_cookies_get_the_host_prefix(ledger, hashed):
    config = WebConfig(database_url=ledger, password_hash=hashed, secure_cookies=True)
    with open_client(config, "https://127.0.0.1:8750") as c:
        page = c.get("/login", headers={"Accept": "text/html"})
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-kith_csrf=") and "Path=/" in cookie
        assert "secure" in cookie.lower() and "domain" not in cookie.lower()
        ok = _login(c, PASSWORD)
        assert ok.status_code == 303 and "__Host-kith_session=" in ok.headers["set-cookie"]
        assert c.get("/api/people").status_code == 200


# -- 5. security headers -----------------------------------------------------------


def _assert_headers(response, path: str, *, hsts: bool) -> None:
    h = response.headers
    assert "frame-ancestors 'none'" in h.get("content-security-policy", ""), path
    assert "default-src 'self'" in h["content-security-policy"], path
    assert h.get("x-content-type-options") == "nosniff", path
    assert h.get("referrer-policy") == "same-origin", path
    assert ("strict-transport-security" in h) == hsts, path


def test_every_response_carries_the_security_headers(ledger, monkeypatch):
    app = create_app(WebConfig(database_url=ledger))

    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.state.ledger, "today", broken)
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        for path in [
            "/",
            "/api/people",
            "/docs",
            "/openapi.json",
            "/healthz",
            "/static/css/kith.css",
            "/api/people/404404",
            "/nowhere",
            "/api/today",  # a 500
        ]:
            _assert_headers(c.get(path), path, hsts=False)
        _assert_headers(c.get("/", headers={"Host": "evil.example"}), "bad host", hsts=False)


def test_under_tls_responses_carry_hsts(ledger, hashed):
    config = WebConfig(database_url=ledger, password_hash=hashed, secure_cookies=True, tls=True)
    with open_client(config, "https://127.0.0.1:8750") as c:
        for path in ["/login", "/healthz", "/api/people"]:
            _assert_headers(c.get(path), path, hsts=True)


def test_the_docs_page_runs_no_inline_script(client):
    page = client.get("/docs").text
    assert "swagger-ui" in page
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        assert "src=" in script[0] and not script[1].strip()


# -- 6. ids and names out of range -------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/people/99999999999999999999",
        "/api/people/99999999999999999999",
        "/api/people/-99999999999999999999",
        "/api/people/%C2%B2",
        "/people?page=9223372036854775807",
        "/api/people?page=9223372036854775807",
        "/api/people?circle=99999999999999999999",
        "/people?circle=99999999999999999999",
        "/people?circle=%C2%B2",
    ],
)
def test_ids_out_of_range_are_404_or_422_never_500(db_url, path):
    with open_client(WebConfig(database_url=db_url)) as c:
        r = c.get(path)
        assert r.status_code in (404, 422), (path, r.status_code, r.text)
        assert_error(r, r.status_code)


@pytest.mark.parametrize("other", ["#²", "#99999999999999999999", "#-1"])
def test_a_merge_naming_an_id_out_of_range_is_a_404(db_url, tmp_path, other):
    from kith.config import Settings
    from kith.importing import import_paths
    from kith.store.db import open_store

    card = tmp_path / "ana.vcf"
    card.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEMAIL:ana@x.org\r\nEND:VCARD\r\n")
    engine = open_store(db_url)
    try:
        import_paths(engine, [card], Settings(database_url=db_url), now=1_700_000_000)
    finally:
        engine.dispose()
    with open_client(WebConfig(database_url=db_url)) as c:
        pid = c.get("/api/people").json()["people"][0]["id"]
        r = c.post(f"/api/people/{pid}/merge", json={"other": other})
        assert r.status_code in (404, 422), (other, r.status_code, r.text)


@pytest.mark.parametrize("name", ["..", "a/..", "a\0b.vcf", ".", "", "/"])
def test_upload_names_that_are_not_file_names_are_refused(client, uploads, name):
    r = client.post(
        "/api/imports",
        params={"filename": name},
        content=b"BEGIN:VCARD\r\nEND:VCARD\r\n",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code in (400, 422), (name, r.status_code, r.text)
    assert_error(r, r.status_code)
    assert leftovers(uploads) == []


def test_a_form_upload_named_dot_dot_is_refused(client, uploads):
    token = csrf_of(client.get("/import", headers={"Accept": "text/html"}).text)
    r = client.post(
        "/import",
        data={"csrf_token": token},
        files={"file": ("..", b"x", "text/plain")},
        headers={"Accept": "application/json"},
    )
    assert_error(r, 400, "file name")
    assert leftovers(uploads) == []


def imported(client: TestClient, filename: str, data: bytes) -> dict:
    """Upload ``data`` through the API and wait for the import to end."""
    r = client.post(
        "/api/imports",
        params={"filename": filename},
        content=data,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 20
    while (state := client.get(f"/api/imports/{r.json()['id']}").json())["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return state


def test_an_import_error_does_not_show_server_paths(client, uploads):
    state = imported(client, "broken.zip", b"PK\x03\x04 not really a zip")
    shown = str(state)
    assert state["status"] == "failed" and "broken.zip" in shown
    assert str(uploads) not in shown and "/tmp" not in shown and "kith-upload" not in shown


def test_a_zip_bomb_uploaded_through_the_web_is_refused_too(client, tmp_path):
    state = imported(
        client, "twitter.zip", bomb(tmp_path / "b.zip", "data/account.js").read_bytes()
    )
    assert state["status"] == "failed" and "compressed" in (state["error"] or "")


def test_a_browser_from_a_foreign_host_gets_an_error_page(client):
    r = client.get("/", headers={"Host": "evil.example", "Accept": "text/html"})
    assert r.status_code == 400 and "does not answer to the host name" in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_web_table_of_the_config_file_sets_the_limits(monkeypatch, tmp_path):
    from kith.web.config import MAX_IMPORTS, web_settings

    config = tmp_path / "config"
    (config / "kith").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    toml = config / "kith" / "config.toml"
    toml.write_text('[web]\nmax_upload_mb = 3\nallowed_hosts = ["kith.example.org"]\n')
    found = web_settings()
    assert found.max_upload_bytes == 3 << 20 and found.max_imports == MAX_IMPORTS
    assert found.allowed_hosts == ("kith.example.org",)
    toml.write_text("[web]\nmax_imports = 0\n")
    with pytest.raises(ConfigError, match="max_imports must be a positive whole number"):
        web_settings()
    toml.write_text("[web]\nmax_uploads = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'max_uploads'"):
        web_settings()


@pytest.mark.parametrize("token", [None, "forged"])
def test_the_streamed_upload_form_still_needs_its_csrf_token(client, uploads, token):
    client.get("/import", headers={"Accept": "text/html"})  # the browser has its cookie
    data = {} if token is None else {"csrf_token": token}
    r = client.post(
        "/import",
        data=data,
        files={"file": ("a.vcf", b"BEGIN:VCARD\r\nEND:VCARD\r\n", "text/vcard")},
        headers={"Accept": "application/json"},
    )
    assert_error(r, 403, "did not come from kith")
    assert leftovers(uploads) == []
    assert client.get("/api/imports/x").status_code == 404


def test_a_logout_in_one_process_is_seen_by_another(ledger, hashed):
    config = WebConfig(database_url=ledger, password_hash=hashed)
    with open_client(config) as first, open_client(config) as second:
        assert _login(first, PASSWORD).status_code == 303
        session = first.cookies.get(security.SESSION_COOKIE)
        second.cookies.set(security.SESSION_COOKIE, session)
        assert second.get("/api/people").status_code == 200
        token = csrf_of(first.get("/", headers={"Accept": "text/html"}).text)
        first.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert_error(second.get("/api/people"), 401, "log in first")


def test_error_words_name_files_never_the_server_folders():
    from kith.web.errors import without_paths

    assert (
        without_paths("/tmp/kith-upload-x/twitter.zip!data/a.js: bad")
        == "twitter.zip!data/a.js: bad"
    )
    assert without_paths("cannot open: '/srv/k/c.vcf'") == "cannot open: 'c.vcf'"
    assert without_paths("sqlite:////home/me/kith.db") == "sqlite:///kith.db"
    assert without_paths("see https://x.org/a/b and a/b/c") == "see https://x.org/a/b and a/b/c"
