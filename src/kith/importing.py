"""Running imports: importer → batches → ledger, with counts per file.

Every importer call is wrapped: a file that cannot be read is reported and
the batch goes on to the next; with ``fail_fast`` the first bad record or file
stops everything (what was already committed stays).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from kith.config import Settings
from kith.errors import InputError, KithError
from kith.ingest import registry
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.guard import guard
from kith.model import ContactRecord, InteractionRecord, Record, Skipped
from kith.store.writer import LedgerWriter

log = logging.getLogger(__name__)

#: How many skipped records a summary lists by place (all are stored).
SHOWN_PROBLEMS = 5


@dataclass(slots=True)
class FileSummary:
    """What importing one path did."""

    path: str
    importer: str
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    #: Values cut or dropped to their size limits (``kith.ingest.guard``).
    capped: int = 0
    #: Of ``imported``, the contact records (cards, followers, users): not interactions.
    contacts: int = 0
    #: Identities (``kind:value``) the file said are mine (an archive's owner).
    me_added: list[str] = field(default_factory=list)
    #: Why a file in a folder was passed over ("empty", "not recognised"); None: read.
    left_alone: str | None = None
    #: The ``import_run`` that stored it (0: none).
    run_id: int = 0
    error: str | None = None
    problems: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


#: Called as records are read: (path, records read so far, fraction done or None).
Progress = Callable[[str, int, float | None], None]
#: Called with each interaction read, before it is stored.
OnRecord = Callable[[InteractionRecord], None]


def import_paths(
    engine: Engine,
    paths: Iterable[Path],
    settings: Settings,
    *,
    now: int,
    fmt: str | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
    params: Mapping[str, str] | None = None,
    on_record: OnRecord | None = None,
) -> list[FileSummary]:
    """Import every path; one summary per file or folder imported.

    ``params`` are importer-specific settings (``kith import --option K=V``);
    ``on_record`` sees each interaction as it is read (the analytics score
    bodies early with it: ``kith.signals.valence.Ahead``).
    """
    options = ImportOptions(store_bodies=settings.store_bodies, params=dict(params or {}))
    with _fewer_gc_passes():
        return _import_paths(
            engine, paths, settings, options, now, fmt, fail_fast, progress, on_record
        )


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    """An import allocates millions of short-lived, acyclic objects; Python's
    default collector threshold (700) then runs full-heap passes over the
    writer's caches again and again (about a tenth of import time, measured in
    bench/RESULTS.md). Collect less often while importing."""
    saved = gc.get_threshold()
    gc.set_threshold(100_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def _import_paths(
    engine: Engine,
    paths: Iterable[Path],
    settings: Settings,
    options: ImportOptions,
    now: int,
    fmt: str | None,
    fail_fast: bool,
    progress: Progress | None,
    on_record: OnRecord | None = None,
) -> list[FileSummary]:
    summaries: list[FileSummary] = []
    for path in paths:
        passed_over: list[tuple[Path, str]] = []
        try:
            pairs = registry.plan(path, fmt, passed_over)
        except KithError as exc:
            if fail_fast:
                raise
            summaries.append(FileSummary(str(path), "?", error=str(exc)))
            continue
        except OSError as exc:
            if fail_fast:
                raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from exc
            summaries.append(FileSummary(str(path), "?", error=f"{path}: cannot read: {exc}"))
            continue
        if not pairs:
            error = f"{path}: found nothing kith can import here"
            if fail_fast:
                raise InputError("found nothing kith can import here", where=str(path))
            summaries.append(FileSummary(str(path), "?", error=error))
        summaries += [FileSummary(str(p), "-", left_alone=why) for p, why in passed_over]
        for target, importer in pairs:
            summaries.append(
                import_one(
                    engine,
                    target,
                    importer,
                    options,
                    settings.import_batch_size,
                    now=now,
                    fail_fast=fail_fast,
                    progress=progress,
                    on_record=on_record,
                )
            )
    return summaries


def import_one(
    engine: Engine,
    path: Path,
    importer: Importer,
    options: ImportOptions,
    batch_size: int,
    *,
    now: int,
    fail_fast: bool = False,
    progress: Progress | None = None,
    on_record: OnRecord | None = None,
) -> FileSummary:
    """Import one file or folder with ``importer`` into the ledger; ``on_record``
    sees each interaction as it is read."""
    summary = FileSummary(str(path), importer.name)
    writer = LedgerWriter(
        engine, importer=importer.name, path=str(path), now=now, store_bodies=options.store_bodies
    )
    writer.start()
    fraction = _fraction_of(importer, path)
    batch: list[InteractionRecord] = []
    contacts: list[ContactRecord] = []
    bad: list[Skipped] = []
    read = 0
    status = "failed"
    try:
        for raw in _caught(importer, path, options):
            read += 1
            guarded = guard(raw)
            record = guarded.record
            summary.capped += guarded.capped
            if isinstance(record, Skipped):
                if fail_fast:
                    writer.write(batch, [record], contacts)
                    batch, contacts = [], []
                    raise InputError(
                        record.reason, where=f"{record.origin.file}:{record.origin.position}"
                    )
                bad.append(record)
                if len(summary.problems) < SHOWN_PROBLEMS:
                    summary.problems.append(record)
            elif isinstance(record, ContactRecord):
                contacts.append(record)
            else:
                batch.append(record)
                if on_record is not None:
                    on_record(record)
            if len(batch) + len(bad) + len(contacts) >= batch_size:
                writer.write(batch, bad, contacts)
                batch, bad, contacts = [], [], []
                if progress:
                    progress(str(path), read, fraction(record))
        writer.write(batch, bad, contacts)
        status = "done"
    except InputError as exc:
        summary.error = str(exc)
        # what was read before the error is whole: keep it
        writer.write(batch, bad, contacts)
        if fail_fast:
            raise
    finally:
        writer.finish(status, now)
        _after_run(engine, writer, now)
        summary.imported = writer.totals.imported
        summary.duplicates = writer.totals.duplicates
        summary.skipped = writer.totals.skipped
        summary.contacts = writer.totals.contacts
        summary.me_added = writer.me_added
        summary.run_id = writer.import_id
    if progress:
        progress(str(path), read, 1.0)
    return summary


def _after_run(engine: Engine, writer: LedgerWriter, now: int) -> None:
    """What a run's new interactions set moving: the run's mail may move
    introductions on, and show what came of them (``kith.connect.introductions``)."""
    if writer.stored_ids is None:
        return
    from kith.connect.introductions import after_import

    lo, hi = writer.stored_ids
    with engine.execution_options(kith_write=True).begin() as conn:
        after_import(conn, run=writer.import_id, lo=lo, hi=hi, now=now)


def _caught(importer: Importer, path: Path, options: ImportOptions) -> Iterator[Record]:
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


def _fraction_of(importer: Importer, path: Path) -> Callable[[Record], float | None]:
    """How far through ``path`` a record is: by byte offset in one file, by
    file count in a folder."""
    files = importer.files(path)
    if len(files) > 1:
        index = {str(f): i for i, f in enumerate(files)}
        total_files = len(files)

        def by_file(record: Record) -> float | None:
            i = index.get(record.origin.file)
            return None if i is None else (i + 1) / total_files

        return by_file
    size = importer.size(path)

    def by_offset(record: Record) -> float | None:
        return min(1.0, record.origin.position / size) if size else None

    return by_offset
