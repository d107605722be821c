"""What an inbound message wants of me: does it ask, give, only inform, or was it automated?

Two flags and a gate, not one class:

* **automated** — sent by a system or a bulk sender, not written by a person to
  the people it reaches: ticket systems (JIRA), CI (Jenkins), bounces,
  no-reply and notification senders, newsletters and list digests. When it
  fires nothing else is read: a ticket system's "please click to approve" is
  not a person waiting on me.
* **asks** — a question, a request or an invitation that waits for my reply
  (or my doing something and saying so).
* **gives** — thanks, a share (a document, a link, "here is …"), an answer's
  advice: something that calls for thanks. (Introductions are recognised by
  ``kith.store.gives``, from their shape and ``kith.signals.intro``'s words.)

A message may ask and give at once (``asks`` and ``gives`` both true);
``informs`` is what is left: a person wrote, but neither asks nor gives. For
one word per message (a confusion matrix, a queue's choice), ``Reading.intent``
ranks them automated > asks > gives > informs: a message that asks waits for
a reply, and the reply is where thanks go too.

Every flag comes with the cue that raised it (``Cue``: its name and the words
or header that fired), so a surface can say why. Cues are read from what kith
keeps of a message (``kith.model.InteractionRecord``): the sender's address and
display name, the subject, the recipients and the author's own words
(``kith.signals.text.own_words``: not what they quote or forward). The guide
the cues were written against, and the labelled messages that measure them,
are in ``tests/data/intent/`` (figures in ``bench/RESULTS.md``, by
``bench/bench_intent.py``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from kith.identity import automated_sender
from kith.model import InteractionRecord, Role
from kith.signals.names import first_name
from kith.signals.text import own_words


class Intent(StrEnum):
    """One word for what a message wants (see the module docstring for the ranking)."""

    AUTOMATED = "automated"
    ASKS = "asks"
    GIVES = "gives"
    INFORMS = "informs"


@dataclass(frozen=True, slots=True)
class Cue:
    """One reason for a flag: which cue fired (``name``) on what (``evidence``)."""

    intent: Intent
    name: str
    evidence: str

    def __str__(self) -> str:
        return f"{self.name}: {self.evidence!r}"


@dataclass(frozen=True, slots=True)
class Reading:
    """What a message wants, with the cues that say so (none: it only informs)."""

    asks: bool
    gives: bool
    automated: bool
    cues: tuple[Cue, ...]

    @property
    def intent(self) -> Intent:
        """The one word: automated, else asks, else gives, else informs."""
        if self.automated:
            return Intent.AUTOMATED
        if self.asks:
            return Intent.ASKS
        if self.gives:
            return Intent.GIVES
        return Intent.INFORMS

    def why(self) -> str:
        """The cues in words, for a surface ("question: 'can you send it?'")."""
        if not self.cues:
            return "no cue: it only informs"
        return "; ".join(str(cue) for cue in self.cues)


#: How much of the author's own words is read: the start of what they wrote is
#: where they ask or give; a long technical message is not read to its end.
OWN_WORDS_CHARS = 3000
#: Evidence quoted back at most this long.
EVIDENCE_CHARS = 60

# --- automated: who sent it and how it is worded -----------------------------------------

#: Subjects that systems write (only read when the subject is not a reply or a forward:
#: a person who forwards a confirmation wrote to me).
AUTOMATED_SUBJECT = re.compile(
    r"^\[jira\]|\bbuild failed\b|\bbuild is (?:back to normal|still failing|unstable)"
    r"|\bbuild #\s?\d+|\bnotification\b|\bconfirmation\b|\bhas been (?:shipped|received)\b"
    r"|\bis overdue\b|\bdelivery status\b|\bundeliverable\b|\breturned mail\b"
    r"|\bout of (?:the )?office\b|\bauto(?:matic)?[- ]?reply\b"
    # a newsletter or digest by name ("December Newsletter - …", "dev Digest, Vol 12"),
    # not a person's topic ("Can you help with newsletter growth")
    r"|\b(?:digest|newsletter)\b(?=\s*(?:$|[-:,|(#\d]|(?:for|from|of|issue|vol)\b))",
    re.IGNORECASE,
)
#: Words systems and bulk senders put in their messages (searched in lower case, as are
#: all the patterns on a message's words below).
AUTOMATED_WORDS = re.compile(
    r"\bunsubscribe\b|\bdo not reply\b|\bthis (?:is an automated|message was automatically)"
    r"|\bautomatically generated\b|\byou are receiving this\b|\bsponsored by\b"
    r"|\bplease click (?:here|on|the link|https?:)"
    r"|\bview (?:it |this )?(?:online|in your browser)\b"
)
#: A bulk sender's footer, read in the last ``FOOTER_CHARS`` of a message that is
#: not a reply or a forward (a newsletter's "TO UNSUBSCRIBE" comes after its own words).
FOOTER = re.compile(
    r"\bunsubscribe\b|\byou are receiving this\b"
    r"|\bremove yourself from\b|\bsubscription preferences\b"
)
FOOTER_CHARS = 2_000
#: A build log cut short, as CI mails it. (Patterns whose every branch starts with
#: ``\b`` are searched several times faster than mixed ones: this one stands apart.)
BUILD_LOG = re.compile(r"\[\.\.\.truncated \d+ lines\.\.\.\]")
#: A subject a reply or a forward starts with.
REPLY_OR_FORWARD = re.compile(r"^\s*(?:re|fw|fwd|aw|wg|sv|tr)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)

# --- asks: questions, requests, invitations ----------------------------------------------

#: A question: a word (or a closing bracket or quote), perhaps one space (the French
#: and German habit: "right ?"), then "?", then a space or the end (so not the "?"
#: inside a URL).
QUESTION = re.compile(r"[a-z0-9)\"'] ?(\?+)(?=\s|$)")
#: Words of a sentence that offers rather than asks: "let me know if you have any
#: questions", "feel free to call". Such sentences are set aside before asks are looked for.
COURTESY = re.compile(
    r"if you have (?:any )?(?:further |other |more )?questions?"
    r"|if you (?:would like|need|want|wish)\b"
    r"|if (?:there is|i can be of) any(?:thing)? (?:else )?(?:i can do|help)"
    r"|feel free to|do not hesitate|don't hesitate"
)
#: Where a sentence ends: after ".", "!" or "?" and a space, or at a blank line.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n[ \t]*\n")
#: Requests: "please send", "can you", "let me know", "I'd appreciate", "any volunteers".
REQUEST = re.compile(
    r"\b(?:please|pls|kindly)\s+(?!find\b|see\b|note\b|excuse\b|disregard\b|ignore\b"
    r"|accept\b|refer\b|be (?:aware|advised)\b|save the date\b|mark your calendars?\b)[a-z]+"
    r"|\b(?:can|could|would|will) (?:you|someone|somebody|anyone|anybody)\b"
    r"|\blet me know\b|\bget back to me\b|\bgive me a call\b|\bcall me\b|\btouch base\b"
    r"|\b(?:i was|i'm|i am) wondering\b|\bwondering (?:if|whether)\b"
    r"|\bi'?d appreciate\b|\bi would (?:greatly |really )?appreciate\b"
    r"|\bneed your (?:input|imput|help|approval|feedback|comments|advice)\b"
    r"|\bany (?:comments|thoughts|ideas|suggestions|objections?|volunteers|feedback)\b"
    r"|\b(?:does|do|can|could) (?:anyone|anybody|somebody|someone)\b|\bis there (?:any|a) way\b"
    r"|\bthanks? (?:you )?in advance\b|\bit would be (?:most |very |really )?helpful\b"
)
#: Invitations: to an event, a meeting. Not "save the date": it announces an event
#: and asks for no answer (the invitation that does comes later; GUIDE.md).
INVITATION = re.compile(
    r"\bjoin us\b|\brsvp\b|\byou are (?:cordially )?invited\b"
    r"|\binvite you\b|\bare you (?:available|free)\b"
    r"|\bdo you have (?:\d+ minutes|time|a (?:minute|moment))\b"
)
#: A calendar invitation's When: and Where: lines (apart, as ``BUILD_LOG``).
CALENDAR = re.compile(r"when:[^\n]*\n(?:[^\n]*\n)?[ \t]*where:")
#: A call for votes, in a subject that is not a reply.
VOTE_SUBJECT = re.compile(r"\[vote\]", re.IGNORECASE)
#: A greeting that names whom the message is written to: "Louise -", "Kalen,".
GREETING = re.compile(r"^\s*(?:hi |hello |dear |hey )?([A-Z][a-z]+)\s*(?:[-,:]|--)")

# --- gives: thanks, shares, advice ----------------------------------------------------------

#: Thanks for something done; not "thanks in advance" (that asks), nor "Many thanks,"
#: closing a line (a sign-off).
THANKS = re.compile(
    r"\bthank(?:s| you)(?: \w+)?(?: so much| very much| a lot)? (?:for|again)\b"
    r"|\bthanks (?:a lot|so much|very much)\b|\bthank you (?:so|very) much\b"
    r"|\bmany thanks\b(?![ ,.]*$)|\bthanks!"
    r"|\bmuch appreciated\b|\bi (?:really )?appreciate (?:your|the|you|it)\b"
    r"|\bkudos\b|\bgrateful\b|\biou\b",
    re.MULTILINE,
)
#: A share: a document, a file, a link or a piece passed to me.
SHARE = re.compile(
    r"\battached (?:is|are|please find|you will find)\b|\bi(?:'ve| have)? attached\b"
    r"|\b(?:i am |i'm )?attaching\b|\bplease find attached\b|\benclosed (?:is|are)\b"
    r"|\bhere (?:is|are)\b|\bhere's\b|\bheres\b|\bthought you(?:'d| would| might)\b"
    r"|\byou (?:might|may) (?:find|be interested|like|enjoy)\b"
    r"|\bfor your (?:information|reference|records|review)\b|\bfyi\b|\bcheck out\b"
    r"|\bworth (?:reading|a look)\b|\bgood (?:web ?site|site|article|read|link)\b"
)
#: My work passed on or praised by them: "shared your piece", "I featured the mug",
#: "mentioned you in my talk", "recommended you".
YOUR_WORK = re.compile(
    r"\bshared your\b|\bi (?:featured|recommended|mentioned|quoted|linked to) (?:you|your)\b"
    r"|\bi featured the\b|\bmentioned you (?:in|to|on)\b|\brecommended you\b"
)
#: A referral to me: "sent them your way", "told my friend … about you".
REFERRAL = re.compile(
    r"\bsent (?:them|him|her) your way\b|\btold (?:my |a |our )?[a-z]+(?: [a-z]+)? about you\b"
    r"|\breferr(?:ed|ing) (?:[a-z]+ )?to you\b|\bpointed (?:them|him|her) to you\b"
)
#: Advice in a reply: an answer someone can use.
ADVICE = re.compile(
    r"\byou (?:can|could|may want to|might want to|should) (?!not\b)[a-z]+"
    r"|\btry (?:using|to|adding|setting)\b"
    r"|\b(?:have|take) a look at\b|\bthe (?:answer|solution|fix) is\b"
)


def read_intent(record: InteractionRecord, me: Collection[str] = ()) -> Reading:
    """What ``record`` wants of its reader, with the cues that say so.

    ``me`` holds my identity values (addresses): when I am only copied on a
    direct message (in Cc, not To), or it greets someone else in To by name,
    what it asks or gives is theirs, and it only informs me. List mail
    (``list_id``) is read as written to every member, me among them.
    """
    author = record.author
    address = author.value if author is not None else ""
    name = (author.display_name if author is not None else None) or ""
    subject = record.subject or ""
    kind = author.kind if author is not None else "email"
    automated = _sent_by_a_system(kind, address, name, subject)
    if automated is not None:  # known before the body is read
        return Reading(asks=False, gives=False, automated=True, cues=(automated,))
    words = own_words(record.body, limit=OWN_WORDS_CHARS)[:OWN_WORDS_CHARS]
    lower = words.lower()
    if len(lower) != len(words):  # a few characters change length in lower case
        words = lower
    match = AUTOMATED_WORDS.search(lower) or BUILD_LOG.search(lower)
    if match:
        cue = Cue(Intent.AUTOMATED, "system wording", _around(words, match))
        return Reading(asks=False, gives=False, automated=True, cues=(cue,))
    if record.body and not REPLY_OR_FORWARD.match(subject):
        footer = record.body[-FOOTER_CHARS:]
        footer_lower = footer.lower()
        match = FOOTER.search(footer_lower)
        if match and len(footer_lower) == len(footer):
            cue = Cue(Intent.AUTOMATED, "bulk sender's footer", _around(footer, match))
            return Reading(asks=False, gives=False, automated=True, cues=(cue,))

    elsewhere = _addressed_elsewhere(record, words, me)
    if elsewhere is not None:
        cue = Cue(Intent.INFORMS, "written to someone else", elsewhere)
        return Reading(asks=False, gives=False, automated=False, cues=(cue,))

    plain = _without_courtesies(words)
    plain_lower = plain.lower()
    asks = [
        *_found(Intent.ASKS, "question", QUESTION, plain, plain_lower),
        *_found(Intent.ASKS, "request", REQUEST, plain, plain_lower),
        *_found(Intent.ASKS, "invitation", INVITATION, plain, plain_lower),
        *_found(Intent.ASKS, "calendar invitation", CALENDAR, plain, plain_lower),
    ]
    if not REPLY_OR_FORWARD.match(subject):
        if subject.rstrip().endswith("?"):
            asks.append(Cue(Intent.ASKS, "question in the subject", _short(subject)))
        if VOTE_SUBJECT.search(subject):
            asks.append(Cue(Intent.ASKS, "call for votes", _short(subject)))
    gives = [
        *_found(Intent.GIVES, "thanks", THANKS, words, lower),
        *_found(Intent.GIVES, "your work", YOUR_WORK, words, lower),
        *_found(Intent.GIVES, "referral", REFERRAL, words, lower),
        *_found(Intent.GIVES, "share", SHARE, words, lower),
    ]
    if record.is_reply:
        gives.extend(_found(Intent.GIVES, "advice", ADVICE, words, lower))
    return Reading(asks=bool(asks), gives=bool(gives), automated=False, cues=(*asks, *gives))


def _sent_by_a_system(kind: str, address: str, name: str, subject: str) -> Cue | None:
    """The first automated cue of the sender (an identity of ``kind``) or the
    subject that fires, or None."""
    why = automated_sender(kind, address, name)
    if why is not None:
        return Cue(Intent.AUTOMATED, why, name if why == "system name" else address)
    if not REPLY_OR_FORWARD.match(subject) and AUTOMATED_SUBJECT.search(subject):
        return Cue(Intent.AUTOMATED, "system subject", _short(subject))
    return None


def _found(intent: Intent, name: str, pattern: re.Pattern[str], text: str, lower: str) -> list[Cue]:
    """The cue ``name`` if ``pattern`` fires on ``lower`` (``text`` in lower case), with
    the words of ``text`` around it."""
    match = pattern.search(lower)
    return [] if match is None else [Cue(intent, name, _around(text, match))]


def _without_courtesies(words: str) -> str:
    """``words`` without the sentences that offer rather than ask (``COURTESY``)."""
    sentences = SENTENCE_END.split(words)
    return "\n".join(s for s in sentences if not COURTESY.search(s.lower()))


def _addressed_elsewhere(record: InteractionRecord, words: str, me: Collection[str]) -> str | None:
    """Why a direct message is written to someone else, or None.

    Only with ``me`` known and never on list mail: I am in Cc but not To, or
    the greeting names a person in To who is not me.
    """
    if not me or record.list_id is not None:
        return None
    mine = set(me)
    to = [p.identity for p in record.participants if p.role is Role.TO]
    in_to = any(i.value in mine for i in to)
    in_cc = any(p.identity.value in mine for p in record.participants if p.role is Role.CC)
    if in_cc and to and not in_to:
        return "I am only in Cc"
    greeting = GREETING.match(words)
    if greeting is None:
        return None
    greeted = greeting[1].lower()
    for identity in to:
        first = _first_name(identity.display_name, identity.value)
        if first == greeted:
            return None if identity.value in mine else f"greets {greeting[1]}, in To"
    return None


def _first_name(display_name: str | None, address: str) -> str:
    """A recipient's first name: from the display name, else the address ("ana.ruiz@" -> ana)."""
    sure = first_name(display_name)
    if sure:
        return sure.lower()
    if display_name:  # one word ("Louise"): the word itself
        parts = display_name.replace(",", " ").split()
        return parts[0].lower() if len(parts) == 1 else ""
    local = address.partition("@")[0]
    return re.split(r"[._-]", local)[0].lower()


#: A greeting on a line of its own ("Hi Sam,"): not part of the sentence after it.
GREETING_LINE = re.compile(
    r"^[ \t]*(?:hi|hello|hallo|dear|hey|good (?:morning|afternoon|evening))\b[^\n]{0,40}\n",
    re.IGNORECASE | re.MULTILINE,
)
#: Where a sentence ends, for evidence: ".", "!" or "?" before a space, a blank
#: line, or a greeting's line.
_SENTENCE_BOUNDARY = re.compile(
    SENTENCE_END.pattern + "|" + GREETING_LINE.pattern, re.IGNORECASE | re.MULTILINE
)


def _around(text: str, match: re.Match[str]) -> str:
    """The words of the sentence around a match, its lines joined (mail is
    wrapped: "Where did they\ncome from?"), at most ``EVIDENCE_CHARS`` long."""
    start = 0
    for boundary in _SENTENCE_BOUNDARY.finditer(text, 0, match.start()):
        start = boundary.end()
    if text[match.end() - 1 : match.end()] in (".", "!", "?"):
        end = match.end()
    else:
        after = _SENTENCE_BOUNDARY.search(text, match.end())
        end = after.end() if after is not None else len(text)
    sentence = " ".join(text[start:end].split())
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    # a window of whole words around the match, a little of what comes before it
    offset = len(" ".join(text[start : match.start()].split()))
    lo = max(0, min(offset - EVIDENCE_CHARS // 4, len(sentence) - EVIDENCE_CHARS))
    if lo > 0 and sentence[lo - 1] != " ":
        lo = sentence.find(" ", lo) + 1 or lo
    window = sentence[lo : lo + EVIDENCE_CHARS]
    if lo + EVIDENCE_CHARS < len(sentence) and " " in window:
        window = window.rsplit(" ", 1)[0]
    return window.strip()


def _short(text: str) -> str:
    return text.strip()[:EVIDENCE_CHARS]
