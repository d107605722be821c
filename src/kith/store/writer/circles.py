"""Public circles for the mailing lists and communities a batch's records belong to.

A mailing list's address is a circle, not a person, also where a message does not
say it came through the list (my own copy of what I sent to it, a message that
copies it): once any message has named the list (its ``List-Post``, kept as
``list_name``), ``to_known_lists`` takes that address out of every other message's
recipients and gives the message the list's circle if it had none.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy import Connection, select

from kith.model import InteractionRecord, Role
from kith.store.ids import allocate_ids
from kith.store.schema import circle
from kith.store.writer.state import RunState


def resolve_circles(
    conn: Connection, run: RunState, records: Sequence[InteractionRecord]
) -> dict[str, int]:
    """List id → circle id for every list the records name, creating circles
    (key ``list:<id>``, public) that are new."""
    known = run.known.circles
    names = {r.list_id: r.list_name for r in records if r.list_id and r.list_id not in known}
    for list_id, name in names.items():
        key = f"list:{list_id}"
        row = conn.execute(select(circle.c.id).where(circle.c.key == key)).first()
        if row is None:
            cid = allocate_ids(conn, "circle", 1)[0]
            conn.execute(
                circle.insert(),
                {
                    "id": cid,
                    "key": key,
                    "name": name or list_id,
                    "visibility": "public",
                    "import_id": run.import_id,
                },
            )
        else:
            cid = int(row[0])
        known[list_id] = cid
    return known


#: Roles a list's address is taken out of (its author stays whoever it is).
_RECIPIENTS = frozenset({Role.TO, Role.CC, Role.BCC})


def to_known_lists(
    conn: Connection, run: RunState, records: Sequence[InteractionRecord]
) -> Sequence[InteractionRecord]:
    """``records`` with the known lists' addresses out of their recipients (see the
    module docstring); a record without such an address is returned as it is."""
    lists = run.known.list_addresses
    if lists is None:
        lists = run.known.list_addresses = {}
        rows = conn.execute(
            select(circle.c.key, circle.c.name).where(circle.c.key.startswith("list:"))
        )
        for key, name in rows:
            if _is_address(name):
                lists.setdefault(str(name), str(key)[len("list:") :])
    for r in records:
        if r.list_id and _is_address(r.list_name):
            lists.setdefault(str(r.list_name), r.list_id)
    if not lists:
        return records
    out: list[InteractionRecord] = []
    for r in records:
        named = [
            p
            for p in r.participants
            if p.role in _RECIPIENTS and p.identity.kind == "email" and p.identity.value in lists
        ]
        if not named:
            out.append(r)
            continue
        kept = tuple(p for p in r.participants if p not in named)
        list_id, list_name = r.list_id, r.list_name
        if list_id is None:
            list_name = named[0].identity.value
            list_id = lists[list_name]
        out.append(dataclasses.replace(r, participants=kept, list_id=list_id, list_name=list_name))
    return out


def _is_address(name: object) -> bool:
    """True for a circle name that is a list's e-mail address (not a community's name)."""
    return isinstance(name, str) and "@" in name and not any(c.isspace() for c in name)
