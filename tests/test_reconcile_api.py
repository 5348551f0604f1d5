"""Every public name of orchkit.reconcile, and every public method, carries a doctest example."""

from __future__ import annotations

import inspect

import pytest

import orchkit.reconcile as reconcile

#: ``SystemClock.now`` *is* :func:`time.monotonic` (no wrapper on the hot path).
EXEMPT = {"SystemClock.now"}


def public_callables() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name in reconcile.__all__:
        obj = getattr(reconcile, name)
        found.append((name, obj))
        if not inspect.isclass(obj):
            continue
        for klass in obj.__mro__:
            if not klass.__module__.startswith("orchkit"):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") or f"{name}.{attr}" in EXEMPT:
                    continue
                if isinstance(value, property):
                    found.append((f"{name}.{attr}", value.fget))
                elif isinstance(value, staticmethod):
                    found.append((f"{name}.{attr}", value.__func__))
                elif inspect.isfunction(value):
                    found.append((f"{name}.{attr}", value))
    return found


CALLABLES = dict(public_callables())


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_has_a_doctest_example(name: str) -> None:
    doc = inspect.getdoc(CALLABLES[name]) or ""
    assert ">>>" in doc, f"{name} has no Examples doctest"
