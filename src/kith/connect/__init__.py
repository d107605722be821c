"""Connecting my people with each other and reaching out to them: introductions and
suggestions of whom to introduce, asks, public conversations worth joining."""
