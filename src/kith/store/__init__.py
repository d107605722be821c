"""The ledger: schema, migrations, and the only SQL for it."""
