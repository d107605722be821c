"""indexes: who was merged into a person; a circle's interactions

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_person_merged_into",
        "person",
        ["merged_into"],
        sqlite_where=sa.text("merged_into IS NOT NULL"),
        postgresql_where=sa.text("merged_into IS NOT NULL"),
    )
    op.create_index(
        "ix_interaction_circle_id",
        "interaction",
        ["circle_id"],
        sqlite_where=sa.text("circle_id IS NOT NULL"),
        postgresql_where=sa.text("circle_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_interaction_circle_id", table_name="interaction")
    op.drop_index("ix_person_merged_into", table_name="person")
