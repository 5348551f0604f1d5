"""The deployment controller's rules: parsing, validation, and sync() step by step.

The worked rollouts of ``../shared/spec/rollout.md`` section 7 are reproduced here by driving
``sync`` and ``settle`` by hand, independently of the planner.
"""

from __future__ import annotations

import attrs
import pytest

from orchkit.errors import InvalidValueError, ManifestError
from orchkit.rollout import (
    Action,
    Condition,
    CreateReplicaSet,
    DeleteReplicaSet,
    Deployment,
    DeploymentState,
    DeploymentStatus,
    Recreate,
    ReplicaSet,
    Requeue,
    RollingUpdate,
    ScaleReplicaSet,
    UpdateReplicaSet,
    cleanup_unhealthy_replicas,
    deployment_from_manifest,
    find_new_replica_set,
    find_old_replica_sets,
    max_surge,
    rollback,
    scaled_value,
    settle,
    sync,
)

# ---------------------------------------------------------------------------------------------
# int-or-percent


@pytest.mark.parametrize(
    ("value", "total", "round_up", "expected"),
    [
        ("25%", 10, True, 3),
        ("25%", 10, False, 2),
        ("+10%", 50, False, 5),
        ("-10%", 50, False, -5),
        ("-10%", 55, False, -6),  # floor, like Go's math.Floor
        ("-10%", 55, True, -5),
        ("007%", 100, True, 7),
        (7, 3, True, 7),  # ints are neither scaled nor capped
        ("100%", 5, False, 5),
        ("1%", 3, True, 1),
        ("1%", 3, False, 0),
    ],
)
def test_scaled_value(value: int | str, total: int, round_up: bool, expected: int) -> None:
    assert scaled_value(value, total, round_up=round_up) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("5", "not a percentage"),
        ("10.5%", "not an int"),
        ("%", "not an int"),
        (" 10%", "not an int"),
        ("10%%", "not an int"),
        ("1_0%", "not an int"),
        ("\u0661\u0660%", "not an int"),  # Arabic-Indic digits: Go's Atoi takes ASCII only
        (None, "nil value"),
        (1.5, "neither int nor percentage"),
        (True, "neither int nor percentage"),
    ],
)
def test_scaled_value_rejects(value: object, reason: str) -> None:
    with pytest.raises(InvalidValueError, match=reason) as err:
        scaled_value(value, 10, round_up=True, field="max_surge")  # type: ignore[arg-type]
    assert err.value.field == "max_surge"
    assert err.value.value == value


@pytest.mark.parametrize(
    ("surge", "unavailable", "field"),
    [
        (-1, 1, "max_surge"),
        ("5", 1, "max_surge"),
        ("10.5%", 1, "max_surge"),
        ("+10%", 1, "max_surge"),
        ("-10%", 1, "max_surge"),
        (1.0, 1, "max_surge"),
        (False, 1, "max_surge"),
        (2**31, 1, "max_surge"),
        (1, -1, "max_unavailable"),
        (1, "101%", "max_unavailable"),
        (1, "5", "max_unavailable"),
        (0, 0, "max_unavailable"),
        ("0%", 0, "max_unavailable"),
        (0, "0%", "max_unavailable"),
        ("00%", "0%", "max_unavailable"),
    ],
)
def test_rolling_update_validation(surge: object, unavailable: object, field: str) -> None:
    with pytest.raises(InvalidValueError) as err:
        RollingUpdate(surge, unavailable)  # type: ignore[arg-type]
    assert err.value.field == field
    assert repr(err.value.value) in str(err.value)


@pytest.mark.parametrize(
    ("surge", "unavailable"), [("1%", "1%"), (0, 1), (1, 0), ("200%", "100%"), (0, 10)]
)
def test_rolling_update_accepts(surge: int | str, unavailable: int | str) -> None:
    assert RollingUpdate(surge, unavailable).max_surge == surge


def test_both_zero_after_rounding_is_valid_and_resolves_to_one_unavailable() -> None:
    """Validation judges raw zeros; the controller judges rounded ones (1%/1% of 3 is 0/0)."""
    d = Deployment(replicas=3, strategy=RollingUpdate("1%", "1%"))
    assert max_surge(d) == 1  # 1% of 3 rounds up
    d = Deployment(replicas=3, template="v2", strategy=RollingUpdate(0, "25%"))
    state, _ = sync(DeploymentState(d, [healthy_old(3, d)]))
    assert [rs.replicas for rs in state.replica_sets] == [2, 0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"replicas": -1}, "replicas"),
        ({"replicas": 2**31}, "replicas"),
        ({"replicas": True}, "replicas"),
        ({"min_ready_seconds": -5}, "min_ready_seconds"),
        ({"progress_deadline_seconds": 0}, "progress_deadline_seconds"),
        ({"min_ready_seconds": 30, "progress_deadline_seconds": 30}, "progress_deadline_seconds"),
        ({"revision_history_limit": -1}, "revision_history_limit"),
        ({"strategy": "RollingUpdate"}, "strategy"),
        ({"name": ""}, "name"),
    ],
)
def test_deployment_validation(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValueError) as err:
        Deployment(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_sync_and_settle_want_a_state() -> None:
    with pytest.raises(InvalidValueError, match="DeploymentState"):
        sync(Deployment())  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="DeploymentState"):
        settle([ReplicaSet("a")])  # type: ignore[arg-type]


def test_replica_set_and_state_validation() -> None:
    with pytest.raises(InvalidValueError, match="replicas"):
        ReplicaSet("a", replicas=-1)
    with pytest.raises(InvalidValueError, match="created"):
        ReplicaSet("a", created=float("nan"))
    with pytest.raises(InvalidValueError, match="two ReplicaSets"):
        DeploymentState(Deployment(), [ReplicaSet("a"), ReplicaSet("a")])
    with pytest.raises(InvalidValueError, match="ReplicaSet records"):
        DeploymentState(Deployment(), [{"name": "a"}])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="now"):
        DeploymentState(Deployment(), now=float("inf"))


# ---------------------------------------------------------------------------------------------
# sync() by hand


def healthy_old(
    replicas: int, d: Deployment, name: str = "web-old", revision: int = 1
) -> ReplicaSet:
    """An old ReplicaSet at full strength, annotated for ``d``'s replicas."""
    return ReplicaSet(
        name,
        "v1",
        replicas,
        created=-1.0,
        status_replicas=replicas,
        ready_replicas=replicas,
        available_replicas=replicas,
        revision=revision,
        desired_replicas=d.replicas,
        max_replicas=d.replicas + max_surge(d),
    )


def steady(d: Deployment) -> Deployment:
    """``d`` with the status of a finished rollout of ``d.replicas`` pods."""
    n = d.replicas
    conditions = [
        Condition("Available", "True", "MinimumReplicasAvailable"),
        Condition("Progressing", "True", "NewReplicaSetAvailable"),
    ]
    status = DeploymentStatus(0, n, n, n, n, 0, 0, conditions)
    return attrs.evolve(d, status=status)


def changed(actions: tuple[Action, ...]) -> bool:
    return any(isinstance(a, (CreateReplicaSet, ScaleReplicaSet)) for a in actions)


def drive(d: Deployment, start: list[ReplicaSet]) -> tuple[list[tuple[int, int]], DeploymentState]:
    """Sync, let every pod become available, repeat; the (old, new) sizes after each change."""
    state = DeploymentState(d, start)
    rows = []
    for _ in range(200):
        state, actions = sync(state)
        if changed(actions):
            new = find_new_replica_set(state.deployment, state.replica_sets)
            old = sum(rs.replicas for rs in find_old_replica_sets(d, state.replica_sets))
            rows.append((old, 0 if new is None else new.replicas))
        elif all(isinstance(a, Requeue) for a in actions):
            return rows, state
        state = settle(state)
    pytest.fail("the rollout did not finish")


@pytest.mark.parametrize(
    ("replicas", "strategy", "steps"),
    [
        # spec section 7.1: the article's question
        (10, RollingUpdate(10, 5), [(5, 10), (0, 10)]),
        # 7.2: the article's exercise
        (10, RollingUpdate(1, 5), [(5, 1), (5, 6), (0, 6), (0, 10)]),
        # 7.3: the defaults; the code comment's own "3, 8, then 5" example
        (10, RollingUpdate(), [(8, 3), (8, 5), (3, 5), (3, 10), (0, 10)]),
        # 7.4: maxSurge 0 creates the new ReplicaSet at 0
        (3, RollingUpdate(0, 1), [(2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 3)]),
        (1, RollingUpdate(), [(1, 1), (0, 1)]),
        # kubernetes#95498's "3 terminating + 7 new" pattern
        (15, RollingUpdate(), [(12, 4), (12, 7), (5, 7), (5, 14), (0, 14), (0, 15)]),
        (5, Recreate(), [(0, 0), (0, 5)]),
    ],
)
def test_worked_rollouts(
    replicas: int, strategy: RollingUpdate | Recreate, steps: list[tuple[int, int]]
) -> None:
    d = Deployment("web", replicas=replicas, template="v2", strategy=strategy)
    rows, state = drive(d, [healthy_old(replicas, d)])
    assert rows == steps
    progressing = state.deployment.status.condition("Progressing")
    assert progressing is not None
    assert progressing.reason == "NewReplicaSetAvailable"
    assert state.deployment.revision == 2


def test_first_sync_creates_then_scales_down() -> None:
    d = steady(Deployment("web", replicas=10, template="v2", strategy=RollingUpdate(10, 5)))
    state, actions = sync(DeploymentState(d, [healthy_old(10, d)], now=5.0))
    create, scale = (a for a in actions if isinstance(a, (CreateReplicaSet, ScaleReplicaSet)))
    assert isinstance(create, CreateReplicaSet)
    assert (create.replicas, create.revision, create.template) == (10, 2, "v2")
    assert create.name.startswith("web-")
    assert scale == ScaleReplicaSet("web-old", 10, 5)
    new = find_new_replica_set(state.deployment, state.replica_sets)
    assert new is not None
    assert (new.desired_replicas, new.max_replicas, new.created) == (10, 20, 5.0)
    cond = state.deployment.status.condition("Progressing")
    assert cond is not None
    assert (cond.reason, cond.last_update_time) == ("NewReplicaSetCreated", 5.0)


def test_sync_does_not_mutate_its_input() -> None:
    d = Deployment("web", replicas=4, template="v2")
    start = DeploymentState(d, [healthy_old(4, d)])
    copy = attrs.evolve(start)
    sync(start)
    assert start == copy


def test_scale_up_waits_for_nothing_scale_down_waits_for_availability() -> None:
    """Scale-up counts spec; scale-down needs available pods (minReadySeconds delays it)."""
    d = Deployment("web", replicas=10, template="v2")
    state, _ = sync(DeploymentState(d, [healthy_old(10, d)]))
    # New pods exist but are not available yet: the next sync scales up to the surge cap ...
    state, actions = sync(state)
    assert [a for a in actions if isinstance(a, ScaleReplicaSet)] == [
        ScaleReplicaSet(state.replica_sets[1].name, 3, 5)
    ]
    # ... and then can neither scale up (cap reached) nor down (nothing became available).
    state, actions = sync(state)
    assert not changed(actions)


def test_unhealthy_old_replicas_are_cleaned_up_first() -> None:
    d = Deployment("web", replicas=10, template="v2", strategy=RollingUpdate(0, 2))
    sick = attrs.evolve(healthy_old(10, d), available_replicas=7, ready_replicas=7)
    _, actions = sync(DeploymentState(d, [sick]))
    scales = [a for a in actions if isinstance(a, ScaleReplicaSet)]
    # maxScaledDown = 10 - 8 - 0 = 2: two of the three unavailable pods go; no surplus is left
    assert scales == [ScaleReplicaSet("web-old", 10, 8)]


def test_available_above_spec_is_refused_like_upstream() -> None:
    d = Deployment(replicas=10)
    lagging = ReplicaSet("old", replicas=5, available_replicas=8, status_replicas=8)
    with pytest.raises(InvalidValueError, match="available_replicas"):
        cleanup_unhealthy_replicas(d, [ReplicaSet("older", replicas=2), lagging], 3)


def test_several_old_replica_sets_scale_down_oldest_first() -> None:
    d = Deployment("web", replicas=6, template="v3", strategy=RollingUpdate(0, 3))
    older = attrs.evolve(healthy_old(3, d, "web-1", 1), created=-2.0)
    assert older.desired_replicas == 6
    old = attrs.evolve(healthy_old(3, d, "web-2", 2), template="v2")
    state, actions = sync(DeploymentState(d, [old, older]))
    scales = [a for a in actions if isinstance(a, ScaleReplicaSet)]
    assert scales == [ScaleReplicaSet("web-1", 3, 0)]
    new = find_new_replica_set(state.deployment, state.replica_sets)
    assert new is not None
    assert new.revision == 3


def test_new_replica_set_above_replicas_is_cut_without_availability_check() -> None:
    d = Deployment("web", replicas=4, template="v2", strategy=RollingUpdate(1, 0))
    new = ReplicaSet("web-new", "v2", 9, revision=2, desired_replicas=4, max_replicas=5)
    _, actions = sync(DeploymentState(d, [new]))
    assert ScaleReplicaSet("web-new", 9, 4) in actions


def test_recreate_waits_for_old_pods_including_terminating_ones() -> None:
    d = Deployment("web", replicas=3, template="v2", strategy=Recreate())
    state, actions = sync(DeploymentState(d, [healthy_old(3, d)]))
    assert [a for a in actions if changed((a,))] == [ScaleReplicaSet("web-old", 3, 0)]
    # The old pods are terminating: no new ReplicaSet yet.
    old = attrs.evolve(state.replica_sets[0], status_replicas=0, terminating_replicas=3)
    state, actions = sync(attrs.evolve(state, replica_sets=[old]))
    assert not changed(actions)
    old = attrs.evolve(old, terminating_replicas=0)
    state, actions = sync(attrs.evolve(state, replica_sets=[old]))
    created = [a for a in actions if isinstance(a, CreateReplicaSet)]
    assert [c.replicas for c in created] == [3]


def test_scaling_event_pre_empts_the_template_change() -> None:
    """'Change both size and template': the first sync scales proportionally, creates nothing."""
    d = Deployment("web", replicas=14, template="v3", strategy=RollingUpdate(0, 1))
    v2 = ReplicaSet("web-2", "v2", 7, created=2, desired_replicas=10, max_replicas=10)
    v1 = ReplicaSet("web-1", "v1", 3, created=1, desired_replicas=10, max_replicas=10)
    state, actions = sync(DeploymentState(d, [v2, v1]))
    assert not any(isinstance(a, CreateReplicaSet) for a in actions)
    assert {rs.name: rs.replicas for rs in state.replica_sets} == {"web-2": 10, "web-1": 4}
    state, actions = sync(settle(state))
    assert any(isinstance(a, CreateReplicaSet) for a in actions)


def test_paused_deployment_scales_but_does_not_roll_and_cleans_history() -> None:
    d = Deployment(
        "web", replicas=5, template="v2", paused=True, revision_history_limit=1, generation=3
    )
    empty = [ReplicaSet(f"web-{i}", f"v0.{i}", 0, created=i, revision=i) for i in range(3)]
    old = attrs.evolve(healthy_old(4, d, revision=5), desired_replicas=4, max_replicas=5)
    state, actions = sync(DeploymentState(d, [old, *empty]))
    assert not any(isinstance(a, CreateReplicaSet) for a in actions)
    assert ScaleReplicaSet("web-old", 4, 5) in actions
    deleted = [a.name for a in actions if isinstance(a, DeleteReplicaSet)]
    assert deleted == ["web-0", "web-1", "web-2"]
    cond = state.deployment.status.condition("Progressing")
    assert cond is not None
    assert (cond.status, cond.reason) == ("Unknown", "DeploymentPaused")
    # Resuming restarts the deadline clock and starts the rollout.
    resumed = attrs.evolve(state, deployment=attrs.evolve(state.deployment, paused=False), now=9.0)
    state, actions = sync(settle(resumed))
    assert any(isinstance(a, CreateReplicaSet) for a in actions)
    cond = state.deployment.status.condition("Progressing")
    assert cond is not None
    assert cond.last_update_time == 9.0


def test_history_is_cleaned_only_once_complete() -> None:
    d = Deployment("web", replicas=2, template="v2", revision_history_limit=1)
    history = [ReplicaSet(f"web-h{i}", f"h{i}", 0, created=-10 + i, revision=i) for i in (1, 2, 3)]
    _, state = drive(d, [*history, attrs.evolve(healthy_old(2, d), revision=4)])
    names = sorted(rs.name for rs in state.replica_sets)
    new = find_new_replica_set(d, state.replica_sets)
    assert new is not None
    assert names == sorted([new.name, "web-old"])


def test_progress_deadline_as_data() -> None:
    """New pods that never become available: ProgressDeadlineExceeded after the deadline."""
    d = Deployment("web", replicas=2, template="v2", progress_deadline_seconds=60)
    state, _ = sync(DeploymentState(d, [healthy_old(2, d)], now=100.0))
    state, _ = sync(state)  # the surge pod exists but never becomes available
    state, actions = sync(attrs.evolve(state, now=130.0))
    assert actions == (Requeue(after=100.0 + 60 - 130 + 1),)
    state, actions = sync(attrs.evolve(state, now=160.0))  # not strictly after the deadline
    assert isinstance(actions[-1], Requeue)
    state, _ = sync(attrs.evolve(state, now=161.0))
    cond = state.deployment.status.condition("Progressing")
    assert cond is not None
    assert (cond.status, cond.reason, cond.last_update_time) == (
        "False",
        "ProgressDeadlineExceeded",
        161.0,
    )
    # A timeout does nothing else: no rollback, no requeue, the controller keeps the new pods.
    state2, actions = sync(attrs.evolve(state, now=500.0))
    assert actions == ()
    assert state2.replica_sets == state.replica_sets


def test_no_deadline_removes_the_progressing_condition() -> None:
    cond = Condition("Progressing", "True", "ReplicaSetUpdated")
    d = Deployment(
        "web",
        replicas=1,
        template="v2",
        progress_deadline_seconds=None,
        status=DeploymentStatus(conditions=[cond]),
    )
    state, _ = sync(DeploymentState(d, [healthy_old(1, d)]))
    assert state.deployment.status.condition("Progressing") is None


def test_replica_failure_is_copied_from_the_new_replica_set() -> None:
    d = Deployment("web", replicas=1, template="v2")
    failure = Condition("ReplicaFailure", "True", "FailedCreate", "quota", 3.0, 3.0)
    new = ReplicaSet("web-new", "v2", 1, revision=2, conditions=[failure])
    state, _ = sync(DeploymentState(d, [new]))
    copied = state.deployment.status.condition("ReplicaFailure")
    assert copied == failure


def test_rollback_reuses_the_old_replica_set() -> None:
    d = Deployment("web", replicas=2, template="v2", revision=2)
    v1 = ReplicaSet("web-1", "v1", 0, created=1, revision=1, revision_history=(0,))
    v2 = ReplicaSet(
        "web-2",
        "v2",
        2,
        created=2,
        status_replicas=2,
        ready_replicas=2,
        available_replicas=2,
        revision=2,
        desired_replicas=2,
        max_replicas=3,
    )
    back = rollback(d, [v1, v2])
    assert (back.template, back.generation) == ("v1", 2)
    state, actions = sync(DeploymentState(back, [v1, v2]))
    assert UpdateReplicaSet("web-1", "revision") in actions
    web1 = next(rs for rs in state.replica_sets if rs.name == "web-1")
    assert (web1.revision, web1.revision_history) == (3, (0, 1))
    rows, state = drive(state.deployment, list(state.replica_sets))
    assert rows[-1] == (0, 2)
    assert state.deployment.revision == 3
    assert not any(isinstance(a, CreateReplicaSet) for a in sync(state)[1])


def test_rollback_errors() -> None:
    rss = [ReplicaSet("web-1", "v1", revision=1)]
    with pytest.raises(InvalidValueError, match="no rollout history"):
        rollback(Deployment("web", template="v1"), rss)
    with pytest.raises(InvalidValueError, match="no ReplicaSet"):
        rollback(Deployment("web"), rss, to_revision=7)
    with pytest.raises(InvalidValueError, match="paused"):
        rollback(Deployment("web", paused=True), rss, to_revision=1)
    assert rollback(Deployment("web", template="v1"), rss, to_revision=1).generation == 1


def test_revision_history_is_capped_at_2000_characters() -> None:
    d = Deployment("web", replicas=1, template="v1")
    history = tuple(range(10_000, 10_000 + 400))  # 400 * 6 characters, well over 2000
    rs = ReplicaSet("web-1", "v1", 1, revision=5, revision_history=history)
    other = ReplicaSet("web-2", "v2", 0, revision=10_500)
    state, _ = sync(DeploymentState(d, [rs, other]))
    web1 = next(r for r in state.replica_sets if r.name == "web-1")
    text = ",".join(str(r) for r in web1.revision_history)
    assert len(text) <= 2000
    assert web1.revision_history[-1] == 5
    assert web1.revision == 10_501


def test_name_collision_bumps_collision_count() -> None:
    d = Deployment("web", replicas=1, template="v2")
    state, actions = sync(DeploymentState(d, []))
    name = next(a.name for a in actions if isinstance(a, CreateReplicaSet))
    squatter = ReplicaSet(name, "something-else", 0)
    state, actions = sync(DeploymentState(d, [squatter]))
    assert state.deployment.status.collision_count == 1
    assert not any(isinstance(a, CreateReplicaSet) for a in actions)
    state, actions = sync(state)
    created = [a for a in actions if isinstance(a, CreateReplicaSet)]
    assert len(created) == 1
    assert created[0].name != name


# ---------------------------------------------------------------------------------------------
# Manifests


def manifest(**spec: object) -> dict[str, object]:
    base: dict[str, object] = {
        "template": {"spec": {"containers": [{"image": "nginx:1.25"}, {"image": "envoy:1"}]}}
    }
    base.update(spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": base,
    }


def test_manifest_defaults() -> None:
    d = deployment_from_manifest(manifest())
    assert d == Deployment("web", replicas=1, template="nginx:1.25,envoy:1")


def test_manifest_fields() -> None:
    d = deployment_from_manifest(
        manifest(
            replicas=3,
            strategy={"type": "Recreate"},
            minReadySeconds=5,
            revisionHistoryLimit=2,
            progressDeadlineSeconds=2147483647,
            paused=True,
        )
    )
    assert d.strategy == Recreate()
    assert (d.replicas, d.min_ready_seconds, d.revision_history_limit) == (3, 5, 2)
    assert (d.progress_deadline_seconds, d.paused) == (None, True)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"replicas": -1}, "spec.replicas"),
        ({"replicas": "3"}, "spec.replicas"),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": "5"}}},
            "spec.strategy.rollingUpdate.maxSurge",
        ),
        (
            {"strategy": {"rollingUpdate": {"maxUnavailable": "10.5%"}}},
            "spec.strategy.rollingUpdate.maxUnavailable",
        ),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
            "spec.strategy.rollingUpdate.maxUnavailable",
        ),
        (
            {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
            "spec.strategy.rollingUpdate",
        ),
        ({"strategy": {"type": "BlueGreen"}}, "spec.strategy.type"),
        ({"strategy": "fast"}, "spec.strategy"),
        ({"paused": "yes"}, "spec.paused"),
        ({"minReadySeconds": 700}, "spec.progressDeadlineSeconds"),
    ],
)
def test_manifest_errors(spec: dict[str, object], field: str) -> None:
    with pytest.raises(ManifestError) as err:
        deployment_from_manifest(manifest(**spec))
    assert err.value.field == field


def test_manifest_kind_and_name() -> None:
    with pytest.raises(ManifestError, match="kind"):
        deployment_from_manifest({"kind": "StatefulSet", "metadata": {"name": "db"}})
    with pytest.raises(ManifestError, match=r"metadata\.name"):
        deployment_from_manifest({"kind": "Deployment", "spec": {}})
    with pytest.raises(ManifestError):
        deployment_from_manifest(["not", "a", "mapping"])  # type: ignore[arg-type]
