"""``/report`` in a real browser (Debian's Chromium, driven by Playwright)
against a real ``kith serve`` on the sample world, as tests/test_web_browser.py."""

from __future__ import annotations

import pytest

from tests import test_web_browser as web
from tests.test_web_browser import axe_violations, shot, unlabelled_controls

pytestmark = pytest.mark.browser

# The browser test's fixtures: a kith serve on the sample world, Chromium, a page.
server = web.server
browser = web.browser
page = web.page


def test_the_report_opens_with_its_charts_and_links_to_the_records(page):
    page.goto("/report")
    assert page.locator("h1").inner_text() == "Connection report"
    assert "2026-07-01 – 2026-09-30" in page.locator(".report .lead").inner_text()
    figures = page.locator("section.figure")
    assert figures.count() >= 7
    assert page.locator("section.figure figure.chart svg").count() == figures.count()
    assert unlabelled_controls(page) == []
    shot(page, "report")
    assert axe_violations(page) == []
    # a record leads to its person's page
    link = page.locator("#changes .records a").first
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/people/*")
    assert page.locator("h1").inner_text().startswith(name)


def test_the_period_is_chosen_in_the_form(page):
    page.goto("/report")
    page.get_by_label("From").fill("2026-08-01")
    page.get_by_label("To (not included)").fill("2026-11-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/report?start=2026-08-01&end=2026-11-01")
    lead = page.locator(".report .lead").inner_text()
    assert "2026-08-01 – 2026-10-31" in lead and "2026-05-01 – 2026-07-31" in lead
