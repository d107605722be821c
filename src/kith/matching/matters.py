"""What matters to a person: the topics they write about most, what they have
asked for and what they offer, each with a quote and a date.

Read from their own words only (``kith.signals.text.own_words``: never what
they quote, forward or sign), with the same text understanding as matching
(``kith.signals.embed``):

- **topics**: their messages' vectors grouped greedily, newest first: a
  message joins the first group whose mean vector it is within
  ``TOPIC_SIMILARITY`` (cosine) of, else starts one. The largest groups are
  their topics; each is named by the words its messages use most
  (``kith.matching.search.terms``) and quoted by the sentence nearest the
  group's mean, with its date.
- **asks** and **offers**: ``kith.signals.intent.read_intent`` on each
  message (asks; gives: thanks, shares, advice), the newest first, each with
  the words that raised it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from kith.identity import is_automated
from kith.matching.search import terms
from kith.matching.texts import MESSAGE_CHARS, SENTENCE_MAX_CHARS, sentences
from kith.model import Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role
from kith.signals import embed
from kith.signals.intent import Intent, read_intent
from kith.signals.text import own_words
from kith.store import embeddings as store
from kith.store.sql import Db

#: Messages read, newest first.
MESSAGES_READ = 300
#: Cosine to a group's mean vector for a message to join it.
TOPIC_SIMILARITY = 0.5
#: Topics, asks and offers shown.
SHOWN = 3
#: Words naming a topic.
TOPIC_WORDS = 3
#: Shortest word that can name a topic.
TOPIC_WORD_MIN = 4
#: Courtesies, which every topic has and none is about.
COURTESY_WORDS = frozenset(
    [
        "thank",
        "thanks",
        "hello",
        "dear",
        "best",
        "regards",
        "cheers",
        "great",
        "perfect",
        "sorry",
        "quick",
        "hope",
        "sure",
        "really",
        "appreciate",
        "wanted",
        "just",
    ]
)


@dataclass(frozen=True, slots=True)
class Quote:
    """Words a person wrote, and when."""

    text: str
    at: int

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "at": self.at}


@dataclass(frozen=True, slots=True)
class Topic:
    """Something a person writes about: a name, how many messages, a quote."""

    words: tuple[str, ...]
    messages: int
    quote: Quote

    def as_dict(self) -> dict[str, object]:
        return {"words": list(self.words), "messages": self.messages, "quote": self.quote.as_dict()}


@dataclass(frozen=True, slots=True)
class Matters:
    """What matters to one person, from what they wrote."""

    topics: tuple[Topic, ...]
    asks: tuple[Quote, ...]
    offers: tuple[Quote, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "topics": [t.as_dict() for t in self.topics],
            "asks": [q.as_dict() for q in self.asks],
            "offers": [q.as_dict() for q in self.offers],
        }


def what_matters(db: Db, person_id: int) -> Matters:
    """Topics, asks and offers of ``person_id`` from their own words."""
    written: list[tuple[int, str, str]] = []  # when, own words, the subject
    asks: list[Quote] = []
    offers: list[Quote] = []
    for _pid, at, subject, body, address, is_reply, circle in store.iter_authored(db, [person_id]):
        if len(written) >= MESSAGES_READ:
            break
        if is_automated(str(address)):
            continue
        words = own_words(body, limit=MESSAGE_CHARS)[:MESSAGE_CHARS]
        if not words:
            continue
        written.append((int(at), words, str(subject or "")))
        reading = read_intent(_record(int(at), str(address), subject, body, bool(is_reply), circle))
        for intent, found in ((Intent.ASKS, asks), (Intent.GIVES, offers)):
            cue = next((c for c in reading.cues if c.intent is intent), None)
            if cue is not None and len(found) < SHOWN:
                found.append(Quote(_sentence_of(words, cue.evidence), int(at)))
    name = store.names(db, [person_id]).get(person_id, "")
    return Matters(_topics(written, set(terms(name))), tuple(asks), tuple(offers))


def _sentence_of(words: str, evidence: str) -> str:
    """The sentence of ``words`` that holds ``evidence`` (a cue's words), else
    the evidence itself."""
    flat = " ".join(evidence.split())
    for sentence in sentences(words):
        if flat in sentence:
            return sentence
    return flat


def _record(
    at: int, address: str, subject: str | None, body: str, is_reply: bool, circle: object
) -> InteractionRecord:
    """What ``read_intent`` reads of a stored message."""
    return InteractionRecord(
        source="ledger",
        source_id="",
        channel=Channel.EMAIL,
        kind=Kind.REPLY if is_reply else Kind.MESSAGE,
        occurred_at=at,
        participants=(Participant(Role.FROM, IdentityRef("email", address)),),
        origin=Origin(""),
        subject=subject,
        body=body,
        is_reply=is_reply,
        list_id=None if circle is None else str(circle),
    )


def _topics(written: list[tuple[int, str, str]], own_name: set[str]) -> tuple[Topic, ...]:
    """The largest groups of ``written`` (see the module docstring); the words of
    the writer's ``own_name`` (their sign-off) never name a topic."""
    if not written:
        return ()
    vectors = embed.encode([words for _, words, _ in written])
    sums: list[np.ndarray] = []
    members: list[list[int]] = []
    for i, v in enumerate(vectors):
        if not v.any():
            continue
        best, best_cos = -1, TOPIC_SIMILARITY
        for g, total in enumerate(sums):
            cos = float(v @ total) / (float(np.linalg.norm(total)) or 1.0)
            if cos >= best_cos:
                best, best_cos = g, cos
        if best < 0:
            sums.append(v.copy())
            members.append([i])
        else:
            sums[best] += v
            members[best].append(i)
    order = sorted(range(len(members)), key=lambda g: (-len(members[g]), members[g][0]))
    topics: list[Topic] = []
    for g in order[:SHOWN]:
        centre = sums[g] / (float(np.linalg.norm(sums[g])) or 1.0)
        counts: Counter[str] = Counter()
        candidates: list[tuple[str, int]] = []
        for i in members[g]:
            at, words, subject = written[i]
            counts.update(
                w
                for w in terms(f"{subject} {words}")
                if len(w) >= TOPIC_WORD_MIN
                and w.isalpha()
                and w not in COURTESY_WORDS
                and w not in own_name
            )
            candidates.extend((s, at) for s in sentences(words))
        if not candidates:
            at, words, _ = written[members[g][0]]
            candidates = [(" ".join(words.split())[:SENTENCE_MAX_CHARS], at)]
        cosines = embed.encode([s for s, _ in candidates]) @ centre
        text, at = candidates[int(np.argmax(cosines))]
        named = tuple(w for w, _ in counts.most_common(TOPIC_WORDS))
        topics.append(Topic(named, len(members[g]), Quote(text, at)))
    return tuple(topics)
