"""Deterministic simulation of a controller: simulated time, logical workers, seeded faults.

A `Simulator` drives a `Controller` built on a
`FakeClock` without starting its threads: a discrete-event heap of
``(time, sequence, action)`` moves the clock, ``workers`` logical workers take keys from the
controller's queue and hold each one for a drawn duration, and a seeded `random.Random`
decides which faults strike. The same seed gives the same run, down to the trace digest.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
import random
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import attrs

from orchkit._clock import FakeClock, check_seconds
from orchkit._controller import Controller
from orchkit._diff import Actuator, _sorted_keys
from orchkit.errors import ConflictError, InvalidValueError, QueueShutDownError, TemporaryError

__all__ = ["Faults", "SimulationReport", "Simulator"]

K = TypeVar("K", bound=Hashable)


def _check_rate(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not 0.0 <= value <= 1.0:
        raise InvalidValueError(attribute.name, value, "must be a probability in [0, 1]")


def _check_duration(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_seconds(attribute.name, value)


def _check_until(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InvalidValueError(attribute.name, value, "must be a time in seconds (or inf)")


@attrs.frozen
class Faults:
    """Which faults a `Simulator` injects, how often, and until when.

    Every probability is drawn from the simulator's seeded generator while the simulated time is
    before ``until`` (the chaos window); after it the world behaves, which is when convergence
    can be demanded.

    Raises
    ------
    InvalidValueError
        If a probability is outside ``[0, 1]`` or a duration is negative or not finite.

    Examples
    --------
    >>> Faults(drop_rate=0.3, error_rate=0.2, until=60.0).error_rate
    0.2
    >>> Faults(drop_rate=1.5)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: drop_rate: must be a probability in [0, 1] (got 1.5)
    """

    #: Probability that a watch event (`Simulator.notify`) is lost, e.g. ``0.3``.
    drop_rate: float = attrs.field(default=0.0, validator=_check_rate)
    #: Events arrive after a delay drawn uniformly from ``[0, max_lag]`` seconds.
    max_lag: float = attrs.field(default=0.0, validator=_check_duration)
    #: Probability that a reconcile fails with a transient error before doing anything.
    error_rate: float = attrs.field(default=0.0, validator=_check_rate)
    #: Probability that a write through `Simulator.faulty` raises ``ConflictError``.
    conflict_rate: float = attrs.field(default=0.0, validator=_check_rate)
    #: Probability that a reconcile takes ``slow_time`` instead of its usual duration.
    slow_rate: float = attrs.field(default=0.0, validator=_check_rate)
    #: Duration of a slow reconcile, in seconds.
    slow_time: float = attrs.field(default=1.0, validator=_check_duration)
    #: End of the chaos window, in simulated seconds; ``inf`` keeps faults on for ever.
    until: float = attrs.field(default=math.inf, validator=_check_until)


@attrs.frozen
class SimulationReport:
    """The outcome of `Simulator.run`.

    Examples
    --------
    >>> from orchkit.reconcile import Controller, FakeClock
    >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock()), seed=1)
    >>> sim.notify("web")
    >>> report = sim.run(until=1.0)
    >>> report.reconciles, report.lost_keys, report.violations
    (1, (), ())
    """

    #: The seed of the run (replaying it gives the same digest).
    seed: int
    #: Simulated time at the end of the run, in seconds.
    time: float
    #: Reconciles that ran (injected failures not included).
    reconciles: int
    #: Reconciles failed on purpose by the fault injector.
    injected_errors: int
    #: Writes failed on purpose with ``ConflictError`` by `Simulator.faulty` actuators.
    injected_conflicts: int
    #: Watch events lost on purpose.
    dropped_events: int
    #: Relists done by the resync timer (the startup relist not included).
    resyncs: int
    #: Largest number of reconciles in flight at once (never above the controller's workers).
    max_active: int
    #: Keys changed after their last reconcile started, not queued, held or delayed, and still
    #: listed by ``list_keys`` (when given): events that nothing will handle until a resync.
    #: Empty at the end of a healthy run.
    lost_keys: tuple[Any, ...]
    #: Keys queued, held by a logical worker, or delayed at the end of the run.
    pending: int
    #: Since when the ``converged`` predicate has held without interruption (``None`` if it did
    #: not hold at the end, or no predicate was given).
    converged_at: float | None
    #: Broken invariants seen during the run (a key handed to two workers, too many in flight).
    violations: tuple[str, ...]
    #: SHA-256 of the event trace; identical for identical runs.
    digest: str


class _FaultyActuator(Generic[K]):
    """An actuator whose writes fail with ``ConflictError`` at the simulator's conflict rate."""

    def __init__(self, sim: Simulator[Any], actuator: Actuator[K, Any, Any]) -> None:
        self._sim = sim
        self._actuator = actuator

    def _strike(self, key: K) -> None:
        sim = self._sim
        rate = sim.faults.conflict_rate
        if rate and sim.in_chaos() and sim.rng.random() < rate:
            sim._injected_conflicts += 1
            sim._record("conflict", key)
            raise ConflictError(key, expected="as read", actual="a racing write")

    def create(self, key: K, desired: Any) -> object:
        self._strike(key)
        return self._actuator.create(key, desired)

    def update(self, key: K, desired: Any, observed: Any) -> object:
        self._strike(key)
        return self._actuator.update(key, desired, observed)

    def delete(self, key: K, observed: Any) -> object:
        self._strike(key)
        return self._actuator.delete(key, observed)


class Simulator(Generic[K]):
    """Run a controller in simulated time, with faults drawn from a seeded generator.

    The controller must be built with a `FakeClock` and not started:
    the simulator plays its workers. At the first `run` it does the startup relist
    (``list_keys``) and, if the controller has a ``resync`` period, relists again every period
    (with the controller's jitter). Each logical worker takes a key from the queue, holds it for a
    duration drawn from ``work_time`` (or ``faults.slow_time``), then calls ``reconcile`` (unless
    the fault injector fails it) and ``done``. Changes of the world are announced with
    `notify`, which plays the watch: events may be dropped or delayed.

    Checked on every dispatch: no key is handed to a second worker, and no more than
    ``workers`` reconciles run at once. Tracked for the report: which keys changed after their
    last reconcile started (lost events) and a digest of the trace.

    Runtime complexity: ``O(log e)`` per simulated event for ``e`` scheduled events, plus the
    cost of the reconciles and of the ``converged`` predicate (called after every event).

    Parameters
    ----------
    controller
        The controller to drive; built on a ``FakeClock``, never started.
    seed
        Seed of the generator behind every random draw.
    faults
        The faults to inject; none by default.
    work_time
        ``(low, high)``: a reconcile holds its key for a duration drawn uniformly from it.
    converged
        Optional predicate "observed == desired", evaluated after every event to find since when
        the run has converged.
    record
        Keep the event trace in `trace` (the digest is always computed).

    Raises
    ------
    InvalidValueError
        If the controller does not use a ``FakeClock`` or was started, or ``work_time`` is not an
        ordered pair of non-negative durations.

    Examples
    --------
    A controller copying ``desired`` into ``observed``, with half of the watch events lost and a
    30 s resync as the safety net:

    >>> from orchkit.reconcile import Controller, FakeClock, Faults
    >>> desired, observed = {}, {}
    >>> def reconcile(key):
    ...     observed[key] = desired[key]
    >>> controller = Controller(
    ...     reconcile, workers=2, clock=FakeClock(), resync=30.0, list_keys=lambda: list(desired)
    ... )
    >>> sim = Simulator(controller, seed=7, faults=Faults(drop_rate=0.5, until=20.0),
    ...                 converged=lambda: observed == desired)
    >>> def change(key, value):
    ...     desired[key] = value
    ...     sim.notify(key)
    >>> for i in range(10):
    ...     sim.at(float(i), lambda i=i: change(f"k{i}", i))
    >>> report = sim.run(until=60.0)
    >>> report.dropped_events > 0, report.lost_keys, report.converged_at is not None
    (True, (), True)
    """

    def __init__(
        self,
        controller: Controller[K],
        *,
        seed: int = 0,
        faults: Faults | None = None,
        work_time: tuple[float, float] = (0.001, 0.01),
        converged: Callable[[], bool] | None = None,
        record: bool = False,
    ) -> None:
        clock = controller.queue.clock
        if not isinstance(clock, FakeClock):
            raise InvalidValueError("controller", controller, "must be built with a FakeClock")
        if controller._started:
            raise InvalidValueError("controller", controller, "must not be started")
        if (
            not isinstance(work_time, tuple)
            or len(work_time) != 2
            or check_seconds("work_time", work_time[0]) > check_seconds("work_time", work_time[1])
        ):
            raise InvalidValueError(
                "work_time", work_time, "must be a pair (low, high) with low <= high"
            )
        self.controller = controller
        self.clock: FakeClock = clock
        self.seed = seed
        self.rng = random.Random(seed)
        self.faults = faults if faults is not None else Faults()
        self.work_time = (float(work_time[0]), float(work_time[1]))
        self.converged = converged
        #: The event trace ``(time, kind, key)`` when ``record=True``, else ``None``.
        self.trace: list[tuple[float, str, Any]] | None = [] if record else None
        self._events: list[tuple[float, int, Callable[[], Any]]] = []
        self._seq = 0
        self._step = 0
        self._active: dict[K, float] = {}
        self._free = controller.workers
        self._hash = hashlib.sha256()
        self._last_change: dict[K, int] = {}
        self._last_start: dict[K, int] = {}
        self._violations: list[str] = []
        self._converged_since: float | None = None
        self._started = False
        self._reconciles = 0
        self._injected_errors = 0
        self._injected_conflicts = 0
        self._dropped = 0
        self._resyncs = 0
        self._max_active = 0

    # -- scheduling -----------------------------------------------------------------------------

    def now(self) -> float:
        """The simulated time, in seconds.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock(2.0)))
        >>> sim.now()
        2.0
        """
        return self.clock.now()

    def in_chaos(self) -> bool:
        """Whether faults are on (the simulated time is before ``faults.until``).

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock()),
        ...                 faults=Faults(error_rate=0.5, until=10.0))
        >>> sim.in_chaos(), sim.run(until=10.0).time, sim.in_chaos()
        (True, 10.0, False)
        """
        return self.clock.now() < self.faults.until

    def at(self, t: float, action: Callable[[], Any]) -> None:
        """Run ``action()`` at simulated time ``t`` (after the actions already scheduled for ``t``).

        Raises
        ------
        InvalidValueError
            If ``t`` is in the past or not finite.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock()))
        >>> sim.at(5.0, lambda: print("at", sim.now()))
        >>> _ = sim.run(until=10.0)
        at 5.0
        """
        check_seconds("t", t)
        if t < self.clock.now():
            raise InvalidValueError("t", t, f"is in the past (now is {self.clock.now()})")
        self._seq += 1
        heapq.heappush(self._events, (float(t), self._seq, action))

    def after(self, delay: float, action: Callable[[], Any]) -> None:
        """Run ``action()`` ``delay`` simulated seconds from now.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock(1.0)))
        >>> sim.after(2.5, lambda: print("at", sim.now()))
        >>> _ = sim.run(until=10.0)
        at 3.5
        """
        self.at(self.clock.now() + check_seconds("delay", delay), action)

    def _record(self, kind: str, key: object) -> None:
        now = self.clock.now()
        self._hash.update(f"{now:.9f} {kind} {key!r}\n".encode())
        if self.trace is not None:
            self.trace.append((now, kind, key))

    # -- the world's side -----------------------------------------------------------------------

    def notify(self, key: K) -> None:
        """Announce that the state of ``key`` changed now: a watch event for the controller.

        During the chaos window the event may be dropped (``faults.drop_rate``) or delivered
        late (up to ``faults.max_lag``); otherwise it adds ``key`` to the queue at once.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> seen = []
        >>> sim = Simulator(Controller(seen.append, clock=FakeClock()))
        >>> sim.notify("web")
        >>> _ = sim.run(until=1.0)
        >>> seen
        ['web']
        """
        self._step += 1
        self._last_change[key] = self._step
        self._record("change", key)
        faults = self.faults
        if self.in_chaos():
            if faults.drop_rate and self.rng.random() < faults.drop_rate:
                self._dropped += 1
                self._record("drop", key)
                return
            if faults.max_lag:
                self.after(
                    self.rng.uniform(0.0, faults.max_lag),
                    functools.partial(self.controller.queue.add, key),
                )
                return
        self.controller.queue.add(key)

    def faulty(self, actuator: Actuator[K, Any, Any]) -> Actuator[K, Any, Any]:
        """Wrap an actuator so that its writes fail with ``ConflictError`` at ``conflict_rate``.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock, Faults, VersionedStore
        >>> sim = Simulator(Controller(lambda k: None, clock=FakeClock()),
        ...                 faults=Faults(conflict_rate=1.0))
        >>> sim.faulty(VersionedStore()).create("web", 1)
        Traceback (most recent call last):
        ...
        orchkit.errors.ConflictError: conflict on 'web': ...
        """
        return _FaultyActuator(self, actuator)

    # -- the controller's side ------------------------------------------------------------------

    def _resync(self) -> None:
        self._resyncs += 1
        self._record("resync", None)
        self.controller._relist()
        self.after(self.controller._next_resync_delay(), self._resync)

    def _dispatch(self) -> None:
        queue = self.controller.queue
        rng = self.rng
        faults = self.faults
        low, high = self.work_time
        while self._free > 0 and (queue._queue or queue._heap):
            try:
                key = queue.get(timeout=0)
            except (TimeoutError, QueueShutDownError):
                return
            if key in self._active:
                self._violations.append(f"t={self.clock.now():.6f}: {key!r} handed out twice")
            self._active[key] = self.clock.now()
            self._free -= 1
            active = self.controller.workers - self._free
            self._max_active = max(self._max_active, active)
            if active > self.controller.workers:
                self._violations.append(f"t={self.clock.now():.6f}: {active} reconciles at once")
            self._record("start", key)
            duration = rng.uniform(low, high) if high > low else low
            if faults.slow_rate and self.in_chaos() and rng.random() < faults.slow_rate:
                duration = faults.slow_time
            self.after(duration, functools.partial(self._finish, key))

    def _finish(self, key: K) -> None:
        faults = self.faults
        injected = None
        if faults.error_rate and self.in_chaos() and self.rng.random() < faults.error_rate:
            injected = TemporaryError("injected transient failure")
            self._injected_errors += 1
            self._record("error", key)
        else:
            self._step += 1
            self._last_start[key] = self._step
            self._reconciles += 1
        try:
            self.controller._process(key, injected)
        finally:
            self.controller.queue.done(key)
            del self._active[key]
            self._free += 1
            self._record("done", key)

    def _check_converged(self) -> None:
        if self.converged is None:
            return
        if self.converged():
            if self._converged_since is None:
                self._converged_since = self.clock.now()
        else:
            self._converged_since = None

    def run(self, until: float) -> SimulationReport:
        """Simulate up to time ``until`` (inclusive) and report; may be called again to go on.

        Raises
        ------
        InvalidValueError
            If ``until`` is in the past or not finite.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock(),
        ...                            list_keys=lambda: ["a", "b"]))
        >>> report = sim.run(until=1.0)
        >>> report.time, report.reconciles, report.pending
        (1.0, 2, 0)
        """
        check_seconds("until", until)
        if until < self.clock.now():
            raise InvalidValueError("until", until, f"is in the past (now is {self.clock.now()})")
        controller = self.controller
        queue = controller.queue
        if not self._started:
            self._started = True
            self._record("relist", None)
            controller._relist()
            if controller.resync is not None:
                self.after(controller._next_resync_delay(), self._resync)
        events = self._events
        self._check_converged()
        while True:
            self._dispatch()
            t_event = events[0][0] if events else math.inf
            t_ready = math.inf
            if self._free and queue._heap:
                with queue._lock:
                    ready_at = queue._next_ready_nolock()
                if ready_at is not None:
                    t_ready = ready_at
            t = min(t_event, t_ready)
            if t > until:
                break
            if t > self.clock.now():
                self.clock.set(t)
            if t_event <= t:
                _, _, action = heapq.heappop(events)
                action()
            self._check_converged()
        if until > self.clock.now():
            self.clock.set(until)
        return self.report()

    def report(self) -> SimulationReport:
        """The report of the run so far.

        Examples
        --------
        >>> from orchkit.reconcile import Controller, FakeClock
        >>> sim = Simulator(Controller(lambda key: None, clock=FakeClock()), seed=5)
        >>> sim.notify("web")
        >>> report = sim.report()  # before running: "web" is still queued
        >>> report.seed, report.reconciles, report.pending
        (5, 0, 1)
        """
        queue = self.controller.queue
        with queue._lock:
            pending_keys = set(queue._dirty) | set(queue._processing) | set(queue._waiting)
        lost = [
            key
            for key, changed in self._last_change.items()
            if changed > self._last_start.get(key, 0) and key not in pending_keys
        ]
        if lost and self.controller.list_keys is not None:
            # A key that exists nowhere any more (deleted on both sides) has nothing to heal.
            existing = set(self.controller.list_keys())
            lost = [key for key in lost if key in existing]
        lost_keys = _sorted_keys(lost)
        return SimulationReport(
            seed=self.seed,
            time=self.clock.now(),
            reconciles=self._reconciles,
            injected_errors=self._injected_errors,
            injected_conflicts=self._injected_conflicts,
            dropped_events=self._dropped,
            resyncs=self._resyncs,
            max_active=self._max_active,
            lost_keys=lost_keys,
            pending=len(pending_keys | self._active.keys()),
            converged_at=self._converged_since if self.converged is not None else None,
            violations=tuple(self._violations),
            digest=self._hash.hexdigest(),
        )
