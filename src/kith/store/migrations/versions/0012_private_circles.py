"""private circles: a kind, a formation round, members, and their new-tie yield

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "circle_round",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("pool", sa.Text, nullable=False),
        sa.Column("pool_ids", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
    )
    with op.batch_alter_table("circle") as batch:
        batch.add_column(sa.Column("kind", sa.String(12)))
        batch.add_column(
            sa.Column(
                "round_id",
                sa.Integer,
                sa.ForeignKey("circle_round.id", name="fk_circle_round_id_circle_round"),
            )
        )
        batch.add_column(sa.Column("created_at", sa.BigInteger))
        batch.add_column(sa.Column("reasons", sa.Text))
    op.create_table(
        "circle_member",
        sa.Column("circle_id", sa.Integer, sa.ForeignKey("circle.id"), primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_circle_member_person_id", "circle_member", ["person_id"])
    op.create_table(
        "circle_yield",
        sa.Column("circle_id", sa.Integer, sa.ForeignKey("circle.id"), primary_key=True),
        sa.Column("computed_at", sa.BigInteger, nullable=False),
        sa.Column("pairs", sa.Integer, nullable=False),
        sa.Column("new_pairs", sa.Integer, nullable=False),
        sa.Column("met", sa.Integer, nullable=False),
        sa.Column("yield_share", sa.Float),
        sa.Column("random_share", sa.Float),
        sa.Column("random_draws", sa.Integer, nullable=False),
        sa.Column("window_ends_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("circle_yield")
    op.drop_index("ix_circle_member_person_id", table_name="circle_member")
    op.drop_table("circle_member")
    with op.batch_alter_table("circle") as batch:
        batch.drop_column("reasons")
        batch.drop_column("created_at")
        batch.drop_column("round_id")
        batch.drop_column("kind")
    op.drop_table("circle_round")
