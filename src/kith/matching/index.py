"""One vector per person, kept in the ledger and remade only when their text changes.

``refresh`` reads every person's text (``kith.matching.texts``), hashes it,
and embeds only the people whose hash differs from the stored one (new
people, new messages, new facts); people with no text left lose their row.
It runs after each import (``kith import``) and when ``kith match`` finds the
ledger changed since the last refresh (``is_stale``: a cheap stamp of counts,
``kith.store.embeddings.ledger_stamp``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np

from kith.matching.texts import read_texts, text_hash
from kith.signals import embed
from kith.store import embeddings as store
from kith.store.sql import Db

log = logging.getLogger(__name__)

#: ``ledger_meta`` key: the ledger's stamp when the vectors were last refreshed.
STAMP_KEY = "match.stamp"
#: Texts embedded per batch (and written per transaction step).
BATCH = 2000


@dataclass(frozen=True, slots=True)
class Refreshed:
    """What a refresh did: people read, embedded anew, and dropped."""

    people: int
    embedded: int
    dropped: int


def refresh_if_stale(
    reader: AbstractContextManager[Db], writer: Callable[[], AbstractContextManager[Db]], now: int
) -> Refreshed | None:
    """Refresh through ``writer()`` when the ledger read by ``reader`` changed
    since the last refresh (the surfaces call this before they match)."""
    with reader as db:
        stale = is_stale(db)
    if not stale:
        return None
    with writer() as db:
        return refresh(db, now)


def is_stale(db: Db) -> bool:
    """Whether people's texts may have changed since the vectors were made."""
    return store.meta(db, STAMP_KEY) != _stamp(db)


def _stamp(db: Db) -> str:
    return f"{embed.model().model_id}|{store.ledger_stamp(db)}"


def refresh(db: Db, now: int) -> Refreshed:
    """Embed the people whose text changed, drop those with none; ``db`` is written."""
    model = embed.model()
    known = store.stored_hashes(db, model.model_id)
    seen: set[int] = set()
    pending: list[tuple[int, str, str]] = []
    embedded = 0

    def flush() -> int:
        vectors = model.encode([text for _, _, text in pending])
        rows = [
            (pid, digest, embed.to_blob(vec))
            for (pid, digest, _), vec in zip(pending, vectors, strict=True)
            if np.any(vec)
        ]
        store.write_vectors(db, model.model_id, rows, now)
        pending.clear()
        return len(rows)

    people = 0
    for person in read_texts(db):
        text = person.text
        if not text:
            continue
        people += 1
        seen.add(person.person_id)
        digest = text_hash(text)
        if known.get(person.person_id) != digest:
            pending.append((person.person_id, digest, text))
            if len(pending) >= BATCH:
                embedded += flush()
    if pending:
        embedded += flush()
    gone = [pid for pid in known if pid not in seen]
    store.drop_vectors(db, model.model_id, gone)
    ids, blobs = store.load_vectors(db, model.model_id)
    store.write_matrix(
        db, model.model_id, np.asarray(ids, dtype="<i8").tobytes(), b"".join(blobs), now
    )
    store.set_meta(db, STAMP_KEY, _stamp(db))
    log.info("match vectors: %d people, %d embedded, %d dropped", people, embedded, len(gone))
    return Refreshed(people, embedded, len(gone))
