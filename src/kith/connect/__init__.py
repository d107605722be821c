"""Connecting my people with each other: who could gain from knowing whom."""
