"""The ledger's write path with hand-made records, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from kith.model import Channel, IdentityRef, InteractionRecord, Kind, Origin, Participant, Role
from kith.store import repository
from kith.store.db import HEAD_REVISION, MIGRATIONS, current_revision
from kith.store.schema import identity, interaction
from kith.store.writer import LedgerWriter

NOW = 1_800_000_000


def msg(
    sid: str,
    sender: str,
    to: list[str],
    at: int,
    *,
    refs: tuple[str, ...] = (),
    name: str | None = None,
    subject: str = "Hello",
    thread_key: str | None = None,
) -> InteractionRecord:
    parts = [Participant(Role.FROM, IdentityRef("email", sender, name))]
    parts += [Participant(Role.TO, IdentityRef("email", a)) for a in to]
    return InteractionRecord(
        source="email",
        source_id=sid,
        channel=Channel.EMAIL,
        kind=Kind.REPLY if refs else Kind.MESSAGE,
        occurred_at=at,
        participants=tuple(parts),
        origin=Origin("test.mbox", at),
        subject=subject,
        refs=refs,
        is_reply=bool(refs),
        thread_key=thread_key,
    )


def write(engine, records, **kw):
    w = LedgerWriter(engine, importer="test", path="test.mbox", now=NOW, **kw)
    w.start()
    result = w.write(records)
    w.finish("done", NOW)
    return result


def test_head_revision_matches_migration_scripts():
    scripts = sorted(p.name for p in (MIGRATIONS / "versions").glob("0*.py"))
    assert scripts[-1].startswith(HEAD_REVISION + "_")


def test_migrations_run_on_first_use(engine):
    assert current_revision(engine) == HEAD_REVISION


def test_replies_join_their_parents_thread_in_any_order(engine):
    root = msg("a@x", "ana@x.org", ["bo@y.org"], 100)
    reply = msg("b@x", "bo@y.org", ["ana@x.org"], 200, refs=("a@x",))
    reply2 = msg("c@x", "ana@x.org", ["bo@y.org"], 300, refs=("a@x", "b@x"))
    # children first, root last, in separate batches
    assert write(engine, [reply2]).imported == 1
    assert write(engine, [reply, root]).imported == 2
    with engine.connect() as conn:
        threads = {r.source_id: r.thread_id for r in conn.execute(select(interaction))}
    assert len(set(threads.values())) == 1


def test_same_message_twice_is_one_interaction(engine):
    records = [msg("a@x", "ana@x.org", ["bo@y.org"], 100)]
    first = write(engine, records)
    second = write(engine, records + records)
    assert (first.imported, first.duplicates) == (1, 0)
    assert (second.imported, second.duplicates) == (0, 2)
    assert repository.stats(engine)["interactions"] == 1


def test_plus_address_is_an_alias_of_the_same_person(engine):
    write(engine, [msg("a@x", "ana+news@x.org", ["bo@y.org"], 100, name="Ana Lima")])
    with engine.connect() as conn:
        rows = conn.execute(
            select(identity.c.value, identity.c.person_id, identity.c.alias_of).order_by(
                identity.c.value
            )
        ).all()
    by_value = {v: (p, a) for v, p, a in rows}
    assert by_value["ana+news@x.org"][0] == by_value["ana@x.org"][0]
    assert by_value["ana+news@x.org"][1] is not None


def test_same_name_same_domain_is_one_person_other_domain_is_not(engine):
    write(
        engine,
        [
            msg("a@x", "phillip.allen@enron.com", ["bo@y.org"], 100, name="Phillip Allen"),
            msg("b@x", "pallen@enron.com", ["bo@y.org"], 200, name="Phillip Allen"),
            msg("c@x", "phillip@gmail.com", ["bo@y.org"], 300, name="Phillip Allen"),
        ],
    )
    pid = repository.find_person(engine, "pallen@enron.com")
    assert pid == repository.find_person(engine, "phillip.allen@enron.com")
    assert pid != repository.find_person(engine, "phillip@gmail.com")


def test_me_decides_direction_and_is_recomputed(engine):
    write(
        engine,
        [
            msg("a@x", "ana@x.org", ["sam@me.org"], 100),
            msg("b@x", "sam@me.org", ["ana@x.org"], 200),
            msg("c@x", "ana@x.org", ["bo@y.org"], 300),
        ],
    )
    assert repository.stats(engine)["by_direction"] == {"in": 0, "out": 0, "among": 3}
    repository.add_me(engine, "email", "sam@me.org", name="Sam", now=NOW)
    assert repository.stats(engine)["by_direction"] == {"in": 1, "out": 1, "among": 1}
    # later imports see me at once
    write(engine, [msg("d@x", "bo@y.org", ["sam+shop@me.org"], 400)])
    assert repository.stats(engine)["by_direction"]["in"] == 2
    assert repository.stats(engine)["people"] == 2


def test_merge_and_unmerge_are_reversible(engine):
    write(
        engine,
        [
            msg("a@x", "ana@x.org", ["bo@y.org"], 100, name="Ana"),
            msg("b@x", "ana.lima@z.org", ["bo@y.org"], 200, name="Ana L"),
        ],
    )
    a = repository.find_person(engine, "ana@x.org")
    b = repository.find_person(engine, "ana.lima@z.org")
    before = repository.stats(engine)["people"]
    repository.merge_people(engine, a, b, reason="test", now=NOW)
    assert repository.find_person(engine, "ana.lima@z.org") == a
    assert repository.stats(engine)["people"] == before - 1
    profile = repository.person_profile(engine, a)
    assert {i["value"] for i in profile.identities} == {"ana@x.org", "ana.lima@z.org"}
    assert profile.counts == {"among": 2}
    repository.unmerge_person(engine, b, now=NOW)
    assert repository.find_person(engine, "ana.lima@z.org") == b
    assert repository.stats(engine)["people"] == before


def test_subject_thread_key_groups_messages_without_references(engine):
    write(
        engine,
        [
            msg("a@x", "ana@x.org", ["bo@y.org"], 100, thread_key="k1"),
            msg("b@x", "bo@y.org", ["ana@x.org"], 200, thread_key="k1", subject="RE: Hello"),
            msg("c@x", "bo@y.org", ["ana@x.org"], 300, thread_key="k2", subject="Other"),
        ],
    )
    assert repository.stats(engine)["threads"] == 2


def test_people_listing_streams_in_name_order(engine):
    write(
        engine,
        [
            msg("a@x", "zed@x.org", ["amy@y.org"], 100, name="Zed Zulu"),
            msg("b@x", "amy@y.org", ["zed@x.org"], 200, name="Amy Alpha"),
        ],
    )
    rows = list(repository.iter_people(engine, sort="name"))
    assert [r.name for r in rows] == ["Amy Alpha", "Zed Zulu"]
    assert [r.interactions for r in rows] == [2, 2]
    assert rows[0].last_contact == 200


def test_ledger_folder_is_created(tmp_path: Path):
    from kith.store.db import open_store

    url = f"sqlite:///{tmp_path / 'deep' / 'er' / 'kith.db'}"
    open_store(url).dispose()
    assert (tmp_path / "deep" / "er" / "kith.db").exists()


def card(sid, *idents, name=None, facts=()):
    from kith.model import ContactRecord, Fact

    return ContactRecord(
        source="vcard",
        source_id=sid,
        identities=tuple(IdentityRef(k, v) for k, v in idents),
        origin=Origin("cards.vcf", 0),
        name=name,
        facts=tuple(Fact(k, v) for k, v in facts),
    )


def write_cards(engine, cards):
    w = LedgerWriter(engine, importer="test", path="cards.vcf", now=NOW)
    w.start()
    result = w.write([], (), cards)
    w.finish("done", NOW)
    return result


def test_a_card_links_the_people_it_lists_and_keeps_its_facts(engine):
    write(
        engine,
        [
            msg("a@x", "ana@x.org", ["bo@y.org"], 100),
            msg("b@x", "ana.lima@gmail.com", ["bo@y.org"], 200),
        ],
    )
    assert repository.stats(engine)["people"] == 3
    c = card(
        "uid-1",
        ("email", "ana@x.org"),
        ("email", "ana.lima@gmail.com"),
        ("x", "@analima"),
        name="Ana Lima",
        facts=[("org", "Lima Studio"), ("title", "Founder")],
    )
    first = write_cards(engine, [c])
    assert (first.imported, first.duplicates) == (1, 0)
    assert repository.stats(engine)["people"] == 2
    pid = repository.find_person(engine, "x:@analima")
    assert pid == repository.find_person(engine, "ana.lima@gmail.com")
    profile = repository.person_profile(engine, pid)
    assert profile.name == "Ana Lima"
    assert profile.counts == {"among": 2}
    # the same card again adds nothing
    again = write_cards(engine, [c])
    assert (again.imported, again.duplicates) == (0, 1)
    # the automatic link is a recorded merge, so it can be undone
    other = [m for m in profile.merged_from]
    assert len(other) == 1
    repository.unmerge_person(engine, other[0], now=NOW)
    assert repository.stats(engine)["people"] == 3


def test_an_archive_owner_card_makes_its_identities_mine(engine):
    from kith.model import ContactRecord

    write(
        engine,
        [
            msg("a@x", "ana@x.org", ["sam@me.org"], 100),
            msg("b@x", "sam@me.org", ["ana@x.org"], 200),
        ],
    )
    owner = ContactRecord(
        source="x",
        source_id="account",
        identities=(IdentityRef("x", "samrivera"), IdentityRef("email", "sam@me.org")),
        origin=Origin("account.js", 0),
        name="Sam Rivera",
        is_me=True,
    )
    result = write_cards(engine, [owner])
    assert result.imported == 1
    assert repository.my_identities(engine) == ["email:sam@me.org", "x:samrivera"]
    assert repository.stats(engine)["by_direction"] == {"in": 1, "out": 1, "among": 0}
    assert write_cards(engine, [owner]).duplicates == 1
