"""Benchmark orchkit.reconcile: queue operations per second and reconciles per second vs workers.

Run with ``.venv/bin/python benchmarks/bench_reconcile.py`` (``--quick`` for a smoke run).

1. Queue, single thread: one op is ``add(k)`` + ``get()`` + ``done(k)`` over 1,000 distinct keys,
   with full semantics (de-duplication, per-key exclusion, metrics on, then off). Peers measured in
   the same run: the standard ``queue.Queue`` (``put`` + ``get`` + ``task_done``, no
   de-duplication) as the floor, and orchkit's ``AsyncWorkQueue`` driven synchronously. Also:
   coalesced adds (100 % duplicates) and ``add_after`` + fire on a fake clock.
2. Controller: reconciles per second for 1/2/4/8/16 worker threads with a no-op body and a body
   that sleeps 1 ms (I/O-bound), from a queue filled with distinct keys beforehand, timed from
   ``start()`` until ``stop(drain=True)`` returns (thread start-up included). The peer is
   ``concurrent.futures.ThreadPoolExecutor.map`` of the same body over the same keys (no
   de-duplication, no per-key exclusion). Scaling is ``rate(N) / (N * rate(1))``.

Each figure is the best of several repetitions (the machine is shared); the median is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import platform
import queue
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from orchkit.reconcile import AsyncWorkQueue, Controller, FakeClock, WorkQueue

QUEUE_TARGET = 300_000
SCALING_TARGET = 0.8


def best_and_median(run: Callable[[], float], repeat: int) -> tuple[float, float]:
    """Run ``run`` (which returns ops/s) ``repeat`` times; return the best and the median."""
    results = [run() for _ in range(repeat)]
    return max(results), statistics.median(results)


# -- 1. queue operations ----------------------------------------------------------------------


def queue_roundtrip(q: WorkQueue[int], keys: list[int], rounds: int) -> float:
    add, get, done = q.add, q.get, q.done
    start = time.perf_counter()
    for _ in range(rounds):
        for key in keys:
            add(key)
        for _ in keys:
            done(get())
    return len(keys) * rounds / (time.perf_counter() - start)


def async_roundtrip(keys: list[int], rounds: int) -> float:
    async def main() -> float:
        q: AsyncWorkQueue[int] = AsyncWorkQueue()
        add, get, done = q.add, q.get_nowait, q.done
        start = time.perf_counter()
        for _ in range(rounds):
            for key in keys:
                add(key)
            for _ in keys:
                done(get())
        return len(keys) * rounds / (time.perf_counter() - start)

    return asyncio.run(main())


def stdlib_roundtrip(keys: list[int], rounds: int) -> float:
    q: queue.Queue[int] = queue.Queue()
    put, get, task_done = q.put, q.get, q.task_done
    start = time.perf_counter()
    for _ in range(rounds):
        for key in keys:
            put(key)
        for _ in keys:
            get()
            task_done()
    return len(keys) * rounds / (time.perf_counter() - start)


def coalesced_adds(keys: list[int], rounds: int) -> float:
    """Adds per second when every key is already waiting (the de-duplication fast path)."""
    q: WorkQueue[int] = WorkQueue()
    for key in keys:
        q.add(key)
    add = q.add
    start = time.perf_counter()
    for _ in range(rounds):
        for key in keys:
            add(key)
    return len(keys) * rounds / (time.perf_counter() - start)


def delayed_roundtrip(n: int) -> float:
    """add_after of n keys at distinct times on a fake clock, then fire, get and done them all."""
    clock = FakeClock()
    q: WorkQueue[int] = WorkQueue(clock=clock)
    start = time.perf_counter()
    for key in range(n):
        q.add_after(key, 1.0 + (key * 7919 % n) / n)
    clock.advance(3.0)
    get, done = q.get, q.done
    for _ in range(n):
        done(get(0))
    return n / (time.perf_counter() - start)


def bench_queue(quick: bool) -> bool:
    keys = list(range(1000))
    rounds = 20 if quick else 200
    repeat = 1 if quick else 7
    rows: list[tuple[str, float, float]] = []

    def row(name: str, run: Callable[[], float]) -> float:
        best, median = best_and_median(run, repeat)
        rows.append((name, best, median))
        return best

    floor = row("queue.Queue put+get+task_done (no de-dup)", lambda: stdlib_roundtrip(keys, rounds))
    ours = row(
        "WorkQueue add+get+done, metrics on (default)",
        lambda: queue_roundtrip(WorkQueue(), keys, rounds),
    )
    row(
        "WorkQueue add+get+done, metrics off",
        lambda: queue_roundtrip(WorkQueue(metrics=False), keys, rounds),
    )
    row("AsyncWorkQueue add+get_nowait+done", lambda: async_roundtrip(keys, rounds))
    row("WorkQueue add of a waiting key (coalesced)", lambda: coalesced_adds(keys, rounds))
    row(
        "WorkQueue add_after+fire+get+done (fake clock)",
        lambda: delayed_roundtrip(10_000 if quick else 100_000),
    )
    print(f"Queue, single thread, {len(keys)} keys, best (median) of {repeat} runs")
    print(f"{'operation':<50} {'ops/s':>12} {'median':>12} {'vs queue.Queue':>15}")
    for name, best, median in rows:
        print(f"{name:<50} {best:>12,.0f} {median:>12,.0f} {best / floor:>14.2f}x")
    ok = ours >= QUEUE_TARGET
    print(f"target: WorkQueue add+get+done >= {QUEUE_TARGET:,}/s with full semantics: ", end="")
    print(f"{'met' if ok else 'NOT met'} ({ours:,.0f}/s)")
    return ok


# -- 2. reconciles per second ---------------------------------------------------------------


def noop(key: int) -> None:
    return None


def sleep_1ms(key: int) -> None:
    time.sleep(0.001)


def controller_rate(body: Callable[[int], None], workers: int, n: int) -> float:
    controller = Controller(body, workers=workers, metrics=True)
    add = controller.queue.add
    for key in range(n):
        add(key)
    start = time.perf_counter()
    controller.start()
    if not controller.stop(drain=True, timeout=600):
        msg = "controller did not drain"
        raise RuntimeError(msg)
    elapsed = time.perf_counter() - start
    if controller.stats().reconciles != n:
        msg = f"expected {n} reconciles, got {controller.stats().reconciles}"
        raise RuntimeError(msg)
    return n / elapsed


def executor_rate(body: Callable[[int], None], workers: int, n: int) -> float:
    with ThreadPoolExecutor(workers) as pool:
        start = time.perf_counter()
        for _ in pool.map(body, range(n), chunksize=1):
            pass
        return n / (time.perf_counter() - start)


def bench_controller(quick: bool) -> bool:
    worker_counts = [1, 2, 4, 8, 16]
    repeat = 1 if quick else 3
    ok = True
    for label, body, per_worker, minimum in [
        ("no-op body", noop, 0, 2_000 if quick else 20_000),
        ("1 ms sleeping body", sleep_1ms, 40 if quick else 300, 0),
    ]:
        print()
        print(f"Controller, {label}: reconciles/s, best (median) of {repeat} runs")
        header = f"{'workers':>7} {'orchkit':>10} {'median':>10} {'scaling':>8}"
        print(f"{header} {'ThreadPoolExecutor':>19} {'ratio':>7}")
        base = 0.0
        for workers in worker_counts:
            n = max(minimum, per_worker * workers)
            ours_run = functools.partial(controller_rate, body, workers, n)
            best, median = best_and_median(ours_run, repeat)
            peer, _ = best_and_median(functools.partial(executor_rate, body, workers, n), repeat)
            if workers == 1:
                base = best
            scaling = best / (workers * base)
            print(
                f"{workers:>7} {best:>10,.0f} {median:>10,.0f} {scaling:>8.2f}"
                f" {peer:>19,.0f} {best / peer:>6.2f}x"
            )
            if body is sleep_1ms and workers == 8:
                met = scaling >= SCALING_TARGET
                ok = ok and met
                verdict = f"target: scaling >= {SCALING_TARGET} at 8 workers (1 ms body): "
                verdict += f"{'met' if met else 'NOT met'} ({scaling:.2f})"
        print(verdict if body is sleep_1ms else "", end="\n" if body is sleep_1ms else "")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run")
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.machine()}, {os.cpu_count()} CPUs, GIL "
        f"{'off' if getattr(sys, '_is_gil_enabled', lambda: True)() is False else 'on'}"
    )
    print()
    queue_ok = bench_queue(args.quick)
    controller_ok = bench_controller(args.quick)
    if args.quick:
        return 0
    return 0 if queue_ok and controller_ok else 1


if __name__ == "__main__":
    sys.exit(main())
