"""Merge suggestions: people who may be one, found in the ledger, decided by the user.

Strong evidence links people while importing (the same address, a card that
lists both); what is left is weaker — mostly a shared name across channels —
and becomes a suggestion with its evidence and a confidence
(``kith.identity.suggestion_confidence``). ``kith merge --suggested`` reviews them.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select, update

from kith import identity as rules
from kith.errors import KithError, NotFoundError
from kith.store.ids import allocate_ids
from kith.store.merging import merge_in
from kith.store.schema import identity, merge_suggestion, person


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    person_a: int
    person_b: int
    name_a: str | None
    name_b: str | None
    confidence: float
    evidence: list[str]
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "person_a": self.person_a,
            "person_b": self.person_b,
            "name_a": self.name_a,
            "name_b": self.name_b,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "status": self.status,
        }


def refresh_suggestions(engine: Engine, *, now: int) -> int:
    """Find new suggestions among people sharing a name key, and between a mail
    gateway's copy of an address and the address (``kith.identity.gateway_local_part``);
    returns how many were added.

    Pairs already suggested (whatever their status) are left as they are, so a
    rejected suggestion does not come back.
    """
    with engine.execution_options(kith_write=True).begin() as conn:
        groups = conn.execute(
            select(person.c.name_key)
            .where(
                person.c.merged_into.is_(None),
                person.c.is_me.is_(False),
                person.c.name_key.is_not(None),
            )
            .group_by(person.c.name_key)
            .having(func.count() > 1, func.count() <= rules.MAX_NAME_GROUP)
        ).all()
        known = {
            (int(a), int(b))
            for a, b in conn.execute(
                select(merge_suggestion.c.person_a, merge_suggestion.c.person_b)
            )
        }
        new: list[dict[str, Any]] = []
        # Gateway copies first: their evidence says more than a shared name alone.
        for a, b, confidence, evidence in _gateway_copies(conn):
            if (a, b) not in known:
                known.add((a, b))
                new.append(_row(a, b, confidence, evidence, now))
        for (key,) in groups:
            members = _members(conn, str(key))
            for (a, ka, sa), (b, kb, sb) in itertools.combinations(members, 2):
                if (a, b) in known:
                    continue
                confidence, evidence = rules.suggestion_confidence(
                    str(key), len(members), ka, kb, sa, sb
                )
                known.add((a, b))
                new.append(_row(a, b, confidence, evidence, now))
        if new:
            for row, sid in zip(new, allocate_ids(conn, "merge_suggestion", len(new)), strict=True):
                row["id"] = sid
            conn.execute(merge_suggestion.insert(), new)
        return len(new)


def _row(a: int, b: int, confidence: float, evidence: list[str], now: int) -> dict[str, Any]:
    return {
        "person_a": a,
        "person_b": b,
        "evidence": json.dumps(evidence),
        "confidence": confidence,
        "status": "open",
        "created_at": now,
    }


def _gateway_copies(conn: Connection) -> list[tuple[int, int, float, list[str]]]:
    """(person a < person b, confidence, evidence) for every gateway-mangled address
    whose original local part is the local part of another person's address."""
    live = (person.c.merged_into.is_(None), person.c.is_me.is_(False))
    email = identity.c.kind == "email"
    copies = conn.execute(
        select(identity.c.person_id, identity.c.value, person.c.name_key)
        .join(person, person.c.id == identity.c.person_id)
        .where(
            email,
            *live,
            or_(*(identity.c.value.endswith("@" + d) for d in sorted(rules.GATEWAY_DOMAINS))),
        )
        .order_by(identity.c.id)
    ).all()
    found = []
    for pid, value, key in copies:
        local = rules.gateway_local_part(str(value))
        if local is None:
            continue
        originals = [
            (int(opid), str(ovalue), okey)
            for opid, ovalue, okey in conn.execute(
                select(identity.c.person_id, identity.c.value, person.c.name_key)
                .join(person, person.c.id == identity.c.person_id)
                .where(email, *live, identity.c.value.startswith(local + "@", autoescape=True))
                .order_by(identity.c.id)
            )
            if rules.email_domain(str(ovalue)) not in rules.GATEWAY_DOMAINS
        ]
        for opid, ovalue, okey in originals:
            if opid == int(pid):
                continue
            same_name = key is not None and key == okey
            confidence, evidence = rules.gateway_confidence(
                str(value), ovalue, same_name, len(originals)
            )
            a, b = sorted((int(pid), opid))
            found.append((a, b, confidence, evidence))
    return found


def _members(conn: Connection, key: str) -> list[tuple[int, set[str], set[str]]]:
    """(person, identity kinds, handle stems) of everyone with name key ``key``."""
    rows = conn.execute(
        select(person.c.id, identity.c.kind, identity.c.value)
        .join(identity, identity.c.person_id == person.c.id)
        .where(
            person.c.name_key == key,
            person.c.merged_into.is_(None),
            person.c.is_me.is_(False),
        )
        .order_by(person.c.id)
    ).all()
    found: dict[int, tuple[set[str], set[str]]] = {}
    for pid, kind, value in rows:
        kinds, stems = found.setdefault(int(pid), (set(), set()))
        kinds.add(str(kind))
        stem = rules.handle_stem(str(kind), str(value))
        if stem:
            stems.add(stem)
    return [(pid, kinds, stems) for pid, (kinds, stems) in sorted(found.items())]


def list_suggestions(engine: Engine, *, status: str = "open") -> list[Suggestion]:
    """Suggestions with ``status``, most confident first; those whose people
    were merged or changed meanwhile are left out."""
    a = person.alias("a")
    b = person.alias("b")
    live = and_(a.c.merged_into.is_(None), b.c.merged_into.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                merge_suggestion.c.id,
                merge_suggestion.c.person_a,
                merge_suggestion.c.person_b,
                a.c.name,
                b.c.name,
                merge_suggestion.c.confidence,
                merge_suggestion.c.evidence,
                merge_suggestion.c.status,
            )
            .join(a, a.c.id == merge_suggestion.c.person_a)
            .join(b, b.c.id == merge_suggestion.c.person_b)
            .where(merge_suggestion.c.status == status, *([live] if status == "open" else []))
            .order_by(merge_suggestion.c.confidence.desc(), merge_suggestion.c.id)
        ).all()
    return [
        Suggestion(int(i), int(pa), int(pb), na, nb, float(c), json.loads(e), str(s))
        for i, pa, pb, na, nb, c, e, s in rows
    ]


def decide(engine: Engine, suggestion_id: int, *, accept: bool, now: int) -> int | None:
    """Accept (merge b into a; returns the merge id) or reject a suggestion."""
    with engine.execution_options(kith_write=True).begin() as conn:
        row = conn.execute(
            select(
                merge_suggestion.c.person_a,
                merge_suggestion.c.person_b,
                merge_suggestion.c.status,
                merge_suggestion.c.evidence,
            ).where(merge_suggestion.c.id == suggestion_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no merge suggestion {suggestion_id}")
        if row[2] != "open":
            raise KithError(f"suggestion {suggestion_id} was already {row[2]}")
        merge_id = None
        if accept:
            reason = "suggested: " + "; ".join(json.loads(row[3]))
            merge_id = merge_in(conn, int(row[0]), int(row[1]), reason=reason, now=now)
        conn.execute(
            update(merge_suggestion)
            .where(merge_suggestion.c.id == suggestion_id)
            .values(status="accepted" if accept else "rejected")
        )
        return merge_id
