"""A generic reconcile loop: work queue, per-key backoff, workers and desired-vs-observed diffs.

The pieces, bottom up (each usable alone):

- `WorkQueue` (thread-safe) and `AsyncWorkQueue` (asyncio): a queue of keys with
  client-go semantics: de-duplicated, never handing a key to two workers, delayed and
  rate-limited adds, shutdown with drain, metrics.
- Rate limiters on an injectable clock: `ItemExponentialRateLimiter` (5 ms doubling to
  1000 s), `TokenBucketRateLimiter` (10/s, burst 100), `MaxOfRateLimiter`,
  `FastSlowRateLimiter`, `MaxWaitRateLimiter`, `JitterRateLimiter`, and
  `default_controller_rate_limiter`.
- `Controller`: N workers calling ``reconcile(key)`` and mapping its outcome
  (`Result`, `TemporaryError`, `TerminalError`,
  any other exception) to requeues.
- `diff` and `apply`: what to create, update and delete, applied idempotently with
  optimistic-concurrency conflicts retried from a fresh read; `VersionedStore` is an
  in-memory store with compare-and-swap writes.
- `Simulator`, `Faults` and `FakeClock`: run a controller in simulated time
  with seeded faults, for tests of your own controllers.

The loop is level-triggered: the queue carries keys, not events, and ``reconcile`` re-reads the
whole state of its key, so lost, coalesced or reordered events do no harm as long as some later
trigger (an event, a requeue, a resync) comes.

Examples
--------
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
from orchkit._diff import Actuator as Actuator
from orchkit._diff import ApplyResult as ApplyResult
from orchkit._diff import Changes as Changes
from orchkit._diff import Versioned as Versioned
from orchkit._diff import VersionedStore as VersionedStore
from orchkit._diff import apply as apply
from orchkit._diff import diff as diff
from orchkit._ratelimit import FastSlowRateLimiter as FastSlowRateLimiter
from orchkit._ratelimit import ItemExponentialRateLimiter as ItemExponentialRateLimiter
from orchkit._ratelimit import JitterRateLimiter as JitterRateLimiter
from orchkit._ratelimit import MaxOfRateLimiter as MaxOfRateLimiter
from orchkit._ratelimit import MaxWaitRateLimiter as MaxWaitRateLimiter
from orchkit._ratelimit import RateLimiter as RateLimiter
from orchkit._ratelimit import TokenBucketRateLimiter as TokenBucketRateLimiter
from orchkit._ratelimit import default_controller_rate_limiter as default_controller_rate_limiter
from orchkit._simulate import Faults as Faults
from orchkit._simulate import SimulationReport as SimulationReport
from orchkit._simulate import Simulator as Simulator
from orchkit._workqueue import AsyncWorkQueue as AsyncWorkQueue
from orchkit._workqueue import DurationStats as DurationStats
from orchkit._workqueue import QueueMetrics as QueueMetrics
from orchkit._workqueue import WorkQueue as WorkQueue
from orchkit.errors import ConflictError as ConflictError
from orchkit.errors import QueueShutDownError as QueueShutDownError
from orchkit.errors import TemporaryError as TemporaryError
from orchkit.errors import TerminalError as TerminalError

__all__ = [
    "Actuator",
    "ApplyResult",
    "AsyncWorkQueue",
    "Changes",
    "Clock",
    "ConflictError",
    "Controller",
    "ControllerStats",
    "DurationStats",
    "FakeClock",
    "FastSlowRateLimiter",
    "Faults",
    "ItemExponentialRateLimiter",
    "JitterRateLimiter",
    "MaxOfRateLimiter",
    "MaxWaitRateLimiter",
    "QueueMetrics",
    "QueueShutDownError",
    "RateLimiter",
    "Result",
    "SimulationReport",
    "Simulator",
    "SystemClock",
    "TemporaryError",
    "TerminalError",
    "TokenBucketRateLimiter",
    "Versioned",
    "VersionedStore",
    "WorkQueue",
    "apply",
    "default_controller_rate_limiter",
    "diff",
]
