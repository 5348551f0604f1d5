"""Plain records of the deployment controller's world: strategies, Deployments, ReplicaSets.

Every record is an immutable ``attrs`` class whose fields carry Kubernetes' own names in snake
case (``spec.strategy.rollingUpdate.maxSurge`` is ``RollingUpdate.max_surge``). Field validators
mirror the API server's validation, so a record that exists is one the API server would store;
upstream's own tests build a few objects the API server would refuse (``maxSurge: 0`` with
``maxUnavailable: 0``), and ``attrs.validators.disabled()`` builds them here too.

Private module: `orchkit.rollout` re-exports the public names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal, TypeAlias

import attrs

from orchkit._intstr import (
    IntOrPercent,
    check_count,
    check_int_or_percent,
    is_zero,
)
from orchkit.errors import InvalidValueError

__all__ = [
    "Action",
    "Condition",
    "CreateReplicaSet",
    "DeleteReplicaSet",
    "Deployment",
    "DeploymentState",
    "DeploymentStatus",
    "Recreate",
    "ReplicaSet",
    "Requeue",
    "RollingUpdate",
    "ScaleReplicaSet",
    "ScaleResult",
    "Strategy",
    "UpdateReplicaSet",
    "UpdateStatus",
]


def _count(field: str) -> Any:
    """An attrs validator: an int in ``[0, MaxInt32]``, reported under ``field``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_count(field, value)

    return check


def _optional_count(field: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check_count(field, value)

    return check


def _seconds(field: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidValueError(field, value, "must be a number of seconds")
        if not math.isfinite(value):
            raise InvalidValueError(field, value, "must be a finite number of seconds")

    return check


def _name(field: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise InvalidValueError(field, value, "must be a non-empty string")

    return check


def _conditions(value: Iterable[Condition]) -> tuple[Condition, ...]:
    return tuple(value)


def _ints(value: Iterable[int]) -> tuple[int, ...]:
    return tuple(value)


def _replica_sets(value: Iterable[ReplicaSet]) -> tuple[ReplicaSet, ...]:
    return tuple(value)


def _check_max_surge(
    instance: RollingUpdate, attribute: attrs.Attribute[Any], value: object
) -> None:
    check_int_or_percent("max_surge", value)


def _check_max_unavailable(
    instance: RollingUpdate, attribute: attrs.Attribute[Any], value: object
) -> None:
    check_int_or_percent("max_unavailable", value, at_most_100=True)
    if is_zero(value) and is_zero(instance.max_surge):
        raise InvalidValueError("max_unavailable", value, "may not be 0 when max_surge is 0")


@attrs.frozen
class RollingUpdate:
    """The ``RollingUpdate`` deployment strategy: replace pods a few at a time.

    Parameters
    ----------
    max_surge
        How many pods may exist above ``replicas`` while rolling: an int (``1``) or a percent of
        ``replicas`` rounded **up** (``"25%"`` of 10 is 3).
    max_unavailable
        How many of ``replicas`` may be unavailable while rolling: an int or a percent rounded
        **down** (``"25%"`` of 10 is 2), at most ``"100%"``.

    Raises
    ------
    InvalidValueError
        As the API server does: a negative int, a string that is not ``<digits>%`` (``"5"``,
        ``"10.5%"``, ``"-1%"``), ``max_unavailable`` above 100%, or both zero (``0`` and ``"0%"``
        both count as zero).

    Examples
    --------
    >>> RollingUpdate()
    RollingUpdate(max_surge='25%', max_unavailable='25%')
    >>> RollingUpdate(max_surge=1, max_unavailable=0)
    RollingUpdate(max_surge=1, max_unavailable=0)
    >>> RollingUpdate(max_surge="10.5%")
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: max_surge: a valid percent string must be ... (got '10.5%')
    >>> RollingUpdate(max_surge=0, max_unavailable="0%")
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: max_unavailable: may not be 0 when max_surge is 0 (got '0%')
    """

    #: ``spec.strategy.rollingUpdate.maxSurge``: ``1``, ``"25%"`` (the default).
    max_surge: IntOrPercent = attrs.field(default="25%", validator=_check_max_surge)
    #: ``spec.strategy.rollingUpdate.maxUnavailable``: ``0``, ``"25%"`` (the default).
    max_unavailable: IntOrPercent = attrs.field(default="25%", validator=_check_max_unavailable)


@attrs.frozen
class Recreate:
    """The ``Recreate`` deployment strategy: remove every old pod, then create the new ones.

    Examples
    --------
    >>> Recreate()
    Recreate()
    """


#: A Deployment's ``spec.strategy``: `RollingUpdate` or `Recreate`.
Strategy: TypeAlias = RollingUpdate | Recreate


@attrs.frozen
class Condition:
    """One entry of ``status.conditions``: ``Progressing``, ``Available`` or ``ReplicaFailure``.

    Examples
    --------
    >>> Condition("Available", "True", "MinimumReplicasAvailable").status
    'True'
    """

    #: ``"Progressing"``, ``"Available"`` or ``"ReplicaFailure"``.
    type: str
    #: ``"True"``, ``"False"`` or ``"Unknown"``.
    status: Literal["True", "False", "Unknown"]
    #: Machine-readable cause: ``"NewReplicaSetAvailable"``, ``"ProgressDeadlineExceeded"``, ...
    reason: str
    #: Human-readable detail: ``'ReplicaSet "web-5d8f" has successfully progressed.'``.
    message: str = ""
    #: When the condition was last written (seconds on the caller's clock).
    last_update_time: float = 0.0
    #: When ``status`` last changed (seconds on the caller's clock).
    last_transition_time: float = 0.0


@attrs.frozen
class DeploymentStatus:
    """A Deployment's ``status``, as the controller computes it from its ReplicaSets.

    Examples
    --------
    >>> s = DeploymentStatus(replicas=3, updated_replicas=3, available_replicas=3)
    >>> s.condition("Progressing") is None
    True
    """

    #: ``status.observedGeneration``: the generation this status describes.
    observed_generation: int = 0
    #: ``status.replicas``: pods that exist (the sum of the ReplicaSets' ``status.replicas``).
    replicas: int = 0
    #: ``status.updatedReplicas``: pods of the new ReplicaSet.
    updated_replicas: int = 0
    #: ``status.readyReplicas``.
    ready_replicas: int = 0
    #: ``status.availableReplicas``: pods ready for at least ``minReadySeconds``.
    available_replicas: int = 0
    #: ``status.unavailableReplicas``: desired pods (spec sum) not available, at least 0.
    unavailable_replicas: int = 0
    #: ``status.collisionCount``: bumped when a new ReplicaSet's name is already taken.
    collision_count: int = 0
    #: ``status.conditions``, in the order the controller wrote them.
    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=_conditions)

    def condition(self, type: str) -> Condition | None:
        """The condition of this ``type``, or ``None`` (``GetDeploymentCondition``).

        Parameters
        ----------
        type
            ``"Progressing"``, ``"Available"`` or ``"ReplicaFailure"``.

        Returns
        -------
        Condition or None
            The condition, if the status has one.

        Examples
        --------
        >>> c = Condition("Available", "False", "MinimumReplicasUnavailable")
        >>> DeploymentStatus(conditions=(c,)).condition("Available").reason
        'MinimumReplicasUnavailable'
        """
        for cond in self.conditions:
            if cond.type == type:
                return cond
        return None


def _check_deadline(instance: Deployment, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    check_count("progress_deadline_seconds", value)
    assert isinstance(value, int)
    if value <= instance.min_ready_seconds:
        raise InvalidValueError(
            "progress_deadline_seconds", value, "must be greater than min_ready_seconds"
        )


def _check_strategy(instance: Deployment, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, (RollingUpdate, Recreate)):
        raise InvalidValueError("strategy", value, "must be RollingUpdate(...) or Recreate()")


@attrs.frozen
class Deployment:
    """A Deployment as the controller reads it: ``spec``, the revision annotation and ``status``.

    The pod template is reduced to ``template``, an opaque identity: two templates are equal when
    these strings are (Kubernetes compares templates ignoring the ``pod-template-hash`` label).

    Raises
    ------
    InvalidValueError
        Negative ``replicas`` or seconds, ``progress_deadline_seconds`` not above
        ``min_ready_seconds``, a strategy that is not `RollingUpdate` or `Recreate`.

    Examples
    --------
    >>> d = Deployment("web", replicas=10, template="nginx:1.25")
    >>> d.strategy
    RollingUpdate(max_surge='25%', max_unavailable='25%')
    >>> Deployment("web", replicas=-1)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: replicas: must be non-negative (got -1)
    """

    #: ``metadata.name``: ``"web"``; new ReplicaSets are named ``<name>-<hash>``.
    name: str = attrs.field(default="app", validator=_name("name"))
    #: ``spec.replicas`` (default 1).
    replicas: int = attrs.field(default=1, validator=_count("replicas"))
    #: The pod template's identity: ``"nginx:1.25"``.
    template: str = attrs.field(default="v1", validator=_name("template"))
    #: ``spec.strategy``.
    strategy: Strategy = attrs.field(factory=RollingUpdate, validator=_check_strategy)
    #: ``spec.minReadySeconds``: how long a pod must be ready to count as available.
    min_ready_seconds: int = attrs.field(default=0, validator=_count("min_ready_seconds"))
    #: ``spec.revisionHistoryLimit``: old ReplicaSets kept; ``None`` keeps them all.
    revision_history_limit: int | None = attrs.field(
        default=10, validator=_optional_count("revision_history_limit")
    )
    #: ``spec.progressDeadlineSeconds``; ``None`` (or MaxInt32) means no deadline.
    progress_deadline_seconds: int | None = attrs.field(default=600, validator=_check_deadline)
    #: ``spec.paused``.
    paused: bool = False
    #: ``metadata.generation``: bumped by every spec change.
    generation: int = attrs.field(default=1, validator=_count("generation"))
    #: The ``deployment.kubernetes.io/revision`` annotation.
    revision: int | None = None
    #: ``status``.
    status: DeploymentStatus = attrs.field(factory=DeploymentStatus)


@attrs.frozen
class ReplicaSet:
    """A ReplicaSet as the deployment controller reads it: spec, status and its annotations.

    Examples
    --------
    >>> rs = ReplicaSet("web-1", template="nginx:1.24", replicas=3, available_replicas=3)
    >>> rs.replicas, rs.available_replicas, rs.revision
    (3, 3, None)
    >>> ReplicaSet("web-1", replicas=-3)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: replicas: must be non-negative (got -3)
    """

    #: ``metadata.name``: ``"web-5d8f7c9b4"``.
    name: str = attrs.field(validator=_name("name"))
    #: The pod template's identity (compared with `Deployment.template`).
    template: str = ""
    #: ``spec.replicas``.
    replicas: int = attrs.field(default=0, validator=_count("replicas"))
    #: ``metadata.creationTimestamp`` in seconds; ties are broken by name.
    created: float = attrs.field(default=0.0, validator=_seconds("created"))
    #: ``status.replicas``: pods that exist and are not terminating.
    status_replicas: int = attrs.field(default=0, validator=_count("status_replicas"))
    #: ``status.readyReplicas``.
    ready_replicas: int = attrs.field(default=0, validator=_count("ready_replicas"))
    #: ``status.availableReplicas``: ready for at least ``minReadySeconds``.
    available_replicas: int = attrs.field(default=0, validator=_count("available_replicas"))
    #: ``status.terminatingReplicas`` (a newer, feature-gated field; ``None`` when not reported).
    #: Recreate waits for these pods to be gone; nothing else counts them.
    terminating_replicas: int | None = attrs.field(
        default=None, validator=_optional_count("terminating_replicas")
    )
    #: The ``deployment.kubernetes.io/revision`` annotation; ``None`` when missing.
    revision: int | None = attrs.field(default=None, validator=_optional_count("revision"))
    #: The ``deployment.kubernetes.io/revision-history`` annotation, oldest first.
    revision_history: tuple[int, ...] = attrs.field(default=(), converter=_ints)
    #: The ``deployment.kubernetes.io/desired-replicas`` annotation; ``None`` when missing.
    desired_replicas: int | None = attrs.field(
        default=None, validator=_optional_count("desired_replicas")
    )
    #: The ``deployment.kubernetes.io/max-replicas`` annotation; ``None`` when missing.
    max_replicas: int | None = attrs.field(default=None, validator=_optional_count("max_replicas"))
    #: ``spec.minReadySeconds``.
    min_ready_seconds: int = attrs.field(default=0, validator=_count("min_ready_seconds"))
    #: ``metadata.generation``.
    generation: int = attrs.field(default=1, validator=_count("generation"))
    #: ``status.observedGeneration``; 0 means the ReplicaSet controller has not seen it yet.
    observed_generation: int = attrs.field(default=1, validator=_count("observed_generation"))
    #: ``metadata.deletionTimestamp`` is set.
    deleting: bool = False
    #: ``status.conditions`` (``ReplicaFailure`` ones are copied onto the Deployment).
    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=_conditions)


def _check_unique_names(
    instance: DeploymentState, attribute: attrs.Attribute[Any], value: tuple[ReplicaSet, ...]
) -> None:
    seen: set[str] = set()
    for rs in value:
        if not isinstance(rs, ReplicaSet):
            raise InvalidValueError("replica_sets", rs, "must hold ReplicaSet records")
        if rs.name in seen:
            raise InvalidValueError("replica_sets", rs.name, "two ReplicaSets have this name")
        seen.add(rs.name)


@attrs.frozen
class DeploymentState:
    """What one controller sync reads: a Deployment, the ReplicaSets it owns, and the time.

    Examples
    --------
    >>> state = DeploymentState(Deployment("web", replicas=2), now=60.0)
    >>> state.replica_sets
    ()
    """

    #: The Deployment.
    deployment: Deployment
    #: Every ReplicaSet the Deployment owns, in any order.
    replica_sets: tuple[ReplicaSet, ...] = attrs.field(
        default=(), converter=_replica_sets, validator=_check_unique_names
    )
    #: The clock: seconds, on the same scale as the records' timestamps.
    now: float = attrs.field(default=0.0, validator=_seconds("now"))


@attrs.frozen
class CreateReplicaSet:
    """The controller created a ReplicaSet (already sized, see ``NewRSNewReplicas``).

    Examples
    --------
    >>> CreateReplicaSet("web-5d8f", "nginx:1.25", 3, 2).replicas
    3
    """

    #: Name of the new ReplicaSet: ``<deployment>-<hash>``.
    name: str
    #: Its pod template.
    template: str
    #: Its initial ``spec.replicas``.
    replicas: int
    #: Its revision.
    revision: int


@attrs.frozen
class ScaleReplicaSet:
    """The controller changed a ReplicaSet's ``spec.replicas``.

    Examples
    --------
    >>> ScaleReplicaSet("web-1", 10, 8).to_replicas
    8
    """

    #: The ReplicaSet.
    name: str
    #: ``spec.replicas`` before.
    from_replicas: int
    #: ``spec.replicas`` after.
    to_replicas: int


@attrs.frozen
class UpdateReplicaSet:
    """The controller updated a ReplicaSet without resizing it (annotations, revision).

    Examples
    --------
    >>> UpdateReplicaSet("web-1", "revision").reason
    'revision'
    """

    #: The ReplicaSet.
    name: str
    #: What changed: ``"revision"``, ``"replica annotations"``, ``"minReadySeconds"``.
    reason: str


@attrs.frozen
class DeleteReplicaSet:
    """The controller deleted an old, empty ReplicaSet (``revisionHistoryLimit``).

    Examples
    --------
    >>> DeleteReplicaSet("web-1").name
    'web-1'
    """

    #: The ReplicaSet.
    name: str


@attrs.frozen
class UpdateStatus:
    """The controller wrote the Deployment's status (the new status is in the returned state).

    Examples
    --------
    >>> UpdateStatus()
    UpdateStatus()
    """


@attrs.frozen
class Requeue:
    """Nothing changed and the rollout is not finished: the controller checks again later.

    Examples
    --------
    >>> Requeue(after=421.0).after
    421.0
    """

    #: Seconds until the next progress check; 0 means now (rate-limited).
    after: float


#: One write (or requeue) made by a controller sync.
Action: TypeAlias = (
    CreateReplicaSet
    | ScaleReplicaSet
    | UpdateReplicaSet
    | DeleteReplicaSet
    | UpdateStatus
    | Requeue
)


@attrs.frozen
class ScaleResult:
    """What a scaling function did: the ReplicaSets afterwards, the writes, and a count.

    Examples
    --------
    >>> r = ScaleResult((ReplicaSet("a", replicas=2),), (ScaleReplicaSet("a", 3, 2),), 1)
    >>> r.scaled, r["a"].replicas
    (True, 2)
    """

    #: The ReplicaSets the function was given, updated, in the order given (a new ReplicaSet
    #: passed as its own argument comes first).
    replica_sets: tuple[ReplicaSet, ...]
    #: The writes, in order.
    actions: tuple[Action, ...]
    #: The function's count: replicas scaled up or down, cleaned up, or ReplicaSets deleted.
    count: int

    @property
    def scaled(self) -> bool:
        """True when some ReplicaSet was resized."""
        return any(isinstance(a, ScaleReplicaSet) for a in self.actions)

    def __getitem__(self, name: str) -> ReplicaSet:
        """The ReplicaSet called ``name``."""
        for rs in self.replica_sets:
            if rs.name == name:
                return rs
        raise KeyError(name)
