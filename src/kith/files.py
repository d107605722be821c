"""The files kith keeps are the owner's alone: 0600 files in 0700 folders.

A ledger holds everyone's mail. Under the usual umask (022) a new file would
be readable by every local user, so kith sets the mode itself when it
creates the ledger (``kith.store.db``), the DuckDB analytics mirror
(``kith.analytics.mirror``), the web app's job files and uploads
(``kith.web.jobs``) and the login's password hash (``kith.web.security``).
Folders kith creates are 0700; folders that already exist keep their mode
(the owner chose it: ``--db ~/Documents/kith.db`` must not lock up
``~/Documents``).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Read and write for the owner only.
PRIVATE_FILE = 0o600
#: Enter, list and write for the owner only.
PRIVATE_FOLDER = 0o700


def private_folder(path: Path) -> Path:
    """Create ``path`` and its missing parents, each 0700; existing ones are left alone."""
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # made by another process meanwhile: theirs to set
            continue
        os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode passes through the umask
    return path


def create_private(path: Path) -> bool:
    """Create ``path`` as an empty 0600 file (and its folder, 0700) unless it
    exists; True when it was created here."""
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.fchmod(fd, PRIVATE_FILE)  # os.open's mode passes through the umask too
    os.close(fd)
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (replacing it) readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), PRIVATE_FILE)
        out.write(data)
