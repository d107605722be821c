"""``kith perception``: how others describe me against how I describe myself.

Reads the two sides from the ledger and the ``[profile]`` description, and
compares them with ``kith.signals.fightin`` (the method and its source are
there).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kith.config import config_file_path
from kith.connect.profile import Profile
from kith.errors import ConfigError, KithError
from kith.signals import fightin
from kith.signals.text import own_words
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
    for side, mine_side in ((others, False), (mine, True)):
        for _, subject, body, name, at in store.messages(
            db, mine=mine_side, limit=fightin.MESSAGES
        ):
            text = own_words(body, fightin.CHARS_PER_MESSAGE)
            if text:
                source = (
                    f"{name or 'someone'}, {datetime.fromtimestamp(at, UTC).date().isoformat()}"
                )
                if subject:
                    source += f', "{subject}"'
                side.append(fightin.Text(text, source, at))
    if not others:
        raise KithError(
            "nobody has written to you in this ledger: nothing to compare",
            hint="import mail with your address declared (kith init --me ADDRESS)",
        )
    return others, mine


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
        "others_phrases": fightin.phrases(others),
        "me_phrases": fightin.phrases(mine),
    }
