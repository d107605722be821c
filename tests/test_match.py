"""kith match: the planted fits of the sample world are found, quotes are the
person's own words with dates, vectors are remade only for changed people,
and bad input is refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kith.cli import cli
from kith.matching.index import refresh
from kith.matching.texts import sentences
from kith.sample.topics import TOPICS
from kith.signals import embed
from kith.store.sql import using
from tests.web_world import PEOPLE, SEED, build_world


def _mail(*messages: tuple[str, str, str, str, str]) -> str:
    """An mbox of (message id, from, date, subject, body)."""
    out = []
    for mid, sender, date, subject, body in messages:
        out.append(
            f"From {sender} Mon Jan  1 00:00:00 2024\nFrom: {sender}\nTo: me@studio.example\n"
            f"Date: {date}\nSubject: {subject}\nMessage-ID: <{mid}>\n\n{body}\n"
        )
    return "\n".join(out)


ALPACAS = (
    "a1@x",
    "Ana Ruiz <ana@farm.example>",
    "Tue, 2 Jan 2024 10:00:00 +0000",
    "Our farm",
    "We breed alpacas on the farm and shear them every spring for the wool.\n\n-- \nAna Ruiz\n",
)
QUOTER = (
    "b1@x",
    "Bo Lin <bo@city.example>",
    "Wed, 3 Jan 2024 10:00:00 +0000",
    "Re: Our farm",
    "Sounds lovely, I prefer the city and its noise.\n\nAna wrote:\n"
    "> We breed alpacas on the farm and shear them every spring for the wool.\n",
)
BOOKS = (
    "c1@x",
    "Cy Park <cy@books.example>",
    "Thu, 4 Jan 2024 10:00:00 +0000",
    "Bookkeeping",
    "I do the bookkeeping and the tax returns for a few small design studios.\n",
)


def _ledger(tmp_path: Path, *messages: tuple[str, str, str, str, str]) -> tuple[str, CliRunner]:
    db = str(tmp_path / "kith.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init", "--me", "me@studio.example"]).exit_code == 0
    if messages:
        (tmp_path / "in.mbox").write_text(_mail(*messages))
        result = runner.invoke(cli, ["--db", db, "import", "-q", str(tmp_path / "in.mbox")])
        assert result.exit_code == 0, result.output
    return db, runner


def _vectors(db: str) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM person_embedding").fetchone()[0])


def test_the_planted_fits_of_the_sample_world_are_found(db_url, tmp_path):
    build_world(db_url, tmp_path)
    truth = (
        __import__("kith.sample.world", fromlist=["x"])
        .generate_world(seed=SEED, people=PEOPLE)
        .truth
    )
    runner = CliRunner()
    for name, topic in TOPICS.items():
        result = runner.invoke(
            cli, ["--db", db_url, "match", topic.query, "--limit", "2", "--json"]
        )
        assert result.exit_code == 0, result.output
        matches = json.loads(result.output)["matches"]
        planted = set(truth[f"topic_{name}"])
        assert len(planted) == 2
        found = set()
        for m in matches:
            person = runner.invoke(
                cli, ["--db", db_url, "person", f"#{m['person']['id']}", "--json"]
            )
            found |= {i["value"] for i in json.loads(person.output)["identities"]}
            assert m["evidence"], m
            quote = m["evidence"][0]
            assert quote["text"] in "\n".join(TOPICS[name].bodies).replace("\n", " ")
            assert quote["at"] is not None
        assert planted <= found, (name, matches)


def test_quotes_are_own_words_with_dates_and_the_json_shape(tmp_path):
    db, runner = _ledger(tmp_path, ALPACAS, QUOTER, BOOKS)
    assert _vectors(db) == 3  # embedded after the import
    result = runner.invoke(cli, ["--db", db, "match", "alpaca wool", "--json"])
    assert result.exit_code == 0, result.output
    matches = json.loads(result.output)["matches"]
    assert matches[0]["person"]["name"] == "Ana Ruiz"
    assert set(matches[0]) == {"person", "score", "evidence"}
    top = matches[0]["evidence"][0]
    assert top["text"] == ("We breed alpacas on the farm and shear them every spring for the wool.")
    assert top["at"] == 1704189600
    for m in matches[1:]:  # Bo quoted Ana: the quote is not Bo's evidence
        assert all("alpaca" not in e["text"] for e in m["evidence"])
        assert m["score"] < matches[0]["score"]
    text = runner.invoke(cli, ["--db", db, "match", "bookkeeping for studios", "--limit", "1"])
    assert "#" in text.output and "Cy Park" in text.output
    assert "2024-01-04  “I do the bookkeeping" in text.output


def test_only_people_whose_text_changed_are_embedded_again(tmp_path):
    db, runner = _ledger(tmp_path, ALPACAS, BOOKS)
    url = f"sqlite:///{db}"
    from kith.store.db import open_store

    engine = open_store(url)
    with using(engine, write=True) as conn:
        again = refresh(conn, now=1)
    assert (again.people, again.embedded, again.dropped) == (2, 0, 0)
    (tmp_path / "more.mbox").write_text(_mail(QUOTER))
    result = runner.invoke(
        cli, ["--db", db, "import", "-q", "--no-analytics", str(tmp_path / "more.mbox")]
    )
    assert result.exit_code == 0, result.output
    with using(engine, write=True) as conn:
        after = refresh(conn, now=2)
    assert (after.people, after.embedded) == (3, 1)
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["match", "   "], "the query is empty"),
        (["match"], "the query is empty"),
        (["match", "--file", "{missing}"], "cannot read the query"),
        (["match", "--file", "{empty}"], "the query is empty"),
        (["match", "x", "--file", "{empty}"], "not both"),
    ],
)
def test_bad_queries_are_refused_and_nothing_is_written(tmp_path, args, words):
    db, runner = _ledger(tmp_path)
    (tmp_path / "in.mbox").write_text(_mail(ALPACAS))
    runner.invoke(cli, ["--db", db, "import", "-q", "--no-analytics", str(tmp_path / "in.mbox")])
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM person_embedding")
    (tmp_path / "empty.txt").write_text("\n  \n")
    files = {"missing": str(tmp_path / "nope.txt"), "empty": str(tmp_path / "empty.txt")}
    result = runner.invoke(cli, ["--db", db, *[a.format(**files) for a in args]])
    assert result.exit_code != 0
    assert words in result.output
    if "{missing}" in args:
        assert "nope.txt" in result.output
    assert _vectors(db) == 0


def test_sentences_join_wrapped_lines_and_drop_code():
    words = (
        "We keep bees on the\nroof of the studio. Honey!\n\n"
        "  at org.x.Foo(Foo.java:1)\nIt is a long and happy story."
    )
    assert sentences(words) == [
        "We keep bees on the roof of the studio.",
        "It is a long and happy story.",
    ]


def test_the_shipped_model_gives_unit_vectors_and_ranks_by_meaning():
    vectors = embed.encode(["honey bees and hives", "beekeeping", "corporate tax law", ""])
    assert vectors.shape == (4, embed.model().dims)
    assert abs(float((vectors[0] ** 2).sum()) - 1) < 1e-5
    assert not vectors[3].any()
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


ASKER = (
    "d1@x",
    "Di Mao <di@shop.example>",
    "Fri, 5 Jan 2024 10:00:00 +0000",
    "Hives",
    "Our hives did well this year and the bees made plenty of honey.\n\n"
    "Could you send me the invoice for the honey jars?\n\nDi\n\n"
    "Ana wrote:\n> Do you want to buy my alpaca wool socks?\n",
)
GIVER = (
    "d2@x",
    "Di Mao <di@shop.example>",
    "Sat, 6 Jan 2024 10:00:00 +0000",
    "Beekeeping notes",
    "Here is the guide to beekeeping I wrote, with notes on honey bees and hives.\n",
)


def test_what_matters_to_a_person_comes_from_their_own_words(tmp_path):
    db, runner = _ledger(tmp_path, ALPACAS, ASKER, GIVER)
    result = runner.invoke(cli, ["--db", db, "person", "di@shop.example", "--json"])
    assert result.exit_code == 0, result.output
    matters = json.loads(result.output)["matters"]
    (topic,) = matters["topics"]  # both messages are about bees
    assert topic["messages"] == 2
    assert "honey" in topic["words"] and "di" not in topic["words"]
    assert "alpaca" not in json.dumps(matters)  # a quote of Ana's words, not Di's
    assert matters["asks"] == [
        {"text": "Could you send me the invoice for the honey jars?", "at": 1704448800}
    ]
    assert matters["offers"][0]["text"].startswith("Here is the guide to beekeeping")
    text = runner.invoke(cli, ["--db", db, "person", "di@shop.example"]).output
    assert "What matters to them" in text
    assert "asked 2024-01-05  “Could you send me the invoice" in text


def test_the_audience_is_described_kept_shown_and_filtered(tmp_path):
    db, runner = _ledger(tmp_path, ALPACAS, QUOTER, BOOKS, ASKER, GIVER)
    config = Path(__import__("os").environ["XDG_CONFIG_HOME"]) / "kith" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[today]\nbudget_minutes = 30\n\n[audience]\ndescribe = "old"\n')
    bad = runner.invoke(cli, ["--db", db, "audience", "--describe", "  "])
    assert bad.exit_code != 0 and "the audience description is empty" in bad.output
    assert 'describe = "old"' in config.read_text()  # nothing written
    result = runner.invoke(
        cli, ["--db", db, "audience", "--describe", "farmers who raise alpacas for wool", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert config.read_text() == (
        "[today]\nbudget_minutes = 30\n\n"
        '[audience]\ndescribe = "farmers who raise alpacas for wool"\n'
    )
    data = json.loads(result.output)
    assert [m["person"]["name"] for m in data["members"]] == ["Ana Ruiz"]
    assert data["members"][0]["evidence"][0]["text"].startswith("We breed alpacas")
    assert set(data["time"]) == {"last_quarter", "quarter_before"}
    listed = runner.invoke(cli, ["--db", db, "people", "--audience", "--json"])
    assert [p["name"] for p in json.loads(listed.output)] == ["Ana Ruiz"]
    everyone = runner.invoke(cli, ["--db", db, "people", "--json"])
    assert len(json.loads(everyone.output)) == 4


def test_the_time_split_counts_each_side_by_quarter(tmp_path):
    from kith.matching.audience import time_split
    from kith.store.sql import open_db

    db, _ = _ledger(tmp_path, ALPACAS, BOOKS, ASKER)
    with open_db(f"sqlite:///{db}") as conn:
        assert conn is not None
        ana = conn.scalar("SELECT id FROM person WHERE name = 'Ana Ruiz'")
        split = time_split(conn, {ana}, now=1704189600 + 100 * 86400)
    inside, outside = split.before  # 100 days later: the quarter before holds them
    assert (len(inside.people), inside.messages_in, inside.messages_out) == (1, 1, 0)
    assert (len(outside.people), outside.messages_in) == (2, 2)
    assert split.last[0].messages_in == split.last[1].messages_in == 0


def test_forget_takes_a_person_out_of_the_vectors_and_the_matches(tmp_path):
    import sqlite3

    db, runner = _ledger(tmp_path, ALPACAS, BOOKS)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM embedding_matrix").fetchone()[0] == 1
    result = runner.invoke(cli, ["--db", db, "forget", "ana@farm.example", "--yes"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM embedding_matrix").fetchone()[0] == 0
        assert _vectors(db) == 1
    found = json.loads(runner.invoke(cli, ["--db", db, "match", "alpaca wool", "--json"]).output)
    assert "Ana Ruiz" not in {m["person"]["name"] for m in found["matches"]}
    with sqlite3.connect(db) as conn:  # the next query made it again, without her
        assert conn.execute("SELECT COUNT(*) FROM embedding_matrix").fetchone()[0] == 1


def test_a_profile_alone_can_fit_and_is_quoted_by_its_fact(tmp_path):
    db, runner = _ledger(tmp_path, ALPACAS)
    (tmp_path / "cards.vcf").write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eva Holm\r\nEMAIL:eva@dental.example\r\n"
        "ORG:Holm Dental Clinic\r\nTITLE:Orthodontist\r\nEND:VCARD\r\n"
    )
    result = runner.invoke(cli, ["--db", db, "import", "-q", str(tmp_path / "cards.vcf")])
    assert result.exit_code == 0, result.output
    found = json.loads(
        runner.invoke(cli, ["--db", db, "match", "an orthodontist for my teeth", "--json"]).output
    )["matches"]
    assert found[0]["person"]["name"] == "Eva Holm"
    assert {k: found[0]["evidence"][0][k] for k in ("text", "at", "kind")} == {
        "text": "Orthodontist",
        "at": None,
        "kind": "title",
    }
