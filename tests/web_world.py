"""The sample world in a ledger at any URL, for the web app's tests.

``kith demo`` builds it into SQLite only; this does the same steps (my
addresses, the mbox files, the analytics as of the world's end) on any
ledger, so the web tests run on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kith.config import Settings

SEED = 7
PEOPLE = 120


def build_world(url: str, folder: Path, people: int = PEOPLE) -> date:
    """Import the sample world (of ``people``) into the ledger at ``url``; returns its last day."""
    from kith.analytics.refresh import refresh
    from kith.importing import import_paths
    from kith.sample.mbox import write_mbox
    from kith.sample.world import generate_world
    from kith.store import repository
    from kith.store.db import open_store

    world = generate_world(seed=SEED, people=people)
    mail = folder / "mail"
    mail.mkdir(parents=True, exist_ok=True)
    files = write_mbox(world, mail)
    engine = open_store(url)
    now = int(world.end.timestamp())
    for address in (world.owner, *world.owner_aliases):
        repository.add_me(engine, "email", address.email, name=world.owner.name, now=now)
    import_paths(engine, files, Settings(database_url=url), now=now)
    refresh(engine, now=now)
    engine.dispose()
    return world.end.date()
