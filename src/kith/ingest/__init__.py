"""Importers: each reads one kind of input into records; none touches the database."""
