"""Rolling-update planning that reproduces the Kubernetes deployment controller step for step.

This module is being built; see the project's issue tracker for its planned surface.
"""

from __future__ import annotations

__all__: list[str] = []
