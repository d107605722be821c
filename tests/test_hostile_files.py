"""Hostile files (issue findings 7–11): each test makes its small bad file,
reproduces what went wrong, and checks the import now holds and loses nothing."""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.cli import cli
from kith.config import Settings
from kith.importing import import_paths
from kith.ingest import cleaning, guard, registry
from kith.ingest.base import ImportOptions
from kith.ingest.ics import IcsImporter
from kith.ingest.vcard import VCardImporter
from kith.model import ContactRecord, Skipped

NOW = 1_780_000_000


def _import(engine: Engine, db_url: str, *paths: Path):
    return import_paths(engine, list(paths), Settings(database_url=db_url), now=NOW)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _card(name: str, address: str, extra: str = "") -> str:
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nEMAIL:{address}\r\n{extra}END:VCARD\r\n"


# -- 7. a recurrence rule that never matches ---------------------------------------------

NEVER = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//hostile//EN\r
{events}END:VCALENDAR\r
"""
NEVER_EVENT = """BEGIN:VEVENT\r
UID:never-{n}\r
DTSTART:2024010{n}T100000Z\r
DTEND:2024010{n}T110000Z\r
RRULE:FREQ=MINUTELY;BYMONTH=4;BYMONTHDAY=31\r
SUMMARY:never {n}\r
ORGANIZER;CN=Ana:mailto:ana@example.org\r
ATTENDEE;CN=Bo:mailto:bo@example.org\r
END:VEVENT\r
"""


def test_a_rule_that_never_matches_costs_no_search_to_the_year_9999(tmp_path: Path) -> None:
    # Before: dateutil looked for the next occurrence up to 9999, 7.5 s of CPU per event.
    path = tmp_path / "never.ics"
    path.write_text(NEVER.format(events="".join(NEVER_EVENT.format(n=n) for n in (1, 2, 3))))
    started = time.process_time()
    records = list(IcsImporter().extract(path, ImportOptions()))
    spent = time.process_time() - started
    # each event still happens once, at its DTSTART (RFC 5545: the first occurrence)
    assert sorted(r.source_id for r in records) == [
        "never-1/2024-01-01T10:00:00Z",
        "never-2/2024-01-02T10:00:00Z",
        "never-3/2024-01-03T10:00:00Z",
    ]
    assert spent < 5.0, f"three never-matching rules took {spent:.1f} s of CPU"


def test_a_rule_whose_days_exist_is_expanded_as_before(tmp_path: Path) -> None:
    path = tmp_path / "leap.ics"
    event = NEVER_EVENT.format(n=1).replace(
        "FREQ=MINUTELY;BYMONTH=4;BYMONTHDAY=31", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2"
    )
    path.write_text(NEVER.format(events=event))
    starts = [
        r.occurred_at
        for r in IcsImporter().extract(
            path, ImportOptions(params={"since": "2024-01-01", "until": "2032-12-31"})
        )
    ]
    assert len(starts) == 3  # DTSTART, then 29 February 2024 and 2028


# -- 8. a line of hundreds of megabytes --------------------------------------------------


def test_lines_are_streamed_and_an_overlong_one_is_never_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleaning, "MAX_LINE_BYTES", 2**16)
    path = tmp_path / "long.vcf"
    with path.open("wb") as f:
        f.write(_card("Ana Lima", "ana@example.org").encode())
        f.write(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Long\r\nNOTE:")
        f.write(b"x" * 20 * 2**20)
        f.write(b"\r\nEMAIL:bo@example.org\r\nEND:VCARD\r\n")
    tracemalloc.start()
    records = list(VCardImporter().extract(path, ImportOptions()))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # Before: the file was read whole (a 200 MB line took 1.3 GB).
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    skipped = [r for r in records if isinstance(r, Skipped)]
    cards = {r.name: r for r in records if isinstance(r, ContactRecord)}
    assert [s.reason for s in skipped] == ["line 9 is over 0.0625 MiB long; left out"]
    assert skipped[0].origin.file == str(path)
    assert set(cards) == {"Ana Lima", "Bo Long"}  # the card keeps what was not too long
    assert [i.value for i in cards["Bo Long"].identities] == ["bo@example.org"]


@pytest.mark.parametrize("crlf", [b"\r\n", b"\n", b"\r"])
def test_read_lines_agrees_with_splitting_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crlf: bytes
) -> None:
    monkeypatch.setattr(cleaning, "_CHUNK_BYTES", 3)
    monkeypatch.setattr(cleaning, "MAX_LINE_BYTES", 5)
    lines = [b"ab", b"", b"toolongline", b"abcde", b"abcdef", b"x"]
    path = tmp_path / "lines.txt"
    path.write_bytes(b"\xef\xbb\xbf" + crlf.join(lines) + crlf)
    assert list(cleaning.read_lines(path, "a test file")) == [
        (1, b"ab"),
        (2, b""),
        (3, None),
        (4, b"abcde"),
        (5, None),
        (6, b"x"),
    ]


def test_an_overlong_csv_line_is_one_reported_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleaning, "MAX_LINE_BYTES", 200)
    path = tmp_path / "Connections.csv"
    path.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f"Ana,Lima,https://www.linkedin.com/in/ana,ana@example.org,{'x' * 300},CEO,01 Jan 2024\n"
        "Bo,Ek,https://www.linkedin.com/in/bo,bo@example.org,Acme,CTO,02 Jan 2024\n"
    )
    records = list(registry.by_name("linkedin").extract(path, ImportOptions()))
    reasons = [r.reason for r in records if isinstance(r, Skipped)]
    assert reasons == ["line 2: line 2 is over 0.000190735 MiB long; left out"]
    names = [r.name for r in records if isinstance(r, ContactRecord)]
    assert names == ["Bo Ek"]


# -- 9. one odd file must not end the run -------------------------------------------------

ODD_WXR = (
    '<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">'
    "<channel><title>x</title><wp:wxr_version>1.2</wp:wxr_version></channel>"
    "<extra><x/></extra></rss>"
)


def test_an_odd_wordpress_file_neither_crashes_nor_drops_the_files_after_it(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    # Before: ValueError from the WordPress reader aborted the run; the vCard was lost.
    odd = tmp_path / "odd.xml"
    odd.write_text(ODD_WXR)
    card = tmp_path / "z.vcf"
    card.write_text(_card("Ana Lima", "ana@example.org"))
    summaries = _import(engine, db_url, odd, card)
    assert [(s.importer, s.ok) for s in summaries] == [("wordpress", True), ("vcard", True)]
    assert summaries[1].imported == 1


PLUGIN = """
from kith.ingest.base import Importer
from kith.ingest.vcard import VCardImporter


class BoomImporter(Importer):
    name = "boom"
    description = "a plugin that breaks half-way"

    def identify(self, path):
        return path.suffix == ".boom"

    def extract(self, path, options):
        card = path.with_suffix(".vcf")
        yield from VCardImporter().extract(card, options)
        raise KeyError("missing-column")
"""


@pytest.fixture
def boom_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A third-party importer installed through the ``kith.importers`` entry point."""
    site = tmp_path / "site"
    (site / "boom_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "boom_plugin.py").write_text(PLUGIN)
    (site / "boom_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: boom-plugin\nVersion: 1.0\n"
    )
    (site / "boom_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[kith.importers]\nboom = boom_plugin:BoomImporter\n"
    )
    monkeypatch.syspath_prepend(str(site))
    registry.importers.cache_clear()
    yield
    registry.importers.cache_clear()
    sys.modules.pop("boom_plugin", None)


def test_a_plugin_that_raises_fails_its_file_and_the_run_goes_on(
    boom_plugin: None, db_url: str, engine: Engine, tmp_path: Path
) -> None:
    assert "boom" in [i.name for i in registry.importers()]
    (tmp_path / "a.vcf").write_text(_card("Ana Lima", "ana@example.org"))
    (tmp_path / "a.boom").write_text("boom")
    after = tmp_path / "later.vcf"
    after.write_text(_card("Bo Ek", "bo@example.org"))
    summaries = _import(engine, db_url, tmp_path / "a.boom", after)
    boom, later = summaries
    assert not boom.ok
    assert boom.error == (
        f"{tmp_path / 'a.boom'}: the boom importer failed: KeyError: 'missing-column'\n"
        "  the records read before it are stored; kith -v import … shows the traceback"
    )
    assert boom.imported == 1  # the record it gave before failing is kept
    assert later.ok and later.imported == 1
    assert _count(engine, "person") == 2


# -- 10. names that are markup or terminal escapes ----------------------------------------


def test_names_lose_control_characters_and_are_never_markup(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "bad.vcf"
    path.write_text(
        _card("Mallory [/bold] x", "mal@example.org")
        + _card("Eve \x1b[2J\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "eve@example.org")
    )
    _import(engine, db_url, path)
    with engine.connect() as conn:
        names = sorted(conn.execute(text("SELECT name FROM person")).scalars())
    assert names == ["Eve [2J]8;;https://evil.examplelink]8;;", "Mallory [/bold] x"]
    result = CliRunner().invoke(cli, ["--db", db_url, "people"])
    # Before: rich's MarkupError for the whole ledger, and escapes sent to the terminal.
    assert result.exit_code == 0, result.output
    assert "Mallory [/bold] x" in result.stdout
    assert "\x1b" not in result.stdout


def test_safe_name_keeps_ordinary_names_as_they_are() -> None:
    for name in ("Ana Lima", "José Ñúñez-O'Brien", "李小龙", "Dr. Maximilian Krah MdB"):
        assert guard.safe_name(name) == (name, False)
    assert guard.safe_name(" a\tb\n ") == ("a b", False)
    assert guard.safe_name("x" * 1000) == ("x" * guard.MAX_NAME_CHARS, True)


# -- 11. values without limits ------------------------------------------------------------


def test_a_message_to_fifty_thousand_people_is_not_fifty_thousand_people(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    recipients = ", ".join(f"r{i}@example.org" for i in range(50_000))
    path = tmp_path / "broadcast.eml"
    path.write_text(
        "From: Ana <ana@example.org>\nTo: " + recipients + "\n"
        "Subject: hello all\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n"
        "Message-ID: <broadcast@example.org>\n\nhi\n"
    )
    (summary,) = _import(engine, db_url, path)
    # Before: 50,000 people from one message.
    assert summary.imported == 1
    assert summary.capped == 50_001 - guard.MAX_PARTICIPANTS
    assert _count(engine, "participant") == guard.MAX_PARTICIPANTS
    assert _count(engine, "person") == guard.MAX_PARTICIPANTS


def test_a_huge_note_is_cut_and_counted(db_url: str, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "note.vcf"
    path.write_text(_card("Ana Lima", "ana@example.org", f"NOTE:{'n' * 50_000}\r\n"))
    (summary,) = _import(engine, db_url, path)
    assert summary.capped == 1
    with engine.connect() as conn:
        (note,) = conn.execute(text("SELECT value FROM fact WHERE key = 'note'")).scalars()
    assert len(note) == guard.MAX_FACT_CHARS
    result = CliRunner().invoke(cli, ["--db", db_url, "import", "-q", "--no-analytics", str(path)])
    assert result.exit_code == 0
    assert json.loads(CliRunner().invoke(cli, ["--db", db_url, "stats", "--json"]).stdout)


# -- 12. a quote in the ledger's folder, wildcards in a query -----------------------------


def test_a_ledger_under_a_folder_with_a_quote_imports_and_refreshes(tmp_path: Path) -> None:
    # Before: every import crashed (DuckDB's temp_directory set as a quoted string).
    db = tmp_path / "o'brien" / "kith.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    card = tmp_path / "a.vcf"
    card.write_text(_card("Ana Lima", "ana@example.org"))
    mail = Path(__file__).parent / "data" / "email" / "crlf.mbox"
    result = CliRunner().invoke(cli, ["--db", str(db), "import", "-q", str(mail), str(card)])
    assert result.exit_code == 0, result.output
    assert "relationships" in result.output  # the analytics ran


def test_wildcards_in_a_name_match_only_themselves(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "people.vcf"
    path.write_text(_card("Ana Lima", "ana@example.org") + _card("Bo 100% Ek", "bo@example.org"))
    _import(engine, db_url, path)
    # Before: '%' matched everyone (an ambiguity error listing them all); now the
    # one name with a percent sign in it, and '_' nobody.
    percent = CliRunner().invoke(cli, ["--db", db_url, "person", "%"])
    assert percent.exit_code == 0, percent.output
    assert percent.stdout.splitlines()[0].endswith("Bo 100% Ek")
    nobody = CliRunner().invoke(cli, ["--db", db_url, "person", "_"])
    assert nobody.exit_code == 3 and "nobody matches '_'" in nobody.stderr
