"""One router per feature; each serves its page(s) and its part of ``/api/``."""

from __future__ import annotations

from fastapi import Request

from kith.web.ledger import Ledger


def ledger_of(request: Request) -> Ledger:
    """The ledger this app serves."""
    ledger: Ledger = request.app.state.ledger
    return ledger
