"""The generic bin-packing core: every strategy, the lower bounds and the checker."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import permutations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from orchkit import binpack
from orchkit.binpack import (
    STRATEGIES,
    Packing,
    check_packing,
    first_fit_decreasing,
    lower_bound,
    pack,
)
from orchkit.errors import InfeasibleError, InvalidValueError, OrchkitError

from .strategies import instances, scalar_instances, vector_instances

#: Strategies whose packing depends only on the multiset of sizes, not on the input order.
OFFLINE = sorted(
    name for name in STRATEGIES if name not in {"next_fit", "first_fit", "best_fit", "worst_fit"}
)


def shape(packing: Packing, sizes: Sequence[object]) -> list[list[str]]:
    """The packing as sizes, independent of item labels and of bin order."""
    return sorted(sorted(repr(sizes[i]) for i in members) for members in packing.bins)


def brute_force_optimum(sizes: Sequence[int] | Sequence[Sequence[int]], capacity: object) -> int:
    """The optimal number of bins, by trying every set partition (small inputs only)."""
    caps = tuple(capacity) if isinstance(capacity, (list, tuple)) else (capacity,)
    vectors = [tuple(s) if isinstance(s, (list, tuple)) else (s,) for s in sizes]
    order = sorted(range(len(vectors)), key=lambda i: vectors[i], reverse=True)
    best = len(vectors)
    loads: list[list[int]] = []

    def place(k: int) -> None:
        nonlocal best
        if len(loads) >= best:
            return
        if k == len(order):
            best = len(loads)
            return
        v = vectors[order[k]]
        for load in loads:
            if all(x + y <= c for x, y, c in zip(load, v, caps, strict=True)):
                for d, x in enumerate(v):
                    load[d] += x
                place(k + 1)
                for d, x in enumerate(v):
                    load[d] -= x
        loads.append(list(v))
        place(k + 1)
        loads.pop()

    place(0)
    return best


class TestEveryStrategy:
    @pytest.mark.parametrize("name", sorted(STRATEGIES))
    @settings(max_examples=60)
    @given(instance=instances())
    @example(instance=([], 10))
    @example(instance=([0, 0, 10, 10], 10))
    @example(instance=([0, 2, 3, 49], 53))
    @example(instance=([[0, 0], [5, 5]], [5, 5]))
    def test_valid_and_above_the_bound(self, name: str, instance: tuple) -> None:
        """Each item in exactly one bin, capacity respected, never below the lower bound."""
        sizes, capacity = instance
        packing = pack(sizes, capacity, name)
        check_packing(packing, sizes, capacity)
        assert packing.num_bins >= lower_bound(sizes, capacity)
        assert packing.strategy == name
        assert STRATEGIES[name](sizes, capacity) == [list(b) for b in packing.bins]

    @pytest.mark.parametrize("name", sorted(STRATEGIES))
    @settings(max_examples=30)
    @given(instance=instances())
    def test_deterministic(self, name: str, instance: tuple) -> None:
        """The same input gives the same bins, every time."""
        sizes, capacity = instance
        assert pack(sizes, capacity, name) == pack(list(sizes), capacity, name)

    @pytest.mark.parametrize("name", OFFLINE)
    @settings(max_examples=30)
    @given(instance=instances(), seed=st.integers(min_value=0, max_value=2**32))
    def test_input_order_does_not_matter(self, name: str, instance: tuple, seed: int) -> None:
        """Offline strategies see a multiset: any permutation gives the same packing as sizes."""
        sizes, capacity = instance
        shuffled = list(sizes)
        random.Random(seed).shuffle(shuffled)
        assert shape(pack(sizes, capacity, name), sizes) == shape(
            pack(shuffled, capacity, name), shuffled
        )

    @pytest.mark.parametrize("name", sorted(STRATEGIES))
    @settings(max_examples=30)
    @given(instance=scalar_instances(), data=st.data())
    def test_permuting_equal_items_changes_nothing(
        self, name: str, instance: tuple, data: st.DataObject
    ) -> None:
        """Swapping two equal items relabels the packing and changes nothing else."""
        sizes, capacity = instance
        pairs = [
            (i, j)
            for i in range(len(sizes))
            for j in range(i + 1, len(sizes))
            if sizes[i] == sizes[j]
        ]
        if not pairs:
            return
        i, j = data.draw(st.sampled_from(pairs))
        swapped = list(sizes)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        assert pack(swapped, capacity, name).loads == pack(sizes, capacity, name).loads

    @pytest.mark.parametrize("name", sorted(STRATEGIES))
    def test_vectors_of_one_dimension_match_scalars_in_count(self, name: str) -> None:
        sizes = [50, 26, 59, 21, 32, 20, 54, 64, 36, 29, 59, 33]
        scalar = pack(sizes, 100, name)
        vector = pack([[s] for s in sizes], [100], name)
        check_packing(vector, [[s] for s in sizes], [100])
        assert vector.num_bins >= lower_bound(sizes, 100)
        assert scalar.num_bins >= 5


class TestAgainstTheOptimum:
    @settings(max_examples=150)
    @given(instance=scalar_instances(max_items=8))
    def test_ffd_within_11_9_opt_plus_6_9(self, instance: tuple) -> None:
        """Dosa's tight bound for first fit decreasing, checked by brute force."""
        sizes, capacity = instance
        opt = brute_force_optimum(sizes, capacity)
        ffd = pack(sizes, capacity).num_bins
        assert opt <= ffd
        assert 9 * ffd <= 11 * opt + 6
        assert lower_bound(sizes, capacity) <= opt

    @settings(max_examples=60)
    @given(instance=st.one_of(scalar_instances(max_items=7), vector_instances(max_items=6)))
    def test_no_strategy_beats_the_optimum(self, instance: tuple) -> None:
        sizes, capacity = instance
        opt = brute_force_optimum(sizes, capacity)
        assert lower_bound(sizes, capacity) <= opt
        for name in STRATEGIES:
            assert pack(sizes, capacity, name).num_bins >= opt, name
        assert pack(sizes, capacity, "next_fit").num_bins <= max(2 * opt, 0) or not sizes

    def test_ffd_worst_case_is_reached(self) -> None:
        """Johnson's family where FFD needs 11/9 of the optimum, with sizes scaled to integers."""
        # 1/2 + e, 1/4 + 2e, 1/4 + e, 1/4 - 2e with e = 1/120: OPT packs 6 bins of
        # {61, 31, 28} and 3 of {32, 32, 28, 28}; FFD opens 6 + 2 + 3 bins.
        sizes = [61] * 6 + [32] * 6 + [31] * 6 + [28] * 12
        assert pack(sizes, 120, "first_fit_decreasing").num_bins == 11
        assert pack(sizes, 120, "local_search").num_bins == lower_bound(sizes, 120) == 9


class TestTreesMatchNaiveScans:
    """The O(n log n) structures give exactly the packing of the textbook O(n^2) scans."""

    @staticmethod
    def naive(sizes: list[int], capacity: int, rule: str) -> list[list[int]]:
        bins: list[list[int]] = []
        loads: list[int] = []
        for i, w in enumerate(sizes):
            fits = [b for b in range(len(bins)) if loads[b] + w <= capacity]
            if rule == "first":
                chosen = fits[0] if fits else -1
            elif rule == "best":
                chosen = min(fits, key=lambda b: (capacity - loads[b], b)) if fits else -1
            else:
                emptiest = min(range(len(bins)), key=lambda b: (loads[b], b)) if bins else -1
                chosen = emptiest if emptiest in fits else -1
            if chosen < 0:
                bins.append([i])
                loads.append(w)
            else:
                bins[chosen].append(i)
                loads[chosen] += w
        return bins

    @settings(max_examples=300)
    @given(instance=scalar_instances(max_items=80))
    def test_first_best_worst_fit(self, instance: tuple) -> None:
        sizes, capacity = instance
        assert binpack.first_fit(sizes, capacity) == self.naive(sizes, capacity, "first")
        assert binpack.best_fit(sizes, capacity) == self.naive(sizes, capacity, "best")
        assert binpack.worst_fit(sizes, capacity) == self.naive(sizes, capacity, "worst")

    @settings(max_examples=200)
    @given(instance=vector_instances(max_items=60))
    def test_vector_first_fit(self, instance: tuple) -> None:
        sizes, capacity = instance
        bins: list[list[int]] = []
        rooms: list[list[int]] = []
        for i, v in enumerate(sizes):
            for b, room in enumerate(rooms):
                if all(x <= r for x, r in zip(v, room, strict=True)):
                    bins[b].append(i)
                    rooms[b] = [r - x for x, r in zip(v, room, strict=True)]
                    break
            else:
                bins.append([i])
                rooms.append([c - x for x, c in zip(v, capacity, strict=True)])
        assert binpack.first_fit(sizes, capacity) == bins


class TestLowerBound:
    def test_examples(self) -> None:
        assert lower_bound([], 10) == 0
        assert lower_bound([0, 0], 10) == 0
        assert lower_bound([10], 10) == 1
        # L1 = 3, L2 = 4: four items above half the capacity.
        assert lower_bound([60, 60, 60, 60, 10, 10], 100) == 4
        # Per dimension: the second dimension needs 2 bins.
        assert lower_bound([[1, 60], [1, 60]], [100, 100]) == 2

    @settings(max_examples=200)
    @given(instance=instances())
    def test_at_least_the_continuous_bound(self, instance: tuple) -> None:
        sizes, capacity = instance
        caps = capacity if isinstance(capacity, list) else [capacity]
        rows = [s if isinstance(s, list) else [s] for s in sizes]
        for d, c in enumerate(caps):
            assert lower_bound(sizes, capacity) >= -(-sum(r[d] for r in rows) // c)


class TestErrors:
    def test_item_larger_than_the_capacity(self) -> None:
        with pytest.raises(InfeasibleError, match=r"item 1 \(size 200\) exceeds the capacity 150"):
            pack([10, 200], 150)

    def test_vector_item_names_the_dimension(self) -> None:
        with pytest.raises(InfeasibleError, match="item 2 needs 9 in dimension 1"):
            pack([[1, 1], [2, 2], [1, 9]], [4, 8])

    @pytest.mark.parametrize(
        ("sizes", "capacity", "field"),
        [
            ([1, -1], 10, "sizes[1]"),
            ([1, True], 10, "sizes[1]"),
            ([1, 1.5], 10, "sizes[1]"),
            (["1"], 10, "sizes[0]"),
            ([[1, 2]], 10, "sizes[0]"),
            ([1], [10, 10], "sizes[0]"),
            ([[1, 2, 3]], [10, 10], "sizes[0]"),
            ([[1, -2]], [10, 10], "sizes[0][1]"),
            ([1], 0, "capacity"),
            ([1], -5, "capacity"),
            ([1], 1.0, "capacity"),
            ([1], "10", "capacity"),
            ([[1]], [], "capacity"),
            ([[1, 1]], [10, 0], "capacity[1]"),
        ],
    )
    def test_bad_input_names_the_field(self, sizes: list, capacity: object, field: str) -> None:
        with pytest.raises(InvalidValueError) as err:
            pack(sizes, capacity)  # type: ignore[arg-type]
        assert err.value.field == field
        assert isinstance(err.value, (ValueError, OrchkitError))

    def test_unknown_strategy_is_rejected_before_any_work(self) -> None:
        with pytest.raises(InvalidValueError, match="strategy: is not one of best_fit"):
            pack([1, 200], 10, "fastest")
        with pytest.raises(InvalidValueError, match="must be a strategy name or a callable"):
            pack([1], 10, 42)  # type: ignore[arg-type]


class TestCallableStrategies:
    def test_a_callable_gets_validated_input(self) -> None:
        seen: list[object] = []

        def one_per_bin(sizes: Sequence[int], capacity: object) -> list[list[int]]:
            seen.append((list(sizes), capacity))
            return [[i] for i in range(len(sizes))]

        packing = pack((w for w in [3, 4]), 10, one_per_bin)  # type: ignore[arg-type]
        assert packing.bins == ((0,), (1,))
        assert packing.strategy == "one_per_bin"
        assert seen == [([3, 4], 10)]

    @pytest.mark.parametrize(
        ("bins", "message"),
        [
            ([[0]], "leaves this item unpacked"),
            ([[0, 1], [1]], "places an item a second time"),
            ([[0, 1, 2]], "not the index of an item"),
            ([[0, 1]], None),
            ("01", "must be a sequence"),
        ],
    )
    def test_a_faulty_callable_cannot_return_a_wrong_packing(
        self, bins: object, message: str | None
    ) -> None:
        def strategy(sizes: object, capacity: object) -> object:
            return bins

        if message is None:
            assert pack([3, 4], 10, strategy).num_bins == 1  # type: ignore[arg-type]
            return
        with pytest.raises(InvalidValueError, match=message):
            pack([3, 4], 10, strategy)  # type: ignore[arg-type]

    def test_overfull_bin_from_a_callable(self) -> None:
        with pytest.raises(InvalidValueError, match="exceeds the capacity 10"):
            pack([6, 6], 10, lambda sizes, capacity: [[0, 1]])


class TestCheckPacking:
    sizes = (4, 5, 6)

    def test_accepts_a_valid_packing(self) -> None:
        check_packing(Packing(((0, 1), (2,)), (9, 6), 10), self.sizes, 10)

    @pytest.mark.parametrize(
        ("packing", "field"),
        [
            (Packing(((0, 1, 2),), (15,), 10), "packing.loads[0]"),
            (Packing(((0, 1), (2,)), (9, 7), 10), "packing.loads[1]"),
            (Packing(((0, 1), ()), (9, 0), 10), "packing.bins[1]"),
            (Packing(((0, 1), (1,)), (9, 5), 10), "packing.bins[1]"),
            (Packing(((0, 1),), (9,), 10), "packing.bins"),
            (Packing(((0,), (1,), (2,)), (4, 5), 10), "packing.loads"),
            (Packing(((0, 1), (2,)), (9, 6), 11), "packing.capacity"),
        ],
    )
    def test_names_the_broken_invariant(self, packing: Packing, field: str) -> None:
        with pytest.raises(InvalidValueError) as err:
            check_packing(packing, self.sizes, 10)
        assert err.value.field == field

    def test_utilization(self) -> None:
        assert pack([5, 5, 5], 10).utilization() == (0.75,)
        assert pack([], [4, 4]).utilization() == (0.0, 0.0)


class TestLocalSearch:
    def test_beats_ffd_on_a_small_instance(self) -> None:
        sizes = [50, 26, 59, 21, 32, 20, 54, 64, 36, 29, 59, 33]
        assert len(first_fit_decreasing(sizes, 100)) == 6
        assert pack(sizes, 100, "local_search").num_bins == lower_bound(sizes, 100) == 5

    def test_triplets_reach_the_continuous_bound(self) -> None:
        """Falkenauer-style triplets: every bin exactly full; FFD misses, the search does not."""
        rng = random.Random(7)
        sizes: list[int] = []
        for _ in range(12):
            a = rng.randint(380, 490)
            b = rng.randint(250, (1000 - a) // 2)
            sizes += [a, b, 1000 - a - b]
        assert pack(sizes, 1000).num_bins > 12
        assert pack(sizes, 1000, "local_search").num_bins == 12

    def test_vector_search_improves_on_ffd(self) -> None:
        rng = random.Random(3)
        sizes = [[rng.randint(10, 60), rng.randint(10, 60)] for _ in range(40)]
        best = pack(sizes, [100, 100], "local_search")
        check_packing(best, sizes, [100, 100])
        assert best.num_bins <= min(
            pack(sizes, [100, 100], name).num_bins for name in STRATEGIES if name != "local_search"
        )


def test_all_orders_of_a_tiny_instance_give_the_same_ffd() -> None:
    sizes = [3, 7, 5, 5, 2]
    shapes = {tuple(map(tuple, shape(pack(list(p), 10), list(p)))) for p in permutations(sizes)}
    assert len(shapes) == 1


def test_sizes_that_are_not_a_sequence_are_rejected() -> None:
    for call in (lambda: lower_bound(None, 10), lambda: pack(5, 10)):  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError, match="sizes"):
            call()
