"""Alembic environment: migrations run on the connection kith hands over."""

from __future__ import annotations

from alembic import context

from kith.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - kith always passes its connection
    raise RuntimeError("kith's migrations run through kith.store.db.upgrade()")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
