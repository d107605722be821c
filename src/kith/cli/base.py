"""The command group, its shared state and helpers.

Errors are turned into messages and exit codes in one place, ``KithGroup.invoke``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from kith.config import Settings, load_settings
from kith.errors import KithError

if TYPE_CHECKING:
    from kith.store.sql import Db

log = logging.getLogger("kith")


class KithGroup(click.Group):
    """Turns KithError into a clean message and exit code, and a closed pipe into silence."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KithError as exc:
            click.echo(f"kith: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # `kith people --json | head`: the reader left; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)


class State:
    """Settings and the open ledger, made once per command when first needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Any = None
        #: Only ``kith init`` creates a ledger; any other command needs one there.
        self.may_create = False

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from kith.store.db import open_store, require_ledger

            if not self.may_create:
                require_ledger(self.settings.database_url)
            self._engine = open_store(self.settings.database_url)
        return self._engine

    @contextmanager
    def reader(self) -> Iterator[Db]:
        """A ``Db`` for reads: on the bare driver when the ledger is ready
        (fast: no SQLAlchemy import), else through the engine, creating or
        migrating the ledger first."""
        from kith.store.sql import open_db, using

        with open_db(self.settings.database_url) as fast:
            if fast is not None:
                yield fast
                return
        with using(self.engine) as db:
            yield db


pass_state = click.make_pass_decorator(State)


def now_ts() -> int:
    """The clock, read here at the surface and passed down."""
    return int(time.time())


#: A ledger whose latest interaction is this many days or more before the day
#: asked about reads as an archive: on that day everyone in it is out of touch.
ARCHIVE_DAYS = 365


def archive_hint(state: State, now: int) -> str | None:
    """When the ledger ends long before ``now`` (an imported archive, read as of
    today): what that means for the answer, and the ``--date`` that shows the
    ledger's own time."""
    from kith.store.connections import span
    from kith.units import DAY

    with state.reader() as db:
        first_last = span(db)
    if first_last is None or now - first_last[1] < ARCHIVE_DAYS * DAY:
        return None
    day = datetime.fromtimestamp(first_last[1], UTC).date().isoformat()
    years = (now - first_last[1]) // (365 * DAY)
    return (
        f"The ledger's latest interaction is on {day}, {years} year{'s' * (years != 1)} "
        f"before this day, so everyone in it is out of touch now. "
        f"To see it as of then: --date {day}"
    )


def fmt_ts(ts: int | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


def identity_arg(text: str) -> tuple[str, str]:
    """``ana@x.org`` → (email, ana@x.org); ``x:@Ana`` → (x, ana): normalised the
    way importers store each kind (``kith.ingest.identities``)."""
    from kith.ingest import identities

    text = text.strip()
    if "@" in text and ":" not in text.split("@", 1)[0]:
        value = identities.normalise_email(text)
        if value is None:
            raise KithError(f"not an e-mail address: {text!r}")
        return "email", value
    kind, sep, value = text.partition(":")
    kind = kind.strip().lower()
    if not sep or not value.strip():
        raise KithError(
            f"not an identity: {text!r}", hint="give an e-mail address or kind:value (x:@ana)"
        )
    normalisers = {
        "email": identities.normalise_email,
        "x": identities.normalise_x_handle,
        "mastodon": identities.normalise_mastodon,
        "phone": identities.normalise_phone,
        "url": identities.normalise_url,
    }
    normalise = normalisers.get(kind)
    if normalise is not None:
        normalised = normalise(value)
        if normalised is None:
            raise KithError(f"not a valid {kind} identity: {value!r}")
        return kind, normalised
    if kind in ("discourse", "linkedin"):
        return kind, value.strip().lower()
    return kind, value.strip()


@click.group(cls=KithGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database_url",
    metavar="URL",
    help="Ledger to use (default: $KITH_DATABASE_URL, else $XDG_DATA_HOME/kith/kith.db): "
    "a path or a sqlite:/// or postgresql+psycopg:// URL, here as there.",
)
@click.option("-v", "--verbose", count=True, help="Say more (-vv for debug logging).")
@click.version_option(package_name="kith")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, verbose: int) -> None:
    """kith: one ledger of the people your business runs on, and what to do today.

    \b
    Start here:
      kith demo                      try it on a generated sample world
      kith init --me you@example.org tell kith which addresses are yours
      kith import ~/mail/archive.mbox
      kith people                    everyone, with their last contact
      kith person ana@example.org    one person's profile and timeline
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )
    if database_url:
        from kith.store.sql import ledger_url

        database_url = ledger_url(database_url)
    settings = load_settings().with_overrides(database_url=database_url)
    ctx.obj = State(settings)
