"""The embedded example (package data) and the resources section of the demo."""

from __future__ import annotations

import io
from importlib import resources

import yaml

from orchkit._demo_resources import NODE, pods_per_node, section
from orchkit._examples import NGINX_DEPLOYMENT, nginx_deployment
from orchkit.resources import QOSClass, ResourceList, pod_limits, pod_requests, qos_class


def test_nginx_deployment_is_package_data() -> None:
    """The file sits inside the package, where importlib.resources (and the wheel) find it."""
    data = resources.files("orchkit") / "data" / NGINX_DEPLOYMENT
    assert data.is_file()
    assert yaml.safe_load(data.read_text(encoding="utf-8")) == nginx_deployment()


def test_nginx_deployment_is_the_articles() -> None:
    deployment = nginx_deployment()
    assert deployment["kind"] == "Deployment"
    spec = deployment["spec"]
    assert spec["replicas"] == 10
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 10, "maxUnavailable": 5},
    }
    (container,) = spec["template"]["spec"]["containers"]
    assert container["name"] == "nginx"
    assert container["resources"] == {
        "requests": {"memory": "600M", "cpu": "400m"},
        "limits": {"memory": "1000M", "cpu": "600m"},
    }
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()


def test_each_call_returns_a_fresh_document() -> None:
    first = nginx_deployment()
    first["spec"]["replicas"] = 0
    assert nginx_deployment()["spec"]["replicas"] == 10


def test_nginx_pod_arithmetic() -> None:
    deployment = nginx_deployment()
    assert pod_requests(deployment) == ResourceList({"cpu": "400m", "memory": "600M"})
    assert pod_limits(deployment) == ResourceList({"cpu": "600m", "memory": "1000M"})
    assert qos_class(deployment) is QOSClass.BURSTABLE


def test_pods_per_node() -> None:
    pod = ResourceList({"cpu": "400m", "memory": "600M"})
    assert pods_per_node(pod, NODE) == (10, "cpu")
    assert pods_per_node(ResourceList({"cpu": "100m", "memory": "2Gi"}), NODE) == (8, "memory")
    assert pods_per_node(ResourceList({"cpu": "5"}), NODE) == (0, "cpu")
    assert pods_per_node(ResourceList({"nvidia.com/gpu": "1"}), NODE) == (0, "nvidia.com/gpu")
    assert pods_per_node(ResourceList({"cpu": "0"}), NODE) == (-1, None)


def test_section_is_deterministic() -> None:
    first, second = io.StringIO(), io.StringIO()
    section(first)
    section(second)
    assert first.getvalue() == second.getvalue()
    assert "dominant share  1/10 of the node per pod (10.0%)" in first.getvalue()
