"""How far ``kith sync imap`` got in each mailbox (table ``imap_sync``).

A mailbox's messages are known by UID, valid for as long as its UIDVALIDITY
stays the same. The state is the pair (UIDVALIDITY, highest UID committed),
per account and mailbox. It moves forward in the same transaction as the batch
of messages it describes (``SyncWriter``), so after a dropped connection or a
killed process it names exactly the last message stored, and the next sync
resumes after it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update

from kith.model import InteractionRecord, Skipped
from kith.store.schema import imap_sync
from kith.store.writer import BatchResult, LedgerWriter


@dataclass(frozen=True, slots=True)
class MailboxState:
    """A mailbox's UIDVALIDITY and the highest UID whose message is committed."""

    uidvalidity: int
    last_uid: int


def load_state(engine: Engine, account: str, mailbox: str) -> MailboxState | None:
    """The stored state of ``mailbox`` in ``account`` (``user@host:port``), if any."""
    with engine.connect() as conn:
        row = conn.execute(
            select(imap_sync.c.uidvalidity, imap_sync.c.last_uid).where(
                imap_sync.c.account == account, imap_sync.c.mailbox == mailbox
            )
        ).first()
    return None if row is None else MailboxState(int(row[0]), int(row[1]))


def save_state(
    conn: Connection,
    account: str,
    mailbox: str,
    state: MailboxState,
    *,
    now: int,
    import_id: int | None,
) -> None:
    """Record ``state`` inside the caller's transaction."""
    values = {
        "uidvalidity": state.uidvalidity,
        "last_uid": state.last_uid,
        "updated_at": now,
        "import_id": import_id,
    }
    changed = conn.execute(
        update(imap_sync)
        .where(imap_sync.c.account == account, imap_sync.c.mailbox == mailbox)
        .values(**values)
    ).rowcount
    if not changed:
        conn.execute(insert(imap_sync).values(account=account, mailbox=mailbox, **values))


class SyncWriter(LedgerWriter):
    """A ``LedgerWriter`` for one mailbox that commits the sync state with each batch.

    ``write_batch`` hands the batch to ``LedgerWriter.write``, which stores it in
    one transaction (its ``_begin``); the state is written in that same
    transaction, just before it commits. If the batch fails, neither is stored.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        account: str,
        mailbox: str,
        path: str,
        now: int,
        store_bodies: bool,
    ) -> None:
        super().__init__(engine, importer="imap", path=path, now=now, store_bodies=store_bodies)
        self.account = account
        self.mailbox = mailbox
        self._pending: MailboxState | None = None

    def write_batch(
        self,
        records: Sequence[InteractionRecord],
        bad: Sequence[Skipped],
        state: MailboxState,
    ) -> BatchResult:
        """Store a batch and move the mailbox's state to ``state``, atomically."""
        self._pending = state
        try:
            result = self.write(records, bad)
        finally:
            pending, self._pending = self._pending, None
        if pending is not None:  # pragma: no cover - guards a change in LedgerWriter.write
            raise RuntimeError("LedgerWriter.write no longer runs in _begin(): state not saved")
        return result

    def save(self, state: MailboxState) -> None:
        """Record ``state`` on its own (a mailbox with nothing new to store)."""
        with self._begin() as conn:
            save_state(
                conn, self.account, self.mailbox, state, now=self.now, import_id=self.import_id
            )

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with super()._begin() as conn:
            yield conn
            if self._pending is not None:
                save_state(
                    conn,
                    self.account,
                    self.mailbox,
                    self._pending,
                    now=self.now,
                    import_id=self.import_id,
                )
                self._pending = None
