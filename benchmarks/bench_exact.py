"""Exact bin packing: orchkit.binpack.solve against the naive CP-SAT assignment model.

Every instance of the chosen BPPLIB sets in ../shared/data/binpack/1d/ is solved by
``orchkit.binpack.solve`` with the per-set time limit and 2 CP-SAT workers; an instance counts as
proven when the status is OPTIMAL within the limit (the bins are checked against the published
optimum). In the same run, the first ``--naive`` instances of each set are also solved by the
model most Python users write for CP-SAT (the peer): one Boolean per (item, bin), item ``i`` only
in bins ``0..i``, bins used in order, capacity rows, at most as many bins as first fit decreasing
(given as a hint), at least Martello-Toth L2, minimise the bins used.

Usage::

    python benchmarks/bench_exact.py [--quick] [--sets a,b] [--limit 10] [--hard28-limit 60]
                                     [--first N] [--naive N] [--workers 2] [--graphs]
                                     [--vector [STEP]]

``--vector [STEP]`` solves, instead, every STEP-th instance (default 40) of the vector sets in
../shared/data/binpack/vbp/ twice in the same run: as ``solve`` does (bounds and heuristics, the
LP bound by column generation with a multidimensional-knapsack pricing and LP dives, then the
assignment model on CP-SAT) and without the column-generation stage (the assignment model alone
after the heuristics), printing per set the instances proven optimal, the mean gap and times.

``--graphs`` prints, instead, the mean size of the arc-flow graph per set: arcs as built (items
in decreasing order, at most ``d_j`` copies in a row), after compression, and after pruning to
the bins that waste no more than a packing into the optimum's number of bins can.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from orchkit.binpack import SolveStatus, first_fit_decreasing, lower_bound, solve

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "binpack" / "1d"
SETS = [
    "falkenauer_u",
    "falkenauer_t",
    "scholl_1",
    "scholl_2",
    "scholl_3",
    "schwerin_1",
    "schwerin_2",
    "hard28",
]


def naive_assignment(sizes: list[int], capacity: int, limit: float, workers: int) -> bool:
    """The peer: the plain assignment model on CP-SAT; True when proven optimal in time."""
    from ortools.sat.python import cp_model

    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    ffd = first_fit_decreasing(sizes, capacity)
    bins = len(ffd)
    model = cp_model.CpModel()
    used = [model.new_bool_var(f"y{b}") for b in range(bins)]
    x = {}
    for rank, i in enumerate(order):
        for b in range(min(rank + 1, bins)):
            x[i, b] = model.new_bool_var(f"x{i}_{b}")
    for rank, i in enumerate(order):
        model.add_exactly_one(x[i, b] for b in range(min(rank + 1, bins)))
    for b in range(bins):
        model.add(sum(sizes[i] * x[i, b] for i in order if (i, b) in x) <= capacity * used[b])
        if b + 1 < bins:
            model.add(used[b] >= used[b + 1])
    model.add(sum(used) >= lower_bound(sizes, capacity))
    model.minimize(sum(used))
    # The hint: FFD's bins, numbered by their largest item (as the symmetry breaking wants).
    rank_of = {i: r for r, i in enumerate(order)}
    hinted = sorted(ffd, key=lambda members: min(rank_of[i] for i in members))
    where = {i: b for b, members in enumerate(hinted) for i in members}
    for (i, b), var in x.items():
        model.add_hint(var, int(where[i] == b))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    status = solver.solve(model)
    return bool(status == cp_model.OPTIMAL)


def load(name: str) -> list[dict[str, Any]]:
    data = json.loads((DATA / name / f"{name}.json").read_text(encoding="utf-8"))
    instances: list[dict[str, Any]] = data["instances"]
    return instances


def run_set(name: str, limit: float, first: int | None, naive: int, workers: int) -> dict[str, Any]:
    instances = load(name)[:first]
    times: list[float] = []
    proven = 0
    failed: list[str] = []
    methods: dict[str, int] = {}
    for inst in instances:
        started = time.perf_counter()
        solution = solve(inst["items"], inst["capacity"], time_limit=limit, workers=workers)
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        if solution.num_bins is not None and inst["optimum"] is not None:
            assert solution.num_bins >= inst["optimum"], inst["name"]
            assert solution.lower_bound <= inst["optimum"], inst["name"]
        ok = solution.status is SolveStatus.OPTIMAL and elapsed <= limit
        proven += ok
        methods[solution.method] = methods.get(solution.method, 0) + 1
        if not ok:
            failed.append(
                f"{inst['name']} ({solution.num_bins} bins, bound {solution.lower_bound}, "
                f"optimum {inst['optimum']}, {elapsed:.1f} s)"
            )
    sample = instances[:naive]
    naive_times: list[float] = []
    naive_proven = 0
    for inst in sample:
        started = time.perf_counter()
        naive_proven += naive_assignment(inst["items"], inst["capacity"], limit, workers)
        naive_times.append(time.perf_counter() - started)
    return {
        "set": name,
        "instances": len(instances),
        "limit": limit,
        "proven": proven,
        "mean": statistics.fmean(times) if times else 0.0,
        "max": max(times, default=0.0),
        "sample": len(sample),
        "sample_mean": statistics.fmean(times[: len(sample)]) if sample else 0.0,
        "naive_proven": naive_proven,
        "naive_mean": statistics.fmean(naive_times) if naive_times else 0.0,
        "naive_max": max(naive_times, default=0.0),
        "failed": failed,
        "methods": methods,
    }


def graph_sizes(sets: list[str], first: int | None) -> None:
    """Mean arcs of the arc-flow graph: built, compressed, and pruned at the optimum's waste."""
    from collections import Counter

    from orchkit._binpack_arcflow import GraphTooLargeError, build_graph

    print(f"{'set':<13} {'n':>4} {'arcs built':>11} {'compressed':>11} {'pruned':>9}")
    for name in sets:
        raw: list[int] = []
        compressed: list[int] = []
        pruned: list[int] = []
        for inst in load(name)[:first]:
            counts = Counter(inst["items"])
            sizes = sorted(counts, reverse=True)
            demands = [counts[w] for w in sizes]
            cap = inst["capacity"]
            try:
                graph = build_graph(sizes, demands, cap, max_arcs=3_000_000)
            except GraphTooLargeError:
                continue
            raw.append(graph.raw_arcs)
            compressed.append(len(graph.arcs))
            slack = inst["optimum"] * cap - sum(inst["items"])
            pruned.append(
                len(build_graph(sizes, demands, cap, slack=slack, max_arcs=3_000_000).arcs)
            )
        if raw:
            print(
                f"{name:<13} {len(raw):>4} {statistics.fmean(raw):>11,.0f} "
                f"{statistics.fmean(compressed):>11,.0f} {statistics.fmean(pruned):>9,.0f}",
                flush=True,
            )


VECTOR_SETS = ["panigrahy", "triplet", "new"]


def vector_sample(step: int, limit: float, workers: int) -> None:
    """Every ``step``-th vector instance, with and without the column-generation stage."""
    from orchkit import _binpack_exact

    root = DATA.parent / "vbp"
    full_stage = _binpack_exact._vector_lp
    print(
        f"vector bin packing, every {step}th instance, {limit:.0f} s each, {workers} workers; "
        "gap = (bins - bound) / bins"
    )
    header = (
        f"{'set':<10} {'n':>4} {'dims':>6} | {'with LP: proven':>15} {'gap':>6} {'mean s':>7} "
        f"{'max s':>6} | {'without: proven':>15} {'gap':>6} {'mean s':>7}"
    )
    print(header)
    print("-" * len(header))
    for set_name in VECTOR_SETS:
        instances = []
        for path in sorted((root / set_name).glob(f"{set_name}_*.json")):
            for k, inst in enumerate(json.loads(path.read_text(encoding="utf-8"))["instances"]):
                if k % step == 0 and min(min(v) for v in inst["items"]) >= 0:
                    instances.append(inst)
        if not instances:
            continue
        rows = []
        for stage in (full_stage, lambda *_: None):
            _binpack_exact._vector_lp = stage  # type: ignore[assignment]
            proven, gaps, times = 0, [], []
            for inst in instances:
                result = solve(inst["items"], inst["capacity"], time_limit=limit, workers=workers)
                known = inst["optimum"]
                if known is not None and result.num_bins < known:
                    sys.exit(f"{inst['name']}: {result.num_bins} bins, below the optimum")
                proven += result.status is SolveStatus.OPTIMAL
                gaps.append(result.gap or 0.0)
                times.append(result.wall_time)
            rows.append((proven, statistics.fmean(gaps), statistics.fmean(times), max(times)))
        _binpack_exact._vector_lp = full_stage
        dims = sorted({len(inst["capacity"]) for inst in instances})
        (p1, g1, m1, x1), (p2, g2, m2, _) = rows
        n = len(instances)
        print(
            f"{set_name:<10} {n:>4} {'-'.join(map(str, (dims[0], dims[-1]))):>6} | "
            f"{p1:>9}/{n:<5} {g1:>6.1%} {m1:>7.2f} {x1:>6.2f} | "
            f"{p2:>9}/{n:<5} {g2:>6.1%} {m2:>7.2f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--hard28-limit", type=float, default=60.0, help="seconds on Hard28")
    parser.add_argument("--first", type=int, default=None, help="only the first N per set")
    parser.add_argument("--naive", type=int, default=10, help="naive model on the first N")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument(
        "--graphs", action="store_true", help="only print the arc-flow graph sizes per set"
    )
    parser.add_argument(
        "--vector",
        type=int,
        nargs="?",
        const=40,
        default=None,
        metavar="STEP",
        help="only the vector sample: every STEP-th vbp instance, with and without the LP stage",
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: {DATA} is not present")
        return 0
    if args.vector is not None:
        vector_sample(args.vector if not args.quick else 400, args.limit, args.workers)
        return 0
    sets = [s for s in args.sets.split(",") if s]
    for name in sets:
        if not (DATA / name).is_dir():
            parser.error(f"unknown set {name!r}; choose from {', '.join(SETS)}")
    if args.graphs:
        graph_sizes(sets, 2 if args.quick else args.first)
        return 0
    if args.quick:
        sets = [s for s in sets if s in ("falkenauer_u", "falkenauer_t", "scholl_1")] or sets[:1]
        args.first, args.naive, args.limit, args.hard28_limit = 2, 1, 2.0, 2.0
    print(
        f"exact bin packing, {args.workers} workers; proven = status OPTIMAL within the limit; "
        f"naive = CP-SAT assignment model on the first {args.naive} of each set"
    )
    header = (
        f"{'set':<13} {'n':>4} {'limit':>6} {'proven':>7} {'mean s':>7} {'max s':>7} | "
        f"{'sample':>6} {'naive proven':>12} {'naive mean':>10} {'speed-up':>8}"
    )
    print(header)
    print("-" * len(header))
    total = 0
    total_proven = 0
    started = time.perf_counter()
    failures: list[str] = []
    for name in sets:
        limit = args.hard28_limit if name == "hard28" else args.limit
        row = run_set(name, limit, args.first, args.naive, args.workers)
        total += row["instances"]
        total_proven += row["proven"]
        speedup = row["naive_mean"] / row["sample_mean"] if row["sample_mean"] else float("nan")
        print(
            f"{name:<13} {row['instances']:>4} {limit:>5.0f}s "
            f"{row['proven']:>3}/{row['instances']:<3} {row['mean']:>7.2f} {row['max']:>7.2f} | "
            f"{row['sample']:>6} {row['naive_proven']:>5}/{row['sample']:<6} "
            f"{row['naive_mean']:>10.2f} {speedup:>7.0f}x",
            flush=True,
        )
        failures += [f"  {name}: {f}" for f in row["failed"]]
    print(
        f"total: {total_proven}/{total} proven optimal within the limit "
        f"({time.perf_counter() - started:.0f} s for the whole run)"
    )
    if failures:
        print("not proven within the limit:")
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
