"""Google Contacts and LinkedIn CSV importers, and which importer claims which
file. Real exports come from ``../shared/data/formats``; edge cases are in
``tests/data/contacts_csv`` (expected records beside each in ``<name>.json``;
regenerate with ``KITH_REGEN_GOLDEN=1`` and review the diff).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kith.errors import InputError
from kith.ingest import registry
from kith.ingest.base import ImportOptions
from kith.ingest.contacts_csv import GoogleContactsImporter, LinkedInImporter, connected_on
from kith.ingest.ics import IcsImporter
from kith.ingest.identities import linkedin, normalise_linkedin
from kith.ingest.purchases import PurchasesImporter
from kith.ingest.testing import check_importer, compare_with_expected, extract, record_json
from kith.ingest.vcard import VCardImporter
from kith.model import Channel, ContactRecord, InteractionRecord, Kind, Role, Skipped
from tests.formats_support import (
    DATA,
    GOLDEN,
    OPS,
    SHARED_FORMATS,
    apply_ops,
    extract_mutated,
    run_cli,
)

CASES = DATA / "contacts_csv"
CASE_FILES = sorted(CASES.glob("*.csv"))
GOOGLE = GoogleContactsImporter()
LINKEDIN = LinkedInImporter()
BODIES = ImportOptions(store_bodies=True)


def importer_for(path: Path) -> GoogleContactsImporter | LinkedInImporter:
    return LINKEDIN if "linkedin" in path.name.lower() or "Connections" in path.name else GOOGLE


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(importer_for(case), case, BODIES)


def test_real_exports_match_golden(shared_data: Path) -> None:
    google = shared_data / "formats/google-contacts/google_contacts.mtrazzi.csv"
    connections = shared_data / "formats/linkedin/Connections.hello-again.csv"
    got = {
        google.name: [record_json(r, google.parent) for r in extract(GOOGLE, google, BODIES)],
        connections.name: [
            record_json(r, connections.parent) for r in extract(LINKEDIN, connections, BODIES)
        ],
    }
    compare_with_expected(got, GOLDEN / "contacts_csv_samples.json")
    assert [r["record"] for r in got[google.name]] == ["ContactRecord"] * 3
    assert [r["record"] for r in got[connections.name]] == ["ContactRecord", "InteractionRecord"]


# -- Google ----------------------------------------------------------------------------------


def test_google_current_header_multi_values_and_labels() -> None:
    ana, phone_only, ben = extract(GOOGLE, CASES / "google_new_header.csv", BODIES)
    assert isinstance(ana, ContactRecord) and ana.name == "Ana Lima"
    assert [i.key for i in ana.identities] == [
        "email:ana@example.org",
        "email:ana.lima@work.example",
        "x:analima",
        "phone:+4915112345678",
    ]
    assert [(f.key, f.value) for f in ana.facts] == [
        ("address", "Hauptstr. 1, 10115 Berlin, Germany"),
        ("org", "Acme"),
        ("title", "Founder"),
        ("department", "Sales"),
        ("category", "Clients"),
        ("category", "starred"),
        ("birthday", "1990-04-12"),
        ("note", "Met at the market.\nLikes tea."),
    ]
    assert phone_only.name is None and [i.key for i in phone_only.identities] == [
        "phone:0301234567"
    ]
    assert ("birthday", "--05-07") in [(f.key, f.value) for f in ben.facts]


def test_google_bad_rows_are_skipped_and_the_others_read() -> None:
    records = extract(GOOGLE, CASES / "google_bad_rows.csv", BODIES)
    assert [r.reason for r in records if isinstance(r, Skipped)] == [
        "line 3: row cut short (7 of 9 fields)",
        "line 4: no e-mail address, phone number or website",
    ]
    assert [r.name for r in records if isinstance(r, ContactRecord)] == [
        "Chidi Obi",
        'Fay "the" Wong',
        "Gus Hale",
    ]


def test_google_ids_are_stable_and_notes_follow_store_bodies() -> None:
    case = CASES / "google_new_header.csv"
    full = extract(GOOGLE, case, BODIES)
    bare = extract(GOOGLE, case, ImportOptions(store_bodies=False))
    assert [r.source_id for r in bare] == [r.source_id for r in full]
    assert all(f.key != "note" for r in bare for f in r.facts)


# -- LinkedIn --------------------------------------------------------------------------------


def test_linkedin_connection_gives_a_contact_and_a_connect_interaction(
    shared_data: Path,
) -> None:
    path = shared_data / "formats/linkedin/Connections.hello-again.csv"
    contact, connect = extract(LINKEDIN, path, BODIES)
    assert isinstance(contact, ContactRecord) and isinstance(connect, InteractionRecord)
    assert contact.source_id == "in/alexrohrberg"
    assert [i.key for i in contact.identities] == ["linkedin:in/alexrohrberg"]
    assert [(f.key, f.value) for f in contact.facts] == [
        ("org", "Schneider Electric"),
        ("title", "Software Engineer"),
    ]
    assert (connect.channel, connect.kind, connect.source_id) == (
        Channel.SOCIAL,
        Kind.CONNECT,
        "connect/in/alexrohrberg",
    )
    assert connect.occurred_at == 1766361600  # 22 Dec 2025 00:00 UTC
    assert [(p.role, p.identity.key) for p in connect.participants] == [
        (Role.FROM, "linkedin:in/alexrohrberg")
    ]
    assert connect.extra == {"network": "linkedin"}
    assert contact.origin.position == connect.origin.position == 5


def test_linkedin_edge_rows() -> None:
    records = extract(LINKEDIN, CASES / "linkedin_edge_rows.csv", BODIES)
    assert [r.reason for r in records if isinstance(r, Skipped)] == [
        "line 6: no profile URL or e-mail address",
        "line 7: Connected On 'someday' is not a date",
        "line 9: row cut short (5 of 7 fields)",
    ]
    contacts = [r for r in records if isinstance(r, ContactRecord)]
    assert [[i.key for i in c.identities] for c in contacts] == [
        ["linkedin:in/hana-ito", "email:hana@example.org"],
        ["linkedin:in/jonbell"],  # the contact is kept though its date is not
        ["linkedin:in/kai-moon"],
    ]


def test_linkedin_old_layout_without_urls() -> None:
    records = extract(LINKEDIN, CASES / "linkedin_old_layout.csv", BODIES)
    contact, connect, skipped = records
    assert contact.source_id == "email:max@example.de"
    assert connect.occurred_at == 1574208000  # 11/20/19
    assert isinstance(skipped, Skipped)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("https://www.linkedin.com/in/alexrohrberg", "in/alexrohrberg"),
        ("https://uk.linkedin.com/in/Ana-Lima/?trk=people", "in/ana-lima"),
        ("linkedin.com/in/j%C3%BCrgen-m", "in/jürgen-m"),
        ("http://www.linkedin.com/pub/john-doe/12/345/678/", "pub/john-doe/12/345/678"),
        ("in/ana-lima", "in/ana-lima"),
        ("https://www.linkedin.com/company/acme", None),
        ("https://example.com/in/ana", None),
        ("https://notlinkedin.com/in/ana", None),
        ("", None),
    ],
)
def test_linkedin_identity(text: str, value: str | None) -> None:
    assert normalise_linkedin(text) == value
    ref = linkedin(text, "Ana")
    assert (ref.value if ref else None) == value


@pytest.mark.parametrize(
    ("text", "ts"),
    [("22 Dec 2025", 1766361600), ("5 February 2024", 1707091200), ("2024-02-05", 1707091200)],
)
def test_connected_on(text: str, ts: int) -> None:
    assert connected_on(text) == ts


# -- which importer claims which file --------------------------------------------------------


def _claims(path: Path) -> list[str]:
    mine = (VCardImporter(), IcsImporter(), GOOGLE, LINKEDIN, PurchasesImporter())
    return [i.name for i in mine if i.identify(path)]


def test_each_file_is_claimed_by_its_own_importer_only(shared_data: Path) -> None:
    formats = shared_data / "formats"
    expected: dict[Path, list[str]] = {}
    for path in sorted((formats / "vcard").iterdir()):
        expected[path] = ["vcard"]
    for path in sorted((formats / "ics").iterdir()):
        expected[path] = ["ics"]
    expected[formats / "google-contacts/google_contacts.mtrazzi.csv"] = ["google-contacts"]
    expected[formats / "linkedin/Connections.hello-again.csv"] = ["linkedin"]
    for path in sorted((DATA / "purchases").glob("*.csv")):
        expected[path] = [] if path.name == "custom_mapping.csv" else ["purchases"]
    for path in sorted((DATA / "email").iterdir()):
        expected[path] = []
    for path in sorted((shared_data / "email/apache").iterdir())[:1]:
        expected[path] = []
    for path in (formats / "mastodon/actor.json", formats / "wordpress-wxr/small-export.xml"):
        expected[path] = []
    assert {p.name: _claims(p) for p in expected} == {p.name: v for p, v in expected.items()}
    # And the registry hands them to those importers, not to mbox or Maildir.
    for path, names in expected.items():
        if names:
            found = registry.detect(path)
            assert found is not None and found.name == names[0], path


def test_identify_reads_only_the_head(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text("email,name,amount,currency,date\n" + "x@y.z,X,1,EUR,2024-01-01\n" * 200_000)
    assert _claims(big) == ["purchases"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _claims(empty) == []
    assert _claims(tmp_path) == []


def test_a_csv_without_the_header_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text("Notes:\nnothing here\n")
    with pytest.raises(InputError) as raised:
        list(LINKEDIN.extract(path, BODIES))
    assert raised.value.where == str(path)
    assert "has no header row with the expected columns" in str(raised.value)


# -- through the CLI, on SQLite and PostgreSQL -----------------------------------------------


def test_linkedin_import_twice_then_a_newer_export(db_url: str, tmp_path: Path) -> None:
    old = tmp_path / "Connections.csv"
    lines = (CASES / "linkedin_edge_rows.csv").read_text().splitlines(keepends=True)
    old.write_text("".join(lines[:5]))  # the preamble, the header and Hana
    first = run_cli("--db", db_url, "import", "-q", str(old))
    assert "2 imported, 0 duplicates, 0 skipped" in first.output, first.output
    again = run_cli("--db", db_url, "import", "-q", str(old))
    assert " 0 imported, 2 duplicates" in again.output
    newer = tmp_path / "Connections (1).csv"
    newer.write_text("".join(lines[:5] + lines[7:8]))  # and Kai
    third = run_cli("--db", db_url, "import", "-q", str(newer))
    assert "2 imported, 2 duplicates" in third.output
    stats = json.loads(run_cli("--db", db_url, "stats", "--json").output)
    assert (stats["people"], stats["interactions"], stats["identities"]) == (2, 2, 3)


def test_google_import_twice_adds_nothing(db_url: str, shared_data: Path) -> None:
    path = shared_data / "formats/google-contacts/google_contacts.mtrazzi.csv"
    first = run_cli("--db", db_url, "import", "-q", str(path))
    assert "3 imported" in first.output, first.output
    again = run_cli("--db", db_url, "import", "-q", str(path))
    assert " 0 imported, 3 duplicates" in again.output
    stopped = run_cli(
        "--db", db_url, "import", "-q", "--fail-fast", str(CASES / "google_bad_rows.csv")
    )
    assert stopped.exit_code == 1
    assert f"{CASES / 'google_bad_rows.csv'}:3: line 3: row cut short" in stopped.output


# -- fuzzing -------------------------------------------------------------------------------


def _samples() -> list[tuple[bytes, GoogleContactsImporter | LinkedInImporter]]:
    found = []
    for path, importer in (
        (SHARED_FORMATS / "google-contacts/google_contacts.mtrazzi.csv", GOOGLE),
        (SHARED_FORMATS / "linkedin/Connections.hello-again.csv", LINKEDIN),
        (CASES / "google_new_header.csv", GOOGLE),
        (CASES / "linkedin_edge_rows.csv", LINKEDIN),
    ):
        if path.is_file():
            found.append((path.read_bytes(), importer))
    return found


SAMPLES = _samples()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), ops=OPS)
def test_mutated_contact_csvs_give_records_or_skips(sample: tuple, ops: list) -> None:
    data, importer = sample
    with tempfile.TemporaryDirectory() as tmp:
        extract_mutated(importer, apply_ops(data, ops), ".csv", Path(tmp))
