"""People and identities for the participants of a batch: known ones read in
bulk, new ones created in blocks, linked by the rules of ``kith.identity``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from kith import identity as rules
from kith.model import IdentityRef, InteractionRecord
from kith.store.ids import allocate_ids, chunks
from kith.store.schema import identity, person
from kith.store.writer.bulk import fetch_in, insert_dicts
from kith.store.writer.state import RunState

_IDENTITIES = "SELECT value, id, person_id FROM identity WHERE kind = ? AND value IN ({marks})"
_LINKED = (
    "SELECT identity.link_key, identity.person_id FROM identity "
    "JOIN person ON person.id = identity.person_id "
    "WHERE person.is_me = ? AND identity.link_key IN ({marks}) "
    "AND person.merged_into IS NULL ORDER BY identity.id"
)


def resolve_identities(
    conn: Connection, run: RunState, records: Sequence[InteractionRecord]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(kind, value) → (identity id, person id) for every participant, creating
    people and identities that are new."""
    known = run.known.identities
    wanted: dict[tuple[str, str], IdentityRef] = {}
    first_seen: dict[tuple[str, str], int] = {}
    for r in records:
        for p in r.participants:
            key = (p.identity.kind, p.identity.value)
            if key in known:
                continue
            current = wanted.get(key)
            if current is None or (current.display_name is None and p.identity.display_name):
                wanted[key] = p.identity
            first_seen[key] = min(first_seen.get(key, r.occurred_at), r.occurred_at)
            if p.identity.kind == "email":
                base = rules.base_address(p.identity.value)
                if base != p.identity.value and ("email", base) not in known:
                    wanted.setdefault(("email", base), IdentityRef("email", base))
                    first_seen.setdefault(("email", base), r.occurred_at)
    if not wanted:
        return known
    load_identities(conn, run, list(wanted))
    missing = [k for k in wanted if k not in known]
    if missing:
        _create_identities(conn, run, [wanted[k] for k in missing], first_seen)
    return known


def load_identities(conn: Connection, run: RunState, keys: list[tuple[str, str]]) -> None:
    """Remember the stored identities among ``keys`` (kind, value) and their people."""
    by_kind: dict[str, list[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, []).append(value)
    for kind, values in by_kind.items():
        for part in chunks(values):
            rows = fetch_in(conn, _IDENTITIES, (kind,), part)
            for value, iid, pid in rows:
                run.known.identities[(kind, str(value))] = (int(iid), int(pid))


def _create_identities(
    conn: Connection,
    run: RunState,
    refs: list[IdentityRef],
    first_seen: dict[tuple[str, str], int],
) -> None:
    known = run.known.identities
    # Base addresses first, so that their aliases can join them.
    refs.sort(key=lambda r: rules.base_address(r.value) != r.value)
    links = {(r.kind, r.value): rules.link_key(r.kind, r.value, r.display_name) for r in refs}
    by_link = _people_by_link(conn, {k for k in links.values() if k})
    new_people: list[dict[str, object]] = []
    new_identities: list[dict[str, object]] = []
    person_ids = iter(allocate_ids(conn, "person", len(refs)))
    identity_ids = iter(allocate_ids(conn, "identity", len(refs)))
    for ref in refs:
        key = (ref.kind, ref.value)
        link = links[key]
        iid = next(identity_ids)
        alias_of: int | None = None
        pid: int | None = None
        if ref.kind == "email":
            base = rules.base_address(ref.value)
            if base != ref.value and ("email", base) in known:
                alias_of, pid = known[("email", base)]
        if pid is None and link:
            pid = by_link.get(link)
        if pid is None:
            pid = next(person_ids)
            new_people.append(
                {
                    "id": pid,
                    "name": person_name(ref),
                    "name_key": rules.name_key(person_name(ref)),
                    "is_me": False,
                    "created_at": first_seen.get(key, run.now),
                    "import_id": run.import_id,
                }
            )
            if link:
                by_link[link] = pid
        new_identities.append(
            {
                "id": iid,
                "kind": ref.kind,
                "value": ref.value,
                "display_name": ref.display_name,
                "person_id": pid,
                "alias_of": alias_of,
                "first_seen": first_seen.get(key),
                "import_id": run.import_id,
                "link_key": link,
            }
        )
        known[key] = (iid, pid)
        if alias_of is not None and alias_of in run.known.me:
            run.known.me.add(iid)
    if new_people:
        insert_dicts(conn, person, new_people)
    insert_dicts(conn, identity, new_identities)


def _people_by_link(conn: Connection, links: set[str]) -> dict[str, int]:
    """Link key → the person already holding an identity with it (an indexed
    look-up: names are matched only within an organisation's domain)."""
    found: dict[str, int] = {}
    for part in chunks(sorted(links)):
        for link, pid in fetch_in(conn, _LINKED, (False,), part):
            found.setdefault(str(link), int(pid))
    return found


def person_name(ref: IdentityRef) -> str:
    """A new person's name: the display name beside the identity, else one made
    from an e-mail address (automated senders' display names name others)."""
    if ref.kind == "email":
        if ref.display_name and not rules.is_automated(ref.value):
            return ref.display_name
        return rules.name_from_address(ref.value)
    return ref.display_name or ref.value
