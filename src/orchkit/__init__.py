"""orchkit: the algorithms a container orchestrator is made of, as small composable modules.

- `orchkit.resources`: Kubernetes resource quantities, resource lists, pod requests and QoS.
- `orchkit.binpack`: packing pods onto nodes (heuristics, lower bounds, exact solvers).
- `orchkit.rollout`: rolling-update planning, step for step as the deployment controller.
- `orchkit.reconcile`: a generic reconcile loop with a de-duplicating work queue and backoff.
- `orchkit.errors`: the one error hierarchy.

A short tour:

Examples
--------
>>> from orchkit import Quantity
>>> Quantity("1.5Gi")
Quantity('1536Mi')
>>> Quantity("400m") + Quantity("600m")
Quantity('1')
"""

from __future__ import annotations

import logging

from orchkit.errors import OrchkitError as OrchkitError
from orchkit.resources import Format as Format
from orchkit.resources import QOSClass as QOSClass
from orchkit.resources import Quantity as Quantity
from orchkit.resources import ResourceList as ResourceList
from orchkit.resources import parse_quantity as parse_quantity
from orchkit.resources import pod_limits as pod_limits
from orchkit.resources import pod_requests as pod_requests
from orchkit.resources import qos_class as qos_class

__all__ = [
    "Format",
    "OrchkitError",
    "QOSClass",
    "Quantity",
    "ResourceList",
    "__version__",
    "parse_quantity",
    "pod_limits",
    "pod_requests",
    "qos_class",
]

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
