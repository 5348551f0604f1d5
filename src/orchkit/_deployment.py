"""The deployment controller's rules as pure functions over records, and one ``sync``.

Each function takes records and returns records (never mutating its input) and mirrors the
upstream function named in its docstring; all of them run the same engine
(`orchkit._deployment_engine`) that `sync` and the planner run.

Private module: `orchkit.rollout` re-exports the public names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from orchkit import _deployment_engine as engine
from orchkit._intstr import MAX_INT32, IntOrPercent
from orchkit._rollout_types import (
    Action,
    Deployment,
    DeploymentState,
    DeploymentStatus,
    Recreate,
    ReplicaSet,
    RollingUpdate,
    ScaleReplicaSet,
    ScaleResult,
)
from orchkit.errors import InvalidValueError, ManifestError

__all__ = [
    "actual_replica_count",
    "available_replica_count",
    "calculate_status",
    "cleanup_deployment",
    "cleanup_unhealthy_replicas",
    "deployment_complete",
    "deployment_from_manifest",
    "deployment_progressing",
    "deployment_timed_out",
    "find_new_replica_set",
    "find_old_replica_sets",
    "is_saturated",
    "max_surge",
    "max_unavailable",
    "min_available",
    "new_rs_new_replicas",
    "proportional_scale",
    "ready_replica_count",
    "reconcile_new_replica_set",
    "reconcile_old_replica_sets",
    "replica_count",
    "replica_set_fraction",
    "replicas_annotations_need_update",
    "resolve_fenceposts",
    "rollback",
    "scale_down_old_replica_sets",
    "set_replicas_annotations",
    "settle",
    "sync",
    "terminating_replica_count",
]


def resolve_fenceposts(
    max_surge: IntOrPercent | None, max_unavailable: IntOrPercent | None, replicas: int
) -> tuple[int, int]:
    """Resolve ``maxSurge`` and ``maxUnavailable`` against ``replicas``: ``ResolveFenceposts``.

    Surge rounds **up**, unavailable rounds **down**; ``None`` counts as 0; when both resolve to
    0, unavailable becomes 1 ("surge might not work due to quota").

    Parameters
    ----------
    max_surge, max_unavailable
        Ints or percent strings (``"25%"``), or ``None``.
    replicas
        The desired replica count percentages refer to.

    Returns
    -------
    tuple of int
        ``(surge, unavailable)``.

    Raises
    ------
    InvalidValueError
        A string that is not a percentage (``"5"``, ``"oops"``) or a malformed percentage
        (``"10.5%"``), naming ``max_surge`` or ``max_unavailable``. Upstream returns
        ``(0, 0, err)``.

    Examples
    --------
    >>> resolve_fenceposts("25%", "25%", 10)
    (3, 2)
    >>> resolve_fenceposts("39%", "39%", 10)
    (4, 3)
    >>> resolve_fenceposts(0, "25%", 3)
    (0, 1)
    >>> resolve_fenceposts("oops", "39%", 10)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: max_surge: invalid type: ... (got 'oops')

    Notes
    -----
    Runtime complexity: `O(1)`.

    References
    ----------
    .. [1] kubernetes ``pkg/controller/deployment/util/deployment_util.go``, ``ResolveFenceposts``.
    """
    return engine.resolve_fenceposts(max_surge, max_unavailable, replicas)


def max_surge(deployment: Deployment) -> int:
    """Pods allowed above ``replicas`` during a rollout: ``MaxSurge`` (0 for Recreate, not capped).

    Parameters
    ----------
    deployment
        The Deployment.

    Returns
    -------
    int
        The resolved surge.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> max_surge(Deployment(replicas=10))
    3
    >>> max_surge(Deployment(replicas=10, strategy=Recreate()))
    0
    """
    return engine.Dep(deployment).surge


def max_unavailable(deployment: Deployment) -> int:
    """Replicas allowed to be unavailable: ``MaxUnavailable`` (capped at ``replicas``).

    0 for Recreate and for ``replicas == 0``.

    Parameters
    ----------
    deployment
        The Deployment.

    Returns
    -------
    int
        The resolved unavailable count.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> max_unavailable(Deployment(replicas=10))
    2
    >>> max_unavailable(Deployment(replicas=5, strategy=RollingUpdate(1, 10)))
    5
    """
    return engine.Dep(deployment).unavailable


def min_available(deployment: Deployment) -> int:
    """Replicas that must stay available: ``MinAvailable`` = replicas - MaxUnavailable.

    0 for Recreate (which guarantees nothing while it replaces pods).

    Parameters
    ----------
    deployment
        The Deployment.

    Returns
    -------
    int
        The availability floor.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> min_available(Deployment(replicas=10, strategy=RollingUpdate(1, "60%")))
    4
    >>> min_available(Deployment(replicas=10, strategy=Recreate()))
    0
    """
    d = engine.Dep(deployment)
    return d.replicas - d.unavailable if d.rolling else 0


def _engine_sets(
    replica_sets: Iterable[ReplicaSet], extra: ReplicaSet | None = None
) -> tuple[list[engine.RS], engine.RS | None]:
    """Mirror records; ``extra`` is matched by name or appended. Returns (all, extra's mirror)."""
    rss = [engine.RS.of(r) for r in replica_sets]
    if extra is None:
        return rss, None
    for rs in rss:
        if rs.name == extra.name:
            return rss, rs
    mirror = engine.RS.of(extra)
    return [mirror, *rss], mirror


def _result(rss: list[engine.RS], actions: list[Action], count: int) -> ScaleResult:
    return ScaleResult(tuple(rs.record() for rs in rss), tuple(actions), count)


def find_new_replica_set(
    deployment: Deployment, replica_sets: Iterable[ReplicaSet]
) -> ReplicaSet | None:
    """The ReplicaSet whose template is the Deployment's: ``FindNewReplicaSet``.

    If several match (a rare duplicate), the oldest wins.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_sets
        The ReplicaSets it owns.

    Returns
    -------
    ReplicaSet or None
        The new ReplicaSet, or ``None`` before the rollout created it.

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` ReplicaSets (a sort by creation time).

    Examples
    --------
    >>> rss = [ReplicaSet("a", "v1", created=1), ReplicaSet("b", "v2", created=2)]
    >>> find_new_replica_set(Deployment(template="v2"), rss).name
    'b'
    >>> find_new_replica_set(Deployment(template="v3"), rss) is None
    True
    """
    ordered = sorted(replica_sets, key=lambda r: (r.created, r.name))
    return next((r for r in ordered if r.template == deployment.template), None)


def find_old_replica_sets(
    deployment: Deployment, replica_sets: Iterable[ReplicaSet]
) -> tuple[ReplicaSet, ...]:
    """Every ReplicaSet but the new one, oldest first: ``FindOldReplicaSets``.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_sets
        The ReplicaSets it owns.

    Returns
    -------
    tuple of ReplicaSet
        The old ReplicaSets (empty ones included), by creation time then name.

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` ReplicaSets.

    Examples
    --------
    >>> rss = [ReplicaSet("b", "v2", created=2), ReplicaSet("a", "v1", created=1)]
    >>> [r.name for r in find_old_replica_sets(Deployment(template="v2"), rss)]
    ['a']
    """
    ordered = sorted(replica_sets, key=lambda r: (r.created, r.name))
    new = find_new_replica_set(deployment, ordered)
    return tuple(r for r in ordered if r is not new)


def new_rs_new_replicas(
    deployment: Deployment, replica_sets: Iterable[ReplicaSet], new_replica_set: ReplicaSet
) -> int:
    """The new ReplicaSet's next size: ``NewRSNewReplicas``.

    RollingUpdate: ``new + min(replicas + surge - current, replicas - new)`` where ``current``
    is the sum of ``spec.replicas`` over ``replica_sets`` (desired counts, not live pods), or
    ``new`` unchanged when ``current`` already reaches ``replicas + surge``. Recreate:
    ``replicas``.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_sets
        The ReplicaSets counted in ``current``; upstream passes all of them, the new one
        included.
    new_replica_set
        The new ReplicaSet.

    Returns
    -------
    int
        Its next ``spec.replicas``.

    Notes
    -----
    Runtime complexity: `O(n)` for `n` ReplicaSets.

    Examples
    --------
    >>> d = Deployment(replicas=10, strategy=RollingUpdate(max_surge=2, max_unavailable=0))
    >>> new, old = ReplicaSet("new", replicas=0), ReplicaSet("old", replicas=5)
    >>> new_rs_new_replicas(d, [new, old], new)
    7
    """
    rss, _ = _engine_sets(replica_sets)
    return engine.new_rs_new_replicas(engine.Dep(deployment), rss, engine.RS.of(new_replica_set))


def reconcile_new_replica_set(
    deployment: Deployment, replica_sets: Iterable[ReplicaSet], new_replica_set: ReplicaSet
) -> ScaleResult:
    """Scale the new ReplicaSet up within the surge, or down: ``reconcileNewReplicaSet``.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_sets
        All its ReplicaSets (the new one included or not).
    new_replica_set
        The new ReplicaSet.

    Returns
    -------
    ScaleResult
        ``scaled`` is upstream's return value; ``count`` the replicas added or removed.

    Notes
    -----
    Runtime complexity: `O(n)` for `n` ReplicaSets.

    Examples
    --------
    >>> d = Deployment(replicas=10, strategy=RollingUpdate(max_surge=2, max_unavailable=0))
    >>> new, old = ReplicaSet("new", replicas=0), ReplicaSet("old", replicas=10)
    >>> r = reconcile_new_replica_set(d, [new, old], new)
    >>> r.actions
    (ScaleReplicaSet(name='new', from_replicas=0, to_replicas=2),)
    """
    rss, new = _engine_sets(replica_sets, new_replica_set)
    assert new is not None
    before = new.spec
    actions: list[Action] = []
    engine.reconcile_new(list(rss), new, engine.Dep(deployment), actions)
    return _result(rss, actions, abs(new.spec - before))


def reconcile_old_replica_sets(
    deployment: Deployment, replica_sets: Iterable[ReplicaSet], new_replica_set: ReplicaSet
) -> ScaleResult:
    """Clean up unhealthy old replicas, then scale old ones down: ``reconcileOldReplicaSets``.

    ``maxScaledDown = all pods - minAvailable - (new spec - new available)`` bounds the clean-up;
    the scale-down itself removes the availability surplus ``available - minAvailable``, oldest
    ReplicaSet first.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_sets
        All its ReplicaSets (the new one included or not).
    new_replica_set
        The new ReplicaSet.

    Returns
    -------
    ScaleResult
        ``count`` is the clean-up plus the scale-down; ``scaled`` upstream's return value.

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` ReplicaSets.

    Examples
    --------
    >>> d = Deployment(replicas=10, strategy=RollingUpdate(max_surge=0, max_unavailable=2))
    >>> old = ReplicaSet("old", replicas=10, available_replicas=10, status_replicas=10)
    >>> new = ReplicaSet("new")
    >>> reconcile_old_replica_sets(d, [old, new], new)["old"].replicas
    8
    """
    rss, new = _engine_sets(replica_sets, new_replica_set)
    active = [rs for rs in rss if rs is not new and rs.spec > 0]
    actions: list[Action] = []
    cleaned, scaled = engine.reconcile_old(list(rss), active, new, engine.Dep(deployment), actions)
    return _result(rss, actions, cleaned + scaled)


def cleanup_unhealthy_replicas(
    deployment: Deployment, old_replica_sets: Iterable[ReplicaSet], max_cleanup: int
) -> ScaleResult:
    """Remove unavailable old replicas, up to ``max_cleanup``: ``cleanupUnhealthyReplicas``.

    Walks the old ReplicaSets oldest first, cutting ``min(left, spec - available)`` from each.
    The ReplicaSet controller deletes not-ready pods first, so availability does not drop.

    Parameters
    ----------
    deployment
        The Deployment.
    old_replica_sets
        The old ReplicaSets.
    max_cleanup
        The most replicas to remove (``maxScaledDown`` in `reconcile_old_replica_sets`).

    Returns
    -------
    ScaleResult
        ``count`` is the number removed.

    Raises
    ------
    InvalidValueError
        An old ReplicaSet reports more available replicas than its spec (its status lags);
        upstream returns an error for the sync.

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` old ReplicaSets.

    Examples
    --------
    >>> old = ReplicaSet("old", replicas=10, available_replicas=8)
    >>> cleanup_unhealthy_replicas(Deployment(replicas=10), [old], 3).count
    2
    """
    rss, _ = _engine_sets(old_replica_sets)
    actions: list[Action] = []
    count = engine.cleanup_unhealthy(list(rss), engine.Dep(deployment), max_cleanup, actions)
    return _result(rss, actions, count)


def scale_down_old_replica_sets(
    deployment: Deployment,
    old_replica_sets: Iterable[ReplicaSet],
    new_replica_set: ReplicaSet | None = None,
) -> ScaleResult:
    """Scale old ReplicaSets down by the availability surplus.

    Upstream's ``scaleDownOldReplicaSetsForRollingUpdate``.

    The surplus is ``available - (replicas - maxUnavailable)``, where ``available`` sums the old
    ReplicaSets and the new one; it is taken from the oldest ReplicaSets first.

    Parameters
    ----------
    deployment
        The Deployment.
    old_replica_sets
        The old ReplicaSets.
    new_replica_set
        The new ReplicaSet, whose available pods count towards the surplus.

    Returns
    -------
    ScaleResult
        ``count`` is the number of replicas removed.

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` old ReplicaSets.

    Examples
    --------
    >>> d = Deployment(replicas=10, strategy=RollingUpdate(max_surge=1, max_unavailable=2))
    >>> old = ReplicaSet("old", replicas=10, available_replicas=10)
    >>> scale_down_old_replica_sets(d, [old])["old"].replicas
    8
    """
    olds, _ = _engine_sets(old_replica_sets)
    new = None if new_replica_set is None else engine.RS.of(new_replica_set)
    actions: list[Action] = []
    all_rss: list[engine.RS | None] = [*olds, new]
    count = engine.scale_down_old(all_rss, list(olds), engine.Dep(deployment), actions)
    return _result([new, *olds] if new is not None else olds, actions, count)


def proportional_scale(
    deployment: Deployment,
    new_replica_set: ReplicaSet | None,
    old_replica_sets: Iterable[ReplicaSet],
) -> ScaleResult:
    """Resize ReplicaSets after a change of ``replicas``: upstream's ``scale``.

    One active ReplicaSet (or none) takes ``replicas`` outright. A saturated new ReplicaSet
    scales the old ones to 0. Otherwise (RollingUpdate only) ``replicas + maxSurge`` minus the
    current total is shared out: each active ReplicaSet gets
    ``round(spec * (replicas + surge) / its max-replicas annotation) - spec`` (halves away from
    zero; missing annotations fall back to ``status.replicas``), largest first, ties newest first
    when adding and oldest first when removing; the leftover goes to the first.

    Parameters
    ----------
    deployment
        The Deployment, with its new ``replicas`` (and its stored ``status``).
    new_replica_set
        The new ReplicaSet, or ``None``.
    old_replica_sets
        The old ReplicaSets.

    Returns
    -------
    ScaleResult
        The ReplicaSets (the new one first); every active one is written so its annotations
        record the new ``replicas``.

    Examples
    --------
    >>> d = Deployment(replicas=10, strategy=RollingUpdate(max_surge=1, max_unavailable=0))
    >>> new = ReplicaSet("new", replicas=2, created=2, desired_replicas=5, max_replicas=6)
    >>> old = ReplicaSet("old", replicas=3, created=1, desired_replicas=5, max_replicas=6)
    >>> r = proportional_scale(d, new, [old])
    >>> r["new"].replicas, r["old"].replicas
    (4, 7)

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` ReplicaSets.
    """
    olds, _ = _engine_sets(old_replica_sets)
    new = None if new_replica_set is None else engine.RS.of(new_replica_set)
    actions: list[Action] = []
    engine.scale(engine.Dep(deployment), new, list(olds), actions)
    return _result([new, *olds] if new is not None else olds, actions, _moved(actions))


def _moved(actions: Iterable[Action]) -> int:
    return sum(
        abs(a.to_replicas - a.from_replicas) for a in actions if isinstance(a, ScaleReplicaSet)
    )


def replica_set_fraction(replica_set: ReplicaSet, deployment: Deployment) -> int:
    """How many replicas proportional scaling gives a ReplicaSet: ``getReplicaSetFraction``.

    Parameters
    ----------
    replica_set
        The ReplicaSet, with its ``max_replicas`` annotation.
    deployment
        The Deployment after the change of ``replicas``.

    Returns
    -------
    int
        Replicas to add (negative: to remove), before clamping.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> d = Deployment(replicas=120, strategy=RollingUpdate(max_surge=10, max_unavailable=1))
    >>> replica_set_fraction(ReplicaSet("a", replicas=50, max_replicas=110), d)
    9
    """
    return engine.replica_set_fraction(engine.RS.of(replica_set), engine.Dep(deployment))


def is_saturated(deployment: Deployment, replica_set: ReplicaSet | None) -> bool:
    """Whether the ReplicaSet runs the Deployment at full strength: ``IsSaturated``.

    Its ``spec.replicas``, its ``desired-replicas`` annotation and its available replicas all
    equal the Deployment's ``replicas``.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_set
        The (new) ReplicaSet, or ``None``.

    Returns
    -------
    bool
        True when saturated.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> rs = ReplicaSet("a", replicas=1, desired_replicas=1, available_replicas=1)
    >>> is_saturated(Deployment(replicas=1), rs), is_saturated(Deployment(replicas=2), rs)
    (True, False)
    """
    rs = None if replica_set is None else engine.RS.of(replica_set)
    return engine.is_saturated(engine.Dep(deployment), rs)


def set_replicas_annotations(
    replica_set: ReplicaSet, desired_replicas: int, max_replicas: int
) -> ReplicaSet:
    """Write the ``desired-replicas`` and ``max-replicas`` annotations: ``SetReplicasAnnotations``.

    Parameters
    ----------
    replica_set
        The ReplicaSet.
    desired_replicas
        The Deployment's ``replicas``.
    max_replicas
        ``replicas + MaxSurge``.

    Returns
    -------
    ReplicaSet
        The annotated ReplicaSet (equal to the input when nothing changed).

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> rs = set_replicas_annotations(ReplicaSet("a"), 10, 11)
    >>> rs.desired_replicas, rs.max_replicas
    (10, 11)
    """
    return attrs.evolve(replica_set, desired_replicas=desired_replicas, max_replicas=max_replicas)


def replicas_annotations_need_update(
    replica_set: ReplicaSet, desired_replicas: int, max_replicas: int
) -> bool:
    """Whether the replica annotations differ from these values: ``ReplicasAnnotationsNeedUpdate``.

    Parameters
    ----------
    replica_set
        The ReplicaSet.
    desired_replicas, max_replicas
        The values the annotations should hold.

    Returns
    -------
    bool
        True when an annotation is missing or different.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> rs = ReplicaSet("a", desired_replicas=10, max_replicas=20)
    >>> replicas_annotations_need_update(rs, 10, 20), replicas_annotations_need_update(rs, 8, 20)
    (False, True)
    """
    rs = replica_set
    return rs.desired_replicas != desired_replicas or rs.max_replicas != max_replicas


def replica_count(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``spec.replicas``: ``GetReplicaCountForReplicaSets`` (``None`` entries skipped).

    Parameters
    ----------
    replica_sets
        ReplicaSets.

    Returns
    -------
    int
        The desired pod count.

    Notes
    -----
    Runtime complexity: `O(n)`.

    Examples
    --------
    >>> replica_count([ReplicaSet("a", replicas=1), None, ReplicaSet("b", replicas=2)])
    3
    """
    return sum(r.replicas for r in replica_sets if r is not None)


def actual_replica_count(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``status.replicas``: ``GetActualReplicaCountForReplicaSets``.

    Parameters
    ----------
    replica_sets
        ReplicaSets.

    Returns
    -------
    int
        The pods that exist.

    Notes
    -----
    Runtime complexity: `O(n)`.

    Examples
    --------
    >>> actual_replica_count([ReplicaSet("a", replicas=1, status_replicas=2)])
    2
    """
    return sum(r.status_replicas for r in replica_sets if r is not None)


def ready_replica_count(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``status.readyReplicas``: ``GetReadyReplicaCountForReplicaSets``.

    Parameters
    ----------
    replica_sets
        ReplicaSets.

    Returns
    -------
    int
        The ready pods.

    Notes
    -----
    Runtime complexity: `O(n)`.

    Examples
    --------
    >>> ready_replica_count([ReplicaSet("a", ready_replicas=2), ReplicaSet("b", ready_replicas=1)])
    3
    """
    return sum(r.ready_replicas for r in replica_sets if r is not None)


def available_replica_count(replica_sets: Iterable[ReplicaSet | None]) -> int:
    """Sum of ``status.availableReplicas``: ``GetAvailableReplicaCountForReplicaSets``.

    Parameters
    ----------
    replica_sets
        ReplicaSets.

    Returns
    -------
    int
        The available pods.

    Notes
    -----
    Runtime complexity: `O(n)`.

    Examples
    --------
    >>> available_replica_count([ReplicaSet("a", available_replicas=4)])
    4
    """
    return sum(r.available_replicas for r in replica_sets if r is not None)


def terminating_replica_count(replica_sets: Iterable[ReplicaSet | None]) -> int | None:
    """Sum of ``status.terminatingReplicas``: ``GetTerminatingReplicaCountForReplicaSets``.

    A ReplicaSet the ReplicaSet controller has not observed yet (``observed_generation == 0``)
    and that reports nothing counts as 0; one that has been observed and reports nothing makes
    the total unknown (``None``). Only the feature-gated ``TerminationComplete`` policy uses it.

    Parameters
    ----------
    replica_sets
        ReplicaSets.

    Returns
    -------
    int or None
        The terminating pods, or ``None`` when unknown.

    Notes
    -----
    Runtime complexity: `O(n)`.

    Examples
    --------
    >>> terminating_replica_count([ReplicaSet("a", terminating_replicas=3)])
    3
    >>> terminating_replica_count([ReplicaSet("a", terminating_replicas=None)]) is None
    True
    """
    total = 0
    for r in replica_sets:
        if r is None:
            continue
        if r.terminating_replicas is None:
            if r.observed_generation == 0:
                continue
            return None
        total += r.terminating_replicas
    return total


def calculate_status(
    deployment: Deployment,
    replica_sets: Iterable[ReplicaSet],
    new_replica_set: ReplicaSet | None = None,
    *,
    now: float = 0.0,
) -> DeploymentStatus:
    """The Deployment's status computed from its ReplicaSets: ``calculateStatus``.

    Sums the ReplicaSets' status and sets ``Available``: True (``MinimumReplicasAvailable``) iff
    ``available >= replicas - MaxUnavailable``. The ``Progressing`` condition is left as it is;
    `sync` estimates it.

    Parameters
    ----------
    deployment
        The Deployment (its conditions are carried over).
    replica_sets
        All its ReplicaSets.
    new_replica_set
        The new ReplicaSet (``updated_replicas`` is its ``status.replicas``).
    now
        The clock, for new conditions' timestamps.

    Returns
    -------
    DeploymentStatus
        The status.

    Notes
    -----
    Runtime complexity: `O(n + c)` for `n` ReplicaSets and `c` conditions.

    Examples
    --------
    >>> rs = ReplicaSet("a", replicas=4, status_replicas=4, ready_replicas=4, available_replicas=3)
    >>> s = calculate_status(Deployment(replicas=4), [rs], rs)
    >>> s.available_replicas, s.unavailable_replicas, s.condition("Available").status
    (3, 1, 'True')
    """
    rss, new = _engine_sets(replica_sets, new_replica_set)
    all_rss: list[engine.RS | None] = list(rss)
    d = engine.Dep(deployment)
    return engine.calculate_status(all_rss, new, d, engine.spec_sum(all_rss), now).record()


def deployment_complete(deployment: Deployment, status: DeploymentStatus | None = None) -> bool:
    """Whether a rollout is complete: ``DeploymentComplete``.

    Every replica is updated, exists and is available, and the status describes the current
    generation. ``maxUnavailable`` plays no part.

    Parameters
    ----------
    deployment
        The Deployment.
    status
        The status to judge (default: the Deployment's own).

    Returns
    -------
    bool
        True when complete.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> s = DeploymentStatus(1, replicas=5, updated_replicas=5, available_replicas=4)
    >>> deployment_complete(Deployment(replicas=5), s)
    False
    """
    d = engine.Dep(deployment)
    return engine.deployment_complete(d, engine.Status.of(status or deployment.status))


def deployment_progressing(deployment: Deployment, new_status: DeploymentStatus) -> bool:
    """Whether ``new_status`` shows progress over the stored status: ``DeploymentProgressing``.

    Progress is more updated pods, fewer old pods, more ready or more available pods.

    Parameters
    ----------
    deployment
        The Deployment, holding the previous status.
    new_status
        The freshly computed status.

    Returns
    -------
    bool
        True on progress.

    Notes
    -----
    Runtime complexity: `O(1)`.

    Examples
    --------
    >>> old = DeploymentStatus(replicas=10, updated_replicas=4, available_replicas=4)
    >>> new = DeploymentStatus(replicas=10, updated_replicas=6, available_replicas=4)
    >>> deployment_progressing(Deployment(status=old), new)
    True
    """
    return engine.deployment_progressing(
        engine.Status.of(deployment.status), engine.Status.of(new_status)
    )


def deployment_timed_out(
    deployment: Deployment, status: DeploymentStatus | None = None, *, now: float
) -> bool:
    """Whether the rollout missed its progress deadline: ``DeploymentTimedOut``.

    Never without a deadline or a ``Progressing`` condition, never once the condition says
    ``NewReplicaSetAvailable``, always once it says ``ProgressDeadlineExceeded``; otherwise when
    ``last_update_time + progress_deadline_seconds`` is strictly before ``now``.

    Parameters
    ----------
    deployment
        The Deployment (its ``progress_deadline_seconds``).
    status
        The status holding the ``Progressing`` condition (default: the Deployment's).
    now
        The clock.

    Returns
    -------
    bool
        True when timed out.

    Notes
    -----
    Runtime complexity: `O(c)` for `c` conditions.

    Examples
    --------
    >>> from orchkit.rollout import Condition
    >>> cond = Condition("Progressing", "True", "ReplicaSetUpdated", last_update_time=69.0)
    >>> d = Deployment(progress_deadline_seconds=10, status=DeploymentStatus(conditions=[cond]))
    >>> deployment_timed_out(d, now=80.0), deployment_timed_out(d, now=78.0)
    (True, False)
    """
    d = engine.Dep(deployment)
    return engine.deployment_timed_out(d, engine.Status.of(status or deployment.status), now)


def cleanup_deployment(
    deployment: Deployment, old_replica_sets: Iterable[ReplicaSet]
) -> ScaleResult:
    """Delete old, empty ReplicaSets beyond ``revisionHistoryLimit``: ``cleanupDeployment``.

    Looks only at the ``count - limit`` oldest ReplicaSets by revision and deletes those that are
    empty (spec and status), observed, and not already being deleted.

    Parameters
    ----------
    deployment
        The Deployment (its ``revision_history_limit``; ``None`` keeps everything).
    old_replica_sets
        Its old ReplicaSets.

    Returns
    -------
    ScaleResult
        The ReplicaSets that remain, the deletions, and ``count`` the number deleted.

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` old ReplicaSets.

    Examples
    --------
    >>> olds = [ReplicaSet(f"web-{i}", revision=i) for i in (1, 2, 3)]
    >>> r = cleanup_deployment(Deployment(revision_history_limit=1), olds)
    >>> [a.name for a in r.actions], [rs.name for rs in r.replica_sets]
    (['web-1', 'web-2'], ['web-3'])
    """
    rss, _ = _engine_sets(old_replica_sets)
    remaining = list(rss)
    actions: list[Action] = []
    count = engine.cleanup_deployment(engine.Dep(deployment), list(rss), remaining, actions)
    return _result(remaining, actions, count)


def rollback(
    deployment: Deployment, replica_sets: Iterable[ReplicaSet], to_revision: int = 0
) -> Deployment:
    """Roll back to an earlier revision, as ``kubectl rollout undo`` does.

    apps/v1 has no server-side rollback: kubectl copies the pod template of the ReplicaSet with
    that revision into the Deployment. To the controller this is an ordinary template change,
    except that the old ReplicaSet now matches and becomes the new one: `sync` bumps its
    revision (recording the old number in ``revision_history``) and scales it up.

    Parameters
    ----------
    deployment
        The Deployment.
    replica_sets
        Its ReplicaSets.
    to_revision
        The revision to return to; 0 (the default) means the previous one (the second highest).

    Returns
    -------
    Deployment
        The Deployment with the old template and a new generation; unchanged when its template
        already is that revision's (kubectl prints "skipped rollback").

    Raises
    ------
    InvalidValueError
        A paused Deployment, a negative ``to_revision``, or no ReplicaSet with that revision
        (``revisionHistoryLimit`` bounds how far back one can go).

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` ReplicaSets.

    Examples
    --------
    >>> rss = [ReplicaSet("w-1", "v1", revision=1), ReplicaSet("w-2", "v2", revision=2)]
    >>> d = rollback(Deployment("w", template="v2", revision=2), rss)
    >>> d.template, d.generation
    ('v1', 2)
    """
    if deployment.paused:
        raise InvalidValueError(
            "deployment.paused", True, "cannot roll back a paused Deployment; resume it first"
        )
    if isinstance(to_revision, bool) or not isinstance(to_revision, int) or to_revision < 0:
        raise InvalidValueError("to_revision", to_revision, "must be a non-negative int")
    target: ReplicaSet | None = None
    if to_revision:
        target = next((r for r in replica_sets if r.revision == to_revision), None)
        if target is None:
            raise InvalidValueError("to_revision", to_revision, "no ReplicaSet has this revision")
    else:
        ranked = sorted(
            (r for r in replica_sets if r.revision is not None),
            key=lambda r: r.revision or 0,
            reverse=True,
        )
        if len(ranked) < 2:
            raise InvalidValueError(
                "to_revision", to_revision, f"no rollout history found for {deployment.name!r}"
            )
        target = ranked[1]
    if target.template == deployment.template:
        return deployment
    return attrs.evolve(deployment, template=target.template, generation=deployment.generation + 1)


def sync(state: DeploymentState) -> tuple[DeploymentState, tuple[Action, ...]]:
    """One pass of the deployment controller: ``syncDeployment``.

    In order: the paused/resumed condition; for a paused Deployment or a change of ``replicas``
    (an active ReplicaSet annotated with another ``desired-replicas``), proportional scaling and
    no new ReplicaSet; otherwise one RollingUpdate step (create the new ReplicaSet already sized,
    then scale it up *or* clean up and scale old ReplicaSets down, oldest first) or one Recreate
    step (scale old ReplicaSets to 0, wait until their pods are gone, create the new one at full
    size); history clean-up once complete; the status with its ``Available`` and ``Progressing``
    conditions, the latter judged against the progress deadline at ``state.now``.

    The ReplicaSets' ``status`` is left as it was: the ReplicaSet controller and the kubelet
    change it (`settle` models pods that become available at once).

    Parameters
    ----------
    state
        The Deployment, its ReplicaSets and the time.

    Returns
    -------
    tuple
        The state after the sync (same ``now``; deleted ReplicaSets removed, a created one
        appended) and the writes in the order upstream makes them.

    Examples
    --------
    The spec's example 7.1: 10 replicas, maxSurge 10, maxUnavailable 5. The first sync creates the
    new ReplicaSet at 10 *and* scales the old one down to 5:

    >>> from orchkit.rollout import UpdateStatus
    >>> d = Deployment("web", replicas=10, template="v2", strategy=RollingUpdate(10, 5))
    >>> old = ReplicaSet("web-old", "v1", 10, status_replicas=10, ready_replicas=10,
    ...                  available_replicas=10, revision=1, desired_replicas=10, max_replicas=20)
    >>> state, actions = sync(DeploymentState(d, [old]))
    >>> [a for a in actions if not isinstance(a, UpdateStatus)]
    [CreateReplicaSet(name='web-...', template='v2', replicas=10, revision=2),
     ScaleReplicaSet(name='web-old', from_replicas=10, to_replicas=5)]
    >>> state, actions = sync(settle(state))
    >>> [(rs.template, rs.replicas) for rs in state.replica_sets]
    [('v1', 0), ('v2', 10)]

    Notes
    -----
    Runtime complexity: `O(n log n)` for `n` ReplicaSets.
    """
    if not isinstance(state, DeploymentState):
        raise InvalidValueError("state", state, "must be a DeploymentState")
    d = engine.Dep(state.deployment)
    rss = [engine.RS.of(r) for r in state.replica_sets]
    actions, _ = engine.run_sync(d, rss, state.now)
    new_state = DeploymentState(
        d.record(state.deployment.strategy), tuple(rs.record() for rs in rss), state.now
    )
    return new_state, tuple(actions)


def settle(state: DeploymentState) -> DeploymentState:
    """Let the ReplicaSet controller catch up: every pod exists and is available at once.

    Sets each ReplicaSet's status to its spec (``status_replicas = ready_replicas =
    available_replicas = replicas``, nothing terminating, the generation observed). Between two
    `sync` calls this is the planner's default readiness model.

    Parameters
    ----------
    state
        A state returned by `sync`.

    Returns
    -------
    DeploymentState
        The settled state (same clock).

    Notes
    -----
    Runtime complexity: `O(n)` for `n` ReplicaSets.

    Examples
    --------
    >>> state = DeploymentState(Deployment(), [ReplicaSet("a", replicas=2)])
    >>> settle(state).replica_sets[0].available_replicas
    2
    """
    if not isinstance(state, DeploymentState):
        raise InvalidValueError("state", state, "must be a DeploymentState")
    settled = tuple(
        attrs.evolve(
            r,
            status_replicas=r.replicas,
            ready_replicas=r.replicas,
            available_replicas=r.replicas,
            terminating_replicas=None,
            observed_generation=r.generation,
        )
        for r in state.replica_sets
    )
    return attrs.evolve(state, replica_sets=settled)


# ---------------------------------------------------------------------------------------------
# Manifests.

_FIELD_PATHS = {
    "max_surge": "spec.strategy.rollingUpdate.maxSurge",
    "max_unavailable": "spec.strategy.rollingUpdate.maxUnavailable",
    "replicas": "spec.replicas",
    "min_ready_seconds": "spec.minReadySeconds",
    "revision_history_limit": "spec.revisionHistoryLimit",
    "progress_deadline_seconds": "spec.progressDeadlineSeconds",
    "name": "metadata.name",
    "template": "spec.template",
}


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ManifestError(path, value, "must be a mapping")
    return value


def _template_identity(template: Mapping[str, Any]) -> str:
    """The pod template's identity: its containers' images, or a digest of the whole template."""
    spec = _mapping(template.get("spec"), "spec.template.spec")
    containers = spec.get("containers")
    if isinstance(containers, Sequence) and not isinstance(containers, str):
        images = [c.get("image") for c in containers if isinstance(c, Mapping)]
        if images and all(isinstance(i, str) and i for i in images):
            return ",".join(str(i) for i in images)
    if not template:
        return "template"
    digest = engine.template_hash(json.dumps(template, sort_keys=True, default=str), 0)
    return f"template-{digest}"


def deployment_from_manifest(manifest: Mapping[str, Any]) -> Deployment:
    """Read a Deployment from its manifest (a dict, as loaded from YAML or JSON).

    Applies apps/v1 defaults (``replicas`` 1, RollingUpdate 25%/25%, ``revisionHistoryLimit``
    10, ``progressDeadlineSeconds`` 600) and the API server's validation. The pod template's
    identity is its containers' images joined by commas.

    Parameters
    ----------
    manifest
        A ``kind: Deployment`` object.

    Returns
    -------
    Deployment
        The Deployment, with an empty status.

    Raises
    ------
    ManifestError
        A field is missing or invalid; ``field`` is its path
        (``spec.strategy.rollingUpdate.maxSurge``).

    Notes
    -----
    Runtime complexity: `O(m)` in the size of the manifest.

    Examples
    --------
    >>> m = {"kind": "Deployment", "metadata": {"name": "web"},
    ...      "spec": {"replicas": 10, "strategy": {"rollingUpdate": {"maxSurge": 10,
    ...               "maxUnavailable": 5}},
    ...               "template": {"spec": {"containers": [{"image": "nginx:1.25"}]}}}}
    >>> d = deployment_from_manifest(m)
    >>> d.name, d.replicas, d.template, d.strategy
    ('web', 10, 'nginx:1.25', RollingUpdate(max_surge=10, max_unavailable=5))
    >>> m["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "5"
    >>> deployment_from_manifest(m)
    Traceback (most recent call last):
    ...
    orchkit.errors.ManifestError: spec.strategy.rollingUpdate.maxSurge: ... (got '5')
    """
    if not isinstance(manifest, Mapping):
        raise ManifestError("(document)", manifest, "must be a mapping")
    kind = manifest.get("kind", "Deployment")
    if kind != "Deployment":
        raise ManifestError("kind", kind, "must be 'Deployment'")
    metadata = _mapping(manifest.get("metadata"), "metadata")
    spec = _mapping(manifest.get("spec"), "spec")
    strategy_doc = _mapping(spec.get("strategy"), "spec.strategy")
    kind_of_strategy = strategy_doc.get("type", "RollingUpdate")
    rolling_doc = strategy_doc.get("rollingUpdate")
    try:
        strategy: RollingUpdate | Recreate
        if kind_of_strategy == "Recreate":
            if rolling_doc is not None:
                raise ManifestError(
                    "spec.strategy.rollingUpdate",
                    rolling_doc,
                    "may not be specified when strategy type is 'Recreate'",
                )
            strategy = Recreate()
        elif kind_of_strategy == "RollingUpdate":
            rolling = _mapping(rolling_doc, "spec.strategy.rollingUpdate")
            strategy = RollingUpdate(
                max_surge=rolling.get("maxSurge", "25%"),
                max_unavailable=rolling.get("maxUnavailable", "25%"),
            )
        else:
            raise ManifestError(
                "spec.strategy.type", kind_of_strategy, "must be 'RollingUpdate' or 'Recreate'"
            )
        paused = spec.get("paused", False)
        if not isinstance(paused, bool):
            raise ManifestError("spec.paused", paused, "must be true or false")
        name = metadata.get("name")
        if not isinstance(name, str) or not name:
            raise ManifestError("metadata.name", name, "must be a non-empty string")
        deadline = spec.get("progressDeadlineSeconds", 600)
        return Deployment(
            name,
            replicas=spec.get("replicas", 1),
            template=_template_identity(_mapping(spec.get("template"), "spec.template")),
            strategy=strategy,
            min_ready_seconds=spec.get("minReadySeconds", 0),
            revision_history_limit=spec.get("revisionHistoryLimit", 10),
            progress_deadline_seconds=None if deadline == MAX_INT32 else deadline,
            paused=paused,
        )
    except ManifestError:
        raise
    except InvalidValueError as err:
        path = _FIELD_PATHS.get(err.field, err.field)
        raise ManifestError(path, err.value, err.reason) from None
