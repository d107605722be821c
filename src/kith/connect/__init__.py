"""Connecting my people with each other: introductions, and suggestions of whom to introduce."""
