"""Exact bin packing on OR-Tools: `solve`, `Solution`, `SolveStatus`.

The solver is a portfolio that stops as soon as the best packing meets a proven lower bound.

One resource:

1. bounds and heuristics: L1, Martello-Toth L2 and dual feasible functions against first fit
   decreasing, then the local search (optimal on about 96 % of the classic instances);
2. the Gilmore-Gomory LP bound by column generation (GLOP and an exact knapsack), proven with
   integer arithmetic (`orchkit._binpack_colgen`), and one greedy LP dive;
3. the patterns within the LP gap, enumerated at an exactly feasible dual solution, and the
   pattern model on SCIP (`orchkit._binpack_mip`), which finds a packing meeting the bound or
   proves that one more bin is needed;
4. LP-guided diving with randomised restarts, while CP-SAT searches the compressed arc-flow
   model (`orchkit._binpack_arcflow`) for a packing into exactly the bound in the background,
   and raises the bound when there is none.

Several resources: the same bounds and heuristics; the LP bound by column generation with a
multidimensional-knapsack pricing (CP-SAT), proven the same way, and LP dives; then the
assignment model with symmetry breaking (`orchkit._binpack_assign`) on CP-SAT.

The time limit is enforced here: every stage is given the time left, the solvers run in worker
threads that are told to stop at the deadline, and the caller's `on_progress` is called from the
calling thread.
"""

from __future__ import annotations

import enum
import math
import os
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from typing import Any, TypeVar

import attrs

from orchkit import _binpack_arcflow as arcflow
from orchkit import _binpack_assign as assignment
from orchkit import _binpack_colgen as colgen
from orchkit import _binpack_greedy as greedy
from orchkit import _binpack_mip as mip
from orchkit._binpack_bounds import bounds_of, dff_bound
from orchkit._binpack_improve import local_search
from orchkit._binpack_model import Capacity, Packing, Problem, Sizes, _packing, problem
from orchkit.errors import InfeasibleError, InvalidValueError, MissingDependencyError

__all__ = [
    "CpSatRun",
    "Progress",
    "Solution",
    "SolveStatus",
    "require_ortools",
    "run_cpsat",
    "solve",
]

#: ``on_progress(elapsed seconds, best number of bins or None, proven lower bound)``.
Progress = Callable[[float, "int | None", int], None]

#: Most LP dives per solve.
MAX_DIVES = 1_000
#: Share of the time left that solving the LP to optimality may take before enumerating ...
CERTIFICATE_SHARE = 0.25
#: Most nodes of the pattern enumeration ...
ENUMERATION_NODES = 2_000_000
#: ... and of its share of the time left.
ENUMERATION_SHARE = 0.15
#: Most patterns given to the MIP ...
MAX_PATTERNS = 50_000
#: ... and its share of the time left.
MIP_SHARE = 0.6
#: Arc budget of the arc-flow graph; larger graphs (large capacities) skip the arc-flow model.
MAX_ARCS = 300_000
#: Largest number of (item, bin) Booleans of the assignment model.
MAX_ASSIGN_VARS = 2_000_000
#: Share of the time left for the vector LP bound, and then for the vector LP dives ...
VECTOR_LP_SHARE = 0.4
VECTOR_DIVE_SHARE = 0.3
#: ... at most this many of them.
VECTOR_DIVES = 20
#: The seed of every randomised stage, so that results are reproducible.
SEED = 20240601


class SolveStatus(enum.Enum):
    """What `solve` proved.

    Examples
    --------
    >>> SolveStatus.OPTIMAL.value
    'optimal'
    """

    #: The packing is optimal: it meets the proven lower bound.
    OPTIMAL = "optimal"
    #: A packing was found, but the time ran out before it was proven optimal.
    FEASIBLE = "feasible"
    #: No packing exists: some item is larger than the capacity.
    INFEASIBLE = "infeasible"
    #: The time ran out before any packing was found.
    UNKNOWN = "unknown"


@attrs.frozen
class Solution:
    """The result of `solve`: the best packing found, a proven bound, and the status.

    Examples
    --------
    >>> from orchkit.binpack import solve
    >>> solution = solve([60, 60, 60, 30, 30, 30], 100)
    >>> solution.status, solution.num_bins, solution.lower_bound, solution.gap
    (<SolveStatus.OPTIMAL: 'optimal'>, 3, 3, 0.0)
    """

    #: `SolveStatus.OPTIMAL` only when the packing is proven optimal.
    status: SolveStatus
    #: The best packing found (checked with `orchkit.binpack.check_packing`), or ``None``
    #: for ``INFEASIBLE`` and ``UNKNOWN``.
    packing: Packing | None
    #: No packing can use fewer bins than this (proven): ``37``.
    lower_bound: int
    #: Seconds spent in `solve`: ``0.42``.
    wall_time: float
    #: The stage that produced the final answer: ``"bounds"`` (heuristic meets a simple bound),
    #: ``"column generation"`` (LP bound and dives), ``"pattern MIP"``, ``"arc-flow"``,
    #: ``"assignment"``; or why nothing was found.
    method: str = ""

    @property
    def num_bins(self) -> int | None:
        """The number of bins of `packing`, or ``None`` without a packing."""
        return None if self.packing is None else self.packing.num_bins

    @property
    def gap(self) -> float | None:
        """``(num_bins - lower_bound) / num_bins``: 0.0 when optimal; ``None`` without a packing."""
        if self.packing is None:
            return None
        if not self.packing.num_bins:
            return 0.0
        return (self.packing.num_bins - self.lower_bound) / self.packing.num_bins

    @property
    def optimal(self) -> bool:
        """True when `status` is `SolveStatus.OPTIMAL`."""
        return self.status is SolveStatus.OPTIMAL


def require_ortools() -> None:
    """Import OR-Tools, or raise `MissingDependencyError` naming the ``exact`` extra."""
    try:
        import ortools.sat.python.cp_model  # noqa: F401
    except ImportError:
        raise MissingDependencyError("ortools", "exact") from None


def _time_limit(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValueError("time_limit", value, "must be a number of seconds")
    seconds = float(value)
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidValueError("time_limit", value, "must be positive and finite")
    return seconds


def _workers(value: object) -> int:
    if value is None:
        return max(1, min(8, os.cpu_count() or 1))
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError("workers", value, "must be a positive integer")
    return value


class _Tracker:
    """The incumbent, the proven bound and progress reports, in the caller's thread."""

    def __init__(self, start: float, deadline: float, callback: Progress | None) -> None:
        self.start = start
        self.deadline = deadline
        self.callback = callback
        self.bins: list[list[int]] | None = None
        self.bound = 0
        self.method = ""
        self._reported: tuple[int | None, int] | None = None

    @property
    def best(self) -> int | None:
        return None if self.bins is None else len(self.bins)

    def done(self) -> bool:
        return self.bins is not None and len(self.bins) <= self.bound

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def offer(self, bins: list[list[int]], method: str) -> bool:
        """Keep ``bins`` if they use fewer bins than the incumbent."""
        if self.bins is not None and len(bins) >= len(self.bins):
            return False
        self.bins = bins
        self.method = method
        self.report()
        return True

    def lift(self, bound: int, method: str) -> None:
        if bound > self.bound:
            self.bound = bound
            if self.bins is not None and len(self.bins) <= bound:
                self.method = method
            self.report()

    def report(self) -> None:
        state = (self.best, self.bound)
        if self.callback is not None and state != self._reported:
            self._reported = state
            self.callback(time.monotonic() - self.start, self.best, self.bound)


class CpSatRun:
    """CP-SAT solving ``model`` in a worker thread, reporting to the thread that polls it.

    The solver's own time limit is set to the deadline, and `wait` also tells it to stop
    when the deadline passes, whatever the solver does. `news` is set whenever there is an
    event to collect with `poll`.
    """

    def __init__(
        self,
        model: Any,
        *,
        deadline: float,
        workers: int,
        objective_vars: Sequence[Any],
    ) -> None:
        from ortools.sat.python import cp_model

        self._cp_model = cp_model
        self.deadline = deadline
        self.news = threading.Event()
        self._events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.01, deadline - time.monotonic())
        params.num_workers = workers
        params.random_seed = 1
        params.log_search_progress = False
        self._solver = solver
        events = self._events
        news = self.news

        class Callback(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                events.put(("solution", [self.value(v) for v in objective_vars]))
                news.set()

        def on_bound(bound: float) -> None:
            events.put(("bound", bound))
            news.set()

        solver.best_bound_callback = on_bound
        self._result: list[Any] = []

        def target() -> None:
            self._result.append(solver.solve(model, Callback()))
            news.set()

        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def running(self) -> bool:
        """True while the solver thread runs."""
        return self._thread.is_alive()

    def poll(
        self, on_solution: Callable[[list[int]], None], on_bound: Callable[[float], None]
    ) -> None:
        """Pass the solutions and bounds found so far to the callbacks (in this thread)."""
        self.news.clear()
        while not self._events.empty():
            kind, payload = self._events.get_nowait()
            if kind == "solution":
                on_solution(payload)
            else:
                on_bound(payload)
        if time.monotonic() > self.deadline:
            self.stop()

    def stop(self) -> None:
        """Ask the solver to stop as soon as it can."""
        self._solver.stop_search()

    def wait(
        self, on_solution: Callable[[list[int]], None], on_bound: Callable[[float], None]
    ) -> str:
        """Poll until the solver ends (stopping it at the deadline); return the status name."""
        while self.running():
            self.news.wait(timeout=0.05)
            self.poll(on_solution, on_bound)
        self._thread.join()
        self.poll(on_solution, on_bound)
        cp_model = self._cp_model
        status = self._result[0] if self._result else cp_model.UNKNOWN
        if status == cp_model.OPTIMAL:
            on_bound(self._solver.objective_value)
        return str(self._solver.status_name(status))


def run_cpsat(
    model: Any,
    *,
    deadline: float,
    workers: int,
    objective_vars: Sequence[Any],
    on_solution: Callable[[list[int]], None],
    on_bound: Callable[[float], None],
) -> str:
    """Solve ``model`` with CP-SAT until ``deadline``; return the status name.

    Each improving solution's values of ``objective_vars`` are passed to ``on_solution`` and
    each improved objective bound to ``on_bound``, both from the calling thread.
    """
    run = CpSatRun(model, deadline=deadline, workers=workers, objective_vars=objective_vars)
    return run.wait(on_solution, on_bound)


# -- one resource ----------------------------------------------------------------------------------


_T = TypeVar("_T", int, tuple[int, ...])


def _types(
    weights: Sequence[_T], order: Sequence[int]
) -> tuple[list[_T], list[int], list[int], list[list[int]]]:
    """Group the items of ``order`` (equal sizes next to each other) into types.

    Returns the distinct sizes in that order, their counts, the type of every item (0 for the
    items not in ``order``) and the items of each type.
    """
    sizes: list[_T] = []
    demands: list[int] = []
    members: list[list[int]] = []
    type_of = [0] * len(weights)
    for i in order:
        w = weights[i]
        if not sizes or sizes[-1] != w:
            sizes.append(w)
            demands.append(0)
            members.append([])
        demands[-1] += 1
        members[-1].append(i)
        type_of[i] = len(sizes) - 1
    return sizes, demands, type_of, members


def _bins_of_patterns(
    patterns: Iterable[Sequence[tuple[int, int]]], members: Sequence[list[int]]
) -> list[list[int]]:
    """Item indices for patterns (``(type, copies)``): copies beyond the demand are dropped."""
    pools = [list(m) for m in members]
    bins: list[list[int]] = []
    for pattern in patterns:
        content: list[int] = []
        for j, k in pattern:
            take = min(k, len(pools[j]))
            content.extend(pools[j][len(pools[j]) - take :])
            del pools[j][len(pools[j]) - take :]
        if content:
            bins.append(content)
    return bins


class _Scalar:
    """The one-resource portfolio on validated sizes (zero sizes and common divisors removed)."""

    def __init__(self, weights: list[int], cap: int, tracker: _Tracker, workers: int) -> None:
        self.tracker = tracker
        self.workers = workers
        self.positive = [i for i, x in enumerate(weights) if x > 0]
        self.zeros = [i for i, x in enumerate(weights) if x == 0]
        self.search: _ArcFlowSearch | None = None
        self.dives = 0
        # Divide sizes and capacity by their common divisor: the same packings, smaller numbers.
        g = reduce(math.gcd, (weights[i] for i in self.positive), cap)
        self.weights = [weights[i] // g for i in self.positive]
        self.cap = cap // g
        order = sorted(range(len(self.weights)), key=self.weights.__getitem__, reverse=True)
        self.sizes, self.demands, self.type_of, self.members = _types(self.weights, order)

    def offer(self, local: list[list[int]], method: str) -> None:
        """Offer bins of the positive-size items (local numbering) to the tracker."""
        bins = [[self.positive[i] for i in members] for members in local]
        if self.zeros:
            bins = [bins[0] + self.zeros, *bins[1:]] if bins else [list(self.zeros)]
        self.tracker.offer(bins, method)

    def incumbent(self) -> list[list[int]]:
        """The tracker's bins in the local numbering (zero sizes dropped)."""
        if self.tracker.bins is None:
            return []
        local = {item: k for k, item in enumerate(self.positive)}
        out = [[local[i] for i in members if i in local] for members in self.tracker.bins]
        return [b for b in out if b]

    def run(self) -> None:
        tracker = self.tracker
        if not self.positive:
            self.offer([], "bounds")
            tracker.lift(1 if self.zeros else 0, "bounds")
            return
        w, c = self.weights, self.cap
        prob = Problem(w, c, None, (c,))
        l1, l2 = bounds_of(prob)
        tracker.lift(max(l1, l2, dff_bound(w, c)), "bounds")
        self.offer(greedy.first_fit(prob, greedy.decreasing_order(prob)), "bounds")
        if tracker.done():
            return
        if len(w) <= 500 * max(tracker.left(), 0.0):
            self.offer(local_search(prob), "bounds")
            if tracker.done():
                return
        columns = colgen.patterns_of_bins(self.incumbent(), self.type_of)
        columns += colgen.tight_patterns(self.sizes, self.demands, c)
        cg = colgen.ColumnGeneration(self.sizes, self.demands, c, columns)
        _, bound = cg.run(tracker.deadline, stop_at=tracker.best)
        tracker.lift(bound, "column generation")
        if tracker.done() or tracker.left() <= 0:
            return
        # One greedy dive: on most instances the LP leads straight to a packing meeting the bound.
        self.dive(cg, 1)
        if tracker.done() or tracker.left() <= 0:
            return
        # The patterns that can appear in a packing meeting the bound, if few: the MIP decides.
        self.enumerate(cg)
        if tracker.done() or tracker.left() <= 0:
            return
        # CP-SAT searches the arc-flow model in the background (a packing into as many bins as
        # the bound, or a proof that there is none) while the LP dives look for such a packing.
        self.search = self.start_arc_flow(MAX_ARCS)
        try:
            self.dive(cg, MAX_DIVES)
            while self.search is not None and not tracker.done():
                self.search.run.news.wait(timeout=0.05)
                self.check_search()
        finally:
            if self.search is not None:
                self.search.abandon()

    def check_search(self) -> None:
        """Collect the arc-flow search's news; restart it on the next target when needed.

        When the search proved its target infeasible, the bound went up by one.
        """
        search = self.search
        if search is None:
            return
        search.poll()
        if not search.run.running():
            self.search = None
            if not self.tracker.done() and self.tracker.left() > 0:
                self.search = self.start_arc_flow(MAX_ARCS)

    def dive(self, cg: colgen.ColumnGeneration, most: int) -> None:
        """Dive in the LP for a packing that meets the bound, with randomised restarts."""
        tracker = self.tracker
        rng = random.Random(SEED + self.dives)

        def interrupted() -> bool:
            if self.search is not None and self.search.run.news.is_set():
                self.check_search()
            return tracker.done()

        for _ in range(most):
            if interrupted() or tracker.left() <= 0:
                break
            found = colgen.dive(
                cg,
                self.demands,
                tracker.bound,
                tracker.deadline,
                rng,
                greedy=self.dives == 0,
                interrupted=interrupted,
            )
            self.dives += 1
            if found is not None:
                self.offer(_bins_of_patterns(found, self.members), "column generation")

    def enumerate(self, cg: colgen.ColumnGeneration) -> None:
        """Enumerate the patterns a packing into ``bound`` bins can use; let the MIP decide.

        With an exactly feasible dual solution (``profits / best``), a packing into ``z`` bins
        only uses patterns of reduced cost at most ``z - profits.demands / best``. If they are
        few, the pattern model decides exactly whether ``z`` bins suffice: it returns the
        packing, or proves that ``z + 1`` bins are needed (then the next ``z`` is tried).
        """
        tracker = self.tracker
        while not tracker.done() and tracker.left() > 0:
            certificate = cg.certificate(
                min(tracker.deadline, time.monotonic() + CERTIFICATE_SHARE * tracker.left())
            )
            if certificate is None:
                return
            _, profits, best = certificate
            total = sum(d * p for d, p in zip(self.demands, profits, strict=True))
            tracker.lift(-(-total // best), "column generation")
            if tracker.done():
                return
            target = tracker.bound
            threshold = total - best * (target - 1)
            patterns = colgen.enumerate_patterns(
                self.sizes,
                self.demands,
                self.cap,
                profits,
                threshold,
                max_nodes=ENUMERATION_NODES,
                deadline=time.monotonic() + ENUMERATION_SHARE * tracker.left(),
            )
            if patterns is None or len(patterns) > MAX_PATTERNS:
                return
            free = [j for j, p in enumerate(profits) if p <= 0]
            run = mip.MipRun(
                mip.build_pattern_model(patterns, self.demands, target, free),
                deadline=tracker.deadline,
            )
            status, uses = run.wait(time.monotonic() + MIP_SHARE * tracker.left())
            if status == "FEASIBLE" and uses is not None:
                chosen = [p for p, count in zip(patterns, uses, strict=True) for _ in range(count)]
                self.offer(_bins_of_patterns(chosen, self.members), "pattern MIP")
                return
            if status != "INFEASIBLE":
                return
            # No packing into ``target`` bins: the bound goes up, and the next target is tried.
            tracker.lift(target + 1, "pattern MIP")

    def start_arc_flow(self, max_arcs: int) -> _ArcFlowSearch | None:
        """Start CP-SAT on the arc-flow model for a packing into exactly ``bound`` bins.

        Such a packing wastes ``bound * capacity - sum of sizes`` in all, so the graph keeps
        only the bins that waste no more; ``None`` if the graph is too large. If CP-SAT proves
        the model infeasible, the bound goes up by one.
        """
        tracker = self.tracker
        target = tracker.bound
        if tracker.done() or tracker.left() <= 0:
            return None
        slack = target * self.cap - sum(self.weights)
        if slack < 0:
            tracker.lift(target + 1, "bounds")
            return self.start_arc_flow(max_arcs)
        try:
            graph = arcflow.build_graph(
                self.sizes,
                self.demands,
                self.cap,
                max_arcs=max_arcs,
                deadline=tracker.deadline,
                slack=slack,
            )
        except arcflow.GraphTooLargeError:
            return None
        built = arcflow.build_model(graph, target, target)
        run = CpSatRun(
            built.model,
            deadline=tracker.deadline,
            workers=self.workers,
            objective_vars=built.flow,
        )
        return _ArcFlowSearch(self, graph, target, run)

    def arc_flow(self, max_arcs: int) -> None:
        """Run the arc-flow search to the end, target after target.

        See `start_arc_flow`.
        """
        self.search = self.start_arc_flow(max_arcs)
        while self.search is not None:
            self.search.wait()
            self.search = None
            if not self.tracker.done():
                self.search = self.start_arc_flow(max_arcs)


class _ArcFlowSearch:
    """A running arc-flow search for ``target`` bins and what its events mean for the tracker."""

    def __init__(
        self, scalar: _Scalar, graph: arcflow.ArcFlowGraph, target: int, run: CpSatRun
    ) -> None:
        self.scalar = scalar
        self.graph = graph
        self.target = target
        self.run = run
        self.concluded = False

    def on_solution(self, values: list[int]) -> None:
        types = arcflow.decode_paths(self.graph, values)
        patterns = ([(j, 1) for j in t] for t in types)
        self.scalar.offer(_bins_of_patterns(patterns, self.scalar.members), "arc-flow")

    def on_bound(self, value: float) -> None:
        pass  # the objective is fixed: only infeasibility says something about the bound

    def poll(self) -> None:
        self.run.poll(self.on_solution, self.on_bound)
        if not self.run.running():
            self.wait()

    def wait(self) -> None:
        status = self.run.wait(self.on_solution, self.on_bound)
        if status == "INFEASIBLE" and not self.concluded:
            # No packing into ``target`` bins: at least one more is needed.
            self.scalar.tracker.lift(self.target + 1, "arc-flow")
        self.concluded = True

    def abandon(self) -> None:
        """Stop the solver (the answer is settled, or the caller gave up)."""
        if self.run.running():
            self.run.stop()
        self.wait()


# -- several resources -----------------------------------------------------------------------------


def _vector_lp(
    vectors: Sequence[tuple[int, ...]], caps: tuple[int, ...], tracker: _Tracker
) -> None:
    """The LP bound of vector packing by column generation, then a few LP dives.

    The pricing is a multidimensional knapsack; the bound is Farley's, proven as for one
    resource. Items of all zeros are left out (they fit anywhere) and join the first bin.
    """
    positive = [i for i, v in enumerate(vectors) if any(v)]
    zeros = [i for i, v in enumerate(vectors) if not any(v)]
    if not positive:
        return
    order = sorted(
        positive,
        key=lambda i: (sum(x / c for x, c in zip(vectors[i], caps, strict=True)), vectors[i]),
        reverse=True,
    )
    types, demands, type_of, members = _types(vectors, order)
    incumbent = [[i for i in b if any(vectors[i])] for b in tracker.bins or []]
    columns = colgen.patterns_of_bins([b for b in incumbent if b], type_of)
    cg = colgen.ColumnGeneration([], demands, 0, columns, vectors=(types, caps))
    stop = min(tracker.deadline, time.monotonic() + VECTOR_LP_SHARE * tracker.left())
    _, bound = cg.run(stop, stop_at=tracker.best)
    tracker.lift(bound, "column generation")
    rng = random.Random(SEED)
    stop = min(tracker.deadline, time.monotonic() + VECTOR_DIVE_SHARE * tracker.left())
    for k in range(VECTOR_DIVES):
        if tracker.done() or time.monotonic() > stop:
            return
        found = colgen.dive(cg, demands, tracker.bound, stop, rng, greedy=k == 0)
        if found is not None:
            bins = _bins_of_patterns(found, members)
            if zeros:
                bins = [bins[0] + zeros, *bins[1:]] if bins else [list(zeros)]
            tracker.offer(bins, "column generation")


def _solve_vector(
    prob: Problem, tracker: _Tracker, workers: int, hint: list[list[int]] | None
) -> None:
    vectors = prob.vectors
    caps = prob.caps
    n = len(vectors)
    if hint is not None:
        tracker.offer(hint, "hint")
    l1, l2 = bounds_of(prob)
    tracker.lift(max(l1, l2, len(assignment.clique(vectors, caps))), "bounds")
    for key in ("l2", "sum", "max"):
        tracker.offer(greedy.first_fit(prob, greedy.decreasing_order(prob, key)), "bounds")
    if tracker.done():
        return
    if 0.75 * (n / 1000) ** 2 <= 0.3 * max(tracker.left(), 0.0):
        tracker.offer(local_search(prob), "bounds")
        if tracker.done():
            return
    _vector_lp(vectors, caps, tracker)
    if tracker.done():
        return
    best = tracker.bins
    upper = len(best) if best is not None else n
    if n * upper > MAX_ASSIGN_VARS or tracker.left() <= 0.05:
        return
    built = assignment.build_model(vectors, caps, upper, tracker.bound, best)
    keys = list(built.assign)

    def on_solution(values: list[int]) -> None:
        tracker.offer(
            assignment.read_bins(dict(zip(keys, values, strict=True)), upper), "assignment"
        )

    def on_bound(value: float) -> None:
        tracker.lift(math.ceil(value - 1e-6), "assignment")

    run_cpsat(
        built.model,
        deadline=tracker.deadline,
        workers=workers,
        objective_vars=[built.assign[k] for k in keys],
        on_solution=on_solution,
        on_bound=on_bound,
    )


# -- the public entry point ------------------------------------------------------------------------


def _hint_bins(hint: object, prob: Problem) -> list[list[int]]:
    bins = hint.bins if isinstance(hint, Packing) else hint
    try:
        checked = _packing(prob, bins, "hint", field="hint")
    except InvalidValueError as err:
        if err.field.startswith("hint"):
            raise
        raise InvalidValueError("hint", err.value, f"{err.field}: {err.reason}") from None
    return [list(b) for b in checked.bins]


def solve(
    sizes: Sizes | Iterable[int] | Iterable[Sequence[int]],
    capacity: Capacity,
    *,
    time_limit: float = 10.0,
    workers: int | None = None,
    hint: Packing | Sequence[Sequence[int]] | None = None,
    on_progress: Progress | None = None,
) -> Solution:
    """Pack items into as few bins as possible, and prove it: exact bin packing on OR-Tools.

    The best heuristic packing and the best cheap lower bound come first, and the call returns
    at once when they meet. Otherwise, for one resource, the Gilmore-Gomory LP bound is computed
    by column generation and proven with exact arithmetic; the patterns a packing meeting it
    could use are enumerated and a MIP (SCIP) decides whether it can be met, and LP-guided
    diving and the compressed arc-flow model on CP-SAT close what is left. For several
    resources, the LP bound comes from column generation too (its pricing is a
    multidimensional knapsack), then an assignment model with symmetry breaking runs on
    CP-SAT. The status is
    ``OPTIMAL`` only when the packing meets a proven lower bound.

    Parameters
    ----------
    sizes, capacity
        As for `orchkit.binpack.pack`: one ``int`` per item and an ``int`` capacity, or
        one sequence per item and one ``int`` per resource.
    time_limit
        Seconds; the call returns within about this time (it stops its solvers itself).
    workers
        CP-SAT worker threads; default: the number of CPUs, at most 8.
    hint
        A packing to start from (a `Packing` or bins of item indices); it is checked.
    on_progress
        Called as ``on_progress(elapsed, best, bound)`` from the calling thread whenever the
        best number of bins (``None`` before any packing) or the proven bound improves.

    Returns
    -------
    Solution
        The status, the best packing (checked), the proven lower bound, the gap and the time.

    Raises
    ------
    InvalidValueError
        If a size, the capacity, the hint, ``time_limit`` or ``workers`` is malformed.
    MissingDependencyError
        If OR-Tools is not installed (``pip install 'orchkit[exact]'``).

    Examples
    --------
    >>> from orchkit.binpack import pack, solve
    >>> sizes = [50, 26, 59, 21, 32, 20, 54, 64, 36, 29, 59, 33]
    >>> pack(sizes, 100).num_bins
    6
    >>> solution = solve(sizes, 100, time_limit=5)
    >>> solution.status.name, solution.num_bins, solution.lower_bound
    ('OPTIMAL', 5, 5)
    >>> solve([[3, 1], [1, 3], [2, 2], [2, 2]], [4, 4]).packing.bins
    ((0, 1), (2, 3))
    >>> solve([120, 30], 100).status.name
    'INFEASIBLE'

    Notes
    -----
    Bin packing is NP-hard: the running time is exponential in the worst case and bounded by
    ``time_limit``. The heuristics and bounds cost ``O(n log n)`` (vectors: up to ``O(n^2 d)``);
    the LP bound is pseudo-polynomial (knapsacks over the capacity); the pattern enumeration is
    capped at 2,000,000 search nodes; the arc-flow graph has ``O(m c)`` arcs for ``m`` distinct
    sizes and capacity ``c`` and is skipped beyond 300,000 arcs. Figures on the classic
    benchmark sets (2 workers) are on the performance page.

    References
    ----------
    .. [1] J. M. Valério de Carvalho, "Exact solution of bin-packing problems using column
       generation and branch-and-bound", Annals of Operations Research 86:629-659, 1999.
    .. [2] F. Brandão, J. P. Pedroso, "Bin packing and related problems: general arc-flow
       formulation with graph compression", Computers & Operations Research 69:56-67, 2016.
    .. [3] S. Martello, P. Toth, "Lower bounds and reduction procedures for the bin packing
       problem", Discrete Applied Mathematics 28(1):59-70, 1990.
    """
    start = time.monotonic()
    limit = _time_limit(time_limit)
    threads = _workers(workers)
    if on_progress is not None and not callable(on_progress):
        raise InvalidValueError("on_progress", on_progress, "must be callable")
    require_ortools()
    try:
        prob = problem(sizes, capacity)
    except InfeasibleError as err:
        return Solution(SolveStatus.INFEASIBLE, None, 0, time.monotonic() - start, str(err))
    hinted = None if hint is None else _hint_bins(hint, prob)
    tracker = _Tracker(start, start + limit, on_progress)
    if prob.scalar or prob.dims == 1:
        weights = prob.weights if prob.scalar else [v[0] for v in prob.vectors]
        if hinted is not None:
            tracker.offer(hinted, "hint")
        _Scalar(weights, prob.caps[0], tracker, threads).run()
    else:
        _solve_vector(prob, tracker, threads, hinted)
    elapsed = time.monotonic() - start
    if tracker.bins is None:
        return Solution(SolveStatus.UNKNOWN, None, tracker.bound, elapsed, "time limit")
    packing = _packing(prob, tracker.bins, "exact")
    status = SolveStatus.OPTIMAL if tracker.done() else SolveStatus.FEASIBLE
    bound = min(tracker.bound, packing.num_bins)
    return Solution(status, packing, bound, elapsed, tracker.method)
