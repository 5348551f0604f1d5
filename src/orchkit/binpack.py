"""Bin packing: fast heuristics, lower bounds and a checker; pods onto Kubernetes nodes.

The generic core works on plain numbers. Items are non-negative integer sizes (``int``, or a
sequence of ``int`` for several resources); every bin has the same capacity. `pack` packs
them with a named strategy from `STRATEGIES` (or your own callable), `lower_bound`
says how many bins any packing needs, and `check_packing` verifies every invariant of a
`Packing`.

On top of it, `place` puts `Pod` objects onto `Node` objects under the
scheduler's constraints (node selectors, taints, pod anti-affinity, topology spread) with
kube-scheduler's scoring policies or batch heuristics, and `estimate_nodes` answers "how many
more nodes of this shape"; `pods_from_manifests` and `nodes_from_manifests` build them
from manifests.

Examples
--------
>>> from orchkit.binpack import lower_bound, pack
>>> sizes = [50, 26, 59, 21, 32, 20, 54, 64, 36, 29, 59, 33]
>>> pack(sizes, 100).num_bins, pack(sizes, 100, "local_search").num_bins, lower_bound(sizes, 100)
(6, 5, 5)
"""

from __future__ import annotations

from orchkit._binpack_core import STRATEGIES as STRATEGIES
from orchkit._binpack_core import best_fit as best_fit
from orchkit._binpack_core import best_fit_decreasing as best_fit_decreasing
from orchkit._binpack_core import dot_product as dot_product
from orchkit._binpack_core import first_fit as first_fit
from orchkit._binpack_core import first_fit_decreasing as first_fit_decreasing
from orchkit._binpack_core import first_fit_decreasing_l2 as first_fit_decreasing_l2
from orchkit._binpack_core import first_fit_decreasing_max as first_fit_decreasing_max
from orchkit._binpack_core import first_fit_decreasing_product as first_fit_decreasing_product
from orchkit._binpack_core import first_fit_decreasing_sum as first_fit_decreasing_sum
from orchkit._binpack_core import l2_norm_greedy as l2_norm_greedy
from orchkit._binpack_core import local_search as local_search
from orchkit._binpack_core import lower_bound as lower_bound
from orchkit._binpack_core import minimum_bin_slack as minimum_bin_slack
from orchkit._binpack_core import next_fit as next_fit
from orchkit._binpack_core import next_fit_decreasing as next_fit_decreasing
from orchkit._binpack_core import pack as pack
from orchkit._binpack_core import worst_fit as worst_fit
from orchkit._binpack_core import worst_fit_decreasing as worst_fit_decreasing
from orchkit._binpack_exact import Solution as Solution
from orchkit._binpack_exact import SolveStatus as SolveStatus
from orchkit._binpack_exact import solve as solve
from orchkit._binpack_model import Bins as Bins
from orchkit._binpack_model import Capacity as Capacity
from orchkit._binpack_model import Load as Load
from orchkit._binpack_model import Packing as Packing
from orchkit._binpack_model import Sizes as Sizes
from orchkit._binpack_model import check_packing as check_packing
from orchkit._manifests import flatten_manifests as flatten_manifests
from orchkit._manifests import nodes_from_manifests as nodes_from_manifests
from orchkit._manifests import pods_from_manifests as pods_from_manifests
from orchkit._placement import PLACEMENT_STRATEGIES as PLACEMENT_STRATEGIES
from orchkit._placement import Estimate as Estimate
from orchkit._placement import LabelSelector as LabelSelector
from orchkit._placement import Node as Node
from orchkit._placement import NodeReport as NodeReport
from orchkit._placement import Placement as Placement
from orchkit._placement import Pod as Pod
from orchkit._placement import PodAntiAffinity as PodAntiAffinity
from orchkit._placement import Taint as Taint
from orchkit._placement import Toleration as Toleration
from orchkit._placement import TopologySpread as TopologySpread
from orchkit._placement import Unplaced as Unplaced
from orchkit._placement import estimate_nodes as estimate_nodes
from orchkit._placement import place as place
from orchkit._placement_exact import NodeType as NodeType
from orchkit._placement_exact import NodeTypeChoice as NodeTypeChoice
from orchkit._placement_exact import choose_node_types as choose_node_types

__all__ = [
    "PLACEMENT_STRATEGIES",
    "STRATEGIES",
    "Bins",
    "Capacity",
    "Estimate",
    "LabelSelector",
    "Load",
    "Node",
    "NodeReport",
    "NodeType",
    "NodeTypeChoice",
    "Packing",
    "Placement",
    "Pod",
    "PodAntiAffinity",
    "Sizes",
    "Solution",
    "SolveStatus",
    "Taint",
    "Toleration",
    "TopologySpread",
    "Unplaced",
    "best_fit",
    "best_fit_decreasing",
    "check_packing",
    "choose_node_types",
    "dot_product",
    "estimate_nodes",
    "first_fit",
    "first_fit_decreasing",
    "first_fit_decreasing_l2",
    "first_fit_decreasing_max",
    "first_fit_decreasing_product",
    "first_fit_decreasing_sum",
    "flatten_manifests",
    "l2_norm_greedy",
    "local_search",
    "lower_bound",
    "minimum_bin_slack",
    "next_fit",
    "next_fit_decreasing",
    "nodes_from_manifests",
    "pack",
    "place",
    "pods_from_manifests",
    "solve",
    "worst_fit",
    "worst_fit_decreasing",
]
