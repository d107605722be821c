"""The sample world: deterministic, parseable by the stdlib, and holding its planted patterns."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import mailbox
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from itertools import islice, pairwise
from pathlib import Path

import pytest

from bench.scale import iter_scale_messages, iter_scale_records, scale_truth, write_scale_mbox
from kith.errors import ConfigError
from kith.model import InteractionRecord, Kind, Role
from kith.sample import DEFAULT_END, SampleWorld, generate_world, write_mbox, write_truth
from kith.sample.entities import OWNER_EMAILS
from kith.sample.render import render_message

FILES = ("inbox.mbox", "sent.mbox", "lists.mbox", "truth.json", "people.json")


@pytest.fixture(scope="module")
def world() -> SampleWorld:
    return generate_world()


@pytest.fixture(scope="module")
def written(world: SampleWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    write_mbox(world, folder)
    write_truth(world, folder)
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


def _contacts(world: SampleWorld) -> dict[str, list[datetime]]:
    """Every time each address appears in a message (From, To, Cc, Reply-To)."""
    seen: dict[str, list[datetime]] = defaultdict(list)
    for m in world.messages:
        for a in m.addresses():
            seen[a.email].append(m.date.astimezone(UTC))
    return seen


def _unquote_mboxrd(text: bytes) -> bytes:
    return re.sub(rb"(?m)^>(>*From )", rb"\1", text)


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(written: Path, tmp_path: Path) -> None:
    again = generate_world(seed=7)
    write_mbox(again, tmp_path)
    write_truth(again, tmp_path)
    assert _digests(tmp_path) == _digests(written)


def test_a_different_seed_gives_a_different_world(world: SampleWorld, tmp_path: Path) -> None:
    other = generate_world(seed=8)
    assert {m.message_id for m in other.messages}.isdisjoint(m.message_id for m in world.messages)
    write_mbox(other, tmp_path)
    assert (tmp_path / "inbox.mbox").read_bytes() != b""
    assert other.truth["cooling"] != world.truth["cooling"]


def test_generating_and_writing_takes_under_two_seconds(tmp_path: Path) -> None:
    started = time.process_time()
    w = generate_world(seed=11)
    write_mbox(w, tmp_path)
    write_truth(w, tmp_path)
    assert time.process_time() - started < 2.0


def test_sizes_of_the_default_world(world: SampleWorld) -> None:
    summary = world.summary()
    assert summary["people"] == 300
    assert 3000 <= summary["messages"] <= 5000
    assert summary["inbox"] + summary["sent"] + summary["lists"] == summary["messages"]


def test_a_world_too_small_for_its_patterns_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 60 people"):
        generate_world(people=10)
    with pytest.raises(ConfigError, match="at least 180 days"):
        generate_world(days=30)
    with pytest.raises(ConfigError, match="time-zone aware"):
        generate_world(end=datetime(2026, 11, 20, 17, 0))


def test_a_bigger_world_scales_its_patterns() -> None:
    big = generate_world(seed=3, people=900)
    assert len(big.people) == 900
    assert len(big.truth["cooling"]) > 20
    assert len(big.messages) > 8000


# --- the mbox files as a standard reader sees them -----------------------------------------


def test_every_message_parses_with_the_stdlib(world: SampleWorld, written: Path) -> None:
    for name in ("inbox", "sent", "lists"):
        box = mailbox.mbox(written / f"{name}.mbox", create=False)
        ours = world.folder(name)
        theirs = list(box)
        assert len(theirs) == len(ours), name
        for msg, parsed in zip(ours, theirs, strict=True):
            assert parsed["Message-ID"] == f"<{msg.message_id}>"
            assert parsed["From"]
            assert parsedate_to_datetime(parsed["Date"]) == msg.date
            assert parsed.get_from().split(" ", 1)[0] == msg.sender.email
            assert not parsed.defects, (name, msg.message_id, parsed.defects)
        box.close()


def test_headers_decode_to_the_names_and_subjects(world: SampleWorld) -> None:
    encoded = 0
    for msg in world.messages:
        raw = render_message(msg)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        sender = parsed["From"].addresses[0]
        assert sender.addr_spec == msg.sender.email
        assert sender.display_name == msg.sender.name
        assert str(parsed["Subject"]) == msg.subject
        assert [a.addr_spec for a in parsed["To"].addresses] == [a.email for a in msg.to]
        if msg.cc:
            assert [a.addr_spec for a in parsed["Cc"].addresses] == [a.email for a in msg.cc]
        body = parsed.get_body(("plain", "html"))
        assert body is not None
        assert body.get_content() == msg.body
        encoded += b"=?utf-8?" in raw
    assert encoded > 20


def test_non_ascii_names_are_rfc2047_in_headers_and_utf8_in_bodies(world: SampleWorld) -> None:
    names = {p.email: p.name for p in world.people if not p.name.isascii()}
    assert names
    msg = next(m for m in world.messages if m.sender.email in names and not m.html)
    raw = render_message(msg)
    head, _, body = raw.partition(b"\n\n")
    assert head.isascii()
    assert b'charset="utf-8"' in head
    first = names[msg.sender.email].split(" ")[0]
    if not first.isascii():
        assert first.encode() in body
        assert b"Content-Transfer-Encoding: 8bit" in head


def test_body_lines_starting_with_from_are_mboxrd_quoted(world: SampleWorld, written: Path) -> None:
    quoted = [m for m in world.folder("inbox") if re.search(r"(?m)^>*From ", m.body)]
    assert quoted
    text = (written / "inbox.mbox").read_bytes()
    assert re.search(rb"(?m)^>From my side|^>From what I read", text)
    box = mailbox.mbox(written / "inbox.mbox", create=False)
    by_id = {m["Message-ID"]: m for m in box}
    for msg in quoted:
        payload = by_id[f"<{msg.message_id}>"].get_payload(decode=True)
        assert _unquote_mboxrd(payload).decode() == msg.body
    box.close()


def test_list_mail_carries_list_headers(written: Path, world: SampleWorld) -> None:
    box = mailbox.mbox(written / "lists.mbox", create=False)
    senders = Counter()
    for parsed in box:
        assert parsed["List-Id"] == "Makers Guild <guild.lists.makersguild.org>"
        assert parsed["List-Post"] == "<mailto:guild@lists.makersguild.org>"
        senders[parsed.get_from().split(" ")[0]] += 1
    box.close()
    assert senders[world.owner.email] > 0  # Sam posts too
    assert len(senders) > 20


def test_html_only_messages_have_no_plain_part(written: Path, world: SampleWorld) -> None:
    html = [m for m in world.messages if m.html]
    assert len(html) >= 20
    box = mailbox.mbox(written / "inbox.mbox", create=False)
    by_id = {m["Message-ID"]: m for m in box}
    for msg in html:
        parsed = by_id[f"<{msg.message_id}>"]
        assert parsed.get_content_type() == "text/html"
        assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    box.close()


def test_receipts_reply_to_the_customer(world: SampleWorld) -> None:
    receipts = [m for m in world.messages if m.tag == "receipt"]
    assert receipts
    for m in receipts:
        assert m.reply_to is not None
        assert m.reply_to.email in world.truth["purchasers"]
        assert b"Reply-To: " in render_message(m)


def test_the_news_alias_is_used_both_ways(world: SampleWorld) -> None:
    alias = "sam+news@rivera.studio"
    sent = [m for m in world.messages if m.sender.email == alias]
    received = [m for m in world.messages if any(a.email == alias for a in m.to)]
    assert sent and [m for m in received if m.sender.email != alias]
    assert world.truth["owner_addresses"] == sorted(OWNER_EMAILS)


def test_dates_come_in_many_offsets(world: SampleWorld) -> None:
    offsets = Counter(m.date.strftime("%z") for m in world.messages)
    assert len(offsets) >= 8
    assert {"-0500", "-0400", "+0100", "+0530"} <= set(offsets)


def test_truth_and_people_files(written: Path, world: SampleWorld) -> None:
    truth = json.loads((written / "truth.json").read_text(encoding="utf-8"))
    assert truth["patterns"] == world.truth
    assert truth["seed"] == 7
    assert truth["end"] == "2026-11-20T17:00:00+00:00"
    people = json.loads((written / "people.json").read_text(encoding="utf-8"))
    assert len(people) == len(world.people)
    assert set(people[0]) == {"name", "email", "role", "tier", "reach"}
    assert {p["role"] for p in people} == {
        "customer",
        "fan",
        "peer",
        "partner",
        "supplier",
        "advisor",
        "staff",
    }
    assert {p["tier"] for p in people} == {"inner", "active", "long_tail"}


# --- threads -------------------------------------------------------------------------------


def test_message_ids_are_unique(world: SampleWorld) -> None:
    ids = [m.message_id for m in world.messages]
    assert len(ids) == len(set(ids))


def test_replies_point_to_earlier_messages_of_the_world(world: SampleWorld) -> None:
    when = {m.message_id: m.date for m in world.messages}
    replies = [m for m in world.messages if m.in_reply_to]
    assert len(replies) > len(world.messages) / 3
    for m in replies:
        assert m.in_reply_to in when
        assert when[m.in_reply_to] < m.date
        assert m.references[-1] == m.in_reply_to
        assert all(r in when for r in m.references)
        assert m.subject.startswith("Re: ")
        assert not m.subject.startswith("Re: Re:")


def test_owner_reply_delays_range_from_minutes_to_days(world: SampleWorld) -> None:
    by_id = {m.message_id: m for m in world.messages}
    delays = [
        (m.date - by_id[m.in_reply_to].date).total_seconds() / 60
        for m in world.messages
        if m.direction == "out" and m.in_reply_to and by_id[m.in_reply_to].direction == "in"
    ]
    assert min(delays) < 30
    assert max(delays) > 3 * 24 * 60
    assert 60 < statistics.median(delays) < 24 * 60


def test_most_mail_is_sent_in_office_hours(world: SampleWorld) -> None:
    office = sum(1 for m in world.messages if m.date.weekday() < 5 and 8 <= m.date.hour < 19)
    assert office / len(world.messages) > 0.7


def test_the_owner_answers_most_asks_but_not_all(world: SampleWorld) -> None:
    asks = [m for m in world.messages if m.direction == "in" and m.needs_reply]
    waiting = set(world.truth["waiting_message_ids"])
    share = len(waiting) / len(asks)
    assert 0.02 < share < 0.3


# --- the planted patterns ------------------------------------------------------------------


def test_every_pattern_is_present(world: SampleWorld) -> None:
    for key, values in world.truth.items():
        assert values, key
    summary = world.summary()
    for key, values in world.truth.items():
        if key != "owner_addresses":
            assert summary[key] == len(values)
    known = {p.email for p in world.people}
    for key, values in world.truth.items():
        if key.endswith("_pairs"):  # "a b": two addresses
            assert {e for pair in values for e in pair.split()} <= known, key
        elif not key.endswith("_message_ids") and key != "owner_addresses":
            assert set(values) <= known, key


def test_everyone_appears_in_some_message(world: SampleWorld) -> None:
    seen = _contacts(world)
    assert [p.email for p in world.people if p.email not in seen] == []


def test_rhythms_show_in_the_gaps_between_conversations(world: SampleWorld) -> None:
    starts: dict[str, list[datetime]] = defaultdict(list)
    for m in world.messages:
        if m.in_reply_to is None and not m.list_id and not m.cc:
            for a in (m.sender, *m.to):
                starts[a.email].append(m.date.astimezone(UTC))
    for key, low, high in (
        ("rhythm_weekly", 4, 12),
        ("rhythm_monthly", 18, 50),
        ("rhythm_quarterly", 55, 140),
    ):
        gaps = []
        for e in world.truth[key]:
            times = sorted(starts[e])
            gaps.append(statistics.median(b - a for a, b in pairwise(times)))
        typical = statistics.median(gaps)
        assert timedelta(days=low) < typical < timedelta(days=high), key


def test_cooling_people_were_regular_then_went_silent(world: SampleWorld) -> None:
    seen = _contacts(world)
    for e in world.truth["cooling"]:
        times = sorted(seen[e])
        silence = world.end - times[-1]
        assert timedelta(days=60) <= silence <= timedelta(days=150), e
        assert len(times) >= 5, e
        assert world.person(e).cooling_after is not None


def test_newcomers_first_appear_in_the_last_fourteen_days(world: SampleWorld) -> None:
    seen = _contacts(world)
    planted = [p.email for p in world.people if p.newcomer]
    assert set(planted) <= set(world.truth["newcomers"])
    for e in world.truth["newcomers"]:
        assert world.end - min(seen[e]) <= timedelta(days=14), e
    out = {a.email for m in world.messages if m.direction == "out" for a in (*m.to, *m.cc)}
    for e in world.truth["newcomers_unanswered"]:
        assert e not in out


def test_givers_never_thanked_never_hear_from_the_owner(world: SampleWorld) -> None:
    out_to = {a.email for m in world.messages if m.direction == "out" for a in (*m.to, *m.cc)}
    for e in world.truth["givers_never_thanked"]:
        gives = [m for m in world.messages if m.sender.email == e]
        assert len(gives) >= 3, e
        assert {m.tag for m in gives} <= {"share", "referral", "intro"}
        assert e not in out_to, e
    thanked = [e for e in world.truth["givers_thanked"] if e in out_to]
    assert thanked == world.truth["givers_thanked"]


def test_referrals_copy_the_friend_and_the_owner_answers_only_the_friend(
    world: SampleWorld,
) -> None:
    referrals = [m for m in world.messages if m.tag == "referral"]
    assert referrals
    friends = set(world.truth["referred"])
    for m in referrals:
        assert len(m.cc) == 1 and m.cc[0].email in friends
        assert world.person(m.cc[0].email).referred_by == m.sender.email
    assert "cc'ing them" in " ".join(m.body for m in referrals)


def test_waiting_messages_have_no_later_answer(world: SampleWorld) -> None:
    by_thread: dict[str, list] = defaultdict(list)
    for m in world.messages:
        by_thread[m.thread].append(m)
    by_id = {m.message_id: m for m in world.messages}
    for mid in world.truth["waiting_message_ids"]:
        m = by_id[mid]
        assert m.direction == "in" and m.needs_reply
        later = [x for x in by_thread[m.thread] if x.date > m.date and x.direction == "out"]
        assert later == [], mid
    recent = [by_id[i] for i in world.truth["waiting_message_ids"]]
    ages = [world.end - m.date for m in recent]
    assert min(ages) < timedelta(days=7) and max(ages) > timedelta(days=60)


def test_reach_is_heavy_tailed(world: SampleWorld) -> None:
    reach = sorted(p.reach for p in world.people)
    assert reach[-1] > 50 * statistics.median(reach)


# --- the scale stream (bench/scale.py) ------------------------------------------------------


def test_scale_messages_count_ids_and_parse() -> None:
    messages = list(iter_scale_messages(1_000, 10_000, seed=7))
    assert len(messages) == 10_000
    ids: set[str] = set()
    replies = 0
    for raw in messages:
        parsed = email.message_from_bytes(raw)
        assert parsed["Date"] and parsed["From"] and not parsed.defects
        parent = parsed["In-Reply-To"]
        if parent is not None:
            replies += 1
            assert parent in ids
        ids.add(parsed["Message-ID"])
    assert len(ids) == 10_000
    assert replies > 2_000


def test_scale_stream_is_deterministic_per_seed() -> None:
    def digest(seed: int) -> str:
        h = hashlib.sha256()
        for raw in iter_scale_messages(500, 3_000, seed=seed):
            h.update(raw)
        return h.hexdigest()

    assert digest(1) == digest(1)
    assert digest(1) != digest(2)


def test_scale_mbox_is_read_back_by_the_stdlib(tmp_path: Path) -> None:
    path = tmp_path / "scale.mbox"
    size = write_scale_mbox(path, 1_000, 5_000, seed=3)
    assert size == path.stat().st_size
    box = mailbox.mbox(path, create=False)
    assert len(box) == 5_000
    box.close()


def test_scale_records_match_the_messages() -> None:
    records = list(iter_scale_records(1_000, 10_000, seed=7))
    assert len(records) == 10_000
    ids = [r.source_id for r in records]
    assert len(set(ids)) == len(ids)
    messages = iter_scale_messages(1_000, 10_000, seed=7)
    for record, raw in islice(zip(records, messages, strict=True), 2_000):
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert record.source_id == parsed["Message-ID"].strip("<>")
        assert record.subject == str(parsed["Subject"])
        assert record.body == parsed.get_content()
        assert record.occurred_at == int(parsedate_to_datetime(parsed["Date"]).timestamp())
    earlier: set[str] = set()
    start = int((DEFAULT_END - timedelta(weeks=52)).timestamp())
    previous = start
    for i, r in enumerate(records):
        assert isinstance(r, InteractionRecord)
        assert r.source == "email" and r.origin.file == "sample:scale" and r.origin.position == i
        assert previous <= r.occurred_at <= int(DEFAULT_END.timestamp())
        previous = r.occurred_at
        assert r.participants[0].role is Role.FROM
        assert r.is_reply == (r.kind is Kind.REPLY) == bool(r.refs)
        assert set(r.refs) <= earlier
        assert r.thread_key is None and r.extra == {}
        earlier.add(r.source_id)
    assert sum(r.is_reply for r in records) > 2_000
    assert sum(r.list_id is not None for r in records) > 500


def test_scale_records_hold_the_planted_patterns() -> None:
    people, count = 2_000, 20_000
    truth = scale_truth(people, seed=5)
    end = int(DEFAULT_END.timestamp())
    givers = set(truth["givers_never_thanked"])
    cooling = set(truth["cooling"])
    newcomers = set(truth["newcomers"])
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    owner_wrote_to: set[str] = set()
    gave = Counter()
    for r in iter_scale_records(people, count, seed=5):
        for p in r.participants:
            first.setdefault(p.identity.value, r.occurred_at)
            last[p.identity.value] = r.occurred_at
        author = r.participants[0].identity.value
        if author in OWNER_EMAILS:
            owner_wrote_to.update(p.identity.value for p in r.participants[1:])
        elif author in givers:
            gave[author] += 1
    assert gave and owner_wrote_to.isdisjoint(givers)
    assert all(end - last[e] >= 60 * 86400 for e in cooling if e in last)
    assert sum(1 for e in cooling if e in last) > 10
    seen_new = [e for e in newcomers if e in first]
    assert seen_new
    assert all(end - first[e] <= 14 * 86400 for e in seen_new)


def test_scale_records_equal_what_the_mbox_importer_reads(tmp_path: Path) -> None:
    importer = pytest.importorskip("kith.ingest.mbox")
    from kith.ingest.base import ImportOptions

    path = tmp_path / "scale.mbox"
    write_scale_mbox(path, 1_000, 3_000, seed=9)
    read = list(importer.MboxImporter().extract(path, ImportOptions()))
    made = list(iter_scale_records(1_000, 3_000, seed=9))
    assert len(read) == len(made)
    for ours, theirs in zip(made, read, strict=True):
        assert isinstance(theirs, InteractionRecord), theirs
        for name in (
            "source",
            "source_id",
            "channel",
            "kind",
            "occurred_at",
            "participants",
            "tz_offset_min",
            "subject",
            "refs",
            "list_id",
            "list_name",
            "is_reply",
        ):
            assert getattr(ours, name) == getattr(theirs, name), (name, ours.source_id)


def test_the_fast_record_constructor_fills_every_field() -> None:
    record = next(iter_scale_records(100, 1, seed=1))
    values = {f.name: getattr(record, f.name) for f in fields(InteractionRecord)}
    assert InteractionRecord(**values) == record
    assert record.extra == {} and record.thread_key is None and record.date_quality == "header"


_PEAK = """
import sys, tracemalloc
sys.path.insert(0, sys.argv[1])
import bench.scale as scale
# Open threads are capped at 2 * POOL_SIZE each; a small cap shows flatness sooner.
scale.POOL_SIZE = 200

def peak(count):
    tracemalloc.start()
    for _ in scale.iter_scale_records(1_000, count, seed=2):
        pass
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top

peak(20_000)  # first use fills the generator's one-time tables (names, zones)
print(peak(20_000), peak(60_000))
"""


def test_scale_memory_stays_flat() -> None:
    # In a fresh interpreter: tracemalloc counts every thread's allocations, and
    # threads or garbage left by other tests in this process would count too.
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, str(Path(__file__).resolve().parents[1])],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    small, big = (int(x) for x in out.split())
    assert big < 1.2 * small, (small, big)


def test_the_world_imports_cleanly_with_the_mbox_importer(
    written: Path, world: SampleWorld
) -> None:
    importer = pytest.importorskip("kith.ingest.mbox")
    from kith.ingest.base import ImportOptions

    for name in ("inbox", "sent", "lists"):
        read = list(importer.MboxImporter().extract(written / f"{name}.mbox", ImportOptions()))
        ours = world.folder(name)
        assert len(read) == len(ours)
        for msg, record in zip(ours, read, strict=True):
            assert isinstance(record, InteractionRecord), record
            assert record.source_id == msg.message_id
            assert record.occurred_at == int(msg.date.timestamp())
            assert record.participants[0].identity.value == msg.sender.email
            assert record.is_reply == (msg.in_reply_to is not None)
