"""The generic bin-packing data model: validated problems, `Packing`, ``check_packing``.

Everything in the generic core works on plain numbers. An *item* is a non-negative ``int`` (one
resource) or a sequence of non-negative ``int`` (several resources); all bins share one
*capacity*, an ``int`` or a sequence of the same length as the items. Internally a problem is a
`Problem`: the validated sizes (a ``list[int]`` in one dimension, a ``list[tuple[int, ...]]``
otherwise) and the capacity (an ``int`` or a ``tuple[int, ...]``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TypeAlias

import attrs

from orchkit.errors import InfeasibleError, InvalidValueError

__all__ = [
    "Bins",
    "Capacity",
    "Load",
    "Packing",
    "Problem",
    "Sizes",
    "StrategyFunction",
    "check_packing",
    "problem",
]

#: The sizes of the items: one ``int`` per item, or one sequence of ``int`` per item.
Sizes: TypeAlias = Sequence[int] | Sequence[Sequence[int]]
#: The capacity of every bin: an ``int``, or one ``int`` per dimension.
Capacity: TypeAlias = int | Sequence[int]
#: The load of one bin: an ``int`` in one dimension, a tuple of ``int`` otherwise.
Load: TypeAlias = int | tuple[int, ...]
#: Bins as a strategy returns them: one sequence of item indices per bin.
Bins: TypeAlias = Sequence[Sequence[int]]
#: A packing strategy: ``(sizes, capacity) -> bins``, called with validated sizes (``list[int]``
#: or ``list[tuple[int, ...]]``) and capacity (``int`` or ``tuple[int, ...]``).
StrategyFunction: TypeAlias = Callable[[Sizes, Capacity], Bins]


def _as_int(value: object, field: str) -> int:
    """``value`` as an ``int``, accepting ``int`` subclasses and ``__index__`` but not ``bool``."""
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise InvalidValueError(field, value, "must be an integer, not a bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise InvalidValueError(field, value, "must be an integer") from None


class Problem:
    """A validated bin-packing instance (private to the generic core).

    Attributes
    ----------
    dims
        Number of resources: 1 when the items were given as plain ``int``.
    scalar
        True when the items are plain ``int`` and the capacity is an ``int``.
    weights
        One-dimensional sizes (``scalar`` problems only; empty otherwise).
    cap
        The capacity of a ``scalar`` problem (0 otherwise).
    caps
        The capacity as a tuple (always set, ``(cap,)`` for ``scalar`` problems).
    """

    __slots__ = ("_vectors", "cap", "caps", "dims", "scalar", "weights")

    def __init__(
        self,
        weights: list[int],
        cap: int,
        vectors: list[tuple[int, ...]] | None,
        caps: tuple[int, ...],
    ) -> None:
        self.weights = weights
        self.cap = cap
        self._vectors = vectors
        self.caps = caps
        self.dims = len(caps)
        self.scalar = vectors is None

    def __len__(self) -> int:
        return len(self.weights) if self.scalar else len(self.vectors)

    @property
    def vectors(self) -> list[tuple[int, ...]]:
        """The sizes as tuples, for strategies that treat every problem as a vector problem."""
        if self._vectors is None:
            self._vectors = [(w,) for w in self.weights]
        return self._vectors

    @property
    def sizes(self) -> list[int] | list[tuple[int, ...]]:
        """The validated sizes in the caller's shape."""
        return self.weights if self.scalar else self.vectors

    @property
    def capacity(self) -> int | tuple[int, ...]:
        """The validated capacity in the caller's shape."""
        return self.cap if self.scalar else self.caps


def _capacity(capacity: object) -> int | tuple[int, ...]:
    if (
        isinstance(capacity, (str, bytes)) or not isinstance(capacity, (int, Sequence))
    ) and not hasattr(capacity, "__index__"):
        raise InvalidValueError(
            "capacity", capacity, "must be a positive int or a sequence of positive ints"
        )
    if isinstance(capacity, Sequence) and not isinstance(capacity, (str, bytes)):
        if not capacity:
            raise InvalidValueError("capacity", capacity, "needs at least one dimension")
        caps = tuple(_as_int(c, f"capacity[{d}]") for d, c in enumerate(capacity))
        for d, c in enumerate(caps):
            if c <= 0:
                where = f"capacity[{d}]"
                raise InvalidValueError(where, c, "must be positive")
        return caps
    cap = _as_int(capacity, "capacity")
    if cap <= 0:
        raise InvalidValueError("capacity", cap, "must be positive")
    return cap


def problem(sizes: Iterable[int] | Iterable[Sequence[int]], capacity: Capacity) -> Problem:
    """Validate ``sizes`` and ``capacity``; return the `Problem`.

    Runtime complexity: ``O(n d)``.

    Raises
    ------
    InvalidValueError
        A size or the capacity is not a (sequence of) non-negative ``int``, or the shapes differ.
    InfeasibleError
        An item is larger than the capacity in some dimension.
    """
    cap = _capacity(capacity)
    items: list[object]
    if isinstance(sizes, list):
        items = sizes
    else:
        try:
            items = list(sizes)
        except TypeError:
            raise InvalidValueError("sizes", sizes, "must be a sequence of sizes") from None
    if isinstance(cap, int):
        if all(type(w) is int for w in items):
            weights: list[int] = items  # type: ignore[assignment]
        else:
            weights = [_scalar_item(w, i) for i, w in enumerate(items)]
        if weights:
            low = min(weights)
            if low < 0:
                i = weights.index(low)
                where = f"sizes[{i}]"
                raise InvalidValueError(where, low, "must be non-negative")
            high = max(weights)
            if high > cap:
                i = weights.index(high)
                msg = f"item {i} (size {high}) exceeds the capacity {cap}"
                raise InfeasibleError(msg)
        return Problem(weights, cap, None, (cap,))
    dims = len(cap)
    vectors = [_vector_item(v, i, dims) for i, v in enumerate(items)]
    for d in range(dims):
        column = [v[d] for v in vectors]
        if not column:
            break
        low = min(column)
        if low < 0:
            i = column.index(low)
            where = f"sizes[{i}][{d}]"
            raise InvalidValueError(where, low, "must be non-negative")
        high = max(column)
        if high > cap[d]:
            i = column.index(high)
            msg = f"item {i} needs {high} in dimension {d}, more than the capacity {cap[d]}"
            raise InfeasibleError(msg)
    return Problem([], 0, vectors, cap)


def _scalar_item(value: object, index: int) -> int:
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        where = f"sizes[{index}]"
        raise InvalidValueError(where, value, "is a sequence but the capacity is a single int")
    return _as_int(value, f"sizes[{index}]")


def _vector_item(value: object, index: int, dims: int) -> tuple[int, ...]:
    if isinstance(value, tuple) and len(value) == dims and all(type(x) is int for x in value):
        return value
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        where = f"sizes[{index}]"
        raise InvalidValueError(
            where, value, f"must be a sequence of {dims} ints, like the capacity"
        )
    if len(value) != dims:
        where = f"sizes[{index}]"
        raise InvalidValueError(
            where, value, f"has {len(value)} dimensions, the capacity has {dims}"
        )
    return tuple(_as_int(x, f"sizes[{index}][{d}]") for d, x in enumerate(value))


def _load_of(prob: Problem, members: Sequence[int]) -> Load:
    if prob.scalar:
        weights = prob.weights
        return sum(weights[i] for i in members)
    vectors = prob.vectors
    return tuple(sum(column) for column in zip(*(vectors[i] for i in members), strict=True)) or (
        (0,) * prob.dims
    )


@attrs.frozen
class Packing:
    """A packing of items into identical bins: which items share a bin, and each bin's load.

    Build one with `orchkit.binpack.pack` (or `Packing.from_bins` from your own
    assignment); check one with `orchkit.binpack.check_packing`.

    Examples
    --------
    >>> from orchkit.binpack import pack
    >>> packing = pack([70, 60, 50, 40, 30], 150)
    >>> packing.bins
    ((0, 1), (2, 3, 4))
    >>> packing.loads, packing.num_bins
    ((130, 120), 2)
    """

    #: One tuple of item indices per bin, every item exactly once: ``((0, 1), (2, 3, 4))``.
    #: Bins are never empty.
    bins: tuple[tuple[int, ...], ...]
    #: The load of each bin, in the shape of the sizes: ``(130, 120)`` for one resource,
    #: ``((3500, 12884901888), ...)`` for CPU millicores and memory bytes.
    loads: tuple[Load, ...]
    #: The capacity of every bin, as validated: ``150`` or ``(4000, 17179869184)``.
    capacity: int | tuple[int, ...]
    #: The name of the strategy that built the packing (``"first_fit_decreasing"``), or the
    #: callable's ``__name__``.
    strategy: str = ""

    @property
    def num_bins(self) -> int:
        """The number of bins used."""
        return len(self.bins)

    def utilization(self) -> tuple[float, ...]:
        """The fraction of the capacity of the used bins that the items fill, per dimension.

        Returns
        -------
        tuple of float
            One fraction in ``[0, 1]`` per dimension (one element for one resource); ``0.0``
            per dimension when no bin is used.

        Examples
        --------
        >>> from orchkit.binpack import pack
        >>> pack([[2, 1], [1, 1], [1, 2]], [4, 4]).utilization()
        (1.0, 1.0)
        """
        caps = self.capacity if isinstance(self.capacity, tuple) else (self.capacity,)
        if not self.bins:
            return (0.0,) * len(caps)
        totals = [0] * len(caps)
        for load in self.loads:
            for d, x in enumerate(load if isinstance(load, tuple) else (load,)):
                totals[d] += x
        return tuple(t / (c * len(self.bins)) for t, c in zip(totals, caps, strict=True))

    @classmethod
    def from_bins(
        cls,
        bins: Bins,
        sizes: Sizes,
        capacity: Capacity,
        strategy: str = "",
    ) -> Packing:
        """Build and check a packing from bins of item indices.

        Use it to wrap the assignment found by your own (or an exact) solver; empty bins are
        dropped, the loads are computed, and the result passes `check_packing`.

        Parameters
        ----------
        bins
            One sequence of item indices per bin.
        sizes, capacity
            The instance, as given to `orchkit.binpack.pack`.
        strategy
            A name for the method that produced the bins.

        Returns
        -------
        Packing

        Raises
        ------
        InvalidValueError
            If the bins break an invariant (see `check_packing`) or the instance is invalid.
        InfeasibleError
            If an item is larger than the capacity.

        Notes
        -----
        Runtime complexity: ``O(n d)``.

        Examples
        --------
        >>> Packing.from_bins([[1], [0, 2], []], [5, 9, 4], 10).bins
        ((1,), (0, 2))
        """
        return _packing(problem(sizes, capacity), bins, strategy)


def _packing(prob: Problem, bins: object, strategy: str, field: str = "bins") -> Packing:
    """The `Packing` of validated bins of ``prob`` (empty bins dropped), checked."""
    if isinstance(bins, (str, bytes)) or not isinstance(bins, Iterable):
        raise InvalidValueError(field, bins, "must be a sequence of sequences of item indices")
    kept: list[tuple[int, ...]] = []
    for b, members in enumerate(bins):
        if isinstance(members, (str, bytes)) or not isinstance(members, Iterable):
            where = f"{field}[{b}]"
            raise InvalidValueError(where, members, "must be a sequence of item indices")
        t = tuple(members)
        if t:
            kept.append(t)
    n = len(prob)
    seen = bytearray(n)
    for b, members_t in enumerate(kept):
        for i in members_t:
            if type(i) is not int or not 0 <= i < n:
                where = f"{field}[{b}]"
                raise InvalidValueError(where, i, f"is not the index of an item (0..{n - 1})")
            if seen[i]:
                where = f"{field}[{b}]"
                raise InvalidValueError(where, i, "places an item a second time")
            seen[i] = 1
    if n and not all(seen):
        missing = seen.index(0)
        raise InvalidValueError(field, missing, "leaves this item unpacked")
    loads = tuple(_load_of(prob, members_t) for members_t in kept)
    _check_loads(loads, prob.capacity)
    return Packing(tuple(kept), loads, prob.capacity, strategy)


def _check_loads(loads: Sequence[Load], capacity: int | tuple[int, ...]) -> None:
    if isinstance(capacity, int):
        for b, load in enumerate(loads):
            if not isinstance(load, int) or load > capacity:
                where = f"packing.loads[{b}]"
                raise InvalidValueError(where, load, f"exceeds the capacity {capacity}")
        return
    for b, load in enumerate(loads):
        if not isinstance(load, tuple) or len(load) != len(capacity):
            where = f"packing.loads[{b}]"
            raise InvalidValueError(where, load, "does not match the capacity")
        for d, (x, c) in enumerate(zip(load, capacity, strict=True)):
            if x > c:
                where = f"packing.loads[{b}]"
                raise InvalidValueError(where, load, f"exceeds the capacity {c} in dimension {d}")


def check_packing(packing: Packing, sizes: Sizes, capacity: Capacity) -> None:
    """Raise unless ``packing`` is a valid packing of ``sizes`` into bins of ``capacity``.

    The invariants: every item is in exactly one bin, no bin is empty, each recorded load is the
    sum of its items' sizes, no load exceeds the capacity in any dimension, and the packing
    records the same capacity. It is the oracle of every bin-packing test.

    Parameters
    ----------
    packing
        The packing to check.
    sizes, capacity
        The instance it claims to pack.

    Raises
    ------
    InvalidValueError
        Naming the first violated invariant: the field (``packing.bins[3]``) and the value.
    InfeasibleError
        If an item of the instance is larger than the capacity.

    Examples
    --------
    >>> from orchkit.binpack import Packing, check_packing, pack
    >>> check_packing(pack([4, 5, 6], 10), [4, 5, 6], 10)
    >>> bad = Packing(bins=((0, 1, 2),), loads=(15,), capacity=10)
    >>> check_packing(bad, [4, 5, 6], 10)
    Traceback (most recent call last):
    ...
    orchkit.errors.InvalidValueError: packing.loads[0]: exceeds the capacity 10 (got 15)

    Notes
    -----
    Runtime complexity: ``O(n d)`` for ``n`` items of ``d`` dimensions.
    """
    prob = problem(sizes, capacity)
    if packing.capacity != prob.capacity:
        raise InvalidValueError(
            "packing.capacity", packing.capacity, f"differs from the capacity {prob.capacity!r}"
        )
    if len(packing.loads) != len(packing.bins):
        raise InvalidValueError(
            "packing.loads", packing.loads, f"has not one load per bin ({len(packing.bins)})"
        )
    for b, members in enumerate(packing.bins):
        if not members:
            where = f"packing.bins[{b}]"
            raise InvalidValueError(where, members, "is empty")
    _check_loads(packing.loads, prob.capacity)
    expected = _packing(prob, packing.bins, packing.strategy, "packing.bins")
    for b, (load, want) in enumerate(zip(packing.loads, expected.loads, strict=True)):
        if load != want:
            where = f"packing.loads[{b}]"
            raise InvalidValueError(where, load, f"is not the sum of the bin's sizes ({want!r})")
