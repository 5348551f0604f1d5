"""Rate limiters: the exact capped schedule, forget, key independence, overflow, bucket bounds."""

from __future__ import annotations

import itertools

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from orchkit.errors import InvalidValueError
from orchkit.reconcile import (
    FakeClock,
    FastSlowRateLimiter,
    ItemExponentialRateLimiter,
    JitterRateLimiter,
    MaxOfRateLimiter,
    MaxWaitRateLimiter,
    RateLimiter,
    TokenBucketRateLimiter,
    default_controller_rate_limiter,
)

BASES = st.sampled_from([0.001, 0.005, 0.25, 1.0, 3.0])


class TestExponential:
    @given(base=BASES, factor=st.integers(0, 40), failures=st.integers(1, 80))
    @example(base=0.005, factor=200_000, failures=25)  # the client-go defaults: 5 ms -> 1000 s
    def test_backoff_grows_exactly_and_caps(self, base: float, factor: int, failures: int) -> None:
        """R1: delays are min(base * 2**n, cap), non-decreasing, never above the cap."""
        cap = base * factor if factor else base
        limiter = ItemExponentialRateLimiter(base, cap)
        delays = [limiter.when("k") for _ in range(failures)]
        assert delays == [min(base * 2**n, cap) for n in range(failures)]
        assert all(a <= b for a, b in itertools.pairwise(delays))
        assert max(delays) <= cap
        assert limiter.num_requeues("k") == failures

    def test_client_go_defaults(self) -> None:
        limiter = ItemExponentialRateLimiter()
        delays = [limiter.when("k") for _ in range(20)]
        assert delays[0] == 0.005
        assert delays[17] == pytest.approx(655.36)
        assert delays[18:] == [1000.0, 1000.0]
        assert sum(delays[:18]) == pytest.approx(1310.715)  # ~22 minutes of waits before the cap

    @given(base=BASES, before=st.integers(0, 30))
    def test_forget_resets(self, base: float, before: int) -> None:
        """R2: after forget, the next delay is base and num_requeues is 0."""
        limiter = ItemExponentialRateLimiter(base, base * 1000)
        for _ in range(before):
            limiter.when("k")
        limiter.forget("k")
        assert limiter.num_requeues("k") == 0
        assert limiter.when("k") == base

    @given(keys=st.lists(st.sampled_from("abcd"), max_size=40))
    def test_keys_are_independent(self, keys: list[str]) -> None:
        """R3: a failure of one key never changes the delay of another."""
        limiter = ItemExponentialRateLimiter(1.0, 1e9)
        counts: dict[str, int] = {}
        for key in keys:
            assert limiter.when(key) == 2.0 ** counts.get(key, 0)
            counts[key] = counts.get(key, 0) + 1
        for key in "abcd":
            assert limiter.num_requeues(key) == counts.get(key, 0)

    @given(failures=st.integers(1000, 10**9))
    def test_huge_failure_counts_give_the_cap(self, failures: int) -> None:
        """R4: overflow safety."""
        limiter = ItemExponentialRateLimiter(0.005, 1000.0)
        limiter._failures["k"] = failures
        assert limiter.when("k") == 1000.0

    @pytest.mark.parametrize(
        ("base", "cap", "field"),
        [(-1, 1, "base"), (1, 0.5, "cap"), (float("nan"), 1, "base"), (1, float("inf"), "cap")],
    )
    def test_bad_parameters(self, base: float, cap: float, field: str) -> None:
        with pytest.raises(InvalidValueError, match=field):
            ItemExponentialRateLimiter(base, cap)


class TestTokenBucket:
    @given(
        rate=st.sampled_from([1.0, 10.0, 50.0]),
        burst=st.integers(1, 20),
        gaps=st.lists(st.integers(0, 400).map(lambda n: n / 100), min_size=1, max_size=80),
    )
    def test_never_admits_more_than_burst_plus_rate_dt(
        self, rate: float, burst: int, gaps: list[float]
    ) -> None:
        """R5: in any window dt, retries scheduled inside it number at most burst + rate * dt."""
        clock = FakeClock()
        bucket = TokenBucketRateLimiter(rate, burst, clock=clock)
        times = []
        for gap in gaps:
            clock.advance(gap)
            times.append(clock.now() + bucket.when("k"))
        times.sort()
        for i, start in enumerate(times):
            for j in range(i, len(times)):
                dt = times[j] - start
                assert j - i + 1 <= burst + rate * dt + 1e-6

    def test_client_go_default_spacing(self) -> None:
        """After a burst of 100, 1,000 simultaneous failures push the last one ~90 s out."""
        bucket = TokenBucketRateLimiter(clock=FakeClock())
        delays = [bucket.when(i) for i in range(1000)]
        assert delays[:100] == [0.0] * 100
        assert delays[100] == pytest.approx(0.1)
        assert delays[-1] == pytest.approx(90.0)
        assert bucket.num_requeues(5) == 0
        bucket.forget(5)

    @pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0), (1, 1.5), (1, True)])
    def test_bad_parameters(self, rate: float, burst: int) -> None:
        with pytest.raises(InvalidValueError):
            TokenBucketRateLimiter(rate, burst)


class TestCombinators:
    def test_max_of_asks_everyone(self) -> None:
        clock = FakeClock()
        bucket = TokenBucketRateLimiter(1.0, 1, clock=clock)
        limiter = MaxOfRateLimiter(ItemExponentialRateLimiter(0.5, 100), bucket)
        assert limiter.when("a") == 0.5
        assert limiter.when("b") == 1.0  # the bucket wins, and the exponential one still counted
        assert limiter.num_requeues("b") == 1
        limiter.forget("b")
        assert limiter.num_requeues("b") == 0
        with pytest.raises(InvalidValueError):
            MaxOfRateLimiter()

    def test_default_controller_rate_limiter(self) -> None:
        limiter = default_controller_rate_limiter(clock=FakeClock())
        assert isinstance(limiter, RateLimiter)
        delays = [limiter.when(i) for i in range(150)]
        assert delays[0] == 0.005
        assert delays[-1] == pytest.approx(5.0)  # the 150th failure waits on the bucket

    def test_fast_slow(self) -> None:
        limiter = FastSlowRateLimiter(0.1, 5.0, 3)
        assert [limiter.when("k") for _ in range(5)] == [0.1, 0.1, 0.1, 5.0, 5.0]
        assert limiter.num_requeues("k") == 5
        limiter.forget("k")
        assert limiter.when("k") == 0.1
        with pytest.raises(InvalidValueError, match="max_fast_attempts"):
            FastSlowRateLimiter(0.1, 5.0, -1)

    def test_max_wait(self) -> None:
        limiter = MaxWaitRateLimiter(ItemExponentialRateLimiter(1, 100), 5)
        assert [limiter.when("k") for _ in range(5)] == [1, 2, 4, 5, 5]
        assert limiter.num_requeues("k") == 5
        limiter.forget("k")
        assert limiter.num_requeues("k") == 0

    @given(factor=st.sampled_from([0.0, 0.1, 0.5, 1.0]), seed=st.integers(0, 2**32))
    def test_jitter_stays_in_band_and_replays(self, factor: float, seed: int) -> None:
        """R1 with jitter: each delay lies in [d, d * (1 + factor)); a seed replays exactly."""

        def run() -> list[float]:
            limiter = JitterRateLimiter(ItemExponentialRateLimiter(1, 64), factor, seed=seed)
            return [limiter.when("k") for _ in range(10)]

        delays = run()
        assert delays == run()
        for n, delay in enumerate(delays):
            base = min(2.0**n, 64)
            assert base <= delay <= base * (1 + factor)

    def test_every_limiter_has_a_repr(self) -> None:
        limiters: list[RateLimiter] = [
            ItemExponentialRateLimiter(),
            TokenBucketRateLimiter(),
            FastSlowRateLimiter(1, 2, 3),
            MaxWaitRateLimiter(ItemExponentialRateLimiter(), 1),
            JitterRateLimiter(ItemExponentialRateLimiter()),
            default_controller_rate_limiter(),
        ]
        for limiter in limiters:
            assert isinstance(limiter, RateLimiter)
            assert type(limiter).__name__ in repr(limiter)
