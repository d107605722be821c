"""``python -m kith.analytics.dump LEDGER TABLE LO HI``: rows of a SQLite ledger's
table as an Arrow IPC stream on stdout (the child side of ``ledger._child_reader``)."""

from __future__ import annotations

import sys

from kith.analytics.ledger import dump

if __name__ == "__main__":
    dump(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
