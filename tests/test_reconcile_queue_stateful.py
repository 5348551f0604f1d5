"""Model-based test of WorkQueue: a RuleBasedStateMachine checking the spec's invariants Q1-Q10.

The model is a direct transcription of client-go's ``queue.go`` plus orchkit's choices (the
earliest delay wins, an immediate add supersedes a delay, ``done`` of a key not held is refused).
After every step the real queue must equal the model exactly: same FIFO order, same sets.
"""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from orchkit.errors import InvalidValueError, QueueShutDownError
from orchkit.reconcile import FakeClock, ItemExponentialRateLimiter, WorkQueue

KEYS = st.sampled_from(["a", "b", "c", "d", "e"])
#: Delays and clock steps are multiples of 1/4 s so that sums of times are exact floats.
DELAYS = st.integers(-2, 12).map(lambda n: n / 4)
STEPS = st.integers(0, 12).map(lambda n: n / 4)


class QueueMachine(RuleBasedStateMachine):
    """The real queue against a reference model, step by step."""

    @initialize(metrics=st.booleans())
    def setup(self, metrics: bool) -> None:
        self.clock = FakeClock()
        self.q: WorkQueue[str] = WorkQueue(
            clock=self.clock, rate_limiter=ItemExponentialRateLimiter(0.25, 2.0), metrics=metrics
        )
        self.metrics = metrics
        # The model.
        self.queue: list[str] = []
        self.dirty: set[str] = set()
        self.held: dict[str, float] = {}  # key -> time of its get
        self.waiting: dict[str, tuple[float, int]] = {}  # key -> (ready time, sequence)
        self.seq = 0
        self.failures: dict[str, int] = {}
        self.shut = False
        self.adds = 0
        self.retries = 0
        self.gets = 0
        self.work_total = 0.0
        #: Keys added (before shutdown) and not handed out since: they must not be lost (Q4).
        self.must_run: set[str] = set()

    # -- model transitions --------------------------------------------------------------------

    def model_add(self, key: str) -> None:
        if self.shut or key in self.dirty:
            return
        self.dirty.add(key)
        self.adds += 1
        self.waiting.pop(key, None)
        if key not in self.held:
            self.queue.append(key)

    def model_add_after(self, key: str, delay: float) -> None:
        if self.shut:
            return
        self.retries += 1
        if delay <= 0:
            self.model_add(key)
            return
        if key in self.dirty:
            return
        ready = self.clock.now() + delay
        if key in self.waiting and self.waiting[key][0] <= ready:
            return
        self.seq += 1
        self.waiting[key] = (ready, self.seq)

    def model_promote(self) -> None:
        now = self.clock.now()
        for key, _ in sorted(
            ((k, e) for k, e in self.waiting.items() if e[0] <= now), key=lambda kv: kv[1]
        ):
            del self.waiting[key]
            self.model_add(key)

    # -- rules --------------------------------------------------------------------------------

    @rule(key=KEYS)
    def add(self, key: str) -> None:
        if not self.shut:
            self.must_run.add(key)
        self.q.add(key)
        self.model_add(key)

    @rule()
    def get(self) -> None:
        self.model_promote()
        if self.queue:
            expected = self.queue.pop(0)
            key = self.q.get(timeout=0)
            assert key == expected, "FIFO order (Q6)"
            assert key not in self.held, "a held key was handed out again (Q3)"
            self.dirty.discard(key)
            self.held[key] = self.clock.now()
            self.must_run.discard(key)
            self.gets += 1
        elif self.shut:
            with pytest.raises(QueueShutDownError):
                self.q.get(timeout=0)
        else:
            with pytest.raises(TimeoutError):
                self.q.get(timeout=0)

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def done(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.held)))
        self.work_total += self.clock.now() - self.held.pop(key)
        self.q.done(key)
        if key in self.dirty:
            self.queue.append(key)
            assert key in self.q._queue, "re-added while held, then done: queued again (Q4)"

    @rule(key=KEYS)
    def spurious_done(self, key: str) -> None:
        if key in self.held:
            return
        before = (list(self.q._queue), set(self.q._dirty), dict(self.q._processing))
        with pytest.raises(InvalidValueError):
            self.q.done(key)
        after = (list(self.q._queue), set(self.q._dirty), dict(self.q._processing))
        assert before == after, "a spurious done changed the queue (Q9)"

    @rule(key=KEYS, delay=DELAYS)
    def add_after(self, key: str, delay: float) -> None:
        if not self.shut and delay <= 0:
            self.must_run.add(key)
        self.q.add_after(key, delay)
        self.model_add_after(key, delay)

    @rule(key=KEYS)
    def add_rate_limited(self, key: str) -> None:
        if self.shut:
            self.q.add_rate_limited(key)
            return
        failures = self.failures.get(key, 0)
        self.failures[key] = failures + 1
        self.q.add_rate_limited(key)
        self.model_add_after(key, min(0.25 * 2**failures, 2.0))

    @rule(key=KEYS)
    def forget(self, key: str) -> None:
        self.q.forget(key)
        self.failures.pop(key, None)
        assert self.q.num_requeues(key) == 0

    @rule(dt=STEPS)
    def advance(self, dt: float) -> None:
        self.clock.advance(dt)
        # A delayed key whose time has come is in the queue at the next get (Q7).
        now = self.clock.now()
        for key, (ready, _) in self.waiting.items():
            if ready <= now:
                self.must_run.add(key)

    @rule(drain=st.booleans())
    def shut_down(self, drain: bool) -> None:
        if drain:
            drained = self.q.shut_down_with_drain(timeout=0)
            assert drained == (not self.queue and not self.held), "drain waits for queue and held"
        else:
            self.q.shut_down()
        self.shut = True
        self.waiting.clear()
        self.must_run &= self.dirty

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def internal_checks(self) -> None:
        self.q._check()

    @invariant()
    def matches_model(self) -> None:
        assert list(self.q._queue) == self.queue, "Q1/Q2/Q6: the ready queue"
        assert self.q._dirty == self.dirty
        assert set(self.q._processing) == set(self.held), "Q3: processing == held"
        assert {k: e[0] for k, e in self.q._waiting.items()} == {
            k: e[0] for k, e in self.waiting.items()
        }, "Q7: delays keep their earliest time"

    @invariant()
    def no_lost_keys(self) -> None:
        assert self.must_run <= self.dirty | set(self.waiting), "Q4: an added key was lost"

    @invariant()
    def metrics_agree(self) -> None:
        m = self.q.metrics()
        assert m.depth == len(self.dirty) == self.q.depth
        assert m.ready == len(self.queue) == len(self.q)
        assert m.processing == len(self.held)
        assert (m.adds, m.retries, m.gets) == (self.adds, self.retries, self.gets), "Q5/Q10"
        if self.metrics:
            assert m.work_duration.total == self.work_total, "Q10: work time on the fake clock"
            now = self.clock.now()
            ages = [now - t for t in self.held.values()]
            assert m.unfinished_work_seconds == sum(ages)
            assert m.longest_running_processor_seconds == max(ages, default=0.0)

    @invariant()
    def limiter_counts(self) -> None:
        for key in "abcde":
            assert self.q.num_requeues(key) == self.failures.get(key, 0)


QueueMachine.TestCase.settings = settings(
    QueueMachine.TestCase.settings, stateful_step_count=40, deadline=None
)
TestQueueMachine = QueueMachine.TestCase
