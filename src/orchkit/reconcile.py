"""A generic reconcile loop: work queue, per-key backoff, workers and desired-vs-observed diffs.

Being built. So far:

- :class:`WorkQueue` (thread-safe) and :class:`AsyncWorkQueue` (asyncio): a queue of keys with
  client-go semantics: de-duplicated, never handing a key to two workers, delayed and
  rate-limited adds, shutdown with drain, metrics.
- Rate limiters on an injectable clock: :class:`ItemExponentialRateLimiter` (5 ms doubling to
  1000 s), :class:`TokenBucketRateLimiter` (10/s, burst 100), :class:`MaxOfRateLimiter`,
  :class:`FastSlowRateLimiter`, :class:`MaxWaitRateLimiter`, :class:`JitterRateLimiter`, and
  :func:`default_controller_rate_limiter`; :class:`FakeClock` for tests.
- :class:`Controller`: N workers calling ``reconcile(key)`` and mapping its outcome
  (:class:`Result`, :class:`~orchkit.errors.TemporaryError`, :class:`~orchkit.errors.TerminalError`,
  any other exception) to requeues.

>>> from orchkit.reconcile import Controller, Result
>>> desired = {"web": 3, "api": 2}
>>> observed = {"web": 1, "old": 1}
>>> def reconcile(key):
...     if key in desired:
...         observed[key] = desired[key]
...     else:
...         observed.pop(key, None)
...     return Result()
>>> with Controller(reconcile, workers=4, list_keys=lambda: desired.keys() | observed.keys()):
...     pass
>>> observed == desired
True
"""

from __future__ import annotations

from orchkit._clock import Clock as Clock
from orchkit._clock import FakeClock as FakeClock
from orchkit._clock import SystemClock as SystemClock
from orchkit._controller import Controller as Controller
from orchkit._controller import ControllerStats as ControllerStats
from orchkit._controller import Result as Result
from orchkit._ratelimit import FastSlowRateLimiter as FastSlowRateLimiter
from orchkit._ratelimit import ItemExponentialRateLimiter as ItemExponentialRateLimiter
from orchkit._ratelimit import JitterRateLimiter as JitterRateLimiter
from orchkit._ratelimit import MaxOfRateLimiter as MaxOfRateLimiter
from orchkit._ratelimit import MaxWaitRateLimiter as MaxWaitRateLimiter
from orchkit._ratelimit import RateLimiter as RateLimiter
from orchkit._ratelimit import TokenBucketRateLimiter as TokenBucketRateLimiter
from orchkit._ratelimit import default_controller_rate_limiter as default_controller_rate_limiter
from orchkit._workqueue import AsyncWorkQueue as AsyncWorkQueue
from orchkit._workqueue import DurationStats as DurationStats
from orchkit._workqueue import QueueMetrics as QueueMetrics
from orchkit._workqueue import WorkQueue as WorkQueue
from orchkit.errors import ConflictError as ConflictError
from orchkit.errors import QueueShutDownError as QueueShutDownError
from orchkit.errors import TemporaryError as TemporaryError
from orchkit.errors import TerminalError as TerminalError

__all__ = [
    "AsyncWorkQueue",
    "Clock",
    "ConflictError",
    "Controller",
    "ControllerStats",
    "DurationStats",
    "FakeClock",
    "FastSlowRateLimiter",
    "ItemExponentialRateLimiter",
    "JitterRateLimiter",
    "MaxOfRateLimiter",
    "MaxWaitRateLimiter",
    "QueueMetrics",
    "QueueShutDownError",
    "RateLimiter",
    "Result",
    "SystemClock",
    "TemporaryError",
    "TerminalError",
    "TokenBucketRateLimiter",
    "WorkQueue",
    "default_controller_rate_limiter",
]
