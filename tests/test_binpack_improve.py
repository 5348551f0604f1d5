"""The subset search behind the local search's refill move."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchkit import _binpack_improve as improve


def heaviest_by_brute_force(weights: list[int], cap: int) -> int:
    return max(
        sum(c)
        for r in range(len(weights) + 1)
        for c in itertools.combinations(weights, r)
        if sum(c) <= cap
    )


@pytest.mark.parametrize("bitset_cap", [1 << 18, 0], ids=["bitset", "search"])
@given(
    weights=st.lists(st.integers(1, 60), min_size=0, max_size=9),
    cap=st.integers(1, 150),
    slack=st.integers(-5, 5),
)
def test_heaviest_subset_is_the_heaviest_that_fits(
    bitset_cap: int, weights: list[int], cap: int, slack: int
) -> None:
    items = list(range(len(weights)))
    best = heaviest_by_brute_force(weights, cap)
    least = best + slack
    saved = improve.FILL_BITSET_CAP
    improve.FILL_BITSET_CAP = bitset_cap
    try:
        chosen = improve._heaviest_subset(weights, items, cap, least)
    finally:
        improve.FILL_BITSET_CAP = saved
    if least > best:
        assert chosen is None
    else:
        assert chosen is not None
        assert len(set(chosen)) == len(chosen)
        assert set(chosen) <= set(items)
        assert sum(weights[i] for i in chosen) == best
