"""The sample world at benchmark size: up to a million people, tens of millions of messages.

Nothing here holds the whole world. One pass over a seeded event stream
makes message ``i`` at a time that rises with ``i`` over the 52 weeks before
``end`` (shaped by office hours and weekdays in Sam's zone); a reply picks
its parent from a bounded pool of recent open threads, so memory stays flat
however many messages are asked for. People are integers: name, address,
zone and planted behaviour are cheap functions of the index over fixed name
tables and three random bytes per person.

The patterns of the small world are here in bulk:

- replies (``In-Reply-To``/``References``) to earlier messages, and asks Sam
  never answers (*waiting*). Parents are drawn by recency in messages, not
  in hours, so delays shrink as the stream gets denser (median about a
  week at ten thousand messages a year, under two days at two million);
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
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import fields
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
from kith.sample.entities import DEFAULT_END, LIST_ADDRESS, LIST_ID, OWNER
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
from kith.sample.story import HOUR_WEIGHTS

#: The stream covers this many whole weeks up to ``end``.
SCALE_WEEKS = 52
#: People are drawn as ``int(n * u ** PEOPLE_SKEW)``: a few very active, a long quiet tail.
PEOPLE_SKEW = 4.0
#: Planted traits by a random byte per person: givers (never thanked) about 2 %, cooling
#: about 2 %, on the mailing list about 10 %.
GIVER_BYTE = 5
COOLING_BYTE = 10
LIST_BYTE = 230
#: The last ``NEWCOMER_SHARE`` of indices are newcomers, seen only in the last NEWCOMER_DAYS.
NEWCOMER_SHARE = 0.02
NEWCOMER_DAYS = 14
COOLING_MIN_DAYS = 60
COOLING_MAX_DAYS = 150
#: Open threads kept for replies; older ones are simply never answered.
POOL_SIZE = 20_000
#: Weekends carry this share of a weekday's traffic.
WEEKEND_FACTOR = 0.35
#: Identity objects of this many of the busiest people are kept (about 45 MB at 100k);
#: strings for ``From:`` headers of as many are cached and cleared when full.
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
(
    _ASK_BODY,
    _ANSWER_BODY,
    _REPLY_BODY,
    _CHECKIN_BODY,
    _LIST_POST_BODY,
    _LIST_REPLY_BODY,
    _SHARE_BODY,
    _REFERRAL_BODY,
    _GROUP_BODY,
) = range(0, 9 * 64, 64)
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
    without a table of strings per person. Behaviour, zone and domain come
    from three random bytes per person (3 MB for a million people).
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
        # 256 domains, so that one byte picks one: providers often, firms once each.
        self.domains = [*(_PROVIDERS * 7), *companies][:256]
        rng.shuffle(self.domains)
        years = range(time.gmtime(start).tm_year, time.gmtime(end).tm_year + 1)
        zones = [
            _zone_table(ZONES[name], years) for name, w in _ZONE_WEIGHTS.items() for _ in range(w)
        ]
        self.zones = [zones[i * len(zones) // 256] for i in range(256)]
        self.n = n
        # A byte per person: below GIVER_BYTE a giver, then cooling; LIST_BYTE and up: on the list.
        self.trait = rng.randbytes(n)
        self.zone_of = rng.randbytes(n)
        self.domain_of = rng.randbytes(n)
        self.newcomer_from = n - max(1, int(n * NEWCOMER_SHARE))
        self.end = end
        self.headers: dict[int, tuple[str, str, str]] = {}
        self.hot: list[tuple[Participant, Participant] | None] = [None] * min(n, CACHE_SIZE)

    def cooling_cutoff(self, idx: int) -> int:
        """The last second a cooling person may appear; ``end`` for everyone else."""
        trait = self.trait[idx]
        if not GIVER_BYTE <= trait < COOLING_BYTE:
            return self.end
        span = COOLING_MAX_DAYS - COOLING_MIN_DAYS
        back = COOLING_MIN_DAYS + self.domain_of[idx] * self.zone_of[idx] % (span + 1)
        return self.end - back * 86400

    def offset(self, idx: int, t: int) -> int:
        """Person ``idx``'s UTC offset in minutes at ``t``."""
        std, summers = self.zones[self.zone_of[idx]]
        for begin, finish in summers:
            if begin <= t < finish:
                return std + 60
        return std

    def identity(self, idx: int) -> IdentityRef:
        """Person ``idx``'s address and name (built on each call: see ``participant``)."""
        n_first = len(self.first)
        fold_f, first = self.first[idx % n_first]
        fold_l, last = self.last[(idx // n_first) % len(self.last)]
        round_ = idx // (n_first * len(self.last))
        email = f"{fold_f}.{fold_l}{round_ or ''}@{self.domains[self.domain_of[idx]]}"
        return IdentityRef("email", email, f"{first} {last}")

    def header(self, idx: int) -> tuple[str, str, str]:
        """(e-mail, first name, ``From:``-ready address) of ``idx``, cached."""
        got = self.headers.get(idx)
        if got is None:
            ident = self.identity(idx)
            first = self.first[idx % len(self.first)][1]
            header = formataddr((ident.display_name, ident.value), charset="utf-8")
            got = (ident.value, first, header)
            if len(self.headers) >= CACHE_SIZE:
                self.headers.clear()
            self.headers[idx] = got
        return got

    def participant(self, idx: int, role: Role) -> Participant:
        """``idx`` as a participant in ``role``.

        The busiest ``CACHE_SIZE`` people (the lowest indexes, drawn most
        often) are built once and kept as author and addressee; everyone else
        is built on each use, so memory stays bounded however many people.
        """
        if idx < CACHE_SIZE and role is not Role.CC:
            got = self.hot[idx]
            if got is None:
                ident = self.identity(idx)
                got = self.hot[idx] = (Participant(Role.FROM, ident), Participant(Role.TO, ident))
            return got[0] if role is Role.FROM else got[1]
        return Participant(role, self.identity(idx))


def _zone_table(zone: Zone, years: range) -> tuple[int, list[tuple[int, int]]]:
    """A zone as (standard offset, summer-time intervals in epoch seconds)."""
    summers = []
    for year in years:
        bounds = dst_bounds(zone, year)
        if bounds is not None:
            begin, finish = bounds
            summers.append(
                (calendar.timegm(begin.timetuple()), calendar.timegm(finish.timetuple()))
            )
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
        self.start = self.end - SCALE_WEEKS * 604800
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

    def times(self) -> Iterator[int]:
        """``count`` rising times: the same number each week, spread by the weekly profile."""
        cdf = self.profile
        offsets: dict[int, array[int]] = {}
        done = 0
        for week in range(SCALE_WEEKS):
            k = (week + 1) * self.count // SCALE_WEEKS - done
            done += k
            if k not in offsets:
                got = array("l")
                for j in range(k):
                    frac = (j + 0.5) / k
                    hour = bisect_right(cdf, frac) - 1
                    lo = cdf[hour]
                    got.append(int((hour + (frac - lo) / (cdf[hour + 1] - lo)) * 3600))
                offsets[k] = got
            base = self.start + week * 604800
            for offset in offsets[k]:
                yield base + offset

    def draw(self, t: int, *, owner_writes: bool = False) -> int:
        """Someone active at ``t``: heavy-tailed, newcomers only lately, cooling not after cutoff.

        With ``owner_writes`` never a giver: Sam does not write to them.
        """
        people = self.people
        rnd = self.rng.random
        n = people.n
        trait = people.trait
        late = t >= self.newcomer_since
        for _ in range(8):
            if late and rnd() < 0.05:
                idx = people.newcomer_from + int((n - people.newcomer_from) * rnd())
            else:
                idx = int(n * rnd() ** PEOPLE_SKEW)
                if idx >= people.newcomer_from and not late:
                    continue
            k = trait[idx]
            if k >= COOLING_BYTE:
                return idx
            if k < GIVER_BYTE:
                if not owner_writes:
                    return idx
            elif t <= people.cooling_cutoff(idx):
                return idx
        for idx in range(n):  # eight unlucky draws: the first ordinary person will do
            if trait[idx] >= COOLING_BYTE and (late or idx < people.newcomer_from):
                return idx
        return 0

    def giver_near(self, idx: int, t: int) -> int:
        """The first giver at or after ``idx`` who may write at ``t``; -1 if none is close."""
        people = self.people
        trait = people.trait
        for k in range(idx, min(people.n, idx + 2000)):
            if trait[k] < GIVER_BYTE and (k < people.newcomer_from or t >= self.newcomer_since):
                return k
        return -1

    def events(self) -> Iterator[_Event]:
        """(i, t, sender, recipient, cc, id, parent, root, subject, body) per message.

        ``sender``/``recipient`` are person indexes, ``_OWNER`` or ``_LIST``;
        ``body`` is ``kind * 64 + variant``, an index into ``self.bodies``.
        Open threads wait in three pools (asks Sam has not answered, Sam's
        messages nobody answered, list threads); a reply takes a recent one,
        now and then an old one, and the oldest fall out unanswered.

        This loop runs once per message at benchmark scale, so ``draw`` is
        inlined for the common case (an ordinary person, ``idx`` below the
        newcomers): only planted people take the slow path.
        """
        rnd = self.rng.random
        draw = self.draw
        people = self.people
        n = people.n
        newcomer_from = people.newcomer_from
        trait = people.trait
        domain_of = people.domain_of
        domains = people.domains
        cutoff = people.cooling_cutoff
        n_subjects = len(self.subjects)
        tag = self.tag
        owner_host = f".{tag}@rivera.studio"
        hosts = [f".{tag}@{d}" for d in domains]
        waiting_owner: list[_Open | None] = []
        waiting_person: list[_Open | None] = []
        list_open: list[_Open | None] = []

        def take(pool: list[_Open | None], t: int) -> _Open | None:
            size = len(pool)
            for _ in range(4):
                if not size:
                    return None
                j = size - 1 - int(size * rnd() ** 3)
                got = pool[j]
                if got is None:
                    continue
                pool[j] = None
                if size > 2 * POOL_SIZE:
                    pool[:] = [x for x in pool[-POOL_SIZE:] if x is not None]
                who = got[2]
                if who >= 0 and GIVER_BYTE <= trait[who] < COOLING_BYTE and t > cutoff(who):
                    return None
                return got
            return None

        i = -1
        for t in self.times():
            i += 1
            r = rnd()
            bits = int(r * 0x40000000)  # the low bits pick a phrasing and a subject
            variant = bits % _BODIES_PER_KIND
            subj = (bits >> 5) % n_subjects
            if r >= 0.64:  # the common case: someone (never a giver) writes to Sam
                who = int(n * rnd() ** PEOPLE_SKEW)
                if who >= newcomer_from or trait[who] < COOLING_BYTE:
                    who = draw(t, owner_writes=True)
                mid = f"{i:x}{hosts[domain_of[who]]}"
                if r < 0.93:
                    waiting_owner.append((mid, mid, who, subj))
                yield i, t, who, _OWNER, (), mid, None, None, subj, _ASK_BODY + variant
            elif r < 0.22:  # Sam answers an open ask
                got = take(waiting_owner, t)
                if got is None:
                    who = draw(t, owner_writes=True)
                    mid = f"{i:x}{hosts[domain_of[who]]}"
                    waiting_owner.append((mid, mid, who, subj))
                    yield i, t, who, _OWNER, (), mid, None, None, subj, _ASK_BODY + variant
                    continue
                pid, root, who, subj = got
                mid = f"{i:x}{owner_host}"
                if bits & 1:
                    waiting_person.append((mid, root, who, subj))
                yield i, t, _OWNER, who, (), mid, pid, root, subj, _ANSWER_BODY + variant
            elif r < 0.34:  # someone answers Sam
                got = take(waiting_person, t)
                if got is None:
                    who = draw(t, owner_writes=True)
                    mid = f"{i:x}{hosts[domain_of[who]]}"
                    waiting_owner.append((mid, mid, who, subj))
                    yield i, t, who, _OWNER, (), mid, None, None, subj, _ASK_BODY + variant
                    continue
                pid, root, who, subj = got
                mid = f"{i:x}{hosts[domain_of[who]]}"
                if bits & 3 == 0:
                    waiting_owner.append((mid, root, who, subj))
                yield i, t, who, _OWNER, (), mid, pid, root, subj, _REPLY_BODY + variant
            elif r < 0.42:  # Sam opens a thread
                who = int(n * rnd() ** PEOPLE_SKEW)
                if who >= newcomer_from or trait[who] < COOLING_BYTE:
                    who = draw(t, owner_writes=True)
                mid = f"{i:x}{owner_host}"
                waiting_person.append((mid, mid, who, subj))
                yield i, t, _OWNER, who, (), mid, None, None, subj, _CHECKIN_BODY + variant
            elif r < 0.54:  # the Makers Guild list
                got = take(list_open, t) if bits & 3 else None
                if bits & 0x3C0 == 0:
                    who = _OWNER
                    mid = f"{i:x}{owner_host}"
                else:
                    who = draw(t)
                    if trait[who] < LIST_BYTE:
                        who = draw(t)
                    mid = f"{i:x}{hosts[domain_of[who]]}"
                if got is not None:
                    pid, root, _, subj = got
                    list_open.append(got)  # the thread stays open for more replies
                    list_open.append((mid, root, who, subj))
                    yield i, t, who, _LIST, (), mid, pid, root, subj, _LIST_REPLY_BODY + variant
                else:
                    list_open.append((mid, mid, who, subj))
                    yield i, t, who, _LIST, (), mid, None, None, subj, _LIST_POST_BODY + variant
            elif r < 0.58:  # a giver shares or refers, and nobody answers
                g = self.giver_near(draw(t), t)
                if g < 0:
                    g = draw(t, owner_writes=True)  # no giver near: an ordinary note
                mid = f"{i:x}{hosts[domain_of[g]]}"
                friend = draw(t, owner_writes=True) if bits & 3 == 0 else g
                if friend != g:
                    yield i, t, g, _OWNER, (friend,), mid, None, None, subj, _REFERRAL_BODY
                else:
                    yield i, t, g, _OWNER, (), mid, None, None, subj, _SHARE_BODY + variant
            else:  # a small group: others in copy
                who = draw(t, owner_writes=True)
                c1, c2 = draw(t, owner_writes=True), draw(t, owner_writes=True)
                cc = tuple(c for c in dict.fromkeys((c1, c2)) if c != who)
                mid = f"{i:x}{hosts[domain_of[who]]}"
                waiting_owner.append((mid, mid, who, subj))
                yield i, t, who, _OWNER, cc, mid, None, None, subj, _GROUP_BODY + variant


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
            s_email, s_first, s_header = ppl.header(sender)
            offset = ppl.offset(sender, t)
        if rcpt == _OWNER:
            to = owner_header
        elif rcpt == _LIST:
            to = list_header
        else:
            to = ppl.header(rcpt)[2]
        text = bodies[body >> 6][body & 63] + s_first + "\n"
        head = f"Date: {_date_header(t, offset)}\nFrom: {s_header}\nTo: {to}\n"
        if cc:
            head += "Cc: " + ",\n ".join(ppl.header(c)[2] for c in cc) + "\n"
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
            envelope = f"From {sender} {time.asctime(time.gmtime(t))}\n".encode()
            entry = envelope + mboxrd_quote(message) + b"\n"
            out.write(entry)
            written += len(entry)
    return written


def iter_scale_records(
    people: int, interactions: int, seed: int = 7, end: datetime = DEFAULT_END
) -> Iterator[InteractionRecord]:
    """Yield the ``iter_scale_messages`` stream as records, without writing any mail text.

    Each record is what ``kith.ingest`` reads from the same message: source
    ``email``, ``source_id`` the Message-ID without angle brackets, kind
    ``reply`` with ``refs`` (root first, parent last) when it has a parent,
    ``occurred_at`` in UTC epoch seconds, the sender's offset, and for the
    Makers Guild its list id and posting address (the list itself is not a
    participant). ``origin`` is ``Origin("sample:scale", i)`` and
    ``thread_key`` is left empty.
    """
    stream = _Stream(people, interactions, seed, end)
    ppl = stream.people
    hot = ppl.hot
    n_hot = len(hot)
    participant = ppl.participant
    as_from, as_to, as_cc = Role.FROM, Role.TO, Role.CC
    firsts = ppl.first
    n_first = len(firsts)
    zones, zone_of = ppl.zones, ppl.zone_of
    owner = IdentityRef("email", OWNER.email, OWNER.name)
    owner_from, owner_to = Participant(Role.FROM, owner), Participant(Role.TO, owner)
    subjects = stream.subjects
    re_subjects = [f"Re: {s}" for s in subjects]
    bodies = stream.bodies
    email, header = Channel.EMAIL, DateQuality.HEADER
    message, reply = Kind.MESSAGE, Kind.REPLY
    make = _record_maker()
    for i, t, sender, rcpt, cc, mid, parent, root, subj, body in stream.events():
        if sender == _OWNER:
            p_from, first, offset = owner_from, "Sam", stream.owner_offset(t)
        else:
            got = hot[sender] if sender < n_hot else None
            p_from = got[0] if got is not None else participant(sender, as_from)
            first = firsts[sender % n_first][1]
            offset, summers = zones[zone_of[sender]]
            for begin, finish in summers:
                if begin <= t < finish:
                    offset += 60
                    break
        if rcpt == _OWNER:
            p_to = owner_to
        elif rcpt == _LIST:
            p_to = p_from
        else:
            got = hot[rcpt] if rcpt < n_hot else None
            p_to = got[1] if got is not None else participant(rcpt, as_to)
        if cc:
            parts: tuple[Participant, ...] = (
                p_from,
                p_to,
                *(participant(c, as_cc) for c in cc),
            )
        elif rcpt == _LIST:
            parts = (p_from,)  # as the importer reads it: the list is a circle, not a person
        else:
            parts = (p_from, p_to)
        text = bodies[body >> 6][body & 63] + first + "\n"
        if parent is None:
            if rcpt == _LIST:
                yield make(
                    "email", mid, email, message, t, parts, Origin(_ORIGIN, i), header, offset,
                    subjects[subj], text, (), _LIST_KEY, LIST_ADDRESS.email, False, None, {},
                )  # fmt: skip
            else:
                yield make(
                    "email", mid, email, message, t, parts, Origin(_ORIGIN, i), header, offset,
                    subjects[subj], text, (), None, None, False, None, {},
                )  # fmt: skip
        else:
            refs = (parent,) if root == parent or root is None else (root, parent)
            on_list = rcpt == _LIST
            yield make(
                "email", mid, email, reply, t, parts, Origin(_ORIGIN, i), header, offset,
                re_subjects[subj], text, refs, _LIST_KEY if on_list else None,
                LIST_ADDRESS.email if on_list else None, True, None, {},
            )  # fmt: skip


def scale_truth(people: int, seed: int = 7, end: datetime = DEFAULT_END) -> dict[str, list[str]]:
    """Who is planted with which pattern in the scale stream of ``people`` and ``seed``.

    Keys as in ``SampleWorld.truth``: ``givers_never_thanked``, ``cooling``
    (silent for 60–150 days before ``end``), ``newcomers`` (only in the last
    14 days) and ``list_members``; sorted addresses. Costs a pass over the
    people, not over the messages.
    """
    ppl = _Stream(people, 0, seed, end).people
    trait = ppl.trait
    found: dict[str, list[str]] = {
        "givers_never_thanked": [],
        "cooling": [],
        "newcomers": [],
        "list_members": [],
    }
    for idx in range(ppl.n):
        k = trait[idx]
        if idx >= ppl.newcomer_from:
            found["newcomers"].append(ppl.identity(idx).value)
        if k < GIVER_BYTE:
            found["givers_never_thanked"].append(ppl.identity(idx).value)
        elif k < COOLING_BYTE:
            found["cooling"].append(ppl.identity(idx).value)
        elif k >= LIST_BYTE:
            found["list_members"].append(ppl.identity(idx).value)
    return {key: sorted(values) for key, values in found.items()}


#: ``InteractionRecord``'s fields in order, as ``_record_maker``'s fast path expects them.
RECORD_FIELDS = (
    "source", "source_id", "channel", "kind", "occurred_at", "participants", "origin",
    "date_quality", "tz_offset_min", "subject", "body", "refs", "list_id", "list_name",
    "is_reply", "thread_key", "extra",
)  # fmt: skip


def _record_maker() -> Callable[..., InteractionRecord]:
    """A constructor taking every ``RECORD_FIELDS`` value positionally.

    When the model still has exactly these fields (and no ``__post_init__``),
    it fills the slots directly: the frozen dataclass ``__init__`` costs a
    ``object.__setattr__`` call per field, a third of the time per record at
    benchmark scale. Otherwise it falls back to keyword construction, so a
    changed model is slower here, never wrong.
    """
    names = tuple(f.name for f in fields(InteractionRecord))
    if names != RECORD_FIELDS or hasattr(InteractionRecord, "__post_init__"):

        def by_keyword(*values: object) -> InteractionRecord:
            return InteractionRecord(**dict(zip(RECORD_FIELDS, values, strict=True)))  # type: ignore[arg-type]

        return by_keyword
    slots = vars(InteractionRecord)
    (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16) = (
        slots[name].__set__ for name in RECORD_FIELDS
    )
    new = object.__new__
    cls = InteractionRecord

    def fast(
        source: str, source_id: str, channel: Channel, kind: Kind, occurred_at: int,
        participants: tuple[Participant, ...], origin: Origin, date_quality: DateQuality,
        tz_offset_min: int | None, subject: str | None, body: str | None, refs: tuple[str, ...],
        list_id: str | None, list_name: str | None, is_reply: bool, thread_key: str | None,
        extra: dict[str, str],
    ) -> InteractionRecord:  # fmt: skip
        r = new(cls)
        s0(r, source)
        s1(r, source_id)
        s2(r, channel)
        s3(r, kind)
        s4(r, occurred_at)
        s5(r, participants)
        s6(r, origin)
        s7(r, date_quality)
        s8(r, tz_offset_min)
        s9(r, subject)
        s10(r, body)
        s11(r, refs)
        s12(r, list_id)
        s13(r, list_name)
        s14(r, is_reply)
        s15(r, thread_key)
        s16(r, extra)
        return r

    return fast
