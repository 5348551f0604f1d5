"""Placing pods onto nodes: constraints never violated, scoring policies, reasons, estimates."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchkit.binpack import (
    PLACEMENT_STRATEGIES,
    LabelSelector,
    Node,
    Placement,
    Pod,
    PodAntiAffinity,
    Taint,
    Toleration,
    TopologySpread,
    estimate_nodes,
    lower_bound,
    place,
)
from orchkit.errors import InvalidValueError
from orchkit.resources import ResourceList

HOSTNAME = "kubernetes.io/hostname"


def check_placement(placement: Placement, pods: list[Pod], nodes: list[Node]) -> None:
    """The oracle: every invariant a placement must keep."""
    by_pod = {pod.name: pod for pod in pods}
    by_node = {node.name: node for node in nodes}
    placed = [name for name, _ in placement.assignments]
    unplaced = [u.pod for u in placement.unplaced]
    # Each pod exactly once: placed or unplaced.
    assert sorted(placed + unplaced) == sorted(by_pod)
    residents: dict[str, list[Pod]] = {node.name: list(node.pods) for node in nodes}
    for pod_name, node_name in placement.assignments:
        residents[node_name].append(by_pod[pod_name])
    for node in nodes:
        labels = dict(node.labels)
        here = residents[node.name]
        total = node.requested
        for pod in here:
            total = total + pod.requests
        # Capacity: every resource, and the pod slots when the node lists them.
        assert total.fits(node.allocatable) or not [p for p in here if p not in node.pods], (
            node.name
        )
        if "pods" in node.allocatable:
            assert len(here) <= node.allocatable.to_vector(["pods"])[0]
        for pod in here:
            if pod in node.pods:
                continue
            # Node selector and taints.
            assert all(labels.get(k) == v for k, v in pod.node_selector)
            for taint in node.taints:
                if taint.effect != "PreferNoSchedule":
                    assert any(t.tolerates(taint) for t in pod.tolerations)
            # Anti-affinity by hostname, both ways.
            for other in here:
                if other is pod:
                    continue
                for term in pod.anti_affinity:
                    if term.topology_key == HOSTNAME:
                        assert not term.selector.matches(dict(other.labels)), (pod, other)
    # Spread by hostname: when every pod a rule counts carries the same rule and node selector
    # (and none ran before), placing them one by one keeps the final skew within maxSkew.
    for pod in pods:
        for rule in pod.spread:
            counted = [p for p in pods if rule.selector.matches(dict(p.labels))]
            if any(p.spread != pod.spread or p.node_selector != pod.node_selector for p in counted):
                continue
            if any(rule.selector.matches(dict(p.labels)) for n in nodes for p in n.pods):
                continue
            eligible = [
                n for n in nodes if all(dict(n.labels).get(k) == v for k, v in pod.node_selector)
            ]
            counts = [
                sum(1 for p in residents[n.name] if rule.selector.matches(dict(p.labels)))
                for n in eligible
            ]
            if counts:
                assert max(counts) - min(counts) <= rule.max_skew, (rule, counts)
    report = {r.name: r for r in placement.nodes}
    for pod_name, node_name in placement.assignments:
        assert pod_name in report[node_name].pods
    assert placement.fits == (not placement.unplaced)
    _ = by_node


def node(name: str, cpu: str = "4", memory: str = "16Gi", **kw: object) -> Node:
    return Node(name, {"cpu": cpu, "memory": memory}, **kw)  # type: ignore[arg-type]


class TestFilters:
    def test_node_selector(self) -> None:
        nodes = [node("a"), node("b", labels={"disk": "ssd"})]
        pods = [Pod("db", {"cpu": "1"}, node_selector={"disk": "ssd"})]
        result = place(pods, nodes)
        check_placement(result, pods, nodes)
        assert result.node_of("db") == "b"
        unplaced = place(pods, [node("a")]).unplaced
        assert unplaced[0].reason == "no node matches nodeSelector disk=ssd"

    def test_taints_and_tolerations(self) -> None:
        gpu = node("gpu", taints=[Taint("dedicated", "gpu")])
        pods = [
            Pod("train", {"cpu": "1"}, tolerations=[Toleration("dedicated", "Equal", "gpu")]),
            Pod("web", {"cpu": "1"}),
        ]
        result = place(pods, [gpu])
        check_placement(result, pods, [gpu])
        assert result.assignments == (("train", "gpu"),)
        assert result.unplaced[0].reason == "no node tolerates taint dedicated=gpu:NoSchedule"

    def test_prefer_no_schedule_is_not_a_filter(self) -> None:
        soft = node("soft", taints=[Taint("spot", "true", "PreferNoSchedule")])
        assert place([Pod("web", {"cpu": "1"})], [soft]).fits

    def test_toleration_matching(self) -> None:
        taint = Taint("k", "v", "NoExecute")
        assert Toleration("k", "Exists").tolerates(taint)
        assert Toleration(operator="Exists").tolerates(taint)
        assert not Toleration("k", "Equal", "w").tolerates(taint)
        assert not Toleration("k", "Equal", "v", "NoSchedule").tolerates(taint)
        assert Toleration("k", "Equal", "v", "NoExecute").tolerates(taint)

    def test_pod_slots(self) -> None:
        small = Node("a", {"cpu": "4", "memory": "16Gi", "pods": "2"})
        pods = [Pod(f"p{k}", {"cpu": "100m"}) for k in range(3)]
        result = place(pods, [small])
        check_placement(result, pods, [small])
        assert len(result.assignments) == 2
        assert "1 node at their pod limit" in result.unplaced[0].reason

    def test_anti_affinity_one_per_node(self) -> None:
        nodes = [node(n) for n in "abc"]
        rule = PodAntiAffinity({"app": "web"})
        pods = [
            Pod(f"web-{k}", {"cpu": "100m"}, {"app": "web"}, anti_affinity=[rule]) for k in range(4)
        ]
        result = place(pods, nodes)
        check_placement(result, pods, nodes)
        assert sorted(n for _, n in result.assignments) == ["a", "b", "c"]
        assert result.unplaced[0].pod == "web-3"
        assert "pod anti-affinity rules out 3 nodes with room" in result.unplaced[0].reason

    def test_anti_affinity_is_symmetric(self) -> None:
        guard = Pod(
            "guard",
            {"cpu": "100m"},
            {"app": "guard"},
            anti_affinity=[PodAntiAffinity({"app": "noisy"})],
        )
        busy = node("a", pods=[guard])
        result = place([Pod("noisy", {"cpu": "100m"}, {"app": "noisy"})], [busy])
        assert not result.fits
        assert "guard keeps pods matching {app=noisy} away" in result.unplaced[0].reason

    def test_anti_affinity_ignores_other_namespaces(self) -> None:
        rule = PodAntiAffinity({"app": "web"})
        pods = [
            Pod("a/web", {"cpu": "1"}, {"app": "web"}, anti_affinity=[rule], namespace="a"),
            Pod("b/web", {"cpu": "1"}, {"app": "web"}, anti_affinity=[rule], namespace="b"),
        ]
        assert place(pods, [node("n")]).fits

    def test_topology_spread_over_nodes(self) -> None:
        nodes = [node("a"), node("b")]
        rule = TopologySpread(1, {"app": "web"})
        pods = [Pod(f"web-{k}", {"cpu": "100m"}, {"app": "web"}, spread=[rule]) for k in range(5)]
        result = place(pods, nodes, "first_fit")
        check_placement(result, pods, nodes)
        assert Counter(n for _, n in result.assignments) == {"a": 3, "b": 2}

    def test_topology_spread_blocks_when_the_other_domain_is_full(self) -> None:
        nodes = [node("a"), node("b", cpu="100m")]
        rule = TopologySpread(1, {"app": "web"})
        pods = [Pod(f"web-{k}", {"cpu": "100m"}, {"app": "web"}, spread=[rule]) for k in range(4)]
        result = place(pods, nodes, "first_fit")
        check_placement(result, pods, nodes)
        assert len(result.assignments) == 3
        assert "topology spread rules out 1 node with room (maxSkew 1" in result.unplaced[0].reason

    def test_existing_usage_counts(self) -> None:
        busy = Node("a", {"cpu": "1", "memory": "1Gi"}, requested={"cpu": "900m"})
        result = place([Pod("p", {"cpu": "200m"})], [busy])
        assert result.unplaced[0].reason == (
            "cpu: needs 200m, largest free 100m on 1 eligible node"
        )


class TestReasons:
    def test_mixed_reasons_are_counted(self) -> None:
        nodes = [
            node("a", labels={"zone": "x"}),
            node("b", labels={"zone": "y"}, taints=[Taint("dedicated", "gpu")]),
            node("c", cpu="250m", labels={"zone": "y"}),
            node("d", cpu="300m", labels={"zone": "y"}),
        ]
        pod = Pod("p", {"cpu": "400m"}, node_selector={"zone": "y"})
        reason = place([pod], nodes).unplaced[0].reason
        assert reason == (
            "1 of 4 nodes do not match nodeSelector zone=y; "
            "1 node with untolerated taint dedicated=gpu:NoSchedule; "
            "cpu: needs 400m, largest free 300m on 2 eligible nodes"
        )

    def test_two_resources_that_do_not_fit_together(self) -> None:
        nodes = [node("cpu-rich", cpu="4", memory="1Gi"), node("mem-rich", cpu="1", memory="8Gi")]
        reason = place([Pod("p", {"cpu": "2", "memory": "2Gi"})], nodes).unplaced[0].reason
        assert reason == "no eligible node has room for cpu 2 and memory 2Gi at once (2 nodes)"

    def test_missing_extended_resource(self) -> None:
        reason = place([Pod("p", {"nvidia.com/gpu": "1"})], [node("a")]).unplaced[0].reason
        assert reason == "nvidia.com/gpu: needs 1, largest free 0 on 1 eligible node"

    def test_no_nodes(self) -> None:
        assert place([Pod("p")], []).unplaced[0].reason == "no nodes to place on"


class TestScoring:
    def test_least_allocated_spreads_and_most_allocated_packs(self) -> None:
        nodes = [node("a"), node("b")]
        pods = [Pod(f"p{k}", {"cpu": "500m", "memory": "1Gi"}) for k in range(4)]
        spread = place(pods, nodes, "LeastAllocated")
        packed = place(pods, nodes, "MostAllocated")
        assert Counter(n for _, n in spread.assignments) == {"a": 2, "b": 2}
        assert Counter(n for _, n in packed.assignments) == {"a": 4}
        assert packed.nodes_used == 1
        assert spread.nodes_used == 2

    def test_balanced_allocation_prefers_the_balancing_node(self) -> None:
        cpu_heavy = Node("cpu-heavy", {"cpu": "4", "memory": "16Gi"}, requested={"cpu": "3"})
        mem_heavy = Node("mem-heavy", {"cpu": "4", "memory": "16Gi"}, requested={"memory": "12Gi"})
        pod = Pod("p", {"cpu": "2", "memory": "1Gi"})
        assert (
            place([pod], [cpu_heavy, mem_heavy], "BalancedAllocation").node_of("p") == "mem-heavy"
        )

    @pytest.mark.parametrize("strategy", PLACEMENT_STRATEGIES)
    @settings(max_examples=25)
    @given(data=st.data())
    def test_no_strategy_breaks_a_constraint(self, strategy: str, data: st.DataObject) -> None:
        nodes = [
            Node(
                f"n{k}",
                {"cpu": f"{data.draw(st.integers(1, 8))}", "memory": "8Gi", "pods": "6"},
                labels={"zone": data.draw(st.sampled_from("xy"))},
                taints=data.draw(st.sampled_from([[], [Taint("dedicated", "gpu")]])),
                pods=[
                    Pod(
                        f"old-{k}-{j}",
                        {"cpu": "500m"},
                        {"app": "db"},
                        anti_affinity=[PodAntiAffinity({"app": "db"})],
                    )
                    for j in range(data.draw(st.integers(0, 1)))
                ],
            )
            for k in range(data.draw(st.integers(1, 5)))
        ]
        pods = []
        for k in range(data.draw(st.integers(0, 25))):
            app = data.draw(st.sampled_from(["web", "db", "batch"]))
            pods.append(
                Pod(
                    f"p{k}",
                    {"cpu": f"{data.draw(st.integers(1, 20)) * 100}m", "memory": "512Mi"},
                    {"app": app},
                    node_selector=data.draw(st.sampled_from([{}, {"zone": "x"}])),
                    tolerations=data.draw(st.sampled_from([[], [Toleration(operator="Exists")]])),
                    anti_affinity=[PodAntiAffinity({"app": "db"})] if app == "db" else [],
                    spread=[TopologySpread(1, {"app": "web"})] if app == "web" else [],
                )
            )
        result = place(pods, nodes, strategy)
        check_placement(result, pods, nodes)
        assert place(pods, nodes, strategy) == result


class TestEstimate:
    def test_batch_optimal_estimate(self) -> None:
        pods = [Pod(f"api-{k}", {"cpu": "1500m", "memory": "2Gi"}) for k in range(5)]
        pods += [Pod(f"job-{k}", {"cpu": "500m", "memory": "6Gi"}) for k in range(3)]
        estimate = estimate_nodes(pods, {"cpu": "4", "memory": "16Gi"})
        assert (estimate.nodes, estimate.lower_bound, estimate.optimal) == (3, 3, True)
        assert sorted(name for b in estimate.bins for name in b) == sorted(p.name for p in pods)

    def test_unfit_pods_are_reported(self) -> None:
        pods = [Pod("big", {"cpu": "8"}), Pod("gpu", {"cpu": "1"}, node_selector={"gpu": "yes"})]
        estimate = estimate_nodes(pods, {"cpu": "4", "memory": "16Gi"})
        assert estimate.nodes == 0
        reasons = {u.pod: u.reason for u in estimate.unplaced}
        assert reasons["big"] == "cpu: needs 8, largest free 4 on 1 empty node"
        assert reasons["gpu"] == "no node matches nodeSelector gpu=yes"

    def test_anti_affinity_sets_the_bound(self) -> None:
        rule = PodAntiAffinity({"app": "db"})
        pods = [
            Pod(f"db-{k}", {"cpu": "100m"}, {"app": "db"}, anti_affinity=[rule]) for k in range(4)
        ]
        estimate = estimate_nodes(pods, {"cpu": "4", "memory": "16Gi"})
        assert estimate.nodes == estimate.lower_bound == 4
        assert all(len(b) == 1 for b in estimate.bins)

    def test_pod_slots_are_a_dimension(self) -> None:
        pods = [Pod(f"p{k}", {"cpu": "10m"}) for k in range(25)]
        estimate = estimate_nodes(pods, {"cpu": "4", "memory": "16Gi", "pods": "10"})
        assert estimate.nodes == 3

    def test_bare_shapes_carry_linux_labels(self) -> None:
        pod = Pod("p", {"cpu": "1"}, node_selector={"kubernetes.io/os": "linux"})
        assert estimate_nodes([pod], ResourceList({"cpu": "2"})).nodes == 1

    def test_matches_the_generic_core(self) -> None:
        pods = [Pod(f"p{k}", {"cpu": f"{100 * (k % 7 + 1)}m", "memory": "1Gi"}) for k in range(40)]
        estimate = estimate_nodes(pods, {"cpu": "2", "memory": "8Gi"}, "first_fit_decreasing")
        sizes = [p.requests.to_vector(["cpu", "memory"]) for p in pods]
        assert estimate.lower_bound == lower_bound(sizes, [2000, 8 * 2**30])


class TestErrors:
    def test_unknown_strategy(self) -> None:
        with pytest.raises(InvalidValueError, match="strategy"):
            place([], [], "Random")
        with pytest.raises(InvalidValueError, match="strategy"):
            estimate_nodes([], {"cpu": "1"}, "Random")

    def test_duplicate_names(self) -> None:
        with pytest.raises(InvalidValueError, match="two pods have this name"):
            place([Pod("p"), Pod("p")], [])
        with pytest.raises(InvalidValueError, match="two nodes have this name"):
            place([], [node("a"), node("a")])

    def test_bad_values(self) -> None:
        with pytest.raises(InvalidValueError):
            Pod("")
        with pytest.raises(InvalidValueError):
            Pod("p", labels={"app": 3})  # type: ignore[dict-item]
        with pytest.raises(InvalidValueError):
            TopologySpread(0, {"app": "web"})
        with pytest.raises(InvalidValueError):
            Taint("k", effect="Sometimes")  # type: ignore[arg-type]
        with pytest.raises(InvalidValueError):
            LabelSelector(expressions=[("k", "Near", ())])
        with pytest.raises(InvalidValueError):
            Pod("p", tolerations=["dedicated"])  # type: ignore[list-item]

    def test_selector_semantics(self) -> None:
        selector = LabelSelector(
            {"app": "web"},
            [("tier", "NotIn", ("db",)), ("canary", "DoesNotExist", ()), ("env", "Exists", ())],
        )
        assert selector.matches({"app": "web", "env": "prod"})
        assert not selector.matches({"app": "web", "env": "prod", "tier": "db"})
        assert not selector.matches({"app": "web", "env": "prod", "canary": "1"})
        assert not selector.matches({"app": "web"})
