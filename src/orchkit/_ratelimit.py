"""Rate limiters: how long a key waits before its retry (client-go ``default_rate_limiters.go``).

A rate limiter answers three questions about a key: how long to wait before retrying it now
(``when``, which also counts the retry), how many retries it has had (``num_requeues``), and
"it succeeded, forget its history" (``forget``). All of them read time from an injectable clock.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Hashable
from typing import Protocol, runtime_checkable

from orchkit._clock import Clock, SystemClock, check_seconds
from orchkit.errors import InvalidValueError

__all__ = [
    "FastSlowRateLimiter",
    "ItemExponentialRateLimiter",
    "JitterRateLimiter",
    "MaxOfRateLimiter",
    "MaxWaitRateLimiter",
    "RateLimiter",
    "TokenBucketRateLimiter",
    "default_controller_rate_limiter",
]


@runtime_checkable
class RateLimiter(Protocol):
    """What a work queue asks of a rate limiter (client-go's ``TypedRateLimiter``).

    Implementations must be thread-safe. Give every queue its own limiter: a limiter shared by two
    queues lets one queue's ``forget`` reset the other's backoff.

    Examples
    --------
    >>> isinstance(ItemExponentialRateLimiter(), RateLimiter)
    True
    """

    def when(self, key: Hashable) -> float:
        """Record a retry of ``key`` and return how many seconds it should wait before it.

        Examples
        --------
        >>> ItemExponentialRateLimiter(base=2.0).when("web")
        2.0
        """
        ...

    def forget(self, key: Hashable) -> None:
        """Drop the retry history of ``key`` (called after it was reconciled successfully).

        Examples
        --------
        >>> limiter = ItemExponentialRateLimiter()
        >>> _ = limiter.when("web"); limiter.forget("web"); limiter.num_requeues("web")
        0
        """
        ...

    def num_requeues(self, key: Hashable) -> int:
        """How many retries of ``key`` were recorded since it was last forgotten.

        Examples
        --------
        >>> limiter = ItemExponentialRateLimiter()
        >>> _ = limiter.when("web"), limiter.when("web")
        >>> limiter.num_requeues("web")
        2
        """
        ...


class ItemExponentialRateLimiter:
    """Per-key exponential backoff: ``min(base * 2**failures, cap)``.

    client-go's ``ItemExponentialFailureRateLimiter``, with its controller defaults: 5 ms doubling
    to a 1000 s cap, reached at the 19th consecutive failure (about 22 minutes of waiting in total).
    Keys are independent; ``forget`` restarts a key at ``base``.

    Runtime complexity: ``O(1)`` per call; memory ``O(keys with failures)``.

    Parameters
    ----------
    base
        Delay of the first retry, in seconds.
    cap
        Largest delay, in seconds (``>= base``).

    Raises
    ------
    InvalidValueError
        If ``base`` or ``cap`` is negative or not finite, or ``cap < base``.

    Examples
    --------
    >>> limiter = ItemExponentialRateLimiter(base=0.005, cap=1000.0)
    >>> [limiter.when("web") for _ in range(4)]
    [0.005, 0.01, 0.02, 0.04]
    >>> limiter.num_requeues("web"), limiter.num_requeues("db")
    (4, 0)
    >>> limiter.forget("web")
    >>> limiter.when("web")
    0.005
    """

    def __init__(self, base: float = 0.005, cap: float = 1000.0) -> None:
        self.base: float = check_seconds("base", base)
        self.cap: float = check_seconds("cap", cap)
        if self.cap < self.base:
            raise InvalidValueError("cap", cap, f"must be at least base ({base!r})")
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, key: Hashable) -> float:
        """Count a failure of ``key`` and return ``min(base * 2**previous_failures, cap)``.

        Examples
        --------
        >>> limiter = ItemExponentialRateLimiter(base=1.0, cap=3.0)
        >>> [limiter.when("web") for _ in range(3)]
        [1.0, 2.0, 3.0]
        """
        with self._lock:
            failures = self._failures.get(key, 0)
            self._failures[key] = failures + 1
        # 2.0 ** 1024 overflows; any exponent that large is far beyond the cap anyway.
        return min(self.base * 2.0 ** min(failures, 1023), self.cap)

    def forget(self, key: Hashable) -> None:
        """Forget the failures of ``key``: its next delay is ``base`` again.

        Examples
        --------
        >>> limiter = ItemExponentialRateLimiter(base=1.0)
        >>> _ = limiter.when("web"), limiter.when("web")
        >>> limiter.forget("web")
        >>> limiter.when("web")
        1.0
        """
        with self._lock:
            self._failures.pop(key, None)

    def num_requeues(self, key: Hashable) -> int:
        """The number of failures of ``key`` since it was last forgotten.

        Examples
        --------
        >>> limiter = ItemExponentialRateLimiter()
        >>> _ = limiter.when("web")
        >>> limiter.num_requeues("web"), limiter.num_requeues("db")
        (1, 0)
        """
        return self._failures.get(key, 0)

    def __repr__(self) -> str:
        return f"ItemExponentialRateLimiter(base={self.base!r}, cap={self.cap!r})"


class TokenBucketRateLimiter:
    """One token bucket shared by all keys: ``rate`` retries per second, bursts of ``burst``.

    client-go's ``BucketRateLimiter`` (``rate.Limiter.Reserve().Delay()``): every call takes a
    token, going into debt when the bucket is empty, so the n-th call beyond the burst waits
    ``n / rate``
    seconds. It limits the overall retry speed, not per key: ``forget`` does nothing and
    ``num_requeues`` is always 0. Within any window of ``dt`` seconds it admits at most
    ``burst + rate * dt`` retries.

    Runtime complexity: ``O(1)`` per call.

    Parameters
    ----------
    rate
        Tokens added per second (``> 0``).
    burst
        Bucket size, the number of retries admitted at once (``>= 1``).
    clock
        Where the time comes from; `SystemClock` by default.

    Raises
    ------
    InvalidValueError
        If ``rate`` is not positive and finite, or ``burst`` is not a positive integer.

    Examples
    --------
    >>> from orchkit.reconcile import FakeClock
    >>> clock = FakeClock()
    >>> bucket = TokenBucketRateLimiter(rate=10.0, burst=2, clock=clock)
    >>> [round(bucket.when(k), 3) for k in "abcd"]
    [0.0, 0.0, 0.1, 0.2]
    >>> _ = clock.advance(1.0)
    >>> [round(bucket.when(k), 3) for k in "ef"]
    [0.0, 0.0]
    """

    def __init__(self, rate: float = 10.0, burst: int = 100, *, clock: Clock | None = None) -> None:
        check_seconds("rate", rate)
        if rate == 0:
            raise InvalidValueError("rate", rate, "must be positive")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise InvalidValueError("burst", burst, "must be a positive integer")
        self.rate = float(rate)
        self.burst = burst
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._tokens = float(burst)
        self._last = self._clock.now()
        self._lock = threading.Lock()

    def when(self, key: Hashable) -> float:
        """Take a token and return how long to wait until it is really available.

        Examples
        --------
        >>> from orchkit.reconcile import FakeClock
        >>> bucket = TokenBucketRateLimiter(rate=2.0, burst=1, clock=FakeClock())
        >>> bucket.when("a"), bucket.when("b"), bucket.when("c")
        (0.0, 0.5, 1.0)
        """
        with self._lock:
            now = max(self._clock.now(), self._last)
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    def forget(self, key: Hashable) -> None:
        """Do nothing: the bucket keeps no per-key history.

        Examples
        --------
        >>> TokenBucketRateLimiter().forget("web")
        """

    def num_requeues(self, key: Hashable) -> int:
        """Always 0: the bucket keeps no per-key history.

        Examples
        --------
        >>> bucket = TokenBucketRateLimiter()
        >>> _ = bucket.when("web")
        >>> bucket.num_requeues("web")
        0
        """
        return 0

    def __repr__(self) -> str:
        return f"TokenBucketRateLimiter(rate={self.rate!r}, burst={self.burst!r})"


class FastSlowRateLimiter:
    """``fast_delay`` for the first ``max_fast_attempts`` retries of a key, then ``slow_delay``.

    client-go's ``ItemFastSlowRateLimiter``: a quick few retries for blips, then a steady poll.

    Runtime complexity: ``O(1)`` per call.

    Parameters
    ----------
    fast_delay, slow_delay
        Delays in seconds.
    max_fast_attempts
        Number of retries that get ``fast_delay``.

    Raises
    ------
    InvalidValueError
        If a delay is negative or not finite, or ``max_fast_attempts`` is a negative integer.

    Examples
    --------
    >>> limiter = FastSlowRateLimiter(0.1, 30.0, max_fast_attempts=2)
    >>> [limiter.when("k") for _ in range(4)]
    [0.1, 0.1, 30.0, 30.0]
    """

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        self.fast_delay: float = check_seconds("fast_delay", fast_delay)
        self.slow_delay: float = check_seconds("slow_delay", slow_delay)
        if (
            isinstance(max_fast_attempts, bool)
            or not isinstance(max_fast_attempts, int)
            or max_fast_attempts < 0
        ):
            raise InvalidValueError(
                "max_fast_attempts", max_fast_attempts, "must be a non-negative integer"
            )
        self.max_fast_attempts = max_fast_attempts
        self._attempts: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, key: Hashable) -> float:
        """Count a retry of ``key``; fast while within ``max_fast_attempts``, slow after.

        Examples
        --------
        >>> limiter = FastSlowRateLimiter(1.0, 60.0, max_fast_attempts=1)
        >>> limiter.when("web"), limiter.when("web")
        (1.0, 60.0)
        """
        with self._lock:
            attempts = self._attempts.get(key, 0) + 1
            self._attempts[key] = attempts
        return self.fast_delay if attempts <= self.max_fast_attempts else self.slow_delay

    def forget(self, key: Hashable) -> None:
        """Forget the retries of ``key``.

        Examples
        --------
        >>> limiter = FastSlowRateLimiter(1.0, 60.0, max_fast_attempts=1)
        >>> _ = limiter.when("web"); limiter.forget("web")
        >>> limiter.when("web")
        1.0
        """
        with self._lock:
            self._attempts.pop(key, None)

    def num_requeues(self, key: Hashable) -> int:
        """The number of retries of ``key`` since it was last forgotten.

        Examples
        --------
        >>> limiter = FastSlowRateLimiter(1.0, 60.0, max_fast_attempts=1)
        >>> _ = limiter.when("web")
        >>> limiter.num_requeues("web")
        1
        """
        return self._attempts.get(key, 0)

    def __repr__(self) -> str:
        return (
            f"FastSlowRateLimiter({self.fast_delay!r}, {self.slow_delay!r}, "
            f"max_fast_attempts={self.max_fast_attempts!r})"
        )


class MaxOfRateLimiter:
    """The largest delay of several limiters (client-go's ``MaxOfRateLimiter``).

    Every limiter is asked on every call, so each records the retry (a token bucket spends a token
    even when another limiter's delay wins). ``num_requeues`` is the largest count and ``forget``
    reaches all of them.

    Runtime complexity: the sum of the limiters' costs.

    Parameters
    ----------
    *limiters
        At least one limiter.

    Raises
    ------
    InvalidValueError
        If no limiter is given.

    Examples
    --------
    >>> limiter = MaxOfRateLimiter(
    ...     ItemExponentialRateLimiter(0.5, 60.0), FastSlowRateLimiter(1.0, 10.0, 2)
    ... )
    >>> [limiter.when("k") for _ in range(4)]
    [1.0, 1.0, 10.0, 10.0]
    >>> limiter.num_requeues("k")
    4
    """

    def __init__(self, *limiters: RateLimiter) -> None:
        if not limiters:
            raise InvalidValueError("limiters", limiters, "give at least one rate limiter")
        self.limiters: tuple[RateLimiter, ...] = limiters

    def when(self, key: Hashable) -> float:
        """The largest of the limiters' delays (every limiter records the retry).

        Examples
        --------
        >>> limiter = MaxOfRateLimiter(
        ...     ItemExponentialRateLimiter(1.0), FastSlowRateLimiter(3.0, 3.0, 1)
        ... )
        >>> limiter.when("web"), limiter.when("web"), limiter.when("web")
        (3.0, 3.0, 4.0)
        """
        return max([limiter.when(key) for limiter in self.limiters])

    def forget(self, key: Hashable) -> None:
        """Forget ``key`` in every limiter.

        Examples
        --------
        >>> limiter = MaxOfRateLimiter(ItemExponentialRateLimiter(1.0))
        >>> _ = limiter.when("web"); limiter.forget("web")
        >>> limiter.when("web")
        1.0
        """
        for limiter in self.limiters:
            limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        """The largest retry count among the limiters.

        Examples
        --------
        >>> limiter = MaxOfRateLimiter(ItemExponentialRateLimiter(), TokenBucketRateLimiter())
        >>> _ = limiter.when("web")
        >>> limiter.num_requeues("web")
        1
        """
        return max(limiter.num_requeues(key) for limiter in self.limiters)

    def __repr__(self) -> str:
        return f"MaxOfRateLimiter{self.limiters!r}"


class MaxWaitRateLimiter:
    """Another limiter's delay, capped at ``max_wait`` (client-go's ``WithMaxWaitRateLimiter``).

    Parameters
    ----------
    limiter
        The limiter whose delays are capped.
    max_wait
        The cap, in seconds.

    Raises
    ------
    InvalidValueError
        If ``max_wait`` is negative or not finite.

    Examples
    --------
    >>> limiter = MaxWaitRateLimiter(ItemExponentialRateLimiter(1.0, 1000.0), max_wait=3.0)
    >>> [limiter.when("k") for _ in range(4)]
    [1.0, 2.0, 3.0, 3.0]
    """

    def __init__(self, limiter: RateLimiter, max_wait: float) -> None:
        self.limiter = limiter
        self.max_wait: float = check_seconds("max_wait", max_wait)

    def when(self, key: Hashable) -> float:
        """The wrapped limiter's delay, at most ``max_wait``.

        Examples
        --------
        >>> MaxWaitRateLimiter(ItemExponentialRateLimiter(10.0), max_wait=4.0).when("web")
        4.0
        """
        return min(self.limiter.when(key), self.max_wait)

    def forget(self, key: Hashable) -> None:
        """Forget ``key`` in the wrapped limiter.

        Examples
        --------
        >>> limiter = MaxWaitRateLimiter(ItemExponentialRateLimiter(1.0), max_wait=4.0)
        >>> _ = limiter.when("web"); limiter.forget("web")
        >>> limiter.num_requeues("web")
        0
        """
        self.limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        """The wrapped limiter's retry count.

        Examples
        --------
        >>> limiter = MaxWaitRateLimiter(ItemExponentialRateLimiter(1.0), max_wait=4.0)
        >>> _ = limiter.when("web")
        >>> limiter.num_requeues("web")
        1
        """
        return self.limiter.num_requeues(key)

    def __repr__(self) -> str:
        return f"MaxWaitRateLimiter({self.limiter!r}, max_wait={self.max_wait!r})"


class JitterRateLimiter:
    """Another limiter's delay ``d``, stretched to a random point of ``[d, d * (1 + factor))``.

    Jitter spreads retries of keys that failed together, so they do not come back in lockstep
    (the ``wait.Jitter`` of apimachinery). Randomness comes from a seeded `random.Random`,
    so runs replay exactly.

    Parameters
    ----------
    limiter
        The limiter whose delays are stretched.
    factor
        Largest relative stretch, ``>= 0`` (``0.1`` adds up to 10 %).
    seed
        Seed of the private random generator (ignored when ``rng`` is given).
    rng
        A random generator to draw from instead.

    Raises
    ------
    InvalidValueError
        If ``factor`` is negative or not finite.

    Examples
    --------
    >>> limiter = JitterRateLimiter(ItemExponentialRateLimiter(1.0, 60.0), factor=0.5, seed=1)
    >>> delays = [limiter.when("k") for _ in range(3)]
    >>> [round(d, 3) for d in delays]
    [1.067, 2.847, 5.528]
    >>> all(base <= d < 1.5 * base for base, d in zip([1, 2, 4], delays))
    True
    """

    def __init__(
        self,
        limiter: RateLimiter,
        factor: float = 0.1,
        *,
        seed: int | None = 0,
        rng: random.Random | None = None,
    ) -> None:
        self.limiter = limiter
        self.factor: float = check_seconds("factor", factor)
        self._rng = rng if rng is not None else random.Random(seed)
        self._lock = threading.Lock()

    def when(self, key: Hashable) -> float:
        """The wrapped limiter's delay, stretched by a random factor in ``[1, 1 + factor)``.

        Examples
        --------
        >>> limiter = JitterRateLimiter(ItemExponentialRateLimiter(10.0), factor=0.1, seed=3)
        >>> 10.0 <= limiter.when("web") < 11.0
        True
        """
        delay = self.limiter.when(key)
        with self._lock:
            stretch = 1.0 + self.factor * self._rng.random()
        return delay * stretch

    def forget(self, key: Hashable) -> None:
        """Forget ``key`` in the wrapped limiter.

        Examples
        --------
        >>> limiter = JitterRateLimiter(ItemExponentialRateLimiter(1.0))
        >>> _ = limiter.when("web"); limiter.forget("web")
        >>> limiter.num_requeues("web")
        0
        """
        self.limiter.forget(key)

    def num_requeues(self, key: Hashable) -> int:
        """The wrapped limiter's retry count.

        Examples
        --------
        >>> limiter = JitterRateLimiter(ItemExponentialRateLimiter(1.0))
        >>> _ = limiter.when("web")
        >>> limiter.num_requeues("web")
        1
        """
        return self.limiter.num_requeues(key)

    def __repr__(self) -> str:
        return f"JitterRateLimiter({self.limiter!r}, factor={self.factor!r})"


def default_controller_rate_limiter(*, clock: Clock | None = None) -> MaxOfRateLimiter:
    """client-go's ``DefaultControllerRateLimiter``: per-key 5 ms → 1000 s, and 10/s burst 100.

    The maximum of `ItemExponentialRateLimiter` ``(0.005, 1000.0)`` and
    `TokenBucketRateLimiter` ``(10.0, 100)``. Note that the global bucket spaces mass
    failures 100 ms apart, so 1,000 keys failing together wait up to about 90 s; this is why
    `Controller` defaults to the per-key limiter alone, as
    controller-runtime's priority queue does.

    Parameters
    ----------
    clock
        Clock for the token bucket; `SystemClock` by default.

    Returns
    -------
    MaxOfRateLimiter
        A fresh limiter (never share one between queues).

    Examples
    --------
    >>> from orchkit.reconcile import FakeClock
    >>> limiter = default_controller_rate_limiter(clock=FakeClock())
    >>> [limiter.when("k") for _ in range(3)]
    [0.005, 0.01, 0.02]
    """
    return MaxOfRateLimiter(
        ItemExponentialRateLimiter(0.005, 1000.0), TokenBucketRateLimiter(10.0, 100, clock=clock)
    )


def _is_finite_delay(delay: float) -> bool:
    """Whether a limiter's answer is a usable delay (finite and non-negative)."""
    return math.isfinite(delay) and delay >= 0
