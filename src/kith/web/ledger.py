"""The web app's hold on the ledger: reads on the bare driver, writes through
the engine, and the day's list kept between requests.

Reads (every page) go through a ``kith.store.sql.Db`` on one driver
connection per server thread, opened once: a page then costs its queries
and nothing else. Writes and the queue's planning go through the
SQLAlchemy engine, as in the CLI.

The day's list (``plan_day``) writes what it listed, and costs tens of
milliseconds on a million people; planned for every request, twenty people
reloading the page would queue behind each other's writes. So the plan is
kept, keyed by the day and a change token: the newest interaction, action,
merge and analytics run. Anything that changes the list (an action here or
on the command line, an import, a refresh, a merge) changes the token, and
the next request plans again — one request, while the others wait for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from kith.web.config import WebConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Day:
    """A planned day and its drafts (item id → text)."""

    plan: Any
    drafts: dict[str, str]
    token: tuple[Any, ...]


class _Held:
    """One thread's reader and the context that opened it.

    Kept in a ``threading.local``: when the server retires an idle worker
    thread, the thread's locals are cleared in that thread, and the
    connection is closed there (SQLite connections may only be closed by the
    thread that opened them).
    """

    def __init__(self, opened: AbstractContextManager[Any], reader: Any) -> None:
        self.opened = opened
        self.reader = reader

    def __del__(self) -> None:
        try:
            self.opened.__exit__(None, None, None)
        except Exception:  # the process is ending, or another thread let go of it
            log.debug("closing a reader failed", exc_info=True)


def _end_snapshot(reader: Any) -> None:
    """Close any transaction a read left open: an idle connection must not
    hold a snapshot (new rows unseen, SQLite's WAL unable to checkpoint,
    PostgreSQL's table swaps blocked)."""
    if getattr(reader.conn, "in_transaction", False):
        reader.conn.rollback()


class Ledger:
    """The ledger one web app serves."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._engine: Any = None
        self._engine_lock = threading.Lock()
        self._local = threading.local()
        self._day: Day | None = None
        self._day_lock = threading.Lock()
        self._members: dict[tuple[Any, ...], frozenset[int]] = {}
        self._members_lock = threading.Lock()

    # -- access ----------------------------------------------------------------

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine (created, and the ledger migrated, on first use)."""
        with self._engine_lock:
            if self._engine is None:
                from kith.store.db import open_store

                self._engine = open_store(self.config.database_url)
            return self._engine

    @contextmanager
    def reader(self) -> Iterator[Any]:
        """This thread's ``Db`` for reads, opened on first use and kept while the thread lives."""
        held = getattr(self._local, "held", None)
        if held is None:
            held = self._open()
            if held is None:  # a database the bare drivers do not open (in memory)
                from kith.store.sql import using

                with using(self.engine) as borrowed:
                    yield borrowed
                return
            self._local.held = held
        try:
            yield held.reader
        finally:
            _end_snapshot(held.reader)

    def _open(self) -> _Held | None:
        from kith.store.sql import open_db

        opened = open_db(self.config.database_url)
        fast = opened.__enter__()
        if fast is None:
            opened.__exit__(None, None, None)
            self.engine  # noqa: B018  (creates or migrates the ledger)
            opened = open_db(self.config.database_url)
            fast = opened.__enter__()
        if fast is None:
            opened.__exit__(None, None, None)
            return None
        # The driver opens a snapshot for one command; a server keeps the
        # connection, so each request reads the ledger as it is now instead.
        fast.conn.rollback()
        if fast.postgres:
            fast.conn.autocommit = True
        return _Held(opened, fast)

    def now(self) -> int:
        """The clock, or the end of the configured day."""
        if self.config.day is not None:
            from kith.attention.today import end_of

            return end_of(self.config.day)
        return int(time.time())

    def close(self) -> None:
        """Dispose of the engine (each thread's reader closes with its thread)."""
        if self._engine is not None:
            self._engine.dispose()

    # -- the day's list ----------------------------------------------------------

    def _token(self) -> tuple[Any, ...]:
        from kith.store.browse import change_token

        with self.reader() as db:
            return change_token(db)

    def today(self) -> Day:
        """The day's list and drafts, planned again only when something changed."""
        from kith.attention.today import day_of

        now = self.now()
        key = (day_of(now).isoformat(), *self._token())
        held = self._day
        if held is not None and held.token == key:
            return held
        with self._day_lock:
            held = self._day
            if held is not None and held.token == key:
                return held
            from kith.attention.drafts import render_all
            from kith.attention.settings import load_today_settings
            from kith.attention.today import plan_day

            settings = load_today_settings()
            plan = plan_day(self.engine, now, settings)
            drafts = render_all(self.engine, plan.items, plan.now, settings.templates)
            # Planning writes the day's list: the token is read after it.
            day = Day(plan, drafts, (day_of(now).isoformat(), *self._token()))
            self._day = day
            return day

    def circle_members(self, circle: int) -> frozenset[int]:
        """A circle's people, read once per state of the ledger (the read
        walks every interaction: there is no index by circle)."""
        from kith.store import browse

        key = (circle, *self._token())
        found = self._members.get(key)
        if found is not None:
            return found
        with self._members_lock:
            found = self._members.get(key)
            if found is None:
                with self.reader() as db:
                    found = browse.circle_members(db, circle)
                self._members = {k: v for k, v in self._members.items() if k[1:] == key[1:]}
                self._members[key] = found
            return found

    def forget_day(self) -> None:
        """Plan again on the next request (after an action here)."""
        self._day = None
