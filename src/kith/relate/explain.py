"""What each score is: its formula, its source, how sure we are, what was measured.

Every score module defines one ``Explanation`` (``EXPLANATION``); ``SCORES``
lists them for ``kith explain`` and the web app. ``status`` uses the words of
the project's science notes (``docs/science.md``): *read* (the primary source
or its abstract was read), *second-hand*, *unverified*, *proposal* (a starting
point of ours); ``notes`` names the section of those notes the score rests on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: The project's science notes, which every explanation cites (a path in the project).
SCIENCE_NOTES = "docs/science.md"


@dataclass(frozen=True, slots=True)
class Explanation:
    """What one score is. ``name`` is the word the person view and ``kith
    relationships`` show for it; ``aliases`` are other words shown for the
    same score (a column of ``kith relationships``), which ``kith explain``
    also takes; ``notes`` is the section of ``SCIENCE_NOTES`` it rests on."""

    name: str
    title: str
    formula: str
    source: str
    status: str
    validation: str
    notes: str
    aliases: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return (
            f"{self.name}: {self.title}\n\n"
            f"Formula\n{_indent(self.formula)}\n\n"
            f"Source\n{_indent(self.source)}\n"
            f'  (notes: {SCIENCE_NOTES}, section "{self.notes}")\n\n'
            f"How sure\n{_indent(self.status)}\n\n"
            f"Validation\n{_indent(self.validation)}\n"
        )


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.strip().splitlines())
