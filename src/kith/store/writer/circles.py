"""Public circles for the mailing lists and communities a batch's records belong to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from kith.model import InteractionRecord
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
