"""Imports started from the web: one background thread each, watched by polling.

An uploaded file is saved under the upload folder with its own name (the
importers recognise a format partly by its name), then imported with
``kith.importing.import_paths`` exactly as ``kith import`` does; its progress
callback updates the job, which the Import page polls.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kith.config import Settings
from kith.errors import NotFoundError
from kith.web.ledger import Ledger

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Job:
    id: int
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


class Jobs:
    """The imports this server has run (kept in memory while it runs)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def get(self, job_id: int) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no import #{job_id}", hint="imports are kept until restart")
        return job

    def recent(self) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: -j.id)[:10]

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
            job = Job(next(self._ids), name, time.time())
            self._jobs[job.id] = job
        threading.Thread(
            target=self._run, args=(job, path, folder), name=f"kith-import-{job.id}", daemon=True
        ).start()
        return job

    def _run(self, job: Job, path: Path, folder: Path) -> None:
        from kith.importing import import_paths

        def progress(_path: str, records: int, fraction: float | None) -> None:
            job.records = records
            job.fraction = fraction

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
            shutil.rmtree(folder, ignore_errors=True)
