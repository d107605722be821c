"""Referrals: who brought whom, the chains, and realised referral value beside
lifetime value.

Who brought whom, from three kinds of evidence:

- a ``referral`` interaction (the purchases importer writes one for a
  "referred by" e-mail address): its author brought the other participants;
- an ``intro`` interaction that is not mine: its author brought the people it
  introduced (to/cc) to me;
- a note: a ``note`` fact, or a purchase's ``referred_by_name``, reading
  "referred by NAME" / "introduced by NAME", matched to a person by exact
  name (case-insensitive; an unmatched name is shown as it is).

Chains follow these edges up (who brought the person, who brought them …)
and down (everyone they brought, and everyone those brought), at most
``MAX_DEPTH`` steps. Value, per currency, from purchase amounts (decimal
strings): lifetime value = the person's own purchases; realised referral
value = the purchases of the people they brought directly, and of the whole
chain below them.

Source: Kumar, Petersen & Leone 2007 (second-hand, HBR): customer referral
value is poorly predicted by lifetime value, so both are shown side by side;
intentions overstate behaviour, so only actual referrals count (Keiningham et
al. 2007, read: never NPS). The cost of prompting referrals, which their
definition subtracts, is not known to kith and is not subtracted.

The chains are walked here; what each step reads comes from a
``ReferralReads`` (``kith.store.scores.LedgerReferrals`` on the ledger), so
this module holds no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from kith.relate.data import Event, parse_extra
from kith.relate.explain import Explanation

if TYPE_CHECKING:
    from decimal import Decimal

MAX_DEPTH = 6
#: At most this many people in the chain below someone.
MAX_BELOW = 500
_NOTE = re.compile(r"\b(?:referred|introduced|sent)\s+(?:to (?:me|us)\s+)?by\s+([^,.;\n]+)", re.I)


def names_in_notes(texts: Iterable[str]) -> list[str]:
    """The NAMEs of "referred by NAME" / "introduced by NAME" in free text."""
    return [m.group(1).strip() for t in texts for m in _NOTE.finditer(t)]


#: One participant of a referral or intro interaction: (interaction id, kind,
#: time, direction, person id, role, whether that person is me).
EdgeRow = tuple[Any, ...]


class ReferralReads(Protocol):
    """What walking the chains reads from the ledger."""

    def edge_rows_touching(self, people: Sequence[int], now: int) -> list[EdgeRow]:
        """The participants of referral and intro interactions of ``people`` up to ``now``."""
        ...

    def edge_rows_of(self, interaction_ids: Sequence[int]) -> list[EdgeRow]:
        """The participants of these interactions."""
        ...

    def people_named(self, names: Sequence[str]) -> dict[str, int]:
        """name → the first person (not merged away) of exactly that name, case aside."""
        ...

    def purchase_extras(self, people: Sequence[int], now: int) -> list[Any]:
        """The ``extra`` (JSON) of purchases ``people`` made up to ``now``."""
        ...

    def names(self, ids: Sequence[int]) -> dict[int, str | None]:
        """person id → name."""
        ...


def _edges_touching(
    reads: ReferralReads, people: Sequence[int], now: int
) -> list[tuple[int, int, int, str]]:
    """(referrer, referred, at, how) of referral and intro interactions of ``people``."""
    return _edges(reads.edge_rows_touching(people, now)) if people else []


def edges(rows: list[EdgeRow]) -> list[tuple[int, int, int, str]]:
    """(referrer, referred, at, how) from the participants of referral and intro
    interactions, oldest first (my own introductions bring nobody to me)."""
    return _edges(rows)


def _edges(rows: list[tuple[Any, ...]]) -> list[tuple[int, int, int, str]]:
    by_id: dict[int, dict[str, Any]] = {}
    for xid, kind, at, direction, pid, role, is_me in rows:
        item = by_id.setdefault(
            int(xid),
            {"kind": kind, "at": int(at), "out": direction == "out", "from": set(), "to": set()},
        )
        if is_me:
            continue
        item["from" if role in ("from", "sender") else "to"].add(int(pid))
    edges = set()
    for item in by_id.values():
        if item["out"]:  # my own introductions bring nobody to me
            continue
        for a in item["from"]:
            for b in item["to"] - {a}:
                edges.add((a, b, item["at"], str(item["kind"])))
    return sorted(edges, key=lambda e: e[2])


def purchases(reads: ReferralReads, people: Sequence[int], now: int) -> dict[str, Decimal]:
    """Their own purchases' amounts summed per currency (``?`` when none is given)."""
    from decimal import Decimal, InvalidOperation  # only when someone bought

    totals: dict[str, Decimal] = {}
    if not people:
        return totals
    for extra in reads.purchase_extras(people, now):
        data = parse_extra(extra)
        try:
            amount = Decimal(str(data.get("amount", "0")))
        except InvalidOperation:
            continue
        currency = str(data.get("currency") or "?")
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return totals


def own_purchases(events: Iterable[Event]) -> dict[str, Decimal]:
    """``purchases`` from the person's own events (no query)."""
    from decimal import Decimal, InvalidOperation

    totals: dict[str, Decimal] = {}
    for e in events:
        if e.kind != "purchase" or not e.authored:
            continue
        try:
            amount = Decimal(str(e.extra.get("amount", "0")))
        except InvalidOperation:
            continue
        currency = str(e.extra.get("currency") or "?")
        totals[currency] = totals.get(currency, Decimal(0)) + amount
    return totals


def _money(totals: dict[str, Decimal]) -> str:
    if not totals:
        return "0"
    return ", ".join(f"{v:,.2f} {k}".replace(" ?", "") for k, v in sorted(totals.items()))


def referrals(
    reads: ReferralReads,
    person_id: int,
    events: list[Event],
    facts: list[tuple[str, str]],
    now: int,
    names: dict[int, str | None] | None = None,
) -> dict[str, Any]:
    """Who brought this person, whom they brought, chains, and the two values."""
    names = dict(names or {})
    own = [e.id for e in events if e.kind in ("referral", "intro")]
    direct = _edges(reads.edge_rows_of(own)) if own else []
    brought_by = [(a, at, how) for a, b, at, how in direct if b == person_id]
    noted = names_in_notes(
        [v for k, v in facts if k == "note"]
        + [
            f"referred by {e.extra['referred_by_name']}"
            for e in events
            if e.extra.get("referred_by_name")
        ]
    )
    matched = reads.people_named(noted)
    for name in noted:
        if name in matched and matched[name] != person_id:
            brought_by.append((matched[name], 0, "note"))
    unmatched = [n for n in noted if n not in matched]

    # Up: who brought them, and who brought that one …
    up: list[int] = []
    current = brought_by[0][0] if brought_by else None
    while (
        current is not None and current not in up and current != person_id and len(up) < MAX_DEPTH
    ):
        up.append(current)
        above = [a for a, b, _, _ in _edges_touching(reads, [current], now) if b == current]
        current = above[0] if above else None

    # Down: everyone they brought, level by level.
    levels: list[list[int]] = []
    seen = {person_id}
    frontier = [person_id]
    for _ in range(MAX_DEPTH):
        edges = _edges_touching(reads, frontier, now)
        nxt = sorted({b for a, b, _, _ in edges if a in frontier and b not in seen})
        if not nxt or len(seen) > MAX_BELOW:
            break
        seen.update(nxt)
        levels.append(nxt)
        frontier = nxt
    brought = levels[0] if levels else []
    below = [p for level in levels for p in level]

    wanted = [p for p in {*up, *below} if p not in names]
    if wanted:
        names.update(reads.names(wanted))

    def who(pid: int) -> str:
        return names.get(pid) or f"#{pid}"

    lifetime = own_purchases(events)
    direct_value = purchases(reads, brought, now)
    chain_value = purchases(reads, below, now)
    chain_text = " → ".join(
        [*(who(p) for p in reversed(up)), who(person_id) if person_id in names else "them"]
    )
    evidence = [f"brought by {who(a)} ({how})" for a, _, how in brought_by]
    evidence += [f"referred by '{n}' (note; no one of that name)" for n in unmatched]
    evidence += [f"brought {who(b)}" for b in brought[:20]]
    summary = (
        f"brought {len(brought)} directly ({len(below)} in the chain below): "
        f"referral value {_money(direct_value)} (chain {_money(chain_value)}) "
        f"beside lifetime value {_money(lifetime)}"
    )
    if up:
        summary = f"came through {who(up[0])}; " + summary
    return {
        "brought_by": [
            {"person_id": a, "name": names.get(a), "how": how} for a, _, how in brought_by
        ],
        "brought_by_names": unmatched,
        "brought": [{"person_id": b, "name": names.get(b)} for b in brought],
        "chain_up": [{"person_id": p, "name": names.get(p)} for p in up],
        "chain_text": chain_text,
        "below": len(below),
        "lifetime_value": {k: str(v) for k, v in lifetime.items()},
        "referral_value": {k: str(v) for k, v in direct_value.items()},
        "chain_value": {k: str(v) for k, v in chain_value.items()},
        "summary": summary,
        "evidence": evidence,
    }


EXPLANATION = Explanation(
    name="referrals",
    title="who brought whom, chains, referral value beside lifetime value",
    formula=(
        "edges: referral interactions (author → others), intros not mine (author → introduced),\n"
        "notes 'referred by NAME' (exact name match).\n"
        f"chains: up and down the edges, at most {MAX_DEPTH} steps.\n"
        "lifetime value = Σ own purchase amounts; referral value = Σ purchases of the people\n"
        "brought directly; chain value = Σ over everyone below; per currency."
    ),
    source=(
        "Kumar, Petersen & Leone 2007 (second-hand): referral value is poorly predicted by\n"
        "lifetime value — shown side by side; Keiningham et al. 2007 (read): actual\n"
        "referrals, never NPS. The cost of prompting referrals is not subtracted."
    ),
    status="second-hand source; counting rules ours.",
    validation="tests: a hand-made chain A → B → C with purchases gives the expected values.",
    notes="Referrals",
    aliases=("brought",),
)
