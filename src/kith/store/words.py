"""What was written, for ``kith perception`` (``kith.signals.fightin``)."""

from __future__ import annotations

from collections.abc import Iterator

from kith.store.sql import Db


def messages(
    db: Db, *, mine: bool, limit: int
) -> Iterator[tuple[int, str | None, str | None, str | None, int, str]]:
    """(interaction id, subject, body, author's name, time, the author's
    identity as ``kind:value``) of the newest
    ``limit`` messages with a body: written by me to others (``mine``), or
    written to me by others."""
    direction = "out" if mine else "in"
    yield from (
        (int(r[0]), r[1], r[2], r[3], int(r[4]), f"{r[5]}:{r[6]}")
        for r in db.rows(
            "SELECT i.id, i.subject, i.body, p.name, i.occurred_at, idn.kind, idn.value"
            " FROM interaction i JOIN participant pa ON pa.interaction_id = i.id"
            " JOIN identity idn ON idn.id = pa.identity_id"
            " JOIN person p ON p.id = idn.person_id"
            " WHERE pa.role = 'from' AND i.direction = :direction AND i.body IS NOT NULL"
            " AND p.is_me = :mine ORDER BY i.occurred_at DESC, i.id DESC LIMIT :limit",
            {"direction": direction, "mine": mine, "limit": limit},
        )
    )


def count(db: Db) -> int:
    """How many interactions the ledger holds."""
    return int(db.scalar("SELECT COUNT(*) FROM interaction") or 0)
