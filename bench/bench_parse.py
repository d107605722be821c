"""How fast are the e-mail importers? Messages per second, against the stdlib.

Builds a temporary mbox of ``--messages`` messages (200,000 by default) by
repeating the four Apache archives in ``../shared/data/email/apache`` with fresh
Message-IDs, streamed to disk, then times:

* the stdlib baseline: ``mailbox.mbox`` + ``email`` header parse (policy
  ``default``, reading the same headers kith reads) on the first ``--baseline``
  messages;
* ``MboxImporter`` with ``store_bodies`` False (headers only) and True.

Run: ``.venv/bin/python bench/bench_parse.py [--messages N] [--baseline N]``.
"""

from __future__ import annotations

import argparse
import mailbox
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

from kith.ingest.base import ImportOptions
from kith.ingest.mbox import MboxImporter, split_mbox
from kith.model import InteractionRecord

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "email" / "apache"
_MESSAGE_ID_RE = re.compile(rb"^Message-ID:[^\n]*\n", re.MULTILINE | re.IGNORECASE)


def source_messages() -> list[bytes]:
    """The Apache messages, each with its ``From `` line (7.6 MB in all)."""
    messages = []
    for path in sorted(DATA.glob("*.mbox")):
        with path.open("rb") as file:
            messages.extend(message for _, message in split_mbox(file, where=str(path)))
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
            out.write(message if message.endswith(b"\n\n") else message + b"\n")
    return path.stat().st_size


def time_stdlib(path: Path) -> tuple[int, float]:
    parser = BytesHeaderParser(policy=policy.default)
    box = mailbox.mbox(path, create=False)
    started = time.perf_counter()
    count = 0
    for key in box.iterkeys():
        message = parser.parsebytes(box.get_bytes(key))
        for name in ("From", "To", "Cc", "Date", "Subject", "Message-ID", "References"):
            value = message[name]
            if value is not None and name == "Date":
                _ = value.datetime
            elif value is not None and name in ("From", "To", "Cc"):
                _ = [(a.display_name, a.addr_spec) for a in value.addresses]
        count += 1
    return count, time.perf_counter() - started


def time_importer(path: Path, store_bodies: bool) -> tuple[int, float]:
    importer = MboxImporter()
    options = ImportOptions(store_bodies=store_bodies)
    started = time.perf_counter()
    count = sum(
        1 for r in importer.extract(path, options) if isinstance(r, InteractionRecord)
    )
    return count, time.perf_counter() - started


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
            ("stdlib mailbox + email headers", *time_stdlib(small)),
            ("MboxImporter, store_bodies=False", *time_importer(big, False)),
            ("MboxImporter, store_bodies=True", *time_importer(big, True)),
        ]
    for label, count, seconds in rows:
        print(f"{label:34} {count:>9,} msgs {seconds:7.2f} s {count / seconds:>10,.0f} msgs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
