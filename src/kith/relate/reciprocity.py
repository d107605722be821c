"""Reciprocity: the ledger of gives both ways, and the debt in plain words.

A *give* is an interaction that does something for the other side: kinds
share, mention, referral, purchase, intro, answer (ARCHITECTURE.md, as the
feature pipeline counts ``gives_in``/``gives_out``). Theirs: they wrote it
to me (``kith.model.gives_to_me``: directed at me, never a give among others in
a community I import); mine: direction ``out``. Per kind: how many each way,
the first and last. The balance is gives in − gives out; the debt sentence
names the kinds they gave most and what came back ("shared your work 6 times
since March 2026; you never answered in kind").

Source: Granovetter 1973 (second-hand: reciprocal services as a part of tie
strength); Gilbert & Karahalios 2009 (abstract read: reciprocal services a
dimension). The counting rule is ours; a give is weighed as one, whatever its
kind (a referral is not yet worth more than a share).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from kith.model import GIVE_KINDS, gives_to_me
from kith.relate.data import Event
from kith.relate.explain import Explanation

#: What a give of each kind did for me, as a verb phrase.
THEIR_VERBS = {
    "share": "shared your work",
    "mention": "mentioned you",
    "referral": "referred someone to you",
    "purchase": "bought from you",
    "intro": "introduced you to someone",
    "answer": "answered your questions",
}
MY_VERBS = {
    "share": "shared their work",
    "mention": "mentioned them",
    "referral": "referred someone to them",
    "purchase": "bought from them",
    "intro": "introduced them to someone",
    "answer": "answered their questions",
}


def _month(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%B %Y")


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def ledger(events: Iterable[Event]) -> dict[str, Any]:
    """The gives both ways, per kind, with dates, the balance and the debt sentence."""
    kinds: dict[str, dict[str, Any]] = {}
    entries: list[dict[str, Any]] = []
    for e in events:
        if e.kind not in GIVE_KINDS:
            continue
        if e.direction == "out":
            way = "out"
        elif gives_to_me(e.kind, e.direction, e.authored):
            way = "in"
        else:
            continue
        k = kinds.setdefault(
            e.kind, {"kind": e.kind, "in": 0, "out": 0, "first_at": e.at, "last_at": e.at}
        )
        k[way] += 1
        k["last_at"] = e.at
        entries.append({"at": e.at, "kind": e.kind, "way": way})
    given_in = sum(k["in"] for k in kinds.values())
    given_out = sum(k["out"] for k in kinds.values())
    return {
        "gives_in": given_in,
        "gives_out": given_out,
        "balance": given_in - given_out,
        "by_kind": sorted(kinds.values(), key=lambda k: -(k["in"] + k["out"])),
        "entries": entries[-50:],
        "summary": debt_sentence(entries),
        "evidence": [
            f"{k['kind']}: {k['in']} from them, {k['out']} from you "
            f"({_month(k['first_at'])} – {_month(k['last_at'])})"
            for k in kinds.values()
        ],
    }


def debt_sentence(entries: list[dict[str, Any]]) -> str:
    """One sentence on who owes whom, from the gives in time order."""
    if not entries:
        return "no gives either way yet"
    ins = [e for e in entries if e["way"] == "in"]
    outs = [e for e in entries if e["way"] == "out"]

    def phrase(side: list[dict[str, Any]], verbs: dict[str, str]) -> str:
        counts: dict[str, int] = {}
        for e in side:
            counts[e["kind"]] = counts.get(e["kind"], 0) + 1
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
        return " and ".join(f"{verbs[k]} {_times(n)}" for k, n in top)

    if len(ins) > len(outs):
        since = _month(ins[0]["at"])
        back = (
            "you never answered in kind"
            if not outs
            else f"you gave back {_times(len(outs))} ({phrase(outs, MY_VERBS)})"
        )
        return f"they {phrase(ins, THEIR_VERBS)} since {since}; {back}"
    if len(outs) > len(ins):
        since = _month(outs[0]["at"])
        back = "nothing came back yet" if not ins else f"they gave back {_times(len(ins))}"
        return f"you {phrase(outs, MY_VERBS)} since {since}; {back}"
    return f"even: {_times(len(ins))} each way"


EXPLANATION = Explanation(
    name="reciprocity",
    title="the ledger of gives both ways, and the debt",
    formula=(
        "gives: kinds " + ", ".join(GIVE_KINDS) + ";\n"
        "theirs: they wrote it to me (direction in); mine: direction out.\n"
        "balance = gives in − gives out; each give counts one.\n"
        "Debt sentence: the side that gave more, its two commonest kinds, since its first give."
    ),
    source=(
        "Granovetter 1973 (second-hand): reciprocal services; Gilbert & Karahalios 2009\n"
        "(abstract read): reciprocal services among the dimensions of tie strength."
    ),
    status="our counting rule; gives are not weighed by kind.",
    validation="tests: hand-made ledgers with known gives give the expected counts and sentence.",
    notes="Reciprocity",
    aliases=("debt",),
)
