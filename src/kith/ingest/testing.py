"""Golden-file testing of importers: test a plugin as the built-ins are tested.

Each input (a file or a folder) has its expected records beside it, as JSON:
``<name>.json`` for ``<name>.<ext>`` or a folder ``<name>``, and
``<name>.expected.json`` when the input is itself a ``.json`` file. The
harness runs the importer over the input, checks every record for what the
ledger relies on, turns the records into plain JSON and compares them with
the expected file. With ``KITH_REGEN_GOLDEN=1`` in the environment the
expected files are written instead; review the diff by eye before committing.

In a plugin's own tests (pytest)::

    from pathlib import Path

    import pytest
    from kith.ingest.testing import check_importer, inputs

    CASES = Path(__file__).parent / "data"

    @pytest.mark.parametrize("case", inputs(CASES, ".csv"), ids=lambda p: p.name)
    def test_case(case: Path) -> None:
        check_importer(MyImporter(), case)

A whole file that cannot be read is part of the expectation too: its
expected file holds ``{"error": "..."}`` with the message a person would read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Any

from kith.errors import KithError
from kith.ingest.base import Importer, ImportOptions
from kith.model import ContactRecord, InteractionRecord, Record, Role, Skipped

#: Set (to anything but empty) to write the expected files instead of comparing.
REGENERATE_ENV = "KITH_REGEN_GOLDEN"
#: The suffix of an expected file beside its input.
EXPECTED_SUFFIX = ".json"


def regenerating() -> bool:
    """True when ``KITH_REGEN_GOLDEN`` asks for the expected files to be rewritten."""
    return bool(os.environ.get(REGENERATE_ENV))


def expected_path(path: Path) -> Path:
    """The expected-records file beside an input: ``<name>.json``, or
    ``<name>.expected.json`` when the input is a ``.json`` file itself."""
    expected = path.with_suffix(EXPECTED_SUFFIX)
    return path.with_suffix(".expected.json") if expected == path else expected


def inputs(folder: Path, *suffixes: str, folders: bool = False) -> list[Path]:
    """The test inputs in ``folder``, sorted: files ending in one of ``suffixes``,
    and sub-folders too when ``folders`` is true (``golden`` folders excepted);
    never an input's expected file."""
    found = [
        path
        for path in sorted(folder.iterdir())
        if (path.is_dir() and folders and path.name != "golden")
        or (path.is_file() and suffixes and path.name.endswith(suffixes))
    ]
    expected = {expected_path(path) for path in found}
    return [path for path in found if path not in expected]


def _relative(path: str, base: Path) -> str:
    """``path`` as an expected file spells it: relative to ``base``, with ``/``."""
    prefix = str(base) + os.sep
    if path.startswith(prefix):
        return path[len(prefix) :].replace(os.sep, "/")
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def record_json(record: Record, base: Path) -> dict[str, Any]:
    """A record as plain JSON, its file named relative to ``base``.

    Participants become ``[role, "kind:value", display name]``, a card's
    identities ``["kind:value", display name]`` and its facts ``[key, value]``.
    """
    origin = {"file": _relative(record.origin.file, base), "position": record.origin.position}
    if isinstance(record, Skipped):
        return {"skipped": record.reason, "origin": origin}
    out: dict[str, Any] = {"record": type(record).__name__}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name == "origin":
            value = origin
        elif f.name == "participants":
            value = [[p.role.value, p.identity.key, p.identity.display_name] for p in value]
        elif f.name == "identities":
            value = [[i.key, i.display_name] for i in value]
        elif f.name == "facts":
            value = [[fact.key, fact.value] for fact in value]
        out[f.name] = _plain(value)
    return out


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif hasattr(value, "__dataclass_fields__"):
        for f in fields(value):
            yield from _strings(getattr(value, f.name))


def check_record(record: object) -> None:
    """What the ledger relies on in every record; raises ``AssertionError``
    naming the record otherwise.

    A record is an ``InteractionRecord``, a ``ContactRecord`` or ``Skipped``,
    with its file and position; a ``Skipped`` says why; the others carry a
    source and source id; a card names at least one identity; an interaction
    has participants, at most one of them its author, and text-only extras;
    no text holds a NUL character (PostgreSQL refuses it).
    """

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise AssertionError(f"{what}: {record!r}")

    need(isinstance(record, InteractionRecord | ContactRecord | Skipped), "not a record")
    assert isinstance(record, InteractionRecord | ContactRecord | Skipped)
    need(bool(record.origin.file) and record.origin.position >= 0, "no file and position")
    if isinstance(record, Skipped):
        need(bool(record.reason), "a skipped record without a reason")
        return
    need(bool(record.source and record.source_id), "no source or source id")
    if isinstance(record, ContactRecord):
        need(bool(record.identities), "a card without identities")
    else:
        need(bool(record.participants), "an interaction without participants")
        authors = sum(p.role is Role.FROM for p in record.participants)
        need(authors <= 1, "more than one author")
        need(all(isinstance(v, str) for v in record.extra.values()), "extras that are not text")
    need(not any("\x00" in text for text in _strings(record)), "a NUL character in its text")


def extract(importer: Importer, path: Path, options: ImportOptions | None = None) -> list[Record]:
    """Everything ``importer`` reads from ``path`` (with bodies unless ``options``
    say otherwise), each record checked by ``check_record``."""
    records = list(importer.extract(path, options or ImportOptions()))
    for record in records:
        check_record(record)
    return records


def extract_json(
    importer: Importer,
    path: Path,
    options: ImportOptions | None = None,
    *,
    base: Path | None = None,
) -> Any:
    """What ``path`` gives as JSON: its records (files named relative to
    ``base``, by default the input's folder), or ``{"error": message}`` when the
    importer refuses the whole input with a ``KithError``."""
    base = path.parent if base is None else base
    try:
        records = extract(importer, path, options)
    except KithError as exc:
        return {"error": str(exc).replace(str(base) + os.sep, "")}
    return [record_json(r, base) for r in records]


def compare_with_expected(got: Any, expected: Path) -> None:
    """``got`` must equal the JSON in ``expected`` (written first when
    regenerating); raises ``AssertionError`` saying which file differs."""
    if regenerating():
        expected.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(got, indent=2, ensure_ascii=False) + "\n"
        expected.write_text(text, encoding="utf-8")
    if not expected.exists():
        raise AssertionError(f"{expected} is missing: run with {REGENERATE_ENV}=1 to write it")
    want = json.loads(expected.read_text(encoding="utf-8"))
    if got != want:
        raise AssertionError(
            f"the output differs from {expected} "
            f"(after a deliberate change: rerun with {REGENERATE_ENV}=1 and review the diff)\n"
            f"got:  {json.dumps(got, ensure_ascii=False)[:2000]}\n"
            f"want: {json.dumps(want, ensure_ascii=False)[:2000]}"
        )


def check_importer(
    importer: Importer,
    path: Path,
    options: ImportOptions | None = None,
    *,
    expected: Path | None = None,
    base: Path | None = None,
) -> None:
    """Run ``importer`` over ``path`` and compare its records with the expected
    file beside it (``expected_path``), or rewrite that file when regenerating."""
    got = extract_json(importer, path, options, base=base)
    compare_with_expected(got, expected_path(path) if expected is None else expected)
