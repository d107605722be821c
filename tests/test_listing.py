"""The orders of the listings on small ledgers, SQLite and PostgreSQL:
`kith people` (closest first, a readable identity) and `kith relationships
--sort cooling|debt`."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import Engine

from kith.analytics import refresh
from kith.cli import cli
from kith.model import ContactRecord, IdentityRef, Kind, Origin
from kith.store import reads
from kith.store.relationships import relationships
from kith.store.sql import using
from kith.store.writer import LedgerWriter
from kith.units import DAY
from tests.test_analytics import ME, NOW, rec, store


def _exchange(who: str, last: int, gap_days: float, n: int) -> list:
    """``n`` separate conversations with ``who``, ``gap_days`` apart, the last
    at ``last``, alternating who wrote."""
    return [
        rec(
            f"{who}-{k}",
            int(last - k * gap_days * DAY),
            who if k % 2 else ME,
            (ME,) if k % 2 else (who,),
        )
        for k in range(n)
    ]


def _contact(engine: Engine, sid: str, name: str, *idents: tuple[str, str]) -> None:
    writer = LedgerWriter(engine, importer="test", path="test", now=NOW)
    writer.start()
    writer.write(
        [],
        (),
        [
            ContactRecord(
                source="test",
                source_id=sid,
                identities=tuple(IdentityRef(k, v) for k, v in idents),
                origin=Origin("test", 0),
                name=name,
            )
        ],
    )
    writer.finish("done", NOW)


def test_people_open_on_the_closest_two_way_first(engine: Engine, db_url: str):
    records = [
        *_exchange("friend@x.test", NOW - DAY, 3, 12),
        *_exchange("old.friend@x.test", NOW - 300 * DAY, 30, 4),
        # one-way, recent and busy: closer by contact than the old friend, but never answered
        *(rec(f"news-{k}", NOW - k * DAY, "news@x.test", (ME,)) for k in range(1, 20)),
        rec("training", NOW - 50 * DAY, ME, ("#23.training@x.test",)),
    ]
    store(engine, records)
    refresh(engine, now=NOW, mirror_path=None)
    # seen after the last refresh: no relationship row yet, listed last
    store(engine, [rec("late", NOW, "late@x.test", (ME,))])
    with using(engine) as db:
        names = [r.identity for r in reads.iter_people(db)]  # default: closest
        three = [r.identity for r in reads.iter_people(db, limit=3)]
        by_name = [r.identity for r in reads.iter_people(db, sort="name", limit=1)]
        # closest reads the counts from the refreshed rows, the others count now: the same
        stored = {r.id: (r.interactions, r.last_contact) for r in reads.iter_people(db)}
        counted = {
            r.id: (r.interactions, r.last_contact) for r in reads.iter_people(db, sort="recent")
        }
    assert names == [
        "email:friend@x.test",
        "email:old.friend@x.test",
        "email:news@x.test",
        "email:#23.training@x.test",
        "email:late@x.test",
    ]
    assert three == names[:3]
    assert stored == counted and len(stored) == 5
    assert by_name == ["email:#23.training@x.test"]  # what the listing opened on before
    out = CliRunner().invoke(cli, ["--db", db_url, "people", "--json"])
    assert out.exit_code == 0, out.output
    assert [r["identity"] for r in json.loads(out.output)] == names


def test_people_show_an_address_or_handle_before_an_account_number(engine: Engine):
    store(engine, [rec("a", NOW - DAY, ME, ("/o=enron/ou=na/cn=recipients/cn=jdoe@enron.com",))])
    _contact(
        engine,
        "jd",
        "J Doe",
        ("email", "/o=enron/ou=na/cn=recipients/cn=jdoe@enron.com"),
        ("email", "jane.doe@enron.com"),
    )
    _contact(engine, "x", "Sam", ("x-id", "1234567890"), ("x", "samwise"))
    _contact(engine, "n", "Only Number", ("x-id", "987654321"))
    with using(engine) as db:
        shown = {r.name: r.identity for r in reads.iter_people(db, sort="name")}
    assert shown == {
        "J Doe": "email:jane.doe@enron.com",
        "Sam": "x:samwise",
        "Only Number": "x-id:987654321",
    }


def test_sorting_by_cooling_puts_the_furthest_past_their_rhythm_first(engine: Engine):
    store(
        engine,
        [
            *_exchange("six@x.test", NOW - 30 * DAY, 5, 8),  # cooling: 30 / 5 = 6 gaps
            *_exchange("three@x.test", NOW - 30 * DAY, 10, 30),  # 3 gaps, busier at the last
            *_exchange("cold@x.test", NOW - 400 * DAY, 10, 8),  # 40 gaps, but cold
            *_exchange("steady@x.test", NOW - 10 * DAY, 20, 8),  # half a gap
            # a burst: three days in a row, long ago; no rhythm to break
            *(rec(f"burst-{k}", NOW - (200 + k) * DAY, "burst@x.test", (ME,)) for k in range(3)),
        ],
    )
    refresh(engine, now=NOW, mirror_path=None)
    with using(engine) as db:
        rows = relationships(db, NOW, sort="cooling", limit=None)
        order = [reads.find_person(db, f"{w}@x.test") for w in ("six", "three", "cold")]
        order += [reads.find_person(db, f"{w}@x.test") for w in ("steady", "burst")]
    assert [r["person_id"] for r in rows] == order
    assert [r["cooling"] for r in rows] == [True, True, False, False, False]
    assert [round(r["cooling_ratio"]) for r in rows[:3]] == [6, 3, 40]


def test_sorting_by_debt_is_led_by_the_two_way_people_i_owe(engine: Engine):
    store(
        engine,
        [
            *_exchange("friend@x.test", NOW - 5 * DAY, 7, 4),
            *(
                rec(f"fs-{k}", NOW - (k + 1) * DAY, "friend@x.test", (ME,), kind=Kind.SHARE)
                for k in range(2)
            ),
            # a stranger who only mentions me, often: gave more, but never an exchange
            *(
                rec(f"st-{k}", NOW - (k + 1) * DAY, "stranger@x.test", (ME,), kind=Kind.MENTION)
                for k in range(6)
            ),
            *_exchange("even@x.test", NOW - 5 * DAY, 7, 4),
        ],
    )
    refresh(engine, now=NOW, mirror_path=None)
    with using(engine) as db:
        rows = relationships(db, NOW, sort="debt", limit=None)
        friend, stranger = (reads.find_person(db, f"{w}@x.test") for w in ("friend", "stranger"))
    assert [(r["person_id"], r["debt"]) for r in rows[:2]] == [(friend, 2), (stranger, 6)]
    assert rows[0]["state"] == "two-way" and rows[1]["state"] != "two-way"


def test_people_are_read_along_an_index_so_the_first_rows_come_at_once(engine: Engine):
    """SQLite's plans: no listing that promises to stream sorts everyone first."""
    with using(engine) as db:
        if db.postgres:
            return  # PostgreSQL plans by its statistics; the bench measures SQLite
        # the top level of each plan (parent 0): how the rows are walked and sorted
        plans = [
            [str(r[3]) for r in db.rows("EXPLAIN QUERY PLAN " + sql) if r[1] == 0]
            for sql in (*reads._CLOSEST_PARTS, reads._PEOPLE + reads._ORDER["name"])
        ]
    assert plans[0][0] == "SCAN r USING INDEX ix_relationship_two_way_decayed"
    assert plans[1][0] == "SCAN r USING INDEX ix_relationship_decayed"
    assert plans[3][0] == "SCAN p USING INDEX ix_person_name"
    assert not any("TEMP B-TREE FOR ORDER BY" in step for plan in plans for step in plan)
