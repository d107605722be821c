"""The feature definitions: written once, as SQL in DuckDB's dialect, run by
both engines (DuckDB as written; Spark after SQLGlot transpiles each step).

Every step is one ``SELECT`` over the inputs and the steps before it, so an
engine only has to make each step a named relation (DuckDB: a temporary
table; Spark: a cached temporary view). The first, ``LOG``, is the
interaction × person log; it depends on neither ``now`` nor the settings, so
DuckDB keeps it (appended to as interactions arrive) and Spark computes it.
The SQL keeps to what both engines mean the same by: explicit casts to ``DOUBLE`` before dividing,
``FLOOR`` for whole days, ``MEDIAN`` (both interpolate between the two middle
values), no order-dependent aggregates (a thread's starter is its earliest
interaction, ties broken by the smaller id, in two plain aggregations).

The inputs, the same columns in both engines (``kith.analytics.mirror``
builds them from the ledger; ``export-parquet`` writes them for Spark):

- ``person(id, is_me, merged_into)``
- ``identity(id, person_id)``
- ``interaction(id, source_key, parent_key, channel, kind, direction,
  occurred_at, thread_id, is_public, sentiment)``: ``source_key`` is a 63-bit
  hash of ``(source, source_id)`` and ``parent_key`` the same hash of
  ``(source, parent_ref)``, so a reply finds its parent by an integer join;
  ``is_public`` is true in a public circle or with ``extra`` visibility
  public; ``sentiment`` the VADER compound of the body's own words
  (``kith.signals.valence``), null for my own messages and when no body
  is stored.
- ``participant(interaction_id, identity_id, role)``
- ``target(person_id)``: whose relationship rows (and ties among whom) to
  produce: everyone but me and the merged on a full run; the touched people
  on an incremental one.

Parameters: ``now`` (epoch seconds; interactions after it are ignored) and
the half-life of the decayed counts. Nothing else varies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kith.model import ABOUT_ME_AMONG_KINDS, ANSWERABLE_KINDS, GIVE_KINDS, GIVE_TO_ME_SQL
from kith.signals.valence import NEGATIVE_COMPOUND as NEGATIVE_COMPOUND
from kith.units import DAY

#: Channels counted one by one (``kith.model.Channel``).
CHANNELS = (
    "email",
    "social",
    "comment",
    "meeting",
    "call",
    "purchase",
    "referral",
    "intro",
    "note",
)
#: The most people (besides me) an interaction may have and still tie them to
#: each other: a message to a long list or a company-wide meeting is an
#: audience, not a clique (1,041 Enron messages made 440,832 ties without this
#: cap). Within it, each interaction counts 1/(n - 1) to a tie's ``decayed``
#: weight, as each co-author of an n-author paper does in Newman's weighted
#: collaboration networks (Newman 2001, Phys. Rev. E 64, 016132): a private
#: exchange between two weighs as much as ten people's group thread.
MAX_TIE_PEOPLE = 25
#: Interaction ids stay below this (2**31), so (time, id) packs into one BIGINT.
ID_SPAN = 2**31


@dataclass(frozen=True, slots=True)
class Step:
    """One named relation of the pipeline."""

    name: str
    sql: str


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


#: The log: one row per interaction and person other than me, with what the
#: features need of the interaction. It depends on no ``now`` and no setting,
#: and each interaction's rows only on that interaction's participants, so
#: the DuckDB engine keeps it in the mirror and appends to it as interactions
#: arrive (``kith.analytics.mirror``); Spark computes it with the features.
LOG = Step(
    "log",
    """
SELECT w.interaction_id, w.person_id, w.is_author,
  CAST(COUNT(*) OVER (PARTITION BY w.interaction_id) AS BIGINT) AS n_people,
  CASE WHEN m.to_cc = 1 OR (i.direction = 'in' AND m.interaction_id IS NULL)
    THEN 1 ELSE 0 END AS to_me,
  i.occurred_at, i.direction, i.channel, i.kind, i.thread_id, i.is_public, i.sentiment,
  i.source_key
FROM (
  SELECT pa.interaction_id, idn.person_id,
    MAX(CASE WHEN pa.role = 'from' THEN 1 ELSE 0 END) AS is_author
  FROM participant pa JOIN identity idn ON idn.id = pa.identity_id
  WHERE idn.person_id NOT IN (SELECT id FROM person WHERE is_me)
  GROUP BY pa.interaction_id, idn.person_id
) w
JOIN interaction i ON i.id = w.interaction_id
LEFT JOIN (
  SELECT pa.interaction_id,
    MAX(CASE WHEN pa.role IN ('to', 'cc') THEN 1 ELSE 0 END) AS to_cc
  FROM participant pa JOIN identity idn ON idn.id = pa.identity_id
  WHERE idn.person_id IN (SELECT id FROM person WHERE is_me)
  GROUP BY pa.interaction_id
) m ON m.interaction_id = w.interaction_id""",
)


def steps(now: int, half_life_days: float) -> list[Step]:
    """The feature steps for ``now`` and ``half_life_days``, over ``log`` (see
    ``LOG``), ``interaction`` and ``target``; the last two are ``relationship``
    and ``tie``, the rows written back to the ledger."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    lam = repr(math.log(2) / (half_life_days * DAY))
    hl = repr(float(half_life_days))
    gives = _in(GIVE_KINDS)
    channel_counts = ",\n  ".join(
        f"COUNT(CASE WHEN channel = '{c}' THEN 1 END) AS n_{c}" for c in CHANNELS
    )
    channel_cols = ",\n  ".join(f"CAST(COALESCE(a.n_{c}, 0) AS BIGINT) AS n_{c}" for c in CHANNELS)
    multiplexity = " + ".join(
        f"CASE WHEN COALESCE(a.n_{c}, 0) > 0 THEN 1 ELSE 0 END" for c in CHANNELS
    )
    theirs = GIVE_TO_ME_SQL
    # Their words to me: the tone scores read what they wrote to me, and among
    # others only what is about me (a post among others is about anything).
    to_me = (
        f"is_author = 1 AND (direction = 'in' OR (direction = 'among' "
        f"AND kind IN {_in(ABOUT_ME_AMONG_KINDS)}))"
    )
    return [
        # Counts are COUNT(CASE … THEN 1 END), not SUM(CASE … 1 ELSE 0): DuckDB
        # sums integers into 128-bit HUGEINTs, slower than counting.
        Step(
            "agg",
            f"""
SELECT person_id,
  COUNT(*) AS interactions,
  COUNT(CASE WHEN direction = 'in' THEN 1 END) AS n_in,
  COUNT(CASE WHEN direction = 'out' THEN 1 END) AS n_out,
  COUNT(CASE WHEN direction = 'among' THEN 1 END) AS n_among,
  {channel_counts},
  SUM(w) AS decayed,
  SUM(CASE WHEN direction = 'in' THEN w ELSE 0 END) AS decayed_in,
  SUM(CASE WHEN direction = 'out' THEN w ELSE 0 END) AS decayed_out,
  MIN(occurred_at) AS first_at,
  MAX(occurred_at) AS last_at,
  MIN(CASE WHEN direction IN ('in', 'out') THEN occurred_at END) AS first_contact_at,
  MAX(CASE WHEN direction IN ('in', 'out') THEN occurred_at END) AS last_contact_at,
  MAX(CASE WHEN direction = 'in' THEN occurred_at END) AS last_in_at,
  MAX(CASE WHEN direction = 'out' THEN occurred_at END) AS last_out_at,
  COUNT(CASE WHEN is_public THEN 1 END) AS n_public,
  COUNT(CASE WHEN kind IN {gives} AND {theirs} THEN 1 END) AS gives_in,
  COUNT(CASE WHEN kind IN {gives} AND direction = 'out' THEN 1 END) AS gives_out,
  COUNT(CASE WHEN {to_me} THEN sentiment END) AS sentiment_n,
  AVG(CASE WHEN {to_me} THEN sentiment END) AS sentiment_mean,
  COUNT(CASE WHEN {to_me} AND sentiment <= {NEGATIVE_COMPOUND} THEN 1 END) AS negative_n
FROM (
  SELECT person_id, occurred_at, direction, channel, kind, is_author, is_public, sentiment,
    EXP(-{lam} * CAST({now} - occurred_at AS DOUBLE)) AS w
  FROM log WHERE occurred_at <= {now}
) l
GROUP BY person_id""",
        ),
        # Per thread: its earliest interaction (time and id packed in one BIGINT,
        # the smaller id on a tie; ids below 2**31) and my last message in it.
        Step(
            "thread_facts",
            f"""
SELECT thread_id, MIN(occurred_at * {ID_SPAN} + id) AS first_key,
  MAX(CASE WHEN direction = 'out' THEN occurred_at END) AS last_out_at
FROM interaction
WHERE thread_id IS NOT NULL AND occurred_at <= {now}
GROUP BY thread_id""",
        ),
        # Per person and thread: the earliest interaction they wrote in it, packed
        # the same way; they started the thread when it is the thread's first.
        Step(
            "person_threads",
            f"""
SELECT person_id, thread_id,
  MIN(CASE WHEN is_author = 1 THEN occurred_at * {ID_SPAN} + interaction_id END) AS first_key
FROM log
WHERE thread_id IS NOT NULL AND occurred_at <= {now}
GROUP BY person_id, thread_id""",
        ),
        Step(
            "threads",
            """
SELECT pt.person_id, COUNT(*) AS threads,
  COUNT(CASE WHEN pt.first_key = tf.first_key THEN 1 END) AS threads_started
FROM person_threads pt JOIN thread_facts tf ON tf.thread_id = pt.thread_id
GROUP BY pt.person_id""",
        ),
        # Days (UTC) with any interaction; contact days are those with one in or out.
        Step(
            "days",
            f"""
SELECT person_id, CAST(FLOOR(occurred_at / {DAY}) AS BIGINT) AS day,
  MAX(CASE WHEN direction IN ('in', 'out') THEN 1 ELSE 0 END) AS contact
FROM log WHERE occurred_at <= {now}
GROUP BY person_id, CAST(FLOOR(occurred_at / {DAY}) AS BIGINT)""",
        ),
        Step(
            "cadence",
            """
SELECT person_id, COUNT(*) AS active_days, COUNT(CASE WHEN contact = 1 THEN 1 END) AS contact_days
FROM days GROUP BY person_id""",
        ),
        # The usual gap: the median of the gaps between consecutive contact days.
        Step(
            "gaps",
            """
SELECT person_id, MEDIAN(gap) AS median_gap_days
FROM (
  SELECT person_id, day - LAG(day) OVER (PARTITION BY person_id ORDER BY day) AS gap
  FROM days WHERE contact = 1
) g
WHERE gap IS NOT NULL
GROUP BY person_id""",
        ),
        # A reply and its parent, one of them mine: the parent_ref → source_id join.
        Step(
            "reply_pairs",
            f"""
SELECT c.id AS child_id, c.direction AS child_direction, c.occurred_at AS child_at,
  p.id AS parent_id, p.occurred_at AS parent_at
FROM interaction c JOIN interaction p ON p.source_key = c.parent_key
WHERE c.parent_key IS NOT NULL AND c.occurred_at <= {now} AND p.occurred_at <= {now}
  AND ((c.direction = 'out' AND p.direction = 'in')
    OR (c.direction = 'in' AND p.direction = 'out'))""",
        ),
        # My first reply to each message of theirs, and their first reply to each
        # message of mine, per person.
        Step(
            "latency",
            """
SELECT person_id,
  MEDIAN(CASE WHEN mine = 1 THEN latency END) AS my_reply_median_s,
  COUNT(CASE WHEN mine = 1 THEN 1 END) AS my_replies,
  MEDIAN(CASE WHEN mine = 0 THEN latency END) AS their_reply_median_s,
  COUNT(CASE WHEN mine = 0 THEN 1 END) AS their_replies
FROM (
  SELECT l.person_id, 1 AS mine, r.latency
  FROM (
    SELECT parent_id, GREATEST(MIN(child_at) - MIN(parent_at), 0) AS latency
    FROM reply_pairs WHERE child_direction = 'out' GROUP BY parent_id
  ) r
  JOIN log l ON l.interaction_id = r.parent_id AND l.is_author = 1
  UNION ALL
  SELECT l.person_id, 0 AS mine, GREATEST(MIN(r.child_at) - MIN(r.parent_at), 0) AS latency
  FROM reply_pairs r
  JOIN log l ON l.interaction_id = r.child_id AND l.is_author = 1
  WHERE r.child_direction = 'in'
  GROUP BY l.person_id, r.parent_id
) t
GROUP BY person_id""",
        ),
        # Waiting on me: their message to me (to/cc, or a reply to mine), no later
        # message of mine in its thread and no reply of mine to it.
        Step(
            "waiting",
            f"""
SELECT l.person_id, COUNT(*) AS waiting, MIN(l.occurred_at) AS oldest_waiting_at
FROM log l
LEFT JOIN thread_facts t ON t.thread_id = l.thread_id
WHERE l.direction = 'in' AND l.is_author = 1 AND l.to_me = 1
  AND l.kind IN {_in(ANSWERABLE_KINDS)} AND l.occurred_at <= {now}
  AND (t.last_out_at IS NULL OR t.last_out_at < l.occurred_at)
  AND l.source_key NOT IN (
    SELECT parent_key FROM interaction
    WHERE direction = 'out' AND parent_key IS NOT NULL AND occurred_at <= {now})
GROUP BY l.person_id""",
        ),
        Step(
            "relationship",
            f"""
SELECT
  CAST(tg.person_id AS BIGINT) AS person_id,
  CAST({now} AS BIGINT) AS computed_at,
  CAST({hl} AS DOUBLE) AS half_life_days,
  CAST(COALESCE(a.interactions, 0) AS BIGINT) AS interactions,
  CAST(COALESCE(a.n_in, 0) AS BIGINT) AS n_in,
  CAST(COALESCE(a.n_out, 0) AS BIGINT) AS n_out,
  CAST(COALESCE(a.n_among, 0) AS BIGINT) AS n_among,
  {channel_cols},
  CAST(COALESCE(a.decayed, 0) AS DOUBLE) AS decayed,
  CAST(COALESCE(a.decayed_in, 0) AS DOUBLE) AS decayed_in,
  CAST(COALESCE(a.decayed_out, 0) AS DOUBLE) AS decayed_out,
  CAST(a.first_at AS BIGINT) AS first_at,
  CAST(a.last_at AS BIGINT) AS last_at,
  CAST(a.first_contact_at AS BIGINT) AS first_contact_at,
  CAST(a.last_contact_at AS BIGINT) AS last_contact_at,
  CAST(a.last_in_at AS BIGINT) AS last_in_at,
  CAST(a.last_out_at AS BIGINT) AS last_out_at,
  CAST({now} - a.first_at AS DOUBLE) / {DAY} AS tenure_days,
  CAST(COALESCE(c.active_days, 0) AS BIGINT) AS active_days,
  CAST(COALESCE(c.contact_days, 0) AS BIGINT) AS contact_days,
  CAST(g.median_gap_days AS DOUBLE) AS median_gap_days,
  CAST({now} - a.last_contact_at AS DOUBLE) / {DAY} AS silence_days,
  (CAST({now} - a.last_contact_at AS DOUBLE) / {DAY})
    / CAST(g.median_gap_days AS DOUBLE) AS cooling_ratio,
  CAST(COALESCE(lt.my_replies, 0) AS BIGINT) AS my_replies,
  CAST(lt.my_reply_median_s AS DOUBLE) AS my_reply_median_s,
  CAST(COALESCE(lt.their_replies, 0) AS BIGINT) AS their_replies,
  CAST(lt.their_reply_median_s AS DOUBLE) AS their_reply_median_s,
  CAST(COALESCE(w.waiting, 0) AS BIGINT) AS waiting,
  CAST(w.oldest_waiting_at AS BIGINT) AS oldest_waiting_at,
  CAST(COALESCE(a.gives_in, 0) AS BIGINT) AS gives_in,
  CAST(COALESCE(a.gives_out, 0) AS BIGINT) AS gives_out,
  CAST(COALESCE(a.gives_in, 0) - COALESCE(a.gives_out, 0) AS BIGINT) AS give_balance,
  CAST(COALESCE(a.sentiment_n, 0) AS BIGINT) AS sentiment_n,
  CAST(a.sentiment_mean AS DOUBLE) AS sentiment_mean,
  CAST(a.negative_n AS DOUBLE) / CAST(NULLIF(a.sentiment_n, 0) AS DOUBLE) AS negative_share,
  CAST({multiplexity} AS BIGINT) AS channels,
  CAST(a.n_public AS DOUBLE) / CAST(NULLIF(a.interactions, 0) AS DOUBLE) AS public_share,
  CAST(COALESCE(th.threads, 0) AS BIGINT) AS threads,
  CAST(COALESCE(th.threads_started, 0) AS BIGINT) AS threads_started,
  CAST(COALESCE(th.threads_started, 0) AS DOUBLE)
    / CAST(NULLIF(th.threads, 0) AS DOUBLE) AS started_share
FROM target tg
LEFT JOIN agg a ON a.person_id = tg.person_id
LEFT JOIN threads th ON th.person_id = tg.person_id
LEFT JOIN cadence c ON c.person_id = tg.person_id
LEFT JOIN gaps g ON g.person_id = tg.person_id
LEFT JOIN latency lt ON lt.person_id = tg.person_id
LEFT JOIN waiting w ON w.person_id = tg.person_id""",
        ),
        # Ties: two people (neither me) in the same interaction, in any role, of at
        # most MAX_TIE_PEOPLE people; each counts 1/(n - 1) toward ``decayed``.
        Step(
            "tie",
            f"""
SELECT
  CAST(a.person_id AS BIGINT) AS person_a,
  CAST(b.person_id AS BIGINT) AS person_b,
  CAST({now} AS BIGINT) AS computed_at,
  CAST({hl} AS DOUBLE) AS half_life_days,
  CAST(COUNT(*) AS BIGINT) AS interactions,
  CAST(SUM(
    EXP(-{lam} * CAST({now} - a.occurred_at AS DOUBLE)) / CAST(a.n_people - 1 AS DOUBLE)
  ) AS DOUBLE) AS decayed,
  CAST(MIN(a.occurred_at) AS BIGINT) AS first_at,
  CAST(MAX(a.occurred_at) AS BIGINT) AS last_at,
  CAST(COUNT(DISTINCT a.thread_id) AS BIGINT) AS shared_threads
FROM (
  SELECT interaction_id, person_id, occurred_at, thread_id, n_people FROM log
  WHERE n_people > 1 AND n_people <= {MAX_TIE_PEOPLE} AND occurred_at <= {now}
    AND person_id IN (SELECT person_id FROM target)
) a
JOIN (
  SELECT interaction_id, person_id FROM log
  WHERE n_people > 1 AND n_people <= {MAX_TIE_PEOPLE} AND occurred_at <= {now}
    AND person_id IN (SELECT person_id FROM target)
) b ON b.interaction_id = a.interaction_id AND a.person_id < b.person_id
GROUP BY a.person_id, b.person_id""",
        ),
    ]


#: Names of the steps whose rows are written back, in order.
RESULTS = ("relationship", "tie")
