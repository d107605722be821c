"""forgotten identities (salted hashes); which process runs an import

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forgotten",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("forget_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_forgotten_forget_id", "forgotten", ["forget_id"])
    op.create_table(
        "ledger_meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("import_run") as batch:
        batch.add_column(sa.Column("host", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_run") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
    op.drop_table("ledger_meta")
    op.drop_index("ix_forgotten_forget_id", table_name="forgotten")
    op.drop_table("forgotten")
