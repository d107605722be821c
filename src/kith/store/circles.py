"""Private circles in the ledger: the pool a round is drawn from, what the
formation reads about its people, and the circles, members, rounds and
yields it writes (migration 0011).

Reads take a ``Db`` (``kith.store.sql``); writes take an SQLAlchemy engine
and run in one write transaction, so a failed command leaves nothing behind.
Public circles (mailing lists, communities) are written by the importer
(``kith.store.writer.circles``); their members are the people who took part
in their interactions (``kith.store.browse.circle_members``).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.errors import InputError, NotFoundError
from kith.relate import layers
from kith.signals.text import own_words
from kith.store import relationships as rel
from kith.store.browse import MAX_PAGE, PeopleQuery, circle_members, search_people
from kith.store.ids import chunks
from kith.store.sql import Db, contains, using

#: The kinds of private circle.
KINDS = ("mastermind", "dinner", "peer group", "cohort")
#: The pool when none is given.
DEFAULT_POOL = "two-way"
#: Filter words of ``--pool`` (``role=founder,layer=50``).
POOL_KEYS = ("role", "layer", "circle", "org")
#: Profile facts read as a person's own description.
PROFILE_KEYS = ("org", "title", "role", "department", "category", "note", "bio")
#: Of each person's messages, the newest this many are read for their words,
#: and of each, the first this many characters of their own words.
TEXT_MESSAGES = 40
TEXT_CHARS = 1_500


@dataclass(frozen=True, slots=True)
class PoolPerson:
    """One person of a pool, with what the formation reads about them."""

    id: int
    name: str
    #: Their own words (``own_words``) and profile fields, as one text.
    text: str = ""
    #: When they were last placed in a private circle (None: never).
    last_placed: int | None = None


@dataclass(slots=True)
class PoolFacts:
    """Everything the formation needs about a pool, read in one go."""

    spec: str
    people: list[PoolPerson]
    #: Pairs (a < b) with a tie (they have interacted, with at most
    #: ``kith.analytics.definition.MAX_TIE_PEOPLE`` people): they know each other.
    known: set[tuple[int, int]] = field(default_factory=set)
    #: Pairs (a < b) that already shared a circle, private or public.
    shared: set[tuple[int, int]] = field(default_factory=set)


def pair(a: int, b: int) -> tuple[int, int]:
    """The pair's key: the smaller id first."""
    return (a, b) if a < b else (b, a)


def pool_ids(db: Db, spec: str | None, now: int) -> tuple[str, list[int]]:
    """The people a pool names, and the pool's description.

    ``spec`` is ``two-way`` (the default: everyone I have a two-way
    relationship with), ``everyone``, or filters joined by commas, each
    ``key=value`` with a key of ``POOL_KEYS``: ``role`` (part of a role or
    job title), ``layer`` (a Dunbar layer, as on the People page), ``circle``
    (a circle's name or ``#id``), ``org`` (part of their organisation). The
    filters are those of the People page (``kith.store.browse``) and all
    must hold; they apply to everyone (add ``two-way`` to keep to the two-way).
    """
    text = (spec or DEFAULT_POOL).strip()
    filters: dict[str, str] = {}
    two_way = False
    everyone = False
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part in ("two-way", "two_way"):
            two_way = True
            continue
        if part in ("everyone", "all"):
            everyone = True
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in POOL_KEYS or not value.strip():
            raise InputError(
                f"cannot read the pool filter {part!r}",
                where="--pool",
                hint="give two-way, everyone, or key=value with a key of "
                + ", ".join(POOL_KEYS)
                + " (role=founder,layer=50)",
            )
        filters[key] = value.strip()
    if not filters and not everyone:
        two_way = True
    if "layer" in filters and filters["layer"] not in layers.LAYER_NAMES:
        raise InputError(
            f"no layer {filters['layer']!r}",
            where="--pool",
            hint="layers: " + ", ".join(layers.LAYER_NAMES),
        )
    circle_id = None if "circle" not in filters else find_circle(db, filters["circle"])[0]
    query = PeopleQuery(
        role=filters.get("role", ""), layer=filters.get("layer", ""), circle=circle_id
    )
    ids: list[int] = []
    members = None if circle_id is None else circle_members_any(db, circle_id)
    page = 1
    while True:
        found = search_people(
            db,
            PeopleQuery(**{**_fields(query), "page": page, "per_page": MAX_PAGE}),
            now,
            members=members,
        )
        ids.extend(int(r["id"]) for r in found.rows)
        if not found.more:
            break
        page += 1
    chosen = set(ids)
    if two_way:
        chosen &= {
            int(r[0])
            for r in db.rows(f"SELECT r.person_id FROM relationship r WHERE {rel.TWO_WAY}")
        }
    if "org" in filters:
        chosen &= {
            int(r[0])
            for r in db.rows(
                "SELECT i.person_id FROM fact f JOIN identity i ON i.id = f.identity_id"
                " WHERE f.key = 'org' AND lower(f.value) LIKE :org ESCAPE '\\'",
                {"org": contains(filters["org"].lower())},
            )
        }
    return text, sorted(chosen)


def _fields(query: PeopleQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in PeopleQuery.__dataclass_fields__}


def find_circle(db: Db, name: str) -> tuple[int, str]:
    """The circle called ``name`` (or ``#id``): its id and visibility."""
    text = name.strip()
    if text.startswith("#") and text[1:].isdigit():
        row = db.first("SELECT id, visibility FROM circle WHERE id = :id", {"id": int(text[1:])})
    else:
        rows = db.rows(
            "SELECT id, visibility FROM circle WHERE name = :name ORDER BY id", {"name": text}
        )
        if len(rows) > 1:
            private = [r for r in rows if r[1] == "private"]
            rows = private or rows
        row = rows[0] if rows else None
    if row is None:
        raise NotFoundError(f"no circle {name!r}", hint="kith circles --all lists them")
    return int(row[0]), str(row[1])


def circle_members_any(db: Db, circle_id: int) -> frozenset[int]:
    """A circle's members: a private circle's recorded members, a public
    one's people who took part in its interactions."""
    private = private_members(db, [circle_id]).get(circle_id)
    if private is not None:
        return frozenset(private)
    return circle_members(db, circle_id)


def private_members(db: Db, circle_ids: Sequence[int]) -> dict[int, list[int]]:
    """Private circle id → its members' ids (only private circles are keys)."""
    found: dict[int, list[int]] = {}
    for chunk in chunks(list(circle_ids)):
        for cid in db.rows(
            "SELECT id FROM circle WHERE id IN :ids AND visibility = 'private'", {"ids": chunk}
        ):
            found[int(cid[0])] = []
        for cid, pid in db.rows(
            "SELECT circle_id, person_id FROM circle_member WHERE circle_id IN :ids"
            " ORDER BY circle_id, person_id",
            {"ids": chunk},
        ):
            found.setdefault(int(cid), []).append(int(pid))
    return found


def pool_facts(db: Db, spec: str, ids: Sequence[int]) -> PoolFacts:
    """What the formation reads about the pool ``ids``: names, words and
    profiles, when each was last placed, who knows whom, who already shared
    a circle."""
    ids = sorted(set(ids))
    names = rel.names_of(db, ids)
    texts = person_texts(db, ids)
    placed = last_placed(db, ids)
    people = [
        PoolPerson(pid, names.get(pid) or f"#{pid}", texts.get(pid, ""), placed.get(pid))
        for pid in ids
    ]
    return PoolFacts(spec, people, known_pairs(db, ids), shared_pairs(db, ids))


def person_texts(db: Db, ids: Sequence[int]) -> dict[int, str]:
    """person id → their profile fields (``PROFILE_KEYS``) and their own words
    in the newest ``TEXT_MESSAGES`` messages they wrote (never what they
    quote or sign: ``kith.signals.text.own_words``)."""
    parts: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks(list(ids)):
        for pid, value in db.rows(
            "SELECT i.person_id, f.value FROM fact f JOIN identity i ON i.id = f.identity_id"
            " WHERE i.person_id IN :ids AND f.key IN :keys ORDER BY f.id",
            {"ids": chunk, "keys": list(PROFILE_KEYS)},
        ):
            parts[int(pid)].append(str(value))
        rows = db.rows(
            "SELECT i.person_id, x.subject, x.body FROM participant pa"
            " JOIN identity i ON i.id = pa.identity_id"
            " JOIN interaction x ON x.id = pa.interaction_id"
            " WHERE i.person_id IN :ids AND pa.role = 'from'"
            " ORDER BY i.person_id, x.occurred_at DESC, x.id DESC",
            {"ids": chunk},
        )
        taken: dict[int, int] = defaultdict(int)
        for pid, subject, body in rows:
            person = int(pid)
            if taken[person] >= TEXT_MESSAGES:
                continue
            taken[person] += 1
            words = own_words(body, limit=TEXT_CHARS)
            parts[person].append(f"{subject or ''}\n{words}".strip())
    return {pid: "\n".join(p for p in texts if p) for pid, texts in parts.items()}


def last_placed(db: Db, ids: Sequence[int]) -> dict[int, int]:
    """person id → when their newest private circle started."""
    found: dict[int, int] = {}
    for chunk in chunks(list(ids)):
        for pid, at in db.rows(
            "SELECT m.person_id, max(coalesce(c.created_at, m.added_at)) FROM circle_member m"
            " JOIN circle c ON c.id = m.circle_id WHERE m.person_id IN :ids"
            " GROUP BY m.person_id",
            {"ids": chunk},
        ):
            found[int(pid)] = int(at)
    return found


def known_pairs(db: Db, ids: Sequence[int]) -> set[tuple[int, int]]:
    """Pairs of ``ids`` with a tie (the ``tie`` table, as of the last refresh)."""
    inside = set(ids)
    found: set[tuple[int, int]] = set()
    for chunk in chunks(sorted(inside)):
        for a, b in db.rows(
            "SELECT person_a, person_b FROM tie WHERE person_a IN :ids", {"ids": chunk}
        ):
            if int(b) in inside:
                found.add(pair(int(a), int(b)))
    return found


def shared_pairs(db: Db, ids: Sequence[int]) -> set[tuple[int, int]]:
    """Pairs of ``ids`` that were in one circle already: both members of a
    private circle, or both took part in a public circle's interactions."""
    groups: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(sorted(set(ids))):
        for cid, pid in db.rows(
            "SELECT circle_id, person_id FROM circle_member WHERE person_id IN :ids",
            {"ids": chunk},
        ):
            groups[int(cid)].add(int(pid))
        for cid, pid in db.rows(
            "SELECT DISTINCT x.circle_id, i.person_id FROM interaction x"
            " JOIN participant pa ON pa.interaction_id = x.id"
            " JOIN identity i ON i.id = pa.identity_id"
            " WHERE x.circle_id IS NOT NULL AND i.person_id IN :ids",
            {"ids": chunk},
        ):
            groups[-int(cid)].add(int(pid))
    found: set[tuple[int, int]] = set()
    for members in groups.values():
        ordered = sorted(members)
        for k, a in enumerate(ordered):
            for b in ordered[k + 1 :]:
                found.add((a, b))
    return found


def pair_contacts(
    db: Db, ids: Collection[int], until: int, max_people: int
) -> dict[tuple[int, int], list[int]]:
    """Pairs of ``ids`` → the times (before ``until``) of the interactions both
    took part in directly: at most ``max_people`` people besides me (ties'
    ``kith.analytics.definition.MAX_TIE_PEOPLE``)."""
    inside = set(ids)
    by_interaction: dict[int, tuple[int, set[int]]] = {}
    for chunk in chunks(sorted(inside)):
        for xid, at, pid in db.rows(
            "SELECT x.id, x.occurred_at, i.person_id FROM participant pa"
            " JOIN identity i ON i.id = pa.identity_id"
            " JOIN interaction x ON x.id = pa.interaction_id"
            " WHERE i.person_id IN :ids AND x.occurred_at < :until",
            {"ids": chunk, "until": until},
        ):
            entry = by_interaction.setdefault(int(xid), (int(at), set()))
            entry[1].add(int(pid))
    shared = [xid for xid, (_, people) in by_interaction.items() if len(people) > 1]
    sizes: dict[int, int] = {}
    for chunk in chunks(shared):
        for xid, n in db.rows(
            "SELECT pa.interaction_id, count(DISTINCT i.person_id) FROM participant pa"
            " JOIN identity i ON i.id = pa.identity_id JOIN person p ON p.id = i.person_id"
            " WHERE pa.interaction_id IN :ids AND NOT p.is_me GROUP BY pa.interaction_id",
            {"ids": chunk},
        ):
            sizes[int(xid)] = int(n)
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    for xid in shared:
        at, people = by_interaction[xid]
        if sizes.get(xid, len(people)) > max_people:
            continue
        ordered = sorted(people)
        for k, a in enumerate(ordered):
            for b in ordered[k + 1 :]:
                found[(a, b)].append(at)
    return dict(found)


# -- the private circles -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewCircle:
    """A circle to create: its name, kind, members and reasons."""

    name: str
    members: tuple[int, ...]
    kind: str = "peer group"
    reasons: tuple[str, ...] = ()


def create_circles(
    engine: Any,
    circles: Sequence[NewCircle],
    now: int,
    *,
    pool: str,
    pool_ids: Collection[int],
    settings: Mapping[str, Any] | None = None,
) -> list[int]:
    """Create ``circles`` as private circles of one new round (the pool they
    were drawn from kept with it), all or none; their ids."""
    from sqlalchemy import insert

    from kith.store.schema import circle, circle_member, circle_round

    with engine.execution_options(kith_write=True).begin() as conn:
        db = Db.of(conn)
        taken = [c.name for c in circles if _name_taken(db, c.name)]
        if taken:
            raise InputError(
                f"a circle called {taken[0]!r} exists already",
                hint="choose another name, or kith circle add NAME PEOPLE…",
            )
        round_id = conn.execute(
            insert(circle_round).returning(circle_round.c.id),
            {
                "created_at": now,
                "pool": pool,
                "pool_ids": json.dumps(sorted(set(pool_ids))),
                "settings": json.dumps(dict(settings or {}), sort_keys=True),
            },
        ).scalar_one()
        ids: list[int] = []
        for c in circles:
            cid = conn.execute(
                insert(circle).returning(circle.c.id),
                {
                    "key": f"private:{uuid.uuid4().hex}",
                    "name": c.name,
                    "visibility": "private",
                    "kind": c.kind,
                    "round_id": round_id,
                    "created_at": now,
                    "reasons": json.dumps(list(c.reasons)),
                },
            ).scalar_one()
            if c.members:
                conn.execute(
                    insert(circle_member),
                    [{"circle_id": cid, "person_id": p, "added_at": now} for p in c.members],
                )
            ids.append(int(cid))
    return ids


def _name_taken(db: Db, name: str) -> bool:
    return db.first("SELECT 1 FROM circle WHERE name = :name", {"name": name}) is not None


def change_members(
    engine: Any, circle_id: int, people: Iterable[int], now: int, *, add: bool
) -> int:
    """Add ``people`` to a private circle (or take them out); how many changed."""
    with using(engine, write=True) as db:
        kind = db.first("SELECT visibility FROM circle WHERE id = :id", {"id": circle_id})
        if kind is None or kind[0] != "private":
            raise InputError(
                f"circle #{circle_id} is public: its members are who take part in it",
                hint="only private circles (kith circles) have members to add or remove",
            )
        current = set(private_members(db, [circle_id]).get(circle_id, []))
        changed = 0
        for pid in dict.fromkeys(people):
            if add and pid not in current:
                db.execute(
                    "INSERT INTO circle_member (circle_id, person_id, added_at)"
                    " VALUES (:c, :p, :at)",
                    {"c": circle_id, "p": pid, "at": now},
                )
                changed += 1
            elif not add and pid in current:
                db.execute(
                    "DELETE FROM circle_member WHERE circle_id = :c AND person_id = :p",
                    {"c": circle_id, "p": pid},
                )
                changed += 1
        if changed:
            db.execute("DELETE FROM circle_yield WHERE circle_id = :c", {"c": circle_id})
    return changed


@dataclass(frozen=True, slots=True)
class CircleRow:
    """A private circle as listed."""

    id: int
    name: str
    kind: str | None
    round_id: int | None
    created_at: int | None
    reasons: list[str]
    members: list[tuple[int, str]]
    #: The stored yield (``circle_yield`` columns), None before the first import after it.
    yield_row: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``kith circles --json``."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "round": self.round_id,
            "created_at": self.created_at,
            "reasons": self.reasons,
            "members": [{"id": i, "name": n} for i, n in self.members],
            "yield": self.yield_row,
        }


def list_private(db: Db) -> list[CircleRow]:
    """Every private circle, newest first, with members and stored yield."""
    rows = db.rows(
        "SELECT id, name, kind, round_id, created_at, reasons FROM circle"
        " WHERE visibility = 'private' ORDER BY created_at DESC, id DESC"
    )
    ids = [int(r[0]) for r in rows]
    members = private_members(db, ids)
    names = rel.names_of(db, sorted({p for m in members.values() for p in m}))
    yields = stored_yields(db, ids)
    return [
        CircleRow(
            int(cid),
            str(name),
            kind,
            None if rid is None else int(rid),
            None if at is None else int(at),
            json.loads(reasons) if reasons else [],
            [(p, names.get(p) or f"#{p}") for p in members.get(int(cid), [])],
            yields.get(int(cid)),
        )
        for cid, name, kind, rid, at, reasons in rows
    ]


def count_public(db: Db) -> int:
    """How many public circles (mailing lists, communities) there are."""
    return int(db.scalar("SELECT count(*) FROM circle WHERE visibility = 'public'") or 0)


_YIELD_COLUMNS = (
    "circle_id",
    "computed_at",
    "pairs",
    "new_pairs",
    "met",
    "yield_share",
    "random_share",
    "random_draws",
    "window_ends_at",
)


def stored_yields(db: Db, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """circle id → its stored yield row."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(list(ids)):
        for row in db.rows(
            f"SELECT {', '.join(_YIELD_COLUMNS)} FROM circle_yield WHERE circle_id IN :ids",
            {"ids": chunk},
        ):
            found[int(row[0])] = dict(zip(_YIELD_COLUMNS[1:], row[1:], strict=True))
    return found


def yield_inputs(db: Db) -> list[tuple[int, int, list[int], list[int]]]:
    """Each private circle with members and a start: (id, started at,
    members, its round's pool)."""
    rows = db.rows(
        "SELECT c.id, c.created_at, r.pool_ids FROM circle c"
        " LEFT JOIN circle_round r ON r.id = c.round_id"
        " WHERE c.visibility = 'private' AND c.created_at IS NOT NULL ORDER BY c.id"
    )
    members = private_members(db, [int(r[0]) for r in rows])
    out = []
    for cid, at, pool in rows:
        group = members.get(int(cid), [])
        if len(group) < 2:
            continue
        drawn = sorted(set(json.loads(pool)) | set(group)) if pool else list(group)
        out.append((int(cid), int(at), group, drawn))
    return out


def write_yields(engine: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the stored yields of the circles in ``rows`` (``_YIELD_COLUMNS``)."""
    if not rows:
        return
    with using(engine, write=True) as db:
        for chunk in chunks([int(r["circle_id"]) for r in rows]):
            db.execute("DELETE FROM circle_yield WHERE circle_id IN :ids", {"ids": chunk})
        db.executemany(
            f"INSERT INTO circle_yield ({', '.join(_YIELD_COLUMNS)}) VALUES ("
            + ", ".join(f":{c}" for c in _YIELD_COLUMNS)
            + ")",
            rows,
        )
