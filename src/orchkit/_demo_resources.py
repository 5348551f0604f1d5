"""Demo section: the nginx Deployment's pod requests, limits, QoS class, and pods per node."""

from __future__ import annotations

from typing import TextIO

from orchkit._examples import nginx_deployment
from orchkit.resources import ResourceList, pod_limits, pod_requests, qos_class

__all__ = ["pods_per_node", "section"]

#: The node of the demo: 4 CPUs and 16Gi of memory.
NODE = ResourceList({"cpu": "4", "memory": "16Gi"})


def pods_per_node(pod: ResourceList, node: ResourceList) -> tuple[int, str | None]:
    """How many pods requesting ``pod`` fit on an empty ``node``, and the resource that binds.

    Counts as the scheduler does (`ResourceList.to_vector`: cpu in millicores, the rest in
    whole units). ``(0, name)`` when the node lacks a requested resource; ``(-1, None)`` when the
    pod requests nothing (no resource bounds the count).

    Examples
    --------
    >>> pods_per_node(ResourceList({"cpu": "400m", "memory": "600M"}), NODE)
    (10, 'cpu')
    """
    names = [name for name, q in pod.items() if q.sign() > 0]
    best: tuple[int, str | None] = (-1, None)
    for name, need, have in zip(names, pod.to_vector(names), node.to_vector(names), strict=True):
        count = max(have, 0) // need
        if best[1] is None or count < best[0]:
            best = (count, name)
    return best


def section(out: TextIO) -> None:
    """Print the resources section of ``orchkit demo``."""
    deployment = nginx_deployment()
    name = deployment["metadata"]["name"]
    replicas = deployment["spec"]["replicas"]
    requests = pod_requests(deployment)
    limits = pod_limits(deployment)
    out.write(f"Resources: Deployment {name!r}, {replicas} replicas\n")
    out.write(f"  pod requests    {requests}\n")
    out.write(f"  pod limits      {limits}\n")
    out.write(f"  QoS class       {qos_class(deployment)}\n")
    out.write(f"  all replicas    {requests * replicas}\n")
    count, binding = pods_per_node(requests, NODE)
    out.write(f"  node            {NODE}\n")
    out.write(f"  pods per node   {count}, bound by {binding}\n")
    for resource in sorted(requests):
        need, have = requests.to_vector([resource])[0], NODE.to_vector([resource])[0]
        if need > 0:
            fit = f"{NODE[resource]} / {requests[resource]}"
            out.write(f"    {resource:<8} {fit:<14} -> {have // need} pods\n")
    share = requests.dominant_share(NODE)
    out.write(f"  dominant share  {share} of the node per pod ({float(share):.1%})\n")
