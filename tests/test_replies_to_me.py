"""A reply to a message of mine is to me, even when it went to a list: the
writer's rule, the same rule when my addresses change, and what the day makes of it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from kith.analytics.refresh import refresh
from kith.config import Settings
from kith.importing import import_paths
from kith.store import repository

ME = "jo@dev.example"
LIST = "dev@lists.example"
LATER = 2_000_000_000


def post(n: int, day: int, sender: str, subject: str, body: str, parent: int | None = None) -> str:
    """One message to the list (nobody else addressed), with a List-Id."""
    refs = f"In-Reply-To: <m{parent}@x>\nReferences: <m{parent}@x>\n" if parent else ""
    return (
        f"From {sender} Mon Mar  {day} 10:00:00 2025\n"
        f"From: {sender}\nTo: {LIST}\nList-Id: Dev <dev.lists.example>\n"
        f"Subject: {subject}\nDate: Mon, {day} Mar 2025 10:00:00 +0000\n"
        f"Message-ID: <m{n}@x>\n{refs}\n{body}\n\n"
    )


def directions(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT source_id, direction FROM interaction")).all())


def write(path: Path, *messages: str) -> Path:
    path.write_text("".join(messages), encoding="utf-8")
    return path


def thread(tmp_path: Path) -> tuple[Path, Path]:
    """My question to the list, Bo's answer to it, and Cy's reply to Bo."""
    mine = write(tmp_path / "mine.mbox", post(1, 2, ME, "Release plan?", "When do we cut 2.4?"))
    theirs = write(
        tmp_path / "theirs.mbox",
        post(2, 3, "bo@b.example", "Re: Release plan?", "Can you review my patch first?", 1),
        post(3, 4, "cy@c.example", "Re: Release plan?", "Agreed with Bo.", 2),
    )
    return mine, theirs


def test_a_list_reply_to_my_message_is_to_me_and_waits(engine, db_url, tmp_path):
    repository.add_me(engine, "email", ME, name="Jo", now=0)
    mine, theirs = thread(tmp_path)
    import_paths(engine, [mine, theirs], Settings(database_url=db_url), now=LATER)
    # Bo answered me; Cy answered Bo: among others, as before.
    assert directions(engine) == {"m1@x": "out", "m2@x": "in", "m3@x": "among"}
    refresh(engine, now=1_741_600_000, mirror_path=None)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                text(
                    "SELECT idn.value, r.waiting FROM relationship r"
                    " JOIN identity idn ON idn.person_id = r.person_id"
                )
            ).all()
        )
    assert rows["bo@b.example"] == 1
    assert rows.get("cy@c.example", 0) == 0


def test_a_reply_stored_before_my_message_is_turned_to_me(engine, db_url, tmp_path):
    repository.add_me(engine, "email", ME, name="Jo", now=0)
    mine, theirs = thread(tmp_path)
    settings = Settings(database_url=db_url)
    import_paths(engine, [theirs], settings, now=LATER)
    assert directions(engine)["m2@x"] == "among"
    refresh(engine, now=1_741_600_000, mirror_path=None)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM analytics_state")).scalar_one() > 0
    import_paths(engine, [mine], settings, now=LATER)
    assert directions(engine) == {"m1@x": "out", "m2@x": "in", "m3@x": "among"}
    # The figures computed from the old direction are stale: the next refresh is full.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM analytics_state")).scalar_one() == 0


def test_declaring_my_address_later_applies_the_same_rule(engine, db_url, tmp_path):
    mine, theirs = thread(tmp_path)
    import_paths(engine, [mine, theirs], Settings(database_url=db_url), now=LATER)
    assert set(directions(engine).values()) == {"among"}
    repository.add_me(engine, "email", ME, name="Jo", now=LATER)
    assert directions(engine) == {"m1@x": "out", "m2@x": "in", "m3@x": "among"}


def test_the_day_answers_a_question_put_to_me_on_a_list(engine, db_url, tmp_path):
    from kith.attention.settings import TodaySettings
    from kith.attention.today import plan_day

    repository.add_me(engine, "email", ME, name="Jo", now=0)
    mine, theirs = thread(tmp_path)
    import_paths(engine, [mine, theirs], Settings(database_url=db_url), now=LATER)
    day = 1_741_600_000  # 10 March 2025: Bo's question of 3 March is a week old
    refresh(engine, now=day, mirror_path=None)
    plan = plan_day(engine, day, TodaySettings(budget=60), save=False)
    replies = [(i.kind, i.person) for i in plan.items if i.kind == "reply"]
    assert replies == [("reply", "Bo")], plan.items
    assert "review my patch" in next(i.reason for i in plan.items if i.kind == "reply")
