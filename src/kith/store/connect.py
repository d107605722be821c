"""The reads behind introduction suggestions (``kith.connect.suggest``).

What the suggester needs of the ledger, in plain SQL on a ``Db``: my warm
relationships (their rows, for ``kith.relate.strength``), the ties among
people, which pairs ever took part in one interaction without me, the
circles and threads each person wrote in, their own messages, and what
sources say of them (organisation, title, role).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kith.relate import strength
from kith.store.relationships import ACTIVE, TWO_WAY
from kith.store.sql import Db

#: The facts that say what someone does: read as what they can offer.
ROLE_FACTS = ("org", "title", "role")


@dataclass(frozen=True)
class Message:
    """One message a person wrote, as the suggester reads it."""

    person_id: int
    interaction_id: int
    occurred_at: int
    subject: str | None
    body: str
    is_reply: bool
    address: str
    address_kind: str
    display_name: str | None


def two_way_rows(db: Db) -> list[dict[str, Any]]:
    """The relationship rows (``strength.ROW_COLUMNS`` and ``person_id``, name)
    of everyone two-way with me, not merged away."""
    cols = ", ".join(f"r.{c}" for c in strength.ROW_COLUMNS if c != "person_id")
    return db.dicts(
        f"SELECT r.person_id, p.name, r.last_contact_at, {cols} FROM relationship r"
        f" JOIN person p ON p.id = r.person_id WHERE {ACTIVE} AND {TWO_WAY}"
    )


def person_state(db: Db, person_id: int) -> tuple[str | None, int | None] | None:
    """(name, merged into) of one person, or None when there is no such person."""
    row = db.first("SELECT name, merged_into FROM person WHERE id = :id", {"id": person_id})
    return None if row is None else (row[0], None if row[1] is None else int(row[1]))


def ties(db: Db) -> list[tuple[int, int, int, int, int, int]]:
    """Every tie: (person a, person b, interactions, first at, last at, shared threads)."""
    return [
        (int(a), int(b), int(n), int(f), int(last), int(t))
        for a, b, n, f, last, t in db.rows(
            "SELECT person_a, person_b, interactions, first_at, last_at, shared_threads FROM tie"
        )
    ]


def talked_without_me(db: Db, people: list[int]) -> set[tuple[int, int]]:
    """Pairs (a < b) among ``people`` who took part in one interaction that I was not in."""
    if not people:
        return set()
    rows = db.rows(
        "SELECT pt.interaction_id, i.person_id, p.is_me FROM participant pt"
        " JOIN identity i ON i.id = pt.identity_id JOIN person p ON p.id = i.person_id"
        " WHERE pt.interaction_id IN (SELECT q.interaction_id FROM participant q"
        "  JOIN identity j ON j.id = q.identity_id WHERE j.person_id IN :people)",
        {"people": people},
    )
    wanted = set(people)
    by_interaction: dict[int, set[int]] = defaultdict(set)
    with_me: set[int] = set()
    for interaction_id, person_id, is_me in rows:
        if is_me:
            with_me.add(int(interaction_id))
        elif int(person_id) in wanted:
            by_interaction[int(interaction_id)].add(int(person_id))
    pairs: set[tuple[int, int]] = set()
    for interaction_id, present in by_interaction.items():
        if interaction_id in with_me or len(present) < 2:
            continue
        ordered = sorted(present)
        pairs.update((a, b) for n, a in enumerate(ordered) for b in ordered[n + 1 :])
    return pairs


def circles_written_in(db: Db, people: list[int]) -> dict[int, dict[str, int]]:
    """person → {circle name: messages they wrote in it}."""
    if not people:
        return {}
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for person_id, name, n in db.rows(
        "SELECT i.person_id, COALESCE(c.name, c.key), COUNT(*) FROM interaction x"
        " JOIN circle c ON c.id = x.circle_id"
        " JOIN participant pt ON pt.interaction_id = x.id AND pt.role = 'from'"
        " JOIN identity i ON i.id = pt.identity_id"
        " WHERE i.person_id IN :people GROUP BY i.person_id, COALESCE(c.name, c.key)",
        {"people": people},
    ):
        found[int(person_id)][str(name)] = int(n)
    return dict(found)


def threads_of(db: Db, people: list[int]) -> dict[int, dict[int, str]]:
    """person → {thread id: subject} of the threads they took part in."""
    if not people:
        return {}
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for person_id, thread_id, subject in db.rows(
        "SELECT DISTINCT i.person_id, x.thread_id, t.subject FROM interaction x"
        " JOIN thread t ON t.id = x.thread_id"
        " JOIN participant pt ON pt.interaction_id = x.id"
        " JOIN identity i ON i.id = pt.identity_id WHERE i.person_id IN :people",
        {"people": people},
    ):
        found[int(person_id)][int(thread_id)] = subject or ""
    return dict(found)


def messages_by(db: Db, people: list[int], per_person: int) -> dict[int, list[Message]]:
    """The newest ``per_person`` messages with text each of ``people`` wrote."""
    if not people:
        return {}
    found: dict[int, list[Message]] = defaultdict(list)
    for row in db.stream(
        "SELECT i.person_id, x.id, x.occurred_at, x.subject, x.body, x.is_reply,"
        " i.value, i.kind, i.display_name FROM interaction x"
        " JOIN participant pt ON pt.interaction_id = x.id AND pt.role = 'from'"
        " JOIN identity i ON i.id = pt.identity_id"
        " WHERE i.person_id IN :people AND x.body IS NOT NULL"
        " ORDER BY x.occurred_at DESC",
        {"people": people},
    ):
        pid = int(row[0])
        mine = found[pid]
        if len(mine) < per_person:
            mine.append(
                Message(
                    pid,
                    int(row[1]),
                    int(row[2]),
                    row[3],
                    str(row[4]),
                    bool(row[5]),
                    str(row[6]),
                    str(row[7]),
                    row[8],
                )
            )
    return dict(found)


def role_facts(db: Db, people: list[int]) -> dict[int, list[tuple[str, str]]]:
    """person → [(key, value)] of their ``ROLE_FACTS``."""
    if not people:
        return {}
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, key, value in db.rows(
        "SELECT i.person_id, f.key, f.value FROM fact f JOIN identity i ON i.id = f.identity_id"
        " WHERE i.person_id IN :people AND f.key IN :keys ORDER BY f.id",
        {"people": people, "keys": list(ROLE_FACTS)},
    ):
        pair = (str(key), str(value))
        if pair not in found[int(person_id)]:
            found[int(person_id)].append(pair)
    return dict(found)


def my_identity_values(db: Db) -> list[str]:
    """The values of my identities (addresses, handles)."""
    return [
        str(v)
        for (v,) in db.rows(
            "SELECT i.value FROM identity i JOIN person p ON p.id = i.person_id WHERE p.is_me"
        )
    ]


def my_names(db: Db) -> list[str]:
    """My names: the ledger's and those seen beside my addresses."""
    rows = db.rows(
        "SELECT p.name FROM person p WHERE p.is_me AND p.name IS NOT NULL UNION"
        " SELECT i.display_name FROM identity i JOIN person p ON p.id = i.person_id"
        " WHERE p.is_me AND i.display_name IS NOT NULL"
    )
    return [str(n) for (n,) in rows]
