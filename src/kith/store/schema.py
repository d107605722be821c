"""The ledger's tables (SQLAlchemy Core). Changes to them are Alembic migrations.

Times are whole seconds since the epoch, UTC (``BigInteger``): the same value on
SQLite and PostgreSQL, cheap to compare and to hand to DuckDB. Every row says
where it came from: ``import_id`` names the import run, and interactions keep
the file and position they were read at.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: One run of ``kith import`` (or a sync): what it read and what came of it.
import_run = Table(
    "import_run",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("importer", String(40), nullable=False),
    Column("path", Text, nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger),
    Column("status", String(16), nullable=False),  # running, done, failed
    Column("imported", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    #: The process that runs it (``running`` with that process gone: interrupted).
    Column("host", Text),
    Column("pid", Integer),
)

person = Table(
    "person",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text),
    #: ``kith.identity.name_key`` of the name: how names are matched.
    Column("name_key", Text),
    Column("is_me", Boolean, nullable=False, default=False),
    #: Set when this person was merged into another; cleared by unmerge.
    Column("merged_into", Integer, ForeignKey("person.id")),
    Column("created_at", BigInteger, nullable=False),
    Column("import_id", Integer, ForeignKey("import_run.id")),
    Index("ix_person_name", "name"),
    Index("ix_person_name_key", "name_key"),
)

#: A way of reaching someone (``email``/``ana@x.org``). ``alias_of`` links a
#: plus-address to its base address.
identity = Table(
    "identity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("value", Text, nullable=False),
    Column("display_name", Text),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("alias_of", Integer, ForeignKey("identity.id")),
    Column("first_seen", BigInteger),
    Column("import_id", Integer, ForeignKey("import_run.id")),
    #: ``kith.identity.link_key``: name key @ organisation domain, for rule 3.
    Column("link_key", Text),
    UniqueConstraint("kind", "value"),
    Index("ix_identity_person_id", "person_id"),
    Index("ix_identity_link_key", "link_key"),
)

#: One formation of private circles (``kith circle form`` then create, or one
#: ``kith circle create``): the pool the circles were drawn from (its filter
#: and its people's ids as JSON), which the new-tie yield's random groupings
#: are drawn from too, and the settings it was formed with (JSON). Migration 0011.
circle_round = Table(
    "circle_round",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", BigInteger, nullable=False),
    Column("pool", Text, nullable=False),
    Column("pool_ids", Text, nullable=False),
    Column("settings", Text, nullable=False),
)

#: A group: a mailing list or community (public) or a cohort you run (private).
#: A private circle has a kind (mastermind, dinner, peer group, cohort), the
#: round it was formed in, when it started, its reasons (JSON) and members
#: (``circle_member``); a public one's members are who took part in its
#: interactions.
circle = Table(
    "circle",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("name", Text),
    Column("visibility", String(10), nullable=False),  # public, private
    Column("import_id", Integer, ForeignKey("import_run.id")),
    Column("kind", String(12)),
    Column("round_id", Integer, ForeignKey("circle_round.id")),
    Column("created_at", BigInteger),
    Column("reasons", Text),
)

#: Who is in a private circle, since when.
circle_member = Table(
    "circle_member",
    metadata,
    Column("circle_id", Integer, ForeignKey("circle.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("added_at", BigInteger, nullable=False),
    Index("ix_circle_member_person_id", "person_id"),
)

#: A private circle's new-tie yield (``kith.connect.circles.new_tie_yield``),
#: recomputed after each import: of its pairs with no contact before it
#: started (``new_pairs``), how many interacted directly within the window
#: (``met``), and the same share for ``random_draws`` random groupings of the
#: same sizes from its round's pool.
circle_yield = Table(
    "circle_yield",
    metadata,
    Column("circle_id", Integer, ForeignKey("circle.id"), primary_key=True),
    Column("computed_at", BigInteger, nullable=False),
    Column("pairs", Integer, nullable=False),
    Column("new_pairs", Integer, nullable=False),
    Column("met", Integer, nullable=False),
    Column("yield_share", Float),
    Column("random_share", Float),
    Column("random_draws", Integer, nullable=False),
    Column("window_ends_at", BigInteger, nullable=False),
)

thread = Table(
    "thread",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(40), nullable=False),
    #: The root Message-ID, or ``subject:`` + normalised subject + participants.
    Column("root_key", Text, nullable=False),
    Column("subject", Text),
    Column("circle_id", Integer, ForeignKey("circle.id")),
    Column("started_at", BigInteger),
    Column("import_id", Integer, ForeignKey("import_run.id")),
    UniqueConstraint("source", "root_key"),
)

interaction = Table(
    "interaction",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("source", String(40), nullable=False),
    Column("source_id", Text, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    #: Derived from the participants and my identities; recomputed when they change.
    Column("direction", String(8), nullable=False),
    Column("occurred_at", BigInteger, nullable=False),
    Column("tz_offset_min", SmallInteger),
    Column("date_quality", String(10), nullable=False),
    Column("thread_id", Integer, ForeignKey("thread.id")),
    #: The direct parent's ``source_id`` (In-Reply-To), kept even before it arrives.
    Column("parent_ref", Text),
    Column("is_reply", Boolean, nullable=False, default=False),
    Column("subject", Text),
    Column("body", Text),
    Column("circle_id", Integer, ForeignKey("circle.id")),
    Column("import_id", Integer, ForeignKey("import_run.id")),
    Column("origin_file", Text),
    Column("origin_position", BigInteger),
    #: Source-specific details as JSON text (amount, currency, RSVPs, url …).
    Column("extra", Text),
    UniqueConstraint("source", "source_id"),
    Index("ix_interaction_occurred_at", "occurred_at"),
    Index("ix_interaction_thread_id", "thread_id"),
)

participant = Table(
    "participant",
    metadata,
    Column(
        "interaction_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("interaction.id"),
        primary_key=True,
    ),
    Column("identity_id", Integer, ForeignKey("identity.id"), primary_key=True),
    Column("role", String(12), primary_key=True),
    Index("ix_participant_identity_id", "identity_id"),
    # The primary key is the table: no separate rowid tree to fill on SQLite.
    sqlite_with_rowid=False,
)

#: Every merge, so that it can be undone: which identities moved where.
merge = Table(
    "merge",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kept_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("merged_id", Integer, ForeignKey("person.id"), nullable=False),
    #: Space-separated ids of the identities that moved from merged to kept.
    Column("identity_ids", Text, nullable=False),
    Column("reason", Text),
    Column("at", BigInteger, nullable=False),
    Column("undone_at", BigInteger),
)

#: A record an import could not read, with where it was.
skipped = Table(
    "skipped",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_id", Integer, ForeignKey("import_run.id"), nullable=False),
    Column("file", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
)


#: What a source says about a person, attached to an identity so that it
#: follows that identity through merges.
fact = Table(
    "fact",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identity_id", Integer, ForeignKey("identity.id"), nullable=False),
    Column("key", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("source", String(40), nullable=False),
    Column("source_id", Text, nullable=False),
    Column("import_id", Integer, ForeignKey("import_run.id")),
    UniqueConstraint("identity_id", "key", "value", "source"),
)

#: Two people who may be one, with the evidence and how sure; the user decides.
merge_suggestion = Table(
    "merge_suggestion",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_a", Integer, ForeignKey("person.id"), nullable=False),
    Column("person_b", Integer, ForeignKey("person.id"), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    #: open, accepted, rejected
    Column("status", String(10), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("person_a", "person_b"),
)

#: How far ``kith sync imap`` got in each mailbox: the mailbox's UIDVALIDITY
#: and the highest UID whose message is committed. A different UIDVALIDITY on
#: the server means the mailbox was recreated and is read again from the start.
imap_sync = Table(
    "imap_sync",
    metadata,
    #: ``user@host:port``: the same mailbox name on two servers is two mailboxes.
    Column("account", Text, primary_key=True),
    Column("mailbox", Text, primary_key=True),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("last_uid", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    #: The sync run that committed ``last_uid``.
    Column("import_id", Integer, ForeignKey("import_run.id")),
)

# -- analytics results (written by ``kith.analytics``, read by the surfaces) ----

#: One row per relationship (me ↔ a person who is not me and not merged away),
#: as of ``computed_at`` (the ``now`` it was computed for, epoch seconds UTC).
#: Decayed counts are values at ``computed_at``: a reader ages them to its own
#: ``now`` with ``kith.analytics.read.age`` (exact for exponential decay);
#: ``*_at`` columns are the raw times the now-dependent figures come from.
relationship = Table(
    "relationship",
    metadata,
    #: No foreign keys here or in ``tie``: the rows are derived and replaced in
    #: bulk, and checking a million person ids on every refresh costs more than
    #: it protects (``forget`` deletes a person's rows here too).
    Column("person_id", Integer, primary_key=True),
    Column("computed_at", BigInteger, nullable=False),
    Column("half_life_days", Float, nullable=False),
    Column("interactions", Integer, nullable=False),
    Column("n_in", Integer, nullable=False),
    Column("n_out", Integer, nullable=False),
    Column("n_among", Integer, nullable=False),
    Column("n_email", Integer, nullable=False),
    Column("n_social", Integer, nullable=False),
    Column("n_comment", Integer, nullable=False),
    Column("n_meeting", Integer, nullable=False),
    Column("n_call", Integer, nullable=False),
    Column("n_purchase", Integer, nullable=False),
    Column("n_referral", Integer, nullable=False),
    Column("n_intro", Integer, nullable=False),
    Column("n_note", Integer, nullable=False),
    Column("decayed", Float, nullable=False),
    Column("decayed_in", Float, nullable=False),
    Column("decayed_out", Float, nullable=False),
    Column("first_at", BigInteger),
    Column("last_at", BigInteger),
    Column("first_contact_at", BigInteger),
    Column("last_contact_at", BigInteger),
    Column("last_in_at", BigInteger),
    Column("last_out_at", BigInteger),
    Column("tenure_days", Float),
    Column("active_days", Integer, nullable=False),
    Column("contact_days", Integer, nullable=False),
    Column("median_gap_days", Float),
    Column("silence_days", Float),
    Column("cooling_ratio", Float),
    Column("my_replies", Integer, nullable=False),
    Column("my_reply_median_s", Float),
    Column("their_replies", Integer, nullable=False),
    Column("their_reply_median_s", Float),
    Column("waiting", Integer, nullable=False),
    Column("oldest_waiting_at", BigInteger),
    Column("gives_in", Integer, nullable=False),
    Column("gives_out", Integer, nullable=False),
    Column("give_balance", Integer, nullable=False),
    Column("sentiment_n", Integer, nullable=False),
    Column("sentiment_mean", Float),
    Column("negative_share", Float),
    Column("channels", Integer, nullable=False),
    Column("public_share", Float),
    Column("threads", Integer, nullable=False),
    Column("threads_started", Integer, nullable=False),
    Column("started_share", Float),
)

#: One row per tie between two people (``person_a < person_b``, neither me):
#: interactions both took part in, as of ``computed_at``.
tie = Table(
    "tie",
    metadata,
    Column("person_a", Integer, primary_key=True),
    Column("person_b", Integer, primary_key=True),
    Column("computed_at", BigInteger, nullable=False),
    Column("half_life_days", Float, nullable=False),
    Column("interactions", Integer, nullable=False),
    Column("decayed", Float, nullable=False),
    Column("first_at", BigInteger, nullable=False),
    Column("last_at", BigInteger, nullable=False),
    Column("shared_threads", Integer, nullable=False),
    Index("ix_tie_person_b", "person_b"),
)

#: How far the analytics got: one row. ``token`` pairs the ledger with its
#: analytics mirror (a DuckDB file); ``last_interaction_id`` is the newest
#: interaction the stored rows include; ``fingerprint`` the merges and my
#: identities they were computed under; ``settings`` the settings, as JSON.
analytics_state = Table(
    "analytics_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", Text, nullable=False),
    Column("computed_at", BigInteger, nullable=False),
    Column("last_interaction_id", BigInteger, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("settings", Text, nullable=False),
    Column("mode", String(12), nullable=False),
    Column("finished_at", BigInteger, nullable=False),
)

# -- the daily queue (``kith.attention``: kith today, done, snooze, skip) -----

#: Every item the queue has found due, by its stable id (``kind`` + person +
#: what it is about: a new situation is a new id): when its wait started, when
#: it was first found and first listed, and what the user did about it.
attention_item = Table(
    "attention_item",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("kind", String(12), nullable=False),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("tier", String(10), nullable=False),
    #: The wait counts from here (``Candidate.due_since``), kept across days.
    Column("first_due_at", BigInteger, nullable=False),
    #: The ``now`` of the first list that found it due, and of the first that showed it.
    Column("first_seen_at", BigInteger, nullable=False),
    Column("first_listed_at", BigInteger),
    #: open, done, snoozed, skipped; gone: no longer due, not by the user's doing
    #: (back to open if the same situation comes back)
    Column("status", String(10), nullable=False),
    Column("snoozed_until", BigInteger),
    Column("acted_at", BigInteger),
    Index("ix_attention_item_person_id", "person_id"),
    Index("ix_attention_item_status", "status"),
)

#: What the user did, one row per command (append-only): the audit reads it.
attention_action = Table(
    "attention_action",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", String(16), ForeignKey("attention_item.id"), nullable=False),
    Column("person_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("kind", String(12), nullable=False),
    #: done, snooze, skip
    Column("action", String(8), nullable=False),
    #: The day's list it belongs to (``YYYY-MM-DD``, UTC) and when.
    Column("day", String(10), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("snooze_days", Integer),
    Column("note", Text),
    #: ``done`` records the contact as an interaction (source ``kith``) with this id.
    Column("interaction_source_id", Text),
    Index("ix_attention_action_day", "day"),
    Index("ix_attention_action_person_id", "person_id"),
)

#: Each day's list: the budget, the scheduler's fair state before and after
#: (``FairState.served`` as JSON, carried to the next day) and the items.
attention_day = Table(
    "attention_day",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("planned_at", BigInteger, nullable=False),
    Column("budget", Integer, nullable=False),
    #: How many items were due (the candidates the scheduler chose from), and
    #: the first-due time of the longest-waiting one left off the list.
    Column("due", Integer, nullable=False),
    Column("oldest_left_at", BigInteger),
    Column("state_before", Text, nullable=False),
    Column("state_after", Text, nullable=False),
    #: The chosen items as JSON: id, kind, person_id, person, tier, minutes, reason.
    Column("items", Text, nullable=False),
)

#: The queue reads only the relationships that can make an item, by these
#: indexes (migration 0005); ``kith.store.attention`` writes its queries with
#: the same expressions so that they are used (a test reads SQLite's plans).
#: Replies: waiting, by their oldest waiting message and by their last message.
Index(
    "ix_relationship_waiting_since",
    relationship.c.oldest_waiting_at,
    sqlite_where=relationship.c.waiting > 0,
    postgresql_where=relationship.c.waiting > 0,
)
Index(
    "ix_relationship_waiting",
    relationship.c.last_in_at,
    sqlite_where=relationship.c.waiting > 0,
    postgresql_where=relationship.c.waiting > 0,
)
#: Thanks: gives received, none returned.
Index("ix_relationship_gives", relationship.c.gives_out, relationship.c.gives_in)
#: Check-ins and the cooling filter: when silence reaches twice the usual gap
#: (``kith.store.relationships.COOLING_DUE_SQL``), for relationships with a rhythm
#: (``kith.relate.cooling``'s MIN_CONTACT_DAYS, MIN_THREADS: ``COOLING_INDEX_WHERE``).
Index(
    "ix_relationship_cooling_due",
    relationship.c.last_contact_at + relationship.c.median_gap_days * 172800,
    sqlite_where=text("contact_days >= 4 AND threads >= 5"),
    postgresql_where=text("contact_days >= 4 AND threads >= 5"),
)
#: Follow-ups: my last message, by when, where I wrote last (migration 0006).
#: Partial, so that it holds few rows and never serves ``last_out_at IS NULL``
#: (the newcomers' query, which most people match).
Index(
    "ix_relationship_last_out_at",
    relationship.c.last_out_at,
    sqlite_where=text("last_out_at > COALESCE(last_in_at, 0)"),
    postgresql_where=text("last_out_at > COALESCE(last_in_at, 0)"),
)
#: Who was merged into a person (a person's page lists them), and a circle's
#: interactions (the People page's circle filter): migration 0007, partial,
#: since most people are not merged and most interactions are in no circle.
Index(
    "ix_person_merged_into",
    person.c.merged_into,
    sqlite_where=person.c.merged_into.is_not(None),
    postgresql_where=person.c.merged_into.is_not(None),
)
Index(
    "ix_interaction_circle_id",
    interaction.c.circle_id,
    sqlite_where=interaction.c.circle_id.is_not(None),
    postgresql_where=interaction.c.circle_id.is_not(None),
)
#: Newcomers, and the closest people (tiers) by decayed contact.
Index("ix_relationship_first_contact_at", relationship.c.first_contact_at)
Index("ix_relationship_decayed", relationship.c.decayed)
#: The two-way by decayed contact, for ``kith people``'s first part and the
#: layers' ranks (migration 0009): partial, so that a ledger with few or no
#: two-way relationships does not read every row to find them
#: (``kith.store.relationships.TWO_WAY``).
Index(
    "ix_relationship_two_way_decayed",
    relationship.c.decayed,
    sqlite_where=text("n_in > 0 AND n_out > 0"),
    postgresql_where=text("n_in > 0 AND n_out > 0"),
)
#: Each person's text as a vector (``kith.signals.embed``), for ``kith match``:
#: one row per person and model; ``text_hash`` is the hash of the text embedded, so
#: that only people whose text changed are embedded again (migration 0012). Derived,
#: like ``relationship``: no foreign key, removed with the person (``forget``).
person_embedding = Table(
    "person_embedding",
    metadata,
    Column("person_id", Integer, primary_key=True),
    Column("model", String(60), primary_key=True),
    Column("text_hash", String(64), nullable=False),
    #: float16 values, little-endian, unit length (``kith.signals.embed.STORED``).
    Column("vector", LargeBinary, nullable=False),
    Column("computed_at", BigInteger, nullable=False),
)

#: Every current person's vector of a model in one row, for a query to read at
#: once (rows of ``person_embedding`` one by one take most of a query's time
#: at 100k people): ``ids`` as int64 and ``vectors`` as ``person_embedding``'s,
#: in the same order. Rebuilt by each refresh; removed by ``forget`` (and then
#: the next query rebuilds it).
embedding_matrix = Table(
    "embedding_matrix",
    metadata,
    Column("model", String(60), primary_key=True),
    Column("ids", LargeBinary, nullable=False),
    Column("vectors", LargeBinary, nullable=False),
    Column("computed_at", BigInteger, nullable=False),
)

#: Me (one row of all): found without reading every person.
Index("ix_person_is_me", person.c.is_me)
#: Birthdays by month and day, whether stored as YYYY-MM-DD or --MM-DD.
Index(
    "ix_fact_birthday",
    fact.c.key,
    func.substr(fact.c.value, func.length(fact.c.value) - 4, 5),
)


#: Identities removed by ``kith forget``, as salted hashes of ``kind:value``
#: (``kith.store.forget``): a later import never brings them back.
forgotten = Table(
    "forgotten",
    metadata,
    Column("hash", String(64), primary_key=True),
    #: One ``kith forget`` (all of one person's identities share it).
    Column("forget_id", Integer, nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_forgotten_forget_id", "forget_id"),
)

#: Facts about the ledger itself (the salt of ``forgotten``'s hashes).
ledger_meta = Table(
    "ledger_meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)


# -- introductions (``kith.connect.introductions``: kith introduce) ----------

#: One introduction of person A to person B, double opt-in: A is asked first,
#: then B, then it is made, and the yield check says whether they went on
#: without the introducer. ``by_id`` is who made it: NULL for me; another
#: person for an introduction made to me (recognised in mail, then A is me).
introduction = Table(
    "introduction",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("a_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("b_id", Integer, ForeignKey("person.id"), nullable=False),
    Column("by_id", Integer, ForeignKey("person.id")),
    #: ``kith.connect.introductions.STATES``
    Column("state", String(12), nullable=False),
    Column("note", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("asked_a_at", BigInteger),
    Column("asked_b_at", BigInteger),
    Column("made_at", BigInteger),
    #: The introduction e-mail, when mail showed it (no foreign key: forget may remove it).
    Column("made_interaction_id", BigInteger),
    #: The first direct contact between A and B after it was made, without the introducer.
    Column("contact_at", BigInteger),
    #: When the yield was last checked.
    Column("checked_at", BigInteger),
    Index("ix_introduction_a_id", "a_id"),
    Index("ix_introduction_b_id", "b_id"),
    Index("ix_introduction_state", "state"),
)

#: Every step an introduction took (append-only): the state it moved to, when,
#: by whom (``actor``: ``me``: a command or the web; ``mail``: an imported message,
#: ``interaction_id``; ``kith``: the yield check), and a note.
introduction_step = Table(
    "introduction_step",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("introduction_id", Integer, ForeignKey("introduction.id"), nullable=False),
    Column("state", String(12), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(8), nullable=False),
    Column("interaction_id", BigInteger),
    Column("note", Text),
    Index("ix_introduction_step_introduction_id", "introduction_id"),
)


# -- asks (``kith ask``, ``kith asks``: ``kith.connect.asks``) ---------------

#: Something I asked of my people: advice, a referral, feedback, a favour,
#: with the subject its drafts carry (replies are found by it) and how many
#: I expected to say yes before it went out (Flynn & Lake 2008).
ask = Table(
    "ask",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    #: advice, referral, feedback, favour
    Column("kind", String(10), nullable=False),
    Column("subject", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expected", Integer, nullable=False),
)

#: Whom an ask went to, and when their first reply to it arrived (the reply's
#: interaction id): set by ``kith.connect.asks.mark_answers`` after each import.
ask_recipient = Table(
    "ask_recipient",
    metadata,
    Column("ask_id", Integer, ForeignKey("ask.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("person.id"), primary_key=True),
    Column("answered_at", BigInteger),
    Column("answer_id", BigInteger().with_variant(Integer, "sqlite")),
    Index("ix_ask_recipient_person_id", "person_id"),
)
