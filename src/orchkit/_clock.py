"""Clocks for the reconcile machinery: the system's monotonic clock and a fake one for tests.

Everything in `orchkit.reconcile` that reads the time takes a ``clock``; tests and the
simulator pass a `FakeClock` and move it by hand, so nothing ever sleeps for real.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from orchkit.errors import InvalidValueError

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """The one thing the reconcile machinery asks of a clock: the current time in seconds.

    The value only needs to be monotonic (never decrease); its origin is arbitrary.

    Examples
    --------
    >>> isinstance(SystemClock(), Clock), isinstance(FakeClock(), Clock)
    (True, True)
    """

    def now(self) -> float:
        """The current time, in seconds from an arbitrary origin.

        Examples
        --------
        >>> FakeClock(5.0).now()
        5.0
        """
        ...


class SystemClock:
    """The system's monotonic clock (`time.monotonic`); the default everywhere.

    Examples
    --------
    >>> clock = SystemClock()
    >>> clock.now() <= clock.now()
    True
    """

    #: `time.monotonic` itself, so that reading this clock costs no extra call.
    now = staticmethod(time.monotonic)

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A clock that only moves when told to, for tests and simulations.

    Objects that wait on a clock (such as a `WorkQueue` blocked in
    ``get`` until a delayed key is ready) subscribe to it and are woken on every move.

    Parameters
    ----------
    start
        The initial time, in seconds.

    Raises
    ------
    InvalidValueError
        If ``start`` is not a finite number.

    Examples
    --------
    >>> clock = FakeClock()
    >>> clock.now()
    0.0
    >>> clock.advance(1.5)
    1.5
    >>> clock.set(10)
    10.0
    >>> clock.set(2)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: t: a clock never goes backwards, now is 10.0 (got 2)
    """

    def __init__(self, start: float = 0.0) -> None:
        _check_finite("start", start)
        self._now = float(start)
        self._lock = threading.Lock()
        self._subscribers: list[weakref.WeakMethod[Callable[[], None]]] = []

    def now(self) -> float:
        """The current fake time, in seconds.

        Examples
        --------
        >>> FakeClock(start=3).now()
        3.0
        """
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (``>= 0``) and return the new time.

        Raises
        ------
        InvalidValueError
            If ``seconds`` is negative or not finite.

        Examples
        --------
        >>> clock = FakeClock()
        >>> clock.advance(0.5), clock.advance(0.25)
        (0.5, 0.75)
        """
        _check_finite("seconds", seconds)
        if seconds < 0:
            raise InvalidValueError("seconds", seconds, "must be non-negative")
        return self.set(self._now + seconds)

    def set(self, t: float) -> float:
        """Move the clock to the absolute time ``t`` (never backwards) and return it.

        Raises
        ------
        InvalidValueError
            If ``t`` is earlier than the current time or not finite.

        Examples
        --------
        >>> FakeClock().set(42)
        42.0
        """
        _check_finite("t", t)
        if t < self._now:
            raise InvalidValueError("t", t, f"a clock never goes backwards, now is {self._now}")
        self._now = float(t)
        with self._lock:
            alive = [ref for ref in self._subscribers if ref() is not None]
            self._subscribers = alive
        for ref in alive:
            callback = ref()
            if callback is not None:
                callback()
        return self._now

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call the bound method ``callback`` after every move (held through a weak reference).

        Queues subscribe to wake their blocked getters when a delayed key may have become ready.

        Examples
        --------
        >>> class Watcher:
        ...     def moved(self):
        ...         print("moved to", clock.now())
        >>> clock, watcher = FakeClock(), Watcher()
        >>> clock.subscribe(watcher.moved)
        >>> _ = clock.advance(2)
        moved to 2.0
        """
        with self._lock:
            self._subscribers.append(weakref.WeakMethod(callback))

    def __repr__(self) -> str:
        return f"FakeClock({self._now!r})"


def _check_finite(field: str, value: object) -> None:
    """Raise `InvalidValueError` unless ``value`` is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidValueError(field, value, "must be a number of seconds")
    if not math.isfinite(value):
        raise InvalidValueError(field, value, "must be finite")


def check_seconds(field: str, value: object) -> float:
    """Validate a duration in seconds: a finite, non-negative number; return it as a float."""
    _check_finite(field, value)
    assert isinstance(value, (int, float))
    if value < 0:
        raise InvalidValueError(field, value, "must be non-negative")
    return float(value)
