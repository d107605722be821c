"""Matching on the web: who fits a text, the audience, what matters to a person.

The pages are parts of ``/people`` (the match box, the audience filter) and
of the person page (what matters to them); this router serves their JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from kith.errors import InputError
from kith.matching.search import Vectors
from kith.store.sql import Db
from kith.web.ledger import Ledger
from kith.web.routes import ledger_of

router = APIRouter(tags=["matching"])

#: Most matches one request returns.
MAX_MATCHES = 100
#: The vectors last read, per ledger URL, with the refresh stamp they were read
#: at: a server reads the 50 MB matrix of 100k people once per refresh, not
#: once per query (bench/RESULTS.md, "Matching").
_VECTORS: dict[str, tuple[str, Vectors]] = {}


def fresh_vectors(ledger: Ledger) -> None:
    """Embed the people whose text changed since the last refresh, if any did."""
    from kith.matching.index import refresh_if_stale
    from kith.store.sql import using

    refresh_if_stale(ledger.reader(), lambda: using(ledger.engine, write=True), ledger.now())


def vectors_of(ledger: Ledger, db: Db) -> Vectors:
    """The stored vectors, read again only after a refresh."""
    from kith.matching.index import STAMP_KEY
    from kith.store.embeddings import meta

    stamp = meta(db, STAMP_KEY) or ""
    url = ledger.config.database_url
    held = _VECTORS.get(url)
    if held is not None and held[0] == stamp:
        return held[1]
    vectors = Vectors.load(db)
    _VECTORS[url] = (stamp, vectors)
    return vectors


def find_matches(ledger: Ledger, text: str, limit: int) -> list[dict[str, Any]]:
    """The people who fit ``text`` (``kith match``), as JSON rows."""
    from kith.matching.search import match

    if not text.strip():
        raise InputError("the query is empty: say what to match people to")
    fresh_vectors(ledger)
    with ledger.reader() as db:
        found = match(db, text.strip(), limit=limit, vectors=vectors_of(ledger, db))
        return [m.as_dict() for m in found]


def audience_members(ledger: Ledger) -> tuple[str, list[Any]]:
    """The configured audience description and who fits it."""
    from kith.matching import audience

    text = audience.required_description()
    fresh_vectors(ledger)
    with ledger.reader() as db:
        return text, audience.members(db, text, vectors=vectors_of(ledger, db))


@router.get("/api/match")
def match_api(
    request: Request,
    q: Annotated[str, Query(description="A question, job, collaboration or event.")],
    limit: Annotated[int, Query(ge=1, le=MAX_MATCHES)] = 10,
) -> dict[str, Any]:
    """Who fits a text, best first, each with a score (0–1) and the quotes
    (their own words, or a profile fact) that made them fit, as `kith match`."""
    return {"matches": find_matches(ledger_of(request), q, limit)}


@router.get("/api/audience")
def audience_api(
    request: Request, limit: Annotated[int, Query(ge=1, le=10_000)] = 50
) -> dict[str, Any]:
    """The audience described with `kith audience --describe`: who fits it, with
    reasons, and the time split (last quarter and the one before), as `kith audience`."""
    from kith.matching import audience

    ledger = ledger_of(request)
    text, inside = audience_members(ledger)
    with ledger.reader() as db:
        split = audience.time_split(db, {m.person_id for m in inside}, ledger.now())
    return {
        "description": text,
        "members": [m.as_dict() for m in inside[:limit]],
        "count": len(inside),
        "time": split.as_dict(),
    }


@router.get("/api/people/{pid}/matters")
def matters_api(request: Request, pid: int) -> dict[str, Any]:
    """What matters to a person: the topics they write about most, what they
    asked for and what they offer, each with a quote and a date (their own words)."""
    from kith.matching.matters import what_matters
    from kith.store import reads

    with ledger_of(request).reader() as db:
        current = reads.find_person(db, f"#{pid}")
        return what_matters(db, current).as_dict()
