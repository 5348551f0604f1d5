"""``orchkit demo``: each module contributes a section, run in order on the embedded example.

A section is a function ``(out: TextIO) -> None`` in a private module; add its dotted path to
``SECTIONS``.
"""

from __future__ import annotations

import importlib
from typing import TextIO

__all__ = ["SECTIONS", "run_demo"]

#: ``"module:function"`` of each demo section, in the order they print.
SECTIONS: tuple[str, ...] = (
    "orchkit._demo_resources:section",
    "orchkit._demo_binpack:section",
    "orchkit._demo_rollout:section",
    "orchkit._demo_reconcile:section",
)


def run_demo(out: TextIO) -> None:
    """Print every section of the demo to ``out``."""
    out.write("orchkit demo: the article's nginx Deployment and friends\n")
    for spec in SECTIONS:
        module_name, _, function = spec.partition(":")
        section = getattr(importlib.import_module(module_name), function)
        out.write("\n")
        section(out)
