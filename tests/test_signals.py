"""A message's own words (``kith.signals.text``) and their valence
(``kith.signals.valence``): real Apache and Enron messages, then one edge case each."""

from __future__ import annotations

from pathlib import Path

import pytest

from kith.ingest.base import ImportOptions
from kith.ingest.maildir import MaildirImporter
from kith.ingest.mbox import MboxImporter
from kith.model import InteractionRecord
from kith.signals import valence
from kith.signals.intro import says_introduction
from kith.signals.text import own_words
from tests.shared import SHARED_DATA

APACHE = SHARED_DATA / "email" / "apache"
ENRON = SHARED_DATA / "email" / "enron-mini" / "allen-p"


def _body(path: Path, source_id: str) -> str:
    importer = MboxImporter() if path.suffix == ".mbox" else MaildirImporter()
    for record in importer.extract(path, ImportOptions()):
        if isinstance(record, InteractionRecord) and record.source_id == source_id:
            assert record.body is not None
            return record.body
    raise AssertionError(f"{source_id} not in {path}")


def test_a_top_posted_reply_ends_at_the_wrapped_attribution_line(shared_data: Path) -> None:
    body = _body(
        APACHE / "hadoop-common-dev-201202.mbox",
        "CAF63A-Z8pWFc=ti7T_KUH0y43oH5woDrn5UeP24KCE9NoStk0A@mail.gmail.com",
    )
    own = own_words(body)
    assert own.startswith("Hi Giri,\n\nThank you for your prompt response.")
    assert own.endswith("Thanks!\n--Mikhail")  # "--Mikhail" is a name, not a delimiter
    assert "Giridharan" not in own and "memory details" not in own


def test_an_interleaved_reply_keeps_the_answers_between_the_quotes(shared_data: Path) -> None:
    body = _body(
        APACHE / "jackrabbit-dev-201201.mbox",
        "CAFYk8N=oiikWgDxyi=X1eHnnbhU+TPxQ1ZiQWMTEh=Sa_nhkjg@mail.gmail.com",
    )
    assert body.startswith("On Fri, Jan 20, 2012 at 4:09 PM, Thomas Mueller")
    own = own_words(body)
    assert own.startswith("i guess no. unless that this behavior is expected/mandated.")
    assert "Thomas Mueller" not in own and "insertion order, I propose" not in own


def test_a_reply_above_an_outlook_rule_and_header_block(shared_data: Path) -> None:
    body = _body(
        APACHE / "hadoop-common-dev-201202.mbox",
        "1328073641.78427.YahooMailNeo@web121206.mail.ne1.yahoo.com",
    )
    # The Yahoo client writes no-break spaces: compare the words.
    assert own_words(body).split() == (
        [
            "Thanks,",
            "Ronald.",
            "After",
            "tried",
            "couple",
            "of",
            "the",
            "times,",
            "the",
            "build",
            "is",
            "working",
            "now.",
            "Hai",
        ]
    )


def test_outlook_original_message_in_enron_mail(shared_data: Path) -> None:
    body = _body(ENRON / "inbox", "16159836.1075855377439.JavaMail.evans@thyme")
    assert (
        own_words(body) == "Please let me know if you still need Curve Shift.\n\nThanks,\nHeather"
    )


def test_a_lotus_notes_forward_in_enron_mail(shared_data: Path) -> None:
    body = _body(ENRON / "_sent_mail", "18435268.1075855378308.JavaMail.evans@thyme")
    own = own_words(body)
    assert own.startswith("Can you guys coordinate")
    assert own.endswith("every day.\n\nPhillip")


def test_a_signature_below_the_delimiter_is_left_out():
    assert own_words("Sounds good.\n\n-- \nAna Lima\nLima & Co.") == "Sounds good."
    assert own_words("Sounds good.\n--\nAna") == "Sounds good."


def test_a_lotus_notes_reply_header_ends_at_the_senders_name():
    body = "Fine by me.\n\nJames D Steffes@ENRON\n05/03/2001 05:44 AM\nTo:\tPhil\ncc:\nSubject:\tRe"
    assert own_words(body) == "Fine by me."


def test_an_attribution_before_an_unquoted_message_ends_the_own_words():
    assert own_words("Agreed.\n\nAna wrote:\nthe old text, not marked") == "Agreed."


def test_a_german_attribution_line_is_dropped():
    body = "Am 02.03.2012 um 10:00 schrieb Felix:\n> alt\nNeu."
    assert own_words(body) == "Neu."


def test_forwarded_messages_from_gmail_and_apple_mail():
    assert own_words("FYI\n\n---------- Forwarded message ----------\nFrom: x") == "FYI"
    assert own_words("See below.\n\nBegin forwarded message:\n\nFrom: x") == "See below."


def test_a_line_of_dashes_is_not_a_separator():
    assert own_words("Results:\n------------\n T E S T S") == "Results:\n------------\n T E S T S"


def test_nothing_of_ones_own_gives_an_empty_text():
    assert own_words("> only\n> quoted") == ""
    assert own_words(None) == "" and own_words("") == ""


def test_limit_stops_reading_once_enough_is_kept():
    body = "\n".join(f"line {i} of my own" for i in range(1000)) + "\n> quoted"
    short = own_words(body, limit=100)
    assert 100 <= len(short) < 200 and own_words(body).startswith(short)


def test_introduction_cue_is_in_the_own_words_not_the_quoted_ones():
    assert says_introduction(None, "Ana, meet Sam.\n\nOn Mon, Bo wrote:\n> hi")
    assert not says_introduction(None, "Thanks.\n\nOn Mon, Bo wrote:\n> let me introduce myself")
    assert says_introduction("Intro: Sam <> Ana", None)


def test_valence_scores_the_own_words_only():
    kind = "I love this, thank you so much!"
    quoted = kind + "\n\nOn Mon, Bo wrote:\n> This is terrible and I am angry."
    assert valence.valence(quoted) == valence.compound(kind)
    assert valence.valence("> only quoted") is None


def test_valence_reads_at_most_max_chars_cut_at_a_word_end():
    body = "good " * 400
    text = valence.scored_text(body)
    assert len(text) <= valence.MAX_CHARS and text.endswith("good")
    assert valence.valence(body) == valence.compound(text)


def test_scoring_in_worker_processes_gives_the_same_scores(monkeypatch):
    bodies = [f"Note {i}: {'great' if i % 3 else 'awful'} work." for i in range(60)] + [None, ""]
    here = valence.score_bodies(bodies, processes=1)
    monkeypatch.setattr(valence, "PARALLEL_FROM", 10)
    monkeypatch.setattr(valence, "CHUNK", 7)
    heard: list[tuple[int, int]] = []
    there = valence.score_bodies(bodies, processes=2, progress=lambda d, t: heard.append((d, t)))
    assert there == here and here[-2:] == [None, None]
    assert heard[-1] == (len(bodies), len(bodies)) and len(heard) == 9


def test_scores_ahead_are_the_scores_and_keep_two_bodies_of_one_id_apart(monkeypatch):
    monkeypatch.setattr(valence, "CHUNK", 4)
    monkeypatch.setattr(valence, "PARALLEL_FROM", 8)
    bodies = [f"Message {i}: {'lovely' if i % 2 else 'dreadful'} day." for i in range(30)]
    heard: list[int] = []
    with valence.Ahead(processes=2) as ahead:
        for i, body in enumerate(bodies):
            ahead.add("email", f"id{i}", body)
        ahead.add("email", "id0", "A second message with the first one's id: great!")
        ahead.add("email", "id-empty", None)
        scores = ahead.scores(lambda done, total: heard.append(done))
    assert scores[("email", "id0", hash(bodies[0]))] == valence.valence(bodies[0])
    assert scores[("email", "id0", hash("A second message with the first one's id: great!"))] > 0
    assert all(
        scores[("email", f"id{i}", hash(b))] == valence.valence(b) for i, b in enumerate(bodies)
    )
    assert len(scores) == 31 and heard[-1] == 31


@pytest.mark.parametrize(
    ("first", "second", "prefixes"),
    [
        # The scores ahead cover most of what the refresh reads: it reads
        # the start of each body, then the first import's bodies whole.
        ("sling-dev-201203.mbox", "jackrabbit-dev-201201.mbox", True),
        # They cover less than half: bodies are read whole as they stream.
        ("jackrabbit-dev-201201.mbox", "sling-dev-201203.mbox", False),
    ],
)
def test_a_refresh_after_an_import_scores_as_one_without_scores_ahead(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
    second: str,
    prefixes: bool,
) -> None:
    """``kith import`` scores bodies while it reads them; the rows are those of
    imports without analytics and a refresh after them, also when an earlier
    import left its bodies unscored."""
    import duckdb
    from click.testing import CliRunner
    from sqlalchemy import create_engine, text

    from kith.analytics import mirror
    from kith.cli import cli

    fetched: list[int] = []
    read_bodies = mirror.read_bodies
    monkeypatch.setattr(
        mirror, "read_bodies", lambda e, ids: fetched.extend(ids) or read_bodies(e, ids)
    )
    monkeypatch.setattr(valence, "CHUNK", 50)
    monkeypatch.setattr(valence, "PARALLEL_FROM", 100)
    runner = CliRunner()
    ahead, later = tmp_path / "ahead.db", tmp_path / "later.db"
    for args in (
        ["--db", str(ahead), "init"],
        ["--db", str(later), "init"],
        ["--db", str(ahead), "import", "-q", "--no-analytics", str(APACHE / first)],
        ["--db", str(ahead), "import", "-q", str(APACHE / second)],
        [
            "--db",
            str(later),
            "import",
            "-q",
            "--no-analytics",
            *(str(APACHE / first), str(APACHE / second)),
        ],
        ["--db", str(later), "analytics", "refresh"],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    rows, scored = [], []
    for path in (ahead, later):
        engine = create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            rows.append(
                conn.execute(
                    text(
                        "SELECT person_id, sentiment_n, sentiment_mean FROM relationship ORDER BY 1"
                    )
                ).all()
            )
            if path == ahead:
                split = conn.execute(text("SELECT MIN(id) FROM interaction WHERE import_id = 2"))
                second_from = split.scalar()
        engine.dispose()
        with duckdb.connect(str(path.with_name(f"{path.stem}.analytics.duckdb"))) as mirrored:
            scored.append(
                mirrored.execute("SELECT id, sentiment FROM m_interaction ORDER BY 1").fetchall()
            )
    # the same scores; their mean may differ in the last bit (DuckDB sums in parallel)
    assert [(p, n) for p, n, _ in rows[0]] == [(p, n) for p, n, _ in rows[1]]
    for (*_, a), (*_, b) in zip(rows[0], rows[1], strict=True):
        assert (a is None and b is None) or a == pytest.approx(b, rel=1e-12)
    # Every message is scored the same way; the rows' tone counts only words to
    # me, and these ledgers have no owner, so the messages are compared.
    assert scored[0] == scored[1]
    assert sum(1 for _, v in scored[0] if v is not None) > 300
    if prefixes:  # read again whole: the first import's bodies, none of the second's
        assert fetched and max(fetched) < second_from
    else:
        assert fetched == []


def test_scores_ahead_leave_out_what_i_wrote():
    from tests.test_analytics import ME, rec

    with valence.Ahead(processes=1, mine=[f"email:{ME}"]) as ahead:
        ahead.add_record(rec("mine", 0, ME, ("ana@x.org",), body="I am so happy!"))
        ahead.add_record(rec("theirs", 0, "ana@x.org", (ME,), body="I am so happy!"))
        scores = ahead.scores()
    assert [key[1] for key in scores] == ["theirs"]
