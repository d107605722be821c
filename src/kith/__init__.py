"""kith: a ledger of the people your business runs on, and what to do about them today."""

__version__ = "0.1.0"
