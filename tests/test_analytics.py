"""The feature pipeline on small hand-made ledgers: one edge case per test,
exact expected values, fixed dates. Write-back runs on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Engine, text

from kith.analytics import AnalyticsSettings, refresh
from kith.analytics.read import age
from kith.model import Channel, InteractionRecord, Kind, Origin, Participant, Role
from kith.model import IdentityRef as Ref
from kith.signals.valence import compound
from kith.store import repository
from kith.store.writer import LedgerWriter

DAY = 86400
NOW = 1_767_225_600  # 2026-01-01 00:00 UTC
ME = "me@kith.test"


def rec(
    sid: str,
    at: int,
    frm: str,
    to: tuple[str, ...] = (),
    *,
    cc: tuple[str, ...] = (),
    kind: Kind = Kind.MESSAGE,
    channel: Channel = Channel.EMAIL,
    refs: tuple[str, ...] = (),
    body: str | None = None,
    extra: dict[str, str] | None = None,
    list_id: str | None = None,
    roles: tuple[Role, Role] = (Role.FROM, Role.TO),
) -> InteractionRecord:
    parts = [Participant(roles[0], Ref("email", frm))]
    parts += [Participant(roles[1], Ref("email", a)) for a in to]
    parts += [Participant(Role.CC, Ref("email", a)) for a in cc]
    return InteractionRecord(
        source="test",
        source_id=sid,
        channel=channel,
        kind=Kind.REPLY if refs and kind is Kind.MESSAGE else kind,
        occurred_at=at,
        participants=tuple(parts),
        origin=Origin("test", 0),
        refs=refs,
        is_reply=bool(refs),
        body=body,
        extra=extra or {},
        list_id=list_id,
        list_name=list_id,
    )


def store(engine: Engine, records: list[InteractionRecord]) -> None:
    if not repository.my_identities(engine):
        repository.add_me(engine, "email", ME, name="Me", now=0)
    writer = LedgerWriter(engine, importer="test", path="test", now=NOW)
    writer.start()
    writer.write(records)
    writer.finish("done", NOW)


def add_every_kind(engine: Engine, now: int, me: str) -> None:
    """To the sample world: a public share, an introduction, a referral, a
    meeting, a negative message and one after ``now``, among its first four
    people, so that every feature has something to count."""
    with engine.connect() as conn:
        a, b, c, d = (
            r[0]
            for r in conn.execute(
                text(
                    "SELECT value FROM identity JOIN person ON person.id = identity.person_id "
                    "WHERE NOT person.is_me AND kind = 'email' ORDER BY identity.id LIMIT 4"
                )
            )
        )
    store(
        engine,
        [
            rec("x1", now - 40 * DAY, a, (me,), kind=Kind.SHARE, channel=Channel.SOCIAL,
                extra={"visibility": "public"}, body="Loved working with you, brilliant!"),
            rec("x2", now - 30 * DAY, me, (a,), kind=Kind.INTRO, channel=Channel.INTRO, cc=(b,)),
            rec("x3", now - 20 * DAY, b, (me,), kind=Kind.REFERRAL, channel=Channel.REFERRAL),
            rec("x4", now - 10 * DAY, a, (me, b, c, d), kind=Kind.MEETING,
                channel=Channel.MEETING, roles=(Role.ORGANIZER, Role.ATTENDEE)),
            rec("x5", now - 5 * DAY, c, (me,), body="This is awful and I am upset."),
            rec("x6", now + DAY, d, (me,)),  # after now: left out
        ],
    )  # fmt: skip


def pid(engine: Engine, address: str) -> int:
    return repository.find_person(engine, address)


def rel(engine: Engine, address: str) -> dict[str, object]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT * FROM relationship WHERE person_id = :p"), {"p": pid(engine, address)}
        ).one()
    return dict(row._mapping)


def ties(engine: Engine) -> dict[tuple[int, int], dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM tie")).all()
    return {(r.person_a, r.person_b): dict(r._mapping) for r in rows}


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    from kith.store.db import open_store

    return open_store(f"sqlite:///{tmp_path / 'kith.db'}")


def test_waiting_message_is_the_last_one_i_left_unanswered(engine):
    store(
        engine,
        [
            rec("a1", NOW - 10 * DAY, "ana@x.org", (ME,)),
            rec("a2", NOW - 9 * DAY, ME, ("ana@x.org",), refs=("a1",)),
            rec("a3", NOW - 5 * DAY, "ana@x.org", (ME,), refs=("a1", "a2")),
            # To a list I read, not to me: nobody waits on me for it.
            rec("l1", NOW - 4 * DAY, "ana@x.org", ("list@x.org",), list_id="club.x.org"),
            # Sent to me in Cc: waiting too.
            rec("b1", NOW - 3 * DAY, "bob@y.org", ("carol@y.org",), cc=(ME,)),
        ],
    )
    refresh(engine, now=NOW)
    ana, bob, carol = rel(engine, "ana@x.org"), rel(engine, "bob@y.org"), rel(engine, "carol@y.org")
    assert (ana["waiting"], ana["oldest_waiting_at"]) == (1, NOW - 5 * DAY)
    assert (bob["waiting"], bob["oldest_waiting_at"]) == (1, NOW - 3 * DAY)
    assert (carol["waiting"], carol["oldest_waiting_at"]) == (0, None)
    assert (ana["n_in"], ana["n_out"], ana["n_among"], ana["interactions"]) == (2, 1, 1, 4)


def test_reply_latency_is_the_median_first_reply_each_way(engine):
    t0, t1, t2 = NOW - 30 * DAY, NOW - 20 * DAY, NOW - 10 * DAY
    store(
        engine,
        [
            rec("m1", t0, "ana@x.org", (ME,)),
            rec("m2", t0 + 3600, ME, ("ana@x.org",), refs=("m1",)),
            rec("m3", t1, ME, ("ana@x.org",)),
            rec("m4", t1 + 7200, "ana@x.org", (ME,), refs=("m3",)),
            rec("m5", t2, "ana@x.org", (ME,)),
            rec("m6", t2 + 100, ME, ("ana@x.org",), refs=("m5",)),
            # A second reply to the same message: only the first one counts.
            rec("m7", t2 + 5000, ME, ("ana@x.org",), refs=("m5",)),
        ],
    )
    refresh(engine, now=NOW)
    ana = rel(engine, "ana@x.org")
    assert (ana["my_replies"], ana["my_reply_median_s"]) == (2, 1850.0)
    assert (ana["their_replies"], ana["their_reply_median_s"]) == (1, 7200.0)
    assert (ana["threads"], ana["threads_started"], ana["started_share"]) == (3, 2, 2 / 3)


def test_cooling_person_is_silent_four_times_their_usual_gap(engine):
    first = NOW - 70 * DAY
    store(
        engine,
        [rec(f"c{i}", first + i * 10 * DAY + 3600 * i, "dan@z.org", (ME,)) for i in range(4)]
        # Two contacts on one day are one contact day.
        + [rec("c3b", first + 30 * DAY + 7200, ME, ("dan@z.org",))],
    )
    refresh(engine, now=NOW)
    dan = rel(engine, "dan@z.org")
    last = first + 30 * DAY + 3 * 3600
    assert dan["median_gap_days"] == 10.0
    assert (dan["active_days"], dan["contact_days"]) == (4, 4)
    assert dan["last_contact_at"] == last
    assert dan["silence_days"] == pytest.approx((NOW - last) / DAY, abs=1e-12)
    assert dan["cooling_ratio"] == pytest.approx((NOW - last) / DAY / 10, abs=1e-12)
    assert dan["tenure_days"] == 70.0


def test_gives_both_ways_and_their_balance(engine):
    ana = "ana@x.org"
    store(
        engine,
        [
            rec("g1", NOW - 9 * DAY, ana, (ME,), kind=Kind.SHARE, channel=Channel.SOCIAL,
                extra={"visibility": "public"}),
            rec("g2", NOW - 8 * DAY, ana, (ME,), kind=Kind.REFERRAL, channel=Channel.REFERRAL),
            rec("g3", NOW - 7 * DAY, ana, (ME,), kind=Kind.MENTION, channel=Channel.SOCIAL,
                extra={"visibility": "public"}),
            rec("g4", NOW - 6 * DAY, ME, (ana,), kind=Kind.INTRO, channel=Channel.INTRO),
            # Not a give: a plain message, and a like.
            rec("g5", NOW - 5 * DAY, ana, (ME,)),
            rec("g6", NOW - 4 * DAY, ana, (ME,), kind=Kind.LIKE, channel=Channel.SOCIAL),
        ],
    )  # fmt: skip
    refresh(engine, now=NOW)
    row = rel(engine, ana)
    assert (row["gives_in"], row["gives_out"], row["give_balance"]) == (3, 1, 2)
    assert (row["n_social"], row["n_referral"], row["n_intro"], row["n_email"]) == (3, 1, 1, 1)
    assert row["channels"] == 4
    assert row["public_share"] == 2 / 6


def test_tie_from_a_cc_and_a_meeting(engine):
    t1, t2 = NOW - 90 * DAY, NOW - 10 * DAY
    store(
        engine,
        [
            rec("t1", t1, "ana@x.org", (ME,), cc=("bob@y.org",)),
            rec(
                "t2",
                t2,
                "ana@x.org",
                (ME, "bob@y.org", "carol@y.org"),
                kind=Kind.MEETING,
                channel=Channel.MEETING,
                roles=(Role.ORGANIZER, Role.ATTENDEE),
            ),
        ],
    )
    refresh(engine, now=NOW)
    a, b, c = (pid(engine, x) for x in ("ana@x.org", "bob@y.org", "carol@y.org"))
    got = ties(engine)
    assert set(got) == {tuple(sorted(p)) for p in ((a, b), (a, c), (b, c))}
    ab = got[tuple(sorted((a, b)))]
    assert (ab["interactions"], ab["first_at"], ab["last_at"], ab["shared_threads"]) == (
        2,
        t1,
        t2,
        2,
    )
    # the CC between the two of them counts whole; the meeting of three, half each
    assert ab["decayed"] == pytest.approx(0.5 + 2 ** (-10 / 90) / 2, rel=1e-12)
    assert got[tuple(sorted((b, c)))]["interactions"] == 1


def test_a_message_to_a_long_list_ties_nobody(engine):
    from kith.analytics.definition import MAX_TIE_PEOPLE

    many = tuple(f"r{i}@y.org" for i in range(MAX_TIE_PEOPLE))  # with ana: one too many
    store(
        engine,
        [
            rec("all", NOW - DAY, "ana@x.org", (ME, *many)),
            rec("few", NOW - DAY, "ana@x.org", (ME, *many[: MAX_TIE_PEOPLE - 1])),
        ],
    )
    refresh(engine, now=NOW)
    got = ties(engine)
    # only the message with MAX_TIE_PEOPLE people ties them: its pairs, once each
    assert len(got) == MAX_TIE_PEOPLE * (MAX_TIE_PEOPLE - 1) // 2
    assert {t["interactions"] for t in got.values()} == {1}


def test_decayed_count_halves_per_half_life_and_ages_exactly(engine):
    store(engine, [rec("d1", NOW - 90 * DAY, "ana@x.org", (ME,))])
    refresh(engine, now=NOW)
    row = rel(engine, "ana@x.org")
    assert row["decayed"] == pytest.approx(0.5, rel=1e-12)
    assert row["decayed_in"] == pytest.approx(0.5, rel=1e-12)
    assert row["decayed_out"] == 0.0
    later = age(row, NOW + 90 * DAY)
    assert later["decayed"] == pytest.approx(0.25, rel=1e-12)
    assert later["silence_days"] == 180.0


def test_valence_is_vader_on_what_they_wrote(engine):
    kind, unkind = "I love this, thank you so much!", "This is terrible and I am angry."
    store(
        engine,
        [
            rec("v1", NOW - 3 * DAY, "ana@x.org", (ME,), body=kind),
            rec("v2", NOW - 2 * DAY, "ana@x.org", (ME,), body=unkind),
            # My own words are not their valence.
            rec("v3", NOW - DAY, ME, ("ana@x.org",), body=unkind),
        ],
    )
    refresh(engine, now=NOW)
    row = rel(engine, "ana@x.org")
    assert row["sentiment_n"] == 2
    assert row["sentiment_mean"] == pytest.approx((compound(kind) + compound(unkind)) / 2)
    assert row["negative_share"] == 0.5


def test_person_with_no_interactions_gets_an_empty_row(engine):
    store(engine, [rec("x1", NOW - DAY, "ana@x.org", (ME,))])
    repository.add_me(
        engine, "email", "me2@kith.test", name=None, now=0
    )  # a second address of mine
    refresh(engine, now=NOW)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM relationship")).scalar_one()
    assert n == 1  # me is not a relationship
    assert rel(engine, "ana@x.org")["median_gap_days"] is None


def _rows(engine: Engine) -> list[dict[str, object]]:
    """Every stored row, aged to NOW (rows an incremental refresh left alone are
    exact as of their own computed_at)."""
    with engine.connect() as conn:
        r = conn.execute(text("SELECT * FROM relationship ORDER BY person_id")).all()
        t = conn.execute(text("SELECT * FROM tie ORDER BY person_a, person_b")).all()
    return [age(dict(row._mapping), NOW) for row in [*r, *t]]


def assert_same_rows(got: list[dict[str, object]], want: list[dict[str, object]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.keys() == w.keys()
        for key in g:
            if isinstance(w[key], float):
                assert g[key] == pytest.approx(w[key], rel=1e-9, abs=1e-12), key
            else:
                assert g[key] == w[key], key


def _world() -> list[InteractionRecord]:
    people = [f"p{i}@x.org" for i in range(8)]
    out = []
    for i in range(60):
        a = people[i % 8]
        b = people[(i * 3 + 1) % 8]
        at = NOW - (120 - i * 2) * DAY + i * 977
        if i % 3 == 0:
            out.append(rec(f"w{i}", at, a, (ME,), cc=(b,) if a != b else ()))
        elif i % 3 == 1:
            out.append(rec(f"w{i}", at, ME, (a,), refs=(f"w{i - 1}",)))
        else:
            out.append(rec(f"w{i}", at, a, (ME,), refs=(f"w{i - 2}", f"w{i - 1}"), body="thanks!"))
    return out


def test_incremental_refresh_gives_the_rows_a_full_one_would(engine):
    store(engine, _world())
    first = refresh(engine, now=NOW - 10 * DAY)
    assert first.mode == "full"
    store(
        engine,
        [
            rec("n1", NOW - 5 * DAY, "p0@x.org", (ME,), cc=("p1@x.org",)),
            rec("n2", NOW - 4 * DAY, ME, ("p0@x.org",), refs=("n1",)),
            rec("n3", NOW - 3 * DAY, "new@x.org", (ME,), refs=("w10",)),
        ],
    )
    inc = refresh(engine, now=NOW)
    assert inc.mode == "incremental"
    assert 0 < inc.people < 9
    incremental = _rows(engine)
    full = refresh(engine, now=NOW, full=True)
    assert full.mode == "full"
    assert_same_rows(incremental, _rows(engine))


def test_nothing_new_changes_nothing(sqlite_engine):
    store(sqlite_engine, _world())
    refresh(sqlite_engine, now=NOW)
    again = refresh(sqlite_engine, now=NOW)
    assert again.mode == "unchanged"


def test_new_settings_a_merge_or_an_earlier_now_recompute_everyone(sqlite_engine):
    engine = sqlite_engine
    store(engine, _world())
    refresh(engine, now=NOW)
    assert refresh(engine, now=NOW, settings=AnalyticsSettings(30)).reason == (
        "the settings changed"
    )
    row = rel(engine, "p1@x.org")
    assert row["half_life_days"] == 30.0
    repository.merge_people(
        engine, pid(engine, "p1@x.org"), pid(engine, "p2@x.org"), reason="test", now=NOW
    )
    merged = refresh(engine, now=NOW, settings=AnalyticsSettings(30))
    assert merged.mode == "full"
    assert merged.relationships == 7
    assert refresh(engine, now=NOW - DAY, settings=AnalyticsSettings(30)).mode == "full"


def test_a_deleted_mirror_is_rebuilt(sqlite_engine, tmp_path):
    store(sqlite_engine, _world())
    refresh(sqlite_engine, now=NOW)
    before = _rows(sqlite_engine)
    (tmp_path / "kith.analytics.duckdb").unlink()
    result = refresh(sqlite_engine, now=NOW)
    assert result.mirror_rebuilt and result.mode == "full"
    assert_same_rows(_rows(sqlite_engine), before)


def test_a_mirror_written_by_the_older_version_is_rebuilt(sqlite_engine, tmp_path):
    """The version before kept small integer codes in the mirror and reply
    links beside it, for a compiled full run since retired: such a mirror is
    rebuilt (a full refresh), and what only that run read is gone."""
    import duckdb

    store(sqlite_engine, _world())
    refresh(sqlite_engine, now=NOW)
    before = _rows(sqlite_engine)
    path = tmp_path / "kith.analytics.duckdb"
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE m_interaction ADD COLUMN code SMALLINT")
    con.execute("ALTER TABLE m_participant ADD COLUMN role_code TINYINT")
    con.execute("CREATE TABLE m_reply AS SELECT 1::BIGINT AS child_id, 2::BIGINT AS parent_id")
    con.execute("CREATE TABLE m_reply_state AS SELECT 60 AS through")
    con.close()
    result = refresh(sqlite_engine, now=NOW)
    assert result.mirror_rebuilt and result.mode == "full"
    assert result.reason == "the analytics mirror was rebuilt"
    assert_same_rows(_rows(sqlite_engine), before)
    con = duckdb.connect(str(path))
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    columns = {r[0] for r in con.execute("DESCRIBE m_interaction").fetchall()}
    con.close()
    assert not tables & {"m_reply", "m_reply_state"}
    assert "code" not in columns
    assert refresh(sqlite_engine, now=NOW).mode == "unchanged"


def _indexes(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name IN ('relationship', 'tie') ORDER BY name"
        ).all()
    return [(str(name), str(sql)) for name, sql in rows]


@pytest.mark.parametrize("adbc", [True, False], ids=["bulk-ingest", "executemany"])
def test_a_full_write_rebuilds_the_indexes_it_dropped(sqlite_engine, monkeypatch, adbc):
    """A full write on SQLite drops the result tables' indexes and makes them
    again after the rows; when it fails half-way, nothing of it stays: the
    rows and the indexes are as they were. Through ADBC's bulk ingest in a
    child process, and in the process where the driver is missing."""
    from kith.analytics import writeback

    monkeypatch.setattr(writeback, "has_adbc", lambda: adbc)
    monkeypatch.setattr(writeback, "INGEST_ABOVE", 0)  # a few rows go the way of many
    engine = sqlite_engine
    store(engine, _world())
    indexes = _indexes(engine)
    assert len(indexes) > 3
    refresh(engine, now=NOW, full=True)
    assert _indexes(engine) == indexes
    before = _rows(engine)
    state = writeback.stored_state(engine)
    assert state is not None

    def broken() -> Any:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        writeback.write(
            engine,
            {"relationship": broken},
            replace_all=True,
            state=state,
            finished_at=NOW,
            row_count=1,
        )
    assert _indexes(engine) == indexes
    assert_same_rows(_rows(engine), before)


def test_a_full_write_that_fails_in_the_bulk_ingest_changes_nothing(sqlite_engine, monkeypatch):
    """A full write of many rows on a SQLite file goes through ADBC's bulk
    ingest in a child process (a few rows stay in the process); when the
    ingest fails half-way (here: a person twice, against the primary key),
    the user hears where, and the rows, the indexes and the state are as
    they were."""
    from kith.analytics import writeback
    from kith.errors import StoreError

    engine = sqlite_engine
    store(engine, _world())
    children = []
    real = writeback._ingest_in_child
    monkeypatch.setattr(writeback, "_ingest_in_child", lambda *a: children.append(a[0]) or real(*a))
    refresh(engine, now=NOW, full=True)
    assert children == []  # fewer rows than writeback.INGEST_ABOVE
    monkeypatch.setattr(writeback, "INGEST_ABOVE", 1)
    refresh(engine, now=NOW, full=True)
    assert children == [Path(engine.url.database).resolve()]
    indexes, before = _indexes(engine), _rows(engine)
    state = writeback.stored_state(engine)
    assert state is not None
    with engine.connect() as conn:
        rows = pa.Table.from_pylist(
            [dict(r._mapping) for r in conn.execute(text("SELECT * FROM relationship"))]
        )
    twice = pa.concat_tables([rows, rows.slice(0, 1)])
    later = dataclasses.replace(state, computed_at=state.computed_at + DAY)
    with pytest.raises(StoreError, match=r"UNIQUE constraint failed: relationship\.person_id") as e:
        writeback.write(
            engine,
            {"relationship": lambda: pa.RecordBatchReader.from_batches(
                twice.schema, twice.to_batches(max_chunksize=3))},
            replace_all=True,
            state=later,
            finished_at=NOW + DAY,
            row_count=twice.num_rows,
        )  # fmt: skip
    assert "nothing was changed" in str(e.value) and "kith.db" in str(e.value)
    assert _indexes(engine) == indexes
    assert_same_rows(_rows(engine), before)
    assert writeback.stored_state(engine) == state


def test_half_life_must_be_positive():
    from kith.errors import ConfigError

    with pytest.raises(ConfigError, match="half-life must be positive"):
        AnalyticsSettings(0)


def test_aging_refuses_to_go_back():
    row = {"computed_at": NOW, "half_life_days": 90.0, "decayed": 1.0}
    with pytest.raises(ValueError, match="back"):
        age(row, NOW - 1)
    assert math.isclose(age(row, NOW)["decayed"], 1.0)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sqlalchemy.exc.SAWarning")
def test_migration_0004_matches_the_schema(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kith.store.schema import metadata

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    mine = ("'relationship'", "'tie'", "'analytics_state'")
    assert [d for d in diffs if any(name in repr(d) for name in mine)] == []


def test_big_reads_go_through_a_child_process_with_the_same_rows(sqlite_engine, monkeypatch):
    from kith.analytics import ledger

    store(sqlite_engine, _world())
    refresh(sqlite_engine, now=NOW, mirror_path=None)
    direct = _rows(sqlite_engine)
    monkeypatch.setattr(ledger, "CHILD_ABOVE", 0)
    children = []
    real = ledger._child_reader
    monkeypatch.setattr(ledger, "_child_reader", lambda *a: children.append(a[1]) or real(*a))
    refresh(sqlite_engine, now=NOW, mirror_path=None)
    assert {"interaction", "participant", "identity", "person"} <= set(children)
    assert_same_rows(_rows(sqlite_engine), direct)


def test_a_mirror_rebuilt_for_the_same_ledger_scores_no_body_again(
    sqlite_engine, tmp_path, monkeypatch
):
    """My identities change: the mirror is read again whole, but the bodies
    it had scored keep their valence (bodies never change)."""
    from kith.signals import valence

    store(sqlite_engine, [*_world(), rec("s1", NOW - DAY, "ana@x.org", (ME,), body="Lovely!")])
    refresh(sqlite_engine, now=NOW)
    before = _rows(sqlite_engine)
    scored: list[str] = []
    real = valence.compound
    monkeypatch.setattr(valence, "compound", lambda t: scored.append(t) or real(t))
    repository.add_me(sqlite_engine, "email", "me2@kith.test", name=None, now=0)
    result = refresh(sqlite_engine, now=NOW)
    assert result.mirror_rebuilt and scored == []
    assert_same_rows(_rows(sqlite_engine), before)
