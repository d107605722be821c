"""follow-ups: relationships by my last message, where I wrote last

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: As ``kith.store.attention``'s follow-up query writes it.
I_WROTE_LAST = "last_out_at > COALESCE(last_in_at, 0)"

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_relationship_last_out_at",
        "relationship",
        ["last_out_at"],
        sqlite_where=sa.text(I_WROTE_LAST),
        postgresql_where=sa.text(I_WROTE_LAST),
    )


def downgrade() -> None:
    op.drop_index("ix_relationship_last_out_at", table_name="relationship")
