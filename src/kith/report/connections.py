"""How my connections changed over a period: the figures of ``kith report``.

``read_inputs(db, period, as_of)`` reads the ledger (``kith.store.connections``);
``compute(inputs, period)`` is pure: every number comes from a score or
definition of ``kith.relate`` applied to the period's interactions —
strength at the end of each period (``history.row_as_of`` and
``strength.score_row``, as the person view's strength history), two-way or
one-way (``strength.state_of``), gives (``reciprocity.ledger``), who brought
whom (``referrals.edges``), answers (``history.replies_by_gap``), reach and
orbit levels (``community``). The network's shape uses networkx's effective
size and constraint (Burt 1992) on my ego network.

Each section is plain data: a title, one sentence on what it means, its
facts, a chart's data and the records behind it (people, by id).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from kith.errors import InputError, KithError
from kith.model import GIVE_KINDS
from kith.relate import community, reciprocity, referrals, strength
from kith.relate.data import Event
from kith.relate.history import REPLY_WINDOW_S, Contact, replies_by_gap, row_as_of
from kith.relate.report import contacts_of
from kith.report.period import Period, Span, choose, day_of
from kith.store.sql import Db
from kith.units import DAY

#: A relationship's strength (0–100) moved at least this much between the
#: ends of the two periods to count as warming or cooling (ours).
CHANGE_POINTS = 5
#: People listed under each figure.
RECORDS_SHOWN = 10
#: Public circles shown (the most active in the period first).
MAX_CIRCLES = 8
#: Groups of people by reach for response fairness (deciles).
REACH_GROUPS = 10
#: Points of the tie-survival curve: months since the first contact.
SURVIVAL_MONTHS = 24
MONTH_S = 30.4375 * DAY
#: The ego network's centre when no address of mine is declared (no person has this id).
NOBODY = -1
#: Orbit levels, closest first (``kith.relate.community.level``).
ORBIT_LEVELS = (1, 2, 3, 4)
#: The orbits listed under a circle's figure: 1 and 2, its core.
CLOSE_ORBIT = 2


@dataclass(frozen=True, slots=True)
class MadeIntroduction:
    """An introduction I made: when, the two people, and whether they took it up."""

    at: int
    a: int
    b: int
    taken_up: bool


class IntroductionsMade(Protocol):
    """The introductions I made in a span (``ledger_made`` reads the ledger's,
    the default); beside them the report counts the introductions others made
    to me, which the ledger recognises (``kith.store.gives``, ``kith.signals.intro``)."""

    def __call__(self, since: int, until: int) -> Sequence[MadeIntroduction]: ...


def ledger_made(db: Db) -> IntroductionsMade:
    """The introductions I made that the ledger records (``kith introduce``,
    ``kith.connect.introductions``): taken up when the two were in direct
    contact without me within the yield's longest window."""
    from kith.connect import introductions as intro
    from kith.store import introductions as store

    rows = [
        r
        for r in store.listing(db, states=[intro.MADE, *intro.ENDED_MADE])
        if r.by_id is None and r.made_at is not None
    ]
    window = max(intro.YIELD_DAYS) * DAY

    def made(since: int, until: int) -> list[MadeIntroduction]:
        return [
            MadeIntroduction(
                at=r.made_at,
                a=r.a_id,
                b=r.b_id,
                taken_up=r.contact_at is not None and r.contact_at <= r.made_at + window,
            )
            for r in rows
            if r.made_at is not None and since <= r.made_at < until
        ]

    return made


@dataclass
class Inputs:
    """What the report reads from the ledger."""

    as_of: int
    me: int | None
    events: dict[int, list[Event]]
    circle_of: dict[int, int]
    ties: list[tuple[int, int, int, int, int]]
    names: dict[int, str | None]
    circles: dict[int, str]
    counts: dict[str, dict[str, int]]
    edges: dict[str, list[tuple[int, int, int, str]]]
    made: dict[str, list[MadeIntroduction]] | None = None


@dataclass
class Section:
    """One figure of the report."""

    key: str
    title: str
    meaning: str
    facts: list[tuple[str, str]]
    chart: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    records_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "meaning": self.meaning,
            "facts": [list(f) for f in self.facts],
            "chart": self.chart,
            "records": self.records,
            "records_note": self.records_note,
        }


def read_inputs(
    db: Db, period: Period, as_of: int, *, made: IntroductionsMade | None = None
) -> Inputs:
    """Everything ``compute`` needs, read up to the end of the period."""
    from kith.store import browse, connections
    from kith.store.relationships import names_of
    from kith.store.scores import LedgerReferrals

    until = period.current.until
    made = ledger_made(db) if made is None else made
    read = connections.person_events(db, until)
    owner = browse.me(db)
    ledger_referrals = LedgerReferrals(db)
    spans = {"previous": period.previous, "current": period.current}
    return Inputs(
        as_of=as_of,
        me=None if owner is None else owner[0],
        events=read.events,
        circle_of=read.circle_of,
        ties=connections.ties(db, until),
        names=names_of(db, sorted(read.events)),
        circles=connections.public_circles(db),
        counts={k: connections.direction_counts(db, s.since, s.until) for k, s in spans.items()},
        edges={
            k: referrals.edges(ledger_referrals.edge_rows_between(s.since, s.until))
            for k, s in spans.items()
        },
        made=None if made is None else {k: list(made(s.since, s.until)) for k, s in spans.items()},
    )


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "–"


def _in(events: Iterable[Event], span: Span) -> list[Event]:
    return [e for e in events if span.holds(e.at)]


def _direct(events: Iterable[Event]) -> list[Event]:
    return [e for e in events if e.direction in ("in", "out")]


def _record(inputs: Inputs, pid: int, note: str) -> dict[str, Any]:
    return {"person_id": pid, "name": inputs.names.get(pid) or f"#{pid}", "note": note}


def _strength_at(contacts: list[Contact], at: int) -> int:
    return int(strength.score_row(row_as_of(contacts, at), at).score)


@dataclass
class _Person:
    pid: int
    direct: list[Event]  # their interactions with me (in or out), oldest first
    contacts: list[Contact]  # the same, as ``history`` reads them
    before: int  # strength at the end of the previous period
    after: int  # … and of the current one
    first: int | None
    in_previous: list[Event]
    in_current: list[Event]


def _people(inputs: Inputs, period: Period) -> list[_Person]:
    out = []
    for pid in sorted(inputs.events):
        events = inputs.events[pid]
        contacts = contacts_of(events)
        if not contacts:
            continue
        out.append(
            _Person(
                pid,
                _direct(events),
                contacts,
                _strength_at(contacts, period.previous.until - 1),
                _strength_at(contacts, period.current.until - 1),
                contacts[0].at,
                _direct(_in(events, period.previous)),
                _direct(_in(events, period.current)),
            )
        )
    return out


def changes(inputs: Inputs, period: Period, people: list[_Person]) -> Section:
    """People and ties gained, lost, warming and cooling."""
    cur, prev = period.current, period.previous
    gained = [p for p in people if p.first is not None and cur.holds(p.first)]
    lost = [p for p in people if p.in_previous and not p.in_current]
    new = {p.pid for p in gained}
    warming = [
        p
        for p in people
        if p.in_current and p.pid not in new and p.after - p.before >= CHANGE_POINTS
    ]
    cooling = [
        p for p in people if p.in_previous and p.in_current and p.before - p.after >= CHANGE_POINTS
    ]
    me = inputs.me
    ties = [t for t in inputs.ties if me not in (t[0], t[1])]
    ties_gained = [t for t in ties if cur.holds(t[3])]
    ties_lost = [t for t in ties if prev.holds(t[4])]
    warming.sort(key=lambda p: (p.before - p.after, p.pid))
    cooling.sort(key=lambda p: (p.after - p.before, p.pid))
    records = (
        [_record(inputs, p.pid, "new: first contact") for p in gained[:RECORDS_SHOWN]]
        + [
            _record(inputs, p.pid, f"warming: strength {p.before} → {p.after}")
            for p in warming[:RECORDS_SHOWN]
        ]
        + [
            _record(inputs, p.pid, f"cooling: strength {p.before} → {p.after}")
            for p in cooling[:RECORDS_SHOWN]
        ]
        + [
            _record(inputs, p.pid, "lost: in contact before, silent in this period")
            for p in lost[:RECORDS_SHOWN]
        ]
    )
    return Section(
        "changes",
        "People and ties gained, lost, warming, cooling",
        (
            "Who came into my life and who went quiet: new people wrote or were written to "
            "for the first time; lost ones were in contact in the period before and not in "
            f"this one; warming and cooling ones moved at least {CHANGE_POINTS} points of "
            "strength between the ends of the two periods (the strength score of kith person)."
        ),
        [
            ("people gained", f"{len(gained):,}"),
            ("people lost", f"{len(lost):,}"),
            ("warming", f"{len(warming):,}"),
            ("cooling", f"{len(cooling):,}"),
            ("ties among my people gained", f"{len(ties_gained):,}"),
            ("ties among my people lost", f"{len(ties_lost):,}"),
        ],
        {
            "kind": "bars",
            "labels": ["gained", "warming", "cooling", "lost", "ties gained", "ties lost"],
            "values": [
                len(gained),
                len(warming),
                len(cooling),
                len(lost),
                len(ties_gained),
                len(ties_lost),
            ],
        },
        records,
        f"new, warming, cooling and lost people (up to {RECORDS_SHOWN} each); "
        "ties: shared conversations among the people I know (the tie table, "
        "as of the last refresh: a tie is lost when its last shared interaction fell "
        "in the period before)",
    )


def _states(people: list[_Person], pick: str) -> dict[str, int]:
    counts = {"two-way": 0, "never replied": 0, "unanswered": 0}
    for p in people:
        events = p.in_current if pick == "current" else p.in_previous
        if not events:
            continue
        n_in = sum(1 for e in events if e.direction == "in")
        counts[strength.state_of(n_in, len(events) - n_in)] += 1
    return counts


def two_way(inputs: Inputs, people: list[_Person]) -> Section:
    """Two-way vs one-way: of the people in contact in each period."""
    before, now = _states(people, "previous"), _states(people, "current")
    n_before, n_now = sum(before.values()), sum(now.values())
    one_way_now = [
        p for p in people if p.in_current and len({e.direction for e in p.in_current}) < 2
    ]
    one_way_now.sort(key=lambda p: (-len(p.in_current), p.pid))
    records = [
        _record(
            inputs,
            p.pid,
            f"{len(p.in_current)} message{'s' if len(p.in_current) != 1 else ''}, "
            + ("all theirs" if p.in_current[0].direction == "in" else "all mine"),
        )
        for p in one_way_now[:RECORDS_SHOWN]
    ]
    counts = inputs.counts
    return Section(
        "two_way",
        "Two-way vs one-way",
        (
            "A connection counts when both sides write: of the people in contact in each "
            "period, the share where both wrote in it, against those who wrote and had no "
            "answer (never replied) and those I wrote to who did not answer (unanswered)."
        ),
        [
            ("two-way now", f"{now['two-way']:,} of {n_now:,} ({_pct(now['two-way'], n_now)})"),
            (
                "two-way before",
                f"{before['two-way']:,} of {n_before:,} ({_pct(before['two-way'], n_before)})",
            ),
            (
                "interactions now",
                f"{sum(counts['current'].values()):,} (in {counts['current']['in']:,}, "
                f"out {counts['current']['out']:,}, among {counts['current']['among']:,})",
            ),
            (
                "interactions before",
                f"{sum(counts['previous'].values()):,} (in {counts['previous']['in']:,}, "
                f"out {counts['previous']['out']:,}, among {counts['previous']['among']:,})",
            ),
        ],
        {
            "kind": "stacked",
            "groups": ["before", "now"],
            "series": {k: [before[k], now[k]] for k in now},
        },
        records,
        "one-way in this period, the most messages first",
    )


def gives(inputs: Inputs, people: list[_Person]) -> Section:
    """Reciprocity: gives received and given by kind, and who gave most and got least back."""
    received = dict.fromkeys(GIVE_KINDS, 0)
    given = dict.fromkeys(GIVE_KINDS, 0)
    per_person: list[tuple[int, int, int]] = []
    for p in people:
        ledger = reciprocity.ledger(p.in_current)
        for k in ledger["by_kind"]:
            received[k["kind"]] += k["in"]
            given[k["kind"]] += k["out"]
        if ledger["gives_in"] or ledger["gives_out"]:
            per_person.append((p.pid, ledger["gives_in"], ledger["gives_out"]))
    most = sorted(per_person, key=lambda r: (-r[1], r[0]))[:RECORDS_SHOWN]
    least_back = sorted(
        (r for r in per_person if r[1] > r[2]), key=lambda r: (-(r[1] - r[2]), r[0])
    )[:RECORDS_SHOWN]
    records = [
        _record(inputs, pid, f"gave {n_in}, got {n_out} back") for pid, n_in, n_out in most
    ] + [
        _record(inputs, pid, f"owed: gave {n_in}, got {n_out} back")
        for pid, n_in, n_out in least_back
        if (pid, n_in, n_out) not in most
    ]
    return Section(
        "reciprocity",
        "Reciprocity: given and received",
        (
            "What people did for me (shared, mentioned, referred, bought, introduced, "
            "answered) and what I did for them in the period, by kind; the people who gave "
            "most, and those who gave more than they got back."
        ),
        [
            ("gives received", f"{sum(received.values()):,}"),
            ("gives given", f"{sum(given.values()):,}"),
            (
                "people who gave more than they got",
                f"{sum(1 for r in per_person if r[1] > r[2]):,}",
            ),
        ],
        {
            "kind": "paired",
            "labels": list(GIVE_KINDS),
            "series": {
                "received": [received[k] for k in GIVE_KINDS],
                "given": [given[k] for k in GIVE_KINDS],
            },
        },
        records,
        "the people who gave most, then those owed most",
    )


def _is_two_way_by(contacts: list[Contact], until: int) -> bool:
    row = row_as_of(contacts, until - 1)
    return strength.state_of(row["n_in"], row["n_out"]) == "two-way"


def introductions(inputs: Inputs, period: Period, people: list[_Person]) -> Section:
    """Referrals and introductions made to me, and their yield (two-way by the period's end)."""
    contacts = {p.pid: p.contacts for p in people}
    until = period.current.until
    rows: dict[str, tuple[int, int]] = {}
    records = []
    for key in ("previous", "current"):
        edges = inputs.edges[key]
        brought = sorted({b for _, b, _, _ in edges})
        taken = [b for b in brought if _is_two_way_by(contacts.get(b, []), until)]
        rows[key] = (len(brought), len(taken))
    for a, b, _, how in inputs.edges["current"][: 2 * RECORDS_SHOWN]:
        took = _is_two_way_by(contacts.get(b, []), until)
        referrer = inputs.names.get(a) or f"#{a}"
        records.append(
            _record(
                inputs, b, f"{how} by {referrer}: " + ("now two-way" if took else "not yet two-way")
            )
        )
    facts = [
        (
            "people brought to me now",
            f"{rows['current'][0]:,}, {rows['current'][1]:,} two-way by the end "
            f"({_pct(rows['current'][1], rows['current'][0])})",
        ),
        (
            "people brought to me before",
            f"{rows['previous'][0]:,}, {rows['previous'][1]:,} two-way by the end "
            f"({_pct(rows['previous'][1], rows['previous'][0])})",
        ),
    ]
    if inputs.made is None:
        facts.append(
            ("introductions I made", "not recorded by this ledger (hook: IntroductionsMade)")
        )
    else:
        for key, label in (("current", "now"), ("previous", "before")):
            made = inputs.made[key]
            n_taken = sum(1 for m in made if m.taken_up)
            facts.append((f"introductions I made {label}", f"{len(made):,}, {n_taken:,} taken up"))
    return Section(
        "introductions",
        "Referrals and introductions, and their yield",
        (
            "People others brought to me (a referral, or an introduction e-mail recognised "
            "by its shape and words) and how many became two-way by the end of the period: "
            "the yield of the people who send others my way."
        ),
        facts,
        {
            "kind": "paired",
            "labels": ["before", "now"],
            "series": {
                "brought": [rows["previous"][0], rows["current"][0]],
                "two-way": [rows["previous"][1], rows["current"][1]],
            },
        },
        records,
        "who was brought, by whom, and whether it took",
    )


def _reach_of(inputs: Inputs, at: int) -> dict[int, float]:
    per: dict[int, list[tuple[int, int]]] = {}
    for a, b, n, _, last in inputs.ties:
        per.setdefault(a, []).append((n, last))
        per.setdefault(b, []).append((n, last))
    return {pid: community.reach(t, at) for pid, t in per.items()}


def _answers(p: _Person, span: Span) -> list[float | None]:
    """For each message they wrote to me in ``span`` (not one they were only
    copied on): my answer's delay in seconds, or None."""
    marked = replies_by_gap(p.contacts)
    out: list[float | None] = []
    for i, (c, e) in enumerate(zip(marked, p.direct, strict=True)):
        if c.direction != "in" or not e.authored or not span.holds(c.at):
            continue
        nxt = marked[i + 1] if i + 1 < len(marked) else None
        answered = nxt is not None and nxt.direction == "out" and nxt.reply
        out.append(float(nxt.at - c.at) if answered and nxt is not None else None)
    return out


def fairness(inputs: Inputs, period: Period, people: list[_Person]) -> Section:
    """Reply rate and time by reach decile of the people who wrote to me."""
    reach = _reach_of(inputs, period.current.until - 1)
    writers = [p for p in people if any(e.direction == "in" and e.authored for e in p.in_current)]
    writers.sort(key=lambda p: (reach.get(p.pid, 0.0), p.pid))
    groups = min(REACH_GROUPS, len(writers))
    rows: list[dict[str, Any]] = []
    for g in range(groups):
        members = [p for i, p in enumerate(writers) if i * groups // len(writers) == g]
        delays = [d for p in members for d in _answers(p, period.current)]
        answered = [d for d in delays if d is not None]
        rows.append(
            {
                "group": g + 1,
                "people": len(members),
                "messages": len(delays),
                "answered": len(answered),
                "rate": len(answered) / len(delays) if delays else 0.0,
                "median_hours": statistics.median(answered) / 3600 if answered else None,
                "reach": reach.get(members[-1].pid, 0.0) if members else 0.0,
            }
        )
    total = sum(r["messages"] for r in rows)
    total_answered = sum(r["answered"] for r in rows)
    low = rows[: max(1, groups // 2)] if rows else []
    high = rows[max(1, groups // 2) :] if rows else []

    def rate(part: list[dict[str, Any]]) -> str:
        return _pct(sum(r["answered"] for r in part), sum(r["messages"] for r in part))

    unanswered = sorted(
        ((sum(1 for d in _answers(p, period.current) if d is None), p.pid) for p in writers),
        key=lambda t: (-t[0], t[1]),
    )
    records = [
        _record(inputs, pid, f"{n} unanswered, reach {reach.get(pid, 0.0):.1f}")
        for n, pid in unanswered[:RECORDS_SHOWN]
        if n
    ]
    return Section(
        "fairness",
        "Response fairness: reply rate and time by reach",
        (
            "Whether I answer the well-connected and the little-known alike: the people who "
            "wrote to me in the period, in ten groups from least to most reach (their ties to "
            f"others, the Orbit model's reach), each with the share of their messages I "
            f"answered within {REPLY_WINDOW_S // 3600} hours and the median time it took."
        ),
        [
            (
                "messages to me",
                f"{total:,}, {total_answered:,} answered ({_pct(total_answered, total)})",
            ),
            ("answered, lower half by reach", rate(low)),
            ("answered, upper half by reach", rate(high)),
        ],
        {
            "kind": "rate",
            "labels": [str(r["group"]) for r in rows],
            "rate": [round(r["rate"], 4) for r in rows],
            "hours": [
                None if r["median_hours"] is None else round(r["median_hours"], 2) for r in rows
            ],
        },
        records,
        "who waited most for an answer",
    )


def _ego(me: int, alters: set[int], ties: list[tuple[int, int, int, int, int]], span: Span) -> Any:
    import networkx as nx

    g = nx.Graph()
    g.add_node(me)
    g.add_edges_from((me, a) for a in sorted(alters))
    g.add_edges_from(
        (a, b)
        for a, b, _, first, last in ties
        if a in alters and b in alters and first < span.until and last >= span.since
    )
    return g


def constraint(g: Any, ego: int) -> float:
    """Burt's constraint of ``ego`` in an unweighted, undirected graph:
    Σ_j (p_ej + Σ_q p_eq · p_qj)² over ego's neighbours j, q, where p_xy =
    1/degree(x) for each neighbour y of x (Burt 1992, *Structural Holes*).
    networkx's ``constraint`` gives the same number (tested) but in time
    cubic in ego's degree: 10 s for 132 people in touch; this is linear in
    the ties among them. NaN for an ego with nobody."""
    around = set(g[ego])
    if not around:
        return math.nan
    share = 1.0 / len(around)
    total = 0.0
    for j in around:
        through = math.fsum(1.0 / g.degree(q) for q in g[j] if q in around and q != j)
        total += (share + share * through) ** 2
    return total


def _bridges(
    me: int, alters: set[int], ties: list[tuple[int, int, int, int, int]], span: Span
) -> list[int]:
    """The alters whose tie to me is my only route to someone else they know."""
    import networkx as nx

    g = nx.Graph()
    g.add_edges_from((me, a) for a in sorted(alters))
    g.add_edges_from(
        (a, b)
        for a, b, _, first, last in ties
        if (a in alters or b in alters)
        and me not in (a, b)
        and first < span.until
        and last >= span.since
    )
    out = []
    for u, v in nx.bridges(g):
        alter = v if u == me else u if v == me else None
        if alter is not None and g.degree(alter) > 1:
            out.append(alter)
    return sorted(out)


def _survival(people: list[_Person], ended_after: int, at: int) -> list[float]:
    """Kaplan–Meier: the share of my relationships still alive k months after the first contact."""
    spells = []
    for p in people:
        before = [c.at for c in p.contacts if c.at < at]
        if not before:
            continue
        length = before[-1] - before[0]
        ended = at - before[-1] >= ended_after
        spells.append((length, ended))
    curve = []
    alive = 1.0
    spells.sort()
    for k in range(SURVIVAL_MONTHS + 1):
        lo, hi = (k - 1) * MONTH_S, k * MONTH_S
        if k:
            at_risk = sum(1 for length, _ in spells if length >= lo)
            deaths = sum(1 for length, ended in spells if ended and lo <= length < hi)
            if at_risk:
                alive *= 1.0 - deaths / at_risk
        curve.append(round(alive, 4))
    return curve


def shape(inputs: Inputs, period: Period, people: list[_Person]) -> Section:
    """Effective size and constraint of my ego network, bridges and their decay, tie survival."""
    import networkx as nx

    me = inputs.me if inputs.me is not None else NOBODY
    figures: dict[str, tuple[float, float, int]] = {}
    for key, span in (("previous", period.previous), ("current", period.current)):
        alters = {p.pid for p in people if (p.in_previous if key == "previous" else p.in_current)}
        if not alters:
            figures[key] = (0.0, 0.0, 0)
            continue
        g = _ego(me, alters, inputs.ties, span)
        figures[key] = (
            float(nx.effective_size(g, nodes=[me])[me]),
            constraint(g, me),
            len(alters),
        )
    prev_alters = {p.pid for p in people if p.in_previous}
    now_alters = {p.pid for p in people if p.in_current}
    bridges = _bridges(me, prev_alters, inputs.ties, period.previous)
    decayed = [b for b in bridges if b not in now_alters]
    curve = _survival(people, period.current.days * DAY, period.current.until)
    half = next((k for k, s in enumerate(curve) if s < 0.5), None)

    def fmt(v: float) -> str:
        return "–" if math.isnan(v) else f"{v:.2f}"

    records = [_record(inputs, b, "bridge, silent now") for b in decayed[:RECORDS_SHOWN]] + [
        _record(inputs, b, "bridge, still in contact") for b in bridges if b in now_alters
    ][:RECORDS_SHOWN]
    return Section(
        "shape",
        "The network's shape",
        (
            "How much of my network is mine alone: effective size is the number of "
            "non-redundant people I am in touch with, constraint how much they all know each "
            "other (Burt; lower means more open, more brokerage); a bridge is someone who is "
            "my only route to people they know, and most bridges decay soon (Burt); the curve "
            "is the share of my relationships still alive some months after they began."
        ),
        [
            (
                "people in touch now / before",
                f"{figures['current'][2]:,} / {figures['previous'][2]:,}",
            ),
            (
                "effective size now / before",
                f"{fmt(figures['current'][0])} / {fmt(figures['previous'][0])}",
            ),
            (
                "constraint now / before",
                f"{fmt(figures['current'][1])} / {fmt(figures['previous'][1])}",
            ),
            ("bridges before", f"{len(bridges):,}"),
            ("of them silent now", f"{len(decayed):,} ({_pct(len(decayed), len(bridges))})"),
            (
                "half of my relationships ended by",
                "not within the curve" if half is None else f"month {half}",
            ),
        ],
        {"kind": "survival", "months": list(range(SURVIVAL_MONTHS + 1)), "alive": curve},
        records,
        (
            "bridges of the period before; a relationship has ended when silent for the "
            f"length of the period ({period.current.days} days) before its end"
        ),
    )


def _level_at(events: list[Event], at: int) -> int | None:
    upto = [e for e in events if e.at < at]
    if not any(e.authored for e in upto):
        return None
    return community.level(community.love(upto, at), upto, at)[0]


def circles(inputs: Inputs, period: Period) -> list[Section]:
    """Community health per public circle: active, newcomers, orbit levels and moves."""
    by_circle: dict[int, dict[int, list[Event]]] = {}
    for pid, events in inputs.events.items():
        for e in events:
            c = inputs.circle_of.get(e.id)
            if c in inputs.circles and e.public:
                by_circle.setdefault(c, {}).setdefault(pid, []).append(e)
    cur, prev = period.current, period.previous
    reach = _reach_of(inputs, cur.until - 1)
    stats = []
    for c, members in by_circle.items():
        active = sorted(
            p for p, ev in members.items() if any(e.authored and cur.holds(e.at) for e in ev)
        )
        stats.append((-len(active), c, active))
    stats.sort()
    out = []
    for _, c, active in stats[:MAX_CIRCLES]:
        members = by_circle[c]
        newcomers = [p for p in active if min(e.at for e in members[p] if e.authored) >= cur.since]
        before = {p: _level_at(ev, prev.until) for p, ev in members.items()}
        after = {p: _level_at(ev, cur.until) for p, ev in members.items()}
        moves: dict[tuple[str, str], int] = {}
        for p in members:
            if before[p] is None and after[p] is None:
                continue
            key = (
                "new" if before[p] is None else str(before[p]),
                str(after[p]),
            )
            moves[key] = moves.get(key, 0) + 1
        up = sum(n for (a, b), n in moves.items() if a != "new" and int(b) < int(a))
        down = sum(n for (a, b), n in moves.items() if a != "new" and int(b) > int(a))
        levels_before = [sum(1 for v in before.values() if v == lv) for lv in ORBIT_LEVELS]
        levels_after = [sum(1 for v in after.values() if v == lv) for lv in ORBIT_LEVELS]
        reaches = [reach.get(p, 0.0) for p in active]
        closest = sorted(
            (p for p, lv in after.items() if lv is not None and lv <= CLOSE_ORBIT),
            key=lambda p: (after[p] or 0, -community.love(members[p], cur.until), p),
        )
        shown = set(closest[:RECORDS_SHOWN])
        records = [
            _record(
                inputs,
                p,
                f"orbit {after[p]}"
                + (
                    ""
                    if before[p] == after[p]
                    else " (new)"
                    if before[p] is None
                    else f" (was {before[p]})"
                ),
            )
            for p in closest[:RECORDS_SHOWN]
        ] + [_record(inputs, p, "newcomer") for p in newcomers[:RECORDS_SHOWN] if p not in shown]
        name = inputs.circles[c]
        out.append(
            Section(
                f"circle-{c}",
                f"Community health: {name}",
                (
                    "The circle's life in the Orbit model: who took part in the period, who "
                    "was new, and how many stand at each orbit level (1 closest, reached by "
                    "love or presence) at the end of each period, with the moves between them."
                ),
                [
                    ("active members", f"{len(active):,}"),
                    ("newcomers", f"{len(newcomers):,}"),
                    ("moved closer / further", f"{up:,} / {down:,}"),
                    (
                        "median reach of the active",
                        f"{statistics.median(reaches):.1f}" if reaches else "–",
                    ),
                    (
                        "moves",
                        ", ".join(f"{a}→{b}: {n}" for (a, b), n in sorted(moves.items())) or "none",
                    ),
                ],
                {
                    "kind": "stacked",
                    "groups": ["before", "now"],
                    "series": {
                        f"orbit {lv}": [levels_before[i], levels_after[i]]
                        for i, lv in enumerate(ORBIT_LEVELS)
                    },
                },
                records,
                "the closest orbits, then the newcomers",
            )
        )
    return out


def compute(inputs: Inputs, period: Period) -> dict[str, Any]:
    """The whole report as plain data: the period and its sections, in order."""
    people = _people(inputs, period)
    sections = [
        changes(inputs, period, people),
        two_way(inputs, people),
        gives(inputs, people),
        introductions(inputs, period, people),
        fairness(inputs, period, people),
        shape(inputs, period, people),
        *circles(inputs, period),
    ]
    return {
        "as_of": inputs.as_of,
        "current": period.current.label(),
        "current_start": period.current.start.isoformat(),
        "current_end": period.current.end.isoformat(),
        "previous": period.previous.label(),
        "sections": [s.as_dict() for s in sections],
    }


def as_of(db: Db) -> int:
    """The ledger's as-of time: when the analytics last ran (what ``kith today``
    and ``kith person`` read the scores as of)."""
    from kith.store.attention import analytics_status

    status = analytics_status(db)
    if status is None:
        raise KithError(
            "the report reads the scores, and the analytics never ran on this ledger",
            hint="run kith analytics refresh first",
        )
    return status.computed_at


def build(
    db: Db,
    start: date | None,
    end: date | None,
    *,
    made: IntroductionsMade | None = None,
) -> dict[str, Any]:
    """The report of ``--from start --to end`` (either may be None) on the ledger.

    Raises ``InputError`` for an empty period, dates the wrong way round, a
    period past the ledger's as-of day, or a period without interactions."""
    from kith.store import connections

    now = as_of(db)
    period = choose(start, end, now)
    counts = connections.direction_counts(db, period.current.since, period.current.until)
    if not sum(counts.values()):
        held = connections.span(db)
        where = f"--from {period.current.start.isoformat()} --to {period.current.end.isoformat()}"
        if held is None:
            raise InputError(
                "the ledger holds no interactions yet",
                where=where,
                hint="import something first: kith import PATH",
            )
        first, last = (day_of(t).isoformat() for t in held)
        raise InputError(
            f"no interactions in the period {period.current.label()}",
            where=where,
            hint=f"the ledger holds interactions from {first} to {last}",
        )
    return compute(read_inputs(db, period, now, made=made), period)
