"""Imports started from the web: one background thread each, watched by polling.

An uploaded file is written once, straight from the request, under the
upload folder with its own name (the importers recognise a format partly by
its name; a name that is not a plain file name is refused), then imported with
``kith.importing.import_paths`` exactly as ``kith import`` does; its progress
callback updates the job, which the Import page polls.

A job's state is also written to a small JSON file in the ledger's web
folder (``$XDG_DATA_HOME/kith/web/<ledger>/``), a few times a second: with
``kith serve --workers N`` the page's polls land on any of the processes,
and each reads the file of a job another one runs. At most
``WebConfig.max_imports`` run at once in a process; one more is refused (429).
Errors shown on the page name files, never the server's folders.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kith.config import Settings
from kith.errors import KithError, NotFoundError
from kith.files import PRIVATE_FILE, private_folder, write_private
from kith.web.errors import TooManyRequests, without_paths
from kith.web.ledger import Ledger

log = logging.getLogger(__name__)


#: Seconds between writes of a running job's progress to its file.
WRITE_EVERY = 0.25
#: Imports listed on the Import page.
RECENT = 10
#: The longest file name kept (most file systems' limit, in bytes).
MAX_NAME_BYTES = 255


class BadUploadName(KithError):
    """An upload's name that is not a plain file name (``..``, a NUL, empty)."""


def readable(error: str) -> str:
    """An importer's error for the page: no server paths, its hint on the same line."""
    return " — ".join(part.strip() for part in without_paths(error).split("\n") if part.strip())


def upload_name(filename: str) -> str:
    """The file name an upload is saved under: its last path part, which must
    be a plain name. ``BadUploadName`` (400) for ``..``, ``a/..``, a NUL, …"""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if (
        name in ("", ".", "..")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
        or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES
    ):
        raise BadUploadName(
            f"not a file name: {filename[:80]!r}",
            hint="send the export under its own name (twitter.zip, contacts.vcf, …)",
        )
    return name


@dataclass(slots=True)
class Job:
    id: str
    filename: str
    started_at: float
    status: str = "running"  # running, refreshing (the figures, after the import), done, failed
    records: int = 0
    fraction: float | None = None
    finished_at: float | None = None
    summaries: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    #: What the analytics refresh after the import did (``relationships``, ``ties``),
    #: or why it did not happen (``failed``): the import counts either way.
    refreshed: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "status": self.status,
            "records": self.records,
            "fraction": self.fraction,
            "seconds": round((self.finished_at or time.time()) - self.started_at, 1),
            "summaries": self.summaries,
            "error": self.error,
            "refreshed": self.refreshed,
        }

    def state(self) -> dict[str, Any]:
        return {**self.as_dict(), "started_at": self.started_at, "finished_at": self.finished_at}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> Job:
        return cls(
            id=str(d["id"]),
            filename=str(d["filename"]),
            started_at=float(d["started_at"]),
            status=str(d["status"]),
            records=int(d["records"]),
            fraction=d["fraction"],
            finished_at=d["finished_at"],
            summaries=list(d["summaries"]),
            error=d["error"],
            refreshed=d.get("refreshed"),
        )


class Upload:
    """A file being received for an import: written once, where it is imported."""

    def __init__(self, jobs: Jobs, name: str, folder: Path) -> None:
        self.jobs = jobs
        self.name = name
        self.folder = folder
        self.path = folder / name
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        self.file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def abandon(self) -> None:
        """The request failed: nothing of it stays, and its slot is free again."""
        self.file.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.jobs._release()


class Jobs:
    """The imports started from the web on one ledger."""

    def __init__(self, ledger: Ledger, folder: Path | None = None) -> None:
        self.ledger = ledger
        self.folder = folder or ledger.config.state_folder
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._running = 0

    def _file(self, job_id: str) -> Path:
        return self.folder / f"import-{job_id}.json"

    def _save(self, job: Job) -> None:
        private_folder(self.folder)
        partial = self._file(job.id).with_suffix(".partial")
        write_private(partial, json.dumps(job.state()).encode())
        partial.replace(self._file(job.id))

    def get(self, job_id: str) -> Job:
        """A job this process runs, else the last state another one wrote."""
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        path = self._file(job_id) if job_id.isascii() and job_id.isalnum() else None
        if path is None or not path.is_file():
            raise NotFoundError(f"no import {job_id[:40]!r}", hint="the Import page lists them")
        return Job.from_state(json.loads(path.read_text()))

    def recent(self) -> list[Job]:
        """The latest imports on this ledger, newest first."""
        if not self.folder.is_dir():
            return []
        files = sorted(
            self.folder.glob("import-*.json"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        found = []
        for path in files[:RECENT]:
            try:
                found.append(Job.from_state(json.loads(path.read_text())))
            except (OSError, ValueError, KeyError):  # being replaced right now
                continue
        return sorted(found, key=lambda j: -j.started_at)

    def _release(self) -> None:
        with self._lock:
            self._running -= 1

    def receive(self, filename: str) -> Upload:
        """Make room for an upload named ``filename``: ``BadUploadName`` for a
        name that is not one, ``TooManyRequests`` while the most imports run."""
        name = upload_name(filename)
        limit = self.ledger.config.max_imports
        with self._lock:
            if self._running >= limit:
                raise TooManyRequests(
                    f"too many imports are running ({self._running})",
                    hint="wait for one to finish (the Import page shows them), then send it again",
                    retry_after=10,
                )
            self._running += 1
        folder: Path | None = None
        try:
            base = self.ledger.config.upload_dir
            if base is not None:
                private_folder(base)
            folder = Path(tempfile.mkdtemp(prefix="kith-upload-", dir=base))
            return Upload(self, name, folder)
        except BaseException:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            self._release()
            raise

    def start(self, upload: Upload) -> Job:
        """Import a received upload in the background."""
        upload.file.close()
        with self._lock:
            job = Job(secrets.token_hex(5), upload.name, time.time())
            self._jobs[job.id] = job
        try:
            self._save(job)
            threading.Thread(
                target=self._run,
                args=(job, upload.path, upload.folder),
                name=f"kith-import-{job.id}",
                daemon=True,
            ).start()
        except BaseException:
            upload.abandon()
            raise
        return job

    def _refresh(self) -> dict[str, Any]:
        """Bring the figures up to date after an import, as ``kith import`` does:
        the relationship features, the circles' yields, the match vectors (one
        refresh at a time: they share the analytics mirror)."""
        from kith.analytics import refresh
        from kith.connect.circles import refresh_yields
        from kith.matching.index import refresh_if_stale
        from kith.store.sql import using

        engine = self.ledger.engine
        now = int(time.time())
        try:
            with self._refreshing:
                result = refresh(engine, now=now)
                refresh_yields(engine, now)  # the private circles' new-tie yield
                # kith match's vectors for the people whose words changed
                refresh_if_stale(using(engine), lambda: using(engine, write=True), now)
        except Exception as exc:  # the import stands; the page says what to do
            log.exception("the refresh after an import failed")
            return {"failed": readable(str(exc))}
        return {"relationships": result.relationships, "ties": result.ties}

    def _run(self, job: Job, path: Path, folder: Path) -> None:
        from kith.importing import import_paths

        written = time.monotonic()

        def progress(_path: str, records: int, fraction: float | None) -> None:
            nonlocal written
            job.records = records
            job.fraction = fraction
            if time.monotonic() - written > WRITE_EVERY:
                written = time.monotonic()
                self._save(job)

        config = self.ledger.config
        settings = Settings(database_url=config.database_url, store_bodies=config.store_bodies)
        status, error = "failed", None
        try:
            summaries = import_paths(
                self.ledger.engine, [path], settings, now=self.ledger.now(), progress=progress
            )
            job.summaries = [
                {
                    "path": Path(s.path).name,
                    "importer": s.importer,
                    "imported": s.imported,
                    "duplicates": s.duplicates,
                    "skipped": s.skipped,
                    "error": readable(s.error) if s.error else None,
                }
                for s in summaries
            ]
            errors = [readable(s.error) for s in summaries if s.error]
            status = "failed" if errors else "done"
            error = "; ".join(errors) or None
            job.fraction = 1.0 if not errors else job.fraction
            if sum(s.imported for s in summaries):
                job.status = "refreshing"
                self._save(job)
                job.refreshed = self._refresh()
        except Exception as exc:  # reported on the page; the server goes on
            log.exception("import of %s failed", job.filename)
            error = without_paths(str(exc))
        finally:
            # The slot is free before the job shows as ended: whoever waited
            # for it may start the next import at once.
            shutil.rmtree(folder, ignore_errors=True)
            self._release()
            job.status, job.error, job.finished_at = status, error, time.time()
            self._save(job)
