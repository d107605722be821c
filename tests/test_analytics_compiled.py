"""The compiled full run (``kith.analytics.compiled``) gives the rows the SQL
definition gives, on the same mirror: on the sample world with every kind of
feature added, and on random ledgers built to hit the edges (ties in time,
replies across threads, people in many roles of one interaction, messages
after ``now``, merged people, interactions without threads or people)."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kith.analytics import compiled, duck, mirror, refresh
from kith.analytics.workspace import Workspace
from kith.demo import build_demo
from kith.model import Channel, Kind
from kith.sample.entities import OWNER
from kith.store import repository
from kith.store.db import open_store
from tests.test_analytics import ME, add_every_kind, rec, store

DAY = 86400
KEYS = {"relationship": ("person_id",), "tie": ("person_a", "person_b")}


def _rows(con: Any, name: str) -> list[dict[str, Any]]:
    keys = ", ".join(KEYS[name])
    return con.sql(f"SELECT * FROM {name} ORDER BY {keys}").to_arrow_table().to_pylist()


def _both(path: Path, now: int, half_life: float = 90.0) -> dict[str, tuple[list, list]]:
    """Each result as the SQL steps give it and as the compiled run gives it."""
    con = mirror.connect(path)
    try:
        duck.full_inputs(con)
        duck.run(con, now, half_life)
        sql = {name: _rows(con, name) for name in KEYS}
        types = {name: con.sql(f"DESCRIBE {name}").fetchall() for name in KEYS}
        compiled.run(con, now, half_life)
        fast = {name: _rows(con, name) for name in KEYS}
        for name in KEYS:
            assert con.sql(f"DESCRIBE {name}").fetchall() == types[name], name
    finally:
        con.close()
    return {name: (sql[name], fast[name]) for name in KEYS}


def _assert_same(results: dict[str, tuple[list, list]]) -> None:
    for name, (want_rows, got_rows) in results.items():
        assert len(got_rows) == len(want_rows), name
        for want, got in zip(want_rows, got_rows, strict=True):
            assert list(got) == list(want), name
            for key, value in want.items():
                if isinstance(value, float):
                    assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), (name, key, want)
                else:
                    assert got[key] == value, (name, key, want)


def test_compiled_run_matches_the_sql_on_the_sample_world(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo", people=120)
    engine, now = demo.engine, demo.now
    add_every_kind(engine, now, OWNER.email)
    refresh(engine, now=now, full=True)
    path = mirror.default_path(engine)
    engine.dispose()
    results = _both(path, now)
    _assert_same(results)
    rel = results["relationship"][0]
    assert len(rel) > 100 and len(results["tie"][0]) > 10
    for column in ("gives_in", "gives_out", "waiting", "my_replies", "their_replies",
                   "threads_started", "sentiment_n", "n_meeting", "median_gap_days"):  # fmt: skip
        assert any(r[column] for r in rel), column


ADDRESSES = ["ana@x.org", "bob@x.org", "cy@y.org", "di@y.org", "ed@z.org", ME]
NOW = 1_767_225_600


def _random_ledger(path: Path, seed: int, n: int) -> None:
    """A ledger of ``n`` random interactions among a few people and me: random
    authors and addressees (me among them or not), random replies to earlier
    (or later) messages, times on few distinct seconds so ties in time
    happen, some after ``now``."""
    rnd = random.Random(seed)
    engine = open_store(f"sqlite:///{path}")
    repository.add_me(engine, "email", ME, name="Me", now=0)
    records = []
    for k in range(n):
        frm = rnd.choice(ADDRESSES)
        to = tuple(rnd.sample(ADDRESSES, rnd.randint(0, 3)))
        cc = tuple(rnd.sample(ADDRESSES, rnd.randint(0, 2)))
        refs: tuple[str, ...] = ()
        if k and rnd.random() < 0.5:
            refs = (f"m{rnd.randrange(0, n)}",)  # a parent earlier, later or itself
        at = NOW - rnd.choice([0, 1, 2, 3, 5, 8, 30, 31, 200]) * DAY + rnd.choice([0, 0, 7, 3600])
        if rnd.random() < 0.05:
            at = NOW + DAY
        kind = rnd.choice([Kind.MESSAGE, Kind.MESSAGE, Kind.SHARE, Kind.MENTION, Kind.ANSWER])
        channel = rnd.choice([Channel.EMAIL, Channel.EMAIL, Channel.SOCIAL, Channel.COMMENT])
        body = rnd.choice([None, "great, thanks!", "this is terrible", "ok"])
        extra = {"visibility": "public"} if rnd.random() < 0.2 else None
        list_id = "club.x.org" if rnd.random() < 0.1 else None
        records.append(
            rec(f"m{k}", at, frm, to, cc=cc, refs=refs, kind=kind, channel=channel, body=body,
                extra=extra, list_id=list_id)
        )  # fmt: skip
    store(engine, records)
    refresh(engine, now=NOW, full=True)
    engine.dispose()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 60), half_life=st.sampled_from([1.0, 90.0]))
def test_compiled_run_matches_the_sql_on_random_ledgers(
    tmp_path_factory: pytest.TempPathFactory, seed: int, n: int, half_life: float
) -> None:
    """Every array of the runs in one workspace, kept from one example to the
    next: blocks come back holding an earlier ledger's values, so a pass that
    counts on fresh memory being zero fails here."""
    folder = tmp_path_factory.mktemp("random")
    _random_ledger(folder / "kith.db", seed, n)
    with _every_array_in(_SHARED):
        _assert_same(_both(folder / "kith.analytics.duckdb", NOW, half_life))


#: A workspace that takes every array, however small (the runs' own leaves
#: arrays under a megabyte to NumPy), shared by the examples.
_SHARED = Workspace(floor=1)


@contextlib.contextmanager
def _every_array_in(space: Workspace) -> Iterator[None]:
    kept = compiled.SPACE
    compiled.SPACE = space
    try:
        yield
    finally:
        compiled.SPACE = kept


def test_results_outlive_a_run_on_another_connection(tmp_path: Path) -> None:
    """The results registered on a connection are made of workspace blocks:
    a run on another connection does not take them, a run on the same one
    does (once it has let the old results go), and ``release`` lets go of
    all of it."""
    paths = []
    for k, n in enumerate((40, 25)):
        (tmp_path / str(k)).mkdir()
        _random_ledger(tmp_path / str(k) / "kith.db", seed=k, n=n)
        paths.append(tmp_path / str(k) / "kith.analytics.duckdb")
    space = Workspace(floor=1)
    first, second = (mirror.connect(p) for p in paths)
    try:
        with _every_array_in(space):
            duck.full_inputs(first)
            compiled.run(first, NOW, 90.0)
            before = {name: _rows(first, name) for name in KEYS}
            assert before["relationship"] and before["tie"]
            duck.full_inputs(second)
            compiled.run(second, NOW, 90.0)
            assert {name: _rows(first, name) for name in KEYS} == before
            compiled.run(first, NOW, 90.0)
            assert {name: _rows(first, name) for name in KEYS} == before
            # The results' blocks stay lent to the connection, and a run on it
            # takes the old ones back: as many lent after as before.
            lent = space.lent(id(first))
            assert lent > 0 and space.lent(id(second)) > 0
            compiled.run(first, NOW, 90.0)
            assert {name: _rows(first, name) for name in KEYS} == before
            assert space.lent(id(first)) == lent
            compiled.release(first)
            with pytest.raises(Exception, match="relationship"):
                first.sql("SELECT COUNT(*) FROM relationship").fetchall()
            assert _rows(second, "relationship")  # still there
    finally:
        first.close()
        second.close()


def test_compiled_run_on_an_empty_ledger(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'kith.db'}")
    repository.add_me(engine, "email", ME, name="Me", now=0)
    result = refresh(engine, now=NOW, full=True)
    assert (result.relationships, result.ties) == (0, 0)
    engine.dispose()
    _assert_same(_both(tmp_path / "kith.analytics.duckdb", NOW))


def test_reply_links_follow_imports_either_way_round(tmp_path: Path) -> None:
    """A reply imported before its message, then the message: the mirror's
    links find it (the late-parent path), and the full runs still agree."""
    engine = open_store(f"sqlite:///{tmp_path / 'kith.db'}")
    store(engine, [rec("r2", NOW - DAY, ME, ("ana@x.org",), refs=("r1",))])
    refresh(engine, now=NOW, full=True)
    store(
        engine,
        [
            rec("r1", NOW - 2 * DAY, "ana@x.org", (ME,)),
            rec("r3", NOW - DAY // 2, "ana@x.org", (ME,), refs=("r2",)),
        ],
    )
    refresh(engine, now=NOW, full=True)
    engine.dispose()
    con = mirror.connect(tmp_path / "kith.analytics.duckdb")
    try:
        assert con.sql("SELECT COUNT(*) FROM m_reply").fetchall() == [(2,)]
    finally:
        con.close()
    results = _both(tmp_path / "kith.analytics.duckdb", NOW)
    _assert_same(results)
    ana = results["relationship"][1][0]
    assert (ana["my_replies"], ana["their_replies"], ana["waiting"]) == (1, 1, 1)


def test_median_is_the_middle_or_the_mean_of_the_two_middles() -> None:
    import numpy as np

    rng = random.Random(7)
    for n in [*range(1, 40), 101, 1000]:
        for _ in range(20):
            values = [rng.randrange(0, rng.randrange(1, 50)) for _ in range(n)]
            got = compiled._median(np.array(values, dtype=np.int64))
            assert got == float(np.median(values)), values


def test_a_mirror_without_the_codes_is_started_anew(tmp_path: Path) -> None:
    """A mirror written before the interaction and role codes is a cache of
    the wrong shape: opening it drops its tables, and the next refresh reads
    the ledger again."""
    import duckdb

    engine = open_store(f"sqlite:///{tmp_path / 'kith.db'}")
    store(engine, [rec("a1", NOW - DAY, "ana@x.org", (ME,))])
    path = tmp_path / "kith.analytics.duckdb"
    old = duckdb.connect(str(path))
    old.execute("CREATE TABLE m_interaction (id BIGINT, direction VARCHAR)")
    old.execute("CREATE TABLE m_participant (interaction_id BIGINT, role VARCHAR)")
    old.execute("CREATE TABLE m_state (token VARCHAR)")
    old.close()
    result = refresh(engine, now=NOW)
    assert result.mirror_rebuilt and result.relationships == 1
    engine.dispose()
    _assert_same(_both(path, NOW))
