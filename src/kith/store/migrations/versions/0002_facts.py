"""facts, merge suggestions, interaction extra, identity link keys

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merge_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_a", sa.Integer(), nullable=False),
        sa.Column("person_b", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_a"], ["person.id"], name=op.f("fk_merge_suggestion_person_a_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_b"], ["person.id"], name=op.f("fk_merge_suggestion_person_b_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_suggestion")),
        sa.UniqueConstraint(
            "person_a", "person_b", name=op.f("uq_merge_suggestion_person_a_person_b")
        ),
    )
    op.create_table(
        "fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identity.id"], name=op.f("fk_fact_identity_id_identity")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["import_run.id"], name=op.f("fk_fact_import_id_import_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact")),
        sa.UniqueConstraint(
            "identity_id",
            "key",
            "value",
            "source",
            name=op.f("uq_fact_identity_id_key_value_source"),
        ),
    )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra", sa.Text(), nullable=True))
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_key", sa.Text(), nullable=True))
        batch_op.create_index("ix_identity_link_key", ["link_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_link_key")
        batch_op.drop_column("link_key")
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_column("extra")

    op.drop_table("fact")
    op.drop_table("merge_suggestion")
