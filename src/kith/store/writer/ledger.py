"""``LedgerWriter``: one import run, written batch by batch.

Each batch is one transaction: new people, identities, threads, circles,
interactions, participants, skipped records and the import run's counters
commit together or not at all, so an import killed half-way leaves the ledger
as it was after its last whole batch, and running it again finishes the job
(duplicates are recognised by ``(source, source_id)``).

The writer composes the parts beside it, each a module of its own: contact
cards and facts (``contacts``), interactions and their participants
(``interactions``), which resolve identities (``identities``), circles
(``circles``) and threads (``threads``). They share the run's ``RunState``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update

from kith.model import ContactRecord, InteractionRecord, Skipped
from kith.store.forget import blocked, without_forgotten
from kith.store.gives import mark_introductions
from kith.store.ids import allocate_ids
from kith.store.merging import recompute_directions
from kith.store.schema import identity, import_run, person, skipped
from kith.store.writer.contacts import store_contacts
from kith.store.writer.interactions import drop_duplicates, store_interactions
from kith.store.writer.state import RunState


@dataclass(slots=True)
class BatchResult:
    #: Records that added something: interactions, and contact records (``contacts``).
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    #: Of ``imported``, the contact records (cards, followers, users): not interactions.
    contacts: int = 0


class LedgerWriter:
    """Writes one import run. Use ``start``, then ``write`` per batch, then ``finish``."""

    def __init__(
        self,
        engine: Engine,
        *,
        importer: str,
        path: str,
        now: int,
        store_bodies: bool = True,
    ) -> None:
        self.engine = engine
        self.importer = importer
        self.path = path
        self.now = now
        self.store_bodies = store_bodies
        self._run = RunState(now=now)
        self.totals = BatchResult()
        #: The first and last interaction id this run stored.
        self._ids: tuple[int, int] | None = None
        self.introductions = 0
        #: Forgotten identities' hashes, and my identities' keys (None: nobody forgotten).
        self._blocked: tuple[tuple[bytes, frozenset[str]], frozenset[str]] | None = None

    @property
    def import_id(self) -> int:
        """The run's ``import_run`` id (0 before ``start``)."""
        return self._run.import_id

    # -- the run ---------------------------------------------------------

    def start(self) -> int:
        with self._begin() as conn:
            self._run.import_id = allocate_ids(conn, "import_run", 1)[0]
            conn.execute(
                import_run.insert(),
                {
                    "id": self.import_id,
                    "importer": self.importer,
                    "path": self.path,
                    "started_at": self.now,
                    "status": "running",
                    "imported": 0,
                    "duplicates": 0,
                    "skipped": 0,
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                },
            )
            self._run.known.me = {
                int(r[0])
                for r in conn.execute(
                    select(identity.c.id)
                    .join(person, person.c.id == identity.c.person_id)
                    .where(person.c.is_me.is_(True))
                )
            }
            block = blocked(conn)
            if block is not None:
                mine = conn.execute(
                    select(identity.c.kind, identity.c.value).where(
                        identity.c.id.in_(self._run.known.me)
                    )
                )
                self._blocked = (block, frozenset(f"{k}:{v}" for k, v in mine))
        return self.import_id

    def finish(self, status: str, finished_at: int) -> None:
        with self._begin() as conn:
            if self._ids is not None:
                lo, hi = self._ids
                self.introductions = mark_introductions(conn, run=self.import_id, lo=lo, hi=hi)
            conn.execute(
                update(import_run)
                .where(import_run.c.id == self.import_id)
                .values(status=status, finished_at=finished_at)
            )

    @property
    def stored_ids(self) -> tuple[int, int] | None:
        """The lowest and highest interaction id this run stored, or None."""
        return self._ids

    def _begin(self) -> AbstractContextManager[Connection]:
        return self.engine.execution_options(kith_write=True).begin()

    # -- one batch -------------------------------------------------------

    def write(
        self,
        records: Sequence[InteractionRecord],
        bad: Sequence[Skipped] = (),
        contacts: Sequence[ContactRecord] = (),
    ) -> BatchResult:
        """Store one batch in one transaction; returns what came of it.

        A contact counts as imported when it added something (an identity, a
        fact, a link between people), else as a duplicate.
        """
        result = BatchResult(skipped=len(bad))
        run = self._run
        if self._blocked is not None:
            # forgotten people stay forgotten; what is left out counts as known
            records, contacts, left_out = without_forgotten(*self._blocked, records, contacts)
            result.duplicates += left_out
        with self._begin() as conn:
            if contacts:
                added = store_contacts(conn, run, contacts)
                result.imported += added
                result.contacts += added
                result.duplicates += len(contacts) - added
            if run.me_changed:
                recompute_directions(conn)
                run.me_changed = False
            fresh = drop_duplicates(conn, records)
            result.duplicates += len(records) - len(fresh)
            if fresh:
                lo, hi = store_interactions(conn, run, fresh, store_bodies=self.store_bodies)
                if self._ids is not None:
                    lo, hi = min(lo, self._ids[0]), max(hi, self._ids[1])
                self._ids = (lo, hi)
            result.imported += len(fresh)
            if bad:
                conn.execute(
                    skipped.insert(),
                    [
                        {
                            "import_id": self.import_id,
                            "file": s.origin.file,
                            "position": s.origin.position,
                            "reason": s.reason,
                        }
                        for s in bad
                    ],
                )
            conn.execute(
                update(import_run)
                .where(import_run.c.id == self.import_id)
                .values(
                    imported=import_run.c.imported + result.imported,
                    duplicates=import_run.c.duplicates + result.duplicates,
                    skipped=import_run.c.skipped + result.skipped,
                )
            )
        run.known.trim()
        self.totals.imported += result.imported
        self.totals.duplicates += result.duplicates
        self.totals.skipped += result.skipped
        self.totals.contacts += result.contacts
        return result

    @property
    def me_added(self) -> list[str]:
        """The identities (``kind:value``) this run's cards made mine."""
        return list(self._run.me_added)
