"""What ``kith.connect`` proposes for ``kith today``: the queue
(``kith.attention.candidates.proposed``) makes each an item, with its id,
minutes and tier, as it makes its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Proposal:
    """Something to do for someone: its kind, what it is about (``anchor``:
    a new situation is a new item), since when it is due, and why."""

    kind: str
    person_id: int
    person: str
    anchor: str
    due_since: int
    urgency: float
    reason: str
    context: dict[str, Any] = field(default_factory=dict)
