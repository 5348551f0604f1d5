"""The work queue: client-go's ``workqueue`` semantics, thread-safe, plus an asyncio variant.

State (the names of client-go's ``queue.go``)::

    queue       deque of keys ready to hand out, in first-add order (FIFO)
    dirty       keys that need processing: everything in ``queue`` plus keys re-added while held
    processing  keys a worker holds (between ``get`` and ``done``), with the time it got them
    waiting     delayed keys (``add_after``): key -> (ready time, sequence number), plus a heap

    invariants  set(queue) == dirty - processing; no key twice in queue; waiting ∩ dirty == ∅

All state lives in `_QueueCore`, whose ``_*_nolock`` methods hold the whole logic and never
block; `WorkQueue` wraps them in one lock and a condition variable, and
`AsyncWorkQueue` in asyncio futures. The hot path (``add``, ``get``, ``done``) allocates
nothing per operation beyond the set and dict entries, and reads the clock only when metrics are on.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import attrs

from orchkit._clock import Clock, SystemClock, check_seconds
from orchkit._ratelimit import ItemExponentialRateLimiter, RateLimiter
from orchkit.errors import InvalidValueError, QueueShutDownError

__all__ = ["AsyncWorkQueue", "DurationStats", "QueueMetrics", "WorkQueue"]

K = TypeVar("K", bound=Hashable)

#: Rebuild the delay heap when it holds this many entries and four times more than live ones.
_COMPACT_AT = 64


@attrs.frozen
class DurationStats:
    """Count, sum and maximum of a series of durations, in seconds.

    Examples
    --------
    >>> stats = DurationStats(count=4, total=2.0, max=1.25)
    >>> stats.mean
    0.5
    """

    #: Number of observations, e.g. ``1200`` keys handed out.
    count: int
    #: Sum of the observed durations, in seconds.
    total: float
    #: Largest observed duration, in seconds (0.0 when there was none).
    max: float

    @property
    def mean(self) -> float:
        """The average duration in seconds (0.0 when there was none).

        Examples
        --------
        >>> DurationStats(count=0, total=0.0, max=0.0).mean
        0.0
        """
        return self.total / self.count if self.count else 0.0


@attrs.frozen
class QueueMetrics:
    """A snapshot of a work queue's metrics (client-go's ``workqueue_*`` series).

    The durations are measured on the queue's clock, and only when the queue was created with
    ``metrics=True`` (the default); otherwise they stay at zero.

    Examples
    --------
    >>> from orchkit.reconcile import FakeClock
    >>> clock = FakeClock()
    >>> q = WorkQueue(clock=clock)
    >>> q.add("web"); q.add("web"); q.add("db")
    >>> _ = clock.advance(2.0)
    >>> key = q.get()
    >>> _ = clock.advance(0.5)
    >>> m = q.metrics()
    >>> m.depth, m.adds, m.processing, m.queue_latency.max, m.longest_running_processor_seconds
    (1, 2, 1, 2.0, 0.5)
    """

    #: The queue's name, e.g. ``"deployments"``.
    name: str
    #: Keys that need processing (``workqueue_depth``): queued ones plus those re-added while held.
    depth: int
    #: Keys ready to hand out right now (``len(queue)``).
    ready: int
    #: Keys held by workers, between ``get`` and ``done``.
    processing: int
    #: Delayed keys waiting for their time (``add_after``, ``add_rate_limited``).
    waiting: int
    #: Adds that were not coalesced with a pending one (``workqueue_adds_total``).
    adds: int
    #: Calls to ``add_after`` and ``add_rate_limited`` (``workqueue_retries_total``).
    retries: int
    #: Keys handed out by ``get``.
    gets: int
    #: Time from the first add of a key to its ``get`` (``workqueue_queue_duration_seconds``).
    queue_latency: DurationStats
    #: Time from ``get`` to ``done`` (``workqueue_work_duration_seconds``).
    work_duration: DurationStats
    #: Sum of the ages of the keys being processed (``workqueue_unfinished_work_seconds``).
    unfinished_work_seconds: float
    #: Age of the oldest key being processed (``workqueue_longest_running_processor_seconds``).
    longest_running_processor_seconds: float


class _QueueCore(Generic[K]):
    """The state and non-blocking logic shared by `WorkQueue` and `AsyncWorkQueue`."""

    def __init__(
        self,
        *,
        name: str,
        clock: Clock | None,
        rate_limiter: RateLimiter | None,
        metrics: bool,
    ) -> None:
        if not isinstance(name, str):
            raise InvalidValueError("name", name, "must be a string")
        self.name = name
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.rate_limiter: RateLimiter = (
            rate_limiter if rate_limiter is not None else ItemExponentialRateLimiter()
        )
        self._now: Callable[[], float] = self.clock.now
        self._timing = bool(metrics)
        self._queue: deque[K] = deque()
        self._dirty: set[K] = set()
        self._processing: dict[K, float] = {}
        self._add_times: dict[K, float] = {}
        self._waiting: dict[K, tuple[float, int]] = {}
        self._heap: list[tuple[float, int, K]] = []
        self._seq = 0
        self._shutting_down = False
        self._drain = False
        self._adds = 0
        self._retries = 0
        self._gets = 0
        # Counts of the duration series are derived (gets, and gets - processing), not kept.
        self._lat_sum = 0.0
        self._lat_max = 0.0
        self._work_sum = 0.0
        self._work_max = 0.0

    # -- the logic; callers hold the lock (WorkQueue) or run on the loop (AsyncWorkQueue) --------

    def _add_nolock(self, key: K) -> bool:
        """Mark ``key`` dirty; return whether it was pushed onto the ready queue."""
        if self._shutting_down or key in self._dirty:
            return False
        self._dirty.add(key)
        self._adds += 1
        if self._waiting:
            # An immediate add supersedes a pending delay: no second delivery later.
            self._waiting.pop(key, None)
        if self._timing:
            self._add_times[key] = self._now()
        if key in self._processing:
            return False  # parked: ``done`` re-queues it
        self._queue.append(key)
        return True

    def _add_after_nolock(self, key: K, delay: float) -> bool:
        """Schedule ``key`` in ``delay`` seconds; return whether waiters should look again."""
        if self._shutting_down:
            return False
        self._retries += 1
        if delay <= 0:
            return self._add_nolock(key)
        if key in self._dirty:
            return False  # it is already due sooner than any delay
        ready_at = self._now() + delay
        current = self._waiting.get(key)
        if current is not None and current[0] <= ready_at:
            return False  # the earliest time wins
        self._seq += 1
        self._waiting[key] = (ready_at, self._seq)
        heapq.heappush(self._heap, (ready_at, self._seq, key))
        if len(self._heap) > _COMPACT_AT and len(self._heap) > 4 * len(self._waiting):
            self._heap = [(t, seq, k) for k, (t, seq) in self._waiting.items()]
            heapq.heapify(self._heap)
        return True

    def _promote_nolock(self) -> bool:
        """Move delayed keys whose time has come to the ready queue; return whether any moved."""
        heap = self._heap
        now = self._now()
        moved = False
        while heap and heap[0][0] <= now:
            _, seq, key = heapq.heappop(heap)
            entry = self._waiting.get(key)
            if entry is not None and entry[1] == seq:
                del self._waiting[key]
                moved = self._add_nolock(key) or moved
        return moved

    def _next_ready_nolock(self) -> float | None:
        """The earliest time a delayed key becomes ready, or ``None``; drops stale heap entries."""
        heap = self._heap
        while heap:
            _, seq, key = heap[0]
            entry = self._waiting.get(key)
            if entry is not None and entry[1] == seq:
                return entry[0]
            heapq.heappop(heap)
        return None

    def _get_nolock(self) -> K:
        """Hand out the first ready key; the ready queue must not be empty."""
        key = self._queue.popleft()
        self._dirty.discard(key)
        self._gets += 1
        if self._timing:
            now = self._now()
            self._processing[key] = now
            waited = now - self._add_times.pop(key, now)
            self._lat_sum += waited
            if waited > self._lat_max:  # noqa: PLR1730 - cheaper than max() on the hot path
                self._lat_max = waited
        else:
            self._processing[key] = 0.0
        return key

    def _done_nolock(self, key: K) -> bool:
        """Release ``key``; return whether it was queued again (it was re-added meanwhile)."""
        try:
            started = self._processing.pop(key)
        except KeyError:
            raise InvalidValueError(
                "key", key, f"is not being processed by work queue {self.name!r}"
            ) from None
        if self._timing:
            worked = self._now() - started
            self._work_sum += worked
            if worked > self._work_max:  # noqa: PLR1730 - cheaper than max() on the hot path
                self._work_max = worked
        if key in self._dirty:
            self._queue.append(key)
            return True
        return False

    def _shut_down_nolock(self, *, drain: bool) -> None:
        """Stop accepting adds; abandon delayed keys (level-triggered callers relist on restart)."""
        self._shutting_down = True
        self._drain = drain
        self._waiting.clear()
        self._heap.clear()

    def _when_nolimit(self, key: K) -> float:
        """Ask the rate limiter for ``key``'s next delay and check the answer."""
        delay = self.rate_limiter.when(key)
        if not (isinstance(delay, (int, float)) and math.isfinite(delay) and delay >= 0):
            raise InvalidValueError(
                "rate_limiter", self.rate_limiter, f"returned an unusable delay {delay!r}"
            )
        return float(delay)

    def _idle_nolock(self) -> bool:
        """Whether nothing is queued or held (the drain condition)."""
        return not self._queue and not self._processing

    # -- read-only API shared by both variants -------------------------------------------------

    def forget(self, key: K) -> None:
        """Clear the rate limiter's retry history of ``key``; call it once ``key`` succeeded.

        This does not release ``key``: a worker still calls `done`. A history that is
        never forgotten keeps growing the key's backoff for ever.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add_rate_limited("web")
        >>> q.forget("web")
        >>> q.num_requeues("web")
        0
        """
        self.rate_limiter.forget(key)

    def num_requeues(self, key: K) -> int:
        """How many rate-limited retries ``key`` has had since it was last forgotten.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add_rate_limited("web"); q.add_rate_limited("web")
        >>> q.num_requeues("web"), q.num_requeues("db")
        (2, 0)
        """
        return self.rate_limiter.num_requeues(key)

    @property
    def shutting_down(self) -> bool:
        """Whether `shut_down` (or the drain variant) was called.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.shutting_down
        False
        >>> q.shut_down()
        >>> q.shutting_down
        True
        """
        return self._shutting_down

    @property
    def depth(self) -> int:
        """Keys that need processing: queued ones plus those re-added while held.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add("web"); q.add("db")
        >>> key = q.get()
        >>> q.add(key)  # parked while held
        >>> q.depth, len(q)
        (2, 1)
        """
        return len(self._dirty)

    def __len__(self) -> int:
        """Keys ready to hand out now (for information: never gate ``add`` or ``get`` on it)."""
        return len(self._queue)

    def metrics(self) -> QueueMetrics:
        """A snapshot of the queue's metrics; runtime complexity ``O(keys being processed)``.

        Examples
        --------
        >>> q = WorkQueue(name="pods")
        >>> q.add("web"); q.add("web")
        >>> q.metrics().adds, q.metrics().depth
        (1, 1)
        """
        now = self._now()
        if self._timing and self._processing:
            ages = [now - started for started in list(self._processing.values())]
            unfinished, longest = sum(ages), max(ages)
        else:
            unfinished = longest = 0.0
        return QueueMetrics(
            name=self.name,
            depth=len(self._dirty),
            ready=len(self._queue),
            processing=len(self._processing),
            waiting=len(self._waiting),
            adds=self._adds,
            retries=self._retries,
            gets=self._gets,
            queue_latency=DurationStats(
                self._gets if self._timing else 0, self._lat_sum, self._lat_max
            ),
            work_duration=DurationStats(
                self._gets - len(self._processing) if self._timing else 0,
                self._work_sum,
                self._work_max,
            ),
            unfinished_work_seconds=unfinished,
            longest_running_processor_seconds=longest,
        )

    def _check(self) -> None:
        """Assert the internal invariants (for tests; ``O(n)``)."""
        queued = set(self._queue)
        assert len(queued) == len(self._queue), "a key is queued twice"
        assert queued == self._dirty - self._processing.keys(), "queue != dirty - processing"
        assert not (self._waiting.keys() & self._dirty), "a key is both delayed and dirty"
        live = {(seq, key) for _, seq, key in self._heap}
        assert all((seq, key) in live for key, (_, seq) in self._waiting.items())
        if self._timing:
            assert self._add_times.keys() == self._dirty, "add times out of step with dirty"
        if self._shutting_down:
            assert not self._waiting, "delayed keys survived a shutdown"


def _check_delay(delay: object) -> None:
    """Validate an ``add_after`` delay: a finite number of seconds (``<= 0`` means now)."""
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not math.isfinite(delay):
        raise InvalidValueError("delay", delay, "must be a finite number of seconds")


def _check_timeout(timeout: float | None) -> float | None:
    """Validate a ``timeout`` argument: ``None`` (wait for ever) or seconds ``>= 0``."""
    return None if timeout is None else check_seconds("timeout", timeout)


class WorkQueue(_QueueCore[K]):
    """A thread-safe work queue of keys with client-go semantics.

    - **Keys, not events.** A key waiting in the queue is there once, however often it is added.
    - **Stingy.** A key handed out by `get` is never handed to another worker before
      `done`; adding it meanwhile marks it dirty, and `done` queues it again, so any
      number of adds during one reconcile cause exactly one more.
    - **Fair.** Keys come out in the order they were first added.
    - **Delays.** `add_after` and `add_rate_limited` hold a key back; the earliest
      requested time wins, and an immediate `add` supersedes a pending delay.
    - **Shutdown.** After `shut_down`, adds are dropped and delayed keys abandoned, but keys
      already queued are still handed out; then `get` raises
      `QueueShutDownError`. `shut_down_with_drain` also waits until
      nothing is queued or held.

    Unlike client-go, `done` for a key that is not held raises instead of corrupting the
    queue (kubernetes PR #141079).

    Runtime complexity: ``add``, ``get`` and ``done`` are ``O(1)``; ``add_after`` is
    ``O(log w)`` for ``w`` delayed keys. One lock guards everything.

    Parameters
    ----------
    name
        Name used in metrics and messages.
    clock
        Time source for delays and metrics; `SystemClock` by default.
    rate_limiter
        Used by `add_rate_limited`, `forget` and `num_requeues`; by default a
        fresh `ItemExponentialRateLimiter` (5 ms doubling to 1000 s).
        Never share one limiter between queues.
    metrics
        Record queue latency and work durations (two clock reads per key); counters and depth
        are always kept.

    Examples
    --------
    >>> q = WorkQueue()
    >>> for key in ["web", "db", "web"]:
    ...     q.add(key)
    >>> len(q)
    2
    >>> key = q.get()
    >>> key
    'web'
    >>> q.add("web")  # re-added while held: parked, not handed to a second worker
    >>> q.get()
    'db'
    >>> q.get(timeout=0)
    Traceback (most recent call last):
    ...
    TimeoutError: work queue 'queue' has no key ready
    >>> q.done("web")  # now it is queued again
    >>> q.get()
    'web'
    """

    def __init__(
        self,
        *,
        name: str = "queue",
        clock: Clock | None = None,
        rate_limiter: RateLimiter | None = None,
        metrics: bool = True,
    ) -> None:
        super().__init__(name=name, clock=clock, rate_limiter=rate_limiter, metrics=metrics)
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._idle = threading.Condition(self._lock)
        self._getters = 0
        self._draining = 0
        # A clock that announces its moves (FakeClock) wakes getters waiting for a delayed key.
        self._clock_notifies = hasattr(self.clock, "subscribe")
        if self._clock_notifies:
            self.clock.subscribe(self._on_clock_moved)  # type: ignore[attr-defined]

    def add(self, key: K) -> None:
        """Mark ``key`` as needing processing.

        Coalesced with a pending add of the same key; parked if a worker holds the key (it is
        queued again at `done`); dropped after shutdown. Runtime complexity ``O(1)``.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add("web"); q.add("web")
        >>> len(q)
        1
        """
        with self._lock:
            if self._add_nolock(key) and self._getters:
                self._ready.notify()

    def add_after(self, key: K, delay: float) -> None:
        """Add ``key`` once ``delay`` seconds have passed on the queue's clock.

        If ``key`` is already delayed, the earlier time wins; if it is already queued, this does
        nothing. ``delay <= 0`` is a plain `add`. Runtime complexity ``O(log w)``.

        Raises
        ------
        InvalidValueError
            If ``delay`` is not a finite number.

        Examples
        --------
        >>> from orchkit.reconcile import FakeClock
        >>> clock = FakeClock()
        >>> q = WorkQueue(clock=clock)
        >>> q.add_after("web", 5.0)
        >>> q.add_after("web", 2.0)  # the earliest time wins
        >>> len(q), q.metrics().waiting
        (0, 1)
        >>> _ = clock.advance(2.0)
        >>> q.get(timeout=0)
        'web'
        """
        _check_delay(delay)
        with self._lock:
            if self._add_after_nolock(key, delay) and self._getters:
                self._ready.notify_all()

    def add_rate_limited(self, key: K) -> None:
        """Add ``key`` after the rate limiter's delay for it (which counts one more retry).

        Raises
        ------
        InvalidValueError
            If the rate limiter returns a negative or non-finite delay.

        Examples
        --------
        >>> from orchkit.reconcile import FakeClock, ItemExponentialRateLimiter
        >>> clock = FakeClock()
        >>> q = WorkQueue(clock=clock, rate_limiter=ItemExponentialRateLimiter(1.0, 60.0))
        >>> q.add_rate_limited("web"); q.add_rate_limited("web")
        >>> q.num_requeues("web")
        2
        >>> _ = clock.advance(1.0)
        >>> q.get(timeout=0)
        'web'
        >>> q.forget("web"); q.done("web")
        >>> q.num_requeues("web")
        0
        """
        if self._shutting_down:
            return
        delay = self._when_nolimit(key)
        self.add_after(key, delay)

    def get(self, timeout: float | None = None) -> K:
        """Hand out the next ready key; the caller must call `done` with it.

        Blocks until a key is ready (including a delayed key whose time comes), the queue is
        shut down and empty, or ``timeout`` seconds (real time) pass. ``timeout=0`` never blocks.
        Runtime complexity ``O(1)`` (``O(log w)`` when delayed keys become ready).

        Raises
        ------
        QueueShutDownError
            If the queue is shut down and has nothing left to hand out.
        TimeoutError
            If no key became ready within ``timeout``.
        InvalidValueError
            If ``timeout`` is negative or not finite.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add("web")
        >>> q.get(timeout=1.0)
        'web'
        >>> q.get(timeout=0)
        Traceback (most recent call last):
        ...
        TimeoutError: work queue 'queue' has no key ready
        """
        if timeout is not None:
            _check_timeout(timeout)
        with self._lock:
            if self._heap:
                self._promote_nolock()
            if self._queue:
                return self._get_nolock()
        return self._get_slow(timeout)

    def _get_slow(self, timeout: float | None) -> K:
        """Wait for a key, for a shutdown, or for the timeout to expire."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while True:
                if self._heap:
                    self._promote_nolock()
                if self._queue:
                    return self._get_nolock()
                if self._shutting_down:
                    msg = f"work queue {self.name!r} is shut down"
                    raise QueueShutDownError(msg)
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    msg = f"work queue {self.name!r} has no key ready"
                    raise TimeoutError(msg)
                if not self._clock_notifies:
                    ready_at = self._next_ready_nolock()
                    if ready_at is not None:
                        until_ready = max(ready_at - self._now(), 0.0)
                        wait = until_ready if wait is None else min(wait, until_ready)
                self._getters += 1
                try:
                    self._ready.wait(wait)
                finally:
                    self._getters -= 1

    def done(self, key: K) -> None:
        """Release ``key`` after processing; queue it again if it was re-added meanwhile.

        Every `get` must be matched by exactly one ``done``. Runtime complexity ``O(1)``.

        Raises
        ------
        InvalidValueError
            If ``key`` is not being processed (a second ``done``, or a key never handed out);
            the queue is left unchanged.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add("web")
        >>> q.done(q.get())
        >>> q.done("web")
        Traceback (most recent call last):
        ...
        orchkit.errors.InvalidValueError: key: is not being processed by ... (got 'web')
        """
        with self._lock:
            if self._done_nolock(key):
                if self._getters:
                    self._ready.notify()
            elif self._draining and not self._processing and not self._queue:
                self._idle.notify_all()

    def shut_down(self) -> None:
        """Stop accepting adds and abandon delayed keys; queued keys are still handed out.

        Workers blocked in `get` wake up; once the queue is empty, `get` raises
        `QueueShutDownError`. A pending `shut_down_with_drain`
        stops waiting and returns ``False``.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add("web")
        >>> q.shut_down()
        >>> q.add("db")  # dropped
        >>> q.get()
        'web'
        """
        with self._lock:
            self._shut_down_nolock(drain=False)
            self._ready.notify_all()
            self._idle.notify_all()

    def shut_down_with_drain(self, timeout: float | None = None) -> bool:
        """Shut down, then wait until no key is queued or held (or ``timeout`` real seconds pass).

        Unlike client-go, this waits for queued keys as well as held ones, so it returns only
        once workers have handed every key back with `done`.

        Returns
        -------
        bool
            ``True`` if the queue drained, ``False`` on timeout or if `shut_down` was called
            meanwhile.

        Raises
        ------
        InvalidValueError
            If ``timeout`` is negative or not finite.

        Examples
        --------
        >>> q = WorkQueue()
        >>> q.add("web")
        >>> q.shut_down_with_drain(timeout=0)  # nobody processed "web" yet
        False
        >>> key = q.get(); q.done(key)
        >>> q.shut_down_with_drain(timeout=0)
        True
        """
        deadline = None if timeout is None else time.monotonic() + check_seconds("timeout", timeout)
        with self._lock:
            self._shut_down_nolock(drain=True)
            self._ready.notify_all()
            self._draining += 1
            try:
                while not self._idle_nolock():
                    if not self._drain:
                        return False
                    wait = None if deadline is None else deadline - time.monotonic()
                    if wait is not None and wait <= 0:
                        return False
                    self._idle.wait(wait)
                return True
            finally:
                self._draining -= 1

    def _on_clock_moved(self) -> None:
        """Wake getters when a fake clock moves: a delayed key may be ready now."""
        with self._lock:
            if self._getters and self._heap:
                self._ready.notify_all()

    def __repr__(self) -> str:
        return (
            f"<WorkQueue {self.name!r} ready={len(self._queue)} processing="
            f"{len(self._processing)} waiting={len(self._waiting)}>"
        )


class AsyncWorkQueue(_QueueCore[K]):
    """The asyncio variant of `WorkQueue`: same core logic, awaitable ``get`` and drain.

    Use it from one event loop only; it takes no locks. ``add``, ``add_after``,
    ``add_rate_limited``, ``done`` and ``shut_down`` are plain methods (they never wait);
    `get` and `shut_down_with_drain` are coroutines.

    Parameters
    ----------
    name, clock, rate_limiter, metrics
        As for `WorkQueue`.

    Examples
    --------
    >>> import asyncio
    >>> async def main():
    ...     q = AsyncWorkQueue()
    ...     for key in ["web", "db", "web"]:
    ...         q.add(key)
    ...     seen = []
    ...     async def worker():
    ...         while True:
    ...             try:
    ...                 key = await q.get()
    ...             except QueueShutDownError:
    ...                 return
    ...             seen.append(key)
    ...             q.done(key)
    ...     task = asyncio.create_task(worker())
    ...     drained = await q.shut_down_with_drain(timeout=5)
    ...     await task
    ...     return drained, seen
    >>> asyncio.run(main())
    (True, ['web', 'db'])
    """

    def __init__(
        self,
        *,
        name: str = "queue",
        clock: Clock | None = None,
        rate_limiter: RateLimiter | None = None,
        metrics: bool = True,
    ) -> None:
        super().__init__(name=name, clock=clock, rate_limiter=rate_limiter, metrics=metrics)
        self._getters: deque[asyncio.Future[None]] = deque()
        self._idle_waiters: list[asyncio.Future[None]] = []
        self._clock_notifies = hasattr(self.clock, "subscribe")
        if self._clock_notifies:
            self.clock.subscribe(self._on_clock_moved)  # type: ignore[attr-defined]

    def _wake_one(self) -> None:
        """Wake the first getter still waiting."""
        while self._getters:
            waiter = self._getters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def _wake_all(self) -> None:
        """Wake every getter (on shutdown, or when delays changed)."""
        while self._getters:
            waiter = self._getters.popleft()
            if not waiter.done():
                waiter.set_result(None)

    def _wake_idle(self) -> None:
        for waiter in self._idle_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._idle_waiters.clear()

    def add(self, key: K) -> None:
        """Mark ``key`` as needing processing (see `WorkQueue.add`).

        Examples
        --------
        >>> q = AsyncWorkQueue()
        >>> q.add("web"); q.add("web")
        >>> len(q)
        1
        """
        if self._add_nolock(key) and self._getters:
            self._wake_one()

    def add_after(self, key: K, delay: float) -> None:
        """Add ``key`` after ``delay`` seconds (see `WorkQueue.add_after`).

        Raises
        ------
        InvalidValueError
            If ``delay`` is not a finite number.

        Examples
        --------
        >>> from orchkit.reconcile import FakeClock
        >>> clock = FakeClock()
        >>> q = AsyncWorkQueue(clock=clock)
        >>> q.add_after("web", 3.0)
        >>> _ = clock.advance(3.0)
        >>> q.get_nowait()
        'web'
        """
        _check_delay(delay)
        if self._add_after_nolock(key, delay) and self._getters:
            self._wake_all()

    def add_rate_limited(self, key: K) -> None:
        """Add ``key`` after the rate limiter's delay (see `WorkQueue.add_rate_limited`).

        Raises
        ------
        InvalidValueError
            If the rate limiter returns a negative or non-finite delay.

        Examples
        --------
        >>> q = AsyncWorkQueue()
        >>> q.add_rate_limited("web")
        >>> q.num_requeues("web")
        1
        """
        if not self._shutting_down:
            self.add_after(key, self._when_nolimit(key))

    def get_nowait(self) -> K:
        """Hand out the next ready key without waiting.

        Raises
        ------
        QueueShutDownError
            If the queue is shut down and empty.
        TimeoutError
            If no key is ready.

        Examples
        --------
        >>> q = AsyncWorkQueue()
        >>> q.add("web")
        >>> q.get_nowait()
        'web'
        """
        if self._heap:
            self._promote_nolock()
        if self._queue:
            return self._get_nolock()
        if self._shutting_down:
            msg = f"work queue {self.name!r} is shut down"
            raise QueueShutDownError(msg)
        msg = f"work queue {self.name!r} has no key ready"
        raise TimeoutError(msg)

    async def get(self, timeout: float | None = None) -> K:
        """Wait for the next ready key (see `WorkQueue.get`); ``timeout`` in loop seconds.

        Raises
        ------
        QueueShutDownError
            If the queue is shut down and has nothing left to hand out.
        TimeoutError
            If no key became ready within ``timeout``.
        InvalidValueError
            If ``timeout`` is negative or not finite.

        Examples
        --------
        >>> import asyncio
        >>> async def main():
        ...     q = AsyncWorkQueue()
        ...     getter = asyncio.create_task(q.get(timeout=5))
        ...     await asyncio.sleep(0)
        ...     q.add("web")
        ...     return await getter
        >>> asyncio.run(main())
        'web'
        """
        checked = _check_timeout(timeout)
        if self._heap:
            self._promote_nolock()
        if self._queue:
            return self._get_nolock()
        loop = asyncio.get_running_loop()
        deadline = None if checked is None else loop.time() + checked
        while True:
            if self._heap:
                self._promote_nolock()
            if self._queue:
                return self._get_nolock()
            if self._shutting_down:
                msg = f"work queue {self.name!r} is shut down"
                raise QueueShutDownError(msg)
            wait = None if deadline is None else deadline - loop.time()
            if wait is not None and wait <= 0:
                msg = f"work queue {self.name!r} has no key ready"
                raise TimeoutError(msg)
            if not self._clock_notifies:
                ready_at = self._next_ready_nolock()
                if ready_at is not None:
                    until_ready = max(ready_at - self._now(), 0.0)
                    wait = until_ready if wait is None else min(wait, until_ready)
            waiter: asyncio.Future[None] = loop.create_future()
            self._getters.append(waiter)
            try:
                await asyncio.wait((waiter,), timeout=wait)
            except BaseException:
                # Cancelled after being woken: pass the wake-up on, or the key would sit unseen.
                if waiter.done() and not waiter.cancelled() and self._queue:
                    self._wake_one()
                raise
            finally:
                if not waiter.done():
                    waiter.cancel()

    def done(self, key: K) -> None:
        """Release ``key`` after processing (see `WorkQueue.done`).

        Raises
        ------
        InvalidValueError
            If ``key`` is not being processed; the queue is left unchanged.

        Examples
        --------
        >>> q = AsyncWorkQueue()
        >>> q.add("web")
        >>> key = q.get_nowait()
        >>> q.add("web")  # parked while held
        >>> q.done(key)
        >>> q.get_nowait()
        'web'
        """
        if self._done_nolock(key):
            if self._getters:
                self._wake_one()
        elif self._idle_waiters and not self._processing and not self._queue:
            self._wake_idle()

    def shut_down(self) -> None:
        """Stop accepting adds (see `WorkQueue.shut_down`).

        Examples
        --------
        >>> q = AsyncWorkQueue()
        >>> q.shut_down()
        >>> q.add("web")
        >>> len(q), q.shutting_down
        (0, True)
        """
        self._shut_down_nolock(drain=False)
        self._wake_all()
        self._wake_idle()

    async def shut_down_with_drain(self, timeout: float | None = None) -> bool:
        """Shut down, then wait until no key is queued or held (see `WorkQueue`).

        Returns
        -------
        bool
            ``True`` if the queue drained, ``False`` on timeout or on a later `shut_down`.

        Raises
        ------
        InvalidValueError
            If ``timeout`` is negative or not finite.

        Examples
        --------
        >>> import asyncio
        >>> async def main():
        ...     q = AsyncWorkQueue()
        ...     q.add("web")
        ...     key = await q.get()
        ...     asyncio.get_running_loop().call_soon(q.done, key)
        ...     return await q.shut_down_with_drain(timeout=5)
        >>> asyncio.run(main())
        True
        """
        checked = _check_timeout(timeout)
        loop = asyncio.get_running_loop()
        deadline = None if checked is None else loop.time() + checked
        self._shut_down_nolock(drain=True)
        self._wake_all()
        while not self._idle_nolock():
            if not self._drain:
                return False
            wait = None if deadline is None else deadline - loop.time()
            if wait is not None and wait <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._idle_waiters.append(waiter)
            try:
                await asyncio.wait((waiter,), timeout=wait)
            finally:
                if not waiter.done():
                    waiter.cancel()
        return True

    def _on_clock_moved(self) -> None:
        if self._getters and self._heap:
            self._wake_all()

    def __repr__(self) -> str:
        return (
            f"<AsyncWorkQueue {self.name!r} ready={len(self._queue)} processing="
            f"{len(self._processing)} waiting={len(self._waiting)}>"
        )
