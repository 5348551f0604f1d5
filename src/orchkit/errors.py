"""The errors orchkit raises: one hierarchy, mixed with the builtins they resemble.

```text
Exception
└── OrchkitError                  anything orchkit raises on purpose
    ├── InvalidValueError         a parameter or field has a bad value (a ValueError)
    │   ├── QuantityError         a quantity Kubernetes would reject
    │   └── ManifestError         a manifest field is missing or malformed
    ├── InfeasibleError           no solution exists (an item bigger than a bin)
    ├── MissingDependencyError    an optional extra is not installed (an ImportError)
    ├── TerminalError             reconcile: retrying is useless, do not requeue
    ├── TemporaryError            reconcile: retry after `delay` seconds
    │   └── ConflictError         a write lost an optimistic-concurrency race
    └── QueueShutDownError        the work queue is shut down and empty
```

Every error names the field (or parameter) and shows the offending value with ``!r``, so a message
read in a log is enough to find the input that caused it:

Examples
--------
>>> from orchkit.resources import Quantity
>>> try:
...     Quantity("1 Gi")
... except QuantityError as err:
...     print(err.kind, err.field, repr(err.value))
format quantity '1 Gi'

Catch `OrchkitError` to handle anything orchkit reports, or ``ValueError`` where bad input is
all you care about.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ConflictError",
    "InfeasibleError",
    "InvalidValueError",
    "ManifestError",
    "MissingDependencyError",
    "OrchkitError",
    "QuantityError",
    "QueueShutDownError",
    "TemporaryError",
    "TerminalError",
]


class OrchkitError(Exception):
    """Root of every error orchkit raises on purpose.

    Examples
    --------
    >>> issubclass(QuantityError, OrchkitError)
    True
    """


class InvalidValueError(OrchkitError, ValueError):
    """A parameter or input field has a value orchkit cannot accept.

    Parameters
    ----------
    field
        Where the value came from: a parameter name (``"max_surge"``) or a path into a manifest
        (``"spec.containers[1].resources.requests.cpu"``).
    value
        The offending value, shown with ``!r`` in the message.
    reason
        What is wrong with it, in a few words.

    Examples
    --------
    >>> err = InvalidValueError("max_surge", -1, "must be non-negative")
    >>> str(err)
    'max_surge: must be non-negative (got -1)'
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {value!r})")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.field, self.value, self.reason))


QuantityErrorKind = Literal["format", "suffix", "numeric", "range"]


class QuantityError(InvalidValueError):
    """A string or number that is not a valid Kubernetes resource quantity.

    The ``kind`` says which rule was broken, mirroring the errors of Kubernetes' ``ParseQuantity``:

    ``"format"``
        the text does not follow the quantity grammar (``ErrFormatWrong``): ``"1 Gi"``, ``"NaN"``;
    ``"suffix"``
        the suffix is unknown (``ErrSuffix``), e.g. ``"1K"``, ``"1ki"``, ``"1e"``;
    ``"numeric"``
        the number part has no digits where Kubernetes needs some (``ErrNumeric``), e.g. ``"Pi"``;
    ``"range"``
        the value lies outside what orchkit represents (an exponent or magnitude beyond the
        documented bounds), where Kubernetes would hang, exhaust memory or silently wrap.

    Parameters
    ----------
    kind
        One of ``"format"``, ``"suffix"``, ``"numeric"``, ``"range"``.
    value
        The rejected input.
    reason
        What is wrong, in a few words.
    field
        Where the value came from; ``"quantity"`` unless a caller knows better.

    Examples
    --------
    >>> from orchkit.resources import parse_quantity
    >>> parse_quantity("1K")
    Traceback (most recent call last):
    ...
    orchkit.errors.QuantityError: quantity: unknown suffix 'K' (got '1K')
    """

    def __init__(
        self, kind: QuantityErrorKind, value: object, reason: str, field: str = "quantity"
    ) -> None:
        self.kind: QuantityErrorKind = kind
        super().__init__(field, value, reason)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.kind, self.value, self.reason, self.field))


class ManifestError(InvalidValueError):
    """A Kubernetes manifest (a dict) has a missing or malformed field.

    ``field`` is the path to it, written as Kubernetes writes it:
    ``spec.containers[1].resources.requests.cpu``.

    Examples
    --------
    >>> err = ManifestError("spec.containers[1].resources.requests.cpu", "x", "not a quantity")
    >>> print(err)
    spec.containers[1].resources.requests.cpu: not a quantity (got 'x')
    >>> err.field
    'spec.containers[1].resources.requests.cpu'

    """


class InfeasibleError(OrchkitError):
    """The problem has no solution, for example an item larger than every bin.

    Examples
    --------
    >>> raise InfeasibleError("item 3 (size 200) exceeds the capacity 150")
    Traceback (most recent call last):
    ...
    orchkit.errors.InfeasibleError: item 3 (size 200) exceeds the capacity 150
    """


class MissingDependencyError(OrchkitError, ImportError):
    """An optional dependency is not installed; the message names the extra that provides it.

    Examples
    --------
    >>> str(MissingDependencyError("ortools", "exact"))
    "ortools is required for this feature: pip install 'orchkit[exact]'"
    """

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is required for this feature: pip install 'orchkit[{extra}]'")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.package, self.extra))


class TerminalError(OrchkitError):
    """Raised by a reconcile function when retrying is useless: the key is not requeued.

    Examples
    --------
    >>> raise TerminalError("image name is empty")
    Traceback (most recent call last):
    ...
    orchkit.errors.TerminalError: image name is empty
    """


class TemporaryError(OrchkitError):
    """Raised by a reconcile function to ask for a retry after ``delay`` seconds.

    Parameters
    ----------
    message
        What went wrong.
    delay
        Seconds to wait before the retry; ``None`` leaves the choice to the rate limiter.

    Examples
    --------
    >>> err = TemporaryError("node not ready", delay=5.0)
    >>> err.delay
    5.0
    """

    def __init__(self, message: str, delay: float | None = None) -> None:
        self.delay = delay
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.delay))


class ConflictError(TemporaryError):
    """A write lost an optimistic-concurrency race: the object changed since it was read.

    Kubernetes answers such writes with HTTP 409 ("the object has been modified; please apply your
    changes to the latest version"). The right reaction is to read again and recompute, never to
    retry the stale write: `orchkit.reconcile.apply` does that a few times, then lets the
    error escape so that the controller requeues the key with backoff.

    Parameters
    ----------
    key
        The key of the object whose write was rejected.
    expected
        The version the writer read (``None`` when it expected the object to be absent).
    actual
        The version the store holds (``None`` when the object is absent).

    Examples
    --------
    >>> err = ConflictError("web", expected=3, actual=4)
    >>> print(err)
    conflict on 'web': expected version 3, found 4
    >>> isinstance(err, TemporaryError), err.delay
    (True, None)
    """

    def __init__(self, key: object, expected: object = None, actual: object = None) -> None:
        self.key = key
        self.expected = expected
        self.actual = actual
        super().__init__(f"conflict on {key!r}: expected version {expected!r}, found {actual!r}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.key, self.expected, self.actual))


class QueueShutDownError(OrchkitError):
    """A work queue was shut down and has nothing left to hand out.

    Raised by ``get`` once the queue is shut down **and** empty: keys queued before the shutdown
    are still handed out first. Workers treat it as their signal to exit.

    Examples
    --------
    >>> from orchkit.reconcile import WorkQueue
    >>> q = WorkQueue()
    >>> q.shut_down()
    >>> q.get()
    Traceback (most recent call last):
    ...
    orchkit.errors.QueueShutDownError: work queue 'queue' is shut down
    """
