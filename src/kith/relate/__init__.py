"""Derived relationships: scores of ties between people, from the interaction ledger."""
