"""Placing pods onto Kubernetes nodes: the model (pods, nodes, taints, selectors) and the engine.

The engine filters nodes as kube-scheduler's plugins do (NodeSelector, TaintToleration with
``NoSchedule`` / ``NoExecute``, NodeResourcesFit including the ``pods`` count, required
InterPodAntiAffinity both ways, PodTopologySpread with ``DoNotSchedule``), then picks a node by a
scoring policy (``LeastAllocated``, ``MostAllocated``, ``BalancedAllocation``: one pod at a time
in input order) or by a batch heuristic (pods sorted by decreasing size, then first, best or worst
fit). Resources are counted as the scheduler counts them (`ResourceList.to_vector`: cpu in
millicores, everything else in whole units).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

import attrs

from orchkit import _binpack_core as core
from orchkit._binpack_bounds import bounds_of
from orchkit._binpack_model import problem
from orchkit.errors import InvalidValueError
from orchkit.resources import Quantity, ResourceList

__all__ = [
    "PLACEMENT_STRATEGIES",
    "Estimate",
    "LabelSelector",
    "Node",
    "NodeReport",
    "Placement",
    "Pod",
    "PodAntiAffinity",
    "Taint",
    "Toleration",
    "TopologySpread",
    "Unplaced",
    "estimate_nodes",
    "place",
]

#: The label that names a node's host, the topology key of "one per node" rules.
HOSTNAME = "kubernetes.io/hostname"
#: Requests the scheduler's scoring assumes for a pod that requests no cpu / memory.
DEFAULT_SCORING_CPU = 100  # millicores
DEFAULT_SCORING_MEMORY = 200 * 1024 * 1024  # bytes

Labels = tuple[tuple[str, str], ...]


def _labels(value: object) -> Labels:
    """A mapping (or pairs) of label name to value, as sorted pairs."""
    if value is None:
        return ()
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        pairs = list(value)
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise InvalidValueError("labels", value, "expected a mapping of label name to value")
    for key, val in pairs:
        if not isinstance(key, str) or not key:
            raise InvalidValueError("labels", key, "label names must be non-empty strings")
        if not isinstance(val, str):
            raise InvalidValueError(key, val, "label values must be strings")
    return tuple(sorted(pairs))


def _requests(value: object) -> ResourceList:
    if isinstance(value, ResourceList):
        return value
    if isinstance(value, Mapping):
        return ResourceList.parse(value)
    raise InvalidValueError("requests", value, "expected a ResourceList or a mapping")


def _show(pairs: Labels) -> str:
    return ",".join(f"{k}={v}" for k, v in pairs)


Operator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
Expression = tuple[str, Operator, tuple[str, ...]]


def _expressions(value: object) -> tuple[Expression, ...]:
    """``matchExpressions`` as ``(key, operator, values)`` triples."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidValueError("expressions", value, "expected (key, operator, values) triples")
    out: list[Expression] = []
    for item in value:
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise InvalidValueError("expressions", item, "expected (key, operator, values)")
        key, op, values = item
        if not isinstance(key, str) or op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise InvalidValueError(
                "expressions", item, "expected a key and In, NotIn, Exists or DoesNotExist"
            )
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            raise InvalidValueError(key, values, "values must be a sequence of strings")
        if op in ("In", "NotIn") and not values:
            raise InvalidValueError(key, values, f"{op} needs at least one value")
        out.append((key, op, tuple(values)))
    return tuple(out)


@attrs.frozen
class LabelSelector:
    """A Kubernetes label selector: ``matchLabels`` and ``matchExpressions``, all must hold.

    Examples
    --------
    >>> web = LabelSelector({"app": "web"})
    >>> web.matches({"app": "web", "tier": "front"}), web.matches({"app": "db"})
    (True, False)
    >>> LabelSelector(expressions=[("tier", "In", ("front", "edge"))]).matches({"tier": "edge"})
    True
    """

    #: Labels that must be present with these values: ``{"app": "web"}``.
    match_labels: Labels = attrs.field(default=(), converter=_labels)
    #: ``(key, operator, values)`` requirements; operator ``In``, ``NotIn``, ``Exists`` or
    #: ``DoesNotExist``: ``("tier", "In", ("front", "edge"))``.
    expressions: tuple[tuple[str, Operator, tuple[str, ...]], ...] = attrs.field(
        default=(), converter=_expressions
    )

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when ``labels`` satisfy every requirement."""
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        for key, op, values in self.expressions:
            present = key in labels
            if op == "In" and (not present or labels[key] not in values):
                return False
            if op == "NotIn" and present and labels[key] in values:
                return False
            if op == "Exists" and not present:
                return False
            if op == "DoesNotExist" and present:
                return False
        return True

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels]
        parts += [f"{k} {op} ({','.join(vals)})" for k, op, vals in self.expressions]
        return "{" + ", ".join(parts) + "}"


def _selector(value: object) -> LabelSelector:
    if isinstance(value, LabelSelector):
        return value
    if isinstance(value, Mapping):
        return LabelSelector(value)
    raise InvalidValueError("selector", value, "expected a LabelSelector or a mapping of labels")


@attrs.frozen
class Taint:
    """A node taint: pods that do not tolerate it are kept off the node.

    Examples
    --------
    >>> str(Taint("dedicated", "gpu"))
    'dedicated=gpu:NoSchedule'
    """

    #: The taint key: ``"dedicated"``, ``"node.kubernetes.io/unschedulable"``.
    key: str
    #: The taint value, ``""`` for none: ``"gpu"``.
    value: str = ""
    #: ``"NoSchedule"``, ``"PreferNoSchedule"`` or ``"NoExecute"``; only ``PreferNoSchedule``
    #: lets untolerating pods in.
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"

    def __attrs_post_init__(self) -> None:
        if self.effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            raise InvalidValueError("effect", self.effect, "expected NoSchedule, NoExecute, ...")

    def __str__(self) -> str:
        value = f"={self.value}" if self.value else ""
        return f"{self.key}{value}:{self.effect}"


@attrs.frozen
class Toleration:
    """A pod toleration, matched against taints as Kubernetes' ``ToleratesTaint`` does.

    Examples
    --------
    >>> Toleration("dedicated", "Equal", "gpu").tolerates(Taint("dedicated", "gpu"))
    True
    >>> Toleration(operator="Exists").tolerates(Taint("anything", "at-all", "NoExecute"))
    True
    """

    #: The taint key to tolerate; ``""`` with ``Exists`` tolerates every taint.
    key: str = ""
    #: ``"Equal"`` (the value must match) or ``"Exists"`` (any value).
    operator: Literal["Equal", "Exists"] = "Equal"
    #: The value for ``Equal``: ``"gpu"``.
    value: str = ""
    #: The effect to tolerate; ``""`` tolerates every effect.
    effect: str = ""

    def __attrs_post_init__(self) -> None:
        if self.operator not in ("Equal", "Exists"):
            raise InvalidValueError("operator", self.operator, "expected Equal or Exists")

    def tolerates(self, taint: Taint) -> bool:
        """True when this toleration matches ``taint``."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.key == taint.key and self.value == taint.value


@attrs.frozen
class PodAntiAffinity:
    """A required pod anti-affinity term: no two matching pods in one topology domain.

    With the default topology key (``kubernetes.io/hostname``) this is "at most one pod matching
    ``selector`` per node". The rule is enforced both ways: the incoming pod avoids nodes running
    a matching pod, and pods already placed keep matching pods away.

    Examples
    --------
    >>> PodAntiAffinity({"app": "web"}).topology_key
    'kubernetes.io/hostname'
    """

    #: The pods to keep away: ``{"app": "web"}``.
    selector: LabelSelector = attrs.field(converter=_selector)
    #: The node label whose value is the domain; the node's hostname by default.
    topology_key: str = HOSTNAME


@attrs.frozen
class TopologySpread:
    """A ``topologySpreadConstraint`` with ``whenUnsatisfiable: DoNotSchedule``.

    A node is allowed when, after placing the pod there, the number of pods matching
    ``selector`` in its domain exceeds the smallest count over all eligible domains by at most
    ``max_skew``. Eligible domains are those of the nodes that pass the pod's node selector
    (``nodeAffinityPolicy: Honor``, ``nodeTaintsPolicy: Ignore``, Kubernetes' defaults); nodes
    without the topology key are not eligible.

    Examples
    --------
    >>> TopologySpread(1, {"app": "web"}).max_skew
    1
    """

    #: The largest allowed difference between the fullest and the emptiest domain: ``1``.
    max_skew: int
    #: The pods counted: ``{"app": "web"}``.
    selector: LabelSelector = attrs.field(converter=_selector)
    #: The node label whose values are the domains; one domain per node by default.
    topology_key: str = HOSTNAME

    def __attrs_post_init__(self) -> None:
        if type(self.max_skew) is not int or self.max_skew < 1:
            raise InvalidValueError("max_skew", self.max_skew, "must be a positive integer")


def _items(value: object, kind: type, field: str) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidValueError(field, value, f"expected a sequence of {kind.__name__}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise InvalidValueError(field, item, f"expected a {kind.__name__}")
    return items


def _tolerations(value: object) -> tuple[Toleration, ...]:
    return _items(value, Toleration, "tolerations")


def _anti_affinity(value: object) -> tuple[PodAntiAffinity, ...]:
    return _items(value, PodAntiAffinity, "anti_affinity")


def _spread(value: object) -> tuple[TopologySpread, ...]:
    return _items(value, TopologySpread, "spread")


def _taints(value: object) -> tuple[Taint, ...]:
    return _items(value, Taint, "taints")


def _pods(value: object) -> tuple[Pod, ...]:
    return _items(value, Pod, "pods")


def _priority(value: object) -> int:
    if type(value) is not int:
        raise InvalidValueError("priority", value, "must be an integer")
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidValueError("name", value, "must be a non-empty string")
    return value


@attrs.frozen
class Pod:
    """A pod to place: its requests and what constrains where it may run.

    Examples
    --------
    >>> pod = Pod("web-0", {"cpu": "500m", "memory": "1Gi"}, labels={"app": "web"})
    >>> pod.requests
    ResourceList({'cpu': '500m', 'memory': '1Gi'})
    >>> dict(pod.labels)
    {'app': 'web'}
    """

    #: Unique among the pods placed together: ``"frontend-0"``.
    name: str = attrs.field(converter=_name)
    #: The effective requests (see `orchkit.resources.pod_requests`):
    #: ``{"cpu": "500m", "memory": "1Gi"}``.
    requests: ResourceList = attrs.field(factory=ResourceList, converter=_requests)
    #: The pod's labels, as sorted pairs: ``{"app": "web"}`` is stored as ``(("app", "web"),)``.
    labels: Labels = attrs.field(default=(), converter=_labels)
    #: ``spec.nodeSelector``: labels a node must carry: ``{"disktype": "ssd"}``.
    node_selector: Labels = attrs.field(default=(), converter=_labels)
    #: ``spec.tolerations``.
    tolerations: tuple[Toleration, ...] = attrs.field(default=(), converter=_tolerations)
    #: Required pod anti-affinity terms.
    anti_affinity: tuple[PodAntiAffinity, ...] = attrs.field(default=(), converter=_anti_affinity)
    #: Topology spread constraints with ``DoNotSchedule``.
    spread: tuple[TopologySpread, ...] = attrs.field(default=(), converter=_spread)
    #: The namespace: affinity and spread rules only count pods of the same namespace.
    namespace: str = "default"
    #: ``spec.priority`` (from the PriorityClass): when not every pod can be placed,
    #: ``place(..., solver="exact")`` places higher priorities first: ``1000``.
    priority: int = attrs.field(default=0, converter=_priority)


@attrs.frozen
class Node:
    """A node: what it can allocate, its labels and taints, and what already runs there.

    Examples
    --------
    >>> node = Node("node-a", {"cpu": "4", "memory": "16Gi", "pods": "110"})
    >>> node.allocatable["cpu"]
    Quantity('4')
    >>> dict(node.labels)["kubernetes.io/hostname"]
    'node-a'
    """

    #: Unique among the nodes: ``"node-a"``.
    name: str = attrs.field(converter=_name)
    #: ``status.allocatable``: ``{"cpu": "3920m", "memory": "15Gi", "pods": "110"}``.
    allocatable: ResourceList = attrs.field(converter=_requests)
    #: Node labels; ``kubernetes.io/hostname`` defaults to the node's name.
    labels: Labels = attrs.field(default=(), converter=_labels)
    #: ``spec.taints``.
    taints: tuple[Taint, ...] = attrs.field(default=(), converter=_taints)
    #: Pods already running there: their requests are in use, their labels count for
    #: anti-affinity and spread.
    pods: tuple[Pod, ...] = attrs.field(default=(), converter=_pods)
    #: Further requests in use that no listed pod accounts for (system reservations, pods not
    #: given): ``{"cpu": "250m"}``.
    requested: ResourceList = attrs.field(factory=ResourceList, converter=_requests)

    def __attrs_post_init__(self) -> None:
        if not any(k == HOSTNAME for k, _ in self.labels):
            object.__setattr__(self, "labels", tuple(sorted((*self.labels, (HOSTNAME, self.name)))))


@attrs.frozen
class Unplaced:
    """A pod that could not be placed, and why, in the words of a scheduler event.

    Examples
    --------
    >>> print(Unplaced("web-3", "cpu: needs 400m, largest free 250m on 3 eligible nodes"))
    web-3: cpu: needs 400m, largest free 250m on 3 eligible nodes
    """

    #: The pod's name.
    pod: str
    #: Why no node was possible: ``"no node tolerates taint dedicated=gpu:NoSchedule"``.
    reason: str

    def __str__(self) -> str:
        return f"{self.pod}: {self.reason}"


@attrs.frozen
class NodeReport:
    """One node after placement: its capacity, everything requested on it, the pods placed.

    Examples
    --------
    >>> report = place([Pod("web", {"cpu": "1"})], [Node("a", {"cpu": "4"})]).nodes[0]
    >>> report.pods, report.utilization("cpu")
    (('web',), 0.25)
    """

    #: The node's name.
    name: str
    #: The node's allocatable resources.
    allocatable: ResourceList
    #: Everything requested on the node after placement (existing pods, ``requested`` and the
    #: pods placed).
    requested: ResourceList
    #: The names of the pods placed on the node by this call, in placement order.
    pods: tuple[str, ...]
    #: The number of pods that were already running there.
    existing: int = 0

    def utilization(self, resource: str) -> float:
        """``requested / allocatable`` of one resource, ``0.0`` when the node has none."""
        have = self.allocatable.get_or_zero(resource)
        if have.sign() <= 0:
            return 0.0
        return float(self.requested.get_or_zero(resource).as_fraction() / have.as_fraction())


@attrs.frozen
class Placement:
    """The result of `place`: where each pod goes, what could not go, and node usage.

    Examples
    --------
    >>> result = place([Pod("a", {"cpu": "3"}), Pod("b", {"cpu": "3"})], [Node("n", {"cpu": "4"})])
    >>> result.fits, result.node_of("a"), result.node_of("b"), dict(result.mapping())
    (False, 'n', None, {'a': 'n'})
    >>> result.nodes_used
    1
    """

    #: ``(pod, node)`` pairs in placement order.
    assignments: tuple[tuple[str, str], ...]
    #: The pods left unplaced, with a reason each.
    unplaced: tuple[Unplaced, ...]
    #: Every node, in input order, after placement.
    nodes: tuple[NodeReport, ...]
    #: The placement strategy used: ``"MostAllocated"``, ``"first_fit_decreasing"``, or
    #: ``"exact"``.
    strategy: str
    #: For ``solver="exact"``: True when no placement places more (by priority) or, placing as
    #: many, uses fewer nodes (proven); False when the time ran out first. ``None`` otherwise.
    optimal: bool | None = None

    @property
    def fits(self) -> bool:
        """True when every pod was placed."""
        return not self.unplaced

    @property
    def nodes_used(self) -> int:
        """The number of nodes running at least one pod after placement."""
        return sum(1 for node in self.nodes if node.pods or node.existing)

    def node_of(self, pod: str) -> str | None:
        """The node ``pod`` was placed on, or ``None``."""
        for name, node in self.assignments:
            if name == pod:
                return node
        return None

    def mapping(self) -> Mapping[str, str]:
        """The assignments as a read-only ``{pod: node}`` mapping."""
        return MappingProxyType(dict(self.assignments))


# -- the engine ------------------------------------------------------------------------------------

#: Placement strategies: the kube-scheduler scoring policies (pods in input order, each to the
#: best-scoring feasible node) and batch heuristics (pods sorted by decreasing size first).
PLACEMENT_STRATEGIES: tuple[str, ...] = (
    "LeastAllocated",
    "MostAllocated",
    "BalancedAllocation",
    "first_fit",
    "first_fit_decreasing",
    "best_fit_decreasing",
    "worst_fit_decreasing",
)
_SCORING = ("LeastAllocated", "MostAllocated", "BalancedAllocation")


def _fmt(resource: str, amount: int) -> str:
    """An amount in scheduler units, written as a quantity: ``400m``, ``1Gi``, ``600M``."""
    if resource == "cpu":
        return str(Quantity.from_milli(amount))
    if resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-"):
        for power, suffix in ((40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")):
            if amount and amount % (1 << power) == 0:
                return f"{amount >> power}{suffix}"
    return str(Quantity(amount))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class _State:
    """Mutable bookkeeping of one placement run."""

    def __init__(self, nodes: Sequence[Node], names: list[str]) -> None:
        self.nodes: list[Node] = []
        self.names = names
        self.alloc: list[tuple[int, ...]] = []
        self.pod_cap: list[int] = []
        self.used: list[list[int]] = []
        self.pod_count: list[int] = []
        self.labels: list[dict[str, str]] = []
        #: Pods (existing and placed) on each node, for anti-affinity and spread.
        self.residents: list[list[Pod]] = []
        self.placed: list[list[str]] = []
        #: (label key, value) -> nodes in that topology domain.
        self.domains: dict[tuple[str, str], list[int]] = {}
        #: Resident pods with anti-affinity terms: (node, pod, term).
        self.repellers: list[tuple[int, Pod, PodAntiAffinity]] = []
        #: (namespace, selector, key) -> {domain: matching pods}, kept up to date once built.
        self.counts: dict[tuple[str, LabelSelector, str], dict[str, int]] = {}
        for node in nodes:
            self.grow(node)

    def grow(self, node: Node) -> int:
        """Add a node; return its index."""
        b = len(self.nodes)
        self.nodes.append(node)
        self.alloc.append(node.allocatable.to_vector(self.names))
        pods_cap = node.allocatable.to_vector(["pods"])[0] if "pods" in node.allocatable else -1
        self.pod_cap.append(pods_cap)
        used = list(node.requested.to_vector(self.names))
        for pod in node.pods:
            used = [u + x for u, x in zip(used, pod.requests.to_vector(self.names), strict=True)]
        self.used.append(used)
        self.pod_count.append(len(node.pods))
        labels = dict(node.labels)
        self.labels.append(labels)
        for item in labels.items():
            self.domains.setdefault(item, []).append(b)
        self.residents.append(list(node.pods))
        self.placed.append([])
        self.repellers += [(b, pod, term) for pod in node.pods for term in pod.anti_affinity]
        for (namespace, selector, key), counts in self.counts.items():
            value = labels.get(key)
            if value is not None:
                counts[value] = counts.get(value, 0) + sum(
                    1 for pod in node.pods if _counts_for(pod, namespace, selector)
                )
        return b

    def add(self, b: int, pod: Pod, vector: tuple[int, ...]) -> None:
        """Record ``pod`` on node ``b``."""
        self.used[b] = [u + x for u, x in zip(self.used[b], vector, strict=True)]
        self.pod_count[b] += 1
        self.residents[b].append(pod)
        self.placed[b].append(pod.name)
        self.repellers += [(b, pod, term) for term in pod.anti_affinity]
        for (namespace, selector, key), counts in self.counts.items():
            value = self.labels[b].get(key)
            if value is not None and _counts_for(pod, namespace, selector):
                counts[value] = counts.get(value, 0) + 1

    def neighbours(self, b: int, key: str) -> list[int]:
        """The nodes in node ``b``'s domain for ``key`` (none when ``b`` lacks the label)."""
        value = self.labels[b].get(key)
        return [] if value is None else self.domains[key, value]

    def spread_counts(self, namespace: str, selector: LabelSelector, key: str) -> dict[str, int]:
        """Matching pods per domain of ``key`` (every domain present, zeros included)."""
        index = (namespace, selector, key)
        counts = self.counts.get(index)
        if counts is None:
            counts = {}
            for b, labels in enumerate(self.labels):
                value = labels.get(key)
                if value is not None:
                    counts[value] = counts.get(value, 0) + sum(
                        1 for pod in self.residents[b] if _counts_for(pod, namespace, selector)
                    )
            self.counts[index] = counts
        return counts


def _counts_for(pod: Pod, namespace: str, selector: LabelSelector) -> bool:
    return pod.namespace == namespace and selector.matches(dict(pod.labels))


def _matching_selector(pod: Pod, labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in pod.node_selector)


def _untolerated(pod: Pod, node: Node) -> list[Taint]:
    return [
        taint
        for taint in node.taints
        if taint.effect != "PreferNoSchedule"
        and not any(t.tolerates(taint) for t in pod.tolerations)
    ]


def _anti_affinity_conflict(pod: Pod, b: int, state: _State) -> str | None:
    """The rule that keeps ``pod`` off node ``b``, or ``None``."""
    for term in pod.anti_affinity:
        for c in state.neighbours(b, term.topology_key):
            for other in state.residents[c]:
                if _counts_for(other, pod.namespace, term.selector):
                    return f"{other.name} matches {term.selector}"
    pod_labels = dict(pod.labels)
    for c, other, term in state.repellers:
        if (
            other.namespace == pod.namespace
            and term.selector.matches(pod_labels)
            and b in state.neighbours(c, term.topology_key)
        ):
            return f"{other.name} keeps pods matching {term.selector} away"
    return None


def _spread_violation(pod: Pod, b: int, state: _State) -> str | None:
    """The spread constraint placing ``pod`` on node ``b`` would break, or ``None``."""
    for rule in pod.spread:
        key = rule.topology_key
        domain = state.labels[b].get(key)
        if domain is None:
            return f"node has no {key} label"
        counts = state.spread_counts(pod.namespace, rule.selector, key)
        eligible = {
            labels[key]
            for labels in state.labels
            if key in labels and _matching_selector(pod, labels)
        }
        low = min((counts.get(value, 0) for value in eligible), default=0)
        self_match = 1 if rule.selector.matches(dict(pod.labels)) else 0
        if counts.get(domain, 0) + self_match - low > rule.max_skew:
            return f"maxSkew {rule.max_skew} for {rule.selector} over {key}"
    return None


def _fits(b: int, vector: tuple[int, ...], state: _State) -> bool:
    if state.pod_cap[b] >= 0 and state.pod_count[b] + 1 > state.pod_cap[b]:
        return False
    return all(u + x <= a for u, x, a in zip(state.used[b], vector, state.alloc[b], strict=True))


def _feasible(pod: Pod, b: int, vector: tuple[int, ...], state: _State) -> bool:
    return (
        _matching_selector(pod, state.labels[b])
        and not _untolerated(pod, state.nodes[b])
        and _fits(b, vector, state)
        and _anti_affinity_conflict(pod, b, state) is None
        and _spread_violation(pod, b, state) is None
    )


def _reason(pod: Pod, vector: tuple[int, ...], state: _State, noun: str = "eligible") -> str:
    """Why no node takes ``pod``: each filter that ruled nodes out, with counts.

    ``eligible`` nodes are those that match the node selector and whose taints are tolerated;
    free amounts are taken over them.
    """
    total = len(state.nodes)
    if not total:
        return "no nodes to place on"
    selected = [b for b in range(total) if _matching_selector(pod, state.labels[b])]
    if not selected:
        return f"no node matches nodeSelector {_show(pod.node_selector)}"
    parts: list[str] = []
    if len(selected) < total:
        parts.append(
            f"{total - len(selected)} of {_plural(total, 'node')} do not match nodeSelector "
            f"{_show(pod.node_selector)}"
        )
    eligible: list[int] = []
    taints: dict[str, int] = {}
    for b in selected:
        untolerated = _untolerated(pod, state.nodes[b])
        if untolerated:
            for taint in {str(t) for t in untolerated}:
                taints[taint] = taints.get(taint, 0) + 1
        else:
            eligible.append(b)
    if not eligible:
        return "; ".join([*parts, f"no node tolerates taint {', '.join(sorted(taints))}"])
    for taint, count in sorted(taints.items()):
        parts.append(f"{_plural(count, 'node')} with untolerated taint {taint}")
    where = f"on {_plural(len(eligible), noun + ' node')}"
    at_limit = [b for b in eligible if 0 <= state.pod_cap[b] <= state.pod_count[b]]
    if at_limit:
        parts.append(f"{_plural(len(at_limit), 'node')} at their pod limit")
    open_nodes = [b for b in eligible if b not in at_limit]
    blocking = False
    for d, r in enumerate(state.names):
        if not vector[d]:
            continue
        free = max((state.alloc[b][d] - state.used[b][d] for b in eligible), default=0)
        if free < vector[d]:
            blocking = True
            parts.append(
                f"{r}: needs {_fmt(r, vector[d])}, largest free {_fmt(r, max(free, 0))} {where}"
            )
    roomy = [b for b in open_nodes if _fits(b, vector, state)]
    if not roomy and not blocking and open_nodes:
        wanted = " and ".join(
            f"{r} {_fmt(r, x)}" for r, x in zip(state.names, vector, strict=True) if x
        )
        parts.append(
            f"no {noun} node has room for {wanted} at once ({_plural(len(eligible), 'node')})"
        )
    anti = [b for b in roomy if _anti_affinity_conflict(pod, b, state) is not None]
    if anti:
        example = _anti_affinity_conflict(pod, anti[0], state)
        parts.append(
            f"pod anti-affinity rules out {_plural(len(anti), 'node')} with room "
            f"({state.nodes[anti[0]].name}: {example})"
        )
    rest = [b for b in roomy if b not in anti]
    spread = [b for b in rest if _spread_violation(pod, b, state) is not None]
    if spread:
        example = _spread_violation(pod, spread[0], state)
        parts.append(
            f"topology spread rules out {_plural(len(spread), 'node')} with room ({example})"
        )
    return "; ".join(parts) or "no feasible node"


def _score(
    policy: str, used: list[int], vector: tuple[int, ...], alloc: tuple[int, ...], names: list[str]
) -> float:
    """kube-scheduler's score of a node for a pod (0-100), over cpu and memory, weights 1."""
    fractions: list[tuple[int, int]] = []
    for r, u, x, a in zip(names, used, vector, alloc, strict=True):
        if r not in ("cpu", "memory"):
            continue
        need = x or (DEFAULT_SCORING_CPU if r == "cpu" else DEFAULT_SCORING_MEMORY)
        fractions.append((u + need, a))
    if not fractions:
        return 0.0
    if policy == "LeastAllocated":
        scores = [
            0 if req > cap or cap == 0 else (cap - req) * 100 // cap for req, cap in fractions
        ]
        return float(sum(scores) // len(scores))
    if policy == "MostAllocated":
        scores = [0 if cap == 0 else min(req, cap) * 100 // cap for req, cap in fractions]
        return float(sum(scores) // len(scores))
    shares = [min(req / cap, 1.0) if cap else 1.0 for req, cap in fractions]
    mean = sum(shares) / len(shares)
    std = math.sqrt(sum((s - mean) ** 2 for s in shares) / len(shares))
    return float(int((1 - std) * 100))


def _resource_names(pods: Sequence[Pod], nodes: Sequence[Node]) -> list[str]:
    names = {name for pod in pods for name, q in pod.requests.items() if q.sign() > 0}
    for node in nodes:
        names.update(name for pod in node.pods for name, q in pod.requests.items() if q.sign() > 0)
        names.update(name for name, q in node.requested.items() if q.sign() > 0)
    names.discard("pods")
    return sorted(names)


def _check_unique(pods: Sequence[object], nodes: Sequence[object]) -> None:
    seen: set[str] = set()
    for k, pod in enumerate(pods):
        if not isinstance(pod, Pod):
            where = f"pods[{k}]"
            raise InvalidValueError(where, pod, "expected a Pod")
        if pod.name in seen:
            raise InvalidValueError("pods", pod.name, "two pods have this name")
        seen.add(pod.name)
    seen = set()
    for k, node in enumerate(nodes):
        if not isinstance(node, Node):
            where = f"nodes[{k}]"
            raise InvalidValueError(where, node, "expected a Node")
        if node.name in seen:
            raise InvalidValueError("nodes", node.name, "two nodes have this name")
        seen.add(node.name)


def _size_key(vector: tuple[int, ...], scale: list[int]) -> float:
    return sum(x / s for x, s in zip(vector, scale, strict=True) if s > 0)


def place(
    pods: Sequence[Pod],
    nodes: Sequence[Node],
    strategy: str = "first_fit_decreasing",
    *,
    solver: Literal["heuristic", "exact"] = "heuristic",
    time_limit: float = 10.0,
    workers: int | None = None,
) -> Placement:
    """Place pods onto nodes under Kubernetes' scheduling constraints.

    Every node is filtered as kube-scheduler does: ``nodeSelector``, taints with effect
    ``NoSchedule`` / ``NoExecute`` not tolerated, resources (every requested resource and, when
    a node lists ``pods`` as allocatable, one pod slot), required pod anti-affinity (both ways)
    and topology spread constraints (``DoNotSchedule``). Among the feasible nodes:

    - ``LeastAllocated`` (Kubernetes' default: spreads), ``MostAllocated`` (packs) and
      ``BalancedAllocation`` score each node as the scheduler's plugins do (over cpu and memory,
      with the scheduler's 100m / 200Mi for a pod that requests none) and take the best, pods in
      input order, ties to the first node;
    - ``first_fit`` takes the first feasible node, pods in input order;
    - ``first_fit_decreasing``, ``best_fit_decreasing`` and ``worst_fit_decreasing`` first sort the
      pods by decreasing size (the sum of their requests, each divided by the largest
      allocatable of that resource: the Cluster Autoscaler's order), then take the first node,
      the node left with the least room, or the one left with the most.

    Parameters
    ----------
    pods
        The pods to place; names must be unique.
    nodes
        The nodes, in order of preference for ties; names must be unique.
    strategy
        One of `PLACEMENT_STRATEGIES`. With `solver="exact"`, the heuristic whose placement
        starts the search.
    solver
        `"heuristic"` (the default) places pods as described above. `"exact"` solves the
        whole batch with CP-SAT under the same constraints: it maximises the pods placed,
        higher `Pod.priority` first (one pod of a higher priority outweighs any number of
        lower ones), then minimises the nodes in use; `Placement.optimal` says whether that
        was proven within `time_limit`. Topology spread is checked on the final placement
        (every domain that receives a pod stays within `maxSkew` of the emptiest eligible
        domain), which an order of placement one pod at a time can always follow. When
        pods counted by one rule differ in node selector, the scheduler's one-at-a-time
        check can allow a placement the final check forbids; if the heuristic's placement
        is such a one and beats every placement the model allows, it is returned with
        `optimal=False`.
    time_limit, workers
        For `solver="exact"`: seconds, and CP-SAT worker threads (default: the CPUs, at
        most 8).

    Returns
    -------
    Placement
        Assignments, unplaced pods with a reason each (computed when the pod failed), and every
        node's usage.

    Raises
    ------
    InvalidValueError
        If the strategy or solver is unknown, an element is not a Pod / Node, or two share a
        name.
    MissingDependencyError
        For ``solver="exact"`` without OR-Tools (``pip install 'orchkit[exact]'``).

    Examples
    --------
    >>> nodes = [Node("a", {"cpu": "1", "memory": "2Gi"}), Node("b", {"cpu": "2", "memory": "2Gi"})]
    >>> pods = [Pod(f"web-{k}", {"cpu": "600m", "memory": "512Mi"}) for k in range(5)]
    >>> result = place(pods, nodes, "MostAllocated")
    >>> result.assignments
    (('web-0', 'a'), ('web-1', 'b'), ('web-2', 'b'), ('web-3', 'b'))
    >>> print(result.unplaced[0])
    web-4: cpu: needs 600m, largest free 400m on 2 eligible nodes

    Where the one-at-a-time heuristics strand a pod, the exact solver places the whole batch:

    >>> nodes = [Node(n, {"cpu": "10", "memory": "4Gi"}) for n in ("a", "b")]
    >>> pods = [Pod(f"p{k}", {"cpu": c}) for k, c in enumerate("443333")]
    >>> [u.pod for u in place(pods, nodes).unplaced]
    ['p5']
    >>> exact = place(pods, nodes, solver="exact")
    >>> exact.fits, exact.optimal, exact.nodes_used
    (True, True, 2)

    Notes
    -----
    Runtime complexity: ``O(p n r)`` for ``p`` pods, ``n`` nodes and ``r`` resources, plus
    ``O(p n q)`` for anti-affinity and spread rules over ``q`` resident pods. The exact solver
    is exponential in the worst case and bounded by ``time_limit``.
    """
    if strategy not in PLACEMENT_STRATEGIES:
        raise InvalidValueError(
            "strategy", strategy, f"is not one of {', '.join(PLACEMENT_STRATEGIES)}"
        )
    if solver == "exact":
        from orchkit._placement_exact import place_exact

        heuristic = place(pods, nodes, strategy)
        return place_exact(pods, nodes, heuristic, time_limit=time_limit, workers=workers)
    if solver != "heuristic":
        raise InvalidValueError("solver", solver, "must be 'heuristic' or 'exact'")
    pods = list(pods)
    nodes = list(nodes)
    _check_unique(pods, nodes)
    names = _resource_names(pods, nodes)
    state = _State(nodes, names)
    vectors = [pod.requests.to_vector(names) for pod in pods]
    order = list(range(len(pods)))
    if strategy.endswith("_decreasing"):
        scale = [max((a[d] for a in state.alloc), default=0) for d in range(len(names))]
        keys = [_size_key(v, scale) for v in vectors]
        order.sort(key=lambda k: -keys[k])
    assignments: list[tuple[str, str]] = []
    unplaced: list[Unplaced] = []
    for k in order:
        pod = pods[k]
        vector = vectors[k]
        chosen = -1
        best = 0.0
        for b in range(len(nodes)):
            if not _feasible(pod, b, vector, state):
                continue
            if strategy in ("first_fit", "first_fit_decreasing"):
                chosen = b
                break
            if strategy in _SCORING:
                score = _score(strategy, state.used[b], vector, state.alloc[b], names)
            else:
                room = sum(
                    (a - u - x) / a
                    for u, x, a in zip(state.used[b], vector, state.alloc[b], strict=True)
                    if a > 0
                )
                score = -room if strategy == "best_fit_decreasing" else room
            if chosen < 0 or score > best:
                chosen, best = b, score
        if chosen < 0:
            unplaced.append(Unplaced(pod.name, _reason(pod, vector, state)))
        else:
            state.add(chosen, pod, vector)
            assignments.append((pod.name, nodes[chosen].name))
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
    return Placement(tuple(assignments), tuple(unplaced), tuple(reports), strategy)


# -- estimating new nodes --------------------------------------------------------------------------


@attrs.frozen
class Estimate:
    """The answer of `estimate_nodes`: how many new nodes of one shape the pods need.

    Examples
    --------
    >>> estimate = estimate_nodes([Pod(f"p{k}", {"cpu": "3"}) for k in range(3)], {"cpu": "4"})
    >>> estimate.nodes, estimate.lower_bound, estimate.optimal, estimate.bins
    (3, 3, True, (('p0',), ('p1',), ('p2',)))
    """

    #: The number of new nodes used by the packing found.
    nodes: int
    #: No packing of the placeable pods can use fewer nodes than this.
    lower_bound: int
    #: The pods on each new node.
    bins: tuple[tuple[str, ...], ...]
    #: Pods that fit no node of this shape, with a reason each.
    unplaced: tuple[Unplaced, ...]
    #: The strategy that packed the pods.
    strategy: str

    @property
    def optimal(self) -> bool:
        """True when the packing meets the lower bound: no estimate can be smaller."""
        return self.nodes == self.lower_bound


#: Labels the kubelet puts on every Linux node, given to a shape that is only resources.
LINUX_LABELS: Labels = (
    ("beta.kubernetes.io/arch", "amd64"),
    ("beta.kubernetes.io/os", "linux"),
    ("kubernetes.io/arch", "amd64"),
    ("kubernetes.io/os", "linux"),
)


def _shape(node_shape: Node | ResourceList | Mapping[str, object]) -> Node:
    if isinstance(node_shape, Node):
        return node_shape
    if isinstance(node_shape, (ResourceList, Mapping)):
        return Node("new", node_shape, LINUX_LABELS)
    raise InvalidValueError("node_shape", node_shape, "expected a Node or a resource mapping")


def _fit_on_empty_node(
    pods: Iterable[Pod], node_shape: Node | ResourceList | Mapping[str, object]
) -> tuple[Node, Node, list[str], list[Pod], list[Unplaced]]:
    """Split ``pods`` into those an empty node of ``node_shape`` can take and those it cannot.

    Returns the node template, a fresh node of that shape, the resource names in play, the
    placeable pods and, for the others, why (the reason worded for an empty node).
    """
    template = _shape(node_shape)
    pods = list(pods)
    _check_unique(pods, [])
    fresh = Node(template.name, template.allocatable, template.labels, template.taints)
    names = _resource_names(pods, [fresh])
    probe = _State([fresh], names)
    placeable: list[Pod] = []
    unplaced: list[Unplaced] = []
    for pod in pods:
        vector = pod.requests.to_vector(names)
        if _feasible(pod, 0, vector, probe):
            placeable.append(pod)
        else:
            reason = _reason(pod, vector, probe).replace("eligible node", "empty node")
            unplaced.append(Unplaced(pod.name, reason))
    return template, fresh, names, placeable, unplaced


def estimate_nodes(
    pods: Sequence[Pod],
    node_shape: Node | ResourceList | Mapping[str, object],
    strategy: str = "local_search",
) -> Estimate:
    """How many new nodes of one shape the pods need: the Cluster Autoscaler's question.

    Pods that cannot run on an empty node of this shape (node selector, taints, a request larger
    than the node) are reported as unplaced. Without anti-affinity or spread rules the rest is a
    vector bin-packing problem over the requested resources (plus the ``pods`` slots when the
    shape lists them), solved with ``strategy`` from `orchkit.binpack.STRATEGIES` (by
    default the local search, optimal when ``nodes == lower_bound``); with such rules, the pods
    are placed by first fit decreasing onto as many fresh nodes as needed.

    Parameters
    ----------
    pods
        The pending pods.
    node_shape
        A `Node` used as a template (its labels and taints apply; its existing pods and
        requests are ignored), or its allocatable resources (the node then carries the labels
        the kubelet gives every Linux node: ``kubernetes.io/os=linux``,
        ``kubernetes.io/arch=amd64`` and their ``beta.`` forms).
    strategy
        A name from `orchkit.binpack.STRATEGIES`.

    Returns
    -------
    Estimate

    Raises
    ------
    InvalidValueError
        If an argument is malformed or the strategy unknown.

    Examples
    --------
    >>> pods = [Pod(f"api-{k}", {"cpu": "1500m", "memory": "2Gi"}) for k in range(5)]
    >>> pods += [Pod(f"job-{k}", {"cpu": "500m", "memory": "6Gi"}) for k in range(3)]
    >>> estimate = estimate_nodes(pods, {"cpu": "4", "memory": "16Gi"})
    >>> estimate.nodes, estimate.lower_bound, estimate.optimal
    (3, 3, True)

    Notes
    -----
    Runtime complexity: the strategy's on ``p`` pods, or ``O(p^2 r)`` with affinity rules.
    """
    core._resolve(strategy)
    template, fresh, names, placeable, unplaced = _fit_on_empty_node(pods, node_shape)
    if any(pod.anti_affinity or pod.spread for pod in placeable):
        return _estimate_constrained(placeable, template, unplaced, names)
    columns = list(names)
    caps = list(fresh.allocatable.to_vector(columns))
    vectors = [list(pod.requests.to_vector(columns)) for pod in placeable]
    if "pods" in fresh.allocatable:
        caps.append(fresh.allocatable.to_vector(["pods"])[0])
        for v in vectors:
            v.append(1)
    if not caps:
        caps, vectors = [1], [[0] for _ in placeable]
    keep = [d for d, c in enumerate(caps) if c > 0]
    sizes = [[v[d] for d in keep] for v in vectors]
    capacity = [caps[d] for d in keep] or [1]
    if not keep:
        sizes = [[0] for _ in placeable]
    packing = core.pack(sizes, capacity, strategy)
    bins = tuple(tuple(placeable[i].name for i in members) for members in packing.bins)
    bound = max(bounds_of(problem(sizes, capacity)))
    return Estimate(len(bins), bound, bins, tuple(unplaced), strategy)


def _estimate_constrained(
    pods: list[Pod], template: Node, unplaced: list[Unplaced], names: list[str]
) -> Estimate:
    """First fit decreasing onto fresh copies of ``template``, opening one when none fits."""
    state = _State([], names)
    scale = list(template.allocatable.to_vector(names))
    vectors = {pod.name: pod.requests.to_vector(names) for pod in pods}
    order = sorted(pods, key=lambda p: -_size_key(vectors[p.name], scale))
    for pod in order:
        vector = vectors[pod.name]
        chosen = next((b for b in range(len(state.nodes)) if _feasible(pod, b, vector, state)), -1)
        if chosen < 0:
            name = f"{template.name}-{len(state.nodes)}"
            chosen = state.grow(Node(name, template.allocatable, _fresh(template), template.taints))
            if not _feasible(pod, chosen, vector, state):
                # A spread rule can refuse even an empty node while another domain is emptier.
                unplaced.append(Unplaced(pod.name, _reason(pod, vector, state)))
                continue
        state.add(chosen, pod, vector)
    bins = tuple(tuple(placed) for placed in state.placed if placed)
    caps = list(template.allocatable.to_vector(names))
    keep = [d for d, c in enumerate(caps) if c > 0]
    bound = 0
    if pods and keep:
        sizes = [[vectors[pod.name][d] for d in keep] for pod in pods]
        bound = max(bounds_of(problem(sizes, [caps[d] for d in keep])))
    groups: dict[tuple[str, LabelSelector], int] = {}
    for pod in pods:
        for term in pod.anti_affinity:
            if term.topology_key == HOSTNAME and term.selector.matches(dict(pod.labels)):
                key = (pod.namespace, term.selector)
                groups[key] = groups.get(key, 0) + 1
    bound = max(bound, *groups.values()) if groups else bound
    return Estimate(len(bins), bound, bins, tuple(unplaced), "first_fit_decreasing")


def _fresh(template: Node) -> Labels:
    """The template's labels without its hostname (each new node gets its own)."""
    return tuple((k, v) for k, v in template.labels if k != HOSTNAME)
