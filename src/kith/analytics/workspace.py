"""Working memory kept from one compiled run to the next.

Fresh memory is dear. The kernel zeroes every page of it on first touch, and
a virtual machine whose host takes back freed memory (free page reporting,
as on the machines here) also faults in the host. ``bench/bench_memory.py``
measures both: filling a gigabyte the process already holds against
allocating and filling a fresh one, right after a free and after a few
seconds' pause (when the freed memory has been handed back).

Blocks are mapped memory of their own, in small pages (see ``_allocate``).

DuckDB keeps its buffer pool between queries. The compiled run keeps its big
arrays the same way:

- ``empty(name, shape, dtype)`` hands out a block the workspace holds;
- the block is the one ``name`` had in the run before, if it is free and
  fits; else the smallest free block that fits (if not over twice the
  size); else a new one, a little larger than asked for (so a ledger that
  grows a little still fits);
- ``give_back(array)`` returns a block for a later array of the same run;
- ``lend(key, array)`` keeps a block out past the run's end, for results
  made of it, until ``reclaim(key)``;
- ``finish()`` returns every other block, and lets go of the blocks the run
  did not use.

A run asks for the same names each time, so from the second run on its
arrays get their blocks back as they were, and none is allocated anew —
except where two arrays on different threads shared a block one after the
other: which of them comes first can change from run to run, and the later
one then takes another block (made anew if none fits). Small arrays (under
``floor`` bytes) are plain NumPy arrays.

The arrays a workspace hands out are valid until they are given back or the
run finishes; ``kith.analytics.compiled`` takes care that nothing outlives
them.
"""

from __future__ import annotations

import mmap
import threading

import numpy as np


def _address(array: np.ndarray) -> int:
    return int(array.__array_interface__["data"][0])


def _allocate(nbytes: int) -> np.ndarray:
    """A new block: anonymous memory of its own, in small pages. NumPy asks
    for huge pages for big arrays, and a huge page first touched costs about
    twice what its 512 small pages do here (``bench/bench_memory.py``); with
    the blocks kept, the fewer misses in the processor's page cache that huge
    pages bring did not show in the run's time."""
    return np.frombuffer(mmap.mmap(-1, nbytes), np.uint8)


def _rounded(nbytes: int) -> int:
    """``nbytes`` rounded up to a sixteenth of its power of two (at most
    6.25% more; pages never touched are never paid for)."""
    step = max(4096, 1 << max(0, nbytes.bit_length() - 4))
    return -(-nbytes // step) * step


class Workspace:
    """Blocks of memory held across runs, handed out as NumPy arrays."""

    def __init__(self, floor: int = 1 << 20) -> None:
        self.floor = floor
        self._lock = threading.Lock()
        self._free: list[np.ndarray] = []
        self._out: dict[int, np.ndarray] = {}  # address → block handed out
        self._last: dict[str, np.ndarray] = {}  # name → its block in the run before
        self._used: dict[str, np.ndarray] = {}  # name → its block in this run
        self._lent: dict[object, list[np.ndarray]] = {}  # key → blocks lent

    @property
    def held(self) -> int:
        """Bytes held, handed out or not."""
        with self._lock:
            lent = sum(b.nbytes for blocks in self._lent.values() for b in blocks)
            free = sum(b.nbytes for b in self._free)
            return free + lent + sum(b.nbytes for b in self._out.values())

    def lent(self, key: object) -> int:
        """How many blocks are lent under ``key``."""
        with self._lock:
            return len(self._lent.get(key, []))

    def empty(self, name: str, shape: int | tuple[int, ...], dtype: object) -> np.ndarray:
        """An uninitialised array of ``shape`` and ``dtype`` (C order)."""
        kind = np.dtype(dtype)  # type: ignore[call-overload]
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        nbytes = int(np.prod(dims, dtype=np.int64)) * kind.itemsize
        if nbytes == 0 or nbytes < self.floor:
            return np.empty(dims, kind)
        with self._lock:
            block = self._take(name, nbytes)
            self._out[_address(block)] = block
            self._used[name] = block
        array: np.ndarray = block[:nbytes].view(kind).reshape(dims)
        return array

    def columns(self, name: str, n: int, dtypes: list[object]) -> list[np.ndarray]:
        """Arrays of ``n`` items, one per dtype, in one block (given back
        together, by giving back the first)."""
        kinds = [np.dtype(d) for d in dtypes]  # type: ignore[call-overload]
        sizes = [-(-n * kind.itemsize // 64) * 64 for kind in kinds]  # each 64-byte aligned
        block = self.empty(name, sum(sizes), np.uint8)
        out, at = [], 0
        for kind, size in zip(kinds, sizes, strict=True):
            out.append(block[at : at + n * kind.itemsize].view(kind))
            at += size
        return out

    def zeros(self, name: str, shape: int | tuple[int, ...], dtype: object) -> np.ndarray:
        return self.full(name, shape, 0, dtype)

    def full(
        self, name: str, shape: int | tuple[int, ...], fill: object, dtype: object
    ) -> np.ndarray:
        array = self.empty(name, shape, dtype)
        array.fill(fill)
        return array

    def give_back(self, *arrays: np.ndarray) -> None:
        """Return the blocks of ``arrays`` (from ``empty``; others are ignored)
        for later arrays of this run. The caller must not use them again."""
        with self._lock:
            for array in arrays:
                block = self._out.pop(_address(array), None) if array.size else None
                if block is not None:
                    self._free.append(block)

    def lend(self, key: object, *arrays: np.ndarray) -> None:
        """Keep the blocks of ``arrays`` out past the end of the run, until
        ``reclaim(key)``: results that outlive the run are made of them."""
        with self._lock:
            lent = self._lent.setdefault(key, [])
            for array in arrays:
                block = self._out.pop(_address(array), None) if array.size else None
                if block is not None:
                    lent.append(block)

    def reclaim(self, key: object) -> None:
        """The blocks lent under ``key`` are free again."""
        with self._lock:
            self._free.extend(self._lent.pop(key, []))

    def finish(self) -> None:
        """The run is over: every block is free again, and the blocks it did
        not use are let go."""
        with self._lock:
            self._free.extend(self._out.values())
            self._out.clear()
            used = {id(b) for b in self._used.values()}
            self._free = [b for b in self._free if id(b) in used]
            self._last, self._used = self._used, {}

    def release(self) -> None:
        """Let go of every free block (the memory goes back to the system)."""
        with self._lock:
            self._free.clear()
            self._last = {}

    def _take(self, name: str, nbytes: int) -> np.ndarray:
        mine = self._last.get(name)
        for k, block in enumerate(self._free):
            if block is mine and block.nbytes >= nbytes:
                return self._free.pop(k)
        # The smallest that fits, unless it is over twice the size (a big
        # block lent to a small array would be missed by its own array).
        fitting = [k for k, b in enumerate(self._free) if nbytes <= b.nbytes <= 2 * nbytes]
        if fitting:
            best = min(fitting, key=lambda k: self._free[k].nbytes)
            return self._free.pop(best)
        return _allocate(_rounded(nbytes))
