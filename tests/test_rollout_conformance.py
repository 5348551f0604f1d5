"""Upstream's own test tables, run through orchkit.rollout's public API.

``../shared/conformance/rollout_upstream.json`` transcribes the deployment controller's Go tests
(``rolling_test.go``, ``sync_test.go``, ``util/deployment_util_test.go``). Every case that does not
need the alpha/beta feature gates (DeploymentReplicaSetTerminatingReplicas,
DeploymentPodReplacementPolicy) must pass; the gated ones describe opt-in behaviour orchkit does not
model and are not collected. The module skips cleanly when ``../shared`` is absent.

Upstream's tests build Deployments directly, bypassing the API server's validation (for example
``maxSurge: 0`` with ``maxUnavailable: 0``, which the controller turns into unavailable 1); the
harness does the same with ``attrs.validators.disabled()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest

from orchkit.errors import InvalidValueError
from orchkit.rollout import (
    MAX_INT32,
    Condition,
    Deployment,
    DeploymentStatus,
    Recreate,
    ReplicaSet,
    RollingUpdate,
    ScaleReplicaSet,
    actual_replica_count,
    cleanup_deployment,
    cleanup_unhealthy_replicas,
    deployment_complete,
    deployment_progressing,
    deployment_timed_out,
    is_saturated,
    max_surge,
    max_unavailable,
    min_available,
    new_rs_new_replicas,
    proportional_scale,
    reconcile_new_replica_set,
    reconcile_old_replica_sets,
    replica_count,
    replica_set_fraction,
    replicas_annotations_need_update,
    resolve_fenceposts,
    scale_down_old_replica_sets,
    set_replicas_annotations,
    terminating_replica_count,
)

TABLES = Path(__file__).resolve().parent.parent.parent / "shared/conformance/rollout_upstream.json"
#: Non-gated cases in the transcription this module was written against.
EXPECTED_CASES = 107


@contextmanager
def unvalidated() -> Iterator[None]:
    """Build records as upstream's tests do: without the API server's validation."""
    with attrs.validators.disabled():
        yield


def deployment(
    replicas: int | None = 1,
    surge: Any = "25%",
    unavailable: Any = "25%",
    *,
    recreate: bool = False,
    **kwargs: Any,
) -> Deployment:
    strategy: RollingUpdate | Recreate = Recreate() if recreate else None  # type: ignore[assignment]
    with unvalidated():
        if not recreate:
            strategy = RollingUpdate(surge, unavailable)
        return Deployment(
            "foo", replicas=1 if replicas is None else replicas, strategy=strategy, **kwargs
        )


def rs(name: str, replicas: int, **kwargs: Any) -> ReplicaSet:
    return ReplicaSet(name, replicas=replicas, **kwargs)


# ---------------------------------------------------------------------------------------------
# One checker per Go test function.


def check_reconcile_new(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    d = deployment(i["deploymentReplicas"], i["maxSurge"], fixed["maxUnavailable"])
    new = rs("foo-v2", i["newReplicas"], template=d.template)
    old = rs("foo-v1", i["oldReplicas"], template="old")
    result = reconcile_new_replica_set(d, [new, old], new)
    if not want["scaleExpected"]:
        assert not result.scaled
        assert result.actions == ()
        return
    assert result.scaled
    assert len(result.actions) == 1
    action = result.actions[0]
    assert isinstance(action, ScaleReplicaSet)
    assert action.to_replicas == want["expectedNewReplicas"]
    assert result["foo-v2"].replicas == want["expectedNewReplicas"]


def check_reconcile_old(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    d = deployment(i["deploymentReplicas"], fixed["maxSurge"], i["maxUnavailable"])
    old_available = i["readyPodsFromOldRS(oldRS.status.availableReplicas)"]
    new_available = i["readyPodsFromNewRS(newRS.status.availableReplicas)"]
    old = rs("foo-old", i["oldReplicas"], template="old", available_replicas=old_available)
    new = rs("foo-new", i["newReplicas"], template=d.template, available_replicas=new_available)
    result = reconcile_old_replica_sets(d, [old, new], new)
    assert result.scaled == want["scaled"]
    # Declared by the table but never compared upstream; the rules reproduce them all.
    if "unasserted" in case:
        assert result["foo-old"].replicas == case["unasserted"]["expectedOldReplicas"]


def check_cleanup_unhealthy(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    d = deployment(fixed["deploymentReplicas"], fixed["maxSurge"], fixed["maxUnavailable"])
    available = i["readyPods(oldRS.status.availableReplicas)"]
    old = rs("foo-v2", i["oldReplicas"], available_replicas=available)
    result = cleanup_unhealthy_replicas(d, [old], i["maxCleanupCount"])
    assert result.count == want["cleanupCount"]
    assert result["foo-v2"].replicas == i["oldReplicas"] - want["cleanupCount"]


def check_scale_down_old(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    d = deployment(i["deploymentReplicas"], fixed["maxSurge"], i["maxUnavailable"])
    available = i["readyPods(oldRS.status.availableReplicas)"]
    old = rs("foo-v2", i["oldReplicas"], available_replicas=available)
    result = scale_down_old_replica_sets(d, [old])
    assert (result.count != 0) == want["scaledDownCount_nonzero"]
    if want["scaledDownCount_nonzero"]:
        assert len(result.actions) == 1
        assert result["foo-v2"].replicas == want["updatedOldReplicas"]
    else:
        assert result.actions == ()


def check_resolve_fenceposts(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    if want["error"]:
        with pytest.raises(InvalidValueError):
            resolve_fenceposts(i["maxSurge"], i["maxUnavailable"], i["desired"])
        return
    got = resolve_fenceposts(i["maxSurge"], i["maxUnavailable"], i["desired"])
    assert got == (want["surge"], want["unavailable"])


def check_new_rs_new_replicas(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    recreate = i["strategyType"] == "Recreate"
    d = deployment(i["depReplicas"], i["maxSurge"], fixed["maxUnavailable"], recreate=recreate)
    new = rs("new", i["newRSReplicas"], template=d.template)
    assert new_rs_new_replicas(d, [rs("rs5", 5)], new) == want["newReplicas"]


def _fencepost_deployment(i: dict[str, Any], fixed: dict[str, Any]) -> Deployment:
    recreate = i["strategy"] == "Recreate"
    surge = i.get("maxSurge", fixed.get("maxSurge"))
    return deployment(i["replicas"], surge, i["maxUnavailable"], recreate=recreate)


def check_max_unavailable(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    d = _fencepost_deployment(case["inputs"], fixed)
    assert max_unavailable(d) == case["expected"]["maxUnavailable"]


def check_min_available(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    d = _fencepost_deployment(case["inputs"], fixed)
    assert min_available(d) == case["expected"]["minAvailable"]


def _observed(value: Any) -> int:
    return value if isinstance(value, int) else 0  # "not set" is Go's zero value


def check_replica_counts(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    sets: dict[str, ReplicaSet] = {}
    for key, spec in fixed["replica_sets"].items():
        name = key.split()[0]
        sets[name] = rs(
            name,
            spec["spec.replicas"],
            status_replicas=spec["status.replicas"],
            terminating_replicas=spec["status.terminatingReplicas"],
            observed_generation=_observed(spec["status.observedGeneration"]),
        )
    chosen = [sets[name] for name in case["inputs"]["sets"]]
    want = case["expected"]
    assert replica_count(chosen) == want["count"]
    assert actual_replica_count(chosen) == want["actual"]
    assert terminating_replica_count(chosen) == want["terminating"]


def check_deployment_complete(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i = case["inputs"]
    d = deployment(i["spec.replicas"], i["maxSurge"], i["maxUnavailable"], generation=0)
    status = DeploymentStatus(
        observed_generation=fixed["status.observedGeneration"],
        replicas=i["status.replicas"],
        updated_replicas=i["status.updatedReplicas"],
        available_replicas=i["status.availableReplicas"],
    )
    assert deployment_complete(d, status) == case["expected"]["complete"]


def _status(values: dict[str, int]) -> DeploymentStatus:
    return DeploymentStatus(
        replicas=values["replicas"],
        updated_replicas=values["updatedReplicas"],
        ready_replicas=values["readyReplicas"],
        available_replicas=values["availableReplicas"],
    )


def check_deployment_progressing(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i = case["inputs"]
    d = Deployment("foo", status=_status(i["oldStatus"]))
    assert deployment_progressing(d, _status(i["newStatus"])) == case["expected"]["progressing"]


def _clock(value: str) -> float:
    """``00:MM:SS`` past the table's epoch, in seconds; Go's zero time is 0."""
    if value in ("zero time", "not set"):
        return 0.0
    hours, minutes, seconds = (int(part) for part in value.split(":"))
    return float(hours * 3600 + minutes * 60 + seconds)


def check_deployment_timed_out(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i = case["inputs"]
    last_update = _clock(i["lastUpdate"])
    cond = Condition("Progressing", i["condStatus"], i["reason"], "", last_update, last_update)
    status = DeploymentStatus(conditions=[cond])
    deadline = i["progressDeadlineSeconds"]
    d = Deployment("foo", progress_deadline_seconds=deadline, status=status)
    assert deployment_timed_out(d, now=_clock(i["now"])) == case["expected"]["timedOut"]


def check_fraction(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i = case["inputs"]
    d = deployment(
        i["deploymentReplicas"],
        i["deploymentMaxSurge"],
        fixed["maxUnavailable"],
        status=DeploymentStatus(replicas=i["deploymentStatusReplicas"]),
    )
    annotation = i["rs.annotations[max-replicas]"]
    replica_set = rs(
        "foo", i["rsReplicas"], max_replicas=None if annotation is None else int(annotation)
    )
    assert replica_set_fraction(replica_set, d) == case["expected"]["fraction"]


def check_is_saturated(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i = case["inputs"]
    replica_set = rs(
        "foo",
        i["rs.spec.replicas"],
        desired_replicas=int(i["rs.annotations[desired-replicas]"]),
        available_replicas=i["rs.status.availableReplicas"],
    )
    assert is_saturated(Deployment("foo", replicas=1), replica_set) == case["expected"]["saturated"]


def check_set_annotations(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    before = rs("foo", 0)
    after = set_replicas_annotations(before, i["desiredReplicas"], i["maxReplicas"])
    assert (after != before) == want["updated"]
    assert str(after.desired_replicas) == want["desired-replicas"]
    assert str(after.max_replicas) == want["max-replicas"]


def check_annotations_need_update(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    annotations = case["inputs"]["annotations"] or {}
    desired, maximum = annotations.get("desired-replicas"), annotations.get("max-replicas")
    replica_set = rs(
        "foo",
        0,
        desired_replicas=None if desired is None else int(desired),
        max_replicas=None if maximum is None else int(maximum),
    )
    need = replicas_annotations_need_update(replica_set, 10, 20)
    assert need == case["expected"]["needUpdate"]


_CREATED = {"new": 2 * 3600.0, "old": 3600.0, "older": 0.0}


def check_scale(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i, want = case["inputs"], case["expected"]
    spec, old_spec = i["deployment"], i["oldDeployment"]
    d = deployment(spec["replicas"], spec["maxSurge"], spec["maxUnavailable"], template="v-new")
    overrides = i.get("desiredReplicasAnnotations", {})

    def annotated(doc: dict[str, Any] | None) -> ReplicaSet | None:
        if doc is None:
            return None
        desired = overrides.get(doc["name"], old_spec["replicas"])
        before = deployment(desired, old_spec["maxSurge"], old_spec["maxUnavailable"])
        available = doc.get("status", {}).get("availableReplicas", 0)
        return rs(
            doc["name"],
            doc["spec.replicas"],
            created=_CREATED[doc["created"]],
            available_replicas=available,
            desired_replicas=desired,
            max_replicas=desired + max_surge(before),
        )

    new = annotated(i["newRS"])
    olds = [annotated(doc) for doc in i["oldRSs"]]
    result = proportional_scale(d, new, [o for o in olds if o is not None])
    untouched = set(i.get("wasntUpdated", ()))
    if new is not None and "newRS.spec.replicas" in want and new.name not in untouched:
        assert result[new.name].replicas == want["newRS.spec.replicas"]
    for doc, expected in zip(i["oldRSs"], want["oldRSs.spec.replicas"], strict=True):
        if doc["name"] not in untouched:
            assert result[doc["name"]].replicas == expected


def check_cleanup_deployment(case: dict[str, Any], fixed: dict[str, Any]) -> None:
    i = case["inputs"]
    olds = [
        rs(
            doc["name"],
            doc["spec.replicas"],
            status_replicas=doc["status.replicas"],
            deleting="deletionTimestamp" in doc,
        )
        for doc in i["oldRSs"]
    ]
    limit = i["revisionHistoryLimit"]
    d = Deployment("foo", revision_history_limit=limit)
    result = cleanup_deployment(d, olds)
    assert result.count == case["expected"]["deletions"]
    assert len(result.replica_sets) == len(olds) - result.count
    if limit == MAX_INT32:
        assert result.actions == ()


CHECKERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "reconcileNewReplicaSet": check_reconcile_new,
    "reconcileOldReplicaSets": check_reconcile_old,
    "cleanupUnhealthyReplicas": check_cleanup_unhealthy,
    "scaleDownOldReplicaSetsForRollingUpdate": check_scale_down_old,
    "ResolveFenceposts": check_resolve_fenceposts,
    "NewRSNewReplicas": check_new_rs_new_replicas,
    "MaxUnavailable": check_max_unavailable,
    "MinAvailable": check_min_available,
    "GetReplicaCountForReplicaSets": check_replica_counts,
    "DeploymentComplete": check_deployment_complete,
    "DeploymentProgressing": check_deployment_progressing,
    "DeploymentTimedOut": check_deployment_timed_out,
    "getReplicaSetFraction": check_fraction,
    "IsSaturated": check_is_saturated,
    "SetReplicasAnnotations": check_set_annotations,
    "ReplicasAnnotationsNeedUpdate": check_annotations_need_update,
    "scale (proportional scaling)": check_scale,
    "cleanupDeployment (revisionHistoryLimit)": check_cleanup_deployment,
}


def _load() -> dict[str, Any]:
    return json.loads(TABLES.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _cases() -> list[Any]:
    if not TABLES.is_file():
        return [pytest.param(None, None, id="shared-absent")]
    params = []
    for group, table in _load()["groups"].items():
        for case in table["cases"]:
            if case.get("feature_gated"):
                continue
            params.append(pytest.param(group, case, id=f"{group}: {case['name']}"))
    return params


@pytest.mark.parametrize(("group", "case"), _cases())
def test_upstream_case(shared: Path, group: str, case: dict[str, Any]) -> None:
    fixed = _load()["groups"][group].get("fixed", {})
    CHECKERS[group](case, fixed)


def test_every_group_has_a_checker(shared: Path) -> None:
    assert set(_load()["groups"]) == set(CHECKERS)


def test_case_count(shared: Path) -> None:
    """The transcription has the cases this module expects (a changed table is noticed)."""
    groups = _load()["groups"].values()
    non_gated = [c for g in groups for c in g["cases"] if not c.get("feature_gated")]
    assert len(non_gated) == EXPECTED_CASES
