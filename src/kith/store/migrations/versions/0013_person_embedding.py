"""person_embedding, embedding_matrix: each person's text as a vector, for kith match

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_embedding",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "model", name=op.f("pk_person_embedding")),
    )
    op.create_table(
        "embedding_matrix",
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("ids", sa.LargeBinary(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("model", name=op.f("pk_embedding_matrix")),
    )


def downgrade() -> None:
    op.drop_table("embedding_matrix")
    op.drop_table("person_embedding")
