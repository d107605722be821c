"""Fournier's seven dimensions, measured from observables; the form they suggest;
the owner's desired profile per role and the gap to it.

Source: Fournier 1998, "Consumers and Their Brands", JCR 24(4). The seven
dimensions (voluntary/imposed, positive/negative, intense/superficial,
enduring/short-term, public/private, formal/informal, symmetric/asymmetric)
are *unverified* in what could be read: this is our reading of the paper.
Twelve of the fifteen forms' definitions are confirmed second-hand (docs/science.md);
the paper's evidence comes from interviews with three people, so a form is
shown as a hypothesis with its evidence and a confidence word, never a fact,
and nothing automatic acts on it.

Each dimension is a value in [−1, 1], +1 at the first pole (the observable
stand-ins are docs/science.md's *proposal*; the scalings are ours):

- voluntary  2·d − 1, d = share of interactions one to one (in or out, not in
             a public circle) rather than among others (in a list, a meeting,
             a CC) or in public;
- positive   the mean VADER compound of their messages to me (−1..1; the
             messages warmth and competence read, ``ABOUT_ME_AMONG_KINDS``);
- intense    clamp(log2(contacts per 30 days of tenure) / 2): 4 a month → +1,
             one → 0, one per 4 months → −1;
- enduring   clamp(log2(tenure / 90 days) / 2): a year → +1, 90 days → 0;
- public     2·(share in public circles) − 1;
- formal     mean of 2·(share of contacts on weekdays 9–17 in the writer's
             own time zone) − 1 and the register net of their words
             (formal vs informal markers of ``perception``'s lexicon);
- symmetric  2ρ − 1, ρ = 1 − |in − out| / (in + out).

Forms (rules ours, after the definitions and docs/science.md's proposals; the
first whose every condition holds, most specific first): enmity, fling,
courtship, dependency, best friendship, committed partnership, secret affair,
compartmentalized friendship, marriage of convenience, childhood friendship,
casual friends. Confidence: ``tentative`` under ``FEW_CONTACTS`` contacts,
``moderate`` under ``MANY_CONTACTS``, else ``firmer`` — never "certain".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kith.relate.data import Event
from kith.relate.explain import Explanation
from kith.relate.perception import cues, net
from kith.signals.text import own_words
from kith.units import DAY

DIMENSIONS = (
    ("voluntary", "imposed"),
    ("positive", "negative"),
    ("intense", "superficial"),
    ("enduring", "short-term"),
    ("public", "private"),
    ("formal", "informal"),
    ("symmetric", "asymmetric"),
)
FEW_CONTACTS = 10
MANY_CONTACTS = 50
#: Working hours in the writer's own time: weekdays, 9:00–17:00.
WORK_HOURS = (9, 17)

#: The owner's desired profile per role (dimension → target in [−1, 1]); a
#: dimension left out does not matter for that role. Defaults are ours;
#: ``[relate.desired.ROLE]`` in the config file replaces a role's profile
#: (``load_desired``).
DEFAULT_DESIRED: dict[str, dict[str, float]] = {
    "customer": {"positive": 0.5, "symmetric": 0.5, "enduring": 0.5, "voluntary": 0.5},
    "collaborator": {"positive": 0.5, "symmetric": 0.8, "intense": 0.3, "enduring": 0.5},
    "community": {"positive": 0.5, "public": 0.5, "voluntary": 0.5},
    "contact": {"positive": 0.3, "symmetric": 0.5},
}


@dataclass(frozen=True)
class Desired:
    """The desired profile per role."""

    profiles: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_DESIRED)


def load_desired(config_file: Path | None = None) -> Desired:
    """The defaults, with ``[relate.desired.ROLE]`` tables of the config file
    over them (``positive = 0.6`` …: a dimension's first pole, in [−1, 1])."""
    from kith.config import config_table
    from kith.errors import ConfigError

    table, where = config_table("relate", config_file)
    given = table.get("desired", {})
    if not isinstance(given, dict):
        raise ConfigError("[relate.desired] must be a table of roles", where=where)
    names = {first for first, _ in DIMENSIONS}
    profiles = {role: dict(p) for role, p in DEFAULT_DESIRED.items()}
    for role, profile in given.items():
        if not isinstance(profile, dict):
            raise ConfigError(f"[relate.desired.{role}] must be a table", where=where)
        checked: dict[str, float] = {}
        for name, value in profile.items():
            if name not in names:
                raise ConfigError(
                    f"[relate.desired.{role}] {name}: not a dimension",
                    where=where,
                    hint="use " + ", ".join(sorted(names)),
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > 1:
                raise ConfigError(
                    f"[relate.desired.{role}] {name} = {value!r}: give a number from -1 to 1",
                    where=where,
                )
            checked[name] = float(value)
        profiles[role.lower()] = checked
    return Desired(profiles)


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


def dimensions(row: Mapping[str, Any], events: list[Event], now: int) -> dict[str, Any]:
    """Each dimension's value (None when nothing observed) and its evidence."""
    n_in, n_out = int(row.get("n_in") or 0), int(row.get("n_out") or 0)
    contacts = n_in + n_out
    out: dict[str, Any] = {}

    def put(name: str, value: float | None, evidence: str) -> None:
        out[name] = {
            "value": None if value is None else round(_clamp(value), 2),
            "evidence": evidence,
        }

    # One to one: between the two of us and not in a public circle (a public
    # reply to me is direct, but not one to one: it counts in "public").
    read = len(events)
    private = sum(1 for e in events if e.direction in ("in", "out") and not e.public)
    direct = private / read if read else None
    put(
        "voluntary",
        None if direct is None else 2 * direct - 1,
        "no interactions"
        if direct is None
        else f"{direct:.0%} of {read} interactions one to one, the rest among others or in public",
    )
    mean = row.get("sentiment_mean")
    put(
        "positive",
        None if mean is None else float(mean),
        "no text of theirs to you"
        if mean is None
        else f"mean sentiment {float(mean):+.2f} over {row.get('sentiment_n')} of their "
        "messages to you (VADER)",
    )
    first = row.get("first_contact_at")
    tenure = None if first is None else max((now - int(first)) / DAY, 1.0)
    if tenure is not None and contacts:
        per_month = contacts / max(tenure, 30.0) * 30
        lengths = [len(own_words(e.body)) for e in events if e.authored and e.body]
        mean_len = sum(lengths) / len(lengths) if lengths else None
        put(
            "intense",
            math.log2(per_month) / 2,
            f"{per_month:.1f} contacts per 30 days"
            + (f"; their messages {mean_len:.0f} characters on average" if mean_len else ""),
        )
    else:
        put("intense", None, "no contact")
    put(
        "enduring",
        None if tenure is None else math.log2(tenure / 90) / 2,
        "no contact" if tenure is None else f"known {tenure:.0f} days",
    )
    share = row.get("public_share")
    put(
        "public",
        None if share is None else 2 * float(share) - 1,
        "no interactions" if share is None else f"{float(share):.0%} in public circles",
    )
    put("formal", *_formality(events))
    rho = None if not contacts else 1 - abs(n_in - n_out) / contacts
    put(
        "symmetric",
        None if rho is None else 2 * rho - 1,
        "no contact" if rho is None else f"{n_in} messages in, {n_out} out (ρ = {rho:.2f})",
    )
    return out


def _formality(events: list[Event]) -> tuple[float | None, str]:
    work = seen = 0
    register = [0, 0]
    for e in events:
        if e.direction not in ("in", "out"):
            continue
        local = e.at + (e.tz_offset_min or 0) * 60
        weekday = (local // DAY + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
        hour = (local % DAY) // 3600
        seen += 1
        work += weekday < 5 and WORK_HOURS[0] <= hour < WORK_HOURS[1]
        if e.authored and e.body:
            c = cues(own_words(e.body))["register"]
            register[0] += c[0]
            register[1] += c[1]
    if not seen:
        return None, "no contact"
    hours = 2 * work / seen - 1
    words = net(register)
    value = hours if words is None else (hours + words) / 2
    evidence = f"{work / seen:.0%} of contacts in working hours"
    if words is not None:
        evidence += f"; register markers {register[0]} formal, {register[1]} informal"
    return value, evidence


def _v(dims: Mapping[str, Any], name: str) -> float | None:
    value: float | None = dims[name]["value"]
    return value


#: (form, definition, conditions) — each condition: (words, test on dims and context).
Condition = tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any]], bool]]


def _ge(name: str, x: float) -> Condition:
    return (f"{name} ≥ {x:+.1f}", lambda d, c: (_v(d, name) or -9.0) >= x)


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _le(name: str, x: float) -> Condition:
    return (
        f"{name} ≤ {x:+.1f}",
        lambda d, c: _or(_v(d, name), 9.0) <= x,
    )


FORMS: tuple[tuple[str, str, tuple[Condition, ...]], ...] = (
    ("enmity", "intense, negative", (_ge("intense", 0.0), _le("positive", -0.1))),
    (
        "fling",
        "short, rewarding, no commitment",
        (
            ("active for under 90 days", lambda d, c: c["span_days"] < 90),
            ("at least 5 contacts", lambda d, c: c["contacts"] >= 5),
            ("silent over 90 days since", lambda d, c: c["silence_days"] > 90),
        ),
    ),
    (
        "courtship",
        "interim, on the way to commitment",
        (
            ("known under 180 days", lambda d, c: c["tenure_days"] < 180),
            ("contact rising (last 90 days above the average before)", lambda d, c: c["rising"]),
            _ge("symmetric", 0.0),
        ),
    ),
    (
        "dependency",
        "obsessive, the other irreplaceable (here: one side carries it)",
        (_ge("intense", 0.5), _le("symmetric", -0.4)),
    ),
    (
        "best friendship",
        "voluntary, reciprocal, intimate",
        (
            _ge("voluntary", 0.4),
            _ge("symmetric", 0.2),
            _le("public", -0.6),
            _ge("intense", 0.0),
            _ge("positive", 0.05),
        ),
    ),
    (
        "committed partnership",
        "long, voluntary, high love, trust, commitment",
        (
            ("known over a year", lambda d, c: c["tenure_days"] > 365),
            ("at least monthly in the last year", lambda d, c: c["days_365"] >= 12),
            _ge("symmetric", 0.2),
            _ge("positive", 0.05),
        ),
    ),
    (
        "secret affair",
        "emotive, private",
        (
            _ge("intense", 0.8),
            _le("public", -1.0),
            ("strong feeling", lambda d, c: abs(_v(d, "positive") or 0) >= 0.4),
        ),
    ),
    (
        "compartmentalized friendship",
        "situational, enduring, lower intimacy",
        (_ge("enduring", 0.5), _ge("public", 0.0)),
    ),
    (
        "marriage of convenience",
        "long, by circumstance",
        (_ge("enduring", 0.5), _le("voluntary", -0.4)),
    ),
    (
        "childhood friendship",
        "infrequent, affect-laden, nostalgic",
        (
            ("known over three years", lambda d, c: c["tenure_days"] > 3 * 365),
            _le("intense", -0.5),
            _ge("positive", 0.3),
        ),
    ),
    ("casual friends", "low affect and intimacy, sporadic", (_le("intense", 0.0),)),
)


def form(dims: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The first form whose conditions all hold, as a hypothesis with its evidence."""
    contacts = int(context["contacts"])
    confidence = (
        "tentative"
        if contacts < FEW_CONTACTS
        else "moderate"
        if contacts < MANY_CONTACTS
        else "firmer"
    )
    for name, definition, conditions in FORMS:
        if all(test(dims, context) for _, test in conditions):
            return {
                "form": name,
                "definition": definition,
                "confidence": confidence,
                "evidence": [words for words, _ in conditions],
                "summary": (
                    f"perhaps {name} ({definition}): a hypothesis, {confidence}, from "
                    f"{contacts} contacts"
                ),
            }
    return {
        "form": None,
        "definition": None,
        "confidence": confidence,
        "evidence": [],
        "summary": "no form fits the evidence",
    }


def role_of(facts: list[tuple[str, str]], row: Mapping[str, Any]) -> str:
    """The role the desired profile is looked up by: a ``role`` fact when the
    ledger has one, else customer (a purchase), community (mostly public),
    contact."""
    for key, value in facts:
        if key == "role" and value.strip():
            return value.strip().lower()
    if int(row.get("n_purchase") or 0) > 0:
        return "customer"
    if float(row.get("public_share") or 0) > 0.5:
        return "community"
    return "contact"


def gap(dims: Mapping[str, Any], role: str, desired: Desired) -> dict[str, Any]:
    """Target − actual per dimension the role's profile names."""
    profile = desired.profiles.get(role) or desired.profiles.get("contact", {})
    gaps: list[dict[str, Any]] = []
    for name, target in profile.items():
        actual = _v(dims, name)
        if actual is None:  # nothing observed
            continue
        gaps.append(
            {
                "dimension": name,
                "target": target,
                "actual": actual,
                "gap": round(target - actual, 2),
            }
        )
    gaps.sort(key=lambda g: -abs(float(g["gap"])))
    poles = dict(DIMENSIONS)
    wide = [g for g in gaps if abs(float(g["gap"])) >= 0.3][:2]
    if not gaps:
        summary = f"no desired profile to compare for a {role}"
    elif not wide:
        summary = f"close to what you want with a {role}"
    else:
        summary = f"for a {role} you want it " + " and ".join(
            f"more {g['dimension'] if g['gap'] > 0 else poles[g['dimension']]} ({g['gap']:+.1f})"
            for g in wide
        )
    return {"role": role, "profile": dict(profile), "gaps": gaps, "summary": summary}


def fournier(
    row: Mapping[str, Any],
    events: list[Event],
    facts: list[tuple[str, str]],
    now: int,
    desired: Desired | None = None,
) -> dict[str, Any]:
    """Dimensions, the form as a hypothesis, and the gap to the desired profile."""
    dims = dimensions(row, events, now)
    contact_times = [e.at for e in events if e.direction in ("in", "out")]
    first = min(contact_times) if contact_times else now
    last = max(contact_times) if contact_times else now
    recent = sum(1 for t in contact_times if t > now - 90 * DAY)
    before = len(contact_times) - recent
    before_days = max((now - 90 * DAY - first) / DAY, 0.0)
    context = {
        "contacts": len(contact_times),
        "tenure_days": (now - first) / DAY,
        "span_days": (last - first) / DAY,
        "silence_days": (now - last) / DAY,
        "days_365": len({t // DAY for t in contact_times if t > now - 365 * DAY}),
        "rising": recent / 90 > (before / before_days if before_days >= 30 else 0.0)
        and recent >= 3,
    }
    hypothesis = form(dims, context)
    wanted = gap(dims, role_of(facts, row), desired or Desired())
    return {
        "dimensions": dims,
        "form": hypothesis,
        "desired": wanted,
        "summary": f"{hypothesis['summary']}; {wanted['summary']}",
        "evidence": [f"{k}: {v['evidence']}" for k, v in dims.items()],
    }


EXPLANATION = Explanation(
    name="fournier",
    title="Fournier's seven dimensions, the form they suggest, and the gap to what you want",
    formula=(
        "each dimension in [−1, 1]: voluntary 2·(share one to one) − 1; positive = mean VADER;\n"
        "intense log2(contacts per 30 days)/2; enduring log2(tenure/90 days)/2;\n"
        "public 2·(public share) − 1; formal: working-hours share and register words;\n"
        "symmetric 2ρ − 1. Form: the first of enmity, fling, courtship, dependency,\n"
        "best friendship, committed partnership, secret affair, compartmentalized friendship,\n"
        "marriage of convenience, childhood friendship, casual friends whose conditions hold.\n"
        "Gap: desired − actual per dimension of the role's profile ([relate.desired.ROLE])."
    ),
    source=(
        "Fournier 1998, Consumers and Their Brands, JCR 24(4): forms (12 definitions\n"
        "second-hand), seven dimensions (unverified: our reading of the paper);\n"
        "observable stand-ins: a proposal of ours."
    ),
    status=(
        "proposal; low validity (the paper rests on interviews with three people):\n"
        "a hypothesis with its evidence, never a fact, never an input to automation."
    ),
    validation="tests: hand-made ledgers for a fling, an enmity and a casual tie get those forms.",
    notes="Relationship forms (Fournier)",
    aliases=("form",),
)
