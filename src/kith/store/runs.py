"""Past import runs: listing them, and removing what one run added.

A run records the host and process that made it. A run still marked
``running`` whose process is gone (on this host) was interrupted — killed,
or its machine stopped — and is shown so, never as running for ever.

``delete_run`` removes what the run added and nothing else, in one
transaction: its interactions (and their participants), facts and skipped
records; then the identities, people, threads and circles it created that
nothing else now uses. A person or identity the run created that a later run
also used stays. My own people are never removed. The analytics are reset
(``kith.store.removal``).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, select, update

from kith.errors import KithError, NotFoundError
from kith.store import removal
from kith.store.schema import (
    circle,
    fact,
    identity,
    import_run,
    interaction,
    participant,
    person,
    skipped,
    thread,
)


@dataclass(frozen=True, slots=True)
class Run:
    """One import run as ``kith imports`` shows it."""

    id: int
    importer: str
    path: str
    started_at: int
    finished_at: int | None
    status: str
    imported: int
    duplicates: int
    skipped: int

    def as_dict(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in self.__slots__}


@dataclass(frozen=True, slots=True)
class Removed:
    """What ``delete_run`` removed."""

    interactions: int
    identities: int
    people: int
    facts: int
    skipped: int


def _alive(host: str | None, pid: int | None) -> bool | None:
    """Whether the process still runs (None: another host's, cannot tell)."""
    if host is None or pid is None:
        return False
    if host != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process by that number
    return True


def _status(status: str, host: str | None, pid: int | None) -> str:
    if status != "running":
        return status
    alive = _alive(host, pid)
    if alive is None:
        return f"running on {host}"
    return "running" if alive else "interrupted"


def runs(engine: Engine) -> list[Run]:
    """Every import run, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(import_run).order_by(import_run.c.id.desc())).all()
    return [
        Run(
            int(r.id),
            str(r.importer),
            str(r.path),
            int(r.started_at),
            None if r.finished_at is None else int(r.finished_at),
            _status(str(r.status), r.host, r.pid),
            int(r.imported),
            int(r.duplicates),
            int(r.skipped),
        )
        for r in rows
    ]


def delete_run(engine: Engine, run_id: int) -> Removed:
    """Remove what import run ``run_id`` added (see the module's notes)."""
    with engine.execution_options(kith_write=True).begin() as conn:
        row = conn.execute(
            select(import_run.c.status, import_run.c.host, import_run.c.pid).where(
                import_run.c.id == run_id
            )
        ).first()
        if row is None:
            raise NotFoundError(f"no import run #{run_id}", hint="kith imports lists them")
        if _status(str(row.status), row.host, row.pid).startswith("running"):
            raise KithError(
                f"import run #{run_id} is still running",
                hint="wait for it to end (or stop it), then delete it",
            )
        added = list(
            conn.execute(
                select(interaction.c.id).where(interaction.c.import_id == run_id)
            ).scalars()
        )
        threads, circles = removal.delete_interactions(conn, added)
        facts = conn.execute(delete(fact).where(fact.c.import_id == run_id)).rowcount
        bad = conn.execute(delete(skipped).where(skipped.c.import_id == run_id)).rowcount
        unused = [
            int(i)
            for i in conn.execute(
                select(identity.c.id).where(
                    identity.c.import_id == run_id,
                    ~select(participant.c.identity_id)
                    .where(participant.c.identity_id == identity.c.id)
                    .exists(),
                    ~select(fact.c.id).where(fact.c.identity_id == identity.c.id).exists(),
                    ~select(person.c.id)
                    .where(person.c.id == identity.c.person_id, person.c.is_me.is_(True))
                    .exists(),
                )
            ).scalars()
        ]
        for part in removal.chunks(unused):
            conn.execute(
                update(identity).where(identity.c.alias_of.in_(part)).values(alias_of=None)
            )
        removal.delete_in(conn, identity, identity.c.id, unused)
        people = [
            int(p)
            for p in conn.execute(
                select(person.c.id).where(
                    person.c.import_id == run_id,
                    person.c.is_me.is_(False),
                    ~select(identity.c.id).where(identity.c.person_id == person.c.id).exists(),
                )
            ).scalars()
        ]
        # people merged into one that goes keep their own identities: undo that link
        for part in removal.chunks(people):
            conn.execute(
                update(person).where(person.c.merged_into.in_(part)).values(merged_into=None)
            )
        removal.drop_derived(conn, people)
        removal.delete_in(conn, person, person.c.id, people)
        own_threads = set(
            conn.execute(select(thread.c.id).where(thread.c.import_id == run_id)).scalars()
        )
        own_circles = set(
            conn.execute(select(circle.c.id).where(circle.c.import_id == run_id)).scalars()
        )
        removal.drop_empty(conn, threads | own_threads, circles | own_circles)
        _hand_over(conn, run_id)
        conn.execute(delete(import_run).where(import_run.c.id == run_id))
        removal.reset_analytics(conn)
    return Removed(len(added), len(unused), len(people), int(facts or 0), int(bad or 0))


def _hand_over(conn: Connection, run_id: int) -> None:
    """What the run created and others still use now belongs to the earliest
    run that uses it, so that deleting that run later removes it too."""
    by_participation = (
        select(func.min(interaction.c.import_id))
        .join(participant, participant.c.interaction_id == interaction.c.id)
        .where(participant.c.identity_id == identity.c.id)
        .scalar_subquery()
    )
    by_fact = (
        select(func.min(fact.c.import_id)).where(fact.c.identity_id == identity.c.id)
    ).scalar_subquery()
    conn.execute(
        update(identity)
        .where(identity.c.import_id == run_id)
        .values(import_id=func.coalesce(by_participation, by_fact))
    )
    conn.execute(
        update(person)
        .where(person.c.import_id == run_id)
        .values(
            import_id=select(func.min(identity.c.import_id))
            .where(identity.c.person_id == person.c.id)
            .scalar_subquery()
        )
    )
    conn.execute(
        update(thread)
        .where(thread.c.import_id == run_id)
        .values(
            import_id=select(func.min(interaction.c.import_id))
            .where(interaction.c.thread_id == thread.c.id)
            .scalar_subquery()
        )
    )
    conn.execute(
        update(circle)
        .where(circle.c.import_id == run_id)
        .values(
            import_id=select(func.min(interaction.c.import_id))
            .where(interaction.c.circle_id == circle.c.id)
            .scalar_subquery()
        )
    )
