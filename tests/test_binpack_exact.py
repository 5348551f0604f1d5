"""Exact bin packing: ``solve`` against brute force, its bounds, time limit and progress."""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from itertools import combinations_with_replacement
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from orchkit import _binpack_arcflow as arcflow
from orchkit import _binpack_colgen as colgen
from orchkit import _binpack_exact as exact
from orchkit.binpack import (
    STRATEGIES,
    Packing,
    Solution,
    SolveStatus,
    check_packing,
    lower_bound,
    pack,
    solve,
)
from orchkit.errors import InvalidValueError, MissingDependencyError

from .strategies import scalar_instances, vector_instances

#: Hard28 BPP175 (Schoenfield): 200 items, capacity 1000, optimum 84 but an LP bound of 83; the
#: solver does not settle it within a minute, so the time limit has to stop it.
BPP175 = [
    798, 798, 793, 790, 787, 787, 772, 756, 750, 749, 743, 742, 737, 734, 731, 726, 725, 725,
    723, 717, 704, 703, 696, 695, 693, 689, 688, 685, 682, 681, 675, 673, 671, 671, 667, 647,
    647, 640, 638, 637, 636, 630, 629, 628, 622, 620, 614, 606, 605, 604, 592, 591, 590, 587,
    582, 581, 580, 579, 573, 573, 570, 568, 565, 563, 561, 558, 556, 551, 547, 546, 540, 535,
    525, 522, 518, 504, 501, 501, 499, 497, 495, 493, 487, 482, 480, 479, 476, 475, 474, 473,
    472, 472, 466, 465, 462, 457, 453, 437, 436, 435, 434, 432, 431, 430, 428, 423, 417, 417,
    416, 408, 405, 366, 365, 364, 363, 362, 362, 356, 355, 352, 351, 351, 349, 346, 339, 329,
    314, 312, 311, 310, 305, 303, 292, 288, 288, 282, 281, 280, 279, 275, 271, 268, 256, 250,
    247, 243, 239, 228, 222, 217, 212, 208, 206, 203, 202, 200, 195, 194, 187, 185, 178, 177,
    177, 177, 171, 165, 155, 153, 152, 141, 137, 135, 133, 131, 130, 124, 122, 117, 109, 93,
    76, 75, 72, 67, 60, 57, 53, 53, 49, 44, 41, 40, 39, 27, 25, 21, 19, 18, 17, 5,
]  # fmt: skip


def brute_force(sizes: Sequence[object], capacity: object) -> int:
    """The optimal number of bins, by trying every placement (small inputs only)."""
    caps = tuple(capacity) if isinstance(capacity, (list, tuple)) else (capacity,)
    vectors = [tuple(s) if isinstance(s, (list, tuple)) else (s,) for s in sizes]
    vectors.sort(reverse=True)
    best = len(vectors)
    loads: list[list[int]] = []

    def place(k: int) -> None:
        nonlocal best
        if len(loads) >= best:
            return
        if k == len(vectors):
            best = len(loads)
            return
        v = vectors[k]
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


def best_heuristic(sizes: Sequence[object], capacity: object) -> int:
    return min(pack(sizes, capacity, name).num_bins for name in STRATEGIES)  # type: ignore[arg-type]


def assert_consistent(solution: Solution, sizes: Sequence[object], capacity: object) -> None:
    """The invariants of every solution that has a packing."""
    assert solution.packing is not None
    check_packing(solution.packing, sizes, capacity)  # type: ignore[arg-type]
    assert solution.num_bins == solution.packing.num_bins
    assert solution.lower_bound <= solution.packing.num_bins
    assert solution.lower_bound >= lower_bound(sizes, capacity)  # type: ignore[arg-type]
    if solution.status is SolveStatus.OPTIMAL:
        assert solution.lower_bound == solution.num_bins
        assert solution.gap == 0.0


def fresh_stage(sizes: list[int], capacity: int) -> tuple[Any, Any]:
    """The one-resource stage with 20 s, started from one item per bin and no bound."""
    now = time.monotonic()
    tracker = exact._Tracker(now, now + 20, None)
    stage = exact._Scalar(sizes, capacity, tracker, 2)
    stage.offer([[i] for i in range(len(stage.weights))], "start")
    return tracker, stage


class TestAgainstBruteForce:
    @settings(max_examples=60, deadline=None)
    @given(instance=scalar_instances(max_items=9))
    @example(instance=([], 10))
    @example(instance=([0, 0, 0], 5))
    @example(instance=([0, 3, 0, 7, 7], 10))
    @example(instance=([6, 6, 6, 4, 4, 4, 3, 3, 3], 10))  # LP bound 3 < optimum 4
    @example(instance=([5, 5, 5, 5], 10))
    def test_scalar(self, instance: tuple[list[int], int]) -> None:
        """Status OPTIMAL and the brute-force optimum; lower_bound <= optimum <= heuristics."""
        sizes, capacity = instance
        solution = solve(sizes, capacity, time_limit=20, workers=2)
        optimum = brute_force(sizes, capacity)
        assert solution.status is SolveStatus.OPTIMAL
        assert solution.num_bins == optimum
        assert_consistent(solution, sizes, capacity)
        assert lower_bound(sizes, capacity) <= optimum <= best_heuristic(sizes, capacity)

    @settings(max_examples=40, deadline=None)
    @given(instance=vector_instances(max_items=7, max_dims=3))
    @example(instance=([[2, 1], [1, 2], [1, 1], [2, 2]], [3, 3]))
    @example(instance=([[0, 0], [0, 0]], [1, 1]))
    def test_vector(self, instance: tuple[list[list[int]], list[int]]) -> None:
        sizes, capacity = instance
        solution = solve(sizes, capacity, time_limit=20, workers=2)
        optimum = brute_force(sizes, capacity)
        assert solution.status is SolveStatus.OPTIMAL
        assert solution.num_bins == optimum
        assert_consistent(solution, sizes, capacity)
        assert lower_bound(sizes, capacity) <= optimum <= best_heuristic(sizes, capacity)

    def test_the_lp_bound_is_not_always_tight(self) -> None:
        """Three 6s, 4s and 3s in bins of 10: the LP says 3 bins, the arc-flow model proves 4."""
        sizes = [6, 6, 6, 4, 4, 4, 3, 3, 3]
        solution = solve(sizes, 10, time_limit=20, workers=2)
        assert (solution.status, solution.num_bins, solution.lower_bound) == (
            SolveStatus.OPTIMAL,
            4,
            4,
        )


class TestArcFlowStage:
    @settings(max_examples=40, deadline=None)
    @given(instance=scalar_instances(max_items=9))
    @example(instance=([6, 6, 6, 4, 4, 4, 3, 3, 3], 10))
    def test_proves_the_optimum_on_its_own(self, instance: tuple[list[int], int]) -> None:
        """Started from one item per bin and the continuous bound only, the arc-flow model
        (searching below the incumbent, on the graph pruned by the waste it allows) finds the
        optimum and proves it, by an optimal objective or by infeasibility."""
        sizes, capacity = instance
        if not any(sizes):
            return
        tracker, stage = fresh_stage(sizes, capacity)
        tracker.lift(-(-sum(stage.weights) // stage.cap), "L1")
        for _ in range(len(sizes) + 1):
            if tracker.done():
                break
            stage.arc_flow(100_000)
        assert tracker.done()
        assert tracker.best == brute_force(sizes, capacity)
        assert tracker.bins is not None
        check_packing(Packing.from_bins(tracker.bins, sizes, capacity), sizes, capacity)


class TestPatternStage:
    @settings(max_examples=60, deadline=None)
    @given(instance=scalar_instances(max_items=10))
    @example(instance=([6, 6, 6, 4, 4, 4, 3, 3, 3], 10))
    @example(instance=([9, 7, 5, 5, 4, 2, 2, 1], 12))
    def test_never_proves_a_wrong_bound(self, instance: tuple[list[int], int]) -> None:
        """Started from one item per bin, the enumeration and the pattern MIP only ever raise
        the bound to at most the optimum, and any packing they find is checked and optimal."""
        sizes, capacity = instance
        if not any(sizes):
            return
        tracker, stage = fresh_stage(sizes, capacity)
        cg = colgen.ColumnGeneration(stage.sizes, stage.demands, stage.cap, [])
        stage.enumerate(cg)
        optimum = brute_force(sizes, capacity)
        assert tracker.bound <= optimum
        assert tracker.bins is not None
        check_packing(Packing.from_bins(tracker.bins, sizes, capacity), sizes, capacity)
        if tracker.method == "pattern MIP":
            assert len(tracker.bins) == optimum


class TestSolve:
    def test_returns_at_once_when_the_heuristic_meets_the_bound(self) -> None:
        solution = solve([60, 60, 60, 30, 30, 30], 100)
        assert solution.method == "bounds"
        assert solution.wall_time < 1.0

    def test_beats_first_fit_decreasing(self) -> None:
        sizes = [50, 26, 59, 21, 32, 20, 54, 64, 36, 29, 59, 33]
        assert pack(sizes, 100).num_bins == 6
        solution = solve(sizes, 100)
        assert (solution.status, solution.num_bins) == (SolveStatus.OPTIMAL, 5)
        assert_consistent(solution, sizes, 100)

    @pytest.mark.parametrize(
        ("sizes", "capacity"),
        [([30, 120, 10], 100), ([[1, 1], [1, 5]], [4, 4]), ([[3], [9]], [8])],
    )
    def test_infeasible_when_an_item_fits_no_bin(self, sizes: list, capacity: object) -> None:
        solution = solve(sizes, capacity)  # type: ignore[arg-type]
        assert solution.status is SolveStatus.INFEASIBLE
        assert solution.packing is None
        assert solution.num_bins is None
        assert solution.gap is None
        assert "exceeds" in solution.method or "more than the capacity" in solution.method

    def test_time_limit_is_respected(self) -> None:
        """BPP175 cannot be proven in a second; the call still returns within the limit + 1 s."""
        started = time.monotonic()
        solution = solve(BPP175, 1000, time_limit=1.0, workers=2)
        elapsed = time.monotonic() - started
        assert elapsed <= 2.0
        assert solution.wall_time <= 2.0
        assert solution.status is SolveStatus.FEASIBLE
        assert 83 <= solution.lower_bound < solution.num_bins
        assert 0 < solution.gap < 0.05
        assert_consistent(solution, BPP175, 1000)

    def test_progress_is_monotone_and_ends_at_the_result(self) -> None:
        calls: list[tuple[float, int | None, int]] = []
        sizes = [6, 6, 6, 4, 4, 4, 3, 3, 3, 5, 5, 7, 2]
        solution = solve(sizes, 10, on_progress=lambda *args: calls.append(args))
        assert calls
        elapsed = [c[0] for c in calls]
        assert elapsed == sorted(elapsed)
        best = [c[1] for c in calls if c[1] is not None]
        assert best == sorted(best, reverse=True)
        bounds = [c[2] for c in calls]
        assert bounds == sorted(bounds)
        assert calls[-1][1:] == (solution.num_bins, solution.lower_bound)

    def test_vectors_of_one_dimension_keep_their_shape(self) -> None:
        sizes = [[6], [6], [6], [4], [4], [4], [3], [3], [3]]
        solution = solve(sizes, [10])
        assert solution.num_bins == 4
        assert solution.packing is not None
        assert all(isinstance(load, tuple) for load in solution.packing.loads)
        assert_consistent(solution, sizes, [10])

    def test_a_hint_is_used_and_checked(self) -> None:
        sizes = [50, 26, 59, 21, 32, 20, 54, 64, 36, 29, 59, 33]
        worse = pack(sizes, 100, "next_fit")
        solution = solve(sizes, 100, hint=worse)
        assert solution.num_bins == 5
        solution = solve(sizes, 100, hint=[list(b) for b in worse.bins])
        assert solution.num_bins == 5
        with pytest.raises(InvalidValueError, match="hint"):
            solve(sizes, 100, hint=[[0, 1]])
        with pytest.raises(InvalidValueError, match="hint"):
            solve(sizes, 100, hint=[list(range(12))])

    @pytest.mark.parametrize(
        ("keyword", "value"),
        [
            ("time_limit", 0),
            ("time_limit", -1.0),
            ("time_limit", float("nan")),
            ("time_limit", float("inf")),
            ("time_limit", "10"),
            ("time_limit", True),
            ("workers", 0),
            ("workers", 1.5),
            ("workers", True),
            ("on_progress", "print"),
        ],
    )
    def test_bad_arguments(self, keyword: str, value: object) -> None:
        with pytest.raises(InvalidValueError, match=keyword):
            solve([1, 2], 3, **{keyword: value})  # type: ignore[arg-type]

    def test_bad_sizes(self) -> None:
        with pytest.raises(InvalidValueError, match=r"sizes\[1\]"):
            solve([1, -2], 3)

    def test_missing_ortools_names_the_extra(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "ortools.sat.python.cp_model", None)
        with pytest.raises(MissingDependencyError, match=r"orchkit\[exact\]"):
            solve([1, 2], 3)

    def test_solution_reports(self) -> None:
        solution = solve([4, 4, 4], 10)
        assert solution.optimal
        assert isinstance(solution.packing, Packing)
        assert solution.packing.strategy == "exact"


class TestArcFlowGraph:
    @settings(max_examples=60, deadline=None)
    @given(instance=scalar_instances(max_items=12))
    def test_paths_are_exactly_the_feasible_patterns(self, instance: tuple[list[int], int]) -> None:
        """Every source-sink path fits a bin, and every pattern (items in decreasing order,
        copies within the demand) is a path of the compressed graph."""
        sizes, capacity = instance
        counts = Counter(w for w in sizes if w > 0)
        types = sorted(counts, reverse=True)
        demands = [counts[w] for w in types]
        graph = arcflow.build_graph(types, demands, capacity)
        out: dict[int, list[tuple[int, int]]] = {}
        for u, v, j in graph.arcs:
            assert v - u >= types[j]
            out.setdefault(u, []).append((v, j))
        paths: set[tuple[int, ...]] = set()

        def walk(node: int, taken: tuple[int, ...], load: int) -> None:
            assert load <= capacity
            paths.add(tuple(sorted(taken)))
            for head, j in out.get(node, ()):
                walk(head, (*taken, j), load + types[j])

        if len(graph.arcs) <= 400:
            walk(graph.source, (), 0)
        for k in range(1, 4):
            for pattern in combinations_with_replacement(range(len(types)), k):
                load = sum(types[j] for j in pattern)
                if load > capacity or any(pattern.count(j) > demands[j] for j in set(pattern)):
                    continue
                arcs = graph.path_of(pattern)
                assert all(arc in set(graph.arcs) for arc in arcs)
                if paths:
                    assert tuple(sorted(pattern)) in paths

    def test_compression_shrinks_the_graph(self) -> None:
        types = sorted(set(BPP175), reverse=True)
        demands = [BPP175.count(w) for w in types]
        graph = arcflow.build_graph(types, demands, 1000)
        assert graph.sink <= 1000
        assert len(graph.nodes) < 1000

    def test_decoding_a_flow(self) -> None:
        graph = arcflow.build_graph([6, 4, 3], [3, 3, 3], 10)
        bins = [[0, 1], [0, 1], [0, 1], [2, 2, 2]]
        flow = Counter(arc for b in bins for arc in graph.path_of(b))
        decoded = arcflow.decode_paths(graph, [flow[arc] for arc in graph.arcs])
        assert len(decoded) == len(bins)
        assert Counter(j for b in decoded for j in b) == Counter(j for b in bins for j in b)
        assert all(sum(graph.sizes[j] for j in b) <= 10 for b in decoded)


class TestColumnGeneration:
    @settings(max_examples=40, deadline=None)
    @given(instance=scalar_instances(max_items=9))
    def test_the_bound_is_valid(self, instance: tuple[list[int], int]) -> None:
        """The proven LP bound never exceeds the optimum, and never falls below L1."""
        sizes, capacity = instance
        counts = Counter(w for w in sizes if w > 0)
        if not counts:
            return
        types = sorted(counts, reverse=True)
        demands = [counts[w] for w in types]
        cg = colgen.ColumnGeneration(types, demands, capacity, [])
        value, bound = cg.run(time.monotonic() + 10)
        assert value is not None
        optimum = brute_force(sizes, capacity)
        assert bound <= optimum
        assert value <= optimum + 1e-6
        assert bound >= -(-sum(sizes) // capacity) or bound >= value - 1e-6

    @settings(max_examples=40, deadline=None)
    @given(instance=vector_instances(max_items=7, max_dims=3))
    def test_the_vector_bound_is_valid(self, instance: tuple[list[list[int]], list[int]]) -> None:
        """With several resources too: the bound never exceeds the optimum, and it is reached
        by the LP value rounded up unless the time ran out."""
        sizes, capacity = instance
        vectors = sorted({tuple(v) for v in sizes if any(v)}, reverse=True)
        if not vectors:
            return
        demands = [sum(1 for v in sizes if tuple(v) == t) for t in vectors]
        cg = colgen.ColumnGeneration([], demands, 0, [], vectors=(vectors, tuple(capacity)))
        value, bound = cg.run(time.monotonic() + 10)
        assert value is not None
        optimum = brute_force(sizes, capacity)
        assert bound <= optimum
        assert value <= optimum + 1e-6
        assert bound >= math.ceil(value - 1e-6) - 1

    def test_a_vector_bound_above_the_simple_ones(self) -> None:
        """The resources together prove more than each one alone: L1 and L2 say 3 bins."""
        sizes = [[9, 6], [2, 9], [6, 5], [3, 3], [3, 3], [3, 2]]
        assert lower_bound(sizes, [10, 10]) == 3
        vectors = sorted({tuple(v) for v in sizes}, reverse=True)
        demands = [sum(1 for v in sizes if tuple(v) == t) for t in vectors]
        cg = colgen.ColumnGeneration([], demands, 0, [], vectors=(vectors, (10, 10)))
        _, bound = cg.run(time.monotonic() + 10)
        assert bound == 4 == brute_force(sizes, [10, 10])
        assert solve(sizes, [10, 10]).status is SolveStatus.OPTIMAL


class TestPatternEnumeration:
    @settings(max_examples=60, deadline=None)
    @given(
        instance=scalar_instances(max_items=10),
        profits=st.lists(st.integers(0, 50), min_size=12, max_size=12),
        threshold=st.integers(0, 200),
    )
    def test_finds_every_pattern_above_the_threshold_maximal_in_free_types(
        self, instance: tuple[list[int], int], profits: list[int], threshold: int
    ) -> None:
        sizes, capacity = instance
        counts = Counter(w for w in sizes if w > 0)
        types = sorted(counts, reverse=True)
        demands = [counts[w] for w in types]
        found = colgen.enumerate_patterns(
            types,
            demands,
            capacity,
            profits[: len(types)],
            threshold,
            max_nodes=10**6,
            deadline=time.monotonic() + 10,
        )
        assert found is not None
        expected = set()
        ranges = [range(min(d, capacity // w) + 1) for w, d in zip(types, demands, strict=True)]
        for combo in itertools.product(*ranges):
            load = sum(k * w for k, w in zip(combo, types, strict=True))
            value = sum(k * p for k, p in zip(combo, profits, strict=False))
            # Zero-profit types are only completed maximally: no further copy fits.
            maximal = all(
                profits[j] > 0 or k == len(r) - 1 or types[j] > capacity - load
                for j, (k, r) in enumerate(zip(combo, ranges, strict=True))
            )
            if load <= capacity and value >= threshold and maximal:
                expected.add(tuple((j, k) for j, k in enumerate(combo) if k))
        assert set(found) == expected
        assert len(found) == len(expected)


SAMPLE = {"falkenauer_u": 3, "falkenauer_t": 3, "scholl_1": 3, "schwerin_1": 2}


def _instances(shared: Path, name: str) -> list[dict]:
    path = shared / "data" / "binpack" / "1d" / name / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8"))["instances"]


class TestBenchmarkSample:
    @pytest.mark.parametrize(("name", "count"), sorted(SAMPLE.items()))
    def test_proven_within_the_limit(self, shared: Path, name: str, count: int) -> None:
        for inst in _instances(shared, name)[:count]:
            solution = solve(inst["items"], inst["capacity"], time_limit=10, workers=2)
            assert solution.status is SolveStatus.OPTIMAL, inst["name"]
            assert solution.num_bins == inst["optimum"], inst["name"]
            assert solution.wall_time <= 10, inst["name"]
            assert_consistent(solution, inst["items"], inst["capacity"])

    def test_the_pattern_mip_proves_a_non_irup_instance(self, shared: Path) -> None:
        """Hard28 BPP119: the LP bound is 76, the optimum 77; enumerating the patterns of
        reduced cost within the gap and solving the pattern model proves 76 impossible."""
        inst = next(i for i in _instances(shared, "hard28") if i["name"] == "Hard28_BPP119")
        solution = solve(inst["items"], inst["capacity"], time_limit=30, workers=2)
        assert (solution.status, solution.num_bins) == (SolveStatus.OPTIMAL, 77)
        assert solution.method == "pattern MIP"

    @pytest.mark.slow
    @pytest.mark.parametrize("name", ["Hard28_BPP13", "Hard28_BPP40", "Hard28_BPP14"])
    def test_hard28(self, shared: Path, name: str) -> None:
        inst = next(i for i in _instances(shared, "hard28") if i["name"] == name)
        solution = solve(inst["items"], inst["capacity"], time_limit=60, workers=2)
        assert solution.status is SolveStatus.OPTIMAL
        assert solution.num_bins == inst["optimum"]

    @pytest.mark.slow
    @pytest.mark.parametrize(
        ("set_name", "name"),
        [
            ("scholl_2", "N4W3B1R9"),
            ("scholl_2", "N4W2B1R3"),
            ("scholl_2", "N3W3B1R0"),
            ("scholl_3", "HARD2"),
        ],
    )
    def test_the_tightest_scholl_instances(self, shared: Path, set_name: str, name: str) -> None:
        """Nearly no room to waste (N4W3B1R9: 18 units over 71 bins of 1,000): the packing
        that meets the LP bound is the hard part."""
        inst = next(i for i in _instances(shared, set_name) if i["name"] == name)
        solution = solve(inst["items"], inst["capacity"], time_limit=10, workers=2)
        assert solution.status is SolveStatus.OPTIMAL
        assert solution.num_bins == inst["optimum"]

    @pytest.mark.slow
    def test_scholl_3(self, shared: Path) -> None:
        for inst in _instances(shared, "scholl_3")[:3]:
            solution = solve(inst["items"], inst["capacity"], time_limit=10, workers=2)
            assert solution.status is SolveStatus.OPTIMAL, inst["name"]
            assert solution.num_bins == inst["optimum"]
