"""End-to-end import speed and memory: ``kith import`` into a fresh SQLite ledger.

Writes a sample-world mbox of ``--messages`` messages (``kith.sample``'s scale
generator: realistic headers, threads, a mailing list), then in the same run:

* baseline: the Python standard library's header parse of the same file
  (``mailbox.mbox`` + ``email.parser.BytesHeaderParser``) on ``--baseline``
  messages, nothing stored;
* ``kith import --no-bodies`` (headers only) and ``kith import`` (bodies kept),
  both with ``--no-analytics`` (the feature refresh has its own benchmark),
  each as a separate process into a new ledger, timed from start to exit, with
  the process's peak resident memory.

Run: ``.venv/bin/python bench/bench_import.py [--messages 200000] [--people 20000]``
(``--messages 1000000`` for the memory check).

With ``--apache N`` it measures what a user waits on instead: an mbox of N
messages built from the four Apache archives in ``../shared/data/email/apache``
(kept in ``bench/.cache/``, built again when missing), every message with a
text of its own (a generated sentence, unique to the message, opens its
body) and new Message-IDs per copy (In-Reply-To and References rewritten the
same way, so threads stay threads). It times the stdlib header parse of the
whole file, then ``kith import --no-analytics`` and ``kith import`` (with its
analytics refresh) each as a separate process into a new ledger, and prints
both against the baseline, with the default run's time split into the import
and the analytics as the command itself reports them.

Run: ``.venv/bin/python bench/bench_import.py --apache 40000``; add ``--scoring``
to time the valence scoring of those bodies alone, in one process and in two.
"""

from __future__ import annotations

import argparse
import base64
import mailbox
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from email.parser import BytesHeaderParser
from pathlib import Path

from bench_parse import source_messages
from scale import write_scale_mbox

KITH = Path(sys.executable).with_name("kith")
CACHE = Path(__file__).resolve().parent / ".cache"


def baseline(path: Path, limit: int) -> float:
    """Messages per second of the stdlib header parse over the first ``limit`` messages."""
    parser = BytesHeaderParser()
    box = mailbox.mbox(path, create=False)
    started = time.perf_counter()
    n = 0
    for key in box.iterkeys():
        msg = parser.parsebytes(box.get_bytes(key))
        for name in ("From", "To", "Cc", "Date", "Message-ID", "In-Reply-To", "References"):
            msg.get(name)
        n += 1
        if n >= limit:
            break
    return n / (time.perf_counter() - started)


def new_ledger(db: Path) -> None:
    """``kith init`` the ledger ``db`` (only ``kith init`` creates one), untimed."""
    subprocess.run(
        [str(KITH), "--db", str(db), "init", "--me", "owner@bench.invalid"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def timed_import(path: Path, db: Path, *flags: str) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one ``kith import`` process."""
    new_ledger(db)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [str(KITH), "--db", str(db), "import", "-q", "--no-analytics", *flags, str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far; runs go smallest first.
    return seconds, max(peak_kb, before) / 1024


#: Stands for the copy's tag in a message id, and for the message's own sentence.
_TAG, _SENTENCE = b"\x01TAG\x01", b"\x01SENTENCE\x01"
_MSGID = re.compile(rb"<([^<>@\s]+)@([^<>\s]+)>")
_ID_HEADERS = re.compile(rb"^(Message-ID|In-Reply-To|References):", re.IGNORECASE)
#: Words the generated sentences are made of: some VADER reads as warm or
#: cold, most as neither, so the scores vary as real ones do.
_WORDS = [
    *("thanks", "great", "good", "fine", "sorry", "broken", "annoying", "love", "hate"),
    *("wrong", "nice", "helpful", "bad", "the", "patch", "build", "test", "release"),
    *("branch", "issue", "review", "commit", "change", "fix", "wiki", "list", "today"),
    *("tomorrow", "again", "later", "soon", "maybe", "please", "really", "quite", "still"),
]


def _template(message: bytes) -> bytes:
    """``message`` (with its ``From `` line) with placeholders: the copy's tag in
    every message id of Message-ID, In-Reply-To and References, and the
    message's sentence at the start of the text kith reads (its first
    text/plain part, made 8-bit when it was base64 so plain text can go in)."""
    envelope, _, raw = message.partition(b"\n")
    head, _, body = raw.partition(b"\n\n")
    lines = [
        _MSGID.sub(rb"<\1." + _TAG + rb"@\2>", line) if _ID_HEADERS.match(line) else line
        for line in re.split(rb"\n(?![ \t])", head)
    ]
    head = b"\n".join(lines)
    part = _TEXT_PART.search(body) if _MULTIPART.search(head) else None
    if part is None:  # the body is the text
        head, body = _eight_bit(head, body)
        return envelope + b"\n" + head + b"\n\n" + _SENTENCE + b"\n\n" + body
    part_start = body.rfind(b"\n--", 0, part.start()) + 1
    part_head_end = body.index(b"\n\n", part.start())
    part_end = body.find(b"\n--", part_head_end)
    part_head, text = _eight_bit(body[part_start:part_head_end], body[part_head_end + 2 : part_end])
    body = body[:part_start] + part_head + b"\n\n" + _SENTENCE + b"\n\n" + text + body[part_end:]
    return envelope + b"\n" + head + b"\n\n" + body


_MULTIPART = re.compile(rb"^Content-Type:\s*multipart/", re.IGNORECASE | re.MULTILINE)
_TEXT_PART = re.compile(rb"^Content-Type:\s*text/plain", re.IGNORECASE | re.MULTILINE)
_BASE64 = re.compile(rb"^Content-Transfer-Encoding:\s*base64\s*$", re.IGNORECASE | re.MULTILINE)


def _eight_bit(head: bytes, text: bytes) -> tuple[bytes, bytes]:
    """(head, text) with a base64 text decoded and said to be 8-bit."""
    if _BASE64.search(head) is None:
        return head, text
    return _BASE64.sub(b"Content-Transfer-Encoding: 8bit", head), base64.b64decode(text)


def sentence(rng: random.Random, copy: int, index: int) -> bytes:
    """A sentence no other message of the bench has (it names its copy and index)."""
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14)))
    return f"Note {copy}.{index}: {words}.".encode()


def write_apache_mbox(path: Path, count: int, seed: int = 14) -> int:
    """Stream ``count`` messages built from the Apache archives to ``path``
    (see the module docstring); its size in bytes."""
    templates = [_template(m) for m in source_messages()]
    rng = random.Random(seed)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        for n in range(count):
            copy, index = divmod(n, len(templates))
            message = templates[index].replace(_TAG, b"c%d" % copy)
            message = message.replace(_SENTENCE, sentence(rng, copy, index))
            out.write(message.rstrip(b"\n") + b"\n\n")
    partial.rename(path)
    return path.stat().st_size


def _seconds(pattern: str, output: str) -> float:
    found = re.search(pattern, output)
    if found is None:
        raise SystemExit(f"kith import printed no line matching {pattern!r}:\n{output}")
    return float(found.group(1))


def apache(count: int) -> None:
    """The Apache bench: both ratios to the stdlib header parse and the time split."""
    CACHE.mkdir(exist_ok=True)
    mbox = CACHE / f"apache-{count}.mbox"
    if not mbox.exists():
        started = time.perf_counter()
        size = write_apache_mbox(mbox, count)
        print(f"wrote {mbox} ({size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f}s")
    print(f"load average before: {os.getloadavg()[0]:.1f} (2 cores here; others' work counts)")
    base = baseline(mbox, count)
    print(f"stdlib header parse       : {base:>8,.0f} msg/s ({count / base:.1f}s, nothing stored)")
    with tempfile.TemporaryDirectory(prefix="kith-bench-") as tmp:
        for label, flags in (("--no-analytics", ("--no-analytics",)), ("default", ())):
            db = Path(tmp) / f"kith-{label.strip('-')}.db"
            new_ledger(db)
            started = time.perf_counter()
            done = subprocess.run(
                [str(KITH), "--db", str(db), "import", "-q", *flags, str(mbox)],
                check=True,
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - started
            rate = count / wall
            imported = _seconds(r"new interactions in ([\d.]+)s", done.stdout)
            split = f"import {imported:.1f}s"
            if not flags:
                # The rest of the run after the import's own figure: the
                # scores awaited, the refresh, and the process's start and end.
                refreshed = _seconds(r"ties as of .* in ([\d.]+)s", done.stdout)
                split += f", analytics {wall - imported:.1f}s (the refresh {refreshed:.1f}s)"
            print(
                f"kith import {label:<14}: {rate:>8,.0f} msg/s ({wall:.1f}s end to end: {split}; "
                f"{rate / base:.2f}x the header parse)"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def scoring(count: int) -> None:
    """The valence of the Apache bench's bodies alone: read from a ledger the
    bench imports first (``--no-analytics``), scored in this process and in
    two worker processes (``kith.signals.valence.score_bodies``), wall and
    this process's CPU seconds; then what scoring ahead costs the importing
    process: an import in this process with and without it."""
    from kith.signals import valence

    mbox = CACHE / f"apache-{count}.mbox"
    if not mbox.exists():
        write_apache_mbox(mbox, count)
    with tempfile.TemporaryDirectory(prefix="kith-bench-") as tmp:
        db = Path(tmp) / "kith.db"
        new_ledger(db)
        subprocess.run(
            [str(KITH), "--db", str(db), "import", "-q", "--no-analytics", str(mbox)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with sqlite3.connect(db) as con:
            bodies = [
                str(b)
                for (b,) in con.execute(
                    f"SELECT SUBSTR(body, 1, {valence.READ_CHARS}) FROM interaction "
                    "WHERE body IS NOT NULL"
                )
            ]
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for processes in (1, 2):
        wall, cpu = time.perf_counter(), time.process_time()
        valence.score_bodies(bodies, processes=processes)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"valence of {len(bodies):,} bodies, {processes} process(es): "
            f"{len(bodies) / wall:>7,.0f}/s ({wall:.1f}s wall, {cpu:.1f}s CPU here)"
        )
    with tempfile.TemporaryDirectory(prefix="kith-bench-") as tmp:
        for label in ("without", "with"):
            print(f"{label} scores ahead: " + _import_here(mbox, Path(tmp) / f"{label}.db", label))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def _import_here(mbox: Path, db: Path, label: str) -> str:
    """One import in this process, with scores ahead or without: the
    importing process's CPU seconds (the workers' are not in them)."""
    from kith.config import Settings
    from kith.importing import import_paths
    from kith.signals.valence import Ahead
    from kith.store.db import open_store

    engine = open_store(f"sqlite:///{db}")
    with Ahead() as ahead:
        wall, cpu = time.perf_counter(), time.process_time()
        import_paths(
            engine,
            [mbox],
            Settings(),
            now=int(time.time()),
            on_record=ahead.add_record if label == "with" else None,
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    engine.dispose()
    return f"the import {wall:.1f}s wall, {cpu:.2f}s CPU in the importing process"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--baseline", type=int, default=20_000)
    ap.add_argument("--no-bodies-only", action="store_true", help="skip the run with bodies")
    ap.add_argument("--apache", type=int, metavar="N", help="the Apache bench of N messages")
    ap.add_argument(
        "--scoring", action="store_true", help="with --apache: time the valence scoring alone"
    )
    args = ap.parse_args()
    if args.apache and args.scoring:
        scoring(args.apache)
        return
    if args.apache:
        apache(args.apache)
        return
    with tempfile.TemporaryDirectory(prefix="kith-bench-") as tmp:
        mbox = Path(tmp) / "sample.mbox"
        started = time.perf_counter()
        size = write_scale_mbox(mbox, args.people, args.messages, seed=11)
        print(
            f"wrote {args.messages:,} messages ({size / 1e6:,.0f} MB, {args.people:,} people) "
            f"in {time.perf_counter() - started:.1f}s"
        )
        base = baseline(mbox, min(args.baseline, args.messages))
        print(f"baseline stdlib header parse: {base:>10,.0f} msg/s (nothing stored)")
        runs = [("kith import --no-bodies", ("--no-bodies",))]
        if not args.no_bodies_only:
            runs.append(("kith import (bodies)", ()))
        for i, (label, flags) in enumerate(runs):
            db = Path(tmp) / f"kith{i}.db"
            seconds, peak = timed_import(mbox, db, *flags)
            rate = args.messages / seconds
            print(
                f"{label:<28}: {rate:>10,.0f} msg/s end-to-end ({seconds:.1f}s, "
                f"{rate / base:.1f}x baseline), peak RSS {peak:,.0f} MB"
            )


if __name__ == "__main__":
    main()
