"""diff and apply: disjoint and deterministic changes (D1, D5), fixpoint (D4), idempotence (L7)."""

from __future__ import annotations

import random

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from orchkit.errors import ConflictError, InvalidValueError
from orchkit.reconcile import (
    ApplyResult,
    Changes,
    Versioned,
    VersionedStore,
    apply,
    diff,
)

STATES = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 3), max_size=8)


class TestDiff:
    @given(desired=STATES, observed=STATES)
    @example(desired={}, observed={})
    def test_disjoint_and_complete(self, desired: dict[str, int], observed: dict[str, int]) -> None:
        """D1: the four parts are disjoint, sorted, and each lands where it belongs."""
        changes = diff(desired, observed)
        parts = [changes.create, changes.update, changes.delete, changes.unchanged]
        everything = [k for part in parts for k in part]
        assert len(everything) == len(set(everything))
        assert set(everything) == set(desired) | set(observed)
        assert all(list(part) == sorted(part) for part in parts)
        assert set(changes.create) == set(desired) - set(observed)
        assert set(changes.delete) == set(observed) - set(desired)
        assert set(changes.update) == {
            k for k in desired if k in observed and desired[k] != observed[k]
        }
        assert bool(changes) == (desired != observed)
        assert len(changes) == len(everything) - len(changes.unchanged)

    @given(desired=STATES, observed=STATES, seed=st.integers(0, 1000))
    def test_deterministic(
        self, desired: dict[str, int], observed: dict[str, int], seed: int
    ) -> None:
        """D5: the result does not depend on the mappings' iteration order."""
        rng = random.Random(seed)

        def shuffled(d: dict[str, int]) -> dict[str, int]:
            items = list(d.items())
            rng.shuffle(items)
            return dict(items)

        assert diff(desired, observed) == diff(shuffled(desired), shuffled(observed))

    def test_keys_that_do_not_compare(self) -> None:
        changes = diff({1: "x", "a": "y", (2,): "z"}, {})
        assert changes.create == (1, "a", (2,))  # by type name (int, str, tuple), then repr
        assert changes == diff({(2,): "z", "a": "y", 1: "x"}, {})

    def test_custom_equal(self) -> None:
        observed = {"web": Versioned(3, 10), "db": Versioned(1, 11)}
        changes = diff({"web": 3, "db": 2}, observed, equal=VersionedStore.matches)
        assert changes == Changes(create=(), update=("db",), delete=(), unchanged=("web",))

    @pytest.mark.parametrize(
        ("args", "kwargs", "field"),
        [
            (([], {}), {}, "desired"),
            (({}, None), {}, "observed"),
            (({}, {}), {"equal": 1}, "equal"),
        ],
    )
    def test_bad_input(
        self, args: tuple[object, object], kwargs: dict[str, object], field: str
    ) -> None:
        with pytest.raises(InvalidValueError, match=field):
            diff(*args, **kwargs)  # type: ignore[arg-type]


class TestApply:
    @given(desired=STATES, observed=STATES)
    def test_fixpoint_and_idempotence(
        self, desired: dict[str, int], observed: dict[str, int]
    ) -> None:
        """D4 and L7: after apply the diff is empty, and a second apply writes nothing."""
        store: VersionedStore[str, int] = VersionedStore(observed)
        first = apply(desired, store.snapshot, store, equal=VersionedStore.matches)
        assert not diff(desired, store.snapshot(), equal=VersionedStore.matches)
        assert first.writes == len(diff(desired, observed))
        assert (first.conflicts, first.attempts) == (0, 1)
        writes = store.writes
        second = apply(desired, store.snapshot, store, equal=VersionedStore.matches)
        assert second == ApplyResult(0, 0, 0, 0, 1)
        assert store.writes == writes

    def test_conflict_reads_again_and_recomputes(self) -> None:
        """A racing writer changes the object between read and write: apply re-reads."""
        store: VersionedStore[str, int] = VersionedStore({"web": 1})
        raced = []

        def read() -> dict[str, Versioned[int]]:
            snapshot = store.snapshot()
            if not raced:
                raced.append(True)
                store.put("web", 2)  # lands after our read: our version is stale
            return snapshot

        result = apply({"web": 5}, read, store, equal=VersionedStore.matches)
        assert (result.updated, result.conflicts, result.attempts) == (1, 1, 2)
        assert store.get("web") == Versioned(5, 3)

    def test_gives_up_after_max_attempts_without_progress(self) -> None:
        class AlwaysConflict:
            calls = 0

            def create(self, key: str, desired: int) -> None:
                self.calls += 1
                raise ConflictError(key)

            def update(self, key: str, desired: int, observed: int) -> None:
                raise AssertionError

            def delete(self, key: str, observed: int) -> None:
                raise AssertionError

        actuator = AlwaysConflict()
        with pytest.raises(ConflictError):
            apply({"a": 1}, dict, actuator, max_attempts=3)
        assert actuator.calls == 3

    def test_progress_resets_attempts_but_passes_are_bounded(self) -> None:
        """Every pass writes one key then conflicts: progress, yet apply stops at 4x attempts."""

        class ProgressThenConflict:
            def __init__(self) -> None:
                self.writes = 0

            def create(self, key: str, desired: int) -> None:
                self.writes += 1
                if self.writes % 2 == 0:
                    raise ConflictError(key)

            def update(self, key: str, desired: int, observed: int) -> None:
                raise AssertionError

            def delete(self, key: str, observed: int) -> None:
                raise AssertionError

        actuator = ProgressThenConflict()
        with pytest.raises(ConflictError):
            apply({"a": 1, "b": 2}, dict, actuator, max_attempts=2)
        assert actuator.writes == 2 * 4 * 2

    def test_order_is_delete_update_create(self) -> None:
        log: list[str] = []

        class Recorder:
            def create(self, key: str, desired: int) -> None:
                log.append(f"create {key}")

            def update(self, key: str, desired: int, observed: int) -> None:
                log.append(f"update {key}")

            def delete(self, key: str, observed: int) -> None:
                log.append(f"delete {key}")

        apply({"b": 1, "a": 2, "c": 3}, lambda: {"a": 0, "z": 0, "y": 0}, Recorder())
        assert log == ["delete y", "delete z", "update a", "create b", "create c"]

    @pytest.mark.parametrize("bad", [0, -1, 1.5, True])
    def test_bad_max_attempts(self, bad: object) -> None:
        with pytest.raises(InvalidValueError, match="max_attempts"):
            apply({}, dict, VersionedStore(), max_attempts=bad)  # type: ignore[arg-type]

    def test_read_must_return_a_mapping(self) -> None:
        with pytest.raises(InvalidValueError, match="read"):
            apply({}, list, VersionedStore())  # type: ignore[arg-type]


class TestVersionedStore:
    def test_cas_and_watch(self) -> None:
        events: list[str] = []
        store: VersionedStore[str, str] = VersionedStore(on_change=events.append)
        created = store.create("web", "v1")
        with pytest.raises(ConflictError):
            store.create("web", "v1")
        assert store.update("web", "v1", created) is created, "a no-op write is skipped"
        updated = store.update("web", "v2", created)
        with pytest.raises(ConflictError, match="expected version 1, found 2"):
            store.delete("web", created)
        store.delete("web", updated)
        with pytest.raises(ConflictError, match="found None"):
            store.update("web", "v3", updated)
        assert store.put("db", "x") == store.put("db", "x")
        assert store.remove("db") is True
        assert store.remove("db") is False
        assert events == ["web", "web", "web", "db", "db"]
        assert store.writes == 5
        assert len(store) == 0
        assert list(store) == []
        assert "version=5" in repr(store)
