"""``orchkit quantity``: parse Kubernetes quantities and show their canonical form and values."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from orchkit._cli_output import add_output_argument, report_error, write_output
from orchkit.errors import OrchkitError
from orchkit.resources import parse_quantity

__all__ = ["describe", "register"]

_COLUMNS = ("input", "canonical", "value", "milli_value", "format")


def register(sub: Any) -> None:
    """Add the ``quantity`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "quantity",
        help="parse quantities: canonical form, value, milli-value, format",
        description=(
            "Parse Kubernetes resource quantities exactly as the API server does and print, for "
            "each, its canonical form, its value and milli-value (rounded away from zero) and its "
            "format. Put negative quantities after `--`: orchkit quantity -- -1Gi"
        ),
    )
    parser.add_argument("quantities", nargs="+", metavar="QUANTITY", help="e.g. 600M 0.5 1.5Gi")
    add_output_argument(parser)
    parser.set_defaults(func=_run)


def describe(text: str) -> dict[str, str | int]:
    """One row of the output: the input and what orchkit makes of it.

    Raises `QuantityError` for text Kubernetes rejects.

    Examples
    --------
    >>> describe("1.5Gi")
    {'input': '1.5Gi', 'canonical': '1536Mi', 'value': 1610612736,
     'milli_value': 1610612736000, 'format': 'BinarySI'}
    """
    q = parse_quantity(text)
    return {
        "input": text,
        "canonical": str(q),
        "value": q.value(),
        "milli_value": q.milli_value(),
        "format": q.format.value,
    }


def _table(rows: list[dict[str, str | int]]) -> str:
    header = [c.upper().replace("_", "-") for c in _COLUMNS]
    cells = [header, *([str(row[c]) for c in _COLUMNS] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]
    return "\n".join(lines) + "\n"


def _run(args: argparse.Namespace) -> int:
    try:
        rows = [describe(text) for text in args.quantities]
    except OrchkitError as err:
        return report_error("quantity", err)
    write_output(rows, args.output, _table, sys.stdout)
    return 0
