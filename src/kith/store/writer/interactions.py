"""Interactions and their participants: duplicates recognised per batch by
``(source, source_id)``, the rest inserted as tuples in two ``executemany``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from kith.model import Channel, DateQuality, InteractionRecord, Kind, Role
from kith.store.ids import allocate_ids, chunks
from kith.store.schema import interaction, participant
from kith.store.writer.bulk import bulk_insert, execute_in, fetch_in
from kith.store.writer.circles import resolve_circles, to_known_lists
from kith.store.writer.identities import resolve_identities
from kith.store.writer.state import RunState
from kith.store.writer.threads import resolve_threads

#: Enum member → its text, faster than ``.value`` on the hot path (and
#: PostgreSQL's driver would store an enum's name, not its value).
_VALUE: dict[StrEnum, str] = {m: m.value for e in (Role, Channel, Kind, DateQuality) for m in e}
_RECIPIENTS = (Role.TO, Role.CC, Role.BCC, Role.ATTENDEE)

#: Column order of the tuples ``store_interactions`` builds.
_INTERACTION_COLUMNS = (
    "id",
    "source",
    "source_id",
    "channel",
    "kind",
    "direction",
    "occurred_at",
    "tz_offset_min",
    "date_quality",
    "thread_id",
    "parent_ref",
    "is_reply",
    "subject",
    "body",
    "circle_id",
    "import_id",
    "origin_file",
    "origin_position",
    "extra",
)

_STORED_IDS = "SELECT source_id FROM interaction WHERE source = ? AND source_id IN ({marks})"
_MINE = (
    "SELECT source_id FROM interaction"
    " WHERE source = ? AND direction = 'out' AND source_id IN ({marks})"
)
#: Replies to my messages stored before their parent arrived (a later import, or
#: an archive out of order): addressed to me once mine is known.
_LATE_REPLIES = (
    "UPDATE interaction SET direction = 'in'"
    " WHERE direction = 'among' AND source = ? AND parent_ref IN ({marks})"
)


def drop_duplicates(
    conn: Connection, records: Sequence[InteractionRecord]
) -> list[InteractionRecord]:
    """The records neither repeated earlier in the batch nor already stored."""
    seen: set[tuple[str, str]] = set()
    unique: list[InteractionRecord] = []
    for r in records:
        key = (r.source, r.source_id)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    by_source: dict[str, list[str]] = {}
    for r in unique:
        by_source.setdefault(r.source, []).append(r.source_id)
    stored: set[tuple[str, str]] = set()
    for source, ids in by_source.items():
        for part in chunks(ids):
            rows = fetch_in(conn, _STORED_IDS, (source,), part)
            stored.update((source, str(r[0])) for r in rows)
    return [r for r in unique if (r.source, r.source_id) not in stored]


def store_interactions(
    conn: Connection, run: RunState, records: list[InteractionRecord], *, store_bodies: bool
) -> tuple[int, int]:
    """Store new ``records`` with their people, identities, circles and threads;
    returns the lowest and highest interaction id given to them."""
    records = list(to_known_lists(conn, run, records))
    ident = resolve_identities(conn, run, records)
    circles = resolve_circles(conn, run, records)
    threads = resolve_threads(conn, run, records, circles)
    ids = allocate_ids(conn, "interaction", len(records))
    me = run.known.me
    mine = _my_parents(conn, records, ident, me)
    import_id = run.import_id
    rows: list[tuple[Any, ...]] = []
    parts: list[tuple[int, int, str]] = []
    for rid, r in zip(ids, records, strict=True):
        author_is_me = False
        to_me = False
        seen_parts: set[tuple[int, str]] = set()
        for p in r.participants:
            iid = ident[(p.identity.kind, p.identity.value)][0]
            role = p.role
            if iid in me:
                if role is Role.FROM:
                    author_is_me = True
                elif role in _RECIPIENTS:
                    to_me = True
            key = (iid, _VALUE[role])
            if key not in seen_parts:
                seen_parts.add(key)
                parts.append((rid, iid, key[1]))
        # A reply to a message of mine is to me, even when it went to a list.
        to_me = to_me or (bool(r.refs) and (r.source, r.refs[-1]) in mine)
        direction = "out" if author_is_me else "in" if to_me else "among"
        tid = threads[r.source_id]
        rows.append(
            (
                rid,
                r.source,
                r.source_id,
                _VALUE[r.channel],
                _VALUE[r.kind],
                direction,
                r.occurred_at,
                r.tz_offset_min,
                _VALUE[r.date_quality],
                tid,
                r.refs[-1] if r.refs else None,
                r.is_reply,
                r.subject,
                r.body if store_bodies else None,
                circles.get(r.list_id) if r.list_id else None,
                import_id,
                r.origin.file,
                r.origin.position,
                json.dumps(r.extra, sort_keys=True, ensure_ascii=False) if r.extra else None,
            )
        )
    bulk_insert(conn, interaction, _INTERACTION_COLUMNS, rows)
    bulk_insert(conn, participant, ("interaction_id", "identity_id", "role"), parts)
    _redirect_late_replies(conn, [(row[1], row[2]) for row in rows if row[5] == "out"])
    return ids[0], ids[-1]


def _my_parents(
    conn: Connection,
    records: Sequence[InteractionRecord],
    ident: Mapping[tuple[str, str], tuple[int, int]],
    me: set[int],
) -> set[tuple[str, str]]:
    """``(source, source_id)`` of my messages that ``records`` reply to: stored
    ones, looked up by the unique key, and ones of this batch."""
    in_batch = {
        (r.source, r.source_id)
        for r in records
        if any(
            p.role is Role.FROM and ident[(p.identity.kind, p.identity.value)][0] in me
            for p in r.participants
        )
    }
    wanted: dict[str, set[str]] = {}
    for r in records:
        if r.refs and (r.source, r.refs[-1]) not in in_batch:
            wanted.setdefault(r.source, set()).add(r.refs[-1])
    found = set(in_batch)
    for source, refs in wanted.items():
        for part in chunks(sorted(refs)):
            found.update((source, str(row[0])) for row in fetch_in(conn, _MINE, (source,), part))
    return found


def _redirect_late_replies(conn: Connection, mine: Sequence[tuple[str, str]]) -> None:
    """Replies stored before my message they answer: now to me. The features
    computed from them are stale, so the next refresh recomputes everyone."""
    by_source: dict[str, list[str]] = {}
    for source, source_id in mine:
        by_source.setdefault(source, []).append(source_id)
    changed = 0
    for source, ids in by_source.items():
        for part in chunks(ids):
            changed += execute_in(conn, _LATE_REPLIES, (source,), part)
    if changed:
        from kith.store.removal import reset_analytics

        reset_analytics(conn)
