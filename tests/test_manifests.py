"""Pods and nodes from manifests; the shared Online Boutique and Sock Shop manifests pack."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchkit.binpack import (
    Node,
    estimate_nodes,
    flatten_manifests,
    nodes_from_manifests,
    place,
    pods_from_manifests,
)
from orchkit.errors import ManifestError


def container(cpu: str = "100m", memory: str = "128Mi") -> dict:
    return {"name": "c", "resources": {"requests": {"cpu": cpu, "memory": memory}}}


def deployment(name: str, replicas: int | None = 2, **spec: object) -> dict:
    pod_spec = {"containers": [container()], **spec}
    body: dict = {"template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}}
    if replicas is not None:
        body["replicas"] = replicas
    return {"kind": "Deployment", "metadata": {"name": name}, "spec": body}


class TestPods:
    def test_replicas_and_defaults(self) -> None:
        pods = pods_from_manifests([deployment("web", 3), deployment("one", None)])
        assert [p.name for p in pods] == ["web-0", "web-1", "web-2", "one-0"]
        assert dict(pods[0].labels) == {"app": "web"}
        assert str(pods[0].requests) == "{cpu: 100m, memory: 128Mi}"

    def test_scheduling_fields(self) -> None:
        spec = {
            "nodeSelector": {"disk": "ssd"},
            "tolerations": [
                {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"},
                {"operator": "Exists"},
            ],
            "affinity": {
                "podAntiAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "labelSelector": {"matchLabels": {"app": "db"}},
                            "topologyKey": "kubernetes.io/hostname",
                        }
                    ]
                }
            },
            "topologySpreadConstraints": [
                {
                    "maxSkew": 1,
                    "topologyKey": "zone",
                    "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": {
                        "matchExpressions": [{"key": "app", "operator": "In", "values": ["db"]}]
                    },
                },
                {
                    "maxSkew": 1,
                    "topologyKey": "zone",
                    "whenUnsatisfiable": "ScheduleAnyway",
                    "labelSelector": {"matchLabels": {"app": "db"}},
                },
            ],
        }
        (pod, _) = pods_from_manifests([deployment("db", 2, **spec)])
        assert dict(pod.node_selector) == {"disk": "ssd"}
        assert len(pod.tolerations) == 2
        assert pod.tolerations[1].operator == "Exists"
        assert pod.anti_affinity[0].selector.matches({"app": "db"})
        assert len(pod.spread) == 1
        assert pod.spread[0].topology_key == "zone"

    def test_pods_lists_and_owners(self) -> None:
        pending = {
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "shop"},
            "spec": {"containers": [container()]},
        }
        running = {
            "kind": "Pod",
            "metadata": {"name": "r"},
            "spec": {"nodeName": "n1", "containers": [container("1")]},
        }
        done = {
            "kind": "Pod",
            "metadata": {"name": "d"},
            "status": {"phase": "Succeeded"},
            "spec": {"containers": [container()]},
        }
        owned = {
            "kind": "ReplicaSet",
            "metadata": {
                "name": "web-5d8",
                "ownerReferences": [{"kind": "Deployment", "name": "web"}],
            },
            "spec": deployment("x")["spec"],
        }
        job = {
            "kind": "Job",
            "metadata": {"name": "job"},
            "spec": {"parallelism": 2, "template": {"spec": {"containers": [container()]}}},
        }
        dump = {
            "kind": "List",
            "items": [
                pending,
                running,
                done,
                owned,
                job,
                {"kind": "Service", "metadata": {"name": "s"}},
            ],
        }
        assert [p.name for p in pods_from_manifests([dump])] == ["shop/p", "job-0", "job-1"]

    @pytest.mark.parametrize(
        ("doc", "field"),
        [
            (deployment("w", -1), "spec.replicas"),
            (deployment("w", 1, nodeSelector={"a": 1}), "spec.template.spec.nodeSelector.a"),
            (
                deployment("w", 1, tolerations=[{"operator": "Maybe"}]),
                "spec.template.spec.tolerations[0].operator",
            ),
            ({"kind": "Deployment", "metadata": {}}, "metadata.name"),
            (
                deployment("w", 1, topologySpreadConstraints=[{"maxSkew": 0, "topologyKey": "z"}]),
                "spec.template.spec.topologySpreadConstraints[0].maxSkew",
            ),
        ],
    )
    def test_bad_fields_name_their_path(self, doc: dict, field: str) -> None:
        with pytest.raises(ManifestError) as err:
            pods_from_manifests([doc])
        assert err.value.field == field

    def test_not_a_mapping(self) -> None:
        with pytest.raises(ManifestError):
            list(flatten_manifests(["text"]))


class TestNodes:
    def test_node_fields_and_running_pods(self) -> None:
        node = {
            "kind": "Node",
            "metadata": {"name": "n1", "labels": {"zone": "a"}},
            "spec": {
                "unschedulable": True,
                "taints": [{"key": "gpu", "value": "yes", "effect": "NoExecute"}],
            },
            "status": {"capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"}},
        }
        running = {
            "kind": "Pod",
            "metadata": {"name": "r"},
            "spec": {"nodeName": "n1", "containers": [container("1")]},
        }
        (n1,) = nodes_from_manifests([node, running])
        assert [str(t) for t in n1.taints] == [
            "gpu=yes:NoExecute",
            "node.kubernetes.io/unschedulable:NoSchedule",
        ]
        assert [p.name for p in n1.pods] == ["r"]
        assert dict(n1.labels)["kubernetes.io/hostname"] == "n1"

    def test_bad_allocatable(self) -> None:
        node = {"kind": "Node", "metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "x"}}}
        with pytest.raises(ManifestError) as err:
            nodes_from_manifests([node])
        assert err.value.field == "status.allocatable.cpu"


def load(shared: Path) -> list[object]:
    docs: list[object] = []
    for path in sorted((shared / "data" / "manifests").glob("*.yaml")):
        docs += list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    return docs


def test_shared_manifests_load_and_pack(shared: Path) -> None:
    pods = pods_from_manifests(load(shared))
    assert len(pods) == 26  # 12 Online Boutique + 14 Sock Shop deployments, one replica each
    estimate = estimate_nodes(pods, {"cpu": "1", "memory": "2Gi"})
    assert not estimate.unplaced
    assert estimate.nodes >= estimate.lower_bound >= 3
    nodes = [
        Node(
            f"n{k}",
            {"cpu": "2", "memory": "4Gi"},
            {"kubernetes.io/os": "linux", "beta.kubernetes.io/os": "linux"},
        )
        for k in range(2)
    ]
    assert place(pods, nodes, "MostAllocated").fits
