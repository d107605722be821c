"""Ready drafts: one Jinja template per kind of item, filled with what the ledger knows.

The packaged templates are in ``kith/attention/templates/<kind>.txt``; a
file of the same name in ``$XDG_CONFIG_HOME/kith/templates/`` replaces one
(so do ``digest.md`` and ``digest.html``). An introduction's steps each
have their own, ``introduce_<step>.txt`` (``kith.connect.introductions``).
Every template can use the fields in ``FIELDS``; a field the ledger does
not know is ``None``, so a template says ``{% if subject %}…{% endif %}``.
A misspelt field is an error naming the template, not a silent blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kith.attention.candidates import GIVE_KINDS, Item
from kith.drafting import FIELDS as FIELDS
from kith.drafting import PACKAGED as PACKAGED
from kith.drafting import Templates
from kith.ingest.guard import safe_name
from kith.signals.intent import GREETING_LINE
from kith.signals.names import first_name
from kith.signals.text import SENTENCE_BREAK, own_words
from kith.store import attention as store
from kith.store.sql import using

#: The fields an introduction's item carries to its draft (``kith.connect.introductions``).
INTRODUCE_FIELDS = (
    "first_name",
    "other_name",
    "other_first_name",
    "a_name",
    "b_name",
    "note",
    "introduction",
)

#: What a give was, as the thank-you names it (gives by kind: a share, a referral …).
_THANKED_FOR = {
    "share": "sharing my work",
    "mention": "mentioning me",
    "referral": "referring someone to me",
    "purchase": "your order",
    "intro": "the introduction",
    "answer": "answering my question",
}
#: … and a message that gives (``kith.attention.inbound.GIVE_VERBS``), by what it did.
_THANKED_FOR_MESSAGE = {
    "thanked you": "your kind words",
    "shared or praised your work": "what you said about my work",
    "referred someone to you": "the referral",
    "sent you something": "sending this",
    "helped you": "your help",
}
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class Drafts(Templates):
    """The daily queue's drafts: a template per kind of item (``kith.drafting``)."""

    def draft(self, item: Item, context: Mapping[str, Any]) -> str:
        """The draft of ``item`` ('' for a kind without a template)."""
        # an introduction's steps each have their own template
        name = str(item.context.get("template") or f"{item.kind}.txt")
        return self.render(name, context) if self.has(name) else ""


#: A subject longer than this is cut at a word ("…") where a draft quotes it: a
#: draft names the message, it does not recite its legal boilerplate.
SUBJECT_CHARS = 60


def clean_subject(subject: str | None) -> str | None:
    """A subject without its Re:/Fwd: prefixes, cut at a word past
    ``SUBJECT_CHARS``; None when nothing is left."""
    if not subject:
        return None
    cleaned = " ".join(_PREFIX.sub("", subject).split())
    if len(cleaned) > SUBJECT_CHARS:
        cut = cleaned[:SUBJECT_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:-")
        cleaned = (cut or cleaned[:SUBJECT_CHARS]) + "…"
    return cleaned or None


#: A sentence that ends in a question mark.
_QUESTION = re.compile(r"[^.!?\n]*\?")
#: A question shorter than this is quoted with the sentence before it.
SHORT_QUESTION_CHARS = 25
#: A line break inside a paragraph (not a blank line).
_WRAPPED = re.compile(r"(?<!\n)\n(?![ \t]*\n)")


def asked(subject: str | None, body: str | None) -> str | None:
    """The first question in my own words of a message (the body before
    anything quoted; the subject, without Re:, when there is no body), or None."""
    text = own_words(body) if body else _PREFIX.sub("", subject or "")
    # a wrapped sentence is one sentence; a greeting's line is none of it
    text = _WRAPPED.sub(" ", GREETING_LINE.sub("\n\n", text))
    m = _QUESTION.search(text)
    if m is None:
        return None
    found = " ".join(m.group(0).split())
    if len(found) < SHORT_QUESTION_CHARS:
        # "What is going on?" alone says nothing: the sentence before it says about what
        before = SENTENCE_BREAK.split(text[: m.start()].strip())[-1]
        if before:
            found = " ".join(before.split()) + " " + found
    question = safe_name(found)[0] or ""  # shown in a terminal
    return question if len(question) <= 120 else "…" + question[-119:]


def gave_words(gives: Mapping[str, int]) -> str | None:
    """``{'share': 3, 'referral': 1}`` → 'sharing my work 3 times and referring
    someone to me once' (what a thank-you thanks for)."""
    parts = [f"{_THANKED_FOR.get(k, k)} {_times(n)}" for k, n in sorted(gives.items()) if n]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def contexts(ledger: Any, items: Iterable[Item], now: int) -> dict[str, dict[str, Any]]:
    """item id → the fields its draft is filled with (``FIELDS``), from the
    ledger (an engine or a ``kith.store.sql.Db``)."""
    found: dict[str, dict[str, Any]] = {}
    with using(ledger) as conn:
        me = store.my_name(conn)
        for item in items:
            ctx: dict[str, Any] = dict.fromkeys(FIELDS)
            c = item.context
            ctx.update(
                name=item.person,
                first_name=first_name(item.person),
                my_name=me,
                my_first_name=first_name(me) if me else None,
                kind=item.kind,
                reason=item.reason,
                minutes=item.minutes,
            )
            if item.kind == "reply":
                since = item.due_since
                msg = store.message(conn, item.person_id, now, inbound=True, since=since)
                msg = msg or store.message(conn, item.person_id, now, inbound=True)
                ctx.update(
                    waited_days=c.get("waited_days"),
                    days=c.get("waited_days"),
                    newcomer=bool(c.get("newcomer")),
                    messages=c.get("messages"),
                )
            elif item.kind == "welcome":
                msg = store.message(conn, item.person_id, now, inbound=True, since=0)
                ctx.update(days=c.get("days"))
            elif item.kind == "thank" and c.get("did"):
                # a message of theirs that gave: thank for it, by its subject
                msg = store.message(conn, item.person_id, now, inbound=True, since=c["gave_at"])
                ctx.update(gave=_THANKED_FOR_MESSAGE.get(str(c["did"])), gives=c.get("gives"))
            elif item.kind == "thank":
                msg = None  # gives of many messages: no one subject
                gives = store.gives_received(conn, item.person_id, now, GIVE_KINDS)
                ctx.update(gave=gave_words(gives), gives=sum(gives.values()) or c.get("gives"))
            else:
                msg = store.message(conn, item.person_id, now, inbound=False)
            if item.kind == "check_in":
                ctx.update(
                    gap_days=c.get("gap_days"),
                    silent_days=c.get("silent_days"),
                    days=c.get("silent_days"),
                )
            elif item.kind == "follow_up":
                ctx.update(
                    days=c.get("days"),
                    asked=c.get("asked"),
                    introduced_by=c.get("introduced_by"),
                )
            elif item.kind == "introduce":
                ctx.update({k: c[k] for k in INTRODUCE_FIELDS if k in c})
            elif item.kind == "celebrate":
                ctx.update(
                    birthday=c.get("birthday"),
                    days_left=c.get("days_left"),
                    days=c.get("days_left"),
                )
            ctx["subject"] = clean_subject(msg[0]) if msg else None
            ctx.update({k: c[k] for k in ("ask", "thread", "days") if k in c})
            found[item.id] = ctx
    return found


def render_all(
    ledger: Any, items: Iterable[Item], now: int, user_dir: Path | None
) -> dict[str, str]:
    """item id → its draft."""
    listed = list(items)
    if not listed:
        return {}
    drafts = Drafts(user_dir)
    filled = contexts(ledger, listed, now)
    return {i.id: drafts.draft(i, filled[i.id]) for i in listed}
