"""What every social-archive and community importer must do (X, Mastodon,
WordPress, Discourse, Stack Exchange), and the helpers their own tests share.

* ``identify`` is cheap and claims only its own format;
* importing the real samples from ``../shared/data`` through the CLI, on
  SQLite and PostgreSQL, gives the counts and rows in
  ``tests/data/<importer>/golden/``; a second import adds nothing, and an
  overlapping newer export adds only what is new;
* ``--fail-fast`` stops at the first bad record; a bad file is reported by name;
* mutated real samples (hypothesis, ~100 per importer, the mutators of
  ``scripts/fuzz_social.py``) only ever yield records or raise ``KithError``.

Regenerate golden files after a deliberate change with ``KITH_REGEN_GOLDEN=1
.venv/bin/pytest tests/test_ingest_*.py`` and review the diff by eye.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kith.cli import cli
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.discourse import DiscourseImporter
from kith.ingest.mastodon import MastodonImporter
from kith.ingest.registry import detect
from kith.ingest.stackexchange import StackExchangeImporter
from kith.ingest.testing import compare_with_expected, extract
from kith.ingest.wordpress import WordPressImporter
from kith.ingest.x_archive import XArchiveImporter
from kith.model import ContactRecord, InteractionRecord, Record, Skipped
from kith.store.schema import circle, identity, interaction, participant, thread

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"

IMPORTERS: dict[str, type[Importer]] = {
    "x": XArchiveImporter,
    "mastodon": MastodonImporter,
    "wordpress": WordPressImporter,
    "discourse": DiscourseImporter,
    "stackexchange": StackExchangeImporter,
}


# --- helpers shared by the per-importer tests -------------------------------------------


def read_case(
    importer: Importer, path: Path, params: dict[str, str] | None = None, bodies: bool = True
) -> list[Record]:
    """Everything ``importer`` reads from ``path``, each record checked."""
    return extract(importer, path, ImportOptions(store_bodies=bodies, params=params or {}))


def interactions(records: list[Record]) -> list[InteractionRecord]:
    return [r for r in records if isinstance(r, InteractionRecord)]


def contacts(records: list[Record]) -> list[ContactRecord]:
    return [r for r in records if isinstance(r, ContactRecord)]


def skipped(records: list[Record]) -> list[Skipped]:
    return [r for r in records if isinstance(r, Skipped)]


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def summary_lines(output: str, base: Path) -> list[str]:
    """The CLI's per-file lines, paths relative, without the timing line."""
    lines = []
    for line in output.splitlines():
        if line.startswith(("✓", "✗")):
            lines.append(line.replace(str(base) + os.sep, ""))
    return lines


def stored_row(engine: Any, source_id: str) -> dict[str, Any]:
    """One stored interaction, its participants and its thread and circle keys."""
    with engine.connect() as conn:
        row = conn.execute(
            select(interaction, thread.c.root_key, circle.c.key.label("circle_key"))
            .outerjoin(thread, thread.c.id == interaction.c.thread_id)
            .outerjoin(circle, circle.c.id == interaction.c.circle_id)
            .where(interaction.c.source_id == source_id)
        ).one()
        parts = conn.execute(
            select(participant.c.role, identity.c.kind, identity.c.value)
            .join(identity, identity.c.id == participant.c.identity_id)
            .where(participant.c.interaction_id == row.id)
            .order_by(participant.c.role, identity.c.kind, identity.c.value)
        ).all()
    data = dict(row._mapping)
    for volatile in ("id", "thread_id", "circle_id", "import_id", "origin_file"):
        data.pop(volatile)
    data["extra"] = json.loads(data["extra"]) if data["extra"] else None
    data["participants"] = [list(p) for p in parts]
    return data


def kind_direction_counts(engine: Any) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(interaction.c.kind, interaction.c.direction, func.count())
            .group_by(interaction.c.kind, interaction.c.direction)
            .order_by(interaction.c.kind, interaction.c.direction)
        ).all()
    return {f"{kind} {direction}": int(n) for kind, direction, n in rows}


# --- identify: cheap and specific -------------------------------------------------------

#: Paths each importer must claim, relative to the shared data.
OWN = {
    "x": ["formats/twitter", "formats/twitter/data"],
    "mastodon": ["formats/mastodon"],
    "wordpress": [
        f"formats/wordpress-wxr/{n}"
        for n in (
            "small-export.xml",
            "theme-unit-test-data.xml",
            "valid-wxr-1.1.xml",
            "test-serialized-comment-meta.xml",
        )
    ],
    "discourse": [
        f"community/discourse/discourse_{n}.json"
        for n in (
            "post",
            "posts",
            "topic_1148",
            "topics",
            "topics_empty",
            "topics_pinned",
            "topics_last_posted_at_null",
        )
    ],
    "stackexchange": ["community/stackexchange-history-meta"],
}
#: Other paths nobody here may claim (mail, other formats, the parts of an export).
OTHERS = [
    "email/apache/sling-dev-201203.mbox",
    "email/enron-mini",
    "email/enron-mini/allen-p",
    "formats/twitter/data/tweets.js",
    "formats/twitter/data/README.txt",
    "formats/mastodon/outbox.json",
    "formats/mastodon/actor.json",
    "formats/mastodon/likes.json",
    "formats/vcard",
    "formats/ics/tests_freebusy_example.ics",
    "formats/google-contacts/google_contacts.mtrazzi.csv",
    "community/stackexchange-history-meta/Posts.xml",
    "community/discourse",
    "formats",
]


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_identify_claims_its_own_samples_and_nothing_else(name: str, shared_data: Path) -> None:
    importer = IMPORTERS[name]()
    for rel in OWN[name]:
        assert importer.identify(shared_data / rel), rel
    for other, paths in OWN.items():
        if other != name:
            for rel in paths:
                assert not importer.identify(shared_data / rel), (name, rel)
    for rel in OTHERS:
        assert not importer.identify(shared_data / rel), (name, rel)


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_registry_picks_each_sample_by_content(name: str, shared_data: Path) -> None:
    for rel in OWN[name]:
        found = detect(shared_data / rel)
        assert found is not None and found.name == IMPORTERS[name].name, rel


def test_identify_reads_only_the_start_of_a_file(tmp_path: Path) -> None:
    # A WXR marker past the sniffed bytes is not seen: identify did not read the file.
    late = tmp_path / "late.xml"
    late.write_bytes(b"<rss>" + b" " * 20_000 + b"wordpress.org/export/1.2/")
    assert not WordPressImporter().identify(late)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b'{"x": "' + b"a" * 50_000 + b'", "post_stream": {}}')
    assert not DiscourseImporter().identify(huge)


# --- the real samples through the CLI: golden counts and rows, idempotent -----------------

#: sample name → (path under shared data, `kith me add` identities, -o options, chosen ids)
SAMPLES: dict[str, tuple[str, list[str], list[str], list[str]]] = {
    "x": (
        "formats/twitter",
        [],
        [],
        ["2029903943413772741", "dm:2015508318568001704", "2009704983403606293"],
    ),
    "mastodon": (
        "formats/mastodon",
        [],
        [],
        [
            "https://indieweb.social/users/dealingwith/statuses/109309145334822499/activity",
            "https://indieweb.social/users/dealingwith/statuses/109449999597967268/activity",
            "https://indieweb.social/users/dealingwith/statuses/109361289517644172/activity",
        ],
    ),
    "wordpress-theme-unit-test-data": (
        "formats/wordpress-wxr/theme-unit-test-data.xml",
        [],
        ["me=themedemos"],
        [
            "wpthemetestdata.wordpress.com/comment/910",
            "wpthemetestdata.wordpress.com/comment/921",
            "wpthemetestdata.wordpress.com/comment/2",
        ],
    ),
    "wordpress-small-export": (
        "formats/wordpress-wxr/small-export.xml",
        [],
        ["me=author"],
        ["localhost/comment/1"],
    ),
    "wordpress-valid-wxr-1.1": (
        "formats/wordpress-wxr/valid-wxr-1.1.xml",
        [],
        ["me=john"],
        ["localhost/comment/1"],
    ),
    "wordpress-test-serialized-comment-meta": (
        "formats/wordpress-wxr/test-serialized-comment-meta.xml",
        [],
        [],
        ["test.wordpress.org/comment/1"],
    ),
    "discourse": (
        "community/discourse",
        ["discourse:discourse.mozilla-community.org/gorhill"],
        [],
        [
            "discourse.mozilla-community.org/t/1148/4",
            "discourse.mozilla-community.org/t/1148/3",
            "talk.manageiq.org/t/1448/4",
        ],
    ),
    "stackexchange": (
        "community/stackexchange-history-meta",
        ["stackexchange:history.meta/12"],
        [],
        ["history.meta/post/1", "history.meta/post/2", "history.meta/comment/2"],
    ),
}


def _golden_file(sample: str) -> Path:
    kind, _, rest = sample.partition("-")
    return DATA / kind / "golden" / f"{rest or kind}.json"


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_sample_import_matches_golden_and_twice_adds_nothing(
    sample: str, db_url: str, engine: Any, shared_data: Path
) -> None:
    rel, mine, options, chosen = SAMPLES[sample]
    path = shared_data / rel
    for ident in mine:
        assert run("--db", db_url, "me", "add", ident).exit_code == 0
    flags = [arg for option in options for arg in ("-o", option)]
    first = run("--db", db_url, "import", "-q", "--no-analytics", *flags, str(path))
    assert first.exit_code == 0, first.output
    stats = json.loads(run("--db", db_url, "stats", "--json").output)
    actual = {
        "summary": summary_lines(first.output, shared_data),
        "stats": stats,
        "kind_direction": kind_direction_counts(engine),
        "rows": {sid: stored_row(engine, sid) for sid in chosen},
    }
    compare_with_expected(actual, _golden_file(sample))

    again = run("--db", db_url, "import", "-q", "--no-analytics", *flags, str(path))
    assert again.exit_code == 0, again.output
    lines = summary_lines(again.output, shared_data)
    assert lines and all(" 0 imported," in line for line in lines), lines
    assert json.loads(run("--db", db_url, "stats", "--json").output) == stats
    assert {sid: stored_row(engine, sid) for sid in chosen} == actual["rows"]


# --- an overlapping newer export adds only what is new ----------------------------------


def _older_x(full: Path, old: Path) -> None:
    shutil.copytree(full, old)
    tweets = old / "data" / "tweets.js"
    raw = tweets.read_text(encoding="utf-8")
    prefix, _, body = raw.partition("= ")
    tweets.write_text(prefix + "= " + json.dumps(json.loads(body)[1000:]), encoding="utf-8")


def _older_mastodon(full: Path, old: Path) -> None:
    shutil.copytree(full, old)
    outbox = json.loads((old / "outbox.json").read_text(encoding="utf-8"))
    outbox["orderedItems"] = outbox["orderedItems"][:1000]
    (old / "outbox.json").write_text(json.dumps(outbox), encoding="utf-8")


def _older_stackexchange(full: Path, old: Path) -> None:
    old.mkdir()
    for name in ("Users.xml", "Posts.xml", "Comments.xml"):
        lines = (full / name).read_text(encoding="utf-8-sig").splitlines()
        rows = [i for i, line in enumerate(lines) if line.lstrip().startswith("<row")]
        cut = rows[len(rows) // 2]
        (old / name).write_text("\n".join([*lines[:cut], lines[-1]]) + "\n", encoding="utf-8")


def _older_wordpress(full: Path, old: Path) -> None:
    # Without the replies below comment 904 (905 … 915 stand together in the file).
    text = full.read_text(encoding="utf-8")
    start = text.rindex("<wp:comment>", 0, text.index("<wp:comment_id>905<"))
    end = text.rindex("<wp:comment>", 0, text.index("<wp:comment_id>917<"))
    old.write_text(text[:start] + text[end:], encoding="utf-8")


OVERLAPS = {
    "x": ("formats/twitter", "old-twitter", _older_x, []),
    "mastodon": ("formats/mastodon", "old-mastodon", _older_mastodon, []),
    "stackexchange": (
        "community/stackexchange-history-meta",
        "stackexchange-history-meta",
        _older_stackexchange,
        [],
    ),
    "wordpress": (
        "formats/wordpress-wxr/theme-unit-test-data.xml",
        "old.xml",
        _older_wordpress,
        ["-o", "me=themedemos"],
    ),
}


@pytest.mark.parametrize("name", sorted(OVERLAPS))
def test_overlapping_newer_export_adds_only_what_is_new(
    name: str, db_url: str, engine: Any, shared_data: Path, tmp_path: Path
) -> None:
    rel, old_name, make_old, flags = OVERLAPS[name]
    full = shared_data / rel
    old = tmp_path / old_name
    make_old(full, old)
    assert run("--db", db_url, "import", "-q", "--no-analytics", *flags, str(old)).exit_code == 0
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(interaction)).scalar_one()
    newer = run("--db", db_url, "import", "-q", "--no-analytics", *flags, str(full))
    assert newer.exit_code == 0, newer.output
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(interaction)).scalar_one()
    golden = json.loads(
        _golden_file(name if name != "wordpress" else "wordpress-theme-unit-test-data").read_text()
    )
    assert after == golden["stats"]["interactions"]  # the same as importing the newer alone
    assert 0 < before < after
    (line,) = summary_lines(newer.output, shared_data)
    imported, duplicates = (
        int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:imported|duplicates)", line)
    )
    assert imported >= after - before  # the new interactions (and new or changed cards)
    assert duplicates >= before  # everything of the older export was known


# --- bad input through the CLI ----------------------------------------------------------


def test_fail_fast_stops_at_the_first_bad_record(db_url: str) -> None:
    case = DATA / "x" / "bad_records"
    result = CliRunner().invoke(
        cli, ["--db", db_url, "import", "-q", "--no-analytics", "--fail-fast", str(case)]
    )
    assert result.exit_code == 1
    assert "follower.js:0: a follower record without an accountId" in result.output
    without = run("--db", db_url, "import", "-q", "--no-analytics", str(case))
    assert without.exit_code == 0
    assert "5 skipped" in without.output


def test_a_bad_file_is_reported_by_name_and_the_others_go_on(db_url: str, tmp_path: Path) -> None:
    broken = DATA / "wordpress" / "truncated.xml"
    good = DATA / "wordpress" / "comments.xml"
    result = CliRunner().invoke(
        cli,
        ["--db", db_url, "import", "-q", "--no-analytics", "-o", "me=ana", str(broken), str(good)],
    )
    assert result.exit_code == 1
    assert f"{broken}: broken XML at line" in result.output
    assert f"✓ {good} [wordpress]:" in result.output
    stopped = CliRunner().invoke(
        cli,
        [
            "--db",
            db_url,
            "import",
            "-q",
            "--no-analytics",
            "--fail-fast",
            "-o",
            "me=ana",
            str(broken),
            str(good),
        ],
    )
    assert stopped.exit_code == 1
    assert f"kith: {broken}: broken XML at line 46, column 3: unclosed token" in stopped.output
    assert str(good) not in stopped.output


# --- fuzzing: mutated real samples ------------------------------------------------------


def _load_fuzzer() -> Any:
    spec = importlib.util.spec_from_file_location(
        "fuzz_social", TESTS.parent / "scripts" / "fuzz_social.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FUZZ = _load_fuzzer()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Path]:
    return FUZZ.build_seeds(shared_data, tmp_path_factory.mktemp("seeds"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_seed_exports_read_cleanly(name: str, seeds: dict[str, Path]) -> None:
    records = read_case(IMPORTERS[name](), seeds[name])
    assert interactions(records)
    assert FUZZ.check(IMPORTERS[name](), seeds[name]) is None


@pytest.mark.parametrize("name", sorted(IMPORTERS))
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rng=st.randoms(use_true_random=False))
def test_mutated_samples_yield_records_or_a_clear_error(
    name: str, rng: Any, seeds: dict[str, Path]
) -> None:
    with tempfile.TemporaryDirectory() as work:
        path = FUZZ.mutant(rng, seeds[name], Path(work))
        problem = FUZZ.check(IMPORTERS[name](), path)
        assert problem is None, problem


def test_fuzz_script_runs_and_counts(capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    import sys

    saved = sys.argv
    sys.argv = ["fuzz_social.py", "1", "--seed", "3", "--shared", str(shared_data)]
    try:
        assert FUZZ.main() == 0
    finally:
        sys.argv = saved
    assert re.match(r"ran [\d,]+ inputs in \d+s \(x [\d,]+, ", capsys.readouterr().out)
