"""Packing pods onto nodes: heuristics, lower bounds and exact solvers.

This module is being built; see the project's issue tracker for its planned surface.
"""

from __future__ import annotations

__all__: list[str] = []
