"""Giving the data back: ``kith export [PERSON] --format json|vcard|csv``.

- **json** — kith's own export, everything the ledger holds about people and
  what passed between them: my identities, each person with their identities
  and facts, every interaction with its participants, thread, circle, text
  and provenance (its source's own id), and the records an import skipped.
  ``kith import`` reads it back (``kith.ingest.kith_export``): into an empty
  ledger it gives one with the same ``kith stats``; into one that already
  holds the same records, nothing new (records keep their source ids).
- **vcard** — one vCard 4.0 per person: name, identities, organisation,
  title and notes, for an address book.
- **csv** — one row per person: id, name, identities, interactions and the
  first and last of them, for a spreadsheet.

With a person, only what concerns them: their identities and facts, and the
interactions they took part in (a data-access request).

The JSON is written as one document, a record per line inside its arrays,
streamed from the ledger so that a large ledger never sits in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from sqlalchemy import Connection, Engine, func, select

from kith.store.removal import chunks
from kith.store.schema import (
    circle,
    fact,
    identity,
    interaction,
    participant,
    person,
    skipped,
    thread,
)

#: The export format's version, the first key of the document.
FORMAT = 1
FORMATS = ("json", "vcard", "csv")
#: Interactions read per query while streaming.
_BATCH = 5_000


def export(engine: Engine, out: TextIO, fmt: str, person_id: int | None = None) -> int:
    """Write the ledger (or one person's part of it) to ``out``; how many people."""
    with engine.connect() as conn:
        people = list(_people(conn, person_id))
        if fmt == "vcard":
            for p in people:
                out.write(_vcard(p))
        elif fmt == "csv":
            _csv(conn, people, out)
        else:
            _json(conn, people, out, person_id)
    return len(people)


def _people(conn: Connection, only: int | None) -> Iterator[dict[str, Any]]:
    query = (
        select(person.c.id, person.c.name)
        .where(person.c.merged_into.is_(None), person.c.is_me.is_(False))
        .order_by(person.c.id)
    )
    if only is not None:
        query = query.where(person.c.id == only)
    rows = conn.execute(query).all()
    names = {int(r.id): r.name for r in rows}
    for part in chunks([int(r.id) for r in rows]):
        idents: dict[int, list[dict[str, Any]]] = {}
        for r in conn.execute(
            select(
                identity.c.person_id,
                identity.c.id,
                identity.c.kind,
                identity.c.value,
                identity.c.display_name,
            )
            .where(identity.c.person_id.in_(part))
            .order_by(identity.c.id)
        ):
            idents.setdefault(int(r.person_id), []).append(
                {"kind": r.kind, "value": r.value, "display_name": r.display_name, "_id": r.id}
            )
        facts: dict[int, list[dict[str, Any]]] = {}
        for r in conn.execute(
            select(identity.c.person_id, fact.c.key, fact.c.value, fact.c.source, fact.c.source_id)
            .join(identity, identity.c.id == fact.c.identity_id)
            .where(identity.c.person_id.in_(part))
            .order_by(fact.c.id)
        ):
            facts.setdefault(int(r.person_id), []).append(
                {"key": r.key, "value": r.value, "source": r.source, "source_id": r.source_id}
            )
        for pid in part:
            yield {
                "id": pid,
                "name": names[pid],
                "identities": idents.get(pid, []),
                "facts": facts.get(pid, []),
            }


def _json(conn: Connection, people: list[dict[str, Any]], out: TextIO, only: int | None) -> None:
    def line(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    me = conn.execute(
        select(person.c.name, identity.c.kind, identity.c.value, identity.c.display_name)
        .join(person, person.c.id == identity.c.person_id)
        .where(person.c.is_me.is_(True))
        .order_by(identity.c.id)
    ).all()
    out.write(f'{{"kith_export": {FORMAT},\n')
    my_name = next((r.name for r in me if r.name), None)
    mine = [{"kind": r.kind, "value": r.value, "display_name": r.display_name} for r in me]
    out.write(f'"me": {line({"name": my_name, "identities": mine})},\n')
    out.write('"people": [\n')
    _lines(out, (line(_public(p)) for p in people))
    out.write('],\n"interactions": [\n')
    ids = [i["_id"] for p in people for i in p["identities"]] if only is not None else None
    _lines(out, (line(r) for r in _interactions(conn, ids)))
    out.write('],\n"skipped": [\n')
    bad: Iterable[str] = ()
    if only is None:
        bad = (
            line({"file": f, "position": int(pos), "reason": reason})
            for f, pos, reason in conn.execute(
                select(skipped.c.file, skipped.c.position, func.min(skipped.c.reason))
                .group_by(skipped.c.file, skipped.c.position)
                .order_by(skipped.c.file, skipped.c.position)
            )
        )
    _lines(out, bad)
    out.write("]}\n")


def _public(p: dict[str, Any]) -> dict[str, Any]:
    return {
        **p,
        "identities": [{k: v for k, v in i.items() if k != "_id"} for i in p["identities"]],
    }


def _lines(out: TextIO, lines: Iterable[str]) -> None:
    first = True
    for text in lines:
        out.write(("" if first else ",\n") + text)
        first = False
    if not first:
        out.write("\n")


def _interactions(conn: Connection, identity_ids: list[int] | None) -> Iterator[dict[str, Any]]:
    """Every interaction (or those of ``identity_ids``), in id order, batch by batch."""
    last = 0
    while True:
        query = (
            select(
                interaction,
                thread.c.root_key,
                circle.c.key.label("circle_key"),
                circle.c.name.label("circle_name"),
            )
            .outerjoin(thread, thread.c.id == interaction.c.thread_id)
            .outerjoin(circle, circle.c.id == interaction.c.circle_id)
            .where(interaction.c.id > last)
            .order_by(interaction.c.id)
            .limit(_BATCH)
        )
        if identity_ids is not None:
            query = query.where(
                interaction.c.id.in_(
                    select(participant.c.interaction_id).where(
                        participant.c.identity_id.in_(identity_ids)
                    )
                )
            )
        rows = conn.execute(query).all()
        if not rows:
            return
        parts: dict[int, list[dict[str, Any]]] = {}
        for r in conn.execute(
            select(
                participant.c.interaction_id,
                participant.c.role,
                identity.c.kind,
                identity.c.value,
                identity.c.display_name,
            )
            .join(identity, identity.c.id == participant.c.identity_id)
            .where(participant.c.interaction_id.in_([int(r.id) for r in rows]))
            .order_by(participant.c.interaction_id, participant.c.role, identity.c.id)
        ):
            parts.setdefault(int(r.interaction_id), []).append(
                {"role": r.role, "kind": r.kind, "value": r.value, "display_name": r.display_name}
            )
        for r in rows:
            yield {
                "source": r.source,
                "source_id": r.source_id,
                "channel": r.channel,
                "kind": r.kind,
                "occurred_at": int(r.occurred_at),
                "tz_offset_min": r.tz_offset_min,
                "date_quality": r.date_quality,
                "thread": r.root_key,
                "parent_ref": r.parent_ref,
                "is_reply": bool(r.is_reply),
                "subject": r.subject,
                "body": r.body,
                "circle": None
                if r.circle_key is None
                else {"key": r.circle_key, "name": r.circle_name},
                "origin": {"file": r.origin_file, "position": r.origin_position},
                "extra": json.loads(r.extra) if r.extra else {},
                "participants": parts.get(int(r.id), []),
            }
        last = int(rows[-1].id)


# -- vCard and CSV --------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


_VCARD_KIND = {"email": "EMAIL", "phone": "TEL"}


def _vcard(p: dict[str, Any]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{_escape(p['name'] or '')}"]
    for i in p["identities"]:
        prop = _VCARD_KIND.get(i["kind"])
        if prop is not None:
            lines.append(f"{prop}:{_escape(i['value'])}")
        elif i["kind"] == "url":
            lines.append(f"URL:{i['value']}")
        else:
            lines.append(f"IMPP:{_escape(i['kind'])}:{_escape(i['value'])}")
    for f in p["facts"]:
        prop = {"org": "ORG", "title": "TITLE", "note": "NOTE", "birthday": "BDAY"}.get(f["key"])
        if prop is not None:
            lines.append(f"{prop}:{_escape(f['value'])}")
    lines.append(f"UID:urn:kith:person:{p['id']}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def _csv(conn: Connection, people: list[dict[str, Any]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(["id", "name", "identities", "interactions", "first", "last"])
    for start in range(0, len(people), _BATCH):
        some = people[start : start + _BATCH]
        counts = {
            int(pid): (int(n), first, last)
            for pid, n, first, last in conn.execute(
                select(
                    identity.c.person_id,
                    func.count(func.distinct(interaction.c.id)),
                    func.min(interaction.c.occurred_at),
                    func.max(interaction.c.occurred_at),
                )
                .join(participant, participant.c.identity_id == identity.c.id)
                .join(interaction, interaction.c.id == participant.c.interaction_id)
                .where(identity.c.person_id.in_([p["id"] for p in some]))
                .group_by(identity.c.person_id)
            )
        }
        for p in some:
            n, first, last = counts.get(p["id"], (0, None, None))
            idents = " ".join(f"{i['kind']}:{i['value']}" for i in p["identities"])
            writer.writerow([p["id"], p["name"] or "", idents, n, first or "", last or ""])
