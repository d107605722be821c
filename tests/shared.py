"""Where the real corpora are: one setting, ``KITH_SHARED_DATA``.

Some tests read real archives and exports (the Apache and Enron mail, the
vCard, iCalendar, social and community samples, the temporal networks) that
are too big to live in the project. They are found at ``$KITH_SHARED_DATA``,
by default ``../shared/data`` beside the project's root. Where the folder is
missing those tests are skipped, saying so, and fail under ``CI=true``; the
tests written against the project's own files in ``tests/data`` run anyway.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The environment variable naming the real corpora's folder.
ENV = "KITH_SHARED_DATA"
ROOT = Path(__file__).resolve().parents[1]
#: Where the corpora are looked for when ``KITH_SHARED_DATA`` is not set.
DEFAULT = ROOT.parent / "shared" / "data"


def _configured() -> Path:
    value = os.environ.get(ENV)
    return Path(value).expanduser() if value else DEFAULT


#: The real corpora's folder (it may be missing: see ``available``).
SHARED_DATA = _configured()
#: Why the tests that read it cannot run.
MISSING = f"real corpora not found at {SHARED_DATA}; set {ENV}"


def available() -> bool:
    """True when the real corpora's folder exists."""
    return SHARED_DATA.is_dir()


def require() -> Path:
    """The real corpora's folder; skips the calling test when it is missing
    (fails it under ``CI=true``, where the corpora must be present)."""
    if not available():
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    return SHARED_DATA


#: Marks a test that reads the real corpora without taking the ``shared_data`` fixture.
needs_shared_data = pytest.mark.usefixtures("shared_data")
