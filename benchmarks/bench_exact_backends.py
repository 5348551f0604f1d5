"""Which OR-Tools backend for which model: CP-SAT against the bundled MIP solvers (SCIP, HiGHS).

For each instance, the question asked is the one ``orchkit.binpack.solve`` asks once its LP
bound ``z`` is proven: is there a packing into ``z`` bins? It is asked of two models:

- the pattern model: every pattern whose reduced cost (at an exactly feasible dual solution)
  is within the LP gap, enumerated, then "pick ``z`` patterns covering every item exactly";
- the arc-flow model on the compressed graph, pruned to the bins that waste at most what ``z``
  bins can waste in total, with ``z`` fixed.

Each (model, backend) pair gets the same time limit; the table gives the answer (FEASIBLE: a
packing into ``z`` bins; INFEASIBLE: proven impossible; UNKNOWN: out of time) and the seconds.

Usage::

    python benchmarks/bench_exact_backends.py [--quick] [--limit 30] [--workers 2]
                                              [--instances hard28:Hard28_BPP40,...]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

from orchkit import _binpack_arcflow as arcflow
from orchkit import _binpack_colgen as colgen
from orchkit import _binpack_mip as mip
from orchkit._binpack_exact import _types
from orchkit._binpack_improve import local_search
from orchkit._binpack_model import Problem

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "binpack" / "1d"
DEFAULT = (
    "hard28:Hard28_BPP13,hard28:Hard28_BPP40,hard28:Hard28_BPP60,hard28:Hard28_BPP14,"
    "scholl_2:N4W2B1R3"
)


def timed(target: Any, limit: float) -> tuple[str, float]:
    """Run ``target()`` (returning a status) in a thread; give up after ``limit`` + 5 s."""
    out: list[str] = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: out.append(target()), daemon=True)
    thread.start()
    thread.join(limit + 5)
    return (out[0] if out else "UNKNOWN (overran)"), time.monotonic() - started


def mb_status(status: Any) -> str:
    from ortools.linear_solver.python import model_builder as mb

    if status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE):
        return "FEASIBLE"
    if status == mb.SolveStatus.INFEASIBLE:
        return "INFEASIBLE"
    return "UNKNOWN"


def pattern_cpsat(
    patterns: list, demands: list[int], bins: int, free: list[int], limit: float, workers: int
) -> str:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    uses = [
        model.new_int_var(
            0, min([bins] + [demands[j] // c for j, c in p if j not in free]), f"u{k}"
        )
        for k, p in enumerate(patterns)
    ]
    rows: list[list[Any]] = [[] for _ in demands]
    for var, p in zip(uses, patterns, strict=True):
        for j, c in p:
            rows[j].append(c * var)
    for j, terms in enumerate(rows):
        if demands[j] and j in free:
            model.add(sum(terms) >= demands[j])
        elif demands[j]:
            model.add(sum(terms) == demands[j])
    model.add(sum(uses) == bins)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "FEASIBLE"
    return "INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN"


def pattern_mip(
    patterns: list, demands: list[int], bins: int, free: list[int], limit: float, name: str
) -> str:
    from ortools.linear_solver.python import model_builder as mb

    built = mip.build_pattern_model(patterns, demands, bins, free)
    solver = mb.Solver(name)
    if name == "HIGHS":
        solver.set_solver_specific_parameters("output_flag=false")
    solver.set_time_limit_in_seconds(limit)
    return mb_status(solver.solve(built.model))


def arcflow_cpsat(graph: arcflow.ArcFlowGraph, bins: int, limit: float, workers: int) -> str:
    from ortools.sat.python import cp_model

    built = arcflow.build_model(graph, bins, bins)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    status = solver.solve(built.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "FEASIBLE"
    return "INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN"


def arcflow_mip(graph: arcflow.ArcFlowGraph, bins: int, limit: float, name: str) -> str:
    """The same arc-flow model, written for ``model_builder``."""
    from ortools.linear_solver.python import model_builder as mb

    model = mb.Model()
    flow = [model.new_int_var(0, bins, f"f{a}") for a in range(len(graph.arcs))]
    inner = [u for u in graph.nodes if u not in (graph.source, graph.sink)]
    loss = {u: model.new_int_var(0, bins, f"l{u}") for u in inner}
    leaving, entering, by_type = arcflow.incidence(graph, flow, loss)
    for u in graph.nodes:
        if u == graph.source:
            model.add(mb.LinearExpr.sum(leaving[u]) == bins)
        elif u == graph.sink:
            model.add(mb.LinearExpr.sum(entering[u]) == bins)
        else:
            model.add(mb.LinearExpr.sum(entering[u]) == mb.LinearExpr.sum(leaving[u]))
    for j, terms in enumerate(by_type):
        model.add(mb.LinearExpr.sum(terms) == graph.demands[j])
    solver = mb.Solver(name)
    if name == "HIGHS":
        solver.set_solver_specific_parameters("output_flag=false")
    solver.set_time_limit_in_seconds(limit)
    return mb_status(solver.solve(model))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=DEFAULT, help="set:name,... to compare on")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--quick", action="store_true", help="one instance, 5 s")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not present")
        return 0
    pairs = [item.split(":") for item in args.instances.split(",") if item]
    if args.quick:
        pairs, args.limit = [["hard28", "Hard28_BPP60"]], 5.0
    print(
        f"is there a packing into z bins (z = the proven LP bound)? {args.limit:.0f} s per solve, "
        f"CP-SAT with {args.workers} workers, SCIP and HiGHS single-threaded"
    )
    header = f"{'instance':<16} {'z':>3} {'model':<22} {'backend':<7} {'answer':<18} {'s':>6}"
    print(header)
    print("-" * len(header))
    for set_name, name in pairs:
        data = json.loads((DATA / set_name / f"{set_name}.json").read_text(encoding="utf-8"))
        inst = next(i for i in data["instances"] if i["name"] == name)
        weights, cap = inst["items"], inst["capacity"]
        order = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)
        sizes, demands, type_of, _ = _types(weights, order)
        start = local_search(Problem(weights, cap, None, (cap,)))
        columns = colgen.patterns_of_bins(start, type_of)
        columns += colgen.tight_patterns(sizes, demands, cap)
        cg = colgen.ColumnGeneration(sizes, demands, cap, columns)
        cg.run(time.monotonic() + 60)
        certificate = cg.certificate(time.monotonic() + 60)
        assert certificate is not None
        _, profits, best = certificate
        total = sum(d * p for d, p in zip(demands, profits, strict=True))
        bins = -(-total // best)
        patterns = colgen.enumerate_patterns(
            sizes,
            demands,
            cap,
            profits,
            total - best * (bins - 1),
            max_nodes=5_000_000,
            deadline=time.monotonic() + 60,
        )
        runs: list[tuple[str, str, Any]] = []
        if patterns is not None:
            label = f"pattern ({len(patterns)} cols)"
            free = [j for j, p in enumerate(profits) if p <= 0]
            same = (patterns, demands, bins, free, args.limit)
            runs += [
                (label, "SCIP", partial(pattern_mip, *same, "SCIP")),
                (label, "HiGHS", partial(pattern_mip, *same, "HIGHS")),
                (label, "CP-SAT", partial(pattern_cpsat, *same, args.workers)),
            ]
        else:
            print(f"{name:<16} {bins:>3} pattern: too many patterns to enumerate")
        slack = bins * cap - sum(weights)
        graph = arcflow.build_graph(sizes, demands, cap, slack=slack)
        label = f"arc-flow ({len(graph.arcs)} arcs)"
        runs += [
            (label, "CP-SAT", partial(arcflow_cpsat, graph, bins, args.limit, args.workers)),
            (label, "HiGHS", partial(arcflow_mip, graph, bins, args.limit, "HIGHS")),
            (label, "SCIP", partial(arcflow_mip, graph, bins, args.limit, "SCIP")),
        ]
        for label, backend, run in runs:
            answer, seconds = timed(run, args.limit)
            print(
                f"{name:<16} {bins:>3} {label:<22} {backend:<7} {answer:<18} {seconds:>6.1f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
