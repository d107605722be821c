"""The e-mail importers: mbox, Maildir and the header parser behind both.

Real archives come from ``../shared/data/email``; the edge cases are small
files in ``tests/data/email``, one per case, named after it, each with its
expected records beside it in ``<name>.json``. To regenerate those after a
deliberate change, run ``KITH_REGEN_GOLDEN=1 .venv/bin/pytest
tests/test_ingest_email.py`` and review the diff by eye.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import fields
from email import message_from_bytes
from email.header import decode_header, make_header
from email.utils import getaddresses, mktime_tz, parsedate_tz
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kith.errors import InputError
from kith.identity import is_sibling_list
from kith.ingest import email_headers, mbox
from kith.ingest.base import ImportOptions
from kith.ingest.email_headers import (
    base_address,
    normalise_email,
    normalise_name,
    normalise_subject,
    parse_message,
)
from kith.ingest.maildir import MaildirImporter
from kith.ingest.mbox import MboxImporter, split_mbox
from kith.ingest.testing import check_record, compare_with_expected, expected_path, record_json
from kith.model import (
    DateQuality,
    InteractionRecord,
    Kind,
    Origin,
    Record,
    Role,
    Skipped,
)
from tests.shared import SHARED_DATA, available, needs_shared_data

SHARED = SHARED_DATA / "email"
APACHE = SHARED / "apache"
ENRON = SHARED / "enron-mini"
CASES = Path(__file__).resolve().parent / "data" / "email"

BODIES = ImportOptions(store_bodies=True)
METADATA = ImportOptions(store_bodies=False)
#: The stand-in time for .eml cases without any date (an mbox uses the message before).
FALLBACK = 1_000_000_000


# --- helpers ----------------------------------------------------------------------------


def read_case(path: Path, options: ImportOptions = BODIES) -> list[Record]:
    if path.suffix == ".mbox":
        return list(MboxImporter().extract(path, options))
    origin = Origin(str(path), 0)
    return [parse_message(path.read_bytes(), origin, options, fallback_date=FALLBACK)]


def one(path: Path, options: ImportOptions = BODIES) -> InteractionRecord:
    (record,) = read_case(path, options)
    assert isinstance(record, InteractionRecord), record
    return record


def as_json(record: Record) -> dict[str, Any]:
    """A record as its golden file spells it (files named relative to the cases)."""
    return record_json(record, CASES)


def people(record: InteractionRecord) -> list[tuple[str, str, str | None]]:
    return [(p.role.value, p.identity.value, p.identity.display_name) for p in record.participants]


def all_records(importer: MboxImporter | MaildirImporter, paths: list[Path]) -> list[Record]:
    return [r for path in paths for r in importer.extract(path, METADATA)]


def apache_records() -> list[InteractionRecord]:
    records = all_records(MboxImporter(), sorted(APACHE.glob("*.mbox")))
    assert all(isinstance(r, InteractionRecord) for r in records)
    return records  # type: ignore[return-value]


# --- the record's shape -----------------------------------------------------------------


def test_record_field_order_is_what_parse_message_builds_positionally() -> None:
    # parse_message builds InteractionRecord with positional arguments (for speed);
    # a field added or moved in kith.model must be added or moved there too.
    assert [f.name for f in fields(InteractionRecord)] == [
        "source",
        "source_id",
        "channel",
        "kind",
        "occurred_at",
        "participants",
        "origin",
        "date_quality",
        "tz_offset_min",
        "subject",
        "body",
        "refs",
        "list_id",
        "list_name",
        "is_reply",
        "thread_key",
        "extra",
    ]


# --- golden files: every edge case beside its expected records ---------------------------

CASE_FILES = sorted(p for p in CASES.iterdir() if p.suffix in (".eml", ".mbox"))


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    records = read_case(case)
    for record in records:
        check_record(record)
    compare_with_expected([as_json(r) for r in records], expected_path(case))


# --- edge cases, the facts that matter spelled out ---------------------------------------


def test_no_date_falls_back_to_the_position_time() -> None:
    record = one(CASES / "no_date.eml")
    assert (record.occurred_at, record.date_quality) == (FALLBACK, DateQuality.POSITION)
    assert record.tz_offset_min is None


def test_received_only_date_uses_the_topmost_received_header() -> None:
    record = one(CASES / "received_only_date.eml")
    # Tue, 14 Feb 2012 09:31:02 +0100, not the older hop below it.
    assert (record.occurred_at, record.date_quality) == (1329208262, DateQuality.RECEIVED)
    assert record.kind is Kind.REPLY and record.is_reply  # "Re:" without references


def test_absurd_date_is_not_used() -> None:
    record = one(CASES / "absurd_date.eml")
    assert record.date_quality is DateQuality.RECEIVED
    assert record.occurred_at == 1331632805  # Tue, 13 Mar 2012 10:00:05 +0000


def test_envelope_date_then_the_message_before() -> None:
    first, second = read_case(CASES / "envelope_date.mbox")
    assert isinstance(first, InteractionRecord) and isinstance(second, InteractionRecord)
    assert (first.occurred_at, first.date_quality) == (1332063000, DateQuality.ENVELOPE)
    assert (second.occurred_at, second.date_quality) == (1332063000, DateQuality.POSITION)


def test_bad_charset_reads_as_utf8_with_replacement_characters() -> None:
    record = one(CASES / "bad_charset.eml")
    assert record.subject == "Men\ufffd for the week"
    assert record.author is not None and record.author.display_name == "Caf\ufffd Owner"
    assert record.body == "Soup of the day: cr\ufffdme of leek, then caf\ufffd."


def test_html_only_body_becomes_text() -> None:
    body = one(CASES / "html_only.eml").body
    assert (
        body == "This week\n\nHello Ana,\n\nThree things happened.\n\nOne\n\nTwo\n\nBye\nNews Desk"
    )


def test_quoted_printable_latin1() -> None:
    record = one(CASES / "qp_latin1.eml")
    assert record.subject == "Grüße aus Köln"
    assert people(record)[0] == ("from", "juergen@example.de", "Jürgen Müller")
    assert record.body == (
        "Liebe Ana, viele Grüße aus Köln. Diese Zeile ist sehr lang und wird daher umbrochen."
    )
    assert record.tz_offset_min == 60


def test_multipart_takes_the_first_inline_plain_text() -> None:
    assert one(CASES / "multipart_attachment.eml").body == "Hi Ana, the report is attached. — Ben"


def test_no_from_is_skipped_and_says_why() -> None:
    (record,) = read_case(CASES / "no_from.eml")
    assert record == Skipped(
        Origin(str(CASES / "no_from.eml"), 0), "no sender: From header missing or unreadable"
    )


def test_sender_stands_in_for_an_unreadable_from() -> None:
    assert people(one(CASES / "sender_only.eml"))[:2] == [
        ("from", "robot@lists.example.org", "Mailing Robot"),
        ("sender", "robot@lists.example.org", "Mailing Robot"),
    ]


def test_plus_address_is_kept_and_has_a_base() -> None:
    record = one(CASES / "plus_address.eml")
    assert people(record) == [
        ("from", "ana+news@example.org", "Ana Lima"),
        ("to", "ben+kith@example.net", "Ben Okafor"),
    ]
    assert base_address("ana+news@example.org") == "ana@example.org"
    assert record.tz_offset_min == -180


def test_no_message_id_gets_a_stable_content_hash() -> None:
    record = one(CASES / "no_message_id.eml")
    assert record.source_id.startswith("sha1:") and len(record.source_id) == 45
    assert one(CASES / "no_message_id.eml", METADATA).source_id == record.source_id


def test_address_forms_and_duplicates() -> None:
    assert people(one(CASES / "address_forms.eml")) == [
        ("from", "phillip.allen@example.com", "Phillip K. Allen"),
        ("reply_to", "list@example.com", None),
        ("to", "ben@example.net", "Ben Okafor"),  # listed twice: once, with the name
        ("to", "carla@example.com", "Carla Ruiz"),
        ("to", "dave@example.com", "Dave Smith"),  # old "addr (Name)" form
        ("cc", "carla@example.com", None),
        ("bcc", "ana@example.org", None),  # a name that is only the address is no name
    ]


def test_encoded_words_in_names_and_a_folded_subject() -> None:
    record = one(CASES / "encoded_words.eml")
    assert record.subject == "Re: 会議の予定"
    assert people(record)[0] == ("from", "taro@example.jp", "山田太郎")
    assert record.refs == ("meeting-1@example.org",) and record.kind is Kind.REPLY


def test_references_in_order_parent_last_no_duplicates() -> None:
    record = one(CASES / "references_order.eml")
    assert record.refs == ("a@example.org", "b@example.org")
    assert record.thread_key is None  # references thread it


def test_junk_in_an_mbox_is_skipped_and_the_messages_around_it_kept() -> None:
    records = read_case(CASES / "junk.mbox")
    assert [r.reason if isinstance(r, Skipped) else r.source_id for r in records] == [
        "m1@example.org",
        "no header block: the message does not start with 'Name: value' header lines",
        "binary data: NUL bytes in the header block",
        "m3@example.org",
    ]
    assert [r.origin.position for r in records] == [0, 207, 288, 419]


def test_truncated_body_is_kept() -> None:
    records = read_case(CASES / "truncated.mbox")
    assert [r.source_id for r in records if isinstance(r, InteractionRecord)] == [
        "m1@example.org",
        "m2@example.org",
    ]
    assert records[-1].body.endswith("the file is cut off in the mid")  # type: ignore[union-attr]


def test_truncated_headers_are_skipped() -> None:
    first, second = read_case(CASES / "truncated_in_headers.mbox")
    assert isinstance(first, InteractionRecord) and first.source_id == "m1@example.org"
    assert second == Skipped(
        Origin(str(CASES / "truncated_in_headers.mbox"), 207),
        "truncated: the message ends inside its header block",
    )


def test_crlf_mbox_reads_like_lf() -> None:
    crlf = [as_json(r) for r in read_case(CASES / "crlf.mbox")]
    lf = [as_json(r) for r in read_case(CASES / "truncated.mbox")][:1]
    assert len(crlf) == 2
    assert {k: v for k, v in crlf[0].items() if k != "origin"} == {
        k: v for k, v in lf[0].items() if k != "origin"
    }


def test_from_inside_a_paragraph_is_not_a_new_message() -> None:
    first, second = read_case(CASES / "from_in_body.mbox")
    assert isinstance(first, InteractionRecord) and isinstance(second, InteractionRecord)
    assert "From the start we said it would work." in (first.body or "")


def test_metadata_only_reads_no_body_and_nothing_else_changes() -> None:
    for case in CASE_FILES:
        with_bodies = read_case(case, BODIES)
        without = read_case(case, METADATA)
        assert all(getattr(r, "body", None) is None for r in without)
        assert [as_json(r) | {"body": None} for r in with_bodies if not isinstance(r, Skipped)] == [
            as_json(r) for r in without if not isinstance(r, Skipped)
        ]


# --- the small helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" <Ana+News@X.org> ", "ana+news@x.org"),
        ('"ana@x.org"', "ana@x.org"),
        ("mailto:Dev@Sling.Apache.org", "dev@sling.apache.org"),
        ("ana@x.org.", "ana@x.org"),
        ("k..allen@enron.com", "k..allen@enron.com"),
        ("Enron Announcements@ENRON", None),
        ("ana", None),
        ("ana@", None),
        ("@x.org", None),
        ("a@b@c.org", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_email(raw: str | None, expected: str | None) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana+news@x.org", "ana@x.org"),
        ("Ana+a+b@X.org", "ana@x.org"),
        ("ana@x.org", "ana@x.org"),
        ("+tag@x.org", "+tag@x.org"),
    ],
)
def test_base_address(raw: str, expected: str) -> None:
    assert base_address(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Allen, Phillip K.", "Phillip K. Allen"),
        ('"Dunton, Heather"', "Heather Dunton"),
        ("Continental Airlines, Inc.", "Continental Airlines, Inc."),
        ("McMichael Jr., Ed", "Ed McMichael Jr."),
        ("  Ana   Lima ", "Ana Lima"),
        ("'ana@x.org'", None),
        ("=?ISO-8859-1?Q?Michael_D=FCrig?=", "Michael Dürig"),
        ('""', None),
        (None, None),
    ],
)
def test_normalise_name(raw: str | None, expected: str | None) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Re: RE: Fwd:  Budget   2012", "budget 2012"),
        ("[jira] [Created] (SLING-1) Tests", "(sling-1) tests"),
        ("AW: SV: Fw: FW: Hallo", "hallo"),
        ("Re[2]: Plans", "plans"),
        ("Regarding: plans", "regarding: plans"),
    ],
)
def test_normalise_subject(raw: str, expected: str) -> None:
    assert normalise_subject(raw) == expected


# --- the Apache mailing-list archives -----------------------------------------------------


@needs_shared_data
def test_apache_archives_count_and_threading() -> None:
    records = apache_records()
    assert len(records) == 986
    assert sum(1 for r in records if r.refs) == 712
    assert not [r for r in records if r.source_id.startswith("sha1:")]  # all have Message-IDs
    assert all(r.date_quality is DateQuality.HEADER for r in records)
    assert all(sum(p.role is Role.FROM for p in r.participants) == 1 for r in records)
    # The archives hold three messages twice (same Message-ID, delivered twice).
    assert len({r.source_id for r in records}) == 983


@needs_shared_data
def test_apache_jira_message_exactly() -> None:
    record = next(iter(MboxImporter().extract(APACHE / "sling-dev-201203.mbox", METADATA)))
    assert isinstance(record, InteractionRecord)
    assert record.source_id == "1466322681.7805.1330622758268.JavaMail.tomcat@hel.zones.apache.org"
    assert record.origin == Origin(str(APACHE / "sling-dev-201203.mbox"), 0)
    assert record.occurred_at == 1330622758  # Thu, 1 Mar 2012 17:25:58 +0000
    assert (record.tz_offset_min, record.date_quality) == (0, DateQuality.HEADER)
    # The list's own address (List-Post) is the message's circle, not a participant.
    assert people(record) == [
        ("from", "jira@apache.org", "Alexander Klimetschek (Created) (JIRA)"),
    ]
    assert (record.list_id, record.list_name) == ("dev.sling.apache.org", "dev@sling.apache.org")
    assert record.subject == (
        "[jira] [Created] (SLING-2429) Testing tools: Hardcoded credentials "
        "in RetryingContentChecker"
    )
    assert (record.list_id, record.list_name) == ("dev.sling.apache.org", "dev@sling.apache.org")
    assert (record.refs, record.kind, record.is_reply) == ((), Kind.MESSAGE, False)


@needs_shared_data
def test_apache_reply_with_references_and_cc_exactly() -> None:
    records = {r.origin.position: r for r in apache_records() if "hadoop" in r.origin.file}
    record = records[8392]
    assert record.source_id == "1328073641.78427.YahooMailNeo@web121206.mail.ne1.yahoo.com"
    assert (record.occurred_at, record.tz_offset_min) == (1328073641, -480)
    assert people(record) == [
        ("from", "hhuang2012@yahoo.com", "Hai Huang"),
        ("to", "ronald.petty@gmail.com", "Ronald Petty"),
    ]
    assert record.subject == "Re: Issue on building hadoop native"
    assert record.list_id == "common-dev.hadoop.apache.org"
    assert record.refs == (
        "1327880657.10233.YahooMailNeo@web121206.mail.ne1.yahoo.com",
        "CA+mbt7ibsx=cmKhfriK9ysZnfsT8UXtkwKnqrsTotY1E_MxeTA@mail.gmail.com",
        "1327900607.12815.YahooMailNeo@web121201.mail.ne1.yahoo.com",
        "CA+mbt7iyW5KTqbCg2wn6rGOq8o93703cTgmzkFszybgauJ2zSQ@mail.gmail.com",
    )
    assert record.kind is Kind.REPLY


@needs_shared_data
def test_apache_encoded_name_exactly() -> None:
    records = {
        r.origin.position: r for r in apache_records() if "jackrabbit-dev-201201" in r.origin.file
    }
    record = records[796996]
    assert record.source_id == "4F1D4B8F.50208@apache.org"
    assert people(record)[0] == ("from", "mduerig@apache.org", "Michael Dürig")
    assert record.subject == "Re: [jr3] Orderable child nodes: required (to be the default)?"
    assert (
        len(record.refs) == 8
        and record.refs[-1] == "1B72AC63-B787-4AE3-897A-E5DA3D719E4B@adobe.com"
    )


def stdlib_view(raw: bytes) -> dict[str, Any]:
    """What the stdlib ``email`` package reads from the same headers."""
    message = message_from_bytes(raw)
    list_post = None
    if message["List-Post"]:
        list_post = normalise_email(
            str(message["List-Post"]).strip().strip("<>").removeprefix("mailto:")
        )

    def addresses(name: str) -> list[str]:
        found = [normalise_email(a) for _, a in getaddresses(message.get_all(name) or [])]
        # kith leaves the list's own address and the sibling lists it was cross-posted
        # to out of the recipients: they are circles (kith.identity.is_sibling_list).
        return list(
            dict.fromkeys(
                a
                for a in found
                if a
                and (
                    name == "From"
                    or list_post is None
                    or (a != list_post and not is_sibling_list(a, list_post))
                )
            )
        )

    subject = message["Subject"]
    if subject is not None:
        subject = str(make_header(decode_header(subject)))
        subject = subject.replace("\r", "").replace("\n", "").replace("\t", " ").strip() or None
    date = parsedate_tz(message["Date"])
    return {
        "from": addresses("From")[:1],
        "to": addresses("To"),
        "cc": addresses("Cc"),
        "subject": subject,
        # kith reads the "no date" instant of some clients (1980-01-01Z) as no date
        "date": mktime_tz(date)
        if date and date[0] > 1970 and mktime_tz(date) not in email_headers.NULL_DATES
        else None,
        "id": message["Message-ID"].strip().strip("<>") if message["Message-ID"] else None,
    }


def our_view(record: InteractionRecord) -> dict[str, Any]:
    def of(role: Role) -> list[str]:
        return [p.identity.value for p in record.participants if p.role is role]

    header_date = record.occurred_at if record.date_quality is DateQuality.HEADER else None
    return {
        "from": of(Role.FROM),
        "to": of(Role.TO),
        "cc": of(Role.CC),
        "subject": record.subject,
        "date": header_date,
        "id": record.source_id,
    }


@needs_shared_data
def test_headers_read_as_the_stdlib_reads_them() -> None:
    raws = []
    for path in sorted(APACHE.glob("*.mbox")):
        with path.open("rb") as file:
            raws += [message for _, _, message in split_mbox(file, where=str(path))]
    raws += [path.read_bytes() for path in MaildirImporter().files(ENRON)]
    assert len(raws) == 986 + 1041
    for raw in raws:
        record = parse_message(raw, Origin("x"), METADATA, fallback_date=FALLBACK)
        assert isinstance(record, InteractionRecord)
        assert our_view(record) == stdlib_view(raw)


def stdlib_body(raw: bytes) -> str | None:
    html = None
    for part in message_from_bytes(raw).walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode(part.get_content_charset() or "utf-8", "replace")
        if part.get_content_type() == "text/plain":
            return text.replace("\r\n", "\n").strip()[: email_headers.MAX_BODY_CHARS] or None
        if part.get_content_type() == "text/html" and html is None:
            html = email_headers.html_to_text(text)[: email_headers.MAX_BODY_CHARS] or None
    return html


@needs_shared_data
def test_bodies_read_as_the_stdlib_reads_them() -> None:
    for path in sorted(APACHE.glob("*.mbox")):
        with path.open("rb") as file:
            for _, _, raw in split_mbox(file, where=str(path)):
                record = parse_message(raw, Origin("x"), BODIES)
                assert isinstance(record, InteractionRecord)
                assert record.body == stdlib_body(raw)


# --- Enron, as a folder tree of one message per file --------------------------------------


@needs_shared_data
def test_enron_folder_tree() -> None:
    importer = MaildirImporter()
    assert importer.identify(ENRON)
    assert not MboxImporter().identify(ENRON)
    assert len(importer.files(ENRON)) == 1041
    records = list(importer.extract(ENRON, METADATA))
    assert len(records) == 1041
    assert all(isinstance(r, InteractionRecord) for r in records)
    # all but two dated by their header: those say "Mon, 31 Dec 1979 16:00:00 -0800",
    # the no-date instant, and have no Received header: the position stands in
    undated = sorted(
        Path(r.origin.file).relative_to(ENRON).as_posix()
        for r in records
        if r.date_quality is not DateQuality.HEADER  # type: ignore[union-attr]
    )
    assert undated == ["arora-h/all_documents/21.", "arora-h/discussion_threads/19."]
    # Two messages say "Sat, 24 Dec 0001 22:26:44 -0800": read as 2001, as email.utils does.
    dated = {Path(r.origin.file).relative_to(ENRON).as_posix(): r for r in records}
    assert dated["arora-h/deleted_items/4."].occurred_at == 1009261604  # type: ignore[union-attr]
    # Natural order: 2. before 10.
    names = [Path(r.origin.file).name for r in records[:12]]
    assert names[:3] == ["1.", "2.", "3."] and "10." in names


@needs_shared_data
def test_enron_display_names_come_from_x_from() -> None:
    path = ENRON / "arora-h" / "sent_items" / "13."
    record = parse_message(path.read_bytes(), Origin(str(path)), BODIES)
    assert isinstance(record, InteractionRecord)
    assert record.source_id == "12156316.1075859174711.JavaMail.evans@thyme"
    assert (record.occurred_at, record.tz_offset_min) == (1007490617, -480)
    assert people(record) == [
        ("from", "harry.arora@enron.com", "Harry Arora"),  # X-From: Arora, Harry </O=ENRON/...>
        ("to", "jeanie.slone@enron.com", None),
    ]
    assert record.subject == "Couple of question"
    assert record.body is not None and record.body.startswith("Jeanie")
    names = {
        r.author.value: r.author.display_name
        for r in MaildirImporter().extract(ENRON, METADATA)
        if isinstance(r, InteractionRecord) and r.author is not None
    }
    assert names["phillip.allen@enron.com"] == "Phillip K Allen"
    assert names["announcements.enron@enron.com"] == "Enron General Announcements"  # "…@ENRON"


# --- Maildir layout, mbox streaming, errors ----------------------------------------------


def test_real_maildir_reads_cur_new_and_subfolders_in_order(tmp_path: Path) -> None:
    box = tmp_path / "Mail"
    for folder in (box, box / ".Sent"):
        for part in ("cur", "new", "tmp"):
            (folder / part).mkdir(parents=True)
    shutil.copy(CASES / "plus_address.eml", box / "cur" / "10.eml")
    shutil.copy(CASES / "qp_latin1.eml", box / "cur" / "2.eml")
    shutil.copy(CASES / "no_date.eml", box / "new" / "1.eml")
    shutil.copy(CASES / "html_only.eml", box / "tmp" / "0.eml")  # still being delivered
    shutil.copy(CASES / "encoded_words.eml", box / ".Sent" / "cur" / "1.eml")
    (box / "dovecot-uidlist").write_text("3 V1 N4\n")
    importer = MaildirImporter()
    assert importer.identify(box)
    got = [r.source_id for r in importer.extract(box, METADATA) if isinstance(r, InteractionRecord)]
    assert got == [
        "qp-latin1-1@example.org",
        "plus-address-1@example.org",
        "no-date-1@example.org",
        "encoded-words-1@example.org",
    ]
    assert [Path(p).name for p in importer.files(box)] == ["2.eml", "10.eml", "1.eml", "1.eml"]


def test_maildir_identify(tmp_path: Path) -> None:
    importer = MaildirImporter()
    assert importer.identify(CASES / "no_date.eml")  # one saved message
    vcard = tmp_path / "card.vcf"
    vcard.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nEMAIL:ana@x.org\nEND:VCARD\n")
    assert not importer.identify(vcard)  # Name:value lines, but no mail headers
    messages = tmp_path / "messages"
    messages.mkdir()
    shutil.copy(CASES / "no_date.eml", messages / "a.eml")
    assert importer.identify(messages)
    (messages / "b.txt").write_text("just some notes\n")
    assert not importer.identify(messages)
    archives = tmp_path / "archives"  # a folder of mbox files is not one of messages
    archives.mkdir()
    shutil.copy(CASES / "junk.mbox", archives / "a.mbox")
    assert not importer.identify(archives)
    assert not importer.identify(tmp_path / "empty-or-missing")


def test_mbox_identify(tmp_path: Path) -> None:
    importer = MboxImporter()
    assert importer.identify(CASES / "junk.mbox")
    assert not importer.identify(CASES / "no_date.eml")
    unnamed = tmp_path / "Inbox"
    shutil.copy(CASES / "crlf.mbox", unnamed)
    assert importer.identify(unnamed)
    assert not importer.identify(tmp_path)


@pytest.mark.parametrize("chunk", [1, 7, 64, 300])
def test_mbox_split_does_not_depend_on_chunk_size(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [
        as_json(r) for case in CASE_FILES if case.suffix == ".mbox" for r in read_case(case)
    ]
    monkeypatch.setattr(mbox, "CHUNK_BYTES", chunk)
    got = [as_json(r) for case in CASE_FILES if case.suffix == ".mbox" for r in read_case(case)]
    assert got == expected


def test_an_over_long_message_is_cut_but_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mbox, "CHUNK_BYTES", 16)
    monkeypatch.setattr(mbox, "MAX_MESSAGE_BYTES", 200)  # message 1 is 266 bytes
    first, second = read_case(CASES / "from_in_body.mbox")
    assert isinstance(first, InteractionRecord) and isinstance(second, InteractionRecord)
    assert (first.source_id, second.source_id) == ("m1@example.org", "m2@example.org")
    assert (first.origin.position, second.origin.position) == (0, 266)
    assert first.body == "Here is a quo"  # the rest was dropped as it streamed past


def test_reading_twice_gives_the_same_records() -> None:
    for case in CASE_FILES:
        assert read_case(case) == read_case(case)


def test_unreadable_inputs_raise_input_error_naming_them(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mbox"
    with pytest.raises(InputError) as raised:
        list(MboxImporter().extract(missing, METADATA))
    assert raised.value.where == str(missing)
    assert "cannot read the mbox file" in str(raised.value)
    with pytest.raises(InputError, match="no such folder"):
        list(MaildirImporter().extract(tmp_path / "nothing-here", METADATA))


# --- fuzzing: broken input never raises ----------------------------------------------------


def _samples() -> list[bytes]:
    found = [
        (CASES / "qp_latin1.eml").read_bytes(),
        (CASES / "multipart_attachment.eml").read_bytes(),
    ]
    if available():
        with (APACHE / "jackrabbit-dev-201201.mbox").open("rb") as file:
            for _, _, message in split_mbox(file, where="jackrabbit"):
                if b"multipart/alternative" in message:
                    found.append(message)
                    break
        found.append((ENRON / "allen-p" / "inbox" / "1.").read_bytes())
    return found


SAMPLES = _samples()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        if action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"\x00",
                        b"\n",
                        b"\n\n",
                        b"\r\n",
                        b"=?",
                        b"=?utf-8?q?=FF?=",
                        b"<",
                        b">",
                        b'"',
                        b",",
                        b"\nFrom ",
                        b"\nContent-Type: multipart/mixed; boundary=x\n",
                        b"--",
                        b"\xff\xfe",
                        b"\t",
                        b":",
                    ]
                )
                | st.binary(max_size=12)
            )
        else:
            del data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated(), store_bodies=st.booleans())
def test_mutated_messages_never_raise(raw: bytes, store_bodies: bool) -> None:
    options = ImportOptions(store_bodies=store_bodies)
    record = parse_message(raw, Origin("fuzz"), options, fallback_date=FALLBACK)
    assert isinstance(record, InteractionRecord | Skipped)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.mbox"
        path.write_bytes(b"From fuzz@example.org  Thu Mar  1 17:26:21 2012\n" + raw)
        for record in MboxImporter().extract(path, options):
            assert isinstance(record, InteractionRecord | Skipped)
            if isinstance(record, InteractionRecord):
                assert "\x00" not in (record.body or "") + (record.subject or "")


def test_one_saved_message_imports_as_itself() -> None:
    records = list(MaildirImporter().extract(CASES / "plus_address.eml", METADATA))
    assert len(records) == 1
    assert isinstance(records[0], InteractionRecord)
    assert records[0].origin == Origin(str(CASES / "plus_address.eml"), 0)


def test_mbox_quoted_from_lines_are_unquoted_in_bodies(tmp_path: Path) -> None:
    mbox = tmp_path / "quoted.mbox"
    mbox.write_bytes(
        b"From a@x.org Thu Mar  1 17:26:21 2012\n"
        b"From: a@x.org\nTo: b@y.org\nDate: Thu, 1 Mar 2012 17:25:58 +0000\n"
        b"Message-ID: <q1@x.org>\nSubject: quoting\n\n"
        b"Hello\n>From my side, yes.\n>>From two levels.\n> From is not quoting.\n"
    )
    (record,) = MboxImporter().extract(mbox, BODIES)
    assert isinstance(record, InteractionRecord)
    assert record.body == "Hello\nFrom my side, yes.\n>From two levels.\n> From is not quoting."


def test_control_characters_never_make_an_address() -> None:
    assert normalise_email("a\x00b@x.org") is None
    assert normalise_email("a\x7fb@x.org") is None
    assert normalise_email("Ana@X.org") == "ana@x.org"


def test_a_copy_of_a_message_in_another_folder_is_the_same_message(tmp_path: Path) -> None:
    # Enron keeps one message in all_documents/ and notes_inbox/, each copy with
    # a Message-ID of its own: the second copy takes the first one's id.
    def message(mid: str, body: str) -> str:
        return (
            f"Message-ID: <{mid}>\nDate: Wed, 13 Dec 2000 02:33:00 -0800 (PST)\n"
            "From: jennifer.bagwell@enron.com\nTo: phillip.allen@enron.com\n"
            f"Subject: New Associate Orientation\n\n{body}\n"
        )

    for folder, name, mid, body in (
        ("all_documents", "28.", "2894749.1075855666108.JavaMail", "Orientation in February."),
        ("notes_inbox", "26.", "3341537.1075855679393.JavaMail", "Orientation in February."),
        ("notes_inbox", "27.", "3341538.1075855679393.JavaMail", "Another text."),
    ):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_text(message(mid, body))
    ids = [
        r.source_id
        for r in MaildirImporter().extract(tmp_path, ImportOptions())
        if isinstance(r, InteractionRecord)
    ]
    assert ids == [
        "2894749.1075855666108.JavaMail",
        "2894749.1075855666108.JavaMail",
        "3341538.1075855679393.JavaMail",
    ]
