"""End-to-end: `kith import` of the real archives in ../shared/data, on SQLite
and PostgreSQL, against golden files in tests/golden/.

Regenerate the golden files with ``KITH_REGEN_GOLDEN=1 pytest tests/test_import_golden.py``
and review the diff by eye.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from kith.cli import cli
from kith.ingest.testing import compare_with_expected
from kith.store.schema import circle, identity, interaction, participant, thread

GOLDEN = Path(__file__).parent / "golden"

#: Chosen messages whose stored rows are checked field by field.
CHOSEN = {
    "apache": [
        "1466322681.7805.1330622758268.JavaMail.tomcat@hel.zones.apache.org",
        "1328073641.78427.YahooMailNeo@web121206.mail.ne1.yahoo.com",
    ],
    "enron": [
        "16159836.1075855377439.JavaMail.evans@thyme",
    ],
}
SOURCES = {"apache": "email/apache", "enron": "email/enron-mini"}


def run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def stored_row(engine: Any, source_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(
            select(interaction, thread.c.root_key, circle.c.key.label("circle_key"))
            .outerjoin(thread, thread.c.id == interaction.c.thread_id)
            .outerjoin(circle, circle.c.id == interaction.c.circle_id)
            .where(interaction.c.source_id == source_id)
        ).one()
        parts = conn.execute(
            select(participant.c.role, identity.c.value, identity.c.display_name)
            .join(identity, identity.c.id == participant.c.identity_id)
            .where(participant.c.interaction_id == row.id)
            .order_by(participant.c.role, identity.c.value)
        ).all()
    data = dict(row._mapping)
    for volatile in ("id", "thread_id", "circle_id", "import_id", "origin_file", "body"):
        data.pop(volatile)
    data["participants"] = [list(p) for p in parts]
    return data


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_import_matches_golden_and_is_idempotent(name, db_url, shared_data, engine):
    path = shared_data / SOURCES[name]
    first = run("--db", db_url, "import", "-q", str(path))
    assert first.exit_code == 0, first.output
    stats = json.loads(run("--db", db_url, "stats", "--json").output)
    rows = {sid: stored_row(engine, sid) for sid in CHOSEN[name]}
    actual = {"stats": stats, "rows": rows}

    compare_with_expected(actual, GOLDEN / f"{name}.json")

    again = run("--db", db_url, "import", "-q", str(path))
    assert again.exit_code == 0
    assert " 0 imported" in again.output
    assert json.loads(run("--db", db_url, "stats", "--json").output) == stats
    assert {sid: stored_row(engine, sid) for sid in CHOSEN[name]} == rows
