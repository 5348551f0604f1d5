"""Pods and nodes from Kubernetes manifests (plain dicts, as ``yaml.safe_load_all`` gives them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from orchkit._placement import (
    HOSTNAME,
    LabelSelector,
    Node,
    Pod,
    PodAntiAffinity,
    Taint,
    Toleration,
    TopologySpread,
)
from orchkit.errors import ManifestError, QuantityError
from orchkit.resources import ResourceList, pod_requests

__all__ = ["flatten_manifests", "nodes_from_manifests", "pods_from_manifests"]

#: Workload kinds expanded into ``replicas`` pods (``parallelism`` for a Job).
WORKLOADS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Job")
#: Controllers whose ReplicaSets are skipped, since the controller itself is expanded.
OWNERS = ("Deployment",)


def flatten_manifests(manifests: Iterable[object]) -> Iterator[Mapping[str, Any]]:
    """Every object in ``manifests``, with ``kind: List`` dumps opened (recursively).

    ``None`` documents (empty YAML documents) are skipped.

    Examples
    --------
    >>> dump = {"kind": "List", "items": [{"kind": "Node"}, {"kind": "Pod"}]}
    >>> [m["kind"] for m in flatten_manifests([dump, None])]
    ['Node', 'Pod']
    """
    for k, doc in enumerate(manifests):
        if doc is None:
            continue
        if not isinstance(doc, Mapping):
            path_of = f"[{k}]"
            raise ManifestError(path_of, doc, "expected a mapping (a Kubernetes object)")
        if doc.get("kind") == "List" or (doc.get("kind", "").endswith("List") and "items" in doc):
            items = doc.get("items") or []
            if not isinstance(items, list):
                raise ManifestError("items", items, "expected a list")
            yield from flatten_manifests(items)
        else:
            yield doc


def _mapping(node: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
    value = node.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ManifestError(f"{path}.{key}" if path else key, value, "expected a mapping")
    return value


def _list(node: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        path_of = f"{path}.{key}"
        raise ManifestError(path_of, value, "expected a list")
    return value


def _strings(value: Mapping[str, Any], path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            path_of = f"{path}.{key}"
            raise ManifestError(path_of, val, "expected a string")
        out[key] = val
    return out


def _selector(node: Mapping[str, Any], path: str) -> LabelSelector:
    labels = _strings(_mapping(node, "matchLabels", path), f"{path}.matchLabels")
    expressions = []
    for k, item in enumerate(_list(node, "matchExpressions", path)):
        where = f"{path}.matchExpressions[{k}]"
        if not isinstance(item, Mapping):
            raise ManifestError(where, item, "expected a mapping")
        op = item.get("operator")
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            path_of = f"{where}.operator"
            raise ManifestError(path_of, op, "expected In, NotIn, Exists, DoesNotExist")
        values = item.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            path_of = f"{where}.values"
            raise ManifestError(path_of, values, "expected a list of strings")
        key = item.get("key")
        if not isinstance(key, str) or not key:
            path_of = f"{where}.key"
            raise ManifestError(path_of, key, "expected a label name")
        expressions.append((key, op, tuple(values)))
    return LabelSelector(labels, expressions)


def _tolerations(spec: Mapping[str, Any], path: str) -> list[Toleration]:
    out = []
    for k, item in enumerate(_list(spec, "tolerations", path)):
        where = f"{path}.tolerations[{k}]"
        if not isinstance(item, Mapping):
            raise ManifestError(where, item, "expected a mapping")
        operator = item.get("operator") or "Equal"
        if operator not in ("Equal", "Exists"):
            path_of = f"{where}.operator"
            raise ManifestError(path_of, operator, "expected Equal or Exists")
        fields = {name: item.get(name) or "" for name in ("key", "value", "effect")}
        for name, value in fields.items():
            if not isinstance(value, str):
                path_of = f"{where}.{name}"
                raise ManifestError(path_of, value, "expected a string")
        exists = operator == "Exists"
        out.append(
            Toleration(
                fields["key"], "Exists" if exists else "Equal", fields["value"], fields["effect"]
            )
        )
    return out


def _anti_affinity(spec: Mapping[str, Any], path: str) -> list[PodAntiAffinity]:
    affinity = _mapping(spec, "affinity", path)
    anti = _mapping(affinity, "podAntiAffinity", f"{path}.affinity")
    where = f"{path}.affinity.podAntiAffinity"
    out = []
    for k, term in enumerate(_list(anti, "requiredDuringSchedulingIgnoredDuringExecution", where)):
        at = f"{where}.requiredDuringSchedulingIgnoredDuringExecution[{k}]"
        if not isinstance(term, Mapping):
            raise ManifestError(at, term, "expected a mapping")
        key = term.get("topologyKey")
        if not isinstance(key, str) or not key:
            path_of = f"{at}.topologyKey"
            raise ManifestError(path_of, key, "expected a node label name")
        if term.get("labelSelector") is None:
            continue  # a null selector matches no pod
        selector = _selector(_mapping(term, "labelSelector", at), f"{at}.labelSelector")
        out.append(PodAntiAffinity(selector, key))
    return out


def _spread(spec: Mapping[str, Any], path: str) -> list[TopologySpread]:
    out = []
    for k, rule in enumerate(_list(spec, "topologySpreadConstraints", path)):
        at = f"{path}.topologySpreadConstraints[{k}]"
        if not isinstance(rule, Mapping):
            raise ManifestError(at, rule, "expected a mapping")
        if rule.get("whenUnsatisfiable", "DoNotSchedule") != "DoNotSchedule":
            continue  # ScheduleAnyway is a preference, not a constraint
        skew = rule.get("maxSkew")
        if type(skew) is not int or skew < 1:
            path_of = f"{at}.maxSkew"
            raise ManifestError(path_of, skew, "expected a positive integer")
        key = rule.get("topologyKey")
        if not isinstance(key, str) or not key:
            path_of = f"{at}.topologyKey"
            raise ManifestError(path_of, key, "expected a node label name")
        if rule.get("labelSelector") is None:
            continue
        selector = _selector(_mapping(rule, "labelSelector", at), f"{at}.labelSelector")
        out.append(TopologySpread(skew, selector, key))
    return out


def _pod(name: str, doc: Mapping[str, Any], template: Mapping[str, Any], path: str) -> Pod:
    """A Pod from a pod template (``{metadata, spec}``) at ``path``."""
    meta = _mapping(template, "metadata", path)
    spec = _mapping(template, "spec", path)
    spec_path = f"{path}.spec" if path else "spec"
    namespace = _mapping(doc, "metadata", "").get("namespace") or "default"
    return Pod(
        name,
        pod_requests(doc),
        labels=_strings(_mapping(meta, "labels", f"{path}.metadata"), f"{path}.metadata.labels"),
        node_selector=_strings(
            _mapping(spec, "nodeSelector", spec_path), f"{spec_path}.nodeSelector"
        ),
        tolerations=_tolerations(spec, spec_path),
        anti_affinity=_anti_affinity(spec, spec_path),
        spread=_spread(spec, spec_path),
        namespace=namespace,
    )


def _object_name(doc: Mapping[str, Any]) -> tuple[str, str]:
    meta = _mapping(doc, "metadata", "")
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise ManifestError("metadata.name", name, "expected a name")
    namespace = meta.get("namespace") or "default"
    return name, (name if namespace == "default" else f"{namespace}/{name}")


def _owned(doc: Mapping[str, Any]) -> bool:
    owners = _mapping(doc, "metadata", "").get("ownerReferences") or []
    return any(isinstance(o, Mapping) and o.get("kind") in OWNERS for o in owners)


def _bound(doc: Mapping[str, Any]) -> str | None:
    """The node a Pod runs on, or ``None`` for a pending pod; finished pods count as neither."""
    node = _mapping(doc, "spec", "").get("nodeName")
    return node if isinstance(node, str) and node else None


def _finished(doc: Mapping[str, Any]) -> bool:
    return _mapping(doc, "status", "").get("phase") in ("Succeeded", "Failed")


def pods_from_manifests(manifests: Iterable[object]) -> list[Pod]:
    """The pods to place, built from parsed manifests.

    - Deployments, StatefulSets, ReplicaSets (unless owned by a Deployment, which is expanded
      itself), ReplicationControllers: ``spec.replicas`` pods (default 1) named ``<name>-0``,
      ``<name>-1``, ...; Jobs: ``spec.parallelism`` pods;
    - Pods not bound to a node (no ``spec.nodeName``) and not finished;
    - ``kind: List`` dumps are opened; other kinds (Services, Nodes, ...) are skipped.

    Requests are `orchkit.resources.pod_requests`; labels, ``nodeSelector``, tolerations,
    required pod anti-affinity and ``DoNotSchedule`` topology spread constraints are kept. Pods
    outside the ``default`` namespace are named ``<namespace>/<name>``.

    Parameters
    ----------
    manifests
        Parsed Kubernetes objects (dicts), e.g. from ``yaml.safe_load_all``.

    Returns
    -------
    list of Pod

    Raises
    ------
    ManifestError
        If a field is missing or malformed; ``field`` is its path.

    Examples
    --------
    >>> deployment = {
    ...     "kind": "Deployment",
    ...     "metadata": {"name": "web"},
    ...     "spec": {"replicas": 2, "template": {
    ...         "metadata": {"labels": {"app": "web"}},
    ...         "spec": {"containers": [
    ...             {"name": "nginx", "resources": {"requests": {"cpu": "250m"}}}]}}},
    ... }
    >>> [(pod.name, str(pod.requests)) for pod in pods_from_manifests([deployment])]
    [('web-0', '{cpu: 250m}'), ('web-1', '{cpu: 250m}')]

    Notes
    -----
    Node affinity, preferred (soft) rules and DaemonSets are not modelled.
    Runtime complexity: ``O(total replicas + containers)``.
    """
    out: list[Pod] = []
    for doc in flatten_manifests(manifests):
        kind = doc.get("kind")
        if kind in WORKLOADS:
            if kind == "ReplicaSet" and _owned(doc):
                continue
            _, name = _object_name(doc)
            spec = _mapping(doc, "spec", "")
            field = "parallelism" if kind == "Job" else "replicas"
            count = spec.get(field, 1)
            if count is None:
                count = 1
            if type(count) is not int or count < 0:
                path_of = f"spec.{field}"
                raise ManifestError(path_of, count, "expected a non-negative integer")
            template = _mapping(spec, "template", "spec")
            prototype = _pod(f"{name}-0", doc, template, "spec.template")
            out.extend(
                Pod(
                    f"{name}-{k}",
                    prototype.requests,
                    prototype.labels,
                    prototype.node_selector,
                    prototype.tolerations,
                    prototype.anti_affinity,
                    prototype.spread,
                    prototype.namespace,
                )
                for k in range(count)
            )
        elif kind == "Pod" and _bound(doc) is None and not _finished(doc):
            _, name = _object_name(doc)
            out.append(_pod(name, doc, doc, ""))
    return out


def nodes_from_manifests(manifests: Iterable[object]) -> list[Node]:
    """The nodes of parsed manifests, with the pods already bound to them.

    A Node gives its name, ``status.allocatable`` (else ``status.capacity``), labels and
    ``spec.taints``; ``spec.unschedulable: true`` adds the ``node.kubernetes.io/unschedulable``
    ``NoSchedule`` taint, as the node controller does. Pods with ``spec.nodeName`` naming a listed
    node (and not finished) become that node's existing pods. ``kind: List`` dumps
    (``kubectl get nodes,pods -o yaml``) are opened.

    Parameters
    ----------
    manifests
        Parsed Kubernetes objects.

    Returns
    -------
    list of Node

    Raises
    ------
    ManifestError
        If a field is missing or malformed.

    Examples
    --------
    >>> node = {"kind": "Node", "metadata": {"name": "n1", "labels": {"disk": "ssd"}},
    ...         "status": {"allocatable": {"cpu": "3920m", "memory": "15Gi", "pods": "110"}}}
    >>> [(n.name, str(n.allocatable)) for n in nodes_from_manifests([node])]
    [('n1', '{cpu: 3920m, memory: 15Gi, pods: 110}')]

    Notes
    -----
    Runtime complexity: ``O(objects)``.
    """
    docs = list(flatten_manifests(manifests))
    running: dict[str, list[Pod]] = {}
    for doc in docs:
        if doc.get("kind") == "Pod" and not _finished(doc):
            node = _bound(doc)
            if node is not None:
                _, name = _object_name(doc)
                running.setdefault(node, []).append(_pod(name, doc, doc, ""))
    out: list[Node] = []
    for doc in docs:
        if doc.get("kind") != "Node":
            continue
        name, _ = _object_name(doc)
        status = _mapping(doc, "status", "")
        allocatable = status.get("allocatable") or status.get("capacity")
        if not isinstance(allocatable, Mapping):
            raise ManifestError("status.allocatable", allocatable, "expected a resource mapping")
        meta = _mapping(doc, "metadata", "")
        spec = _mapping(doc, "spec", "")
        taints = []
        for k, item in enumerate(_list(spec, "taints", "spec")):
            where = f"spec.taints[{k}]"
            if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
                raise ManifestError(where, item, "expected a taint with a key")
            effect = item.get("effect")
            if effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
                path_of = f"{where}.effect"
                raise ManifestError(path_of, effect, "expected NoSchedule, ...")
            taints.append(Taint(item["key"], item.get("value") or "", effect))
        if spec.get("unschedulable") is True:
            taints.append(Taint("node.kubernetes.io/unschedulable", "", "NoSchedule"))
        labels = _strings(_mapping(meta, "labels", "metadata"), "metadata.labels")
        labels.setdefault(HOSTNAME, name)
        try:
            resources = ResourceList.parse(allocatable)
        except QuantityError as err:
            where = "allocatable" if status.get("allocatable") else "capacity"
            path_of = f"status.{where}.{err.field}"
            raise ManifestError(path_of, err.value, err.reason) from None
        out.append(
            Node(
                name,
                resources,
                labels,
                taints,
                pods=running.get(name, ()),
            )
        )
    return out
