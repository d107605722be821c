"""A person's text: passages of their own words and their profile, with dates.

Matching reads what a person wrote themselves — the own words of the
messages they sent me or in my communities (``kith.signals.text.own_words``:
never quoted replies, forwards or signatures) — and what sources say they
are (organisation, title, role, department, category, notes). Automated
senders (``kith.identity.is_automated``) are not people writing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kith.identity import is_automated
from kith.signals.text import own_words
from kith.store import embeddings as store
from kith.store.sql import Db

#: The start of each message's own words that is read (the rest of a long
#: technical message adds little to what it is about).
MESSAGE_CHARS = 1500
#: A person's text stops growing at this many characters, newest first.
PERSON_CHARS = 4000
#: Sentences shorter than this say too little to quote; longer ones are cut.
SENTENCE_MIN_CHARS = 25
SENTENCE_MAX_CHARS = 280

#: Sentence ends, and paragraph breaks (mail is hard-wrapped: lines within a
#: paragraph are joined first).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
#: Lines that are code, logs or markup rather than prose.
_NOT_PROSE = re.compile(r"^\s*(?:at |[{}<\[$#]|[\w.]+\(|\w+=\S)")


@dataclass(frozen=True, slots=True)
class Passage:
    """One quotable piece of a person's text: a sentence they wrote (``at``:
    when), or a profile fact (``at`` None, ``kind`` its key)."""

    text: str
    at: int | None
    kind: str = "wrote"


@dataclass(slots=True)
class PersonText:
    """Everything matching reads of one person: profile facts (key, value) and
    what they wrote (when, own words), newest first."""

    person_id: int
    facts: list[tuple[str, str]] = field(default_factory=list)
    written: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text that is embedded: profile first, then what they wrote, newest first."""
        return "\n".join([v for _, v in self.facts] + [w for _, w in self.written])

    @property
    def text_hash(self) -> str:
        """``text_hash`` of ``text``."""
        return text_hash(self.text)

    @property
    def passages(self) -> list[Passage]:
        """The quotable pieces: each fact, then each sentence they wrote, with its date."""
        found = [Passage(value, None, key) for key, value in self.facts]
        for at, words in self.written:
            found.extend(Passage(sentence, at) for sentence in sentences(words))
        return found


def text_hash(text: str) -> str:
    """SHA-256 of a person's text: their vector is remade only when it changes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentences(words: str) -> list[str]:
    """The prose sentences of ``words`` (paragraphs joined, code and log lines
    dropped), each at least ``SENTENCE_MIN_CHARS`` long and cut at
    ``SENTENCE_MAX_CHARS``."""
    found: list[str] = []
    for paragraph in _PARAGRAPH.split(words):
        lines = [ln for ln in paragraph.splitlines() if ln.strip() and not _NOT_PROSE.match(ln)]
        joined = _SPACE.sub(" ", " ".join(lines)).strip()
        for sentence in _SENTENCE_END.split(joined):
            sentence = sentence.strip()
            if len(sentence) >= SENTENCE_MIN_CHARS:
                found.append(sentence[:SENTENCE_MAX_CHARS])
    return found


def read_texts(db: Db, people: Sequence[int] | None = None) -> Iterator[PersonText]:
    """The text of every person who wrote something or has a profile (or of
    ``people``), in person order."""
    facts = store.profile_facts(db, people)
    written = _written(store.iter_authored(db, people))
    pending = sorted(facts)
    at = 0
    for pid, rows in written:
        while at < len(pending) and pending[at] < pid:
            yield _person_text(pending[at], facts[pending[at]], [])
            at += 1
        if at < len(pending) and pending[at] == pid:
            at += 1
        yield _person_text(pid, facts.get(pid, []), rows)
    for pid in pending[at:]:
        yield _person_text(pid, facts[pid], [])


def _written(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[int, str]]]]:
    """(person, [(when, own words)]) from rows grouped by person, newest first,
    until ``PERSON_CHARS`` are gathered."""
    current: int | None = None
    kept: list[tuple[int, str]] = []
    size = 0
    for pid, at, _subject, body, address, _reply, _circle in rows:
        pid = int(pid)
        if pid != current:
            if current is not None and kept:
                yield current, kept
            current, kept, size = pid, [], 0
        if size >= PERSON_CHARS or is_automated(str(address)):
            continue
        words = own_words(body, limit=MESSAGE_CHARS)[:MESSAGE_CHARS]
        if words:
            kept.append((int(at), words))
            size += len(words)
    if current is not None and kept:
        yield current, kept


def _person_text(
    pid: int, facts: list[tuple[str, str]], written: list[tuple[int, str]]
) -> PersonText:
    return PersonText(pid, facts, written)
