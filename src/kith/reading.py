"""An importer's records, guarded, read in a process of its own while the ledger is written.

An import is two halves of interpreter work of about the same size: parsing
the file (the importer, then ``kith.ingest.guard``) and storing what it
yields (``kith.store.writer``). One process does one after the other; with a
second core, a reading process parses the next records while this one stores
the last, and sends them over in chunks of ``CHUNK`` (bench/RESULTS.md, "What
a user waits on").

The child runs the very same code over the whole input in file order, so the
records, and the rows stored from them, are the same either way
(``tests/test_reading.py``). It is used for inputs of ``PARALLEL_FROM_BYTES``
or more, where there is more than one core and the importer can be handed to
another process (a plugin's may not be: then it is read here, as smaller
inputs are). Whatever the importer raises reaches the caller as it would
have here: ``read`` yields the records read before it, then raises it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import queue
from collections.abc import Iterator
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from kith.errors import InputError, KithError
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.guard import guard
from kith.model import Record

log = logging.getLogger(__name__)

#: Inputs this big or bigger are read in a process of their own.
PARALLEL_FROM_BYTES = 16 << 20
#: Records sent over at a time.
CHUNK = 500
#: Chunks the child may read ahead of the host (about a batch of the writer's).
AHEAD_CHUNKS = 40
#: How long the host waits for a chunk before it looks whether the child is alive.
CHILD_SILENT_SECONDS = 1.0

#: A record as the host stores it, and how many of its values were capped.
Guarded = tuple[Record, int]


def read(importer: Importer, path: Path, options: ImportOptions) -> Iterator[Guarded]:
    """Every record of ``path``, guarded, in file order: read in a child
    process when it pays (see the module docstring), else here."""
    if not _pays(importer, path):
        for raw in caught(importer, path, options):
            guarded = guard(raw)
            yield guarded.record, guarded.capped
        return
    yield from _from_child(importer, path, options)


def caught(importer: Importer, path: Path, options: ImportOptions) -> Iterator[Record]:
    """``importer.extract``, with whatever it raises besides a ``KithError`` made
    an ``InputError`` for this file, naming the importer (as fava and beangulp
    wrap every importer call): a broken importer, built-in or plugin, fails its
    file and the run goes on."""
    try:
        yield from importer.extract(path, options)
    except KithError:
        raise
    except Exception as exc:
        log.debug("importer %s failed on %s", importer.name, path, exc_info=True)
        raise InputError(
            f"the {importer.name} importer failed: {type(exc).__name__}: {exc}",
            where=str(path),
            hint="the records read before it are stored; kith -v import … shows the traceback",
        ) from exc


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _pays(importer: Importer, path: Path) -> bool:
    if cores() < 2 or importer.size(path) < PARALLEL_FROM_BYTES:
        return False
    try:
        pickle.dumps(importer)
    except Exception:  # a plugin's importer that cannot travel: read here
        log.debug("importer %s cannot be sent to a process; reading here", importer.name)
        return False
    return True


def _from_child(importer: Importer, path: Path, options: ImportOptions) -> Iterator[Guarded]:
    # forkserver, as for scoring (kith.signals.valence): a plain fork would
    # copy this process's threads' locks mid-flight.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    # A queue, not a bare pipe: the child's chunks wait in it (up to
    # AHEAD_CHUNKS) while this process writes a batch, so reading goes on.
    chunks: Queue[tuple[str, Any]] = context.Queue(AHEAD_CHUNKS)
    child = context.Process(target=_child, args=(chunks, importer, path, options), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = chunks.get(timeout=CHILD_SILENT_SECONDS)
            except queue.Empty:
                if child.is_alive():
                    continue
                raise InputError(
                    f"the process reading the file stopped (exit code {child.exitcode})",
                    where=str(path),
                    hint="kith -v import … shows what it said",
                ) from None
            if kind == "records":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        chunks.close()


def _child(
    out: Queue[tuple[str, Any]], importer: Importer, path: Path, options: ImportOptions
) -> None:
    """The reading process: chunks of guarded records, then ``("done", None)``
    or ``("error", the KithError)``."""
    chunk: list[Guarded] = []
    try:
        for raw in caught(importer, path, options):
            guarded = guard(raw)
            chunk.append((guarded.record, guarded.capped))
            if len(chunk) >= CHUNK:
                out.put(("records", chunk))
                chunk = []
        out.put(("records", chunk))
        out.put(("done", None))
    except KithError as exc:
        out.put(("records", chunk))
        out.put(("error", exc))
