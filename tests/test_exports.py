"""The public API is declared once (``__all__``) and every public module keeps to it."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import orchkit

PUBLIC_MODULES = [
    "orchkit",
    "orchkit.errors",
    "orchkit.resources",
    "orchkit.binpack",
    "orchkit.rollout",
    "orchkit.reconcile",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_complete(name: str) -> None:
    """`__all__` names exactly the public symbols (ruff's RUF022 keeps it sorted)."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(set(exported)) == len(exported)
    for symbol in exported:
        assert hasattr(module, symbol), f"{name}.{symbol} is in __all__ but missing"
    public = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and getattr(v, "__module__", name).startswith("orchkit")
        and not isinstance(v, type(sys))
        and n not in {"annotations"}
    }
    assert public <= set(exported) | {"TYPE_CHECKING"}, public - set(exported)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_callables_have_docstrings(name: str) -> None:
    module = importlib.import_module(name)
    for symbol in module.__all__:
        obj = getattr(module, symbol)
        if callable(obj):
            assert obj.__doc__, f"{name}.{symbol} has no docstring"


def test_import_is_light() -> None:
    """`import orchkit` must not pull in OR-Tools, numpy or pandas."""
    code = (
        "import sys, orchkit, orchkit.resources, orchkit.binpack, orchkit.rollout, "
        "orchkit.reconcile; heavy = {'ortools', 'numpy', 'pandas'} & {m.split('.')[0] for m in "
        "sys.modules}; print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_version() -> None:
    assert orchkit.__version__.count(".") == 2
