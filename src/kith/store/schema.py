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
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
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

#: A group: a mailing list or community (public) or a cohort you run (private).
circle = Table(
    "circle",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Text, nullable=False, unique=True),
    Column("name", Text),
    Column("visibility", String(10), nullable=False),  # public, private
    Column("import_id", Integer, ForeignKey("import_run.id")),
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
