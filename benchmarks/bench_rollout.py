"""Benchmark: planning rollouts of 10,000 replicas.

orchkit.rollout.plan_rollout runs the controller's engine on mutable ReplicaSets and a counting
model of the pods. No other Python library plans Kubernetes rollouts, so the peer measured side
by side is the same rules through orchkit's record API: ``sync()`` and ``settle()`` called by hand
(a fresh immutable state per sync), which is what a reader of the spec would write. Both produce
the same steps (the test suite checks this); the table shows what the engine saves.

Method: each case runs ``--repeat`` times (default 5) per implementation; the table gives the
median and the min-max range of wall-clock times (``time.perf_counter``). The hand-driven peer
gets a smaller replica count where it would take minutes; the ratio is always per equal input.

Run: .venv/bin/python benchmarks/bench_rollout.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from orchkit.rollout import (
    Canary,
    CreateReplicaSet,
    Deployment,
    DeploymentState,
    EcsRolling,
    PlannableStrategy,
    Recreate,
    ReplicaSet,
    Requeue,
    RollingUpdate,
    ScaleReplicaSet,
    SetWeight,
    max_surge,
    plan_rollout,
    settle,
    sync,
)

TARGET_MS = 50.0


def by_hand(replicas: int, strategy: RollingUpdate | Recreate) -> int:
    """The peer: sync() and settle() on records until nothing changes; returns the step count."""
    d = Deployment("app", replicas=replicas, template="new", strategy=strategy, generation=2)
    old = ReplicaSet(
        "app-old",
        "old",
        replicas,
        created=-1.0,
        status_replicas=replicas,
        ready_replicas=replicas,
        available_replicas=replicas,
        revision=1,
        desired_replicas=replicas,
        max_replicas=replicas + max_surge(d),
    )
    state = DeploymentState(d, [old])
    steps = 0
    while True:
        state, actions = sync(state)
        if any(isinstance(a, (CreateReplicaSet, ScaleReplicaSet)) for a in actions):
            steps += 1
        elif all(isinstance(a, Requeue) for a in actions):
            return steps
        state = settle(state)


def timings(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def fmt(times: list[float]) -> str:
    return f"{statistics.median(times):9.2f} ({min(times):.2f}-{max(times):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    big = 100 if args.quick else 10_000
    repeat = 1 if args.quick else args.repeat
    small = max(10, big // 10)
    canary = Canary([SetWeight(10), SetWeight(50)], 1, 0)
    cases: list[tuple[str, int, PlannableStrategy, bool]] = [
        # (name, replicas, strategy, also time the by-hand peer)
        ("RollingUpdate 25%/25% (default)", big, RollingUpdate(), True),
        ("RollingUpdate maxSurge 10, maxUnavailable 5", big, RollingUpdate(10, 5), True),
        ("RollingUpdate 10%/0", big, RollingUpdate("10%", 0), True),
        ("RollingUpdate maxSurge 1, maxUnavailable 0", big, RollingUpdate(1, 0), False),
        ("RollingUpdate maxSurge 1, maxUnavailable 0", small, RollingUpdate(1, 0), True),
        ("Recreate", big, Recreate(), True),
        ("ECS 100%/200%", big, EcsRolling(100, 200), False),
        ("Argo canary 10%, 50%, promote; maxSurge 1", big, canary, False),
    ]
    print(f"Planning rollouts; times in ms, median (min-max) of {repeat} runs")
    header = (
        f"{'case':<44} {'replicas':>8} {'steps':>6} {'plan_rollout':>24} "
        f"{'sync()+settle() by hand':>26} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    default_median = 0.0
    for name, replicas, strategy, with_peer in cases:
        plan = plan_rollout(replicas, strategy)
        ours = timings(lambda r=replicas, s=strategy: plan_rollout(r, s), repeat)
        line = f"{name:<44} {replicas:>8} {len(plan.steps):>6} {fmt(ours):>24}"
        if with_peer:
            assert isinstance(strategy, (RollingUpdate, Recreate))
            assert by_hand(replicas, strategy) == len(plan.steps)
            theirs = timings(lambda r=replicas, s=strategy: by_hand(r, s), repeat)
            ratio = statistics.median(theirs) / statistics.median(ours)
            line += f" {fmt(theirs):>26} {ratio:6.1f}x"
        print(line)
        if name.endswith("(default)"):
            default_median = statistics.median(ours)
    ok = default_median < TARGET_MS
    verdict = "meets" if ok else "MISSES"
    print(
        f"\nThe default strategy at {big} replicas {verdict} the target: "
        f"{default_median:.2f} ms (< {TARGET_MS:.0f} ms)"
    )
    if args.quick:
        return 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
