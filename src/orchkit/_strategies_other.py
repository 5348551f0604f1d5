"""Other systems' rolling updates in the same step model: ECS, StatefulSet, DaemonSet, canary.

Each strategy is a record whose fields carry the system's own knob names, and a planner that
returns a `RolloutPlan` under the default readiness model (pods started in
a step are available at the next one; pods stopped in a step are gone at once):

- `EcsRolling`: AWS ECS's ``deploymentConfiguration`` (``minimumHealthyPercent``
  rounded up, ``maximumPercent`` rounded down, both bounds on task *totals*);
- `StatefulSetRollingUpdate`: ``partition`` and ``maxUnavailable`` (rounded up), highest
  ordinal first, no surge;
- `DaemonSetRollingUpdate`: per-node ``maxSurge`` / ``maxUnavailable`` (both rounded up);
- `Canary`: Argo Rollouts' basic canary, ``setWeight`` / ``pause`` steps with replica
  counts computed as its ``CalculateReplicaCountsForBasicCanary`` does.

Private module: `orchkit.rollout` re-exports the public names.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from orchkit import _deployment_engine as engine
from orchkit._intstr import IntOrPercent, check_count, check_int_or_percent, is_zero, scaled_value
from orchkit._planner import RolloutPlan, RolloutStep
from orchkit.errors import InvalidValueError

__all__ = [
    "Canary",
    "DaemonSetRollingUpdate",
    "EcsRolling",
    "Pause",
    "SetWeight",
    "StatefulSetRollingUpdate",
    "plan_canary",
    "plan_daemonset",
    "plan_ecs",
    "plan_statefulset",
]


def _percent_int(field: str, low: int, high: int | None) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_count(field, value, minimum=low, maximum=high if high is not None else 10**9)

    return check


@attrs.frozen
class EcsRolling:
    """AWS ECS rolling update (``deploymentController: ECS``): two bounds on the task count.

    Parameters
    ----------
    minimum_healthy_percent
        Floor on RUNNING (healthy) tasks, as a percent of ``desiredCount`` rounded **up**
        (default 100, range 0-100).
    maximum_percent
        Cap on RUNNING plus PENDING tasks, as a percent of ``desiredCount`` rounded **down**
        (default 200; orchkit requires at least 100).

    Examples
    --------
    >>> EcsRolling(minimum_healthy_percent=50, maximum_percent=100)
    EcsRolling(minimum_healthy_percent=50, maximum_percent=100)
    >>> EcsRolling(minimum_healthy_percent=101)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: minimum_healthy_percent: must be at most 100 (got 101)
    """

    #: ``deploymentConfiguration.minimumHealthyPercent``.
    minimum_healthy_percent: int = attrs.field(
        default=100, validator=_percent_int("minimum_healthy_percent", 0, 100)
    )
    #: ``deploymentConfiguration.maximumPercent``.
    maximum_percent: int = attrs.field(
        default=200, validator=_percent_int("maximum_percent", 100, None)
    )

    def to_dict(self) -> dict[str, Any]:
        """ECS's own field names.

        Returns
        -------
        dict
            ``type``, ``minimumHealthyPercent``, ``maximumPercent``.

        Examples
        --------
        >>> EcsRolling(50, 100).to_dict()["minimumHealthyPercent"]
        50
        """
        return {
            "type": "ECS",
            "minimumHealthyPercent": self.minimum_healthy_percent,
            "maximumPercent": self.maximum_percent,
        }


def _check_sts_unavailable(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    check_int_or_percent("max_unavailable", value, at_most_100=True)
    if is_zero(value):
        raise InvalidValueError("max_unavailable", value, "must be at least 1 (or 1%)")


@attrs.frozen
class StatefulSetRollingUpdate:
    """StatefulSet ``RollingUpdate``: delete and recreate pods in place, highest ordinal first.

    Parameters
    ----------
    partition
        Only ordinals ``>= partition`` are updated (default 0: all).
    max_unavailable
        Pods updated at once: an int >= 1 or a percent rounded **up** (default 1). Needs the
        ``MaxUnavailableStatefulSet`` feature (beta); with 1 the behaviour is the classic one.

    Examples
    --------
    >>> StatefulSetRollingUpdate(partition=2)
    StatefulSetRollingUpdate(partition=2, max_unavailable=1)
    """

    #: ``spec.updateStrategy.rollingUpdate.partition``.
    partition: int = attrs.field(default=0, validator=_percent_int("partition", 0, None))
    #: ``spec.updateStrategy.rollingUpdate.maxUnavailable``.
    max_unavailable: IntOrPercent = attrs.field(default=1, validator=_check_sts_unavailable)

    def to_dict(self) -> dict[str, Any]:
        """Kubernetes' own field names.

        Returns
        -------
        dict
            ``type``, ``partition``, ``maxUnavailable``.

        Examples
        --------
        >>> StatefulSetRollingUpdate(partition=2).to_dict()["partition"]
        2
        """
        return {
            "type": "StatefulSet RollingUpdate",
            "partition": self.partition,
            "maxUnavailable": self.max_unavailable,
        }


def _check_ds_surge(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_int_or_percent("max_surge", value, at_most_100=True)


def _check_ds_unavailable(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    check_int_or_percent("max_unavailable", value, at_most_100=True)
    if is_zero(value) and is_zero(instance.max_surge):
        raise InvalidValueError("max_unavailable", value, "may not be 0 when max_surge is 0")


@attrs.frozen
class DaemonSetRollingUpdate:
    """DaemonSet ``RollingUpdate``: one pod per node, replaced node by node.

    Parameters
    ----------
    max_surge
        Nodes that may run the new pod *next to* the old one until it is available: an int or a
        percent of the nodes rounded **up** (default 0).
    max_unavailable
        Nodes whose pod may be missing while it is replaced: an int or a percent rounded **up**
        (default 1; unlike a Deployment's, which rounds down).

    Examples
    --------
    >>> DaemonSetRollingUpdate(max_surge="10%", max_unavailable=0)
    DaemonSetRollingUpdate(max_surge='10%', max_unavailable=0)
    """

    #: ``spec.updateStrategy.rollingUpdate.maxSurge``.
    max_surge: IntOrPercent = attrs.field(default=0, validator=_check_ds_surge)
    #: ``spec.updateStrategy.rollingUpdate.maxUnavailable``.
    max_unavailable: IntOrPercent = attrs.field(default=1, validator=_check_ds_unavailable)

    def to_dict(self) -> dict[str, Any]:
        """Kubernetes' own field names.

        Returns
        -------
        dict
            ``type``, ``maxSurge``, ``maxUnavailable``.

        Examples
        --------
        >>> DaemonSetRollingUpdate(max_surge=1, max_unavailable=0).to_dict()["maxSurge"]
        1
        """
        return {
            "type": "DaemonSet RollingUpdate",
            "maxSurge": self.max_surge,
            "maxUnavailable": self.max_unavailable,
        }


@attrs.frozen
class SetWeight:
    """A canary step: send this percent of traffic (and pods) to the new version.

    Examples
    --------
    >>> SetWeight(20)
    SetWeight(weight=20)
    """

    #: ``setWeight``: 0-100.
    weight: int = attrs.field(validator=_percent_int("weight", 0, 100))


def _check_duration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValueError("duration", value, "must be a number of seconds or None")
    if not math.isfinite(value) or value < 0:
        raise InvalidValueError("duration", value, "must be finite and non-negative")


@attrs.frozen
class Pause:
    """A canary step: wait, for ``duration`` seconds or (``None``) until promoted.

    Examples
    --------
    >>> Pause(), Pause(60)
    (Pause(duration=None), Pause(duration=60))
    """

    #: ``pause.duration`` in seconds; ``None`` waits for ``kubectl argo rollouts promote``.
    duration: float | None = attrs.field(default=None, validator=_check_duration)


def _steps(value: Any) -> tuple[SetWeight | Pause, ...]:
    steps = tuple(value)
    for step in steps:
        if not isinstance(step, (SetWeight, Pause)):
            raise InvalidValueError("steps", step, "must hold SetWeight(...) and Pause(...)")
    return steps


def _check_canary_unavailable(
    instance: Any, attribute: attrs.Attribute[Any], value: object
) -> None:
    check_int_or_percent("max_unavailable", value, at_most_100=True)
    if is_zero(value) and is_zero(instance.max_surge):
        raise InvalidValueError("max_unavailable", value, "may not be 0 when max_surge is 0")


@attrs.frozen
class Canary:
    """Argo Rollouts' canary strategy without traffic routing: weights by replica counts.

    Parameters
    ----------
    steps
        `SetWeight` and `Pause` steps; after the last one the canary is promoted to
        100%.
    max_surge, max_unavailable
        As a Deployment's (surge rounds up, unavailable down; default 25% each).

    Examples
    --------
    >>> Canary(steps=[SetWeight(20), Pause(), SetWeight(50)]).steps
    (SetWeight(weight=20), Pause(duration=None), SetWeight(weight=50))
    """

    #: ``spec.strategy.canary.steps``.
    steps: tuple[SetWeight | Pause, ...] = attrs.field(default=(), converter=_steps)
    #: ``spec.strategy.canary.maxSurge``.
    max_surge: IntOrPercent = attrs.field(
        default="25%", validator=lambda _i, _a, v: check_int_or_percent("max_surge", v)
    )
    #: ``spec.strategy.canary.maxUnavailable``.
    max_unavailable: IntOrPercent = attrs.field(default="25%", validator=_check_canary_unavailable)

    def to_dict(self) -> dict[str, Any]:
        """Argo Rollouts' own field names.

        Returns
        -------
        dict
            ``type``, ``steps`` (``setWeight`` / ``pause`` entries), ``maxSurge``,
            ``maxUnavailable``.

        Examples
        --------
        >>> Canary([SetWeight(20), Pause(60)]).to_dict()["steps"]
        [{'setWeight': 20}, {'pause': {'duration': 60}}]
        """
        steps: list[dict[str, Any]] = []
        for step in self.steps:
            if isinstance(step, SetWeight):
                steps.append({"setWeight": step.weight})
            elif step.duration is None:
                steps.append({"pause": {}})
            else:
                steps.append({"pause": {"duration": step.duration}})
        return {
            "type": "Canary",
            "steps": steps,
            "maxSurge": self.max_surge,
            "maxUnavailable": self.max_unavailable,
        }


def _nodes(k: int) -> str:
    return f"{k} node" if k == 1 else f"{k} nodes"


def _plan(
    strategy: Any,
    replicas: int,
    steps: list[RolloutStep],
    *,
    surge: int,
    unavailable: int,
    min_available: int,
    max_pods: int,
    done: bool,
    reason: str,
    final_old: int = 0,
    duration: float = 0.0,
) -> RolloutPlan:
    return RolloutPlan(
        strategy=strategy,
        replicas=replicas,
        max_surge=surge,
        max_unavailable=unavailable,
        min_available=min_available,
        max_pods=max_pods,
        steps=tuple(steps),
        outcome="complete" if done else "stalled",
        reason=reason,
        completed_at=duration if done else None,
        syncs=len(steps) + 1,
        initial_available=replicas,
        final_old=final_old,
    )


def _step(
    steps: list[RolloutStep],
    replicas: int,
    *,
    old: int,
    new: int,
    available: int,
    before: int,
    note: str,
    time: float = 0.0,
) -> None:
    number = len(steps) + 1
    steps.append(RolloutStep(number, time, replicas, old, new, available, before, note=note))


# ---------------------------------------------------------------------------------------------
# ECS


def plan_ecs(replicas: int, strategy: EcsRolling, max_syncs: int) -> RolloutPlan:
    """Plan an ECS rolling deployment; see `plan_rollout`."""
    n = replicas
    upper = n * strategy.maximum_percent // 100
    lower = -(-n * strategy.minimum_healthy_percent // 100)
    old, new_healthy, new_pending = n, 0, 0
    steps: list[RolloutStep] = []
    while True:
        if len(steps) >= max_syncs:
            raise InvalidValueError("max_syncs", max_syncs, "the plan needs more steps than this")
        new_healthy += new_pending
        new_pending = 0
        healthy = old + new_healthy
        want = n - new_healthy
        room = upper - (old + new_healthy)
        spare = max(0, healthy - lower)
        # Stop old tasks to make room for the new ones, or once they are surplus.
        stop = min(old, spare, max(0, want - room, old + new_healthy - n))
        old -= stop
        start = min(max(0, upper - old - new_healthy), want)
        if stop == 0 and start == 0:
            break
        new_pending = start
        note = (
            f"stop {stop} old, start {start} new"
            if stop and start
            else (f"stop {stop} old" if stop else f"start {start} new")
        )
        _step(
            steps,
            n,
            old=old,
            new=new_healthy + new_pending,
            available=old + new_healthy,
            before=healthy,
            note=note,
        )
    done = old == 0 and new_healthy == n
    reason = (
        f"complete after {len(steps)} steps"
        if done
        else f"stalled: at most {upper} tasks may run and at least {lower} must stay healthy "
        f"out of {n}, which leaves no room to start or stop a task"
    )
    return _plan(
        strategy,
        n,
        steps,
        surge=upper - n,
        unavailable=n - lower,
        min_available=lower,
        max_pods=upper,
        done=done,
        reason=reason,
    )


# ---------------------------------------------------------------------------------------------
# StatefulSet


def plan_statefulset(replicas: int, strategy: StatefulSetRollingUpdate) -> RolloutPlan:
    """Plan a StatefulSet rolling update; see `plan_rollout`."""
    n = replicas
    at_once = scaled_value(strategy.max_unavailable, n, round_up=True, field="max_unavailable")
    at_once = max(1, min(at_once, n)) if n else 0
    partition = min(strategy.partition, n)
    steps: list[RolloutStep] = []
    ordinal = n - 1  # the next ordinal to update
    while ordinal >= partition:
        batch = list(range(ordinal, max(partition, ordinal - at_once + 1) - 1, -1))
        ordinal -= len(batch)
        updated = n - 1 - ordinal
        names = ", ".join(str(o) for o in batch)
        _step(
            steps,
            n,
            old=n - updated,
            new=updated,
            available=n - len(batch),
            before=n,
            note=f"recreate ordinals {names}",
        )
    return _plan(
        strategy,
        n,
        steps,
        surge=0,
        unavailable=at_once,
        min_available=n - at_once,
        max_pods=n,
        done=True,
        reason=f"complete after {len(steps)} steps"
        + (f"; ordinals below {partition} keep the old version" if partition else ""),
        final_old=partition,
    )


# ---------------------------------------------------------------------------------------------
# DaemonSet


def plan_daemonset(nodes: int, strategy: DaemonSetRollingUpdate) -> RolloutPlan:
    """Plan a DaemonSet rolling update over ``nodes`` nodes (see ``plan_rollout``)."""
    n = nodes
    surge = min(scaled_value(strategy.max_surge, n, round_up=True, field="max_surge"), n)
    unavailable = min(
        scaled_value(strategy.max_unavailable, n, round_up=True, field="max_unavailable"), n
    )
    if n and surge == 0 and unavailable == 0:
        unavailable = 1  # the controller's fallback for an impossible configuration
    steps: list[RolloutStep] = []
    if surge == 0:
        old = n
        while old:
            k = min(unavailable, old)
            old -= k
            _step(
                steps,
                n,
                old=old,
                new=n - old,
                available=n - k,
                before=n,
                note=f"replace the pod on {_nodes(k)}",
            )
        min_available = n - unavailable
    else:
        old_only, surging, done = n, 0, 0
        while True:
            finished = surging
            done += surging
            start = min(surge, old_only)
            old_only -= start
            surging = start
            if not finished and not start:
                break
            parts = []
            if finished:
                parts.append(f"remove the old pod on {_nodes(finished)}")
            if start:
                parts.append(f"start a new pod next to the old one on {_nodes(start)}")
            _step(
                steps,
                n,
                old=old_only + surging,
                new=done + surging,
                available=n,
                before=n,
                note="; ".join(parts),
            )
        min_available = n
    return _plan(
        strategy,
        n,
        steps,
        surge=surge,
        unavailable=unavailable if surge == 0 else 0,
        min_available=min_available,
        max_pods=n + surge,
        done=True,
        reason=f"complete after {len(steps)} steps",
    )


# ---------------------------------------------------------------------------------------------
# Argo Rollouts basic canary (utils/replicaset/canary.go).


def _tied(weight: int, total: int) -> bool:
    """``floorCeilingTied``, in float64 exactly as Argo computes it."""
    return math.modf(float(total) * (float(weight) / 100))[0] == 0.5


def _delta(weight: int, canary: int, total: int) -> float:
    """``weightDelta``, in float64."""
    return abs(float(canary * 100) / float(total) - float(weight))


def approximate_counts(replicas: int, weight: int, max_surge: int) -> tuple[int, int]:
    """``approximateWeightedCanaryStableReplicaCounts``: (canary, stable) closest to ``weight``."""
    if replicas == 0:
        return 0, 0
    ceil_count = math.ceil(float(replicas * weight) / 100.0)
    floor_count = math.floor(float(replicas * weight) / 100.0)
    tied = _tied(weight, replicas)
    zero_allowed = weight in (0, 100) or (replicas == 1 and max_surge == 0)
    options: list[tuple[int, int]] = []
    if ceil_count < replicas or zero_allowed:
        options.append((ceil_count, replicas))
    if not tied and (floor_count != 0 or zero_allowed):
        options.append((floor_count, replicas))
    if max_surge > 0:
        options.append((ceil_count, replicas + 1))
        if not _tied(weight, replicas + 1) and (floor_count != 0 or zero_allowed):
            options.append((floor_count, replicas + 1))
    if not options:
        return 0, replicas
    best = options[0]
    best_delta = _delta(weight, *best)
    for option in options[1:]:
        delta = _delta(weight, *option)
        if delta < best_delta:
            best, best_delta = option, delta
    return best[0], best[1] - best[0]


def _for_scale_down(spec: int, available: int, ignore_availability: bool) -> int:
    """``GetReplicasForScaleDown``."""
    if spec < available or ignore_availability:
        return spec
    return available


def _adjust(
    drain: tuple[int, int],
    adjust: tuple[int, int],
    *,
    drain_count: int,
    adjust_count: int,
    max_allowed: int,
    min_available: int,
) -> tuple[int, int]:
    """``adjustReplicaWithinLimits``; each of ``drain`` and ``adjust`` is (spec, available)."""
    over = max(0, adjust_count + drain_count - max_allowed)
    total_available = min(drain[1], drain_count)
    adjust_count -= over
    total_available += min(adjust[1], adjust_count)
    extra = max(0, adjust[1] - adjust_count)
    needed = max(0, min_available - total_available)
    adjust_count += min(extra, needed)
    over = max(0, adjust_count + drain_count - max_allowed)
    return drain_count - over, adjust_count


def canary_counts(
    replicas: int,
    weight: int,
    *,
    surge: int,
    unavailable: int,
    new: tuple[int, int],
    stable: tuple[int, int],
) -> tuple[int, int]:
    """``CalculateReplicaCountsForBasicCanary`` with a new and a stable ReplicaSet, no others.

    ``new`` and ``stable`` are (spec, available); returns the new (canary, stable) sizes.
    """
    desired_new, desired_stable = approximate_counts(replicas, weight, surge)
    new_count, stable_count = new[0], stable[0]
    max_allowed = replicas + surge
    scale_up = max_allowed - (new[0] + stable[0])
    if stable[0] < desired_stable and scale_up > 0:
        if stable[0] + scale_up < desired_stable:
            stable_count = stable[0] + scale_up
            scale_up = 0
        else:
            stable_count = desired_stable
            scale_up -= desired_stable - stable[0]
    if new[0] < desired_new and scale_up > 0:
        new_count = min(new[0] + scale_up, desired_new)
    min_available = replicas - unavailable
    increasing = desired_new >= new[0]
    to_scale_down = _for_scale_down(*new, not increasing) + _for_scale_down(*stable, increasing)
    if to_scale_down <= min_available:
        return new_count, stable_count
    scale_down = to_scale_down - min_available
    if not increasing:
        if new[0] > desired_new:
            new_count = max(desired_new, new[0] - scale_down)
        new_count, stable_count = _adjust(
            new,
            stable,
            drain_count=new_count,
            adjust_count=stable_count,
            max_allowed=max_allowed,
            min_available=min_available,
        )
    else:
        if stable[0] > desired_stable:
            stable_count = max(desired_stable, stable[0] - scale_down)
        stable_count, new_count = _adjust(
            stable,
            new,
            drain_count=stable_count,
            adjust_count=new_count,
            max_allowed=max_allowed,
            min_available=min_available,
        )
    return new_count, stable_count


def _weight_at(steps: tuple[SetWeight | Pause, ...], index: int) -> int:
    """``GetCurrentSetWeight``: the last setWeight at or before ``index``; 100 past the end."""
    if index >= len(steps):
        return 100
    for step in reversed(steps[: index + 1]):
        if isinstance(step, SetWeight):
            return step.weight
    return 0


def plan_canary(replicas: int, strategy: Canary, max_syncs: int) -> RolloutPlan:
    """Plan an Argo Rollouts basic canary; see `plan_rollout`."""
    n = replicas
    surge, unavailable = engine.resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, n)
    unavailable = 0 if n == 0 else min(unavailable, n)
    new_spec = new_available = 0
    stable_spec = stable_available = n
    index = 0
    time = 0.0
    steps: list[RolloutStep] = []
    syncs = 0
    done = False
    while True:
        syncs += 1
        if syncs > max_syncs:
            raise InvalidValueError("max_syncs", max_syncs, "the plan needs more syncs than this")
        new_available, stable_available = new_spec, stable_spec  # last step's pods are up
        weight = _weight_at(strategy.steps, index)
        new_count, stable_count = canary_counts(
            n,
            weight,
            surge=surge,
            unavailable=unavailable,
            new=(new_spec, new_available),
            stable=(stable_spec, stable_available),
        )
        if (new_count, stable_count) != (new_spec, stable_spec):
            before = new_available + stable_available
            new_available = min(new_available, new_count)
            stable_available = min(stable_available, stable_count)
            new_spec, stable_spec = new_count, stable_count
            label = "promoted" if index >= len(strategy.steps) else f"setWeight {weight}"
            _step(
                steps,
                n,
                old=stable_spec,
                new=new_spec,
                available=new_available + stable_available,
                before=before,
                note=f"{label}: canary {new_spec}, stable {stable_spec}",
                time=time,
            )
            continue
        desired_new, desired_stable = approximate_counts(n, weight, surge)
        if not (new_spec == desired_new == new_available and stable_spec == desired_stable):
            break
        if index >= len(strategy.steps):
            done = True
            break
        step = strategy.steps[index]
        if isinstance(step, Pause) and steps:
            wait = "until promoted" if step.duration is None else f"{step.duration:g}s"
            last = steps[-1]
            note = f"{last.note}; then pause {wait}"
            steps[-1] = attrs.evolve(last, note=note)
        if isinstance(step, Pause) and step.duration is not None:
            time += step.duration
        index += 1
    reason = (
        f"complete after {len(steps)} steps"
        if done
        else f"stalled at canary {new_spec}, stable {stable_spec}: the weight cannot be reached "
        f"within maxSurge {surge} and maxUnavailable {unavailable}"
    )
    plan = _plan(
        strategy,
        n,
        steps,
        surge=surge,
        unavailable=unavailable,
        min_available=n - unavailable,
        max_pods=n + surge,
        done=done,
        reason=reason,
        duration=time,
    )
    return attrs.evolve(plan, syncs=syncs)
