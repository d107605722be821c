"""The words of kith's domain, as frozen dataclasses and enums.

Importers produce the *record* types below (``IdentityRef``, ``Participant``,
``InteractionRecord``, ``Skipped``); the store turns them into rows. Nothing in
this module touches a database or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Channel(StrEnum):
    """Where an interaction happened."""

    EMAIL = "email"
    SOCIAL = "social"
    COMMENT = "comment"
    MEETING = "meeting"
    CALL = "call"
    PURCHASE = "purchase"
    REFERRAL = "referral"
    INTRO = "intro"
    NOTE = "note"


class Kind(StrEnum):
    """What an interaction was."""

    MESSAGE = "message"
    REPLY = "reply"
    MENTION = "mention"
    SHARE = "share"
    COMMENT = "comment"
    PURCHASE = "purchase"
    REFERRAL = "referral"
    MEETING = "meeting"
    CONNECT = "connect"
    LIKE = "like"
    ANSWER = "answer"
    INTRO = "intro"


#: Kinds that do something for the other side: the feature pipeline's gives,
#: the daily queue's thank-yous, the reciprocity ledger. A reply to someone's
#: question is not counted as an answer: only ``answer`` is.
GIVE_KINDS = ("share", "mention", "referral", "purchase", "intro", "answer")
#: A give is *to me* only when it was directed at me: I am in its To or Cc
#: (direction ``in``: a share of my work, a mention of me, a referral to me, an
#: answer to my question). A give among others — an answer to someone else's
#: question in a community I import — is theirs to that someone, not to me.
#: The one rule: the feature pipeline's ``gives_in`` (as SQL over its log,
#: ``GIVE_TO_ME_SQL``), the reciprocity ledger and the drafts (``gives_to_me``).
GIVE_TO_ME_DIRECTION = "in"
GIVE_TO_ME_SQL = f"is_author = 1 AND direction = '{GIVE_TO_ME_DIRECTION}'"


def gives_to_me(kind: str, direction: str, authored: bool) -> bool:
    """True when an interaction of ``kind`` and ``direction`` that the other side
    wrote (``authored``) is a give to me (``GIVE_TO_ME_SQL``'s rule)."""
    return kind in GIVE_KINDS and authored and direction == GIVE_TO_ME_DIRECTION


#: Kinds of inbound interaction that wait for an answer.
ANSWERABLE_KINDS = ("message", "reply")
#: Kinds of a post among others that is still about me. Their words about
#: me are what they wrote to me (direction ``in``) and these: the tone scores
#: (sentiment in the feature pipeline, warmth and competence in
#: ``kith.relate.perception``) read this one set, so they count the same messages.
ABOUT_ME_AMONG_KINDS = ("mention",)


class Direction(StrEnum):
    """Seen from the owner: ``in`` is to me, ``out`` from me, ``among`` between others."""

    IN = "in"
    OUT = "out"
    AMONG = "among"


class Role(StrEnum):
    """A participant's part in an interaction."""

    FROM = "from"
    SENDER = "sender"
    REPLY_TO = "reply_to"
    TO = "to"
    CC = "cc"
    BCC = "bcc"
    ORGANIZER = "organizer"
    ATTENDEE = "attendee"


#: Roles that make someone the author of an interaction (exactly one ``FROM``).
AUTHOR_ROLES = frozenset({Role.FROM})
#: Roles that make someone an addressee.
RECIPIENT_ROLES = frozenset({Role.TO, Role.CC, Role.BCC, Role.ATTENDEE})


class DateQuality(StrEnum):
    """How an interaction's time was found.

    ``header``: its own Date header. ``received``: the newest ``Received`` header
    (the message's Date was missing or unusable). ``envelope``: the mbox ``From ``
    line. ``position``: no usable date at all; the time of the message before it
    in the same file stands in, so the order is kept.
    """

    HEADER = "header"
    RECEIVED = "received"
    ENVELOPE = "envelope"
    POSITION = "position"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from: the file and a position in it.

    ``position`` is a byte offset for mbox files and a record index for formats
    read as a whole; ``member`` names a file inside a folder or archive.
    """

    file: str
    position: int = 0


@dataclass(frozen=True, slots=True)
class IdentityRef:
    """One way of reaching someone: ``kind`` is ``email``, ``x``, ``phone``, …

    ``value`` is already normalised by the importer (``normalise_email`` for
    e-mail); ``display_name`` is the name seen beside it, if any.
    """

    kind: str
    value: str
    display_name: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True, slots=True)
class Participant:
    role: Role
    identity: IdentityRef


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """One event read from a source, before it is stored.

    ``source`` + ``source_id`` identify it for ever: importing it again changes
    nothing. ``occurred_at`` is seconds since the epoch, UTC; ``tz_offset_min``
    keeps the sender's own offset (for local-time features). ``refs`` holds the
    threading references in order, the direct parent last.
    """

    source: str
    source_id: str
    channel: Channel
    kind: Kind
    occurred_at: int
    participants: tuple[Participant, ...]
    origin: Origin
    date_quality: DateQuality = DateQuality.HEADER
    tz_offset_min: int | None = None
    subject: str | None = None
    body: str | None = None
    refs: tuple[str, ...] = ()
    list_id: str | None = None
    list_name: str | None = None
    is_reply: bool = False
    #: Groups a conversation when ``refs`` are absent (e-mail: normalised subject
    #: among the same participants; a forum: the topic).
    thread_key: str | None = None
    #: Source-specific details kept as JSON (``amount``, ``currency``, ``rsvp:<addr>``,
    #: ``url``, ``visibility`` …).
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def author(self) -> IdentityRef | None:
        for p in self.participants:
            if p.role is Role.FROM:
                return p.identity
        return None


@dataclass(frozen=True, slots=True)
class Fact:
    """Something a source says about a person: ``org``, ``title``, ``role``,
    ``category``, ``note``, ``birthday``, ``url``, ``location``, ``follows`` …"""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A person as a source describes them: a vCard, a contacts-CSV row, a follower.

    Every identity listed on one record belongs to one person (strong evidence):
    the store links them, merging people it had kept apart, and records why.
    Facts attach to the record's first identity and follow it through merges.
    """

    source: str
    source_id: str
    identities: tuple[IdentityRef, ...]
    origin: Origin
    name: str | None = None
    facts: tuple[Fact, ...] = ()
    #: The source says this is the owner (an archive's own account): its
    #: identities become mine, which decides the direction of interactions.
    is_me: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record an importer could not read: counted and reported, never fatal."""

    origin: Origin
    reason: str


Record = InteractionRecord | ContactRecord | Skipped
