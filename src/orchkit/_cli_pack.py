"""``orchkit pack``: place a workload's pods onto nodes, or count the new nodes it needs."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs
import yaml

from orchkit._binpack_core import STRATEGIES
from orchkit._cli_output import add_output_argument, report_error, write_output
from orchkit._manifests import nodes_from_manifests, pods_from_manifests
from orchkit._placement import (
    LINUX_LABELS,
    PLACEMENT_STRATEGIES,
    Node,
    Pod,
    estimate_nodes,
    place,
)
from orchkit._placement_exact import estimate_exact
from orchkit.errors import InvalidValueError, OrchkitError
from orchkit.resources import ResourceList

__all__ = ["ExactOptions", "ProgressLine", "parse_shape", "register", "report"]


class ProgressLine:
    """``on_progress`` for a terminal: one line, rewritten in place, erased at the end."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()
        self.shown = False

    def __call__(self, elapsed: float, best: int | None, bound: int) -> None:
        if not self.active:
            return
        gap = "" if not best else f"  gap {(best - bound) / best:.1%}"
        self.stream.write(
            f"\r\x1b[Kexact: {elapsed:6.1f} s  best {best if best is not None else '-'} nodes"
            f"  bound {bound}{gap}"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


@attrs.define
class ExactOptions:
    """How ``orchkit pack --exact`` solves: time limit, workers, progress line."""

    #: Seconds per solve.
    time_limit: float
    #: CP-SAT worker threads, ``None`` for the default.
    workers: int | None
    #: Called as the solver improves.
    on_progress: ProgressLine
    #: Seconds the new-node estimate took.
    elapsed: float = 0.0


def register(sub: Any) -> None:
    """Add the ``pack`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "pack",
        help="pack a workload's pods onto nodes, or count the nodes of one shape it needs",
        description=(
            "Read Deployments, StatefulSets, Jobs, Pods and Nodes (YAML, several documents or "
            "`kind: List` dumps) and place the pods: onto the Nodes given (honouring nodeSelector, "
            "taints, pod anti-affinity and topology spread), and/or onto new nodes of the shape "
            "given by --node-shape. Exit 0 when every pod fits, 1 when some pod cannot be placed "
            "(the reasons are printed), 2 on bad input."
        ),
    )
    parser.add_argument(
        "-f",
        "--filename",
        action="append",
        required=True,
        metavar="FILE",
        help="a manifest file (repeatable; - reads standard input)",
    )
    parser.add_argument(
        "--node-shape",
        metavar="RESOURCES",
        help="allocatable resources of a new node, e.g. cpu=4,memory=16Gi,pods=110",
    )
    parser.add_argument(
        "--node-label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a label of the new nodes (repeatable); Linux os/arch labels are implied",
    )
    parser.add_argument(
        "--strategy",
        metavar="NAME",
        help=(
            "onto nodes: one of "
            + ", ".join(PLACEMENT_STRATEGIES)
            + " (default first_fit_decreasing); onto new nodes: a bin-packing strategy such as "
            "local_search (default) or first_fit_decreasing"
        ),
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help=(
            "solve exactly with OR-Tools (orchkit[exact]): onto nodes, place as many pods as "
            "possible by priority on as few nodes as possible; onto new nodes, the fewest nodes, "
            "proven; a progress line is shown on a terminal"
        ),
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="with --exact: stop after this many seconds with the best answer (default: 10)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="with --exact: solver threads (default: the CPUs, at most 8)",
    )
    add_output_argument(parser)
    parser.set_defaults(func=_run)


def parse_shape(text: str, labels: Sequence[str] = ()) -> Node:
    """A node template from ``cpu=4,memory=16Gi`` and ``KEY=VALUE`` labels.

    Examples
    --------
    >>> node = parse_shape("cpu=4,memory=16Gi", ["pool=batch"])
    >>> str(node.allocatable), dict(node.labels)["pool"]
    ('{cpu: 4, memory: 16Gi}', 'batch')
    """
    resources: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InvalidValueError("--node-shape", part, "expected NAME=QUANTITY")
        resources[name.strip()] = value.strip()
    extra: dict[str, str] = dict(LINUX_LABELS)
    for item in labels:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InvalidValueError("--node-label", item, "expected KEY=VALUE")
        extra[key] = value
    return Node("new", ResourceList(resources), extra)


def _read_one(path: str) -> list[object]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return list(yaml.safe_load_all(text))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InvalidValueError("--filename", path, f"cannot read it: {reason}") from None


def _read(paths: Sequence[str]) -> list[object]:
    return [doc for path in paths for doc in _read_one(path)]


def _usage(requested: ResourceList, allocatable: ResourceList, names: list[str]) -> dict[str, str]:
    out = {}
    for name in names:
        have = allocatable.get_or_zero(name)
        used = requested.get_or_zero(name)
        share = (
            f" ({float(used.as_fraction() / have.as_fraction()):.0%})" if have.sign() > 0 else ""
        )
        out[name] = f"{used}/{have}{share}"
    return out


def _utilisation(
    nodes: list[tuple[ResourceList, ResourceList]], names: list[str]
) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in names:
        have = sum((a.get_or_zero(name).as_fraction() for _, a in nodes), start=0)
        used = sum((r.get_or_zero(name).as_fraction() for r, _ in nodes), start=0)
        out[name] = round(float(used / have), 4) if have > 0 else 0.0
    return out


def report(
    pods: list[Pod],
    nodes: list[Node],
    shape: Node | None,
    strategy: str | None,
    exact: ExactOptions | None = None,
) -> dict[str, Any]:
    """Place ``pods`` onto ``nodes``, the rest onto new nodes of ``shape``; return the data.

    With ``exact``, both steps are solved exactly (see ``orchkit pack --exact``).
    """
    names = sorted({r for pod in pods for r, q in pod.requests.items() if q.sign() > 0} - {"pods"})
    names = names or ["cpu", "memory"]
    out: dict[str, Any] = {"pods": len(pods)}
    pending = pods
    fits = True
    if nodes:
        policy = strategy if strategy in PLACEMENT_STRATEGIES else "first_fit_decreasing"
        if exact is None:
            placement = place(pods, nodes, policy)
        else:
            placement = place(
                pods,
                nodes,
                policy,
                solver="exact",
                time_limit=exact.time_limit,
                workers=exact.workers,
            )
        used = [n for n in placement.nodes if n.pods or n.existing]
        out["placement"] = {
            "strategy": policy,
            "placed": len(placement.assignments),
            "nodes_used": placement.nodes_used,
            "nodes": [
                {
                    "name": n.name,
                    "pods": list(n.pods),
                    "existing_pods": n.existing,
                    "usage": _usage(n.requested, n.allocatable, names),
                }
                for n in placement.nodes
            ],
            "utilisation": _utilisation([(n.requested, n.allocatable) for n in used], names),
            "unplaced": [{"pod": u.pod, "reason": u.reason} for u in placement.unplaced],
        }
        if placement.optimal is not None:
            out["placement"]["optimal"] = placement.optimal
        left = {u.pod for u in placement.unplaced}
        pending = [pod for pod in pods if pod.name in left]
        fits = placement.fits
    if shape is not None:
        method = strategy if strategy is not None and strategy in STRATEGIES else "local_search"
        if exact is None:
            estimate = estimate_nodes(pending, shape, method)
        else:
            started = time.monotonic()
            estimate = estimate_exact(
                pending,
                shape,
                time_limit=exact.time_limit,
                workers=exact.workers,
                on_progress=exact.on_progress,
            )
            exact.elapsed = time.monotonic() - started
        by_name = {pod.name: pod for pod in pending}
        bins = []
        for members in estimate.bins:
            requested = ResourceList()
            for name in members:
                requested = requested + by_name[name].requests
            bins.append((list(members), requested))
        out["new_nodes"] = {
            "shape": shape.allocatable.to_dict(),
            "strategy": estimate.strategy,
            "pods": len(pending),
            "nodes": estimate.nodes,
            "lower_bound": estimate.lower_bound,
            "optimal": estimate.optimal,
            "bins": [
                {"pods": members, "usage": _usage(requested, shape.allocatable, names)}
                for members, requested in bins
            ],
            "utilisation": _utilisation([(r, shape.allocatable) for _, r in bins], names),
            "unplaced": [{"pod": u.pod, "reason": u.reason} for u in estimate.unplaced],
        }
        if exact is not None:
            out["new_nodes"]["status"] = "OPTIMAL" if estimate.optimal else "FEASIBLE"
            out["new_nodes"]["gap"] = (
                round((estimate.nodes - estimate.lower_bound) / estimate.nodes, 4)
                if estimate.nodes
                else 0.0
            )
            out["new_nodes"]["seconds"] = round(exact.elapsed, 2)
        fits = not estimate.unplaced
    out["fits"] = fits
    return out


def _table(data: dict[str, Any]) -> str:
    lines: list[str] = []

    def grid(rows: list[list[str]]) -> None:
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
        )

    def percent(shares: dict[str, float]) -> str:
        return ", ".join(f"{name} {share:.1%}" for name, share in shares.items())

    placement = data.get("placement")
    if placement is not None:
        names = list(placement["nodes"][0]["usage"]) if placement["nodes"] else []
        rows = [["NODE", "PODS", *(n.upper() for n in names)]]
        for node in placement["nodes"]:
            count = str(len(node["pods"])) + (
                f"+{node['existing_pods']}" if node["existing_pods"] else ""
            )
            rows.append([node["name"], count, *node["usage"].values()])
        grid(rows)
        lines.append(
            f"placed {placement['placed']} of {data['pods']} pods on {placement['nodes_used']} "
            f"of {len(placement['nodes'])} nodes ({placement['strategy']}); "
            f"utilisation of the nodes used: {percent(placement['utilisation'])}"
        )
        if "optimal" in placement:
            proof = "OPTIMAL" if placement["optimal"] else "FEASIBLE (time limit reached)"
            lines.append(
                f"exact: {proof}: placed {placement['placed']} of {data['pods']} pods by "
                f"priority on {placement['nodes_used']} node"
                f"{'' if placement['nodes_used'] == 1 else 's'}"
            )
        if placement["unplaced"] and "new_nodes" not in data:
            lines.append(f"{len(placement['unplaced'])} pods cannot be placed:")
            lines.extend(f"  {u['pod']}: {u['reason']}" for u in placement["unplaced"])
    new = data.get("new_nodes")
    if new is not None:
        if lines:
            lines.append("")
        shape = ", ".join(f"{k}={v}" for k, v in new["shape"].items())
        proof = "optimal" if new["optimal"] else f"lower bound {new['lower_bound']}"
        noun = "node" if new["nodes"] == 1 else "nodes"
        lines.append(
            f"{new['pods']} pods need {new['nodes']} new {noun} of {shape} "
            f"({new['strategy']}; {proof})"
        )
        if new["bins"]:
            names = list(new["bins"][0]["usage"])
            rows = [["NEW NODE", "PODS", *(n.upper() for n in names)]]
            for k, b in enumerate(new["bins"]):
                rows.append([f"new-{k}", str(len(b["pods"])), *b["usage"].values()])
            grid(rows)
            lines.append(f"utilisation: {percent(new['utilisation'])}")
        if "status" in new:
            lines.append(
                f"exact: {new['status']}, {new['nodes']} nodes, lower bound "
                f"{new['lower_bound']}, gap {new['gap']:.1%} ({new['seconds']:.1f} s)"
            )
        if new["unplaced"]:
            lines.append(f"{len(new['unplaced'])} pods fit no node of this shape:")
            lines.extend(f"  {u['pod']}: {u['reason']}" for u in new["unplaced"])
    return "\n".join(lines) + "\n"


def _run(args: argparse.Namespace) -> int:
    try:
        docs = _read(args.filename)
        pods = pods_from_manifests(docs)
        nodes = nodes_from_manifests(docs)
        shape = parse_shape(args.node_shape, args.node_label) if args.node_shape else None
        if args.node_label and shape is None:
            raise InvalidValueError("--node-label", args.node_label, "needs --node-shape")
        if not nodes and shape is None:
            raise InvalidValueError(
                "--filename", args.filename, "has no Node; give nodes or --node-shape"
            )
        strategy = args.strategy
        if strategy is not None and strategy not in PLACEMENT_STRATEGIES + tuple(STRATEGIES):
            choices = ", ".join([*PLACEMENT_STRATEGIES, *STRATEGIES])
            raise InvalidValueError("--strategy", strategy, f"is not one of {choices}")
        exact = None
        if args.exact and not args.time_limit > 0:
            raise InvalidValueError("--time-limit", args.time_limit, "must be positive")
        if args.exact:
            exact = ExactOptions(args.time_limit, args.workers, ProgressLine(sys.stderr))
        try:
            data = report(pods, nodes, shape, strategy, exact)
        finally:
            if exact is not None:
                exact.on_progress.close()
    except OrchkitError as err:
        return report_error("pack", err)
    write_output(data, args.output, _table, sys.stdout)
    return 0 if data["fits"] else 1
