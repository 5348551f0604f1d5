"""Rolling-update planning that reproduces the Kubernetes deployment controller step for step.

Three layers, from the controller's rules to a plan:

- **Records**: `Deployment`, `ReplicaSet`, `RollingUpdate`,
  `Recreate`, `DeploymentStatus`, `Condition`, and the actions a sync makes
  (`CreateReplicaSet`, `ScaleReplicaSet`, ...).
- **The controller's rules as pure functions**, each named after its upstream counterpart:
  `resolve_fenceposts`, `new_rs_new_replicas`, `reconcile_new_replica_set`,
  `reconcile_old_replica_sets`, `proportional_scale`, `deployment_timed_out`,
  ... and `sync`, which composes them like ``syncDeployment``.
- **The planner**: `plan_rollout` runs those rules against a model of pods becoming ready
  and returns a `RolloutPlan` of `RolloutStep`s; `check_plan` states its
  invariants. Other systems' knobs plan in the same step model: `EcsRolling`,
  `StatefulSetRollingUpdate`, `DaemonSetRollingUpdate`, `Canary`.
- **The capacity check**: `check_rollout` places every step's pods on real nodes with
  `orchkit.binpack.place` and reports a deadlock before it happens, with its fix.

Examples
--------
>>> from orchkit.rollout import plan_rollout, resolve_fenceposts, RollingUpdate
>>> resolve_fenceposts("25%", "25%", 10)    # surge rounds up, unavailable rounds down
(3, 2)
>>> plan = plan_rollout(10, RollingUpdate(max_surge=10, max_unavailable=5))
>>> [(step.old_replicas, step.new_replicas) for step in plan.steps]
[(5, 10), (0, 10)]
"""

from __future__ import annotations

from orchkit._capacity import Fix as Fix
from orchkit._capacity import RolloutCheck as RolloutCheck
from orchkit._capacity import check_rollout as check_rollout
from orchkit._deployment import actual_replica_count as actual_replica_count
from orchkit._deployment import available_replica_count as available_replica_count
from orchkit._deployment import calculate_status as calculate_status
from orchkit._deployment import cleanup_deployment as cleanup_deployment
from orchkit._deployment import cleanup_unhealthy_replicas as cleanup_unhealthy_replicas
from orchkit._deployment import deployment_complete as deployment_complete
from orchkit._deployment import deployment_from_manifest as deployment_from_manifest
from orchkit._deployment import deployment_progressing as deployment_progressing
from orchkit._deployment import deployment_timed_out as deployment_timed_out
from orchkit._deployment import find_new_replica_set as find_new_replica_set
from orchkit._deployment import find_old_replica_sets as find_old_replica_sets
from orchkit._deployment import is_saturated as is_saturated
from orchkit._deployment import max_surge as max_surge
from orchkit._deployment import max_unavailable as max_unavailable
from orchkit._deployment import min_available as min_available
from orchkit._deployment import new_rs_new_replicas as new_rs_new_replicas
from orchkit._deployment import proportional_scale as proportional_scale
from orchkit._deployment import ready_replica_count as ready_replica_count
from orchkit._deployment import reconcile_new_replica_set as reconcile_new_replica_set
from orchkit._deployment import reconcile_old_replica_sets as reconcile_old_replica_sets
from orchkit._deployment import replica_count as replica_count
from orchkit._deployment import replica_set_fraction as replica_set_fraction
from orchkit._deployment import (
    replicas_annotations_need_update as replicas_annotations_need_update,
)
from orchkit._deployment import resolve_fenceposts as resolve_fenceposts
from orchkit._deployment import rollback as rollback
from orchkit._deployment import scale_down_old_replica_sets as scale_down_old_replica_sets
from orchkit._deployment import set_replicas_annotations as set_replicas_annotations
from orchkit._deployment import settle as settle
from orchkit._deployment import sync as sync
from orchkit._deployment import terminating_replica_count as terminating_replica_count
from orchkit._intstr import MAX_INT32 as MAX_INT32
from orchkit._intstr import IntOrPercent as IntOrPercent
from orchkit._intstr import scaled_value as scaled_value
from orchkit._plan import PlannableStrategy as PlannableStrategy
from orchkit._plan import plan_rollout as plan_rollout
from orchkit._planner import Rescale as Rescale
from orchkit._planner import RolloutPlan as RolloutPlan
from orchkit._planner import RolloutStep as RolloutStep
from orchkit._planner import check_plan as check_plan
from orchkit._rollout_types import Action as Action
from orchkit._rollout_types import Condition as Condition
from orchkit._rollout_types import CreateReplicaSet as CreateReplicaSet
from orchkit._rollout_types import DeleteReplicaSet as DeleteReplicaSet
from orchkit._rollout_types import Deployment as Deployment
from orchkit._rollout_types import DeploymentState as DeploymentState
from orchkit._rollout_types import DeploymentStatus as DeploymentStatus
from orchkit._rollout_types import Recreate as Recreate
from orchkit._rollout_types import ReplicaSet as ReplicaSet
from orchkit._rollout_types import Requeue as Requeue
from orchkit._rollout_types import RollingUpdate as RollingUpdate
from orchkit._rollout_types import ScaleReplicaSet as ScaleReplicaSet
from orchkit._rollout_types import ScaleResult as ScaleResult
from orchkit._rollout_types import Strategy as Strategy
from orchkit._rollout_types import UpdateReplicaSet as UpdateReplicaSet
from orchkit._rollout_types import UpdateStatus as UpdateStatus
from orchkit._strategies_other import Canary as Canary
from orchkit._strategies_other import DaemonSetRollingUpdate as DaemonSetRollingUpdate
from orchkit._strategies_other import EcsRolling as EcsRolling
from orchkit._strategies_other import Pause as Pause
from orchkit._strategies_other import SetWeight as SetWeight
from orchkit._strategies_other import StatefulSetRollingUpdate as StatefulSetRollingUpdate

__all__ = [
    "MAX_INT32",
    "Action",
    "Canary",
    "Condition",
    "CreateReplicaSet",
    "DaemonSetRollingUpdate",
    "DeleteReplicaSet",
    "Deployment",
    "DeploymentState",
    "DeploymentStatus",
    "EcsRolling",
    "Fix",
    "IntOrPercent",
    "Pause",
    "PlannableStrategy",
    "Recreate",
    "ReplicaSet",
    "Requeue",
    "Rescale",
    "RollingUpdate",
    "RolloutCheck",
    "RolloutPlan",
    "RolloutStep",
    "ScaleReplicaSet",
    "ScaleResult",
    "SetWeight",
    "StatefulSetRollingUpdate",
    "Strategy",
    "UpdateReplicaSet",
    "UpdateStatus",
    "actual_replica_count",
    "available_replica_count",
    "calculate_status",
    "check_plan",
    "check_rollout",
    "cleanup_deployment",
    "cleanup_unhealthy_replicas",
    "deployment_complete",
    "deployment_from_manifest",
    "deployment_progressing",
    "deployment_timed_out",
    "find_new_replica_set",
    "find_old_replica_sets",
    "is_saturated",
    "max_surge",
    "max_unavailable",
    "min_available",
    "new_rs_new_replicas",
    "plan_rollout",
    "proportional_scale",
    "ready_replica_count",
    "reconcile_new_replica_set",
    "reconcile_old_replica_sets",
    "replica_count",
    "replica_set_fraction",
    "replicas_annotations_need_update",
    "resolve_fenceposts",
    "rollback",
    "scale_down_old_replica_sets",
    "scaled_value",
    "set_replicas_annotations",
    "settle",
    "sync",
    "terminating_replica_count",
]
