"""What happens in Sam's year: the messages, written thread by thread.

``Story`` takes the cast and the shared random generator and writes each
planted pattern in turn: rhythms (and cooling), givers, newcomers, the long
tail, the Makers Guild list, the newsletter from Sam's ``+news`` alias,
introductions Sam makes, group threads, purchases. A conversation is a walk
on two small tables (``_PERSON_NEXT``, ``_OWNER_NEXT``): what the other side
does after a message with a given tag; asks are answered with a probability
that depends on who asked, after a lognormal delay that prefers office hours.
"""

from __future__ import annotations

import hashlib
import html
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from kith.sample import connect
from kith.sample import templates as tpl
from kith.sample.entities import (
    BACKLOG_DAYS,
    BACKLOG_FACTOR,
    COOLING_SLACK_DAYS,
    LIST_ADDRESS,
    LIST_ID,
    LIST_POST,
    MAX_DELAY_MIN,
    MAX_REFERENCES,
    MIN_DELAY_MIN,
    NEWCOMER_DAYS,
    OWNER,
    OWNER_EMAILS,
    OWNER_NEWS,
    OWNER_REPLY_MEDIAN_MIN,
    OWNER_REPLY_SIGMA,
    PERIOD_DAYS,
    SHOP,
    Address,
    Folder,
    SampleMessage,
    SamplePerson,
)
from kith.sample.names import OWNER_ZONE, ZONES, Zone, to_local
from kith.sample.topics import plant_topics

#: The need a few people share (``Story.circle_need``), each in their own words.
CIRCLE_NEED_SUBJECT = "Pricing my first online course"
CIRCLE_NEED_LINES = (
    "I keep going round in circles on pricing my first online course. Cohort or "
    "self-paced? What did you charge for your first launch?",
    "How would you price an online course for a first cohort? Twelve students signed "
    "up and I have no idea what the course should cost.",
    "I'm launching my first online course next month and the pricing keeps me up at "
    "night. Early-bird pricing for the first cohort, yes or no?",
    "Still stuck on course pricing. My first cohort starts soon: should the online "
    "course cost more than the workshops?",
)

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
#: How likely each local hour (0-23) is for sending mail: office hours, a quiet night.
HOUR_WEIGHTS = (
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


class Story:
    """Writes the messages of one world; ``write`` runs every pattern once, in order."""

    def __init__(
        self, rng: random.Random, seed: int, people: list[SamplePerson], days: int, end: datetime
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.end = end
        self.days = days
        self.start = end - timedelta(days=days)
        self.scale = len(people) / 300
        self.serial = 0
        self.messages: list[SampleMessage] = []
        self.people = people
        self.zone_by_email = {p.email: p.zone for p in people}
        self.referred_by: dict[str, str] = {}
        #: The introductions Sam proposes, double opt-in: (A's e-mail, B's, when proposed).
        self.opt_ins: list[tuple[str, str, datetime]] = []
        #: The truth of the patterns ``kith.sample.connect`` plants last.
        self.planted: dict[str, list[str]] = {}

    def count(self, base: float, minimum: int = 1) -> int:
        """``base`` per 300 people, at least ``minimum``."""
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
        hour = self.rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
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
            refs = (
                chain if len(chain) <= MAX_REFERENCES else (chain[0], *chain[1 - MAX_REFERENCES :])
            )
            thread = parent.thread
            subject = parent.subject if parent.subject.startswith("Re: ") else f"Re: {subject}"
        folder: Folder = (
            "lists" if list_message else "sent" if sender.email in OWNER_EMAILS else "inbox"
        )
        msg = SampleMessage(
            message_id=message_id,
            date=to_local(self.zone_of(sender), when).replace(microsecond=0),
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

    def thread(self, p: SamplePerson, opener: str, extra: dict[str, str] | None = None) -> _Thread:
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
            if p.role == "fan"
            and not (p.giver or p.newcomer or p.list_member or p.rhythm)
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
            if p.rhythm == "monthly"
            and p.cooling_after is None
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

    def double_opt_in(self) -> None:
        """Two introductions Sam proposes and asks about first, in mail that
        ``kith.connect.introductions`` follows: one pair both say yes, Sam
        introduces them and they write to each other without him; in the
        other A says no. Written last, so that the patterns before it are
        the same with or without it."""
        pool = [
            p
            for p in self.people
            if p.rhythm in ("weekly", "monthly")
            and p.cooling_after is None
            and p.role in ("peer", "partner", "advisor", "supplier")
            and not p.html_only
        ]
        if len(pool) < 4:
            return
        a, b, c, d = self.rng.sample(pool, 4)
        day = timedelta(days=1)
        # Both say yes; then they write to each other without Sam.
        t = self.moment(OWNER_ZONE, self.end - timedelta(days=70))
        self.opt_ins.append((a.email, b.email, t - day))
        ask = self._say(
            OWNER,
            a,
            t,
            "Someone you should meet",
            f"Hi {a.first},\n\n"
            f"would you like to meet {b.name}? I think you two would get on.\n\nSam\n",
        )
        self._say(
            a.sender, None, t + day, "", f"Yes, happy to! Thanks Sam.\n\n{a.first}\n", parent=ask
        )
        ask = self._say(
            OWNER,
            b,
            t + 2 * day,
            "An introduction?",
            f"Hi {b.first},\n\n{a.name} would like to meet you. Shall I connect you?\n\nSam\n",
        )
        self._say(b.sender, None, t + 3 * day, "", f"Sure, go ahead.\n\n{b.first}\n", parent=ask)
        self.emit(
            sender=OWNER,
            to=(a.address, b.address),
            cc=(),
            when=t + 4 * day,
            subject=f"Intro: {a.first} <> {b.first}",
            body=f"{a.first}, meet {b.first}; {b.first}, meet {a.first}. Over to you!\n\nSam\n",
            tag="opt_in_intro",
            parent=None,
        )
        direct = self.emit(
            sender=a.sender,
            to=(b.address,),
            cc=(),
            when=t + 14 * day,
            subject="Coffee?",
            body=f"Hi {b.first}, good to meet you through Sam. Coffee next week?\n\n{a.first}\n",
            tag="opt_in_direct",
            parent=None,
        )
        self.emit(
            sender=b.sender,
            to=(a.address,),
            cc=(),
            when=t + 15 * day,
            subject=direct.subject,
            body=f"Tuesday works.\n\n{b.first}\n",
            tag="opt_in_direct",
            parent=direct,
        )
        # A says no; Sam lets it go.
        t = self.moment(OWNER_ZONE, self.end - timedelta(days=40))
        self.opt_ins.append((c.email, d.email, t - day))
        ask = self._say(
            OWNER,
            c,
            t,
            "Someone you could meet",
            f"Hi {c.first},\n\nwould you like to meet {d.name}?\n\nSam\n",
        )
        no = self._say(
            c.sender,
            None,
            t + day,
            "",
            f"Not right now, thanks: too much on.\n\n{c.first}\n",
            parent=ask,
        )
        self._say(OWNER, c, t + 2 * day, "", "No problem at all.\n\nSam\n", parent=no)

    def _say(
        self,
        sender: Address,
        to: SamplePerson | None,
        when: datetime,
        subject: str,
        body: str,
        *,
        parent: SampleMessage | None = None,
    ) -> SampleMessage:
        """One message of an opt-in thread: Sam to ``to``, or an answer to Sam."""
        return self.emit(
            sender=sender,
            to=(OWNER,) if to is None else (to.address,),
            cc=(),
            when=when,
            subject=subject or (parent.subject if parent else ""),
            body=body,
            tag="opt_in",
            parent=parent,
        )

    def group_threads(self) -> None:
        """Projects with Sam and two or three others in one thread (ties via CC)."""
        rng = self.rng
        pool = [
            p
            for p in self.people
            if p.rhythm in ("weekly", "monthly")
            and p.cooling_after is None
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

    def needs_and_offers(self) -> None:
        """Complementary pairs: one of Sam's people asks Sam for what another offers.

        Both are regulars Sam writes with (so both trust him); they never
        write to each other. The asker writes "do you know anyone who does
        letterpress printing?", the other announces that they now do it. A
        generator of its own (seeded from the world's seed) picks them, and
        the pattern runs last, so the rest of the world is as it was.
        """
        rng = random.Random(f"{self.seed}:needs")
        met: set[frozenset[str]] = set()
        for m in self.messages:
            present = sorted({a.email for a in m.addresses()})
            met.update(frozenset((x, y)) for n, x in enumerate(present) for y in present[n + 1 :])
        regular = [
            p
            for p in self.people
            if p.rhythm in ("weekly", "monthly") and p.cooling_after is None and not p.giver
        ]
        askers = [p for p in regular if p.role in ("customer", "peer")]
        givers = [p for p in regular if p.role in ("supplier", "partner", "advisor")]
        rng.shuffle(askers)
        rng.shuffle(givers)
        for topic, ask, offer in tpl.NEEDS:
            pair = next(
                (
                    (a, g)
                    for a in askers
                    for g in givers
                    if frozenset((a.email, g.email)) not in met
                ),
                None,
            )
            if pair is None:
                return
            a, g = pair
            askers.remove(a)
            givers.remove(g)
            asked = self.moment(ZONES[a.zone], self.end - timedelta(days=rng.uniform(10, 60)))
            offered = self.moment(ZONES[g.zone], self.end - timedelta(days=rng.uniform(20, 120)))
            for who, when, tag, subject, text in (
                (a, asked, "need_ask", f"{tpl.NEED_ASK_SUBJECT} {topic}", ask),
                (g, offered, "need_offer", f"{tpl.NEED_OFFER_SUBJECT} {topic}", offer),
            ):
                body = f"Hi Sam,\n\n{text}\n\nBest,\n{who.first}\n"
                self.emit(
                    sender=who.sender,
                    to=(OWNER,),
                    cc=(),
                    when=when,
                    subject=subject,
                    body=body,
                    tag=tag,
                    parent=None,
                )

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

    def circle_need(self) -> None:
        """A few two-way people (not on the list: they never shared a circle)
        write to Sam about one need, pricing a first online course, and he
        answers: the group ``kith circle form`` should put together. Drawn
        from a generator of its own, so that no other pattern changes."""
        rng = random.Random(f"{self.seed}:circle_need")
        pool = [
            p
            for p in self.people
            if p.rhythm in ("weekly", "monthly")
            and p.cooling_after is None
            and not p.list_member
            and p.role in ("customer", "peer", "fan")
        ]
        middle = self.start + timedelta(days=self.days / 2)
        for k, p in enumerate(rng.sample(pool, min(len(pool), len(CIRCLE_NEED_LINES)))):
            when = self.moment(ZONES[p.zone], middle + timedelta(days=3 * k))
            first = self.emit(
                sender=p.sender,
                to=(OWNER,),
                cc=(),
                when=when,
                subject=CIRCLE_NEED_SUBJECT,
                body=f"Hi Sam,\n\n{CIRCLE_NEED_LINES[k]}\n\n{p.first}\n",
                tag="circle_need",
                parent=None,
            )
            reply_at = self.reply_time(first.date, OWNER_ZONE, OWNER_REPLY_MEDIAN_MIN, 1.0)
            self.emit(
                sender=OWNER,
                to=(p.address,),
                cc=(),
                when=reply_at,
                subject=CIRCLE_NEED_SUBJECT,
                body=f"Hi {p.first},\n\nGood question; let me think who else is on it.\n\nSam\n",
                tag="circle_need_reply",
                parent=first,
            )

    def write(self) -> tuple[list[SamplePerson], list[SampleMessage]]:
        """Run every pattern; return the people (with who referred them) and the messages."""
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
        self.needs_and_offers()
        self.double_opt_in()
        self.circle_need()
        plant_topics(self, self.people)
        self.planted = connect.plant(self)
        people = [
            replace(p, referred_by=self.referred_by.get(p.email))
            if p.email in self.referred_by
            else replace(p, referred=False, introduced=False)
            if p.referred or p.introduced
            else p
            for p in self.people
        ]
        return people, self.messages


def _as_html(text: str) -> str:
    paragraphs = "".join(
        f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.strip().split("\n\n")
    )
    return f'<html><body><div dir="ltr">{paragraphs}</div></body></html>\n'
