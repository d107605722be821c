"""the daily queue: attention_item, attention_action, attention_day; indexes
that let it read only the relationships (and birthdays) that can make items

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The expressions of ``kith.store.schema`` (and ``kith.store.attention``'s queries).
COOLING_DUE = "(last_contact_at + median_gap_days * 172800)"
BIRTHDAY_KEY = "substr(value, length(value) - 4, 5)"
#: Relationships with a rhythm (``kith.attention.candidates``: MIN_CONTACT_DAYS, MIN_THREADS).
RHYTHM = "contact_days >= 4 AND threads >= 5"


def upgrade() -> None:
    op.create_table(
        "attention_item",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("first_due_at", sa.BigInteger(), nullable=False),
        sa.Column("first_seen_at", sa.BigInteger(), nullable=False),
        sa.Column("first_listed_at", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("snoozed_until", sa.BigInteger(), nullable=True),
        sa.Column("acted_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_attention_item_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_item")),
    )
    op.create_index("ix_attention_item_person_id", "attention_item", ["person_id"])
    op.create_index("ix_attention_item_status", "attention_item", ["status"])
    op.create_table(
        "attention_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("snooze_days", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("interaction_source_id", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["attention_item.id"],
            name=op.f("fk_attention_action_item_id_attention_item"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_attention_action_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_action")),
    )
    op.create_index("ix_attention_action_day", "attention_action", ["day"])
    op.create_index("ix_attention_action_person_id", "attention_action", ["person_id"])
    op.create_table(
        "attention_day",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("planned_at", sa.BigInteger(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("oldest_left_at", sa.BigInteger(), nullable=True),
        sa.Column("state_before", sa.Text(), nullable=False),
        sa.Column("state_after", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_attention_day")),
    )
    waiting = sa.text("waiting > 0")
    op.create_index(
        "ix_relationship_waiting",
        "relationship",
        ["last_in_at"],
        sqlite_where=waiting,
        postgresql_where=waiting,
    )
    op.create_index(
        "ix_relationship_waiting_since",
        "relationship",
        ["oldest_waiting_at"],
        sqlite_where=waiting,
        postgresql_where=waiting,
    )
    op.create_index("ix_relationship_gives", "relationship", ["gives_out", "gives_in"])
    rhythm = sa.text(RHYTHM)
    op.create_index(
        "ix_relationship_cooling_due",
        "relationship",
        [sa.text(COOLING_DUE)],
        sqlite_where=rhythm,
        postgresql_where=rhythm,
    )
    op.create_index("ix_relationship_first_contact_at", "relationship", ["first_contact_at"])
    op.create_index("ix_relationship_decayed", "relationship", ["decayed"])
    op.create_index("ix_fact_birthday", "fact", ["key", sa.text(BIRTHDAY_KEY)])
    op.create_index("ix_person_is_me", "person", ["is_me"])


def downgrade() -> None:
    for name, table in (
        ("ix_person_is_me", "person"),
        ("ix_fact_birthday", "fact"),
        ("ix_relationship_decayed", "relationship"),
        ("ix_relationship_first_contact_at", "relationship"),
        ("ix_relationship_cooling_due", "relationship"),
        ("ix_relationship_gives", "relationship"),
        ("ix_relationship_waiting", "relationship"),
        ("ix_relationship_waiting_since", "relationship"),
        ("ix_attention_action_person_id", "attention_action"),
        ("ix_attention_action_day", "attention_action"),
        ("ix_attention_item_status", "attention_item"),
        ("ix_attention_item_person_id", "attention_item"),
    ):
        op.drop_index(name, table_name=table)
    op.drop_table("attention_day")
    op.drop_table("attention_action")
    op.drop_table("attention_item")
