"""Desired versus observed: a pure diff of keyed mappings, and an idempotent applier.

The diff is a pure function (Nomad's reconciler style): same inputs, same ``Changes``, whatever
the dict order. The applier reads, diffs and writes through a user-supplied actuator; when a write
loses an optimistic-concurrency race (`ConflictError`) it reads again and
recomputes instead of retrying the stale write, and gives up after a few attempts without progress.
"""

from __future__ import annotations

import logging
import operator
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from orchkit.errors import ConflictError, InvalidValueError

__all__ = [
    "Actuator",
    "ApplyResult",
    "Changes",
    "Versioned",
    "VersionedStore",
    "apply",
    "diff",
]

K = TypeVar("K", bound=Hashable)
D = TypeVar("D")
O = TypeVar("O")  # noqa: E741 - "observed", paired with D for "desired"
V = TypeVar("V")
K_contra = TypeVar("K_contra", contravariant=True)
D_contra = TypeVar("D_contra", contravariant=True)
O_contra = TypeVar("O_contra", contravariant=True)

logger = logging.getLogger("orchkit.reconcile")

#: However much progress conflicting passes make, `apply` stops after this many times
#: ``max_attempts`` passes, so a writer racing it for ever cannot keep it busy for ever.
_PASS_LIMIT = 4


def _sorted_keys(keys: Iterable[K]) -> tuple[K, ...]:
    """Keys in a deterministic order: natural order if comparable, else by type name and repr."""
    items = list(keys)
    try:
        return tuple(sorted(items))  # type: ignore[type-var]
    except TypeError:
        return tuple(sorted(items, key=lambda k: (type(k).__name__, repr(k))))


@attrs.frozen
class Changes(Generic[K]):
    """The keys to create, update and delete to turn an observed state into a desired one.

    The four tuples are disjoint, each is sorted (see `diff`), and together they hold every
    key of the desired and observed mappings. A ``Changes`` is falsy when there is nothing to do.

    Examples
    --------
    >>> changes = diff({"a": 1, "b": 2}, {"b": 3, "c": 4})
    >>> changes
    Changes(create=('a',), update=('b',), delete=('c',), unchanged=())
    >>> bool(changes), len(changes)
    (True, 3)
    >>> bool(diff({"a": 1}, {"a": 1}))
    False
    """

    #: Keys desired but not observed, e.g. ``("web-2",)``.
    create: tuple[K, ...]
    #: Keys observed with a value that differs from the desired one.
    update: tuple[K, ...]
    #: Keys observed but no longer desired.
    delete: tuple[K, ...]
    #: Keys whose observed value already matches the desired one.
    unchanged: tuple[K, ...]

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)

    def __len__(self) -> int:
        """The number of writes needed (creates, updates and deletes)."""
        return len(self.create) + len(self.update) + len(self.delete)


def diff(
    desired: Mapping[K, D],
    observed: Mapping[K, O],
    *,
    equal: Callable[[D, O], bool] = operator.eq,
) -> Changes[K]:
    """Compare a desired and an observed keyed state.

    Pure and deterministic: the result depends only on the contents of the mappings, not on their
    iteration order. Keys come out sorted in their natural order, or by ``(type name, repr)`` when
    they are not mutually comparable.

    Runtime complexity: ``O(n log n)`` for ``n`` keys, plus ``n`` calls of ``equal``.

    Parameters
    ----------
    desired
        What should exist, by key.
    observed
        What exists, by key (the values may carry more than the desired ones, such as a version).
    equal
        ``equal(desired_value, observed_value)`` says whether a key is up to date; ``==`` by
        default.

    Returns
    -------
    Changes
        Disjoint, sorted ``create``, ``update``, ``delete`` and ``unchanged`` keys.

    Raises
    ------
    InvalidValueError
        If ``desired`` or ``observed`` is not a mapping, or ``equal`` is not callable.

    Examples
    --------
    >>> desired = {"web": 3, "api": 2}
    >>> observed = {"web": 1, "old": 1}
    >>> diff(desired, observed)
    Changes(create=('api',), update=('web',), delete=('old',), unchanged=())

    Values may differ in type; ``equal`` says what "up to date" means:

    >>> observed = {"web": Versioned(3, version=7)}
    >>> diff({"web": 3}, observed, equal=lambda d, o: d == o.value).unchanged
    ('web',)
    """
    if not isinstance(desired, Mapping):
        raise InvalidValueError("desired", desired, "must be a mapping")
    if not isinstance(observed, Mapping):
        raise InvalidValueError("observed", observed, "must be a mapping")
    if not callable(equal):
        raise InvalidValueError("equal", equal, "must be callable")
    create: list[K] = []
    update: list[K] = []
    unchanged: list[K] = []
    for key, want in desired.items():
        if key not in observed:
            create.append(key)
        elif equal(want, observed[key]):
            unchanged.append(key)
        else:
            update.append(key)
    delete = [key for key in observed if key not in desired]
    return Changes(
        create=_sorted_keys(create),
        update=_sorted_keys(update),
        delete=_sorted_keys(delete),
        unchanged=_sorted_keys(unchanged),
    )


class Actuator(Protocol[K_contra, D_contra, O_contra]):
    """Writes changes to the real world; `apply` calls it.

    Each method raises `ConflictError` when the object changed since it
    was read (a failed compare-and-swap). `VersionedStore` is an actuator.

    Examples
    --------
    >>> class Printer:
    ...     def create(self, key, desired): print("create", key, desired)
    ...     def update(self, key, desired, observed): print("update", key, observed, "->", desired)
    ...     def delete(self, key, observed): print("delete", key)
    >>> _ = apply({"a": 1, "b": 2}, lambda: {"b": 1, "c": 0}, Printer())
    delete c
    update b 1 -> 2
    create a 1
    """

    def create(self, key: K_contra, desired: D_contra) -> object:
        """Create ``key`` with its desired value (any return value is ignored).

        Examples
        --------
        >>> VersionedStore().create("web", 3)
        Versioned(value=3, version=1)
        """
        ...

    def update(self, key: K_contra, desired: D_contra, observed: O_contra) -> object:
        """Replace ``observed`` (as read, with its version) by the desired value.

        Examples
        --------
        >>> store = VersionedStore({"web": 1})
        >>> store.update("web", 3, store.get("web"))
        Versioned(value=3, version=2)
        """
        ...

    def delete(self, key: K_contra, observed: O_contra) -> object:
        """Delete ``key``, as read in ``observed``.

        Examples
        --------
        >>> store = VersionedStore({"web": 1})
        >>> store.delete("web", store.get("web"))
        >>> len(store)
        0
        """
        ...


@attrs.frozen
class ApplyResult:
    """What `apply` did.

    Examples
    --------
    >>> ApplyResult(created=1, updated=0, deleted=2, conflicts=0, attempts=1).writes
    3
    """

    #: Creates performed.
    created: int
    #: Updates performed.
    updated: int
    #: Deletes performed.
    deleted: int
    #: Conflicts met (each one caused a fresh read).
    conflicts: int
    #: Read-diff-write passes made: ``1`` unless conflicts forced fresh reads.
    attempts: int

    @property
    def writes(self) -> int:
        """Total writes: creates, updates and deletes.

        Examples
        --------
        >>> ApplyResult(created=0, updated=0, deleted=0, conflicts=2, attempts=3).writes
        0
        """
        return self.created + self.updated + self.deleted


def apply(
    desired: Mapping[K, D],
    read: Callable[[], Mapping[K, O]],
    actuator: Actuator[K, D, O],
    *,
    equal: Callable[[D, O], bool] = operator.eq,
    max_attempts: int = 5,
) -> ApplyResult:
    """Make the observed state match ``desired``: read, diff, write; on a conflict, read again.

    A pass reads the observed state with ``read()``, computes `diff`, and writes deletes,
    then updates, then creates (deleting first frees room for what is created). Idempotent: when
    the observed state already matches, nothing is written, so running it twice writes nothing
    the second time. A `ConflictError` from the actuator ends the pass;
    the next pass starts from a fresh read, never retrying the stale write. Passes that made some
    writes before their conflict reset the count of failed attempts (Nomad's ``progressMade``);
    in any case there are at most ``4 * max_attempts`` passes.

    Runtime complexity: ``O(a · (r + n log n + w))`` for ``a`` passes of ``r`` read cost, ``n``
    keys and ``w`` writes; ``a = 1`` without conflicts, ``a <= 4 * max_attempts`` always.

    Parameters
    ----------
    desired
        What should exist, by key.
    read
        Returns the current observed state (called once per pass).
    actuator
        Performs the writes; see `Actuator`.
    equal
        As for `diff`.
    max_attempts
        Consecutive passes without progress allowed before giving up.

    Returns
    -------
    ApplyResult
        Counts of writes, conflicts and passes.

    Raises
    ------
    ConflictError
        The last conflict, after ``max_attempts`` passes in a row made no progress (or the pass
        limit was reached). It is a
        `TemporaryError`, so a `Controller`
        requeues the key with backoff.
    InvalidValueError
        If ``max_attempts`` is not a positive integer, or ``read`` does not return a mapping.

    Examples
    --------
    >>> store = VersionedStore({"web": 1, "old": 1})
    >>> result = apply({"web": 3, "api": 2}, store.snapshot, store, equal=VersionedStore.matches)
    >>> result.created, result.updated, result.deleted
    (1, 1, 1)
    >>> sorted((k, v.value) for k, v in store.snapshot().items())
    [('api', 2), ('web', 3)]
    >>> apply({"web": 3, "api": 2}, store.snapshot, store, equal=VersionedStore.matches).writes
    0
    """
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise InvalidValueError("max_attempts", max_attempts, "must be a positive integer")
    created = updated = deleted = conflicts = attempts = 0
    stalled = 0
    while True:
        attempts += 1
        observed = read()
        if not isinstance(observed, Mapping):
            raise InvalidValueError("read", observed, "must return a mapping")
        changes = diff(desired, observed, equal=equal)
        if not changes:
            return ApplyResult(created, updated, deleted, conflicts, attempts)
        before = created + updated + deleted
        try:
            for key in changes.delete:
                actuator.delete(key, observed[key])
                deleted += 1
            for key in changes.update:
                actuator.update(key, desired[key], observed[key])
                updated += 1
            for key in changes.create:
                actuator.create(key, desired[key])
                created += 1
        except ConflictError as exc:
            conflicts += 1
            stalled = 0 if created + updated + deleted > before else stalled + 1
            if stalled >= max_attempts or attempts >= _PASS_LIMIT * max_attempts:
                raise
            logger.debug("apply: %s; reading again (attempt %d)", exc, attempts)
            continue
        return ApplyResult(created, updated, deleted, conflicts, attempts)


@attrs.frozen
class Versioned(Generic[V]):
    """A value as stored, with the version that compare-and-swap writes must quote.

    Examples
    --------
    >>> Versioned("nginx:1.25", version=3)
    Versioned(value='nginx:1.25', version=3)
    """

    #: The stored value, e.g. a pod spec.
    value: V
    #: The store-wide version of the last write of this key (Kubernetes' ``resourceVersion``).
    version: int


class VersionedStore(Generic[K, V]):
    """A thread-safe in-memory key-value store with versions and compare-and-swap writes.

    A stand-in for an API server in tests, simulations and demos. Every successful write takes
    the next store-wide version; ``update`` and ``delete`` must quote the version they read, or
    they raise `ConflictError`. A write that would not change the value
    is skipped (no new version, no watch event), so converged reconcilers go quiet. It implements
    `Actuator` for `apply` (use ``equal=VersionedStore.matches``).

    Runtime complexity: ``O(1)`` per read or write, ``O(n)`` per `snapshot`.

    Parameters
    ----------
    items
        Initial contents.
    on_change
        Called with the key after every write that changed something (the "watch").

    Examples
    --------
    >>> store = VersionedStore({"web": "nginx:1.24"})
    >>> seen = store.get("web")
    >>> seen
    Versioned(value='nginx:1.24', version=1)
    >>> store.update("web", "nginx:1.25", seen)
    Versioned(value='nginx:1.25', version=2)
    >>> store.update("web", "nginx:1.26", seen)  # seen is stale now
    Traceback (most recent call last):
    ...
    orchkit.errors.ConflictError: conflict on 'web': expected version 1, found 2
    """

    def __init__(
        self,
        items: Mapping[K, V] | None = None,
        *,
        on_change: Callable[[K], Any] | None = None,
    ) -> None:
        self._data: dict[K, Versioned[V]] = {}
        self._version = 0
        self._lock = threading.Lock()
        self.on_change = on_change
        #: Writes that changed something.
        self.writes = 0
        for key, value in (items or {}).items():
            self.put(key, value)

    @staticmethod
    def matches(desired: object, observed: Versioned[Any]) -> bool:
        """Whether an observed `Versioned` holds the desired value (``equal`` for diffs).

        Examples
        --------
        >>> VersionedStore.matches(3, Versioned(3, version=9))
        True
        """
        return bool(desired == observed.value)

    def get(self, key: K) -> Versioned[V] | None:
        """The stored value of ``key`` with its version, or ``None``.

        Examples
        --------
        >>> store = VersionedStore({"web": 3})
        >>> store.get("web"), store.get("db")
        (Versioned(value=3, version=1), None)
        """
        return self._data.get(key)

    def snapshot(self) -> dict[K, Versioned[V]]:
        """A copy of the whole store (a consistent read).

        Examples
        --------
        >>> VersionedStore({"web": 3, "db": 1}).snapshot()
        {'web': Versioned(value=3, version=1), 'db': Versioned(value=1, version=2)}
        """
        with self._lock:
            return dict(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._data))

    def _write(self, key: K, value: V) -> Versioned[V]:
        self._version += 1
        entry = Versioned(value, self._version)
        self._data[key] = entry
        self.writes += 1
        return entry

    def _notify(self, key: K) -> None:
        if self.on_change is not None:
            self.on_change(key)

    def create(self, key: K, desired: V) -> Versioned[V]:
        """Create ``key``; raise `ConflictError` if it exists.

        Examples
        --------
        >>> store = VersionedStore()
        >>> store.create("web", 3)
        Versioned(value=3, version=1)
        >>> store.create("web", 4)
        Traceback (most recent call last):
        ...
        orchkit.errors.ConflictError: conflict on 'web': expected version None, found 1
        """
        with self._lock:
            current = self._data.get(key)
            if current is not None:
                raise ConflictError(key, expected=None, actual=current.version)
            entry = self._write(key, desired)
        self._notify(key)
        return entry

    def update(self, key: K, desired: V, observed: Versioned[V]) -> Versioned[V]:
        """Replace ``key`` if it is still at ``observed.version`` (a no-op if the value is equal).

        Raises
        ------
        ConflictError
            If ``key`` is absent or its version is not ``observed.version``.

        Examples
        --------
        >>> store = VersionedStore({"web": 1})
        >>> seen = store.get("web")
        >>> store.update("web", 1, seen) is seen  # equal value: no write, no new version
        True
        >>> store.update("web", 2, seen)
        Versioned(value=2, version=2)
        """
        with self._lock:
            current = self._data.get(key)
            if current is None or current.version != observed.version:
                actual = None if current is None else current.version
                raise ConflictError(key, expected=observed.version, actual=actual)
            if current.value == desired:
                return current
            entry = self._write(key, desired)
        self._notify(key)
        return entry

    def delete(self, key: K, observed: Versioned[V]) -> None:
        """Delete ``key`` if it is still at ``observed.version``.

        Raises
        ------
        ConflictError
            If ``key`` is absent or its version is not ``observed.version``.

        Examples
        --------
        >>> store = VersionedStore({"web": 1})
        >>> seen = store.get("web")
        >>> _ = store.put("web", 2)  # someone else wrote meanwhile
        >>> store.delete("web", seen)
        Traceback (most recent call last):
        ...
        orchkit.errors.ConflictError: conflict on 'web': expected version 1, found 2
        """
        with self._lock:
            current = self._data.get(key)
            if current is None or current.version != observed.version:
                actual = None if current is None else current.version
                raise ConflictError(key, expected=observed.version, actual=actual)
            del self._data[key]
            self._version += 1
            self.writes += 1
        self._notify(key)

    def put(self, key: K, value: V) -> Versioned[V]:
        """Write ``key`` unconditionally (an out-of-band change); skipped if the value is equal.

        Examples
        --------
        >>> store = VersionedStore()
        >>> store.put("web", 1), store.put("web", 1)
        (Versioned(value=1, version=1), Versioned(value=1, version=1))
        """
        with self._lock:
            current = self._data.get(key)
            if current is not None and current.value == value:
                return current
            entry = self._write(key, value)
        self._notify(key)
        return entry

    def remove(self, key: K) -> bool:
        """Delete ``key`` unconditionally; return whether it existed.

        Examples
        --------
        >>> store = VersionedStore({"web": 1})
        >>> store.remove("web"), store.remove("web")
        (True, False)
        """
        with self._lock:
            if self._data.pop(key, None) is None:
                return False
            self._version += 1
            self.writes += 1
        self._notify(key)
        return True

    def __repr__(self) -> str:
        return f"<VersionedStore keys={len(self._data)} version={self._version}>"
