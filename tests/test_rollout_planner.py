"""plan_rollout: worked examples, readiness, stalls, deadlines, rescaling, other systems."""

from __future__ import annotations

import json
from collections.abc import Callable

import attrs
import pytest
import yaml

from orchkit.errors import InvalidValueError
from orchkit.rollout import (
    Canary,
    DaemonSetRollingUpdate,
    EcsRolling,
    Pause,
    Recreate,
    ReplicaSet,
    Rescale,
    RollingUpdate,
    RolloutPlan,
    ScaleReplicaSet,
    SetWeight,
    StatefulSetRollingUpdate,
    check_plan,
    plan_rollout,
)


def rows(plan: RolloutPlan) -> list[tuple[int, int, int]]:
    return [(s.old_replicas, s.new_replicas, s.available) for s in plan.steps]


# spec section 7: (old, new, available right after the sync)
WORKED = {
    "7.1 the article": (10, RollingUpdate(10, 5), [(5, 10, 5), (0, 10, 10)]),
    "7.2 the exercise": (10, RollingUpdate(1, 5), [(5, 1, 5), (5, 6, 6), (0, 6, 6), (0, 10, 6)]),
    "7.3 defaults": (
        10,
        RollingUpdate(),
        [(8, 3, 8), (8, 5, 11), (3, 5, 8), (3, 10, 8), (0, 10, 10)],
    ),
    "7.4 surge 0": (
        3,
        RollingUpdate(0, 1),
        [(2, 0, 2), (2, 1, 2), (1, 1, 2), (1, 2, 2), (0, 2, 2), (0, 3, 2)],
    ),
    "one replica": (1, RollingUpdate(), [(1, 1, 1), (0, 1, 1)]),
    "recreate": (5, Recreate(), [(0, 0, 0), (0, 5, 0)]),
}


@pytest.mark.parametrize(("replicas", "strategy", "expected"), WORKED.values(), ids=WORKED.keys())
def test_worked_examples(
    replicas: int, strategy: RollingUpdate | Recreate, expected: list[tuple[int, int, int]]
) -> None:
    plan = plan_rollout(replicas, strategy)
    assert rows(plan) == expected
    assert plan.outcome == "complete"
    assert plan.completed_at == 0.0
    assert check_plan(plan) == ()


def test_available_before_is_what_the_next_sync_sees() -> None:
    """The spec's 'avail. next' column is the next step's available_before."""
    plan = plan_rollout(10, RollingUpdate(1, 5))
    assert [s.available_before for s in plan.steps] == [10, 6, 11, 6]


def test_resolved_bounds() -> None:
    plan = plan_rollout(10)
    assert (plan.max_surge, plan.max_unavailable, plan.min_available, plan.max_pods) == (
        3,
        2,
        8,
        13,
    )
    assert (plan.peak_pods, plan.lowest_available) == (13, 8)
    assert [s.peak_total for s in plan.steps] == [13, None, None, None, None]
    article = plan_rollout(10, RollingUpdate(10, 5))
    assert (article.steps[0].total, article.steps[0].peak_total, article.peak_pods) == (15, 20, 20)
    recreate = plan_rollout(4, Recreate())
    assert (recreate.max_surge, recreate.min_available, recreate.max_pods) == (0, 0, 4)


def test_zero_replicas() -> None:
    plan = plan_rollout(0)
    assert rows(plan) == [(0, 0, 0)]
    assert plan.outcome == "complete"


def test_pods_that_take_time() -> None:
    plan = plan_rollout(10, ready_after=30, min_ready_seconds=10)
    assert [s.time for s in plan.steps] == [0.0, 0.0, 40.0, 40.0, 80.0]
    assert rows(plan) == [(8, 3, 8), (8, 5, 8), (3, 5, 8), (3, 10, 8), (0, 10, 10)]
    assert plan.completed_at == 80.0
    assert plan.deadline_exceeded_at is None
    assert check_plan(plan) == ()


def test_slow_pods_exceed_the_deadline_but_complete() -> None:
    plan = plan_rollout(10, ready_after=900)
    assert plan.outcome == "complete"
    # last progress at 0; requeued at 0 + 600 + 1; timed out since 600 < 601
    assert plan.deadline_exceeded_at == 601.0
    assert plan.completed_at == 1800.0


def test_image_that_never_starts_stalls() -> None:
    plan = plan_rollout(10, ready_limit=0, progress_deadline_seconds=120)
    assert plan.outcome == "stalled"
    assert rows(plan) == [(8, 3, 8), (8, 5, 8)]
    assert plan.deadline_exceeded_at == 121.0
    assert plan.completed_at is None
    assert "5 new pods never become available" in plan.reason
    assert check_plan(plan) == ()


def test_capacity_for_some_new_pods_only() -> None:
    plan = plan_rollout(10, ready_limit=4, progress_deadline_seconds=None)
    assert plan.outcome == "stalled"
    assert rows(plan)[-1] == (4, 9, 8)
    assert plan.deadline_exceeded_at is None
    assert "no progress deadline" in plan.reason


def test_several_old_replica_sets_and_unready_old_pods() -> None:
    start = [
        ReplicaSet("app-1", "v1", 4, created=0, status_replicas=4, ready_replicas=4,
                   available_replicas=4, revision=1, desired_replicas=10, max_replicas=13),
        ReplicaSet("app-2", "v2", 6, created=1, status_replicas=6, ready_replicas=3,
                   available_replicas=3, revision=2, desired_replicas=10, max_replicas=13),
    ]  # fmt: skip
    plan = plan_rollout(10, start=start)
    assert plan.outcome == "complete"
    first = plan.steps[0]
    # maxScaledDown = 10 - 8 - 0 = 2 before the new ReplicaSet exists ... 13 - 8 - 3 = 2:
    # the oldest ReplicaSet has no unhealthy pods; app-2 loses 2 of its 3 unready ones.
    assert first.old_sizes == (4, 4)
    assert first.available == first.available_before == 7
    assert plan.steps[-1].old_sizes == (0, 0)
    assert check_plan(plan) == ()


def test_start_with_the_new_replica_set_part_way() -> None:
    start = [
        ReplicaSet("app-old", "old", 5, created=0, status_replicas=5, ready_replicas=5,
                   available_replicas=5, revision=1, desired_replicas=10, max_replicas=13),
        ReplicaSet("app-new", "new", 5, created=1, status_replicas=5, ready_replicas=5,
                   available_replicas=5, revision=2, desired_replicas=10, max_replicas=13),
    ]  # fmt: skip
    plan = plan_rollout(10, start=start)
    assert rows(plan) == [(5, 8, 10), (0, 8, 8), (0, 10, 8)]


def test_rescale_mid_way_is_proportional() -> None:
    plan = plan_rollout(10, rescale=Rescale(after_step=2, replicas=20))
    step = plan.steps[2]
    assert step.replicas == 20
    assert (step.old_replicas, step.new_replicas) == (15, 10)  # 8:5 of 25 = 20 + surge 5
    assert plan.replicas == 20
    assert rows(plan)[-1] == (0, 20, 20)
    assert check_plan(plan) == ()


def test_rescale_with_the_template_change() -> None:
    """Change both size and template: the first sync scales, the next one starts rolling."""
    plan = plan_rollout(10, rescale=Rescale(after_step=0, replicas=14))
    assert plan.steps[0].actions == (ScaleReplicaSet("app-old", 10, 14),)
    assert rows(plan)[-1] == (0, 14, 14)


def test_rescale_after_completion() -> None:
    plan = plan_rollout(4, RollingUpdate(1, 0), rescale=Rescale(after_step=99, replicas=2))
    assert rows(plan)[-1] == (0, 2, 2)
    assert plan.steps[-1].replicas == 2


def test_output_formats() -> None:
    plan = plan_rollout(10, RollingUpdate(10, 5), name="web")
    data = plan.to_dict()
    assert data["strategy"] == {"type": "RollingUpdate", "maxSurge": 10, "maxUnavailable": 5}
    assert [s["old"] for s in data["steps"]] == [5, 0]
    assert json.loads(json.dumps(data)) == data
    assert yaml.safe_load(yaml.safe_dump(data)) == data
    table = plan.format_table(markdown=True).splitlines()
    assert table[0] == "| step | old | new | total | available | what changed |"
    assert table[2].startswith("| 1 | 5 | 10 | 15 | 5 | create web-")
    text = plan.format_table().splitlines()
    assert text[0].split() == ["step", "old", "new", "total", "available", "what", "changed"]


def test_check_plan_catches_violations() -> None:
    plan = plan_rollout(10)
    assert check_plan(attrs.evolve(plan, max_pods=12)) == (
        "step 1: 13 pods within the sync, above 12",
        "step 2: 13 pods above max_pods 12",
        "step 4: 13 pods above max_pods 12",
    )
    assert check_plan(attrs.evolve(plan, replicas=11))[-1].startswith("complete, but")
    second = plan.steps[1]
    repeated = attrs.evolve(plan, steps=(plan.steps[0], second, attrs.evolve(second, number=3)))
    assert "step 3: changes nothing" in check_plan(repeated)
    shuffled = attrs.evolve(plan, steps=plan.steps[::-1])
    assert any("out of order" in problem for problem in check_plan(shuffled))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"replicas": -1}, "replicas"),
        ({"replicas": 10, "ready_after": -1}, "ready_after"),
        ({"replicas": 10, "ready_after": float("inf")}, "ready_after"),
        ({"replicas": 10, "ready_limit": -1}, "ready_limit"),
        ({"replicas": 10, "max_syncs": 0}, "max_syncs"),
        ({"replicas": 10, "strategy": "RollingUpdate"}, "strategy"),
        ({"replicas": 10, "min_ready_seconds": 600}, "progress_deadline_seconds"),
        ({"replicas": 10, "strategy": EcsRolling(), "ready_after": 5}, "ready_after"),
        ({"replicas": 10, "strategy": Canary(), "rescale": Rescale(1, 3)}, "rescale"),
        ({"replicas": 10, "start": [ReplicaSet("a"), ReplicaSet("a")]}, "start"),
        ({"replicas": 10, "start": [{"name": "a"}]}, "start"),
        (
            {"replicas": 10, "rescale": Rescale(1, 5), "strategy": StatefulSetRollingUpdate()},
            "rescale",
        ),
    ],
)
def test_bad_options(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValueError) as err:
        plan_rollout(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_max_syncs_bounds_the_work() -> None:
    with pytest.raises(InvalidValueError, match="max_syncs"):
        plan_rollout(10_000, RollingUpdate(1, 0), max_syncs=100)
    with pytest.raises(InvalidValueError, match="max_syncs"):
        plan_rollout(10_000, Canary([SetWeight(50)], 1, 0), max_syncs=100)


# ---------------------------------------------------------------------------------------------
# Other systems


def test_ecs_documented_examples() -> None:
    # "desired four tasks and a maximum percent of 200%: start four new tasks before stopping
    # the four older tasks"
    assert rows(plan_rollout(4, EcsRolling(100, 200))) == [(4, 4, 4), (0, 4, 4)]
    # "minimum healthy percent of 50%: stop two existing tasks before starting two new tasks"
    assert rows(plan_rollout(4, EcsRolling(50, 100))) == [(2, 2, 2), (0, 4, 2)]


def test_ecs_rounding_differs_from_kubernetes() -> None:
    """maximumPercent 125% of 10 allows 12 tasks; a Deployment's maxSurge 25% allows 13."""
    ecs = plan_rollout(10, EcsRolling(100, 125))
    assert (ecs.max_pods, ecs.peak_pods, ecs.min_available) == (12, 12, 10)
    k8s = plan_rollout(10, RollingUpdate("25%", 0))
    assert k8s.max_pods == 13
    # minimumHealthyPercent rounds up: 75% of 3 keeps 3 healthy (a Deployment keeps 3 - 0 too,
    # but 75% of 5 is 4 here where maxUnavailable 25% of 5 keeps 4 as well: floor vs ceil agree)
    assert plan_rollout(3, EcsRolling(75, 200)).min_available == 3


def test_ecs_without_room_stalls() -> None:
    plan = plan_rollout(3, EcsRolling(100, 120))
    assert plan.outcome == "stalled"
    assert plan.steps == ()
    assert "no room" in plan.reason


def test_statefulset_order_and_partition() -> None:
    plan = plan_rollout(5, StatefulSetRollingUpdate())
    assert [s.note for s in plan.steps] == [f"recreate ordinals {o}" for o in (4, 3, 2, 1, 0)]
    assert plan.lowest_available == 4
    parted = plan_rollout(5, StatefulSetRollingUpdate(partition=3, max_unavailable="50%"))
    assert [s.note for s in parted.steps] == ["recreate ordinals 4, 3"]
    assert (parted.final_old, parted.steps[-1].old_replicas) == (3, 3)
    assert check_plan(parted) == ()
    with pytest.raises(InvalidValueError, match="max_unavailable"):
        StatefulSetRollingUpdate(max_unavailable=0)


def test_daemonset_surge_keeps_every_node_served() -> None:
    plan = plan_rollout(5, DaemonSetRollingUpdate(max_surge=2, max_unavailable=0))
    assert rows(plan) == [(5, 2, 5), (3, 4, 5), (1, 5, 5), (0, 5, 5)]
    assert plan.max_pods == 7
    no_surge = plan_rollout(10, DaemonSetRollingUpdate(max_unavailable="25%"))
    # unavailable rounds UP for a DaemonSet: 25% of 10 is 3 (a Deployment would say 2)
    assert no_surge.max_unavailable == 3
    assert no_surge.lowest_available == 7


def test_canary_first_steps() -> None:
    """The examples of Argo's doc comment that its current tests confirm."""
    cases = [(10, 10, 1, 1, (1, 9)), (10, 30, 3, 0, (3, 10)), (10, 30, 0, 5, (0, 7))]
    for replicas, weight, surge, unavailable, (canary, stable) in cases:
        plan = plan_rollout(replicas, Canary([SetWeight(weight)], surge, unavailable))
        first = plan.steps[0]
        assert (first.new_replicas, first.old_replicas) == (canary, stable), weight


def test_canary_steps_and_pauses() -> None:
    strategy = Canary([SetWeight(20), Pause(), SetWeight(60), Pause(300)], 1, 0)
    plan = plan_rollout(5, strategy)
    assert plan.outcome == "complete"
    notes = [s.note for s in plan.steps]
    assert notes[0] == "setWeight 20: canary 1, stable 5"
    assert any(note.endswith("then pause until promoted") for note in notes)
    assert any(note.endswith("then pause 300s") for note in notes)
    assert plan.completed_at == 300.0
    assert rows(plan)[-1][:2] == (0, 5)
    assert check_plan(plan) == ()


def test_other_strategies_validate() -> None:
    with pytest.raises(InvalidValueError, match="maximum_percent"):
        EcsRolling(maximum_percent=90)
    with pytest.raises(InvalidValueError, match="max_unavailable"):
        DaemonSetRollingUpdate(max_surge=0, max_unavailable="0%")
    with pytest.raises(InvalidValueError, match="max_surge"):
        DaemonSetRollingUpdate(max_surge="101%")
    with pytest.raises(InvalidValueError, match="weight"):
        SetWeight(101)
    with pytest.raises(InvalidValueError, match="steps"):
        Canary(steps=[20])  # type: ignore[list-item]
    with pytest.raises(InvalidValueError, match="duration"):
        Pause(-1)


# ---------------------------------------------------------------------------------------------
# Capacity: pods the scheduler cannot place stay Pending


def slots(total: int) -> Callable[[int, int], int]:
    """A cluster with room for ``total`` pods of any version."""
    return lambda old, new: min(new, total - old)


def test_anti_affinity_on_three_nodes_deadlocks_with_the_defaults() -> None:
    """kubernetes#116891: one pod per node on 3 nodes, 3 replicas, 25%/25% (surge 1, unavail. 0)."""
    plan = plan_rollout(3, schedulable=slots(3))
    assert plan.outcome == "stalled"
    assert rows(plan) == [(3, 1, 3)]
    assert plan.steps[0].pending == 1
    assert "1 new pods cannot be scheduled" in plan.reason
    assert plan.deadline_exceeded_at == 601.0
    fixed = plan_rollout(3, RollingUpdate(0, 1), schedulable=slots(3))
    assert fixed.outcome == "complete"
    assert all(step.pending == 0 for step in fixed.steps)


def test_one_replica_on_a_full_cluster() -> None:
    assert plan_rollout(1, schedulable=slots(1)).outcome == "stalled"
    assert plan_rollout(1, RollingUpdate(0, 1), schedulable=slots(1)).outcome == "complete"
    assert plan_rollout(1, Recreate(), schedulable=slots(1)).outcome == "complete"


def test_tight_capacity_slows_the_rollout_down() -> None:
    roomy = plan_rollout(10)
    tight = plan_rollout(10, schedulable=slots(11))
    assert tight.outcome == "complete"
    assert any(step.pending for step in tight.steps)
    assert len(tight.steps) > len(roomy.steps)
    assert check_plan(tight) == ()


def test_schedulable_is_only_for_deployments() -> None:
    with pytest.raises(InvalidValueError, match="schedulable"):
        plan_rollout(3, EcsRolling(), schedulable=slots(3))
