"""Asks in the ledger: what I asked of whom, and who answered (``kith.connect.asks``).

Reads and writes through ``Db`` (``kith.store.sql``); the tables are ``ask``
and ``ask_recipient`` (``kith.store.schema``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.model import GIVE_KINDS
from kith.store.sql import LIKE_ESCAPE, Db, contains

#: Their interactions with me (``:pids``), any direction, imported (not ``kith done``).
_WITH = (
    " FROM identity idn JOIN participant pa ON pa.identity_id = idn.id"
    " JOIN interaction i ON i.id = pa.interaction_id"
    " WHERE idn.person_id IN :pids AND i.source <> 'kith'"
)


@dataclass(slots=True)
class Recipient:
    """One person an ask went to, and their first answer (if any)."""

    person_id: int
    name: str
    answered_at: int | None = None
    answer_id: int | None = None


@dataclass(slots=True)
class AskRow:
    """One ask, as stored, with its recipients."""

    id: int
    text: str
    kind: str
    subject: str
    created_at: int
    expected: int
    recipients: list[Recipient] = field(default_factory=list)


def add_ask(
    db: Db, *, text: str, kind: str, subject: str, at: int, expected: int, people: Sequence[int]
) -> int:
    """Store an ask to ``people``; its id."""
    db.execute(
        "INSERT INTO ask (text, kind, subject, created_at, expected)"
        " VALUES (:text, :kind, :subject, :at, :expected)",
        {"text": text, "kind": kind, "subject": subject, "at": at, "expected": expected},
    ).close()
    ask_id = int(
        db.scalar(
            "SELECT MAX(id) FROM ask WHERE created_at = :at AND subject = :subject",
            {"at": at, "subject": subject},
        )
    )
    db.executemany(
        "INSERT INTO ask_recipient (ask_id, person_id) VALUES (:ask, :pid)",
        [{"ask": ask_id, "pid": pid} for pid in people],
    )
    return ask_id


def asks(db: Db, *, person_id: int | None = None) -> list[AskRow]:
    """Every ask (or those to ``person_id``), newest first, with their recipients."""
    where = ""
    params: dict[str, Any] = {}
    if person_id is not None:
        where = " WHERE id IN (SELECT ask_id FROM ask_recipient WHERE person_id = :pid)"
        params["pid"] = person_id
    found = {
        int(r[0]): AskRow(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), int(r[5]))
        for r in db.rows(
            "SELECT id, text, kind, subject, created_at, expected FROM ask"
            + where
            + " ORDER BY created_at DESC, id DESC",
            params,
        )
    }
    if not found:
        return []
    for ask_id, pid, name, answered, answer in db.rows(
        "SELECT r.ask_id, r.person_id, p.name, r.answered_at, r.answer_id"
        " FROM ask_recipient r JOIN person p ON p.id = r.person_id"
        " WHERE r.ask_id IN :ids ORDER BY r.ask_id, p.name, r.person_id",
        {"ids": list(found)},
    ):
        found[int(ask_id)].recipients.append(
            Recipient(
                int(pid),
                name or f"#{pid}",
                None if answered is None else int(answered),
                None if answer is None else int(answer),
            )
        )
    return list(found.values())


def unanswered(db: Db) -> list[tuple[int, str, int, int]]:
    """(ask id, subject, asked at, person id) of every recipient yet to answer."""
    return [
        (int(a), str(s), int(t), int(p))
        for a, s, t, p in db.rows(
            "SELECT a.id, a.subject, a.created_at, r.person_id FROM ask a"
            " JOIN ask_recipient r ON r.ask_id = a.id WHERE r.answered_at IS NULL"
        )
    ]


def replies_from(
    db: Db, person_id: int, subject: str, since: int
) -> Iterator[tuple[int, int, str]]:
    """(interaction id, time, subject) of the messages ``person_id`` sent me
    since ``since`` whose subject contains ``subject``, oldest first."""
    yield from (
        (int(i), int(t), str(s))
        for i, t, s in db.rows(
            "SELECT i.id, i.occurred_at, i.subject"
            + _WITH
            + " AND pa.role = 'from' AND i.direction = 'in' AND i.occurred_at >= :since"
            f" AND lower(i.subject) LIKE :subject ESCAPE '{LIKE_ESCAPE}'"
            " ORDER BY i.occurred_at, i.id",
            {"pids": [person_id], "since": since, "subject": contains(subject.lower())},
        )
    )


def set_answered(db: Db, ask_id: int, person_id: int, at: int, answer_id: int) -> None:
    db.execute(
        "UPDATE ask_recipient SET answered_at = :at, answer_id = :answer"
        " WHERE ask_id = :ask AND person_id = :pid AND answered_at IS NULL",
        {"at": at, "answer": answer_id, "ask": ask_id, "pid": person_id},
    ).close()


def asked_since(db: Db, people: Sequence[int], since: int) -> dict[int, list[int]]:
    """When each of ``people`` was asked something since ``since``."""
    found: dict[int, list[int]] = {}
    if not people:
        return found
    for pid, at in db.rows(
        "SELECT r.person_id, a.created_at FROM ask a JOIN ask_recipient r ON r.ask_id = a.id"
        " WHERE r.person_id IN :pids AND a.created_at >= :since ORDER BY a.created_at",
        {"pids": list(people), "since": since},
    ):
        found.setdefault(int(pid), []).append(int(at))
    return found


def last_given(db: Db, people: Sequence[int]) -> dict[int, int]:
    """When I last gave to each of ``people`` (a share, referral, introduction …
    from me with them in it: ``kith.model.GIVE_KINDS``)."""
    return _last_out(db, people, " AND i.source <> 'kith' AND i.kind IN :kinds", GIVE_KINDS)


def last_written(db: Db, people: Sequence[int]) -> dict[int, int]:
    """When I last wrote to each of ``people`` (imported or ``kith done``)."""
    return _last_out(db, people)


def _last_out(
    db: Db, people: Sequence[int], where: str = "", kinds: Sequence[str] = ()
) -> dict[int, int]:
    """When I last wrote to each of ``people``, with the interactions narrowed by ``where``."""
    if not people:
        return {}
    params: dict[str, Any] = {"pids": list(people)}
    if kinds:
        params["kinds"] = list(kinds)
    return {
        int(p): int(t)
        for p, t in db.rows(
            "SELECT idn.person_id, MAX(i.occurred_at)"
            " FROM identity idn JOIN participant pa ON pa.identity_id = idn.id"
            " JOIN interaction i ON i.id = pa.interaction_id"
            " WHERE idn.person_id IN :pids AND i.direction = 'out'"
            + where
            + " GROUP BY idn.person_id",
            params,
        )
    }


def people_rows(db: Db) -> list[dict[str, Any]]:
    """The relationship rows ``kith ask --suggest`` weighs, with names."""
    return db.dicts(
        "SELECT r.person_id, p.name, r.n_in, r.n_out, r.last_contact_at, r.gives_in,"
        " r.gives_out, r.decayed FROM relationship r JOIN person p ON p.id = r.person_id"
        " WHERE p.merged_into IS NULL AND NOT p.is_me"
    )
