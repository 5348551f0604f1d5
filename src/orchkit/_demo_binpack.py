"""Demo section: 20 services with 2-10 replicas each, packed onto 4-CPU / 16Gi nodes."""

from __future__ import annotations

import random
from typing import TextIO

from orchkit._placement import Pod, estimate_nodes
from orchkit._placement_exact import estimate_exact
from orchkit.resources import ResourceList

__all__ = ["EXACT_SECONDS", "NODE", "SERVICES", "demo_pods", "section"]

#: The node shape of the demo.
NODE = ResourceList({"cpu": "4", "memory": "16Gi"})
#: The services of the demo's workload.
SERVICES = (
    "frontend", "cart", "checkout", "currency", "email", "payment", "shipping", "catalog",
    "recommend", "ads", "search", "auth", "profile", "orders", "inventory", "pricing",
    "reviews", "notify", "gateway", "analytics",
)  # fmt: skip
_CPU = ("100m", "250m", "500m", "750m", "1", "1500m", "2")
_MEMORY = ("256Mi", "512Mi", "1Gi", "2Gi", "3Gi", "4Gi", "6Gi", "8Gi")
#: Seconds the exact solver may take (it proves this workload in well under one).
EXACT_SECONDS = 10.0
#: The strategies compared, cheapest first.
STRATEGIES = (
    "worst_fit_decreasing",
    "first_fit_decreasing",
    "best_fit_decreasing",
    "dot_product",
    "local_search",
)


def demo_pods(seed: int = 1) -> list[Pod]:
    """The workload: each service gets 2-10 replicas of one random (cpu, memory) request.

    Examples
    --------
    >>> pods = demo_pods()
    >>> len({pod.labels for pod in pods}), len(pods) >= 40
    (20, True)
    """
    rng = random.Random(seed)
    pods = []
    for service in SERVICES:
        replicas = rng.randint(2, 10)
        requests = ResourceList({"cpu": rng.choice(_CPU), "memory": rng.choice(_MEMORY)})
        pods += [Pod(f"{service}-{k}", requests, {"app": service}) for k in range(replicas)]
    return pods


def section(out: TextIO) -> None:
    """Print the bin-packing section of ``orchkit demo``."""
    pods = demo_pods()
    total = ResourceList()
    for pod in pods:
        total = total + pod.requests
    out.write(f"Bin packing: {len(SERVICES)} services, {len(pods)} pods onto nodes of {NODE}\n")
    out.write(f"  requests in total {total}\n")
    estimates = {name: estimate_nodes(pods, NODE, name) for name in STRATEGIES}
    bound = max(e.lower_bound for e in estimates.values())
    out.write(f"  lower bound       {bound} nodes (no packing can use fewer)\n")
    out.write(f"  {'strategy':<22} {'nodes':>5} {'cpu':>7} {'memory':>7}\n")
    for name, estimate in estimates.items():
        shares = []
        for resource in ("cpu", "memory"):
            used = total.get_or_zero(resource).as_fraction()
            have = NODE[resource].as_fraction() * estimate.nodes
            shares.append(f"{float(used / have):7.1%}")
        proof = "  optimal" if estimate.nodes == bound else ""
        out.write(f"  {name:<22} {estimate.nodes:>5} {' '.join(shares)}{proof}\n")
    # The exact solver (OR-Tools) beside the heuristics and the bound.
    exact = estimate_exact(pods, NODE, time_limit=EXACT_SECONDS)
    shares = []
    for resource in ("cpu", "memory"):
        used = total.get_or_zero(resource).as_fraction()
        have = NODE[resource].as_fraction() * exact.nodes
        shares.append(f"{float(used / have):7.1%}")
    proof = "  optimal, proven" if exact.optimal else f"  bound {exact.lower_bound}"
    out.write(f"  {'exact (OR-Tools)':<22} {exact.nodes:>5} {' '.join(shares)}{proof}\n")
    wfd = estimates["worst_fit_decreasing"].nodes
    best = estimates["local_search"].nodes
    if wfd > best:
        out.write(
            f"  worst fit decreasing (the `binpacking` package's rule) needs {wfd - best} "
            f"more node{'s' if wfd - best > 1 else ''} than the local search\n"
        )
