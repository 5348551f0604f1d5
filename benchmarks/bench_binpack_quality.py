"""Bin-packing quality: every strategy on every benchmark instance of ../shared/data/binpack.

One-dimensional sets (``1d/``, BPPLIB): the 1,615 classic instances (Falkenauer, Scholl,
Schwerin, Waescher, Hard28), all with a known optimum, and the AI / ANI sets, compared with the
optimum or, where BPPLIB lists them as open, with ``optimum_by_construction`` (AI = L1, ANI =
L1 + 1; an inference, not a proof). Vector sets (``vbp/``, Mommessin et al.): compared with the
optimum where known, else with the best lower bound (the larger of the published one and
``orchkit.binpack.lower_bound``).

For every (set, strategy) the table shows how many instances hit the optimum, the mean excess in
bins and in percent of the reference, and the wall time of the ``pack`` calls. The summary lines
give the share of optimal results on the 1,615 classic instances and the time of that run.

Usage: ``python benchmarks/bench_binpack_quality.py [--quick] [--sets a,b] [--strategies x,y]``
(``--sets classic`` selects the 1,615 classic one-dimensional instances).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orchkit.binpack import STRATEGIES, lower_bound, pack

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "binpack"
CLASSIC = [
    "falkenauer_u",
    "falkenauer_t",
    "scholl_1",
    "scholl_2",
    "scholl_3",
    "schwerin_1",
    "schwerin_2",
    "waescher",
    "hard28",
]
ONE_D = [
    "next_fit_decreasing",
    "first_fit_decreasing",
    "best_fit_decreasing",
    "worst_fit_decreasing",
    "minimum_bin_slack",
    "local_search",
]
VECTOR = [
    "first_fit_decreasing_sum",
    "first_fit_decreasing_max",
    "first_fit_decreasing_product",
    "first_fit_decreasing_l2",
    "dot_product",
    "l2_norm_greedy",
    "local_search",
]


class Instance:
    """One benchmark instance and the number of bins it is compared with."""

    def __init__(self, name: str, items: Any, capacity: Any, reference: int, known: bool) -> None:
        self.name = name
        self.items = items
        self.capacity = capacity
        self.reference = reference
        self.known = known


def one_dimensional(set_name: str, quick: bool) -> Iterator[Instance]:
    index = json.loads((DATA / "1d" / "index.json").read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in index["instances"] if r["set"] == set_name}
    data = json.loads((DATA / "1d" / set_name / f"{set_name}.json").read_text(encoding="utf-8"))
    for k, inst in enumerate(data["instances"]):
        if quick and k % 40:
            continue
        row = rows[inst["name"]]
        optimum = row["optimum"]
        known = optimum is not None
        reference = optimum if known else row["optimum_by_construction"]
        yield Instance(inst["name"], inst["items"], inst["capacity"], reference, known)


#: Instances skipped because their published sizes are negative (orchkit rejects them).
SKIPPED: list[str] = []


def vector(set_name: str, quick: bool) -> Iterator[Instance]:
    for path in sorted((DATA / "vbp" / set_name).glob(f"{set_name}_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for k, inst in enumerate(data["instances"]):
            if quick and k % 40:
                continue
            if any(min(item) < 0 for item in inst["items"]):
                SKIPPED.append(inst["name"])
                continue
            optimum = inst["optimum"]
            if optimum is not None:
                reference = optimum
            else:
                reference = max(inst["lower_bound"], lower_bound(inst["items"], inst["capacity"]))
            yield Instance(
                inst["name"], inst["items"], inst["capacity"], reference, optimum is not None
            )


def run_set(label: str, instances: list[Instance], strategies: list[str]) -> dict[str, list]:
    """Print one row per strategy; return the per-strategy [optimal, count, seconds]."""
    out: dict[str, list] = {}
    known = sum(1 for inst in instances if inst.known)
    for name in strategies:
        hits = 0
        excess_bins = 0
        excess_pct = 0.0
        start = time.perf_counter()
        for inst in instances:
            bins = pack(inst.items, inst.capacity, name).num_bins
            if bins < inst.reference and inst.known:
                sys.exit(f"{inst.name}: {name} used {bins} bins, below the optimum")
            hits += inst.known and bins == inst.reference
            excess_bins += bins - inst.reference
            excess_pct += (bins - inst.reference) / inst.reference
        seconds = time.perf_counter() - start
        n = len(instances)
        print(
            f"| {label:<14} | {name:<28} | {n:>5} | {hits:>5} / {known:<5} | "
            f"{excess_bins / n:>7.2f} | {100 * excess_pct / n:>7.2f} % | {seconds:>7.1f} |",
            flush=True,
        )
        out[name] = [hits, known, seconds, excess_pct, n]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one instance in 40 (smoke run)")
    parser.add_argument(
        "--sets", default="", help="comma-separated set names, or 'classic' (default: all)"
    )
    parser.add_argument("--strategies", default="", help="comma-separated strategy names")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no benchmark data at {DATA}")
    chosen = set(filter(None, args.sets.split(",")))
    if "classic" in chosen:
        chosen = (chosen - {"classic"}) | set(CLASSIC)
    only = list(filter(None, args.strategies.split(",")))
    for name in only:
        if name not in STRATEGIES:
            sys.exit(f"unknown strategy {name!r}")

    print("| set | strategy | inst | optimal / known | excess bins | excess | time s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    classic: dict[str, list] = defaultdict(lambda: [0, 0, 0.0, 0.0, 0])
    for set_name in [*CLASSIC, "ai", "ani"]:
        if chosen and set_name not in chosen:
            continue
        instances = list(one_dimensional(set_name, args.quick))
        results = run_set(set_name, instances, only or ONE_D)
        if set_name in CLASSIC:
            for name, values in results.items():
                for k, v in enumerate(values):
                    classic[name][k] += v
    vector_totals: dict[tuple[str, str], list] = {}
    for set_name in ["panigrahy", "triplet", "new"]:
        if chosen and set_name not in chosen:
            continue
        instances = list(vector(set_name, args.quick))
        results = run_set(set_name, instances, only or VECTOR)
        for name, values in results.items():
            vector_totals[set_name, name] = values
    print()
    if SKIPPED:
        print(
            f"skipped {len(SKIPPED)} vector instances whose published sizes are negative "
            f"(a generator artefact of the Caprara-style triplets), e.g. {SKIPPED[0]}"
        )
    for name, (hits, known, seconds, pct, n) in classic.items():
        print(
            f"classic 1-D, {name}: optimal on {hits} of {known} ({100 * hits / known:.1f} %), "
            f"mean excess {100 * pct / n:.2f} %, {seconds:.1f} s"
        )
    for (set_name, name), (_, _, _, pct, n) in vector_totals.items():
        if set_name == "new":
            print(f"vector 'new' set, {name}: mean excess {100 * pct / n:.2f} % over {n} instances")


if __name__ == "__main__":
    main()
