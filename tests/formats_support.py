"""What the contact, calendar and purchase importer tests share: records as
JSON for golden files, the checks every record must pass, the CLI, and the
byte mutations the fuzz tests and ``scripts/fuzz_contacts.py`` apply.

Golden files are regenerated with ``KITH_REGEN_GOLDEN=1`` and reviewed by eye.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import fields
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import strategies as st

from kith.cli import cli
from kith.errors import KithError
from kith.ingest.base import Importer, ImportOptions
from kith.model import ContactRecord, InteractionRecord, Record, Role, Skipped

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
SHARED_FORMATS = TESTS.parents[1] / "shared" / "data" / "formats"


def as_json(record: Record) -> dict[str, Any]:
    """A record as plain JSON, its file named without its folder."""
    origin = {"file": Path(record.origin.file).name, "position": record.origin.position}
    if isinstance(record, Skipped):
        return {"skipped": record.reason, "origin": origin}
    out: dict[str, Any] = {"type": type(record).__name__}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name == "origin":
            value = origin
        elif f.name == "participants":
            value = [[p.role.value, p.identity.key, p.identity.display_name] for p in value]
        elif f.name == "identities":
            value = [[i.key, i.display_name] for i in value]
        elif f.name == "facts":
            value = [[x.key, x.value] for x in value]
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def matches_golden(got: Any, golden: Path) -> Any:
    """The golden file's content (written first when ``KITH_REGEN_GOLDEN`` is set)."""
    if os.environ.get("KITH_REGEN_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return json.loads(golden.read_text(encoding="utf-8"))


def counts(records: list[Record]) -> dict[str, int]:
    return {
        "contacts": sum(isinstance(r, ContactRecord) for r in records),
        "interactions": sum(isinstance(r, InteractionRecord) for r in records),
        "skipped": sum(isinstance(r, Skipped) for r in records),
    }


def _strings(record: Record) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif hasattr(value, "__dataclass_fields__"):
            for f in fields(value):
                walk(getattr(value, f.name))

    walk(record)
    return found


def check_record(record: object) -> None:
    """What the ledger relies on: a record type, identities, no NUL characters."""
    assert isinstance(record, InteractionRecord | ContactRecord | Skipped), record
    assert record.origin.file and record.origin.position >= 0
    if isinstance(record, Skipped):
        assert record.reason
        return
    assert record.source and record.source_id
    if isinstance(record, ContactRecord):
        assert record.identities
    else:
        assert record.participants
        assert sum(p.role is Role.FROM for p in record.participants) <= 1
        assert all(isinstance(v, str) for v in record.extra.values())
    for text in _strings(record):
        assert "\x00" not in text, record


def read_checked(importer: Importer, path: Path, options: ImportOptions) -> list[Record]:
    """Everything ``importer`` reads from ``path``, each record checked."""
    records = list(importer.extract(path, options))
    for record in records:
        check_record(record)
    return records


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
        records = read_checked(importer, path, options)
    except KithError as exc:
        assert str(exc)
        return 0
    return len(records)
