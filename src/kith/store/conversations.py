"""Public threads in the ledger, for ``kith conversations`` (``kith.connect.conversations``).

Public: an interaction in a public circle (a mailing list, a community) or
one its source marks ``"visibility": "public"`` (a forum post, a public
mention, a blog comment).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kith.store.sql import LIKE_ESCAPE, Db, contains

#: The condition on ``i`` (an interaction) and ``c`` (its circle, left-joined).
PUBLIC = "(c.visibility = 'public' OR i.extra LIKE :public)"
_PUBLIC_EXTRA = '%"visibility": "public"%'


def mentioning(
    db: Db, terms: Sequence[str], *, since: int | None = None
) -> Iterator[tuple[int, int | None, str | None, str | None, int, str, str | None]]:
    """(interaction id, thread id, subject, body, time, source, circle name) of
    the public interactions whose subject or body contains one of ``terms``
    (any case; the caller checks word boundaries), from ``since`` on."""
    if not terms:
        return
    params: dict[str, Any] = {"public": _PUBLIC_EXTRA}
    tests = []
    for n, term in enumerate(terms):
        params[f"t{n}"] = contains(term.lower())
        tests.append(
            f"lower(COALESCE(i.subject, '')) LIKE :t{n} ESCAPE '{LIKE_ESCAPE}'"
            f" OR lower(COALESCE(i.body, '')) LIKE :t{n} ESCAPE '{LIKE_ESCAPE}'"
        )
    # Others' words: my own posts name me in their signatures.
    where = f"{PUBLIC} AND i.direction <> 'out' AND ({' OR '.join(tests)})"
    if since is not None:
        where += " AND i.occurred_at >= :since"
        params["since"] = since
    for row in db.rows(
        "SELECT i.id, i.thread_id, i.subject, i.body, i.occurred_at, i.source, c.name"
        " FROM interaction i LEFT JOIN circle c ON c.id = i.circle_id"
        f" WHERE {where} ORDER BY i.occurred_at, i.id",
        params,
    ):
        yield (
            int(row[0]),
            None if row[1] is None else int(row[1]),
            row[2],
            row[3],
            int(row[4]),
            str(row[5]),
            row[6],
        )


def threads(db: Db, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Thread id → subject, source, started_at, last_at and messages."""
    if not ids:
        return {}
    found: dict[int, dict[str, Any]] = {}
    for tid, subject, source, started, last, n in db.rows(
        "SELECT t.id, t.subject, t.source, MIN(i.occurred_at), MAX(i.occurred_at), COUNT(*)"
        " FROM thread t JOIN interaction i ON i.thread_id = t.id"
        " WHERE t.id IN :ids GROUP BY t.id, t.subject, t.source",
        {"ids": list(ids)},
    ):
        found[int(tid)] = {
            "subject": subject,
            "source": source,
            "started_at": int(started),
            "last_at": int(last),
            "messages": int(n),
        }
    return found


def authors(
    db: Db, *, threads: Sequence[int] = (), interactions: Sequence[int] = ()
) -> list[tuple[str, int, int, str | None, bool, int, str]]:
    """("t" thread id or "i" interaction id, that id, person id, name, is me,
    first time, the identity they wrote from as ``kind:value``) of the people
    who wrote in the given threads or interactions."""
    found: list[tuple[str, int, int, str | None, bool, int, str]] = []
    for key, column, ids in (("t", "i.thread_id", threads), ("i", "i.id", interactions)):
        if not ids:
            continue
        for at, pid, name, me, first, kind, value in db.rows(
            f"SELECT {column}, p.id, p.name, p.is_me, MIN(i.occurred_at), idn.kind, idn.value"
            " FROM interaction i JOIN participant pa ON pa.interaction_id = i.id"
            " JOIN identity idn ON idn.id = pa.identity_id"
            " JOIN person p ON p.id = idn.person_id"
            f" WHERE {column} IN :ids AND pa.role = 'from'"
            f" GROUP BY {column}, p.id, p.name, p.is_me, idn.kind, idn.value",
            {"ids": list(ids)},
        ):
            found.append((key, int(at), int(pid), name, bool(me), int(first), f"{kind}:{value}"))
    return found


def known(db: Db, people: Sequence[int]) -> set[int]:
    """Those of ``people`` I have been in touch with: an interaction to or from me."""
    if not people:
        return set()
    return {
        int(r[0])
        for r in db.rows(
            "SELECT DISTINCT idn.person_id FROM identity idn"
            " JOIN participant pa ON pa.identity_id = idn.id"
            " JOIN interaction i ON i.id = pa.interaction_id"
            " WHERE idn.person_id IN :pids AND i.direction IN ('in', 'out')",
            {"pids": list(people)},
        )
    }
