"""The sample world at benchmark size: up to a million people, tens of millions of messages.

Nothing here holds the whole world. One pass over a seeded event stream
makes message ``i`` at a time that rises with ``i`` (shaped by office hours
and weekdays in Sam's zone); a reply picks its parent from a bounded pool of
recent open threads, so memory stays flat however many messages are asked
for. People are integers: name, address, zone and planted behaviour are
cheap functions of the index over fixed name tables.

The patterns of the small world are here in bulk:

- replies (``In-Reply-To``/``References``) to earlier messages, with delays
  from minutes to days, and asks Sam never answers (*waiting*);
- **givers never thanked**: about 2 % of people only ever share and refer
  (with the friend in ``Cc``); Sam never writes to them;
- **cooling**: about 2 % go silent 60–150 days before ``end``;
- **newcomers**: the last 2 % of indices appear only in the last 14 days;
- the Makers Guild mailing list (``List-Id``), about a tenth of all traffic;
- group threads with others in ``Cc`` (ties between people).

``iter_scale_messages`` yields RFC 5322 bytes, ``write_scale_mbox`` streams
them into one mbox file, and ``iter_scale_records`` yields the same messages
as ``kith.model.InteractionRecord`` (same Message-IDs, times and people)
without any text round trip.
"""

from __future__ import annotations

import calendar
import random
import time
from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import formataddr
from pathlib import Path

from kith.model import (
    Channel,
    DateQuality,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Role,
)
from kith.sample import templates as tpl
from kith.sample.names import (
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    OWNER_ZONE,
    REGIONS,
    ZONES,
    Zone,
    ascii_fold,
    dst_bounds,
    offset_minutes,
)
from kith.sample.render import mboxrd_quote
from kith.sample.world import DEFAULT_END, LIST_ADDRESS, LIST_ID, LIST_NAME, OWNER
from kith.sample.world import _HOUR_WEIGHTS as HOUR_WEIGHTS

#: The stream covers this many days up to ``end``.
SCALE_DAYS = 365
#: People are drawn as ``int(n * u ** PEOPLE_SKEW)``: a few very active, a long quiet tail.
PEOPLE_SKEW = 2.5
#: Per-mille of people planted as givers (never thanked) and as cooling; percent on the list.
GIVER_PERMILLE = 20
COOLING_PERMILLE = 20
LIST_PERCENT = 10
#: The last ``NEWCOMER_SHARE`` of indices are newcomers, seen only in the last NEWCOMER_DAYS.
NEWCOMER_SHARE = 0.02
NEWCOMER_DAYS = 14
COOLING_MIN_DAYS = 60
COOLING_MAX_DAYS = 150
#: Open threads kept for replies; older ones are simply never answered.
POOL_SIZE = 20_000
#: Weekends carry this share of a weekday's traffic.
WEEKEND_FACTOR = 0.35
#: Cache of per-person strings and identity objects, cleared when full (memory stays flat).
CACHE_SIZE = 100_000

_OWNER = -1
_LIST = -2
_LIST_KEY = LIST_ID[LIST_ID.index("<") + 1 : -1]
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_PROVIDERS = (
    "fastmail.com", "proton.me", "outlook.com", "hey.com", "icloud.com", "posteo.de",
    "gmx.de", "yahoo.com", "mailbox.org", "zoho.com",
)  # fmt: skip
_ZONE_WEIGHTS = {
    "America/New_York": 18, "America/Chicago": 9, "America/Los_Angeles": 10,
    "America/Sao_Paulo": 4, "America/Mexico_City": 3, "Europe/London": 10, "Europe/Berlin": 8,
    "Europe/Paris": 5, "Europe/Madrid": 4, "Europe/Warsaw": 3, "Europe/Stockholm": 2,
    "Africa/Lagos": 4, "Asia/Kolkata": 8, "Asia/Singapore": 3, "Asia/Tokyo": 3,
    "Australia/Brisbane": 2,
}  # fmt: skip

# Kinds of message, as indexes into the body tables.
_ASK, _ANSWER, _REPLY, _CHECKIN, _LIST_POST, _LIST_REPLY, _SHARE, _REFERRAL, _GROUP = range(9)
_BODY_TAGS = (
    ("question", "request", "scheduling", "complaint"),
    ("answer", "apology"),
    ("thanks", "reply", "followup", "update"),
    ("checkin", "update", "request"),
    ("list_post",),
    ("list_reply",),
    ("share",),
    ("referral",),
    ("group",),
)
_OPEN_TAGS = ("question", "request", "scheduling", "praise", "update", "chat", "complaint")
_BODIES_PER_KIND = 24
_ORIGIN = "sample:scale"


_Event = tuple[int, int, int, int, tuple[int, ...], str, str | None, str | None, int, int]
_Open = tuple[str, str, int, int]  # (message id, thread root, person, subject)


class _People:
    """Everyone as a function of an index: names, addresses, zones, planted behaviour.

    Person ``i`` is ``first[i % F] last[(i // F) % L]``, with a round number
    appended to the address after ``F * L`` people, so addresses are unique
    without a table per person.
    """

    def __init__(self, n: int, seed: int, start: int, end: int) -> None:
        rng = random.Random(seed ^ 0x5CA1E)
        firsts: dict[str, str] = {}
        lasts: dict[str, str] = {}
        for region in REGIONS.values():
            for f in region.first:
                firsts.setdefault(ascii_fold(f), f)
            for la in region.last:
                lasts.setdefault(ascii_fold(la), la)
        self.first = list(firsts.items())
        self.last = list(lasts.items())
        rng.shuffle(self.first)
        rng.shuffle(self.last)
        companies = [f"{w}{s}.com" for w in COMPANY_WORDS for s in COMPANY_SUFFIXES]
        self.domains = [*(_PROVIDERS * 12), *companies]
        rng.shuffle(self.domains)
        years = range(time.gmtime(start).tm_year, time.gmtime(end).tm_year + 1)
        self.zones = [
            _zone_table(ZONES[name], years) for name, w in _ZONE_WEIGHTS.items() for _ in range(w)
        ]
        rng.shuffle(self.zones)
        self.n = n
        self.salt = rng.getrandbits(32)
        self.newcomer_from = n - max(1, int(n * NEWCOMER_SHARE))
        self.end = end
        self.cache: dict[int, tuple[str, str, str, Participant, Participant, Participant]] = {}

    def hash(self, idx: int) -> int:
        return (((idx + 1) * 0x9E3779B1) ^ self.salt) * 0x85EBCA6B & 0xFFFFFFFF

    def trait(self, idx: int) -> int:
        """0..999: below GIVER_PERMILLE a giver, then COOLING_PERMILLE cooling."""
        return (self.hash(idx) >> 7) % 1000

    def is_giver(self, idx: int) -> bool:
        return self.trait(idx) < GIVER_PERMILLE

    def cooling_cutoff(self, idx: int) -> int:
        """The last second a cooling person may appear; ``end`` for everyone else."""
        trait = self.trait(idx)
        if not GIVER_PERMILLE <= trait < GIVER_PERMILLE + COOLING_PERMILLE:
            return self.end
        span = COOLING_MAX_DAYS - COOLING_MIN_DAYS
        back = COOLING_MIN_DAYS + (self.hash(idx) >> 17) % (span + 1)
        return self.end - back * 86400

    def is_newcomer(self, idx: int) -> bool:
        return idx >= self.newcomer_from

    def on_list(self, idx: int) -> bool:
        return (self.hash(idx) >> 3) % 100 < LIST_PERCENT

    def offset(self, idx: int, t: int) -> int:
        """Person ``idx``'s UTC offset in minutes at ``t``."""
        std, summers = self.zones[self.hash(idx) % len(self.zones)]
        for begin, finish in summers:
            if begin <= t < finish:
                return std + 60
        return std

    def info(self, idx: int) -> tuple[str, str, str, Participant, Participant, Participant]:
        """(e-mail, first name, ``From:``-ready address, as from, as to, as cc) of ``idx``."""
        got = self.cache.get(idx)
        if got is not None:
            return got
        n_first, n_last = len(self.first), len(self.last)
        fold_f, first = self.first[idx % n_first]
        fold_l, last = self.last[(idx // n_first) % n_last]
        round_ = idx // (n_first * n_last)
        domain = self.domains[self.hash(idx) % len(self.domains)]
        email = f"{fold_f}.{fold_l}{round_ or ''}@{domain}"
        name = f"{first} {last}"
        ident = IdentityRef("email", email, name)
        header = formataddr((name, email), charset="utf-8")
        got = (
            email,
            first,
            header,
            Participant(Role.FROM, ident),
            Participant(Role.TO, ident),
            Participant(Role.CC, ident),
        )
        if len(self.cache) >= CACHE_SIZE:
            self.cache.clear()
        self.cache[idx] = got
        return got


def _zone_table(zone: Zone, years: range) -> tuple[int, list[tuple[int, int]]]:
    """A zone as (standard offset, summer-time intervals in epoch seconds)."""
    summers = []
    for year in years:
        bounds = dst_bounds(zone, year)
        if bounds is not None:
            begin, finish = bounds
            summers.append((calendar.timegm(begin.timetuple()), calendar.timegm(finish.timetuple())))
    return zone.std_minutes, summers


def _week_profile(start: int) -> list[float]:
    """Cumulative share of a week's traffic by hour, counted from ``start``.

    Office hours on weekdays carry most of it (``HOUR_WEIGHTS``), weekends
    ``WEEKEND_FACTOR`` of a weekday, in Sam's local time.
    """
    weights = []
    for h in range(168):
        at = datetime.fromtimestamp(start + h * 3600, UTC)
        local = at + timedelta(minutes=offset_minutes(OWNER_ZONE, at))
        weight = HOUR_WEIGHTS[local.hour]
        weights.append(weight * (WEEKEND_FACTOR if local.weekday() >= 5 else 1.0))
    total = sum(weights)
    cdf = [0.0]
    for weight in weights:
        cdf.append(cdf[-1] + weight / total)
    cdf[-1] = 1.0
    return cdf


def _text_tables(rng: random.Random) -> tuple[list[str], list[list[str]]]:
    """Subjects, and bodies per kind without their sign-off, drawn once from the templates."""
    subjects = []
    for _ in range(120):
        ctx = tpl.base_context(rng)
        subjects.append(tpl.subject_for(rng, rng.choice(_OPEN_TAGS), ctx))
    bodies: list[list[str]] = []
    for tags in _BODY_TAGS:
        texts = []
        for _ in range(_BODIES_PER_KIND):
            ctx = tpl.base_context(rng)
            ctx.update(
                to="Sam",
                me="\0",
                audience="my newsletter",
                friend="Alex Kim",
                friend_first="Alex",
                giver_first="Jo",
            )
            text = tpl.body_for(rng, rng.choice(tags), ctx)
            # The sign-off (the sender's first name) is added per message.
            if "\0" in text:
                text = text[: text.rindex("\0")]
            elif text.endswith("Sam\n"):
                text = text[: -len("Sam\n")]
            texts.append(text.replace("\0", "me"))
        bodies.append(texts)
    return subjects, bodies


class _Stream:
    """One seeded pass over ``count`` events; ``events`` yields plain tuples."""

    def __init__(self, people: int, count: int, seed: int, end: datetime) -> None:
        if people < 10:
            raise ValueError(f"the scale world needs at least 10 people, not {people}")
        if count < 0:
            raise ValueError(f"interactions must be zero or more, not {count}")
        if end.tzinfo is None:
            raise ValueError("end must be time-zone aware (tzinfo=UTC)")
        self.count = count
        self.end = int(end.timestamp())
        self.start = self.end - SCALE_DAYS * 86400
        self.people = _People(people, seed, self.start, self.end)
        self.rng = random.Random(seed)
        self.tag = f"{seed & 0xFFFFFFFF:x}"
        self.profile = _week_profile(self.start)
        self.subjects, self.bodies = _text_tables(self.rng)
        years = range(time.gmtime(self.start).tm_year, time.gmtime(self.end).tm_year + 1)
        self.owner_zone = _zone_table(OWNER_ZONE, years)
        self.newcomer_since = self.end - NEWCOMER_DAYS * 86400

    def owner_offset(self, t: int) -> int:
        std, summers = self.owner_zone
        for begin, finish in summers:
            if begin <= t < finish:
                return std + 60
        return std

    def draw(self, t: int, *, owner_writes: bool = False) -> int:
        """Someone active at ``t``: heavy-tailed, newcomers only lately, cooling not after cutoff."""
        people = self.people
        rnd = self.rng.random
        n = people.n
        late = t >= self.newcomer_since
        for _ in range(8):
            if late and rnd() < 0.05:
                idx = people.newcomer_from + int((n - people.newcomer_from) * rnd())
            else:
                idx = int(n * rnd() ** PEOPLE_SKEW)
                if not late and idx >= people.newcomer_from:
                    continue
            if t > people.cooling_cutoff(idx) or (owner_writes and people.is_giver(idx)):
                continue
            return idx
        return 0

    def events(self) -> Iterator[_Event]:
        """(i, t, sender, recipient, cc, id, parent, root, subject, body) per message.

        ``sender``/``recipient`` are person indexes, ``_OWNER`` or ``_LIST``;
        ``body`` is ``kind * 64 + variant``, an index into ``self.bodies``.
        """
        rnd = self.rng.random
        people = self.people
        is_giver = people.is_giver
        domains = people.domains
        n_domains = len(domains)
        n_subjects = len(self.subjects)
        tag = self.tag
        cdf = self.profile
        per_week = max(1, self.count) / (SCALE_DAYS / 7)
        start, end = self.start, self.end
        variants = _BODIES_PER_KIND
        waiting_owner: list[_Open | None] = []  # asks Sam has not answered
        waiting_person: list[_Open | None] = []  # Sam's messages nobody answered yet
        list_open: list[_Open | None] = []  # list threads still going

        def take(pool: list[_Open | None], t: int) -> _Open | None:
            """A recent open thread (rarely an old one), removed from ``pool``."""
            size = len(pool)
            for _ in range(4):
                if not size:
                    return None
                j = size - 1 - int(size * rnd() ** 3)
                got = pool[j]
                if got is None:
                    continue
                pool[j] = None
                if size > 2 * POOL_SIZE:  # the oldest are never answered now
                    pool[:] = [x for x in pool[-POOL_SIZE:] if x is not None]
                if got[2] >= 0 and t > people.cooling_cutoff(got[2]):
                    return None
                return got
            return None

        for i in range(self.count):
            pos = (i + 0.5) / per_week
            week = int(pos)
            frac = pos - week
            hour = bisect_right(cdf, frac) - 1
            lo = cdf[hour]
            within = (frac - lo) / (cdf[hour + 1] - lo)
            t = start + week * 604800 + int((hour + within) * 3600)
            if t > end:
                t = end
            r = rnd()
            variant = int(rnd() * variants)
            if r < 0.22:  # Sam answers an open ask
                got = take(waiting_owner, t)
                if got is not None:
                    pid, root, who, subj = got
                    mid = f"{i:x}.{tag}@rivera.studio"
                    if rnd() < 0.5:
                        waiting_person.append((mid, root, who, subj))
                    yield i, t, _OWNER, who, (), mid, pid, root, subj, _ANSWER * 64 + variant
                    continue
            elif r < 0.34:  # someone answers Sam
                got = take(waiting_person, t)
                if got is not None:
                    pid, root, who, subj = got
                    mid = f"{i:x}.{tag}@{domains[people.hash(who) % n_domains]}"
                    if rnd() < 0.4:
                        waiting_owner.append((mid, root, who, subj))
                    yield i, t, who, _OWNER, (), mid, pid, root, subj, _REPLY * 64 + variant
                    continue
            elif r < 0.42:  # Sam opens a thread
                who = self.draw(t, owner_writes=True)
                mid = f"{i:x}.{tag}@rivera.studio"
                subj = int(rnd() * n_subjects)
                waiting_person.append((mid, mid, who, subj))
                yield i, t, _OWNER, who, (), mid, None, None, subj, _CHECKIN * 64 + variant
                continue
            elif r < 0.54:  # the Makers Guild list
                got = take(list_open, t) if rnd() < 0.65 else None
                who = _OWNER if rnd() < 0.04 else self.draw(t)
                if who >= 0 and not people.on_list(who):
                    who = self.draw(t)
                host = "rivera.studio" if who < 0 else domains[people.hash(who) % n_domains]
                mid = f"{i:x}.{tag}@{host}"
                if got is not None:
                    pid, root, _, subj = got
                    list_open.append(got)  # the thread stays open for more replies
                    list_open.append((mid, root, who, subj))
                    yield i, t, who, _LIST, (), mid, pid, root, subj, _LIST_REPLY * 64 + variant
                else:
                    subj = int(rnd() * n_subjects)
                    list_open.append((mid, mid, who, subj))
                    yield i, t, who, _LIST, (), mid, None, None, subj, _LIST_POST * 64 + variant
                continue
            elif r < 0.58:  # a giver shares or refers, and nobody answers
                g = self.draw(t)
                for step in range(0, 2000, 50):  # the nearest giver at or after ``g``
                    k = (g + step) % people.n
                    if is_giver(k) and t <= people.cooling_cutoff(k):
                        if not people.is_newcomer(k) or t >= self.newcomer_since:
                            g = k
                            break
                if is_giver(g):
                    mid = f"{i:x}.{tag}@{domains[people.hash(g) % n_domains]}"
                    subj = int(rnd() * n_subjects)
                    friend = self.draw(t, owner_writes=True) if rnd() < 0.4 else g
                    if friend != g:
                        yield i, t, g, _OWNER, (friend,), mid, None, None, subj, _REFERRAL * 64
                    else:
                        yield i, t, g, _OWNER, (), mid, None, None, subj, _SHARE * 64 + variant
                    continue
            elif r < 0.64:  # a small group: others in copy
                who = self.draw(t, owner_writes=True)
                cc = tuple(
                    c
                    for c in {self.draw(t, owner_writes=True), self.draw(t, owner_writes=True)}
                    if c != who
                )
                mid = f"{i:x}.{tag}@{domains[people.hash(who) % n_domains]}"
                subj = int(rnd() * n_subjects)
                waiting_owner.append((mid, mid, who, subj))
                yield i, t, who, _OWNER, cc, mid, None, None, subj, _GROUP * 64 + variant
                continue
            # Otherwise, and whenever a pool was empty: someone writes to Sam.
            who = self.draw(t)
            mid = f"{i:x}.{tag}@{domains[people.hash(who) % n_domains]}"
            subj = int(rnd() * n_subjects)
            if is_giver(who):
                yield i, t, who, _OWNER, (), mid, None, None, subj, _SHARE * 64 + variant
                continue
            if rnd() < 0.8:
                waiting_owner.append((mid, mid, who, subj))
            yield i, t, who, _OWNER, (), mid, None, None, subj, _ASK * 64 + variant


def _date_header(t: int, offset: int) -> str:
    y, mo, d, hh, mm, ss, wd, _, _ = time.gmtime(t + offset * 60)
    sign = "-" if offset < 0 else "+"
    off = abs(offset)
    return (
        f"{_DAYS[wd]}, {d:02d} {_MONTHS[mo]} {y} {hh:02d}:{mm:02d}:{ss:02d} "
        f"{sign}{off // 60:02d}{off % 60:02d}"
    )


def _subject_header(subject: str) -> str:
    if subject.isascii():
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


def _iter_rendered(
    people: int, interactions: int, seed: int, end: datetime
) -> Iterator[tuple[str, int, bytes]]:
    """(sender address, time, message bytes) per event."""
    stream = _Stream(people, interactions, seed, end)
    ppl = stream.people
    subjects = [_subject_header(s) for s in stream.subjects]
    re_subjects = [_subject_header(f"Re: {s}") for s in stream.subjects]
    bodies = stream.bodies
    owner_header = formataddr((OWNER.name, OWNER.email))
    list_header = formataddr((LIST_ADDRESS.name, LIST_ADDRESS.email))
    list_headers = f"List-Id: {LIST_ID}\nList-Post: <mailto:{LIST_ADDRESS.email}>\n"
    mime = 'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n'
    for _i, t, sender, rcpt, cc, mid, parent, root, subj, body in stream.events():
        if sender == _OWNER:
            s_email, s_first, s_header = OWNER.email, "Sam", owner_header
            offset = stream.owner_offset(t)
        else:
            s_email, s_first, s_header = ppl.info(sender)[:3]
            offset = ppl.offset(sender, t)
        if rcpt == _OWNER:
            to = owner_header
        elif rcpt == _LIST:
            to = list_header
        else:
            to = ppl.info(rcpt)[2]
        text = bodies[body >> 6][body & 63] + s_first + "\n"
        head = f"Date: {_date_header(t, offset)}\nFrom: {s_header}\nTo: {to}\n"
        if cc:
            head += "Cc: " + ",\n ".join(ppl.info(c)[2] for c in cc) + "\n"
        if parent is None:
            head += f"Subject: {subjects[subj]}\nMessage-ID: <{mid}>\n"
        else:
            refs = f"<{parent}>" if root == parent else f"<{root}>\n <{parent}>"
            head += (
                f"Subject: {re_subjects[subj]}\nMessage-ID: <{mid}>\n"
                f"In-Reply-To: <{parent}>\nReferences: {refs}\n"
            )
        if rcpt == _LIST:
            head += list_headers
        cte = "7bit" if text.isascii() else "8bit"
        yield s_email, t, f"{head}{mime}Content-Transfer-Encoding: {cte}\n\n{text}".encode()


def iter_scale_messages(
    people: int, interactions: int, seed: int = 7, end: datetime = DEFAULT_END
) -> Iterator[bytes]:
    """Yield ``interactions`` raw RFC 5322 messages (headers and a short body), oldest first.

    Every message has a unique ``Message-ID``, a ``Date`` in its sender's
    offset, ``From``/``To`` with display names (RFC 2047 where needed), and
    ``In-Reply-To``/``References`` when it is a reply. Memory does not grow
    with ``interactions``; the same arguments give the same bytes.
    """
    for _sender, _t, message in _iter_rendered(people, interactions, seed, end):
        yield message


def write_scale_mbox(
    path: Path, people: int, interactions: int, seed: int = 7, end: datetime = DEFAULT_END
) -> int:
    """Stream ``iter_scale_messages`` into one mboxrd file at ``path``; return bytes written."""
    written = 0
    with path.open("wb", buffering=1 << 20) as out:
        for sender, t, message in _iter_rendered(people, interactions, seed, end):
            entry = b"From %s %s\n" % (sender.encode(), time.asctime(time.gmtime(t)).encode())
            entry += mboxrd_quote(message) + b"\n"
            out.write(entry)
            written += len(entry)
    return written


def iter_scale_records(
    people: int, interactions: int, seed: int = 7, end: datetime = DEFAULT_END
) -> Iterator[InteractionRecord]:
    """Yield the ``iter_scale_messages`` stream as records, without writing any mail text.

    Each record is what the mbox importer would read from the same message:
    source ``email``, ``source_id`` the Message-ID without angle brackets,
    kind ``reply`` when it has a parent (``refs`` root first, parent last),
    ``occurred_at`` in UTC epoch seconds, the sender's offset, the list id
    for Makers Guild traffic, and ``Origin("sample:scale", i)``.
    """
    stream = _Stream(people, interactions, seed, end)
    info = stream.people.info
    offset_of = stream.people.offset
    owner = IdentityRef("email", OWNER.email, OWNER.name)
    owner_from, owner_to = Participant(Role.FROM, owner), Participant(Role.TO, owner)
    list_to = Participant(Role.TO, IdentityRef("email", LIST_ADDRESS.email, LIST_ADDRESS.name))
    subjects = stream.subjects
    re_subjects = [f"Re: {s}" for s in subjects]
    bodies = stream.bodies
    email, header = Channel.EMAIL, DateQuality.HEADER
    message, reply = Kind.MESSAGE, Kind.REPLY
    record = InteractionRecord
    for i, t, sender, rcpt, cc, mid, parent, root, subj, body in stream.events():
        if sender == _OWNER:
            p_from, first, offset = owner_from, "Sam", stream.owner_offset(t)
        else:
            got = info(sender)
            p_from, first, offset = got[3], got[1], offset_of(sender, t)
        p_to = owner_to if rcpt == _OWNER else list_to if rcpt == _LIST else info(rcpt)[4]
        if cc:
            parts: tuple[Participant, ...] = (p_from, p_to, *(info(c)[5] for c in cc))
        else:
            parts = (p_from, p_to)
        text = bodies[body >> 6][body & 63] + first + "\n"
        on_list = rcpt == _LIST
        if parent is None:
            yield record(
                "email", mid, email, message, t, parts, Origin(_ORIGIN, i), header, offset,
                subjects[subj], text, (), _LIST_KEY if on_list else None,
                LIST_NAME if on_list else None, False, {},
            )  # fmt: skip
        else:
            refs = (parent,) if root == parent or root is None else (root, parent)
            yield record(
                "email", mid, email, reply, t, parts, Origin(_ORIGIN, i), header, offset,
                re_subjects[subj], text, refs, _LIST_KEY if on_list else None,
                LIST_NAME if on_list else None, True, {},
            )  # fmt: skip
