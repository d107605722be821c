"""What the host does to every record an importer yields, before it is stored.

Importers parse files nobody vouches for, and third-party importers may be
careless; so the host, not each importer, makes every record safe to store
and to show (``kith.importing`` calls ``guard`` on each one):

- names (display names, a contact's name) lose control characters — terminal
  escape sequences, OSC-8 links, NUL — and are cut to ``MAX_NAME_CHARS``;
- every value has a size: a subject, a body, a fact, an identity; a message
  keeps at most ``MAX_PARTICIPANTS`` people (its author first), a card at most
  ``MAX_IDENTITIES`` identities and ``MAX_FACTS`` facts.

Whatever is cut is counted (``Guarded.capped``) and the import's summary says
so: nothing is cut silently.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from kith.model import (
    ContactRecord,
    Fact,
    IdentityRef,
    InteractionRecord,
    Participant,
    Record,
    Role,
)

#: A display name longer than any real one (long company names run to ~120).
MAX_NAME_CHARS = 200
#: An identity's value (an address, a handle, a URL).
MAX_IDENTITY_CHARS = 512
#: A subject line or title.
MAX_SUBJECT_CHARS = 1_000
#: A message body: a long e-mail is ~100 kB; beyond a megabyte it is an attachment.
MAX_BODY_CHARS = 1_000_000
#: A fact's value (a vCard NOTE, an address).
MAX_FACT_CHARS = 10_000
#: People on one interaction. A message to more is a broadcast: its author and
#: the first recipients are kept. Real company-wide mail reaches this order
#: (two Enron messages in the shared corpus have ~840 recipients); 50,000 is an attack.
MAX_PARTICIPANTS = 1_000
#: Identities and facts on one contact record.
MAX_IDENTITIES = 100
MAX_FACTS = 200
#: Source-specific extras: how many, and each value's size.
MAX_EXTRAS = 100
MAX_EXTRA_CHARS = 10_000

#: Control characters (C0 but tab, DEL, C1 — which holds the 8-bit CSI and
#: OSC), and lone surrogates, which cannot be stored.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Guarded:
    """A record made safe, and how many of its values were cut or dropped."""

    record: Record
    capped: int


def guard(record: Record) -> Guarded:
    """``record`` with safe names and bounded values (see the module's notes)."""
    if isinstance(record, InteractionRecord):
        return _interaction(record)
    if isinstance(record, ContactRecord):
        return _contact(record)
    return Guarded(record, 0)


def safe_name(name: str | None) -> tuple[str | None, bool]:
    """A display name without control characters, on one line, at most
    ``MAX_NAME_CHARS``; and whether it had to be cut."""
    if name is None:
        return None, False
    if name.isprintable() and len(name) <= MAX_NAME_CHARS and name == name.strip():
        return name or None, False
    cleaned = _SPACES.sub(" ", _NAME_CONTROL.sub(" ", name)).strip()
    cut = len(cleaned) > MAX_NAME_CHARS
    return (cleaned[:MAX_NAME_CHARS].rstrip() or None), cut


def _text(value: str | None, limit: int) -> tuple[str | None, bool]:
    """Free text without control characters (newlines and tabs stay), at most ``limit``."""
    if value is None:
        return None, False
    if _CONTROL.search(value) is not None:
        value = _CONTROL.sub("", value)
    if len(value) > limit:
        return value[:limit], True
    return value, False


def _body(body: str | None) -> tuple[str | None, bool]:
    """A body without NUL (the one character a database refuses), at most
    ``MAX_BODY_CHARS``. Other control characters stay as written (a body is
    read, not shown raw: surfaces escape it); scanning every body for them
    would cost an import a tenth of its time."""
    if body is None:
        return None, False
    cut = len(body) > MAX_BODY_CHARS
    if cut:
        body = body[:MAX_BODY_CHARS]
    if "\x00" in body:
        body = body.replace("\x00", "")
    return body, cut


def _identity(ref: IdentityRef) -> tuple[IdentityRef, int]:
    name, name_cut = safe_name(ref.display_name)
    value, value_cut = _text(ref.value, MAX_IDENTITY_CHARS)
    if name == ref.display_name and value == ref.value:
        return ref, 0
    fixed = dataclasses.replace(ref, display_name=name, value=value or "")
    return fixed, int(name_cut) + int(value_cut)


def _interaction(record: InteractionRecord) -> Guarded:
    capped = 0
    changes: dict[str, object] = {}
    participants = record.participants
    if len(participants) > MAX_PARTICIPANTS:
        # the author and the first recipients, in the record's order
        first = [p for p in participants if p.role is Role.FROM][:1]
        rest = [p for p in participants if p not in first]
        participants = (*first, *rest[: MAX_PARTICIPANTS - len(first)])
        capped += len(record.participants) - len(participants)
    fixed_people: list[Participant] = []
    people_changed = participants is not record.participants
    for p in participants:
        ref, cut = _identity(p.identity)
        capped += cut
        if ref is not p.identity:
            people_changed = True
            p = Participant(p.role, ref)
        fixed_people.append(p)
    if people_changed:
        changes["participants"] = tuple(fixed_people)
    subject, cut = _text(record.subject, MAX_SUBJECT_CHARS)
    capped += int(cut)
    if subject != record.subject:
        changes["subject"] = subject
    body, cut = _body(record.body)
    capped += int(cut)
    if body is not record.body:
        changes["body"] = body
    list_name, cut = safe_name(record.list_name)
    capped += int(cut)
    if list_name != record.list_name:
        changes["list_name"] = list_name
    extra, cut_extras = _extra(record.extra)
    capped += cut_extras
    if extra is not record.extra:
        changes["extra"] = extra
    if changes:
        record = dataclasses.replace(record, **changes)  # type: ignore[arg-type]
    return Guarded(record, capped)


def _extra(extra: dict[str, str]) -> tuple[dict[str, str], int]:
    if len(extra) <= MAX_EXTRAS and all(len(v) <= MAX_EXTRA_CHARS for v in extra.values()):
        return extra, 0
    kept = dict(list(extra.items())[:MAX_EXTRAS])
    capped = len(extra) - len(kept)
    for key, value in kept.items():
        if len(value) > MAX_EXTRA_CHARS:
            kept[key] = value[:MAX_EXTRA_CHARS]
            capped += 1
    return kept, capped


def _contact(record: ContactRecord) -> Guarded:
    capped = 0
    changes: dict[str, object] = {}
    name, cut = safe_name(record.name)
    capped += int(cut)
    if name != record.name:
        changes["name"] = name
    identities = record.identities[:MAX_IDENTITIES]
    capped += len(record.identities) - len(identities)
    fixed_ids = []
    for ref in identities:
        fixed, cut_n = _identity(ref)
        capped += cut_n
        fixed_ids.append(fixed)
    if tuple(fixed_ids) != record.identities:
        changes["identities"] = tuple(fixed_ids)
    facts = record.facts[:MAX_FACTS]
    capped += len(record.facts) - len(facts)
    fixed_facts = []
    for fact in facts:
        value, cut = _text(fact.value, MAX_FACT_CHARS)
        capped += int(cut)
        fixed_facts.append(fact if value == fact.value else Fact(fact.key, value or ""))
    if tuple(fixed_facts) != record.facts:
        changes["facts"] = tuple(fixed_facts)
    if changes:
        record = dataclasses.replace(record, **changes)  # type: ignore[arg-type]
    return Guarded(record, capped)
