"""How fast are the e-mail importers? Messages per second, against the stdlib.

Builds a temporary mbox of ``--messages`` messages (200,000 by default, ~1.5 GB)
by repeating the four Apache archives in ``../shared/data/email/apache`` with
fresh Message-IDs, streamed to disk, then times, in the same run:

* the stdlib baseline on the first ``--baseline`` messages: ``mailbox.mbox`` to
  split, ``email`` to parse the headers kith reads, with the ``compat32`` policy
  (plus ``email.utils``) and with ``policy.default``;
* ``MboxImporter`` over the whole file, with ``store_bodies`` False and True;
* ``parse_message`` alone over the 986 distinct messages with its caches
  emptied first (the repeated file hits the address and date caches);
* the ``>From`` unquoting of bodies, as it was (every message with a quoted
  line through the regex) and as it is (only those holding ``>From ``).

Run: ``.venv/bin/python bench/bench_parse.py [--messages N] [--baseline N]``.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import Policy
from email.utils import getaddresses, parsedate_tz
from pathlib import Path

from kith.ingest import email_headers
from kith.ingest.base import ImportOptions
from kith.ingest.email_headers import parse_message
from kith.ingest.mbox import MboxImporter, split_mbox, unquote_from_lines
from kith.model import InteractionRecord, Origin

#: The real corpora, ``$KITH_SHARED_DATA`` (default ``../shared/data``) as for the tests.
SHARED = Path(
    os.environ.get("KITH_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
DATA = SHARED / "email" / "apache"
_MESSAGE_ID_RE = re.compile(rb"^Message-ID:[^\n]*\n", re.MULTILINE | re.IGNORECASE)


def source_messages() -> list[bytes]:
    """The Apache messages, each with its ``From `` line (7.6 MB in all)."""
    messages = []
    for path in sorted(DATA.glob("*.mbox")):
        with path.open("rb") as file:
            for _, envelope, message in split_mbox(file, where=str(path)):
                messages.append(b"From " + (envelope or b"bench") + b"\n" + message)
    if not messages:
        raise SystemExit(f"no Apache archives found in {DATA}; set KITH_SHARED_DATA")
    return messages


def fresh_messages(count: int) -> Iterator[bytes]:
    """``count`` messages cycling through the sources, each with a new Message-ID."""
    sources = source_messages()
    for n in range(count):
        message = sources[n % len(sources)]
        header_end = message.find(b"\n\n")
        fresh = b"Message-ID: <bench-%d@kith.invalid>\n" % n
        found = _MESSAGE_ID_RE.search(message, 0, header_end)
        if found is None:
            yield message.replace(b"\n", b"\n" + fresh, 1)  # after the From line
        else:
            yield message[: found.start()] + fresh + message[found.end() :]


def write_mbox(path: Path, count: int) -> int:
    """Stream ``count`` messages to ``path``; its size in bytes."""
    with path.open("wb") as out:
        for message in fresh_messages(count):
            out.write(message.rstrip(b"\n") + b"\n\n")  # an empty line before each From
    return path.stat().st_size


def time_stdlib(path: Path, policy_: Policy) -> tuple[int, float]:
    """The stdlib way: ``mailbox`` to split, ``email`` to parse the headers kith reads."""
    parser = BytesHeaderParser(policy=policy_)
    box = mailbox.mbox(path, create=False)
    started = time.perf_counter()
    count = 0
    for key in box.iterkeys():
        message = parser.parsebytes(box.get_bytes(key))
        if policy_ is policy.compat32:
            getaddresses(message.get_all("From", []) + message.get_all("To", []))
            getaddresses(message.get_all("Cc", []))
            parsedate_tz(message["Date"])
            str(make_header(decode_header(message["Subject"] or "")))
        else:
            for name in ("From", "To", "Cc"):
                value = message[name]
                if value is not None:
                    _ = [(a.display_name, a.addr_spec) for a in value.addresses]
            if message["Date"] is not None:
                _ = message["Date"].datetime
            _ = str(message["Subject"])
        _ = (message["Message-ID"], message["References"], message["In-Reply-To"])
        count += 1
    return count, time.perf_counter() - started


def time_importer(path: Path, store_bodies: bool) -> tuple[int, float]:
    importer = MboxImporter()
    options = ImportOptions(store_bodies=store_bodies)
    started = time.perf_counter()
    count = sum(1 for r in importer.extract(path, options) if isinstance(r, InteractionRecord))
    return count, time.perf_counter() - started


def time_parse_cold(rounds: int = 5) -> tuple[int, float]:
    """``parse_message`` alone on the distinct Apache messages, caches emptied first.

    The big mbox repeats the same 986 messages, so from the second round on
    every address list and date is a cache hit; this is the figure without
    that help (the best of ``rounds``).
    """
    messages = [message.split(b"\n", 1)[1] for message in source_messages()]
    caches = [getattr(email_headers, name) for name in dir(email_headers)]
    caches = [f for f in caches if hasattr(f, "cache_clear")]
    options = ImportOptions(store_bodies=False)
    origin = Origin("bench", 0)
    best = float("inf")
    for _ in range(rounds):
        for cached in caches:
            cached.cache_clear()
        started = time.perf_counter()
        for message in messages:
            parse_message(message, origin, options, fallback_date=0)
        best = min(best, time.perf_counter() - started)
    return len(messages), best


def time_unquote(path: Path) -> tuple[float, float]:
    """Seconds spent undoing ``>From`` quoting over the whole mbox, (before,
    now): before, every message with a quoted line went through the regex;
    now only one holding ``>From ``. Side by side, message by message."""
    before = now = 0.0
    clock = time.perf_counter
    with path.open("rb") as file:
        for _, _, message in split_mbox(file, where=str(path)):
            started = clock()
            if b"\n>" in message:
                unquote_from_lines(message)
            middle = clock()
            if b">From " in message:
                unquote_from_lines(message)
            before, now = before + middle - started, now + clock() - middle
    return before, now


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--messages", type=int, default=200_000)
    args.add_argument("--baseline", type=int, default=20_000)
    options = args.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kith-bench-") as tmp:
        big, small = Path(tmp) / "big.mbox", Path(tmp) / "baseline.mbox"
        started = time.perf_counter()
        size = write_mbox(big, options.messages)
        write_mbox(small, min(options.baseline, options.messages))
        print(
            f"built {options.messages:,} messages ({size / 2**20:,.0f} MiB) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rows = [
            ("stdlib mailbox+email, compat32", *time_stdlib(small, policy.compat32)),
            ("stdlib mailbox+email, policy.default", *time_stdlib(small, policy.default)),
            ("MboxImporter, store_bodies=False", *time_importer(big, False)),
            ("MboxImporter, store_bodies=True", *time_importer(big, True)),
        ]
        before, now = time_unquote(big)
        print(f">From unquoting over the big mbox: {before:.2f} s before, {now:.2f} s now")
    rows.append(("parse_message alone, cold caches", *time_parse_cold()))
    for label, count, seconds in rows:
        print(f"{label:38} {count:>9,} msgs {seconds:7.2f} s {count / seconds:>10,.0f} msgs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
