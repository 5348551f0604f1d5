"""Column generation for one-dimensional bin packing: a proven LP bound, and LP-guided diving.

The Gilmore-Gomory linear relaxation of bin packing has one column per *pattern* (a multiset of
item types that fits one bin) and one row per item type: cover every type ``d_j`` times with as
few (fractional) bins as possible. Its value equals the arc-flow LP bound, and for nearly all
benchmark instances its round-up is the optimum (the IRUP property). It is solved by column
generation: GLOP solves the restricted master over the columns found so far, and a knapsack over
the dual prices (OR-Tools' exact knapsack solvers) finds the pattern of most negative reduced cost.

The bound is made exact, whatever the floating-point error of the LP: the duals ``pi`` are
rounded down to integers ``p``, the knapsack gives the exact best pattern value ``K`` for them,
so ``p / K`` is a feasible dual solution and ``ceil(sum d_j p_j / K)`` (integer arithmetic) is a
valid lower bound at every iteration (Farley's bound). Dual smoothing (Wentges) prices at a point
between the best dual point so far and the current duals, which reduces the tailing-off.

`dive` is the primal side: it fixes the patterns the LP uses at value one or more, packs the
residual items with the local search and, when that is not enough, fixes one fractional pattern
and solves the residual LP again, backtracking on nothing but starting again with randomised
choices until the time is up.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from orchkit._binpack_improve import best_fill, local_search
from orchkit._binpack_model import Problem

__all__ = [
    "ColumnGeneration",
    "Pattern",
    "dive",
    "enumerate_patterns",
    "patterns_of_bins",
    "tight_patterns",
]

#: A pattern: ``(type, copies)`` pairs sorted by type.
Pattern = tuple[tuple[int, int], ...]

#: Dual prices are scaled by this and rounded down to give integer knapsack profits.
SCALE = 1 << 30
#: Knapsack instances up to this many item-capacity cells use dynamic programming, the rest
#: branch and bound (which may give up: the bound is then not claimed).
DP_CELLS = 60_000_000
#: Weight of the best dual point in the smoothed pricing point.
SMOOTHING = 0.7
#: Heuristic columns added per iteration besides the exact pricing column.
GREEDY_COLUMNS = 10
#: Tolerance on reduced costs and LP values.
EPS = 1e-9


def _pattern(counts: dict[int, int]) -> Pattern:
    return tuple(sorted((j, k) for j, k in counts.items() if k))


class _Pricing:
    """``max sum p_j a_j`` s.t. ``sum w_j a_j <= capacity``, ``0 <= a_j <= d_j``, integers."""

    def __init__(self, sizes: Sequence[int], capacity: int) -> None:
        from ortools.algorithms.python import knapsack_solver

        self.sizes = sizes
        self.capacity = capacity
        self._module = knapsack_solver
        self._solvers: dict[bool, Any] = {}

    def _solver(self, dynamic: bool) -> Any:
        solver = self._solvers.get(dynamic)
        if solver is None:
            kind = self._module.SolverType
            solver = self._module.KnapsackSolver(
                kind.KNAPSACK_DYNAMIC_PROGRAMMING_SOLVER
                if dynamic
                else kind.KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER,
                "pricing",
            )
            self._solvers[dynamic] = solver
        return solver

    def most(self, j: int) -> int:
        """How many items of type ``j`` fit one bin."""
        return self.capacity // self.sizes[j]

    def greedy(self, duals: Sequence[float], demands: Sequence[int], k: int) -> list[Pattern]:
        """Up to ``k`` patterns of negative reduced cost, built greedily."""
        return _greedy_columns(self.sizes, demands, self.capacity, duals, k)

    def residual(self, demands: Sequence[int]) -> list[Pattern]:
        """The residual items of a dive, packed by the local search."""
        cap = self.capacity
        return _residual_bins(
            demands, lambda types: Problem([self.sizes[j] for j in types], cap, None, (cap,))
        )

    def solve(
        self, profits: Sequence[int], demands: Sequence[int], seconds: float
    ) -> tuple[int, Pattern, bool]:
        """The best pattern: ``(value, pattern, exact)``; ``exact`` is False if it gave up."""
        copies: list[int] = []
        capacity = self.capacity
        for j, p in enumerate(profits):
            if p > 0 and demands[j] > 0:
                copies.extend([j] * min(demands[j], capacity // self.sizes[j]))
        if not copies:
            return 0, (), True
        dynamic = len(copies) * capacity <= DP_CELLS
        solver = self._solver(dynamic)
        if not dynamic:
            solver.set_time_limit(max(seconds, 0.01))
        solver.init([profits[j] for j in copies], [[self.sizes[j] for j in copies]], [capacity])
        value = solver.solve()
        exact = dynamic or solver.is_solution_optimal()
        counts: dict[int, int] = {}
        for k, j in enumerate(copies):
            if solver.best_solution_contains(k):
                counts[j] = counts.get(j, 0) + 1
        return int(value), _pattern(counts), exact


class _VectorPricing:
    """The pricing problem of vector bin packing: a multidimensional knapsack.

    ``max sum p_j a_j`` s.t. ``sum v_jd a_j <= c_d`` for every resource ``d``, integers
    ``0 <= a_j <= d_j``, solved by CP-SAT on one thread (exact unless it runs out of time;
    OR-Tools' multidimensional knapsack branch and bound took seconds per call here).
    """

    def __init__(self, vectors: Sequence[tuple[int, ...]], caps: tuple[int, ...]) -> None:
        self.vectors = vectors
        self.caps = caps

    def most(self, j: int) -> int:
        """How many items of type ``j`` fit one bin (a type of zeros: as many as there are)."""
        return min(
            (c // x for x, c in zip(self.vectors[j], self.caps, strict=True) if x), default=1 << 30
        )

    def greedy(self, duals: Sequence[float], demands: Sequence[int], k: int) -> list[Pattern]:
        """Up to ``k`` patterns of negative reduced cost, built greedily.

        Each type opens a pattern, then the others follow by dual value per unit of capacity.
        """
        vectors, caps = self.vectors, self.caps
        useful = [j for j in range(len(vectors)) if demands[j] and duals[j] > EPS]
        load = {j: sum(x / c for x, c in zip(vectors[j], caps, strict=True)) for j in useful}
        order = sorted(useful, key=lambda j: -duals[j] / max(load[j], EPS))
        found: list[tuple[float, Pattern]] = []
        for first in useful:
            room = [c - x for x, c in zip(vectors[first], caps, strict=True)]
            value = duals[first]
            counts = {first: 1}
            for j in order:
                take = demands[j] - counts.get(j, 0)
                for x, r in zip(vectors[j], room, strict=True):
                    if x:
                        take = min(take, r // x)
                if take > 0:
                    counts[j] = counts.get(j, 0) + take
                    room = [r - take * x for x, r in zip(vectors[j], room, strict=True)]
                    value += take * duals[j]
            if value > 1 + EPS:
                found.append((value, _pattern(counts)))
        found.sort(key=lambda t: -t[0])
        return [p for _, p in found[:k]]

    def residual(self, demands: Sequence[int]) -> list[Pattern]:
        """The residual items of a dive, packed by the local search."""
        return _residual_bins(
            demands, lambda types: Problem([], 0, [self.vectors[j] for j in types], self.caps)
        )

    def solve(
        self, profits: Sequence[int], demands: Sequence[int], seconds: float
    ) -> tuple[int, Pattern, bool]:
        """The best pattern: ``(value, pattern, exact)``; ``exact`` is False if it gave up."""
        from ortools.sat.python import cp_model

        useful = [j for j, p in enumerate(profits) if p > 0 and demands[j] > 0]
        if not useful:
            return 0, (), True
        model = cp_model.CpModel()
        # take[j] copies of type j go into the bin.
        take = {j: model.new_int_var(0, min(demands[j], self.most(j)), "") for j in useful}
        # Every resource of the bin holds what is taken.
        for d, cap in enumerate(self.caps):
            terms = [self.vectors[j][d] * take[j] for j in useful if self.vectors[j][d]]
            if terms:
                model.add(sum(terms) <= cap)
        model.maximize(sum(profits[j] * take[j] for j in useful))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.01)
        solver.parameters.num_workers = 1
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return 0, (), False
        counts = {j: int(solver.value(take[j])) for j in useful}
        return int(solver.objective_value), _pattern(counts), status == cp_model.OPTIMAL


def _greedy_columns(
    sizes: Sequence[int], demands: Sequence[int], capacity: int, duals: Sequence[float], k: int
) -> list[Pattern]:
    """Up to ``k`` patterns of negative reduced cost: each type first, then greedy by price/size."""
    m = len(sizes)
    useful = [j for j in range(m) if demands[j] and duals[j] > EPS]
    order = sorted(useful, key=lambda j: -duals[j] / sizes[j])
    smallest = min((sizes[j] for j in useful), default=capacity + 1)
    found: list[tuple[float, Pattern]] = []
    for first in useful:
        room = capacity - sizes[first]
        value = duals[first]
        counts = {first: 1}
        for j in order:
            if room < smallest:
                break
            w = sizes[j]
            if w > room:
                continue
            take = min(demands[j] - counts.get(j, 0), room // w)
            if take > 0:
                counts[j] = counts.get(j, 0) + take
                room -= take * w
                value += take * duals[j]
        if value > 1 + EPS:
            found.append((value, _pattern(counts)))
    found.sort(key=lambda t: -t[0])
    return [p for _, p in found[:k]]


def tight_patterns(sizes: Sequence[int], demands: Sequence[int], capacity: int) -> list[Pattern]:
    """For every type, the pattern it opens with the least slack (a bounded subset search)."""
    out = []
    values = list(sizes)
    for j in range(len(sizes)):
        if not demands[j]:
            continue
        avail = list(demands)
        avail[j] -= 1
        _, take = best_fill(values, avail, capacity - sizes[j], 256)
        counts = {j: 1}
        for i, k in take:
            counts[i] = counts.get(i, 0) + k
        out.append(_pattern(counts))
    return out


def patterns_of_bins(bins: Sequence[Sequence[int]], type_of: Sequence[int]) -> list[Pattern]:
    """The pattern of each bin of item indices."""
    out = []
    for members in bins:
        counts: dict[int, int] = {}
        for i in members:
            t = type_of[i]
            counts[t] = counts.get(t, 0) + 1
        out.append(_pattern(counts))
    return out


class ColumnGeneration:
    """The restricted master LP of the Gilmore-Gomory relaxation, solved by GLOP.

    Parameters
    ----------
    sizes
        Distinct item sizes, in decreasing order.
    demands
        How many items of each size.
    capacity
        The bin capacity.
    columns
        Starting patterns (the incumbent's bins, tight patterns); single-type patterns are added.
    vectors
        For several resources: ``(distinct size vectors, capacities)``; ``sizes`` is then
        empty and ``capacity`` 0, and the pricing is a multidimensional knapsack.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        demands: Sequence[int],
        capacity: int,
        columns: Sequence[Pattern],
        *,
        vectors: tuple[Sequence[tuple[int, ...]], tuple[int, ...]] | None = None,
    ) -> None:
        from ortools.linear_solver import pywraplp  # type: ignore[attr-defined]

        self.sizes = list(sizes)
        self.demands = list(demands)
        self.capacity = capacity
        solver = pywraplp.Solver.CreateSolver("GLOP")
        self._solver = solver
        infinity = solver.infinity()
        # One covering row per item type: the columns must cover it at least d_j times.
        self._rows = [solver.Constraint(d, infinity) for d in demands]
        self._objective = solver.Objective()
        self._objective.SetMinimization()
        self.columns: list[tuple[Any, Pattern]] = []
        self._seen: set[Pattern] = set()
        self._pricing: _Pricing | _VectorPricing = (
            _Pricing(self.sizes, capacity) if vectors is None else _VectorPricing(*vectors)
        )
        self._center: list[float] | None = None
        self._dirty = True
        self.iterations = 0
        for pattern in columns:
            self.add(pattern)
        for j, d in enumerate(demands):
            self.add(((j, max(1, min(d, self._pricing.most(j)))),))

    def add(self, pattern: Pattern) -> bool:
        """Add a column (a pattern); False if it is already there or empty."""
        if not pattern or pattern in self._seen:
            return False
        self._seen.add(pattern)
        var = self._solver.NumVar(0.0, self._solver.infinity(), "")
        for j, k in pattern:
            self._rows[j].SetCoefficient(var, k)
        self._objective.SetCoefficient(var, 1.0)
        self.columns.append((var, pattern))
        self._dirty = True
        return True

    def set_demands(self, demands: Sequence[int]) -> None:
        """Cover ``demands`` from now on (the residual of a dive)."""
        self.demands = list(demands)
        for row, d in zip(self._rows, demands, strict=True):
            row.SetLb(d)
        self._center = None
        self._dirty = True

    def _lp(self, deadline: float) -> float | None:
        self._solver.SetTimeLimit(max(1, int((deadline - time.monotonic()) * 1000)))
        status = self._solver.Solve()
        self._dirty = False
        if status != self._solver.OPTIMAL:
            return None
        return float(self._objective.Value())

    def _farley(self, duals: Sequence[float], deadline: float) -> tuple[int, float, Pattern]:
        """Farley's bound at ``duals``, exact: ``(bound, value, best pattern)``."""
        profits = [
            int(y * SCALE) if y > 0 and d > 0 else 0
            for y, d in zip(duals, self.demands, strict=True)
        ]
        best, pattern, exact = self._pricing.solve(
            profits, self.demands, deadline - time.monotonic()
        )
        total = sum(d * p for d, p in zip(self.demands, profits, strict=True))
        if best <= 0:
            return (0 if total == 0 else -1), 0.0, pattern
        if not exact:
            return -1, 0.0, pattern
        return -(-total // best), total / best, pattern

    def run(
        self,
        deadline: float,
        stop_at: int | None = None,
        interrupted: Callable[[], bool] | None = None,
    ) -> tuple[float | None, int]:
        """Generate columns until the LP is optimal; return ``(lp value, proven bound)``.

        Stops early when the proven bound reaches ``stop_at``, when rounding up the LP value
        cannot raise the bound any more, at ``deadline`` or when ``interrupted()`` is true (the
        bound is then whatever was proven). The LP value is ``None`` if GLOP failed (out of
        time).
        """
        bound = 0
        best_value = -1.0
        while True:
            self.iterations += 1
            value = self._lp(deadline)
            if value is None:
                return None, bound
            duals = [row.dual_value() for row in self._rows]
            center = self._center
            point = (
                duals
                if center is None
                else [
                    SMOOTHING * c + (1 - SMOOTHING) * y for c, y in zip(center, duals, strict=True)
                ]
            )
            farley, farley_value, pattern = self._farley(point, deadline)
            if farley_value > best_value:
                best_value = farley_value
                self._center = point
            bound = max(bound, farley)
            if stop_at is not None and bound >= stop_at:
                return value, bound
            if time.monotonic() > deadline or math.ceil(value - 1e-6) <= bound:
                return value, bound
            if interrupted is not None and interrupted():
                return value, bound
            added = False
            if 1 - sum(duals[j] * k for j, k in pattern) < -EPS:
                added = self.add(pattern)
            for extra in self._pricing.greedy(duals, self.demands, GREEDY_COLUMNS):
                added = self.add(extra) or added
            if not added and point is not duals:
                # The smoothed point priced no new column: price at the LP duals themselves.
                farley, _, pattern = self._farley(duals, deadline)
                bound = max(bound, farley)
                if 1 - sum(duals[j] * k for j, k in pattern) < -EPS:
                    added = self.add(pattern)
            if not added:
                return value, bound

    def certificate(self, deadline: float) -> tuple[float, list[int], int] | None:
        """Solve the LP to optimality; return ``(lp value, profits, best)``, or ``None``.

        ``profits[j] / best`` is a dual solution that is feasible exactly: no pattern is worth
        more than ``best`` at ``profits`` (an exact knapsack says so), so every pattern's
        reduced cost ``1 - sum a_j profits[j] / best`` is non-negative. ``None`` if the time
        ran out or a knapsack could not be solved exactly.
        """
        while True:
            value = self._lp(deadline)
            if value is None:
                return None
            duals = [row.dual_value() for row in self._rows]
            profits = [
                int(y * SCALE) if y > 0 and d > 0 else 0
                for y, d in zip(duals, self.demands, strict=True)
            ]
            best, pattern, exact = self._pricing.solve(
                profits, self.demands, deadline - time.monotonic()
            )
            if not exact or best <= 0:
                return None
            if 1 - sum(duals[j] * k for j, k in pattern) < -EPS and self.add(pattern):
                continue
            return value, profits, best

    def residual_bins(self, demands: Sequence[int]) -> list[Pattern]:
        """Pack the items of ``demands`` (a dive's residual) heuristically; their patterns."""
        return self._pricing.residual(demands)

    def solution(self, deadline: float) -> list[tuple[float, Pattern]]:
        """The LP values of the columns in use (re-solving if columns were added since)."""
        if self._dirty and self._lp(deadline) is None:
            return []
        return [(var.solution_value(), p) for var, p in self.columns if var.solution_value() > EPS]


def _residual_bins(
    demands: Sequence[int], problem: Callable[[list[int]], Problem]
) -> list[Pattern]:
    """Pack ``demands[j]`` items of each type ``j`` with the local search; their patterns.

    ``problem(types)`` builds the instance whose item ``i`` is of type ``types[i]``.
    """
    type_of = [j for j, d in enumerate(demands) for _ in range(d)]
    if not type_of:
        return []
    return patterns_of_bins(local_search(problem(type_of)), type_of)


def dive(
    cg: ColumnGeneration,
    demands: Sequence[int],
    target: int,
    deadline: float,
    rng: random.Random,
    *,
    greedy: bool,
    interrupted: Callable[[], bool] | None = None,
) -> list[Pattern] | None:
    """Look for a packing into at most ``target`` bins by diving in the column-generation LP.

    Returns the bins as patterns, or ``None`` when the dive proved it cannot reach ``target``
    or the time ran out (or ``interrupted()`` became true). ``greedy`` fixes the largest
    fractional column; otherwise the choice is randomised among the largest ones.
    """
    left = list(demands)
    fixed: list[Pattern] = []
    try:
        while any(left):
            if time.monotonic() > deadline or (interrupted is not None and interrupted()):
                return None
            cg.set_demands(left)
            value, bound = cg.run(
                deadline, stop_at=target - len(fixed) + 1, interrupted=interrupted
            )
            if value is None or len(fixed) + max(bound, math.ceil(value - 1e-6)) > target:
                return None
            columns = cg.solution(deadline)
            if not columns:
                return None
            took = False
            for x, pattern in columns:
                for _ in range(math.floor(x + 1e-6)):
                    if all(left[j] >= k for j, k in pattern):
                        for j, k in pattern:
                            left[j] -= k
                        fixed.append(pattern)
                        took = True
            if took:
                rest = cg.residual_bins(left)
                if len(fixed) + len(rest) <= target:
                    return fixed + rest
            if not took:
                columns.sort(key=lambda c: -c[0])
                pick = 0 if greedy else min(int(rng.expovariate(1.0)), len(columns) - 1)
                pattern = tuple((j, min(k, left[j])) for j, k in columns[pick][1] if left[j])
                if not pattern:
                    return None
                for j, k in pattern:
                    left[j] -= k
                fixed.append(pattern)
        return fixed
    finally:
        cg.set_demands(demands)


def enumerate_patterns(
    sizes: Sequence[int],
    demands: Sequence[int],
    capacity: int,
    profits: Sequence[int],
    threshold: int,
    *,
    max_nodes: int,
    deadline: float,
) -> list[Pattern] | None:
    """The patterns worth at least ``threshold``; ``None`` if there are too many.

    A pattern counts its types of positive profit exactly and is *maximal* in the types of
    profit zero: no further item of such a type (within its demand) fits. Every bin of a packing
    worth at least ``threshold`` at ``profits`` is such a pattern, or becomes one when
    zero-profit items are added to it, which a model that only asks those types to be covered
    at least ``d_j`` times allows.

    A depth-first search over the positive types in decreasing order of profit per unit of
    size, pruned by the fractional-knapsack bound of what the remaining types can still add;
    then every maximal completion with zero-profit types. ``None`` when it visits more than
    ``max_nodes`` nodes or passes ``deadline``.

    Runtime complexity: ``O(N k)`` for ``N <= max_nodes`` nodes and ``k`` items per bin.
    """
    active = [j for j in range(len(sizes)) if demands[j] > 0]
    order = sorted((j for j in active if profits[j] > 0), key=lambda j: -profits[j] / sizes[j])
    free = sorted((j for j in active if profits[j] <= 0), key=lambda j: -sizes[j])
    size = [sizes[j] for j in order]
    profit = [profits[j] for j in order]
    most = [min(demands[j], capacity // sizes[j]) for j in order]
    m = len(order)
    counts = [0] * m
    found: list[Pattern] = []
    nodes = 0

    def bound(k: int, room: int) -> float:
        """What types ``k..`` can add to ``room``, fractionally (an upper bound, plus one)."""
        value = 1.0
        while k < m and room > 0:
            full = most[k] * size[k]
            if full <= room:
                value += most[k] * profit[k]
                room -= full
            else:
                value += profit[k] * room / size[k]
                room = 0
            k += 1
        return value

    def completions(room: int) -> list[list[tuple[int, int]]] | None:
        """Every maximal multiset of zero-profit items that fits ``room``."""
        nonlocal nodes
        out: list[list[tuple[int, int]]] = []
        taken: list[tuple[int, int]] = []

        def walk(i: int, left: int, smallest_skipped: int) -> bool:
            nonlocal nodes
            nodes += 1
            if nodes > max_nodes or (nodes & 1023 == 0 and time.monotonic() > deadline):
                return False
            if i == len(free):
                if left < smallest_skipped:
                    out.append(list(taken))
                return True
            j = free[i]
            top = min(demands[j], left // sizes[j])
            for c in range(top, -1, -1):
                exhausted = c == min(demands[j], capacity // sizes[j])
                skipped = smallest_skipped if exhausted else min(smallest_skipped, sizes[j])
                if c:
                    taken.append((j, c))
                ok = walk(i + 1, left - c * sizes[j], skipped)
                if c:
                    taken.pop()
                if not ok:
                    return False
            return True

        if not walk(0, room, capacity + 1):
            return None
        return out

    # Each frame: (type position, room left, value so far, next count to try for that type).
    stack: list[tuple[int, int, int, int]] = [(0, capacity, 0, -1)]
    while stack:
        k, room, value, count = stack.pop()
        if count < 0:
            nodes += 1
            if nodes > max_nodes or (nodes & 1023 == 0 and time.monotonic() > deadline):
                return None
            if k == m:
                if value >= threshold:
                    base = [(order[t], counts[t]) for t in range(m) if counts[t]]
                    extras = completions(room) if free else [[]]
                    if extras is None:
                        return None
                    found.extend(tuple(sorted(base + extra)) for extra in extras)
                continue
            if value + bound(k, room) < threshold:
                continue
            count = min(most[k], room // size[k])
        # Try ``count`` copies of type k, and later ``count - 1``.
        if count > 0:
            stack.append((k, room, value, count - 1))
        counts[k] = count
        stack.append((k + 1, room - count * size[k], value + count * profit[k], -1))
    return found
