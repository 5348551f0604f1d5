"""Pod arithmetic: effective requests and limits (KEP-753 sidecars, overhead, pod-level), QoS."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from orchkit.errors import ManifestError, OrchkitError
from orchkit.resources import QOSClass, Quantity, ResourceList, pod_limits, pod_requests, qos_class

G, B, BE = QOSClass.GUARANTEED, QOSClass.BURSTABLE, QOSClass.BEST_EFFORT


def container(
    requests: Mapping[str, object] | None = None,
    limits: Mapping[str, object] | None = None,
    *,
    sidecar: bool = False,
    name: str = "c",
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "image": "busybox"}
    resources: dict[str, Any] = {}
    if requests is not None:
        resources["requests"] = dict(requests)
    if limits is not None:
        resources["limits"] = dict(limits)
    if resources:
        out["resources"] = resources
    if sidecar:
        out["restartPolicy"] = "Always"
    return out


def pod(
    *containers: dict[str, Any],
    init: list[dict[str, Any]] | None = None,
    resources: Mapping[str, object] | None = None,
    overhead: Mapping[str, object] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers)}
    if init is not None:
        spec["initContainers"] = init
    if resources is not None:
        spec["resources"] = resources
    if overhead is not None:
        spec["overhead"] = overhead
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


def rl(**values: str) -> ResourceList:
    return ResourceList({k.replace("_", "-"): v for k, v in values.items()})


# -- effective requests: one table row per rule --------------------------------------------------

REQUEST_CASES = [
    (
        "one container",
        pod(container({"cpu": "400m", "memory": "600M"})),
        rl(cpu="400m", memory="600M"),
    ),
    (
        "containers are summed",
        pod(container({"cpu": "400m", "memory": "600M"}), container({"cpu": "100m"})),
        rl(cpu="500m", memory="600M"),
    ),
    (
        "init container peak wins per resource",
        pod(
            container({"cpu": "500m", "memory": "1Gi"}),
            init=[container({"cpu": "2", "memory": "64Mi"})],
        ),
        rl(cpu="2", memory="1Gi"),
    ),
    (
        "init containers take the max, not the sum",
        pod(container({"cpu": "100m"}), init=[container({"cpu": "1"}), container({"cpu": "2"})]),
        rl(cpu="2"),
    ),
    (
        "sidecar before a regular init container runs next to it",
        pod(
            container({"cpu": "500m"}),
            init=[container({"cpu": "100m"}, sidecar=True), container({"cpu": "2"})],
        ),
        rl(cpu="2100m"),
    ),
    (
        "sidecar after a regular init container does not",
        pod(
            container({"cpu": "500m"}),
            init=[container({"cpu": "2"}), container({"cpu": "100m"}, sidecar=True)],
        ),
        rl(cpu="2"),
    ),
    (
        "sidecars accumulate",
        pod(
            container({"cpu": "500m"}),
            init=[
                container({"cpu": "100m"}, sidecar=True),
                container({"cpu": "200m"}, sidecar=True),
                container({"cpu": "1"}),
            ],
        ),
        rl(cpu="1300m"),
    ),
    (
        "sidecars add to the running sum",
        pod(
            container({"cpu": "1", "memory": "1Gi"}),
            init=[container({"memory": "3Gi"}, sidecar=True)],
        ),
        rl(cpu="1", memory="4Gi"),
    ),
    (
        "restartPolicy other than Always is a regular init container",
        pod(
            container({"cpu": "1"}), init=[container({"cpu": "500m"}) | {"restartPolicy": "Never"}]
        ),
        rl(cpu="1"),
    ),
    (
        "overhead is added",
        pod(container({"cpu": "1", "memory": "1Gi"}), overhead={"cpu": "250m", "memory": "120Mi"}),
        rl(cpu="1250m", memory="1144Mi"),
    ),
    (
        "overhead names new resources too",
        pod(container({"cpu": "1"}), overhead={"memory": "120Mi"}),
        rl(cpu="1", memory="120Mi"),
    ),
    (
        "request defaults to limit",
        pod(container(limits={"cpu": "1", "memory": "1Gi"})),
        rl(cpu="1", memory="1Gi"),
    ),
    (
        "request defaults to limit per resource",
        pod(container({"cpu": "500m"}, {"cpu": "1", "memory": "1Gi"})),
        rl(cpu="500m", memory="1Gi"),
    ),
    (
        "init container request defaults to limit",
        pod(container({"cpu": "100m"}), init=[container(limits={"cpu": "3"})]),
        rl(cpu="3"),
    ),
    (
        "pod-level requests replace cpu and memory only",
        pod(
            container({"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"}),
            resources={"requests": {"cpu": "2"}},
        ),
        ResourceList({"cpu": "2", "memory": "1Gi", "nvidia.com/gpu": "1"}),
    ),
    (
        "pod-level requests replace hugepages",
        pod(container({"hugepages-2Mi": "2Mi"}), resources={"requests": {"hugepages-2Mi": "8Mi"}}),
        ResourceList({"hugepages-2Mi": "8Mi"}),
    ),
    (
        "pod-level unsupported resources are ignored",
        pod(
            container({"ephemeral-storage": "1Gi"}),
            resources={"requests": {"ephemeral-storage": "5Gi"}},
        ),
        rl(ephemeral_storage="1Gi"),
    ),
    (
        "pod-level request defaults to the containers' aggregate, then to the pod-level limit",
        pod(container({"cpu": "500m"}), resources={"limits": {"cpu": "2", "memory": "4Gi"}}),
        rl(cpu="500m", memory="4Gi"),
    ),
    (
        "overhead is added on top of pod-level requests",
        pod(container(), resources={"requests": {"cpu": "1"}}, overhead={"cpu": "100m"}),
        rl(cpu="1100m"),
    ),
    (
        "values are rounded up to milli as the API server stores them",
        pod(container({"cpu": "0.30000000000000004", "memory": "1.5n"})),
        rl(cpu="301m", memory="1m"),
    ),
    (
        "fractional memory stays fractional at milli",
        pod(container({"memory": "0.9Gi"})),
        rl(memory="966367641600m"),
    ),
    (
        "manifest numbers are quantities",
        pod(container({"cpu": 0.5, "memory": 1073741824, "nvidia.com/gpu": 1})),
        ResourceList({"cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": "1"}),
    ),
    ("no resources at all", pod(container(), init=[container()]), ResourceList()),
    ("explicit zeros are listed", pod(container({"cpu": "0"})), rl(cpu="0")),
]


@pytest.mark.parametrize(
    ("manifest", "expected"), [c[1:] for c in REQUEST_CASES], ids=[c[0] for c in REQUEST_CASES]
)
def test_pod_requests(manifest: dict[str, Any], expected: ResourceList) -> None:
    assert pod_requests(manifest) == expected


LIMIT_CASES = [
    (
        "containers are summed; a container without a limit adds nothing",
        pod(container(limits={"cpu": "1", "memory": "1Gi"}), container(limits={"memory": "128Mi"})),
        rl(cpu="1", memory="1152Mi"),
    ),
    (
        "init peaks with sidecars",
        pod(
            container(limits={"cpu": "500m"}),
            init=[container(limits={"cpu": "100m"}, sidecar=True), container(limits={"cpu": "2"})],
        ),
        rl(cpu="2100m"),
    ),
    (
        "overhead goes to present non-zero limits only",
        pod(
            container(limits={"cpu": "1", "memory": "0"}),
            overhead={"cpu": "250m", "memory": "120Mi", "ephemeral-storage": "1Gi"},
        ),
        rl(cpu="1250m", memory="0"),
    ),
    (
        "requests do not make limits",
        pod(container({"cpu": "1"}), overhead={"cpu": "250m"}),
        ResourceList(),
    ),
    (
        "pod-level limits replace the aggregate",
        pod(container(limits={"cpu": "1", "memory": "1Gi"}), resources={"limits": {"cpu": "4"}}),
        rl(cpu="4", memory="1Gi"),
    ),
    (
        "pod-level requests alone leave container limits",
        pod(container(limits={"cpu": "1"}), resources={"requests": {"memory": "1Gi"}}),
        rl(cpu="1"),
    ),
    (
        "hugepage limits default to the containers' aggregate at the pod level",
        pod(
            container(limits={"hugepages-2Mi": "4Mi"}),
            container(limits={"hugepages-2Mi": "2Mi"}),
            resources={"limits": {"cpu": "1"}},
        ),
        ResourceList({"cpu": "1", "hugepages-2Mi": "6Mi"}),
    ),
]


@pytest.mark.parametrize(
    ("manifest", "expected"), [c[1:] for c in LIMIT_CASES], ids=[c[0] for c in LIMIT_CASES]
)
def test_pod_limits(manifest: dict[str, Any], expected: ResourceList) -> None:
    assert pod_limits(manifest) == expected


# -- QoS -----------------------------------------------------------------------------------------

FULL = {"cpu": "1", "memory": "1Gi"}

QOS_CASES = [
    ("no resources", pod(container()), BE),
    (
        "only other resources",
        pod(container({"ephemeral-storage": "1Gi"}, {"nvidia.com/gpu": "1"})),
        BE,
    ),
    (
        "zero cpu and memory count as absent",
        pod(container({"cpu": "0"}, {"cpu": "0", "memory": "0"})),
        BE,
    ),
    ("requests equal limits", pod(container(FULL, FULL)), G),
    ("limits only (requests default to them)", pod(container(limits=FULL)), G),
    ("1 == 1000m", pod(container({"cpu": "1000m", "memory": "1073741824"}, FULL)), G),
    (
        "requests rounded up to equal limits",
        pod(container({"cpu": "0.9999"}, {"cpu": "1", "memory": "1Gi"})),
        G,
    ),
    ("other resources do not matter", pod(container(FULL | {"ephemeral-storage": "1Gi"}, FULL)), G),
    (
        "every container guaranteed",
        pod(container(FULL, FULL), container(limits={"cpu": "2", "memory": "2Gi"})),
        G,
    ),
    (
        "requests below limits",
        pod(container({"cpu": "400m", "memory": "600M"}, {"cpu": "600m", "memory": "1000M"})),
        B,
    ),
    ("cpu only", pod(container({"cpu": "1"}, {"cpu": "1"})), B),
    ("requests only", pod(container(FULL)), B),
    ("guaranteed plus best-effort container", pod(container(FULL, FULL), container()), B),
    (
        "init container without limits",
        pod(container(FULL, FULL), init=[container({"cpu": "1"})]),
        B,
    ),
    ("best-effort init container", pod(container(FULL, FULL), init=[container()]), B),
    (
        "guaranteed sidecar",
        pod(container(FULL, FULL), init=[container(limits=FULL, sidecar=True)]),
        G,
    ),
    (
        "pod-level requests equal limits",
        pod(container(), resources={"requests": FULL, "limits": FULL}),
        G,
    ),
    ("pod-level limits only", pod(container(), resources={"limits": FULL}), G),
    (
        "pod-level limits with smaller container requests",
        pod(container({"cpu": "500m"}), resources={"limits": FULL}),
        B,
    ),
    ("pod-level requests only", pod(container(limits=FULL), resources={"requests": FULL}), B),
    ("pod-level cpu only", pod(container(FULL, FULL), resources={"limits": {"cpu": "1"}}), B),
]


@pytest.mark.parametrize(
    ("manifest", "expected"), [c[1:] for c in QOS_CASES], ids=[c[0] for c in QOS_CASES]
)
def test_qos_class(manifest: dict[str, Any], expected: QOSClass) -> None:
    assert qos_class(manifest) is expected


def test_qos_class_is_a_str_enum() -> None:
    assert qos_class(pod(container())) == "BestEffort"
    assert str(QOSClass.GUARANTEED) == "Guaranteed"
    assert f"{QOSClass.BURSTABLE}" == "Burstable"
    assert [c.value for c in QOSClass] == ["Guaranteed", "Burstable", "BestEffort"]


# -- documents: where the pod spec is found ------------------------------------------------------

SPEC = {"containers": [container({"cpu": "1"})]}
TEMPLATE = {"metadata": {"labels": {"app": "x"}}, "spec": SPEC}


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"kind": "Pod", "spec": SPEC}, id="Pod"),
        pytest.param(SPEC, id="PodSpec"),
        pytest.param(TEMPLATE, id="pod template"),
        pytest.param({"kind": "PodTemplate", "template": TEMPLATE}, id="PodTemplate"),
        pytest.param({"template": TEMPLATE}, id="template without kind"),
        *(
            pytest.param(
                {"apiVersion": "apps/v1", "kind": kind, "spec": {"template": TEMPLATE}}, id=kind
            )
            for kind in [
                "Deployment",
                "StatefulSet",
                "DaemonSet",
                "ReplicaSet",
                "ReplicationController",
                "Job",
            ]
        ),
        pytest.param({"spec": {"replicas": 3, "template": TEMPLATE}}, id="workload without kind"),
        pytest.param(
            {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}},
            id="CronJob",
        ),
        pytest.param(
            {"spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}}, id="CronJob without kind"
        ),
    ],
)
def test_documents(document: dict[str, Any]) -> None:
    assert pod_requests(document) == rl(cpu="1")
    assert pod_limits(document) == ResourceList()
    assert qos_class(document) is B


def deployment(*containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "spec": {"replicas": 2, "template": {"spec": {"containers": list(containers)}}},
    }


# -- errors: typed, naming the path from the document root --------------------------------------

ERROR_CASES = [
    (
        deployment(container({"cpu": "1"}), container({"cpu": "one"})),
        "spec.template.spec.containers[1].resources.requests.cpu",
        "one",
    ),
    (
        pod(container(), container(limits={"cpu": "1 "}, requests={"cpu": "1K"})),
        "spec.containers[1].resources.requests.cpu",
        "1K",
    ),
    (pod(container({"memory": "-1Gi"})), "spec.containers[0].resources.requests.memory", "-1Gi"),
    (pod(container({"memory": True})), "spec.containers[0].resources.requests.memory", True),
    (
        pod(container({"nvidia.com/gpu": "x"})),
        "spec.containers[0].resources.requests[nvidia.com/gpu]",
        "x",
    ),
    (pod(container({"cpu": "2"}, {"cpu": "1"})), "spec.containers[0].resources.requests.cpu", "2"),
    (
        pod(container(), init=[container({"cpu": "x"})]),
        "spec.initContainers[0].resources.requests.cpu",
        "x",
    ),
    (
        pod(container(), init=[container() | {"restartPolicy": "always"}]),
        "spec.initContainers[0].restartPolicy",
        "always",
    ),
    (pod(container() | {"resources": ["cpu"]}), "spec.containers[0].resources", ["cpu"]),
    (
        pod(container() | {"resources": {"requests": "1"}}),
        "spec.containers[0].resources.requests",
        "1",
    ),
    (
        pod(container() | {"resources": {"limits": {"": "1"}}}),
        "spec.containers[0].resources.limits",
        "",
    ),
    (pod("nginx"), "spec.containers[0]", "nginx"),  # type: ignore[arg-type]
    ({"kind": "Pod", "spec": {"containers": "nginx"}}, "spec.containers", "nginx"),
    ({"kind": "Pod", "spec": {"containers": []}}, "spec.containers", []),
    ({"kind": "Pod", "spec": {"initContainers": []}}, "spec.containers", None),
    ({"kind": "Pod", "spec": {"containers": [], "initContainers": 3}}, "spec.containers", []),
    ({"kind": "Pod", "spec": SPEC | {"initContainers": 3}}, "spec.initContainers", 3),
    ({"kind": "Pod"}, "spec", None),
    ({"kind": "Pod", "spec": []}, "spec", []),
    ({"kind": "Deployment", "spec": {"template": "x"}}, "spec.template", "x"),
    ({"kind": "Deployment", "spec": {"template": {}}}, "spec.template.spec", None),
    ({"kind": "Service", "spec": SPEC}, "kind", "Service"),
    ({"kind": 3, "spec": SPEC}, "kind", 3),
    ({}, "containers", None),
    (["not", "a", "mapping"], "manifest", ["not", "a", "mapping"]),
    ({"kind": "Pod", "spec": SPEC | {"overhead": {"cpu": "x"}}}, "spec.overhead.cpu", "x"),
    (
        pod(container(), resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}),
        "spec.resources.requests.cpu",
        "2",
    ),
    (
        pod(container({"cpu": "2"}), resources={"limits": {"cpu": "1"}}),
        "spec.resources.limits.cpu",
        "1",
    ),
]


@pytest.mark.parametrize(("manifest", "field", "value"), ERROR_CASES)
def test_manifest_errors_name_the_path(manifest: Any, field: str, value: object) -> None:
    for function in (pod_requests, pod_limits, qos_class):
        with pytest.raises(ManifestError) as info:
            function(manifest)
        err = info.value
        assert err.field == field
        assert err.value == value
        assert str(err).startswith(f"{field}: ")
        assert isinstance(err, OrchkitError)
        assert isinstance(err, ValueError)


# -- properties ----------------------------------------------------------------------------------

NAMES = ["cpu", "memory", "nvidia.com/gpu"]


@st.composite
def containers(draw: st.DrawFn, sidecar: bool = False) -> dict[str, Any]:
    """A valid container: every request at most its limit; values as manifests write them."""
    requests: dict[str, object] = {}
    limits: dict[str, object] = {}
    for name in draw(st.lists(st.sampled_from(NAMES), unique=True)):
        request = draw(st.integers(0, 10**7))
        how = draw(st.sampled_from(["request", "limit", "both"]))
        text = f"{request}m" if name == "cpu" else str(request)
        if how in ("request", "both"):
            requests[name] = text
        if how in ("limit", "both"):
            limit = request + draw(st.integers(0, 10**6))
            limits[name] = f"{limit}m" if name == "cpu" else limit
    return container(requests or None, limits or None, sidecar=sidecar)


init_containers = st.lists(st.booleans().flatmap(lambda s: containers(sidecar=s)), max_size=4)
regular_containers = st.lists(containers(), min_size=1, max_size=4)


def own(c: dict[str, Any], which: str) -> ResourceList:
    """A container's defaulted requests (or its limits), read without orchkit's pod code."""
    resources = c.get("resources", {})
    explicit = ResourceList.parse(resources.get(which) or {})
    if which == "limits":
        return explicit
    limits = ResourceList.parse(resources.get("limits") or {})
    return explicit + ResourceList({n: q for n, q in limits.items() if n not in explicit})


def oracle(
    regular: list[dict[str, Any]], init: list[dict[str, Any]], which: str
) -> dict[str, Fraction]:
    """KEP-753 by phases: the steady state (containers + all sidecars), and each regular init
    container running next to the sidecars started before it; the pod needs the maximum."""
    zero = Fraction(0)

    def values(c: dict[str, Any]) -> dict[str, Fraction]:
        return {n: q.as_fraction() for n, q in own(c, which).items()}

    names = {n for c in [*regular, *init] for n in values(c)}
    steady = {n: sum((values(c).get(n, zero) for c in regular), zero) for n in names}
    phases = [steady]
    started: dict[str, Fraction] = dict.fromkeys(names, zero)
    for c in init:
        if c.get("restartPolicy") == "Always":
            for n in names:
                started[n] += values(c).get(n, zero)
                steady[n] += values(c).get(n, zero)
        else:
            phases.append({n: started[n] + values(c).get(n, zero) for n in names})
    return {n: max(p[n] for p in phases) for n in names}


@given(regular_containers, init_containers)
def test_requests_and_limits_match_the_phase_oracle(
    regular: list[dict[str, Any]], init: list[dict[str, Any]]
) -> None:
    """pod_requests / pod_limits equal the maximum over the pod's phases (KEP-753)."""
    manifest = pod(*regular, init=init)
    for which, function in (("requests", pod_requests), ("limits", pod_limits)):
        got = function(manifest)
        assert {n: q.as_fraction() for n, q in got.items()} == oracle(regular, init, which)


@given(regular_containers, init_containers)
def test_requests_cover_every_container(
    regular: list[dict[str, Any]], init: list[dict[str, Any]]
) -> None:
    """The pod never requests less than any one of its containers needs."""
    requests = pod_requests(pod(*regular, init=init))
    for c in [*regular, *init]:
        assert own(c, "requests") <= requests


@given(regular_containers, init_containers, st.randoms(use_true_random=False))
def test_order_of_regular_containers_does_not_matter(
    regular: list[dict[str, Any]], init: list[dict[str, Any]], rng: Any
) -> None:
    """Shuffling spec.containers changes no result."""
    shuffled = list(regular)
    rng.shuffle(shuffled)
    a, b = pod(*regular, init=init), pod(*shuffled, init=init)
    assert pod_requests(a) == pod_requests(b)
    assert pod_limits(a) == pod_limits(b)
    assert qos_class(a) is qos_class(b)


@given(
    regular_containers,
    init_containers,
    st.dictionaries(st.sampled_from(NAMES), st.integers(0, 10**6)),
)
def test_overhead_adds_exactly(
    regular: list[dict[str, Any]], init: list[dict[str, Any]], overhead: dict[str, int]
) -> None:
    """Overhead adds to every request, and to exactly the non-zero limits."""
    plain = pod(*regular, init=init)
    loaded = pod(*regular, init=init, overhead=overhead)
    extra = ResourceList.parse(overhead)
    assert pod_requests(loaded) == pod_requests(plain) + extra
    limits = pod_limits(plain)
    expected = {n: q + extra[n] if n in extra and q else q for n, q in limits.items()}
    assert pod_limits(loaded) == expected


@given(st.lists(containers(), min_size=1, max_size=4))
def test_no_init_containers_means_a_plain_sum(regular: list[dict[str, Any]]) -> None:
    """Without init containers, requests are the sum of the containers' requests."""
    total = ResourceList()
    for c in regular:
        total = total + own(c, "requests")
    assert pod_requests(pod(*regular)) == total


@given(regular_containers, init_containers)
def test_requests_within_limits_when_everything_is_limited(
    regular: list[dict[str, Any]], init: list[dict[str, Any]]
) -> None:
    """When every container limits every resource, the pod's requests fit its limits."""
    every = {"cpu": "100000", "memory": 10**8, "nvidia.com/gpu": 10**8}

    def limited(c: dict[str, Any]) -> dict[str, Any]:
        resources = c.setdefault("resources", {})
        resources["limits"] = every | resources.get("limits", {})
        return c

    manifest = pod(*map(limited, regular), init=list(map(limited, init)))
    assert pod_requests(manifest) <= pod_limits(manifest)


@given(st.lists(st.tuples(st.integers(1, 10**6), st.integers(1, 10**6)), min_size=1, max_size=4))
def test_equal_requests_and_limits_are_guaranteed(values: list[tuple[int, int]]) -> None:
    """cpu and memory requests equal to their limits, however spelled, give Guaranteed."""
    regular = [
        container(
            {"cpu": f"{cpu}m", "memory": str(mem * 1000) + "m"}, {"cpu": cpu / 1000, "memory": mem}
        )
        for cpu, mem in values
    ]
    assert qos_class(pod(*regular)) is G
    assert qos_class(pod(*regular, container())) is B


# -- real manifests ------------------------------------------------------------------------------


def test_every_shared_deployment_loads(shared: Path) -> None:
    documents = [
        doc
        for path in sorted((shared / "data" / "manifests").glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("kind") == "Deployment"
    ]
    assert documents
    for doc in documents:
        spec = doc["spec"]["template"]["spec"]
        requests, limits = pod_requests(doc), pod_limits(doc)
        assert isinstance(qos_class(doc), QOSClass)
        assert all(q.sign() >= 0 for q in [*requests.values(), *limits.values()])
        for c in [*spec["containers"], *spec.get("initContainers", [])]:
            assert own(c, "requests") <= requests
            assert own(c, "limits") <= limits


def test_quantities_in_results_are_quantities() -> None:
    result = pod_requests(pod(container({"cpu": 1})))
    assert isinstance(result["cpu"], Quantity)
    assert result["cpu"] == Quantity(1)
