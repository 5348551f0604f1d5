"""Improvement heuristics: minimum bin slack (MBS') and the bounded local search.

Both work on the items as a multiset: items of equal size are interchangeable, so searches branch
on distinct sizes and their counts, never on individual items, and results map sizes back to item
indices in a fixed order (which makes them independent of the input order).
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from operator import add, le, sub

from orchkit import _binpack_greedy as greedy
from orchkit._binpack_bounds import bounds_of, dff_bound
from orchkit._binpack_model import Problem

__all__ = ["best_fill", "local_search", "minimum_bin_slack"]

#: Node budget of one bin's subset search in MBS'.
MBS_NODES = 1024
#: Node budget of a whole MBS' run (per bin: at least ``MBS_MIN_NODES``).
MBS_TOTAL_NODES = 400_000
MBS_MIN_NODES = 32


class _Fenwick:
    """Prefix sums over a fixed number of slots with point updates: ``O(log m)`` each."""

    __slots__ = ("size", "tree")

    def __init__(self, values: list[int]) -> None:
        self.size = len(values)
        tree = [0, *values]
        for i in range(1, self.size + 1):
            j = i + (i & -i)
            if j <= self.size:
                tree[j] += tree[i]
        self.tree = tree

    def add(self, index: int, delta: int) -> None:
        i = index + 1
        tree = self.tree
        while i <= self.size:
            tree[i] += delta
            i += i & -i

    def prefix(self, end: int) -> int:
        """Sum of slots ``[0, end)``."""
        total = 0
        tree = self.tree
        i = end
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total


def best_fill(
    values: list[int],
    avail: list[int],
    room: int,
    budget: int,
    *,
    fenwick: _Fenwick | None = None,
    total: int = -1,
    negated: list[int] | None = None,
) -> tuple[int, list[tuple[int, int]]]:
    """The subset of a multiset with the largest sum ``<= room``, by bounded depth-first search.

    ``values`` are distinct sizes in decreasing order, ``avail`` how many of each are available.
    The search tries, size by size, the largest number of copies first, prunes branches that
    cannot beat the best sum (with the sum of everything still available after the current size)
    and stops at a perfect fill or after ``budget`` nodes.

    Returns ``(sum, [(size index, copies), ...])``.
    """
    m = len(values)
    if fenwick is None:
        fenwick = _Fenwick([v * a for v, a in zip(values, avail, strict=True)])
        total = fenwick.prefix(m)
    if negated is None:
        negated = [-v for v in values]  # ascending, for bisection
    best = 0
    best_take: list[tuple[int, int]] = []
    stack: list[tuple[int, int]] = []  # (size index, copies taken) along the current path
    level = bisect_left(negated, -room)
    used = 0
    nodes = 0
    while True:
        # Descend: take as many copies as fit of the next size that fits.
        while level < m and nodes < budget:
            if used + total - fenwick.prefix(level) <= best:
                break
            level = bisect_left(negated, used - room, level)
            if level >= m:
                break
            copies = avail[level]
            if copies:
                value = values[level]
                if value:
                    copies = min(copies, (room - used) // value)
                stack.append((level, copies))
                used += copies * value
                nodes += 1
                if used > best:
                    best = used
                    best_take = [(j, k) for j, k in stack if k]
                    if best == room:
                        return best, best_take
            level += 1
        if nodes >= budget:
            break
        # Backtrack: take one copy fewer of the deepest size with copies left.
        while stack:
            j, k = stack.pop()
            used -= k * values[j]
            if k > 0:
                stack.append((j, k - 1))
                used += (k - 1) * values[j]
                level = j + 1
                nodes += 1
                break
        else:
            break
        if nodes >= budget:
            break
    return best, best_take


def _groups(weights: list[int], order: list[int]) -> tuple[list[int], list[list[int]]]:
    """Distinct sizes in decreasing order, and the item indices of each (taken from the end)."""
    values: list[int] = []
    members: list[list[int]] = []
    for i in order:
        w = weights[i]
        if values and values[-1] == w:
            members[-1].append(i)
        else:
            values.append(w)
            members.append([i])
    for group in members:
        group.reverse()
    return values, members


def _mbs_scalar(weights: list[int], cap: int, budget: int = MBS_NODES) -> list[list[int]]:
    # At most MBS_TOTAL_NODES in all: fewer nodes per bin when many bins are expected.
    expected = -(-sum(weights) // cap) if weights else 0
    budget = min(budget, max(MBS_MIN_NODES, MBS_TOTAL_NODES // max(expected, 1)))
    order = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)
    values, members = _groups(weights, order)
    avail = [len(g) for g in members]
    fenwick = _Fenwick([v * a for v, a in zip(values, avail, strict=True)])
    total = fenwick.prefix(len(values))
    negated = [-v for v in values]
    bins: list[list[int]] = []
    first = 0
    exhausted = 0
    while True:
        if exhausted > 64 and 2 * exhausted > len(values):
            # Drop the sizes used up, so that searches do not walk over them.
            keep = [j for j, a in enumerate(avail) if a]
            values = [values[j] for j in keep]
            members = [members[j] for j in keep]
            avail = [avail[j] for j in keep]
            fenwick = _Fenwick([v * a for v, a in zip(values, avail, strict=True)])
            negated = [-v for v in values]
            first = exhausted = 0
        while first < len(values) and not avail[first]:
            first += 1
        if first == len(values):
            break
        # The largest item left opens the bin.
        avail[first] -= 1
        exhausted += not avail[first]
        fenwick.add(first, -values[first])
        total -= values[first]
        content = [members[first].pop()]
        _, take = best_fill(
            values,
            avail,
            cap - values[first],
            budget,
            fenwick=fenwick,
            total=total,
            negated=negated,
        )
        for j, k in take:
            avail[j] -= k
            exhausted += not avail[j]
            fenwick.add(j, -k * values[j])
            total -= k * values[j]
            group = members[j]
            content.extend(group.pop() for _ in range(k))
        bins.append(content)
    return bins


def minimum_bin_slack(prob: Problem) -> list[list[int]]:
    """MBS' (largest item first, then the least-slack subset), or FFD when that is better."""
    ffd = greedy.first_fit(prob, greedy.decreasing_order(prob))
    if not prob.scalar:
        return ffd
    mbs = _mbs_scalar(prob.weights, prob.cap)
    return mbs if len(mbs) < len(ffd) else ffd


def _fits_two(weights: list[int], pool: list[int], cap: int, budget: int) -> list[int] | None:
    """A subset of ``pool`` whose complement also fits one bin, or ``None`` (bounded search)."""
    total = 0
    for i in pool:
        total += weights[i]
    if total > 2 * cap:
        return None
    if total <= cap:
        return list(pool)
    if cap <= 1 << 20:
        reach = 1
        mask = (1 << (cap + 1)) - 1
        for i in pool:
            reach = (reach | (reach << weights[i])) & mask
        if not reach >> (total - cap):
            return None
    order = sorted(pool, key=weights.__getitem__, reverse=True)
    values, members = _groups(weights, order)
    best, take = best_fill(values, [len(g) for g in members], cap, budget)
    if best < total - cap:
        return None
    return [i for j, k in take for i in members[j][-k:]]


def _split(
    weights: list[int], items: list[int], cap: int, count: int, budget: int
) -> tuple[list[list[int]] | None, int]:
    """``items`` split into ``count`` bins by a bounded depth-first search.

    Returns the bins (``None`` when the search finds none) and the number of nodes searched.
    """
    order = sorted(items, key=weights.__getitem__, reverse=True)
    loads = [0] * count
    chosen = [-1] * len(order)
    nodes = 0
    k = 0
    start = 0
    while 0 <= k < len(order):
        w = weights[order[k]]
        placed = False
        for b in range(start, count):
            # Bins with equal loads are interchangeable: try only the first of them.
            if loads[b] + w <= cap and all(loads[c] != loads[b] for c in range(b)):
                loads[b] += w
                chosen[k] = b
                placed = True
                break
        nodes += 1
        if nodes > budget:
            return None, nodes
        if placed:
            k += 1
            start = 0
            continue
        # Backtrack: move the previous item to a later bin.
        k -= 1
        if k < 0:
            return None, nodes
        b = chosen[k]
        loads[b] -= weights[order[k]]
        start = b + 1
    bins: list[list[int]] = [[] for _ in range(count)]
    for item, b in zip(order, chosen, strict=True):
        bins[b].append(item)
    return [b for b in bins if b], nodes


class _Search:
    """Consistent neighbourhood search for one target number of bins (one dimension).

    The state is a partial packing (``bins``, ``loads``) into ``target - 2`` bins and a ``pool``
    of unpacked items. A move swaps a set ``P`` of at most two items of one bin with a set ``Q``
    of one or two pool items such that the bin still fits. Each step applies the move that packs
    the most weight (ties: the one leaving more items in the pool), even when it packs less than
    it unpacks; items just packed may not leave their bin for a few iterations (tabu), and swaps
    of equal sizes are never moves. When no move exists at all, a random item is kicked out of a
    random bin. The search succeeds when the pool fits into two bins.
    """

    def __init__(
        self,
        weights: list[int],
        cap: int,
        bins: list[list[int]],
        pool: list[int],
        rng: random.Random,
    ) -> None:
        self.weights = weights
        self.cap = cap
        self.bins = bins
        self.loads = [sum(weights[i] for i in b) for b in bins]
        self.pool = pool
        self.rng = rng
        self.tabu: dict[int, int] = {}
        #: Iteration until which some item of the bin is tabu.
        self.bin_tabu = [-1] * len(bins)
        #: Per bin: its subsets of at most two items (distinct by sizes), as (weight, items).
        self.subsets = [self._subsets(content) for content in bins]
        self.work = 0

    def _subsets(self, content: list[int]) -> list[tuple[int, tuple[int, ...], tuple[int, ...]]]:
        """Subsets of at most two items of a bin, distinct by sizes: (weight, items, sizes)."""
        weights = self.weights
        subsets: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(0, (), ())]
        seen: set[tuple[int, ...]] = set()
        for a, i in enumerate(content):
            wi = weights[i]
            key: tuple[int, ...] = (wi,)
            if key not in seen:
                seen.add(key)
                subsets.append((wi, (i,), key))
            for j in content[a + 1 :]:
                wj = weights[j]
                key = (wi, wj) if wi >= wj else (wj, wi)
                if key not in seen:
                    seen.add(key)
                    subsets.append((wi + wj, (i, j), key))
        return subsets

    def _pool_options(
        self,
    ) -> tuple[list[int], list[tuple[int, ...]], list[tuple[int, ...]]]:
        """Sets of one or two pool items, distinct by sizes, by weight (fewer items last)."""
        weights = self.weights
        seen: dict[tuple[int, ...], tuple[int, ...]] = {}
        pool = self.pool
        for a, i in enumerate(pool):
            wi = weights[i]
            seen.setdefault((wi,), (i,))
            for j in pool[a + 1 :]:
                wj = weights[j]
                key = (wi, wj) if wi >= wj else (wj, wi)
                seen.setdefault(key, (i, j))
        options = sorted(seen.items(), key=lambda kv: (sum(kv[0]), -len(kv[0])))
        return (
            [sum(k) for k, _ in options],
            [v for _, v in options],
            [k for k, _ in options],
        )

    def step(self, iteration: int) -> bool:
        """Apply the best allowed move; return False when none applies (then kick an item)."""
        weights = self.weights
        cap = self.cap
        tabu = self.tabu
        qw, qs, qkeys = self._pool_options()
        if not qw:
            return False
        nothing = -(1 << 62)
        best_gain = nothing
        best_items = 0
        best_move: tuple[int, tuple[int, ...], tuple[int, ...]] = (0, (), ())
        loads = self.loads
        bin_tabu = self.bin_tabu
        smallest = qw[0]
        all_subsets = self.subsets
        count = len(all_subsets)
        start = self.rng.randrange(count) if count else 0
        # A move gains at most the bin's slack: visit bins by decreasing slack (ties in a
        # rotating order) and stop when no bin can beat the best gain.
        ranked = sorted(range(count), key=lambda b: (loads[b], (b - start) % count))
        self.work += count + len(qw)
        for b in ranked:
            slack = cap - loads[b]
            if slack < best_gain:
                break
            subsets = all_subsets[b]
            self.work += len(subsets)
            check_tabu = bin_tabu[b] >= iteration
            for wp, p, pkey in subsets:
                hi = slack + wp
                if hi < smallest:
                    continue
                k = bisect_right(qw, hi) - 1
                gain = qw[k] - wp
                if gain < best_gain:
                    continue
                if check_tabu and any(tabu.get(i, -1) >= iteration for i in p):
                    continue
                if not gain and qkeys[k] == pkey:
                    # The same sizes: take an equal-weight set of other sizes, if any.
                    k -= 1
                    if k < 0 or qw[k] != wp:
                        continue
                items = len(p) - len(qs[k])
                if gain > best_gain or items > best_items:
                    best_gain = gain
                    best_items = items
                    best_move = (b, p, qs[k])
        if best_gain == nothing:
            self._kick(iteration)
            return False
        b, p, q = best_move
        content = self.bins[b]
        for i in p:
            content.remove(i)
            self.pool.append(i)
        until = iteration + 3 + self.rng.randrange(5)
        for i in q:
            self.pool.remove(i)
            content.append(i)
            tabu[i] = until
        self.bin_tabu[b] = max(self.bin_tabu[b], until)
        self.loads[b] += sum(weights[i] for i in q) - sum(weights[i] for i in p)
        self.subsets[b] = self._subsets(content)
        return True

    def fill(self, iteration: int) -> bool:
        """Refill a random bin with the heaviest subset of its items and the pool's.

        Tries up to ``FILL_TRIES`` bins and applies the first refill that packs more weight
        (the pool gets lighter: a descent move). False when none does.
        """
        weights = self.weights
        cap = self.cap
        pool = self.pool
        if not pool:
            return False
        count = len(self.bins)
        for b in self.rng.sample(range(count), min(FILL_TRIES, count)):
            content = self.bins[b]
            load = self.loads[b]
            if load == cap:
                continue
            extra = pool if len(pool) <= FILL_POOL else self.rng.sample(pool, FILL_POOL)
            candidates = content + extra
            self.work += len(candidates)
            subset = _heaviest_subset(weights, candidates, cap, load + 1)
            if subset is None:
                continue
            chosen = set(subset)
            out = [i for i in content if i not in chosen]
            kept = set(content)
            new = [i for i in subset if i not in kept]
            until = iteration + 3 + self.rng.randrange(5)
            for i in out:
                pool.append(i)
            for i in new:
                pool.remove(i)
                self.tabu[i] = until
            self.bins[b] = list(subset)
            self.loads[b] = sum(weights[i] for i in subset)
            self.bin_tabu[b] = max(self.bin_tabu[b], until)
            self.subsets[b] = self._subsets(self.bins[b])
            return True
        return False

    def _kick(self, iteration: int) -> None:
        """Move a random item of a random non-empty bin to the pool."""
        candidates = [b for b, content in enumerate(self.bins) if content]
        if not candidates:
            return
        b = self.rng.choice(candidates)
        content = self.bins[b]
        i = content.pop(self.rng.randrange(len(content)))
        self.loads[b] -= self.weights[i]
        self.subsets[b] = self._subsets(content)
        self.pool.append(i)
        self.tabu[i] = iteration + 1


def _heaviest_subset(
    weights: list[int], items: list[int], cap: int, least: int
) -> list[int] | None:
    """The heaviest subset of ``items`` that fits ``cap``, if it weighs at least ``least``.

    Exact by a bitset of reachable sums when the capacity is small (``cap <= FILL_BITSET_CAP``),
    otherwise the best `best_fill` finds within ``FILL_NODES`` nodes.
    """
    if cap > FILL_BITSET_CAP:
        order = sorted(items, key=weights.__getitem__, reverse=True)
        values, members = _groups(weights, order)
        best, take = best_fill(values, [len(g) for g in members], cap, FILL_NODES)
        if best < least:
            return None
        return [i for j, k in take for i in members[j][-k:]]
    mask = (1 << (cap + 1)) - 1
    reach = 1
    layers = [reach]
    for i in items:
        reach = (reach | (reach << weights[i])) & mask
        layers.append(reach)
    best = reach.bit_length() - 1
    if best < least:
        return None
    # Walk back: an item is taken iff the sum was not reachable without it.
    chosen = []
    t = best
    for k in range(len(items) - 1, -1, -1):
        if not (layers[k] >> t) & 1:
            chosen.append(items[k])
            t -= weights[items[k]]
    return chosen


def _repack_three(
    weights: list[int], cap: int, search: _Search, rng: random.Random
) -> list[list[int]] | None:
    """A full packing if some bin and the pool fit into three bins (a few bins tried)."""
    pool_weight = sum(weights[i] for i in search.pool)
    room = REPACK_ITEMS - len(search.pool)
    candidates = [
        b
        for b, load in enumerate(search.loads)
        if pool_weight + load <= 3 * cap and len(search.bins[b]) <= room
    ]
    for b in rng.sample(candidates, min(len(candidates), REPACK_BINS)):
        split, nodes = _split(weights, search.pool + search.bins[b], cap, 3, REPACK_NODES)
        search.work += nodes // REPACK_DISCOUNT
        if split is not None:
            return [content for c, content in enumerate(search.bins) if c != b and content] + split
    return None


def _cns_scalar(
    weights: list[int],
    cap: int,
    *,
    start: list[list[int]],
    bound: int,
    budget: int,
    rng: random.Random,
) -> list[list[int]]:
    """Lower the number of bins of ``start`` one at a time until ``bound`` or the budget."""
    best = start
    work = 0
    while len(best) > bound and work < budget:
        target = len(best) - 1
        if target <= 2:
            everything = [i for b in best for i in b]
            first = _fits_two(weights, everything, cap, budget)
            if first is None:
                break
            chosen = set(first)
            rest = [i for i in everything if i not in chosen]
            best = [first, rest] if rest else [first]
            break
        ranked = sorted(range(len(best)), key=lambda b: (sum(weights[i] for i in best[b]), b))
        found: list[list[int]] | None = None
        for attempt in range(1 + RESTARTS):
            # First empty the three least-filled bins; after a stall, three random ones.
            dropped = set(ranked[:3] if not attempt else rng.sample(range(len(best)), 3))
            kept = [list(best[b]) for b in range(len(best)) if b not in dropped]
            pool = [i for b in sorted(dropped) for i in best[b]]
            search = _Search(weights, cap, kept, pool, rng)
            iteration = 0
            lowest = sum(weights[i] for i in search.pool)
            improved_at = 0
            while work + search.work < budget and iteration - improved_at <= STALL:
                pool_weight = sum(weights[i] for i in search.pool)
                if pool_weight < lowest:
                    lowest = pool_weight
                    improved_at = iteration
                first = _fits_two(weights, search.pool, cap, 4096)
                if first is not None:
                    chosen = set(first)
                    rest = [i for i in search.pool if i not in chosen]
                    found = [b for b in search.bins if b]
                    found.append(first)
                    if rest:
                        found.append(rest)
                    break
                if pool_weight <= 2 * cap:
                    # Close: try to repack one full bin together with the pool into three.
                    found = _repack_three(weights, cap, search, rng)
                    if found is not None:
                        break
                if not search.fill(iteration):
                    search.step(iteration)
                iteration += 1
            work += search.work
            if found is not None or work >= budget:
                break
        if found is None:
            break
        best = found
    return best


def _fits_two_vector(
    vectors: list[tuple[int, ...]], pool: list[int], caps: tuple[int, ...], budget: int
) -> list[int] | None:
    """Items of ``pool`` for a first bin such that the rest fits a second one, or ``None``."""
    dims = range(len(caps))
    totals = [sum(vectors[i][d] for i in pool) for d in dims]
    if any(t > 2 * c for t, c in zip(totals, caps, strict=True)):
        return None
    if all(t <= c for t, c in zip(totals, caps, strict=True)):
        return list(pool)
    order = sorted(pool, key=lambda i: sum(x / c for x, c in zip(vectors[i], caps, strict=True)))
    order.reverse()
    # Depth-first assignment of each item to bin A or B (the first item goes to A).
    room_a = list(caps)
    room_b = list(caps)
    side: list[int] = []
    nodes = 0
    k = 0
    while True:
        if k == len(order):
            return [order[j] for j, s in enumerate(side) if s == 0]
        v = vectors[order[k]]
        start = 0
        placed = False
        while True:
            for s_try in range(start, 1 if k == 0 else 2):
                room = room_a if s_try == 0 else room_b
                if all(x <= r for x, r in zip(v, room, strict=True)):
                    for d in dims:
                        room[d] -= v[d]
                    side.append(s_try)
                    placed = True
                    break
            if placed:
                break
            # Backtrack to the last item that can switch to bin B.
            while side:
                k -= 1
                s_last = side.pop()
                room = room_a if s_last == 0 else room_b
                u = vectors[order[k]]
                for d in dims:
                    room[d] += u[d]
                if s_last == 0 and k > 0:
                    start = 1
                    v = u
                    break
            else:
                return None
            nodes += 1
            if nodes > budget:
                return None
        k += 1


class _VectorSearch:
    """The consistent neighbourhood search of `_Search` for vector sizes.

    A move must fit the bin in every dimension; weights are the sums of capacity-normalised
    sizes. Pool sets are scanned by decreasing weight, so the first that fits is the best.
    """

    def __init__(
        self,
        vectors: list[tuple[int, ...]],
        caps: tuple[int, ...],
        bins: list[list[int]],
        pool: list[int],
        rng: random.Random,
    ) -> None:
        self.vectors = vectors
        self.caps = caps
        self.weight = [sum(x / c for x, c in zip(v, caps, strict=True)) for v in vectors]
        self.bins = bins
        self.rooms = [
            [c - sum(vectors[i][d] for i in content) for d, c in enumerate(caps)]
            for content in bins
        ]
        self.pool = pool
        self.rng = rng
        self.tabu: dict[int, int] = {}
        self.bin_tabu = [-1] * len(bins)
        self.subsets = [self._subsets(content) for content in bins]
        self.work = 0

    def _subsets(self, content: list[int]) -> list[tuple[float, tuple[int, ...], tuple[int, ...]]]:
        """Subsets of at most two items: (weight, items, summed size)."""
        vectors = self.vectors
        weight = self.weight
        zero = (0,) * len(self.caps)
        subsets: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = [(0.0, (), zero)]
        seen: set[tuple[int, ...]] = set()
        for a, i in enumerate(content):
            vi = vectors[i]
            if vi not in seen:
                seen.add(vi)
                subsets.append((weight[i], (i,), vi))
            for j in content[a + 1 :]:
                both = tuple(map(add, vi, vectors[j]))
                if both not in seen:
                    seen.add(both)
                    subsets.append((weight[i] + weight[j], (i, j), both))
        return subsets

    def step(self, iteration: int) -> bool:
        """Apply the best allowed move; return False when none applies (then kick an item)."""
        vectors = self.vectors
        weight = self.weight
        tabu = self.tabu
        pool = self.pool
        options: dict[tuple[int, ...], tuple[float, tuple[int, ...]]] = {}
        for a, i in enumerate(pool):
            options.setdefault(vectors[i], (weight[i], (i,)))
            for j in pool[a + 1 :]:
                both = tuple(map(add, vectors[i], vectors[j]))
                options.setdefault(both, (weight[i] + weight[j], (i, j)))
        ranked_options = sorted(
            ((w, q, size) for size, (w, q) in options.items()), key=lambda o: (-o[0], len(o[1]))
        )
        if not ranked_options:
            return False
        nothing = -1e300
        best_gain = nothing
        best_items = 0
        best_move: tuple[int, tuple[int, ...], tuple[int, ...]] = (0, (), ())
        count = len(self.bins)
        start = self.rng.randrange(count) if count else 0
        slack = [sum(r / c for r, c in zip(room, self.caps, strict=True)) for room in self.rooms]
        order = sorted(range(count), key=lambda b: (-slack[b], (b - start) % count))
        self.work += count + len(ranked_options)
        eps = 1e-9
        for b in order:
            if slack[b] < best_gain - eps:
                break
            room = self.rooms[b]
            check_tabu = self.bin_tabu[b] >= iteration
            for wp, p, psize in self.subsets[b]:
                if check_tabu and any(tabu.get(i, -1) >= iteration for i in p):
                    continue
                limit = slack[b] + wp + eps
                avail = list(map(add, room, psize))
                for wq, q, qsize in ranked_options:
                    self.work += 1
                    gain = wq - wp
                    if gain < best_gain - eps:
                        break
                    if wq > limit or qsize == psize:
                        continue
                    if all(map(le, qsize, avail)):
                        items = len(p) - len(q)
                        if gain > best_gain + eps or items > best_items:
                            best_gain = gain
                            best_items = items
                            best_move = (b, p, q)
                        break
        if best_gain == nothing:
            self._kick(iteration)
            return False
        b, p, q = best_move
        content = self.bins[b]
        room = self.rooms[b]
        for i in p:
            content.remove(i)
            pool.append(i)
            room[:] = map(add, room, vectors[i])
        until = iteration + 3 + self.rng.randrange(5)
        for i in q:
            pool.remove(i)
            content.append(i)
            room[:] = map(sub, room, vectors[i])
            tabu[i] = until
        self.bin_tabu[b] = max(self.bin_tabu[b], until)
        self.subsets[b] = self._subsets(content)
        return True

    def _kick(self, iteration: int) -> None:
        candidates = [b for b, content in enumerate(self.bins) if content]
        if not candidates:
            return
        b = self.rng.choice(candidates)
        content = self.bins[b]
        i = content.pop(self.rng.randrange(len(content)))
        self.rooms[b][:] = map(add, self.rooms[b], self.vectors[i])
        self.subsets[b] = self._subsets(content)
        self.pool.append(i)
        self.tabu[i] = iteration + 1


def _cns_vector(
    vectors: list[tuple[int, ...]],
    caps: tuple[int, ...],
    *,
    start: list[list[int]],
    bound: int,
    budget: int,
    rng: random.Random,
) -> list[list[int]]:
    """`_cns_scalar` for vectors."""
    best = start
    work = 0
    weight = [sum(x / c for x, c in zip(v, caps, strict=True)) for v in vectors]
    while len(best) > bound and work < budget:
        target = len(best) - 1
        if target <= 2:
            everything = [i for b in best for i in b]
            first = _fits_two_vector(vectors, everything, caps, budget)
            if first is None:
                break
            chosen = set(first)
            rest = [i for i in everything if i not in chosen]
            best = [first, rest] if rest else [first]
            break
        ranked = sorted(range(len(best)), key=lambda b: (sum(weight[i] for i in best[b]), b))
        dropped = set(ranked[:3])
        kept = [list(best[b]) for b in range(len(best)) if b not in dropped]
        pool = [i for b in sorted(dropped) for i in best[b]]
        search = _VectorSearch(vectors, caps, kept, pool, rng)
        iteration = 0
        found: list[list[int]] | None = None
        lowest = sum(weight[i] for i in pool)
        improved_at = 0
        while work + search.work < budget and iteration - improved_at <= STALL:
            pool_weight = sum(weight[i] for i in search.pool)
            if pool_weight < lowest - 1e-9:
                lowest = pool_weight
                improved_at = iteration
            first = _fits_two_vector(vectors, search.pool, caps, 4096)
            if first is not None:
                chosen = set(first)
                rest = [i for i in search.pool if i not in chosen]
                found = [b for b in search.bins if b]
                found.append(first)
                if rest:
                    found.append(rest)
                break
            search.step(iteration)
            iteration += 1
        work += search.work
        if found is None:
            break
        best = found
    return best


#: Work budget of the one-dimensional search, in move evaluations:
#: ``LOCAL_SEARCH_BASE + LOCAL_SEARCH_PER_ITEM * min(n, BUDGET_ITEMS)``.
LOCAL_SEARCH_BASE = 20_000
LOCAL_SEARCH_PER_ITEM = 600
#: The budget stops growing with the number of items beyond this many.
BUDGET_ITEMS = 2000
#: A target is given up after this many iterations without a lighter pool...
STALL = 300
#: ...and tried again from this many fresh partial packings (three random bins emptied).
RESTARTS = 2
#: When the pool weighs at most two bins, up to ``REPACK_BINS`` random bins are each tried
#: together with the pool for an exact split into three bins (at most ``REPACK_ITEMS`` items,
#: ``REPACK_NODES`` search nodes, counted as ``1 / REPACK_DISCOUNT`` of a move each).
REPACK_BINS = 8
REPACK_ITEMS = 10
REPACK_NODES = 512
REPACK_DISCOUNT = 4
#: Before each swap move, up to ``FILL_TRIES`` random bins are each refilled with the heaviest
#: subset of their items and ``FILL_POOL`` pool items (a random sample of a larger pool); the
#: first refill that packs more weight is applied. Exact by bitset up to ``FILL_BITSET_CAP``,
#: else a subset search of ``FILL_NODES`` nodes.
FILL_TRIES = 16
FILL_POOL = 16
FILL_BITSET_CAP = 1 << 18
FILL_NODES = 512
#: Work budget of the vector local search.
VECTOR_SEARCH_BASE = 20_000
VECTOR_SEARCH_PER_ITEM = 600
#: Above this many items the vector local search does not start from the dot-product packing.
DOT_START_ITEMS = 5000
#: Node budget per bin of the MBS' run that seeds the local search.
LOCAL_SEARCH_MBS_NODES = 1024


def _vector_bound(prob: Problem) -> int:
    bound = max(bounds_of(prob))
    vectors = prob.vectors
    for d, cap in enumerate(prob.caps):
        bound = max(bound, dff_bound([v[d] for v in vectors], cap))
    return bound


def local_search(prob: Problem) -> list[list[int]]:
    """FFD, then MBS', then the bounded local search, stopping at the lower bound."""
    if not prob.scalar:
        return _local_search_vector(prob)
    ffd = greedy.first_fit(prob, greedy.decreasing_order(prob))
    bound = max(bounds_of(prob))
    if len(ffd) <= bound:
        return ffd
    bound = max(bound, dff_bound(prob.weights, prob.cap))
    if len(ffd) <= bound:
        return ffd
    mbs = _mbs_scalar(prob.weights, prob.cap, LOCAL_SEARCH_MBS_NODES)
    best = mbs if len(mbs) < len(ffd) else ffd
    if len(best) <= bound:
        return best
    budget = LOCAL_SEARCH_BASE + LOCAL_SEARCH_PER_ITEM * min(len(prob), BUDGET_ITEMS)
    rng = random.Random(0)
    return _cns_scalar(
        prob.weights, prob.cap, start=[list(b) for b in best], bound=bound, budget=budget, rng=rng
    )


def _local_search_vector(prob: Problem) -> list[list[int]]:
    best = greedy.first_fit(prob, greedy.decreasing_order(prob, "l2"))
    bound = _vector_bound(prob)
    for key in ("sum", "max"):
        if len(best) <= bound:
            return best
        other = greedy.first_fit(prob, greedy.decreasing_order(prob, key))
        if len(other) < len(best):
            best = other
    if len(best) <= bound:
        return best
    if len(prob) > DOT_START_ITEMS:
        # The bin-centric start costs O(n g d): skip it for big inputs.
        return _cns_vector(
            prob.vectors,
            prob.caps,
            start=[list(b) for b in best],
            bound=bound,
            budget=VECTOR_SEARCH_BASE + VECTOR_SEARCH_PER_ITEM * BUDGET_ITEMS,
            rng=random.Random(0),
        )
    other = greedy.bin_centric(prob, "dot")
    if len(other) < len(best):
        best = other
    if len(best) <= bound:
        return best
    budget = VECTOR_SEARCH_BASE + VECTOR_SEARCH_PER_ITEM * min(len(prob), BUDGET_ITEMS)
    rng = random.Random(0)
    return _cns_vector(
        prob.vectors, prob.caps, start=[list(b) for b in best], bound=bound, budget=budget, rng=rng
    )
