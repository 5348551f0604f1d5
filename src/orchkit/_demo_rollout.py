"""Demo section: the article's rollout of the nginx Deployment, and its exercise with maxSurge 1."""

from __future__ import annotations

import copy
from typing import Any, TextIO

import attrs

from orchkit._examples import nginx_deployment
from orchkit.binpack import Node
from orchkit.rollout import (
    RollingUpdate,
    RolloutPlan,
    check_rollout,
    deployment_from_manifest,
    plan_rollout,
)

__all__ = ["one_per_node", "section"]


def one_per_node(manifest: dict[str, Any], replicas: int) -> dict[str, Any]:
    """``manifest`` with ``replicas`` and required anti-affinity: at most one pod per node.

    Examples
    --------
    >>> spec = one_per_node(nginx_deployment(), 3)["spec"]
    >>> spec["replicas"], spec["strategy"]
    (3, {'type': 'RollingUpdate'})
    """
    web = copy.deepcopy(manifest)
    labels = web["spec"]["template"]["metadata"]["labels"]
    term = {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}
    pod = web["spec"]["template"]["spec"]
    pod["affinity"] = {
        "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
    }
    web["spec"]["replicas"] = replicas
    web["spec"]["strategy"] = {"type": "RollingUpdate"}  # the defaults: 25% / 25%
    return web


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines()) + "\n"


def _summary(plan: RolloutPlan) -> str:
    return (
        f"  {len(plan.steps)} syncs change pods; peak {plan.peak_pods} pods "
        f"(allowed {plan.max_pods}), availability never below {plan.lowest_available} "
        f"(floor {plan.min_available})\n"
    )


def section(out: TextIO) -> None:
    """Print the rollout section of ``orchkit demo``.

    Examples
    --------
    >>> import io
    >>> buffer = io.StringIO()
    >>> section(buffer)
    >>> print(buffer.getvalue().splitlines()[0])
    Rollout: Deployment 'nginx', 10 replicas, maxSurge 10, maxUnavailable 5
    """
    deployment = deployment_from_manifest(nginx_deployment())
    strategy = deployment.strategy
    assert isinstance(strategy, RollingUpdate)
    out.write(
        f"Rollout: Deployment {deployment.name!r}, {deployment.replicas} replicas, "
        f"maxSurge {strategy.max_surge}, maxUnavailable {strategy.max_unavailable}\n"
    )
    plan = plan_rollout(
        deployment.replicas, strategy, name=deployment.name, template=deployment.template
    )
    out.write(
        f"  resolved: surge {plan.max_surge} (rounds up), unavailable {plan.max_unavailable} "
        "(rounds down)\n"
    )
    out.write(_indent(plan.format_table()))
    out.write(_summary(plan))
    out.write(
        "  the first sync both creates the new ReplicaSet at 10 (20 pods for a moment) and\n"
        "  scales the old one to 5\n"
    )

    exercise = attrs.evolve(strategy, max_surge=1)
    out.write(f"\nThe exercise: maxSurge 1, maxUnavailable {exercise.max_unavailable}\n")
    plan = plan_rollout(
        deployment.replicas, exercise, name=deployment.name, template=deployment.template
    )
    out.write(_indent(plan.format_table()))
    out.write(_summary(plan))
    out.write(
        "  not one pod at a time: maxUnavailable 5 drops the old pods to 5 at once, which\n"
        "  leaves room for 5 new pods in the next sync\n"
    )

    out.write(
        "\nA deadlock caught before it happens: 3 replicas with required anti-affinity (one pod\n"
        "per node) on 3 nodes of 4 CPUs / 16Gi, strategy left at its defaults (25% / 25%)\n"
    )
    cluster = [Node(f"node-{k}", {"cpu": "4", "memory": "16Gi", "pods": "110"}) for k in range(3)]
    check = check_rollout(one_per_node(nginx_deployment(), 3), cluster)
    out.write(_indent(check.plan.format_table()))
    out.write(_indent(check.summary(), "  "))
    if check.fix is not None:
        out.write("  the fix, planned again on the same nodes:\n")
        out.write(_indent(check.fix.plan.format_table()))
