"""``kith sync imap`` against a real Dovecot on loopback (tests/imap_server.py), on
SQLite and PostgreSQL: the Apache archives go in by IMAP APPEND and must come
out as the same ledger as ``kith import`` of the files.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from click.testing import CliRunner
from keyring.backend import KeyringBackend
from keyring.backends import fail
from sqlalchemy import func, select

from kith.cli import cli
from kith.config import Settings
from kith.importing import import_paths
from kith.ingest.base import ImportOptions
from kith.ingest.email_headers import parse_envelope_date
from kith.ingest.imap import (
    FetchedMessage,
    ImapAccount,
    ImapLoginError,
    ImapSecurityError,
    Security,
    fetch_answer_messages,
    internaldate,
    mailbox_arg,
    read_message,
    uid_set,
)
from kith.ingest.mbox import split_mbox, unquote_from_lines
from kith.model import InteractionRecord
from kith.store import repository
from kith.store.db import open_store
from kith.store.schema import circle, identity, import_run, interaction, metadata, participant
from kith.store.schema import thread as thread_t
from kith.store.sync_state import MailboxState, load_state
from kith.sync.imap import MailboxSummary, sync_imap
from tests.imap_server import CuttingProxy, DovecotServer, append_all, find_dovecot

USER = "kith"
#: Distinctive, and not ASCII (it travels by SASL PLAIN in UTF-8): it must never
#: show up in the ledger, the output or the logs.
PASSWORD = "Zq7-pässwörd-never-stored"
TEMPLATE = "apache-template"
NOW = 1_700_000_000
#: Messages in the Apache archives, and distinct Message-IDs among them.
MESSAGES, DISTINCT = 986, 983

_boxes = itertools.count()


# --- the server and its mail ---------------------------------------------------------------


@pytest.fixture(scope="session")
def apache_messages(shared_data: Path) -> list[tuple[bytes, int | None]]:
    """Every Apache message in file order, with its mbox ``From `` line's date, as a
    mail client would hold it (no mbox ``>From`` quoting)."""
    messages = []
    for path in sorted((shared_data / "email" / "apache").glob("*.mbox")):
        with path.open("rb") as file:
            for _, envelope, raw in split_mbox(file, where=str(path)):
                when = parse_envelope_date(envelope.decode("latin-1")) if envelope else None
                messages.append((unquote_from_lines(raw), when))
    assert len(messages) == MESSAGES
    return messages


@pytest.fixture(scope="session")
def dovecot(apache_messages: list[tuple[bytes, int | None]]) -> Iterator[DovecotServer]:
    binary = find_dovecot()
    if binary is None:
        message = "Dovecot not found (scripts/setup --system installs Debian's dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = DovecotServer(binary)
    server.add_user(USER, PASSWORD)
    server.start()  # a server that is there but will not start is a failure, CI or not
    try:
        conn = server.connect(USER)
        conn.create(mailbox_arg(TEMPLATE))
        append_all(conn, TEMPLATE, apache_messages)
        conn.logout()
        yield server
    finally:
        server.stop()


def copy_template(server: DovecotServer, name: str) -> None:
    """A new mailbox ``name`` holding the Apache messages (UIDs 1..986), by server-side COPY."""
    conn = server.connect(USER)
    try:
        assert conn.create(mailbox_arg(name))[0] == "OK"
        conn.select(mailbox_arg(TEMPLATE), readonly=True)
        typ, data = conn.uid("COPY", "1:*", mailbox_arg(name))
        assert typ == "OK", data
    finally:
        conn.logout()


@pytest.fixture
def mailbox(dovecot: DovecotServer) -> str:
    """A fresh mailbox with all the Apache messages."""
    name = f"apache-{next(_boxes)}"
    copy_template(dovecot, name)
    return name


@pytest.fixture
def small_mailbox(dovecot: DovecotServer, apache_messages: list[Any]) -> str:
    """A fresh mailbox with the first five Apache messages."""
    name = f"small-{next(_boxes)}"
    conn = dovecot.connect(USER)
    conn.create(mailbox_arg(name))
    append_all(conn, name, apache_messages[:5])
    conn.logout()
    return name


def new_message(i: int) -> bytes:
    return (
        "From: Ana Lima <ana@example.org>\r\nTo: Bo <bo@example.org>\r\n"
        f"Subject: new mail {i}\r\nDate: Mon, 3 Mar 2025 10:0{i}:00 +0000\r\n"
        f"Message-ID: <new-{i}@example.org>\r\n\r\nHello {i}\r\n"
    ).encode()


# --- what a ledger holds ------------------------------------------------------------------


class MemoryKeyring(KeyringBackend):
    """A keyring in memory: the tests never touch the developer's own."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.saved.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.saved[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.saved.pop((service, username), None)


@pytest.fixture(autouse=True)
def _no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No keyring and no password in the environment, unless a test sets one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("KITH_IMAP_PASSWORD", raising=False)
    yield
    keyring.set_keyring(previous)


def ledger_rows(engine: Any, *, bodies: bool = False) -> dict[str, tuple[Any, ...]]:
    """Every interaction by Message-ID, as it would be compared by eye (no ids)."""
    with engine.connect() as conn:
        # Without display names: an identity keeps the first one its batch had,
        # so they depend on where batches end (files for import, UIDs for sync).
        parts: dict[int, list[tuple[str, str]]] = {}
        for iid, role, value in conn.execute(
            select(participant.c.interaction_id, participant.c.role, identity.c.value).join(
                identity, identity.c.id == participant.c.identity_id
            )
        ):
            parts.setdefault(iid, []).append((role, value))
        rows = conn.execute(
            select(
                interaction.c.id,
                interaction.c.source_id,
                interaction.c.kind,
                interaction.c.direction,
                interaction.c.occurred_at,
                interaction.c.tz_offset_min,
                interaction.c.date_quality,
                interaction.c.parent_ref,
                interaction.c.is_reply,
                interaction.c.subject,
                interaction.c.body,
                thread_t.c.root_key,
                circle.c.key,
            )
            .outerjoin(thread_t, thread_t.c.id == interaction.c.thread_id)
            .outerjoin(circle, circle.c.id == interaction.c.circle_id)
        )
        return {
            r.source_id: (
                *r[2:10],
                r.body if bodies else None,
                r.root_key,
                r.key,
                tuple(sorted(parts.get(r.id, []))),
            )
            for r in rows
        }


@pytest.fixture(scope="session")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What ``kith import`` makes of the Apache files: the reference."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'kith.db'}"
    engine = open_store(url)
    summaries = import_paths(
        engine, [shared_data / "email" / "apache"], Settings(database_url=url), now=NOW
    )
    assert all(s.ok for s in summaries)
    result = {"stats": repository.stats(engine), "rows": ledger_rows(engine, bodies=True)}
    engine.dispose()
    return result


def account(port: int) -> ImapAccount:
    return ImapAccount("127.0.0.1", USER, port, Security.PLAIN, timeout=10)


def sync(engine: Any, port: int, mailbox: str, **options: Any) -> MailboxSummary:
    [summary] = sync_imap(
        engine, account(port), PASSWORD, [mailbox], now=NOW, sleep=lambda _s: None, **options
    )
    return summary


def count(engine: Any, table: Any = interaction) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def cli_sync(db_url: str, port: int, *args: str, password: str | None = PASSWORD, **kw: Any):
    env = {"KITH_IMAP_PASSWORD": password}
    base = ["--db", db_url, "sync", "imap", "--host", "127.0.0.1", "--port", str(port)]
    return CliRunner().invoke(
        cli, [*base, "--user", USER, "--plain", "-q", *args], env=env, catch_exceptions=False, **kw
    )


def flags(server: DovecotServer, mailbox: str) -> list[bytes]:
    conn = server.connect(USER)
    try:
        conn.select(mailbox_arg(mailbox), readonly=True)
        _, data = conn.uid("FETCH", "1:*", "(FLAGS)")
        return [d for d in data if isinstance(d, bytes)]
    finally:
        conn.logout()


# --- the first sync, and then the next ones --------------------------------------------------


def test_first_sync_stores_what_kith_import_stores(
    db_url, engine, dovecot, mailbox, imported, shared_data
):
    summary = sync(engine, dovecot.port, mailbox)

    assert summary.ok, summary.error
    assert (summary.fetched, summary.imported, summary.duplicates) == (MESSAGES, DISTINCT, 3)
    assert summary.last_uid == MESSAGES and summary.recreated is None
    assert count(engine) == DISTINCT
    assert repository.stats(engine) == imported["stats"]
    # Field by field, participants and threads too; headers only, so no bodies.
    assert ledger_rows(engine) == {
        sid: (*row[:8], None, *row[9:]) for sid, row in imported["rows"].items()
    }
    with engine.connect() as conn:
        run = conn.execute(select(import_run)).one()
        origins = conn.execute(select(interaction.c.origin_file).distinct()).scalars().all()
        bodies = conn.execute(select(func.count()).where(interaction.c.body.is_not(None)))
        assert bodies.scalar_one() == 0
    assert (run.importer, run.status, run.imported, run.duplicates) == ("imap", "done", 983, 3)
    assert origins == [f"imap://{USER}@127.0.0.1:{dovecot.port}/{mailbox}"]
    state = load_state(engine, account(dovecot.port).key, mailbox)
    assert state is not None and state.last_uid == MESSAGES

    # The same messages from the files are recognised: nothing new.
    again = import_paths(
        engine, [shared_data / "email" / "apache"], Settings(database_url=db_url), now=NOW
    )
    assert (sum(s.imported for s in again), sum(s.duplicates for s in again)) == (0, MESSAGES)


def test_next_sync_fetches_only_new_mail(engine, dovecot, mailbox):
    first = sync(engine, dovecot.port, mailbox, batch_size=300)
    assert first.fetched == MESSAGES

    conn = dovecot.connect(USER)
    append_all(conn, mailbox, [(new_message(i), None) for i in range(3)])
    conn.logout()

    second = sync(engine, dovecot.port, mailbox)
    assert (second.fetched, second.imported, second.duplicates) == (3, 3, 0)
    assert second.last_uid == MESSAGES + 3
    assert count(engine) == DISTINCT + 3

    third = sync(engine, dovecot.port, mailbox)
    assert (third.fetched, third.imported) == (0, 0)
    assert third.ok and third.last_uid == MESSAGES + 3


def test_bodies_are_fetched_when_asked_and_nothing_is_marked_read(
    engine, dovecot, mailbox, imported
):
    summary = sync(engine, dovecot.port, mailbox, bodies=True, batch_size=400)

    assert summary.ok and summary.imported == DISTINCT
    assert repository.stats(engine) == imported["stats"]
    assert ledger_rows(engine, bodies=True) == imported["rows"]
    assert not [f for f in flags(dovecot, mailbox) if b"\\Seen" in f]


def test_recreated_mailbox_is_read_again_without_duplicates(db_url, engine, dovecot, mailbox):
    first = sync(engine, dovecot.port, mailbox)
    conn = dovecot.connect(USER)
    assert conn.delete(mailbox_arg(mailbox))[0] == "OK"
    conn.logout()
    copy_template(dovecot, mailbox)

    result = cli_sync(db_url, dovecot.port, "--mailbox", mailbox)

    assert result.exit_code == 0, result.output
    assert f"! {mailbox} was recreated on the server (UIDVALIDITY " in result.output
    assert "not stored twice" in result.output
    assert f"{mailbox}: fetched {MESSAGES} message(s)" in result.output
    assert "0 imported, 986 duplicates" in result.output
    assert count(engine) == DISTINCT
    state = load_state(engine, account(dovecot.port).key, mailbox)
    assert state is not None and state.uidvalidity != first.uidvalidity
    assert state.last_uid == MESSAGES

    again = cli_sync(db_url, dovecot.port, "--mailbox", mailbox)
    assert "fetched 0 message(s)" in again.output and "recreated" not in again.output


def test_a_mailbox_that_cannot_be_opened_is_reported_and_the_others_go_on(
    engine, dovecot, small_mailbox
):
    missing, found = sync_imap(
        engine, account(dovecot.port), PASSWORD, ["no-such-box", small_mailbox], now=NOW
    )

    assert missing.error is not None and "cannot open the mailbox" in missing.error
    assert small_mailbox in missing.error  # the hint lists the mailboxes there are
    assert found.ok and found.imported == 5


# --- dropped connections ------------------------------------------------------------------


def message_ids(messages: list[tuple[bytes, int | None]]) -> set[str]:
    ids = set()
    for uid, (raw, when) in enumerate(messages, start=1):
        record = read_message(FetchedMessage(uid, when, raw), "x", ImportOptions())
        assert isinstance(record, InteractionRecord)
        ids.add(record.source_id)
    return ids


def test_dropped_connection_keeps_whole_batches_and_the_next_sync_resumes(
    engine, dovecot, mailbox, apache_messages
):
    # The first connection is cut about a third of the way through the headers;
    # the two reconnections are refused.
    with CuttingProxy(dovecot.port, limits=[800_000, 0, 0]) as proxy:
        cut = sync(engine, proxy.port, mailbox, batch_size=100, retries=2)

        assert cut.error is not None and "run the same command again to resume" in cut.error
        assert "dropped" in cut.error and "(3 attempts)" in cut.error
        assert cut.retried == 2 and proxy.connections == 3
        assert 0 < cut.last_uid < MESSAGES and cut.last_uid % 100 == 0
        assert cut.fetched == cut.last_uid
        # Exactly the committed batches are stored, and the state names their last UID.
        with engine.connect() as conn:
            stored = set(conn.execute(select(interaction.c.source_id)).scalars())
            top = conn.execute(select(func.max(interaction.c.origin_position))).scalar_one()
            run = conn.execute(select(import_run)).one()
        assert stored == message_ids(apache_messages[: cut.last_uid])
        assert top <= cut.last_uid
        assert run.status == "failed" and run.imported == len(stored)
        state = load_state(engine, account(proxy.port).key, mailbox)
        assert state == MailboxState(cut.uidvalidity, cut.last_uid)

        proxy.limits = []  # the network is back
        resumed = sync(engine, proxy.port, mailbox, batch_size=100)

    assert resumed.ok, resumed.error
    assert resumed.fetched == MESSAGES - cut.last_uid
    assert count(engine) == DISTINCT
    with engine.connect() as conn:
        totals = conn.execute(select(func.sum(import_run.c.imported))).scalar_one()
        duplicates = conn.execute(select(func.sum(import_run.c.duplicates))).scalar_one()
    assert (totals, duplicates) == (DISTINCT, 3)
    assert load_state(engine, account(proxy.port).key, mailbox) == MailboxState(
        cut.uidvalidity, MESSAGES
    )


def test_a_dropped_connection_is_retried_in_the_same_run(engine, dovecot, mailbox):
    with CuttingProxy(dovecot.port, limits=[800_000]) as proxy:
        summary = sync(engine, proxy.port, mailbox, batch_size=100, retries=2)

    assert summary.ok, summary.error
    assert summary.retried == 1 and proxy.connections == 2
    assert summary.fetched == MESSAGES and summary.imported == DISTINCT
    assert count(engine) == DISTINCT


def test_cli_reports_a_dropped_connection_and_resumes(db_url, engine, dovecot, mailbox):
    with CuttingProxy(dovecot.port, limits=[800_000]) as proxy:
        failed = cli_sync(
            db_url, proxy.port, "--mailbox", mailbox, "--batch-size", "100", "--retries", "0"
        )
        assert failed.exit_code == 1
        assert "the connection dropped while reading" in failed.output
        assert "run the same command again to resume" in failed.output
        stored = count(engine)
        assert 0 < stored < DISTINCT

        resumed = cli_sync(db_url, proxy.port, "--mailbox", mailbox, "--batch-size", "100")

    assert resumed.exit_code == 0, resumed.output
    assert f"{DISTINCT - stored:,} imported" in resumed.output
    assert count(engine) == DISTINCT


# --- TLS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("security", [Security.SSL, Security.STARTTLS])
def test_tls_is_used_and_its_certificate_checked(
    engine, dovecot, small_mailbox, security, monkeypatch
):
    port = dovecot.tls_port if security is Security.SSL else dovecot.port
    secure = ImapAccount("127.0.0.1", USER, port, security, timeout=10)
    with pytest.raises(ImapSecurityError, match="TLS certificate was not accepted"):
        sync_imap(engine, secure, PASSWORD, [small_mailbox], now=NOW)

    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert))  # trust the test server
    [summary] = sync_imap(engine, secure, PASSWORD, [small_mailbox], now=NOW)
    assert summary.ok and summary.imported == 5


def test_tls_to_a_plain_port_says_to_check_the_mode(db_url, dovecot, small_mailbox):
    args = ["--db", db_url, "sync", "imap", "--host", "127.0.0.1", "--port", str(dovecot.port)]
    result = CliRunner().invoke(
        cli,
        [*args, "--user", USER, "--ssl", "--mailbox", small_mailbox],
        env={"KITH_IMAP_PASSWORD": PASSWORD},
    )
    assert result.exit_code == 2
    assert "the TLS handshake failed" in result.output
    assert "check --ssl (port 993) / --starttls / --plain (port 143)" in result.output


# --- credentials --------------------------------------------------------------------------


def test_wrong_password_is_refused_with_a_clear_message(db_url, engine, dovecot, small_mailbox):
    result = cli_sync(db_url, dovecot.port, "--mailbox", small_mailbox, password="not-it")

    assert result.exit_code == 2
    assert f"the server refused the login for {USER}" in result.output
    assert "KITH_IMAP_PASSWORD" in result.output and "--store-password" in result.output
    assert "not-it" not in result.output
    with pytest.raises(ImapLoginError):
        sync_imap(engine, account(dovecot.port), "not-it", [small_mailbox], now=NOW)
    assert count(engine) == 0


def test_no_password_says_how_to_give_one(db_url, dovecot, small_mailbox):
    result = cli_sync(db_url, dovecot.port, "--mailbox", small_mailbox, password=None)

    assert result.exit_code == 2
    assert f"no password for {USER}@127.0.0.1" in result.output
    assert "KITH_IMAP_PASSWORD" in result.output
    assert f"kith sync imap --host 127.0.0.1 --user {USER} --store-password" in result.output


def test_store_password_without_a_keyring_is_a_clear_error(db_url, dovecot):
    result = cli_sync(db_url, dovecot.port, "--store-password", password=None, input="x\nx\n")

    assert result.exit_code == 2
    assert "no keyring is available on this system to save the password in" in result.output
    assert "KITH_IMAP_PASSWORD" in result.output


def test_stored_password_is_used_and_never_written_anywhere(
    db_url, engine, dovecot, small_mailbox, caplog
):
    caplog.set_level(logging.DEBUG)
    memory = MemoryKeyring()
    keyring.set_keyring(memory)

    wrong = cli_sync(db_url, dovecot.port, "--store-password", password=None, input="no\nno\n")
    assert wrong.exit_code == 2 and "refused the login" in wrong.output
    assert memory.saved == {}  # a password the server refuses is not kept

    typed = f"{PASSWORD}\n{PASSWORD}\n"
    saved = cli_sync(db_url, dovecot.port, "--store-password", password=None, input=typed)
    assert saved.exit_code == 0, saved.output
    assert memory.saved == {("kith-imap", f"{USER}@127.0.0.1"): PASSWORD}

    args = ["-vv", "--db", db_url, "sync", "imap", "--host", "127.0.0.1"]
    args += ["--port", str(dovecot.port), "--user", USER, "--plain", "--mailbox", small_mailbox]
    synced = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert synced.exit_code == 0, synced.output
    assert "5 imported" in synced.output

    # Neither the output, the logs nor the ledger holds it.
    for text in (saved.output, synced.output, caplog.text):
        assert PASSWORD not in text
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                assert PASSWORD not in json.dumps([str(v) for v in row], ensure_ascii=False)
    if db_url.startswith("sqlite:///"):
        db_file = Path(db_url.removeprefix("sqlite:///"))
        for path in db_file.parent.glob(db_file.name + "*"):
            data = path.read_bytes()
            for encoding in ("utf-8", "utf-16-le", "latin-1"):
                assert PASSWORD.encode(encoding, "replace") not in data


# --- the small parts, without a server -----------------------------------------------------


def test_uid_sets_are_compact():
    assert uid_set([1, 2, 3, 7, 9, 10]) == "1:3,7,9:10"
    assert uid_set([5]) == "5"


def test_mailbox_names_are_quoted_in_modified_utf7():
    assert mailbox_arg("INBOX") == '"INBOX"'
    assert mailbox_arg("Entwürfe") == '"Entw&APw-rfe"'
    assert mailbox_arg('Sent "Items" & more') == '"Sent \\"Items\\" &- more"'
    assert mailbox_arg("日本語") == '"&ZeVnLIqe-"'


def test_internaldate_is_read_as_utc_whatever_the_offset():
    assert internaldate(b'INTERNALDATE "01-Feb-2012 00:23:25 +0000"') == 1328055805
    assert internaldate(b'INTERNALDATE " 1-Feb-2012 01:23:25 +0100"') == 1328055805
    assert internaldate(b'INTERNALDATE "31-Jan-2012 19:23:25 -0500"') == 1328055805
    assert internaldate(b"UID 4") is None


def test_fetch_answers_are_read_in_any_order_and_flag_updates_passed_over():
    data = [
        (b'1 (UID 11 INTERNALDATE "01-Feb-2012 00:23:25 +0000" BODY[HEADER] {3}', b"a\r\n"),
        b")",
        (b"2 (BODY[HEADER] {3}", b"b\r\n"),
        b' UID 12 INTERNALDATE "01-Feb-2012 00:23:26 +0000")',
        b"3 (FLAGS (\\Seen))",
        (b"4 (UID 14 BODY[HEADER] {3}", b"d\r\n"),
    ]
    assert list(fetch_answer_messages(data)) == [
        FetchedMessage(11, 1328055805, b"a\r\n"),
        FetchedMessage(12, 1328055806, b"b\r\n"),
        FetchedMessage(14, None, b"d\r\n"),
    ]
