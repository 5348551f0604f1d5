"""``plan_rollout``: one entry point for every strategy (Kubernetes, ECS, StatefulSet, ...).

Private module: `orchkit.rollout` re-exports the public names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from orchkit._planner import (
    NEW_TEMPLATE,
    Rescale,
    RolloutPlan,
    Schedulable,
    plan_kubernetes,
    validate_planner_options,
)
from orchkit._rollout_types import Recreate, ReplicaSet, RollingUpdate
from orchkit._strategies_other import (
    Canary,
    DaemonSetRollingUpdate,
    EcsRolling,
    StatefulSetRollingUpdate,
    plan_canary,
    plan_daemonset,
    plan_ecs,
    plan_statefulset,
)
from orchkit.errors import InvalidValueError

__all__ = ["PlannableStrategy", "plan_rollout"]

#: Every strategy `plan_rollout` plans.
PlannableStrategy: TypeAlias = (
    RollingUpdate
    | Recreate
    | EcsRolling
    | StatefulSetRollingUpdate
    | DaemonSetRollingUpdate
    | Canary
)


def plan_rollout(
    replicas: int,
    strategy: PlannableStrategy | None = None,
    *,
    start: Sequence[ReplicaSet] | None = None,
    ready_after: float = 0.0,
    ready_limit: int | None = None,
    min_ready_seconds: int = 0,
    progress_deadline_seconds: int | None = 600,
    rescale: Rescale | None = None,
    name: str = "app",
    template: str = NEW_TEMPLATE,
    schedulable: Schedulable | None = None,
    max_syncs: int = 100_000,
) -> RolloutPlan:
    """Plan a rollout sync by sync, as the controller will run it.

    For `RollingUpdate` (the default, 25%/25%) and `Recreate` this runs the
    deployment controller's own rules (`sync`) against a model of the pods: pods a sync asks
    for exist at once and become ready ``ready_after`` seconds later, available
    ``min_ready_seconds`` after that; pods a sync removes disappear at once (unready ones first).
    The controller syncs again right after every write, otherwise at the next pod event or
    progress-deadline check. With the defaults, new pods are available before the next sync and
    each step of the plan is one sync that changed the pods.

    The other strategies (`EcsRolling`, `StatefulSetRollingUpdate`,
    `DaemonSetRollingUpdate` over ``replicas`` nodes, `Canary`) are planned in the
    same step model under the default readiness model only.

    Parameters
    ----------
    replicas
        Desired replicas (for a DaemonSet: nodes).
    strategy
        The strategy; ``None`` means ``RollingUpdate(max_surge="25%", max_unavailable="25%")``.
    start
        The ReplicaSets before the rollout (several old ones, unready pods, a new one already
        part-way: one whose ``template`` is ``template``). Default: one old ReplicaSet,
        ``<name>-old``, with ``replicas`` available pods. Unready pods of old ReplicaSets never
        become ready.
    ready_after
        Seconds from a pod's creation until it is ready.
    ready_limit
        At most this many pods of the new version ever become ready (0: an image that never
        starts; 2: room for two pods only). ``None``: all of them.
    min_ready_seconds
        The Deployment's ``minReadySeconds``.
    progress_deadline_seconds
        The Deployment's ``progressDeadlineSeconds`` (``None``: no deadline).
    rescale
        A change of ``replicas`` part-way (`Rescale`).
    name
        The Deployment's name (a new ReplicaSet is called ``<name>-<hash of template>``).
    template
        The pod template being rolled out (its identity, such as the image).
    schedulable
        The cluster's capacity: ``schedulable(old_pods, new_pods)`` returns how many of
        ``new_pods`` new pods can run next to ``old_pods`` old ones. New pods beyond it stay
        Pending (never ready) until old pods go; a step reports them as ``pending``. ``None``:
        every pod can be scheduled.
    max_syncs
        Give up (with an error) after this many controller syncs.

    Returns
    -------
    RolloutPlan
        The steps, the resolved bounds, and the outcome: ``"complete"`` or ``"stalled"`` (with
        the reason and when the progress deadline is exceeded).

    Raises
    ------
    InvalidValueError
        Negative ``replicas`` or ``ready_after``, an unknown strategy, an option the strategy
        does not support, or more than ``max_syncs`` syncs.

    See Also
    --------
    sync : one controller sync, on records.
    check_plan : the invariants every plan keeps.

    Notes
    -----
    Runtime complexity: `O(s * r)` for `s` syncs over `r` ReplicaSets. A 25%/25% rollout takes
    about a dozen syncs whatever its size; the slowest case, ``max_surge=1, max_unavailable=0``,
    takes two syncs per replica.

    Examples
    --------
    The article's question: 10 replicas, maxSurge 10, maxUnavailable 5.

    >>> plan = plan_rollout(10, RollingUpdate(max_surge=10, max_unavailable=5))
    >>> [(s.old_replicas, s.new_replicas, s.available) for s in plan.steps]
    [(5, 10, 5), (0, 10, 10)]

    Its exercise, maxSurge 1: not one pod at a time.

    >>> plan = plan_rollout(10, RollingUpdate(max_surge=1, max_unavailable=5))
    >>> [(s.old_replicas, s.new_replicas, s.available) for s in plan.steps]
    [(5, 1, 5), (5, 6, 6), (0, 6, 6), (0, 10, 6)]

    Required anti-affinity on 3 nodes (one pod per node) with 3 replicas and the defaults: the
    surge pod can never be scheduled, and no old pod may go (kubernetes#116891):

    >>> one_per_node = lambda old, new: min(new, 3 - old)
    >>> plan = plan_rollout(3, schedulable=one_per_node)
    >>> plan.outcome, plan.steps[-1].pending
    ('stalled', 1)

    A new image that never becomes ready stalls the rollout; the deadline is reported:

    >>> plan = plan_rollout(10, ready_limit=0)
    >>> plan.outcome, plan.deadline_exceeded_at, plan.steps[-1].new_replicas
    ('stalled', 601.0, 5)
    """
    validate_planner_options(
        replicas, ready_after=ready_after, ready_limit=ready_limit, max_syncs=max_syncs
    )
    if strategy is None:
        strategy = RollingUpdate()
    if isinstance(strategy, (RollingUpdate, Recreate)):
        return plan_kubernetes(
            replicas,
            strategy,
            start=start,
            ready_after=ready_after,
            ready_limit=ready_limit,
            min_ready_seconds=min_ready_seconds,
            progress_deadline_seconds=progress_deadline_seconds,
            rescale=rescale,
            name=name,
            template=template,
            max_syncs=max_syncs,
            schedulable=schedulable,
        )
    if not isinstance(
        strategy, (EcsRolling, StatefulSetRollingUpdate, DaemonSetRollingUpdate, Canary)
    ):
        raise InvalidValueError("strategy", strategy, "is not a strategy orchkit can plan")
    unsupported: dict[str, tuple[object, bool]] = {
        "start": (start, start is not None),
        "ready_after": (ready_after, ready_after != 0),
        "ready_limit": (ready_limit, ready_limit is not None),
        "min_ready_seconds": (min_ready_seconds, min_ready_seconds != 0),
        "rescale": (rescale, rescale is not None),
        "template": (template, template != NEW_TEMPLATE),
        "schedulable": (schedulable, schedulable is not None),
    }
    for option, (value, given) in unsupported.items():
        if given:
            kind = type(strategy).__name__
            reason = f"is only supported for RollingUpdate and Recreate, not {kind}"
            raise InvalidValueError(option, value, reason)
    if isinstance(strategy, EcsRolling):
        return plan_ecs(replicas, strategy, max_syncs)
    if isinstance(strategy, StatefulSetRollingUpdate):
        return plan_statefulset(replicas, strategy)
    if isinstance(strategy, DaemonSetRollingUpdate):
        return plan_daemonset(replicas, strategy)
    return plan_canary(replicas, strategy, max_syncs)
