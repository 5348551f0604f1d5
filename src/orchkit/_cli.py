"""The ``orchkit`` command line.

Each subcommand lives in its own private module (``orchkit._cli_<name>``) that exposes
``register(subparsers)``; this module only lists them. Exit status: 0 success, 1 a negative answer
(something does not fit, a rollout would deadlock), 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

__all__ = ["main"]

#: Modules that add a subcommand, in the order ``orchkit --help`` lists them.
SUBCOMMAND_MODULES = (
    "orchkit._cli_demo",
    "orchkit._cli_quantity",
    "orchkit._cli_rollout",
    "orchkit._cli_pack",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``orchkit`` command."""
    parser = argparse.ArgumentParser(
        prog="orchkit",
        description="Orchestration algorithms: quantities, bin packing, rollouts, reconcile loops.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``orchkit`` command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`orchkit demo | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
