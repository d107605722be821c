"""Writing imported records into the ledger, fast and safely.

``LedgerWriter`` (``ledger``) takes records in batches, one transaction each,
and composes the parts beside it: ``contacts`` (cards and their facts),
``interactions`` (with their participants), ``identities`` (people and
identities), ``circles``, ``threads``; ``bulk`` holds the driver-level inserts
and look-ups they share, ``state`` what one run remembers between batches.

Speed comes from doing per batch what would otherwise be done per row: one
query finds which messages are already stored, one finds the known
identities, ids are allocated in blocks, and rows go in with ``executemany``.
"""

from kith.store.writer.bulk import bulk_insert, fetch_in, insert_dicts
from kith.store.writer.ledger import BatchResult, LedgerWriter
from kith.store.writer.state import CACHE_CAP

__all__ = ["CACHE_CAP", "BatchResult", "LedgerWriter", "bulk_insert", "fetch_in", "insert_dicts"]
