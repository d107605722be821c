"""``kith demo`` ends with the sample world's ``kith today``: not empty, and it
asks for an answer to someone the world's truth says is waiting."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kith.cli import cli
from kith.store import attention as store


def test_the_demo_ends_with_a_list_that_answers_someone_waiting(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--workspace", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    assert "Today in the sample world (kith today):" in result.output
    truth = json.loads((tmp_path / "truth.json").read_text())["patterns"]
    waiting = set(truth["waiting"])
    from kith.store.db import open_store

    engine = open_store(f"sqlite:///{tmp_path / 'kith.db'}")
    with engine.connect() as conn:
        (day,) = store.days(conn)
        listed = day.items
        emails = {
            i["person_id"]: {v for k, v in store.identities_of(conn, i["person_id"])}
            for i in listed
        }
    engine.dispose()
    assert listed, "the demo's list is empty"
    replies = [i for i in listed if i["kind"] == "reply"]
    assert any(emails[i["person_id"]] & waiting for i in replies)
    for item in listed:
        assert f"{item['person']} {item['reason']}." in result.output or item["kind"] == "check_in"
        assert item["id"] in result.output
    assert f"kith --db {tmp_path / 'kith.db'} today --date 2026-11-20" in result.output


def test_the_sample_worlds_day_mixes_and_thanks_shares(tmp_path):
    """On the sample world (seed 7, 2026-11-20): a 30-minute day holds at least
    three kinds; a share of my work waiting unanswered makes a thank-you, not a
    late "sorry it took me … days" reply; every reply is for a message that asks."""
    result = CliRunner().invoke(cli, ["demo", "--workspace", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    db = str(tmp_path / "kith.db")

    def day(minutes: int) -> dict[str, object]:
        out = CliRunner().invoke(
            cli, ["--db", db, "today", "--json", "--minutes", str(minutes), "--date", "2026-11-20"]
        )
        assert out.exit_code == 0, out.output
        data: dict[str, object] = json.loads(out.output)
        return data

    short = day(30)
    items = short["items"]
    assert isinstance(items, list)
    assert len({i["kind"] for i in items}) >= 3, items
    whole = day(24 * 60)["items"]
    assert isinstance(whole, list)
    shares = [i for i in whole if "Shared your piece" in i["reason"]]
    assert shares and all(i["kind"] == "thank" for i in shares)
    assert all("sorry it took me" not in i["draft"] for i in shares)
    assert all("asked:" in i["reason"] for i in whole if i["kind"] == "reply")
    let_go = short["let_go"]
    assert isinstance(let_go, dict) and let_go["messages"] > 0  # old debts are counted
