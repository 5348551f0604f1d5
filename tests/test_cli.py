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


# -- orchkit pack ----------------------------------------------------------------------------------

WORKLOAD = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        resources: {requests: {cpu: 1500m, memory: 1Gi}}
"""
NODES = """
kind: List
items:
- kind: Node
  metadata: {name: small}
  status: {allocatable: {cpu: "2", memory: 4Gi, pods: "110"}}
- kind: Node
  metadata: {name: gpu}
  spec: {taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
  status: {allocatable: {cpu: "8", memory: 32Gi}}
"""


@pytest.fixture
def files(tmp_path: pytest.TempPathFactory) -> tuple[str, str]:
    workload = tmp_path / "workload.yaml"  # type: ignore[operator]
    nodes = tmp_path / "nodes.yaml"  # type: ignore[operator]
    workload.write_text(WORKLOAD, encoding="utf-8")
    nodes.write_text(NODES, encoding="utf-8")
    return str(workload), str(nodes)


def test_pack_onto_nodes_reports_reasons(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workload, nodes = files
    assert main(["pack", "-f", workload, "-f", nodes]) == 1
    out = capsys.readouterr().out
    assert "placed 1 of 3 pods on 1 of 2 nodes" in out
    assert (
        "web-1: 1 node with untolerated taint dedicated=gpu:NoSchedule; "
        "cpu: needs 1500m, largest free 500m on 1 eligible node"
    ) in out


def test_pack_with_a_node_shape(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    workload, _ = files
    assert main(["pack", "-f", workload, "--node-shape", "cpu=4,memory=16Gi", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["new_nodes"]["nodes"] == 2
    assert data["new_nodes"]["lower_bound"] == 2
    assert data["new_nodes"]["optimal"]
    assert data["fits"]


def test_pack_nodes_then_new_nodes(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workload, nodes = files
    args = ["pack", "-f", workload, "-f", nodes, "--node-shape", "cpu=2,memory=4Gi", "-o", "yaml"]
    assert main(args) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["placement"]["placed"] == 1
    assert data["new_nodes"]["pods"] == 2
    assert data["new_nodes"]["nodes"] == 2


def test_pack_pod_too_big_for_the_shape(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workload, _ = files
    assert main(["pack", "-f", workload, "--node-shape", "cpu=1,memory=16Gi"]) == 1
    assert "cpu: needs 1500m, largest free 1 on 1 empty node" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--node-shape", "cpu"], "--node-shape: expected NAME=QUANTITY"),
        (["--node-shape", "cpu=lots"], "cpu: does not match the quantity grammar"),
        (["--strategy", "fastest", "--node-shape", "cpu=1"], "--strategy: is not one of"),
        ([], "has no Node; give nodes or --node-shape"),
        (["-f", "/no/such/file.yaml", "--node-shape", "cpu=1"], "cannot read it"),
    ],
)
def test_pack_bad_input_exits_2(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    workload, _ = files
    assert main(["pack", "-f", workload, *extra]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_pack_shared_manifests(shared: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    folder = Path(str(shared)) / "data" / "manifests"
    args = ["pack", *(x for p in sorted(folder.glob("*.yaml")) for x in ("-f", str(p)))]
    assert main([*args, "--node-shape", "cpu=4,memory=16Gi"]) == 0
    assert "26 pods need 1 new node of cpu=4, memory=16Gi" in capsys.readouterr().out


def test_demo_has_the_binpack_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Bin packing: 20 services, 130 pods onto nodes of {cpu: 4, memory: 16Gi}" in out
    assert "lower bound       28 nodes" in out
    assert "local_search              28   97.1%   90.5%  optimal" in out


# -- orchkit pack --exact --------------------------------------------------------------------------


def test_pack_exact_onto_new_nodes(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workload, _ = files
    args = ["pack", "-f", workload, "--node-shape", "cpu=4,memory=16Gi", "--exact"]
    assert main([*args, "--time-limit", "5", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["new_nodes"]
    assert (data["status"], data["nodes"], data["lower_bound"], data["gap"]) == (
        "OPTIMAL",
        2,
        2,
        0.0,
    )
    assert data["strategy"] == "exact"
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "exact: OPTIMAL, 2 nodes, lower bound 2, gap 0.0%" in captured.out
    assert captured.err == ""  # not a terminal: no progress line


def test_pack_exact_onto_nodes(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    workload, nodes = files
    assert main(["pack", "-f", workload, "-f", nodes, "--exact", "--workers", "2"]) == 1
    out = capsys.readouterr().out
    assert "exact: OPTIMAL: placed 1 of 3 pods by priority on 1 node" in out


def test_pack_exact_bad_time_limit(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    workload, _ = files
    args = ["pack", "-f", workload, "--node-shape", "cpu=4", "--exact", "--time-limit", "0"]
    assert main(args) == 2
    assert "--time-limit: must be positive" in capsys.readouterr().err


def test_progress_line_on_a_terminal() -> None:
    import io

    from orchkit._cli_pack import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    line = ProgressLine(stream)
    line(0.5, None, 3)
    line(1.25, 4, 3)
    line.close()
    text = stream.getvalue()
    assert "exact:    0.5 s  best - nodes  bound 3" in text
    assert "exact:    1.2 s  best 4 nodes  bound 3  gap 25.0%" in text
    assert text.endswith("\r\x1b[K")
    quiet = io.StringIO()
    ProgressLine(quiet)(1.0, 2, 2)
    assert quiet.getvalue() == ""
