"""What the contact, calendar and purchase importer tests share: the CLI,
record counts, and the byte mutations the fuzz tests and
``scripts/fuzz_contacts.py`` apply. Golden files go through
``kith.ingest.testing`` (regenerated with ``KITH_REGEN_GOLDEN=1``).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import strategies as st

from kith.cli import cli
from kith.errors import KithError
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.testing import extract
from kith.model import ContactRecord, InteractionRecord, Record, Skipped
from tests.shared import SHARED_DATA

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
SHARED_FORMATS = SHARED_DATA / "formats"


def counts(records: list[Record]) -> dict[str, int]:
    return {
        "contacts": sum(isinstance(r, ContactRecord) for r in records),
        "interactions": sum(isinstance(r, InteractionRecord) for r in records),
        "skipped": sum(isinstance(r, Skipped) for r in records),
    }


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- fuzzing --------------------------------------------------------------------------

#: Bytes worth inserting into contact, calendar and CSV files.
INSERTS: tuple[bytes, ...] = (
    b"\x00",
    b"\n",
    b"\r\n",
    b"\r\n ",
    b"=",
    b"=\r\n",
    b"=ZZ",
    b";",
    b",",
    b":",
    b'"',
    b"\\",
    b"\xff\xfe",
    b"\xc3",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"BEGIN:VEVENT\r\n",
    b"END:VEVENT\r\n",
    b"BEGIN:VALARM\r\n",
    b"RRULE:FREQ=SECONDLY\r\n",
    b"RRULE:FREQ=DAILY;UNTIL=1\r\n",
    b"DTSTART;TZID=Nowhere:20240101T000000\r\n",
    b"DTSTART:99991231T235959Z\r\n",
    b"EXDATE:x\r\n",
    b"RECURRENCE-ID:20240101\r\n",
    b"ATTENDEE:mailto:x@y.z\r\n",
    b";ENCODING=QUOTED-PRINTABLE",
    b";CHARSET=nonsense",
    b";ENCODING=BASE64",
    b"\tAGENT:\r\n",
    b"9999999999999999999999",
    b"-1",
)
ACTIONS = ("flip", "cut", "insert", "delete", "duplicate")


#: Hypothesis strategy: a few mutations (action, position, length, bytes) of a sample.
OPS = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(0, 1 << 16),
        st.integers(0, 10_000),
        st.sampled_from(INSERTS) | st.binary(min_size=1, max_size=12),
    ),
    min_size=1,
    max_size=8,
)


def apply_ops(data: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    """Apply ``(action, position, number, bytes)`` mutations in order; positions
    and numbers are taken modulo the data's size, so any values are valid."""
    buf = bytearray(data)
    for action, at, number, payload in ops:
        at = at % (len(buf) + 1)
        if action == "flip" and at < len(buf):
            buf[at] ^= (number % 255) + 1
        elif action == "cut":
            del buf[at:]
        elif action == "insert":
            buf[at:at] = payload
        elif action == "delete":
            del buf[at : at + 1 + number % 40]
        elif action == "duplicate":
            buf[at:at] = buf[at : at + 1 + number % 200]
    return bytes(buf)


def random_ops(rng: random.Random, size: int) -> list[tuple[str, int, int, bytes]]:
    """Mutations as ``apply_ops`` takes them, drawn from ``rng`` (the fuzz script)."""
    ops = []
    for _ in range(rng.randint(1, 8)):
        payload = (
            rng.choice(INSERTS)
            if rng.random() < 0.7
            else bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        )
        ops.append((rng.choice(ACTIONS), rng.randrange(size + 1), rng.randrange(10_000), payload))
    return ops


def extract_mutated(importer: Importer, raw: bytes, suffix: str, tmp: Path) -> int:
    """Read ``raw`` as a file with ``suffix``: every result must be a record or
    Skipped, or the whole read a ``KithError``. Returns the records read."""
    path = tmp / f"fuzz{suffix}"
    path.write_bytes(raw)
    options = ImportOptions(store_bodies=bool(len(raw) % 2))
    try:
        importer.identify(path)
        records = extract(importer, path, options)
    except KithError as exc:
        assert str(exc)
        return 0
    return len(records)
