"""Reaching out to people: asks, public conversations worth joining."""
