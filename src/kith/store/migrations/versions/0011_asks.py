"""asks: what I asked of whom, how many I expected to say yes, who answered

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ask",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expected", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ask"),
    )
    op.create_table(
        "ask_recipient",
        sa.Column("ask_id", sa.Integer, nullable=False),
        sa.Column("person_id", sa.Integer, nullable=False),
        sa.Column("answered_at", sa.BigInteger),
        sa.Column("answer_id", sa.BigInteger().with_variant(sa.Integer, "sqlite")),
        sa.ForeignKeyConstraint(["ask_id"], ["ask.id"], name="fk_ask_recipient_ask_id_ask"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_ask_recipient_person_id_person"
        ),
        sa.PrimaryKeyConstraint("ask_id", "person_id", name="pk_ask_recipient"),
    )
    op.create_index("ix_ask_recipient_person_id", "ask_recipient", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_ask_recipient_person_id", table_name="ask_recipient")
    op.drop_table("ask_recipient")
    op.drop_table("ask")
