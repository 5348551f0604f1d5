"""``orchkit demo``: run every demo section on the embedded example."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from orchkit._demo import run_demo


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "demo", help="run the demo on the embedded example"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    run_demo(sys.stdout)
    return 0
