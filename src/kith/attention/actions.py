"""Closing the loop: ``kith done``, ``kith snooze`` and ``kith skip``.

Each is recorded in ``attention_action`` and sets the item's status:

- **done**: the contact is recorded in the ledger as an interaction of mine
  (channel ``note``, kind ``message``, source ``kith``, source id
  ``<item id>:<day>``, from my identity to theirs), so it counts as contact
  for every feature after the next analytics refresh; until then
  ``kith.attention.today`` lays it over the stored features, so the
  person's rhythm restarts at once. Doing an item twice records it once.
- **snooze N**: hidden until the start of the day N days later, then back
  on the list that day, with the same id and its wait as it was.
- **skip**: hidden for good; a new situation (a new message, another gift, a
  new silence) is a new item with a new id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from kith.attention.candidates import DEFAULT_MINUTES
from kith.attention.today import day_of, day_start
from kith.errors import KithError, NotFoundError
from kith.model import Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role
from kith.store import attention as store
from kith.store.sql import using
from kith.store.writer import LedgerWriter

#: What ``kith done`` calls each kind of action in the note it records.
LABELS = {
    "reply": "Replied",
    "thank": "Thanked",
    "check_in": "Checked in",
    "welcome": "Welcomed",
    "follow_up": "Followed up",
    "celebrate": "Celebrated",
    "introduce": "Introduction step",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action did, for the surface to say."""

    item_id: str
    kind: str
    person: str
    action: str
    #: False when the item was already done (nothing new recorded).
    recorded: bool = True
    until: int | None = None
    source_id: str | None = None


def _find(engine: Engine, item_id: str) -> store.ItemRow:
    with engine.connect() as conn:
        row = store.item(conn, item_id.strip())
    if row is None:
        raise NotFoundError(
            f"no item {item_id!r} in the ledger",
            hint="kith today lists the day's items with their ids",
        )
    return row


def done(
    engine: Engine,
    item_id: str,
    *,
    now: int,
    note: str | None = None,
    minutes: Mapping[str, int] = DEFAULT_MINUTES,
    store_bodies: bool = True,
) -> Outcome:
    """Mark ``item_id`` done at ``now`` and record the contact (see the module
    docstring); it took ``minutes[kind]`` of the day. The note is kept as the
    interaction's text unless ``store_bodies`` is false (metadata-only mode)."""
    row = _find(engine, item_id)
    key = day_of(now).isoformat()
    with engine.connect() as conn:
        name = store.person_name(conn, row.person_id)
        mine = store.my_identities(conn)
        theirs = store.identities_of(conn, row.person_id)
    if row.status == "done":
        return Outcome(row.id, row.kind, name, "done", recorded=False)
    if not mine:
        raise KithError(
            "kith does not know which addresses are yours, so it cannot record the contact",
            hint="kith init --me you@example.org",
        )
    if not theirs:
        raise KithError(f"{name} has no address or handle to record the contact with")
    source_id = f"{row.id}:{key}"
    subject = f"{LABELS.get(row.kind, row.kind)} (kith {row.id})"
    record = InteractionRecord(
        source="kith",
        source_id=source_id,
        channel=Channel.NOTE,
        kind=Kind.MESSAGE,
        occurred_at=now,
        participants=(
            Participant(Role.FROM, IdentityRef(*mine[0])),
            Participant(Role.TO, IdentityRef(*theirs[0])),
        ),
        origin=Origin("kith done"),
        subject=subject,
        body=note,
    )
    writer = LedgerWriter(
        engine, importer="kith", path="kith done", now=now, store_bodies=store_bodies
    )
    writer.start()
    writer.write([record])
    writer.finish("done", now)
    with using(engine, write=True) as conn:
        store.record_action(
            conn,
            item_id=row.id,
            person_id=row.person_id,
            kind=row.kind,
            action="done",
            day=key,
            at=now,
            minutes=int(minutes.get(row.kind, DEFAULT_MINUTES.get(row.kind, 5))),
            snooze_days=None,
            note=note,
            interaction_source_id=source_id,
        )
        store.set_status(conn, row.id, "done", at=now)
    return Outcome(row.id, row.kind, name, "done", source_id=source_id)


def snooze(engine: Engine, item_id: str, *, days: int, now: int) -> Outcome:
    """Hide ``item_id`` until the start of the day ``days`` days after ``now``'s."""
    if days < 1:
        raise KithError(f"snooze for at least one day, not {days}")
    row = _find(engine, item_id)
    _not_done(row)
    until = day_start(day_of(now) + timedelta(days=days))
    name = _hide(row, "snooze", "snoozed", engine, now=now, until=until, snooze_days=days)
    return Outcome(row.id, row.kind, name, "snooze", until=until)


def skip(engine: Engine, item_id: str, *, now: int) -> Outcome:
    """Hide ``item_id`` for good (its situation, not the person: a new one is a new item)."""
    row = _find(engine, item_id)
    _not_done(row)
    name = _hide(row, "skip", "skipped", engine, now=now)
    return Outcome(row.id, row.kind, name, "skip")


def _hide(
    row: store.ItemRow,
    action: str,
    status: str,
    engine: Engine,
    *,
    now: int,
    until: int | None = None,
    snooze_days: int | None = None,
) -> str:
    """Record a snooze or skip and set the item's status; returns the person's name."""
    with using(engine, write=True) as conn:
        store.record_action(
            conn,
            item_id=row.id,
            person_id=row.person_id,
            kind=row.kind,
            action=action,
            day=day_of(now).isoformat(),
            at=now,
            minutes=0,
            snooze_days=snooze_days,
            note=None,
            interaction_source_id=None,
        )
        store.set_status(conn, row.id, status, at=now, until=until)
        return store.person_name(conn, row.person_id)


def _not_done(row: store.ItemRow) -> None:
    if row.status == "done":
        raise KithError(f"item {row.id} is done already", hint="nothing to put off")
