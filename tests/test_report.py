"""``kith report``: the connection report on the sample world and a real
mailing list, its numbers against ``kith stats`` and the scores, the same
bytes for the same ledger, and bad input that leaves nothing behind."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from kith.cli import cli
from kith.relate import layers
from kith.report import connections
from kith.report.period import Span, choose, day_of, last_full_quarter
from kith.store.db import open_store
from kith.store.scores import strength_history
from kith.store.sql import using
from tests.web_world import build_world

#: The sample world's last day (``build_world`` returns it).
QUARTERS = ("2026-07-01 – 2026-09-30", "2026-04-01 – 2026-06-30")
#: The last second of the default period (the third quarter).
END_OF_Q3 = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp()) - 1


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> tuple[str, date]:
    return db_url, build_world(db_url, tmp_path)


def _fact(section: dict, label: str) -> str:
    return dict(map(tuple, section["facts"]))[label]


def _section(report: dict, key: str) -> dict:
    return next(s for s in report["sections"] if s["key"] == key)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_default_is_the_last_full_quarter_against_the_one_before():
    as_of = int(datetime(2026, 11, 20, 17, tzinfo=UTC).timestamp())
    p = last_full_quarter(as_of)
    assert (p.current.label(), p.previous.label()) == QUARTERS
    # the last second of a quarter completes it
    assert last_full_quarter(END_OF_Q3).current.label() == "2026-07-01 – 2026-09-30"
    given = choose(date(2026, 3, 1), date(2026, 3, 11), as_of)
    assert (given.previous.start, given.previous.end) == (date(2026, 2, 19), date(2026, 3, 1))
    only_to = choose(None, date(2026, 5, 31), as_of)
    assert only_to.current.start == date(2026, 2, 28)  # three months before, clamped
    assert only_to.previous.start == date(2025, 11, 28)  # as many days (92) before
    only_from = choose(date(2026, 11, 1), None, as_of)
    assert only_from.current.end == date(2026, 11, 21)  # the as-of day included


def test_the_report_is_written_and_the_same_ledger_gives_the_same_bytes(world, tmp_path):
    url, _ = world
    first = run("--db", url, "report", "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    second = run("--db", url, "report", "--out", str(tmp_path / "b"))
    assert second.exit_code == 0, second.output
    page = (tmp_path / "a" / "report.html").read_bytes()
    assert page == (tmp_path / "b" / "report.html").read_bytes()
    text = page.decode()
    assert f"from <strong>{QUARTERS[0]}</strong>, against <strong>{QUARTERS[1]}</strong>" in text
    # self-contained: the charts inline, nothing fetched when opened
    assert text.count("<svg") >= 7
    assert not re.search(r"""(src|href)=["']https?://""", text)
    assert "<script" not in text
    for title in (
        "People and ties gained, lost, warming, cooling",
        "Two-way vs one-way",
        "Reciprocity: given and received",
        "Referrals and introductions, and their yield",
        "Response fairness: reply rate and time by reach",
        "The network&#39;s shape",
        "Community health: guild@lists.makersguild.org",
    ):
        assert title in text
    assert _leftovers(tmp_path) == []


def _whole(db_url: str) -> dict:
    """The report over the whole sample world (one period holding every interaction)."""
    with using(open_store(db_url)) as db:
        now = connections.as_of(db)
        end = day_of(now) + timedelta(days=1)
        return connections.build(db, date(2020, 1, 1), end)


def test_its_numbers_agree_with_kith_stats_and_the_scores(world):
    url, _ = world
    report = _whole(url)
    stats = json.loads(run("--db", url, "stats", "--json").output)
    d = stats["by_direction"]
    shown = _fact(_section(report, "two_way"), "interactions now")
    assert shown == (
        f"{stats['interactions']:,} (in {d['in']:,}, out {d['out']:,}, among {d['among']:,})"
    )
    # two-way over the whole ledger: the relationship rows both sides wrote in
    with using(open_store(url)) as db:
        rows = db.rows("SELECT n_in, n_out FROM relationship")
        brought = db.scalar(
            "SELECT COUNT(DISTINCT x.id) FROM interaction x WHERE x.kind IN ('referral', 'intro')"
        )
    two_way = sum(1 for n_in, n_out in rows if layers.is_two_way(n_in, n_out))
    in_touch = sum(1 for n_in, n_out in rows if (n_in or 0) + (n_out or 0) > 0)
    assert _fact(_section(report, "two_way"), "two-way now").startswith(
        f"{two_way:,} of {in_touch:,} "
    )
    assert two_way > 20
    # the sample world's inbound messages each have one author, who wrote to me
    fairness = _fact(_section(report, "fairness"), "messages to me")
    assert fairness.startswith(f"{d['in']:,}, ")
    # gives received over the whole ledger: the relationship rows' gives_in
    with using(open_store(url)) as db:
        gives_in = db.scalar("SELECT SUM(gives_in) FROM relationship")
    assert _fact(_section(report, "reciprocity"), "gives received") == f"{int(gives_in):,}"
    # everyone was gained in a period holding the whole ledger, nobody lost
    changes = _section(report, "changes")
    assert _fact(changes, "people gained") == f"{in_touch:,}"
    assert _fact(changes, "people lost") == "0"
    assert brought and _fact(_section(report, "introductions"), "people brought to me now")


def test_warming_and_cooling_read_the_strength_score(world):
    url, _ = world
    with using(open_store(url)) as db:
        report = connections.build(db, None, None)
        changes = _section(report, "changes")
        moved = [r for r in changes["records"] if r["note"].startswith(("warming", "cooling"))]
        assert moved
        for r in moved[:5]:
            before, after = map(int, re.findall(r"\d+", r["note"].split("strength")[1]))
            assert abs(after - before) >= connections.CHANGE_POINTS
            # the person view's monthly strength: the last point of September is the
            # end of the period
            points = strength_history(db, r["person_id"], END_OF_Q3)
            assert points[-1]["score"] == after


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-05-01", "--to", "2026-04-01"], "the dates are the wrong way round"),
        (["--from", "2026-05-01", "--to", "2026-05-01"], "the period is empty"),
        (["--from", "2010-01-01", "--to", "2010-04-01"], "no interactions in the period"),
        (["--from", "2026-01-01", "--to", "2027-06-01"], "ends after the ledger's as-of day"),
    ],
)
def test_a_bad_period_says_so_and_writes_nothing(tmp_path, args, words):
    db = tmp_path / "kith.db"
    build_world(f"sqlite:///{db}", tmp_path)
    out = tmp_path / "out"
    result = run("--db", str(db), "report", *args, "--out", str(out))
    assert result.exit_code != 0
    assert words in result.output
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_written_says_so_and_leaves_nothing(tmp_path):
    db = tmp_path / "kith.db"
    build_world(f"sqlite:///{db}", tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for target in (blocker, blocker / "report"):
        result = run("--db", str(db), "report", "--out", str(target))
        assert result.exit_code != 0
        assert "cannot write the report" in result.output
        assert str(target) in result.output
    assert blocker.read_text() == "not a folder"
    assert _leftovers(tmp_path) == []
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = run("--db", str(db), "report", "--out", str(locked / "r"))
        assert result.exit_code != 0 and "cannot write the report" in result.output


def test_an_existing_folder_is_replaced_file_by_file(tmp_path):
    db = tmp_path / "kith.db"
    build_world(f"sqlite:///{db}", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old")
    (out / "notes.txt").write_text("mine")
    assert run("--db", str(db), "report", "--out", str(out)).exit_code == 0
    assert (out / "report.html").read_text().startswith("<!doctype html>")
    assert (out / "notes.txt").read_text() == "mine"
    assert _leftovers(tmp_path) == []


def test_a_ledger_without_analytics_is_told_to_refresh(tmp_path):
    db = tmp_path / "kith.db"
    assert run("--db", str(db), "init").exit_code == 0
    result = run("--db", str(db), "report", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "run kith analytics refresh first" in result.output
    assert not (tmp_path / "out").exists()


def test_pdf(tmp_path):
    pytest.importorskip("weasyprint")
    db = tmp_path / "kith.db"
    build_world(f"sqlite:///{db}", tmp_path)
    result = run("--db", str(db), "report", "--pdf", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    data = (tmp_path / "out" / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000


#: A month of a real Apache list, and its most active poster as me.
APACHE_MONTH = "email/apache/jackrabbit-dev-201201.mbox"
APACHE_ME = "jukka.zitting@gmail.com"


def test_on_a_real_mailing_list(shared_data, tmp_path):
    mbox = shared_data / APACHE_MONTH
    db = tmp_path / "kith.db"
    assert run("--db", str(db), "init", "--me", APACHE_ME).exit_code == 0
    assert run("--db", str(db), "import", "-q", str(mbox)).exit_code == 0
    result = run(
        "--db",
        str(db),
        "report",
        "--from",
        "2012-01-16",
        "--to",
        "2012-02-01",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "report.html").read_text()
    assert "Community health: dev@jackrabbit.apache.org" in text
    period = Span(date(2012, 1, 16), date(2012, 2, 1))
    window = {"a": period.since, "b": period.until}
    with using(open_store(f"sqlite:///{db}")) as db_:
        report = connections.build(db_, date(2012, 1, 16), date(2012, 2, 1))
        total = db_.scalar(
            "SELECT COUNT(*) FROM interaction WHERE occurred_at >= :a AND occurred_at < :b",
            window,
        )
        posters = db_.scalar(
            "SELECT COUNT(DISTINCT i.person_id) FROM interaction x"
            " JOIN participant pa ON pa.interaction_id = x.id AND pa.role = 'from'"
            " JOIN identity i ON i.id = pa.identity_id JOIN person p ON p.id = i.person_id"
            " WHERE x.occurred_at >= :a AND x.occurred_at < :b AND x.circle_id IS NOT NULL"
            " AND NOT p.is_me",
            window,
        )
    assert _fact(_section(report, "two_way"), "interactions now").startswith(f"{total:,} (")
    circle = next(s for s in report["sections"] if s["key"].startswith("circle-"))
    active = int(_fact(circle, "active members"))
    assert active == posters
    assert 0 < int(_fact(circle, "newcomers")) <= active


def test_constraint_is_networkx_s_on_ego_networks():
    import networkx as nx

    for seed in range(5):
        g = nx.gnp_random_graph(30, 0.15, seed=seed)
        g.add_edges_from((-1, n) for n in range(0, 30, 2))  # the ego: every other node
        assert connections.constraint(g, -1) == pytest.approx(nx.constraint(g, nodes=[-1])[-1])
    assert connections.constraint(nx.Graph([(1, 2)]), 1) == pytest.approx(1.0)


def test_the_web_page_shows_the_same_report_with_links(world):
    from fastapi.testclient import TestClient

    from kith.report import render
    from kith.web.app import create_app
    from kith.web.config import WebConfig

    url, day = world
    app = create_app(WebConfig(database_url=url, day=day))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page = client.get("/report")
        assert page.status_code == 200
        with using(open_store(url)) as db:
            body = render.body(connections.build(db, None, None), links=True)
        assert body in page.text
        assert 'href="/people/' in body
        assert 'aria-current="page">Report<' in page.text
        chosen = client.get("/report", params={"start": "2026-08-01", "end": "2026-11-01"})
        assert "2026-08-01 – 2026-10-31" in chosen.text
        wrong = client.get("/report", params={"start": "2026-05-01", "end": "2026-04-01"})
        assert wrong.status_code == 422
        assert "the dates are the wrong way round" in wrong.json()["error"]["message"]
        bad = client.get("/report", params={"start": "May"})
        assert bad.status_code == 422 and "not a date" in bad.json()["error"]["message"]


def test_pdf_without_weasyprint_says_what_to_install_and_writes_nothing(tmp_path, monkeypatch):
    import sys

    db = tmp_path / "kith.db"
    build_world(f"sqlite:///{db}", tmp_path)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint fails
    out = tmp_path / "out"
    result = run("--db", str(db), "report", "--pdf", "--out", str(out))
    assert result.exit_code != 0
    assert "--pdf needs WeasyPrint" in result.output and "kith[pdf]" in result.output
    assert not out.exists() and _leftovers(tmp_path) == []
