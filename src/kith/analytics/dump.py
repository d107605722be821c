"""``python -m kith.analytics.dump LEDGER TABLE LO HI [BODY_CHARS]``: rows of a SQLite
ledger's table as an Arrow IPC stream on stdout (the child side of ``ledger._child_reader``)."""

from __future__ import annotations

import sys

from kith.analytics.ledger import dump
from kith.signals.valence import READ_CHARS

if __name__ == "__main__":
    chars = int(sys.argv[5]) if len(sys.argv) > 5 else READ_CHARS
    dump(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), chars)
