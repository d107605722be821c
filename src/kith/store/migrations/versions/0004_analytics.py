"""analytics results: relationship, tie, analytics_state

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_COUNTS = [
    "interactions",
    "n_in",
    "n_out",
    "n_among",
    "n_email",
    "n_social",
    "n_comment",
    "n_meeting",
    "n_call",
    "n_purchase",
    "n_referral",
    "n_intro",
    "n_note",
]


def upgrade() -> None:
    op.create_table(
        "relationship",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.Column("half_life_days", sa.Float(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column("decayed", sa.Float(), nullable=False),
        sa.Column("decayed_in", sa.Float(), nullable=False),
        sa.Column("decayed_out", sa.Float(), nullable=False),
        sa.Column("first_at", sa.BigInteger(), nullable=True),
        sa.Column("last_at", sa.BigInteger(), nullable=True),
        sa.Column("first_contact_at", sa.BigInteger(), nullable=True),
        sa.Column("last_contact_at", sa.BigInteger(), nullable=True),
        sa.Column("last_in_at", sa.BigInteger(), nullable=True),
        sa.Column("last_out_at", sa.BigInteger(), nullable=True),
        sa.Column("tenure_days", sa.Float(), nullable=True),
        sa.Column("active_days", sa.Integer(), nullable=False),
        sa.Column("contact_days", sa.Integer(), nullable=False),
        sa.Column("median_gap_days", sa.Float(), nullable=True),
        sa.Column("silence_days", sa.Float(), nullable=True),
        sa.Column("cooling_ratio", sa.Float(), nullable=True),
        sa.Column("my_replies", sa.Integer(), nullable=False),
        sa.Column("my_reply_median_s", sa.Float(), nullable=True),
        sa.Column("their_replies", sa.Integer(), nullable=False),
        sa.Column("their_reply_median_s", sa.Float(), nullable=True),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("oldest_waiting_at", sa.BigInteger(), nullable=True),
        sa.Column("gives_in", sa.Integer(), nullable=False),
        sa.Column("gives_out", sa.Integer(), nullable=False),
        sa.Column("give_balance", sa.Integer(), nullable=False),
        sa.Column("sentiment_n", sa.Integer(), nullable=False),
        sa.Column("sentiment_mean", sa.Float(), nullable=True),
        sa.Column("negative_share", sa.Float(), nullable=True),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("public_share", sa.Float(), nullable=True),
        sa.Column("threads", sa.Integer(), nullable=False),
        sa.Column("threads_started", sa.Integer(), nullable=False),
        sa.Column("started_share", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_relationship")),
    )
    op.create_table(
        "tie",
        sa.Column("person_a", sa.Integer(), nullable=False),
        sa.Column("person_b", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.Column("half_life_days", sa.Float(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("decayed", sa.Float(), nullable=False),
        sa.Column("first_at", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.BigInteger(), nullable=False),
        sa.Column("shared_threads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_a", "person_b", name=op.f("pk_tie")),
    )
    op.create_index("ix_tie_person_b", "tie", ["person_b"], unique=False)
    op.create_table(
        "analytics_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.Column("last_interaction_id", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("finished_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_state")),
    )


def downgrade() -> None:
    op.drop_table("analytics_state")
    op.drop_index("ix_tie_person_b", table_name="tie")
    op.drop_table("tie")
    op.drop_table("relationship")
