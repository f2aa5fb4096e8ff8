//! The Deployment's status and its conditions, as `sync.go`'s `calculateStatus` and
//! `progress.go`'s `syncRolloutStatus` write them: replica counts summed over its ReplicaSets,
//! Available (at least `replicas - maxUnavailable` available) and Progressing (FoundNewReplicaSet,
//! ReplicaSetUpdated on every bit of progress, NewReplicaSetAvailable once complete,
//! ProgressDeadlineExceeded after `progressDeadlineSeconds` without progress).
//!
//! The deadline needs no timer of its own: when a sync finds nothing to write while a rollout is
//! still under way, it asks the work queue to bring the key back just after the deadline
//! (`requeueStuckDeployment`), and that sync finds it passed.

use super::super::client::name_of;
use super::sync::Sync;
use super::util::{complete, fenceposts, i64_at, is_paused, is_recreate, progress_deadline_ms, progressing_condition, replicas, set_condition};
use crate::apiserver::{rfc3339, Context};
use crate::sim::Duration;
use serde_json::{json, Map, Value};

/// `calculateStatus` + `syncRolloutStatus`, written only when it changed. When it did not, the
/// delay after which the rollout's progress must be checked again, if it must.
pub fn write_status(ctx: &mut Context, sync: &mut Sync, new: Option<&Value>, old: &[&Value], progressing: Option<(&str, &str, String)>) -> Option<Duration> {
    let d = sync.d;
    let all: Vec<&Value> = old.iter().copied().chain(new).collect();
    let sum = |f: &str| all.iter().map(|rs| i64_at(rs, &["status", f])).sum::<i64>();
    let want = replicas(d);
    let available_n = sum("availableReplicas");
    let total_spec: i64 = all.iter().map(|rs| replicas(rs)).sum();
    let mut status = Map::new();
    status.insert("observedGeneration".into(), d["metadata"]["generation"].clone());
    let updated = new.map(|rs| i64_at(rs, &["status", "replicas"])).unwrap_or(0);
    for (field, n) in [
        ("replicas", sum("replicas")),
        ("updatedReplicas", updated),
        ("readyReplicas", sum("readyReplicas")),
        ("availableReplicas", available_n),
        ("unavailableReplicas", (total_spec - available_n).max(0)),
    ] {
        if n > 0 {
            status.insert(field.into(), json!(n));
        }
    }
    if let Some(c) = d["status"].get("collisionCount") {
        status.insert("collisionCount".into(), c.clone());
    }
    let now = rfc3339(ctx.now);
    let mut conds: Vec<Value> = d["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let max_unavailable = if is_recreate(d) || want == 0 { 0 } else { fenceposts(d).1 };
    if available_n >= want - max_unavailable {
        set_condition(&mut conds, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", &now);
    } else {
        set_condition(&mut conds, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", &now);
    }
    let paused = is_paused(d);
    if let Some((s, reason, message)) = progressing {
        set_condition(&mut conds, "Progressing", s, reason, &message, &now);
    } else if let (Some(new), false) = (new, paused) {
        // A paused Deployment is only scaled (`sync`); the rollout status is left alone.
        let rs_name = name_of(new);
        let deadline = progress_deadline_ms(d);
        if deadline.is_some() && !conds.iter().any(|c| c["type"] == "Progressing") {
            set_condition(&mut conds, "Progressing", "True", "FoundNewReplicaSet", &format!("Found new replica set \"{rs_name}\""), &now);
        }
        let current = conds.iter().find(|c| c["type"] == "Progressing").cloned();
        let complete_deployment = sum("replicas") == updated && current.as_ref().is_some_and(|c| c["reason"] == "NewReplicaSetAvailable");
        let complete = updated == want && sum("replicas") == want && available_n == want;
        let old_status = &d["status"];
        // `DeploymentProgressing`: more updated, fewer old, more ready or more available.
        let progressed = updated > i64_at(old_status, &["updatedReplicas"])
            || sum("replicas") - updated < i64_at(old_status, &["replicas"]) - i64_at(old_status, &["updatedReplicas"])
            || sum("readyReplicas") > i64_at(old_status, &["readyReplicas"])
            || available_n > i64_at(old_status, &["availableReplicas"]);
        // `DeploymentTimedOut`: no progress since the condition's lastUpdateTime + deadline.
        let timed_out = current.as_ref().is_some_and(|c| match c["reason"].as_str() {
            Some("NewReplicaSetAvailable") => false,
            Some("ProgressDeadlineExceeded") => true,
            _ => match (deadline, c["lastUpdateTime"].as_str().and_then(crate::cli::printers::parse_time)) {
                (Some(limit), Some(from)) => from + limit < ctx.now.as_ms() as i64,
                _ => false,
            },
        });
        if deadline.is_some() && !complete_deployment {
            if complete {
                set_condition(&mut conds, "Progressing", "True", "NewReplicaSetAvailable", &format!("ReplicaSet \"{rs_name}\" has successfully progressed."), &now);
            } else if progressed {
                // Re-set on every bit of progress: lastUpdateTime moves, lastTransitionTime stays.
                let transition = current.as_ref().filter(|c| c["status"] == "True").map(|c| c["lastTransitionTime"].clone());
                conds.retain(|c| c["type"] != "Progressing");
                conds.push(json!({"type": "Progressing", "status": "True", "lastUpdateTime": now, "lastTransitionTime": transition.unwrap_or(json!(now)),
                    "reason": "ReplicaSetUpdated", "message": format!("ReplicaSet \"{rs_name}\" is progressing.")}));
            } else if timed_out {
                set_condition(&mut conds, "Progressing", "False", "ProgressDeadlineExceeded", &format!("ReplicaSet \"{rs_name}\" has timed out progressing."), &now);
            }
        }
    }
    if !conds.is_empty() {
        status.insert("conditions".into(), json!(conds));
    }
    let status = Value::Object(status);
    if d["status"] == status {
        // Only a rollout under way (not paused, its new ReplicaSet found) waits on its deadline.
        return if new.is_some() && !paused { requeue_stuck_deployment(d, &status, ctx.now.as_ms()) } else { None };
    }
    sync.update_status(ctx, status);
    None
}

/// `requeueStuckDeployment`: a rollout with a deadline that is neither complete nor timed out
/// is looked at again once its Progressing condition's lastUpdateTime + deadline has passed,
/// plus a second against clock skew. Two differences from client-go, which would otherwise
/// requeue through the rate limiter every few milliseconds: a Deployment whose condition says
/// NewReplicaSetAvailable (being scaled, which cannot time out) is not requeued, and when less
/// than a second is left it waits the second, as good here where clocks agree.
pub fn requeue_stuck_deployment(d: &Value, status: &Value, now_ms: u64) -> Option<Duration> {
    let deadline = progress_deadline_ms(d)?;
    let cond = progressing_condition(d)?;
    if complete(d, status) || matches!(cond["reason"].as_str(), Some("ProgressDeadlineExceeded" | "NewReplicaSetAvailable" | "DeploymentPaused")) {
        return None;
    }
    let from = crate::cli::printers::parse_time(cond["lastUpdateTime"].as_str()?)?;
    let after = (from + deadline - now_ms as i64).max(0);
    Some(Duration::from_ms(after as u64 + 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stuck_rollout_is_looked_at_again_a_second_after_its_deadline() {
        let d = json!({
            "metadata": {"generation": 2},
            "spec": {"replicas": 3, "progressDeadlineSeconds": 600},
            "status": {"conditions": [{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "lastUpdateTime": "2026-01-01T00:01:00Z"}]},
        });
        let status = json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2});
        // Updated at 60 s, 600 s deadline, now 100 s: 560 s left, plus one.
        assert_eq!(requeue_stuck_deployment(&d, &status, 100_000), Some(Duration::from_secs(561)));
        // Complete, or already timed out: nothing to wait for.
        let done = json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3});
        assert_eq!(requeue_stuck_deployment(&d, &done, 100_000), None);
        let mut timed_out = d.clone();
        timed_out["status"]["conditions"][0]["reason"] = json!("ProgressDeadlineExceeded");
        assert_eq!(requeue_stuck_deployment(&timed_out, &status, 100_000), None);
    }
}
