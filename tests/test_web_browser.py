"""The web app in a real browser: Debian's Chromium, headless, driven by
Playwright, against a real ``kith serve`` on the sample world.

Screenshots of every page are saved in tests/artifacts/ (not committed).
Where Chromium or Playwright is missing these tests are skipped, except in
CI (``CI=true``), where that is a failure — as with PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.pg import free_port
from tests.web_world import build_world

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
#: axe-core (web/package.json's dev dependency, installed by scripts/setup).
AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def serving(db: Path, folder: Path, *args: str) -> Iterator[str]:
    """A real ``kith serve`` (its own process) on the ledger ``db``, with its
    data and config in ``folder``; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
    }
    kith = Path(sys.executable).with_name("kith")
    proc = subprocess.Popen(
        [str(kith), "--db", str(db), "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = proc.stdout.read() if proc.stdout else ""
                pytest.fail(f"kith serve did not start:\n{out}")
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def serve_world(folder: Path, config: str | None = None) -> Iterator[str]:
    """``serving`` on the sample world built in ``folder``, with ``config`` as
    its config.toml if given; yields its URL."""
    db = folder / "kith.db"
    day = build_world(f"sqlite:///{db}", folder)
    if config is not None:
        (folder / "config" / "kith").mkdir(parents=True)
        (folder / "config" / "kith" / "config.toml").write_text(config)
    with serving(db, folder, "--date", day.isoformat()) as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """A real ``kith serve`` on the sample world; yields its URL."""
    with serve_world(tmp_path_factory.mktemp("browser-world")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not found (scripts/setup --system installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # A Content-Security-Policy that blocks the app's own scripts or styles
    # shows only as a console error.
    pg.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield pg
    context.close()
    assert errors == [], f"script errors on the page: {errors}"


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def unlabelled_controls(page) -> list[str]:
    """Form controls a screen reader could not name."""
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
          .filter(e => e.type !== 'hidden')
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                       && !(e.tagName === 'BUTTON' && e.textContent.trim()))
          .map(e => e.outerHTML)"""
    )


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG 2 A/AA problems axe-core finds on the page."""
    if not AXE.is_file():
        _missing(f"{AXE} is missing (scripts/setup runs npm ci in web/)")
    # Evaluated through the DevTools protocol: the page's CSP (scripts from
    # the app only) stays on and is not what is being tested here.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async () => (await axe.run(document, {
             runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})).violations
           .filter(v => v.impact === 'serious' || v.impact === 'critical')
           .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"""
    )
    return list(found)


def test_every_page_opens_with_labels_and_a_screenshot(page):
    for path, name, heading in [
        ("/", "home", "Your people"),
        ("/today", "today", "Today, 2026-11-20"),
        ("/people", "people", "People"),
        ("/network", "network", "Network"),
        ("/introductions", "introductions-world", "Introductions"),
        ("/import", "import", "Import"),
        ("/asks", "asks", "Asks"),
    ]:
        page.goto(path)
        assert heading in page.locator("h1").inner_text(), path
        assert unlabelled_controls(page) == [], path
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("main").count() == 1 and page.locator("h1").count() == 1, path
        if path == "/network":
            page.wait_for_selector("#network-map[data-ready='true']", timeout=20_000)
        shot(page, name)
        assert axe_violations(page) == [], path
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    shot(page, "docs")


def test_acting_on_the_today_queue_changes_it_without_a_reload(page):
    page.goto("/today")
    items = page.locator("ol.queue > li.item:not(.closed)")
    before = items.count()
    assert before >= 2
    page.evaluate("window.notReloaded = true")
    first = items.nth(0)
    title = first.locator("h2 a").inner_text()
    first.get_by_role("button", name="Done").click()
    closed = page.locator("li.item.closed").first
    closed.wait_for()
    assert f"Done: {title}" in closed.inner_text()
    assert page.evaluate("window.notReloaded") is True
    second = page.locator("ol.queue > li.item:not(.closed)").first
    second_title = second.locator("h2 a").inner_text()
    second.get_by_role("button", name="Skip").click()
    page.locator("li.item.closed").nth(1).wait_for()
    assert page.locator("ol.queue > li.item:not(.closed)").count() == before - 2
    shot(page, "today-after-actions")
    page.reload()
    assert title in page.locator(".done-list").inner_text()
    assert second_title not in page.locator("ol.queue").inner_text()


def test_the_queue_works_from_the_keyboard(page):
    page.goto("/today")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    snooze = page.locator("ol.queue > li.item:not(.closed)").first.get_by_role(
        "button", name="Snooze"
    )
    snooze.focus()
    page.keyboard.press("Enter")
    page.locator("li.item.closed").first.wait_for()
    assert "Snoozed:" in page.locator("li.item.closed").first.inner_text()


def test_search_and_open_a_person(page):
    page.goto("/people?sort=strength")
    name = page.locator("table.people tbody tr td a").first.inner_text()
    page.goto("/people")
    page.get_by_label("Name or address").fill(name.split()[0][:4])
    page.get_by_label("Name or address").press("Enter")
    page.wait_for_url("**/people?q=*")
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_url("**/people/*")
    assert page.locator("h1").inner_text().startswith(name)
    for section in ["Identities", "Figures", "Strength over time", "Timeline", "Merge"]:
        assert page.get_by_role("heading", name=section).count() == 1, section
    assert unlabelled_controls(page) == []
    shot(page, "person")
    assert axe_violations(page) == []


def test_drag_a_person_on_the_network_map(page):
    page.goto("/network?limit=200")
    page.wait_for_selector("#network-map[data-ready='true']", timeout=20_000)
    assert page.evaluate("!!document.querySelector('#network-map canvas')")
    node = page.evaluate(
        """() => {
          const {graph, renderer} = window.kithNetwork;
          const id = graph.nodes().find(n => n !== 'me');
          const box = document.getElementById('network-map').getBoundingClientRect();
          const at = renderer.graphToViewport(graph.getNodeAttributes(id));
          return {id, x: box.left + at.x, y: box.top + at.y,
                  gx: graph.getNodeAttribute(id, 'x'), gy: graph.getNodeAttribute(id, 'y')};
        }"""
    )
    page.mouse.move(node["x"], node["y"])
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(node["x"] + 12 * step, node["y"] + 8 * step)
    page.mouse.up()
    moved = page.evaluate(
        "id => { const g = window.kithNetwork.graph; "
        "return {gx: g.getNodeAttribute(id, 'x'), gy: g.getNodeAttribute(id, 'y')}; }",
        node["id"],
    )
    assert (moved["gx"], moved["gy"]) != (node["gx"], node["gy"])
    shot(page, "network-dragged")
