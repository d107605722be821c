"""Introductions in the ledger: the rows of ``introduction`` and its steps,
and the mail they are followed in.

Writes and reads only; which step may follow which, what a step needs and
what counts as yield are decided in ``kith.connect.introductions``. Every
function takes a ``kith.store.sql.Db`` (or an SQLAlchemy connection, the
writer's after an import).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kith.store.sql import as_db

#: The columns of an introduction as read, with the names of the three people.
_INTRO = """
SELECT n.id, n.a_id, pa.name, n.b_id, pb.name, n.by_id, py.name, n.state, n.note,
       n.created_at, n.updated_at, n.asked_a_at, n.asked_b_at, n.made_at,
       n.made_interaction_id, n.contact_at, n.checked_at
FROM introduction n
JOIN person pa ON pa.id = n.a_id
JOIN person pb ON pb.id = n.b_id
LEFT JOIN person py ON py.id = n.by_id
"""


@dataclass(frozen=True, slots=True)
class IntroRow:
    """One introduction: A is asked first, then B; ``by_id`` None is me."""

    id: int
    a_id: int
    a_name: str
    b_id: int
    b_name: str
    by_id: int | None
    by_name: str | None
    state: str
    note: str | None
    created_at: int
    updated_at: int
    asked_a_at: int | None = None
    asked_b_at: int | None = None
    made_at: int | None = None
    made_interaction_id: int | None = None
    contact_at: int | None = None
    checked_at: int | None = None


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step an introduction took."""

    state: str
    at: int
    #: me, mail or kith (``introduction_step.actor``)
    actor: str
    interaction_id: int | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PersonCheck:
    """What an introduction needs to know about a person before naming them."""

    id: int
    name: str
    is_me: bool
    merged_into: int | None
    merged_into_name: str | None
    emails: int


@dataclass(frozen=True, slots=True)
class Mail:
    """An e-mail that may move an introduction on."""

    id: int
    occurred_at: int
    thread_id: int | None
    subject: str | None
    body: str | None


def _name(name: Any, pid: int) -> str:
    return str(name) if name else f"#{pid}"


def _intro(row: Sequence[Any]) -> IntroRow:
    (iid, a, an, b, bn, by, byn, state, note, created, updated, aa, ab, made, mi, contact, ck) = row
    return IntroRow(
        int(iid),
        int(a),
        _name(an, int(a)),
        int(b),
        _name(bn, int(b)),
        None if by is None else int(by),
        None if by is None else _name(byn, int(by)),
        str(state),
        note,
        int(created),
        int(updated),
        *(None if v is None else int(v) for v in (aa, ab, made, mi, contact, ck)),
    )


def person_check(conn: Any, pid: int) -> PersonCheck | None:
    """``pid``'s name, whether it is me, whom it was merged into, and how many
    e-mail addresses it has (None: no such person)."""
    row = as_db(conn).first(
        "SELECT p.id, p.name, p.is_me, p.merged_into, m.name,"
        " (SELECT COUNT(*) FROM identity i WHERE i.person_id = p.id AND i.kind = 'email')"
        " FROM person p LEFT JOIN person m ON m.id = p.merged_into WHERE p.id = :pid",
        {"pid": pid},
    )
    if row is None:
        return None
    pid_, name, is_me, merged, merged_name, emails = row
    return PersonCheck(
        int(pid_),
        _name(name, int(pid_)),
        bool(is_me),
        None if merged is None else int(merged),
        None if merged is None else _name(merged_name, int(merged)),
        int(emails),
    )


def me(conn: Any) -> int | None:
    """My person id (None before ``kith init --me``)."""
    value = as_db(conn).scalar("SELECT id FROM person WHERE is_me = :yes LIMIT 1", {"yes": True})
    return None if value is None else int(value)


def get(conn: Any, iid: int) -> IntroRow | None:
    row = as_db(conn).first(_INTRO + " WHERE n.id = :id", {"id": iid})
    return None if row is None else _intro(row)


def listing(
    conn: Any, *, states: Sequence[str] | None = None, person: int | None = None
) -> list[IntroRow]:
    """Introductions, newest first; only ``states`` if given, only those
    ``person`` is in (as A, B or the one who made it) if given."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if states is not None:
        where.append("n.state IN :states")
        params["states"] = list(states)
    if person is not None:
        where.append("(n.a_id = :pid OR n.b_id = :pid OR n.by_id = :pid)")
        params["pid"] = person
    sql = _INTRO + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY n.id DESC"
    return [_intro(r) for r in as_db(conn).rows(sql, params)]


def open_between(conn: Any, a: int, b: int, states: Sequence[str]) -> IntroRow | None:
    """An introduction of ``a`` and ``b`` (either way round) in one of ``states``."""
    row = as_db(conn).first(
        _INTRO + " WHERE n.state IN :states AND ((n.a_id = :a AND n.b_id = :b)"
        " OR (n.a_id = :b AND n.b_id = :a)) ORDER BY n.id LIMIT 1",
        {"a": a, "b": b, "states": list(states)},
    )
    return None if row is None else _intro(row)


def create(
    conn: Any,
    *,
    a: int,
    b: int,
    state: str,
    at: int,
    by_person: int | None = None,
    note: str | None = None,
    made_at: int | None = None,
    made_interaction_id: int | None = None,
    step_actor: str = "me",
) -> int:
    """A new introduction in ``state`` and its first step; its id."""
    db = as_db(conn)
    iid = db.scalar(
        "INSERT INTO introduction (a_id, b_id, by_id, state, note, created_at, updated_at,"
        " made_at, made_interaction_id) VALUES (:a, :b, :by, :state, :note, :at, :at,"
        " :made_at, :mi) RETURNING id",
        {
            "a": a,
            "b": b,
            "by": by_person,
            "state": state,
            "note": note,
            "at": at,
            "made_at": made_at,
            "mi": made_interaction_id,
        },
    )
    add_step(
        db, int(iid), state, at=at, actor=step_actor, interaction_id=made_interaction_id, note=note
    )
    return int(iid)


def add_step(
    conn: Any,
    iid: int,
    state: str,
    *,
    at: int,
    actor: str,
    interaction_id: int | None = None,
    note: str | None = None,
) -> None:
    as_db(conn).execute(
        "INSERT INTO introduction_step (introduction_id, state, at, actor, interaction_id, note)"
        " VALUES (:iid, :state, :at, :actor, :inter, :note)",
        {
            "iid": iid,
            "state": state,
            "at": at,
            "actor": actor,
            "inter": interaction_id,
            "note": note,
        },
    ).close()


#: The columns ``move`` may set besides the state.
MOVABLE = frozenset({"asked_a_at", "asked_b_at", "made_at", "made_interaction_id", "contact_at"})


def move(
    conn: Any,
    iid: int,
    state: str,
    *,
    at: int,
    actor: str,
    interaction_id: int | None = None,
    note: str | None = None,
    columns: Mapping[str, int | None] | None = None,
) -> None:
    """Set the introduction's state (and ``columns``: ``MOVABLE``), and record the step."""
    columns = columns or {}
    unknown = set(columns) - MOVABLE
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    sets = "".join(f", {k} = :{k}" for k in sorted(columns))
    as_db(conn).execute(
        f"UPDATE introduction SET state = :state, updated_at = :at{sets} WHERE id = :id",
        {"state": state, "at": at, "id": iid, **columns},
    ).close()
    add_step(conn, iid, state, at=at, actor=actor, interaction_id=interaction_id, note=note)


def mark_checked(conn: Any, ids: Sequence[int], at: int) -> None:
    if ids:
        as_db(conn).execute(
            "UPDATE introduction SET checked_at = :at WHERE id IN :ids", {"at": at, "ids": ids}
        ).close()


def steps(conn: Any, iid: int) -> list[StepRow]:
    """The introduction's steps, oldest first."""
    return [
        StepRow(str(s), int(at), str(actor), None if i is None else int(i), note)
        for s, at, actor, i, note in as_db(conn).rows(
            "SELECT state, at, actor, interaction_id, note FROM introduction_step"
            " WHERE introduction_id = :iid ORDER BY id",
            {"iid": iid},
        )
    ]


# -- the mail an introduction is followed in ------------------------------------


#: Someone's part in an interaction: ``{who}`` is a person id parameter.
_IN = (
    "EXISTS (SELECT 1 FROM participant q JOIN identity e ON e.id = q.identity_id"
    " WHERE q.interaction_id = i.id AND e.person_id = :{who})"
)
#: My e-mails with :person from :since on, read from their participant index.
_MINE_WITH = (
    "SELECT DISTINCT i.id, i.occurred_at, i.thread_id, i.subject, i.body FROM identity d"
    " JOIN participant p ON p.identity_id = d.id JOIN interaction i ON i.id = p.interaction_id"
    " WHERE d.person_id = :person AND i.channel = 'email' AND i.direction = 'out'"
    " AND i.occurred_at >= :since"
)


def _mail(rows: Sequence[Sequence[Any]]) -> list[Mail]:
    return [
        Mail(int(i), int(at), None if t is None else int(t), subject, body)
        for i, at, t, subject, body in rows
    ]


def asks(conn: Any, person: int, other: int, since: int) -> list[Mail]:
    """My e-mails to ``person`` without ``other`` from ``since`` on, oldest
    first: where an ask about ``other`` can be."""
    sql = _MINE_WITH + " AND NOT " + _IN.format(who="other") + " ORDER BY i.occurred_at, i.id"
    return _mail(as_db(conn).rows(sql, {"person": person, "other": other, "since": since}))


def to_both(conn: Any, a: int, b: int, since: int) -> list[Mail]:
    """My first messages (not replies) to both ``a`` and ``b`` from ``since``
    on, oldest first: where an introduction e-mail can be."""
    sql = (
        _MINE_WITH
        + " AND NOT i.is_reply AND "
        + _IN.format(who="other")
        + " ORDER BY i.occurred_at, i.id"
    )
    return _mail(as_db(conn).rows(sql, {"person": b, "other": a, "since": since}))


def replies_from(conn: Any, person: int, thread: int, after: int) -> list[Mail]:
    """What ``person`` wrote in ``thread`` after ``after``, oldest first."""
    return _mail(
        as_db(conn).rows(
            "SELECT i.id, i.occurred_at, i.thread_id, i.subject, i.body FROM interaction i"
            " JOIN participant p ON p.interaction_id = i.id AND p.role = 'from'"
            " JOIN identity d ON d.id = p.identity_id"
            " WHERE i.thread_id = :thread AND d.person_id = :person AND i.occurred_at > :after"
            " ORDER BY i.occurred_at, i.id",
            {"thread": thread, "person": person, "after": after},
        )
    )


def in_run(conn: Any, people: Sequence[int], *, lo: int, hi: int) -> set[int]:
    """Those of ``people`` who took part in interactions ``lo``..``hi`` (an
    import run's), read by the participant index person by person."""
    if not people:
        return set()
    return {
        int(r[0])
        for r in as_db(conn).rows(
            "SELECT DISTINCT d.person_id FROM identity d"
            " JOIN participant p ON p.identity_id = d.id"
            " WHERE d.person_id IN :people AND p.interaction_id BETWEEN :lo AND :hi",
            {"people": list(people), "lo": lo, "hi": hi},
        )
    }


def direct_contact(
    conn: Any, a: int, b: int, *, without: int | None, after: int, until: int
) -> int | None:
    """When ``a`` and ``b`` first took part in the same interaction after
    ``after`` and until ``until``, with ``without`` not in it (None: no such)."""
    # read from B's interactions (by the participant index): A may be me,
    # in everything
    sql = (
        "SELECT MIN(i.occurred_at) FROM identity db"
        " JOIN participant pb ON pb.identity_id = db.id"
        " JOIN interaction i ON i.id = pb.interaction_id"
        " WHERE db.person_id = :b AND i.occurred_at > :after AND i.occurred_at <= :until"
        " AND EXISTS (SELECT 1 FROM participant p JOIN identity d ON d.id = p.identity_id"
        "   WHERE p.interaction_id = i.id AND d.person_id = :a)"
    )
    params: dict[str, Any] = {"a": a, "b": b, "after": after, "until": until}
    if without is not None:
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM participant p JOIN identity d"
            " ON d.id = p.identity_id WHERE p.interaction_id = i.id AND d.person_id = :without)"
        )
        params["without"] = without
    value = as_db(conn).scalar(sql, params)
    return None if value is None else int(value)


def received_in_run(conn: Any, *, run: int, lo: int, hi: int) -> list[tuple[int, int, int, int]]:
    """(interaction id, when, who wrote it, who it brought in) for the
    introductions made to me among a run's interactions ``lo``..``hi``
    (kind ``intro``: ``kith.store.gives``) that no introduction records yet:
    everyone in To and Cc but me and its author."""
    return [
        (int(i), int(at), int(by), int(to))
        for i, at, by, to in as_db(conn).rows(
            "SELECT DISTINCT i.id, i.occurred_at, fi.person_id, ti.person_id FROM interaction i"
            " JOIN participant fa ON fa.interaction_id = i.id AND fa.role = 'from'"
            " JOIN identity fi ON fi.id = fa.identity_id"
            " JOIN participant ta ON ta.interaction_id = i.id AND ta.role IN ('to', 'cc')"
            " JOIN identity ti ON ti.id = ta.identity_id JOIN person tp ON tp.id = ti.person_id"
            " WHERE i.id BETWEEN :lo AND :hi AND i.import_id = :run AND i.kind = 'intro'"
            " AND i.direction = 'in' AND NOT tp.is_me AND ti.person_id <> fi.person_id"
            " AND NOT EXISTS (SELECT 1 FROM introduction n WHERE n.made_interaction_id = i.id"
            "   AND n.b_id = ti.person_id)"
            " ORDER BY i.id, ti.person_id",
            {"run": run, "lo": lo, "hi": hi},
        )
    ]
