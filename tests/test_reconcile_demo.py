"""The healing demo section: deterministic, heals the cluster, registered in `orchkit demo`."""

from __future__ import annotations

import io
import re

import pytest

from orchkit._cli import main
from orchkit._demo import SECTIONS
from orchkit._demo_reconcile import section


def run() -> str:
    out = io.StringIO()
    section(out)
    return out.getvalue()


def test_output_is_deterministic() -> None:
    assert run() == run()


def test_the_cluster_heals() -> None:
    text = run()
    assert "node-b is lost" in text
    assert "no room for 1 pod(s), retry in 5s" in text, "a pending pod is retried"
    assert "autoscaler adds node-d" in text
    healed = re.search(r"healed at t=(\d+\.\d+)s", text)
    assert healed is not None
    assert float(healed.group(1)) > 22.0, "healed only once node-d exists"
    assert "0 lost keys" in text
    pods = re.findall(r"\b(?:api|cache|web|worker)-\d\b", text.split("pods per node:")[1])
    assert sorted(pods) == sorted(
        ["api-0", "api-1", "cache-0", "web-0", "web-1", "web-2", "worker-0", "worker-1"]
    )
    assert "node-b:" not in text.split("pods per node:")[1]


def test_registered_in_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert "orchkit._demo_reconcile:section" in SECTIONS
    assert main(["demo"]) == 0
    assert "the control loop heals the cluster" in capsys.readouterr().out
