"""kith's own JSON export (``kith export --format json``), read back.

Everything comes back as it was exported: my identities (a card of mine),
each person as one card listing all their identities (so people merged in
the source ledger are one person again) with their facts (one card per fact
source, keeping where each came from), every interaction under its own
source and source id (so a re-import, or an import of the original files
after it, adds nothing twice) in its thread and circle, and the skipped
records as skipped records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kith.errors import InputError
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.cleaning import head, read_bytes
from kith.model import (
    Channel,
    ContactRecord,
    DateQuality,
    Fact,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Record,
    Role,
    Skipped,
)

SOURCE = "kith-export"


class KithExportImporter(Importer):
    """Reads ``kith export --format json`` files."""

    name = "kith-export"
    description = "kith's own JSON export (kith export --format json)"

    def identify(self, path: Path) -> bool:
        return head(path, 64).lstrip().startswith(b'{"kith_export"')

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        try:
            data = json.loads(read_bytes(path, "the kith export"))
        except ValueError as exc:
            raise InputError(f"not a readable kith export: {exc}", where=where) from exc
        if not isinstance(data, dict) or data.get("kith_export") != 1:
            raise InputError("not a kith export of a version this kith reads (1)", where=where)
        me = data.get("me") or {}
        mine = tuple(_ref(i) for i in me.get("identities", []))
        if mine:
            yield ContactRecord(
                SOURCE, "me", mine, Origin(where, 0), name=me.get("name"), is_me=True
            )
        for n, p in enumerate(data.get("people", []), 1):
            try:
                yield from _person(p, Origin(where, n))
            except (KeyError, TypeError, ValueError) as exc:
                yield Skipped(Origin(where, n), f"person record unreadable: {exc!r}")
        for n, r in enumerate(data.get("interactions", []), 1):
            try:
                yield _interaction(r, Origin(where, n), options)
            except (KeyError, TypeError, ValueError) as exc:
                yield Skipped(Origin(where, n), f"interaction record unreadable: {exc!r}")
        for s in data.get("skipped", []):
            yield Skipped(Origin(str(s["file"]), int(s["position"])), str(s["reason"]))


def _ref(item: dict[str, Any]) -> IdentityRef:
    return IdentityRef(str(item["kind"]), str(item["value"]), item.get("display_name"))


def _person(p: dict[str, Any], origin: Origin) -> Iterator[ContactRecord]:
    refs = tuple(_ref(i) for i in p["identities"])
    if not refs:
        return
    by_source: dict[str, list[dict[str, Any]]] = {}
    for f in p.get("facts", []):
        by_source.setdefault(str(f["source"]), []).append(f)
    yield ContactRecord(SOURCE, f"person:{p['id']}", refs, origin, name=p.get("name"))
    for source, facts in by_source.items():
        yield ContactRecord(
            source,
            f"person:{p['id']}",
            refs,
            origin,
            name=p.get("name"),
            facts=tuple(Fact(str(f["key"]), str(f["value"])) for f in facts),
        )


def _interaction(r: dict[str, Any], origin: Origin, options: ImportOptions) -> InteractionRecord:
    root, parent = r.get("thread"), r.get("parent_ref")
    refs: tuple[str, ...] = ()
    if parent:
        refs = (root, parent) if root and root != parent else (parent,)
    circle = r.get("circle") or {}
    first = r.get("origin") or {}
    return InteractionRecord(
        source=str(r["source"]),
        source_id=str(r["source_id"]),
        channel=Channel(r["channel"]),
        kind=Kind(r["kind"]),
        occurred_at=int(r["occurred_at"]),
        participants=tuple(
            Participant(Role(p["role"]), _ref(p)) for p in r.get("participants", [])
        ),
        origin=Origin(str(first.get("file") or origin.file), int(first.get("position") or 0)),
        date_quality=DateQuality(r.get("date_quality") or "header"),
        tz_offset_min=r.get("tz_offset_min"),
        subject=r.get("subject"),
        body=r.get("body") if options.store_bodies else None,
        refs=refs,
        list_id=circle.get("key"),
        list_name=circle.get("name"),
        is_reply=bool(r.get("is_reply")),
        thread_key=None if parent else root,
        extra={str(k): str(v) for k, v in (r.get("extra") or {}).items()},
    )
