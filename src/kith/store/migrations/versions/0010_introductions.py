"""introductions: double opt-in, each step, and what came of them

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "introduction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("a_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("b_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("asked_a_at", sa.BigInteger(), nullable=True),
        sa.Column("asked_b_at", sa.BigInteger(), nullable=True),
        sa.Column("made_at", sa.BigInteger(), nullable=True),
        sa.Column("made_interaction_id", sa.BigInteger(), nullable=True),
        sa.Column("contact_at", sa.BigInteger(), nullable=True),
        sa.Column("checked_at", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_introduction_a_id", "introduction", ["a_id"])
    op.create_index("ix_introduction_b_id", "introduction", ["b_id"])
    op.create_index("ix_introduction_state", "introduction", ["state"])
    op.create_table(
        "introduction_step",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "introduction_id", sa.Integer(), sa.ForeignKey("introduction.id"), nullable=False
        ),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(8), nullable=False),
        sa.Column("interaction_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_introduction_step_introduction_id", "introduction_step", ["introduction_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_introduction_step_introduction_id", table_name="introduction_step")
    op.drop_table("introduction_step")
    op.drop_index("ix_introduction_state", table_name="introduction")
    op.drop_index("ix_introduction_b_id", table_name="introduction")
    op.drop_index("ix_introduction_a_id", table_name="introduction")
    op.drop_table("introduction")
