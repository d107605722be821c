"""Connecting my people with each other: small private circles formed with care."""
