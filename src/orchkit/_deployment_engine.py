"""The deployment controller's engine: one sync over mutable mirrors of the records.

This is the single implementation of the controller's rules (``pkg/controller/deployment``:
``sync.go``, ``rolling.go``, ``recreate.go``, ``progress.go`` and ``util/deployment_util.go``).
The public pure functions of `orchkit.rollout` copy records into `RS` and `Dep`,
run the matching function here and copy the result back; the planner keeps the mutable objects
across thousands of syncs and never converts.

Every function mirrors the upstream function named in its docstring; the order of operations, the
sorts and the arithmetic follow upstream exactly (``../shared/spec/rollout.md`` explains each rule).
Two deliberate differences: integer arithmetic is exact where Go uses float64 or overflows int32,
and an upstream error aborts the sync by raising (`AbortError` for a retryable conflict, an
`InvalidValueError` for state the controller refuses).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from orchkit._intstr import MAX_INT32, scaled_value
from orchkit._rollout_types import (
    Action,
    Condition,
    CreateReplicaSet,
    DeleteReplicaSet,
    Deployment,
    DeploymentStatus,
    ReplicaSet,
    Requeue,
    RollingUpdate,
    ScaleReplicaSet,
    UpdateReplicaSet,
    UpdateStatus,
)
from orchkit.errors import InvalidValueError

PROGRESSING = "Progressing"
AVAILABLE = "Available"
REPLICA_FAILURE = "ReplicaFailure"

# Reasons of the Progressing condition (deploymentutil constants).
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"

#: ``maxRevHistoryLengthInChars``: the revision-history annotation is capped at this length.
MAX_REVISION_HISTORY_CHARS = 2000

_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


class AbortError(Exception):
    """Upstream returned an error: the sync stops here and the Deployment is requeued."""


def resolve_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """``ResolveFenceposts``: surge rounds up, unavailable down, both 0 gives unavailable 1."""
    surge = scaled_value(
        0 if max_surge is None else max_surge, desired, round_up=True, field="max_surge"
    )
    unavailable = scaled_value(
        0 if max_unavailable is None else max_unavailable,
        desired,
        round_up=False,
        field="max_unavailable",
    )
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


class RS:
    """Mutable mirror of `ReplicaSet` (same fields, shorter names)."""

    __slots__ = (
        "available",
        "conditions",
        "created",
        "deleting",
        "desired",
        "generation",
        "history",
        "max",
        "min_ready",
        "name",
        "observed",
        "ready",
        "revision",
        "spec",
        "status_replicas",
        "template",
        "terminating",
    )

    def __init__(
        self,
        name: str,
        template: str,
        spec: int,
        created: float,
        *,
        status_replicas: int = 0,
        ready: int = 0,
        available: int = 0,
        terminating: int | None = None,
        revision: int | None = None,
        history: tuple[int, ...] = (),
        desired: int | None = None,
        max: int | None = None,
        min_ready: int = 0,
        generation: int = 1,
        observed: int = 1,
        deleting: bool = False,
        conditions: tuple[Condition, ...] = (),
    ) -> None:
        self.name = name
        self.template = template
        self.spec = spec
        self.created = created
        self.status_replicas = status_replicas
        self.ready = ready
        self.available = available
        self.terminating = terminating
        self.revision = revision
        self.history = history
        self.desired = desired
        self.max = max
        self.min_ready = min_ready
        self.generation = generation
        self.observed = observed
        self.deleting = deleting
        self.conditions = conditions

    @classmethod
    def of(cls, r: ReplicaSet) -> RS:
        """Copy a record."""
        return cls(
            r.name,
            r.template,
            r.replicas,
            r.created,
            status_replicas=r.status_replicas,
            ready=r.ready_replicas,
            available=r.available_replicas,
            terminating=r.terminating_replicas,
            revision=r.revision,
            history=r.revision_history,
            desired=r.desired_replicas,
            max=r.max_replicas,
            min_ready=r.min_ready_seconds,
            generation=r.generation,
            observed=r.observed_generation,
            deleting=r.deleting,
            conditions=r.conditions,
        )

    def record(self) -> ReplicaSet:
        """Copy back to a record."""
        return ReplicaSet(
            self.name,
            template=self.template,
            replicas=self.spec,
            created=self.created,
            status_replicas=self.status_replicas,
            ready_replicas=self.ready,
            available_replicas=self.available,
            terminating_replicas=self.terminating,
            revision=self.revision,
            revision_history=self.history,
            desired_replicas=self.desired,
            max_replicas=self.max,
            min_ready_seconds=self.min_ready,
            generation=self.generation,
            observed_generation=self.observed,
            deleting=self.deleting,
            conditions=self.conditions,
        )


class Status:
    """Mutable mirror of `DeploymentStatus`."""

    __slots__ = (
        "available",
        "collision_count",
        "conditions",
        "observed_generation",
        "ready",
        "replicas",
        "unavailable",
        "updated",
    )

    def __init__(
        self,
        *,
        observed_generation: int = 0,
        replicas: int = 0,
        updated: int = 0,
        ready: int = 0,
        available: int = 0,
        unavailable: int = 0,
        collision_count: int = 0,
        conditions: Iterable[Condition] = (),
    ) -> None:
        self.observed_generation = observed_generation
        self.replicas = replicas
        self.updated = updated
        self.ready = ready
        self.available = available
        self.unavailable = unavailable
        self.collision_count = collision_count
        self.conditions = list(conditions)

    @classmethod
    def of(cls, s: DeploymentStatus) -> Status:
        """Copy a record."""
        return cls(
            observed_generation=s.observed_generation,
            replicas=s.replicas,
            updated=s.updated_replicas,
            ready=s.ready_replicas,
            available=s.available_replicas,
            unavailable=s.unavailable_replicas,
            collision_count=s.collision_count,
            conditions=s.conditions,
        )

    def record(self) -> DeploymentStatus:
        """Copy back to a record."""
        return DeploymentStatus(
            observed_generation=self.observed_generation,
            replicas=self.replicas,
            updated_replicas=self.updated,
            ready_replicas=self.ready,
            available_replicas=self.available,
            unavailable_replicas=self.unavailable,
            collision_count=self.collision_count,
            conditions=tuple(self.conditions),
        )

    def key(self) -> tuple[object, ...]:
        """Everything, for ``reflect.DeepEqual``."""
        return (
            self.observed_generation,
            self.replicas,
            self.updated,
            self.ready,
            self.available,
            self.unavailable,
            self.collision_count,
            tuple(self.conditions),
        )

    def condition(self, type: str) -> Condition | None:
        """``GetDeploymentCondition``."""
        for cond in self.conditions:
            if cond.type == type:
                return cond
        return None


class Dep:
    """Mutable mirror of `Deployment`, with the resolved fenceposts."""

    __slots__ = (
        "deadline",
        "generation",
        "history_limit",
        "max_surge_raw",
        "max_unavailable_raw",
        "min_ready",
        "name",
        "paused",
        "replicas",
        "revision",
        "rolling",
        "status",
        "surge",
        "template",
        "unavailable",
    )

    def __init__(self, d: Deployment) -> None:
        self.name = d.name
        self.template = d.template
        self.rolling = isinstance(d.strategy, RollingUpdate)
        strategy = d.strategy
        self.max_surge_raw: int | str = (
            strategy.max_surge if isinstance(strategy, RollingUpdate) else 0
        )
        self.max_unavailable_raw: int | str = (
            strategy.max_unavailable if isinstance(strategy, RollingUpdate) else 0
        )
        self.min_ready = d.min_ready_seconds
        self.history_limit = d.revision_history_limit
        self.deadline = d.progress_deadline_seconds
        self.paused = d.paused
        self.generation = d.generation
        self.revision = d.revision
        self.status = Status.of(d.status)
        self.surge = 0
        self.unavailable = 0
        self.set_replicas(d.replicas)

    def set_replicas(self, replicas: int) -> None:
        """Change ``spec.replicas`` and re-resolve ``MaxSurge`` and ``MaxUnavailable``."""
        self.replicas = replicas
        if not self.rolling:
            self.surge = self.unavailable = 0
            return
        surge, unavailable = resolve_fenceposts(
            self.max_surge_raw, self.max_unavailable_raw, replicas
        )
        self.surge = surge
        self.unavailable = 0 if replicas == 0 else min(unavailable, replicas)

    def record(self, strategy: object) -> Deployment:
        """Copy back to a record (``strategy`` is the original record's, unchanged)."""
        return Deployment(
            self.name,
            replicas=self.replicas,
            template=self.template,
            strategy=strategy,  # type: ignore[arg-type]
            min_ready_seconds=self.min_ready,
            revision_history_limit=self.history_limit,
            progress_deadline_seconds=self.deadline,
            paused=self.paused,
            generation=self.generation,
            revision=self.revision,
            status=self.status.record(),
        )


# ---------------------------------------------------------------------------------------------
# Small utilities (deploymentutil).


def by_creation(rs: RS) -> tuple[float, str]:
    """``ReplicaSetsByCreationTimestamp``: oldest first, ties by name."""
    return (rs.created, rs.name)


def _by_revision(a: RS, b: RS) -> int:
    """``ReplicaSetsByRevision``: by revision, falling back to creation when one is missing."""
    if a.revision is None or b.revision is None or a.revision == b.revision:
        ka, kb = by_creation(a), by_creation(b)
        return -1 if ka < kb else (1 if kb < ka else 0)
    return -1 if a.revision < b.revision else 1


def has_deadline(d: Dep) -> bool:
    """``HasProgressDeadline``: set and not MaxInt32."""
    return d.deadline is not None and d.deadline != MAX_INT32


def has_history_limit(d: Dep) -> bool:
    """``HasRevisionHistoryLimit``: set and not MaxInt32."""
    return d.history_limit is not None and d.history_limit != MAX_INT32


def set_condition(status: Status, cond: Condition) -> None:
    """``SetDeploymentCondition``: no-op on equal status and reason; keeps the transition time."""
    current = status.condition(cond.type)
    if current is not None and current.status == cond.status and current.reason == cond.reason:
        return
    if current is not None and current.status == cond.status:
        cond = Condition(
            cond.type,
            cond.status,
            cond.reason,
            cond.message,
            cond.last_update_time,
            current.last_transition_time,
        )
    status.conditions = [c for c in status.conditions if c.type != cond.type]
    status.conditions.append(cond)


def remove_condition(status: Status, type: str) -> None:
    """``RemoveDeploymentCondition``."""
    status.conditions = [c for c in status.conditions if c.type != type]


def template_hash(template: str, collision_count: int) -> str:
    """``controller.ComputeHash``: FNV-1a (32 bit) of the template, encoded with safe letters."""
    h = 0x811C9DC5
    data = template.encode("utf-8")
    if collision_count:
        data += (collision_count & 0xFFFFFFFF).to_bytes(8, "little")
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE_ALPHABET[ord(ch) % len(_SAFE_ALPHABET)] for ch in str(h))


def spec_sum(rss: Iterable[RS | None]) -> int:
    """``GetReplicaCountForReplicaSets``."""
    return sum(rs.spec for rs in rss if rs is not None)


def deployment_complete(d: Dep, status: Status) -> bool:
    """``DeploymentComplete``: every replica updated, existing and available; generation seen."""
    return (
        status.updated == d.replicas
        and status.replicas == d.replicas
        and status.available == d.replicas
        and status.observed_generation >= d.generation
    )


def deployment_progressing(old: Status, new: Status) -> bool:
    """``DeploymentProgressing``: more updated, fewer old, more ready or more available pods."""
    return (
        new.updated > old.updated
        or (new.replicas - new.updated) < (old.replicas - old.updated)
        or new.ready > old.ready
        or new.available > old.available
    )


def deployment_timed_out(d: Dep, status: Status, now: float) -> bool:
    """``DeploymentTimedOut``: the Progressing condition is older than the deadline."""
    if not has_deadline(d):
        return False
    cond = status.condition(PROGRESSING)
    if cond is None or cond.reason == NEW_RS_AVAILABLE:
        return False
    if cond.reason == TIMED_OUT:
        return True
    assert d.deadline is not None
    return cond.last_update_time + d.deadline < now


# ---------------------------------------------------------------------------------------------
# Scaling primitives (sync.go, rolling.go).


def scale_rs(rs: RS, size: int, d: Dep, actions: list[Action]) -> bool:
    """``scaleReplicaSet``: write size and replica annotations when either is stale."""
    size_changed = rs.spec != size
    desired, maximum = d.replicas, d.replicas + d.surge
    if size_changed or rs.desired != desired or rs.max != maximum:
        before = rs.spec
        rs.spec = size
        rs.desired = desired
        rs.max = maximum
        if size_changed:
            rs.generation += 1
            actions.append(ScaleReplicaSet(rs.name, before, size))
            return True
        actions.append(UpdateReplicaSet(rs.name, "replica annotations"))
    return False


def scale_rs_and_record(rs: RS, size: int, d: Dep, actions: list[Action]) -> bool:
    """``scaleReplicaSetAndRecordEvent``: nothing at all when the size is already right."""
    if rs.spec == size:
        return False
    return scale_rs(rs, size, d, actions)


def new_rs_new_replicas(d: Dep, all_rss: Iterable[RS | None], new: RS) -> int:
    """``NewRSNewReplicas``: the new ReplicaSet's next size."""
    if not d.rolling:
        return d.replicas
    current = spec_sum(all_rss)
    max_total = d.replicas + scaled_value(d.max_surge_raw, d.replicas, round_up=True)
    if current >= max_total:
        return new.spec
    return new.spec + min(max_total - current, d.replicas - new.spec)


def reconcile_new(all_rss: list[RS | None], new: RS, d: Dep, actions: list[Action]) -> bool:
    """``reconcileNewReplicaSet``: scale the new ReplicaSet up within the surge, or cut it down."""
    if new.spec == d.replicas:
        return False
    if new.spec > d.replicas:
        return scale_rs_and_record(new, d.replicas, d, actions)
    return scale_rs_and_record(new, new_rs_new_replicas(d, all_rss, new), d, actions)


def cleanup_unhealthy(olds: list[RS], d: Dep, max_cleanup: int, actions: list[Action]) -> int:
    """``cleanupUnhealthyReplicas``: drop unavailable old replicas, oldest ReplicaSet first."""
    olds.sort(key=by_creation)
    total = 0
    for rs in olds:
        if total >= max_cleanup:
            break
        if rs.spec in (0, rs.available):
            continue
        count = min(max_cleanup - total, rs.spec - rs.available)
        if count < 0:
            field = f"replica_sets[{rs.name!r}].available_replicas"
            reason = (
                f"exceeds spec.replicas {rs.spec}; the controller refuses to clean up "
                "unhealthy replicas until the ReplicaSet's status catches up"
            )
            raise InvalidValueError(field, rs.available, reason)
        scale_rs_and_record(rs, rs.spec - count, d, actions)
        total += count
    return total


def scale_down_old(all_rss: list[RS | None], olds: list[RS], d: Dep, actions: list[Action]) -> int:
    """``scaleDownOldReplicaSetsForRollingUpdate``: cut the availability surplus, oldest first."""
    min_available = d.replicas - d.unavailable
    available = sum(rs.available for rs in all_rss if rs is not None)
    if available <= min_available:
        return 0
    olds.sort(key=by_creation)
    target = available - min_available
    total = 0
    for rs in olds:
        if total >= target:
            break
        if rs.spec == 0:
            continue
        count = min(rs.spec, target - total)
        scale_rs_and_record(rs, rs.spec - count, d, actions)
        total += count
    return total


def reconcile_old(
    all_rss: list[RS | None], olds: list[RS], new: RS | None, d: Dep, actions: list[Action]
) -> tuple[int, int]:
    """``reconcileOldReplicaSets``: clean up, then scale down; returns both counts."""
    if spec_sum(olds) == 0:
        return 0, 0
    all_pods = spec_sum(all_rss)
    min_available = d.replicas - d.unavailable
    new_unavailable = 0 if new is None else new.spec - new.available
    max_scaled_down = all_pods - min_available - new_unavailable
    if max_scaled_down <= 0:
        return 0, 0
    cleaned = cleanup_unhealthy(olds, d, max_scaled_down, actions)
    scaled = scale_down_old([*olds, new], olds, d, actions)
    return cleaned, scaled


def replica_set_fraction(rs: RS, d: Dep) -> int:
    """``getReplicaSetFraction``: ``round(spec * (replicas + surge) / max-replicas) - spec``."""
    if d.replicas == 0:
        return -rs.spec
    deployment_max = d.replicas + d.surge
    before = rs.max
    if before is None or before == 0:
        before = d.status.replicas
        if before == 0:
            return 0
    # Go's math.Round on a float64: halves away from zero; exact here (both factors >= 0).
    numerator = rs.spec * deployment_max
    return (2 * numerator + before) // (2 * before) - rs.spec


def proportion(rs: RS, d: Dep, to_add: int, added: int) -> int:
    """``GetProportion``: the fraction, clamped to what is left to add or remove."""
    if rs.spec == 0 or to_add in (0, added):
        return 0
    fraction = replica_set_fraction(rs, d)
    allowed = to_add - added
    if to_add > 0:
        return min(fraction, allowed)
    return max(fraction, allowed)


def is_saturated(d: Dep, rs: RS | None) -> bool:
    """``IsSaturated``: the new ReplicaSet has all replicas, annotated, and all available."""
    if rs is None or rs.desired is None:
        return False
    return rs.spec == d.replicas and rs.desired == d.replicas and rs.available == d.replicas


def find_active_or_latest(new: RS | None, olds: list[RS]) -> RS | None:
    """``FindActiveOrLatest`` (sorts ``olds`` newest first in place, as upstream does)."""
    if new is None and not olds:
        return None
    olds.sort(key=by_creation, reverse=True)
    candidates = [*olds, new] if new is not None else list(olds)
    active = [rs for rs in candidates if rs.spec > 0]
    if not active:
        return new if new is not None else olds[0]
    if len(active) == 1:
        return active[0]
    return None


def scale(d: Dep, new: RS | None, olds: list[RS], actions: list[Action]) -> None:
    """``scale``: resize for a replica change, proportionally across active ReplicaSets."""
    target = find_active_or_latest(new, olds)
    if target is not None:
        if target.spec != d.replicas:
            scale_rs_and_record(target, d.replicas, d, actions)
        return
    if is_saturated(d, new):
        for rs in olds:
            if rs.spec > 0:
                scale_rs_and_record(rs, 0, d, actions)
        return
    if not d.rolling:
        return
    active = [rs for rs in ([*olds, new] if new is not None else olds) if rs.spec > 0]
    allowed = d.replicas + d.surge if d.replicas > 0 else 0
    to_add = allowed - spec_sum(active)
    if to_add > 0:
        # ReplicaSetsBySizeNewer: larger first, ties newer first.
        active.sort(key=by_creation, reverse=True)
        active.sort(key=lambda rs: -rs.spec)
    elif to_add < 0:
        # ReplicaSetsBySizeOlder: larger first, ties older first.
        active.sort(key=by_creation)
        active.sort(key=lambda rs: -rs.spec)
    added = 0
    sizes: list[int] = []
    for rs in active:
        if to_add != 0:
            share = proportion(rs, d, to_add, added)
            sizes.append(rs.spec + share)
            added += share
        else:
            sizes.append(rs.spec)
    for i, rs in enumerate(active):
        size = sizes[i]
        if i == 0 and to_add != 0:
            size = max(0, size + to_add - added)
        scale_rs(rs, size, d, actions)


# ---------------------------------------------------------------------------------------------
# Revisions and the new ReplicaSet (sync.go getNewReplicaSet).


def _append_history(rs: RS, old_revision: int) -> None:
    """Append to ``revision-history``, dropping the oldest entries beyond 2000 characters."""
    if not rs.history:
        rs.history = (old_revision,)
        return
    parts = [str(r) for r in rs.history]
    total = len(",".join(parts)) + len(str(old_revision)) + 1
    start = 0
    while total > MAX_REVISION_HISTORY_CHARS and start < len(parts):
        total -= len(parts[start]) + 1
        start += 1
    if total <= MAX_REVISION_HISTORY_CHARS:
        rs.history = (*rs.history[start:], old_revision)


def set_new_rs_annotations(rs: RS, new_revision: int, exists: bool, d: Dep) -> bool:
    """``SetNewReplicaSetAnnotations``: bump the revision (keeping history); annotate when new."""
    changed = False
    had_revision = rs.revision is not None
    old_revision = rs.revision or 0
    if old_revision < new_revision:
        rs.revision = new_revision
        changed = True
        if had_revision:
            _append_history(rs, old_revision)
    if not exists:
        desired, maximum = d.replicas, d.replicas + d.surge
        if rs.desired != desired or rs.max != maximum:
            rs.desired, rs.max = desired, maximum
            changed = True
    return changed


def _condition(type: str, status: str, reason: str, message: str, now: float) -> Condition:
    return Condition(type, status, reason, message, now, now)  # type: ignore[arg-type]


def get_all(
    d: Dep, rss: list[RS], create: bool, now: float, actions: list[Action]
) -> tuple[RS | None, list[RS]]:
    """``getAllReplicaSetsAndSyncRevision``: find (or create) the new ReplicaSet; the old ones."""
    ordered = sorted(rss, key=by_creation)
    new = next((rs for rs in ordered if rs.template == d.template), None)
    olds = [rs for rs in ordered if rs is not new]
    new_revision = max((rs.revision for rs in olds if rs.revision is not None), default=0) + 1
    if new is not None:
        changed = set_new_rs_annotations(new, new_revision, True, d)
        if changed or new.min_ready != d.min_ready:
            if new.min_ready != d.min_ready:
                new.min_ready = d.min_ready
                new.generation += 1
            actions.append(UpdateReplicaSet(new.name, "revision" if changed else "minReadySeconds"))
            return new, olds
        needs_update = d.revision != new.revision
        d.revision = new.revision
        if has_deadline(d) and d.status.condition(PROGRESSING) is None:
            message = f'Found new replica set "{new.name}"'
            set_condition(d.status, _condition(PROGRESSING, "True", FOUND_NEW_RS, message, now))
            needs_update = True
        if needs_update:
            actions.append(UpdateStatus())
        return new, olds
    if not create:
        return None, olds
    name = f"{d.name}-{template_hash(d.template, d.status.collision_count)}"
    if any(rs.name == name for rs in rss):
        # A ReplicaSet with this name but another template: a hash collision.
        d.status.collision_count += 1
        actions.append(UpdateStatus())
        raise AbortError(name)
    new = RS(name, d.template, 0, now, min_ready=d.min_ready, observed=0)
    new.spec = new_rs_new_replicas(d, [*olds, new], new)
    set_new_rs_annotations(new, new_revision, False, d)
    rss.append(new)
    actions.append(CreateReplicaSet(name, d.template, new.spec, new_revision))
    needs_update = d.revision != new_revision
    d.revision = new_revision
    if has_deadline(d):
        message = f'Created new replica set "{name}"'
        set_condition(d.status, _condition(PROGRESSING, "True", NEW_RS_CREATED, message, now))
        needs_update = True
    if needs_update:
        actions.append(UpdateStatus())
    return new, olds


# ---------------------------------------------------------------------------------------------
# Status (sync.go calculateStatus, syncDeploymentStatus; progress.go).


def calculate_status(
    all_rss: list[RS | None], new: RS | None, d: Dep, spec_total: int, now: float
) -> Status:
    """``calculateStatus``: sums over the ReplicaSets and the ``Available`` condition."""
    present = [rs for rs in all_rss if rs is not None]
    available = sum(rs.available for rs in present)
    status = Status(
        observed_generation=d.generation,
        replicas=sum(rs.status_replicas for rs in present),
        updated=0 if new is None else new.status_replicas,
        ready=sum(rs.ready for rs in present),
        available=available,
        unavailable=max(0, spec_total - available),
        collision_count=d.status.collision_count,
        conditions=d.status.conditions,
    )
    ok = available >= d.replicas - d.unavailable
    current = status.condition(AVAILABLE)
    wanted = ("True", MIN_AVAILABLE) if ok else ("False", MIN_UNAVAILABLE)
    if current is not None and (current.status, current.reason) == wanted:
        return status  # SetDeploymentCondition would change nothing
    if ok:
        cond = _condition(
            AVAILABLE, "True", MIN_AVAILABLE, "Deployment has minimum availability.", now
        )
    else:
        message = "Deployment does not have minimum availability."
        cond = _condition(AVAILABLE, "False", MIN_UNAVAILABLE, message, now)
    set_condition(status, cond)
    return status


def sync_deployment_status(
    d: Dep,
    all_rss: list[RS | None],
    new: RS | None,
    *,
    spec_total: int,
    now: float,
    actions: list[Action],
) -> None:
    """``syncDeploymentStatus``: write the status if it changed (no progress estimation)."""
    status = calculate_status(all_rss, new, d, spec_total, now)
    if status.key() != d.status.key():
        d.status = status
        actions.append(UpdateStatus())


def _replica_failures(all_rss: list[RS | None], new: RS | None) -> list[Condition]:
    """``getReplicaFailures``: the new ReplicaSet's failures win over the old ones'."""

    def failures(rs: RS) -> list[Condition]:
        return [
            Condition(
                REPLICA_FAILURE,
                c.status,
                c.reason,
                c.message,
                c.last_transition_time,
                c.last_transition_time,
            )
            for c in rs.conditions
            if c.type == REPLICA_FAILURE
        ]

    if new is not None:
        found = failures(new)
        if found:
            return found
    return [c for rs in all_rss if rs is not None for c in failures(rs)]


def requeue_after(d: Dep, status: Status, now: float) -> float | None:
    """``requeueStuckDeployment``: when to check the deadline again; ``None`` for never."""
    current = d.status.condition(PROGRESSING)
    if not has_deadline(d) or current is None:
        return None
    if deployment_complete(d, status) or current.reason == TIMED_OUT:
        return None
    assert d.deadline is not None
    after = current.last_update_time + d.deadline - now
    if after < 1:
        return 0.0
    return after + 1


def sync_rollout_status(
    d: Dep,
    all_rss: list[RS | None],
    new: RS | None,
    *,
    spec_total: int,
    now: float,
    actions: list[Action],
) -> None:
    """``syncRolloutStatus``: the status plus the ``Progressing`` condition and its deadline."""
    status = calculate_status(all_rss, new, d, spec_total, now)
    if not has_deadline(d):
        remove_condition(status, PROGRESSING)
    current = d.status.condition(PROGRESSING)
    is_complete = (
        status.replicas == status.updated
        and current is not None
        and current.reason == NEW_RS_AVAILABLE
    )
    subject = f'ReplicaSet "{new.name}"' if new is not None else f'Deployment "{d.name}"'
    if has_deadline(d) and not is_complete:
        if deployment_complete(d, status):
            message = f"{subject} has successfully progressed."
            set_condition(status, _condition(PROGRESSING, "True", NEW_RS_AVAILABLE, message, now))
        elif deployment_progressing(d.status, status):
            message = f"{subject} is progressing."
            cond = _condition(PROGRESSING, "True", RS_UPDATED, message, now)
            if current is not None:
                if current.status == "True":
                    cond = Condition(
                        PROGRESSING, "True", RS_UPDATED, message, now, current.last_transition_time
                    )
                remove_condition(status, PROGRESSING)
            set_condition(status, cond)
        elif deployment_timed_out(d, status, now):
            message = f"{subject} has timed out progressing."
            set_condition(status, _condition(PROGRESSING, "False", TIMED_OUT, message, now))
    failures = _replica_failures(all_rss, new)
    if failures:
        set_condition(status, failures[0])
    else:
        remove_condition(status, REPLICA_FAILURE)
    if status.key() == d.status.key():
        after = requeue_after(d, status, now)
        if after is not None:
            actions.append(Requeue(after))
        return
    d.status = status
    actions.append(UpdateStatus())


def check_paused_conditions(d: Dep, now: float) -> bool:
    """``checkPausedConditions``: Progressing=Unknown on pause and on resume."""
    if not has_deadline(d):
        return False
    cond = d.status.condition(PROGRESSING)
    if cond is not None and cond.reason == TIMED_OUT:
        return False
    paused_cond = cond is not None and cond.reason == PAUSED
    if d.paused and not paused_cond:
        set_condition(
            d.status, _condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", now)
        )
        return True
    if not d.paused and paused_cond:
        set_condition(
            d.status, _condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", now)
        )
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Cleanup (sync.go cleanupDeployment).


def cleanup_deployment(d: Dep, olds: list[RS], rss: list[RS], actions: list[Action]) -> int:
    """``cleanupDeployment``: delete the oldest empty ReplicaSets beyond the history limit."""
    if not has_history_limit(d):
        return 0
    assert d.history_limit is not None
    alive = [rs for rs in olds if not rs.deleting]
    diff = len(alive) - d.history_limit
    if diff <= 0:
        return 0
    alive.sort(key=functools.cmp_to_key(_by_revision))
    deleted = 0
    for rs in alive[:diff]:
        if rs.status_replicas != 0 or rs.spec != 0 or rs.generation > rs.observed or rs.deleting:
            continue
        rss.remove(rs)
        actions.append(DeleteReplicaSet(rs.name))
        deleted += 1
    return deleted


# ---------------------------------------------------------------------------------------------
# The sync entry points.


def _status_inputs(new: RS | None, olds: list[RS]) -> tuple[list[RS | None], int]:
    """The ReplicaSets the status is computed from, and their spec sum *before* this sync scales.

    Upstream computes the status from the ReplicaSet objects it read at the start of the sync
    (scaling returns new objects that are not put back), so ``unavailableReplicas`` lags.
    """
    all_rss: list[RS | None] = [*olds, new]
    return all_rss, spec_sum(all_rss)


def sync_scaling(d: Dep, rss: list[RS], now: float, actions: list[Action]) -> None:
    """``sync``: scaling events and paused Deployments; never creates a ReplicaSet."""
    new, olds = get_all(d, rss, False, now, actions)
    all_rss, spec_total = _status_inputs(new, olds)
    scale(d, new, olds, actions)
    if d.paused:
        cleanup_deployment(d, olds, rss, actions)
    sync_deployment_status(d, all_rss, new, spec_total=spec_total, now=now, actions=actions)


def is_scaling_event(d: Dep, rss: list[RS], now: float, actions: list[Action]) -> bool:
    """``isScalingEvent``: an active ReplicaSet annotated with another desired size."""
    new, olds = get_all(d, rss, False, now, actions)
    for rs in [*olds, new]:
        if rs is None or rs.spec == 0 or rs.desired is None:
            continue
        if rs.desired != d.replicas:
            return True
    return False


def rollout_rolling(d: Dep, rss: list[RS], now: float, actions: list[Action]) -> None:
    """``rolloutRolling``: create, then scale up *or* scale down, then status."""
    new, olds = get_all(d, rss, True, now, actions)
    assert new is not None
    all_rss, spec_total = _status_inputs(new, olds)
    if reconcile_new(all_rss, new, d, actions):
        sync_rollout_status(d, all_rss, new, spec_total=spec_total, now=now, actions=actions)
        return
    active = [rs for rs in olds if rs.spec > 0]
    cleaned, scaled = reconcile_old(all_rss, active, new, d, actions)
    if cleaned + scaled > 0:
        sync_rollout_status(d, all_rss, new, spec_total=spec_total, now=now, actions=actions)
        return
    if deployment_complete(d, d.status):
        cleanup_deployment(d, olds, rss, actions)
    sync_rollout_status(d, all_rss, new, spec_total=spec_total, now=now, actions=actions)


def old_pods_running(olds: list[RS]) -> bool:
    """``oldPodsRunning``: old pods exist, counting terminating ones (the pod map)."""
    return any(rs.status_replicas > 0 or (rs.terminating or 0) > 0 for rs in olds)


def rollout_recreate(d: Dep, rss: list[RS], now: float, actions: list[Action]) -> None:
    """``rolloutRecreate``: scale every old ReplicaSet to 0, wait for its pods, then create."""
    new, olds = get_all(d, rss, False, now, actions)
    all_rss, spec_total = _status_inputs(new, olds)
    scaled_down = False
    for rs in olds:
        if rs.spec > 0 and scale_rs_and_record(rs, 0, d, actions):
            scaled_down = True
    if scaled_down or old_pods_running(olds):
        sync_rollout_status(d, all_rss, new, spec_total=spec_total, now=now, actions=actions)
        return
    if new is None:
        new, olds = get_all(d, rss, True, now, actions)
        assert new is not None
        all_rss, spec_total = _status_inputs(new, olds)
    scale_rs_and_record(new, d.replicas, d, actions)
    if deployment_complete(d, d.status):
        cleanup_deployment(d, olds, rss, actions)
    sync_rollout_status(d, all_rss, new, spec_total=spec_total, now=now, actions=actions)


def run_sync(d: Dep, rss: list[RS], now: float) -> tuple[list[Action], bool]:
    """``syncDeployment`` for one Deployment, mutating ``d`` and ``rss``.

    Returns the writes, and whether the sync took the scaling path (paused, or a scaling
    event), where availability is not protected.
    """
    actions: list[Action] = []
    scaling = False
    try:
        if check_paused_conditions(d, now):
            actions.append(UpdateStatus())
        if d.paused or is_scaling_event(d, rss, now, actions):
            scaling = True
            sync_scaling(d, rss, now, actions)
        elif d.rolling:
            rollout_rolling(d, rss, now, actions)
        else:
            rollout_recreate(d, rss, now, actions)
    except AbortError:
        pass
    return actions, scaling
