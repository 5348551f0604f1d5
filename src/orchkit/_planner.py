"""The rollout planner: the deployment controller's engine plus a model of pods becoming ready.

`plan_rollout` keeps the engine's mutable ReplicaSets across syncs and plays the ReplicaSet
controller and the kubelet between them: pods a sync asks for appear at once and become ready
``ready_after`` seconds later (available ``minReadySeconds`` after that); pods a sync removes
disappear at once, unready ones first. The controller syncs again as soon as it wrote something,
otherwise at the next pod event or the progress-deadline check.

Private module: `orchkit.rollout` re-exports the public names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import attrs

from orchkit import _deployment_engine as engine
from orchkit._intstr import MAX_INT32, check_count
from orchkit._rollout_types import (
    Action,
    Condition,
    CreateReplicaSet,
    Deployment,
    DeploymentStatus,
    Recreate,
    ReplicaSet,
    Requeue,
    RollingUpdate,
    ScaleReplicaSet,
)
from orchkit.errors import InvalidValueError

__all__ = ["Rescale", "RolloutPlan", "RolloutStep", "Schedulable", "check_plan", "plan_kubernetes"]

#: The template the planner's Deployment rolls out unless told otherwise; a ``start`` ReplicaSet
#: with the rolled-out template is the new one.
NEW_TEMPLATE = "new"
_INF = math.inf


@attrs.frozen
class Rescale:
    """A change of ``spec.replicas`` in the middle of a rollout (an HPA, a ``kubectl scale``).

    Parameters
    ----------
    after_step
        The change is made once the plan has this many steps (0: before the first sync, i.e.
        together with the template change); if the rollout finishes earlier, right after it.
    replicas
        The new ``spec.replicas``.

    Examples
    --------
    >>> Rescale(after_step=2, replicas=20)
    Rescale(after_step=2, replicas=20)
    """

    #: Steps planned before the change.
    after_step: int = attrs.field(validator=lambda _i, _a, v: check_count("after_step", v))
    #: The new ``spec.replicas``.
    replicas: int = attrs.field(validator=lambda _i, _a, v: check_count("replicas", v))


def _describe(action: Action) -> str:
    if isinstance(action, CreateReplicaSet):
        return f"create {action.name} at {action.replicas}"
    if isinstance(action, ScaleReplicaSet):
        return f"scale {action.name} {action.from_replicas}->{action.to_replicas}"
    return type(action).__name__


@attrs.frozen
class RolloutStep:
    """One controller sync that changed the pods: who has how many replicas right after it.

    The counts are ``spec.replicas``: the pods that exist (or are being created) once the sync
    acted. A capacity check places ``old_replicas`` pods of the old template(s) and
    ``new_replicas`` pods of the new one.

    Examples
    --------
    >>> step = RolloutStep(1, 0.0, 10, 5, 10, 5, 10)
    >>> step.total, step.old_replicas
    (15, 5)
    """

    #: 1-based position in the plan.
    number: int
    #: Seconds since the rollout started.
    time: float
    #: ``spec.replicas`` of the Deployment when the sync ran.
    replicas: int
    #: Replicas of the old ReplicaSets (or old-version pods) right after the sync.
    old_replicas: int
    #: Replicas of the new ReplicaSet (or new-version pods) right after the sync.
    new_replicas: int
    #: Pods available right after the sync acted (new pods are not available yet): the low point.
    available: int
    #: Pods available when the sync started.
    available_before: int
    #: Each old ReplicaSet's replicas, oldest first (several when the rollout started mid-way).
    old_sizes: tuple[int, ...] = ()
    #: The writes that changed the pods.
    actions: tuple[Action, ...] = ()
    #: What happened, in words, for strategies without ReplicaSet actions.
    note: str = ""
    #: The sync handled a change of ``replicas`` (proportional scaling), which resizes
    #: ReplicaSets without regard to availability.
    scaling_event: bool = False
    #: The largest sum of replicas while the sync acted, when above ``total``: the controller
    #: creates or scales up the new ReplicaSet before it scales old ones down (the pods it
    #: creates wait as Pending until room frees up). ``None`` when it never exceeded ``total``.
    peak_total: int | None = None
    #: New pods the cluster cannot schedule right after the sync (they stay Pending); only with
    #: a ``schedulable`` capacity model.
    pending: int = 0

    @property
    def total(self) -> int:
        """Old plus new replicas: the pods that must fit on the cluster."""
        return self.old_replicas + self.new_replicas

    def describe(self) -> str:
        """The actions (or the note) in words.

        Returns
        -------
        str
            ``"create web-xyz at 10; scale web-old 10->5"``.

        Examples
        --------
        >>> from orchkit.rollout import ScaleReplicaSet
        >>> RolloutStep(1, 0.0, 10, 5, 0, 5, 10, actions=(ScaleReplicaSet("a", 10, 5),)).describe()
        'scale a 10->5'
        """
        words = "; ".join(_describe(a) for a in self.actions)
        if self.note:
            return f"{words}; {self.note}" if words else self.note
        return words


Outcome = Literal["complete", "stalled"]


@attrs.frozen
class RolloutPlan:
    """A rollout, sync by sync, and how it ends.

    Examples
    --------
    >>> from orchkit.rollout import plan_rollout, RollingUpdate
    >>> plan = plan_rollout(10, RollingUpdate(max_surge=10, max_unavailable=5))
    >>> [(s.old_replicas, s.new_replicas, s.available) for s in plan.steps]
    [(5, 10, 5), (0, 10, 10)]
    >>> plan.outcome, plan.peak_pods, plan.lowest_available
    ('complete', 20, 5)
    """

    #: The strategy planned.
    strategy: Any
    #: ``spec.replicas`` at the end (after a `Rescale`, the new value).
    replicas: int
    #: Pods allowed above ``replicas`` (resolved: ``maxSurge``, ECS ``maximumPercent`` ...).
    max_surge: int
    #: Replicas allowed to be unavailable (resolved).
    max_unavailable: int
    #: The availability floor the strategy keeps: ``replicas - max_unavailable``.
    min_available: int
    #: The most pods the strategy allows at once.
    max_pods: int
    #: One entry per sync that changed the pods.
    steps: tuple[RolloutStep, ...]
    #: ``"complete"`` (every replica new and available) or ``"stalled"`` (nothing can change).
    outcome: Outcome
    #: Why the plan ends as it does, in a sentence.
    reason: str
    #: Seconds until complete; ``None`` when stalled.
    completed_at: float | None = None
    #: Seconds until the Deployment's ``Progressing`` condition says ``ProgressDeadlineExceeded``;
    #: ``None`` if it never does (no deadline, or progress in time).
    deadline_exceeded_at: float | None = None
    #: Controller syncs simulated, including those that changed nothing.
    syncs: int = 0
    #: Pods available before the first sync.
    initial_available: int = 0
    #: Old replicas left when the rollout is done: 0, except under a StatefulSet partition.
    final_old: int = 0

    @property
    def peak_pods(self) -> int:
        """The most pods (old plus new replicas) at any point, within a sync included."""
        return max((max(s.total, s.peak_total or 0) for s in self.steps), default=0)

    @property
    def lowest_available(self) -> int:
        """The fewest available pods right after any step."""
        return min((s.available for s in self.steps), default=self.initial_available)

    def to_dict(self) -> dict[str, Any]:
        """The plan as plain data (for JSON or YAML).

        Returns
        -------
        dict
            Strategy, resolved bounds, outcome and the steps.

        Examples
        --------
        >>> from orchkit.rollout import plan_rollout
        >>> step = plan_rollout(2).to_dict()["steps"][0]
        >>> step["old"], step["new"], step["available"], step["actions"]
        (2, 1, 2, ['create app-... at 1'])
        """
        return {
            "strategy": strategy_dict(self.strategy),
            "replicas": self.replicas,
            "maxSurge": self.max_surge,
            "maxUnavailable": self.max_unavailable,
            "minAvailable": self.min_available,
            "maxPods": self.max_pods,
            "outcome": self.outcome,
            "reason": self.reason,
            "completedAt": self.completed_at,
            "deadlineExceededAt": self.deadline_exceeded_at,
            "steps": [
                {
                    "step": s.number,
                    "time": s.time,
                    "old": s.old_replicas,
                    "new": s.new_replicas,
                    "available": s.available,
                    "actions": [s.describe()] if s.describe() else [],
                }
                for s in self.steps
            ],
        }

    def format_table(self, *, markdown: bool = False) -> str:
        """The step table, as text or as a Markdown table.

        Parameters
        ----------
        markdown
            Emit a Markdown table instead of aligned columns.

        Returns
        -------
        str
            One row per step: old, new, total and available replicas, and what changed; a time
            column when pods take time to become ready.

        Examples
        --------
        >>> from orchkit.rollout import plan_rollout, RollingUpdate
        >>> print(plan_rollout(3, RollingUpdate(0, 1), name="web").format_table())
        step  old  new  total  available  what changed
           1    2    0      2          2  create web-... at 0; scale web-old 3->2
           2    2    1      3          2  scale web-... 0->1
           3    1    1      2          2  scale web-old 2->1
           4    1    2      3          2  scale web-... 1->2
           5    0    2      2          2  scale web-old 1->0
           6    0    3      3          2  scale web-... 2->3
        """
        timed = any(s.time for s in self.steps)
        header = ["step", *(["time"] if timed else []), "old", "new", "total", "available"]
        rows = [
            [
                str(s.number),
                *([f"{s.time:g}s"] if timed else []),
                str(s.old_replicas),
                str(s.new_replicas),
                str(s.total),
                str(s.available),
                s.describe(),
            ]
            for s in self.steps
        ]
        if markdown:
            lines = ["| " + " | ".join([*header, "what changed"]) + " |"]
            lines.append("|" + "---:|" * len(header) + "---|")
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            return "\n".join(lines)
        widths = [
            max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
            for i, h in enumerate(header)
        ]
        head = "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))
        lines = [f"{head}  what changed"]
        for row in rows:
            cells = "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=False))
            lines.append(f"{cells}  {row[-1]}".rstrip())
        return "\n".join(lines)


def strategy_dict(strategy: Any) -> dict[str, Any]:
    """A strategy record as Kubernetes-style plain data."""
    if isinstance(strategy, RollingUpdate):
        return {
            "type": "RollingUpdate",
            "maxSurge": strategy.max_surge,
            "maxUnavailable": strategy.max_unavailable,
        }
    if isinstance(strategy, Recreate):
        return {"type": "Recreate"}
    to_dict = getattr(strategy, "to_dict", None)
    if callable(to_dict):
        result: dict[str, Any] = to_dict()
        return result
    return {"type": type(strategy).__name__}


def check_plan(plan: RolloutPlan) -> tuple[str, ...]:
    """Every invariant a plan must keep; the test oracle.

    - each step changes the pods or creates the new ReplicaSet (no empty steps);
    - no step raises the total above ``max_pods`` (unless the total was already above it);
    - no step lowers availability below ``min_available`` (unless it was already below);
    - a complete plan ends with every replica new and available;
    - steps are numbered 1, 2, ... and time never goes back.

    Bounds are judged for steps whose ``replicas`` is the plan's (a `Rescale` changes
    the bounds) and that are not scaling events: proportional scaling resizes ReplicaSets
    without regard to availability, and with a missing ``max-replicas`` annotation upstream's
    arithmetic can even exceed the surge.

    Parameters
    ----------
    plan
        A plan from `plan_rollout`.

    Returns
    -------
    tuple of str
        The violations, in words; empty when the plan is sound.

    Notes
    -----
    Runtime complexity: `O(s)` for `s` steps.

    Examples
    --------
    >>> from orchkit.rollout import plan_rollout
    >>> check_plan(plan_rollout(10))
    ()
    >>> bad = attrs.evolve(plan_rollout(10), min_available=10)
    >>> check_plan(bad)
    ('step 1: available 8 below min_available 10 (was 10)', ...)
    """
    problems: list[str] = []
    previous_total: int | None = None
    previous_sizes: tuple[int, ...] | None = None
    last_time = 0.0
    for index, step in enumerate(plan.steps, start=1):
        where = f"step {step.number}"
        if step.number != index:
            problems.append(f"{where}: numbered out of order (expected {index})")
        if step.time < last_time:
            problems.append(f"{where}: time {step.time} before {last_time}")
        last_time = step.time
        sizes = (*step.old_sizes, step.old_replicas, step.new_replicas)
        created = any(isinstance(a, CreateReplicaSet) for a in step.actions)
        if previous_sizes is not None and sizes == previous_sizes and not created:
            problems.append(f"{where}: changes nothing")
        if step.replicas == plan.replicas and not step.scaling_event:
            before = previous_total if previous_total is not None else step.total
            if step.total > plan.max_pods and step.total > before:
                problems.append(f"{where}: {step.total} pods above max_pods {plan.max_pods}")
            peak = step.peak_total
            if peak is not None and peak > plan.max_pods:
                problems.append(f"{where}: {peak} pods within the sync, above {plan.max_pods}")
            floor = min(plan.min_available, step.available_before)
            if step.available < floor:
                problems.append(
                    f"{where}: available {step.available} below min_available "
                    f"{plan.min_available} (was {step.available_before})"
                )
        previous_total = step.total
        previous_sizes = sizes
    if plan.outcome == "complete" and plan.steps:
        last = plan.steps[-1]
        final_new = plan.replicas - plan.final_old
        if last.new_replicas != final_new or last.old_replicas != plan.final_old:
            problems.append(
                f"complete, but the last step has old {last.old_replicas} / new "
                f"{last.new_replicas} for {plan.replicas} replicas"
            )
    return tuple(problems)


# ---------------------------------------------------------------------------------------------
# Pods between syncs.


class _Pods:
    """The pods of one ReplicaSet: available, waiting to become so, or not scheduled at all."""

    __slots__ = ("available", "batches", "pending")

    def __init__(self) -> None:
        self.available = 0
        #: [count, ready_at, available_at] of scheduled pods not available yet, oldest first.
        self.batches: list[list[float]] = []
        #: Pods the scheduler could not place (Pending): never ready until room frees up.
        self.pending = 0

    def count(self) -> int:
        return self.available + self.pending + int(sum(b[0] for b in self.batches))


#: ``schedulable(old_pods, new_pods)``: how many of ``new_pods`` new-version pods the cluster can
#: run next to ``old_pods`` old-version pods.
Schedulable = Callable[[int, int], int]


class _Model:
    """The ReplicaSet controller, the scheduler and the kubelet, reduced to counts and timing."""

    def __init__(
        self, ready_after: float, ready_limit: int | None, schedulable: Schedulable | None
    ) -> None:
        self.ready_after = ready_after
        self.ready_limit = ready_limit
        self.schedulable = schedulable
        self.capacity: dict[tuple[int, int], int] = {}
        self.pods: dict[str, _Pods] = {}

    def start(self, rs: engine.RS, t: float, is_new: bool) -> None:
        """Pods matching a given start status; unready old pods never become ready."""
        pods = _Pods()
        pods.available = rs.available
        ready_not_available = max(0, rs.ready - rs.available)
        if ready_not_available:
            pods.batches.append([ready_not_available, t, t + rs.min_ready])
        unready = max(0, rs.status_replicas - max(rs.ready, rs.available))
        if unready:
            if is_new and self.schedulable is not None:
                pods.pending += unready
            elif is_new:
                self._add(pods, rs, unready, t, is_new)
            else:
                pods.batches.append([unready, _INF, _INF])
        self.pods[rs.name] = pods

    def _finite_new(self, pods: _Pods) -> int:
        return pods.available + int(sum(b[0] for b in pods.batches if b[1] != _INF))

    def _add(self, pods: _Pods, rs: engine.RS, n: int, t: float, is_new: bool) -> None:
        ready_at = t + self.ready_after
        granted = n
        if is_new and self.ready_limit is not None:
            granted = max(0, min(n, self.ready_limit - self._finite_new(pods)))
        if granted:
            pods.batches.append([granted, ready_at, ready_at + rs.min_ready])
        if n - granted:
            pods.batches.append([n - granted, _INF, _INF])

    def mature(self, rss: list[engine.RS], t: float) -> None:
        """Update every ReplicaSet's status from its pods at time ``t``."""
        for rs in rss:
            pods = self.pods[rs.name]
            ready_waiting = 0
            waiting = 0
            if pods.batches:
                keep = []
                for batch in pods.batches:
                    if batch[2] <= t:
                        pods.available += int(batch[0])
                    else:
                        keep.append(batch)
                        waiting += int(batch[0])
                        if batch[1] <= t:
                            ready_waiting += int(batch[0])
                pods.batches = keep
            rs.available = pods.available
            rs.ready = pods.available + ready_waiting
            rs.status_replicas = pods.available + waiting + pods.pending
            rs.terminating = None
            rs.observed = rs.generation

    def reconcile(self, rss: list[engine.RS], new: engine.RS | None, t: float) -> None:
        """Create or delete pods so each ReplicaSet has ``spec.replicas`` of them."""
        names = {rs.name for rs in rss}
        for name in [n for n in self.pods if n not in names]:
            del self.pods[name]
        for rs in rss:
            pods = self.pods.get(rs.name)
            if pods is None:
                pods = self.pods[rs.name] = _Pods()
            have = pods.count()
            if have < rs.spec:
                if rs is new and self.schedulable is not None:
                    pods.pending += rs.spec - have
                else:
                    self._add(pods, rs, rs.spec - have, t, rs is new)
            elif have > rs.spec:
                self._delete(pods, have - rs.spec, t)
        if new is not None and self.schedulable is not None:
            self._schedule(rss, new, t)

    def _schedule(self, rss: list[engine.RS], new: engine.RS, t: float) -> None:
        """Bind Pending new pods for which the cluster has room next to the old pods."""
        pods = self.pods[new.name]
        if not pods.pending:
            return
        old = sum(self.pods[rs.name].count() for rs in rss if rs is not new)
        key = (old, pods.count())
        if key not in self.capacity:
            assert self.schedulable is not None
            self.capacity[key] = max(0, min(key[1], self.schedulable(*key)))
        free = min(pods.pending, self.capacity[key] - (pods.count() - pods.pending))
        if free > 0:
            pods.pending -= free
            self._add(pods, new, free, t, True)

    def pending(self, rs: engine.RS | None) -> int:
        """Pods of ``rs`` that are not scheduled."""
        return 0 if rs is None else self.pods[rs.name].pending

    @staticmethod
    def _delete(pods: _Pods, n: int, t: float) -> None:
        """Pending pods go first, then unready ones, then ready-but-not-available, newest first."""
        unscheduled = min(n, pods.pending)
        pods.pending -= unscheduled
        n -= unscheduled
        for unready_pass in (True, False):
            for batch in reversed(pods.batches):
                if n == 0:
                    break
                if (batch[1] > t) != unready_pass:
                    continue
                take = min(n, int(batch[0]))
                batch[0] -= take
                n -= take
            pods.batches = [b for b in pods.batches if b[0] > 0]
        pods.available -= n

    def available(self) -> int:
        return sum(p.available for p in self.pods.values())

    def next_event(self, t: float) -> float:
        """The next time a pod becomes ready or available (``inf`` if none will)."""
        best = _INF
        for pods in self.pods.values():
            for _, ready_at, available_at in pods.batches:
                if t < ready_at < best:
                    best = ready_at
                if t < available_at < best:
                    best = available_at
        return best


def _initial_status(d: engine.Dep, rss: list[engine.RS], t: float) -> None:
    """The status of the Deployment just before its template changed."""
    new = next((rs for rs in rss if rs.template == d.template), None)
    replicas = sum(rs.status_replicas for rs in rss)
    available = sum(rs.available for rs in rss)
    ready = sum(rs.ready for rs in rss)
    if new is None:
        progressing = Condition("Progressing", "True", engine.NEW_RS_AVAILABLE, "", t, t)
        updated = replicas
    else:
        progressing = Condition("Progressing", "True", engine.RS_UPDATED, "", t, t)
        updated = new.status_replicas
    minimum = d.replicas - d.unavailable
    ok = available >= minimum
    availability = Condition(
        "Available",
        "True" if ok else "False",
        engine.MIN_AVAILABLE if ok else engine.MIN_UNAVAILABLE,
        "",
        t,
        t,
    )
    conditions = [availability] if d.deadline is None else [availability, progressing]
    d.status = engine.Status.of(
        DeploymentStatus(
            observed_generation=d.generation - 1,
            replicas=replicas,
            updated_replicas=updated,
            ready_replicas=ready,
            available_replicas=available,
            unavailable_replicas=max(0, sum(rs.spec for rs in rss) - available),
            conditions=conditions,
        )
    )


def _default_start(name: str, d: engine.Dep) -> list[ReplicaSet]:
    n = d.replicas
    return [
        ReplicaSet(
            f"{name}-old",
            f"{d.template} (previous)",
            n,
            created=-1.0,
            status_replicas=n,
            ready_replicas=n,
            available_replicas=n,
            revision=1,
            desired_replicas=n,
            max_replicas=n + d.surge,
        )
    ]


def plan_kubernetes(
    replicas: int,
    strategy: RollingUpdate | Recreate,
    *,
    start: Sequence[ReplicaSet] | None,
    ready_after: float,
    ready_limit: int | None,
    min_ready_seconds: int,
    progress_deadline_seconds: int | None,
    rescale: Rescale | None,
    name: str,
    template: str,
    max_syncs: int,
    schedulable: Schedulable | None = None,
) -> RolloutPlan:
    """Plan a Deployment rollout by running the controller engine against the pod model."""
    deployment = Deployment(
        name,
        replicas=replicas,
        template=template,
        strategy=strategy,
        min_ready_seconds=min_ready_seconds,
        progress_deadline_seconds=progress_deadline_seconds,
        generation=2,
    )
    d = engine.Dep(deployment)
    records = list(start) if start is not None else _default_start(name, d)
    for record in records:
        if not isinstance(record, ReplicaSet):
            raise InvalidValueError("start", record, "must hold ReplicaSet records")
    if len({r.name for r in records}) != len(records):
        raise InvalidValueError("start", [r.name for r in records], "two ReplicaSets share a name")
    t0 = max((r.created for r in records), default=0.0) + 1.0
    rss = [engine.RS.of(r) for r in records]
    model = _Model(ready_after, ready_limit, schedulable)
    for rs in rss:
        model.start(rs, t0, rs.template == template)
    _initial_status(d, rss, t0)
    initial_available = model.available()

    t = t0
    steps: list[RolloutStep] = []
    syncs = 0
    deadline_at: float | None = None
    pending = rescale
    outcome: Outcome = "stalled"
    completed_at: float | None = None
    while True:
        syncs += 1
        if syncs > max_syncs:
            raise InvalidValueError(
                "max_syncs", max_syncs, "the plan needs more controller syncs than this"
            )
        model.mature(rss, t)
        if pending is not None and len(steps) >= pending.after_step:
            d.set_replicas(pending.replicas)
            d.generation += 1
            pending = None
        seen = model.available()
        spec_before = sum(rs.spec for rs in rss)
        actions, scaling = engine.run_sync(d, rss, t)
        cond = d.status.condition(engine.PROGRESSING)
        if deadline_at is None and cond is not None and cond.reason == engine.TIMED_OUT:
            deadline_at = t - t0
        new = next((rs for rs in rss if rs.template == d.template), None)
        model.reconcile(rss, new, t)
        changes = tuple(a for a in actions if isinstance(a, (CreateReplicaSet, ScaleReplicaSet)))
        if changes:
            running = peak = spec_before
            for change in changes:
                if isinstance(change, CreateReplicaSet):
                    running += change.replicas
                else:
                    running += change.to_replicas - change.from_replicas
                peak = max(peak, running)
            olds = sorted((rs for rs in rss if rs is not new), key=engine.by_creation)
            old_sizes = tuple(rs.spec for rs in olds)
            steps.append(
                RolloutStep(
                    len(steps) + 1,
                    t - t0,
                    d.replicas,
                    sum(old_sizes),
                    0 if new is None else new.spec,
                    model.available(),
                    seen,
                    old_sizes,
                    changes,
                    scaling_event=scaling,
                    peak_total=peak
                    if peak > max(spec_before, sum(rs.spec for rs in rss))
                    else None,
                    pending=model.pending(new),
                )
            )
        requeue = [a.after for a in actions if isinstance(a, Requeue)]
        if len(requeue) != len(actions):
            continue  # the controller wrote something: it syncs again at once
        if engine.deployment_complete(d, d.status):
            if pending is not None:
                pending = attrs.evolve(pending, after_step=0)
                continue
            outcome = "complete"
            completed_at = t - t0
            break
        upcoming = min(model.next_event(t), _deadline_check(d, t) if requeue else _INF)
        if upcoming == _INF:
            break
        t = upcoming

    plan_replicas = d.replicas
    surge = d.surge
    unavailable = d.unavailable
    min_available = plan_replicas - unavailable if d.rolling else 0
    if outcome == "complete":
        reason = f"complete after {len(steps)} steps"
    else:
        reason = _stall_reason(d, rss, model)
    return RolloutPlan(
        strategy=strategy,
        replicas=plan_replicas,
        max_surge=surge,
        max_unavailable=unavailable,
        min_available=min_available,
        max_pods=plan_replicas + surge,
        steps=tuple(steps),
        outcome=outcome,
        reason=reason,
        completed_at=completed_at,
        deadline_exceeded_at=deadline_at,
        syncs=syncs,
        initial_available=initial_available,
    )


def _deadline_check(d: engine.Dep, t: float) -> float:
    """When a requeued progress check can still change something: just after the deadline.

    Upstream requeues at ``lastUpdateTime + deadline + 1s``, or at once (rate-limited) once that
    is less than a second away; a check after the deadline that did not time out never will.
    """
    cond = d.status.condition(engine.PROGRESSING)
    if cond is None or d.deadline is None:
        return _INF
    due = cond.last_update_time + d.deadline + 1
    return due if due > t else _INF


def _stall_reason(d: engine.Dep, rss: list[engine.RS], model: _Model) -> str:
    new = next((rs for rs in rss if rs.template == d.template), None)
    old = sum(rs.spec for rs in rss if rs is not new)
    new_spec = 0 if new is None else new.spec
    available = model.available()
    pending = model.pending(new)
    stuck_new = (0 if new is None else new.spec - new.available) - pending
    minimum = d.replicas - d.unavailable
    parts = [
        f"stalled at old {old} / new {new_spec} with {available} of {d.replicas} pods available"
    ]
    if pending:
        parts.append(f"{pending} new pods cannot be scheduled next to the old ones (Pending)")
    if stuck_new:
        parts.append(f"{stuck_new} new pods never become available")
    if old and d.rolling:
        parts.append(
            f"old pods can only go once more than {minimum} pods are available "
            f"(replicas {d.replicas} - maxUnavailable {d.unavailable})"
        )
    stale = [
        rs.name for rs in rss if rs.spec > 0 and rs.desired is not None and rs.desired != d.replicas
    ]
    if stale:
        parts.append(
            f"{', '.join(stale)} keep a desired-replicas annotation other than {d.replicas}, so "
            "every sync is a scaling event and none rolls out"
        )
    if d.deadline is None:
        parts.append("no progress deadline is set, so the Deployment never reports it")
    return "; ".join(parts)


def validate_planner_options(
    replicas: object,
    *,
    ready_after: object,
    ready_limit: object,
    max_syncs: object,
) -> None:
    """Shared validation of `plan_rollout`'s options."""
    check_count("replicas", replicas)
    if isinstance(ready_after, bool) or not isinstance(ready_after, (int, float)):
        raise InvalidValueError("ready_after", ready_after, "must be a number of seconds")
    if not math.isfinite(ready_after) or ready_after < 0:
        raise InvalidValueError("ready_after", ready_after, "must be finite and non-negative")
    if ready_limit is not None:
        check_count("ready_limit", ready_limit)
    check_count("max_syncs", max_syncs, minimum=1, maximum=MAX_INT32)
