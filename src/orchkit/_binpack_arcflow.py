"""The arc-flow model of one-dimensional bin packing, with graph compression.

Valério de Carvalho's formulation [1]_: a bin is a path from the source (an empty bin) to the sink
(a closed bin) in a graph whose nodes are fill levels; an *item arc* of type ``j`` adds one item of
size ``w_j``, a *loss arc* closes the bin and wastes what is left. Packing ``z`` bins is sending
``z`` units of flow, and every item type must be covered ``d_j`` times. The graph is built with
the classic reductions (item types in decreasing size order, at most ``d_j`` consecutive copies of
type ``j``, loss arcs only into the sink) and then compressed as Brandão and Pedroso do [2]_:

1. every node is lifted to ``capacity - longest path to the sink``, the fullest level it can
   stand for without losing any completion, and nodes with the same lifted label are merged
   (all leaves become the sink);
2. every node is relabelled with its longest path from the source and equal labels are merged
   again.

Both steps keep the invariant that along every arc the label grows by at least the item's size,
so every source-sink path is still a feasible bin, and every feasible bin (items in decreasing
order) is still a path.

The builders are pure: `build_graph` returns an `ArcFlowGraph` and
`build_model` a CP-SAT model over it; nothing is solved here.

References
----------
.. [1] J. M. Valério de Carvalho, "Exact solution of bin-packing problems using column generation
   and branch-and-bound", Annals of Operations Research 86:629-659, 1999.
.. [2] F. Brandão, J. P. Pedroso, "Bin packing and related problems: general arc-flow formulation
   with graph compression", Computers & Operations Research 69:56-67, 2016.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = [
    "ArcFlowGraph",
    "ArcFlowModel",
    "build_graph",
    "build_model",
    "decode_paths",
    "incidence",
]


@attrs.frozen
class ArcFlowGraph:
    """A compressed arc-flow graph of a one-dimensional instance."""

    #: The distinct item sizes, in decreasing order (item type ``j`` has size ``sizes[j]``).
    sizes: tuple[int, ...]
    #: How many items of each type must be packed.
    demands: tuple[int, ...]
    #: The bin capacity.
    capacity: int
    #: The node labels in increasing order: ``nodes[0]`` is the source, ``nodes[-1]`` the sink.
    nodes: tuple[int, ...]
    #: Item arcs ``(tail, head, type)`` between node labels.
    arcs: tuple[tuple[int, int, int], ...]
    #: The compressed label of every fill level of the uncompressed graph (for mapping bins).
    lift: dict[int, int] = attrs.field(eq=False, repr=False)
    #: The number of item arcs before compression (and before pruning by ``slack``).
    raw_arcs: int = 0

    @property
    def source(self) -> int:
        """The label of the source node (an empty bin)."""
        return self.nodes[0]

    @property
    def sink(self) -> int:
        """The label of the sink node (a closed bin)."""
        return self.nodes[-1]

    def path_of(self, types: Sequence[int]) -> list[tuple[int, int, int]]:
        """The item arcs of the bin holding one item of each of ``types`` (any order).

        The items are taken in decreasing size; the path ends where the last item lands (the
        loss arc to the sink, if any, is not listed).
        """
        level = 0
        arcs = []
        for j in sorted(types):
            head = level + self.sizes[j]
            arcs.append((self.lift[level], self.lift[head], j))
            level = head
        return arcs


class GraphTooLargeError(Exception):
    """The uncompressed graph would exceed the arc budget (the capacity is too large)."""


def build_graph(
    sizes: Sequence[int],
    demands: Sequence[int],
    capacity: int,
    *,
    max_arcs: int = 400_000,
    deadline: float = float("inf"),
    slack: int | None = None,
) -> ArcFlowGraph:
    """Build and compress the arc-flow graph of distinct ``sizes`` (decreasing) and ``demands``.

    With ``slack``, only bins that waste at most ``slack`` are kept: a search for a packing into
    ``z`` bins may use ``slack = z * capacity - sum of sizes``, since no bin of such a packing
    can waste more than all of them together.

    Runtime complexity: ``O(m V)`` arcs for ``m`` item types over ``V <= capacity + 1`` fill
    levels, then ``O(arcs)`` for each compression step.

    Raises
    ------
    GraphTooLargeError
        When more than ``max_arcs`` arcs would be built, or the clock passes ``deadline``.
    """
    # Step 1: fill levels reachable with the types seen so far; for each type, chains of at most
    # d_j copies start from every level reached before it (items go in decreasing size order).
    reached = [0]
    seen = {0}
    out: dict[int, list[tuple[int, int]]] = {}
    made: set[tuple[int, int]] = set()
    for j, (w, d) in enumerate(zip(sizes, demands, strict=True)):
        fresh: list[int] = []
        for start in reached:
            level = start
            for _ in range(d):
                head = level + w
                if head > capacity:
                    break
                if (level, j) not in made:
                    made.add((level, j))
                    out.setdefault(level, []).append((head, j))
                if head not in seen:
                    seen.add(head)
                    fresh.append(head)
                level = head
        reached.extend(fresh)
        if len(made) > max_arcs or time.monotonic() > deadline:
            msg = f"more than {max_arcs} arcs"
            raise GraphTooLargeError(msg)
    # Step 2: lift each level to capacity minus its longest path to a leaf; merge equal labels.
    longest: dict[int, int] = {}
    for level in sorted(seen, reverse=True):
        best = 0
        for head, j in out.get(level, ()):
            value = sizes[j] + longest[head]
            best = max(best, value)
        longest[level] = best
    if slack is not None:
        # Keep the levels from which a bin can still be filled to within ``slack``.
        seen = {level for level in seen if level + longest[level] >= capacity - slack}
        seen.add(0)
        out = {
            level: [(v, j) for v, j in targets if v in seen]
            for level, targets in out.items()
            if level in seen
        }
    lifted = {level: capacity - longest[level] for level in seen}
    lifted[0] = 0  # the source keeps its label so that it stays a single node
    arcs = {(lifted[u], lifted[v], j) for u, targets in out.items() for v, j in targets}
    # Step 3: relabel with the longest path from the source; merge equal labels.
    incoming: dict[int, list[tuple[int, int]]] = {}
    for u, v, j in arcs:
        incoming.setdefault(v, []).append((u, j))
    forward: dict[int, int] = {}
    for label in sorted(set(lifted.values())):
        forward[label] = max((forward[u] + sizes[j] for u, j in incoming.get(label, ())), default=0)
    final = {(forward[u], forward[v], j) for u, v, j in arcs}
    nodes = sorted({forward[label] for label in lifted.values()})
    lift = {level: forward[lifted[level]] for level in seen}
    return ArcFlowGraph(
        tuple(sizes), tuple(demands), capacity, tuple(nodes), tuple(sorted(final)), lift, len(made)
    )


@attrs.frozen
class ArcFlowModel:
    """A CP-SAT arc-flow model and its variables (see `build_model`)."""

    #: The ``ortools.sat.python.cp_model.CpModel``.
    model: Any
    #: The number of bins: the flow leaving the source.
    bins: Any
    #: ``flow[a]`` is the number of bins whose path uses item arc ``graph.arcs[a]``.
    flow: tuple[Any, ...]
    #: ``loss[u]`` is the number of bins closed at node ``u`` (the rest of the bin is wasted).
    loss: dict[int, Any]


def incidence(
    graph: ArcFlowGraph, flow: Sequence[Any], loss: dict[int, Any]
) -> tuple[dict[int, list[Any]], dict[int, list[Any]], list[list[Any]]]:
    """The variables leaving and entering each node, and those of each item type.

    ``flow[a]`` belongs to item arc ``a``; ``loss[u]`` to the loss arc from ``u`` to the sink.
    Any solver's variables will do (CP-SAT's or a MIP's).

    Runtime complexity: ``O(arcs + nodes)``.
    """
    leaving: dict[int, list[Any]] = {u: [] for u in graph.nodes}
    entering: dict[int, list[Any]] = {u: [] for u in graph.nodes}
    by_type: list[list[Any]] = [[] for _ in graph.sizes]
    for var, (u, v, j) in zip(flow, graph.arcs, strict=True):
        leaving[u].append(var)
        entering[v].append(var)
        by_type[j].append(var)
    for u, var in loss.items():
        leaving[u].append(var)
        entering[graph.sink].append(var)
    return leaving, entering, by_type


def build_model(
    graph: ArcFlowGraph,
    lower: int,
    upper: int,
    hint: Sequence[Sequence[int]] | None = None,
) -> ArcFlowModel:
    """The CP-SAT arc-flow model: at least ``lower``, at most ``upper`` bins; minimise bins.

    ``hint`` is a packing given as item types per bin (with at most ``upper`` bins); its paths
    become the solver's starting flow.

    Runtime complexity: ``O(arcs + nodes)``.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    # bins is the number of bins used: the flow out of the source and into the sink.
    bins = model.new_int_var(lower, upper, "bins")
    # flow[a] counts the bins whose pattern uses item arc a.
    flow = tuple(model.new_int_var(0, upper, f"flow_{a}") for a in range(len(graph.arcs)))
    # loss[u] counts the bins closed at node u, wasting the capacity above u.
    loss = {
        u: model.new_int_var(0, upper, f"loss_{u}")
        for u in graph.nodes
        if u not in (graph.source, graph.sink)
    }
    leaving, entering, by_type = incidence(graph, flow, loss)

    # Flow conservation: every bin leaves the source, passes through each node it enters, and
    # reaches the sink.
    for u in graph.nodes:
        if u == graph.source:
            model.add(sum(leaving[u]) == bins)
        elif u == graph.sink:
            model.add(sum(entering[u]) == bins)
        else:
            model.add(sum(entering[u]) == sum(leaving[u]))

    # Demand: every item type is packed exactly as often as it occurs (a bin may close at any
    # node through its loss arc, so nothing forces an extra copy).
    for j, arcs_of_type in enumerate(by_type):
        model.add(sum(arcs_of_type) == graph.demands[j])

    # The number of bins is the objective.
    model.minimize(bins)

    built = ArcFlowModel(model, bins, flow, loss)
    if hint is not None:
        _add_hint(graph, built, hint)
    return built


def _add_hint(graph: ArcFlowGraph, built: ArcFlowModel, hint: Sequence[Sequence[int]]) -> None:
    model, bins, flow, loss = built.model, built.bins, built.flow, built.loss
    index = {arc: a for a, arc in enumerate(graph.arcs)}
    flows = [0] * len(flow)
    losses = dict.fromkeys(loss, 0)
    for types in hint:
        path = graph.path_of(types)
        for arc in path:
            flows[index[arc]] += 1
        end = path[-1][1] if path else graph.source
        if end in losses:
            losses[end] += 1
    model.add_hint(bins, len(hint))
    for var, value in zip(flow, flows, strict=True):
        model.add_hint(var, value)
    for u, var in loss.items():
        model.add_hint(var, losses[u])


def decode_paths(graph: ArcFlowGraph, arc_flow: Sequence[int]) -> list[list[int]]:
    """Decompose an integer flow over ``graph.arcs`` into bins, each a list of item types.

    Every source-sink path of the flow is one bin (loss arcs are implicit). Runtime complexity:
    ``O(bins * path length)`` after an ``O(arcs)`` index.
    """
    remaining: dict[int, list[list[int]]] = {}
    for (u, v, j), f in zip(graph.arcs, arc_flow, strict=True):
        if f > 0:
            remaining.setdefault(u, []).append([f, v, j])
    bins: list[list[int]] = []
    while True:
        arcs = remaining.get(graph.source)
        if not arcs:
            break
        node = graph.source
        types: list[int] = []
        while True:
            options = remaining.get(node)
            if not options:
                break  # the loss arc (or the sink) closes the bin
            arc = options[-1]
            arc[0] -= 1
            if arc[0] == 0:
                options.pop()
            types.append(arc[2])
            node = arc[1]
        bins.append(types)
    return bins
