"""``kith export``: the JSON export of a whole ledger imports into an empty
one with equal ``kith stats``; one person's export holds only their part;
vCard and CSV for people. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kith.cli import cli

DATA = Path(__file__).parent / "data"
#: The project's own files of many kinds: mail with threads and bad records,
#: cards, calendars, social archives, purchases, a forum.
SOURCES = [
    DATA / "email" / "junk.mbox",
    DATA / "email" / "plus_address.eml",
    DATA / "email" / "crlf.mbox",
    DATA / "vcard",
    DATA / "ics",
    DATA / "x" / "every_kind",
    DATA / "mastodon" / "every_kind",
    DATA / "purchases" / "shopify.csv",
    DATA / "discourse",
]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def stats(db: str) -> dict:
    result = run("--db", db, "stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def ledger(db_url: str) -> str:
    assert run("--db", db_url, "init", "--me", "me@example.org").exit_code == 0
    paths = [str(p) for p in SOURCES if p.exists()]
    run("--db", db_url, "import", "-q", "--no-analytics", *paths)
    counts = stats(db_url)
    assert counts["interactions"] > 50 and counts["skipped"] > 0 and counts["circles"] > 0
    return db_url


def test_the_json_export_round_trips_into_an_empty_ledger(
    ledger: str, tmp_path: Path, other_db_url: str
) -> None:
    out = tmp_path / "ledger.json"
    result = run("--db", ledger, "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    other = other_db_url
    back = run("--db", other, "import", "-q", "--no-analytics", str(out))
    assert back.exit_code == 0, back.output
    assert stats(other) == stats(ledger)
    # and again: nothing new
    run("--db", other, "import", "-q", "--no-analytics", str(out))
    assert stats(other) == stats(ledger)


def test_one_persons_export_holds_their_part_only(ledger: str) -> None:
    listed = run("--db", ledger, "people", "--json", "--sort", "interactions", "--limit", "1")
    (busiest,) = json.loads(listed.stdout)
    result = run("--db", ledger, "export", f"#{busiest['id']}")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (person,) = data["people"]
    assert person["id"] == busiest["id"]
    mine = {(i["kind"], i["value"]) for i in person["identities"]}
    assert data["interactions"]
    for item in data["interactions"]:
        assert mine & {(p["kind"], p["value"]) for p in item["participants"]}
    assert data["skipped"] == []


def test_vcard_and_csv_list_every_person(ledger: str) -> None:
    people = stats(ledger)["people"]
    cards = run("--db", ledger, "export", "--format", "vcard").stdout
    assert cards.count("BEGIN:VCARD") == people
    rows = list(
        csv.DictReader(io.StringIO(run("--db", ledger, "export", "--format", "csv").stdout))
    )
    assert len(rows) == people
    assert all(r["identities"] for r in rows)


def test_a_broken_export_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text('{"kith_export": 9, "people": []}')
    db = f"sqlite:///{tmp_path / 'k.db'}"
    run("--db", db, "init")
    result = run("--db", db, "import", "-q", "--no-analytics", str(path))
    assert result.exit_code == 1
    assert f"{path}: not a kith export of a version this kith reads (1)" in result.stderr
