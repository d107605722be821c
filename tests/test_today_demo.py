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
