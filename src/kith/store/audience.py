"""Reads for ``kith audience``: how my messages and minutes went, per person
and quarter (``kith.matching.audience``)."""

from __future__ import annotations

from kith.store.sql import Db

#: Messages to and from each person, by quarter (1: the last, 0: the one
#: before), direction and whether it was a reply.
_MESSAGES = """
SELECT idn.person_id, CASE WHEN i.occurred_at > :middle THEN 1 ELSE 0 END,
       i.direction, i.is_reply, COUNT(DISTINCT i.id)
FROM interaction i
JOIN participant pa ON pa.interaction_id = i.id
JOIN identity idn ON idn.id = pa.identity_id
JOIN person p ON p.id = idn.person_id
WHERE i.occurred_at > :start AND i.occurred_at <= :end AND i.direction IN ('in', 'out')
  AND NOT p.is_me AND p.merged_into IS NULL
GROUP BY idn.person_id, CASE WHEN i.occurred_at > :middle THEN 1 ELSE 0 END,
         i.direction, i.is_reply
"""

#: Minutes recorded as done on ``kith today``'s items, by person and quarter.
_MINUTES = """
SELECT person_id, CASE WHEN at > :middle THEN 1 ELSE 0 END, SUM(minutes)
FROM attention_action
WHERE action = 'done' AND at > :start AND at <= :end
GROUP BY person_id, CASE WHEN at > :middle THEN 1 ELSE 0 END
"""


def activity(
    db: Db, start: int, middle: int, end: int
) -> tuple[list[tuple[int, int, str, bool, int]], list[tuple[int, int, int]]]:
    """(person, quarter, direction, is reply, messages) and (person, quarter,
    minutes) between ``start`` and ``end``; quarter 1 is after ``middle``."""
    params = {"start": start, "middle": middle, "end": end}
    messages = [
        (int(p), int(q), str(d), bool(r), int(n)) for p, q, d, r, n in db.rows(_MESSAGES, params)
    ]
    minutes = [(int(p), int(q), int(m or 0)) for p, q, m in db.rows(_MINUTES, params)]
    return messages, minutes
