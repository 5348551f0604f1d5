"""Argo Rollouts' basic canary arithmetic, against Argo's own test tables.

Cases transcribed from argoproj/argo-rollouts ``utils/replicaset/canary_test.go``
(``TestCalculateReplicaCountsForCanary`` without older ReplicaSets, traffic routing or
setCanaryScale, and ``TestApproximateWeightedNewStableReplicaCounts``).
"""

from __future__ import annotations

import pytest

from orchkit._strategies_other import approximate_counts, canary_counts
from orchkit.rollout import resolve_fenceposts

# (replicas, weight, maxSurge, maxUnavailable, stable spec/available, canary spec/available,
#  expected stable, expected canary)
COUNTS = {
    "no extra RSs in scaleDownCount when spec < available": (10, 100, 3, 0, (7, 8), (6, 3), 7, 6),
    "use max surge int to scale up canary": (10, 20, 2, 0, (10, 10), (0, 0), 10, 2),
    "use max surge percentage to scale up canary": (10, 20, "20%", 0, (10, 10), (0, 0), 10, 2),
    "scale down extra stable replicas": (10, 20, "20%", 0, (10, 10), (2, 2), 8, 2),
    "do not go past max surge": (10, 30, 2, 0, (10, 10), (0, 0), 10, 2),
    "use max unavailable int to scale down stableRS": (10, 20, 0, 2, (10, 10), (0, 0), 8, 0),
    "use max unavailable percentage": (10, 20, 0, "20%", (10, 10), (0, 0), 8, 0),
    "do not go past max unavailable": (10, 30, 0, 2, (10, 10), (0, 0), 8, 0),
    "use max surge and max unavailable": (10, 50, 2, 1, (10, 10), (0, 0), 9, 2),
    "scale canaryRS to zero on setWeight 0": (10, 0, 1, 1, (10, 10), (1, 1), 10, 0),
    "scale stable to zero on setWeight 100": (10, 100, 1, 1, (1, 1), (10, 10), 0, 10),
    "do not scale newRS down to zero on non-zero weight": (1, 20, 1, 0, (1, 1), (0, 0), 1, 1),
    "do not scale canaryRS down to zero on non-100 weight": (1, 90, 1, 0, (1, 1), (0, 0), 1, 1),
    "scale down newRS and stable": (10, 30, 0, 3, (8, 5), (4, 4), 7, 3),
    "scale down stable and canary available": (10, 100, 1, 0, (10, 2), (10, 8), 2, 9),
    "do not round past maxSurge with uneven weight": (10, 5, 0, 1, (10, 10), (0, 0), 9, 0),
    "do not round past maxSurge with uneven weight 2": (10, 5, 0, 1, (9, 9), (0, 0), 9, 1),
    "maxUnavailable 1 when both percentages give 0": (10, 10, "0%", "0%", (10, 10), (0, 0), 9, 0),
    "honor maxSurge when stable is unavailable": (4, 100, 1, 0, (4, 1), (0, 0), 4, 1),
    "scale down to maxUnavailable within maxSurge": (3, 99, 0, 2, (3, 3), (0, 0), 1, 0),
    "scale down to maxUnavailable within maxSurge 2": (3, 99, 0, 2, (1, 1), (0, 0), 1, 2),
    "honor maxUnavailable scaling down an unavailable stable": (4, 100, 1, 0, (4, 1), (1, 1), 3, 1),
    "honor maxUnavailable reducing weight 1": (4, 0, 1, 0, (0, 0), (4, 4), 1, 4),
    "honor maxUnavailable reducing weight 2": (4, 0, 1, 0, (1, 0), (4, 4), 1, 4),
    "honor maxUnavailable reducing weight 3": (4, 0, 1, 0, (1, 1), (4, 4), 1, 3),
    "promote full (weight 100) ignores the step weight": (4, 100, 4, 4, (4, 4), (0, 0), 0, 4),
    "promote full still honors maxSurge/maxUnavailable": (4, 100, 3, 0, (4, 4), (0, 0), 4, 3),
}  # fmt: skip


@pytest.mark.parametrize(
    ("replicas", "weight", "surge", "unavailable", "stable", "canary", "stable_to", "canary_to"),
    COUNTS.values(),
    ids=COUNTS.keys(),
)
def test_canary_counts(
    replicas: int,
    weight: int,
    surge: int | str,
    unavailable: int | str,
    stable: tuple[int, int],
    canary: tuple[int, int],
    stable_to: int,
    canary_to: int,
) -> None:
    resolved_surge, resolved_unavailable = resolve_fenceposts(surge, unavailable, replicas)
    got = canary_counts(
        replicas,
        weight,
        surge=resolved_surge,
        unavailable=min(resolved_unavailable, replicas),
        new=canary,
        stable=stable,
    )
    assert got == (canary_to, stable_to)


# (replicas, weight, maxSurge, expected canary, expected stable)
APPROXIMATE = [
    (0, 0, 0, 0, 0), (0, 50, 0, 0, 0), (0, 100, 0, 0, 0),
    (0, 0, 1, 0, 0), (0, 50, 1, 0, 0), (0, 100, 1, 0, 0),
    (1, 0, 0, 0, 1), (1, 1, 0, 0, 1), (1, 49, 0, 0, 1), (1, 50, 0, 1, 0), (1, 99, 0, 1, 0),
    (1, 100, 0, 1, 0),
    (1, 0, 1, 0, 1), (1, 1, 1, 1, 1), (1, 49, 1, 1, 1), (1, 50, 1, 1, 1), (1, 99, 1, 1, 1),
    (1, 100, 1, 1, 0),
    (2, 0, 0, 0, 2), (2, 1, 0, 1, 1), (2, 50, 0, 1, 1), (2, 99, 0, 1, 1), (2, 100, 0, 2, 0),
    (2, 0, 1, 0, 2), (2, 1, 1, 1, 2), (2, 50, 1, 1, 1), (2, 99, 1, 2, 1), (2, 100, 1, 2, 0),
    (3, 10, 0, 1, 2), (3, 25, 0, 1, 2), (3, 33, 0, 1, 2), (3, 34, 0, 1, 2), (3, 49, 0, 1, 2),
    (3, 50, 0, 2, 1),
    (3, 10, 1, 1, 3), (3, 25, 1, 1, 3), (3, 33, 1, 1, 2), (3, 34, 1, 1, 2), (3, 49, 1, 2, 2),
    (3, 50, 1, 2, 2),
    (10, 0, 1, 0, 10), (10, 1, 0, 1, 9), (10, 14, 0, 1, 9), (10, 15, 0, 2, 8), (10, 16, 0, 2, 8),
    (10, 99, 0, 9, 1), (10, 100, 1, 10, 0),
    (10, 1, 1, 1, 10), (10, 18, 1, 2, 9), (10, 19, 1, 2, 9), (10, 20, 1, 2, 8), (10, 23, 1, 2, 8),
    (10, 24, 1, 3, 8), (10, 25, 1, 3, 8), (10, 99, 1, 10, 1),
]  # fmt: skip


@pytest.mark.parametrize(("replicas", "weight", "surge", "canary", "stable"), APPROXIMATE)
def test_approximate_counts(
    replicas: int, weight: int, surge: int, canary: int, stable: int
) -> None:
    assert approximate_counts(replicas, weight, surge) == (canary, stable)
