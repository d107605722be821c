"""Reads and writes for ``kith match``: what people wrote and said about
themselves, and their stored vectors (``person_embedding``).

The SQL of matching lives here (the store is the only SQL); the text
understanding is in ``kith.signals.embed`` and ``kith.matching``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kith.store.ids import chunks
from kith.store.sql import Db

#: Facts that say what a person does or cares about (``kith.model.Fact``).
PROFILE_FACTS = ("org", "title", "role", "department", "category", "note")

#: Messages each person wrote (the sender: role ``from``), newest first per person.
_AUTHORED = """
SELECT idn.person_id, i.occurred_at, i.subject, i.body, idn.value, i.is_reply, i.circle_id
FROM participant pa
JOIN identity idn ON idn.id = pa.identity_id
JOIN person p ON p.id = idn.person_id
JOIN interaction i ON i.id = pa.interaction_id
WHERE pa.role = 'from' AND NOT p.is_me AND p.merged_into IS NULL AND i.body IS NOT NULL
{people}
ORDER BY idn.person_id, i.occurred_at DESC
"""

_FACTS = """
SELECT idn.person_id, f.key, f.value FROM fact f
JOIN identity idn ON idn.id = f.identity_id
JOIN person p ON p.id = idn.person_id
WHERE f.key IN :keys AND NOT p.is_me AND p.merged_into IS NULL {people}
ORDER BY idn.person_id, f.key, f.value
"""


def iter_authored(db: Db, people: Sequence[int] | None = None) -> Iterator[tuple[Any, ...]]:
    """(person, when, subject, body, sender address, is reply, circle) of every
    message with a body that a person (not me, not merged away) sent; grouped by
    person, newest first; all people, or only ``people``."""
    if people is None:
        yield from db.stream(_AUTHORED.format(people=""))
        return
    # A few people (a person's page, a query's candidates): plain reads, which
    # also work where there is no transaction to hold a server-side cursor (the
    # web app reads PostgreSQL in autocommit).
    for part in chunks(sorted(set(people))):
        yield from db.rows(
            _AUTHORED.format(people="AND idn.person_id IN :people"), {"people": list(part)}
        )


def profile_facts(db: Db, people: Sequence[int] | None = None) -> dict[int, list[tuple[str, str]]]:
    """Each person's profile facts (``PROFILE_FACTS``) as (key, value) pairs."""
    found: dict[int, list[tuple[str, str]]] = {}
    parts = [None] if people is None else [list(p) for p in chunks(sorted(set(people)))]
    for part in parts:
        sql = _FACTS.format(people="" if part is None else "AND idn.person_id IN :people")
        params: dict[str, Any] = {"keys": list(PROFILE_FACTS)}
        if part is not None:
            params["people"] = part
        for pid, key, value in db.rows(sql, params):
            found.setdefault(int(pid), []).append((str(key), str(value)))
    return found


def names(db: Db, people: Sequence[int]) -> dict[int, str]:
    """People's names (their first identity's value when they have none)."""
    found: dict[int, str] = {}
    for part in chunks(sorted(set(people))):
        for pid, name, value in db.rows(
            "SELECT p.id, p.name, (SELECT MIN(value) FROM identity WHERE person_id = p.id) "
            "FROM person p WHERE p.id IN :people",
            {"people": list(part)},
        ):
            found[int(pid)] = str(name or value or f"#{pid}")
    return found


def stored_hashes(db: Db, model: str) -> dict[int, str]:
    """The text hash each person's stored vector of ``model`` was made from."""
    return {
        int(pid): str(h)
        for pid, h in db.rows(
            "SELECT person_id, text_hash FROM person_embedding WHERE model = :model",
            {"model": model},
        )
    }


def write_vectors(db: Db, model: str, rows: Sequence[tuple[int, str, bytes]], now: int) -> None:
    """Store (person, text hash, vector) rows of ``model``, replacing theirs."""
    for part in chunks(list(rows)):
        db.execute(
            "DELETE FROM person_embedding WHERE model = :model AND person_id IN :people",
            {"model": model, "people": [r[0] for r in part]},
        ).close()
        db.executemany(
            "INSERT INTO person_embedding (person_id, model, text_hash, vector, computed_at) "
            "VALUES (:person, :model, :hash, :vector, :now)",
            [{"person": p, "model": model, "hash": h, "vector": v, "now": now} for p, h, v in part],
        )


def drop_vectors(db: Db, model: str, people: Sequence[int]) -> None:
    """Remove the stored vectors of ``people`` (who have no text any more)."""
    for part in chunks(sorted(set(people))):
        db.execute(
            "DELETE FROM person_embedding WHERE model = :model AND person_id IN :people",
            {"model": model, "people": list(part)},
        ).close()


def load_vectors(db: Db, model: str) -> tuple[list[int], list[bytes]]:
    """Every current person's stored vector of ``model``: (ids, blobs), in id order."""
    rows = db.rows(
        "SELECT e.person_id, e.vector FROM person_embedding e "
        "JOIN person p ON p.id = e.person_id "
        "WHERE e.model = :model AND p.merged_into IS NULL AND NOT p.is_me "
        "ORDER BY e.person_id",
        {"model": model},
    )
    return [int(r[0]) for r in rows], [bytes(r[1]) for r in rows]


def write_matrix(db: Db, model: str, ids: bytes, vectors: bytes, now: int) -> None:
    """Store every current person's vector of ``model`` as one row."""
    db.execute("DELETE FROM embedding_matrix WHERE model = :model", {"model": model}).close()
    db.execute(
        "INSERT INTO embedding_matrix (model, ids, vectors, computed_at) "
        "VALUES (:model, :ids, :vectors, :now)",
        {"model": model, "ids": ids, "vectors": vectors, "now": now},
    ).close()


def load_matrix(db: Db, model: str) -> tuple[bytes, bytes] | None:
    """The stored matrix of ``model``: (ids, vectors), or None when there is none."""
    row = db.first(
        "SELECT ids, vectors FROM embedding_matrix WHERE model = :model", {"model": model}
    )
    return None if row is None else (bytes(row[0]), bytes(row[1]))


def ledger_stamp(db: Db) -> str:
    """What the people's texts are made of, in a few numbers read by index: when
    it differs from the stamp of the last refresh, some texts may have changed.
    New rows raise a largest id; merges, forgets and removed imports change the
    counts of small tables (a forget also drops the matrix)."""
    row = db.first(
        "SELECT (SELECT MAX(id) FROM interaction), (SELECT MAX(id) FROM fact), "
        "(SELECT MAX(id) FROM identity), (SELECT MAX(id) FROM person), "
        "(SELECT COUNT(*) FROM person WHERE merged_into IS NOT NULL), "
        "(SELECT COUNT(*) FROM merge), (SELECT COUNT(*) FROM import_run), "
        "(SELECT COUNT(*) FROM forgotten), "
        "(SELECT COUNT(*) FROM embedding_matrix)"
    )
    return ":".join(str(v or 0) for v in (row or ()))


def meta(db: Db, key: str) -> str | None:
    """A value of ``ledger_meta``."""
    value = db.scalar("SELECT value FROM ledger_meta WHERE key = :key", {"key": key})
    return None if value is None else str(value)


def set_meta(db: Db, key: str, value: str) -> None:
    """Set a value of ``ledger_meta``."""
    db.execute("DELETE FROM ledger_meta WHERE key = :key", {"key": key}).close()
    db.execute(
        "INSERT INTO ledger_meta (key, value) VALUES (:key, :value)", {"key": key, "value": value}
    ).close()
