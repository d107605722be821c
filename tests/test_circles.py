"""Private circles: formation (kith.connect.circles), the ledger's circles and
yield (kith.store.circles), and the commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.analytics import refresh
from kith.cli import cli
from kith.connect import circles as connect
from kith.connect.circles import FormRequest, Sizes
from kith.errors import InputError
from kith.store import circles as store
from kith.store.circles import PoolFacts, PoolPerson, pair
from kith.store.sql import using
from tests.test_analytics import ME, NOW, rec
from tests.test_analytics import store as store_records

DAY = 86400
POTTERY = "Our kiln firing went wrong again, the glaze crawled. Any kiln glaze tips?"
PODCAST = "New podcast episode is out; my microphone and audio setup finally work."
TOPICS = [POTTERY, POTTERY, POTTERY, PODCAST, PODCAST, PODCAST, "", ""]
PEOPLE = [f"p{i}@x.org" for i in range(8)]


def _ledger(engine: Engine) -> None:
    """Eight people, two-way with me: p0–p2 write about pottery, p3–p5 about a
    podcast; p0 and p3 met in a thread (a tie); p6 and p7 posted to one list."""
    records = []
    for i, who in enumerate(PEOPLE):
        at = NOW - (100 - i) * DAY
        records.append(rec(f"a{i}", at, who, (ME,), body=TOPICS[i] or "Hello there."))
        records.append(rec(f"b{i}", at + 3600, ME, (who,), refs=(f"a{i}",)))
    records.append(rec("t1", NOW - 50 * DAY, "p0@x.org", (ME,), cc=("p3@x.org",)))
    records.append(rec("l1", NOW - 40 * DAY, "p6@x.org", ("list@x.org",), list_id="makers"))
    records.append(rec("l2", NOW - 39 * DAY, "p7@x.org", ("list@x.org",), list_id="makers"))
    store_records(engine, records)
    refresh(engine, now=NOW)


def _ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT value, person_id FROM identity WHERE kind = 'email'")
        ).all()
    return {str(v): int(p) for v, p in rows}


def _run(db_url: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db_url, *args])


def _counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in ("circle", "circle_round", "circle_member", "circle_yield")
        )


def test_form_json_keeps_every_constraint_and_says_why(engine, db_url):
    _ledger(engine)
    ids = _ids(engine)
    result = _run(db_url, "circle", "form", "--size", "3-4", "--count", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"circles", "objective", "bound"}
    groups = [[m["id"] for m in c["members"]] for c in data["circles"]]
    assert len(groups) == 2
    assert all(3 <= len(g) <= 4 for g in groups)
    assert len({p for g in groups for p in g}) == sum(len(g) for g in groups)
    # p6 and p7 shared the list: never together while the pool allows it
    assert data["golfer_rule"] == "hard"
    assert not any(ids["p6@x.org"] in g and ids["p7@x.org"] in g for g in groups)
    assert data["objective"] <= data["bound"]
    for c in data["circles"]:
        assert c["reasons"] and c["draft"].startswith("Hi ")
        assert all(set(m) == {"id", "name"} for m in c["members"])
    assert _counts(engine) == (1, 0, 0, 0)  # the list's public circle only: nothing written


def test_the_planted_topic_lands_together(engine, db_url):
    _ledger(engine)
    ids = _ids(engine)
    pottery = {ids[f"p{i}@x.org"] for i in range(3)}
    result = _run(db_url, "circle", "form", "--size", "3-4", "--count", "2", "--json")
    data = json.loads(result.output)
    groups = [{m["id"] for m in c["members"]} for c in data["circles"]]
    assert any(pottery <= g for g in groups), groups
    together = next(c for c in data["circles"] if pottery <= {m["id"] for m in c["members"]})
    assert any("kiln" in r or "glaze" in r for r in together["reasons"])


def test_must_and_cannot_link_are_kept(engine, db_url):
    _ledger(engine)
    ids = _ids(engine)
    result = _run(
        db_url,
        "circle",
        "form",
        "--size",
        "3-4",
        "--count",
        "2",
        "--must-link",
        "p0@x.org,p4@x.org",
        "--cannot-link",
        "p1@x.org,p2@x.org",
        "--json",
    )
    assert result.exit_code == 0, result.output
    groups = [{m["id"] for m in c["members"]} for c in json.loads(result.output)["circles"]]
    assert any({ids["p0@x.org"], ids["p4@x.org"]} <= g for g in groups)
    assert not any({ids["p1@x.org"], ids["p2@x.org"]} <= g for g in groups)


def test_create_add_remove_and_list(engine, db_url):
    _ledger(engine)
    ids = _ids(engine)
    result = _run(db_url, "circle", "create", "Kiln club", "p0@x.org", "p1@x.org", "p2@x.org")
    assert result.exit_code == 0, result.output
    assert _run(db_url, "circle", "add", "Kiln club", "p5@x.org").exit_code == 0
    assert _run(db_url, "circle", "remove", "Kiln club", "p1@x.org").exit_code == 0
    listed = json.loads(_run(db_url, "circles", "--json").output)["circles"]
    assert [c["name"] for c in listed] == ["Kiln club"]
    members = {m["id"] for m in listed[0]["members"]}
    assert members == {ids["p0@x.org"], ids["p2@x.org"], ids["p5@x.org"]}
    shown = _run(db_url, "circles")
    assert "Kiln club" in shown.output and "kith circles --all" in shown.output
    # the pair already shared a circle now: the next round keeps them apart
    with using(engine) as db:
        facts = store.pool_facts(db, "two-way", sorted(ids.values()))
    assert pair(ids["p0@x.org"], ids["p2@x.org"]) in facts.shared


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--size", "9-10"), "the pool has 8 people, fewer than one circle of 9"),
        (
            ("--size", "3-4", "--count", "3"),
            "3 circles of at least 3 need 9 people; the pool has 8",
        ),
        (("--size", "6-4"), "ends below where it starts"),
        (("--size", "1-3"), "a circle of 1 is not a circle"),
        (
            ("--must-link", "p0@x.org,p1@x.org", "--cannot-link", "p0@x.org,p1@x.org"),
            "must be together and cannot be",
        ),
        (
            (
                "--size",
                "2-2",
                "--must-link",
                "p0@x.org,p1@x.org",
                "--must-link",
                "p1@x.org,p2@x.org",
            ),
            "must-link puts 3 people in one circle",
        ),
        (("--must-link", "p0@x.org,nobody@x.org"), "nobody@x.org"),
        (("--pool", "colour=blue"), "cannot read the pool filter 'colour=blue'"),
        (("--pool", "role=astronaut"), "the pool has 0 people"),
    ],
)
def test_bad_input_says_why_exits_non_zero_and_writes_nothing(engine, db_url, args, words):
    _ledger(engine)
    before = _counts(engine)
    result = _run(db_url, "circle", "form", "--create", *args)
    assert result.exit_code != 0
    assert words in result.output
    assert _counts(engine) == before


def test_unknown_people_and_taken_names_write_nothing(engine, db_url):
    _ledger(engine)
    assert _run(db_url, "circle", "create", "Kiln club", "p0@x.org", "p1@x.org").exit_code == 0
    before = _counts(engine)
    result = _run(db_url, "circle", "create", "Other", "p0@x.org", "nobody@x.org")
    assert result.exit_code != 0 and "nobody@x.org" in result.output
    result = _run(db_url, "circle", "create", "Kiln club", "p3@x.org", "p4@x.org")
    assert result.exit_code != 0 and "exists already" in result.output
    result = _run(db_url, "circle", "add", "Kiln club", "nobody@x.org")
    assert result.exit_code != 0
    assert _counts(engine) == before


def test_yield_counts_new_pairs_that_met_beside_random_groupings(engine):
    _ledger(engine)
    ids = _ids(engine)
    start = NOW - 30 * DAY
    members = [ids["p0@x.org"], ids["p3@x.org"], ids["p6@x.org"], ids["p7@x.org"]]
    with using(engine) as db:
        spec, pool = store.pool_ids(db, None, NOW)
    store.create_circles(
        engine,
        [store.NewCircle("Mixed", tuple(members))],
        start,
        pool=spec,
        pool_ids=pool,
    )
    # p0–p3 met before the circle; p6 and p7 only on a list of many (no direct
    # contact); after it started p6 writes to p7 and p0 directly
    store_records(
        engine,
        [rec("y1", start + 5 * DAY, "p6@x.org", ("p7@x.org", "p0@x.org"))],
    )
    assert connect.refresh_yields(engine, NOW) == 1
    with using(engine) as db:
        (row,) = store.list_private(db)
    y = row.yield_row
    assert y is not None
    # 6 pairs; p0–p3 met before; p6–p7 and p0–p6 met directly, p0-p7 too
    assert (y["pairs"], y["new_pairs"], y["met"]) == (6, 5, 3)
    assert y["yield_share"] == pytest.approx(3 / 5)
    assert y["random_draws"] == connect.RANDOM_DRAWS
    assert y["random_share"] is not None and 0 <= y["random_share"] <= 1


def test_new_tie_yield_counts_only_pairs_new_at_the_start():
    contacts = {(1, 2): [100], (1, 3): [500], (2, 3): [500 + 61 * DAY]}
    assert connect.new_tie_yield([1, 2, 3], 200, contacts) == (3, 2, 1)


# -- the solver on small pools --------------------------------------------------


def _facts(n: int, *, shared: set[tuple[int, int]] | None = None) -> PoolFacts:
    rng = random.Random(3)
    words = ["kiln glaze clay", "podcast audio episode", "invoice tax ledger"]
    people = [
        PoolPerson(i, f"P{i}", " ".join([words[i % 3]] * 3) + f" x{rng.randint(0, 9)}")
        for i in range(1, n + 1)
    ]
    known = {pair(i, i + 1) for i in range(1, n, 2)}
    return PoolFacts("test", people, known, shared or set())


def test_the_solver_reports_the_objective_of_its_own_grouping():
    facts = _facts(12)
    result = connect.form(facts, FormRequest(Sizes(3, 4), count=3, time_limit=5), NOW)
    groups = [list(c.members) for c in result.circles]
    assert result.inputs is not None
    assert result.objective == connect.score_grouping(result.inputs, groups, golfer="hard")
    assert result.objective <= result.bound
    assert result.objective >= connect.score_grouping(
        result.inputs, connect.greedy_grouping(result.inputs, 3, Sizes(3, 4)), golfer="hard"
    )


def test_the_pool_bound_is_above_every_grouping():
    facts = _facts(30)
    result = connect.form(facts, FormRequest(Sizes(3, 4), count=2, time_limit=3), NOW)
    inputs = result.inputs
    assert inputs is not None
    bound = connect.pool_bound(inputs, 2, Sizes(3, 4))
    assert result.objective <= result.bound <= max(bound, result.objective)
    rng = random.Random(5)
    ids = [p.id for p in facts.people]
    for _ in range(200):
        grouping = connect.random_grouping(ids, 2, Sizes(3, 4), rng)
        assert connect.score_grouping(inputs, grouping, golfer="hard") <= bound


def test_the_golfer_rule_turns_soft_when_the_pool_runs_out_of_new_pairs():
    everyone = {pair(a, b) for a in range(1, 5) for b in range(a + 1, 5)}
    result = connect.form(_facts(4, shared=everyone), FormRequest(Sizes(4, 4)), NOW)
    assert result.golfer == "soft"
    assert any("run out of new pairs" in n for n in result.notes)
    assert any("shared a circle before" in r for r in result.circles[0].reasons)


def test_contradictory_links_found_through_a_chain():
    facts = _facts(8)
    request = FormRequest(Sizes(3, 4), must_link=((1, 2), (2, 3)), cannot_link=((1, 3),))
    with pytest.raises(InputError, match="must be together and cannot be"):
        connect.form(facts, request, NOW)


def test_the_sample_worlds_planted_need_lands_in_one_circle(tmp_path):
    workspace = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--workspace", str(workspace), "--no-browser", "-q"])
    assert result.exit_code == 0, result.output
    planted = set(json.loads((workspace / "truth.json").read_text())["patterns"]["circle_need"])
    assert len(planted) == 4
    db = f"sqlite:///{workspace / 'kith.db'}"
    result = _run(
        db,
        "circle",
        "form",
        "--count",
        "3",
        "--need",
        "pricing an online course for a first cohort",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with using(store_engine(db)) as ledger:
        emails = {
            int(pid): str(value)
            for pid, value in ledger.rows("SELECT person_id, value FROM identity")
        }
    groups = [{emails[m["id"]] for m in c["members"]} for c in data["circles"]]
    assert any(planted <= g for g in groups), groups


def store_engine(url: str) -> Engine:
    from kith.store.db import open_store

    return open_store(url)


def test_pool_filters_read_like_the_people_page(engine):
    _ledger(engine)
    ids = _ids(engine)
    everyone = {ids[p] for p in PEOPLE}
    with using(engine) as db:
        assert set(store.pool_ids(db, None, NOW)[1]) == everyone
        assert set(store.pool_ids(db, "everyone", NOW)[1]) == everyone | {ids["list@x.org"]}
        makers = {ids["p6@x.org"], ids["p7@x.org"]}
        # the list's own address took part too; it is not two-way with me
        assert set(store.pool_ids(db, "circle=makers", NOW)[1]) == makers | {ids["list@x.org"]}
        assert set(store.pool_ids(db, "two-way,circle=makers", NOW)[1]) == makers
        assert store.pool_ids(db, "org=acme", NOW)[1] == []
    store.create_circles(
        engine,
        [store.NewCircle("Kiln club", (ids["p0@x.org"], ids["p1@x.org"]))],
        NOW,
        pool="two-way",
        pool_ids=sorted(everyone),
    )
    with using(engine) as db:
        found = set(store.pool_ids(db, "circle=Kiln club", NOW)[1])
        assert found == {ids["p0@x.org"], ids["p1@x.org"]}
        with pytest.raises(InputError, match="no layer 'inner'"):
            store.pool_ids(db, "layer=inner", NOW)
