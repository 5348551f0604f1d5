"""``orchkit demo`` section: a tiny cluster loses a node and the reconcile loop heals it.

Three nodes run the pods of four Deployments. At t = 10 s node-b fails: its pods are gone. The
watch on pods enqueues each lost pod's Deployment; the reconcile of a Deployment re-reads its
pods, places the missing ones on the remaining nodes with `orchkit.binpack.place` (first fit,
running pods counted as each node's usage) and writes them with `orchkit.reconcile.apply`. The
two nodes left lack the memory for every pod, so one stays pending: its reconcile raises
``TemporaryError(delay=5)`` and is retried until an autoscaler adds node-d. An API server hiccup
fails a few reconciles on purpose; they are retried with backoff. Everything runs in a
`Simulator` on a fake clock with a fixed seed, so the timeline printed is the same on every run.
"""

from __future__ import annotations

from typing import TextIO

import attrs

from orchkit.binpack import Node, Pod, place
from orchkit.reconcile import (
    Controller,
    FakeClock,
    Faults,
    ItemExponentialRateLimiter,
    Simulator,
    TemporaryError,
    Versioned,
    VersionedStore,
    apply,
)

__all__ = ["section"]


@attrs.frozen
class _Deployment:
    #: Desired number of pods, e.g. ``3``.
    replicas: int
    #: CPU request of each pod in millicores, e.g. ``500`` for ``500m``.
    cpu: int
    #: Memory request of each pod in MiB.
    memory: int


@attrs.frozen
class _Pod:
    #: Name of the owning Deployment, e.g. ``"web"``.
    deployment: str
    #: Name of the node the pod runs on.
    node: str


#: Node name -> (allocatable CPU in millicores, allocatable memory in MiB).
_NODES = {"node-a": (2000, 4096), "node-b": (2000, 4096), "node-c": (2000, 4096)}
_DEPLOYMENTS = {
    "api": _Deployment(replicas=2, cpu=600, memory=1024),
    "cache": _Deployment(replicas=1, cpu=250, memory=2048),
    "web": _Deployment(replicas=3, cpu=500, memory=1536),
    "worker": _Deployment(replicas=2, cpu=400, memory=512),
}
_LOSS_AT = 10.0
_SCALE_UP_AT = 22.0
_SEED = 3


def _place(
    dep: _Deployment,
    missing: list[str],
    ready: dict[str, tuple[int, int]],
    usage: dict[str, list[int]],
) -> dict[str, str]:
    """Place the ``missing`` pods of ``dep`` on the ready nodes with ``orchkit.binpack.place``.

    ``ready`` maps each ready node to its allocatable (cpu millicores, memory MiB), ``usage`` to
    what its running pods use. Returns pod name -> node name for the pods that fit.
    """
    nodes = [
        Node(
            name=node,
            allocatable={"cpu": f"{ready[node][0]}m", "memory": f"{ready[node][1]}Mi"},
            requested={"cpu": f"{cpu}m", "memory": f"{mem}Mi"},
        )
        for node, (cpu, mem) in sorted(usage.items())
    ]
    requests = {"cpu": f"{dep.cpu}m", "memory": f"{dep.memory}Mi"}
    pods = [Pod(name=pod, requests=requests) for pod in missing]
    return dict(place(pods, nodes, strategy="first_fit").mapping())


def section(out: TextIO) -> None:
    """Print the healing timeline of the tiny cluster."""
    ready = dict(_NODES)
    pods: VersionedStore[str, _Pod] = VersionedStore()
    timeline: list[tuple[float, str]] = []
    clock = FakeClock()

    def log(message: str) -> None:
        timeline.append((clock.now(), message))

    def pods_of(name: str) -> dict[str, Versioned[_Pod]]:
        return {k: v for k, v in pods.snapshot().items() if v.value.deployment == name}

    def reconcile(name: str) -> None:
        dep = _DEPLOYMENTS[name]
        observed = pods_of(name)
        # Keep the pods that still run on a ready node, in name order, up to the replica count.
        keep = {k: v.value for k, v in sorted(observed.items()) if v.value.node in ready}
        keep = dict(list(keep.items())[: dep.replicas])
        usage = {node: [0, 0] for node in ready}
        for pod in pods.snapshot().values():
            if pod.value.node in usage:
                usage[pod.value.node][0] += _DEPLOYMENTS[pod.value.deployment].cpu
                usage[pod.value.node][1] += _DEPLOYMENTS[pod.value.deployment].memory
        desired = dict(keep)
        free_names = (f"{name}-{i}" for i in range(dep.replicas * 2) if f"{name}-{i}" not in keep)
        missing = [next(free_names) for _ in range(dep.replicas - len(keep))]
        assigned = _place(dep, missing, ready, usage)
        placed = []
        for pod_name in missing:
            if pod_name in assigned:
                desired[pod_name] = _Pod(name, assigned[pod_name])
                placed.append(f"{pod_name} on {assigned[pod_name]}")
        pending = len(missing) - len(assigned)
        result = apply(desired, lambda: pods_of(name), pods, equal=VersionedStore.matches)
        if result.writes:
            log(f"{name}: placed {', '.join(placed)}" if placed else f"{name}: cleaned up")
        if pending:
            log(f"{name}: no room for {pending} pod(s), retry in 5s")
            msg = f"no node has room for {pending} {name} pod(s)"
            raise TemporaryError(msg, delay=5.0)

    controller = Controller(
        reconcile,
        workers=2,
        clock=clock,
        rate_limiter=ItemExponentialRateLimiter(0.005, 10.0),
        resync=30.0,
        list_keys=lambda: sorted(_DEPLOYMENTS),
        name="deployments",
    )

    def healthy() -> bool:
        running = [p.value for p in pods.snapshot().values() if p.value.node in ready]
        return all(
            sum(p.deployment == name for p in running) == dep.replicas
            for name, dep in _DEPLOYMENTS.items()
        )

    sim = Simulator(
        controller,
        seed=_SEED,
        faults=Faults(error_rate=0.2, until=_LOSS_AT + 1.0),
        work_time=(0.002, 0.008),
        converged=healthy,
        record=True,
    )
    # The watch on pods: an event for a pod enqueues its Deployment (its owner).
    owners: dict[str, str] = {}

    def on_pod_change(pod: str) -> None:
        entry = pods.get(pod)
        if entry is not None:
            owners[pod] = entry.value.deployment
        sim.notify(owners[pod])

    pods.on_change = on_pod_change

    def lose_node() -> None:
        del ready["node-b"]
        gone = sorted(k for k, v in pods.snapshot().items() if v.value.node == "node-b")
        log(f"node-b is lost: pods {', '.join(gone)} are gone")
        for pod in gone:
            pods.remove(pod)  # the pod garbage collector; each removal is a watch event

    def add_node() -> None:
        ready["node-d"] = (2000, 4096)
        log("autoscaler adds node-d; the node watch enqueues every deployment")
        for name in sorted(_DEPLOYMENTS):
            sim.notify(name)

    sim.at(_LOSS_AT, lose_node)
    sim.at(_SCALE_UP_AT, add_node)
    out.write("reconcile: a node is lost and the control loop heals the cluster\n")
    out.write(f"  nodes: {len(_NODES)} x (2 CPU, 4Gi); deployments (replicas x cpu, memory):\n")
    out.write(
        "    "
        + ", ".join(f"{n} {d.replicas}x({d.cpu}m, {d.memory}Mi)" for n, d in _DEPLOYMENTS.items())
        + "\n"
    )
    out.write(
        f"  2 workers, placement by orchkit.binpack.place (first fit), seed {_SEED}, "
        "API errors until t=11s\n"
    )
    first = sim.run(until=_LOSS_AT - 1.0)
    settled_before = first.converged_at
    report = sim.run(until=_SCALE_UP_AT + 10.0)
    for t, kind, key in sim.trace or []:
        if kind == "error":
            timeline.append((t, f"{key}: API error (injected), retried with backoff"))
        elif kind == "relist":
            timeline.append((t, "startup relist: " + ", ".join(sorted(_DEPLOYMENTS))))
    for t, message in sorted(timeline, key=lambda entry: entry[0]):
        out.write(f"  t={t:7.3f}s  {message}\n")
    running = sorted((p.value.node, k) for k, p in pods.snapshot().items() if p.value.node in ready)
    by_node: dict[str, list[str]] = {}
    for node, pod in running:
        by_node.setdefault(node, []).append(pod)
    out.write(
        f"  converged at t={settled_before:.3f}s; node-b lost at t={_LOSS_AT:.3f}s; "
        f"healed at t={report.converged_at:.3f}s\n"
        f"  {report.reconciles} reconciles, {report.injected_errors} injected API errors, "
        f"{len(report.lost_keys)} lost keys; pods per node:\n"
    )
    for node, names in sorted(by_node.items()):
        out.write(f"  {node}: {', '.join(names)}\n")
