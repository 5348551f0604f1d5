"""WorkQueue and AsyncWorkQueue: de-duplication, exclusion, requeue, delays, shutdown, drain."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from orchkit.errors import InvalidValueError, QueueShutDownError
from orchkit.reconcile import (
    AsyncWorkQueue,
    FakeClock,
    ItemExponentialRateLimiter,
    WorkQueue,
)

KEYS = st.sampled_from([f"k{i}" for i in range(8)])


def drain_all(q: WorkQueue[str]) -> list[str]:
    """Get and done every ready key, in order."""
    out = []
    while True:
        try:
            key = q.get(timeout=0)
        except (TimeoutError, QueueShutDownError):
            return out
        out.append(key)
        q.done(key)


class TestDeduplication:
    @given(adds=st.lists(KEYS, max_size=60))
    @example(adds=["k0", "k0", "k0"])
    def test_each_waiting_key_is_handed_out_once(self, adds: list[str]) -> None:
        """m adds of a key between two gets give exactly one get, in first-add order (Q5, Q6)."""
        q: WorkQueue[str] = WorkQueue()
        for key in adds:
            q.add(key)
        first_seen = list(dict.fromkeys(adds))
        assert drain_all(q) == first_seen
        assert q.metrics().adds == len(first_seen)

    @given(extra=st.integers(1, 20))
    def test_adds_during_processing_requeue_exactly_once(self, extra: int) -> None:
        """Any number of adds while a key is held cause exactly one more reconcile of it."""
        q: WorkQueue[str] = WorkQueue()
        q.add("web")
        key = q.get(timeout=0)
        for _ in range(extra):
            q.add("web")
        with pytest.raises(TimeoutError):
            q.get(timeout=0)  # parked, not handed to a second worker
        assert q.depth == 1
        assert len(q) == 0
        q.done(key)
        assert drain_all(q) == ["web"]
        assert drain_all(q) == []


class TestExclusion:
    @given(
        ops=st.lists(
            st.tuples(st.sampled_from(["add", "get", "done"]), KEYS, st.integers(0, 3)),
            max_size=120,
        )
    )
    def test_no_key_is_held_by_two_workers(self, ops: list[tuple[str, str, int]]) -> None:
        """Four logical workers interleaved at random never hold the same key at once (Q3)."""
        q: WorkQueue[str] = WorkQueue()
        held: dict[int, str] = {}
        added_since_get: set[str] = set()
        for op, key, worker in ops:
            if op == "add":
                q.add(key)
                added_since_get.add(key)
            elif op == "get" and worker not in held:
                try:
                    got = q.get(timeout=0)
                except TimeoutError:
                    continue
                assert got not in held.values()
                held[worker] = got
                added_since_get.discard(got)
            elif op == "done" and worker in held:
                q.done(held.pop(worker))
            q._check()
        for worker in list(held):
            q.done(held.pop(worker))
        # Nothing added was lost: what was added after its last get is still to be handed out.
        assert set(drain_all(q)) == added_since_get

    def test_threads_never_overlap_on_a_key(self) -> None:
        """Real threads: 6 workers, one producer, 20 keys; no key is processed twice at once."""
        q: WorkQueue[int] = WorkQueue(metrics=False)
        active: set[int] = set()
        lock = threading.Lock()
        overlaps: list[int] = []
        processed = Counter[int]()

        def worker() -> None:
            while True:
                try:
                    key = q.get()
                except QueueShutDownError:
                    return
                with lock:
                    if key in active:
                        overlaps.append(key)
                    active.add(key)
                processed[key] += 1
                with lock:
                    active.discard(key)
                q.done(key)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for thread in threads:
            thread.start()
        for i in range(20_000):
            q.add(i % 20)
        assert q.shut_down_with_drain(timeout=60)
        for thread in threads:
            thread.join(60)
        assert not overlaps
        assert set(processed) == set(range(20))
        q._check()


class TestDelays:
    def test_earliest_delay_wins_and_add_supersedes(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock)
        q.add_after("web", 10)
        q.add_after("web", 3)
        q.add_after("web", 7)
        clock.advance(2.9)
        assert drain_all(q) == []
        clock.advance(0.1)
        assert drain_all(q) == ["web"]
        # An immediate add supersedes a pending delay: no second delivery later (Q7).
        q.add_after("db", 5)
        q.add("db")
        assert drain_all(q) == ["db"]
        clock.advance(10)
        assert drain_all(q) == []

    def test_add_after_of_a_queued_key_does_nothing(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock)
        q.add("web")
        q.add_after("web", 5)
        assert q.metrics().waiting == 0
        assert drain_all(q) == ["web"]
        clock.advance(5)
        assert drain_all(q) == []

    def test_delay_while_held_is_delivered_after_done(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock)
        q.add("web")
        key = q.get(timeout=0)
        q.add_after("web", 1)
        clock.advance(1)
        with pytest.raises(TimeoutError):
            q.get(timeout=0)
        q.done(key)
        assert drain_all(q) == ["web"]

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1", None, True])
    def test_bad_delay_is_refused(self, bad: object) -> None:
        q: WorkQueue[str] = WorkQueue()
        with pytest.raises(InvalidValueError, match="delay"):
            q.add_after("web", bad)  # type: ignore[arg-type]
        assert q.metrics().retries == 0

    def test_stale_heap_entries_are_compacted(self) -> None:
        """Hostile input: ever-earlier delays for one key must not grow the heap without bound."""
        q: WorkQueue[str] = WorkQueue(clock=FakeClock())
        for i in range(10_000):
            q.add_after("web", 10_000 - i)
        assert len(q._heap) <= 100
        q._check()

    def test_blocking_get_wakes_when_a_fake_clock_moves(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock)
        q.add_after("web", 30)
        got: list[str] = []
        waiting = threading.Event()

        def getter() -> None:
            waiting.set()
            got.append(q.get(timeout=60))

        thread = threading.Thread(target=getter)
        thread.start()
        waiting.wait()
        clock.advance(30)
        thread.join(60)
        assert got == ["web"]

    def test_blocking_get_wakes_for_a_real_delay(self) -> None:
        q: WorkQueue[str] = WorkQueue()
        q.add_after("web", 0.01)
        assert q.get(timeout=30) == "web"

    def test_rate_limited_adds_back_off(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock, rate_limiter=ItemExponentialRateLimiter(1, 8))
        for expected_wait in [1, 2, 4, 8, 8]:
            q.add_rate_limited("web")
            clock.advance(expected_wait - 0.5)
            assert drain_all(q) == []
            clock.advance(0.5)
            assert drain_all(q) == ["web"]
        assert q.num_requeues("web") == 5
        q.forget("web")
        assert q.num_requeues("web") == 0

    def test_broken_rate_limiter_is_reported(self) -> None:
        class Broken:
            def when(self, key: object) -> float:
                return float("nan")

            def forget(self, key: object) -> None:
                pass

            def num_requeues(self, key: object) -> int:
                return 0

        q: WorkQueue[str] = WorkQueue(rate_limiter=Broken())
        with pytest.raises(InvalidValueError, match="rate_limiter"):
            q.add_rate_limited("web")


class TestShutdown:
    def test_queued_keys_are_still_handed_out(self) -> None:
        q: WorkQueue[str] = WorkQueue()
        q.add("a")
        q.add("b")
        q.shut_down()
        q.add("c")  # dropped
        assert drain_all(q) == ["a", "b"]
        with pytest.raises(QueueShutDownError):
            q.get()

    def test_delayed_keys_are_abandoned(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock)
        q.add_after("a", 1)
        q.shut_down()
        clock.advance(5)
        with pytest.raises(QueueShutDownError):
            q.get()

    def test_parked_key_is_requeued_after_shutdown(self) -> None:
        """A key re-added while held before shutdown is not lost (Q4, Q8)."""
        q: WorkQueue[str] = WorkQueue()
        q.add("a")
        key = q.get()
        q.add("a")
        q.shut_down()
        q.done(key)
        assert drain_all(q) == ["a"]

    def test_blocked_getters_wake_on_shutdown(self) -> None:
        q: WorkQueue[str] = WorkQueue()
        errors: list[BaseException] = []

        def getter() -> None:
            try:
                q.get()
            except QueueShutDownError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=getter) for _ in range(3)]
        for thread in threads:
            thread.start()
        q.shut_down()
        for thread in threads:
            thread.join(60)
        assert len(errors) == 3

    @given(queued=st.sets(KEYS, max_size=5), held=st.sets(KEYS, max_size=3))
    def test_drain_waits_for_queued_and_held_keys(self, queued: set[str], held: set[str]) -> None:
        """shut_down_with_drain returns True only once nothing is queued or held (Q8)."""
        q: WorkQueue[str] = WorkQueue()
        for key in sorted(held):
            q.add(key)
        holding = [q.get() for _ in held]
        for key in sorted(queued):
            q.add(key)
        expected_out = [k for k in sorted(queued) if k not in held] + sorted(queued & held)
        result: list[bool] = []
        started = threading.Event()

        def drainer() -> None:
            started.set()
            result.append(q.shut_down_with_drain(timeout=60))

        thread = threading.Thread(target=drainer)
        thread.start()
        started.wait()
        for key in holding:
            assert not result
            q.done(key)
        out = drain_all(q)
        thread.join(60)
        assert result == [True]
        assert sorted(out) == sorted(expected_out)
        with pytest.raises(QueueShutDownError):
            q.get(timeout=0)

    def test_drain_times_out_and_shutdown_cancels_it(self) -> None:
        q: WorkQueue[str] = WorkQueue()
        q.add("a")
        key = q.get()
        assert q.shut_down_with_drain(timeout=0.01) is False
        result: list[bool] = []
        started = threading.Event()

        def drainer() -> None:
            started.set()
            result.append(q.shut_down_with_drain())

        thread = threading.Thread(target=drainer)
        thread.start()
        started.wait()
        while not q._draining:
            threading.Event().wait(0.001)
        q.shut_down()  # a later shut_down cancels the drain wait (client-go)
        thread.join(60)
        assert result == [False]
        q.done(key)

    @pytest.mark.parametrize("bad", [-1, float("nan"), "soon"])
    def test_bad_timeout_is_refused(self, bad: object) -> None:
        q: WorkQueue[str] = WorkQueue()
        with pytest.raises(InvalidValueError, match="timeout"):
            q.get(timeout=bad)  # type: ignore[arg-type]


class TestMisc:
    def test_done_of_a_key_never_handed_out_raises(self) -> None:
        q: WorkQueue[str] = WorkQueue()
        q.add("web")
        with pytest.raises(InvalidValueError, match="not being processed"):
            q.done("web")
        assert drain_all(q) == ["web"]

    def test_metrics_latency_and_work(self) -> None:
        clock = FakeClock()
        q: WorkQueue[str] = WorkQueue(clock=clock, name="deployments")
        q.add("a")
        clock.advance(2)
        q.add("b")
        clock.advance(1)
        a = q.get()
        clock.advance(4)
        q.done(a)
        b = q.get()
        q.done(b)
        m = q.metrics()
        assert m.name == "deployments"
        assert (m.queue_latency.count, m.queue_latency.total, m.queue_latency.max) == (2, 8.0, 5.0)
        assert (m.work_duration.count, m.work_duration.total, m.work_duration.max) == (2, 4.0, 4.0)
        assert m.queue_latency.mean == 4.0

    def test_metrics_off_keeps_counters(self) -> None:
        q: WorkQueue[str] = WorkQueue(metrics=False)
        q.add("a")
        q.done(q.get())
        m = q.metrics()
        assert (m.adds, m.gets, m.queue_latency.count) == (1, 1, 0)

    def test_repr_and_name_validation(self) -> None:
        assert "ready=0" in repr(WorkQueue())
        with pytest.raises(InvalidValueError, match="name"):
            WorkQueue(name=3)  # type: ignore[arg-type]


class TestAsync:
    def test_same_semantics_as_threaded_queue(self) -> None:
        async def main() -> list[str]:
            q: AsyncWorkQueue[str] = AsyncWorkQueue()
            q.add("a")
            q.add("b")
            q.add("a")
            key = await q.get()
            q.add("a")  # parked while held
            assert await q.get() == "b"
            with pytest.raises(TimeoutError):
                q.get_nowait()
            q.done(key)
            return [q.get_nowait()]

        assert asyncio.run(main()) == ["a"]

    def test_workers_drain_and_never_overlap(self) -> None:
        async def main() -> Counter[int]:
            q: AsyncWorkQueue[int] = AsyncWorkQueue()
            active: set[int] = set()
            seen = Counter[int]()

            async def worker() -> None:
                while True:
                    try:
                        key = await q.get()
                    except QueueShutDownError:
                        return
                    assert key not in active
                    active.add(key)
                    await asyncio.sleep(0)
                    seen[key] += 1
                    active.discard(key)
                    q.done(key)

            tasks = [asyncio.create_task(worker()) for _ in range(4)]
            for i in range(2000):
                q.add(i % 10)
                if i % 7 == 0:
                    await asyncio.sleep(0)
            assert await q.shut_down_with_drain(timeout=60)
            await asyncio.gather(*tasks)
            q._check()
            return seen

        assert set(asyncio.run(main())) == set(range(10))

    def test_delays_timeouts_and_fake_clock(self) -> None:
        async def main() -> None:
            clock = FakeClock()
            q: AsyncWorkQueue[str] = AsyncWorkQueue(clock=clock)
            with pytest.raises(TimeoutError):
                await q.get(timeout=0)
            q.add_after("web", 5)
            getter = asyncio.create_task(q.get(timeout=60))
            await asyncio.sleep(0)
            assert not getter.done()
            clock.advance(5)
            assert await getter == "web"
            q.done("web")
            q.add_rate_limited("db")
            assert q.num_requeues("db") == 1
            real: AsyncWorkQueue[str] = AsyncWorkQueue()
            real.add_after("x", 0.01)
            assert await real.get(timeout=30) == "x"
            with pytest.raises(InvalidValueError):
                q.add_after("x", float("inf"))

        asyncio.run(main())

    def test_shutdown_wakes_getters_and_cancels_drain(self) -> None:
        async def main() -> None:
            q: AsyncWorkQueue[str] = AsyncWorkQueue()
            getter = asyncio.create_task(q.get())
            await asyncio.sleep(0)
            q.add("a")
            key = await getter
            assert await q.shut_down_with_drain(timeout=0) is False
            drain = asyncio.create_task(q.shut_down_with_drain())
            await asyncio.sleep(0)
            q.shut_down()
            assert await drain is False
            q.done(key)
            with pytest.raises(QueueShutDownError):
                await q.get()
            with pytest.raises(QueueShutDownError):
                q.get_nowait()

        asyncio.run(main())

    def test_cancelled_getter_passes_its_wakeup_on(self) -> None:
        async def main() -> str:
            q: AsyncWorkQueue[str] = AsyncWorkQueue()
            first = asyncio.create_task(q.get())
            second = asyncio.create_task(q.get())
            await asyncio.sleep(0)
            q.add("a")  # wakes `first`...
            first.cancel()  # ...which is cancelled before it runs
            await asyncio.sleep(0)
            return await asyncio.wait_for(second, 30)

        assert asyncio.run(main()) == "a"
