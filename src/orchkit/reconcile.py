"""A generic reconcile loop: work queue, per-key backoff, workers and desired-vs-observed diffs.

This module is being built; see the project's issue tracker for its planned surface.
"""

from __future__ import annotations

__all__: list[str] = []
