"""``kith perception``: how others describe me against how I describe myself.

Others' side: what people (not machines) wrote to me, and what they wrote
in public where my name, business, products or topics come up (the
messages of ``kith conversations``). Mine: the ``[profile]`` description and
what I wrote to others. The two sides are
compared with ``kith.signals.fightin`` (the method and its source are
there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kith.config import config_file_path
from kith.connect.conversations import machine
from kith.connect.profile import Profile
from kith.errors import ConfigError, KithError
from kith.signals import fightin
from kith.signals.text import own_words
from kith.store import conversations as public
from kith.store import words as store
from kith.store.browse import me
from kith.store.sql import Db


def sides(db: Db, profile: Profile) -> tuple[list[fightin.Text], list[fightin.Text]]:
    """(others' words to me, my words): own words of the newest
    ``fightin.MESSAGES`` messages each way; mine start with the description."""
    if not profile.description:
        raise ConfigError(
            "no self-description to compare with",
            where=profile.where,
            hint='add  description = "how you describe yourself and your work"  '
            f"under [profile] in {config_file_path()}",
        )
    if not store.count(db):
        raise KithError("the ledger is empty", hint="import your mail first: kith import FILE")
    others: list[fightin.Text] = []
    mine = [fightin.Text(profile.description, "self-description (config)")]
    seen: set[int] = set()
    for side, mine_side in ((others, False), (mine, True)):
        for iid, subject, body, name, at, sender in store.messages(
            db, mine=mine_side, limit=fightin.MESSAGES
        ):
            if not machine(sender):
                seen.add(iid)
                _add(side, subject, body, name, at)
    # What others wrote about my work in public (``kith conversations``' messages).
    about = [r for r in public.mentioning(db, terms(db, profile)) if r[0] not in seen]
    about = about[-fightin.MESSAGES :]
    writers = public.authors(db, interactions=[r[0] for r in about])
    authors = {w[1]: w[3] for w in writers if not w[4] and not machine(w[6])}
    for iid, _, subject, body, at, _, _ in about:
        if iid in authors:
            _add(others, subject, body, authors[iid], at)
    if not others:
        raise KithError(
            "nobody has written to you in this ledger: nothing to compare",
            hint="import mail with your address declared (kith init --me ADDRESS)",
        )
    return others, mine


def _add(
    side: list[fightin.Text], subject: str | None, body: str | None, name: str | None, at: int
) -> None:
    text = own_words(body, fightin.CHARS_PER_MESSAGE)
    if text:
        source = f"{name or 'someone'}, {datetime.fromtimestamp(at, UTC).date().isoformat()}"
        if subject:
            source += f', "{subject}"'
        side.append(fightin.Text(text, source, at))


def terms(db: Db, profile: Profile) -> list[str]:
    """What my work is called: ``[profile]``'s terms and my name in the ledger."""
    found = profile.terms()
    owner = me(db)
    if owner and owner[1] and owner[1].lower() not in (t.lower() for t in found):
        found.insert(0, owner[1])
    return found


def perception(db: Db, profile: Profile) -> dict[str, Any]:
    """``{"others_more": [...], "me_more": [...], "others_phrases": [...],
    "me_phrases": [...]}``: terms as ``fightin.Term.as_dict``."""
    others, mine = sides(db, profile)
    owner = me(db)
    names = [*profile.name.split(), *((owner[1] or "").split() if owner else [])]
    found = fightin.compare(others, mine, ignore=names)
    return {
        "others_more": [t.as_dict() for t in found["others_more"]],
        "me_more": [t.as_dict() for t in found["me_more"]],
        "others_phrases": fightin.phrases(others, ignore=names),
        "me_phrases": fightin.phrases(mine, ignore=names),
    }
