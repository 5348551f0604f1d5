"""Exact placement (``place(..., solver="exact")``) and ``choose_node_types``."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchkit.binpack import (
    Node,
    NodeType,
    Pod,
    PodAntiAffinity,
    SolveStatus,
    Taint,
    Toleration,
    TopologySpread,
    choose_node_types,
    place,
)
from orchkit.errors import InvalidValueError

from .test_placement import check_placement


def cluster(data: st.DataObject) -> tuple[list[Pod], list[Node]]:
    """Random nodes (some tainted, some loaded) and pods with every kind of constraint."""
    nodes = []
    for k in range(data.draw(st.integers(1, 4))):
        existing = [
            Pod(f"old-{k}-{j}", {"cpu": "500m", "memory": "256Mi"}, {"app": "db"})
            for j in range(data.draw(st.integers(0, 1)))
        ]
        nodes.append(
            Node(
                f"n{k}",
                {"cpu": f"{data.draw(st.integers(1, 4))}", "memory": "4Gi", "pods": "5"},
                labels={"zone": data.draw(st.sampled_from("xy"))},
                taints=data.draw(st.sampled_from([[], [Taint("dedicated", "gpu")]])),
                pods=existing,
            )
        )
    pods = []
    for k in range(data.draw(st.integers(0, 9))):
        app = data.draw(st.sampled_from(["web", "db", "batch"]))
        pods.append(
            Pod(
                f"p{k}",
                {"cpu": f"{data.draw(st.integers(1, 15)) * 100}m", "memory": "256Mi"},
                {"app": app},
                node_selector=data.draw(st.sampled_from([{}, {"zone": "x"}])),
                tolerations=data.draw(st.sampled_from([[], [Toleration(operator="Exists")]])),
                anti_affinity=[PodAntiAffinity({"app": "db"})] if app == "db" else [],
                spread=[TopologySpread(1, {"app": "web"})] if app == "web" else [],
                priority=data.draw(st.sampled_from([0, 0, 100])),
            )
        )
    return pods, nodes


def spread_is_order_free(pods: list[Pod]) -> bool:
    """True when every pod a spread rule counts carries the same rules and node selector.

    Then the scheduler's one-at-a-time check and the model's check of the final placement
    allow the same placements.
    """
    for pod in pods:
        for rule in pod.spread:
            for other in pods:
                if rule.selector.matches(dict(other.labels)) and (
                    other.spread != pod.spread or other.node_selector != pod.node_selector
                ):
                    return False
    return True


def weight(placement: object, pods: list[Pod]) -> tuple[int, ...]:
    """Pods placed per priority, highest first: the order the exact solver maximises."""
    placed = {name for name, _ in placement.assignments}  # type: ignore[attr-defined]
    levels = sorted({p.priority for p in pods}, reverse=True)
    return tuple(sum(1 for p in pods if p.priority == lv and p.name in placed) for lv in levels)


class TestExactPlacement:
    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_never_breaks_a_constraint_and_never_loses_to_the_heuristic(
        self, data: st.DataObject
    ) -> None:
        pods, nodes = cluster(data)
        heuristic = place(pods, nodes)
        exact = place(pods, nodes, solver="exact", time_limit=10, workers=2)
        check_placement(exact, pods, nodes)
        assert exact.strategy == "exact"
        if spread_is_order_free(pods):
            assert exact.optimal is True
        elif not exact.optimal:
            # The heuristic's one-at-a-time spread check allowed a better placement than the
            # model's final-state check: the heuristic's placement comes back, unproven.
            assert sorted(exact.assignments) == sorted(heuristic.assignments)
        assert weight(exact, pods) >= weight(heuristic, pods)
        if weight(exact, pods) == weight(heuristic, pods):
            assert exact.nodes_used <= heuristic.nodes_used

    def test_returns_the_heuristic_when_one_at_a_time_spread_beats_the_final_check(
        self,
    ) -> None:
        # p0 may only go to zone x; p1 and p2 may go anywhere. One at a time, p1 -> n0,
        # p2 -> n1, then p0 -> n0 is allowed (p0 counts only zone-x nodes), but in the final
        # placement n0 holds 2 web pods and n2 none, a skew of 2 for p1's rule.
        rule = [TopologySpread(1, {"app": "web"})]
        nodes = [
            Node(name, {"cpu": "1", "memory": "4Gi"}, labels={"zone": zone})
            for name, zone in [("n0", "x"), ("n1", "x"), ("n2", "y")]
        ]
        pods = [
            Pod("p0", {"cpu": "100m"}, {"app": "web"}, node_selector={"zone": "x"}, spread=rule),
            Pod("p1", {"cpu": "200m"}, {"app": "web"}, spread=rule),
            Pod("p2", {"cpu": "200m"}, {"app": "web"}, spread=rule),
        ]
        heuristic = place(pods, nodes)
        assert heuristic.nodes_used == 2
        exact = place(pods, nodes, solver="exact", workers=2)
        assert exact.optimal is False
        assert sorted(exact.assignments) == sorted(heuristic.assignments)

    def test_priority_comes_first(self) -> None:
        nodes = [Node("a", {"cpu": "2", "memory": "4Gi"})]
        pods = [
            Pod("cheap-0", {"cpu": "1"}),
            Pod("cheap-1", {"cpu": "1"}),
            Pod("vip", {"cpu": "2"}, priority=1000),
        ]
        exact = place(pods, nodes, solver="exact")
        assert exact.assignments == (("vip", "a"),)
        assert sorted(u.pod for u in exact.unplaced) == ["cheap-0", "cheap-1"]
        assert all("cpu" in u.reason for u in exact.unplaced)

    def test_packs_onto_fewer_nodes(self) -> None:
        nodes = [Node(n, {"cpu": "4", "memory": "8Gi"}) for n in "abc"]
        pods = [Pod(f"p{k}", {"cpu": "1", "memory": "1Gi"}) for k in range(4)]
        exact = place(pods, nodes, "LeastAllocated", solver="exact")
        assert place(pods, nodes, "LeastAllocated").nodes_used == 3
        assert (exact.nodes_used, exact.optimal) == (1, True)

    def test_pre_loaded_nodes_and_anti_affinity_both_ways(self) -> None:
        resident = Pod(
            "db-old", {"cpu": "1"}, {"app": "db"}, anti_affinity=[PodAntiAffinity({"app": "db"})]
        )
        nodes = [
            Node("a", {"cpu": "4", "memory": "8Gi"}, pods=[resident]),
            Node("b", {"cpu": "4", "memory": "8Gi"}),
            Node("c", {"cpu": "4", "memory": "8Gi"}),
        ]
        # The resident keeps db pods off node a; new db pods that repel each other need a node
        # each, the others share one.
        pods = [Pod(f"db-{k}", {"cpu": "1"}, {"app": "db"}) for k in range(3)]
        exact = place(pods, nodes, solver="exact")
        check_placement(exact, pods, nodes)
        assert {node for _, node in exact.assignments} == {"b"}
        assert (exact.fits, exact.nodes_used) == (True, 2)
        term = [PodAntiAffinity({"app": "db"})]
        pods = [Pod(f"db-{k}", {"cpu": "1"}, {"app": "db"}, anti_affinity=term) for k in range(3)]
        exact = place(pods, nodes, solver="exact")
        check_placement(exact, pods, nodes)
        assert {node for _, node in exact.assignments} == {"b", "c"}
        assert len(exact.unplaced) == 1
        assert "anti-affinity" in exact.unplaced[0].reason

    def test_spread_counts_the_final_placement(self) -> None:
        nodes = [Node(n, {"cpu": "8", "memory": "8Gi"}) for n in "ab"]
        pods = [
            Pod(
                f"web-{k}", {"cpu": "1"}, {"app": "web"}, spread=[TopologySpread(1, {"app": "web"})]
            )
            for k in range(5)
        ]
        exact = place(pods, nodes, solver="exact")
        check_placement(exact, pods, nodes)
        counts = sorted(sum(1 for _, n in exact.assignments if n == name) for name in "ab")
        assert counts == [2, 3]

    def test_bad_solver(self) -> None:
        with pytest.raises(InvalidValueError, match="solver"):
            place([], [], solver="magic")  # type: ignore[arg-type]

    def test_bad_priority(self) -> None:
        with pytest.raises(InvalidValueError, match="priority"):
            Pod("p", priority="high")  # type: ignore[arg-type]


def cheapest_by_brute_force(cpus: list[int], types: list[tuple[int, int]]) -> int:
    """The cheapest multiset of (cpu, price) types holding all the cpu requests."""
    best = sum(price for _, price in types) * len(cpus) + 1
    for count in range(1, len(cpus) + 1):
        for multiset in itertools.combinations_with_replacement(range(len(types)), count):
            cost = sum(types[t][1] for t in multiset)
            if cost >= best:
                continue
            loads = [0] * count

            def fits(k: int, loads: list[int] = loads, multiset: tuple = multiset) -> bool:
                if k == len(cpus):
                    return True
                for b, t in enumerate(multiset):
                    if loads[b] + cpus[k] <= types[t][0]:
                        loads[b] += cpus[k]
                        if fits(k + 1):
                            return True
                        loads[b] -= cpus[k]
                return False

            if fits(0):
                best = cost
    return best


class TestChooseNodeTypes:
    @settings(max_examples=40, deadline=None)
    @given(
        cpus=st.lists(st.integers(1, 6), min_size=1, max_size=6),
        types=st.lists(
            st.tuples(st.integers(1, 8), st.integers(1, 20)), min_size=1, max_size=3, unique=True
        ),
    )
    def test_against_brute_force(self, cpus: list[int], types: list[tuple[int, int]]) -> None:
        if max(cpus) > max(c for c, _ in types):
            return
        offer = [NodeType(f"t{k}", {"cpu": str(c)}, p) for k, (c, p) in enumerate(types)]
        pods = [Pod(f"p{k}", {"cpu": str(c)}) for k, c in enumerate(cpus)]
        choice = choose_node_types(pods, offer, time_limit=10, workers=2)
        assert choice.status is SolveStatus.OPTIMAL
        assert choice.cost == cheapest_by_brute_force(cpus, types)
        assert choice.lower_bound == choice.cost
        assert choice.gap == 0.0
        # The nodes hold every pod once and respect each type's allocatable.
        placed = [name for _, members in choice.nodes for name in members]
        assert sorted(placed) == sorted(p.name for p in pods)
        by_name = {nt.name: nt for nt in offer}
        by_pod = {p.name: p for p in pods}
        for type_name, members in choice.nodes:
            used = sum(int(str(by_pod[m].requests["cpu"])) for m in members)
            assert used <= int(str(by_name[type_name].allocatable["cpu"]))
        assert sum(k for _, k in choice.counts) == len(choice.nodes)

    def test_selectors_taints_and_anti_affinity(self) -> None:
        types = [
            NodeType("cpu", {"cpu": "8", "memory": "16Gi"}, Fraction(3, 10)),
            NodeType("gpu", {"cpu": "8", "memory": "16Gi", "nvidia.com/gpu": "1"}, "0.9",
                     labels={"accel": "gpu"}, taints=[Taint("dedicated", "gpu")]),
        ]  # fmt: skip
        trainer = Pod(
            "trainer",
            {"cpu": "2", "nvidia.com/gpu": "1"},
            node_selector={"accel": "gpu"},
            tolerations=[Toleration("dedicated", "Equal", "gpu")],
        )
        dbs = [
            Pod(
                f"db-{k}",
                {"cpu": "1"},
                {"app": "db"},
                anti_affinity=[PodAntiAffinity({"app": "db"})],
            )
            for k in range(3)
        ]
        impossible = Pod("huge", {"cpu": "64"})
        choice = choose_node_types([trainer, *dbs, impossible], types)
        assert choice.status is SolveStatus.OPTIMAL
        assert dict(choice.counts) == {"cpu": 3, "gpu": 1}
        assert choice.cost == Fraction(9, 10) + 3 * Fraction(3, 10)
        assert [u.pod for u in choice.unplaced] == ["huge"]
        for type_name, members in choice.nodes:
            assert sum(1 for m in members if m.startswith("db-")) <= 1
            if "trainer" in members:
                assert type_name == "gpu"

    def test_max_count(self) -> None:
        types = [
            NodeType("cheap", {"cpu": "4"}, "0.1", max_count=1),
            NodeType("dear", {"cpu": "4"}, "1"),
        ]
        pods = [Pod(f"p{k}", {"cpu": "3"}) for k in range(3)]
        choice = choose_node_types(pods, types)
        assert dict(choice.counts) == {"cheap": 1, "dear": 2}

    @pytest.mark.parametrize(
        ("types", "field"),
        [
            ([], "node_types"),
            ("m5", "node_types"),
            ([object()], "node_types"),
        ],
    )
    def test_bad_node_types(self, types: object, field: str) -> None:
        with pytest.raises(InvalidValueError, match=field):
            choose_node_types([], types)  # type: ignore[arg-type]

    @pytest.mark.parametrize("price", [-1, "cheap", True, None])
    def test_bad_price(self, price: object) -> None:
        with pytest.raises(InvalidValueError, match="price"):
            NodeType("t", {"cpu": "1"}, price)  # type: ignore[arg-type]
