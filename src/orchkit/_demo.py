"""``orchkit demo``: each module adds its section, run on the embedded example."""

from __future__ import annotations

from typing import TextIO

__all__ = ["run_demo"]


def run_demo(out: TextIO) -> None:
    """Print every section of the demo to ``out``."""
    out.write("orchkit demo\n")
