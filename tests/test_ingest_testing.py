"""``kith.ingest.testing``, the golden-file harness, as a plugin author meets it:
a third-party importer installed beside kith (a dist-info with a
``kith.importers`` entry point, made here in a temporary folder on
``sys.path``) is found by the registry and tested through the harness."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kith.ingest import registry
from kith.ingest.testing import (
    REGENERATE_ENV,
    check_importer,
    check_record,
    expected_path,
    inputs,
)
from kith.model import Origin, Skipped

PLUGIN = '''
"""A third-party importer: one greeting per line, ``sender -> recipient``."""

from kith.errors import InputError
from kith.ingest.base import Importer
from kith.model import (
    Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role, Skipped,
)


class GreetingsImporter(Importer):
    name = "greetings"
    description = "greetings, one per line"

    def identify(self, path):
        return path.suffix == ".greet"

    def extract(self, path, options):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("GREETINGS"):
            raise InputError("not a greetings file", where=str(path))
        for n, line in enumerate(text.splitlines()[1:], start=1):
            sender, sep, recipient = line.partition(" -> ")
            origin = Origin(str(path), n)
            if not sep:
                yield Skipped(origin, "no arrow")
                continue
            yield InteractionRecord(
                source="greetings",
                source_id=f"{path.name}:{n}",
                channel=Channel.EMAIL,
                kind=Kind.MESSAGE,
                occurred_at=1_700_000_000 + n,
                participants=(
                    Participant(Role.FROM, IdentityRef("email", sender)),
                    Participant(Role.TO, IdentityRef("email", recipient)),
                ),
                origin=origin,
            )
'''

ENTRY_POINTS = "[kith.importers]\ngreetings = kith_greetings:GreetingsImporter\n"


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` holding the plugin's module and its dist-info."""
    site = tmp_path / "site"
    (site / "kith_greetings-0.1.dist-info").mkdir(parents=True)
    (site / "kith_greetings.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = site / "kith_greetings-0.1.dist-info"
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kith-greetings\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    registry.importers.cache_clear()
    yield site
    registry.importers.cache_clear()


def write_case(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


EXPECTED = [
    {
        "record": "InteractionRecord",
        "source": "greetings",
        "source_id": "hello.greet:1",
        "channel": "email",
        "kind": "message",
        "occurred_at": 1_700_000_001,
        "participants": [
            ["from", "email:ana@example.org", None],
            ["to", "email:ben@example.org", None],
        ],
        "origin": {"file": "hello.greet", "position": 1},
        "date_quality": "header",
        "tz_offset_min": None,
        "subject": None,
        "body": None,
        "refs": [],
        "list_id": None,
        "list_name": None,
        "is_reply": False,
        "thread_key": None,
        "extra": {},
    },
    {"skipped": "no arrow", "origin": {"file": "hello.greet", "position": 2}},
]


def test_a_plugin_is_found_by_the_registry_and_tested_by_the_harness(
    plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(REGENERATE_ENV, raising=False)
    cases = tmp_path / "cases"
    case = write_case(cases, "hello.greet", "GREETINGS\nana@example.org -> ben@example.org\nhi\n")
    importer = registry.by_name("greetings")
    assert type(importer).__module__ == "kith_greetings"
    found = registry.detect(case)
    assert found is not None and found.name == "greetings"

    expected_path(case).write_text(json.dumps(EXPECTED), encoding="utf-8")
    assert inputs(cases, ".greet") == [case]
    check_importer(importer, case)

    # A record that is not what the expected file says fails, naming the file.
    write_case(cases, "hello.greet", "GREETINGS\nana@example.org -> cy@example.org\nhi\n")
    with pytest.raises(AssertionError, match=r"differs from .*hello\.json"):
        check_importer(importer, case)


def test_regenerating_writes_the_expected_file_and_errors_are_expected_too(
    plugin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    importer = registry.by_name("greetings")
    cases = tmp_path / "cases"
    good = write_case(cases, "hello.greet", "GREETINGS\nana@example.org -> ben@example.org\nhi\n")
    bad = write_case(cases, "wrong.greet", "hello\n")

    monkeypatch.delenv(REGENERATE_ENV, raising=False)
    with pytest.raises(AssertionError, match=f"missing: run with {REGENERATE_ENV}=1"):
        check_importer(importer, good)

    monkeypatch.setenv(REGENERATE_ENV, "1")
    for case in (good, bad):
        check_importer(importer, case)
    assert json.loads(expected_path(good).read_text(encoding="utf-8")) == EXPECTED
    error = json.loads(expected_path(bad).read_text(encoding="utf-8"))
    assert error == {"error": "wrong.greet: not a greetings file"}

    monkeypatch.delenv(REGENERATE_ENV)
    check_importer(importer, good)
    check_importer(importer, bad)


def test_expected_files_are_named_beside_their_input(tmp_path: Path) -> None:
    assert expected_path(tmp_path / "a.csv") == tmp_path / "a.json"
    assert expected_path(tmp_path / "every_kind") == tmp_path / "every_kind.json"
    assert expected_path(tmp_path / "posts.json") == tmp_path / "posts.expected.json"
    for name in ("a.csv", "a.json", "posts.json", "posts.expected.json", "notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "every_kind").mkdir()
    (tmp_path / "golden").mkdir()
    assert inputs(tmp_path, ".csv") == [tmp_path / "a.csv"]
    assert inputs(tmp_path, ".json") == [tmp_path / "a.json", tmp_path / "posts.json"]
    assert inputs(tmp_path, folders=True) == [tmp_path / "every_kind"]


def test_check_record_names_what_the_ledger_would_refuse() -> None:
    check_record(Skipped(Origin("f.csv", 3), "bad row"))
    with pytest.raises(AssertionError, match="without a reason"):
        check_record(Skipped(Origin("f.csv", 3), ""))
    with pytest.raises(AssertionError, match="not a record"):
        check_record({"source": "x"})
