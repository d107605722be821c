"""Reaching out to my people: introductions, asks, public conversations worth joining."""
