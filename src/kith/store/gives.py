"""Gives that e-mail shows by its shape: introductions.

An e-mail carries no "this is an introduction" field, but an introduction
has a shape and words: someone writes to me, not in reply to anything, to a
handful of people at most (``MAX_RECIPIENTS``), putting in To or Cc a person
the ledger has never seen before that moment, and the subject or the first
lines say so ("Intro: Sam <> Ana", "meet", "introducing", "cc'ing", "sent
them your way": ``kith.signals.intro``). The shape alone is not enough: in Enron mail it
also catches forwards and memos to new colleagues (102 of 396 inbound
messages; none with the recipient cap and the words:
``bench/bench_introductions.py``). The message becomes an interaction of
kind ``intro``: a give of its author (counted in
``gives_in`` by the feature pipeline, thanked by `kith today`), and the
record of who brought whom (``kith.relate``'s referrals).

The rule looks at one import run's new messages after the run is stored
(every message of the run is in the ledger, so "never seen before" includes
what the run itself brought). A later import of older mail can show that the
"new" person was known after all; the message keeps its kind (the rule does
not run twice over the same messages), which ``docs/design.md`` notes.
"""

from __future__ import annotations

from typing import Any

from kith.signals.intro import says_introduction
from kith.store.ids import chunks
from kith.store.sql import as_db

#: An introduction is personal: at most this many people in To and Cc (me included).
MAX_RECIPIENTS = 4


#: Inbound first messages of ids ``lo``..``hi`` of one run that bring in a
#: recipient nobody wrote with before; the recipient did not write it.
_INTRODUCTIONS = """
SELECT DISTINCT i.id, i.subject, i.body FROM interaction i
JOIN participant pa ON pa.interaction_id = i.id AND pa.role IN ('to', 'cc')
JOIN identity idn ON idn.id = pa.identity_id
JOIN person p ON p.id = idn.person_id
WHERE i.id BETWEEN :lo AND :hi AND i.import_id = :run
  AND i.channel = 'email' AND i.direction = 'in' AND i.kind = 'message' AND NOT i.is_reply
  AND NOT p.is_me
  AND (SELECT COUNT(*) FROM participant r WHERE r.interaction_id = i.id
       AND r.role IN ('to', 'cc')) <= :most
  AND NOT EXISTS (
    SELECT 1 FROM participant fa JOIN identity fi ON fi.id = fa.identity_id
    WHERE fa.interaction_id = i.id AND fa.role = 'from' AND fi.person_id = p.id)
  AND NOT EXISTS (
    SELECT 1 FROM identity i2 JOIN participant p2 ON p2.identity_id = i2.id
    JOIN interaction x ON x.id = p2.interaction_id
    WHERE i2.person_id = p.id AND x.occurred_at < i.occurred_at)
"""


def shaped_like_introductions(
    conn: Any, *, run: int, lo: int, hi: int, most: int = MAX_RECIPIENTS
) -> list[tuple[int, str | None, str | None]]:
    """(id, subject, body) of the run's messages ``lo``..``hi`` that have an
    introduction's shape, to at most ``most`` people in To and Cc."""
    params = {"run": run, "lo": lo, "hi": hi, "most": most}
    return [
        (int(iid), subject, body) for iid, subject, body in as_db(conn).rows(_INTRODUCTIONS, params)
    ]


def mark_introductions(conn: Any, *, run: int, lo: int, hi: int) -> int:
    """Give kind ``intro`` to the introductions among the run's interactions
    ``lo``..``hi`` (see the module docstring); returns how many."""
    db = as_db(conn)
    ids = [
        iid
        for iid, subject, body in shaped_like_introductions(db, run=run, lo=lo, hi=hi)
        if says_introduction(subject, body)
    ]
    for part in chunks(ids):
        db.execute(
            "UPDATE interaction SET kind = 'intro' WHERE id IN :ids", {"ids": list(part)}
        ).close()
    return len(ids)
