"""Invariants of every plan, for any replicas up to 1,000 and any valid strategy (hypothesis).

``check_plan`` is the oracle; each test adds the strategy's own bounds, and the planner is checked
step for step against ``sync`` driven by hand.
"""

from __future__ import annotations

import itertools

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from orchkit.rollout import (
    Canary,
    CreateReplicaSet,
    DaemonSetRollingUpdate,
    Deployment,
    DeploymentState,
    EcsRolling,
    Pause,
    Recreate,
    ReplicaSet,
    Requeue,
    Rescale,
    RollingUpdate,
    RolloutPlan,
    ScaleReplicaSet,
    SetWeight,
    StatefulSetRollingUpdate,
    check_plan,
    find_new_replica_set,
    max_surge,
    plan_rollout,
    resolve_fenceposts,
    scaled_value,
    settle,
    sync,
)
from orchkit.rollout import max_unavailable as resolved_unavailable

replicas = st.integers(0, 1000)
small_ints = st.integers(0, 12)
percents = st.integers(0, 100).map(lambda p: f"{p}%")
surges = st.one_of(small_ints, st.integers(0, 1200), st.integers(0, 300).map(lambda p: f"{p}%"))
unavailables = st.one_of(small_ints, st.integers(0, 1200), percents)


def _not_both_zero(pair: tuple[int | str, int | str]) -> bool:
    return pair[0] not in (0, "0%") or pair[1] not in (0, "0%")


rolling_updates = (
    st.tuples(surges, unavailables).filter(_not_both_zero).map(lambda p: RollingUpdate(*p))
)


def sizes(plan: RolloutPlan, start_old: int) -> list[tuple[int, int]]:
    """(old, new) before the rollout and after each step; -1: no new ReplicaSet yet."""
    return [(start_old, -1), *((s.old_replicas, s.new_replicas) for s in plan.steps)]


def final(plan: RolloutPlan, start_old: int) -> tuple[int, int]:
    old, new = sizes(plan, start_old)[-1]
    return old, max(new, 0)


def assert_monotone(pairs: list[tuple[int, int]]) -> None:
    """Every step makes progress: old never grows, new never shrinks, something moves."""
    for (old1, new1), (old2, new2) in itertools.pairwise(pairs):
        assert old2 <= old1
        assert new2 >= new1
        assert (old2, new2) != (old1, new1)


@settings(max_examples=150)
@given(replicas, rolling_updates)
@example(10, RollingUpdate(10, 5))
@example(10, RollingUpdate(1, 5))
@example(1, RollingUpdate())
@example(3, RollingUpdate(0, "25%"))
@example(3, RollingUpdate("1%", "1%"))
@example(0, RollingUpdate())
@example(1000, RollingUpdate(1, 0))
def test_rolling_update_invariants(replicas: int, strategy: RollingUpdate) -> None:
    """Starting healthy, a rollout completes within its surge and availability bounds."""
    plan = plan_rollout(replicas, strategy)
    assert check_plan(plan) == ()
    assert plan.outcome == "complete"
    last = plan.steps[-1]
    assert (last.old_replicas, last.new_replicas) == (0, replicas)
    surge, unavailable = resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, replicas)
    floor = replicas - min(unavailable, replicas)
    for step in plan.steps:
        assert step.total <= replicas + surge
        assert step.available >= floor
        assert step.available_before >= floor
    assert_monotone(sizes(plan, replicas))


@given(st.integers(0, 1000))
def test_recreate_invariants(replicas: int) -> None:
    """Recreate removes everything, then creates everything: two steps."""
    plan = plan_rollout(replicas, Recreate())
    assert check_plan(plan) == ()
    expected = [(0, 0), (0, replicas)] if replicas else [(0, 0)]
    assert sizes(plan, replicas)[1:] == expected


def drive(replicas: int, strategy: RollingUpdate | Recreate) -> list[tuple[int, int]]:
    """The planner's default start, rolled out by calling sync and settle by hand."""
    d = Deployment("app", replicas=replicas, template="new", strategy=strategy, generation=2)
    old = ReplicaSet(
        "app-old",
        "old",
        replicas,
        created=-1.0,
        status_replicas=replicas,
        ready_replicas=replicas,
        available_replicas=replicas,
        revision=1,
        desired_replicas=replicas,
        max_replicas=replicas + max_surge(d),
    )
    state = DeploymentState(d, [old], now=0.0)
    rows = []
    for _ in range(10_000):
        state, actions = sync(state)
        if any(isinstance(a, (CreateReplicaSet, ScaleReplicaSet)) for a in actions):
            new = find_new_replica_set(d, state.replica_sets)
            old_total = sum(rs.replicas for rs in state.replica_sets if rs is not new)
            rows.append((old_total, 0 if new is None else new.replicas))
        elif all(isinstance(a, Requeue) for a in actions):
            return rows
        state = settle(state)
    raise AssertionError("sync did not converge")


@settings(max_examples=60)
@given(st.integers(0, 40), st.one_of(rolling_updates, st.just(Recreate())))
def test_planner_matches_sync_driven_by_hand(replicas: int, strategy: RollingUpdate) -> None:
    """Differential: the planner's steps are exactly those of sync() plus settle()."""
    plan = plan_rollout(replicas, strategy)
    assert [(s.old_replicas, s.new_replicas) for s in plan.steps] == drive(replicas, strategy)


@st.composite
def start_states(draw: st.DrawFn) -> tuple[int, list[ReplicaSet]]:
    """Several old ReplicaSets with unready pods, perhaps a new one part-way."""
    count = draw(st.integers(1, 4))
    sets = []
    for i in range(count):
        spec = draw(st.integers(0, 30))
        existing = draw(st.integers(0, spec))
        available = draw(st.integers(0, existing))
        template = "new" if i == count - 1 and draw(st.booleans()) else f"v{i}"
        sets.append(
            ReplicaSet(
                f"app-{i}",
                template,
                spec,
                created=float(i),
                status_replicas=existing,
                ready_replicas=available,
                available_replicas=available,
                revision=i + 1,
                desired_replicas=draw(st.one_of(st.none(), st.integers(0, 60))),
                max_replicas=draw(st.one_of(st.none(), st.integers(0, 80))),
            )
        )
    return draw(st.integers(0, 60)), sets


@settings(max_examples=120)
@given(
    start_states(),
    st.one_of(rolling_updates, st.just(Recreate())),
    st.one_of(st.none(), st.integers(0, 30)),
    st.sampled_from([0.0, 5.0, 700.0]),
    st.one_of(st.none(), st.builds(Rescale, st.integers(0, 6), st.integers(0, 60))),
)
def test_any_start_terminates_soundly(
    start: tuple[int, list[ReplicaSet]],
    strategy: RollingUpdate | Recreate,
    ready_limit: int | None,
    ready_after: float,
    rescale: Rescale | None,
) -> None:
    """From any state, with any readiness, the plan ends (complete or stalled) and is sound."""
    replicas, sets = start
    plan = plan_rollout(
        replicas,
        strategy,
        start=sets,
        ready_limit=ready_limit,
        ready_after=ready_after,
        rescale=rescale,
    )
    assert check_plan(plan) == ()
    assert (plan.completed_at is not None) == (plan.outcome == "complete")
    assert plan.syncs < 10_000


@given(replicas, st.integers(0, 100), st.integers(100, 400))
@example(4, 50, 100)
@example(3, 100, 120)
@example(10, 0, 100)
def test_ecs_invariants(desired: int, minimum: int, maximum: int) -> None:
    """Running tasks stay within [minimumHealthyPercent, maximumPercent] of the desired count."""
    plan = plan_rollout(desired, EcsRolling(minimum, maximum))
    upper = desired * maximum // 100
    lower = -(-desired * minimum // 100)
    assert (plan.max_pods, plan.min_available) == (upper, lower)
    assert check_plan(plan) == ()
    if plan.outcome == "stalled":
        assert upper <= desired <= lower
        return
    for step in plan.steps:
        assert step.total <= upper
        assert step.available >= lower
    assert final(plan, desired) == (0, desired)
    assert_monotone(sizes(plan, desired))


sts_unavailable = st.one_of(st.integers(1, 50), st.integers(1, 100).map(lambda p: f"{p}%"))


@given(replicas, st.integers(0, 1200), sts_unavailable)
def test_statefulset_invariants(count: int, partition: int, unavailable: int | str) -> None:
    """No surge; at most maxUnavailable pods down; ordinals below the partition stay old."""
    plan = plan_rollout(count, StatefulSetRollingUpdate(partition, unavailable))
    at_once = max(1, scaled_value(unavailable, count, round_up=True)) if count else 0
    assert check_plan(plan) == ()
    for step in plan.steps:
        assert step.total == count
        assert count - step.available <= at_once
    kept = min(partition, count)
    assert final(plan, count) == (kept, count - kept)
    assert_monotone(sizes(plan, count))


ds_values = st.one_of(st.integers(0, 50), percents)


@given(replicas, st.tuples(ds_values, ds_values).filter(_not_both_zero))
def test_daemonset_invariants(nodes: int, knobs: tuple[int | str, int | str]) -> None:
    """At most one extra pod per surging node; at most maxUnavailable nodes without a pod."""
    surge, unavailable = knobs
    plan = plan_rollout(nodes, DaemonSetRollingUpdate(surge, unavailable))
    resolved_surge = min(scaled_value(surge, nodes, round_up=True), nodes)
    assert check_plan(plan) == ()
    for step in plan.steps:
        assert step.total <= nodes + resolved_surge
        assert step.total <= 2 * nodes
        if resolved_surge:
            assert step.available == nodes
        else:
            down = max(1, scaled_value(unavailable, nodes, round_up=True))
            assert nodes - step.available <= down
    assert final(plan, nodes) == (0, nodes)


canary_steps = st.lists(
    st.one_of(st.integers(0, 100).map(SetWeight), st.just(Pause()), st.just(Pause(30))),
    max_size=6,
)


@settings(max_examples=120)
@given(st.integers(0, 200), canary_steps, st.tuples(surges, unavailables).filter(_not_both_zero))
@example(10, [SetWeight(10), Pause(), SetWeight(50)], (1, 1))
@example(1, [SetWeight(5)], (1, 0))
def test_canary_invariants(
    count: int, steps: list[SetWeight | Pause], knobs: tuple[int | str, int | str]
) -> None:
    """A canary reaches every weight within its surge and availability bounds, then promotes."""
    strategy = Canary(steps, *knobs)
    plan = plan_rollout(count, strategy)
    assert plan.outcome == "complete", plan.reason
    assert check_plan(plan) == ()
    d = Deployment(replicas=count, strategy=RollingUpdate(*knobs))
    floor = count - resolved_unavailable(d)
    for step in plan.steps:
        assert step.total <= count + max_surge(d)
        assert step.available >= floor
    assert final(plan, count) == (0, count)


def test_rescale_keeps_the_new_bounds() -> None:
    plan = plan_rollout(10, rescale=Rescale(after_step=1, replicas=4))
    after = [s for s in plan.steps if s.replicas == 4]
    assert after
    assert check_plan(plan) == ()
    assert attrs.evolve(plan).outcome == "complete"


@settings(max_examples=100)
@given(st.integers(0, 200), rolling_updates, st.integers(0, 40))
def test_capacity_never_breaks_the_bounds(
    replicas: int, strategy: RollingUpdate, spare: int
) -> None:
    """With room for replicas + spare pods, plans stay sound; with a spare pod or a pod allowed
    to be unavailable, they complete."""
    total = replicas + spare
    plan = plan_rollout(replicas, strategy, schedulable=lambda old, new: min(new, total - old))
    assert check_plan(plan) == ()
    for step in plan.steps:
        assert step.total - step.pending <= total
    _, unavailable = resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, replicas)
    if replicas == 0 or spare > 0 or min(unavailable, replicas) > 0:
        assert plan.outcome == "complete", plan.reason
    else:
        assert plan.outcome == "stalled"
