"""Removing rows from the ledger in bulk, as ``kith forget`` and ``kith imports
--delete`` do: ids in chunks (SQLite binds at most 32,766 values), and what a
removal leaves behind — empty threads and circles, the derived rows of people
who are gone, and analytics that no longer describe the ledger.

The analytics are reset rather than patched: an incremental refresh assumes
that interactions are only ever added, so after a removal the state is
dropped, and with it the token that ties the mirror to the ledger: the next
refresh reads the ledger anew. (The command deletes the mirror file too,
``kith.analytics.mirror.remove``: the store does not reach into analytics.)
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, delete, select, update

from kith.store.schema import (
    analytics_state,
    ask_recipient,
    attention_action,
    attention_day,
    attention_item,
    circle,
    circle_member,
    embedding_matrix,
    interaction,
    introduction,
    introduction_step,
    merge,
    merge_suggestion,
    participant,
    person_embedding,
    relationship,
    thread,
    tie,
)

#: How many ids go in one ``IN`` list.
CHUNK = 10_000


def chunks(values: Collection[int]) -> Iterable[list[int]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def values_in(
    conn: Connection, query: Select[Any], column: ColumnElement[Any], values: Collection[int]
) -> list[Any]:
    found: list[Any] = []
    for part in chunks(values):
        found += conn.execute(query.where(column.in_(part))).scalars().all()
    return found


def rows_in(
    conn: Connection, query: Select[Any], column: ColumnElement[Any], values: Collection[int]
) -> list[Any]:
    found: list[Any] = []
    for part in chunks(values):
        found += conn.execute(query.where(column.in_(part))).all()
    return found


def delete_in(
    conn: Connection, table: Table, column: ColumnElement[Any], values: Collection[int]
) -> int:
    total = 0
    for part in chunks(values):
        total += int(conn.execute(delete(table).where(column.in_(part))).rowcount or 0)
    return total


def delete_interactions(conn: Connection, ids: Collection[int]) -> tuple[set[int], set[int]]:
    """Delete interactions ``ids`` and their participants; the threads and
    circles they were in (for ``drop_empty``)."""
    threads = {
        int(t)
        for t in values_in(conn, select(interaction.c.thread_id), interaction.c.id, ids)
        if t is not None
    }
    circles = {
        int(c)
        for c in values_in(conn, select(interaction.c.circle_id), interaction.c.id, ids)
        if c is not None
    }
    delete_in(conn, participant, participant.c.interaction_id, ids)
    delete_in(conn, interaction, interaction.c.id, ids)
    return threads, circles


def drop_empty(conn: Connection, threads: set[int], circles: set[int]) -> None:
    """Threads and circles that the removed interactions leave empty."""
    used = set(values_in(conn, select(interaction.c.thread_id), interaction.c.thread_id, threads))
    delete_in(conn, thread, thread.c.id, threads - {int(t) for t in used})
    used_circles = {
        int(c)
        for c in values_in(conn, select(interaction.c.circle_id), interaction.c.circle_id, circles)
    }
    used_circles |= {
        int(c) for c in values_in(conn, select(thread.c.circle_id), thread.c.circle_id, circles)
    }
    delete_in(conn, circle, circle.c.id, circles - used_circles)


def drop_derived(conn: Connection, people: list[int]) -> None:
    """Scores, merges, suggestions and the daily queue's traces of ``people``."""
    delete_in(conn, relationship, relationship.c.person_id, people)
    delete_in(conn, tie, tie.c.person_a, people)
    delete_in(conn, tie, tie.c.person_b, people)
    delete_in(conn, person_embedding, person_embedding.c.person_id, people)
    conn.execute(delete(embedding_matrix))  # holds their vectors too: remade when next read
    delete_in(conn, merge, merge.c.kept_id, people)
    delete_in(conn, merge, merge.c.merged_id, people)
    delete_in(conn, merge_suggestion, merge_suggestion.c.person_a, people)
    delete_in(conn, merge_suggestion, merge_suggestion.c.person_b, people)
    delete_in(conn, attention_action, attention_action.c.person_id, people)
    delete_in(conn, attention_item, attention_item.c.person_id, people)
    drop_introductions(conn, people)
    delete_in(conn, ask_recipient, ask_recipient.c.person_id, people)
    delete_in(conn, circle_member, circle_member.c.person_id, people)
    gone = set(people)
    for day, items in conn.execute(select(attention_day.c.day, attention_day.c["items"])).all():
        listed = json.loads(items)
        kept = [i for i in listed if not (isinstance(i, dict) and i.get("person_id") in gone)]
        if len(kept) != len(listed):
            conn.execute(
                update(attention_day)
                .where(attention_day.c.day == day)
                .values(items=json.dumps(kept))
            )


def drop_introductions(conn: Connection, people: list[int]) -> None:
    """The introductions ``people`` are in (as A, B or the one who made
    them), with their steps."""
    ids: set[int] = set()
    for column in (introduction.c.a_id, introduction.c.b_id, introduction.c.by_id):
        ids |= {int(i) for i in values_in(conn, select(introduction.c.id), column, people)}
    delete_in(conn, introduction_step, introduction_step.c.introduction_id, ids)
    delete_in(conn, introduction, introduction.c.id, ids)


def reset_analytics(conn: Connection) -> None:
    conn.execute(delete(analytics_state))
