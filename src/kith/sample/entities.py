"""The things a sample world is made of: people, addresses, messages, and its fixed rules.

Plain frozen dataclasses, no behaviour beyond small derived properties;
``cast`` makes the people, ``story`` the messages, ``world`` puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

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
OWNER_EMAILS = frozenset({OWNER.email, OWNER_NEWS.email})


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
