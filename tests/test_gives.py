"""Introductions recognised in e-mail (kith.store.gives): the shape and the words."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from kith.config import Settings
from kith.demo import build_demo
from kith.importing import import_paths
from kith.store import repository

ME = "sam@rivera.studio"


def message(
    n: int, day: int, sender: str, to: str, cc: str, subject: str, body: str, *, reply: bool = False
) -> str:
    refs = "In-Reply-To: <m0@x>\n" if reply else ""
    return (
        f"From {sender} Mon Mar  {day} 10:00:00 2025\n"
        f"From: {sender}\nTo: {to}\n"
        + (f"Cc: {cc}\n" if cc else "")
        + f"Subject: {subject}\nDate: Mon, {day} Mar 2025 10:00:00 +0000\n"
        f"Message-ID: <m{n}@x>\n{refs}\n{body}\n\n"
    )


def kinds(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT source_id, kind FROM interaction")).all())


def test_an_introduction_needs_the_shape_and_the_words(engine, db_url, tmp_path):
    repository.add_me(engine, "email", ME, name="Sam", now=0)
    mbox = tmp_path / "mail.mbox"
    known = "old@friend.org"
    mbox.write_text(
        message(1, 1, known, ME, "", "Hello", "An old friend writes.")
        # A brings in new B and says so: an introduction.
        + message(2, 3, "ana@a.org", ME, "ben@b.org", "Meet Ben", "Ben, Sam; Sam, Ben.")
        # The same shape, no words of introduction: a message.
        + message(3, 4, "ana@a.org", ME, "cy@c.org", "Numbers", "See the sheet.")
        # The words, but the person copied was known before: a message.
        + message(4, 5, "ana@a.org", ME, known, "Meet again", "You two should talk.")
        # A reply is not an introduction.
        + message(5, 6, "ana@a.org", ME, "dee@d.org", "Re: intro", "Meet Dee.", reply=True)
        # A memo to many is not personal.
        + message(
            6,
            7,
            "hr@corp.org",
            f"{ME}, a1@corp.org, a2@corp.org",
            "a3@corp.org, a4@corp.org",
            "Meet the new team",
            "Welcome all.",
        )
        # Somebody else's words, quoted in a forward, do not count.
        + message(
            7,
            8,
            "ana@a.org",
            ME,
            "eve@e.org",
            "Fwd: inquiry",
            "FYI\n\n----- Forwarded message -----\nI would like to introduce myself.",
        ),
        encoding="utf-8",
    )
    import_paths(engine, [mbox], Settings(database_url=db_url), now=10**10)
    got = kinds(engine)
    assert got["m2@x"] == "intro"
    assert {got[f"m{n}@x"] for n in (1, 3, 4, 6, 7)} == {"message"}
    assert got["m5@x"] == "reply"


def test_the_sample_worlds_introductions_are_found(tmp_path):
    result = build_demo(tmp_path / "demo", today=False)
    truth = json.loads(Path(tmp_path / "demo" / "truth.json").read_text(encoding="utf-8"))
    brought = set(truth["patterns"]["referred"]) | set(truth["patterns"]["introduced"])
    with result.engine.connect() as conn:
        found = {
            v
            for (v,) in conn.execute(
                text(
                    "SELECT DISTINCT idn.value FROM interaction i"
                    " JOIN participant pa ON pa.interaction_id = i.id AND pa.role IN ('to', 'cc')"
                    " JOIN identity idn ON idn.id = pa.identity_id"
                    " JOIN person p ON p.id = idn.person_id"
                    " WHERE i.kind = 'intro' AND NOT p.is_me"
                )
            )
        }
    assert brought and found == brought
