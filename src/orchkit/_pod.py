"""The engine behind `orchkit.resources.pod_requests`, ``pod_limits`` and ``qos_class``.

Reads plain manifest dicts (a Pod, a PodSpec, a pod template, or a workload with a pod template),
applies the API server's defaulting and rounding, then aggregates as Kubernetes'
``component-helpers/resource/helpers.go`` and classifies as ``pkg/apis/core/helper/qos/qos.go``.
Everything here is private; the public surface is `orchkit.resources`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from orchkit._quantity import Quantity
from orchkit._resourcelist import ResourceList, _new
from orchkit.errors import ManifestError, QuantityError

__all__ = ["QOSClass", "pod_limits", "pod_requests", "qos_class"]

Resources = dict[str, Quantity]


class QOSClass(str, enum.Enum):
    """A pod's quality-of-service class: Kubernetes' ``PodQOSClass``.

    Examples
    --------
    >>> QOSClass.BURSTABLE
    <QOSClass.BURSTABLE: 'Burstable'>
    >>> QOSClass("BestEffort") is QOSClass.BEST_EFFORT
    True
    >>> QOSClass.GUARANTEED == "Guaranteed"
    True
    """

    #: Every container has cpu and memory limits, and requests equal to them.
    GUARANTEED = "Guaranteed"
    #: Some cpu or memory request or limit, but not Guaranteed.
    BURSTABLE = "Burstable"
    #: No cpu or memory request or limit at all.
    BEST_EFFORT = "BestEffort"

    def __repr__(self) -> str:
        return f"<QOSClass.{self.name}: {self.value!r}>"

    def __str__(self) -> str:
        return self.value


#: Where the pod spec lives in each kind of document.
_SPEC_PATHS: Final[Mapping[str, tuple[str, ...]]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_RESTART_POLICIES: Final = ("Always", "OnFailure", "Never")
#: Resources that pod-level ``spec.resources`` may set (``IsSupportedPodLevelResource``).
_POD_LEVEL: Final = ("cpu", "memory")
_HUGEPAGES: Final = "hugepages-"
#: The resources that decide the QoS class.
_QOS_RESOURCES: Final = ("cpu", "memory")
_PLAIN_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")


def _pod_level(name: str) -> bool:
    return name in _POD_LEVEL or name.startswith(_HUGEPAGES)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _key(path: str, name: str) -> str:
    """``requests.cpu`` for plain names, ``requests[nvidia.com/gpu]`` for the others."""
    return _join(path, name) if _PLAIN_KEY.fullmatch(name) else f"{path}[{name}]"


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


# -- reading the manifest ----------------------------------------------------------------------


@attrs.frozen
class _Container:
    """One container's resources, defaulted and rounded as the API server stores them."""

    #: ``resources.requests``, with the limits copied in where a request is missing.
    requests: Resources
    #: ``resources.limits``.
    limits: Resources
    #: An init container with ``restartPolicy: Always`` (a sidecar, KEP-753).
    sidecar: bool


@attrs.frozen
class _Pod:
    """The resource-relevant part of a pod spec."""

    #: ``spec.containers``.
    containers: tuple[_Container, ...]
    #: ``spec.initContainers``, in order.
    init_containers: tuple[_Container, ...]
    #: Pod-level ``spec.resources.requests`` after defaulting (empty when absent).
    requests: Resources
    #: Pod-level ``spec.resources.limits`` after defaulting (empty when absent).
    limits: Resources
    #: ``spec.overhead``.
    overhead: Resources

    def pod_level_requests_set(self) -> bool:
        """``IsPodLevelRequestsSet``: a supported pod-level request is present."""
        return any(_pod_level(name) for name in self.requests)

    def pod_level_set(self) -> bool:
        """``IsPodLevelResourcesSet``: a supported pod-level request or limit is present."""
        return self.pod_level_requests_set() or any(_pod_level(name) for name in self.limits)


def _locate(obj: object) -> tuple[Mapping[str, Any], str]:
    """Find the pod spec in ``obj``; return it with its path from the document root."""
    if not isinstance(obj, Mapping):
        raise ManifestError("manifest", obj, "expected a mapping (a parsed Kubernetes manifest)")
    kind = obj.get("kind")
    if kind is not None:
        steps = _SPEC_PATHS.get(kind) if isinstance(kind, str) else None
        if steps is None:
            kinds = ", ".join(_SPEC_PATHS)
            raise ManifestError("kind", kind, f"has no pod spec; expected one of {kinds}")
    elif "containers" in obj:
        steps = ()
    elif isinstance(obj.get("spec"), Mapping):
        spec = obj["spec"]
        if "containers" in spec:
            steps = ("spec",)
        elif "template" in spec:
            steps = _SPEC_PATHS["Deployment"]
        elif "jobTemplate" in spec:
            steps = _SPEC_PATHS["CronJob"]
        else:
            steps = ("spec",)
    elif "template" in obj:
        steps = _SPEC_PATHS["PodTemplate"]
    else:
        steps = ()
    node: Mapping[str, Any] = obj
    path = ""
    for step in steps:
        path = _join(path, step)
        child = node.get(step)
        if child is None:
            raise ManifestError(path, None, "is required")
        if not isinstance(child, Mapping):
            raise ManifestError(path, child, "expected a mapping")
        node = child
    return node, path


def _read_list(node: object, path: str) -> Resources:
    """Read a ``ResourceList``: non-negative quantities, rounded up to milli (``RoundUp(-3)``)."""
    if node is None:
        return {}
    if not isinstance(node, Mapping):
        raise ManifestError(path, node, "expected a mapping of resource name to quantity")
    out: Resources = {}
    for name, value in node.items():
        if not isinstance(name, str) or not name:
            raise ManifestError(path, name, "a resource name must be a non-empty string")
        where = _key(path, name)
        try:
            q = Quantity.from_json(value)
        except QuantityError as err:
            raise ManifestError(where, value, err.reason) from err
        if q.sign() < 0:
            raise ManifestError(where, value, "must be non-negative")
        out[name] = q.round_up(-3)
    return out


def _read_requirements(
    node: object, path: str, *, default_requests: bool
) -> tuple[Resources, Resources]:
    """Read a ``ResourceRequirements``: ``(requests, limits)``, checking request <= limit."""
    if node is None:
        return {}, {}
    if not isinstance(node, Mapping):
        raise ManifestError(path, node, "expected a mapping with requests and limits")
    requests_path = _join(path, "requests")
    requests = _read_list(node.get("requests"), requests_path)
    limits = _read_list(node.get("limits"), _join(path, "limits"))
    for name, limit in limits.items():
        request = requests.get(name)
        if request is None:
            if default_requests:
                requests[name] = limit
        elif request > limit:
            reason = f"must be less than or equal to the limit {limit}"
            raise ManifestError(_key(requests_path, name), node["requests"][name], reason)
    return requests, limits


def _read_containers(spec: Mapping[str, Any], path: str, field: str) -> tuple[_Container, ...]:
    items = spec.get(field)
    where = _join(path, field)
    if items is None:
        if field == "containers":
            raise ManifestError(where, None, "is required")
        return ()
    if not _is_list(items):
        raise ManifestError(where, items, "expected a list of containers")
    if field == "containers" and not items:
        raise ManifestError(where, items, "must list at least one container")
    out: list[_Container] = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise ManifestError(here, item, "expected a container (a mapping)")
        requests, limits = _read_requirements(
            item.get("resources"), _join(here, "resources"), default_requests=True
        )
        sidecar = False
        if field == "initContainers" and item.get("restartPolicy") is not None:
            policy = item["restartPolicy"]
            if policy not in _RESTART_POLICIES:
                choices = ", ".join(repr(p) for p in _RESTART_POLICIES)
                raise ManifestError(
                    _join(here, "restartPolicy"), policy, f"must be one of {choices}"
                )
            sidecar = policy == "Always"
        out.append(_Container(requests, limits, sidecar))
    return tuple(out)


def _read_pod(obj: object) -> _Pod:
    spec, path = _locate(obj)
    containers = _read_containers(spec, path, "containers")
    init_containers = _read_containers(spec, path, "initContainers")
    overhead = _read_list(spec.get("overhead"), _join(path, "overhead"))
    resources_path = _join(path, "resources")
    requests, limits = _read_requirements(
        spec.get("resources"), resources_path, default_requests=False
    )
    pod = _Pod(containers, init_containers, requests, limits, overhead)
    if requests or limits:
        _default_pod_level(pod, resources_path)
    return pod


def _default_pod_level(pod: _Pod, path: str) -> None:
    """Pod-level defaulting (``defaultHugePagePodLimits`` then ``defaultPodRequests``)."""
    requests, limits = pod.requests, pod.limits
    # Hugepage limits default to the containers' aggregate unless the pod level requests them.
    for name, q in _aggregate(pod, "limits").items():
        if name.startswith(_HUGEPAGES) and name not in requests and name not in limits:
            limits[name] = q
    if not limits:
        return
    # cpu and memory requests default to the containers' aggregate request, then every supported
    # resource with a pod-level limit defaults its request to that limit.
    for name, q in _aggregate(pod, "requests").items():
        if name in _POD_LEVEL and name not in requests:
            requests[name] = q
    for name, q in limits.items():
        if _pod_level(name) and name not in requests:
            requests[name] = q
    for name, limit in limits.items():
        request = requests.get(name)
        if request is not None and request > limit:
            reason = f"is below the pod's request {request} (the containers' aggregate request)"
            raise ManifestError(_key(_join(path, "limits"), name), str(limit), reason)


# -- aggregation (component-helpers/resource/helpers.go) ---------------------------------------


def _add(into: Resources, other: Resources) -> None:
    """``addResourceList``: the first quantity seen for a name decides its format."""
    for name, q in other.items():
        mine = into.get(name)
        into[name] = q if mine is None else mine + q


def _max(into: Resources, other: Resources) -> None:
    """``maxResourceList``."""
    for name, q in other.items():
        mine = into.get(name)
        if mine is None or q > mine:
            into[name] = q


def _aggregate(pod: _Pod, which: str) -> Resources:
    """``AggregateContainerRequests`` / ``AggregateContainerLimits`` (KEP-753)."""
    result: Resources = {}
    for container in pod.containers:
        _add(result, getattr(container, which))
    sidecars: Resources = {}
    peaks: Resources = {}
    for container in pod.init_containers:
        own: Resources = getattr(container, which)
        if container.sidecar:
            # A sidecar keeps running: it adds to the pod's sum and to what every later init
            # container runs next to.
            _add(result, own)
            _add(sidecars, own)
            _max(peaks, sidecars)
        else:
            # A regular init container runs alone, next to the sidecars started before it.
            peak = dict(own)
            _add(peak, sidecars)
            _max(peaks, peak)
    _max(result, peaks)
    return result


def _requests(pod: _Pod) -> Resources:
    result = _aggregate(pod, "requests")
    if pod.pod_level_requests_set():
        for name, q in pod.requests.items():
            if _pod_level(name):
                result[name] = q
    _add(result, pod.overhead)
    return result


def _limits(pod: _Pod) -> Resources:
    result = _aggregate(pod, "limits")
    if pod.pod_level_set():
        for name, q in pod.limits.items():
            if _pod_level(name):
                result[name] = q
    for name, q in pod.overhead.items():
        mine = result.get(name)
        if mine is not None and not mine.is_zero():
            result[name] = mine + q
    return result


def _qos(pod: _Pod) -> QOSClass:
    """``ComputePodQOS``."""
    requests: Resources = {}
    limits: Resources = {}
    guaranteed = True

    def positive(resources: Resources) -> Resources:
        return {n: q for n, q in resources.items() if n in _QOS_RESOURCES and q.sign() > 0}

    if pod.pod_level_set():
        requests = positive(pod.requests)
        limits = positive(pod.limits)
        if pod.limits and len(limits) < len(_QOS_RESOURCES):
            guaranteed = False
    else:
        for container in (*pod.containers, *pod.init_containers):
            _add(requests, positive(container.requests))
            found = positive(container.limits)
            _add(limits, found)
            if len(found) < len(_QOS_RESOURCES):
                guaranteed = False
    if not requests and not limits:
        return QOSClass.BEST_EFFORT
    if (
        guaranteed
        and len(requests) == len(limits)
        and all(limits.get(name) == q for name, q in requests.items())
    ):
        return QOSClass.GUARANTEED
    return QOSClass.BURSTABLE


# -- public functions --------------------------------------------------------------------------


def pod_requests(obj: Mapping[str, Any]) -> ResourceList:
    """The effective resource requests of a pod: what the scheduler reserves for it on a node.

    Kubernetes' ``PodRequests`` (``component-helpers/resource/helpers.go``), the formula shared by
    the scheduler, kubelet admission and resource quota:

    1. the requests of the regular ``containers`` are summed;
    2. ``initContainers`` are walked in order: a sidecar (``restartPolicy: Always``) adds its
       requests to the sum and keeps running next to every later init container; a regular init
       container needs its own requests plus the sidecars started before it (KEP-753);
    3. each resource is the maximum of the sum and of every init container's need;
    4. pod-level ``spec.resources.requests`` replace that for the resources they name (``cpu``,
       ``memory``, ``hugepages-*``);
    5. ``spec.overhead`` (RuntimeClass pod overhead) is added.

    Parameters
    ----------
    obj
        A parsed manifest: a Pod, a bare PodSpec (with ``containers``), a pod template
        (``{metadata, spec}``), a PodTemplate, or a workload with a pod template (Deployment,
        StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).

    Returns
    -------
    ResourceList
        Every resource that any container, the pod level or the overhead names, including zeros.

    Raises
    ------
    ManifestError
        If a field is missing or malformed; ``field`` is the path from the root of ``obj``
        (``spec.template.spec.containers[1].resources.requests.cpu``).

    See Also
    --------
    pod_limits, qos_class

    Notes
    -----
    The manifest is first defaulted as the API server would store the pod: a missing request
    defaults to the limit (containers, init containers; pod-level requests default to the
    containers' aggregate request for cpu and memory, else to the pod-level limit), and every
    quantity is rounded up to a multiple of ``1m`` (``RoundUp(-3)`` in
    ``SetDefaults_ResourceList``), so ``cpu: 0.30000000000000004`` counts as ``301m``. Negative
    quantities and a request above its limit are rejected, as API validation does. Status fields
    (in-place resize) are ignored.

    Runtime complexity: ``O(c * r)`` for ``c`` containers and ``r`` resource names.

    References
    ----------
    .. [1] KEP-753, "Sidecar containers", section "Resources calculation for scheduling and pod
       admission", https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/753-sidecar-containers

    Examples
    --------
    >>> pod = {
    ...     "kind": "Pod",
    ...     "spec": {
    ...         "initContainers": [
    ...             {"name": "mesh", "restartPolicy": "Always",
    ...              "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
    ...             {"name": "migrate", "resources": {"requests": {"cpu": "2"}}},
    ...         ],
    ...         "containers": [
    ...             {"name": "app", "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}},
    ...         ],
    ...     },
    ... }
    >>> pod_requests(pod)
    ResourceList({'cpu': '2100m', 'memory': '1088Mi'})
    """
    return _new(_requests(_read_pod(obj)))


def pod_limits(obj: Mapping[str, Any]) -> ResourceList:
    """The effective resource limits of a pod.

    Kubernetes' ``PodLimits``: the same aggregation as `pod_requests` applied to limits
    (containers summed, init containers as peaks with sidecars, KEP-753), pod-level
    ``spec.resources.limits`` replacing the result for ``cpu``, ``memory`` and ``hugepages-*``, and
    ``spec.overhead`` added only to limits that are present and non-zero.

    Parameters
    ----------
    obj
        A parsed manifest: a Pod, a bare PodSpec (with ``containers``), a pod template
        (``{metadata, spec}``), a PodTemplate, or a workload with a pod template (Deployment,
        StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).

    Returns
    -------
    ResourceList
        Only the resources some container (or the pod level) limits. As in Kubernetes, a resource
        limited in some containers but not others sums the limits that are set; it does not mean
        the pod as a whole is bounded.

    Raises
    ------
    ManifestError
        If a field is missing or malformed; ``field`` is the path from the root of ``obj``.

    See Also
    --------
    pod_requests, qos_class

    Notes
    -----
    Quantities are read, validated and rounded up to ``1m`` as described in `pod_requests`.
    Runtime complexity: ``O(c * r)`` for ``c`` containers and ``r`` resource names.

    Examples
    --------
    >>> pod = {
    ...     "spec": {
    ...         "containers": [
    ...             {"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
    ...             {"name": "log", "resources": {"limits": {"memory": "128Mi"}}},
    ...         ],
    ...         "overhead": {"cpu": "250m", "memory": "120Mi"},
    ...     },
    ... }
    >>> pod_limits(pod)
    ResourceList({'cpu': '1250m', 'memory': '1272Mi'})
    """
    return _new(_limits(_read_pod(obj)))


def qos_class(obj: Mapping[str, Any]) -> QOSClass:
    """The quality-of-service class Kubernetes gives a pod.

    Kubernetes' ``ComputePodQOS`` (``pkg/apis/core/helper/qos/qos.go``), on the defaulted pod
    (a container's missing request defaults to its limit). Only ``cpu`` and ``memory`` count,
    and zero quantities count as absent:

    - **BestEffort**: no container (regular or init) requests or limits cpu or memory;
    - **Guaranteed**: every container limits both cpu and memory, and the requests equal the
      limits (compared by value, so ``1`` equals ``1000m``);
    - **Burstable**: everything else.

    When pod-level ``spec.resources`` are set, they alone decide, by the same rules.

    Parameters
    ----------
    obj
        A parsed manifest: a Pod, a bare PodSpec (with ``containers``), a pod template
        (``{metadata, spec}``), a PodTemplate, or a workload with a pod template (Deployment,
        StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).

    Returns
    -------
    QOSClass

    Raises
    ------
    ManifestError
        If a field is missing or malformed; ``field`` is the path from the root of ``obj``.

    Notes
    -----
    Kubernetes compares cpu and memory requests and limits summed over the containers; because
    every request is at most its limit (checked here as API validation does), that is the same
    as comparing them container by container.

    ``status.qosClass`` is not consulted (Kubernetes' ``GetPodQOS`` returns it when set): the
    class is computed from the spec. Kubernetes takes the pod-level branch whenever
    ``spec.resources`` is present, even empty; orchkit takes it when it sets a supported resource
    (``IsPodLevelResourcesSet``, as for requests and limits).

    Runtime complexity: ``O(c)`` for ``c`` containers.

    Examples
    --------
    >>> def pod(requests, limits):
    ...     resources = {"requests": requests, "limits": limits}
    ...     return {"spec": {"containers": [{"name": "app", "resources": resources}]}}
    >>> qos_class(pod({"cpu": "1", "memory": "1Gi"}, {"cpu": "1000m", "memory": "1Gi"}))
    <QOSClass.GUARANTEED: 'Guaranteed'>
    >>> qos_class(pod({"cpu": "400m", "memory": "600M"}, {"cpu": "600m", "memory": "1000M"}))
    <QOSClass.BURSTABLE: 'Burstable'>
    >>> qos_class(pod({}, {}))
    <QOSClass.BEST_EFFORT: 'BestEffort'>
    """
    return _qos(_read_pod(obj))
