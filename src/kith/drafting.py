"""Draft templates: Jinja, the user's first, then the packaged ones.

The packaged templates are in ``kith/attention/templates``; a file of the
same name in the user's templates folder (``$XDG_CONFIG_HOME/kith/templates``)
replaces one. Every template can use the fields in ``FIELDS``; a misspelt
field is an error naming the template. The daily queue's drafts
(``kith.attention.drafts``), introductions' and circles' (``kith.connect``)
all render here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kith.errors import ConfigError

PACKAGED = Path(__file__).with_name("attention") / "templates"

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
    "(welcome), the message that gave (thank), else the latest with them; no Re:/Fwd:",
    "days": "how long it has been, in days (waited, silent, since first contact, "
    "until the birthday)",
    "waited_days": "reply: days they have waited",
    "messages": "reply: how many of their messages wait",
    "newcomer": "reply: their first message to you (true/false)",
    "gave": "thank: what is thanked for ('sharing my work 3 times', 'sending this')",
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


class Templates:
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
