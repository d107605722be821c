"""Small integer codes for an interaction's direction, channel and flags, and
for a participant's role: computed once when a row enters the analytics
mirror (``kith.analytics.mirror``), read by the compiled full run
(``kith.analytics.compiled``) instead of comparing strings on every run.

An interaction's ``code``: direction in bits 0-1 (in 0, out 1, among 2),
channel in bits 2-5 (its 1-based place in ``definition.CHANNELS``, 0 for
none), then a give (bit 6), a message one can answer (bit 7), public (bit 8).
A participant's ``role_code``: 1 the author (from), 2 an addressee (to or
cc), 0 anything else.
"""

from __future__ import annotations

from kith.analytics.definition import CHANNELS
from kith.model import ANSWERABLE_KINDS, GIVE_KINDS

IN, OUT, AMONG = 0, 1, 2
GIVE, ANSWERABLE, PUBLIC = 1 << 6, 1 << 7, 1 << 8
OTHER, AUTHOR, ADDRESSEE = 0, 1, 2


def _quoted(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def interaction_code(direction: str, channel: str, kind: str, is_public: str) -> str:
    """SQL for an interaction's code, from SQL expressions for its columns."""
    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    return f"""CAST(
    CASE {direction} WHEN 'in' THEN {IN} WHEN 'out' THEN {OUT} WHEN 'among' THEN {AMONG}
      ELSE 3 END
    + 4 * COALESCE(list_position([{channels}], {channel}), 0)
    + CASE WHEN {kind} IN {_quoted(GIVE_KINDS)} THEN {GIVE} ELSE 0 END
    + CASE WHEN {kind} IN {_quoted(ANSWERABLE_KINDS)} THEN {ANSWERABLE} ELSE 0 END
    + CASE WHEN {is_public} THEN {PUBLIC} ELSE 0 END AS SMALLINT)"""


def role_code(role: str) -> str:
    """SQL for a participant's role code, from an SQL expression for its role."""
    return (
        f"CAST(CASE {role} WHEN 'from' THEN {AUTHOR} WHEN 'to' THEN {ADDRESSEE} "
        f"WHEN 'cc' THEN {ADDRESSEE} ELSE {OTHER} END AS TINYINT)"
    )
