#!/usr/bin/env python3
"""Fuzz the social-archive and community importers with mutated real samples.

Small seeds are cut from the real exports in ``$KITH_SHARED_DATA`` (by default
``../shared/data``; or ``--shared FOLDER``) (a few dozen
tweets, activities, rows), then mutated: JSON values swapped for values of
other types, keys dropped, elements doubled; bytes flipped, cut, repeated;
XML attributes garbled. Each mutant goes through the importer's
``extract()``, which may only yield records or ``Skipped``, or raise a
``KithError`` that names where it failed. Anything else is a bug.

Run: ``.venv/bin/python scripts/fuzz_social.py SECONDS [--seed N]``; it prints
how many inputs it ran and exits 1 on the first failure, keeping the input.
The tests (``tests/test_ingest_social.py``) drive the same mutators through
hypothesis, ~100 inputs per importer.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.shared import ENV, SHARED_DATA  # noqa: E402

from kith.errors import KithError  # noqa: E402
from kith.ingest.base import Importer, ImportOptions  # noqa: E402
from kith.ingest.discourse import DiscourseImporter  # noqa: E402
from kith.ingest.mastodon import MastodonImporter  # noqa: E402
from kith.ingest.stackexchange import StackExchangeImporter  # noqa: E402
from kith.ingest.wordpress import WordPressImporter  # noqa: E402
from kith.ingest.x_archive import XArchiveImporter  # noqa: E402
from kith.model import ContactRecord, InteractionRecord, Role, Skipped  # noqa: E402

_YTD = re.compile(r"^\s*window\.YTD\.[\w.]+\s*=\s*")
_ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**70,
    1.5,
    True,
    "",
    " ",
    "x",
    "0000-00-00 00:00:00",
    "Fri Feb 30 25:61:61 +9999 0000",
    "9999-99-99T99:99:99Z",
    "https://",
    "@",
    "\u0000",
    [],
    {},
    [None],
    {"a": None},
]


# -- seeds: small cuts of the real samples ------------------------------------------------


def _ytd_cut(source: Path, target: Path, keep: int) -> None:
    raw = source.read_text(encoding="utf-8")
    prefix = _YTD.match(raw)
    assert prefix is not None, source
    data = json.loads(raw[prefix.end() :])
    target.write_text(prefix.group(0) + json.dumps(data[:keep], indent=2), encoding="utf-8")


def _xml_cut(source: Path, target: Path, keep: int) -> None:
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    head = [line for line in lines[:3] if not line.lstrip().startswith("<row")]
    rows = [line for line in lines if line.lstrip().startswith("<row")][:keep]
    target.write_text("\n".join([*head, *rows, lines[-1]]) + "\n", encoding="utf-8")


def build_seeds(shared: Path, out: Path) -> dict[str, Path]:
    """One small seed export per importer, written under ``out``."""
    seeds: dict[str, Path] = {}
    x = out / "x" / "data"
    x.mkdir(parents=True)
    twitter = shared / "formats" / "twitter" / "data"
    for name, keep in (
        ("account.js", 1),
        ("profile.js", 1),
        ("tweets.js", 40),
        ("direct-messages.js", 3),
        ("follower.js", 8),
        ("following.js", 8),
    ):
        _ytd_cut(twitter / name, x / name, keep)
    seeds["x"] = x.parent

    masto = out / "mastodon"
    masto.mkdir()
    source = shared / "formats" / "mastodon"
    shutil.copy(source / "actor.json", masto / "actor.json")
    outbox = json.loads((source / "outbox.json").read_text(encoding="utf-8"))
    outbox["orderedItems"] = outbox["orderedItems"][:60]
    (masto / "outbox.json").write_text(json.dumps(outbox), encoding="utf-8")
    for name in ("likes.json", "bookmarks.json"):
        collection = json.loads((source / name).read_text(encoding="utf-8"))
        collection["orderedItems"] = collection["orderedItems"][:15]
        (masto / name).write_text(json.dumps(collection), encoding="utf-8")
    seeds["mastodon"] = masto

    wxr = shared / "formats" / "wordpress-wxr" / "theme-unit-test-data.xml"
    text = wxr.read_text(encoding="utf-8")
    # Keep the channel head and the items with comments: the rest is posts' content.
    head, _, rest = text.partition("<item>")
    items = ["<item>" + part for part in rest.split("<item>")]
    kept = [i for i in items if "<wp:comment>" in i]
    last = kept[-1]
    kept[-1] = last[: last.rindex("</item>") + len("</item>")]
    (out / "wordpress.xml").write_text(
        head + "".join(kept) + "\n    </channel>\n</rss>\n", encoding="utf-8"
    )
    seeds["wordpress"] = out / "wordpress.xml"

    shutil.copy(shared / "community" / "discourse" / "discourse_posts.json", out / "discourse.json")
    seeds["discourse"] = out / "discourse.json"

    se = out / "stackexchange-fuzz-meta"
    se.mkdir()
    dump = shared / "community" / "stackexchange-history-meta"
    for name, keep in (("Users.xml", 40), ("Posts.xml", 60), ("Comments.xml", 60)):
        _xml_cut(dump / name, se / name, keep)
    seeds["stackexchange"] = se
    return seeds


IMPORTERS: dict[str, Callable[[], Importer]] = {
    "x": XArchiveImporter,
    "mastodon": MastodonImporter,
    "wordpress": WordPressImporter,
    "discourse": DiscourseImporter,
    "stackexchange": StackExchangeImporter,
}


# -- mutations ------------------------------------------------------------------------------


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _nodes(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += _nodes(child, (*path, i))
    return found


def mutate_json(rng: random.Random, data: Any) -> Any:
    """One structural change: a value swapped, a key dropped, an element doubled."""
    paths = [p for p in _nodes(data) if p]
    if not paths:
        return rng.choice(_ODD_VALUES)
    path = rng.choice(paths)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = rng.randrange(4)
    if action == 0 and isinstance(parent, dict):
        del parent[last]
    elif action == 1 and isinstance(parent, list):
        parent.insert(last, json.loads(json.dumps(parent[last])))
    elif action == 2:
        parent[last] = rng.choice(_ODD_VALUES)
    else:
        parent[last] = json.loads(json.dumps(rng.choice(_ODD_VALUES)))
    return data


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """One byte-level change: cut short, flipped bytes, a slice dropped or repeated."""
    if not data:
        return bytes([rng.randrange(256)])
    n = len(data)
    action = rng.randrange(5)
    at = rng.randrange(n)
    if action == 0:
        return data[:at]
    if action == 1:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(n)] = rng.randrange(256)
        return bytes(out)
    if action == 2:
        return data[:at] + data[at + rng.randint(1, 200) :]
    if action == 3:
        end = min(n, at + rng.randint(1, 400))
        return data[:end] + data[at:end] + data[end:]
    junk = rng.choice([b"<", b">", b'"', b"{", b"]", b"&amp", b"\x00", b"\xff\xfe", b"<!ENTITY"])
    return data[:at] + junk + data[at:]


def _mutate_xml_attribute(rng: random.Random, data: bytes) -> bytes:
    attrs = list(re.finditer(rb'(\w+)="([^"]*)"', data))
    if not attrs:
        return mutate_bytes(rng, data)
    match = rng.choice(attrs)
    value = rng.choice([b"", b"-1", b"0", b"abc", b"99999999999999", b"2011-13-45T00:00:00"])
    if rng.random() < 0.3:
        return data[: match.start()] + data[match.end() :]  # attribute dropped
    return data[: match.start(2)] + value + data[match.end(2) :]


def mutate_file(rng: random.Random, file: Path) -> None:
    """Change one file of an export in place."""
    data = file.read_bytes()
    if rng.random() < 0.5:
        file.write_bytes(mutate_bytes(rng, data))
        return
    if file.suffix == ".xml":
        file.write_bytes(_mutate_xml_attribute(rng, data))
        return
    text = data.decode("utf-8", errors="replace")
    prefix = _YTD.match(text)
    body = text[prefix.end() :] if prefix else text
    try:
        mutated = mutate_json(rng, json.loads(body))
    except json.JSONDecodeError:
        file.write_bytes(mutate_bytes(rng, data))
        return
    file.write_text((prefix.group(0) if prefix else "") + json.dumps(mutated), encoding="utf-8")


def mutant(rng: random.Random, seed: Path, work: Path) -> Path:
    """A copy of ``seed`` under ``work`` with one to three of its files changed."""
    target = work / seed.name
    if seed.is_dir():
        shutil.copytree(seed, target)
        files = sorted(p for p in target.rglob("*") if p.is_file())
    else:
        shutil.copy(seed, target)
        files = [target]
    for _ in range(rng.randint(1, 3)):
        mutate_file(rng, rng.choice(files))
    return target


# -- the check ------------------------------------------------------------------------------


def check(importer: Importer, path: Path) -> str | None:
    """None if ``extract`` behaved; else what went wrong."""
    for options in (ImportOptions(), ImportOptions(store_bodies=False)):
        try:
            for record in importer.extract(path, options):
                problem = _bad_record(record)
                if problem:
                    return problem
        except KithError as exc:
            if not exc.message or not exc.where:
                return f"KithError without a message or a place: {exc!r}"
        except Exception:
            return traceback.format_exc()
    return None


def _bad_record(record: object) -> str | None:
    if isinstance(record, Skipped):
        return None if record.reason and record.origin.file else f"empty Skipped: {record}"
    if isinstance(record, ContactRecord):
        ok = record.source_id and all(i.value for i in record.identities)
        return None if ok else f"bad ContactRecord: {record}"
    if isinstance(record, InteractionRecord):
        authors = sum(p.role is Role.FROM for p in record.participants)
        if (
            authors != 1
            or not record.source_id
            or not all(p.identity.value for p in record.participants)
        ):
            return f"bad InteractionRecord: {record}"
        return None
    return f"not a record: {record!r}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seconds", type=float, help="how long to run")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--shared",
        type=Path,
        default=SHARED_DATA,
        help="the real corpora (default: $KITH_SHARED_DATA)",
    )
    args = parser.parse_args()
    if not args.shared.is_dir():
        parser.error(f"real corpora not found at {args.shared}; set {ENV} or pass --shared")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kith-fuzz-") as tmp:
        seeds = build_seeds(args.shared, Path(tmp) / "seeds")
        runs = {name: 0 for name in seeds}
        started = time.monotonic()
        while time.monotonic() - started < args.seconds:
            for name, seed in seeds.items():
                work = Path(tempfile.mkdtemp(dir=tmp))
                path = mutant(rng, seed, work)
                problem = check(IMPORTERS[name](), path)
                runs[name] += 1
                if problem:
                    kept = Path(tempfile.mkdtemp(prefix=f"kith-fuzz-{name}-"))
                    shutil.copytree(work, kept, dirs_exist_ok=True)
                    print(f"FAILED on {name} input kept in {kept}:\n{problem}", file=sys.stderr)
                    return 1
                shutil.rmtree(work)
        total = sum(runs.values())
        detail = ", ".join(f"{name} {n:,}" for name, n in runs.items())
        print(f"ran {total:,} inputs in {time.monotonic() - started:.0f}s ({detail}): no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
