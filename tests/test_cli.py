"""The command line: subcommands, exit codes, output."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import yaml

from orchkit._cli import main


def test_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert "orchkit demo" in capsys.readouterr().out


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


# -- orchkit quantity ------------------------------------------------------------------------------

EXPECTED_ROWS = [
    {
        "input": "600M",
        "canonical": "600M",
        "value": 600_000_000,
        "milli_value": 600_000_000_000,
        "format": "DecimalSI",
    },
    {"input": "0.5", "canonical": "500m", "value": 1, "milli_value": 500, "format": "DecimalSI"},
    {
        "input": "1.5Gi",
        "canonical": "1536Mi",
        "value": 1_610_612_736,
        "milli_value": 1_610_612_736_000,
        "format": "BinarySI",
    },
]


def test_quantity_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quantity", "600M", "0.5", "1.5Gi", "1e3"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0].split() == ["INPUT", "CANONICAL", "VALUE", "MILLI-VALUE", "FORMAT"]
    assert lines[1].split() == ["600M", "600M", "600000000", "600000000000", "DecimalSI"]
    assert lines[2].split() == ["0.5", "500m", "1", "500", "DecimalSI"]
    assert lines[3].split() == ["1.5Gi", "1536Mi", "1610612736", "1610612736000", "BinarySI"]
    assert lines[4].split() == ["1e3", "1e3", "1000", "1000000", "DecimalExponent"]
    assert len(lines) == 5


@pytest.mark.parametrize(("fmt", "load"), [("json", json.loads), ("yaml", yaml.safe_load)])
def test_quantity_json_and_yaml_parse_back(
    fmt: str, load: Callable[[str], object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quantity", "600M", "0.5", "1.5Gi", "-o", fmt]) == 0
    assert load(capsys.readouterr().out) == EXPECTED_ROWS
    assert main(["quantity", "--output", fmt, "1"]) == 0
    (row,) = load(capsys.readouterr().out)  # type: ignore[misc]
    assert row["canonical"] == "1"


def test_quantity_negative_after_double_dash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quantity", "-o", "json", "--", "-1.5", "-1Gi"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["canonical"], r["value"], r["milli_value"]) for r in rows] == [
        ("-1500m", -2, -1500),
        ("-1Gi", -1073741824, -1073741824000),
    ]


@pytest.mark.parametrize("bad", ["1K", "1 Gi", "NaN", "1e99999", ""])
def test_quantity_bad_input_exits_2(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quantity", "600M", bad, "-o", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("orchkit quantity: error: quantity: ")
    assert repr(bad) in captured.err


@pytest.mark.parametrize("argv", [["quantity"], ["quantity", "1", "-o", "xml"]])
def test_quantity_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: orchkit quantity" in capsys.readouterr().err


def test_demo_resources_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Resources: Deployment 'nginx', 10 replicas" in out
    assert "pod requests    {cpu: 400m, memory: 600M}" in out
    assert "pod limits      {cpu: 600m, memory: 1G}" in out
    assert "QoS class       Burstable" in out
    assert "pods per node   10, bound by cpu" in out
