"""The one list of importers, and choosing one by a file's content.

Built-ins are named here; third-party importers join through the entry-point
group ``kith.importers`` (each entry point names an ``Importer`` subclass).
A broken plugin is reported and left out; it cannot take kith down.
"""

from __future__ import annotations

import importlib
import logging
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from kith.errors import UnknownFormatError
from kith.ingest.base import Importer

log = logging.getLogger(__name__)

#: Built-in importers, most specific first (a folder that is a Maildir is not
#: looked into file by file).
BUILTINS: tuple[str, ...] = (
    "kith.ingest.kith_export:KithExportImporter",
    "kith.ingest.x_archive:XArchiveImporter",
    "kith.ingest.mastodon:MastodonImporter",
    "kith.ingest.stackexchange:StackExchangeImporter",
    "kith.ingest.wordpress:WordPressImporter",
    "kith.ingest.discourse:DiscourseImporter",
    "kith.ingest.maildir:MaildirImporter",
    "kith.ingest.vcard:VCardImporter",
    "kith.ingest.ics:IcsImporter",
    "kith.ingest.contacts_csv:GoogleContactsImporter",
    "kith.ingest.contacts_csv:LinkedInImporter",
    "kith.ingest.purchases:PurchasesImporter",
    "kith.ingest.mbox:MboxImporter",
)


def _load(target: str) -> Importer:
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    instance = cls()
    if not isinstance(instance, Importer):
        raise TypeError(f"{target} is not a kith Importer")
    return instance


@cache
def importers() -> tuple[Importer, ...]:
    """Every importer available: the built-ins, then plugins."""
    found = [_load(t) for t in BUILTINS]
    for ep in entry_points(group="kith.importers"):
        try:
            found.append(_load(ep.value))
        except Exception as exc:  # a plugin's failure must not stop kith
            log.warning("importer plugin %s could not be loaded: %s", ep.name, exc)
    return tuple(found)


def by_name(name: str) -> Importer:
    for imp in importers():
        if imp.name == name:
            return imp
    known = ", ".join(i.name for i in importers())
    raise UnknownFormatError(f"no importer called {name!r}", hint=f"known formats: {known}")


def detect(path: Path) -> Importer | None:
    """The first importer that recognises ``path``, or None."""
    for imp in importers():
        try:
            if imp.identify(path):
                return imp
        except OSError:
            return None
        except Exception as exc:  # a plugin's identify must not stop the others
            log.warning(
                "importer %s failed to look at %s: %s: %s", imp.name, path, type(exc).__name__, exc
            )
    return None


def plan(
    path: Path, fmt: str | None = None, left_alone: list[tuple[Path, str]] | None = None
) -> list[tuple[Path, Importer]]:
    """The (path, importer) pairs that importing ``path`` means.

    A path an importer recognises as a whole (a file, a Maildir, an archive
    folder) is one pair; another folder is looked into, file by file, and
    files nobody recognises there are left alone: each is added to
    ``left_alone`` with why ("empty", "not recognised"), so the caller can
    list them. A file named directly that nobody recognises is an error.
    """
    if fmt:
        return [(path, by_name(fmt))]
    if not path.exists():
        raise UnknownFormatError("no such file or folder", where=str(path))
    if path.is_file() and path.stat().st_size == 0:
        raise UnknownFormatError("the file is empty", where=str(path))
    found = detect(path)
    if found is not None:
        return [(path, found)]
    if path.is_dir():
        pairs: list[tuple[Path, Importer]] = []
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_dir():
                pairs.extend(plan(child, None, left_alone))
                continue
            imp = detect(child)
            if imp is not None:
                pairs.append((child, imp))
            elif left_alone is not None:
                empty = child.is_file() and child.stat().st_size == 0
                left_alone.append((child, "empty" if empty else "not recognised"))
        return pairs
    known = ", ".join(i.name for i in importers())
    raise UnknownFormatError(
        "kith does not recognise this file",
        where=str(path),
        hint=f"known formats: {known}; name one with --format",
    )
