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
from kith.errors import ConfigError
from kith.ingest.guard import safe_name
from kith.signals.names import first_name
from kith.signals.text import own_words
from kith.store import attention as store
from kith.store.sql import using

PACKAGED = Path(__file__).with_name("templates")

#: Every field a draft template can use, with what it holds.
FIELDS: Mapping[str, str] = {
    "name": "their name",
    "first_name": "their first name, when it is sure (kith.signals.names); else None",
    "my_name": "your name (kith init --name)",
    "my_first_name": "your first name (None when not sure)",
    "kind": "reply, thank, check_in, welcome, follow_up, celebrate, introduce",
    "reason": "why the item is on the list",
    "minutes": "the minutes it is given",
    "subject": "the topic: their waiting message's subject (reply), their first "
    "(welcome), else the latest with them; no Re:/Fwd:",
    "days": "how long it has been, in days (waited, silent, since first contact, "
    "until the birthday)",
    "waited_days": "reply: days they have waited",
    "messages": "reply: how many of their messages wait",
    "newcomer": "reply: their first message to you (true/false)",
    "gave": "thank: what they gave, in words ('shared your work 3 times')",
    "gives": "thank: how many times they gave",
    "gap_days": "check_in: your usual days between contacts",
    "silent_days": "check_in: days since the last contact",
    "asked": "follow_up: the question you asked them (None for an introduction)",
    "introduced_by": "follow_up: who introduced them to you (None for a question)",
    "birthday": "celebrate: the day ('22 November')",
    "days_left": "celebrate: days until it",
    "other_name": "introduce: the other person of the introduction",
    "other_first_name": "introduce: their first name",
    "a_name": "introduce: who is asked first (A)",
    "b_name": "introduce: who is asked second (B)",
    "note": "introduce: why they should meet (kith introduce --note)",
    "introduction": "introduce: the introduction's id",
    "ask": "ask_followup, ask_thanks: what you asked (kith ask)",
    "thread": "join_thread, welcome_new: the public thread's subject",
}

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

_VERBS = {
    "share": "shared your work",
    "mention": "mentioned you",
    "referral": "referred someone to you",
    "purchase": "bought from you",
    "intro": "introduced you to someone",
    "answer": "answered a question of yours",
}
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class Drafts:
    """Renders drafts, the user's templates first, then the packaged ones."""

    def __init__(self, user_dir: Path | None = None) -> None:
        import jinja2

        folders = [str(d) for d in (user_dir, PACKAGED) if d is not None and d.is_dir()]
        self.user_dir = user_dir
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=jinja2.select_autoescape(["html"]),
        )

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        """``template`` (``reply.txt``, ``digest.html`` …) filled with ``context``;
        a template error is a ``ConfigError`` naming the file and line."""
        import jinja2

        try:
            loaded = self._env.get_template(template)
        except jinja2.TemplateNotFound:
            raise ConfigError(f"no template {template}", where=str(PACKAGED)) from None
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"cannot read the template: {exc.message}",
                where=f"{exc.filename or template}:{exc.lineno}",
            ) from None
        try:
            return loaded.render(**context).strip() + "\n"
        except jinja2.UndefinedError as exc:
            raise ConfigError(
                f"the template uses a field kith does not have: {exc.message}",
                where=loaded.filename or template,
                hint="fields: " + ", ".join(FIELDS),
            ) from None
        except jinja2.TemplateError as exc:
            raise ConfigError(f"the template failed: {exc}", where=loaded.filename) from None

    def has(self, template: str) -> bool:
        import jinja2

        try:
            self._env.get_template(template)
        except jinja2.TemplateNotFound:
            return False
        return True

    def draft(self, item: Item, context: Mapping[str, Any]) -> str:
        """The draft of ``item`` ('' for a kind without a template)."""
        # an introduction's steps each have their own template
        name = str(item.context.get("template") or f"{item.kind}.txt")
        return self.render(name, context) if self.has(name) else ""


def clean_subject(subject: str | None) -> str | None:
    """A subject without its Re:/Fwd: prefixes; None when nothing is left."""
    if not subject:
        return None
    cleaned = _PREFIX.sub("", subject).strip()
    return cleaned or None


#: A sentence that ends in a question mark.
_QUESTION = re.compile(r"[^.!?\n]*\?")


def asked(subject: str | None, body: str | None) -> str | None:
    """The first question in my own words of a message (the body before
    anything quoted; the subject, without Re:, when there is no body), or None."""
    text = own_words(body) if body else (clean_subject(subject) or "")
    m = _QUESTION.search(text)
    if m is None:
        return None
    question = safe_name(" ".join(m.group(0).split()))[0] or ""  # shown in a terminal
    return question if len(question) <= 120 else "…" + question[-119:]


def gave_words(gives: Mapping[str, int]) -> str | None:
    """``{'share': 3, 'referral': 1}`` → 'shared your work 3 times and referred someone
    to you once'."""
    parts = [f"{_VERBS.get(k, k)} {_times(n)}" for k, n in sorted(gives.items()) if n]
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
            else:
                msg = store.message(conn, item.person_id, now, inbound=False)
            if item.kind == "thank":
                gives = store.gives_received(conn, item.person_id, now, GIVE_KINDS)
                ctx.update(gave=gave_words(gives), gives=sum(gives.values()) or c.get("gives"))
            elif item.kind == "check_in":
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
