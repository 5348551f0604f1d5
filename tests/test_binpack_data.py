"""Real BPPLIB and vector-packing instances from ../shared (skipped when it is absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchkit.binpack import check_packing, lower_bound, pack


def load_set(shared: Path, folder: str, name: str) -> dict[str, dict[str, Any]]:
    path = shared / "data" / "binpack" / folder / name
    instances = json.loads(path.read_text(encoding="utf-8"))["instances"]
    return {row["name"]: row for row in instances}


@pytest.fixture(scope="module")
def falkenauer_u(shared: Path) -> dict[str, dict[str, Any]]:
    return load_set(shared, "1d/falkenauer_u", "falkenauer_u.json")


@pytest.mark.parametrize("name", ["Falkenauer_u120_00", "Falkenauer_u120_07", "Falkenauer_u250_00"])
def test_local_search_reaches_the_optimum(
    falkenauer_u: dict[str, dict[str, Any]], name: str
) -> None:
    row = falkenauer_u[name]
    packing = pack(row["items"], row["capacity"], "local_search")
    check_packing(packing, row["items"], row["capacity"])
    assert packing.num_bins == row["optimum"]
    assert pack(row["items"], row["capacity"]).num_bins > row["optimum"]


def test_bounds_never_exceed_the_optimum(falkenauer_u: dict[str, dict[str, Any]]) -> None:
    for row in falkenauer_u.values():
        bound = lower_bound(row["items"], row["capacity"])
        assert bound <= row["optimum"] <= pack(row["items"], row["capacity"]).num_bins


def test_hard28_and_triplets_stay_valid(shared: Path) -> None:
    for folder, name, instance in [
        ("1d/hard28", "hard28.json", "Hard28_BPP14"),
        ("1d/falkenauer_t", "falkenauer_t.json", "Falkenauer_t60_00"),
    ]:
        row = load_set(shared, folder, name)[instance]
        packing = pack(row["items"], row["capacity"], "local_search")
        check_packing(packing, row["items"], row["capacity"])
        assert lower_bound(row["items"], row["capacity"]) <= row["optimum"] <= packing.num_bins
        assert packing.num_bins <= pack(row["items"], row["capacity"]).num_bins


def test_vector_instances(shared: Path) -> None:
    rows = load_set(shared, "vbp/new", "new_class2.json")
    for name in ["class2_40_3_0", "class2_60_5_1"]:
        row = rows[name]
        packing = pack(row["items"], row["capacity"], "local_search")
        check_packing(packing, row["items"], row["capacity"])
        assert lower_bound(row["items"], row["capacity"]) <= row["optimum"] <= packing.num_bins
        assert packing.num_bins <= pack(row["items"], row["capacity"], "dot_product").num_bins
