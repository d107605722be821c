"""index: the two-way relationships by decayed contact (kith people, closest first)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_relationship_two_way_decayed",
        "relationship",
        ["decayed"],
        sqlite_where=sa.text("n_in > 0 AND n_out > 0"),
        postgresql_where=sa.text("n_in > 0 AND n_out > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_relationship_two_way_decayed", table_name="relationship")
