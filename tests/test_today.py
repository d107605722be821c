"""``kith today`` end to end on a small hand-made ledger with fixed dates:
each kind of item for its reason, closing the loop (done, snooze, skip),
drafts, settings, reminders, the audit. Runs on SQLite and PostgreSQL; the
analytics refresh runs in the test, as it would for a user."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from kith.analytics.refresh import refresh
from kith.attention.today import day_start, end_of
from kith.cli import cli
from kith.model import (
    Channel,
    ContactRecord,
    Fact,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Role,
)
from kith.store import repository
from kith.store.db import open_store
from kith.store.writer import LedgerWriter

DAY = 86_400
D = date(2026, 3, 10)
ME = "me@studio.test"
PEOPLE = {
    "ana": ("ana@x.test", "Ana Lima"),
    "nina": ("nina@n.test", "Nina Park"),
    "ben": ("ben@y.test", "Ben Okafor"),
    "cleo": ("cleo@z.test", "Cleo Martin"),
    "dev": ("dev@w.test", "Dev Shah"),
    "finn": ("finn@f.test", "Finn Berg"),
    "eve": ("eve@v.test", "Eve Adams"),
}


def at(day: date, days_before: int = 0, hour: int = 20) -> int:
    return day_start(day) - days_before * DAY + hour * 3600


def who(key: str) -> IdentityRef:
    email, name = PEOPLE[key]
    return IdentityRef("email", email, name)


def record(
    sid: str,
    when: int,
    sender: IdentityRef,
    to: IdentityRef,
    *,
    kind: Kind = Kind.MESSAGE,
    channel: Channel = Channel.EMAIL,
    subject: str | None = None,
    refs: tuple[str, ...] = (),
    body: str | None = None,
) -> InteractionRecord:
    return InteractionRecord(
        source="test",
        source_id=sid,
        channel=channel,
        kind=kind,
        occurred_at=when,
        participants=(Participant(Role.FROM, sender), Participant(Role.TO, to)),
        origin=Origin("test", when),
        subject=subject,
        body=body,
        refs=refs,
        is_reply=bool(refs),
    )


def mine() -> IdentityRef:
    return IdentityRef("email", ME, "Sam Rivera")


def exchange(key: str, sid: str, when: int, subject: str) -> list[InteractionRecord]:
    """Their message and my answer six hours later, in one thread."""
    return [
        record(sid, when, who(key), mine(), subject=subject),
        record(
            f"{sid}-re", when + 6 * 3600, mine(), who(key), kind=Kind.REPLY,
            subject=f"Re: {subject}", refs=(sid,),
        ),
    ]  # fmt: skip


def world() -> tuple[list[InteractionRecord], list[ContactRecord]]:
    records: list[InteractionRecord] = []
    # Ana: known for two months; a question from three days ago is unanswered.
    records += exchange("ana", "ana-1", at(D, 60), "Project kickoff")
    records.append(
        record(
            "ana-2",
            at(D, 3),
            who("ana"),
            mine(),
            subject="Question about the invoice",
            body="Hi Sam,\n\nCould you send me the March invoice again?\n\nAna",
        )
    )
    # Nina: her first message ever, two days ago.
    records.append(
        record(
            "nina-1",
            at(D, 2),
            who("nina"),
            mine(),
            subject="Hello from a new reader",
            body="Hi Sam,\n\nI loved your piece. Do you take on small clients?\n\nNina",
        )
    )
    # Ben: shared my work three times; I never did anything for him.
    for n, days in enumerate((40, 20, 5)):
        records.append(
            record(
                f"ben-{n}", at(D, days), who("ben"), mine(), kind=Kind.SHARE,
                channel=Channel.SOCIAL, subject="Shared your post on pricing",
            )
        )  # fmt: skip
    # Cleo: a weekly exchange for eight weeks, silent for 66 days since.
    for n in range(8):
        records += exchange("cleo", f"cleo-{n}", at(D, 115 - 7 * n, 9), f"Week {n} notes")
    # Dev: new, commented on my post four days ago.
    records.append(
        record("dev-1", at(D, 4), who("dev"), mine(), kind=Kind.COMMENT, channel=Channel.COMMENT)
    )
    # Finn: weekly and steady: nothing to do.
    for n in range(8):
        records += exchange("finn", f"finn-{n}", at(D, 52 - 7 * n, 9), f"Sync {n}")
    eve = ContactRecord(
        source="vcard",
        source_id="eve",
        identities=(who("eve"),),
        origin=Origin("eve.vcf"),
        name="Eve Adams",
        facts=(Fact("birthday", "1985-03-12"),),
    )
    return records, [eve]


def write(engine: Engine, records: list[InteractionRecord], contacts=(), now: int = 0) -> None:
    writer = LedgerWriter(engine, importer="test", path="test", now=now)
    writer.start()
    writer.write(records, contacts=list(contacts))
    writer.finish("done", now)


@dataclass
class Ledger:
    url: str
    engine: Engine

    def run(self, *args: str, ok: bool = True):
        result = CliRunner().invoke(cli, ["--db", self.url, *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def today(self, day: date, *extra: str) -> dict:
        out = self.run("today", "--date", day.isoformat(), "--json", "--record", *extra).output
        return json.loads(out)

    def refresh(self, day: date) -> None:
        refresh(self.engine, now=end_of(day), mirror_path=None)

    def add(self, records: list[InteractionRecord]) -> None:
        write(self.engine, records, now=records[0].occurred_at)

    def sql(self, query: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(query), params).all()


@pytest.fixture
def ledger(db_url: str) -> Ledger:
    engine = open_store(db_url)
    repository.add_me(engine, "email", ME, name="Sam Rivera", now=at(D, 200))
    records, contacts = world()
    write(engine, records, contacts, now=at(D, 1))
    book = Ledger(db_url, engine)
    book.refresh(D)
    yield book
    engine.dispose()


def by_person(day: dict) -> dict[str, dict]:
    return {i["person"]: i for i in day["items"]}


def test_each_kind_of_item_appears_for_its_reason(ledger: Ledger):
    items = by_person(ledger.today(D, "--minutes", "120"))
    assert {p: (i["kind"], i["reason"]) for p, i in items.items()} == {
        "Ana Lima": (
            "reply",
            "has waited 3 days for your answer; "
            'asked: "Could you send me the March invoice again?"',
        ),
        "Nina Park": (
            "reply",
            "has waited 2 days for your answer; it is their first message to you; "
            'asked: "Do you take on small clients?"',
        ),
        "Ben Okafor": (
            "thank",
            "gave to you 3 times (shares, referrals, mentions); you never answered in kind",
        ),
        "Cleo Martin": ("check_in", "usually in touch about weekly; silent for 66 days"),
        "Dev Shah": ("welcome", "is new: first in touch 4 days ago, not yet welcomed"),
        "Eve Adams": ("celebrate", "has a birthday on 12 March (in 2 days)"),
    }
    assert {i["minutes"] for i in items.values()} == {3, 5, 10}


def test_json_shape(ledger: Ledger):
    day = ledger.today(D)
    assert set(day) == {"date", "budget", "items", "done", "let_go"}
    assert day["budget"] == 30 and day["date"] == "2026-03-10"
    for item in day["items"]:
        assert set(item) == {"id", "kind", "person", "minutes", "reason", "draft"}
    assert sum(i["minutes"] for i in day["items"]) <= 30
    # Replies first, oldest first: Ana has waited longer than Nina.
    assert [i["person"] for i in day["items"][:2]] == ["Ana Lima", "Nina Park"]


def test_the_list_fits_the_minutes(ledger: Ledger):
    # Replies take at most 60% of the minutes while proactive items wait; the
    # kinds other than replies keep one place each within 40% (4 minutes here:
    # only Eve's 3-minute birthday fits), so Ana's reply and Eve's birthday.
    day = ledger.today(D, "--minutes", "10")
    assert [(i["person"], i["minutes"]) for i in day["items"]] == [
        ("Ana Lima", 5),
        ("Eve Adams", 3),
    ]
    # With 20 minutes (8 for the other kinds): the birthday and a 5-minute kind.
    kinds = {i["kind"] for i in ledger.today(D, "--minutes", "20")["items"]}
    assert {"reply", "celebrate"} <= kinds and len(kinds) >= 3


def test_text_output_shows_reason_minutes_id_and_draft(ledger: Ledger):
    out = ledger.run("today", "--date", D.isoformat(), "--minutes", "120").output
    ana = ledger.today(D)["items"][0]
    assert f"Reply to Ana Lima  ·  5 min  ·  {ana['id']}" in out
    assert "Ana Lima has waited 3 days for your answer; asked: " in out
    assert "Cleo Martin is usually in touch about weekly; silent for 66 days." in out
    assert "│ I'm sorry it took me 3 days to get back to you about \"Question about the" in out
    assert out.startswith("Today, Tuesday 10 March 2026: 6 items, 33 minutes of 120")


def test_done_resets_the_rhythm_at_once_and_it_stays_reset(ledger: Ledger):
    cleo = by_person(ledger.today(D, "--minutes", "120"))["Cleo Martin"]
    out = ledger.run("done", cleo["id"], "--date", D.isoformat(), "--note", "called her").output
    assert out.startswith("Done: Check in with Cleo Martin")
    # The contact is in the ledger: a note from me to her, from kith.
    rows = ledger.sql(
        "SELECT i.channel, i.kind, i.direction, i.source_id, i.body, pa.role, idn.value"
        " FROM interaction i JOIN participant pa ON pa.interaction_id = i.id"
        " JOIN identity idn ON idn.id = pa.identity_id WHERE i.source = 'kith'"
        " ORDER BY pa.role"
    )
    assert [tuple(r) for r in rows] == [
        ("note", "message", "out", f"{cleo['id']}:2026-03-10", "called her", "from", ME),
        ("note", "message", "out", f"{cleo['id']}:2026-03-10", "called her", "to", "cleo@z.test"),
    ]
    # Today's list shows it at once, before any refresh …
    day = ledger.today(D, "--minutes", "120")
    assert "Cleo Martin" not in by_person(day)
    assert day["done"] == [
        {"id": cleo["id"], "kind": "check_in", "person": "Cleo Martin", "minutes": 10}
    ]
    # … the next day too, and after the analytics see the contact.
    nxt = D + timedelta(days=1)
    assert "Cleo Martin" not in by_person(ledger.today(nxt, "--minutes", "120"))
    ledger.refresh(nxt)
    assert "Cleo Martin" not in by_person(ledger.today(nxt, "--minutes", "120"))
    (last_out,) = ledger.sql(
        "SELECT r.last_out_at FROM relationship r JOIN identity i ON i.person_id = r.person_id"
        " WHERE i.value = 'cleo@z.test'"
    )
    assert last_out[0] == end_of(D)


def test_done_twice_records_once(ledger: Ledger):
    ana = ledger.today(D)["items"][0]
    ledger.run("done", ana["id"], "--date", D.isoformat())
    again = ledger.run("done", ana["id"], "--date", D.isoformat())
    assert "done already" in again.output
    assert ledger.sql("SELECT COUNT(*) FROM interaction WHERE source = 'kith'")[0][0] == 1


def test_a_reply_done_then_a_new_message_is_a_new_item(ledger: Ledger):
    ana = ledger.today(D)["items"][0]
    ledger.run("done", ana["id"], "--date", D.isoformat())
    later = D + timedelta(days=2)
    assert "Ana Lima" not in by_person(ledger.today(later, "--minutes", "120"))
    ledger.add(
        [
            record(
                "ana-3", at(later, 0, 9), who("ana"), mine(), subject="One more thing",
                body="Can you also add the PO number?",
            )
        ]
    )  # fmt: skip
    assert "Ana Lima" not in by_person(ledger.today(later, "--minutes", "120"))  # not refreshed
    ledger.refresh(later)
    again = by_person(ledger.today(later, "--minutes", "120"))["Ana Lima"]
    assert again["id"] != ana["id"]
    assert again["reason"].startswith("has waited 1 day for your answer; asked: ")
    assert '"One more thing"' in again["draft"]


def test_snooze_hides_until_the_day_then_it_comes_back_first(ledger: Ledger):
    ben = by_person(ledger.today(D, "--minutes", "120"))["Ben Okafor"]
    out = ledger.run("snooze", ben["id"], "--days", "2", "--date", D.isoformat()).output
    assert out == "Snoozed: Thank Ben Okafor, back on 2026-03-12.\n"
    for day in (D, D + timedelta(days=1)):
        assert "Ben Okafor" not in by_person(ledger.today(day, "--minutes", "120"))
    back = ledger.today(D + timedelta(days=2), "--minutes", "5")
    assert [(i["id"], i["person"]) for i in back["items"]] == [(ben["id"], "Ben Okafor")]


def test_a_skipped_item_stays_away_until_its_situation_changes(ledger: Ledger):
    ben = by_person(ledger.today(D, "--minutes", "120"))["Ben Okafor"]
    assert ledger.run("skip", ben["id"], "--date", D.isoformat()).output == (
        "Skipped: Thank Ben Okafor.\n"
    )
    nxt = D + timedelta(days=1)
    assert "Ben Okafor" not in by_person(ledger.today(nxt, "--minutes", "120"))
    ledger.refresh(nxt)
    assert "Ben Okafor" not in by_person(ledger.today(nxt, "--minutes", "120"))
    # He shares again: a new situation, a new item.
    ledger.add(
        [
            record(
                "ben-9", at(nxt, 0, 8), who("ben"), mine(), kind=Kind.SHARE,
                channel=Channel.SOCIAL, subject="Shared your newsletter",
            )
        ]
    )  # fmt: skip
    ledger.refresh(nxt)
    thank = by_person(ledger.today(nxt, "--minutes", "120"))["Ben Okafor"]
    assert thank["id"] != ben["id"]
    assert thank["reason"].startswith("gave to you 4 times")


def test_unknown_ids_and_double_actions_say_what_to_do(ledger: Ledger):
    result = ledger.run("done", "re0000000000", ok=False)
    assert result.exit_code == 3
    assert "no item 're0000000000' in the ledger" in result.output
    assert "kith today lists the day's items" in result.output
    ana = ledger.today(D)["items"][0]
    ledger.run("done", ana["id"], "--date", D.isoformat())
    result = ledger.run("skip", ana["id"], "--date", D.isoformat(), ok=False)
    assert result.exit_code == 1 and "is done already" in result.output


def test_drafts_are_filled_from_the_ledger(ledger: Ledger):
    items = by_person(ledger.today(D, "--minutes", "120"))
    assert items["Ana Lima"]["draft"] == (
        "Hi Ana,\n\nI'm sorry it took me 3 days to get back to you about "
        '"Question about the invoice".\n\n[your answer]\n\nBest,\nSam\n'
    )
    assert (
        'Thank you for getting in touch about "Hello from a new reader", and welcome!'
        in (items["Nina Park"]["draft"])
    )
    assert (
        "Thank you for sharing my work 3 times. Much appreciated!" in (items["Ben Okafor"]["draft"])
    )
    assert (
        'It has been 66 days since we were last in touch ("Week 7 notes")'
        in (items["Cleo Martin"]["draft"])
    )
    assert "coming up on 12 March" in items["Eve Adams"]["draft"]
    assert items["Dev Shah"]["draft"].startswith("Hi Dev,\n\nWelcome, and thank you")


def test_a_template_in_the_config_folder_replaces_the_packaged_one(
    ledger: Ledger, tmp_path, monkeypatch
):
    folder = tmp_path / "config" / "kith" / "templates"
    folder.mkdir(parents=True)
    (folder / "reply.txt").write_text(
        "Dear {{ name }}, about {{ subject }} ({{ waited_days }} days): soon. {{ my_name }}\n"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    ana = ledger.today(D)["items"][0]
    assert ana["draft"] == (
        "Dear Ana Lima, about Question about the invoice (3 days): soon. Sam Rivera\n"
    )
    (folder / "reply.txt").write_text("Hi {{ frist_name }}\n")
    result = ledger.run("today", "--date", D.isoformat(), ok=False)
    assert result.exit_code == 2
    assert "reply.txt: the template uses a field kith does not have" in result.output
    assert "'frist_name' is undefined" in result.output


def test_minutes_and_budget_come_from_the_config_file(ledger: Ledger, tmp_path, monkeypatch):
    config = tmp_path / "config" / "kith"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("[today]\nbudget = 12\nminutes.reply = 6\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    day = ledger.today(D)
    assert day["budget"] == 12
    assert [(i["person"], i["minutes"]) for i in day["items"]] == [
        ("Ana Lima", 6),
        ("Eve Adams", 3),  # the day's one place for another kind (4 of 12 minutes)
    ]
    (config / "config.toml").write_text("[today]\nminutes.replies = 6\n")
    result = ledger.run("today", "--date", D.isoformat(), ok=False)
    assert result.exit_code == 2
    assert "[today] minutes.replies: no action called 'replies'" in result.output


def test_digest_and_feed(ledger: Ledger, tmp_path):
    from icalendar import Calendar

    out = ledger.run("digest", "--out", str(tmp_path / "d"), "--date", D.isoformat()).output
    md, html = (tmp_path / "d" / "kith-2026-03-10.md"), (tmp_path / "d" / "kith-2026-03-10.html")
    assert out.splitlines() == [str(md), str(html)]
    day = ledger.today(D)
    text_md = md.read_text()
    assert text_md.startswith("# Today, Tuesday 10 March 2026\n")
    assert f"`kith done {day['items'][0]['id']}`" in text_md
    assert "Ana Lima has waited 3 days for your answer; asked: " in html.read_text()
    assert "&#34;Question about the invoice&#34;" in html.read_text()  # escaped
    feed = tmp_path / "today.ics"
    ledger.run("feed", "--out", str(feed), "--date", D.isoformat())
    events = Calendar.from_ical(feed.read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{i['id']}@kith" for i in day["items"]]
    assert str(events[0]["SUMMARY"]) == "Reply to Ana Lima (5 min)"
    assert events[0].decoded("DTSTART") == D
    # The next day, the same items keep their UIDs.
    stdout = ledger.run("feed", "--date", (D + timedelta(days=1)).isoformat()).stdout_bytes
    again = {str(e["UID"]) for e in Calendar.from_ical(stdout).walk("VEVENT")}
    assert f"{day['items'][0]['id']}@kith" in again


def test_fair_state_and_first_due_are_kept_across_days(ledger: Ledger):
    ledger.today(D)
    ledger.today(D + timedelta(days=1))
    rows = ledger.sql("SELECT day, state_before, state_after FROM attention_day ORDER BY day")
    assert [r[0] for r in rows] == ["2026-03-10", "2026-03-11"]
    assert json.loads(rows[1][1]) == json.loads(rows[0][2])
    assert sum(json.loads(rows[0][2]).values()) > 0
    (cleo_due,) = ledger.sql("SELECT first_due_at FROM attention_item WHERE kind = 'check_in'")
    # Cleo's check-in fell due (last contact + twice her gap) before kith's first day:
    # her wait counts from that day, and stays so.
    assert cleo_due[0] == day_start(D)


def test_audit_attention(ledger: Ledger):
    day = ledger.today(D)
    ledger.run("done", day["items"][0]["id"], "--date", D.isoformat())
    out = ledger.run("audit", "attention", "--date", D.isoformat()).output
    assert "1 day(s) planned; 5 item(s) listed for 5 people." in out
    assert "Replies listed: 2, done: 1 (50%), median 3.2 days from the wait's start to done." in out
    assert "Let go: 0 people whose unanswered messages are all over 30 days old; 0 " in out
    assert "within the bound of 14 days" in out
    data = json.loads(ledger.run("audit", "attention", "--json").output)
    assert data["answered"] == 1 and data["replies"] == 2


def test_a_look_at_the_day_in_json_records_no_plan(ledger: Ledger):
    look = json.loads(ledger.run("today", "--date", D.isoformat(), "--json").output)
    assert look["items"]
    assert ledger.sql("SELECT COUNT(*) FROM attention_day") == [(0,)]
    assert ledger.sql("SELECT COUNT(*) FROM attention_item") == [(0,)]
    assert "No lists yet" in ledger.run("audit", "attention", "--date", D.isoformat()).output
    planned = ledger.today(D)
    assert [i["id"] for i in planned["items"]] == [i["id"] for i in look["items"]]
    out = ledger.run("audit", "attention", "--date", D.isoformat()).output
    assert "1 day(s) planned; 5 item(s) listed for 5 people." in out


def test_the_table_records_the_day(ledger: Ledger):
    ledger.run("today", "--date", D.isoformat())
    assert ledger.sql("SELECT day FROM attention_day") == [(D.isoformat(),)]


def test_an_empty_ledger_is_a_friendly_empty_day(db_url: str):
    runner = CliRunner()
    assert "No lists yet" in runner.invoke(cli, ["--db", db_url, "audit", "attention"]).output
    result = runner.invoke(cli, ["--db", db_url, "today", "--date", "2026-03-10"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Today, Tuesday 10 March 2026: nothing to show yet.")
    assert "kith analytics refresh" in result.output
    result = runner.invoke(cli, ["--db", db_url, "today", "--json", "--date", "2026-03-10"])
    assert json.loads(result.output) == {
        "date": "2026-03-10",
        "budget": 30,
        "items": [],
        "done": [],
        "let_go": {"messages": 0, "people": 0},
    }


def test_a_ledger_that_ended_long_ago_says_so_and_how_to_see_its_time(ledger: Ledger):
    last = ledger.sql("SELECT MAX(occurred_at) FROM interaction")[0][0]
    last_day = datetime.fromtimestamp(last, UTC).date()
    later = last_day + timedelta(days=800)
    result = ledger.run("today", "--date", later.isoformat())
    assert result.stdout.startswith("Today, ")
    hint = f"The ledger's latest interaction is on {last_day}, 2 years before this day"
    assert hint in result.stderr
    assert f"--date {last_day}" in result.stderr
    suggest = ledger.run("introduce", "--suggest", "--date", later.isoformat())
    assert hint in suggest.stderr
    # On the ledger's own time, no such note.
    assert "latest interaction" not in ledger.run("today", "--date", D.isoformat()).stderr
    near = ledger.run("introduce", "--suggest", "--date", D.isoformat())
    assert "latest interaction" not in near.stderr
