"""How fast are the vCard, iCalendar, Google Contacts and purchases importers?

Writes synthetic files to a temporary folder — ``--cards`` vCards (the real
Evolution and Android samples of ``../shared/data/formats/vcard`` repeated with
fresh UIDs and addresses), ``--events`` meetings (one in ten a weekly series of
a year), ``--rows`` Google Contacts rows and purchase rows — then times each
importer's ``extract`` alone (parse only, nothing stored) and prints records
per second.

Run: ``.venv/bin/python bench/bench_contacts.py [--cards N] [--events N] [--rows N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kith.ingest.base import Importer, ImportOptions
from kith.ingest.contacts_csv import GoogleContactsImporter
from kith.ingest.ics import IcsImporter
from kith.ingest.purchases import PurchasesImporter
from kith.ingest.vcard import VCardImporter

VCARDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "formats" / "vcard"


def write_vcards(path: Path, count: int) -> None:
    samples = [
        (VCARDS / "John_Doe_EVOLUTION.vcf").read_bytes().strip() + b"\r\n",
        (VCARDS / "rfc6350-example.vcf").read_bytes().strip() + b"\r\n",
        (VCARDS / "John_Doe_ANDROID.vcf").read_bytes().strip() + b"\r\n",
    ]
    with path.open("wb") as out:
        for n in range(count):
            card = samples[n % len(samples)]
            card = card.replace(b"john.doe@ibm.com", b"p%d@bench.example" % n)
            card = card.replace(b"UID:477343c8e6bf375a9bac1f96a5000837", b"UID:bench-%d" % n)
            out.write(card)


def write_calendar(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
        for n in range(count):
            day = 1 + n % 28
            rule = "RRULE:FREQ=WEEKLY;COUNT=52\r\n" if n % 10 == 0 else ""
            out.write(
                f"BEGIN:VEVENT\r\nUID:bench-{n}@kith.test\r\n"
                f"DTSTART;TZID=Europe/Berlin:202403{day:02d}T100000\r\n"
                f"DTEND;TZID=Europe/Berlin:202403{day:02d}T103000\r\n{rule}"
                f"SUMMARY:Meeting {n}\r\nDESCRIPTION:Agenda {n}\r\n"
                f"ORGANIZER;CN=Organizer {n % 50}:mailto:o{n % 50}@bench.example\r\n"
                f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a{n}@bench.example\r\n"
                f"ATTENDEE;PARTSTAT=TENTATIVE:mailto:b{n}@bench.example\r\n"
                "END:VEVENT\r\n"
            )
        out.write("END:VCALENDAR\r\n")


def write_google(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "Name,Given Name,Family Name,Notes,Group Membership,E-mail 1 - Type,"
            "E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Name\n"
        )
        for n in range(count):
            out.write(
                f"Person {n},Person,{n},Met at event {n % 7},* myContacts ::: Clients,"
                f"* ,p{n}@bench.example,Mobile,+49 151 {n:07d},Firm {n % 300}\n"
            )


def write_purchases(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email,name,amount,currency,date,referred_by,order_id\n")
        for n in range(count):
            referrer = f"c{n - 1}@bench.example" if n % 5 == 0 and n else ""
            out.write(
                f"c{n}@bench.example,Customer {n},{n % 200}.50,EUR,"
                f"2024-{1 + n % 12:02d}-{1 + n % 28:02d},{referrer},o-{n}\n"
            )


def timed(importer: Importer, path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    records = sum(1 for _ in importer.extract(path, ImportOptions()))
    return records, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jobs = [
            ("vcard", VCardImporter(), folder / "cards.vcf", write_vcards, args.cards),
            ("ics", IcsImporter(), folder / "calendar.ics", write_calendar, args.events),
            (
                "google-contacts",
                GoogleContactsImporter(),
                folder / "g.csv",
                write_google,
                args.rows,
            ),
            ("purchases", PurchasesImporter(), folder / "orders.csv", write_purchases, args.rows),
        ]
        for name, importer, path, write, count in jobs:
            write(path, count)
            size = path.stat().st_size / 1e6
            records, seconds = timed(importer, path)
            print(
                f"{name:16} {count:>8,} inputs {size:7.1f} MB -> {records:>8,} records "
                f"in {seconds:6.2f} s ({records / seconds:>9,.0f} records/s)"
            )


if __name__ == "__main__":
    main()
