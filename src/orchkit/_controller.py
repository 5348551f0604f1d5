"""The controller: N workers pulling keys from a work queue and mapping outcomes to requeues.

Each worker runs ``key = queue.get()``, calls ``reconcile(key)``, turns the outcome into a queue
action (the table in `Controller`), and calls ``queue.done(key)`` in a ``finally`` block, so
every ``get`` is matched by exactly one ``done`` whatever the reconcile does.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import attrs

from orchkit._clock import Clock, check_seconds
from orchkit._ratelimit import RateLimiter
from orchkit._workqueue import WorkQueue
from orchkit.errors import (
    ConflictError,
    InvalidValueError,
    QueueShutDownError,
    TemporaryError,
    TerminalError,
)

__all__ = ["Controller", "ControllerStats", "Result"]

K = TypeVar("K", bound=Hashable)

#: The logger of `orchkit.reconcile`; the only place the loop reports to.
logger = logging.getLogger("orchkit.reconcile")


def _check_requeue_after(instance: object, attribute: object, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidValueError("requeue_after", value, "must be a finite number of seconds")
    if value < 0:
        raise InvalidValueError("requeue_after", value, "must be non-negative")


@attrs.frozen
class Result:
    """What a reconcile returns when it did not fail: done, or poll again after a delay.

    Returning ``None`` is the same as ``Result()``. Failures are raised, never returned, so a
    delay can never be silently combined with an error (controller-runtime ignores the
    ``Result`` when an error comes with it).

    Examples
    --------
    >>> Result()
    Result(requeue_after=None)
    >>> Result(requeue_after=30.0).requeue_after
    30.0
    >>> Result(requeue_after=-1)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: requeue_after: must be non-negative (got -1)
    """

    #: Seconds after which to reconcile the key again (polling), e.g. ``30.0`` to re-check a
    #: rollout; ``None`` means done until the next add. The backoff history is reset either way.
    requeue_after: float | None = attrs.field(default=None, validator=_check_requeue_after)


@attrs.frozen
class ControllerStats:
    """Counters of a controller's reconciles (controller-runtime's ``reconcile_total`` labels).

    Examples
    --------
    >>> from orchkit.reconcile import Controller
    >>> stats = Controller(lambda key: None, workers=2).stats()
    >>> stats.workers, stats.reconciles, stats.errors
    (2, 0, 0)
    """

    #: Number of worker threads (``max_concurrent_reconciles``).
    workers: int
    #: Reconciles running right now (``active_workers``).
    active: int
    #: Reconciles finished, whatever their outcome.
    reconciles: int
    #: Reconciles that returned ``None`` or ``Result()``.
    success: int
    #: Reconciles that returned ``Result(requeue_after=...)``.
    requeue_after: int
    #: Reconciles that raised anything but `TerminalError` (all retried).
    errors: int
    #: The part of ``errors`` that were not `TemporaryError`: bugs, logged
    #: with their traceback (controller-runtime's ``reconcile_panics_total``).
    unexpected: int
    #: The part of ``errors`` that were `ConflictError`.
    conflicts: int
    #: Reconciles that raised `TerminalError` (not retried).
    terminal: int


class Controller(Generic[K]):
    """A level-triggered reconcile loop: ``workers`` threads calling ``reconcile(key)``.

    ``reconcile`` receives only a key; it reads the desired and observed state for it, acts to
    make them agree, and reports the outcome:

    | outcome of ``reconcile(key)``          | queue action               | forget |
    | -------------------------------------- | -------------------------- | ------ |
    | returns ``None`` or ``Result()``       | none                       | yes    |
    | returns ``Result(requeue_after=d)``    | ``add_after(key, d)``      | yes    |
    | raises ``TemporaryError(delay=d)``     | ``add_after(key, d)``      | no     |
    | raises ``TemporaryError()``, any error | ``add_rate_limited(key)``  | no     |
    | raises ``TerminalError``               | none (logged)              | yes    |

    "Forget" resets the key's backoff, so a key that succeeds after failures starts again at the
    base delay. Unexpected exceptions are logged with their traceback and retried; they never stop
    a worker. A key is never reconciled by two workers at once (the queue's guarantee), and an add
    during its reconcile makes it run once more afterwards. Logging goes to the
    ``orchkit.reconcile`` logger only.

    Parameters
    ----------
    reconcile
        ``reconcile(key) -> Result | None``; must be idempotent and safe to call at any time.
    workers
        Number of worker threads (``>= 1``), like controller-runtime's
        ``MaxConcurrentReconciles``.
    rate_limiter
        Backoff for failed keys; by default a fresh per-key exponential limiter, 5 ms doubling to
        1000 s (controller-runtime's default; client-go's adds a global bucket, see
        `default_controller_rate_limiter`).
    resync
        Seconds between relists: every key from ``list_keys`` is added again, which heals lost
        events. ``None`` disables it. Each period is stretched by up to ``resync_jitter``.
    list_keys
        Returns every key that should exist (desired or observed); called at `start` (the
        startup relist) and at every resync.
    resync_jitter
        Largest relative stretch of the resync period (``0.1`` is controller-runtime's 10 %).
    seed
        Seed of the generator that draws the resync jitter.
    clock
        Clock of the queue and the rate limiter; `SystemClock` by
        default.
    name
        Name of the controller and its queue, used in logs, metrics and thread names.
    metrics
        Passed to the `WorkQueue`.

    Raises
    ------
    InvalidValueError
        If ``reconcile`` is not callable, ``workers`` is not a positive integer, ``resync`` is
        not a positive number, or ``resync`` is set without ``list_keys``.

    Examples
    --------
    >>> from orchkit.reconcile import Result
    >>> desired = {"web": 3, "db": 1}
    >>> observed = {"web": 1}
    >>> def reconcile(key):
    ...     if key in desired:
    ...         observed[key] = desired[key]
    ...     else:
    ...         observed.pop(key, None)
    >>> with Controller(reconcile, workers=2, list_keys=lambda: set(desired) | set(observed)):
    ...     pass  # the startup relist enqueues every key; leaving the block drains the queue
    >>> observed == desired
    True
    """

    def __init__(
        self,
        reconcile: Callable[[K], Result | None],
        *,
        workers: int = 1,
        rate_limiter: RateLimiter | None = None,
        resync: float | None = None,
        list_keys: Callable[[], Iterable[K]] | None = None,
        resync_jitter: float = 0.1,
        seed: int = 0,
        clock: Clock | None = None,
        name: str = "controller",
        metrics: bool = True,
    ) -> None:
        if not callable(reconcile):
            raise InvalidValueError("reconcile", reconcile, "must be callable")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InvalidValueError("workers", workers, "must be a positive integer")
        if resync is not None:
            check_seconds("resync", resync)
            if resync == 0:
                raise InvalidValueError("resync", resync, "must be positive (or None to disable)")
            if list_keys is None:
                raise InvalidValueError("list_keys", list_keys, "is required when resync is set")
        if list_keys is not None and not callable(list_keys):
            raise InvalidValueError("list_keys", list_keys, "must be callable")
        self.reconcile = reconcile
        self.workers = workers
        self.resync: float | None = None if resync is None else float(resync)
        self.list_keys = list_keys
        self.resync_jitter = check_seconds("resync_jitter", resync_jitter)
        self.name = name
        #: The work queue; add keys to it from your event handlers (``controller.queue.add(k)``).
        self.queue: WorkQueue[K] = WorkQueue(
            name=name, clock=clock, rate_limiter=rate_limiter, metrics=metrics
        )
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(
            ("reconciles", "success", "requeue_after", "errors", "unexpected", "conflicts"), 0
        )
        self._counts["terminal"] = 0
        self._active = 0
        self._threads: list[threading.Thread] = []
        self._stop_resync = threading.Event()
        self._discard = False
        self._started = False

    # -- one reconcile --------------------------------------------------------------------------

    def _process(self, key: K, injected: BaseException | None = None) -> None:
        """Reconcile ``key`` once and apply the outcome table; never raises ``Exception``.

        ``injected`` is raised in place of calling ``reconcile`` (the simulator's fault injector).
        The caller holds ``key`` and calls ``queue.done(key)`` afterwards.
        """
        with self._lock:
            self._active += 1
        try:
            try:
                if injected is not None:
                    raise injected
                result = self.reconcile(key)
            except Exception as exc:  # the loop must survive any reconcile bug
                self._on_error(key, exc)
            except BaseException:
                # KeyboardInterrupt, SystemExit: requeue so nothing is lost, then let it propagate.
                self._count("errors", "unexpected")
                self.queue.add_rate_limited(key)
                raise
            else:
                self._on_result(key, result)
        finally:
            with self._lock:
                self._active -= 1

    def _count(self, *names: str) -> None:
        with self._lock:
            self._counts["reconciles"] += 1
            for name in names:
                self._counts[name] += 1

    def _on_result(self, key: K, result: object) -> None:
        queue = self.queue
        if result is None or (isinstance(result, Result) and result.requeue_after is None):
            self._count("success")
            queue.forget(key)
        elif isinstance(result, Result) and result.requeue_after is not None:
            self._count("requeue_after")
            queue.forget(key)
            queue.add_after(key, result.requeue_after)
        else:
            self._count("errors", "unexpected")
            logger.error(
                "%s: reconcile of %r returned %r; expected a Result or None, retrying",
                self.name,
                key,
                result,
            )
            queue.add_rate_limited(key)

    def _on_error(self, key: K, exc: Exception) -> None:
        queue = self.queue
        if isinstance(exc, TerminalError):
            self._count("terminal")
            logger.error("%s: reconcile of %r failed for good: %s", self.name, key, exc)
            queue.forget(key)
        elif isinstance(exc, TemporaryError):
            if isinstance(exc, ConflictError):
                self._count("errors", "conflicts")
                logger.debug("%s: conflict reconciling %r, requeued: %s", self.name, key, exc)
            else:
                self._count("errors")
                logger.info("%s: reconcile of %r will be retried: %s", self.name, key, exc)
            if exc.delay is not None:
                queue.add_after(key, exc.delay)
            else:
                queue.add_rate_limited(key)
        else:
            self._count("errors", "unexpected")
            logger.error(
                "%s: reconcile of %r raised an unexpected error, retrying",
                self.name,
                key,
                exc_info=exc,
            )
            queue.add_rate_limited(key)

    def process_next(self, timeout: float | None = 0) -> bool:
        """Take one key from the queue, reconcile it and release it, in the calling thread.

        This is one turn of a worker's loop, for driving the controller without threads (a
        single-threaded program, a test). The outcome table applies as usual.

        Parameters
        ----------
        timeout
            Real seconds to wait for a key; ``0`` (the default) never blocks, ``None`` waits for
            ever.

        Returns
        -------
        bool
            ``True`` if a key was processed, ``False`` if none was ready in time or the queue is
            shut down and empty.

        Examples
        --------
        >>> from orchkit.reconcile import FakeClock, TemporaryError
        >>> attempts = []
        >>> def reconcile(key):
        ...     attempts.append(key)
        ...     if len(attempts) == 1:
        ...         raise TemporaryError("not yet", delay=5.0)
        >>> clock = FakeClock()
        >>> controller = Controller(reconcile, clock=clock)
        >>> controller.queue.add("web")
        >>> controller.process_next(), controller.process_next()
        (True, False)
        >>> _ = clock.advance(5.0)
        >>> controller.process_next(), attempts
        (True, ['web', 'web'])
        """
        try:
            key = self.queue.get(timeout)
        except (TimeoutError, QueueShutDownError):
            return False
        try:
            self._process(key)
        finally:
            self.queue.done(key)
        return True

    # -- threads --------------------------------------------------------------------------------

    def _worker(self) -> None:
        queue = self.queue
        while True:
            try:
                key = queue.get()
            except QueueShutDownError:
                return
            try:
                if not self._discard:
                    self._process(key)
            except Exception:  # e.g. a rate limiter returning nonsense: never kill a worker
                logger.exception("%s: internal error while handling %r", self.name, key)
            finally:
                queue.done(key)

    def _next_resync_delay(self) -> float:
        """The next resync period, stretched by a random jitter (uses the seeded generator)."""
        assert self.resync is not None
        return self.resync * (1.0 + self.resync_jitter * self._rng.random())

    def _relist(self) -> None:
        """Add every key from ``list_keys`` (a failing ``list_keys`` is logged, not raised)."""
        if self.list_keys is None:
            return
        try:
            keys = list(self.list_keys())
        except Exception:  # a failed relist is retried at the next resync
            logger.exception("%s: list_keys failed", self.name)
            return
        add = self.queue.add
        for key in keys:
            add(key)

    def _resync_loop(self) -> None:
        while not self._stop_resync.wait(self._next_resync_delay()):
            self._relist()

    def start(self) -> None:
        """Relist every key (if ``list_keys`` was given) and start the workers and the resync.

        A controller runs once: it cannot be started again after `stop`.

        Raises
        ------
        InvalidValueError
            If the controller was already started.

        Examples
        --------
        >>> seen = []
        >>> controller = Controller(seen.append, list_keys=lambda: ["web", "db"])
        >>> controller.start()  # the startup relist enqueues both keys
        >>> controller.stop(), sorted(seen)
        (True, ['db', 'web'])
        """
        if self._started:
            raise InvalidValueError("controller", self.name, "was already started")
        self._started = True
        self._relist()
        for number in range(self.workers):
            thread = threading.Thread(
                target=self._worker, name=f"{self.name}-worker-{number}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        if self.resync is not None:
            thread = threading.Thread(
                target=self._resync_loop, name=f"{self.name}-resync", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        logger.debug("%s: started %d workers", self.name, self.workers)

    def stop(self, *, drain: bool = True, timeout: float | None = None) -> bool:
        """Stop the controller and wait for its threads.

        With ``drain=True`` the workers first finish every queued and in-flight key; with
        ``drain=False`` they finish only the reconcile in flight and drop queued keys (the next
        start relists them). Delayed keys are dropped either way. A controller that was never
        started just shuts its queue down (nothing would ever drain it).

        Parameters
        ----------
        drain
            Finish queued keys before stopping.
        timeout
            Real seconds to wait in total; ``None`` waits for ever.

        Returns
        -------
        bool
            ``True`` if every thread stopped within ``timeout`` (and, with ``drain``, the queue
            drained).

        Raises
        ------
        InvalidValueError
            If ``timeout`` is negative or not finite.

        Examples
        --------
        >>> controller = Controller(lambda key: None, workers=3)
        >>> controller.start()
        >>> for key in range(100):
        ...     controller.queue.add(key)
        >>> controller.stop(drain=True, timeout=60)
        True
        >>> controller.stats().reconciles
        100
        """
        deadline = None if timeout is None else time.monotonic() + check_seconds("timeout", timeout)
        self._stop_resync.set()
        if not self._started:
            self._discard = True
            self.queue.shut_down()
            return True
        clean = True
        if drain:
            clean = self.queue.shut_down_with_drain(timeout)
        if not clean or not drain:
            self._discard = True
            self.queue.shut_down()
        for thread in self._threads:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            thread.join(remaining)
            clean = clean and not thread.is_alive()
        logger.debug("%s: stopped (clean=%s)", self.name, clean)
        return clean

    def __enter__(self) -> Controller[K]:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop(drain=True)

    def stats(self) -> ControllerStats:
        """A snapshot of the reconcile counters.

        Examples
        --------
        >>> from orchkit.errors import TerminalError
        >>> def reconcile(key):
        ...     if key == "bad":
        ...         raise TerminalError("invalid spec")
        >>> controller = Controller(reconcile)
        >>> controller.queue.add("bad"); controller.queue.add("good")
        >>> while controller.process_next():
        ...     pass
        >>> stats = controller.stats()
        >>> stats.reconciles, stats.success, stats.terminal
        (2, 1, 1)
        """
        with self._lock:
            return ControllerStats(workers=self.workers, active=self._active, **self._counts)

    def __repr__(self) -> str:
        return f"<Controller {self.name!r} workers={self.workers} started={self._started}>"
