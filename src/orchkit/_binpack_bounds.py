"""Lower bounds on the number of bins: continuous (L1) and Martello-Toth L2, per dimension."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

from orchkit._binpack_model import Problem

__all__ = ["bounds_of", "dff_bound", "l1_bound", "l2_bound"]


def l1_bound(weights: Sequence[int], cap: int) -> int:
    """The continuous bound ``ceil(sum / cap)``. ``O(n)``."""
    return -(-sum(weights) // cap)


def l2_bound(weights: Sequence[int], cap: int) -> int:
    """Martello and Toth's L2 bound for one dimension. ``O(n log n)``.

    For every threshold ``K`` in ``{0} U {w : w <= cap/2}``, the items larger than ``cap - K``
    and those in ``(cap/2, cap - K]`` each need a bin of their own, and the items in
    ``[K, cap/2]`` fill the room those bins leave before opening new ones.
    """
    items = sorted(weights)
    n = len(items)
    if not n:
        return 0
    prefix = [0, *accumulate(items)]
    half = bisect_right(items, cap // 2)  # items[:half] are <= cap/2 (2w <= cap)
    thresholds = sorted(set(items[:half]))
    if not thresholds or thresholds[0] != 0:
        thresholds.insert(0, 0)
    best = 0
    for k in thresholds:
        # J1: w > cap - k; J2: cap/2 < w <= cap - k; J3: k <= w <= cap/2.
        cut = bisect_right(items, cap - k)
        j1 = n - cut
        j2 = cut - half if cut > half else 0
        j2_sum = prefix[cut] - prefix[half] if cut > half else 0
        low = bisect_left(items, k)
        j3_sum = prefix[half] - prefix[low] if half > low else 0
        extra = j3_sum - (j2 * cap - j2_sum)
        value = j1 + j2 + (-(-extra // cap) if extra > 0 else 0)
        best = max(best, value)
    return best


def bounds_of(prob: Problem) -> tuple[int, int]:
    """``(L1, L2)`` of a problem: the maxima over its dimensions. ``O(d n log n)``."""
    if prob.scalar:
        return l1_bound(prob.weights, prob.cap), l2_bound(prob.weights, prob.cap)
    l1 = l2 = 0
    vectors = prob.vectors
    for d, cap in enumerate(prob.caps):
        column = [v[d] for v in vectors]
        l1 = max(l1, l1_bound(column, cap))
        l2 = max(l2, l2_bound(column, cap))
    return l1, l2


#: Largest ``k`` of the Fekete-Schepers functions tried by `dff_bound`.
DFF_MAX_K = 40
#: Most thresholds of the Carlier-Clautiaux-Moukrim function tried by `dff_bound`.
DFF_MAX_THRESHOLDS = 64
#: Fewer functions are tried when ``functions * distinct sizes`` would exceed this.
DFF_WORK = 200_000


def dff_bound(weights: Sequence[int], cap: int) -> int:
    """A bound from dual feasible functions; often above L2, never a substitute for it.

    A dual feasible function ``f`` maps sizes so that any set fitting one bin still fits after
    mapping; ``ceil(sum f(w) / f(cap))`` is then a lower bound. Two families are tried: Fekete and
    Schepers' ``u^(k)`` (round ``(k + 1) w / cap`` down to a multiple of ``1/k`` unless exact),
    ``k = 1..40``, and Carlier, Clautiaux and Moukrim's ``f_2`` with threshold ``lambda`` among
    (at most 64 of) the item sizes up to ``cap / 2``; fewer of each when there are more than
    5,000 distinct sizes. ``O(n + min(s (k + thresholds), 400,000))`` for ``s`` distinct sizes.
    """
    if not weights:
        return 0
    best = 0
    counts: dict[int, int] = {}
    for w in weights:
        counts[w] = counts.get(w, 0) + 1
    items = sorted(counts.items())
    # Any subset of the functions gives a valid bound: try fewer when there are many sizes.
    top = max(2, min(DFF_MAX_K, DFF_WORK // len(items)))
    for k in range(1, top + 1):
        # k * u^(k)(w) in integers: k w when (k + 1) w is a multiple of cap, else
        # cap * floor((k + 1) w / cap); the bin maps to k * cap.
        total = 0
        for w, c in items:
            y = (k + 1) * w
            total += c * (k * w if y % cap == 0 else cap * (y // cap))
        best = max(best, -(-total // (k * cap)))
    small = [w for w, _ in items if w > 0 and 2 * w <= cap]
    most = max(2, min(DFF_MAX_THRESHOLDS, DFF_WORK // len(items)))
    if len(small) > most:
        step = len(small) / most
        small = [small[int(j * step)] for j in range(most)]
    for lam in small:
        # f_2 of Carlier, Clautiaux and Moukrim (2007), bin value 2 floor(cap / lam).
        top = cap // lam
        total = 0
        for w, c in items:
            if 2 * w > cap:
                total += c * 2 * (top - (cap - w) // lam)
            elif 2 * w == cap:
                total += c * top
            else:
                total += c * 2 * (w // lam)
        best = max(best, -(-total // (2 * top)))
    return best
