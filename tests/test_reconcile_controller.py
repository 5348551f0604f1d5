"""Controller: the outcome table (L2), get/done matching (L3), exclusion (L1), start/stop, logs."""

from __future__ import annotations

import ast
import logging
import threading
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given

from orchkit.errors import ConflictError, InvalidValueError, TemporaryError, TerminalError
from orchkit.reconcile import (
    Controller,
    FakeClock,
    ItemExponentialRateLimiter,
    Result,
)

SRC = Path(__file__).resolve().parent.parent / "src" / "orchkit"


def make(outcomes: list[object]) -> tuple[Controller[str], FakeClock, list[str]]:
    """A controller on a fake clock whose reconcile plays ``outcomes`` in turn."""
    calls: list[str] = []
    pending = list(outcomes)

    def reconcile(key: str) -> Result | None:
        calls.append(key)
        outcome = pending.pop(0) if pending else None
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome  # type: ignore[return-value]

    clock = FakeClock()
    controller = Controller(
        reconcile, clock=clock, rate_limiter=ItemExponentialRateLimiter(1.0, 60.0)
    )
    return controller, clock, calls


def waiting(controller: Controller[str]) -> dict[str, float]:
    return {k: t for k, (t, _) in controller.queue._waiting.items()}


class TestOutcomeTable:
    def test_success_forgets(self) -> None:
        controller, _, _ = make([ValueError("boom"), None])
        controller.queue.add("web")
        controller.process_next()
        assert controller.queue.num_requeues("web") == 1
        controller.queue.add("web")  # supersedes the delayed retry
        controller.process_next()
        assert controller.queue.num_requeues("web") == 0
        assert waiting(controller) == {}
        assert controller.stats().success == 1

    def test_requeue_after_forgets_and_delays(self) -> None:
        controller, clock, calls = make([ValueError("boom"), Result(requeue_after=30.0)])
        controller.queue.add("web")
        controller.process_next()
        controller.queue.add("web")
        controller.process_next()
        assert controller.queue.num_requeues("web") == 0, "RequeueAfter resets backoff (#392)"
        assert waiting(controller) == {"web": 30.0}
        clock.set(30.0)
        assert controller.process_next()
        assert calls == ["web"] * 3
        assert controller.stats().requeue_after == 1

    def test_error_is_rate_limited_and_grows(self) -> None:
        controller, clock, _ = make([ValueError("a"), ValueError("b"), ValueError("c")])
        controller.queue.add("web")
        for expected in [1.0, 2.0, 4.0]:
            start = clock.now()
            controller.process_next()
            assert waiting(controller) == {"web": start + expected}
            clock.set(start + expected)
        assert controller.queue.num_requeues("web") == 3
        stats = controller.stats()
        assert (stats.errors, stats.unexpected) == (3, 3)

    def test_temporary_error_with_delay(self) -> None:
        controller, _, _ = make([TemporaryError("wait", delay=7.5)])
        controller.queue.add("web")
        controller.process_next()
        assert waiting(controller) == {"web": 7.5}
        assert controller.queue.num_requeues("web") == 0
        assert controller.stats().unexpected == 0

    def test_temporary_error_without_delay_uses_the_limiter(self) -> None:
        controller, _, _ = make([TemporaryError("wait")])
        controller.queue.add("web")
        controller.process_next()
        assert waiting(controller) == {"web": 1.0}
        assert controller.queue.num_requeues("web") == 1

    def test_conflict_is_counted_and_retried(self) -> None:
        controller, _, _ = make([ConflictError("web", 1, 2)])
        controller.queue.add("web")
        controller.process_next()
        assert waiting(controller) == {"web": 1.0}
        stats = controller.stats()
        assert (stats.errors, stats.conflicts, stats.unexpected) == (1, 1, 0)

    def test_terminal_error_is_not_retried_and_forgets(self) -> None:
        controller, clock, calls = make([ValueError("x"), TerminalError("bad spec")])
        controller.queue.add("web")
        controller.process_next()
        controller.queue.add("web")
        controller.process_next()
        assert waiting(controller) == {}
        assert controller.queue.num_requeues("web") == 0
        clock.advance(10_000)
        assert not controller.process_next()
        assert calls == ["web", "web"]
        assert controller.stats().terminal == 1

    def test_wrong_return_type_is_an_error(self, caplog: pytest.LogCaptureFixture) -> None:
        controller, _, _ = make(["not a result"])
        controller.queue.add("web")
        controller.process_next()
        assert waiting(controller) == {"web": 1.0}
        assert "expected a Result" in caplog.text

    def test_keyboard_interrupt_requeues_and_propagates(self) -> None:
        controller, _, _ = make([KeyboardInterrupt()])
        controller.queue.add("web")
        with pytest.raises(KeyboardInterrupt):
            controller.process_next()
        assert waiting(controller) == {"web": 1.0}
        assert controller.queue.metrics().processing == 0, "done was still called"

    @given(
        outcomes=st.lists(
            st.sampled_from(["ok", "after", "error", "temporary", "terminal", "conflict"]),
            min_size=1,
            max_size=30,
        )
    )
    def test_every_get_has_one_done_and_table_holds(self, outcomes: list[str]) -> None:
        """L2 and L3 over random outcome sequences for one key."""
        make_outcome = {
            "ok": lambda: None,
            "after": lambda: Result(requeue_after=5.0),
            "error": lambda: RuntimeError("bug"),
            "temporary": lambda: TemporaryError("later"),
            "terminal": lambda: TerminalError("never"),
            "conflict": lambda: ConflictError("k", 1, 2),
        }
        controller, _, _ = make([make_outcome[o]() for o in outcomes])
        queue = controller.queue
        for outcome in outcomes:
            before = queue.num_requeues("k")
            queue.add("k")
            assert controller.process_next()
            m = queue.metrics()
            assert m.processing == 0, "L3"
            assert m.gets == m.work_duration.count, "L3"
            after = queue.num_requeues("k")
            if outcome in ("ok", "after", "terminal"):
                assert after == 0
            elif outcome in ("error", "temporary", "conflict"):
                assert after == before + 1
            scheduled = "k" in queue._waiting
            assert scheduled == (outcome != "ok" and outcome != "terminal")
            queue._check()
        assert controller.stats().reconciles == len(outcomes)


class TestThreads:
    def test_workers_survive_any_exception(self, caplog: pytest.LogCaptureFixture) -> None:
        """An unexpected exception is logged with its traceback, retried, and kills no worker."""
        attempts: dict[int, int] = {}
        lock = threading.Lock()
        finished = threading.Event()

        def reconcile(key: int) -> None:
            with lock:
                attempts[key] = attempts.get(key, 0) + 1
                if len(attempts) == 50 and all(n >= 3 for n in attempts.values()):
                    finished.set()
            if attempts[key] < 3:
                msg = f"flaky {key}"
                raise RuntimeError(msg)

        controller = Controller(
            reconcile, workers=4, rate_limiter=ItemExponentialRateLimiter(0.0001, 0.001)
        )
        with caplog.at_level(logging.ERROR, logger="orchkit.reconcile"):
            controller.start()
            for key in range(50):
                controller.queue.add(key)
            assert finished.wait(60)
            assert controller.stop(drain=True, timeout=60)
        assert all(n == 3 for n in attempts.values())
        assert all(t.is_alive() is False for t in controller._threads)
        assert controller.stats().unexpected == 100
        records = [r for r in caplog.records if r.name == "orchkit.reconcile"]
        assert len(records) == 100
        assert all(r.exc_info for r in records), "tracebacks are logged"
        assert controller.queue.metrics().processing == 0

    def test_no_key_reconciled_by_two_workers(self) -> None:
        active: set[int] = set()
        overlaps: list[int] = []
        lock = threading.Lock()
        counts: dict[int, int] = {}

        def reconcile(key: int) -> None:
            with lock:
                if key in active:
                    overlaps.append(key)
                active.add(key)
                counts[key] = counts.get(key, 0) + 1
            threading.Event().wait(0.0001)  # hold the key a little, letting others run
            with lock:
                active.discard(key)

        controller = Controller(reconcile, workers=8)
        controller.start()
        for i in range(3000):
            controller.queue.add(i % 16)
        assert controller.stop(drain=True, timeout=60)
        assert not overlaps
        assert set(counts) == set(range(16))
        assert controller.stats().active == 0

    def test_stop_without_drain_drops_queued_keys(self) -> None:
        release = threading.Event()
        entered = threading.Event()
        calls: list[str] = []

        def reconcile(key: str) -> None:
            calls.append(key)
            entered.set()
            release.wait(60)

        controller = Controller(reconcile, workers=1)
        controller.start()
        controller.queue.add("first")
        assert entered.wait(60)
        controller.queue.add("second")
        stopper = threading.Thread(target=lambda: controller.stop(drain=False, timeout=60))
        stopper.start()
        while not controller.queue.shutting_down:
            threading.Event().wait(0.001)
        release.set()
        stopper.join(60)
        assert calls == ["first"], "the in-flight reconcile finished; the queued key was dropped"
        assert controller.queue.metrics().processing == 0

    def test_stop_with_drain_timeout(self) -> None:
        release = threading.Event()
        entered = threading.Event()

        def reconcile(key: str) -> None:
            entered.set()
            release.wait(60)

        controller = Controller(reconcile)
        controller.start()
        controller.queue.add("slow")
        assert entered.wait(60)
        assert controller.stop(drain=True, timeout=0.01) is False
        release.set()
        for thread in controller._threads:
            thread.join(60)

    def test_startup_relist_and_real_resync(self) -> None:
        relists = threading.Semaphore(0)
        seen: list[str] = []

        def list_keys() -> list[str]:
            relists.release()
            return ["a", "b"]

        controller = Controller(seen.append, workers=2, resync=0.001, list_keys=list_keys)
        controller.start()
        for _ in range(3):
            assert relists.acquire(timeout=60)
        assert controller.stop(timeout=60)
        assert {"a", "b"} <= set(seen)

    def test_failing_list_keys_is_logged(self, caplog: pytest.LogCaptureFixture) -> None:
        def list_keys() -> list[str]:
            raise OSError("api down")

        controller = Controller(lambda key: None, list_keys=list_keys)
        with controller:
            pass
        assert "list_keys failed" in caplog.text

    def test_internal_error_never_kills_a_worker(self, caplog: pytest.LogCaptureFixture) -> None:
        class Broken:
            def when(self, key: object) -> float:
                return -1.0

            def forget(self, key: object) -> None:
                pass

            def num_requeues(self, key: object) -> int:
                return 0

        calls: list[str] = []
        good_done = threading.Event()

        def reconcile(key: str) -> None:
            calls.append(key)
            if key == "bad":
                raise RuntimeError("retry me")
            good_done.set()

        with Controller(reconcile, rate_limiter=Broken()) as controller:
            controller.queue.add("bad")
            controller.queue.add("good")
            assert good_done.wait(60)  # the single worker handled "bad" first, and survived
        assert calls == ["bad", "good"]
        assert "internal error" in caplog.text

    def test_start_twice_is_refused(self) -> None:
        controller = Controller(lambda key: None)
        controller.start()
        with pytest.raises(InvalidValueError, match="already started"):
            controller.start()
        assert controller.stop(timeout=60)
        assert "started=True" in repr(controller)


class TestValidation:
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"workers": 0}, "workers"),
            ({"workers": 1.5}, "workers"),
            ({"resync": 0, "list_keys": list}, "resync"),
            ({"resync": -1, "list_keys": list}, "resync"),
            ({"resync": 10}, "list_keys"),
            ({"list_keys": 3}, "list_keys"),
            ({"resync_jitter": -0.1}, "resync_jitter"),
        ],
    )
    def test_bad_parameters(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidValueError, match=field):
            Controller(lambda key: None, **kwargs)  # type: ignore[arg-type]

    def test_reconcile_must_be_callable(self) -> None:
        with pytest.raises(InvalidValueError, match="reconcile"):
            Controller("reconcile")  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "5"])
    def test_bad_result(self, bad: object) -> None:
        with pytest.raises(InvalidValueError, match="requeue_after"):
            Result(requeue_after=bad)  # type: ignore[arg-type]


RECONCILE_MODULES = [
    "reconcile.py",
    "_clock.py",
    "_ratelimit.py",
    "_workqueue.py",
    "_controller.py",
    "_diff.py",
    "_simulate.py",
]


@pytest.mark.parametrize("name", RECONCILE_MODULES)
def test_logging_only_through_the_module_logger(name: str) -> None:
    """No print, no root-logger calls, no basicConfig: the loop reports through its logger."""
    tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            assert not (isinstance(func, ast.Name) and func.id == "print"), name
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                assert func.value.id != "logging" or func.attr == "getLogger", (name, func.attr)


def test_reconcile_is_generic() -> None:
    """orchkit.reconcile imports none of resources, binpack, rollout (directly or not)."""
    seen: set[str] = set()
    todo = ["reconcile"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        tree = ast.parse((SRC / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            todo.extend(name.split(".")[1] for name in names if name.startswith("orchkit."))
    assert seen.isdisjoint({"resources", "binpack", "rollout", "_quantity"}), seen
    assert {"_workqueue", "_controller", "_diff", "_simulate", "errors"} <= seen


def test_stop_without_start_does_not_hang() -> None:
    controller = Controller(lambda key: None)
    controller.queue.add("web")
    assert controller.stop(drain=True)
    assert controller.queue.shutting_down


def test_bad_timeout_is_refused_even_with_a_key_ready() -> None:
    controller = Controller(lambda key: None)
    controller.queue.add("web")
    with pytest.raises(InvalidValueError, match="timeout"):
        controller.process_next(timeout=-1)
