"""The iCalendar importer: real calendars from ``../shared/data/formats/ics``
and edge cases in ``tests/data/ics`` (one per file, expected records beside it
in ``<name>.json``; regenerate with ``KITH_REGEN_GOLDEN=1`` and review the diff).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kith.errors import ConfigError, InputError
from kith.ingest import ics
from kith.ingest.base import ImportOptions
from kith.ingest.ics import IcsImporter
from kith.ingest.testing import check_importer, compare_with_expected, extract, record_json
from kith.model import Channel, InteractionRecord, Kind, Role, Skipped
from tests.formats_support import (
    DATA,
    GOLDEN,
    OPS,
    SHARED_FORMATS,
    apply_ops,
    counts,
    extract_mutated,
    run_cli,
)

CASES = DATA / "ics"
#: Cases read whole into golden files (the long series are checked by count below).
CASE_FILES = sorted(p for p in CASES.glob("*.ics") if p.stem not in ("daily_forever", "hourly_cap"))
IMPORTER = IcsImporter()
BODIES = ImportOptions(store_bodies=True)
CHOSEN = (
    "tests_calendars_property_params.ics",
    "tests_calendars_issue_156_RDATE_with_PERIOD_TZID_khal_2.ics",
    "tests_events_issue_101_icalendar_chokes_on_umlauts_in_organizer.ics",
)


def read(path: Path, options: ImportOptions = BODIES) -> list:
    return extract(IMPORTER, path, options)


def meetings(path: Path, options: ImportOptions = BODIES) -> list[InteractionRecord]:
    return [r for r in read(path, options) if isinstance(r, InteractionRecord)]


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(IMPORTER, case, BODIES)


def test_real_samples_match_golden(shared_data: Path) -> None:
    samples = sorted((shared_data / "formats" / "ics").iterdir())
    assert len(samples) == 37
    got: dict = {"counts": {}, "records": {}}
    for path in samples:
        assert IMPORTER.identify(path), path.name
        records = read(path)
        got["counts"][path.name] = counts(records)
        if path.name in CHOSEN:
            got["records"][path.name] = [record_json(r, path.parent) for r in records]
    compare_with_expected(got, GOLDEN / "ics_samples.json")
    assert sum(c["interactions"] for c in got["counts"].values()) == 4
    assert sum(c["skipped"] for c in got["counts"].values()) == 11


# -- edge cases, the facts that matter spelled out -----------------------------------------


def test_a_vevent_without_dtstart_is_skipped_and_the_others_read() -> None:
    records = read(CASES / "missing_dtstart.ics")
    assert [type(r).__name__ for r in records] == [
        "InteractionRecord",
        "Skipped",
        "InteractionRecord",
    ]
    assert (records[1].origin.position, records[1].reason) == (12, "VEVENT has no DTSTART")
    first, second = records[0], records[2]
    assert first.source_id == "good-1@kith.test/2024-03-05T09:00:00Z"
    assert (first.channel, first.kind) == (Channel.MEETING, Kind.MEETING)
    assert [(p.role, p.identity.value, p.identity.display_name) for p in first.participants] == [
        (Role.FROM, "ana@example.org", "Ana Lima"),
        (Role.ORGANIZER, "ana@example.org", "Ana Lima"),
        (Role.ATTENDEE, "ben@example.net", "Ben Okafor"),
    ]
    assert first.extra == {"partstat:ben@example.net": "ACCEPTED"}
    assert second.extra == {
        "partstat:chidi@example.com": "TENTATIVE",
        "rsvp:chidi@example.com": "TRUE",
    }


def test_recurrence_with_exdate_override_and_cancelled_occurrence() -> None:
    got = [
        (r.source_id, r.occurred_at, r.tz_offset_min, r.subject, r.origin.position)
        for r in meetings(CASES / "recurring_weekly.ics")
    ]
    assert got == [
        ("weekly@kith.test/2024-03-11T09:00:00Z", 1710147600, 60, "Weekly sync", 21),
        # 18 March is an EXDATE; 25 March moved to the 26th, keeping its id.
        ("weekly@kith.test/2024-03-25T09:00:00Z", 1711461600, 60, "Weekly sync (moved)", 34),
        # 1 April is cancelled; summer time from 31 March.
        ("weekly@kith.test/2024-04-08T08:00:00Z", 1712563200, 120, "Weekly sync", 21),
        ("weekly@kith.test/2024-04-15T08:00:00Z", 1713168000, 120, "Weekly sync", 21),
    ]
    records = meetings(CASES / "recurring_weekly.ics")
    assert {r.thread_key for r in records} == {"weekly@kith.test"}
    assert records[1].extra["partstat:ben@example.net"] == "DECLINED"
    assert records[0].body == "Agenda in the doc." and records[0].extra["location"] == "Room 4"


def test_metadata_only_reads_no_descriptions() -> None:
    records = meetings(CASES / "recurring_weekly.ics", ImportOptions(store_bodies=False))
    assert [r.body for r in records] == [None] * 4


def test_an_endless_series_is_read_for_a_year_from_its_start() -> None:
    records = meetings(CASES / "daily_forever.ics")
    assert len(records) == ics.WINDOW_DAYS
    assert records[0].source_id == "standup@kith.test/2024-01-01T08:30:00Z"
    assert records[-1].source_id == "standup@kith.test/2024-12-30T08:30:00Z"


def test_occurrences_are_capped_per_event() -> None:
    records = meetings(CASES / "hourly_cap.ics")
    assert len(records) == ics.MAX_OCCURRENCES
    assert len({r.source_id for r in records}) == ics.MAX_OCCURRENCES


def test_since_and_until_choose_the_window() -> None:
    options = ImportOptions(params={"since": "2025-03-01", "until": "2025-03-03"})
    got = [r.source_id for r in meetings(CASES / "daily_forever.ics", options)]
    assert got == [
        "standup@kith.test/2025-03-01T08:30:00Z",
        "standup@kith.test/2025-03-02T08:30:00Z",
        "standup@kith.test/2025-03-03T08:30:00Z",
    ]
    with pytest.raises(ConfigError, match="is not a date"):
        read(CASES / "daily_forever.ics", ImportOptions(params={"since": "last year"}))


def test_all_day_floating_and_uid_less_events() -> None:
    offsite, dinner, no_uid = meetings(CASES / "all_day_and_floating.ics")
    assert (offsite.source_id, offsite.occurred_at, offsite.tz_offset_min) == (
        "offsite@kith.test/2024-05-10",
        1715299200,  # 2024-05-10 00:00 UTC
        None,
    )
    assert (dinner.source_id, dinner.occurred_at) == (
        "floating@kith.test/2024-05-12T18:00:00",
        1715536800,  # read as UTC
    )
    # An EMAIL parameter stands in for an attendee that is not a mailto: address.
    assert [p.identity.value for p in dinner.participants][-1] == "eli@example.org"
    assert dinner.author is not None and dinner.author.display_name == "Lima, Ana"
    assert no_uid.source_id.startswith("sha1:") and no_uid.source_id.endswith(
        "/2024-05-13T13:00:00Z"
    )
    assert no_uid.tz_offset_min == -240


def test_unclosed_events_are_skipped_with_their_lines() -> None:
    records = read(CASES / "not_closed.ics")
    assert [(type(r).__name__, r.origin.position) for r in records] == [
        ("Skipped", 3),
        ("InteractionRecord", 7),
        ("Skipped", 12),
    ]
    assert records[0].reason == "VEVENT not closed: another begins at line 7"
    assert records[2].reason == "VEVENT not closed: the file ends before END:VEVENT"


def test_unreadable_values_are_skipped_with_reasons() -> None:
    reasons = [r.reason for r in read(CASES / "bad_values.ics") if isinstance(r, Skipped)]
    assert reasons == [
        "DTSTART '2024XX01T090000Z' is not a date or time",
        "RRULE 'FREQ=SOMETIMES' cannot be read",
        "no ORGANIZER or ATTENDEE with an e-mail address",
    ]
    assert [r.source_id for r in meetings(CASES / "bad_values.ics")] == [
        "fine@kith.test/2024-08-03T09:00:00Z"
    ]


def test_an_alarms_attendee_is_not_the_events() -> None:
    assert read(CASES / "alarm_attendee_only.ics") == []


def test_windows_time_zone_names_are_honoured(shared_data: Path) -> None:
    path = shared_data / "formats/ics/tests_calendars_issue_156_RDATE_with_PERIOD_TZID_khal.ics"
    (record,) = meetings(path)
    assert (record.occurred_at, record.tz_offset_min) == (1522155600, -300)  # 08:00 Chicago


def test_not_a_calendar_raises_input_error_naming_the_file(tmp_path: Path) -> None:
    other = tmp_path / "notes.ics"
    other.write_text("just some notes\n")
    with pytest.raises(InputError) as raised:
        read(other)
    assert raised.value.where == str(other)
    assert "not an iCalendar file" in str(raised.value)


# -- through the CLI, on SQLite and PostgreSQL -----------------------------------------------


def test_import_twice_adds_nothing_and_a_newer_export_only_what_is_new(
    db_url: str, tmp_path: Path
) -> None:
    case = CASES / "recurring_weekly.ics"
    first = run_cli("--db", db_url, "import", "-q", str(case))
    assert "4 imported, 0 duplicates, 0 skipped" in first.output, first.output
    again = run_cli("--db", db_url, "import", "-q", str(case))
    assert " 0 imported, 4 duplicates" in again.output
    stats = json.loads(run_cli("--db", db_url, "stats", "--json").output)
    assert (stats["interactions"], stats["people"], stats["threads"]) == (4, 3, 1)

    newer = tmp_path / "newer.ics"
    newer.write_text(case.read_text().replace("COUNT=6", "COUNT=7"))
    third = run_cli("--db", db_url, "import", "-q", str(newer))
    assert "1 imported, 4 duplicates" in third.output


def test_a_bad_file_is_reported_and_the_others_imported(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "broken.ics"
    bad.write_text("nothing here\n")
    result = run_cli(
        "--db",
        db_url,
        "import",
        "-q",
        "--format",
        "ics",
        str(bad),
        str(CASES / "missing_dtstart.ics"),
    )
    assert result.exit_code == 1
    assert f"{bad}: not an iCalendar file" in result.output
    assert "2 imported, 0 duplicates, 1 skipped" in result.output
    stopped = run_cli("--db", db_url, "import", "-q", "--fail-fast", str(CASES / "bad_values.ics"))
    assert stopped.exit_code == 1
    assert f"{CASES / 'bad_values.ics'}:3: DTSTART" in stopped.output


# -- fuzzing -------------------------------------------------------------------------------


def _samples() -> list[bytes]:
    folder = SHARED_FORMATS / "ics"
    names = [
        "tests_calendars_property_params.ics",
        "tests_calendars_issue_156_RDATE_with_PERIOD_TZID_khal_2.ics",
        "tests_calendars_alarm_google_future.ics",
    ]
    found = [(folder / n).read_bytes() for n in names if (folder / n).is_file()]
    return [*found, (CASES / "recurring_weekly.ics").read_bytes()]


SAMPLES = _samples()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), ops=OPS)
def test_mutated_calendars_give_records_or_skips(sample: bytes, ops: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        extract_mutated(IMPORTER, apply_ops(sample, ops), ".ics", Path(tmp))


def test_a_tzid_naming_a_folder_of_the_zone_database_is_skipped() -> None:
    # Found by scripts/fuzz_contacts.py: zoneinfo raised IsADirectoryError.
    skipped, fine = read(CASES / "tzid_names_a_folder.ics")
    assert (skipped.origin.position, skipped.reason) == (
        3,
        "unreadable VEVENT: a TZID names no time zone",
    )
    assert (fine.occurred_at, fine.tz_offset_min) == (1725264000, 60)  # 09:00 in Lisbon, summer


def test_an_event_without_uid_keeps_its_id_across_exports(tmp_path: Path) -> None:
    # Found by scripts/fuzz_contacts.py: re-serialising a broken event raised.
    case = CASES / "all_day_and_floating.ics"
    later = tmp_path / "later.ics"
    later.write_text(
        case.read_text().replace("SUMMARY:No uid", "SUMMARY:No uid\r\nDTSTAMP:20240601T000000Z")
    )
    assert meetings(later)[-1].source_id == meetings(case)[-1].source_id


def test_control_characters_never_reach_an_identity(tmp_path: Path) -> None:
    # Found by scripts/fuzz_contacts.py: a NUL inside an address (PostgreSQL refuses it).
    path = tmp_path / "nul.ics"
    path.write_bytes(
        b"BEGIN:VEVENT\r\nUID:n\r\nDTSTART:20240101T090000Z\r\n"
        b"ORGANIZER:mailto:an\x00a\x11@example.org\r\nEND:VEVENT\r\n"
    )
    (record,) = meetings(path)
    assert record.author is not None and record.author.value == "ana@example.org"
