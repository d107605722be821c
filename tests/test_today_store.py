"""The queue's reads: only indexed queries on ``relationship`` (never a scan of
every relationship), the rank of the closest people aged exactly, the rows
laid over with ``kith done`` contacts, and the audit's arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from kith.attention.audit import gini
from kith.attention.candidates import Relationship, birthday_keys, next_birthday
from kith.attention.today import _machines, relationships
from kith.store import attention as store
from kith.store.db import open_store
from kith.store.relationships import closest, layer_ranks
from kith.store.sql import Db

NOW = 1_800_000_000
DAY = 86_400

_ZEROS = [
    *("interactions", "n_in", "n_out", "n_among", "n_email", "n_social", "n_comment"),
    *("n_meeting", "n_call", "n_purchase", "n_referral", "n_intro", "n_note", "active_days"),
    *("contact_days", "my_replies", "their_replies", "waiting", "gives_in", "gives_out"),
    *("give_balance", "sentiment_n", "channels", "threads", "threads_started"),
]


def add_person(conn, pid: int, name: str, **rel) -> None:
    conn.execute(
        text("INSERT INTO person (id, name, is_me, created_at) VALUES (:id, :name, :me, 0)"),
        {"id": pid, "name": name, "me": pid == 1},
    )
    conn.execute(
        text("INSERT INTO identity (id, kind, value, person_id) VALUES (:id, 'email', :v, :id)"),
        {"id": pid, "v": rel.pop("email", f"p{pid}@x.test")},
    )
    if pid == 1:
        return
    row = {c: 0 for c in _ZEROS}
    row.update(person_id=pid, computed_at=rel.pop("computed_at", NOW), half_life_days=90.0)
    row.update(decayed=0.0, decayed_in=0.0, decayed_out=0.0)
    row.update(rel)
    cols = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    conn.execute(text(f"INSERT INTO relationship ({cols}) VALUES ({marks})"), row)


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    engine = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    with engine.begin() as conn:
        add_person(conn, 1, "Me")
        for pid in range(2, 400):
            add_person(
                conn,
                pid,
                f"Person {pid}",
                decayed=float(pid),
                last_in_at=NOW - pid * DAY,
                last_contact_at=NOW - pid * DAY,
                first_contact_at=NOW - 400 * DAY,
                median_gap_days=7.0,
                contact_days=10,
                threads=6,
                n_in=3,
                n_out=2,
            )
    yield engine
    engine.dispose()


class RecordingDb(Db):
    """A Db that keeps what it ran against ``relationship``, with its parameters."""

    def __init__(self, conn, dialect):
        super().__init__(conn, dialect)
        self.seen: list[tuple[str, dict]] = []

    def execute(self, sql, params=None):
        if "FROM relationship" in sql:
            self.seen.append((sql, dict(params or {})))
        return super().execute(sql, params)


def test_candidate_reads_use_the_indexes(sqlite_engine):
    with sqlite_engine.connect() as conn:
        db = RecordingDb(conn.connection.driver_connection, "sqlite")
        window = store.Window(
            now=NOW,
            reply_since=NOW - 30 * DAY,
            newcomer_since=NOW - 14 * DAY,
            cold_since=NOW - 365 * DAY,
            ask_since=NOW - 30 * DAY,
            ask_until=NOW - 7 * DAY,
            thank_after=2,
            min_contact_days=4,
            min_threads=5,
            birthday_keys=["01-02"],
        )
        store.candidate_rows(db, window, limit=100)
        closest(db, 450)
        plans = {}
        for sql, params in db.seen:
            rows = Db.execute(db, "EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans[sql] = " | ".join(str(r[-1]) for r in rows)
    assert len(plans) == 8  # one query per kind (old debts too), the closest
    wanted = [
        "ix_relationship_waiting_since",
        "ix_relationship_waiting",
        "ix_relationship_gives",
        "ix_relationship_cooling_due",
        "ix_relationship_first_contact_at",
        # the closest two-way people (the layers' ranks), along the partial index
        "ix_relationship_two_way_decayed",
        "ix_relationship_last_out_at",
    ]
    for sql, plan in plans.items():
        assert "SCAN r" not in plan.replace("SCAN r USING INDEX", "index"), (sql, plan)
        assert "TEMP B-TREE" not in plan, (sql, plan)  # ordered by the index, not sorted
    joined = " ".join(plans.values())
    for index in wanted:
        assert index in joined, (index, plans)


def test_birthday_look_up_uses_its_index(sqlite_engine):
    with sqlite_engine.connect() as conn:
        sql = (
            "EXPLAIN QUERY PLAN SELECT i.person_id FROM fact f JOIN identity i"
            f" ON i.id = f.identity_id WHERE f.key = 'birthday' AND {store.BIRTHDAY_KEY_SQL}"
            " IN ('03-12', '03-13')"
        )
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(sql))
    assert "ix_fact_birthday" in plan


def test_the_closest_are_ranked_as_of_now_not_as_stored(sqlite_engine):
    # Person 399 was stored first with the most decayed contact, but its row is a
    # year older than the rest: aged to now it falls out of the inner circle.
    with sqlite_engine.begin() as conn:
        conn.execute(
            text("UPDATE relationship SET computed_at = :at WHERE person_id = 399"),
            {"at": NOW - 365 * DAY},
        )
    with sqlite_engine.connect() as conn:
        ranks = layer_ranks(Db.of(conn), NOW)
    assert ranks[398] == 1 and ranks[397] == 2
    assert 399 not in ranks  # aged a year: far below the active ring
    assert len(ranks) == 150


def test_a_kith_contact_answers_what_came_before_it(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE relationship SET waiting = 2, oldest_waiting_at = :old,"
                " last_in_at = :old WHERE person_id = 5"
            ),
            {"old": NOW - 2 * DAY},
        )
        conn.execute(
            text(
                "INSERT INTO attention_item (id, kind, person_id, tier, first_due_at,"
                " first_seen_at, status) VALUES ('re1', 'reply', 5, 'inner', 0, 0, 'done')"
            )
        )
        store.record_action(
            conn, item_id="re1", person_id=5, kind="reply", action="done", day="x",
            at=NOW - DAY, minutes=5, snooze_days=None, note=None, interaction_source_id=None,
        )  # fmt: skip
    with sqlite_engine.connect() as conn:
        rels = {r.person_id: r for r in relationships(conn, NOW, people=[5])[0]}
    assert rels[5].waiting == 0 and rels[5].oldest_waiting_at is None
    assert rels[5].last_out_at == NOW - DAY


def test_machines_are_not_people_to_answer():
    found = _machines(
        {
            1: [("email", "orders@tillbox.io", None)],
            2: [("email", "noreply@github.com", None)],
            3: [("email", "ana@x.org", "Ana")],
            4: [("email", "orders@shop.test", None), ("x", "@shop", None)],
            5: [("email", "ci.jenkins@x.org", None)],
            6: [("x", "grok", "Grok"), ("x-id", "1720665183188922368", "Grok")],
            7: [("email", "builds@x.org", "Apache Jenkins Server")],
        }
    )
    assert found == {1, 2, 5, 6, 7}


def test_birthdays_round_the_year_and_the_29th_of_february():
    jan1 = 1_798_761_600  # 2027-01-01 00:00 UTC
    assert next_birthday("1990-01-03", jan1 - 2 * DAY)[1] == 4  # from 30 December
    assert next_birthday("--02-29", 1_803_686_400)[0].isoformat() == "2027-02-28"
    keys = birthday_keys(1_803_600_000)  # 2027-02-26: the window holds 28 Feb
    assert "02-29" in keys and "02-28" in keys
    assert next_birthday("not a date", NOW) is None


def test_gini():
    assert gini([]) is None
    assert gini([0, 0]) == 0.0
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 12]) == pytest.approx(0.75)


def test_relationship_rows_without_a_rhythm_do_not_cool():
    from kith.attention.candidates import candidates

    burst = Relationship(
        person_id=9, name="Burst", contact_days=5, median_gap_days=1.0, threads=2,
        last_in_at=NOW - 40 * DAY,
    )  # fmt: skip
    assert candidates([burst], NOW) == []
    cold = Relationship(
        person_id=9, name="Cold", contact_days=9, median_gap_days=7.0, threads=9,
        last_in_at=NOW - 400 * DAY,
    )  # fmt: skip
    assert candidates([cold], NOW) == []


def test_the_cooling_index_holds_the_queues_thresholds():
    import importlib.util

    from kith.relate.cooling import COOLING_RATIO, MIN_CONTACT_DAYS, MIN_THREADS
    from kith.store import relationships
    from kith.store.db import MIGRATIONS

    rhythm = f"contact_days >= {MIN_CONTACT_DAYS} AND threads >= {MIN_THREADS}"
    assert rhythm == relationships.COOLING_INDEX_WHERE
    assert relationships.COOLING_DUE_FACTOR == COOLING_RATIO * DAY
    spec = importlib.util.spec_from_file_location(
        "m0005", MIGRATIONS / "versions" / "0005_attention.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert rhythm == module.RHYTHM
    assert relationships.COOLING_DUE_SQL.replace("r.", "") == module.COOLING_DUE


def test_the_kinds_copied_from_the_analytics_are_the_same():
    from kith.analytics import definition
    from kith.attention import candidates

    assert candidates.GIVE_KINDS == definition.GIVE_KINDS
    assert candidates.ANSWERABLE_KINDS == definition.ANSWERABLE_KINDS
