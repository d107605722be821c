"""Valence of what people write: VADER's compound score of a message's own words.

Hutto & Gilbert 2014 (VADER, a lexicon and rules tuned on social media text):
``compound`` is in [-1, 1]; at or below ``NEGATIVE_COMPOUND`` counts as
negative, at or above 0.05 as positive (the authors' convention).

What is scored is the author's own words (``kith.signals.text.own_words``:
no quoted reply, attribution line, signature or forwarded message), their
first ``MAX_CHARS`` characters. Why a cap: VADER was built and validated on
sentence- and tweet-length texts, its compound saturates after a few
sentiment words, and its cost grows faster than the text (it lowercases the
whole text again for each sentiment word it meets): whole mailing-list
bodies ran at ~185 a second. 500 characters hold the whole of a median
message's own words (348 in the Apache and Enron mail, 811 at the 75th
percentile), and the score's class (negative, neutral, positive) agrees
with scoring all of the own words for 90 % of those messages (95 % at 1,000
characters, read two to four times slower): ``bench/bench_valence.py``.

A stored body is read only up to ``READ_CHARS``: the first 500 own
characters lie within it for every Apache and Enron message.

Many texts are scored in parallel, by worker processes (one per core, started
with the ``forkserver`` method: the caller may hold threads, such as
DuckDB's, that a plain fork would copy mid-flight), in chunks of
``CHUNK``; below ``PARALLEL_FROM`` texts, starting the workers costs more
than they save, and the texts are scored in this process (``Scorer``). An
import scores its bodies while it reads them, on the cores it leaves idle
(``Ahead``). Both pay only where a core is idle: on this project's shared
2-core machine, busy with other work, two processes scored no faster than
one (bench/RESULTS.md, "What a user waits on").
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from functools import lru_cache
from typing import Any

from kith.errors import KithError
from kith.model import InteractionRecord, Role
from kith.signals.text import own_words

log = logging.getLogger(__name__)

#: VADER's own convention: a compound score at or below this is negative.
NEGATIVE_COMPOUND = -0.05
#: Characters of a message's own words that are scored (see the module docstring).
MAX_CHARS = 500
#: Characters of a stored body read to find its first ``MAX_CHARS`` own ones.
READ_CHARS = 8000
#: Texts per task sent to a worker process.
CHUNK = 500
#: Fewer texts than this are scored in this process.
PARALLEL_FROM = 4000

#: Called with how many texts are scored so far and how many there are in all.
Progress = Callable[[int, int], None]


#: The VADER release whose steps ``_lean_analyzer`` hands less to (see there);
#: any other release is used as it comes.
LEAN_VADER = "3.3.2"


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    try:
        from vaderSentiment import vaderSentiment as vader
    except ImportError:  # pragma: no cover - a core dependency
        raise KithError(
            "sentiment needs the vaderSentiment package",
            hint="pip install vaderSentiment (it comes with kith)",
        ) from None
    from importlib.metadata import version

    if version("vaderSentiment") != LEAN_VADER:  # pragma: no cover - the pinned release
        return vader.SentimentIntensityAnalyzer()
    return _lean_analyzer(vader)()


def stock_analyzer() -> Any:
    """VADER's own analyzer, as the library ships it (the tests hold
    ``compound`` to it, score for score)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _lean_analyzer(vader: Any) -> Any:
    """VADER's analyzer, each of its steps handed only what that step reads.

    The library computes every score; this subclass changes what three of its
    steps are given, never what they do, and so not one score
    (``tests/test_valence_lean.py`` compares it with ``stock_analyzer`` on the
    real mail). In vaderSentiment 3.3.2 those steps are most of its time
    (bench/RESULTS.md, "What a user waits on"):

    * the emoji pass of ``polarity_scores`` walks the text a character at a
      time, building a copy, to put a description in place of each emoji (a
      one-character key). An ASCII text has none (no key is ASCII: checked
      here), so it is handed over as ``_OnePiece``, which that walk takes in
      one step: the copy is the text itself.
    * ``_negation_check`` and ``_special_idioms_check`` lowercase the whole
      list of words for every sentiment word they look around, three times
      for each, and then read at most the three words before it (and the two
      after, for idioms). They are handed those words alone, the index moved
      to match, so a message of 80 words no longer costs 80 × 80 lowercasings.
    """
    base = vader.SentimentIntensityAnalyzer
    negation_check = base._negation_check
    idioms_check = base._special_idioms_check

    class LeanAnalyzer(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self._ascii_keys = any(key.isascii() for key in self.emojis)

        def polarity_scores(self, text: str) -> dict[str, float]:
            if text.isascii() and not self._ascii_keys:
                text = _OnePiece(text)
            return dict(super().polarity_scores(text))

        @staticmethod
        def _negation_check(valence: float, words: list[str], start_i: int, i: int) -> float:
            # It reads words[i - 3 : i] at most (words[i - start_i - 1] and the
            # ones after it, the caller ensuring i > start_i).
            lo = max(0, i - 3)
            return float(negation_check(valence, words[lo : i + 1], start_i, i - lo))

        @staticmethod
        def _special_idioms_check(valence: float, words: list[str], i: int) -> float:
            # It reads words[i - 3 : i + 3] (called with i > 2; after i only
            # as far as the list goes, which the window keeps).
            if i < 3:  # pragma: no cover - never called so by VADER 3.3.2
                return float(idioms_check(valence, words, i))
            return float(idioms_check(valence, words[i - 3 : i + 3], 3))

    return LeanAnalyzer


class _OnePiece(str):
    """A text with no emoji, which VADER's emoji pass walks as one piece
    rather than a character at a time (``_lean_analyzer``): iterated, it
    yields itself once, as a plain ``str``."""

    __slots__ = ()

    def __iter__(self) -> Iterator[str]:
        yield str(self)


def compound(text: str) -> float:
    """VADER's compound score of ``text`` as it is (no cap, no own-words cut)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def scored_text(body: str | None) -> str:
    """What is scored of ``body``: its own words, cut to ``MAX_CHARS`` at a word end."""
    words = own_words(body[:READ_CHARS] if body else body, limit=MAX_CHARS)
    if len(words) <= MAX_CHARS:
        return words
    cut = words[: MAX_CHARS + 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return cut[:space] if space > 0 else cut[:MAX_CHARS]


def valence(body: str | None) -> float | None:
    """The compound score of ``body``'s own words (``scored_text``); None when it has none."""
    text = scored_text(body)
    return compound(text) if text else None


def _score_chunk(texts: list[str]) -> list[float | None]:
    return [compound(t) if t else None for t in texts]


def workers() -> int:
    """Worker processes for a big scoring: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Scorer:
    """Scores bodies (``valence`` of each, in order), in worker processes when
    a call brings at least ``PARALLEL_FROM`` and there is more than one
    process to use; the workers are started at the first such call and kept
    until the ``with`` block ends."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes or workers()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def score(
        self, bodies: Sequence[str | None], progress: Progress | None = None
    ) -> list[float | None]:
        """``valence`` of each of ``bodies``; ``progress`` hears of each chunk."""
        total = len(bodies)
        out: list[float | None] = []
        if total < PARALLEL_FROM or self.processes < 2:
            for start in range(0, total, CHUNK):
                out += [valence(b) for b in bodies[start : start + CHUNK]]
                if progress is not None:
                    progress(len(out), total)
            return out
        if self._pool is None:
            log.debug("scoring in %d processes", self.processes)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_analyzer
            )
        # The own words of each chunk are found here while the workers score
        # the chunks before it.
        futures: list[Future[list[float | None]]] = [
            self._pool.submit(_score_chunk, [scored_text(b) for b in bodies[start : start + CHUNK]])
            for start in range(0, total, CHUNK)
        ]
        for future in futures:
            out += future.result()
            if progress is not None:
                progress(len(out), total)
        return out


def score_bodies(
    bodies: Sequence[str | None], *, progress: Progress | None = None, processes: int | None = None
) -> list[float | None]:
    """``valence`` of each body, in order (a ``Scorer`` for one call)."""
    with Scorer(processes) as scorer:
        return scorer.score(bodies, progress)


#: What an early score is kept under: the interaction's (source, source_id)
#: and the hash of the body's first ``KEY_CHARS`` (two messages may share an
#: id; a hash is this process's own, as is an ``Ahead``). Of bodies alike in
#: all three, the first one's score is kept: the first is the one stored.
Key = tuple[str, str, int]
#: Characters of a body its key's hash is of: what a refresh reads of a body
#: it has a score for (``kith.analytics.mirror``), not the whole window.
KEY_CHARS = 256


def _valences(bodies: list[str]) -> list[float | None]:
    return [valence(b) for b in bodies]


class Ahead:
    """Scores an import's bodies while the import reads them, so that the
    refresh after it finds them scored.

    An import keeps one core busy; the others score: ``add`` collects bodies
    in chunks of ``CHUNK`` and, once there are ``PARALLEL_FROM`` of them
    (fewer are not worth starting processes for), sends each chunk to worker
    processes (one fewer than ``workers()``, at least one). ``scores`` then
    waits for them, scoring in this process the chunks no worker has
    started, from the last one back, while the workers finish theirs.
    Records written from one of ``mine`` (my identities as ``kind:value``)
    are left out: my own words are not scored. A body left out is never
    lost: the refresh reads and scores what it finds no score for.
    """

    def __init__(self, processes: int | None = None, mine: Collection[str] = ()) -> None:
        self.processes = max(1, (processes or workers()) - 1)
        self.mine = frozenset(mine)
        self._pool: ProcessPoolExecutor | None = None
        self._keys: list[Key] = []
        self._bodies: list[str] = []
        #: Chunks in the order added: (keys, bodies, the worker's future or None).
        self._chunks: list[tuple[list[Key], list[str], Future[list[float | None]] | None]] = []

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (what they have not done is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def add(self, source: str, source_id: str, body: str | None) -> None:
        """Score ``body`` (when there is one) for the interaction ``(source, source_id)``."""
        if not body:
            return
        self._keys.append((source, source_id, hash(body[:KEY_CHARS])))
        self._bodies.append(body[:READ_CHARS])
        if len(self._bodies) >= CHUNK:
            self._chunks.append((self._keys, self._bodies, None))
            self._keys, self._bodies = [], []
            self._send()

    def add_record(self, record: InteractionRecord) -> None:
        """``add`` for an import's record, unless I wrote it."""
        if self.mine and any(
            p.role is Role.FROM and f"{p.identity.kind}:{p.identity.value}" in self.mine
            for p in record.participants
        ):
            return
        self.add(record.source, record.source_id, record.body)

    def _send(self) -> None:
        """Hand the chunks not sent yet to the workers, once there are enough."""
        if self._pool is None:
            if len(self._chunks) * CHUNK < PARALLEL_FROM:
                return
            log.debug("scoring ahead in %d processes", self.processes)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=context, initializer=_analyzer
            )
        for i, (keys, bodies, future) in enumerate(self._chunks):
            if future is None:
                self._chunks[i] = (keys, bodies, self._pool.submit(_valences, bodies))

    def scores(self, progress: Progress | None = None) -> dict[Key, float | None]:
        """Every added body's valence by its key (see the class docstring)."""
        if self._bodies:
            self._chunks.append((self._keys, self._bodies, None))
            self._keys, self._bodies = [], []
        chunks, self._chunks = self._chunks, []
        values: list[list[float | None]] = [[] for _ in chunks]
        total = sum(len(keys) for keys, _, _ in chunks)
        done = 0

        def heard(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        waiting = []
        for i in reversed(range(len(chunks))):
            _, bodies, future = chunks[i]
            if future is None or future.cancel():
                values[i] = _valences(bodies)
                heard(len(bodies))
            else:
                waiting.append(i)
        for i in reversed(waiting):
            future = chunks[i][2]
            assert future is not None
            values[i] = future.result()
            heard(len(values[i]))
        out: dict[Key, float | None] = {}
        for (keys, _, _), scores in zip(chunks, values, strict=True):
            for key, score in zip(keys, scores, strict=True):
                out.setdefault(key, score)
        return out
