"""The working memory of compiled runs (``kith.analytics.workspace``): blocks
come back to the names that had them, are shared only between arrays whose
lives do not overlap, and are let go when no run wants them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kith.analytics.workspace import Workspace


def _address(array: np.ndarray) -> int:
    return int(array.__array_interface__["data"][0])


def _one_run(space: Workspace, sizes: dict[str, int]) -> dict[str, int]:
    arrays = {name: space.empty(name, n, np.int64) for name, n in sizes.items()}
    for array in arrays.values():
        array.fill(1)
    space.finish()
    return {name: _address(a) for name, a in arrays.items()}


def test_a_second_run_gets_its_blocks_back_and_allocates_nothing() -> None:
    space = Workspace(floor=1)
    sizes = {"a": 1000, "b": 50_000, "c": 3}
    first = _one_run(space, sizes)
    held = space.held
    assert held >= sum(sizes.values()) * 8
    assert _one_run(space, sizes) == first
    assert space.held == held
    # A ledger a little bigger still fits the same blocks.
    assert _one_run(space, {"a": 1010, "b": 50_500, "c": 3}) == first
    assert space.held == held


def test_a_block_given_back_serves_a_later_array_of_the_run() -> None:
    space = Workspace(floor=1)
    early = space.empty("early", 10_000, np.int64)
    space.give_back(early)
    later = space.empty("later", 6_000, np.float64)
    assert _address(later) == _address(early)
    # Over twice the size: a block is not lent to a much smaller array.
    space.give_back(later)
    small = space.empty("small", 100, np.int64)
    assert _address(small) != _address(early)


def test_blocks_a_run_did_not_use_are_let_go() -> None:
    space = Workspace(floor=1)
    _one_run(space, {"a": 10_000, "b": 10_000})
    both = space.held
    _one_run(space, {"a": 10_000})
    assert space.held < both
    space.release()
    assert space.held == 0


def test_small_and_empty_arrays_are_plain_numpy() -> None:
    space = Workspace(floor=1 << 20)
    small = space.empty("small", 100, np.int64)
    none = space.empty("none", 0, np.int64)
    assert small.shape == (100,) and none.shape == (0,)
    assert space.held == 0


def test_columns_share_one_block_and_do_not_overlap() -> None:
    space = Workspace(floor=1)
    a, b, c = space.columns("cols", 1001, [np.int32, np.int64, np.int8])
    a.fill(-1)
    b.fill(2)
    c.fill(3)
    assert (a == -1).all() and (b == 2).all() and (c == 3).all()
    assert all((_address(x) - _address(a)) % 64 == 0 for x in (b, c))
    held = space.held
    space.give_back(a)  # the whole block
    again = space.empty("again", 1500, np.int64)
    assert _address(again) == _address(a)
    assert space.held == held


def test_lent_blocks_stay_out_until_reclaimed() -> None:
    space = Workspace(floor=1)
    result = space.empty("result", 5_000, np.int64)
    result.fill(7)
    space.lend("con", result)
    space.finish()
    other = space.empty("result", 5_000, np.int64)  # next run, other connection
    other.fill(8)
    assert _address(other) != _address(result) and (result == 7).all()
    space.finish()
    space.reclaim("con")
    assert _address(space.empty("result", 5_000, np.int64)) in {_address(result), _address(other)}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 40_000), st.booleans()),
            max_size=12,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_arrays_alive_at_once_never_share_memory(runs: list[list[tuple[str, int, bool]]]) -> None:
    """Random runs (names, sizes, some arrays given back early): every array
    keeps the values written into it while it is alive."""
    space = Workspace(floor=1)
    for run in runs:
        alive: list[tuple[np.ndarray, int]] = []
        for k, (name, n, early) in enumerate(run):
            array = space.empty(name, n, np.int64)
            array.fill(k)
            alive.append((array, k))
            for other, value in alive:
                assert (other == value).all()
            if early:
                space.give_back(array)
                alive.pop()
        space.finish()
