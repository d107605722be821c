"""The right to be forgotten: ``kith forget PERSON``.

Forgetting a person removes, in one transaction:

- the person, everyone merged into them, and all their identities;
- the interactions only they took part in besides me, and those they wrote
  (their own words); from other interactions, their place among the
  participants (the message stays for the others in it);
- their facts, scores (``relationship``, ``tie``), merge records and
  suggestions, the introductions they are in (and their steps), and every
  trace in the daily queue (items, actions, and their entries in the stored
  day lists);
- threads and circles left with no interactions by this.

Each identity's ``kind:value`` is kept only as a salted SHA-256 (the salt is
the ledger's own, made once, ``ledger_meta``), so that a later import of the
same mailbox leaves them out again (``blocked``), while the ledger no longer
says who they were. The analytics mirror is a cache of the ledger: it is
deleted, and the next refresh reads the ledger anew. ``undo`` lifts the block
the same day (the data itself is gone).
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Connection,
    Engine,
    delete,
    func,
    insert,
    select,
    update,
)

from kith.errors import KithError, NotFoundError
from kith.model import ContactRecord, IdentityRef, InteractionRecord, Role
from kith.store import removal
from kith.store.schema import (
    fact,
    forgotten,
    identity,
    ledger_meta,
    participant,
    person,
)

_SALT_KEY = "forget_salt"


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What one ``forget`` removed."""

    forget_id: int
    people: int
    identities: int
    interactions: int
    removed_from: int


def salt(conn: Connection) -> bytes:
    """The ledger's salt for identity hashes, made on first use."""
    row = conn.execute(select(ledger_meta.c.value).where(ledger_meta.c.key == _SALT_KEY)).first()
    if row is not None:
        return bytes.fromhex(row[0])
    value = secrets.token_bytes(16)
    conn.execute(insert(ledger_meta).values(key=_SALT_KEY, value=value.hex()))
    return value


def identity_hash(salt_bytes: bytes, kind: str, value: str) -> str:
    """The salted SHA-256 of an identity's ``kind:value``, in hex."""
    return hashlib.sha256(salt_bytes + f"{kind}:{value}".encode()).hexdigest()


def blocked(conn: Connection) -> tuple[bytes, frozenset[str]] | None:
    """The salt and every forgotten hash, or None when nobody was forgotten
    (then an import pays nothing for this)."""
    hashes = frozenset(conn.execute(select(forgotten.c.hash)).scalars())
    if not hashes:
        return None
    return salt(conn), hashes


def without_forgotten(
    block: tuple[bytes, frozenset[str]],
    mine: frozenset[str],
    records: Sequence[InteractionRecord],
    contacts: Sequence[ContactRecord],
) -> tuple[list[InteractionRecord], list[ContactRecord], int]:
    """The records of a batch without forgotten people, as ``forget`` left the
    ledger: an interaction they wrote, or had with nobody but me, is left out;
    from another, they are; a contact card keeps its other identities. ``mine``
    holds my identities' keys. Also returns how many records were left out."""
    pepper, hashes = block

    def gone(ref: IdentityRef) -> bool:
        return identity_hash(pepper, ref.kind, ref.value) in hashes

    kept: list[InteractionRecord] = []
    for record in records:
        lost = [p for p in record.participants if gone(p.identity)]
        if not lost:
            kept.append(record)
            continue
        rest = tuple(p for p in record.participants if p not in lost)
        wrote = any(p.role is Role.FROM for p in lost)
        if wrote or all(p.identity.key in mine for p in rest):
            continue
        kept.append(dataclasses.replace(record, participants=rest))
    cards: list[ContactRecord] = []
    for card in contacts:
        left = tuple(i for i in card.identities if not gone(i))
        if left:
            cards.append(
                card
                if len(left) == len(card.identities)
                else dataclasses.replace(card, identities=left)
            )
    return kept, cards, len(records) - len(kept) + len(contacts) - len(cards)


def forget(engine: Engine, person_id: int, *, now: int) -> Forgotten:
    """Remove ``person_id`` everywhere (see the module's notes)."""
    with engine.execution_options(kith_write=True).begin() as conn:
        row = conn.execute(
            select(person.c.is_me, person.c.merged_into).where(person.c.id == person_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no person #{person_id}")
        if row.is_me:
            raise KithError("that is you: kith forgets other people, not its owner")
        if row.merged_into is not None:
            raise KithError(
                f"#{person_id} was merged into #{row.merged_into}",
                hint=f"forget #{row.merged_into}, the person it is part of",
            )
        people = _merged_family(conn, person_id)
        ids = [
            int(i)
            for i in removal.values_in(conn, select(identity.c.id), identity.c.person_id, people)
        ]
        keys = [
            (str(k), str(v))
            for k, v in removal.rows_in(
                conn, select(identity.c.kind, identity.c.value), identity.c.id, ids
            )
        ]
        mine = set(
            conn.execute(
                select(identity.c.id)
                .join(person, person.c.id == identity.c.person_id)
                .where(person.c.is_me.is_(True))
            ).scalars()
        )
        theirs = set(ids)
        touched = {
            int(r[0]): None
            for r in removal.rows_in(
                conn, select(participant.c.interaction_id), participant.c.identity_id, ids
            )
        }
        whole: list[int] = []  # interactions that go entirely
        for iid, parts in _participants(conn, list(touched)).items():
            others = {i for i, _ in parts} - theirs - mine
            wrote = any(i in theirs and role == "from" for i, role in parts)
            if wrote or not others:
                whole.append(iid)
        threads, circles = removal.delete_interactions(conn, whole)
        removed_from = removal.delete_in(conn, participant, participant.c.identity_id, ids)
        removal.drop_empty(conn, threads, circles)
        removal.delete_in(conn, fact, fact.c.identity_id, ids)
        removal.drop_derived(conn, people)
        for part in removal.chunks(ids):
            conn.execute(
                update(identity).where(identity.c.alias_of.in_(part)).values(alias_of=None)
            )
        removal.delete_in(conn, identity, identity.c.id, ids)
        conn.execute(update(person).where(person.c.id.in_(people)).values(merged_into=None))
        removal.delete_in(conn, person, person.c.id, people)
        forget_id = (
            int(
                conn.execute(select(func.coalesce(func.max(forgotten.c.forget_id), 0))).scalar_one()
            )
            + 1
        )
        pepper = salt(conn)
        hashes = {identity_hash(pepper, k, v) for k, v in keys}
        known = (
            set(
                conn.execute(select(forgotten.c.hash).where(forgotten.c.hash.in_(hashes))).scalars()
            )
            if hashes
            else set()
        )
        fresh = [{"hash": h, "forget_id": forget_id, "at": now} for h in hashes - known]
        if fresh:
            conn.execute(insert(forgotten), fresh)
        removal.reset_analytics(conn)
    return Forgotten(forget_id, len(people), len(ids), len(whole), removed_from)


def undo(engine: Engine, forget_id: int, *, now: int) -> int:
    """Lift the block of one ``forget`` made the same day (UTC); how many hashes."""
    with engine.execution_options(kith_write=True).begin() as conn:
        at = conn.execute(
            select(func.min(forgotten.c.at)).where(forgotten.c.forget_id == forget_id)
        ).scalar_one()
        if at is None:
            raise NotFoundError(f"no forget #{forget_id}", hint="kith forget --list shows them")
        if _day(at) != _day(now):
            raise KithError(
                f"forget #{forget_id} was made on {_day(at)}: only a forget of today can be undone",
                hint="what was forgotten stays forgotten",
            )
        return int(
            conn.execute(delete(forgotten).where(forgotten.c.forget_id == forget_id)).rowcount
        )


def listing(engine: Engine) -> list[tuple[int, int, int]]:
    """Each forget: (id, when, how many identities), newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(forgotten.c.forget_id, func.min(forgotten.c.at), func.count())
            .group_by(forgotten.c.forget_id)
            .order_by(forgotten.c.forget_id.desc())
        ).all()
    return [(int(a), int(b), int(c)) for a, b, c in rows]


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def _merged_family(conn: Connection, root: int) -> list[int]:
    family, frontier = {root}, [root]
    while frontier:
        found = [
            int(i)
            for i in conn.execute(
                select(person.c.id).where(person.c.merged_into.in_(frontier))
            ).scalars()
            if int(i) not in family
        ]
        family.update(found)
        frontier = found
    return sorted(family)


def _participants(conn: Connection, interactions: list[int]) -> dict[int, list[tuple[int, str]]]:
    parts: dict[int, list[tuple[int, str]]] = {}
    query = select(participant.c.interaction_id, participant.c.identity_id, participant.c.role)
    for iid, ident, role in removal.rows_in(
        conn, query, participant.c.interaction_id, interactions
    ):
        parts.setdefault(int(iid), []).append((int(ident), str(role)))
    return parts
