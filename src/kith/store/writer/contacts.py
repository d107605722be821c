"""Contact cards: each card's identities become one person, its facts are kept.

A card that names people the ledger holds apart links them (a recorded,
reversible merge); a card of mine adds identities to me; a card's name
replaces a name that was only made up from an address.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from kith import identity as rules
from kith.model import ContactRecord
from kith.store.ids import allocate_ids, chunks
from kith.store.merging import merge_in
from kith.store.schema import fact, identity, person
from kith.store.writer.bulk import fetch_in, insert_dicts
from kith.store.writer.identities import load_identities
from kith.store.writer.state import RunState

_FACTS = "SELECT identity_id, key, value, source FROM fact WHERE identity_id IN ({marks})"
_PERSON_OF = "SELECT id, person_id FROM identity WHERE id IN ({marks})"


def store_contacts(conn: Connection, run: RunState, contacts: Sequence[ContactRecord]) -> int:
    """Link each card's identities to one person, add its facts; returns how
    many cards added anything. Sets ``run.me_changed`` when a card of mine
    added identities of mine.

    New people and identities are gathered and inserted in bulk (ids in
    blocks); they are written out early only before a card links people
    the ledger already has, since that merge reads them.
    """
    known = run.known.identities
    load_identities(conn, run, [(i.kind, i.value) for c in contacts for i in c.identities])
    wanted = {(i.kind, i.value) for c in contacts for i in c.identities}
    person_ids = iter(allocate_ids(conn, "person", len(contacts)))
    identity_ids = iter(allocate_ids(conn, "identity", len(wanted - known.keys())))
    new_people: list[dict[str, Any]] = []
    new_identities: list[dict[str, Any]] = []
    card_facts: list[tuple[ContactRecord, list[int]]] = []
    changed_cards: set[int] = set()

    def flush() -> None:
        insert_dicts(conn, person, new_people)
        insert_dicts(conn, identity, new_identities)
        new_people.clear()
        new_identities.clear()

    for card in contacts:
        keys = list(dict.fromkeys((i.kind, i.value) for i in card.identities))
        if not keys:
            continue
        changed = False
        people = sorted({known[k][1] for k in keys if k in known})
        if card.is_me:
            flush()
            me = _me_person(conn, run, card, next(person_ids))
            changed = _link_people(conn, run, sorted({me, *people}), card) != me or any(
                p != me for p in people
            )
            target = me
        elif len(people) > 1:
            flush()
            target = _link_people(conn, run, people, card)
            changed = True
        elif people:
            target = people[0]
        else:
            target = next(person_ids)
            name = card.name or next(
                (i.display_name for i in card.identities if i.display_name), None
            )
            if name is None:
                first = card.identities[0]
                email = first.kind == "email"
                name = rules.name_from_address(first.value) if email else first.value
            new_people.append(
                {
                    "id": target,
                    "name": name,
                    "name_key": rules.name_key(name),
                    "is_me": False,
                    "created_at": run.now,
                    "import_id": run.import_id,
                }
            )
            changed = True
        by_key = {(i.kind, i.value): i for i in card.identities}
        for k in keys:
            if k in known:
                continue
            iid = next(identity_ids)
            new_identities.append(
                {
                    "id": iid,
                    "kind": k[0],
                    "value": k[1],
                    "display_name": by_key[k].display_name,
                    "person_id": target,
                    "alias_of": None,
                    "first_seen": None,
                    "import_id": run.import_id,
                }
            )
            known[k] = (iid, target)
            changed = True
        if card.is_me:
            mine = {known[k][0] for k in keys}
            if not mine <= run.known.me:
                run.me_added += [
                    f"{k}:{v}" for k, v in keys if known[(k, v)][0] not in run.known.me
                ]
                run.known.me |= mine
                run.me_changed = True
        if card.name and people and not card.is_me:
            flush()
            _maybe_rename(conn, target, card.name)
        if card.facts:
            card_facts.append((card, [known[k][0] for k in keys]))
        if changed:
            changed_cards.add(id(card))
    flush()
    changed_cards |= _add_facts(conn, run, card_facts)
    return len(changed_cards)


def _me_person(conn: Connection, run: RunState, card: ContactRecord, new_id: int) -> int:
    """My person, made from ``card`` (as ``new_id``) if the ledger has none yet."""
    row = conn.execute(select(person.c.id).where(person.c.is_me.is_(True))).first()
    if row is not None:
        return int(row[0])
    me = new_id
    conn.execute(
        person.insert(),
        {
            "id": me,
            "name": card.name,
            "name_key": rules.name_key(card.name),
            "is_me": True,
            "created_at": run.now,
            "import_id": run.import_id,
        },
    )
    return me


def _link_people(conn: Connection, run: RunState, people: list[int], card: ContactRecord) -> int:
    """One person for everyone the card names: the others are merged into
    me if I am among them, else into the oldest. Returns that person."""
    me_rows = conn.execute(
        select(person.c.id).where(person.c.id.in_(people), person.c.is_me.is_(True))
    ).all()
    target = int(me_rows[0][0]) if me_rows else people[0]
    identities = run.known.identities
    for other in people:
        if other == target:
            continue
        merge_in(
            conn,
            target,
            other,
            reason=f"listed together on {card.source} record {card.source_id}",
            now=run.now,
        )
        for key, (iid, pid) in list(identities.items()):
            if pid == other:
                identities[key] = (iid, target)
    return target


def _maybe_rename(conn: Connection, pid: int, name: str) -> None:
    """A card's name replaces a name that was only made up from an address."""
    row = conn.execute(select(person.c.name).where(person.c.id == pid)).first()
    if row is None:
        return
    values = conn.execute(select(identity.c.value).where(identity.c.person_id == pid))
    made_up = {rules.name_from_address(str(v[0])) for v in values}
    if row[0] is None or row[0] in made_up:
        conn.execute(
            update(person)
            .where(person.c.id == pid)
            .values(name=name, name_key=rules.name_key(name))
        )


def _add_facts(
    conn: Connection, run: RunState, cards: list[tuple[ContactRecord, list[int]]]
) -> set[int]:
    """Store the cards' facts not yet stored (each attaches to its card's
    first identity); returns the ``id()`` of the cards that added one."""
    if not cards:
        return set()
    every = sorted({iid for _, ids in cards for iid in ids})
    have: set[tuple[int, str, str, str]] = set()
    for part in chunks(every):
        for iid, key, value, source in fetch_in(conn, _FACTS, (), part):
            have.add((int(iid), str(key), str(value), str(source)))
    person_of = _person_of(conn, every)
    seen_by_person = {(person_of.get(iid), key, value, source) for iid, key, value, source in have}
    rows: list[dict[str, Any]] = []
    added: set[int] = set()
    for card, ids in cards:
        anchor = ids[0]
        for f in dict.fromkeys(card.facts):
            mark = (person_of.get(anchor), f.key, f.value, card.source)
            if mark in seen_by_person:
                continue
            seen_by_person.add(mark)
            added.add(id(card))
            rows.append(
                {
                    "identity_id": anchor,
                    "key": f.key,
                    "value": f.value,
                    "source": card.source,
                    "source_id": card.source_id,
                    "import_id": run.import_id,
                }
            )
    ids = allocate_ids(conn, "fact", len(rows))
    insert_dicts(conn, fact, [{"id": fid, **r} for fid, r in zip(ids, rows, strict=True)])
    return added


def _person_of(conn: Connection, identity_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for part in chunks(identity_ids):
        for iid, pid in fetch_in(conn, _PERSON_OF, (), part):
            found[int(iid)] = int(pid)
    return found
