"""The vCard importer: real exports from ``../shared/data/formats/vcard`` and
edge cases in ``tests/data/vcard`` (one per file, expected records beside it in
``<name>.json``; regenerate with ``KITH_REGEN_GOLDEN=1`` and review the diff).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kith.errors import InputError
from kith.ingest.base import ImportOptions
from kith.ingest.testing import check_importer, compare_with_expected, extract, record_json
from kith.ingest.vcard import VCardImporter, iso_birthday, logical_lines
from kith.model import ContactRecord, Skipped
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

CASES = DATA / "vcard"
CASE_FILES = sorted(CASES.glob("*.vcf"))
IMPORTER = VCardImporter()
BODIES = ImportOptions(store_bodies=True)
#: Real samples whose records are checked whole (the others by count).
CHOSEN = ("John_Doe_ANDROID.vcf", "John_Doe_EVOLUTION.vcf", "rfc6350-example.vcf")


def read(path: Path, options: ImportOptions = BODIES) -> list:
    return extract(IMPORTER, path, options)


def by_name(path: Path) -> dict[str | None, ContactRecord]:
    return {r.name: r for r in read(path) if isinstance(r, ContactRecord)}


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(IMPORTER, case, BODIES)


def test_real_samples_match_golden(shared_data: Path) -> None:
    folder = shared_data / "formats" / "vcard"
    samples = sorted(folder.iterdir())
    assert len(samples) == 13
    got: dict = {"counts": {}, "records": {}}
    for path in samples:
        assert IMPORTER.identify(path), path.name
        records = read(path)
        got["counts"][path.name] = counts(records)
        if path.name in CHOSEN:
            got["records"][path.name] = [record_json(r, path.parent) for r in records]
    compare_with_expected(got, GOLDEN / "vcard_samples.json")
    total = sum(c["contacts"] for c in got["counts"].values())
    assert total == 21 and not any(c["skipped"] for c in got["counts"].values())


# -- edge cases, the facts that matter spelled out -----------------------------------------


def test_broken_quoted_printable_skips_that_card_only() -> None:
    records = read(CASES / "broken_qp.vcf")
    assert [type(r).__name__ for r in records] == ["ContactRecord", "Skipped", "ContactRecord"]
    skipped = records[1]
    assert isinstance(skipped, Skipped)
    assert skipped.origin.position == 6  # the card's BEGIN:VCARD line
    assert skipped.reason == (
        "line 8: FN has broken quoted-printable text ('=ZZ' is not an escape)"
    )
    assert [r.name for r in records if isinstance(r, ContactRecord)] == ["Ana Lima", "Chidi Obi"]


def test_quoted_printable_soft_breaks_and_charsets() -> None:
    (card,) = read(CASES / "qp_soft_breaks.vcf")
    assert isinstance(card, ContactRecord)
    assert card.name == "Jürgen Müller"  # ISO-8859-1
    notes = [f.value for f in card.facts if f.key == "note"]
    assert notes == [
        "Erste Zeile\nZweite Zeile ist sehr lang und wird daher umbrochen, grüße aus Köln",
        "soft break at the end",
    ]
    assert [i.key for i in card.identities] == ["phone:+4915112345678"]


def test_agent_cards_are_not_people_of_their_own() -> None:
    records = read(CASES / "agent_nested.vcf")
    assert [(r.name, [i.value for i in r.identities]) for r in records] == [
        ("Dana Reyes", ["dana@example.org"]),
        ("Eli Stone", ["eli@example.org"]),
    ]
    assert ("title", "Director") in [(f.key, f.value) for f in records[0].facts]


def test_unclosed_cards_are_skipped_and_the_next_one_read() -> None:
    records = read(CASES / "not_closed.vcf")
    assert [(type(r).__name__, r.origin.position) for r in records] == [
        ("Skipped", 1),
        ("ContactRecord", 5),
        ("Skipped", 10),
    ]
    assert records[0].reason == "card not closed: a new card begins at line 5 before END:VCARD"
    assert records[2].reason == "card not closed: the file ends before END:VCARD"


def test_a_card_without_identity_is_skipped_with_a_reason() -> None:
    records = read(CASES / "no_identity.vcf")
    reasons = [r.reason for r in records if isinstance(r, Skipped)]
    assert reasons == ["no e-mail address, phone number or profile URL on this card"] * 2
    assert [r.name for r in records if isinstance(r, ContactRecord)] == ["Jon Bell"]


def test_social_profiles_become_their_identities() -> None:
    (card,) = read(CASES / "social_profiles.vcf")
    assert card.source_id == "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert [i.key for i in card.identities] == [
        "email:ana.lima@example.org",
        "linkedin:in/ana-lima",
        "x:analima",
        "x:ana_alt",
        "x:ana_third",
        "mastodon:ana@mastodon.social",
        "url:ana.example/blog",
    ]
    facts = [(f.key, f.value) for f in card.facts]
    assert ("url", "acme.example") in facts  # a work URL is the company's, not Ana
    assert ("im", "skype:ana.lima") in facts
    assert [v for k, v in facts if k == "category"] == ["Clients", "Book club, Tuesdays"]
    assert ("birthday", "--04-12") in facts


def test_tel_uris_fax_and_placeholders() -> None:
    (card,) = read(CASES / "tel_uri_and_fax.vcf")
    assert [i.key for i in card.identities] == ["phone:+49301234567"]
    assert [(f.key, f.value) for f in card.facts] == [
        ("address", "Hauptstr. 1, Suite 4, Berlin, 10115, Germany")
    ]  # 1984-02-30 is no birthday


def test_base64_photo_lines_of_vcard_21_are_not_properties() -> None:
    (card,) = read(CASES / "photo_base64_21.vcf")
    assert [i.key for i in card.identities] == ["email:kai@example.org"]
    assert [(f.key, f.value) for f in card.facts] == [("org", "Moon & Co"), ("department", "Sales")]


def test_utf16_and_windows_1252_files() -> None:
    assert [r.name for r in read(CASES / "utf16.vcf")] == ["Zoë Köhler"]
    (card,) = read(CASES / "cp1252_no_charset.vcf")
    assert card.name == "Renée Faure" and ("note", "café") in [(f.key, f.value) for f in card.facts]


def test_metadata_only_keeps_no_notes_and_the_same_ids() -> None:
    full = read(CASES / "qp_soft_breaks.vcf")
    bare = read(CASES / "qp_soft_breaks.vcf", ImportOptions(store_bodies=False))
    assert [r.source_id for r in bare] == [r.source_id for r in full]
    assert not [f for r in bare for f in r.facts if f.key == "note"]


def test_ids_are_stable_and_do_not_depend_on_refolding(tmp_path: Path) -> None:
    case = CASES / "qp_soft_breaks.vcf"
    refolded = tmp_path / "refolded.vcf"
    refolded.write_bytes(case.read_bytes().replace(b"\r\n", b"\n"))
    assert [r.source_id for r in read(refolded)] == [r.source_id for r in read(case)]
    assert read(case) == read(case)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19800322", "1980-03-22"),
        ("1980-03-22", "1980-03-22"),
        ("1953-10-15T23:10:00Z", "1953-10-15"),
        ("--0203", "--02-03"),
        ("--02-03", "--02-03"),
        ("circa 1800", None),
        ("1980-13-01", None),
    ],
)
def test_iso_birthday(text: str, expected: str | None) -> None:
    assert iso_birthday(text) == expected


def test_folding_removes_one_whitespace_character() -> None:
    lines = enumerate([b"NOTE:one", b"  two", b"\tthree", b"FN:x"], 1)
    assert list(logical_lines(lines)) == [(1, b"NOTE:one two" + b"three"), (4, b"FN:x")]


def test_not_a_vcard_raises_input_error_naming_the_file(tmp_path: Path) -> None:
    other = tmp_path / "contacts.vcf"
    other.write_text("name,email\nAna,ana@example.org\n")
    assert not IMPORTER.identify(other)
    with pytest.raises(InputError) as raised:
        read(other)
    assert raised.value.where == str(other)
    assert "not a vCard file" in str(raised.value)
    with pytest.raises(InputError, match="cannot read the vCard file"):
        read(tmp_path / "missing.vcf")


# -- through the CLI, on SQLite and PostgreSQL -----------------------------------------------


def test_import_twice_adds_nothing_and_a_newer_export_only_what_is_new(
    db_url: str, tmp_path: Path
) -> None:
    first = run_cli("--db", db_url, "import", "-q", str(CASES / "social_profiles.vcf"))
    assert first.exit_code == 0, first.output
    assert "1 imported" in first.output
    again = run_cli("--db", db_url, "import", "-q", str(CASES / "social_profiles.vcf"))
    assert " 0 imported, 1 duplicates" in again.output
    stats = json.loads(run_cli("--db", db_url, "stats", "--json").output)
    assert (stats["people"], stats["identities"]) == (1, 7)

    newer = tmp_path / "newer.vcf"
    card = (CASES / "social_profiles.vcf").read_text()
    newer.write_text(
        card.replace("END:VCARD", "TEL:+1 555 0100 300\r\nEND:VCARD")
        + (CASES / "agent_nested.vcf").read_text()
    )
    third = run_cli("--db", db_url, "import", "-q", str(newer))
    assert "3 imported, 0 duplicates" in third.output  # Ana's new phone, Dana, Eli
    stats = json.loads(run_cli("--db", db_url, "stats", "--json").output)
    assert (stats["people"], stats["identities"]) == (3, 10)


def test_bad_records_are_reported_and_fail_fast_stops(db_url: str) -> None:
    path = CASES / "broken_qp.vcf"
    result = run_cli("--db", db_url, "import", "-q", str(path))
    assert result.exit_code == 0
    assert "2 imported, 0 duplicates, 1 skipped" in result.output
    assert f"skipped {path}:6: line 8: FN has broken quoted-printable text" in result.output
    stopped = run_cli("--db", db_url, "import", "-q", "--fail-fast", str(CASES / "not_closed.vcf"))
    assert stopped.exit_code == 1
    assert f"{CASES / 'not_closed.vcf'}:1: card not closed" in stopped.output


# -- fuzzing -------------------------------------------------------------------------------


def _samples() -> list[bytes]:
    folder = SHARED_FORMATS / "vcard"
    names = [
        "John_Doe_ANDROID.vcf",
        "John_Doe_EVOLUTION.vcf",
        "outlook-2003.vcf",
        "fullcontact.vcf",
    ]
    found = [(folder / n).read_bytes() for n in names if (folder / n).is_file()]
    return [
        *found,
        (CASES / "agent_nested.vcf").read_bytes(),
        (CASES / "qp_soft_breaks.vcf").read_bytes(),
    ]


SAMPLES = _samples()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), ops=OPS)
def test_mutated_vcards_give_records_or_skips(sample: bytes, ops: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        extract_mutated(IMPORTER, apply_ops(sample, ops), ".vcf", Path(tmp))


def test_a_charset_holding_a_nul_is_ignored_like_an_unknown_one(tmp_path: Path) -> None:
    # Found by the fuzz test above: codecs.lookup raises ValueError on a NUL.
    path = tmp_path / "nul_charset.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"FN;CHARSET=ISO\x008859-1;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n"
        b"EMAIL:jm@example.org\r\nEND:VCARD\r\n"
    )
    (card,) = read(path)
    assert isinstance(card, ContactRecord)
    assert card.name == "Jürgen Müller"
