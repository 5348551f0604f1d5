"""Capacity-aware rollouts: can every step's pods find a node, and if not, what fixes it.

The deployment controller never asks whether its pods fit. A surge pod that no node can take stays
Pending, never becomes available, and holds the rollout up; with ``maxUnavailable`` resolving to 0
no old pod may go first, and the rollout deadlocks (kubernetes#116891, #64689).
`check_rollout`
places each step's pods with `orchkit.binpack.place` (requests from
`orchkit.resources.pod_requests`, node selectors, taints, required anti-affinity and topology
spread included), reports the first step at which a pod cannot be scheduled and why, and proposes
the smallest fix that makes the rollout complete, proven by planning it again.

Private module: `orchkit.rollout` re-exports the public names.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs

from orchkit._deployment import deployment_from_manifest
from orchkit._plan import plan_rollout
from orchkit._planner import RolloutPlan, Schedulable
from orchkit._rollout_types import Deployment, Recreate, RollingUpdate
from orchkit.binpack import Node, Pod, place, pods_from_manifests
from orchkit.errors import InvalidValueError, ManifestError

__all__ = ["Fix", "RolloutCheck", "check_rollout"]

#: ``why(old, new)``: the scheduler's reason a new pod cannot be placed, or ``None``.
Why = Callable[[int, int], "str | None"]
#: Plans a rollout with a strategy on a cluster; returns the plan and its ``why``.
PlanWith = Callable[["RollingUpdate | Recreate", "list[Node]"], "tuple[RolloutPlan, Why]"]

#: The placement policy of kube-scheduler's default profile; pods are placed in input order.
DEFAULT_PLACEMENT = "LeastAllocated"
_IN_ORDER = ("LeastAllocated", "MostAllocated", "BalancedAllocation", "first_fit")


@attrs.frozen
class Fix:
    """A change that makes a blocked rollout complete, with the plan that proves it.

    Examples
    --------
    >>> from orchkit.rollout import plan_rollout
    >>> fix = Fix("strategy", "maxUnavailable 1", RollingUpdate(1, 1), 0, plan_rollout(3))
    >>> fix.kind, fix.plan.outcome
    ('strategy', 'complete')
    """

    #: ``"strategy"`` (other maxSurge / maxUnavailable), ``"recreate"`` or ``"nodes"``.
    kind: Literal["strategy", "recreate", "nodes"]
    #: The change in words: ``"maxUnavailable 1 (was 0)"``, ``"add 1 node like node-a"``.
    description: str
    #: The strategy to roll out with.
    strategy: RollingUpdate | Recreate
    #: Nodes of the given shape to add (0 for the other kinds).
    extra_nodes: int
    #: The rollout planned with the change: complete.
    plan: RolloutPlan


@attrs.frozen
class RolloutCheck:
    """The verdict of `check_rollout`.

    Examples
    --------
    >>> from orchkit.rollout import plan_rollout
    >>> RolloutCheck("web", plan_rollout(3)).completes
    True
    """

    #: The Deployment's name.
    deployment: str
    #: The rollout planned on the given nodes (steps report ``pending`` pods).
    plan: RolloutPlan
    #: The first step after which a new pod cannot be scheduled, or ``None``.
    blocked_step: int | None = None
    #: Why that pod cannot be scheduled, in the scheduler's words.
    reason: str | None = None
    #: The smallest fix found when the rollout deadlocks; ``None`` otherwise (or if none works).
    fix: Fix | None = None
    #: Every fix found, smallest first (``fix`` is the first).
    alternatives: tuple[Fix, ...] = ()

    @property
    def completes(self) -> bool:
        """True when the rollout completes on these nodes (perhaps with pods waiting a while)."""
        return self.plan.outcome == "complete"

    def summary(self) -> str:
        """The verdict in a few lines.

        Returns
        -------
        str
            What happens, why, and the fixes.

        Examples
        --------
        >>> from orchkit.rollout import plan_rollout
        >>> print(RolloutCheck("web", plan_rollout(3)).summary())
        web: the rollout completes on these nodes (6 steps)
        """
        name, steps = self.deployment, len(self.plan.steps)
        if self.completes and self.blocked_step is None:
            return f"{name}: the rollout completes on these nodes ({steps} steps)"
        if self.completes:
            return (
                f"{name}: the rollout completes ({steps} steps), but new pods wait as Pending "
                f"from step {self.blocked_step}: {self.reason}"
            )
        step = self.plan.steps[self.blocked_step - 1] if self.blocked_step else None
        pending = step.pending if step else 0
        where = f"at step {self.blocked_step}" if self.blocked_step else "before it starts"
        lines = [
            f"{name}: the rollout would deadlock {where}",
            f"  {pending} new pod{'' if pending == 1 else 's'} cannot be scheduled: {self.reason}",
        ]
        if self.fix is None:
            lines.append("  no fix found")
        else:
            lines.append(f"  fix: {self.fix.description}: {_proof(self.fix)}")
            lines.extend(f"   or: {o.description}: {_proof(o)}" for o in self.alternatives[1:])
        return "\n".join(lines)


def _proof(fix: Fix) -> str:
    plan = fix.plan
    return f"completes in {len(plan.steps)} steps, at least {plan.lowest_available} pods available"


def _one_pod(manifest: Mapping[str, Any], field: str) -> Pod:
    """The pod a Deployment manifest stamps out (requests, labels, constraints)."""
    if not isinstance(manifest, Mapping):
        raise ManifestError(field, manifest, "must be a Deployment manifest (a mapping)")
    single = copy.deepcopy(dict(manifest))
    spec = dict(single.get("spec") or {})
    spec["replicas"] = 1
    single["spec"] = spec
    pods = pods_from_manifests([single])
    if len(pods) != 1:
        raise ManifestError(field, manifest, "must be a Deployment with a pod template")
    return pods[0]


def _copies(prototype: Pod, prefix: str, count: int) -> list[Pod]:
    return [attrs.evolve(prototype, name=f"{prefix}-{k}") for k in range(count)]


def capacity_model(
    new_pod: Pod,
    old_pod: Pod,
    nodes: Sequence[Node],
    placement: str = DEFAULT_PLACEMENT,
    name: str = "app",
) -> tuple[Schedulable, Why]:
    """``schedulable(old, new)`` for `plan_rollout`, and ``why(old, new)`` for reports.

    Old pods are placed first (they are running), then the new ones, with ``placement``.
    """
    memo: dict[tuple[int, int], tuple[int, str | None]] = {}

    def run(old: int, new: int) -> tuple[int, str | None]:
        key = (old, new)
        if key not in memo:
            new_pods = _copies(new_pod, f"{name}-new", new)
            pods = [*_copies(old_pod, f"{name}-old", old), *new_pods]
            result = place(pods, nodes, placement)
            fresh = {pod.name for pod in new_pods}
            placed = sum(1 for pod, _ in result.assignments if pod in fresh)
            reason = next((u.reason for u in result.unplaced if u.pod in fresh), None)
            memo[key] = (placed, reason)
        return memo[key]

    def schedulable(old: int, new: int) -> int:
        return run(old, new)[0]

    def why(old: int, new: int) -> str | None:
        return run(old, new)[1]

    return schedulable, why


def _candidates(
    replicas: int, strategy: RollingUpdate, surge: int, unavailable: int
) -> list[RollingUpdate]:
    """Other knobs to try, least disruptive first: a little more maxUnavailable, then no surge."""
    values = {unavailable + k for k in range(1, 6)}
    values |= {math.ceil(replicas * p) for p in (0.1, 0.25, 0.5, 1.0)}
    ordered = sorted(v for v in values if unavailable < v <= replicas)
    out: list[RollingUpdate] = []
    for value in ordered:
        if surge:
            out.append(RollingUpdate(strategy.max_surge, value))
        out.append(RollingUpdate(0, value))
    return out


def check_rollout(
    deployment: Mapping[str, Any],
    nodes: Sequence[Node],
    *,
    previous: Mapping[str, Any] | None = None,
    strategy: RollingUpdate | Recreate | None = None,
    node_shape: Node | None = None,
    placement: str = DEFAULT_PLACEMENT,
    max_extra_nodes: int = 64,
) -> RolloutCheck:
    """Check, before it starts, that a Deployment's rollout can place every step's pods.

    Plans the rollout (`plan_rollout`) with a capacity model built from
    `orchkit.binpack.place`: at each sync, the old pods are placed on ``nodes`` first (they
    are running), then the new ones; new pods that find no node stay Pending and never become
    available until old pods make room. If the rollout deadlocks, the report names the first step
    with an unschedulable pod and the scheduler's reason, and searches for the smallest fix, each
    proven by planning the rollout again on the same capacity model:

    1. another ``maxUnavailable`` (the smallest increase that works; with the same ``maxSurge``,
       then with ``maxSurge: 0``);
    2. more nodes like ``node_shape`` (the fewest that work);
    3. ``Recreate`` (which takes every old pod down first).

    Parameters
    ----------
    deployment
        The Deployment manifest (a dict) being rolled out: replicas, strategy, and the pod
        template whose requests (`orchkit.resources.pod_requests`), labels, node selector,
        tolerations, anti-affinity and spread constraints are placed.
    nodes
        The cluster (`orchkit.binpack.Node`), with what already runs there, *without* this
        Deployment's own pods.
    previous
        The Deployment manifest before the change, if its pods differ (requests, constraints);
        default: the same pods as ``deployment``'s.
    strategy
        Roll out with this strategy instead of the manifest's.
    node_shape
        The node to add copies of for the "more nodes" fix; default: the first node, empty.
    placement
        The placement policy (see `orchkit.binpack.PLACEMENT_STRATEGIES`); pods are placed
        in input order, so it must be one of ``LeastAllocated`` (kube-scheduler's default),
        ``MostAllocated``, ``BalancedAllocation``, ``first_fit``.
    max_extra_nodes
        The most nodes the "more nodes" fix may add.

    Returns
    -------
    RolloutCheck
        The plan (steps report ``pending`` pods), the first blocked step and why, and the fixes.

    Raises
    ------
    ManifestError
        A manifest that is not a Deployment or has a bad field.
    InvalidValueError
        An unknown or out-of-order ``placement``, a negative ``max_extra_nodes``.

    Notes
    -----
    Each distinct (old pods, new pods) pair is placed once and remembered; a check costs
    `O(s * p * n)` for `s` distinct pairs, `p` pods and `n` nodes (see
    `orchkit.binpack.place`), times the plans tried by the fix search (a few dozen at most).

    Examples
    --------
    Required anti-affinity (one pod per node) on 3 nodes, 3 replicas, the default 25%/25%
    (kubernetes#116891): surge 1 and unavailable 0, so the surge pod can go nowhere and no old pod
    may leave first.

    >>> from orchkit.binpack import Node
    >>> web = {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3,
    ...     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
    ...         "containers": [{"name": "web", "resources": {"requests": {"cpu": "1"}}}],
    ...         "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
    ...             {"labelSelector": {"matchLabels": {"app": "web"}},
    ...              "topologyKey": "kubernetes.io/hostname"}]}}}}}}
    >>> nodes = [Node(f"node-{k}", {"cpu": "4", "memory": "16Gi"}) for k in range(3)]
    >>> check = check_rollout(web, nodes)
    >>> check.completes, check.blocked_step
    (False, 1)
    >>> check.fix.description
    "set maxUnavailable 1 (was '25%', which resolves to 0)"
    """
    if placement not in _IN_ORDER:
        raise InvalidValueError(
            "placement", placement, f"must place pods in input order: one of {', '.join(_IN_ORDER)}"
        )
    if (
        isinstance(max_extra_nodes, bool)
        or not isinstance(max_extra_nodes, int)
        or max_extra_nodes < 0
    ):
        raise InvalidValueError("max_extra_nodes", max_extra_nodes, "must be a non-negative int")
    record: Deployment = deployment_from_manifest(deployment)
    chosen = strategy if strategy is not None else record.strategy
    if not isinstance(chosen, (RollingUpdate, Recreate)):
        raise InvalidValueError("strategy", chosen, "must be RollingUpdate(...) or Recreate()")
    new_pod = _one_pod(deployment, "deployment")
    old_pod = new_pod if previous is None else _one_pod(previous, "previous")
    nodes = list(nodes)

    def plan_with(how: RollingUpdate | Recreate, cluster: list[Node]) -> tuple[RolloutPlan, Why]:
        schedulable, why = capacity_model(new_pod, old_pod, cluster, placement, record.name)
        plan = plan_rollout(
            record.replicas,
            how,
            min_ready_seconds=record.min_ready_seconds,
            progress_deadline_seconds=record.progress_deadline_seconds,
            name=record.name,
            template=record.template,
            schedulable=schedulable,
        )
        return plan, why

    plan, why = plan_with(chosen, nodes)
    blocked = next((s for s in plan.steps if s.pending), None)
    reason = None if blocked is None else why(blocked.old_replicas, blocked.new_replicas)
    if plan.outcome == "complete":
        return RolloutCheck(record.name, plan, None if blocked is None else blocked.number, reason)

    fixes: list[Fix] = []
    if isinstance(chosen, RollingUpdate):
        for candidate in _candidates(record.replicas, chosen, plan.max_surge, plan.max_unavailable):
            fixed, _ = plan_with(candidate, nodes)
            if fixed.outcome == "complete":
                text = f"maxUnavailable {candidate.max_unavailable}"
                if candidate.max_surge != chosen.max_surge:
                    text = f"maxSurge 0 and {text}"
                was = f"{chosen.max_unavailable!r}"
                if chosen.max_unavailable != plan.max_unavailable:
                    was += f", which resolves to {plan.max_unavailable}"
                fixes.append(Fix("strategy", f"set {text} (was {was})", candidate, 0, fixed))
                break
    shape = node_shape if node_shape is not None else (nodes[0] if nodes else None)
    if shape is not None and max_extra_nodes:
        extra = _fewest_nodes(plan_with, chosen, nodes, shape, max_extra_nodes)
        if extra is not None:
            count, fixed = extra
            noun = "node" if count == 1 else "nodes"
            text = f"add {count} {noun} like {shape.name}"
            fixes.append(Fix("nodes", text, chosen, count, fixed))
    if not isinstance(chosen, Recreate):
        fixed, _ = plan_with(Recreate(), nodes)
        if fixed.outcome == "complete":
            text = "use the Recreate strategy (every old pod goes first)"
            fixes.append(Fix("recreate", text, Recreate(), 0, fixed))
    return RolloutCheck(
        record.name,
        plan,
        None if blocked is None else blocked.number,
        reason,
        fixes[0] if fixes else None,
        tuple(fixes),
    )


def _fewest_nodes(
    plan_with: PlanWith,
    strategy: RollingUpdate | Recreate,
    nodes: list[Node],
    shape: Node,
    limit: int,
) -> tuple[int, RolloutPlan] | None:
    """The fewest copies of ``shape`` (up to ``limit``) with which the rollout completes."""

    def attempt(count: int) -> RolloutPlan:
        extra = [
            Node(
                f"{shape.name}-extra-{k}",
                shape.allocatable,
                labels=_labels_of(shape, k),
                taints=shape.taints,
            )
            for k in range(count)
        ]
        plan, _ = plan_with(strategy, [*nodes, *extra])
        return plan

    # Exponential search for a count that works, then binary search below it.
    low, high = 0, 1
    found: RolloutPlan | None = None
    while high <= limit:
        plan = attempt(high)
        if plan.outcome == "complete":
            found = plan
            break
        low, high = high, high * 2
    if found is None:
        if low < limit:
            plan = attempt(limit)
            if plan.outcome != "complete":
                return None
            found, high = plan, limit
        else:
            return None
    while high - low > 1:
        middle = (low + high) // 2
        plan = attempt(middle)
        if plan.outcome == "complete":
            found, high = plan, middle
        else:
            low = middle
    return high, found


def _labels_of(shape: Node, k: int) -> tuple[tuple[str, str], ...]:
    """The shape's labels, with a hostname of its own."""
    hostname = "kubernetes.io/hostname"
    labels = dict(shape.labels)
    labels[hostname] = f"{shape.name}-extra-{k}"
    return tuple(sorted(labels.items()))
