"""What my people ask for and what they offer, from their own words.

Each message a person wrote is read by ``kith.signals.intent``: the own words
(``kith.signals.text.own_words``) of the messages that **ask** make their
asks; of the messages that **give** or only **inform** (announcements,
updates, answers) with what sources say they are (organisation, title, role)
make their offers. Automated messages are left out. scikit-learn's TF-IDF
(English stop words, words and two-word phrases, sublinear counts) turns
each into a vector; complementarity of A → B is the cosine of A's asks and
B's offers, topic overlap the cosine of all they wrote. Similarity predicts
that an introduction is taken up, complementarity that it is worth
something (McPherson, Smith-Lovin & Cook 2001, shared/SCIENCE.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kith.model import Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role
from kith.signals.intent import read_intent
from kith.signals.text import QUOTE_CHARS, own_words, stop_words
from kith.signals.text import SENTENCE_BREAK as _SENTENCE
from kith.store.connect import Message

#: Characters of a person's own words read per message.
WORDS_PER_MESSAGE = 1500
#: Terms a TF-IDF vector keeps at most (the vocabulary of a small business's mail).
MAX_TERMS = 20_000
#: A term more than this share of people use says nothing of what one of them
#: needs or offers ("update", "send", a signature's words): it is left out.
MAX_PEOPLE_SHARE = 0.1
#: ... but a term as few as this many people use always stays (a small ledger).
MIN_PEOPLE_CAP = 5
#: Shared words named in a reason.
TERMS_SHOWN = 4


@dataclass
class Said:
    """One sentence a person wrote, where, and whether it asks or offers."""

    text: str
    occurred_at: int
    subject: str


@dataclass
class Voice:
    """A person's asks, offers and everything they wrote, as text with its sentences."""

    asks: list[Said] = field(default_factory=list)
    offers: list[Said] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def asks_text(self) -> str:
        return " ".join(s.text for s in self.asks)

    def offers_text(self) -> str:
        return " ".join([*self.facts, *(s.text for s in self.offers)])

    def all_text(self) -> str:
        return " ".join([self.asks_text(), self.offers_text()])


def voice_of(
    messages: Sequence[Message], facts: Sequence[tuple[str, str]], me: Collection[str]
) -> Voice:
    """Sort a person's messages into asks and offers (``kith.signals.intent``)."""
    voice = Voice(facts=[f"{value}" for _, value in facts])
    for m in messages:
        record = InteractionRecord(
            source="ledger",
            source_id=str(m.interaction_id),
            channel=Channel.EMAIL,
            kind=Kind.MESSAGE,
            occurred_at=m.occurred_at,
            participants=(
                Participant(Role.FROM, IdentityRef(m.address_kind, m.address, m.display_name)),
            ),
            origin=Origin("ledger"),
            subject=m.subject,
            body=m.body,
            is_reply=m.is_reply,
        )
        reading = read_intent(record, me)
        if reading.automated:
            continue
        words = own_words(m.body, limit=WORDS_PER_MESSAGE)[:WORDS_PER_MESSAGE].strip()
        if not words:
            continue
        said = Said(words, m.occurred_at, m.subject or "")
        if reading.asks:
            voice.asks.append(said)
        else:
            voice.offers.append(said)
    return voice


@dataclass(frozen=True)
class Match:
    """A's best ask against B's best offer: the cosine, the two sayings, the shared terms."""

    score: float
    ask: Said
    offer: Said
    terms: list[str]


@dataclass(frozen=True)
class Vectors:
    """TF-IDF rows: everything each person wrote (rows in ``people`` order), and
    the best match of one person's ask messages with another's offers."""

    people: list[int]
    terms: NDArray[np.str_]
    everything: Any
    matches: dict[tuple[int, int], Match]
    #: Topic overlap: the cosine of all two people wrote (rows and columns in ``people`` order).
    topic: NDArray[np.float64]

    def complement(self, asker: int, giver: int) -> Match | None:
        """How well one of ``asker``'s asks meets one of ``giver``'s offers (person ids)."""
        return self.matches.get((asker, giver))


def vectorise(voices: dict[int, Voice], names: Collection[str] = ()) -> Vectors | None:
    """One TF-IDF space over everyone's words, without the words of ``names``
    (people's names say who wrote, not what about) and without the terms more
    than ``MAX_PEOPLE_SHARE`` of them use (but never one ``MIN_PEOPLE_CAP`` share);
    None when nobody wrote anything distinctive.

    Complementarity is read message by message: the cosine of one ask and one
    offer (a message, or what sources say the person does), the best pair of
    the two people: one clear "do you know a bookkeeper?" against one "I keep
    books for studios" counts, however much else they wrote."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    people = sorted(voices)
    stop = set(stop_words())
    for name in names:
        stop.update(w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 1)
    corpus = [voices[p].all_text() for p in people]
    if not any(text.strip() for text in corpus):
        return None
    model = TfidfVectorizer(
        stop_words=sorted(stop),
        max_df=max(MIN_PEOPLE_CAP, math.ceil(MAX_PEOPLE_SHARE * len(people))),
        sublinear_tf=True,
        max_features=MAX_TERMS,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    )
    try:
        everything = model.fit_transform(corpus)
    except ValueError:  # only stop words, or nothing two people share
        return None
    terms = model.get_feature_names_out()
    ask_owner = [p for p in people for _ in voices[p].asks]
    ask_said = [s for p in people for s in voices[p].asks]
    offer_owner: list[int] = []
    offer_said: list[Said] = []
    for p in people:
        if voices[p].facts:
            offer_owner.append(p)
            offer_said.append(Said("; ".join(voices[p].facts), 0, "what sources say"))
        offer_owner.extend(p for _ in voices[p].offers)
        offer_said.extend(voices[p].offers)
    matches: dict[tuple[int, int], Match] = {}
    if ask_said and offer_said:
        asks = model.transform([s.text for s in ask_said])
        offers = model.transform([s.text for s in offer_said])
        product = (asks @ offers.T).tocoo()
        best: dict[tuple[int, int], tuple[float, int, int]] = {}
        for r, c, value in zip(
            product.row.tolist(), product.col.tolist(), product.data.tolist(), strict=True
        ):
            key = (ask_owner[r], offer_owner[c])
            if key[0] != key[1] and value > best.get(key, (0.0, 0, 0))[0]:
                best[key] = (value, r, c)
        for key, (value, r, c) in best.items():
            shared = asks[r].multiply(offers[c]).toarray()[0]
            top = np.argsort(-shared)[:TERMS_SHOWN]
            words = [str(terms[k]) for k in top if shared[k] > 0]
            matches[key] = Match(float(value), ask_said[r], offer_said[c], words)
    topic = np.asarray((everything @ everything.T).toarray(), dtype=np.float64)
    return Vectors(people, terms, everything, matches, topic)


def shared_terms(x: Any, i: int, y: Any, j: int, terms: NDArray[np.str_], n: int) -> list[str]:
    """The ``n`` terms that weigh most in both rows."""
    product = x[i].multiply(y[j]).toarray()[0]
    top = np.argsort(-product)[:n]
    return [str(terms[k]) for k in top if product[k] > 0]


def quote(said: Sequence[Said], terms: Sequence[str]) -> Said | None:
    """The sentence (with its message's date) that holds the most of ``terms``."""
    best: tuple[int, int, Said] | None = None
    for s in said:
        for sentence in _SENTENCE.split(s.text):
            lower = sentence.lower()
            hits = sum(1 for t in terms if t in lower)
            if hits and (best is None or (hits, s.occurred_at) > best[:2]):
                best = (hits, s.occurred_at, Said(_cut(sentence), s.occurred_at, s.subject))
    return None if best is None else best[2]


def day(ts: int) -> str:
    """A date for the evidence, YYYY-MM-DD (UTC)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
