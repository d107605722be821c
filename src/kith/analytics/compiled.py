"""Full runs in compiled code: every feature of ``definition.steps``, for every
person and every tie, in a few passes of Numba-compiled loops over the
mirror's own tables.

Why: the SQL definition is a dozen groupings (per person, per person × day,
per person × thread, per thread, per reply pair, per pair of people), and at
20M interactions each of them costs DuckDB most of what the bare aggregation
costs (``bench/bench_analytics.py``). Here the same features come from:

1. one merge walk of interactions and participants (both in id order) that
   derives the interaction × person log, the SQL's ``LOG``;
2. one pass over the log in interaction order that writes each row, with
   what the features need of its interaction, into its person's *bucket*
   (a block of consecutive person ids, small enough for its people's rows to
   stay in the processor's cache);
3. one pass per bucket, on both cores, that groups the bucket's rows by
   person (a counting sort) and computes each person's features from their
   own rows — counts, decayed sums, first and last, gives, valence, waiting,
   thread starts, days, gaps, threads — with nothing shared between buckets;
4. one pass each for reply latencies and for ties.

Rows are grouped by counting sorts on the small dense integer ids, never by
hashing. The inputs are the mirror's raw tables — participant, identity,
person, interaction — the ones the bare aggregation reads, plus ``m_reply``,
the mirror's resolved reply links (which interaction answers which; they
depend on the interactions alone, see ``kith.analytics.mirror``).

The SQL in ``definition`` stays the definition: Spark runs it, incremental
(scoped) refreshes run it, and ``tests/test_analytics_compiled.py`` asserts
that this module gives the same rows as the SQL on random ledgers and on the
sample world. A feature added to the SQL must be added here too; that test
fails until it is.

Conventions inside: an interaction's *row* is its id minus the smallest id
(``base``); the interaction arrays are dense over rows (a missing id is a
row that happened at ``HIGH``, after any ``now``). Person ids and thread ids
index dense arrays directly (they are the ledger's integer keys). Missing
times are ``LOW`` (for a maximum) or ``HIGH`` (for a minimum); missing floats
are NaN; both become nulls in the result.
"""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import numba
import numpy as np
import pyarrow as pa

from kith.analytics import mirror
from kith.analytics.codes import ADDRESSEE, AMONG, ANSWERABLE, AUTHOR, GIVE, IN, OUT, PUBLIC
from kith.analytics.definition import CHANNELS, ID_SPAN, NEGATIVE_COMPOUND
from kith.analytics.workspace import Workspace
from kith.units import DAY

_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(fn: _F) -> _F:
    """Compile ``fn`` with Numba (no Python objects; cached on disk after the
    first compilation, so a process pays it once per installed version)."""
    return cast(_F, numba.njit(cache=True, nogil=True, error_model="numpy")(fn))


LOW = np.iinfo(np.int64).min
HIGH = np.iinfo(np.int64).max

# An interaction's code (``kith.analytics.codes``, kept in the mirror), and
# the bits the bucket pass adds for a log row.
AUTHOR_BIT = 1 << 9  # this person wrote it
UNANSWERED = 1 << 10  # their message to me with no answer of mine (if they wrote it)
FIRST_OF_THREAD = 1 << 11  # the first interaction of its thread
HAS_SENTIMENT = 1 << 12  # the interaction has a valence (else ``valence`` is not read)
#: The person of my identities, in the identity → person map.
ME = -2
#: An interaction with more participants than this finds repeated people by
#: an index over all people; smaller ones by looking at their few rows.
_SMALL = 32

# Columns of the per-person count array.
(
    C_INTERACTIONS,
    C_IN,
    C_OUT,
    C_AMONG,
    C_FIRST,
    C_LAST,
    C_FIRST_CONTACT,
    C_LAST_IN,
    C_LAST_OUT,
    C_PUBLIC,
    C_GIVES_IN,
    C_GIVES_OUT,
    C_WAITING,
    C_OLDEST_WAITING,
    C_STARTED,
    C_SENTIMENT_N,
    C_NEGATIVE_N,
    C_ACTIVE_DAYS,
    C_CONTACT_DAYS,
    C_THREADS,
    C_MY_REPLIES,
    C_THEIR_REPLIES,
) = range(22)
N_COUNTS = 22
#: Times that are minimums (start HIGH); the other times are maximums (start LOW).
_MINIMUMS = (C_FIRST, C_FIRST_CONTACT, C_OLDEST_WAITING)
_MAXIMUMS = (C_LAST, C_LAST_IN, C_LAST_OUT)
# Columns of the per-person float array.
F_DECAYED, F_DECAYED_IN, F_DECAYED_OUT, F_SENTIMENT_SUM = range(4)
N_FLOATS = 4
#: Threads for the people's pass: one per core, as DuckDB uses.
WORKERS = max(1, os.cpu_count() or 1)
#: A bucket: consecutive people with this many log rows at most (about 26
#: bytes each, so that a bucket and its people's state fit a share of the
#: processor's cache) — or one person with more — and this many people at
#: most. Bounded by rows, not by people: a few people have most rows.
BUCKET_ROWS = 1 << 18
BUCKET_PEOPLE = 16_384
#: Rows per Arrow batch when reading the mirror.
_BATCH = 1 << 20
#: The run's big arrays, kept from one run to the next (``workspace``), and
#: the lock that keeps two runs from sharing them at once.
SPACE = Workspace()
_RUNNING = threading.Lock()
#: The connections (by id) that have results made of ``SPACE``'s blocks.
_LENT: set[int] = set()


_FETCH = {
    "interaction": """
SELECT CAST(id AS INTEGER) AS id, occurred_at, code,
  CAST(COALESCE(thread_id, -1) AS INTEGER) AS thread_id
FROM m_interaction""",
    # Valences are only where bodies were kept: read as (id, valence) pairs.
    "sentiment": """
SELECT CAST(id AS INTEGER), sentiment FROM m_interaction WHERE sentiment IS NOT NULL""",
    "participant": """
SELECT CAST(interaction_id AS INTEGER), CAST(identity_id AS INTEGER), role_code
FROM m_participant""",
    "identity": "SELECT id, CAST(COALESCE(person_id, -1) AS INTEGER) FROM m_identity",
    "person": "SELECT id, is_me FROM m_person",
    "target": "SELECT person_id FROM target",
    "reply": "SELECT CAST(child_id AS INTEGER), CAST(parent_id AS INTEGER) FROM m_reply",
}


def _fetch(con: Any, name: str, space: Workspace) -> list[np.ndarray]:
    """The columns of ``_FETCH[name]`` in the table's own order (the mirror
    keeps interactions and participants in id order; a scan keeps that only
    when told to), read batch by batch into arrays of ``space``."""
    query = _FETCH[name]
    con.execute("SET preserve_insertion_order = true")
    try:
        row = mirror.first_row(con, f"SELECT COUNT(*) FROM ({query})")
        n = int(row[0]) if row else 0
        reader = con.sql(query).to_arrow_reader(_BATCH)
        columns = [
            space.empty(f"{name}.{k}", n, field.type.to_pandas_dtype())
            for k, field in enumerate(reader.schema)
        ]
        at = 0
        for batch in reader:
            size = min(batch.num_rows, n - at)
            for out, column in zip(columns, batch.columns, strict=True):
                out[at : at + size] = column.to_numpy(zero_copy_only=False)[:size]
            at += size
    finally:
        con.execute("SET preserve_insertion_order = false")
    return [column[:at] for column in columns]


def _dense(ids: np.ndarray, values: np.ndarray, fill: int) -> np.ndarray:
    """An array indexed by id: ``out[ids[k]] = values[k]``, ``fill`` elsewhere."""
    size = int(ids.max()) + 1 if len(ids) else 0
    out = np.full(size, fill, dtype=values.dtype)
    out[ids] = values
    return out


# -- the passes ---------------------------------------------------------------


@_compiled
def _by_row(
    ids: np.ndarray,
    occurred: np.ndarray,
    code: np.ndarray,
    thread: np.ndarray,
    base: int,
    n_rows: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The interaction columns placed at their rows (id − ``base``); a row
    whose id is missing happened at ``HIGH``."""
    at = np.full(n_rows, HIGH, np.int64)
    cd = np.full(n_rows, 3, np.int16)
    th = np.full(n_rows, -1, np.int32)
    for k in range(len(ids)):
        r = ids[k] - base
        at[r] = occurred[k]
        cd[r] = code[k]
        th[r] = thread[k]
    return at, cd, th


@_compiled
def _thread_facts(
    occurred: np.ndarray,
    code: np.ndarray,
    thread: np.ndarray,
    base: int,
    now: int,
    first: np.ndarray,
    last_out: np.ndarray,
) -> None:
    """Per thread: its first interaction (time and id packed, as the SQL's
    ``thread_facts``; ``first`` starts ``HIGH``) and the time of my last
    message in it (``last_out`` starts ``LOW``)."""
    for r in range(len(occurred)):
        t = thread[r]
        if t < 0 or occurred[r] > now:
            continue
        key = occurred[r] * ID_SPAN + r + base
        if key < first[t]:
            first[t] = key
        if code[r] & 3 == OUT and occurred[r] > last_out[t]:
            last_out[t] = occurred[r]


@_compiled
def _log(
    p_interaction: np.ndarray,
    p_identity: np.ndarray,
    p_role: np.ndarray,
    base: int,
    occurred: np.ndarray,
    identity_person: np.ndarray,
    n_persons: int,
    now: int,
    count: np.ndarray,
    to_me: np.ndarray,
    person: np.ndarray,
    author: np.ndarray,
    seen: np.ndarray,
    slot: np.ndarray,
) -> int:
    """The interaction × person log (the SQL's ``LOG``) for interactions up to
    ``now``, from participants in interaction id order: per interaction row,
    its people other than me, in row order, each with whether they wrote it
    (``person``, ``author``: room for one row per participant; returns how
    many it wrote); how many they are (``count[row + 1]``,
    so that its running sum gives where each row's people start); and
    whether I was addressed (to or cc: ``to_me[row]``). ``identity_person``
    maps an identity to its person, ``ME`` for mine. Several threads may each
    take a stretch of participants that begins and ends at an interaction's
    boundary: they write different rows of ``count`` and ``to_me``.
    ``seen`` (all -1) and ``slot``: scratch, one per person."""
    n_rows = len(occurred)
    m = len(p_interaction)
    n = 0
    j = 0
    while j < m:
        iid = p_interaction[j]
        end = j
        while end < m and p_interaction[end] == iid:
            end += 1
        r = iid - base
        if r < 0 or r >= n_rows or occurred[r] > now:
            j = end
            continue
        first = n
        small = end - j <= _SMALL
        for k in range(j, end):
            ident = p_identity[k]
            if ident < 0 or ident >= len(identity_person):
                continue
            p = identity_person[ident]
            if p < 0:
                if p == ME and p_role[k] == ADDRESSEE:
                    to_me[r] = 1
                continue
            at = -1
            if small:
                for q in range(first, n):
                    if person[q] == p:
                        at = q
                        break
            elif seen[p] == r:
                at = slot[p]
            if at < 0:
                at = n
                person[n] = p
                author[n] = 0
                n += 1
                if not small:
                    seen[p] = r
                    slot[p] = at
            if p_role[k] == AUTHOR:
                author[at] = 1
        count[r + 1] = n - first
        j = end
    return n


@_compiled
def _move_down(values: np.ndarray, to: int, at: int, n: int) -> None:
    """``values[to : to + n] = values[at : at + n]``, in place (``to <= at``)."""
    for k in range(n):
        values[to + k] = values[at + k]


@_compiled
def _answered(
    child: np.ndarray,
    parent: np.ndarray,
    occurred: np.ndarray,
    code: np.ndarray,
    now: int,
    out: np.ndarray,
) -> None:
    """Per interaction row: whether a message of mine (up to ``now``) replies
    to it (``out``, zeros to start with)."""
    for k in range(len(child)):
        c = child[k]
        if code[c] & 3 == OUT and occurred[c] <= now:
            out[parent[k]] = 1


@_compiled
def _bucket_bounds(
    person: np.ndarray,
    max_rows: int,
    max_people: int,
    rows_of: np.ndarray,
    bucket_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the people into buckets (``BUCKET_ROWS``): ``bucket_of[p]`` is
    person p's bucket, bucket b holds people ``first[b]`` to
    ``first[b + 1] - 1`` and owns rows ``bounds[b]`` to ``bounds[b + 1]``.
    ``rows_of``: zeros, one per person (scratch)."""
    n_persons = len(rows_of)
    for k in range(len(person)):
        rows_of[person[k]] += 1
    b = rows = width = 0
    for p in range(n_persons):
        if width > 0 and (rows + rows_of[p] > max_rows or width == max_people):
            b += 1
            rows = width = 0
        bucket_of[p] = b
        rows += rows_of[p]
        width += 1
    n_buckets = b + 1 if n_persons > 0 else 0
    first = np.zeros(n_buckets + 1, np.int64)
    bounds = np.zeros(n_buckets + 1, np.int64)
    for p in range(n_persons):
        bounds[bucket_of[p] + 1] += rows_of[p]
        first[bucket_of[p] + 1] = p + 1
    for b in range(n_buckets):
        bounds[b + 1] += bounds[b]
    return first, bounds


@_compiled
def _buckets(
    start: np.ndarray,
    person: np.ndarray,
    author: np.ndarray,
    to_me: np.ndarray,
    occurred: np.ndarray,
    code: np.ndarray,
    thread: np.ndarray,
    sentiment: np.ndarray,
    base: int,
    thread_first: np.ndarray,
    last_out: np.ndarray,
    answered: np.ndarray,
    bucket_of: np.ndarray,
    bounds: np.ndarray,
    lo_person: int,
    hi_person: int,
    out_person: np.ndarray,
    out_time: np.ndarray,
    out_code: np.ndarray,
    out_thread: np.ndarray,
    out_sentiment: np.ndarray,
) -> None:
    """Every log row with its interaction's time, code (plus the row's own
    bits: written by this person, waiting on me, first of its thread, has a
    valence), thread and valence, moved to its person's bucket (``bounds``).
    Each worker (on its own thread) moves the rows of the people
    ``lo_person`` to ``hi_person - 1``, whole buckets; the outputs are
    shared, their parts not."""
    fill = bounds[:-1].copy()
    for r in range(len(start) - 1):
        lo, hi = start[r], start[r + 1]
        ours = False
        for k in range(lo, hi):
            if lo_person <= person[k] < hi_person:
                ours = True
                break
        if not ours:
            continue
        t = occurred[r]
        c = np.int64(code[r])
        th = thread[r]
        if (
            c & 3 == IN
            and to_me[r] == 1
            and c & ANSWERABLE
            and (th < 0 or last_out[th] == LOW or last_out[th] < t)
            and answered[r] == 0
        ):
            c |= UNANSWERED
        if th >= 0 and t * ID_SPAN + r + base == thread_first[th]:
            c |= FIRST_OF_THREAD
        if len(sentiment) > 0 and not math.isnan(sentiment[r]):
            c |= HAS_SENTIMENT
        for k in range(lo, hi):
            p = person[k]
            if p < lo_person or p >= hi_person:
                continue
            b = bucket_of[p]
            i = fill[b]
            fill[b] += 1
            out_person[i] = p
            out_time[i] = t
            out_code[i] = c | AUTHOR_BIT if author[k] == 1 else c
            out_thread[i] = th
            if c & HAS_SENTIMENT:  # else left unwritten (never read), so never paged in
                out_sentiment[i] = sentiment[r]


@_compiled
def _sort(values: np.ndarray) -> None:
    """Sort in place: by insertion when short, else only when not sorted
    already (a person's days and threads mostly come in order)."""
    n = len(values)
    if n > 32:
        for k in range(1, n):
            if values[k] < values[k - 1]:
                values.sort()
                return
        return
    for k in range(1, n):
        x = values[k]
        j = k - 1
        while j >= 0 and values[j] > x:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = x


@_compiled
def _argsort(keys: np.ndarray, out: np.ndarray) -> None:
    """``out`` := the positions of ``keys`` in key order (stable): by insertion
    when short (most groups here have a handful of rows), else a merge sort."""
    n = len(keys)
    if n > 32:
        out[:] = np.argsort(keys, kind="mergesort")
        return
    for k in range(n):
        out[k] = k
    for k in range(1, n):
        x = out[k]
        j = k - 1
        while j >= 0 and keys[out[j]] > keys[x]:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = x


@_compiled
def _median(values: np.ndarray) -> float:
    """The median of ``values`` (reordered in place), the two middle ones
    averaged when their number is even, as DuckDB's and Spark's ``MEDIAN``:
    a selection (Hoare's), not a sort."""
    n = len(values)
    k = n // 2
    lo, hi = 0, n - 1
    while lo < hi:
        pivot = values[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    upper = values[k]
    if n % 2 == 1:
        return float(upper)
    lower = values[0]
    for m in range(1, k):
        lower = max(lower, values[m])
    return float((lower + upper) / 2.0)


@_compiled
def _people(
    bounds: np.ndarray,
    first: np.ndarray,
    records: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    features: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    scratch: tuple[np.ndarray, ...],
    now: int,
    lam: float,
    lo_bucket: int,
    hi_bucket: int,
) -> None:
    """The SQL's ``agg``, ``waiting``, ``days``, ``cadence``, ``gaps``,
    ``person_threads`` and ``threads``, bucket by bucket: the bucket's rows
    grouped by person, then each person's features from their own rows.
    ``records``: the buckets' rows (``_buckets``); ``features``: ``counts``,
    ``channels``, ``floats``, ``gap``.

    Each worker (on its own thread; buckets share nothing) takes the
    buckets ``lo_bucket`` to ``hi_bucket - 1`` and keeps its ``scratch``
    arrays from one bucket to the next: ``at`` and ``fill`` (one more than
    the people of a bucket), then ``times``, ``codes``, ``thread_of``,
    ``valence``, ``days``, ``threads`` and ``gaps``, room for the longest
    bucket's rows."""
    for b in range(lo_bucket, hi_bucket):
        lo, hi = bounds[b], bounds[b + 1]
        if lo == hi:
            continue
        first_person = first[b]
        width = first[b + 1] - first_person
        _bucket_people(lo, hi, first_person, width, records, features, scratch, now, lam)


@_compiled
def _bucket_people(
    lo: int,
    hi: int,
    first_person: int,
    width: int,
    records: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    features: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    scratch: tuple[np.ndarray, ...],
    now: int,
    lam: float,
) -> None:
    """One bucket of ``_people``: its rows (``lo`` to ``hi``) grouped by person
    (a counting sort into the scratch arrays ``times`` … ``valence``), then
    each person's features from their own rows."""
    rec_person, rec_time, rec_code, rec_thread, rec_sentiment = records
    counts, channels, floats, gap = features
    at, fill, times, codes, thread_of, valence, days, threads, gaps = scratch
    at[: width + 1] = 0
    for i in range(lo, hi):
        at[rec_person[i] - first_person + 1] += 1
    for q in range(width):
        at[q + 1] += at[q]
    # The bucket's rows moved into person order (stable: each person's rows
    # stay in interaction order, which is nearly time order).
    fill[:width] = at[:width]
    for i in range(lo, hi):
        q = rec_person[i] - first_person
        k = fill[q]
        fill[q] += 1
        times[k] = rec_time[i]
        codes[k] = rec_code[i]
        thread_of[k] = rec_thread[i]
        if rec_code[i] & HAS_SENTIMENT:
            valence[k] = rec_sentiment[i]
    for q in range(width):
        s, e = at[q], at[q + 1]
        if s == e:
            continue
        p = first_person + q
        n_in = n_out = n_among = n_public = gives_in = gives_out = 0
        waiting = started = sentiment_n = negative_n = n_threads = 0
        decayed = decayed_in = decayed_out = sentiment_sum = 0.0
        first = first_contact = oldest_waiting = HIGH
        last = last_in = last_out = LOW
        for k in range(s, e):
            t = times[k]
            c = codes[k]
            d = c & 3
            w = math.exp(-lam * float(now - t))
            decayed += w
            first = min(first, t)
            last = max(last, t)
            if d == IN:
                n_in += 1
                decayed_in += w
                last_in = max(last_in, t)
            elif d == OUT:
                n_out += 1
                decayed_out += w
                last_out = max(last_out, t)
            elif d == AMONG:
                n_among += 1
            contact = d in (IN, OUT)
            if contact:
                first_contact = min(first_contact, t)
            channel = (c >> 2) & 15
            if channel > 0:
                channels[channel - 1, p] += 1
            if c & PUBLIC:
                n_public += 1
            wrote = (c & AUTHOR_BIT) != 0
            theirs = wrote and d != OUT
            if c & GIVE:
                if theirs:
                    gives_in += 1
                if d == OUT:
                    gives_out += 1
            if theirs and c & HAS_SENTIMENT:
                v = valence[k]
                sentiment_n += 1
                sentiment_sum += v
                if v <= NEGATIVE_COMPOUND:
                    negative_n += 1
            if wrote:
                if c & UNANSWERED:
                    waiting += 1
                    oldest_waiting = min(oldest_waiting, t)
                if c & FIRST_OF_THREAD:
                    started += 1
            days[k - s] = (t // DAY) * 2 + (1 if contact else 0)
            if thread_of[k] >= 0:
                threads[n_threads] = thread_of[k]
                n_threads += 1
        counts[C_INTERACTIONS, p] = e - s
        counts[C_IN, p] = n_in
        counts[C_OUT, p] = n_out
        counts[C_AMONG, p] = n_among
        counts[C_FIRST, p] = first
        counts[C_LAST, p] = last
        counts[C_FIRST_CONTACT, p] = first_contact
        counts[C_LAST_IN, p] = last_in
        counts[C_LAST_OUT, p] = last_out
        counts[C_PUBLIC, p] = n_public
        counts[C_GIVES_IN, p] = gives_in
        counts[C_GIVES_OUT, p] = gives_out
        counts[C_WAITING, p] = waiting
        counts[C_OLDEST_WAITING, p] = oldest_waiting
        counts[C_STARTED, p] = started
        counts[C_SENTIMENT_N, p] = sentiment_n
        counts[C_NEGATIVE_N, p] = negative_n
        floats[F_DECAYED, p] = decayed
        floats[F_DECAYED_IN, p] = decayed_in
        floats[F_DECAYED_OUT, p] = decayed_out
        floats[F_SENTIMENT_SUM, p] = sentiment_sum
        # Days: day × 2 (+1 with contact), sorted; a day is a contact day
        # when its largest key is odd.
        mine = days[: e - s]
        _sort(mine)
        active = contact_days = n_gaps = 0
        previous = LOW
        for k in range(e - s):
            day = mine[k] >> 1
            if k + 1 < e - s and mine[k + 1] >> 1 == day:
                continue
            active += 1
            if mine[k] & 1:
                contact_days += 1
                if previous != LOW:
                    gaps[n_gaps] = day - previous
                    n_gaps += 1
                previous = day
        counts[C_ACTIVE_DAYS, p] = active
        counts[C_CONTACT_DAYS, p] = contact_days
        if n_gaps > 0:
            gap[p] = _median(gaps[:n_gaps])
        theirs_threads = threads[:n_threads]
        _sort(theirs_threads)
        distinct = 0
        for k in range(n_threads):
            if k == 0 or theirs_threads[k] != theirs_threads[k - 1]:
                distinct += 1
        counts[C_THREADS, p] = distinct


@_compiled
def _group(keys: np.ndarray, bounds: np.ndarray, order: np.ndarray) -> None:
    """A counting sort: ``order`` := the positions of ``keys`` key by key
    (stable), ``bounds[k]:bounds[k + 1]`` those of key ``k`` (``bounds``:
    zeros, one more than the keys)."""
    n_keys = len(bounds) - 1
    for k in keys:
        bounds[k + 1] += 1
    for k in range(n_keys):
        bounds[k + 1] += bounds[k]
    fill = bounds[:-1].copy()
    for i in range(len(keys)):
        k = keys[i]
        order[fill[k]] = i
        fill[k] += 1


@_compiled
def _first_replies(
    child: np.ndarray,
    parent: np.ndarray,
    occurred: np.ndarray,
    code: np.ndarray,
    start: np.ndarray,
    author: np.ndarray,
    now: int,
    first_reply: np.ndarray,
) -> tuple[int, int]:
    """The SQL's ``reply_pairs``, first half: per row of a message of theirs,
    the time of my first reply to it (``first_reply``, all ``HIGH`` to start
    with). Returns how many rows ``_reply_rows`` will write: one per author of
    a message I answered (mine) and per author of a reply to me (theirs)."""
    n_rows = len(start) - 1
    n_theirs = 0
    for k in range(len(child)):
        c, q = child[k], parent[k]
        if occurred[c] > now or occurred[q] > now:
            continue
        if code[c] & 3 == OUT and code[q] & 3 == IN:
            if occurred[c] < first_reply[q]:
                first_reply[q] = occurred[c]
        elif code[c] & 3 == IN and code[q] & 3 == OUT:
            for i in range(start[c], start[c + 1]):
                n_theirs += author[i]
    n_mine = 0
    for q in range(n_rows):
        if first_reply[q] != HIGH:
            for i in range(start[q], start[q + 1]):
                n_mine += author[i]
    return n_mine, n_theirs


@_compiled
def _reply_rows(
    child: np.ndarray,
    parent: np.ndarray,
    occurred: np.ndarray,
    code: np.ndarray,
    start: np.ndarray,
    person: np.ndarray,
    author: np.ndarray,
    now: int,
    first_reply: np.ndarray,
    mine_person: np.ndarray,
    mine_seconds: np.ndarray,
    theirs_person: np.ndarray,
    theirs_parent: np.ndarray,
    theirs_child_at: np.ndarray,
) -> None:
    """The rows ``latency`` takes the median of: ``(person, seconds)`` for my
    first reply to each message they wrote, and ``(person, parent row,
    seconds)`` for their replies to mine (unreduced: the earliest per person
    and message is taken by the caller's grouping)."""
    n_rows = len(start) - 1
    n = 0
    for q in range(n_rows):
        if first_reply[q] != HIGH:
            for i in range(start[q], start[q + 1]):
                if author[i] == 1:
                    mine_person[n] = person[i]
                    mine_seconds[n] = max(first_reply[q] - occurred[q], 0)
                    n += 1
    n = 0
    for k in range(len(child)):
        c, q = child[k], parent[k]
        if occurred[c] > now or occurred[q] > now:
            continue
        if code[c] & 3 == IN and code[q] & 3 == OUT:
            for i in range(start[c], start[c + 1]):
                if author[i] == 1:
                    theirs_person[n] = person[i]
                    theirs_parent[n] = q
                    theirs_child_at[n] = occurred[c]
                    n += 1


@_compiled
def _medians(
    order: np.ndarray,
    bounds: np.ndarray,
    seconds: np.ndarray,
    parent: np.ndarray,
    occurred: np.ndarray,
    count: np.ndarray,
    median: np.ndarray,
) -> None:
    """Per person: the count and median of their latencies. With ``parent``
    (their replies to mine), ``seconds`` are reply times, reduced first to the
    earliest per message of mine and measured from it."""
    longest = 0
    for p in range(len(bounds) - 1):
        longest = max(longest, bounds[p + 1] - bounds[p])
    values = np.empty(longest, np.int64)
    keys = np.empty(longest, np.int64)
    by_key = np.empty(longest, np.int64)
    for p in range(len(bounds) - 1):
        lo, hi = bounds[p], bounds[p + 1]
        if lo == hi:
            continue
        if len(parent) == 0:
            for k in range(lo, hi):
                values[k - lo] = seconds[order[k]]
            n = hi - lo
        else:
            for k in range(lo, hi):
                keys[k - lo] = parent[order[k]]
            by_parent = by_key[: hi - lo]
            _argsort(keys[: hi - lo], by_parent)
            n = 0
            k = 0
            while k < hi - lo:
                q = keys[by_parent[k]]
                first = HIGH
                while k < hi - lo and keys[by_parent[k]] == q:
                    at = seconds[order[lo + by_parent[k]]]
                    if at < first:
                        first = at
                    k += 1
                values[n] = max(first - occurred[q], 0)
                n += 1
        count[p] = n
        median[p] = _median(values[:n])


@_compiled
def _tie_bounds(
    start: np.ndarray, person: np.ndarray, is_target: np.ndarray, bounds: np.ndarray
) -> None:
    """How many pairs (a, b) each a has (a < b, both targets, in one
    interaction of two people or more), as a counting sort's offsets
    (``bounds``: zeros, one more than the people)."""
    n_rows = len(start) - 1
    n_persons = len(is_target)
    for r in range(n_rows):
        if start[r + 1] - start[r] < 2:
            continue
        for i in range(start[r], start[r + 1]):
            a = person[i]
            if is_target[a]:
                for j in range(start[r], start[r + 1]):
                    if person[j] > a and is_target[person[j]]:
                        bounds[a + 1] += 1
    for a in range(n_persons):
        bounds[a + 1] += bounds[a]


@_compiled
def _ties(
    start: np.ndarray,
    person: np.ndarray,
    is_target: np.ndarray,
    occurred: np.ndarray,
    thread: np.ndarray,
    now: int,
    lam: float,
    bounds: np.ndarray,
    keys: np.ndarray,
    times: np.ndarray,
    out_a: np.ndarray,
    out_b: np.ndarray,
    out_n: np.ndarray,
    out_decayed: np.ndarray,
    out_first: np.ndarray,
    out_last: np.ndarray,
    out_threads: np.ndarray,
) -> int:
    """The SQL's ``tie``: the pairs of ``_tie_bounds`` grouped by a (a counting
    sort that moves each pair's (b, thread) key and time into ``keys`` and
    ``times``), then by b and thread, into ``out_*`` (room for one per pair;
    counts and sums zero, ``out_first`` ``HIGH``, ``out_last`` ``LOW``) in
    (a, b) order. Returns how many ties."""
    n_rows = len(start) - 1
    n_persons = len(is_target)
    span = 2  # keys: b × span + thread + 1
    for r in range(n_rows):
        span = max(span, thread[r] + 2)
    fill = bounds[:-1].copy()
    for r in range(n_rows):
        if start[r + 1] - start[r] < 2:
            continue
        for i in range(start[r], start[r + 1]):
            a = person[i]
            if is_target[a]:
                for j in range(start[r], start[r + 1]):
                    b = person[j]
                    if b > a and is_target[b]:
                        keys[fill[a]] = b * span + thread[r] + 1
                        times[fill[a]] = occurred[r]
                        fill[a] += 1
    longest = 0
    for a in range(n_persons):
        longest = max(longest, bounds[a + 1] - bounds[a])
    by_key = np.empty(longest, np.int64)
    n = -1
    for a in range(n_persons):
        lo, hi = bounds[a], bounds[a + 1]
        if lo == hi:
            continue
        _argsort(keys[lo:hi], by_key[: hi - lo])
        previous_b = -1
        previous_thread = -2
        for k in range(hi - lo):
            i = lo + by_key[k]
            b = keys[i] // span
            th = keys[i] % span - 1
            if b != previous_b:
                n += 1
                out_a[n] = a
                out_b[n] = b
                previous_b = b
                previous_thread = -2
            t = times[i]
            out_n[n] += 1
            out_decayed[n] += math.exp(-lam * float(now - t))
            out_first[n] = min(out_first[n], t)
            out_last[n] = max(out_last[n], t)
            if th >= 0 and th != previous_thread:
                out_threads[n] += 1
            previous_thread = th
    return n + 1


# -- the run ------------------------------------------------------------------


_Arrays4 = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
_Arrays5 = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
#: occurred, code, thread, sentiment, base, thread_first, last_out, answered
_Rows = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, np.ndarray, np.ndarray, np.ndarray
]


def _bucket_worker(
    worker: int,
    log: _Arrays4,
    rows: _Rows,
    buckets: tuple[np.ndarray, np.ndarray, np.ndarray],
    cuts: np.ndarray,
    records: _Arrays5,
    features: _Arrays4,
    now: int,
    lam: float,
    space: Workspace,
) -> None:
    """One of ``WORKERS`` threads: move the rows of its buckets
    (``cuts[worker]`` to ``cuts[worker + 1] - 1``; ``_buckets``), then compute
    their people (``_people``): the same buckets, so nothing to wait for from
    the other workers."""
    start, person, author, to_me = log
    occurred, code, thread, sentiment, base, thread_first, last_out, answered = rows
    rec_person, rec_time, rec_code, rec_thread, rec_sentiment = records
    bucket_of, first, bounds = buckets
    lo, hi = int(cuts[worker]), int(cuts[worker + 1])
    _buckets(
        start, person, author, to_me, occurred, code, thread, sentiment, base, thread_first,
        last_out, answered, bucket_of, bounds, first[lo], first[hi], rec_person, rec_time, rec_code,
        rec_thread, rec_sentiment,
    )  # fmt: skip
    longest = int(np.diff(bounds[lo : hi + 1]).max()) if hi > lo else 0
    scratch = tuple(
        space.empty(f"people{worker}.{name}", size, kind)
        for name, size, kind in (
            ("at", BUCKET_PEOPLE + 1, np.int64),
            ("fill", BUCKET_PEOPLE + 1, np.int64),
            ("times", longest, np.int64),
            ("codes", longest, np.int16),
            ("thread_of", longest, np.int32),
            ("valence", longest, np.float64),
            ("days", longest, np.int64),
            ("threads", longest, np.int32),
            ("gaps", longest, np.int64),
        )
    )
    _people(bounds, first, records, features, scratch, now, lam, lo, hi)
    space.give_back(*scratch)


def _tie_rows(
    start: np.ndarray,
    person: np.ndarray,
    is_target: np.ndarray,
    occurred: np.ndarray,
    thread: np.ndarray,
    now: int,
    lam: float,
    space: Workspace,
) -> tuple[np.ndarray, ...]:
    """The ``tie`` columns: ``(a, b, interactions, decayed, first, last,
    shared_threads)`` in (a, b) order."""
    bounds = space.zeros("ties.bounds", len(is_target) + 1, np.int64)
    _tie_bounds(start, person, is_target, bounds)
    n_pairs = int(bounds[-1])
    keys, times = (
        space.empty("ties.keys", n_pairs, np.int64),
        space.empty("ties.times", n_pairs, np.int64),
    )
    out = (
        space.empty("tie.a", n_pairs, np.int64),
        space.empty("tie.b", n_pairs, np.int64),
        space.zeros("tie.interactions", n_pairs, np.int64),
        space.zeros("tie.decayed", n_pairs, np.float64),
        space.full("tie.first", n_pairs, HIGH, np.int64),
        space.full("tie.last", n_pairs, LOW, np.int64),
        space.zeros("tie.threads", n_pairs, np.int64),
    )
    n = _ties(start, person, is_target, occurred, thread, now, lam, bounds, keys, times, *out)
    space.give_back(bounds, keys, times)
    return tuple(column[:n] for column in out)


def _replies(
    child: np.ndarray,
    parent: np.ndarray,
    occurred: np.ndarray,
    code: np.ndarray,
    start: np.ndarray,
    person: np.ndarray,
    author: np.ndarray,
    now: int,
    n_persons: int,
    space: Workspace,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The SQL's ``latency``: per person, the count and median of my first
    replies to them, and of theirs to me."""
    # Per row: my first reply's time.
    first_reply = space.full("replies.first", len(start) - 1, HIGH, np.int64)
    n_mine, n_theirs = _first_replies(
        child, parent, occurred, code, start, author, now, first_reply
    )
    rows = [
        space.empty(f"replies.{name}", size, np.int64)
        for name, size in (
            ("mine_person", n_mine),
            ("mine_seconds", n_mine),
            ("theirs_person", n_theirs),
            ("theirs_parent", n_theirs),
            ("theirs_child_at", n_theirs),
        )
    ]
    _reply_rows(child, parent, occurred, code, start, person, author, now, first_reply, *rows)
    space.give_back(first_reply)
    mine_p, mine_s, theirs_p, theirs_q, theirs_at = rows
    replies = []
    for who, seconds, parents in (
        (mine_p, mine_s, np.empty(0, np.int64)),
        (theirs_p, theirs_at, theirs_q),
    ):
        by_person = space.zeros("replies.bounds", n_persons + 1, np.int64)
        order = space.empty("replies.order", len(who), np.int64)
        _group(who, by_person, order)
        count = np.zeros(n_persons, np.int64)
        median = np.full(n_persons, np.nan)
        _medians(order, by_person, seconds, parents, occurred, count, median)
        space.give_back(by_person, order)
        replies += [count, median]
    space.give_back(*rows)
    return replies[0], replies[1], replies[2], replies[3]


def run(con: Any, now: int, half_life_days: float) -> dict[str, float]:
    """Compute ``relationship`` and ``tie`` for every person in ``target`` from
    the mirror's tables, as temporary tables of ``con`` (as the SQL engine
    leaves them); returns seconds per pass. One run at a time in a process:
    runs share the working memory (``SPACE``)."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    with _RUNNING:
        _forget(con)
        try:
            return _run(con, now, half_life_days, SPACE)
        finally:
            SPACE.finish()


def release(con: Any | None = None) -> None:
    """Let go of the working memory kept for the next run (a process that
    runs once, or seldom, has no use for it); with ``con``, of its results
    too (forgotten first)."""
    with _RUNNING:
        if con is not None:
            _forget(con)
        SPACE.release()


def _forget(con: Any) -> None:
    """Forget the results of the run before on ``con``: they are made of
    blocks of the workspace, which are then free again."""
    for name in ("relationship", "tie"):
        con.unregister(name)
    SPACE.reclaim(id(con))


def _run(con: Any, now: int, half_life_days: float, space: Workspace) -> dict[str, float]:
    lam = math.log(2) / (half_life_days * DAY)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    mirror.update_replies(con)
    ids, occurred, code, thread = _fetch(con, "interaction", space)
    valence_ids, valences = _fetch(con, "sentiment", space)
    p_interaction, p_identity, p_role = _fetch(con, "participant", space)
    identity_ids, identity_person = _fetch(con, "identity", space)
    person_ids, person_is_me = _fetch(con, "person", space)
    (targets,) = _fetch(con, "target", space)
    child_ids, parent_ids = _fetch(con, "reply", space)
    lap("read")

    # Interactions at their rows (id − base), unless they already are; the
    # walk needs participants in interaction order, which a mirror written by
    # this version keeps (older ones are sorted here, once per run).
    base = int(ids.min()) if len(ids) else 0
    n_rows = int(ids.max()) - base + 1 if len(ids) else 0
    if n_rows != len(ids) or not _ascending(ids):
        occurred, code, thread = _by_row(ids, occurred, code, thread, base, n_rows)
    space.give_back(ids)
    del ids
    # Per row its valence, NaN where none (no array at all when none has one).
    sentiment = np.empty(0, np.float64)
    if len(valence_ids):
        sentiment = space.full("sentiment", n_rows, np.nan, np.float64)
        sentiment[valence_ids - base] = valences
    space.give_back(valence_ids, valences)
    if not _ascending(p_interaction):
        by_id = np.argsort(p_interaction, kind="stable")
        p_interaction, p_identity, p_role = (a[by_id] for a in (p_interaction, p_identity, p_role))
    person_of = _dense(identity_ids, identity_person, -1)
    n_persons = max(
        int(person_ids.max()) + 1 if len(person_ids) else 0,
        int(person_of.max()) + 1 if len(person_of) else 0,
    )
    is_me = np.zeros(n_persons, np.bool_)
    is_me[person_ids[person_is_me.astype(np.bool_)]] = True
    person_of[(person_of >= 0) & is_me[np.maximum(person_of, 0)]] = ME
    is_target = np.zeros(n_persons, np.int8)
    is_target[targets] = 1
    n_threads = int(thread.max()) + 1 if n_rows else 0
    child, parent = child_ids, parent_ids
    child -= base
    parent -= base
    lap("index")

    with ThreadPoolExecutor(WORKERS + 2) as pool:
        # The per-thread facts and my answers, beside the log (the kernels
        # release the GIL).
        thread_first = space.full("thread_first", n_threads, HIGH, np.int64)
        last_out = space.full("last_out", n_threads, LOW, np.int64)
        facts = pool.submit(
            _thread_facts, occurred, code, thread, base, now, thread_first, last_out
        )
        answered = space.zeros("answered", n_rows, np.int8)
        answered_job = pool.submit(_answered, child, parent, occurred, code, now, answered)
        # The log in two halves at an interaction's boundary, one per thread.
        half = len(p_interaction) // 2
        while 0 < half < len(p_interaction) and p_interaction[half] == p_interaction[half - 1]:
            half += 1
        # Where each row's people start in the log (int32 while they fit).
        offset = np.int32 if len(p_interaction) < np.iinfo(np.int32).max else np.int64
        count = space.zeros("log.count", n_rows + 1, offset)
        to_me = space.zeros("log.to_me", n_rows, np.int8)
        # Each half writes its stretch of one buffer (room for one row per
        # participant); the second half's rows then move down behind the first's.
        n_participants = len(p_interaction)
        person = space.empty("log.person", n_participants, np.int32)
        author = space.empty("log.author", n_participants, np.int8)
        halves = []
        scratches: list[np.ndarray] = []
        for k, (lo, hi) in enumerate(((0, half), (half, n_participants))):
            parts = (p_interaction[lo:hi], p_identity[lo:hi], p_role[lo:hi])
            scratch = (
                space.full(f"log{k}.seen", n_persons, -1, np.int64),
                space.empty(f"log{k}.slot", n_persons, np.int64),
            )
            scratches += scratch
            args = (*parts, base, occurred, person_of, n_persons, now, count, to_me)
            halves.append(pool.submit(_log, *args, person[lo:hi], author[lo:hi], *scratch))
        first_half, second_half = (job.result() for job in halves)
        space.give_back(p_interaction, p_identity, p_role, *scratches)
        del p_interaction, p_identity, p_role, halves, parts, args, scratch, scratches
        _move_down(person, first_half, half, second_half)
        _move_down(author, first_half, half, second_half)
        n_log = first_half + second_half
        person, author = person[:n_log], author[:n_log]
        start = np.cumsum(count, out=count, dtype=count.dtype)
        facts.result()
        answered_job.result()
        lap("log")
        # Replies and ties, each on a thread, the people's pass (on all) beside them.
        reply_job = pool.submit(
            _replies, child, parent, occurred, code, start, person, author, now, n_persons, space
        )
        tie_job = pool.submit(
            _tie_rows, start, person, is_target, occurred, thread, now, lam, space
        )
        rows_of = space.zeros("buckets.rows_of", n_persons, np.int64)
        bucket_of = space.empty("buckets.bucket_of", n_persons, np.int32)
        first, bounds = _bucket_bounds(person, BUCKET_ROWS, BUCKET_PEOPLE, rows_of, bucket_of)
        space.give_back(rows_of)
        # Each worker a stretch of buckets with about as many rows as the others.
        share = bounds[-1] * np.arange(WORKERS + 1) / WORKERS
        cuts = np.minimum(np.searchsorted(bounds, share), len(bounds) - 1)
        cuts[0], cuts[-1] = 0, len(bounds) - 1
        rec_person, rec_time, rec_code, rec_thread, rec_sentiment = space.columns(
            "records", n_log, [np.int32, np.int64, np.int16, np.int32, np.float64]
        )
        records: _Arrays5 = (rec_person, rec_time, rec_code, rec_thread, rec_sentiment)
        # One row per feature (each written in person order, read whole).
        counts = space.zeros("counts", (N_COUNTS, n_persons), np.int64)
        counts[list(_MINIMUMS)] = HIGH
        counts[list(_MAXIMUMS)] = LOW
        channels = space.zeros("channels", (len(CHANNELS), n_persons), np.int64)
        floats = space.zeros("floats", (N_FLOATS, n_persons), np.float64)
        gap = space.full("gap", n_persons, np.nan, np.float64)

        log: _Arrays4 = (start, person, author, to_me)
        rows: _Rows = (occurred, code, thread, sentiment, base, thread_first, last_out, answered)
        features: _Arrays4 = (counts, channels, floats, gap)
        jobs = [
            pool.submit(
                _bucket_worker,
                worker,
                log,
                rows,
                (bucket_of, first, bounds),
                cuts,
                records,
                features,
                now,
                lam,
                space,
            )
            for worker in range(WORKERS)
        ]
        for done in jobs:
            done.result()
        space.give_back(rec_person, thread_first, last_out, answered)
        del records, rows, thread_first, last_out, answered
        del rec_person, rec_time, rec_code, rec_thread, rec_sentiment
        lap("people")
        replies, tie_columns = reply_job.result(), tie_job.result()
        lap("replies and ties (the rest)")
    counts[C_MY_REPLIES], counts[C_THEIR_REPLIES] = replies[0], replies[2]
    columns, block = _relationship_table(
        space,
        np.sort(targets.astype(np.int64)),
        counts,
        channels,
        floats,
        (gap, replies[1], replies[3]),
        now,
        half_life_days,
    )
    _publish(con, "relationship", columns)
    lap("relationship table")
    tie, arrays = _tie_table(space, tie_columns, now, half_life_days)
    _publish(con, "tie", tie)
    _lend(con, space, [block, *arrays])
    lap("tables")
    return seconds


def _ascending(values: np.ndarray) -> bool:
    return bool(len(values) < 2 or np.all(values[1:] >= values[:-1]))


def _column(values: np.ndarray, missing: np.ndarray | None) -> pa.Array:
    """An Arrow column over ``values``' own memory (no copy), null where ``missing``."""
    kind = pa.float64() if values.dtype == np.float64 else pa.int64()
    validity = None
    if missing is not None and missing.any():
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(values)])


def _publish(con: Any, name: str, columns: dict[str, pa.Array]) -> None:
    """``columns`` as the table ``name`` of ``con`` (registered: DuckDB reads
    them where they are; a registered one before is gone, see ``_forget``)."""
    con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
    con.register(name, pa.table(columns))


def _lend(con: Any, space: Workspace, arrays: list[np.ndarray]) -> None:
    """Keep ``arrays`` (the results ``con`` has registered) out of ``space``
    until the next run on ``con``, or until ``con`` is gone."""
    key = id(con)
    space.lend(key, *arrays)
    if key not in _LENT:
        _LENT.add(key)
        weakref.finalize(con, _reclaim, space, key)


def _reclaim(space: Workspace, key: int) -> None:
    _LENT.discard(key)
    space.reclaim(key)


#: The SQL's ``relationship`` columns, in its order: ``int`` (or ``time``,
#: an int that is null when missing) or ``float`` (null when NaN).
_RELATIONSHIP = {
    "person_id": "int",
    "computed_at": "int",
    "half_life_days": "float",
    "interactions": "int",
    "n_in": "int",
    "n_out": "int",
    "n_among": "int",
    **{f"n_{name}": "int" for name in CHANNELS},
    "decayed": "float",
    "decayed_in": "float",
    "decayed_out": "float",
    "first_at": "time",
    "last_at": "time",
    "first_contact_at": "time",
    "last_contact_at": "time",
    "last_in_at": "time",
    "last_out_at": "time",
    "tenure_days": "float",
    "active_days": "int",
    "contact_days": "int",
    "median_gap_days": "float",
    "silence_days": "float",
    "cooling_ratio": "float",
    "my_replies": "int",
    "my_reply_median_s": "float",
    "their_replies": "int",
    "their_reply_median_s": "float",
    "waiting": "int",
    "oldest_waiting_at": "time",
    "gives_in": "int",
    "gives_out": "int",
    "give_balance": "int",
    "sentiment_n": "int",
    "sentiment_mean": "float",
    "negative_share": "float",
    "channels": "int",
    "public_share": "float",
    "threads": "int",
    "threads_started": "int",
    "started_share": "float",
}
#: The ``counts`` rows that are ``relationship`` columns as they are.
_COUNT_COLUMNS = {
    "interactions": C_INTERACTIONS,
    "n_in": C_IN,
    "n_out": C_OUT,
    "n_among": C_AMONG,
    "first_at": C_FIRST,
    "last_at": C_LAST,
    "first_contact_at": C_FIRST_CONTACT,
    "last_in_at": C_LAST_IN,
    "last_out_at": C_LAST_OUT,
    "active_days": C_ACTIVE_DAYS,
    "contact_days": C_CONTACT_DAYS,
    "my_replies": C_MY_REPLIES,
    "their_replies": C_THEIR_REPLIES,
    "waiting": C_WAITING,
    "oldest_waiting_at": C_OLDEST_WAITING,
    "gives_in": C_GIVES_IN,
    "gives_out": C_GIVES_OUT,
    "sentiment_n": C_SENTIMENT_N,
    "threads": C_THREADS,
    "threads_started": C_STARTED,
}
_FLOAT_COLUMNS = {"decayed": F_DECAYED, "decayed_in": F_DECAYED_IN, "decayed_out": F_DECAYED_OUT}


def _relationship_table(
    space: Workspace,
    targets: np.ndarray,
    counts: np.ndarray,
    channels: np.ndarray,
    floats: np.ndarray,
    medians: tuple[np.ndarray, np.ndarray, np.ndarray],
    now: int,
    half_life_days: float,
) -> tuple[dict[str, pa.Array], np.ndarray]:
    """The SQL's ``relationship`` rows, columns and types in its order, over
    one block of ``space`` (returned, to be given back once copied)."""
    n = len(targets)
    names = list(_RELATIONSHIP)
    block = space.empty("relationship", (len(names) + 1, n), np.int64)
    ints, reals = block, block.view(np.float64)
    col = {name: k for k, name in enumerate(names)}
    spare = len(names)  # one more row, for a count that is no column

    def take(row: np.ndarray, name: str) -> np.ndarray:
        out = reals[col[name]] if row.dtype == np.float64 else ints[col[name]]
        return np.take(row, targets, out=out)

    def since(name: str, out: str) -> None:
        values, days = ints[col[name]], reals[col[out]]
        np.subtract(now, values, out=days, dtype=np.float64)
        days /= DAY
        days[(values == LOW) | (values == HIGH)] = np.nan

    def ratio(num: np.ndarray, den: np.ndarray, out: str) -> None:
        """num / den, NaN (null) where den is 0, as ``NULLIF(den, 0)``."""
        values = reals[col[out]]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(num, den, out=values, dtype=np.float64)
        values[den == 0] = np.nan

    np.copyto(ints[col["person_id"]], targets, casting="unsafe")
    ints[col["computed_at"]].fill(now)
    reals[col["half_life_days"]].fill(float(half_life_days))
    for name, c in _COUNT_COLUMNS.items():
        take(counts[c], name)
    for name, f in _FLOAT_COLUMNS.items():
        take(floats[f], name)
    channels_used = ints[col["channels"]]
    channels_used.fill(0)
    for k, name in enumerate(CHANNELS):
        channels_used += take(channels[k], f"n_{name}") > 0
    gap, my_latency, their_latency = medians
    take(gap, "median_gap_days")
    take(my_latency, "my_reply_median_s")
    take(their_latency, "their_reply_median_s")
    np.maximum(ints[col["last_in_at"]], ints[col["last_out_at"]], out=ints[col["last_contact_at"]])
    since("first_at", "tenure_days")
    since("last_contact_at", "silence_days")
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(
            reals[col["silence_days"]],
            reals[col["median_gap_days"]],
            out=reals[col["cooling_ratio"]],
        )
    np.subtract(ints[col["gives_in"]], ints[col["gives_out"]], out=ints[col["give_balance"]])
    sentiment_n = ints[col["sentiment_n"]]
    ratio(
        np.take(floats[F_SENTIMENT_SUM], targets, out=reals[spare]), sentiment_n, "sentiment_mean"
    )
    ratio(np.take(counts[C_NEGATIVE_N], targets, out=ints[spare]), sentiment_n, "negative_share")
    ratio(
        np.take(counts[C_PUBLIC], targets, out=ints[spare]),
        ints[col["interactions"]],
        "public_share",
    )
    ratio(ints[col["threads_started"]], ints[col["threads"]], "started_share")

    columns: dict[str, pa.Array] = {}
    for name, kind in _RELATIONSHIP.items():
        if kind == "float":
            values = reals[col[name]]
            columns[name] = _column(values, np.isnan(values))
        else:
            values = ints[col[name]]
            missing = (values == LOW) | (values == HIGH) if kind == "time" else None
            columns[name] = _column(values, missing)
    return columns, block


def _tie_table(
    space: Workspace, columns: tuple[np.ndarray, ...], now: int, half_life_days: float
) -> tuple[dict[str, pa.Array], list[np.ndarray]]:
    """The SQL's ``tie`` rows, and the arrays of ``space`` they are over."""
    a, b, count, decayed, first, last, shared = columns
    n = len(a)
    stamp = space.full("tie.computed_at", n, now, np.int64)
    half_life = space.full("tie.half_life_days", n, float(half_life_days), np.float64)
    return {
        "person_a": _column(a, None),
        "person_b": _column(b, None),
        "computed_at": _column(stamp, None),
        "half_life_days": _column(half_life, None),
        "interactions": _column(count, None),
        "decayed": _column(decayed, np.isnan(decayed)),
        "first_at": _column(first, None),
        "last_at": _column(last, None),
        "shared_threads": _column(shared, None),
    }, [*columns, stamp, half_life]
