"""``orchkit rollout``: the step table of a Deployment's rolling update, before it starts.

Reads one or more Deployments from a YAML (or JSON) file, plans each rollout as the deployment
controller will run it, and prints the steps. Exit status: 0 every rollout completes, 1 one of
them stalls, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, TextIO

import attrs
import yaml

from orchkit.errors import InvalidValueError, ManifestError, OrchkitError
from orchkit.rollout import (
    Deployment,
    Recreate,
    RollingUpdate,
    RolloutPlan,
    deployment_from_manifest,
    plan_rollout,
)

__all__ = ["describe_plan", "load_deployments", "register"]

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
        "-o",
        "--output",
        choices=("table", "json", "yaml"),
        default="table",
        help="output format (default: table)",
    )
    parser.set_defaults(func=_run)


def _int_or_percent(text: str) -> int | str:
    """``"3"`` is the int 3 (as YAML reads it); anything else stays a string to validate."""
    return int(text) if _INT.fullmatch(text) else text


def load_deployments(text: str, source: str = "<input>") -> list[Deployment]:
    r"""Every ``kind: Deployment`` document in a YAML or JSON stream, as records.

    Other kinds are skipped; a ``kind: List`` is searched too.

    Raises
    ------
    ManifestError
        Text that is not YAML, no Deployment at all, or a Deployment with a bad field.

    Examples
    --------
    >>> docs = "kind: Service\n---\nkind: Deployment\nmetadata: {name: web}\n"
    >>> [d.name for d in load_deployments(docs)]
    ['web']
    """
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
    deployments = [
        deployment_from_manifest(m)
        for m in manifests
        if isinstance(m, dict) and m.get("kind") == "Deployment"
    ]
    if not deployments:
        raise ManifestError(source, None, "holds no kind: Deployment document")
    return deployments


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


def _write(out: TextIO, plans: list[tuple[Deployment, RolloutPlan]], fmt: str) -> None:
    if fmt == "table":
        out.write("\n\n".join(describe_plan(d, plan) for d, plan in plans) + "\n")
        return
    data = [{"deployment": d.name, **plan.to_dict()} for d, plan in plans]
    if fmt == "json":
        out.write(json.dumps(data, indent=2) + "\n")
    else:
        out.write(yaml.safe_dump(data, sort_keys=False))


def _run(args: argparse.Namespace) -> int:
    try:
        if args.filename == "-":
            text, source = sys.stdin.read(), "<stdin>"
        else:
            source = args.filename
            try:
                with open(args.filename, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as err:
                raise ManifestError(
                    args.filename, None, f"cannot be read: {err.strerror}"
                ) from None
        deployments = load_deployments(text, source)
        if args.name is not None:
            deployments = [d for d in deployments if d.name == args.name]
            if not deployments:
                raise ManifestError("--name", args.name, f"no Deployment of that name in {source}")
        plans = [(d, _plan(d)) for d in (_with_overrides(d, args) for d in deployments)]
    except OrchkitError as err:
        print(f"orchkit rollout: error: {err}", file=sys.stderr)
        return 2
    _write(sys.stdout, plans, args.output)
    return 1 if any(plan.outcome != "complete" for _, plan in plans) else 0
