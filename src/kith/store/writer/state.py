"""What the parts of one import run share: its id and clock, and what it remembers."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Most entries a writer cache holds before it is cleared.
CACHE_CAP = 200_000


@dataclass(slots=True)
class Known:
    """What the writer remembers between batches (all of it re-readable from the ledger)."""

    identities: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    threads: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, root_key)
    message_threads: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, id)
    circles: dict[str, int] = field(default_factory=dict)
    #: A mailing list's address → its list id, read from the ledger's circles once a
    #: run (``None`` until then), with every list the run's records name added.
    list_addresses: dict[str, str] | None = None
    me: set[int] = field(default_factory=set)  # identity ids

    def trim(self) -> None:
        """Forget what has grown past its cap (it is read back from the ledger
        when needed), so that memory stays flat however big the import."""
        for cache in (self.identities, self.threads, self.message_threads):
            if len(cache) > CACHE_CAP:
                cache.clear()


@dataclass(slots=True)
class RunState:
    """One import run as each part of the writer sees it."""

    #: The run's clock (seconds since the epoch): new people are created "now".
    now: int
    #: The ``import_run`` row every stored row points back to (set by ``start``).
    import_id: int = 0
    known: Known = field(default_factory=Known)
    #: A card added identities of mine: directions must be recomputed.
    me_changed: bool = False
    #: The identities (``kind:value``) that cards of this run made mine.
    me_added: list[str] = field(default_factory=list)
