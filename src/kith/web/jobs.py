"""Imports started from the web: one background thread each, watched by polling.

An uploaded file is saved under the upload folder with its own name (the
importers recognise a format partly by its name), then imported with
``kith.importing.import_paths`` exactly as ``kith import`` does; its progress
callback updates the job, which the Import page polls.

A job's state is also written to a small JSON file in the ledger's web
folder (``$XDG_DATA_HOME/kith/web/<ledger>/``), a few times a second: with
``kith serve --workers N`` the page's polls land on any of the processes,
and each reads the file of a job another one runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kith.config import Settings, data_home
from kith.errors import NotFoundError
from kith.web.ledger import Ledger

log = logging.getLogger(__name__)


#: Seconds between writes of a running job's progress to its file.
WRITE_EVERY = 0.25
#: Imports listed on the Import page.
RECENT = 10


@dataclass(slots=True)
class Job:
    id: str
    filename: str
    started_at: float
    status: str = "running"  # running, done, failed
    records: int = 0
    fraction: float | None = None
    finished_at: float | None = None
    summaries: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

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
        )


class Jobs:
    """The imports started from the web on one ledger."""

    def __init__(self, ledger: Ledger, folder: Path | None = None) -> None:
        self.ledger = ledger
        key = hashlib.sha1(ledger.config.database_url.encode()).hexdigest()[:12]
        self.folder = folder or data_home() / "web" / key
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def _file(self, job_id: str) -> Path:
        return self.folder / f"import-{job_id}.json"

    def _save(self, job: Job) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self._file(job.id).with_suffix(".partial")
        partial.write_text(json.dumps(job.state()))
        partial.replace(self._file(job.id))

    def get(self, job_id: str) -> Job:
        """A job this process runs, else the last state another one wrote."""
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        path = self._file(job_id) if job_id.isalnum() else None
        if path is None or not path.is_file():
            raise NotFoundError(f"no import {job_id!r}", hint="the Import page lists them")
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

    def start(self, filename: str, data: IO[bytes]) -> Job:
        """Save ``data`` as ``filename`` and import it in the background."""
        name = Path(filename).name or "upload"
        base = self.ledger.config.upload_dir
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="kith-upload-", dir=base))
        path = folder / name
        with path.open("wb") as out:
            shutil.copyfileobj(data, out)
        with self._lock:
            job = Job(secrets.token_hex(5), name, time.time())
            self._jobs[job.id] = job
        self._save(job)
        threading.Thread(
            target=self._run, args=(job, path, folder), name=f"kith-import-{job.id}", daemon=True
        ).start()
        return job

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
                    "error": s.error,
                }
                for s in summaries
            ]
            errors = [s.error for s in summaries if s.error]
            job.status = "failed" if errors else "done"
            job.error = "; ".join(errors) or None
            job.fraction = 1.0 if not errors else job.fraction
        except Exception as exc:  # reported on the page; the server goes on
            log.exception("import of %s failed", job.filename)
            job.status = "failed"
            job.error = str(exc)
        finally:
            job.finished_at = time.time()
            self._save(job)
            shutil.rmtree(folder, ignore_errors=True)
