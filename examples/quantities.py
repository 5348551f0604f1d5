"""Sum the CPU and memory requests of every Deployment in a manifest, the Kubernetes way.

Run: ``python examples/quantities.py [manifest.yaml ...]`` (default: the shared Online Boutique).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from orchkit.resources import Quantity


def main(paths: list[str]) -> None:
    total_cpu = Quantity("0")
    total_memory = Quantity(0)
    for path in paths:
        for doc in yaml.safe_load_all(Path(path).read_text(encoding="utf-8")):
            if not doc or doc.get("kind") != "Deployment":
                continue
            replicas = doc["spec"].get("replicas", 1)
            for container in doc["spec"]["template"]["spec"]["containers"]:
                requests = container.get("resources", {}).get("requests", {})
                cpu = Quantity.from_json(requests.get("cpu", 0))
                memory = Quantity.from_json(requests.get("memory", 0))
                name = doc["metadata"]["name"]
                print(f"{name:<24} {container['name']:<20} {cpu!s:>6} {memory!s:>8}")
                total_cpu += cpu * replicas
                total_memory += memory * replicas
    print(f"{'total requests':<45} {total_cpu!s:>6} {total_memory!s:>8}")
    print(f"= {total_cpu.milli_value()} millicores, {total_memory.value():,} bytes")


if __name__ == "__main__":
    default = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "data"
        / "manifests"
        / "online-boutique.yaml"
    )
    main(sys.argv[1:] or [str(default)])
