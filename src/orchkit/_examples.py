"""The example manifests shipped as package data (``src/orchkit/data/``).

They are read with `importlib.resources`, so they load from a wheel, a zip or a source
checkout alike.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

__all__ = ["load_example", "nginx_deployment"]

#: The file of the demo's nginx Deployment.
NGINX_DEPLOYMENT = "nginx-deployment.yaml"


def load_example(name: str) -> dict[str, Any]:
    """Parse the example manifest ``name`` from ``orchkit/data``; a fresh dict on every call."""
    text = (resources.files("orchkit") / "data" / name).read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict):  # pragma: no cover - the shipped files are mappings
        msg = f"example {name!r} is not a mapping"
        raise TypeError(msg)
    return document


def nginx_deployment() -> dict[str, Any]:
    """The demo's nginx Deployment: 10 replicas, requests 400m / 600M, limits 600m / 1000M.

    Examples
    --------
    >>> deployment = nginx_deployment()
    >>> deployment["kind"], deployment["spec"]["replicas"]
    ('Deployment', 10)
    >>> deployment["spec"]["strategy"]["rollingUpdate"]
    {'maxSurge': 10, 'maxUnavailable': 5}
    """
    return load_example(NGINX_DEPLOYMENT)
