"""Shared by every `orchkit` subcommand: the `-o` option, writing results, reporting errors."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

import yaml

__all__ = ["add_output_argument", "report_error", "write_output"]

OUTPUT_FORMATS = ("table", "json", "yaml")


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``-o/--output table|json|yaml`` (default ``table``), as kubectl spells it."""
    parser.add_argument(
        "-o",
        "--output",
        choices=OUTPUT_FORMATS,
        default="table",
        help="output format (default: table)",
    )


def write_output(data: Any, output: str, table: Callable[[Any], str], out: TextIO) -> None:
    """Write ``data`` as JSON or YAML, or as the text ``table(data)`` returns."""
    if output == "json":
        out.write(json.dumps(data, indent=2) + "\n")
    elif output == "yaml":
        out.write(yaml.safe_dump(data, sort_keys=False))
    else:
        out.write(table(data))


def report_error(command: str, err: Exception) -> int:
    """Print ``orchkit <command>: error: <err>`` on stderr; return exit status 2 (bad input)."""
    print(f"orchkit {command}: error: {err}", file=sys.stderr)
    return 2
