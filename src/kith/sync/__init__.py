"""Incremental syncs from live sources (``kith sync …``).

An importer reads a file once; a sync keeps a source and the ledger in step,
fetching only what is new since last time. The protocol side lives in
``kith.ingest`` (parse only), the sync state in ``kith.store.sync_state``; the
modules here tie the two together.
"""
