"""A seeded sample world: Sam Rivera's studio, its people and a year of e-mail.

``generate_world`` draws everything from one ``random.Random(seed)`` and never
reads the clock, so a seed always gives the same world. The patterns later
features must find are planted on purpose and written down in
``SampleWorld.truth``; the rest (who is waiting, who is new) is read back from
the generated messages, so the truth always agrees with the mail.
"""

from __future__ import annotations

import hashlib
import html
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Literal

from kith.errors import ConfigError
from kith.sample import templates as tpl
from kith.sample.names import (
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    OWNER_ZONE,
    REGIONS,
    ZONES,
    Region,
    Zone,
    ascii_fold,
    to_local,
)

PersonRole = Literal["customer", "fan", "peer", "partner", "supplier", "advisor", "staff"]
Tier = Literal["inner", "active", "long_tail"]
Rhythm = Literal["weekly", "monthly", "quarterly"]
Folder = Literal["inbox", "sent", "lists"]
Direction = Literal["in", "out", "among"]

DEFAULT_END = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

#: Planted cooling stops between these many days before ``end``.
COOLING_MIN_DAYS = 60
COOLING_MAX_DAYS = 150
#: A cooling person's last regular contact is planted this many days before the stop.
COOLING_SLACK_DAYS = 4
#: A newcomer's first message is at most this old at ``end``.
NEWCOMER_DAYS = 14
#: Waiting messages younger than this are ``waiting_recent``, older ones ``waiting_old``.
WAITING_RECENT_DAYS = 7
#: In the last days before ``end`` Sam is behind: asks are answered this much less often.
BACKLOG_DAYS = 5
BACKLOG_FACTOR = 0.5
#: Rhythm periods in days.
PERIOD_DAYS: dict[str, float] = {"weekly": 7.0, "monthly": 30.4, "quarterly": 91.0}
#: Owner's reply delay: lognormal, median and spread (log-space sigma), in minutes.
OWNER_REPLY_MEDIAN_MIN = 150.0
OWNER_REPLY_SIGMA = 1.5
#: Replies never come sooner or later than this.
MIN_DELAY_MIN = 3.0
MAX_DELAY_MIN = 12 * 24 * 60.0
#: Reference lists keep the root and this many most recent ids, as mail clients do.
MAX_REFERENCES = 8


@dataclass(frozen=True, slots=True)
class Address:
    """A display name and an address, as in a ``From:`` header. ``name`` may be empty."""

    name: str
    email: str


OWNER = Address("Sam Rivera", "sam@rivera.studio")
OWNER_NEWS = Address("Sam Rivera", "sam+news@rivera.studio")
LIST_NAME = "Makers Guild"
LIST_ADDRESS = Address("Makers Guild", "guild@lists.makersguild.org")
LIST_ID = "Makers Guild <guild.lists.makersguild.org>"
LIST_POST = "<mailto:guild@lists.makersguild.org>"
SHOP = Address("Tillbox Orders", "orders@tillbox.io")


@dataclass(frozen=True, slots=True)
class SamplePerson:
    """Someone in Sam's world, with the behaviour planted for them.

    ``reach`` is a follower-like count, heavy-tailed and independent of how
    much the person gives, so fairness checks have something to catch.
    ``display_name`` is how they sign their own ``From:`` (sometimes
    ``Last, First``, sometimes empty). ``cooling_after`` is the end of a
    regular relationship that then went silent; ``referred_by`` is the giver
    who referred or introduced them.
    """

    id: str
    name: str
    email: str
    role: PersonRole
    tier: Tier
    reach: int
    zone: str
    display_name: str
    rhythm: Rhythm | None = None
    giver: bool = False
    thanked: bool = False
    cooling_after: datetime | None = None
    newcomer: bool = False
    list_member: bool = False
    html_only: bool = False
    referred: bool = False
    introduced: bool = False
    referred_by: str | None = None

    @property
    def first(self) -> str:
        return self.name.split(" ")[0]

    @property
    def address(self) -> Address:
        """How the owner's address book writes them."""
        return Address(self.name, self.email)

    @property
    def sender(self) -> Address:
        """How their own mail client writes them."""
        return Address(self.display_name, self.email)


@dataclass(frozen=True, slots=True)
class SampleMessage:
    """One e-mail. ``message_id`` and ``references`` are without angle brackets.

    ``tag`` says what the message does (``question``, ``share``, ``referral``,
    ``answer``…, see ``templates``); ``needs_reply`` marks the asks whose
    silence counts as *waiting*. ``date`` carries the sender's own offset.
    """

    message_id: str
    date: datetime
    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    body: str
    tag: str
    thread: str
    folder: Folder
    needs_reply: bool = False
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    html: bool = False
    list_id: str | None = None
    list_post: str | None = None
    reply_to: Address | None = None

    @property
    def direction(self) -> Direction:
        if self.sender.email in OWNER_EMAILS:
            return "out"
        return "among" if self.list_id else "in"

    def addresses(self) -> Iterable[Address]:
        """Everyone named in the headers, sender first."""
        yield self.sender
        yield from self.to
        yield from self.cc
        if self.reply_to is not None:
            yield self.reply_to


OWNER_EMAILS = frozenset({OWNER.email, OWNER_NEWS.email})


@dataclass(frozen=True, slots=True)
class SampleWorld:
    """Everything ``generate_world`` made.

    ``truth`` maps a pattern to the sorted e-mail addresses of the people who
    show it (keys ending in ``_message_ids`` hold message ids instead); see
    ``TRUTH_KEYS`` in the package docstring.
    """

    seed: int
    end: datetime
    days: int
    owner: Address
    owner_aliases: tuple[Address, ...]
    list_address: Address
    list_id: str
    people: tuple[SamplePerson, ...]
    messages: tuple[SampleMessage, ...]
    truth: dict[str, list[str]] = field(default_factory=dict)

    def person(self, email: str) -> SamplePerson:
        """The person with ``email``; ``KeyError`` if there is none."""
        for p in self.people:
            if p.email == email:
                return p
        raise KeyError(email)

    def folder(self, name: Folder) -> list[SampleMessage]:
        """The messages filed in ``name``, oldest first."""
        return [m for m in self.messages if m.folder == name]

    def summary(self) -> dict[str, int]:
        """Counts per folder and per pattern, for reports and ``kith demo``."""
        counts: dict[str, int] = {"people": len(self.people), "messages": len(self.messages)}
        for name in ("inbox", "sent", "lists"):
            counts[name] = sum(1 for m in self.messages if m.folder == name)
        counts["threads"] = len({m.thread for m in self.messages})
        counts["html_messages"] = sum(1 for m in self.messages if m.html)
        counts["alias_messages"] = sum(
            1 for m in self.messages if any(a.email == OWNER_NEWS.email for a in m.addresses())
        )
        for key, values in self.truth.items():
            if key != "owner_addresses":
                counts[key] = len(values)
        return counts


# --- the people -------------------------------------------------------------------------------

_INNER_ROLES: tuple[PersonRole, ...] = (
    "staff",
    "advisor",
    "partner",
    "staff",
    "peer",
    "partner",
    "staff",
    "advisor",
)
_ROLE_WEIGHTS: dict[str, tuple[tuple[PersonRole, ...], tuple[int, ...]]] = {
    "active": (("partner", "supplier", "peer", "customer", "advisor", "fan"), (15, 15, 25, 35, 5, 5)),
    "long_tail": (("customer", "fan", "peer"), (50, 40, 10)),
    "giver": (("fan", "peer", "customer"), (45, 30, 25)),
    "list": (("fan", "peer"), (60, 40)),
    "new": (("customer", "fan", "peer"), (60, 25, 15)),
    "introduced": (("peer", "partner"), (60, 40)),
}
#: What a person opens a thread with, by role.
_OPENERS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "staff": (("update", "question", "request", "scheduling"), (40, 30, 15, 15)),
    "advisor": (("chat", "scheduling", "update", "question"), (30, 30, 20, 20)),
    "partner": (("update", "scheduling", "request", "question"), (35, 25, 20, 20)),
    "supplier": (("update", "request", "question"), (45, 35, 20)),
    "peer": (("chat", "question", "scheduling", "praise"), (30, 25, 25, 20)),
    "customer": (
        ("question", "request", "praise", "complaint", "scheduling"),
        (45, 15, 15, 8, 17),
    ),
    "fan": (("praise", "question", "chat"), (55, 35, 10)),
}
_OWNER_OPENERS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "staff": (("request", "update", "scheduling"), (40, 35, 25)),
    "default": (("checkin", "scheduling", "update", "request"), (40, 25, 20, 15)),
}
#: What the person does after an owner message with this tag (``None``: stops).
_PERSON_NEXT: dict[str, tuple[tuple[str | None, ...], tuple[int, ...]]] = {
    "answer": (("thanks", "followup", None), (55, 25, 20)),
    "apology": (("thanks", "complaint", None), (70, 10, 20)),
    "checkin": (("update", "reply", "question", None), (35, 25, 15, 25)),
    "ack": ((None, "reply"), (90, 10)),
    "update": (("reply", "question", None), (60, 15, 25)),
    "request": (("reply", "update", None), (60, 15, 25)),
    "scheduling": (("reply", None), (75, 25)),
    "giver_thanks": ((None, "reply"), (70, 30)),
}
#: What the owner does after a person's message that does not ask for an answer.
_OWNER_NEXT: dict[str, tuple[tuple[str | None, ...], tuple[int, ...]]] = {
    "praise": (("ack", None), (70, 30)),
    "update": (("ack", "answer", None), (40, 20, 40)),
    "chat": (("ack", None), (50, 50)),
    "thanks": (("ack", None), (10, 90)),
    "reply": (("ack", None), (15, 85)),
}
_HOUR_WEIGHTS = (
    1.0, 0.5, 0.3, 0.3, 0.3, 0.5, 1.5, 4, 8, 12, 12, 11, 9, 10, 11, 11, 10, 8, 5, 4, 4, 3, 2, 1.5
)  # fmt: skip


@dataclass(slots=True)
class _Thread:
    """A conversation between the owner and one person, being written."""

    person: SamplePerson
    subject: str
    ctx: dict[str, str]
    stop: datetime
    me: Address = OWNER
    cc: tuple[Address, ...] = ()
    last: SampleMessage | None = None


class _Builder:
    def __init__(self, seed: int, n_people: int, days: int, end: datetime) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.end = end
        self.days = days
        self.start = end - timedelta(days=days)
        self.scale = n_people / 300
        self.n_people = n_people
        self.serial = 0
        self.messages: list[SampleMessage] = []
        self.people: list[SamplePerson] = []
        self.taken: set[str] = {_email_key(OWNER.email), _email_key(OWNER_NEWS.email)}
        self.zone_by_email: dict[str, str] = {}
        self.companies: list[str] = []
        self.referred_by: dict[str, str] = {}
        self.owner_introduced: list[str] = []

    # -- helpers ---------------------------------------------------------------------------

    def count(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def weighted(self, table: tuple[tuple[str, ...], tuple[int, ...]]) -> str:
        return self.rng.choices(table[0], weights=table[1])[0]

    def next_tag(self, table: tuple[tuple[str | None, ...], tuple[int, ...]]) -> str | None:
        return self.rng.choices(table[0], weights=table[1])[0]

    def new_id(self, email: str) -> str:
        self.serial += 1
        token = hashlib.blake2b(
            f"kith-sample/{self.seed}/{self.serial}".encode(), digest_size=10
        ).hexdigest()
        domain = email.rsplit("@", 1)[1]
        host = "mail.gmail.com" if domain == "gmail.com" else domain
        return f"{token}@{host}"

    def zone_of(self, address: Address) -> Zone:
        if address.email in OWNER_EMAILS:
            return OWNER_ZONE
        return ZONES[self.zone_by_email.get(address.email, OWNER_ZONE.name)]

    def moment(self, zone: Zone, around: datetime) -> datetime:
        """A plausible sending time on the local day of ``around``: office hours, weekdays."""
        local = to_local(zone, around)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if day.weekday() >= 5 and self.rng.random() < 0.65:
            day += timedelta(days=7 - day.weekday())
        hour = self.rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        when = day + timedelta(hours=hour, seconds=self.rng.randrange(3600))
        return when.astimezone(UTC)

    def reply_time(self, after: datetime, zone: Zone, median_min: float, sigma: float) -> datetime:
        """``after`` plus a lognormal delay; most replies wait for office hours."""
        minutes = self.rng.lognormvariate(math.log(median_min), sigma)
        minutes = min(MAX_DELAY_MIN, max(MIN_DELAY_MIN, minutes))
        when = after + timedelta(minutes=minutes, seconds=self.rng.randrange(60))
        local = to_local(zone, when)
        office = local.weekday() < 5 and 8 <= local.hour < 19
        if not office and self.rng.random() < 0.7:
            day = local.replace(hour=0, minute=0, second=0, microsecond=0)
            if local.hour >= 8:
                day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
            when = (day + timedelta(hours=8, minutes=self.rng.uniform(0, 150))).astimezone(UTC)
        return when

    def person_delay(self, p: SamplePerson) -> tuple[float, float]:
        return {"inner": (60.0, 1.3), "active": (240.0, 1.4), "long_tail": (600.0, 1.5)}[p.tier]

    def owner_reply_p(self, p: SamplePerson) -> float:
        if p.newcomer:
            return 0.5
        if p.referred or p.introduced:
            return 0.95
        if p.tier == "inner":
            return 0.97
        if p.tier == "active":
            return 0.9
        return {"fan": 0.6, "peer": 0.8}.get(p.role, 0.85)

    # -- people ----------------------------------------------------------------------------

    def make_person(
        self,
        tier: Tier,
        role: PersonRole,
        *,
        rhythm: Rhythm | None = None,
        cooling_after: datetime | None = None,
        giver: bool = False,
        thanked: bool = False,
        list_member: bool = False,
        newcomer: bool = False,
        referred: bool = False,
        introduced: bool = False,
    ) -> SamplePerson:
        rng = self.rng
        region_key = rng.choices(list(REGIONS), weights=[r.weight for r in REGIONS.values()])[0]
        region = REGIONS[region_key]
        name = f"{rng.choice(region.first)} {rng.choice(region.last)}"
        email = self.make_email(name, role, region)
        r = rng.random()
        first, _, last = name.partition(" ")
        if r < 0.05:
            display = ""
        elif r < 0.10:
            display = f"{last}, {first}"
        elif r < 0.13:
            display = name.lower()
        else:
            display = name
        reach = min(2_000_000, int(20 * rng.paretovariate(0.9)))
        html_only = rng.random() < (0.25 if role == "supplier" else 0.03)
        person = SamplePerson(
            id=f"p{len(self.people) + 1:04d}",
            name=name,
            email=email,
            role=role,
            tier=tier,
            reach=reach,
            zone=rng.choice(region.zones),
            display_name=display,
            html_only=html_only,
            rhythm=rhythm,
            giver=giver,
            thanked=thanked,
            cooling_after=cooling_after,
            newcomer=newcomer,
            list_member=list_member,
            referred=referred,
            introduced=introduced,
        )
        self.people.append(person)
        return person

    def make_email(self, name: str, role: PersonRole, region: Region) -> str:
        rng = self.rng
        first, _, last = name.partition(" ")
        f, la = ascii_fold(first), ascii_fold(last)
        if role == "staff":
            domain = "rivera.studio"
            locals_ = [f, f"{f}.{la}", f"{f[0]}{la}"]
        else:
            if role in ("partner", "supplier", "advisor"):
                if self.companies and rng.random() < 0.2:
                    domain = rng.choice(self.companies)
                else:
                    domain = f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_SUFFIXES)}"
                    domain += f".{rng.choice(('com', 'co', 'studio', region.tld))}"
                    self.companies.append(domain)
                locals_ = [f, f"{f}.{la}", f"{f[0]}{la}"]
            else:
                domain = rng.choice(region.providers)
                locals_ = [f"{f}.{la}", f"{f}{la}", f"{f}_{la}", f"{f}{rng.randrange(10, 99)}"]
            rng.shuffle(locals_)
        for local in chain(locals_, (f"{locals_[0]}{n}" for n in range(2, 1000))):
            email = f"{local}@{domain}"
            key = _email_key(email)
            if key not in self.taken:
                self.taken.add(key)
                return email
        raise AssertionError("unreachable: 1000 suffixes tried")

    def plan_people(self) -> None:
        """Create everyone with their planted pattern; the rest is the long tail."""
        rng = self.rng
        end = self.end

        def cooling_stop() -> datetime:
            # The last regular contact falls on ``stop - COOLING_SLACK_DAYS`` (give or take a
            # weekend), so the silence starts between COOLING_MIN_DAYS and COOLING_MAX_DAYS.
            back = rng.uniform(COOLING_MIN_DAYS + 2, COOLING_MAX_DAYS - COOLING_SLACK_DAYS - 2)
            return end - timedelta(days=back)

        n_inner = min(15, max(4, round(8 * self.scale)))
        for i in range(n_inner):
            role = _INNER_ROLES[i % len(_INNER_ROLES)]
            if i == n_inner - 1:
                self.make_person("inner", role, rhythm="weekly", cooling_after=cooling_stop())
            else:
                rhythm: Rhythm = "weekly" if i < n_inner * 0.7 else "monthly"
                self.make_person("inner", role, rhythm=rhythm)
        active = _ROLE_WEIGHTS["active"]
        plan: tuple[tuple[Rhythm, int], ...] = (("monthly", 22), ("quarterly", 18))
        for rhythm_, n in plan:
            for _ in range(self.count(n)):
                self.make_person("active", self.pick_role(active), rhythm=rhythm_)
        for _ in range(self.count(10)):
            self.make_person(
                "active", self.pick_role(active), rhythm="monthly", cooling_after=cooling_stop()
            )
        for i in range(self.count(12, minimum=3)):
            tier: Tier = "active" if i % 3 == 0 else "long_tail"
            self.make_person(
                tier, self.pick_role(_ROLE_WEIGHTS["giver"]), giver=True, thanked=i % 3 == 2
            )
        for _ in range(self.count(12)):
            self.make_person("long_tail", "customer", rhythm="quarterly")
        for _ in range(self.count(36)):
            self.make_person("long_tail", self.pick_role(_ROLE_WEIGHTS["list"]), list_member=True)
        for _ in range(self.count(14)):
            self.make_person("long_tail", self.pick_role(_ROLE_WEIGHTS["new"]), newcomer=True)
        for _ in range(self.count(18)):
            self.make_person("long_tail", "customer", referred=True)
        for _ in range(self.count(10)):
            self.make_person(
                "long_tail", self.pick_role(_ROLE_WEIGHTS["introduced"]), introduced=True
            )
        while len(self.people) < self.n_people:
            self.make_person("long_tail", self.pick_role(_ROLE_WEIGHTS["long_tail"]))
        # Some active peers are in the public circle too: ties between the two worlds.
        for i, p in enumerate(self.people):
            if p.role == "peer" and p.rhythm == "monthly" and p.cooling_after is None and i % 2:
                self.people[i] = replace(p, list_member=True)
        self.zone_by_email = {p.email: p.zone for p in self.people}

    def pick_role(self, table: tuple[tuple[PersonRole, ...], tuple[int, ...]]) -> PersonRole:
        return self.rng.choices(table[0], weights=table[1])[0]

    # -- messages --------------------------------------------------------------------------

    def post(
        self,
        th: _Thread,
        from_owner: bool,
        tag: str,
        when: datetime,
        *,
        to: tuple[Address, ...] | None = None,
        sender: Address | None = None,
        extra: str = "",
    ) -> SampleMessage | None:
        """Write one message of ``th``; ``None`` if ``when`` is past the thread's stop."""
        if when > th.stop or when > self.end:
            return None
        p = th.person
        if sender is None:
            sender = th.me if from_owner else p.sender
        if to is None:
            to = (p.address,) if from_owner else (th.me,)
        ctx = dict(th.ctx)
        ctx["me"] = "Sam" if from_owner else p.first
        ctx["to"] = p.first if from_owner else "Sam"
        body = extra + tpl.body_for(self.rng, tag, ctx)
        parent = th.last
        if parent is not None and self.rng.random() < 0.4:
            quoted = parent.body.splitlines()[0] if not parent.html else "(HTML message)"
            stamp = to_local(self.zone_of(sender), parent.date).strftime("%a, %d %b %Y at %H:%M")
            who = parent.sender.name or parent.sender.email
            body += f"\nOn {stamp}, {who} wrote:\n> {quoted}\n"
        html_body = not from_owner and p.html_only and sender == p.sender
        if html_body:
            body = _as_html(body)
        msg = self.emit(
            sender=sender,
            to=to,
            cc=th.cc,
            when=when,
            subject=th.subject,
            body=body,
            tag=tag,
            parent=parent,
            html=html_body,
        )
        th.last = msg
        return msg

    def emit(
        self,
        *,
        sender: Address,
        to: tuple[Address, ...],
        cc: tuple[Address, ...],
        when: datetime,
        subject: str,
        body: str,
        tag: str,
        parent: SampleMessage | None,
        html: bool = False,
        list_message: bool = False,
        reply_to: Address | None = None,
    ) -> SampleMessage:
        message_id = self.new_id(sender.email)
        if parent is None:
            refs: tuple[str, ...] = ()
            thread = message_id
        else:
            chain = (*parent.references, parent.message_id)
            refs = chain if len(chain) <= MAX_REFERENCES else (chain[0], *chain[1 - MAX_REFERENCES :])
            thread = parent.thread
            subject = parent.subject if parent.subject.startswith("Re: ") else f"Re: {subject}"
        folder: Folder = "lists" if list_message else "sent" if sender.email in OWNER_EMAILS else "inbox"
        msg = SampleMessage(
            message_id=message_id,
            date=to_local(self.zone_of(sender), when),
            sender=sender,
            to=to,
            cc=cc,
            subject=subject,
            body=body,
            tag=tag,
            thread=thread,
            folder=folder,
            needs_reply=tag in tpl.NEEDS_REPLY and sender.email not in OWNER_EMAILS,
            in_reply_to=parent.message_id if parent else None,
            references=refs,
            html=html,
            list_id=LIST_ID if list_message else None,
            list_post=LIST_POST if list_message else None,
            reply_to=reply_to,
        )
        self.messages.append(msg)
        return msg

    def thread(
        self, p: SamplePerson, opener: str, extra: dict[str, str] | None = None
    ) -> _Thread:
        ctx = tpl.base_context(self.rng)
        ctx.update(self.people_ctx(p))
        ctx.update(extra or {})
        stop = p.cooling_after or self.end
        return _Thread(p, tpl.subject_for(self.rng, opener, ctx), ctx, stop)

    def people_ctx(self, p: SamplePerson) -> dict[str, str]:
        audience = (
            f"my newsletter ({p.reach:,} readers)"
            if p.reach >= 1000
            else "my team"
            if p.reach < 100
            else "my followers"
        )
        return {"audience": audience, "to": "Sam", "me": p.first}

    def converse(self, th: _Thread, from_owner: bool, tag: str, when: datetime) -> None:
        """Post, then let the two sides answer each other until one of them stops."""
        p = th.person
        while True:
            msg = self.post(th, from_owner, tag, when)
            if msg is None:
                return
            if from_owner:
                nxt = self.next_tag(_PERSON_NEXT[tag]) if tag in _PERSON_NEXT else None
                median, sigma = self.person_delay(p)
                zone = ZONES[p.zone]
            else:
                if tag in tpl.NEEDS_REPLY:
                    chance = self.owner_reply_p(p)
                    if msg.date > self.end - timedelta(days=BACKLOG_DAYS):
                        chance *= BACKLOG_FACTOR  # a busy last week: the inbox piles up
                    answered = self.rng.random() < chance
                    nxt = ("apology" if tag == "complaint" else "answer") if answered else None
                else:
                    nxt = self.next_tag(_OWNER_NEXT[tag]) if tag in _OWNER_NEXT else None
                median, sigma = OWNER_REPLY_MEDIAN_MIN, OWNER_REPLY_SIGMA
                zone = OWNER_ZONE
            if nxt is None:
                return
            when = self.reply_time(msg.date, zone, median, sigma)
            from_owner, tag = not from_owner, nxt

    def open_thread(self, p: SamplePerson, around: datetime, owner_p: float = 0.3) -> None:
        """A new conversation with ``p`` near ``around``, opened by either side."""
        if self.rng.random() < owner_p:
            table = _OWNER_OPENERS.get(p.role, _OWNER_OPENERS["default"])
            tag = self.weighted(table)
            th = self.thread(p, tag)
            self.converse(th, True, tag, self.moment(OWNER_ZONE, around))
        else:
            tag = self.weighted(_OPENERS[p.role])
            th = self.thread(p, tag)
            self.converse(th, False, tag, self.moment(ZONES[p.zone], around))

    def days_after(self, t: datetime, days: float) -> datetime:
        return t + timedelta(days=days)

    def uniform_time(self, lo: datetime, hi: datetime) -> datetime:
        return lo + (hi - lo) * self.rng.random()

    # -- the patterns ----------------------------------------------------------------------

    def rhythms(self) -> None:
        """Weekly, monthly and quarterly people; cooling ones stop at ``cooling_after``."""
        for p in self.people:
            if p.rhythm is None:
                continue
            period = PERIOD_DAYS[p.rhythm]
            times: list[datetime] = []
            if p.cooling_after is None:
                t = self.start + timedelta(days=period * self.rng.random())
                while t < self.end:
                    times.append(t)
                    t += timedelta(days=period * self.rng.lognormvariate(0, 0.25))
            else:  # counted back from the last contact, so the silence has the planted length
                t = p.cooling_after - timedelta(days=COOLING_SLACK_DAYS)
                while t > self.start:
                    times.append(t)
                    t -= timedelta(days=period * self.rng.lognormvariate(0, 0.25))
                times.reverse()
            for t in times:
                self.open_thread(p, t, 0.4 if p.role == "staff" else 0.3)

    def givers(self) -> None:
        """Shares, referrals and intros; only the ``thanked`` givers ever hear back."""
        rng = self.rng
        referred = [p for p in self.people if p.referred]
        introduced = [p for p in self.people if p.introduced]
        for g in [p for p in self.people if p.giver]:
            t = self.start + timedelta(days=rng.uniform(0, 60))
            while t < self.end - timedelta(days=2):
                kind = rng.choices(("share", "referral", "intro"), weights=(50, 30, 20))[0]
                pool = referred if kind == "referral" else introduced
                if kind != "share" and pool:
                    self.referral(g, pool.pop(0), kind, t)
                else:
                    self.share(g, t)
                t += timedelta(days=rng.uniform(30, 70))
        for p in referred + introduced:  # not reached by a giver: an ordinary long tail
            self.sporadic(replace(p, referred=False, introduced=False))

    def share(self, g: SamplePerson, around: datetime) -> None:
        th = self.thread(g, "share")
        msg = self.post(th, False, "share", self.moment(ZONES[g.zone], around))
        if msg is not None and g.thanked and self.rng.random() < 0.9:
            when = self.reply_time(msg.date, OWNER_ZONE, OWNER_REPLY_MEDIAN_MIN, OWNER_REPLY_SIGMA)
            self.converse(th, True, "giver_thanks", when)

    def referral(self, g: SamplePerson, friend: SamplePerson, kind: str, around: datetime) -> None:
        """``g`` tells ``friend`` about Sam with everyone in copy; Sam answers the friend."""
        rng = self.rng
        th = self.thread(g, kind, {"friend": friend.name, "friend_first": friend.first})
        th.cc = (friend.address,)
        first = self.post(th, False, kind, self.moment(ZONES[g.zone], around))
        if first is None:
            return
        self.referred_by[friend.email] = g.email
        # The friend answers all, with the giver in copy; from here the thread is theirs.
        ft = _Thread(friend, th.subject, dict(th.ctx), self.end, OWNER, (g.address,), first)
        ft.ctx.update(self.people_ctx(friend), giver_first=g.first)
        median, sigma = self.person_delay(friend)
        when = self.reply_time(first.date, ZONES[friend.zone], median, sigma)
        reply_tag = "referral_reply" if kind == "referral" else "intro_reply"
        msg = self.post(ft, False, reply_tag, when)
        if msg is None:
            return
        if rng.random() >= self.owner_reply_p(friend):
            return
        when = self.reply_time(msg.date, OWNER_ZONE, OWNER_REPLY_MEDIAN_MIN, OWNER_REPLY_SIGMA)
        extra = ""
        if g.thanked:
            extra = f"Thank you {g.first} for connecting us, I owe you one!\n\n"
        else:
            ft.cc = ()  # Sam writes back to the friend only: the giver never hears a thing
        reply = self.post(ft, True, "answer", when, extra=extra)
        if reply is None:
            return
        nxt = self.next_tag(_PERSON_NEXT["answer"])
        ft.cc = ()
        if nxt is not None:
            when = self.reply_time(reply.date, ZONES[friend.zone], median, sigma)
            self.converse(ft, False, nxt, when)
        # A referred customer often buys; an introduced peer keeps in touch.
        if kind == "referral" and rng.random() < 0.6:
            self.receipt(friend, self.days_after(reply.date, rng.uniform(1, 25)))
        for _ in range(rng.choice((0, 1, 1, 2))):
            later = self.days_after(reply.date, rng.uniform(10, 120))
            if later < self.end:
                self.open_thread(friend, later)

    def receipt(self, customer: SamplePerson, when: datetime) -> None:
        if when > self.end:
            return
        ctx = tpl.base_context(self.rng)
        ctx.update(
            order=str(1000 + self.serial),
            friend=customer.name,
            friend_email=customer.email,
            price=f"${self.rng.choice((19, 29, 49, 120, 350))}.00",
        )
        self.emit(
            sender=SHOP,
            to=(OWNER,),
            cc=(),
            when=when,
            subject=tpl.subject_for(self.rng, "receipt", ctx),
            body=tpl.body_for(self.rng, "receipt", ctx),
            tag="receipt",
            parent=None,
            html=True,
            reply_to=customer.address,
        )

    def newcomers(self) -> None:
        for p in self.people:
            if p.newcomer:
                days = self.rng.uniform(0.1, NEWCOMER_DAYS - 0.5)
                t = self.end - timedelta(days=days)
                tag = self.weighted(_OPENERS[p.role])
                th = self.thread(p, tag)
                when = min(self.moment(ZONES[p.zone], t), self.end - timedelta(minutes=5))
                when = max(when, self.end - timedelta(days=NEWCOMER_DAYS - 0.1))
                self.converse(th, False, tag, when)

    def sporadic(self, p: SamplePerson) -> None:
        n = 1
        while n < 5 and self.rng.random() < 0.45:
            n += 1
        for _ in range(n):
            self.open_thread(p, self.uniform_time(self.start, self.end), owner_p=0.1)

    def long_tail(self) -> None:
        for p in self.people:
            plain = not (p.rhythm or p.giver or p.newcomer or p.referred or p.introduced)
            if plain and not p.list_member:
                self.sporadic(p)
            elif plain and self.rng.random() < 0.3:
                self.open_thread(p, self.uniform_time(self.start, self.end), owner_p=0.1)

    def mailing_list(self) -> None:
        """The Makers Guild: threads among members, Sam posting and replying now and then."""
        rng = self.rng
        members = [p for p in self.people if p.list_member]
        weights = [1 / (i + 1) ** 0.8 for i in range(len(members))]  # a few loud voices
        n_threads = self.count(2.0 * self.days / 7)
        for _ in range(n_threads):
            t = self.uniform_time(self.start, self.end)
            owner_opens = rng.random() < 0.1
            author = None if owner_opens else rng.choices(members, weights=weights)[0]
            self.list_thread(author, members, weights, t)
        # Everyone in the circle speaks at least once.
        spoken = {m.sender.email for m in self.messages if m.list_id}
        for p in members:
            if p.email not in spoken:
                self.list_thread(p, members, weights, self.uniform_time(self.start, self.end))

    def list_thread(
        self,
        author: SamplePerson | None,
        members: Sequence[SamplePerson],
        weights: Sequence[float],
        around: datetime,
    ) -> None:
        rng = self.rng
        ctx = tpl.base_context(rng)
        subject = tpl.subject_for(rng, "list_post", ctx)
        posts: list[tuple[SampleMessage, SamplePerson | None]] = []
        when = self.moment(ZONES[author.zone] if author else OWNER_ZONE, around)
        n_replies = 0
        while n_replies < 12 and rng.random() < 0.72:
            n_replies += 1
        for i in range(n_replies + 1):
            if i == 0:
                who, parent = author, None
                tag = "list_post"
            else:
                parent_msg, parent_who = posts[int(len(posts) * rng.random() ** 1.5)]
                parent = parent_msg
                who = None if rng.random() < 0.08 else rng.choices(members, weights=weights)[0]
                if who is not None and parent_who is not None and who.email == parent_who.email:
                    continue
                if who is None and parent_who is None:
                    continue
                tag = "list_reply"
                median = OWNER_REPLY_MEDIAN_MIN if who is None else 300.0
                zone = OWNER_ZONE if who is None else ZONES[who.zone]
                when = self.reply_time(parent_msg.date, zone, median, 1.3)
            if when > self.end:
                break
            sender = OWNER if who is None else who.sender
            ctx.update(me=who.first if who else "Sam")
            cc: tuple[Address, ...] = ()
            if parent is not None and rng.random() < 0.3 and parent.sender != sender:
                cc = (parent.sender,)  # reply-all: the author gets a direct copy
            msg = self.emit(
                sender=sender,
                to=(LIST_ADDRESS,),
                cc=cc,
                when=when,
                subject=subject,
                body=tpl.body_for(rng, tag, ctx),
                tag=tag,
                parent=parent,
                list_message=True,
            )
            posts.append((msg, who))

    def newsletter(self) -> None:
        """Sam's newsletter from the ``+news`` alias, and the fans who write back to it."""
        rng = self.rng
        fans = [
            p
            for p in self.people
            if p.role == "fan" and not (p.giver or p.newcomer or p.list_member or p.rhythm)
            and not (p.referred or p.introduced)
        ]
        issue = 0
        t = self.start + timedelta(days=10)
        while t < self.end - timedelta(days=3) and fans:
            issue += 1
            ctx = tpl.base_context(rng)
            ctx["issue"] = str(issue)
            sent = self.emit(
                sender=OWNER_NEWS,
                to=(OWNER_NEWS,),
                cc=(),
                when=self.moment(OWNER_ZONE, t),
                subject=tpl.subject_for(rng, "newsletter", ctx),
                body=tpl.body_for(rng, "newsletter", ctx),
                tag="newsletter",
                parent=None,
            )
            for _ in range(rng.choice((0, 1, 2, 2, 3))):
                fan = rng.choice(fans)
                th = _Thread(fan, sent.subject, dict(ctx), self.end, OWNER_NEWS, (), sent)
                th.ctx.update(self.people_ctx(fan))
                median, sigma = self.person_delay(fan)
                when = self.reply_time(sent.date, ZONES[fan.zone], median, sigma)
                self.converse(th, False, rng.choice(("praise", "question")), when)
            t += timedelta(days=42)

    def owner_intros(self) -> None:
        """Sam introduces two people he knows: a give going out, and a tie between them."""
        rng = self.rng
        pool = [
            p
            for p in self.people
            if p.rhythm == "monthly" and p.cooling_after is None
            and p.role in ("peer", "partner", "advisor")
        ]
        for _ in range(self.count(8)):
            if len(pool) < 2:
                return
            a, b = rng.sample(pool, 2)
            th = self.thread(a, "owner_intro", {"other_first": b.first, "to": a.first})
            th.cc = (b.address,)
            t = self.moment(OWNER_ZONE, self.uniform_time(self.start, self.end))
            first = self.post(th, True, "owner_intro", t)
            if first is None:
                continue
            self.owner_introduced += [a.email, b.email]
            when = self.reply_time(first.date, ZONES[a.zone], *self.person_delay(a))
            th.cc = (OWNER,)
            reply = self.post(
                th, False, "owner_intro_reply", when, to=(b.address,), sender=a.sender
            )
            if reply is not None and rng.random() < 0.7:
                when = self.reply_time(reply.date, ZONES[b.zone], *self.person_delay(b))
                bt = _Thread(b, th.subject, dict(th.ctx), self.end, OWNER, (OWNER,), reply)
                bt.ctx.update(other_first=a.first)
                self.post(bt, False, "reply", when, to=(a.address,), sender=b.sender)

    def group_threads(self) -> None:
        """Projects with Sam and two or three others in one thread (ties via CC)."""
        rng = self.rng
        pool = [
            p
            for p in self.people
            if p.rhythm in ("weekly", "monthly") and p.cooling_after is None
            and p.role in ("partner", "supplier", "staff", "advisor")
        ]
        for _ in range(self.count(16)):
            if len(pool) < 3:
                return
            crew: list[SamplePerson | None] = [None, *rng.sample(pool, rng.choice((2, 2, 3)))]
            ctx = tpl.base_context(rng)
            subject = tpl.subject_for(rng, "group", ctx)
            parent: SampleMessage | None = None
            who: SamplePerson | None = rng.choice(crew)
            when = self.moment(
                OWNER_ZONE if who is None else ZONES[who.zone],
                self.uniform_time(self.start, self.end),
            )
            for i in range(rng.randint(2, 6)):
                if when > self.end:
                    break
                sender = OWNER if who is None else who.sender
                others = [OWNER if c is None else c.address for c in crew if c is not who]
                ctx.update(me=who.first if who else "Sam")
                tag = "group" if i == 0 else "group_reply"
                body = tpl.body_for(rng, tag, ctx)
                html_body = who is not None and who.html_only
                parent = self.emit(
                    sender=sender,
                    to=(others[0],),
                    cc=tuple(others[1:]),
                    when=when,
                    subject=subject,
                    body=_as_html(body) if html_body else body,
                    tag=tag,
                    parent=parent,
                    html=html_body,
                )
                who = rng.choice([c for c in crew if c is not who])
                median = OWNER_REPLY_MEDIAN_MIN if who is None else self.person_delay(who)[0]
                zone = OWNER_ZONE if who is None else ZONES[who.zone]
                when = self.reply_time(parent.date, zone, median, 1.3)

    def purchases(self) -> None:
        """A few ordinary customers buy something after writing."""
        rng = self.rng
        customers = [
            p
            for p in self.people
            if p.role == "customer" and p.cooling_after is None and not p.referred
        ]
        first_seen: dict[str, datetime] = {}
        for m in self.messages:
            first_seen.setdefault(m.sender.email, m.date)
        buyers = [p for p in customers if p.email in first_seen]
        for p in rng.sample(buyers, min(len(buyers), self.count(14))):
            self.receipt(p, self.days_after(first_seen[p.email], rng.uniform(0.5, 20)))

    def fill_silent(self) -> None:
        """Whoever never appeared in any message gets one ordinary conversation."""
        seen: set[str] = set()
        for m in self.messages:
            seen.update(a.email for a in m.addresses())
        for p in self.people:
            if p.email not in seen and not (p.newcomer or p.cooling_after or p.giver):
                self.open_thread(p, self.uniform_time(self.start, self.end - timedelta(days=20)))

    def build(self) -> SampleWorld:
        self.plan_people()
        self.rhythms()
        self.givers()
        self.newcomers()
        self.long_tail()
        self.mailing_list()
        self.newsletter()
        self.owner_intros()
        self.group_threads()
        self.purchases()
        self.fill_silent()
        people = tuple(
            replace(p, referred_by=self.referred_by.get(p.email)) if p.email in self.referred_by
            else replace(p, referred=False, introduced=False) if p.referred or p.introduced
            else p
            for p in self.people
        )
        messages = tuple(sorted(self.messages, key=lambda m: (m.date.astimezone(UTC), m.message_id)))
        truth = _truth(people, messages, self.end, self.owner_introduced)
        return SampleWorld(
            seed=self.seed,
            end=self.end,
            days=self.days,
            owner=OWNER,
            owner_aliases=(OWNER_NEWS,),
            list_address=LIST_ADDRESS,
            list_id=LIST_ID,
            people=people,
            messages=messages,
            truth=truth,
        )


def _email_key(email: str) -> str:
    """Addresses that a provider may treat as one (dots, underscores) share a key."""
    return email.lower().replace(".", "").replace("_", "")


def _as_html(text: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.strip().split("\n\n")
    )
    return f'<html><body><div dir="ltr">{paragraphs}</div></body></html>\n'


def _truth(
    people: Sequence[SamplePerson],
    messages: Sequence[SampleMessage],
    end: datetime,
    owner_introduced: Sequence[str],
) -> dict[str, list[str]]:
    """The planted patterns, plus the ones read back from the messages themselves."""
    known = {p.email for p in people}
    first_seen: dict[str, datetime] = {}
    owner_wrote_to: set[str] = set()
    for m in messages:
        for a in m.addresses():
            if a.email in known:
                first_seen.setdefault(a.email, m.date)
        if m.direction == "out" and not m.list_id:
            owner_wrote_to.update(a.email for a in (*m.to, *m.cc))
    newcomers = [e for e, t in first_seen.items() if t >= end - timedelta(days=NEWCOMER_DAYS)]
    wrote = {m.sender.email for m in messages}

    # Waiting: an ask from someone with no later message from the owner in its thread.
    last_owner: dict[str, datetime] = {}
    for m in messages:
        if m.direction == "out":
            last_owner[m.thread] = m.date
    waiting_ids: list[str] = []
    waiting_recent: set[str] = set()
    waiting_old: set[str] = set()
    for m in messages:
        if m.direction != "in" or not m.needs_reply:
            continue
        answered = m.thread in last_owner and last_owner[m.thread] > m.date
        if not answered:
            waiting_ids.append(m.message_id)
            recent = m.date >= end - timedelta(days=WAITING_RECENT_DAYS)
            (waiting_recent if recent else waiting_old).add(m.sender.email)

    def emails(pred: Callable[[SamplePerson], bool]) -> list[str]:
        return sorted(p.email for p in people if pred(p))

    reach_cut = sorted(p.reach for p in people)[int(len(people) * 0.95)]
    return {
        "owner_addresses": sorted(OWNER_EMAILS),
        "rhythm_weekly": emails(lambda p: p.rhythm == "weekly" and p.cooling_after is None),
        "rhythm_monthly": emails(lambda p: p.rhythm == "monthly" and p.cooling_after is None),
        "rhythm_quarterly": emails(lambda p: p.rhythm == "quarterly" and p.cooling_after is None),
        "cooling": emails(lambda p: p.cooling_after is not None),
        "givers_never_thanked": emails(lambda p: p.giver and not p.thanked),
        "givers_thanked": emails(lambda p: p.giver and p.thanked),
        "referred": emails(lambda p: p.referred and p.referred_by is not None),
        "introduced": emails(lambda p: p.introduced and p.referred_by is not None),
        "owner_introduced": sorted(set(owner_introduced)),
        "newcomers": sorted(newcomers),
        "newcomers_unanswered": sorted(
            e for e in newcomers if e in wrote and e not in owner_wrote_to
        ),
        "waiting": sorted(waiting_recent | waiting_old),
        "waiting_recent": sorted(waiting_recent),
        "waiting_old": sorted(waiting_old),
        "waiting_message_ids": sorted(waiting_ids),
        "list_members": emails(lambda p: p.list_member),
        "purchasers": sorted(
            {m.reply_to.email for m in messages if m.tag == "receipt" and m.reply_to}
        ),
        "complainers": sorted({m.sender.email for m in messages if m.tag == "complaint"}),
        "html_only": sorted({m.sender.email for m in messages if m.html and m.sender != SHOP}),
        "non_ascii": emails(lambda p: not p.name.isascii()),
        "high_reach": emails(lambda p: p.reach >= reach_cut),
    }


def generate_world(
    seed: int = 7,
    people: int = 300,
    days: int = 365,
    end: datetime = DEFAULT_END,
) -> SampleWorld:
    """Sam Rivera's year: ``people`` contacts and their e-mail over ``days`` up to ``end``.

    Deterministic: the same arguments give the same world, message for
    message. Raises ``ConfigError`` when the world is too small to hold its
    patterns (fewer than 60 people or 180 days) or ``end`` is naive.
    """
    if people < 60:
        raise ConfigError(
            f"a sample world needs at least 60 people, not {people}",
            hint="use --people 60 or more (the default is 300)",
        )
    if days < 180:
        raise ConfigError(
            f"a sample world needs at least 180 days, not {days}",
            hint="cooling relationships stop 60-150 days before the end; use --days 180 or more",
        )
    if end.tzinfo is None:
        raise ConfigError("the end of a sample world must be time-zone aware", hint="pass tzinfo=UTC")
    return _Builder(seed, people, days, end.astimezone(UTC)).build()
