"""``orchkit rollout``: the step table of a Deployment's rolling update, before it starts.

Reads one or more Deployments from a YAML (or JSON) file, plans each rollout as the deployment
controller will run it, and prints the steps; with ``--nodes``, places every step's pods on those
nodes and reports a deadlock with its fix. Exit status: 0 every rollout completes, 1 one of them
stalls (would deadlock), 2 bad input.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from typing import Any, TextIO

import attrs
import yaml

from orchkit._cli_output import add_output_argument, report_error, write_output
from orchkit.binpack import Node, nodes_from_manifests
from orchkit.errors import InvalidValueError, ManifestError, OrchkitError
from orchkit.rollout import (
    Deployment,
    Fix,
    Recreate,
    RollingUpdate,
    RolloutCheck,
    RolloutPlan,
    check_rollout,
    deployment_from_manifest,
    plan_rollout,
)

__all__ = ["describe_plan", "load_deployments", "load_nodes", "register"]

_INT = re.compile(r"[+-]?[0-9]+")


def register(sub: Any) -> None:
    """Add the ``rollout`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "rollout",
        help="plan a Deployment's rolling update, sync by sync",
        description=(
            "Plan the rolling update of each Deployment in FILE exactly as the Kubernetes "
            "deployment controller will run it (new pods become available before the next sync) "
            "and print one row per controller sync that changes the pods."
        ),
    )
    parser.add_argument(
        "-f", "--filename", required=True, metavar="FILE", help="manifest file ('-': stdin)"
    )
    parser.add_argument("--name", help="plan only the Deployment with this name")
    parser.add_argument(
        "--max-surge", metavar="N|P%", type=_int_or_percent, help="override maxSurge"
    )
    parser.add_argument(
        "--max-unavailable",
        metavar="N|P%",
        type=_int_or_percent,
        help="override maxUnavailable",
    )
    parser.add_argument("--replicas", type=_int_or_percent, help="override spec.replicas")
    parser.add_argument(
        "--nodes",
        metavar="FILE",
        help="nodes (kind: Node manifests): check that every step's pods can be scheduled, "
        "and suggest a fix when the rollout would deadlock (exit 1)",
    )
    add_output_argument(parser)
    parser.set_defaults(func=_run)


def _int_or_percent(text: str) -> int | str:
    """``"3"`` is the int 3 (as YAML reads it); anything else stays a string to validate."""
    return int(text) if _INT.fullmatch(text) else text


def _documents(text: str, source: str) -> list[Any]:
    """Every document of a YAML (or JSON) stream, ``kind: List`` items included."""
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as err:
        raise ManifestError(source, text[:40], f"is not YAML: {err}") from None
    manifests: list[Any] = []
    for document in documents:
        if isinstance(document, dict) and document.get("kind") == "List":
            manifests.extend(document.get("items") or [])
        else:
            manifests.append(document)
    return manifests


def load_deployments(text: str, source: str = "<input>") -> list[tuple[Deployment, dict[str, Any]]]:
    r"""Every ``kind: Deployment`` document in a YAML or JSON stream: the record and the manifest.

    Other kinds are skipped; a ``kind: List`` is searched too.

    Raises
    ------
    ManifestError
        Text that is not YAML, no Deployment at all, or a Deployment with a bad field.

    Examples
    --------
    >>> docs = "kind: Service\n---\nkind: Deployment\nmetadata: {name: web}\n"
    >>> [d.name for d, _ in load_deployments(docs)]
    ['web']
    """
    deployments = [
        (deployment_from_manifest(m), m)
        for m in _documents(text, source)
        if isinstance(m, dict) and m.get("kind") == "Deployment"
    ]
    if not deployments:
        raise ManifestError(source, None, "holds no kind: Deployment document")
    return deployments


def _read(path: str) -> tuple[str, str]:
    """The text of ``path`` (``-``: stdin) and the name to report it by."""
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(), path
    except OSError as err:
        raise ManifestError(path, None, f"cannot be read: {err.strerror}") from None


def load_nodes(text: str, source: str = "<input>") -> list[Node]:
    r"""The ``kind: Node`` objects of a YAML stream (with the pods bound to them).

    Raises
    ------
    ManifestError
        Text that is not YAML, no Node at all, or a Node with a bad field.

    Examples
    --------
    >>> docs = "kind: Node\nmetadata: {name: n1}\nstatus: {allocatable: {cpu: '4'}}\n"
    >>> [node.name for node in load_nodes(docs)]
    ['n1']
    """
    nodes = nodes_from_manifests(_documents(text, source))
    if not nodes:
        raise ManifestError(source, None, "holds no kind: Node document")
    return nodes


_FLAGS = {
    "max_surge": "--max-surge",
    "max_unavailable": "--max-unavailable",
    "replicas": "--replicas",
}


def _with_overrides(d: Deployment, args: argparse.Namespace) -> Deployment:
    """Apply the command-line overrides; errors name the flag."""
    try:
        return _override(d, args)
    except ManifestError:
        raise
    except InvalidValueError as err:
        raise InvalidValueError(_FLAGS.get(err.field, err.field), err.value, err.reason) from None


def _override(d: Deployment, args: argparse.Namespace) -> Deployment:
    if args.replicas is not None:
        d = attrs.evolve(d, replicas=args.replicas)
    if args.max_surge is None and args.max_unavailable is None:
        return d
    if isinstance(d.strategy, Recreate):
        raise ManifestError(
            "spec.strategy.type", "Recreate", "--max-surge/--max-unavailable need RollingUpdate"
        )
    surge = d.strategy.max_surge if args.max_surge is None else args.max_surge
    unavailable = (
        d.strategy.max_unavailable if args.max_unavailable is None else args.max_unavailable
    )
    return attrs.evolve(d, strategy=RollingUpdate(surge, unavailable))


def _plan(d: Deployment) -> RolloutPlan:
    return plan_rollout(
        d.replicas,
        d.strategy,
        min_ready_seconds=d.min_ready_seconds,
        progress_deadline_seconds=d.progress_deadline_seconds,
        name=d.name,
        template=d.template,
    )


def describe_plan(d: Deployment, plan: RolloutPlan) -> str:
    """The text report of one Deployment: its resolved knobs, the step table, the outcome.

    Examples
    --------
    >>> d = Deployment("web", replicas=10, strategy=RollingUpdate(10, 5))
    >>> print(describe_plan(d, _plan(d)))
    Deployment web: 10 replicas, RollingUpdate maxSurge 10 -> 10, maxUnavailable 5 -> 5
      at most 20 pods, at least 5 available
    step  old  new  total  available  what changed
       1    5   10     15          5  create web-... at 10; scale web-old 10->5
       2    0   10     10         10  scale web-old 5->0
    complete after 2 steps; peak 20 pods, lowest availability 5
    """
    strategy = d.strategy
    if isinstance(strategy, RollingUpdate):
        knobs = (
            f"RollingUpdate maxSurge {strategy.max_surge} -> {plan.max_surge}, "
            f"maxUnavailable {strategy.max_unavailable} -> {plan.max_unavailable}"
        )
    else:
        knobs = "Recreate"
    lines = [
        f"Deployment {d.name}: {d.replicas} replica{'' if d.replicas == 1 else 's'}, {knobs}",
        f"  at most {plan.max_pods} pods, at least {plan.min_available} available",
        plan.format_table(),
        f"{plan.reason}; peak {plan.peak_pods} pods, lowest availability {plan.lowest_available}",
    ]
    if plan.deadline_exceeded_at is not None:
        lines.append(f"  progress deadline exceeded after {plan.deadline_exceeded_at:g}s")
    return "\n".join(lines)


def _capacity_dict(check: RolloutCheck) -> dict[str, Any]:
    def fix(f: Fix) -> dict[str, Any]:
        return {
            "kind": f.kind,
            "description": f.description,
            "strategy": f.plan.to_dict()["strategy"],
            "extraNodes": f.extra_nodes,
            "steps": len(f.plan.steps),
        }

    return {
        "completes": check.completes,
        "blockedStep": check.blocked_step,
        "reason": check.reason,
        "fixes": [fix(f) for f in check.alternatives],
    }


def _write(
    out: TextIO, results: list[tuple[Deployment, RolloutPlan, RolloutCheck | None]], fmt: str
) -> None:
    def table(_: object) -> str:
        blocks = []
        for d, plan, check in results:
            block = describe_plan(d, plan)
            if check is not None:
                block += "\n" + check.summary()
            blocks.append(block)
        return "\n\n".join(blocks) + "\n"

    data = []
    for d, plan, check in results:
        entry = {"deployment": d.name, **plan.to_dict()}
        if check is not None:
            entry["capacity"] = _capacity_dict(check)
        data.append(entry)
    write_output(data, fmt, table, out)


def _run(args: argparse.Namespace) -> int:
    try:
        text, source = _read(args.filename)
        deployments = load_deployments(text, source)
        if args.name is not None:
            deployments = [(d, m) for d, m in deployments if d.name == args.name]
            if not deployments:
                raise ManifestError("--name", args.name, f"no Deployment of that name in {source}")
        nodes = None if args.nodes is None else load_nodes(*_read(args.nodes))
        results: list[tuple[Deployment, RolloutPlan, RolloutCheck | None]] = []
        for record, manifest in deployments:
            d = _with_overrides(record, args)
            if nodes is None:
                results.append((d, _plan(d), None))
                continue
            sized = copy.deepcopy(manifest)
            sized.setdefault("spec", {})["replicas"] = d.replicas
            check = check_rollout(sized, nodes, strategy=d.strategy)
            results.append((d, check.plan, check))
    except OrchkitError as err:
        return report_error("rollout", err)
    _write(sys.stdout, results, args.output)
    return 1 if any(plan.outcome != "complete" for _, plan, _ in results) else 0
