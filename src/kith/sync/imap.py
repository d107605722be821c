"""``kith sync imap``: keep the ledger in step with IMAP mailboxes.

Per mailbox: open it read-only and compare its UIDVALIDITY with the stored
state. The same one: look up the UIDs above the last one committed. Another
one: the mailbox was recreated and its UIDs mean something new, so all of it
is read again (the ledger recognises what it already holds by Message-ID and
stores nothing twice). The UIDs are fetched ``batch_size`` at a time; each
batch is parsed and written together with the new state in one transaction,
the same batched writes as ``kith import``, recorded as an import run of
importer ``imap``.

A dropped connection is retried ``retries`` times after a growing pause, each
time resuming after the last committed UID. When it still fails, what was
committed stays, the summary says where it stopped, and running the same
command again resumes there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from kith.importing import SHOWN_PROBLEMS, FileSummary, Progress
from kith.ingest.base import ImportOptions
from kith.ingest.imap import (
    ImapAccount,
    ImapClient,
    ImapConnectionError,
    ImapError,
    ImapLoginError,
    ImapSecurityError,
    read_message,
)
from kith.model import InteractionRecord, Skipped
from kith.store.sync_state import MailboxState, SyncWriter, load_state

log = logging.getLogger(__name__)

#: UIDs fetched, and committed, per batch.
FETCH_BATCH = 500
#: Times a dropped connection is retried before the sync gives up.
RETRIES = 2
#: Pause before the first retry; it doubles for each one after.
RETRY_DELAY_SECONDS = 1.0


@dataclass(slots=True)
class MailboxSummary(FileSummary):
    """What syncing one mailbox did (``path`` is its ``imap://`` URL)."""

    mailbox: str = ""
    #: Messages fetched in batches that were committed, in this run.
    fetched: int = 0
    #: The mailbox's UIDVALIDITY and the highest UID committed, after the run.
    uidvalidity: int = 0
    last_uid: int = 0
    #: ``(stored, found)`` UIDVALIDITY when the mailbox had been recreated.
    recreated: tuple[int, int] | None = None
    #: Dropped connections that were retried.
    retried: int = 0


class _Session:
    """The connection, opened when first needed and again after it dropped."""

    def __init__(self, account: ImapAccount, password: str) -> None:
        self.account = account
        self._password = password
        self._client: ImapClient | None = None

    def client(self) -> ImapClient:
        if self._client is None:
            self._client = ImapClient.connect(self.account, self._password)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def sync_imap(
    engine: Engine,
    account: ImapAccount,
    password: str,
    mailboxes: Sequence[str],
    *,
    now: int,
    bodies: bool = False,
    batch_size: int = FETCH_BATCH,
    retries: int = RETRIES,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[MailboxSummary]:
    """Fetch what is new in each of ``mailboxes`` into the ledger; a summary per mailbox.

    Headers only unless ``bodies``. A mailbox that cannot be opened is reported
    in its summary and the others go on; a connection that keeps dropping ends
    the run (its summary says so, later mailboxes are not tried). A refused
    login raises ``ImapLoginError``; a failed TLS set-up ``ImapSecurityError``.
    """
    options = ImportOptions(store_bodies=bodies)
    session = _Session(account, password)
    summaries: list[MailboxSummary] = []
    try:
        for i, mailbox in enumerate(mailboxes):
            summary, gave_up = _sync_mailbox(
                engine, session, mailbox, options, batch_size, retries, now, progress, sleep
            )
            summaries.append(summary)
            if gave_up:
                rest = list(mailboxes[i + 1 :])
                if rest:
                    summary.error = f"{summary.error}; not tried: {', '.join(rest)}"
                break
    finally:
        session.close()
    return summaries


def _sync_mailbox(
    engine: Engine,
    session: _Session,
    mailbox: str,
    options: ImportOptions,
    batch_size: int,
    retries: int,
    now: int,
    progress: Progress | None,
    sleep: Callable[[float], None],
) -> tuple[MailboxSummary, bool]:
    """Sync one mailbox, retrying dropped connections; ``(summary, gave up)``."""
    account = session.account
    path = account.url(mailbox)
    summary = MailboxSummary(path, "imap", mailbox=mailbox)
    writer = SyncWriter(
        engine,
        account=account.key,
        mailbox=mailbox,
        path=path,
        now=now,
        store_bodies=options.store_bodies,
    )
    writer.start()
    status = "failed"
    try:
        while True:
            try:
                _fetch_new(session.client(), writer, summary, options, batch_size, progress)
                status = "done"
                return summary, False
            except (ImapLoginError, ImapSecurityError):
                raise  # no mailbox will fare better
            except ImapConnectionError as exc:
                session.close()
                if summary.retried >= retries:
                    attempts = summary.retried + 1
                    summary.error = (
                        f"{exc.message} ({attempts} attempt{'s' if attempts > 1 else ''}); "
                        f"stored up to UID {summary.last_uid}: run the same command again "
                        "to resume"
                    )
                    return summary, True
                summary.retried += 1
                delay = RETRY_DELAY_SECONDS * 2 ** (summary.retried - 1)
                log.warning(
                    "%s: %s; retrying in %.0f s (%d of %d)",
                    path,
                    exc.message,
                    delay,
                    summary.retried,
                    retries,
                )
                sleep(delay)
            except ImapError as exc:
                summary.error = str(exc)
                return summary, False
    finally:
        writer.finish(status, now)
        summary.imported = writer.totals.imported
        summary.duplicates = writer.totals.duplicates
        summary.skipped = writer.totals.skipped


def _fetch_new(
    client: ImapClient,
    writer: SyncWriter,
    summary: MailboxSummary,
    options: ImportOptions,
    batch_size: int,
    progress: Progress | None,
) -> None:
    """Fetch and store the mailbox's messages above the last committed UID."""
    info = client.select(summary.mailbox)
    state = load_state(writer.engine, writer.account, summary.mailbox)
    last_uid = 0
    if state is not None and state.uidvalidity == info.uidvalidity:
        last_uid = state.last_uid
    elif state is not None and summary.recreated is None:
        summary.recreated = (state.uidvalidity, info.uidvalidity)
        log.warning(
            "%s was recreated on the server (UIDVALIDITY %d, was %d): reading all of it again",
            summary.path,
            info.uidvalidity,
            state.uidvalidity,
        )
    summary.uidvalidity, summary.last_uid = info.uidvalidity, last_uid
    uids = client.uids_after(last_uid, info.uidnext)
    log.info("%s: %d new message(s) above UID %d", summary.path, len(uids), last_uid)
    if not uids:
        if state != MailboxState(info.uidvalidity, last_uid):
            writer.save(MailboxState(info.uidvalidity, last_uid))
        return
    done_before = summary.fetched
    previous: int | None = None
    for start in range(0, len(uids), batch_size):
        batch = uids[start : start + batch_size]
        messages = client.fetch(batch, bodies=options.store_bodies)
        records: list[InteractionRecord] = []
        bad: list[Skipped] = []
        for message in messages:
            record = read_message(message, summary.path, options, fallback_date=previous)
            if isinstance(record, Skipped):
                bad.append(record)
                if len(summary.problems) < SHOWN_PROBLEMS:
                    summary.problems.append(record)
            else:
                records.append(record)
                previous = record.occurred_at
        writer.write_batch(records, bad, MailboxState(info.uidvalidity, batch[-1]))
        summary.fetched += len(messages)
        summary.last_uid = batch[-1]
        if progress:
            done = summary.fetched - done_before
            progress(summary.path, summary.fetched, done / max(len(uids), done, 1))
