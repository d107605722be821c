"""Writing a sample world to disk: three mbox files and the truth beside them.

``write_mbox`` files each message where a mail client would: ``inbox.mbox``
(mail to Sam), ``sent.mbox`` (mail from Sam) and ``lists.mbox`` (the Makers
Guild list, Sam's own posts included, as the list sends them back). The
files are mboxrd: a body line starting with ``From `` (or ``>From ``) gains a
``>``, and every message opens with a ``From sender date`` envelope line.
"""

from __future__ import annotations

import json
from pathlib import Path

from kith.sample.entities import Folder
from kith.sample.render import mbox_entry, render_message
from kith.sample.world import SampleWorld

FOLDERS: tuple[Folder, ...] = ("inbox", "sent", "lists")


def write_mbox(world: SampleWorld, folder: Path) -> list[Path]:
    """Write ``inbox.mbox``, ``sent.mbox`` and ``lists.mbox`` into ``folder``; return their paths.

    ``folder`` is created if needed; existing files are replaced. Messages are
    in date order; the output depends only on ``world``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in FOLDERS:
        path = folder / f"{name}.mbox"
        with path.open("wb") as out:
            for msg in world.messages:
                if msg.folder == name:
                    out.write(mbox_entry(msg.sender.email, msg.date, render_message(msg)))
        paths.append(path)
    return paths


def write_truth(world: SampleWorld, folder: Path) -> list[Path]:
    """Write ``truth.json`` (the planted patterns) and ``people.json``; return their paths.

    ``people.json`` is a list of ``{name, email, role, tier, reach}`` in the
    world's order. ``truth.json`` holds the seed, the end, the owner's
    addresses, ``patterns`` (``SampleWorld.truth``) and ``counts``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    truth = {
        "seed": world.seed,
        "end": world.end.isoformat(),
        "days": world.days,
        "owner": {"name": world.owner.name, "email": world.owner.email},
        "owner_aliases": [a.email for a in world.owner_aliases],
        "list_id": world.list_id,
        "patterns": world.truth,
        "counts": world.summary(),
    }
    people = [
        {"name": p.name, "email": p.email, "role": p.role, "tier": p.tier, "reach": p.reach}
        for p in world.people
    ]
    paths = []
    for name, data in (("truth.json", truth), ("people.json", people)):
        path = folder / name
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
