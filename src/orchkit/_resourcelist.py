"""The engine behind `orchkit.resources.ResourceList`.

A resource list maps resource names (``"cpu"``, ``"memory"``, ``"nvidia.com/gpu"``) to
`Quantity` values, as Kubernetes' ``v1.ResourceList`` does. Everything
here is private; the public surface is `orchkit.resources`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any, Final

import attrs

from orchkit._quantity import Quantity, parse_quantity
from orchkit.errors import InvalidValueError, QuantityError

__all__ = ["ResourceList"]

#: The one resource the scheduler counts in thousandths (``MilliCPU``); every other is counted
#: in whole units (``Value()``).
MILLI_RESOURCES: Final = frozenset({"cpu"})

_ZERO: Final = Quantity(0)


def _check_name(name: object, where: str) -> str:
    if not isinstance(name, str) or not name:
        raise InvalidValueError(where, name, "a resource name must be a non-empty string")
    return name


@attrs.frozen(init=False, eq=False, repr=False)
class ResourceList(Mapping[str, Quantity]):
    """An immutable mapping of resource name to `Quantity`: Kubernetes' ``ResourceList``.

    Iterates in sorted name order, compares and hashes by value (formats are ignored, as for
    `Quantity`), and supports the arithmetic a scheduler needs: ``+``, ``-``, ``* int``,
    `fits` (also spelled ``<=``), `maximum`, `dominant_share` and
    `to_vector`. Where two lists are combined or compared, a resource missing from one of
    them counts as zero.

    Parameters
    ----------
    resources
        A mapping (or an iterable of pairs) of resource name to a `Quantity` or a quantity
        string (``"400m"``), parsed strictly by `parse_quantity`. Use `parse` for
        values as they appear in manifests (ints, floats, padded strings).

    Raises
    ------
    QuantityError
        If a string value is not a quantity; its ``field`` is the resource name.
    InvalidValueError
        If a name is not a non-empty string, or a value is neither a string nor a Quantity.

    Notes
    -----
    Lookup is ``O(1)``; building a list and every binary operation cost ``O(n log n)`` for ``n``
    resource names (the names are kept sorted).

    Examples
    --------
    >>> from orchkit.resources import ResourceList, Quantity
    >>> pod = ResourceList({"memory": "600M", "cpu": "400m"})
    >>> pod
    ResourceList({'cpu': '400m', 'memory': '600M'})
    >>> print(pod)
    {cpu: 400m, memory: 600M}
    >>> pod["cpu"]
    Quantity('400m')
    >>> list(pod)
    ['cpu', 'memory']
    >>> pod * 10
    ResourceList({'cpu': '4', 'memory': '6G'})
    >>> node = ResourceList({"cpu": "4", "memory": "16Gi"})
    >>> (pod * 10).fits(node), pod * 11 <= node
    (True, False)
    """

    #: ``(name, quantity)`` pairs sorted by name: the value, its order and its hash.
    _items: tuple[tuple[str, Quantity], ...]
    #: The same pairs as a dict, for ``O(1)`` look-up.
    _index: dict[str, Quantity]

    def __init__(
        self,
        resources: Mapping[str, Quantity | str] | Iterable[tuple[str, Quantity | str]] = (),
    ) -> None:
        index: dict[str, Quantity] = {}
        for name, value in _pairs(resources):
            _check_name(name, "resources")
            if isinstance(value, Quantity):
                index[name] = value
            elif isinstance(value, str):
                try:
                    index[name] = parse_quantity(value)
                except QuantityError as err:
                    raise QuantityError(err.kind, value, err.reason, field=name) from None
            else:
                reason = (
                    "expected a Quantity or a quantity string (ResourceList.parse reads numbers)"
                )
                raise InvalidValueError(name, value, reason)
        _set(self, index)

    @classmethod
    def parse(cls, resources: Mapping[str, object]) -> ResourceList:
        """Read a resource list as written in a manifest (``requests``, ``limits``, ``capacity``).

        Values may be quantity strings (white space around them is trimmed, as Kubernetes' JSON
        decoder does), ints, finite floats (read from their shortest ``repr``), ``None`` (zero) or
        `Quantity` objects.

        Parameters
        ----------
        resources
            A mapping of resource name to value.

        Returns
        -------
        ResourceList

        Raises
        ------
        QuantityError
            If a value is not a valid quantity; ``field`` is the resource name.
        InvalidValueError
            If ``resources`` is not a mapping or a name is not a non-empty string.

        Examples
        --------
        >>> ResourceList.parse({"cpu": 0.5, "memory": "600M", "pods": 110})
        ResourceList({'cpu': '500m', 'memory': '600M', 'pods': '110'})
        >>> ResourceList.parse({"cpu": "400m", "memory": "600 M"})
        Traceback (most recent call last):
        ...
        orchkit.errors.QuantityError: memory: does not match the quantity grammar ... (got '600 M')
        """
        if not isinstance(resources, Mapping):
            raise InvalidValueError(
                "resources", resources, "expected a mapping of name to quantity"
            )
        index: dict[str, Quantity] = {}
        for name, value in resources.items():
            _check_name(name, "resources")
            if isinstance(value, Quantity):
                index[name] = value
                continue
            try:
                index[name] = Quantity.from_json(value)
            except QuantityError as err:
                raise QuantityError(err.kind, value, err.reason, field=name) from None
        rl = object.__new__(cls)
        _set(rl, index)
        return rl

    # -- Mapping protocol --------------------------------------------------------------------

    def __getitem__(self, name: str) -> Quantity:
        return self._index[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def get_or_zero(self, name: str) -> Quantity:
        """The quantity of ``name``, or zero when the list does not name it.

        Examples
        --------
        >>> ResourceList({"cpu": "1"}).get_or_zero("memory")
        Quantity('0')
        """
        return self._index.get(name, _ZERO)

    # -- value semantics ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ResourceList):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._index == dict(other.items())
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        body = ", ".join(f"{name!r}: {str(q)!r}" for name, q in self._items)
        return f"ResourceList({{{body}}})"

    def __str__(self) -> str:
        return "{" + ", ".join(f"{name}: {q}" for name, q in self._items) + "}"

    def to_dict(self) -> dict[str, str]:
        """The list as plain data: resource name to canonical quantity string, sorted by name.

        Ready for `json.dumps` or `yaml.safe_dump`, and read back by `parse`.

        Examples
        --------
        >>> ResourceList.parse({"memory": 1073741824, "cpu": 1.5}).to_dict()
        {'cpu': '1500m', 'memory': '1073741824'}
        """
        return {name: str(q) for name, q in self._items}

    # -- arithmetic --------------------------------------------------------------------------

    def __add__(self, other: object) -> ResourceList:
        if not isinstance(other, ResourceList):
            return NotImplemented
        index = dict(self._index)
        for name, q in other._items:
            mine = index.get(name)
            index[name] = q if mine is None else mine + q
        return _new(index)

    def __sub__(self, other: object) -> ResourceList:
        if not isinstance(other, ResourceList):
            return NotImplemented
        index = dict(self._index)
        for name, q in other._items:
            mine = index.get(name)
            index[name] = -q if mine is None else mine - q
        return _new(index)

    def __mul__(self, factor: object) -> ResourceList:
        if not isinstance(factor, int) or isinstance(factor, bool):
            return NotImplemented
        return _new({name: q * factor for name, q in self._items})

    __rmul__ = __mul__

    def maximum(self, other: ResourceList) -> ResourceList:
        """The per-resource maximum of two lists (Kubernetes' ``maxResourceList``).

        A resource named by only one list keeps that list's value. On a tie the quantity of
        ``self`` is kept (it decides the printed format).

        Parameters
        ----------
        other
            The list to combine with.

        Returns
        -------
        ResourceList

        Examples
        --------
        >>> a = ResourceList({"cpu": "500m", "memory": "1Gi"})
        >>> a.maximum(ResourceList({"cpu": "1", "nvidia.com/gpu": "1"}))
        ResourceList({'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': '1'})
        """
        other = _coerce(other, "other")
        index = dict(self._index)
        for name, q in other._items:
            mine = index.get(name)
            if mine is None or q > mine:
                index[name] = q
        return _new(index)

    # -- comparisons -------------------------------------------------------------------------

    def fits(self, capacity: ResourceList | Mapping[str, object]) -> bool:
        """True when every resource of ``self`` is at most the same resource of ``capacity``.

        Every name in either list is compared, a missing one counting as zero: a request of
        ``nvidia.com/gpu: 1`` does not fit a node without GPUs, and a capacity's extra resources
        are no obstacle. This is a partial order: neither of two lists may fit the other.

        Parameters
        ----------
        capacity
            A `ResourceList`, or a mapping that `parse` accepts.

        Returns
        -------
        bool

        Examples
        --------
        >>> pod = ResourceList({"cpu": "400m", "memory": "600M"})
        >>> pod.fits({"cpu": "4", "memory": "16Gi", "pods": 110})
        True
        >>> ResourceList({"nvidia.com/gpu": "1"}).fits({"cpu": "4"})
        False
        """
        capacity = _coerce(capacity, "capacity")
        for name, q in self._items:
            if q > capacity.get_or_zero(name):
                return False
        # Names only the capacity has: fine unless the capacity is negative there.
        return all(name in self._index or q.sign() >= 0 for name, q in capacity._items)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, ResourceList):
            return NotImplemented
        return self.fits(other)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, ResourceList):
            return NotImplemented
        return other.fits(self)

    # -- scheduler views ---------------------------------------------------------------------

    def dominant_share(self, capacity: ResourceList | Mapping[str, object]) -> Fraction:
        """The largest fraction of ``capacity`` that any one resource of ``self`` takes.

        The dominant share of Dominant Resource Fairness [1]_: ``max(self[r] / capacity[r])`` over
        the resources ``r`` that ``self`` requests (non-zero), computed exactly.

        Parameters
        ----------
        capacity
            A `ResourceList`, or a mapping that `parse` accepts.

        Returns
        -------
        fractions.Fraction
            ``0`` when ``self`` requests nothing.

        Raises
        ------
        InvalidValueError
            If a requested resource has no positive capacity (missing, zero or negative); the
            error's ``field`` is the resource name.

        Notes
        -----
        Runtime complexity: ``O(n)`` for ``n`` resources of ``self``.

        References
        ----------
        .. [1] A. Ghodsi et al., "Dominant Resource Fairness: Fair Allocation of Multiple Resource
           Types", NSDI 2011.

        Examples
        --------
        >>> pod = ResourceList({"cpu": "400m", "memory": "600M"})
        >>> pod.dominant_share({"cpu": "4", "memory": "16Gi"})
        Fraction(1, 10)
        >>> ResourceList({"nvidia.com/gpu": "1"}).dominant_share({"cpu": "4"})
        Traceback (most recent call last):
        ...
        orchkit.errors.InvalidValueError: nvidia.com/gpu: 1 is requested but the capacity ...
        """
        capacity = _coerce(capacity, "capacity")
        share = Fraction(0)
        for name, q in self._items:
            if q.is_zero():
                continue
            cap = capacity.get_or_zero(name)
            if cap.sign() <= 0:
                reason = f"{q} is requested but the capacity has none to share"
                raise InvalidValueError(name, cap, reason)
            share = max(share, q.as_fraction() / cap.as_fraction())
        return share

    def to_vector(self, names: Sequence[str]) -> tuple[int, ...]:
        """The quantities of ``names`` as integers, counted the way the Kubernetes scheduler does.

        ``cpu`` is counted in thousandths (``MilliValue()``, as the scheduler's ``MilliCPU``);
        every other resource in whole units (``Value()``). Both round away from zero, so a
        request is never undercounted. A missing name gives ``0``.

        Parameters
        ----------
        names
            The resources, in the order of the vector.

        Returns
        -------
        tuple of int

        Examples
        --------
        >>> pod = ResourceList({"cpu": "400m", "memory": "600M"})
        >>> pod.to_vector(["cpu", "memory", "nvidia.com/gpu"])
        (400, 600000000, 0)
        >>> ResourceList({"memory": "0.5"}).to_vector(["memory"])
        (1,)
        """
        if isinstance(names, str):
            raise InvalidValueError("names", names, "expected a sequence of names, not one string")
        out: list[int] = []
        for name in names:
            q = self._index.get(name)
            if q is None:
                out.append(0)
            elif name in MILLI_RESOURCES:
                out.append(q.milli_value())
            else:
                out.append(q.value())
        return tuple(out)


def _pairs(resources: object) -> list[tuple[Any, Any]]:
    """The ``(name, value)`` pairs of a mapping or of an iterable of pairs."""
    if isinstance(resources, Mapping):
        return list(resources.items())
    reason = "expected a mapping of name to quantity, or (name, quantity) pairs"
    if isinstance(resources, (str, bytes)) or not isinstance(resources, Iterable):
        raise InvalidValueError("resources", resources, reason)
    pairs = list(resources)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidValueError("resources", pair, reason)
    return pairs


def _set(rl: ResourceList, index: dict[str, Quantity]) -> None:
    items = tuple(sorted(index.items()))
    object.__setattr__(rl, "_items", items)
    object.__setattr__(rl, "_index", dict(items))


def _new(index: dict[str, Quantity]) -> ResourceList:
    """Build from a dict of validated names and quantities (internal fast path)."""
    rl = object.__new__(ResourceList)
    _set(rl, index)
    return rl


def _coerce(value: Any, field: str) -> ResourceList:
    if isinstance(value, ResourceList):
        return value
    if isinstance(value, Mapping):
        return ResourceList.parse(value)
    raise InvalidValueError(field, value, "expected a ResourceList or a mapping")
