"""Bin-packing speed: orchkit's heuristics against the ``binpacking`` package, in one run.

Workloads (the items of ../shared/spec/binpack.md section 6):

(a) one resource: ``random.Random(12345).randint(1, 100)`` items, capacity 150; orchkit packs
    100,000 of them with each one-dimensional strategy, and both orchkit and
    ``binpacking.to_constant_volume`` (worst fit decreasing, quadratic) pack the first 20,000;
(b) two resources: 10,000 pods with ``randint(100, 2000)`` millicores and ``randint(128, 4096)``
    MiB onto nodes of 4,000 millicores and 16,384 MiB, packed by the vector FFD orders.

Method: every measurement is ``pack(...)`` end to end (validation, the strategy and the packing
check); each is repeated ``--repeat`` times (default 3; ``binpacking`` once per round at 20,000
items since one call takes seconds), and the table shows the best and median wall time and the
bins used. The ratio row divides ``binpacking``'s best time by orchkit's.

Usage: ``python benchmarks/bench_binpack.py [--quick] [--repeat N]``
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable

from orchkit.binpack import lower_bound, pack

try:
    import binpacking
except ImportError:  # pragma: no cover - the dev extra installs it
    sys.exit("the peer is missing: pip install binpacking")

SCALAR = [
    "first_fit_decreasing",
    "best_fit_decreasing",
    "worst_fit_decreasing",
    "next_fit_decreasing",
    "first_fit",
    "best_fit",
    "worst_fit",
]
VECTOR = [
    "first_fit_decreasing",
    "first_fit_decreasing_l2",
    "first_fit_decreasing_max",
    "first_fit_decreasing_product",
]


def timed(function: Callable[[], int], repeat: int) -> tuple[float, float, int]:
    """Best and median wall time of ``repeat`` calls, and the result of the last one."""
    times = []
    result = 0
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def row(label: str, n: int, best: float, median: float, bins: int, note: str = "") -> str:
    return f"| {label:<50} | {n:>7,} | {best:>8.3f} | {median:>8.3f} | {bins:>6,} | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round (smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per measurement")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    big, peer_n, pods = (2_000, 1_000, 500) if args.quick else (100_000, 20_000, 10_000)

    rng = random.Random(12345)
    items = [rng.randint(1, 100) for _ in range(big)]
    head = items[:peer_n]
    rng = random.Random(1)
    vectors = [(rng.randint(100, 2000), rng.randint(128, 4096)) for _ in range(pods)]
    node = (4000, 16384)

    print(f"Python {sys.version.split()[0]}, binpacking {getattr(binpacking, '__version__', '?')}")
    print("| workload | items | best s | median s | bins | note |")
    print("|---|---:|---:|---:|---:|---|")
    bound = lower_bound(items, 150)
    for name in SCALAR:
        best, median, bins = timed(lambda name=name: pack(items, 150, name).num_bins, repeat)
        print(row(f"orchkit {name}, cap 150", big, best, median, bins, f"lower bound {bound:,}"))

    ours_best, ours_median, ours_bins = timed(lambda: pack(head, 150).num_bins, repeat)
    print(row("orchkit first_fit_decreasing, cap 150", peer_n, ours_best, ours_median, ours_bins))
    wfd_best, wfd_median, wfd_bins = timed(
        lambda: pack(head, 150, "worst_fit_decreasing").num_bins, repeat
    )
    print(row("orchkit worst_fit_decreasing, cap 150", peer_n, wfd_best, wfd_median, wfd_bins))
    peer_best, peer_median, peer_bins = timed(
        lambda: len(binpacking.to_constant_volume(head, 150)), 1 if args.quick else 2
    )
    print(row("binpacking.to_constant_volume, cap 150", peer_n, peer_best, peer_median, peer_bins))

    bound2 = lower_bound(vectors, node)
    for name in VECTOR:
        best, median, bins = timed(lambda name=name: pack(vectors, node, name).num_bins, repeat)
        print(row(f"orchkit {name}, 2 resources", pods, best, median, bins, f"LB {bound2:,}"))

    print()
    print(
        f"binpacking / orchkit FFD at {peer_n:,} items: {peer_best / ours_best:,.0f}x "
        f"(same algorithm, worst fit decreasing: {peer_best / wfd_best:,.0f}x)"
    )


if __name__ == "__main__":
    main()
