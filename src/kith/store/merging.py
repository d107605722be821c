"""Merging people inside a transaction, and re-deriving directions.

Shared by ``kith merge`` (repository) and imports of contact cards (writer),
which merge people that one card lists together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, and_, case, delete, exists, select, update

from kith.errors import KithError, NotFoundError
from kith.store.ids import allocate_ids
from kith.store.schema import (
    ask_recipient,
    circle_member,
    identity,
    interaction,
    introduction,
    merge,
    participant,
    person,
)


def merge_in(conn: Connection, kept: int, merged: int, *, reason: str, now: int) -> int:
    """Move every identity of ``merged`` to ``kept`` and record it; returns the merge id.

    ``kith unmerge`` moves exactly the recorded identities back.
    """
    if kept == merged:
        raise KithError("cannot merge a person with themselves")
    for pid in (kept, merged):
        row = conn.execute(select(person.c.merged_into).where(person.c.id == pid)).first()
        if row is None:
            raise NotFoundError(f"no person #{pid}")
        if row[0] is not None:
            raise KithError(f"#{pid} is already merged into #{row[0]}")
    moved = [
        int(r[0]) for r in conn.execute(select(identity.c.id).where(identity.c.person_id == merged))
    ]
    conn.execute(update(identity).where(identity.c.person_id == merged).values(person_id=kept))
    conn.execute(update(person).where(person.c.id == merged).values(merged_into=kept))
    mid = allocate_ids(conn, "merge", 1)[0]
    conn.execute(
        merge.insert(),
        {
            "id": mid,
            "kept_id": kept,
            "merged_id": merged,
            "identity_ids": " ".join(map(str, moved)),
            "reason": reason,
            "at": now,
        },
    )
    _carry_over(conn, kept, merged)
    if conn.execute(select(person.c.is_me).where(person.c.id == merged)).scalar_one():
        conn.execute(update(person).where(person.c.id == kept).values(is_me=True))
        recompute_directions(conn)
    return mid


def _carry_over(conn: Connection, kept: int, merged: int) -> None:
    """What I recorded of ``merged`` goes to ``kept``: their private circles'
    memberships, the asks they were sent, the introductions they are in (one
    that would introduce ``kept`` to themselves stays as it was). ``kith
    unmerge`` moves identities back, not these."""
    for table, key in ((circle_member, "circle_id"), (ask_recipient, "ask_id")):
        _move_rows(conn, table, key, kept, merged)
    for side, other in (("a_id", "b_id"), ("b_id", "a_id")):
        conn.execute(
            update(introduction)
            .where(introduction.c[side] == merged, introduction.c[other] != kept)
            .values({side: kept})
        )
    conn.execute(update(introduction).where(introduction.c.by_id == merged).values(by_id=kept))


def _move_rows(conn: Connection, table: Table, key: str, kept: int, merged: int) -> None:
    """``table``'s rows of ``merged`` become ``kept``'s, but for those ``kept``
    already has under the same ``key`` (kept as they are, the other dropped)."""
    mine = table.alias("mine")
    already = exists().where(mine.c.person_id == kept, mine.c[key] == table.c[key])
    conn.execute(delete(table).where(and_(table.c.person_id == merged, already)))
    conn.execute(update(table).where(table.c.person_id == merged).values(person_id=kept))


def recompute_directions(conn: Connection) -> None:
    """Set every interaction's direction from its participants and my identities."""
    mine = select(identity.c.id).join(person, person.c.id == identity.c.person_id)
    mine = mine.where(person.c.is_me.is_(True))

    def role_is_me(roles: tuple[str, ...]) -> Any:
        return exists().where(
            participant.c.interaction_id == interaction.c.id,
            participant.c.role.in_(roles),
            participant.c.identity_id.in_(mine.scalar_subquery()),
        )

    conn.execute(
        update(interaction).values(
            direction=case(
                (role_is_me(("from",)), "out"),
                (role_is_me(("to", "cc", "bcc", "attendee")), "in"),
                else_="among",
            )
        )
    )
    # A reply to a message of mine is to me, even when it went to a list (the
    # writer's rule, kith.store.writer.interactions).
    parent = interaction.alias("parent")
    conn.execute(
        update(interaction)
        .where(
            interaction.c.direction == "among",
            exists().where(
                parent.c.source == interaction.c.source,
                parent.c.source_id == interaction.c.parent_ref,
                parent.c.direction == "out",
            ),
        )
        .values(direction="in")
    )
