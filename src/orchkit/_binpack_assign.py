"""The assignment model of (vector) bin packing for CP-SAT, with symmetry breaking.

One Boolean per (item, bin) pair says where each item goes, one per bin says whether the bin is
used. On its own this model is weak: any permutation of the bins is the same packing, so the
solver would prove the same thing over and over. The builder removes that symmetry, which is
critical to get good lower bounds:

- a *clique* of pairwise incompatible items (no two fit one bin together in some resource) is
  fixed to bins ``0..k-1``; its size is also a lower bound;
- the other items are ranked by decreasing size and item of rank ``r`` may only use bins
  ``0..r`` (bins are numbered by their first item);
- bins are used in order; identical items take non-decreasing bin numbers.

`build_model` is pure: it returns the model and its variables; nothing is solved here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

__all__ = ["AssignmentModel", "build_model", "clique", "ranking", "read_bins"]


def _incompatible(a: Sequence[int], b: Sequence[int], caps: Sequence[int]) -> bool:
    return any(x + y > c for x, y, c in zip(a, b, caps, strict=True))


def _key(vector: Sequence[int], caps: Sequence[int]) -> tuple[float, float]:
    shares = [x / c for x, c in zip(vector, caps, strict=True)]
    return (max(shares), sum(shares))


def clique(vectors: Sequence[Sequence[int]], caps: Sequence[int]) -> list[int]:
    """A set of pairwise incompatible items, found greedily from the largest.

    Runtime complexity: ``O(n log n + n k d)`` for a clique of ``k`` items.
    """
    order = sorted(range(len(vectors)), key=lambda i: _key(vectors[i], caps), reverse=True)
    chosen: list[int] = []
    for i in order:
        if all(_incompatible(vectors[i], vectors[c], caps) for c in chosen):
            chosen.append(i)
    return chosen


def ranking(vectors: Sequence[Sequence[int]], caps: Sequence[int]) -> tuple[list[int], int]:
    """The item order of the model: the clique first, then by decreasing size.

    Identical items are adjacent. Returns ``(order, clique size)``.
    """
    members = clique(vectors, caps)
    inside = set(members)
    rest = sorted(
        (i for i in range(len(vectors)) if i not in inside),
        key=lambda i: (_key(vectors[i], caps), tuple(vectors[i])),
        reverse=True,
    )
    return members + rest, len(members)


@attrs.frozen
class AssignmentModel:
    """A CP-SAT assignment model and its variables (see `build_model`)."""

    #: The ``ortools.sat.python.cp_model.CpModel``.
    model: Any
    #: ``assign[i, b]`` is true iff item ``i`` is placed in bin ``b`` (only allowed pairs exist).
    assign: dict[tuple[int, int], Any]
    #: ``used[b]`` is true iff bin ``b`` holds at least one item.
    used: tuple[Any, ...]


def build_model(
    vectors: Sequence[Sequence[int]],
    caps: Sequence[int],
    max_bins: int,
    lower: int = 0,
    hint: Sequence[Sequence[int]] | None = None,
) -> AssignmentModel:
    """The assignment model: pack ``vectors`` into at most ``max_bins`` bins of ``caps``.

    ``lower`` is a proven lower bound (those bins are forced open); ``hint`` is a packing (item
    indices per bin, at most ``max_bins`` bins) given to the solver as its starting point.

    Runtime complexity: ``O(n B d)`` variables and terms for ``n`` items and ``B`` bins.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    n = len(vectors)
    dims = len(caps)
    order, k = ranking(vectors, caps)
    rank = {item: r for r, item in enumerate(order)}
    # used[b] is true iff bin b holds at least one item.
    used = tuple(model.new_bool_var(f"used_{b}") for b in range(max_bins))
    # assign[i, b] is true iff item i is in bin b; item of rank r may only use bins 0..r, and
    # clique items get exactly one bin: their own.
    assign: dict[tuple[int, int], Any] = {}
    for r, i in enumerate(order):
        if r < k:
            assign[i, r] = model.new_bool_var(f"assign_{i}_{r}")
            model.add(assign[i, r] == 1)
            continue
        for b in range(min(r + 1, max_bins)):
            assign[i, b] = model.new_bool_var(f"assign_{i}_{b}")
    by_bin: list[list[int]] = [[] for _ in range(max_bins)]
    by_item: list[list[Any]] = [[] for _ in range(n)]
    for (i, b), var in assign.items():
        by_bin[b].append(i)
        by_item[i].append(var)

    # Every item goes into exactly one bin.
    for options in by_item:
        model.add_exactly_one(options)

    # Capacity: in every resource, the items of a used bin fit; an unused bin holds nothing.
    for b, members in enumerate(by_bin):
        for d in range(dims):
            terms = [vectors[i][d] * assign[i, b] for i in members if vectors[i][d]]
            if terms:
                model.add(sum(terms) <= caps[d] * used[b])
        for i in members:
            if not any(vectors[i]):
                model.add_implication(assign[i, b], used[b])

    # Bins are used in order, and the proven lower bound opens the first ones.
    for b in range(max_bins - 1):
        model.add_implication(used[b + 1], used[b])
    for b in range(min(lower, max_bins)):
        model.add(used[b] == 1)

    # Redundant, for a stronger relaxation: the used bins hold the total size in each resource.
    for d in range(dims):
        total = sum(v[d] for v in vectors)
        if total:
            model.add(sum(caps[d] * u for u in used) >= total)

    # Identical items (adjacent in the ranking, outside the clique) take non-decreasing bins.
    for r in range(k, n - 1):
        i, j = order[r], order[r + 1]
        if tuple(vectors[i]) == tuple(vectors[j]):
            model.add(
                sum(b * assign[i, b] for b in range(min(r + 1, max_bins)))
                <= sum(b * assign[j, b] for b in range(min(r + 2, max_bins)))
            )

    # The objective: as few bins as possible.
    model.minimize(sum(used))

    if hint is not None:
        _add_hint(model, assign, used, rank, hint)
    return AssignmentModel(model, assign, used)


def _add_hint(
    model: Any,
    assign: dict[tuple[int, int], Any],
    used: Sequence[Any],
    rank: dict[int, int],
    hint: Sequence[Sequence[int]],
) -> None:
    """Hint ``hint`` with its bins numbered by their first item, as the symmetry breaking wants."""
    bins = sorted(
        (sorted(members, key=rank.__getitem__) for members in hint if members),
        key=lambda m: rank[m[0]],
    )
    where: dict[int, int] = {}
    for b, members in enumerate(bins):
        for i in members:
            where[i] = b
    for (i, b), var in assign.items():
        model.add_hint(var, int(where.get(i) == b))
    for b, var in enumerate(used):
        model.add_hint(var, int(b < len(bins)))


def read_bins(values: dict[tuple[int, int], int], max_bins: int) -> list[list[int]]:
    """Bins of item indices from the values of ``assign``."""
    bins: list[list[int]] = [[] for _ in range(max_bins)]
    for (i, b), value in values.items():
        if value:
            bins[b].append(i)
    return [sorted(members) for members in bins if members]
