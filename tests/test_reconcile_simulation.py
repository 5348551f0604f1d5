"""Seeded simulation of a whole controller: convergence (L4), quiescence (L5), no lost keys (L6).

The world: users change a desired map (Poisson arrivals) during a chaos window, a drift actor
changes the observed store behind the controller's back, watch events are dropped or delayed,
reconciles fail, writes conflict, some reconciles are slow. After the window the world behaves,
and by ``chaos + resync·(1 + jitter) + backoff cap + lag + slow reconcile + slack`` every key must
be converged, nothing lost, no backoff left, and a further quiet window must see no writes.

The default run checks ``ORCHKIT_SIM_SEEDS`` seeds (1,000 unless set); ``make test-slow`` runs
the ``slow`` test with 100,000 more seeds. To run 100,000 seeds in the default test instead::

    ORCHKIT_SIM_SEEDS=100000 .venv/bin/python -m pytest -q \
        tests/test_reconcile_simulation.py -k over_seeds
"""

from __future__ import annotations

import functools
import os
import random
from collections.abc import Callable

import attrs
import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from orchkit.reconcile import (
    Controller,
    FakeClock,
    Faults,
    ItemExponentialRateLimiter,
    SimulationReport,
    Simulator,
    Versioned,
    VersionedStore,
    apply,
)

#: Seeds of the default run (the issue asks for at least 1,000).
SEEDS = int(os.environ.get("ORCHKIT_SIM_SEEDS", "1000"))
#: Seeds of the slow tier.
SLOW_SEEDS = 100_000


#: The default fault mix: lost and late events, failures, conflicts, slow reconciles.
FAULT_MIX = Faults(
    drop_rate=0.3, max_lag=0.5, error_rate=0.2, conflict_rate=0.1, slow_rate=0.05, slow_time=2.0
)


@attrs.define
class Config:
    keys: int = 10
    workers: int = 4
    chaos: float = 30.0
    resync: float | None = 10.0
    cap: float = 5.0
    changes: int = 25
    drifts: int = 8
    faults: Faults = FAULT_MIX

    def horizon(self) -> float:
        resync = 0.0 if self.resync is None else self.resync * 1.1
        return self.chaos + resync + self.cap + self.faults.max_lag + self.faults.slow_time + 5.0


@attrs.define
class World:
    config: Config
    sim: Simulator[str]
    controller: Controller[str]
    desired: dict[str, int]
    store: VersionedStore[str, int]

    def converged(self) -> bool:
        snapshot = self.store.snapshot()
        return snapshot.keys() == self.desired.keys() and all(
            snapshot[k].value == v for k, v in self.desired.items()
        )


def build(
    seed: int, config: Config, *, bug: Callable[[Controller[str]], None] | None = None
) -> World:
    desired: dict[str, int] = {}
    store: VersionedStore[str, int] = VersionedStore()
    holder: list[Simulator[str]] = []

    def reconcile(key: str) -> None:
        def read() -> dict[str, Versioned[int]]:
            current = store.get(key)
            return {} if current is None else {key: current}

        want = {key: desired[key]} if key in desired else {}
        apply(want, read, holder[0].faulty(store), equal=VersionedStore.matches, max_attempts=2)

    controller = Controller(
        reconcile,
        workers=config.workers,
        clock=FakeClock(),
        resync=config.resync,
        list_keys=lambda: sorted(desired.keys() | set(store)),
        rate_limiter=ItemExponentialRateLimiter(0.005, config.cap),
        seed=seed,
    )
    sim = Simulator(controller, seed=seed, faults=attrs.evolve(config.faults, until=config.chaos))
    holder.append(sim)
    store.on_change = sim.notify
    world = World(config, sim, controller, desired, store)
    sim.converged = world.converged

    # The workload has its own generator so that fault draws never change what users do.
    rng = random.Random(seed * 7919 + 1)
    names = [f"k{i}" for i in range(config.keys)]

    def change(key: str, value: int | None) -> None:
        if value is None:
            desired.pop(key, None)
        else:
            desired[key] = value
        sim.notify(key)

    def drift(key: str, value: int | None) -> None:
        if value is None:
            store.remove(key)
        else:
            store.put(key, value)

    for _ in range(config.changes):
        key, value = rng.choice(names), None if rng.random() < 0.2 else rng.randrange(5)
        sim.at(rng.uniform(0, config.chaos), functools.partial(change, key, value))
    for _ in range(config.drifts):
        key, value = rng.choice(names), None if rng.random() < 0.3 else rng.randrange(5)
        sim.at(rng.uniform(0, config.chaos), functools.partial(drift, key, value))
    return world


def check_run(seed: int, config: Config) -> str | None:
    """Run one seed; return a description of what broke, or None."""
    world = build(seed, config)
    report = world.sim.run(config.horizon())
    problems = []
    if report.violations:
        problems.append(f"violations {report.violations}")
    if report.max_active > config.workers:
        problems.append(f"{report.max_active} reconciles at once")
    if report.lost_keys:
        problems.append(f"lost keys {report.lost_keys}")
    if not world.converged():
        problems.append("not converged")
    keys = world.desired.keys() | set(world.store) | {f"k{i}" for i in range(config.keys)}
    requeues = {k: world.controller.queue.num_requeues(k) for k in keys}
    if any(requeues.values()):
        problems.append(f"backoff not forgotten {requeues}")
    # Quiescence (L5): a quiet window of 5 resync periods sees no write and few reconciles.
    if config.resync is not None and not problems:
        writes, reconciles = world.store.writes, report.reconciles
        window = 5 * config.resync
        after = world.sim.run(report.time + window)
        if world.store.writes != writes:
            problems.append("writes in a quiet window (hot loop)")
        per_key = (after.reconciles - reconciles) / max(len(world.desired), 1)
        if per_key > window / config.resync + 1:
            problems.append(f"{per_key:.1f} reconciles per key in a quiet window")
    if problems:
        return f"seed {seed} (digest {report.digest[:12]}): " + "; ".join(problems)
    return None


def sweep(seeds: range, config: Config) -> list[str]:
    return [p for p in (check_run(seed, config) for seed in seeds) if p is not None]


def test_convergence_and_no_lost_keys_over_seeds() -> None:
    """L1, L4, L5, L6 over SEEDS seeds (1,000 by default) of the full fault mix."""
    failures = sweep(range(SEEDS), Config())
    assert not failures, "\n".join(failures[:20])


@pytest.mark.slow
def test_convergence_over_100k_seeds() -> None:
    """The same over 100,000 seeds (``make test-slow``)."""
    failures = sweep(range(SEEDS, SEEDS + SLOW_SEEDS), Config())
    assert not failures, "\n".join(failures[:20])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    keys=st.integers(1, 12),
    workers=st.integers(1, 8),
    drop=st.sampled_from([0.0, 0.1, 0.5, 0.9]),
    error=st.sampled_from([0.0, 0.2, 0.6]),
    conflict=st.sampled_from([0.0, 0.3, 0.8]),
    slow=st.sampled_from([0.0, 0.3]),
)
def test_convergence_for_any_fault_mix(
    seed: int, keys: int, workers: int, drop: float, error: float, conflict: float, slow: float
) -> None:
    """Hypothesis draws the configuration too, so failing fault mixes shrink."""
    faults = Faults(
        drop_rate=drop,
        max_lag=1.0,
        error_rate=error,
        conflict_rate=conflict,
        slow_rate=slow,
        slow_time=3.0,
    )
    config = Config(keys=keys, workers=workers, faults=faults)
    assert check_run(seed, config) is None


def test_replay_is_exact() -> None:
    """The same seed gives the same trace, down to the digest; another seed does not."""

    def run(seed: int) -> SimulationReport:
        world = build(seed, Config())
        return world.sim.run(Config().horizon())

    assert run(42) == run(42)
    assert run(42).digest != run(43).digest


def test_without_resync_dropped_events_are_never_healed() -> None:
    """The safety net is load-bearing: with resync off, lost events leave most seeds unconverged."""
    config = Config(resync=None, faults=Faults(drop_rate=0.3))
    failed = sum(
        not build(seed, config).sim.run(config.horizon()).converged_at for seed in range(100)
    )
    assert failed >= 80


def test_an_injected_bug_is_caught() -> None:
    """A controller that does not requeue on error fails in most seeds (no resync to hide it)."""
    config = Config(resync=None, faults=Faults(error_rate=0.2))
    caught = 0
    for seed in range(100):
        world = build(seed, config)
        world.controller._on_error = lambda key, exc: None  # type: ignore[method-assign]
        report = world.sim.run(config.horizon())
        caught += report.converged_at is None
    assert caught >= 80


def test_without_faults_everything_converges_quickly() -> None:
    config = Config(resync=None, faults=Faults())
    for seed in range(50):
        world = build(seed, config)
        report = world.sim.run(config.horizon())
        assert report.converged_at is not None
        assert report.converged_at <= config.chaos + 1.0
        assert report.pending == 0
        assert (report.dropped_events, report.injected_errors) == (0, 0)


def test_simulator_validation() -> None:
    from orchkit.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="FakeClock"):
        Simulator(Controller(lambda k: None))
    clock = FakeClock()
    controller = Controller(lambda k: None, clock=clock)
    with pytest.raises(InvalidValueError, match="work_time"):
        Simulator(controller, work_time=(2.0, 1.0))
    sim = Simulator(controller)
    sim.run(5.0)
    with pytest.raises(InvalidValueError, match="until"):
        sim.run(1.0)
    with pytest.raises(InvalidValueError, match="past"):
        sim.at(1.0, lambda: None)
    started = Controller(lambda k: None, clock=FakeClock())
    started.start()
    with pytest.raises(InvalidValueError, match="started"):
        Simulator(started)
    started.stop(timeout=60)
    with pytest.raises(InvalidValueError, match="drop_rate"):
        Faults(drop_rate=-0.1)
    with pytest.raises(InvalidValueError, match="slow_time"):
        Faults(slow_time=-1)


def test_trace_is_recorded_on_request() -> None:
    clock = FakeClock()
    controller = Controller(lambda k: None, clock=clock, list_keys=lambda: ["a"])
    sim = Simulator(controller, record=True)
    sim.run(1.0)
    assert sim.trace is not None
    assert [kind for _, kind, _ in sim.trace] == ["relist", "start", "done"]
