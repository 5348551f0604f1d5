"""``orchkit rollout``: manifests in, step tables out; exit codes 0, 1, 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from orchkit._cli import main
from orchkit._examples import nginx_deployment

MANIFEST = """\
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 10
  strategy:
    rollingUpdate: {maxSurge: 10, maxUnavailable: 5}
  template:
    spec:
      containers: [{name: web, image: nginx:1.25}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 3
  strategy: {type: Recreate}
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "deploy.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def test_table(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rollout", "-f", str(manifest)]) == 0
    out = capsys.readouterr().out
    assert "Deployment web: 10 replicas, RollingUpdate maxSurge 10 -> 10" in out
    assert "Deployment db: 3 replicas, Recreate" in out
    rows = [line.split()[:5] for line in out.splitlines() if line[:4].strip().isdigit()]
    assert rows[:2] == [["1", "5", "10", "15", "5"], ["2", "0", "10", "10", "10"]]


def test_json_and_yaml(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rollout", "-f", str(manifest), "--name", "web", "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["deployment"] for d in data] == ["web"]
    assert [(s["old"], s["new"], s["available"]) for s in data[0]["steps"]] == [
        (5, 10, 5),
        (0, 10, 10),
    ]
    assert main(["rollout", "-f", str(manifest), "-o", "yaml"]) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    assert [d["deployment"] for d in data] == ["web", "db"]
    assert data[1]["strategy"] == {"type": "Recreate"}


def test_the_exercise_by_override(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["rollout", "-f", str(manifest), "--name", "web", "--max-surge", "1", "-o", "json"]
    assert main(args) == 0
    steps = json.loads(capsys.readouterr().out)[0]["steps"]
    assert [(s["old"], s["new"]) for s in steps] == [(5, 1), (5, 6), (0, 6), (0, 10)]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(yaml.safe_dump(nginx_deployment())))
    assert main(["rollout", "-f", "-", "--max-unavailable", "25%"]) == 0
    assert "Deployment nginx: 10 replicas" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--max-surge", "5.5"], "--max-surge: a valid percent string"),
        (["--max-surge", "-1"], "--max-surge: must be greater than or equal to 0 (got -1)"),
        (["--max-surge", "0", "--max-unavailable", "0%"], "--max-unavailable: may not be 0"),
        (["--replicas", "-3"], "--replicas: must be non-negative (got -3)"),
        (["--name", "nope"], "no Deployment of that name"),
    ],
)
def test_bad_input_exits_2(
    manifest: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rollout", "-f", str(manifest), *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.startswith("orchkit rollout: error:")


def test_bad_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rollout", "-f", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot be read" in capsys.readouterr().err
    empty = tmp_path / "svc.yaml"
    empty.write_text("kind: Service\n", encoding="utf-8")
    assert main(["rollout", "-f", str(empty)]) == 2
    assert "no kind: Deployment" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [Deployment\n", encoding="utf-8")
    assert main(["rollout", "-f", str(broken)]) == 2
    assert "is not YAML" in capsys.readouterr().err
    recreate = tmp_path / "recreate.yaml"
    recreate.write_text(MANIFEST, encoding="utf-8")
    args = ["rollout", "-f", str(recreate), "--name", "db", "--max-surge", "1"]
    assert main(args) == 2
    assert "need RollingUpdate" in capsys.readouterr().err


def test_real_manifests(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every Deployment of Online Boutique and Sock Shop plans to completion."""
    for name in ("online-boutique.yaml", "sock-shop.yaml"):
        path = shared / "data" / "manifests" / name
        assert main(["rollout", "-f", str(path), "-o", "json"]) == 0
        plans = json.loads(capsys.readouterr().out)
        assert len(plans) >= 12
        assert all(p["outcome"] == "complete" for p in plans)
