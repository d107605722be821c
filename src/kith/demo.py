"""``kith demo``: a sample world, imported into a ledger of its own, and shown.

Everything happens in the workspace folder (the mbox files, the truth of the
world, and the ledger ``kith.db``); the user's own ledger is never touched.
The ledger is rebuilt on every run, so a run shows exactly one world. It
ends with the analytics refreshed and the world's ``kith today`` for its
last day (with the default settings, not the user's).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from kith.config import Settings
from kith.importing import FileSummary, Progress, import_paths
from kith.store import repository
from kith.store.db import open_store

if TYPE_CHECKING:
    from kith.attention.today import DayPlan
    from kith.sample.world import SampleWorld


@dataclass(slots=True)
class DemoResult:
    workspace: Path
    database_url: str
    engine: Engine
    files: list[Path]
    summaries: list[FileSummary]
    seconds: float
    now: int
    #: The world's list for its last day, and each item's draft.
    today: DayPlan | None = None
    drafts: dict[str, str] = field(default_factory=dict)


def build_demo(
    workspace: Path,
    *,
    seed: int = 7,
    people: int = 300,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    today: bool = True,
) -> DemoResult:
    """Generate the sample world into ``workspace``, and import it into a fresh ledger;
    with ``today``, refresh the analytics and plan the world's last day.

    ``now`` for the import run is the world's own end, so the demo is the
    same on every machine and every day.
    """
    from kith.sample.mbox import write_mbox, write_truth
    from kith.sample.world import generate_world

    started = clock()
    world = generate_world(seed=seed, people=people)
    mail = workspace / "mail"
    if mail.exists():
        shutil.rmtree(mail)
    mail.mkdir(parents=True)
    files = write_mbox(world, mail)
    write_truth(world, workspace)
    db_path = workspace / "kith.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db_path}"
    engine = open_store(url)
    now = int(world.end.timestamp())
    for address in (world.owner, *world.owner_aliases):
        repository.add_me(engine, "email", address.email, name=world.owner.name, now=now)
    summaries = import_paths(engine, files, Settings(database_url=url), now=now, progress=progress)
    propose_introductions(engine, world.introductions, now=now)
    record_planted_ask(engine, world)
    result = DemoResult(workspace, url, engine, files, summaries, clock() - started, now)
    if today:
        from kith.analytics.refresh import refresh
        from kith.attention.drafts import render_all
        from kith.attention.settings import TodaySettings
        from kith.attention.today import end_of, plan_day

        refresh(engine, now=now)
        # The world ends late on its last day: the list is that day's, as of its end.
        plan = plan_day(engine, end_of(world.end.date()), TodaySettings())
        result.today = plan
        result.drafts = render_all(engine, plan.items, plan.now, None)
        result.seconds = clock() - started
    return result


def propose_introductions(
    engine: Engine, proposed: Sequence[tuple[str, str, datetime]], *, now: int
) -> None:
    """Record the sample world's proposed introductions (A, B, when) as Sam
    would have with ``kith introduce A B``, then let the imported mail move
    them on (``kith.connect.introductions.follow``)."""
    from kith.connect import introductions as intro
    from kith.store.sql import using

    with using(engine, write=True) as db:
        for a, b, at in proposed:
            intro.start(db, intro.find(db, a), intro.find(db, b), now=int(at.timestamp()))
        intro.follow(db, now=now)


def record_planted_ask(engine: Any, world: SampleWorld) -> None:
    """The sample's ask (``kith.sample.connect``) as Sam recorded it with
    ``kith ask`` just before sending it, expecting one yes; and its answers."""
    from kith.connect.asks import mark_answers, record
    from kith.sample.connect import ASK_TEXT
    from kith.store.reads import find_person
    from kith.store.sql import using

    sent = [int(m.date.timestamp()) for m in world.messages if m.tag == "ask"]
    if not sent:
        return
    with using(engine, write=True) as db:
        people = [find_person(db, e) for e in world.truth["ask_asked"]]
        record(db, ASK_TEXT, people, 1, min(sent) - 60)
        mark_answers(db)
