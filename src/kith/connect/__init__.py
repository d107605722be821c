"""Connecting my people with each other and reaching out to them: introductions and
suggestions of whom to introduce, private circles, asks, public conversations worth joining."""
