"""Exact placement on CP-SAT: ``place(..., solver="exact")`` and `choose_node_types`.

Both are assignment models over (pod, node) Booleans, written as pure builders with one comment
per constraint block, and solved by `orchkit._binpack_exact.run_cpsat` under a time limit.

- `build_placement_model`: pods onto given, heterogeneous, possibly pre-loaded nodes, under
  the scheduler's filters (node selector, taints, resources and pod slots, required pod
  anti-affinity both ways, topology spread); maximise the pods placed by priority, then minimise
  the nodes in use.
- `build_node_type_model`: pods onto new nodes whose types (allocatable, labels, taints,
  price) are to be chosen; minimise the total price. Karpenter answers this greedily (the
  cheapest type that fits each node claim); this model is exact, or reports a proven gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from orchkit._binpack_exact import (
    Progress,
    SolveStatus,
    _time_limit,
    _workers,
    require_ortools,
    run_cpsat,
    solve,
)
from orchkit._placement import (
    HOSTNAME,
    Estimate,
    Labels,
    Node,
    NodeReport,
    Placement,
    Pod,
    Taint,
    Unplaced,
    _anti_affinity_conflict,
    _check_unique,
    _counts_for,
    _feasible,
    _fit_on_empty_node,
    _labels,
    _matching_selector,
    _name,
    _reason,
    _requests,
    _resource_names,
    _spread_violation,
    _State,
    _taints,
    _untolerated,
)
from orchkit.errors import InvalidValueError
from orchkit.resources import ResourceList

__all__ = [
    "NodeType",
    "NodeTypeChoice",
    "NodeTypeModel",
    "PlacementModel",
    "build_node_type_model",
    "build_placement_model",
    "choose_node_types",
    "estimate_exact",
    "place_exact",
]


# -- shared pieces ---------------------------------------------------------------------------------


def _conflicts(pods: Sequence[Pod]) -> dict[str, list[tuple[int, int]]]:
    """Pairs of pods that required anti-affinity keeps apart, per topology key."""
    pairs: dict[str, set[tuple[int, int]]] = {}
    for p, pod in enumerate(pods):
        for term in pod.anti_affinity:
            for q, other in enumerate(pods):
                if q != p and _counts_for(other, pod.namespace, term.selector):
                    pairs.setdefault(term.topology_key, set()).add((min(p, q), max(p, q)))
    return {key: sorted(found) for key, found in pairs.items()}


def _cliques(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Cover the conflict pairs with cliques, greedily (pods that all repel each other)."""
    neighbours: dict[int, set[int]] = {}
    for p, q in pairs:
        neighbours.setdefault(p, set()).add(q)
        neighbours.setdefault(q, set()).add(p)
    left = set(pairs)
    cliques: list[list[int]] = []
    for p, q in pairs:
        if (p, q) not in left:
            continue
        clique = [p, q]
        for r in sorted(neighbours[p] & neighbours[q]):
            if all(r in neighbours[c] for c in clique):
                clique.append(r)
        for a in clique:
            for b in clique:
                left.discard((a, b))
        cliques.append(sorted(clique))
    return cliques


def _domains(labels: Sequence[Mapping[str, str]], key: str) -> dict[str, list[int]]:
    """The nodes of each topology domain of ``key`` (nodes without the label are in none)."""
    out: dict[str, list[int]] = {}
    for n, node_labels in enumerate(labels):
        value = node_labels.get(key)
        if value is not None:
            out.setdefault(value, []).append(n)
    return out


def _priority_weights(pods: Sequence[Pod]) -> list[int]:
    """Weights such that one pod of a higher priority outweighs all pods of lower ones."""
    levels = sorted({pod.priority for pod in pods})
    weight: dict[int, int] = {}
    below = 0
    for level in levels:
        weight[level] = below + 1
        below += weight[level] * sum(1 for pod in pods if pod.priority == level)
    return [weight[pod.priority] for pod in pods]


# -- pods onto existing nodes ----------------------------------------------------------------------


@attrs.frozen
class PlacementModel:
    """A CP-SAT placement model and its variables (see `build_placement_model`)."""

    #: The ``ortools.sat.python.cp_model.CpModel``.
    model: Any
    #: ``assign[p, n]`` is true iff pod ``p`` runs on node ``n`` (only allowed pairs exist).
    assign: dict[tuple[int, int], Any]


def build_placement_model(
    pods: Sequence[Pod],
    state: _State,
    vectors: Sequence[tuple[int, ...]],
    hint: Mapping[int, int] | None = None,
) -> PlacementModel:
    """The exact placement model of ``pods`` onto the nodes of ``state`` (before placement).

    Runtime complexity: ``O(p n (r + d))`` variables and terms for ``p`` pods, ``n`` nodes,
    ``r`` resources and ``d`` topology domains, plus one term per anti-affinity pair and domain.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    nodes = range(len(state.nodes))
    # assign[p, n] is true iff pod p runs on node n; a pair exists only if the node passes the
    # pod's node selector, taints, resources (alone) and the rules of the pods already there.
    assign: dict[tuple[int, int], Any] = {}
    for p, pod in enumerate(pods):
        for n in nodes:
            if _feasible(pod, n, vectors[p], state) or _only_spread_blocks(
                pod, n, vectors[p], state
            ):
                assign[p, n] = model.new_bool_var(f"assign_{p}_{n}")
    # placed[p] is true iff pod p runs somewhere.
    placed = [model.new_bool_var(f"placed_{p}") for p in range(len(pods))]
    # used[n] is true iff node n runs a pod after placement (always true for a loaded node).
    used = [model.new_bool_var(f"used_{n}") for n in nodes]
    on_node: list[list[int]] = [[] for _ in nodes]
    for p, n in assign:
        on_node[n].append(p)

    # Each pod runs on at most one node, and is placed iff it runs on one.
    for p in range(len(pods)):
        model.add(sum(assign[p, n] for n in nodes if (p, n) in assign) == placed[p])

    # Resources: on every node, the pods placed fit in what the node has left, per resource,
    # and in its free pod slots when it counts them.
    for n in nodes:
        for d in range(len(state.names)):
            terms = [vectors[p][d] * assign[p, n] for p in on_node[n] if vectors[p][d]]
            if terms:
                model.add(sum(terms) <= state.alloc[n][d] - state.used[n][d])
        if state.pod_cap[n] >= 0 and on_node[n]:
            model.add(
                sum(assign[p, n] for p in on_node[n]) <= state.pod_cap[n] - state.pod_count[n]
            )

    # Required pod anti-affinity between the pods placed now: pods that repel each other never
    # share a topology domain (the pods already running were handled when pairs were created).
    for key, pairs in _conflicts(pods).items():
        for members in _domains(state.labels, key).values():
            for clique in _cliques(pairs):
                model.add_at_most_one(
                    assign[p, n] for p in clique for n in members if (p, n) in assign
                )

    # Topology spread: a domain that receives a pod holds at most max_skew more matching pods
    # than the emptiest domain eligible for that pod, counting the pods already running.
    _spread_block(model, pods, state, assign)

    # A node is in use iff it runs a pod, before or after placement.
    for n in nodes:
        if state.pod_count[n] or any(state.used[n]):
            model.add(used[n] == 1)
        else:
            for p in on_node[n]:
                model.add_implication(assign[p, n], used[n])
            model.add(used[n] <= sum(assign[p, n] for p in on_node[n]))

    # The objective: pods placed by priority first, then as few nodes in use as possible.
    weights = _priority_weights(pods)
    scale = len(state.nodes) + 1
    model.maximize(sum(scale * w * x for w, x in zip(weights, placed, strict=True)) - sum(used))

    if hint is not None:
        for (p, n), var in assign.items():
            model.add_hint(var, int(hint.get(p) == n))
    return PlacementModel(model, assign)


def _only_spread_blocks(pod: Pod, n: int, vector: tuple[int, ...], state: _State) -> bool:
    """True when a spread rule is all that keeps ``pod`` off node ``n`` before placement.

    The model checks spread on the final placement, where other pods may even out the counts.
    """
    if not pod.spread or _spread_violation(pod, n, state) is None:
        return False
    if any(state.labels[n].get(rule.topology_key) is None for rule in pod.spread):
        return False
    return (
        _matching_selector(pod, state.labels[n])
        and not _untolerated(pod, state.nodes[n])
        and state.pod_cap[n] != state.pod_count[n]
        and all(u + x <= a for u, x, a in zip(state.used[n], vector, state.alloc[n], strict=True))
        and _anti_affinity_conflict(pod, n, state) is None
    )


def existing_max(state: _State, index: tuple[str, Any, str]) -> int:
    """The largest number of matching pods already running in one domain."""
    return max(state.spread_counts(*index).values(), default=0)


def _spread_block(
    model: Any, pods: Sequence[Pod], state: _State, assign: dict[tuple[int, int], Any]
) -> None:
    counts: dict[tuple[str, Any, str], dict[str, Any]] = {}
    lows: dict[tuple[str, Any, str, frozenset[str]], Any] = {}
    for p, pod in enumerate(pods):
        for rule in pod.spread:
            key = rule.topology_key
            domains = _domains(state.labels, key)
            index = (pod.namespace, rule.selector, key)
            if index not in counts:
                existing = state.spread_counts(pod.namespace, rule.selector, key)
                matching = [q for q, other in enumerate(pods) if _counts_for(other, *index[:2])]
                counts[index] = {}
                for value, members in domains.items():
                    total = existing.get(value, 0) + sum(
                        assign[q, n] for q in matching for n in members if (q, n) in assign
                    )
                    var = model.new_int_var(0, len(pods) + existing.get(value, 0), f"count_{value}")
                    model.add(var == total)
                    counts[index][value] = var
            eligible = frozenset(
                value
                for value, members in domains.items()
                if any(_matching_selector(pod, state.labels[n]) for n in members)
            )
            if not eligible:
                continue
            low_key = (*index, eligible)
            low = lows.get(low_key)
            if low is None:
                top = len(pods) + max(existing_max(state, index), 0)
                low = model.new_int_var(0, top, "low")
                model.add_min_equality(low, [counts[index][v] for v in sorted(eligible)])
                lows[low_key] = low
            for value, members in domains.items():
                for n in members:
                    if (p, n) in assign:
                        model.add(counts[index][value] - low <= rule.max_skew).only_enforce_if(
                            assign[p, n]
                        )


def place_exact(
    pods: Sequence[Pod],
    nodes: Sequence[Node],
    heuristic: Placement,
    *,
    time_limit: float = 10.0,
    workers: int | None = None,
) -> Placement:
    """``place(..., solver="exact")``: see `orchkit.binpack.place`."""
    seconds = _time_limit(time_limit)
    threads = _workers(workers)
    require_ortools()
    start = time.monotonic()
    pods = list(pods)
    nodes = list(nodes)
    _check_unique(pods, nodes)
    names = _resource_names(pods, nodes)
    state = _State(nodes, names)
    vectors = [pod.requests.to_vector(names) for pod in pods]
    index = {pod.name: p for p, pod in enumerate(pods)}
    node_index = {node.name: n for n, node in enumerate(nodes)}
    hint = {index[pod]: node_index[node] for pod, node in heuristic.assignments}
    built = build_placement_model(pods, state, vectors, hint)
    keys = list(built.assign)
    best: list[dict[int, int]] = []

    def on_solution(values: list[int]) -> None:
        best.append({p: n for (p, n), v in zip(keys, values, strict=True) if v})

    status = run_cpsat(
        built.model,
        deadline=start + seconds,
        workers=threads,
        objective_vars=[built.assign[k] for k in keys],
        on_solution=on_solution,
        on_bound=lambda _: None,
    )
    weights = _priority_weights(pods)

    def score(chosen: Mapping[int, int]) -> tuple[int, int]:
        busy = {n for n in range(len(nodes)) if state.pod_count[n] or any(state.used[n])}
        return (sum(weights[p] for p in chosen), -len(busy | set(chosen.values())))

    chosen = max([hint, *best[-1:]], key=score)
    if chosen is hint and best and score(hint) > score(best[-1]):
        status = "FEASIBLE"
    return _report(pods, nodes, names, vectors, chosen, optimal=status == "OPTIMAL")


def _report(
    pods: Sequence[Pod],
    nodes: Sequence[Node],
    names: list[str],
    vectors: Sequence[tuple[int, ...]],
    chosen: Mapping[int, int],
    *,
    optimal: bool,
) -> Placement:
    state = _State(nodes, names)
    assignments: list[tuple[str, str]] = []
    for p, pod in enumerate(pods):
        n = chosen.get(p)
        if n is not None:
            state.add(n, pod, vectors[p])
            assignments.append((pod.name, nodes[n].name))
    unplaced = tuple(
        Unplaced(pod.name, _reason(pod, vectors[p], state))
        for p, pod in enumerate(pods)
        if p not in chosen
    )
    reports = []
    for b, node in enumerate(nodes):
        requested = node.requested
        for pod in state.residents[b]:
            requested = requested + pod.requests
        reports.append(
            NodeReport(
                node.name, node.allocatable, requested, tuple(state.placed[b]), len(node.pods)
            )
        )
    return Placement(tuple(assignments), unplaced, tuple(reports), "exact", optimal)


# -- choosing node types ---------------------------------------------------------------------------


def _price(value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal, Fraction)):
        raise InvalidValueError("price", value, "must be a number, such as 0.192")
    try:
        price = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InvalidValueError("price", value, "must be a number, such as 0.192") from None
    if price < 0:
        raise InvalidValueError("price", value, "must be non-negative")
    return price


def _max_count(value: object) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise InvalidValueError("max_count", value, "must be a non-negative integer or None")
    return value


@attrs.frozen
class NodeType:
    """A kind of node that can be bought: what it allocates, its labels and taints, its price.

    Examples
    --------
    >>> NodeType("m5.xlarge", {"cpu": "3920m", "memory": "14Gi"}, "0.192").price
    Fraction(24, 125)
    """

    #: The instance type's name: ``"m5.xlarge"``.
    name: str = attrs.field(converter=_name)
    #: What a node of this type can allocate to pods: ``{"cpu": "3920m", "memory": "14Gi"}``.
    allocatable: ResourceList = attrs.field(converter=_requests)
    #: The price of one node (any currency and period, the same for all types): ``"0.192"``;
    #: stored exactly as a ``Fraction``.
    price: Fraction = attrs.field(converter=_price)
    #: Labels of such nodes (for node selectors): ``{"node.kubernetes.io/instance-type": ...}``.
    labels: Labels = attrs.field(default=(), converter=_labels)
    #: Taints of such nodes.
    taints: tuple[Taint, ...] = attrs.field(default=(), converter=_taints)
    #: At most this many nodes of the type (``None``: no limit).
    max_count: int | None = attrs.field(default=None, converter=_max_count)


@attrs.frozen
class NodeTypeChoice:
    """The answer of `choose_node_types`: how many nodes of each type, the pods on each, the price.

    Examples
    --------
    >>> from orchkit.binpack import NodeType, Pod, choose_node_types
    >>> offer = [NodeType("m", {"cpu": "4"}, 2), NodeType("l", {"cpu": "8"}, 3)]
    >>> choice = choose_node_types([Pod(f"p{k}", {"cpu": "3"}) for k in range(3)], offer)
    >>> choice.counts, choice.cost, choice.lower_bound, choice.gap
    ((('m', 1), ('l', 1)), Fraction(5, 1), Fraction(5, 1), 0.0)
    """

    #: `SolveStatus.OPTIMAL` when no cheaper choice exists (proven), ``FEASIBLE`` when
    #: the time ran out first, ``INFEASIBLE`` when the pods that fit some type cannot all be
    #: placed within the ``max_count`` limits.
    status: SolveStatus
    #: How many nodes of each type, in the order of the types given (types not used omitted):
    #: ``(("m5.large", 2), ("c5.xlarge", 1))``.
    counts: tuple[tuple[str, int], ...]
    #: The pods on each node, as ``(type name, pod names)``.
    nodes: tuple[tuple[str, tuple[str, ...]], ...]
    #: The total price of the nodes.
    cost: Fraction
    #: No choice can cost less than this (proven).
    lower_bound: Fraction
    #: Pods that fit no node type, with a reason each (they are left out of the choice).
    unplaced: tuple[Unplaced, ...]
    #: Seconds spent.
    wall_time: float

    @property
    def gap(self) -> float:
        """``(cost - lower_bound) / cost``: 0.0 when optimal."""
        return 0.0 if not self.cost else float((self.cost - self.lower_bound) / self.cost)


@attrs.frozen
class NodeTypeModel:
    """A CP-SAT node-type model and its variables (see `build_node_type_model`)."""

    #: The ``ortools.sat.python.cp_model.CpModel``.
    model: Any
    #: The candidate nodes: ``(type index, copy)``.
    slots: tuple[tuple[int, int], ...]
    #: ``assign[p, s]`` is true iff pod ``p`` runs on candidate node ``s``.
    assign: dict[tuple[int, int], Any]
    #: ``used[s]`` is true iff candidate node ``s`` is bought.
    used: tuple[Any, ...]


def build_node_type_model(
    vectors: Sequence[tuple[int, ...]],
    capacities: Sequence[tuple[int, ...]],
    prices: Sequence[int],
    allowed: Sequence[Sequence[bool]],
    *,
    copies: Sequence[int],
    apart: Sequence[Sequence[int]],
    hint: Sequence[tuple[int, Sequence[int]]] | None = None,
) -> NodeTypeModel:
    """Pods (``vectors``) onto up to ``copies[t]`` new nodes of each type; minimise the price.

    ``allowed[p][t]`` says whether pod ``p`` may run on type ``t`` (selector, taints, size);
    ``apart`` lists groups of pods that may not share a node (anti-affinity by hostname);
    ``hint`` gives a starting choice as ``(type, pods)`` per node.

    Runtime complexity: ``O(p S r)`` for ``p`` pods, ``S`` candidate nodes, ``r`` resources.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    slots = tuple((t, k) for t, count in enumerate(copies) for k in range(count))
    # used[s] is true iff candidate node s (a copy of a type) is bought.
    used = tuple(model.new_bool_var(f"used_{t}_{k}") for t, k in slots)
    # assign[p, s] is true iff pod p runs on candidate node s; the copies of a type are filled
    # in order of their first pod, so pod p may only use copies 0..p of each type.
    assign: dict[tuple[int, int], Any] = {}
    for p in range(len(vectors)):
        for s, (t, k) in enumerate(slots):
            if allowed[p][t] and k <= p:
                assign[p, s] = model.new_bool_var(f"assign_{p}_{s}")
    on_slot: list[list[int]] = [[] for _ in slots]
    for p, s in assign:
        on_slot[s].append(p)

    # Every pod runs on exactly one bought node.
    for p in range(len(vectors)):
        model.add_exactly_one(assign[p, s] for s in range(len(slots)) if (p, s) in assign)

    # Resources: the pods of a bought node fit its type's allocatable; an unbought node is
    # empty.
    for s, (t, _) in enumerate(slots):
        for d, cap in enumerate(capacities[t]):
            terms = [vectors[p][d] * assign[p, s] for p in on_slot[s] if vectors[p][d]]
            if terms:
                model.add(sum(terms) <= cap * used[s])
        for p in on_slot[s]:
            model.add_implication(assign[p, s], used[s])

    # Copies of one type are bought in order (they are interchangeable).
    for s in range(len(slots) - 1):
        if slots[s][0] == slots[s + 1][0]:
            model.add_implication(used[s + 1], used[s])

    # Anti-affinity by hostname: pods of one group never share a node.
    for group in apart:
        for s in range(len(slots)):
            members = [assign[p, s] for p in group if (p, s) in assign]
            if len(members) > 1:
                model.add_at_most_one(members)

    # The objective: the total price of the nodes bought.
    model.minimize(sum(prices[t] * used[s] for s, (t, _) in enumerate(slots)))

    if hint is not None:
        where: dict[int, int] = {}
        taken: dict[int, int] = {}
        for t, content in sorted(hint, key=lambda h: (h[0], min(h[1]))):
            k = taken.get(t, 0)
            taken[t] = k + 1
            s = slots.index((t, k)) if (t, k) in slots else -1
            for p in content:
                where[p] = s
        for (p, s), var in assign.items():
            model.add_hint(var, int(where.get(p) == s))
        for s, var in enumerate(used):
            model.add_hint(var, int(s in where.values()))
    return NodeTypeModel(model, slots, assign, used)


def _check_types(node_types: object) -> list[NodeType]:
    if isinstance(node_types, (str, bytes, Mapping)) or not isinstance(node_types, Sequence):
        raise InvalidValueError("node_types", node_types, "expected a sequence of NodeType")
    types = list(node_types)
    if not types:
        raise InvalidValueError("node_types", node_types, "needs at least one node type")
    seen: set[str] = set()
    for k, item in enumerate(types):
        if not isinstance(item, NodeType):
            where = f"node_types[{k}]"
            raise InvalidValueError(where, item, "expected a NodeType")
        if item.name in seen:
            raise InvalidValueError("node_types", item.name, "two node types have this name")
        seen.add(item.name)
    return types


def _scale(prices: Sequence[Fraction]) -> tuple[list[int], int, bool]:
    """Integer prices over a common denominator: ``(prices, denominator, exact)``.

    The denominator is capped at 10^9; beyond it prices are rounded up (``exact`` is False).
    """
    denominator = 1
    for price in prices:
        denominator = math.lcm(denominator, price.denominator)
        if denominator > 10**9:
            return [math.ceil(price * 10**9) for price in prices], 10**9, False
    return [int(price * denominator) for price in prices], denominator, True


def _greedy_choice(
    vectors: Sequence[tuple[int, ...]],
    caps: Sequence[tuple[int, ...]],
    prices: Sequence[int],
    allowed: Sequence[Sequence[bool]],
    *,
    copies: Sequence[int],
    apart: Sequence[Sequence[int]],
) -> list[tuple[int, list[int]]] | None:
    """A starting choice: pack onto the best single type, then right-size each node.

    For every type, the pods it can run are packed by first fit decreasing (respecting
    anti-affinity); the pods no type takes that way go onto the cheapest type that fits them.
    Each node is then moved to the cheapest type that holds its pods (Karpenter's rule).
    """
    group_of: dict[int, set[int]] = {}
    for g, group in enumerate(apart):
        for p in group:
            group_of.setdefault(p, set()).add(g)
    order = sorted(
        range(len(vectors)),
        key=lambda p: (
            -sum(
                x / max(c[d] for c in caps if c[d] > 0) if x else 0
                for d, x in enumerate(vectors[p])
            )
        ),
    )

    def fits(load: list[int], p: int, t: int) -> bool:
        return all(u + x <= c for u, x, c in zip(load, vectors[p], caps[t], strict=True))

    best: list[tuple[int, list[int]]] | None = None
    best_cost = math.inf
    for first in range(len(caps)):
        nodes: list[tuple[int, list[int], list[int], set[int]]] = []
        count = [0] * len(caps)
        ok = True
        for p in order:
            groups = group_of.get(p, set())
            home = next(
                (
                    node
                    for node in nodes
                    if allowed[p][node[0]] and fits(node[2], p, node[0]) and not groups & node[3]
                ),
                None,
            )
            if home is None:
                options = [t for t in range(len(caps)) if allowed[p][t] and count[t] < copies[t]]
                if not options:
                    ok = False
                    break
                t = first if first in options else min(options, key=lambda t: (prices[t], t))
                home = (t, [], [0] * len(vectors[p]), set())
                nodes.append(home)
                count[t] += 1
            home[1].append(p)
            for d, x in enumerate(vectors[p]):
                home[2][d] += x
            home[3].update(groups)
        if not ok:
            continue
        # Right-size: the cheapest type that still holds each node's pods.
        choice: list[tuple[int, list[int]]] = []
        count = [0] * len(caps)
        for t, members, load, _ in nodes:
            cheaper = [
                u
                for u in range(len(caps))
                if count[u] < copies[u]
                and all(allowed[p][u] for p in members)
                and all(x <= c for x, c in zip(load, caps[u], strict=True))
            ]
            u = min(cheaper, key=lambda u: (prices[u], u)) if cheaper else t
            count[u] += 1
            choice.append((u, members))
        cost = sum(prices[t] for t, _ in choice)
        if cost < best_cost:
            best, best_cost = choice, cost
    return best


def choose_node_types(
    pods: Sequence[Pod],
    node_types: Sequence[NodeType],
    *,
    time_limit: float = 10.0,
    workers: int | None = None,
) -> NodeTypeChoice:
    """The cheapest multiset of new nodes, of the given types, that runs all the pods.

    Each pod may only go on a type whose labels pass its node selector, whose taints it
    tolerates and whose allocatable holds it (pods that fit no type are reported as unplaced);
    pods with required anti-affinity by hostname never share a node. A greedy start (the best
    single type packed by first fit decreasing, every node then moved to the cheapest type that
    holds it: close to what Karpenter does) seeds an exact CP-SAT model of the variable-sized
    bin-packing problem, which minimises the total price. The answer is proven optimal, or
    comes with a proven lower bound on the price.

    Parameters
    ----------
    pods
        The pods to run; names must be unique. Anti-affinity terms with other topology keys
        and topology spread constraints are not modelled for new nodes.
    node_types
        The types on offer (names must be unique), each with its allocatable and price.
    time_limit, workers
        Seconds, and CP-SAT worker threads (default: the CPUs, at most 8).

    Returns
    -------
    NodeTypeChoice

    Raises
    ------
    InvalidValueError
        If an argument is malformed.
    MissingDependencyError
        If OR-Tools is not installed (``pip install 'orchkit[exact]'``).

    Examples
    --------
    >>> types = [
    ...     NodeType("small", {"cpu": "2", "memory": "8Gi"}, "0.10"),
    ...     NodeType("large", {"cpu": "8", "memory": "32Gi"}, "0.45"),
    ... ]
    >>> pods = [Pod(f"api-{k}", {"cpu": "1500m", "memory": "4Gi"}) for k in range(6)]
    >>> choice = choose_node_types(pods, types)
    >>> choice.counts, float(choice.cost), choice.status.name
    ((('small', 1), ('large', 1)), 0.55, 'OPTIMAL')
    >>> [len(pods) for _, pods in choice.nodes]
    [1, 5]

    Notes
    -----
    Runtime complexity: the greedy start is ``O(t p n r)``; the model has ``O(p S)`` Booleans
    for ``S`` candidate nodes (per type, at most as many as the pods it can run and the start's
    cost allows); solving it is exponential in the worst case and bounded by ``time_limit``.
    """
    seconds = _time_limit(time_limit)
    threads = _workers(workers)
    types = _check_types(node_types)
    pods = list(pods)
    _check_unique(pods, [])
    require_ortools()
    start = time.monotonic()
    names = sorted(
        {r for pod in pods for r, q in pod.requests.items() if q.sign() > 0}
        | {r for nt in types for r in nt.allocatable if r != "pods"}
    )
    templates = [Node(f"{nt.name}-new", nt.allocatable, nt.labels, nt.taints) for nt in types]
    vectors: list[tuple[int, ...]] = []
    allowed: list[list[bool]] = []
    placeable: list[Pod] = []
    unplaced: list[Unplaced] = []
    caps = []
    for template in templates:
        cap = list(template.allocatable.to_vector(names))
        if "pods" in template.allocatable:
            cap.append(template.allocatable.to_vector(["pods"])[0])
        else:
            cap.append(len(pods))
        caps.append(tuple(cap))
    for pod in pods:
        vector = (*pod.requests.to_vector(names), 1)
        ok = []
        for template in templates:
            probe = _State([template], names)
            ok.append(_feasible(pod, 0, vector[:-1], probe))
        if any(ok):
            placeable.append(pod)
            vectors.append(vector)
            allowed.append(ok)
        else:
            probe = _State(templates, names)
            reason = _reason(pod, vector[:-1], probe).replace("eligible node", "node type")
            unplaced.append(Unplaced(pod.name, reason))
    apart = [
        group
        for key, pairs in _conflicts(placeable).items()
        if key == HOSTNAME
        for group in _cliques(pairs)
    ]
    prices, denominator, exact_prices = _scale([nt.price for nt in types])
    limit = [len(placeable) if nt.max_count is None else nt.max_count for nt in types]
    start_choice = _greedy_choice(vectors, caps, prices, allowed, copies=limit, apart=apart)
    upper_cost = sum(prices[t] for t, _ in start_choice) if start_choice is not None else math.inf
    copies = []
    for t in range(len(types)):
        runnable = sum(1 for row in allowed if row[t])
        count = min(limit[t], runnable)
        if prices[t] > 0 and upper_cost < math.inf:
            count = min(count, int(upper_cost // prices[t]))
        copies.append(count)
    built = build_node_type_model(
        vectors, caps, prices, allowed, copies=copies, apart=apart, hint=start_choice
    )
    keys = list(built.assign)
    found: list[list[tuple[int, list[int]]]] = []
    bound: list[float] = [0.0]

    def on_solution(values: list[int]) -> None:
        nodes: dict[int, list[int]] = {}
        for (p, s), v in zip(keys, values, strict=True):
            if v:
                nodes.setdefault(s, []).append(p)
        found.append([(built.slots[s][0], members) for s, members in sorted(nodes.items())])

    def on_bound(value: float) -> None:
        bound[0] = max(bound[0], value)

    status_name = run_cpsat(
        built.model,
        deadline=start + seconds,
        workers=threads,
        objective_vars=[built.assign[k] for k in keys],
        on_solution=on_solution,
        on_bound=on_bound,
    )
    choice = found[-1] if found else start_choice
    elapsed = time.monotonic() - start
    if choice is None:
        status = SolveStatus.INFEASIBLE if status_name == "INFEASIBLE" else SolveStatus.UNKNOWN
        return NodeTypeChoice(status, (), (), Fraction(0), Fraction(0), tuple(unplaced), elapsed)
    cost_units = sum(prices[t] for t, _ in choice)
    if status_name == "OPTIMAL":
        lower_units = cost_units
    else:
        lower_units = min(math.ceil(bound[0] - 1e-6), cost_units)
    exact_cost = sum((types[t].price for t, _ in choice), Fraction(0))
    # Rounded prices overstate each node by less than one unit: take that off the bound.
    lower = Fraction(lower_units - (0 if exact_prices else len(choice)), denominator)
    lower = max(lower, Fraction(0))
    status = SolveStatus.OPTIMAL if lower >= exact_cost else SolveStatus.FEASIBLE
    counts = tuple(
        (nt.name, sum(1 for u, _ in choice if u == t))
        for t, nt in enumerate(types)
        if any(u == t for u, _ in choice)
    )
    nodes_out = tuple(
        (types[t].name, tuple(placeable[p].name for p in sorted(members)))
        for t, members in sorted(choice, key=lambda c: (c[0], min(c[1])))
    )
    return NodeTypeChoice(
        status, counts, nodes_out, exact_cost, min(lower, exact_cost), tuple(unplaced), elapsed
    )


# -- estimating new nodes, exactly -----------------------------------------------------------------


def estimate_exact(
    pods: Sequence[Pod],
    node_shape: Node | ResourceList | Mapping[str, object],
    *,
    time_limit: float = 10.0,
    workers: int | None = None,
    on_progress: Progress | None = None,
) -> Estimate:
    """`orchkit.binpack.estimate_nodes` solved exactly: the fewest new nodes, proven.

    Without anti-affinity or spread rules the pods are a vector bin-packing instance given to
    `orchkit.binpack.solve` (``lower_bound`` is then its proven bound); with hostname
    anti-affinity they go to `choose_node_types` with one type of price 1.
    """
    template, fresh, names, placeable, unplaced = _fit_on_empty_node(pods, node_shape)
    if any(pod.anti_affinity or pod.spread for pod in placeable):
        offer = NodeType(template.name, template.allocatable, 1, template.labels, template.taints)
        choice = choose_node_types(placeable, [offer], time_limit=time_limit, workers=workers)
        bins = tuple(members for _, members in choice.nodes)
        return Estimate(
            len(bins), int(choice.lower_bound), bins, (*unplaced, *choice.unplaced), "exact"
        )
    caps = list(fresh.allocatable.to_vector(names))
    vectors = [list(pod.requests.to_vector(names)) for pod in placeable]
    if "pods" in fresh.allocatable:
        caps.append(fresh.allocatable.to_vector(["pods"])[0])
        for v in vectors:
            v.append(1)
    keep = [d for d, c in enumerate(caps) if c > 0]
    sizes = [[v[d] for d in keep] or [0] for v in vectors]
    capacity = [caps[d] for d in keep] or [1]
    solution = solve(
        sizes, capacity, time_limit=time_limit, workers=workers, on_progress=on_progress
    )
    packing = solution.packing
    assert packing is not None  # every item fits: the pods were filtered against the shape
    bins = tuple(tuple(placeable[i].name for i in members) for members in packing.bins)
    return Estimate(len(bins), solution.lower_bound, bins, tuple(unplaced), "exact")
