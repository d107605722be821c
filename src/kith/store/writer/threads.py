"""Threads for a batch's records, keyed so that import order does not matter."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from kith.model import InteractionRecord
from kith.store.ids import allocate_ids, chunks
from kith.store.schema import thread as thread_t
from kith.store.writer.bulk import fetch_in, insert_dicts
from kith.store.writer.state import RunState

_MESSAGE_THREADS = (
    "SELECT source_id, thread_id FROM interaction "
    "WHERE source = ? AND source_id IN ({marks}) AND thread_id IS NOT NULL"
)
_THREADS = "SELECT root_key, id FROM thread WHERE source = ? AND root_key IN ({marks})"


def resolve_threads(
    conn: Connection,
    run: RunState,
    records: Sequence[InteractionRecord],
    circles: dict[str, int],
) -> dict[str, int]:
    """source_id → thread id.

    A message joins the thread of the nearest message it references. Else
    its thread is found by key: its root reference; or, with no references,
    its own id (its replies may have come first) and then its ``thread_key``
    (e-mail: the normalised subject among the same participants). Keys do
    not depend on import order, so two files give the same threads in
    either order.
    """
    msg_threads = run.known.message_threads
    threads = run.known.threads
    unknown: dict[str, set[str]] = {}
    for r in records:
        for ref in r.refs:
            if (r.source, ref) not in msg_threads:
                unknown.setdefault(r.source, set()).add(ref)
    for source, refs in unknown.items():
        for part in chunks(sorted(refs)):
            rows = fetch_in(conn, _MESSAGE_THREADS, (source,), part)
            for sid, tid in rows:
                msg_threads[(source, str(sid))] = int(tid)
    keys = {r.source_id: _thread_keys(r) for r in records}
    _load_threads(conn, run, {(r.source, k) for r in records for k in keys[r.source_id]})
    # New threads get placeholder ids (negative) until ids are allocated.
    new_threads: list[dict[str, object]] = []
    assigned: dict[str, int] = {}
    for r in records:
        src = r.source
        tid = next(
            (msg_threads[(src, ref)] for ref in reversed(r.refs) if (src, ref) in msg_threads),
            None,
        )
        if tid is None:
            tid = next((threads[(src, k)] for k in keys[r.source_id] if (src, k) in threads), None)
        if tid is None:
            tid = -(len(new_threads) + 1)
            root_key = keys[r.source_id][-1]
            new_threads.append(
                {
                    "id": tid,
                    "source": src,
                    "root_key": root_key,
                    "subject": r.subject,
                    "circle_id": circles.get(r.list_id) if r.list_id else None,
                    "started_at": r.occurred_at,
                    "import_id": run.import_id,
                }
            )
            threads[(src, root_key)] = tid
        assigned[r.source_id] = tid
        msg_threads[(src, r.source_id)] = tid
    if new_threads:
        real = allocate_ids(conn, "thread", len(new_threads))
        for row, tid in zip(new_threads, real, strict=True):
            threads[(str(row["source"]), str(row["root_key"]))] = tid
            row["id"] = tid
        insert_dicts(conn, thread_t, new_threads)
        for r in records:
            placeholder = assigned[r.source_id]
            if placeholder < 0:
                tid = real[-placeholder - 1]
                assigned[r.source_id] = msg_threads[(r.source, r.source_id)] = tid
    return assigned


def _load_threads(conn: Connection, run: RunState, keys: set[tuple[str, str]]) -> None:
    by_source: dict[str, list[str]] = {}
    for source, key in keys:
        if (source, key) not in run.known.threads:
            by_source.setdefault(source, []).append(key)
    for source, wanted in by_source.items():
        for part in chunks(sorted(wanted)):
            rows = fetch_in(conn, _THREADS, (source,), part)
            for key, tid in rows:
                run.known.threads[(source, str(key))] = int(tid)


def _thread_keys(record: InteractionRecord) -> tuple[str, ...]:
    """The keys a record's thread may be known by, most specific first."""
    if record.refs:
        return (record.refs[0],)
    if record.thread_key:
        return (record.source_id, record.thread_key)
    return (record.source_id,)
