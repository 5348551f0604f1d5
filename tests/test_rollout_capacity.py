"""check_rollout: every step's pods placed with orchkit.binpack.place; deadlocks and their fixes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchkit._cli import main
from orchkit.binpack import Node, Taint
from orchkit.errors import InvalidValueError, ManifestError
from orchkit.rollout import Recreate, RollingUpdate, check_plan, check_rollout


def deployment(
    name: str = "web",
    replicas: int = 3,
    cpu: str = "1",
    *,
    anti_affinity: bool = False,
    strategy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "containers": [
            {"name": name, "image": f"{name}:2", "resources": {"requests": {"cpu": cpu}}}
        ]
    }
    if anti_affinity:
        term = {
            "labelSelector": {"matchLabels": {"app": name}},
            "topologyKey": "kubernetes.io/hostname",
        }
        spec["affinity"] = {
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        }
    manifest: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }
    if strategy is not None:
        manifest["spec"]["strategy"] = strategy
    return manifest


def nodes(count: int, cpu: str = "4") -> list[Node]:
    return [Node(f"node-{k}", {"cpu": cpu, "memory": "16Gi", "pods": "110"}) for k in range(count)]


def test_anti_affinity_on_three_nodes_deadlocks() -> None:
    """kubernetes#116891: 3 replicas, one per node, 3 nodes, the default 25%/25%."""
    check = check_rollout(deployment(anti_affinity=True), nodes(3))
    assert not check.completes
    assert check.blocked_step == 1
    assert check.plan.steps[0].pending == 1
    assert check.reason is not None
    assert "anti-affinity" in check.reason
    assert check.fix is not None
    assert check.fix.kind == "strategy"
    assert check.fix.strategy == RollingUpdate("25%", 1)
    assert check.fix.plan.outcome == "complete"
    assert check_plan(check.fix.plan) == ()
    kinds = [fix.kind for fix in check.alternatives]
    assert kinds == ["strategy", "nodes", "recreate"]
    assert check.alternatives[1].extra_nodes == 1
    assert check.summary().splitlines()[0] == "web: the rollout would deadlock at step 1"
    assert "web-old-0 matches" in check.reason


def test_one_replica_on_a_full_cluster_deadlocks() -> None:
    """25% of 1 replica: surge 1, unavailable 0; the node has room for one pod only."""
    check = check_rollout(deployment(replicas=1, cpu="3"), nodes(1))
    assert not check.completes
    assert check.reason is not None
    assert check.reason.startswith("cpu: needs 3")
    assert check.fix is not None
    assert check.fix.plan.outcome == "complete"
    assert [fix.kind for fix in check.alternatives] == ["strategy", "nodes", "recreate"]


def test_the_fix_is_proven_on_the_same_model() -> None:
    fixed = check_rollout(
        deployment(anti_affinity=True), nodes(3), strategy=RollingUpdate("25%", 1)
    )
    assert fixed.completes
    assert fixed.fix is None


def test_roomy_cluster() -> None:
    check = check_rollout(deployment(replicas=10), nodes(4))
    assert check.completes
    assert check.blocked_step is None
    assert check.reason is None
    assert "completes on these nodes" in check.summary()


def test_tight_cluster_completes_with_pods_waiting() -> None:
    check = check_rollout(deployment(replicas=10), nodes(3))  # 12 CPUs for up to 13 pods
    assert check.completes
    assert check.blocked_step is not None
    assert "Pending" in check.summary()


def test_only_more_nodes_help_when_even_recreate_does_not_fit() -> None:
    check = check_rollout(deployment(replicas=3, cpu="2"), nodes(1), previous=deployment(cpu="1"))
    assert not check.completes
    assert check.fix is not None
    assert check.fix.kind == "nodes"
    assert check.fix.extra_nodes == 1
    assert [fix.kind for fix in check.alternatives] == ["nodes"]


def test_taints_are_respected() -> None:
    tainted = [Node("gpu", {"cpu": "64", "memory": "256Gi"}, taints=[Taint("gpu", "yes")])]
    check = check_rollout(deployment(replicas=1), [*nodes(1, cpu="1"), *tainted])
    assert not check.completes
    assert check.reason is not None
    assert "taint" in check.reason


def test_recreate_strategy_from_the_manifest() -> None:
    check = check_rollout(deployment(strategy={"type": "Recreate"}, anti_affinity=True), nodes(3))
    assert check.completes
    assert check.plan.strategy == Recreate()


def test_bad_input() -> None:
    with pytest.raises(InvalidValueError, match="placement"):
        check_rollout(deployment(), nodes(1), placement="first_fit_decreasing")
    with pytest.raises(InvalidValueError, match="max_extra_nodes"):
        check_rollout(deployment(), nodes(1), max_extra_nodes=-1)
    with pytest.raises(ManifestError, match="kind"):
        check_rollout({"kind": "Service", "metadata": {"name": "x"}}, nodes(1))
    bad = copy.deepcopy(deployment())
    bad["spec"]["strategy"] = {"rollingUpdate": {"maxSurge": "5"}}
    with pytest.raises(ManifestError, match="maxSurge"):
        check_rollout(bad, nodes(1))


def _node_manifest(name: str, cpu: str) -> dict[str, Any]:
    return {
        "kind": "Node",
        "metadata": {"name": name},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi"}},
    }


def test_cli_nodes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workload = tmp_path / "web.yaml"
    workload.write_text(yaml.safe_dump(deployment(anti_affinity=True)), encoding="utf-8")
    cluster = tmp_path / "nodes.yaml"
    cluster.write_text(
        yaml.safe_dump_all([_node_manifest(f"node-{k}", "4") for k in range(3)]), encoding="utf-8"
    )
    assert main(["rollout", "-f", str(workload), "--nodes", str(cluster)]) == 1
    out = capsys.readouterr().out
    assert "would deadlock at step 1" in out
    assert "fix: set maxUnavailable 1" in out
    args = ["rollout", "-f", str(workload), "--nodes", str(cluster), "--max-unavailable", "1"]
    assert main([*args, "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["capacity"]["completes"] is True
    empty = tmp_path / "none.yaml"
    empty.write_text("kind: Service\n", encoding="utf-8")
    assert main(["rollout", "-f", str(workload), "--nodes", str(empty)]) == 2
    assert "no kind: Node" in capsys.readouterr().err
