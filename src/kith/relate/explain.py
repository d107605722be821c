"""What each score is: its formula, its source, how sure we are, what was measured.

Every score module defines one ``Explanation`` (``EXPLANATION``); ``SCORES``
lists them for ``kith explain`` and the web app. ``status`` uses the words of
shared SCIENCE.md: *read* (the primary source or its abstract was read),
*second-hand*, *unverified*, *proposal* (a starting point of ours).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Explanation:
    name: str
    title: str
    formula: str
    source: str
    status: str
    validation: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        return (
            f"{self.name}: {self.title}\n\n"
            f"Formula\n{_indent(self.formula)}\n\n"
            f"Source\n{_indent(self.source)}\n\n"
            f"How sure\n{_indent(self.status)}\n\n"
            f"Validation\n{_indent(self.validation)}\n"
        )


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.strip().splitlines())
