"""Greedy bin-packing heuristics on validated problems (the engines behind the public strategies).

Every function takes a `Problem` and returns bins as lists of item
indices. One-dimensional problems use trees over the bins' residual capacities:

- first fit: a max-segment-tree over the bins (leaf ``b`` holds bin ``b``'s residual; unopened
  bins hold the full capacity), descended to the leftmost leaf that fits: ``O(log n)`` per item;
- best fit: a sorted multiset of ``residual * n + bin`` keys in chunks (the layout of
  sortedcontainers' ``SortedList``): the smallest key ``>= size * n`` is the tightest bin, lowest
  index first: ``O(log n)`` per item;
- worst fit: a heap of ``(-residual, bin)``: only the emptiest bin can be the answer.

Vector problems use a segment tree of per-dimension maxima for first fit (subtrees where some
dimension cannot fit are skipped) and a scan of the open bins for best and worst fit.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from operator import le, mul, sub

from orchkit._binpack_model import Problem

__all__ = [
    "SIZE_KEYS",
    "best_fit",
    "bin_centric",
    "decreasing_order",
    "first_fit",
    "next_fit",
    "worst_fit",
]

Order = Sequence[int]


def _key_sum(v: tuple[float, ...]) -> float:
    return math.fsum(v)


def _key_max(v: tuple[float, ...]) -> float:
    return max(v)


def _key_product(v: tuple[float, ...]) -> float:
    return math.prod(v)


def _key_l2(v: tuple[float, ...]) -> float:
    return math.fsum(x * x for x in v)


#: Scalar sizes of capacity-normalised vectors, for the decreasing orders.
SIZE_KEYS: dict[str, Callable[[tuple[float, ...]], float]] = {
    "sum": _key_sum,
    "max": _key_max,
    "product": _key_product,
    "l2": _key_l2,
}


def decreasing_order(prob: Problem, key: str = "sum") -> list[int]:
    """Item indices by decreasing size: ``key`` of the normalised vector, then the vector itself.

    Identical items keep their input order, so the packing (as sizes) does not depend on the
    order of the input. ``O(n log n + n d)``.
    """
    n = len(prob)
    if prob.scalar:
        weights = prob.weights
        return sorted(range(n), key=weights.__getitem__, reverse=True)
    vectors = prob.vectors
    caps = prob.caps
    measure = SIZE_KEYS[key]
    keys = [measure(tuple(x / c for x, c in zip(v, caps, strict=True))) for v in vectors]
    return sorted(range(n), key=lambda i: (keys[i], vectors[i]), reverse=True)


# -- next fit -------------------------------------------------------------------------------------


def next_fit(prob: Problem, order: Order) -> list[list[int]]:
    """Next fit: only the last bin is open. ``O(n d)``."""
    bins: list[list[int]] = []
    if prob.scalar:
        weights = prob.weights
        cap = prob.cap
        room = -1
        current: list[int] = []
        for i in order:
            w = weights[i]
            if w <= room:
                current.append(i)
                room -= w
            else:
                current = [i]
                bins.append(current)
                room = cap - w
        return bins
    vectors = prob.vectors
    rooms: list[int] = []
    current = []
    for i in order:
        v = vectors[i]
        if bins and all(x <= r for x, r in zip(v, rooms, strict=True)):
            current.append(i)
            rooms = [r - x for x, r in zip(v, rooms, strict=True)]
        else:
            current = [i]
            bins.append(current)
            rooms = [c - x for x, c in zip(v, prob.caps, strict=True)]
    return bins


# -- first fit ------------------------------------------------------------------------------------


def first_fit(prob: Problem, order: Order) -> list[list[int]]:
    """First fit over a tree of residuals. ``O(n log n)`` in one dimension."""
    if not prob.scalar:
        return _first_fit_vector(prob, order)
    weights = prob.weights
    cap = prob.cap
    size = 1
    while size < len(order):
        size *= 2
    # tree[size + b] is the residual of bin b (the full capacity while unopened); tree[p] is the
    # maximum of its two children, so tree[1] is the largest residual of all.
    tree = [cap] * (2 * size)
    bins: list[list[int]] = []
    for i in order:
        w = weights[i]
        pos = 1
        while pos < size:
            pos <<= 1
            if tree[pos] < w:
                pos += 1
        b = pos - size
        if b == len(bins):
            bins.append([i])
        else:
            bins[b].append(i)
        value = tree[pos] - w
        tree[pos] = value
        pos >>= 1
        while pos:
            left = tree[2 * pos]
            right = tree[2 * pos + 1]
            best = left if left > right else right
            if tree[pos] == best:
                break
            tree[pos] = best
            pos >>= 1
    return bins


def _first_fit_vector(prob: Problem, order: Order) -> list[list[int]]:
    vectors = prob.vectors
    caps = prob.caps
    dims = range(prob.dims)
    size = 1
    while size < len(order):
        size *= 2
    # trees[d][p]: the largest residual in dimension d among the bins below node p. A subtree is
    # skipped when some dimension cannot fit; a leaf that passes fits in every dimension.
    trees = [[c] * (2 * size) for c in caps]
    bins: list[list[int]] = []
    for i in order:
        v = vectors[i]
        stack = [1]
        pos = 0
        while stack:
            p = stack.pop()
            for d in dims:
                if trees[d][p] < v[d]:
                    break
            else:
                if p >= size:
                    pos = p
                    break
                stack.append(2 * p + 1)
                stack.append(2 * p)
        b = pos - size
        if b == len(bins):
            bins.append([i])
        else:
            bins[b].append(i)
        for d in dims:
            tree = trees[d]
            p = pos
            tree[p] -= v[d]
            p >>= 1
            while p:
                left = tree[2 * p]
                right = tree[2 * p + 1]
                best = left if left > right else right
                if tree[p] == best:
                    break
                tree[p] = best
                p >>= 1
    return bins


# -- best fit -------------------------------------------------------------------------------------


class _SortedInts:
    """A sorted multiset of ``int`` kept in chunks of at most ``2 * LOAD`` (sortedcontainers).

    ``add`` and ``pop_ceiling`` bisect the chunk maxima, then one chunk: ``O(log n)`` comparisons
    and a bounded memmove.
    """

    __slots__ = ("lists", "maxes")

    LOAD = 512

    def __init__(self) -> None:
        self.lists: list[list[int]] = []
        self.maxes: list[int] = []

    def add(self, x: int) -> None:
        maxes = self.maxes
        lists = self.lists
        if not maxes:
            lists.append([x])
            maxes.append(x)
            return
        k = bisect_left(maxes, x)
        if k == len(maxes):
            k -= 1
            lists[k].append(x)
            maxes[k] = x
        else:
            insort(lists[k], x)
        chunk = lists[k]
        if len(chunk) > 2 * self.LOAD:
            half = chunk[self.LOAD :]
            del chunk[self.LOAD :]
            maxes[k] = chunk[-1]
            lists.insert(k + 1, half)
            maxes.insert(k + 1, half[-1])

    def pop_ceiling(self, x: int) -> int:
        """Remove and return the smallest element ``>= x``; ``-1`` when there is none."""
        maxes = self.maxes
        k = bisect_left(maxes, x)
        if k == len(maxes):
            return -1
        chunk = self.lists[k]
        j = bisect_left(chunk, x)
        value = chunk.pop(j)
        if not chunk:
            del self.lists[k]
            del maxes[k]
        elif j == len(chunk):
            maxes[k] = chunk[-1]
        return value


def best_fit(prob: Problem, order: Order) -> list[list[int]]:
    """Best fit: the fullest bin that fits, lowest index on ties. ``O(n log n)`` in 1-D."""
    if not prob.scalar:
        return _scan_fit(prob, order, best=True)
    weights = prob.weights
    cap = prob.cap
    scale = max(len(order), 1)
    keys = _SortedInts()  # residual * scale + bin, for every open bin
    bins: list[list[int]] = []
    for i in order:
        w = weights[i]
        key = keys.pop_ceiling(w * scale)
        if key < 0:
            b = len(bins)
            bins.append([i])
            keys.add((cap - w) * scale + b)
        else:
            residual, b = divmod(key, scale)
            bins[b].append(i)
            keys.add((residual - w) * scale + b)
    return bins


# -- worst fit ------------------------------------------------------------------------------------


def worst_fit(prob: Problem, order: Order) -> list[list[int]]:
    """Worst fit: the emptiest bin if it fits, else a new one. ``O(n log n)`` in one dimension."""
    if not prob.scalar:
        return _scan_fit(prob, order, best=False)
    weights = prob.weights
    cap = prob.cap
    heap: list[tuple[int, int]] = []  # (-residual, bin)
    bins: list[list[int]] = []
    for i in order:
        w = weights[i]
        if heap and -heap[0][0] >= w:
            negative, b = heap[0]
            bins[b].append(i)
            heapq.heapreplace(heap, (negative + w, b))
        else:
            b = len(bins)
            bins.append([i])
            heapq.heappush(heap, (w - cap, b))
    return bins


def _scan_fit(prob: Problem, order: Order, *, best: bool) -> list[list[int]]:
    """Vector best / worst fit: scan the open bins for the least / most normalised slack."""
    vectors = prob.vectors
    caps = prob.caps
    inverse = [1.0 / c for c in caps]
    rooms: list[list[int]] = []
    bins: list[list[int]] = []
    for i in order:
        v = vectors[i]
        chosen = -1
        chosen_slack = 0.0
        for b, room in enumerate(rooms):
            slack = 0.0
            for x, r, f in zip(v, room, inverse, strict=True):
                if x > r:
                    break
                slack += (r - x) * f
            else:
                if chosen < 0 or (slack < chosen_slack if best else slack > chosen_slack):
                    chosen = b
                    chosen_slack = slack
        if chosen < 0:
            bins.append([i])
            rooms.append([c - x for x, c in zip(v, caps, strict=True)])
        else:
            bins[chosen].append(i)
            room = rooms[chosen]
            for d, x in enumerate(v):
                room[d] -= x
    return bins


# -- bin-centric (Panigrahy et al.) ---------------------------------------------------------------


def bin_centric(prob: Problem, rule: str) -> list[list[int]]:
    """Fill one bin at a time with the item that scores best against the bin's residual.

    ``rule`` is ``"dot"`` (maximise the weighted dot product of item and residual) or ``"l2"``
    (minimise the weighted squared norm of the residual after placement). The weights are the
    average normalised demand per dimension of the items not packed yet, recomputed for every
    bin. ``O(n g d)`` for ``g`` distinct sizes (``O(n^2 d)`` at worst).
    """
    order = decreasing_order(prob)
    if prob.scalar:
        # In one dimension both rules pick the largest item that fits: first fit decreasing.
        return first_fit(prob, order)
    caps = prob.caps
    dims = prob.dims
    vectors = prob.vectors
    inverse = [1.0 / c for c in caps]
    # Identical items form one group (replicas of a pod are common): scores are computed once
    # per distinct size, and a group hands out its items in index order.
    group_of: dict[tuple[int, ...], int] = {}
    sizes: list[tuple[int, ...]] = []
    stacks: list[list[int]] = []
    for i in order:
        g = group_of.setdefault(vectors[i], len(sizes))
        if g == len(sizes):
            sizes.append(vectors[i])
            stacks.append([])
        stacks[g].append(i)
    for stack in stacks:
        stack.reverse()
    unit = [tuple(map(mul, v, inverse)) for v in sizes]
    remaining = list(range(len(sizes)))
    bins: list[list[int]] = []
    use_dot = rule == "dot"
    while remaining:
        totals = [0.0] * dims
        left = 0
        for g in remaining:
            k = len(stacks[g])
            left += k
            totals = [t + k * x for t, x in zip(totals, unit[g], strict=True)]
        weights = [t / left for t in totals]
        # Per size: w * u (weighted unit size) and, for the L2 rule, sum(w * u * u).
        weighted = {g: tuple(map(mul, weights, unit[g])) for g in remaining}
        squares = {} if use_dot else {g: sum(map(mul, weighted[g], unit[g])) for g in remaining}
        room = list(caps)
        rest = [1.0] * dims
        members: list[int] = []
        candidates = remaining
        while candidates:
            fitting = [g for g in candidates if all(map(le, sizes[g], room))]
            if not fitting:
                break
            best = fitting[0]
            if use_dot:
                best_score = sum(map(mul, weighted[best], rest))
                for g in fitting:
                    score = sum(map(mul, weighted[g], rest))
                    if score > best_score:
                        best, best_score = g, score
            else:
                # |rest - u|^2_w = |rest|^2_w - 2 <w u, rest> + <w u, u>: minimise the last two.
                best_score = squares[best] - 2.0 * sum(map(mul, weighted[best], rest))
                for g in fitting:
                    score = squares[g] - 2.0 * sum(map(mul, weighted[g], rest))
                    if score < best_score:
                        best, best_score = g, score
            members.append(stacks[best].pop())
            room = list(map(sub, room, sizes[best]))
            rest = list(map(mul, room, inverse))
            candidates = fitting if stacks[best] else [g for g in fitting if g != best]
        bins.append(members)
        remaining = [g for g in remaining if stacks[g]]
    return bins
