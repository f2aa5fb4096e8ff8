//! Moving replicas from the old ReplicaSets to the new one, as `rolling.go` and `recreate.go`
//! do: RollingUpdate grows the new ReplicaSet within `maxSurge` (`reconcileNewReplicaSet`), then
//! shrinks the old ones within `maxUnavailable`, unhealthy pods first
//! (`reconcileOldReplicaSets`, `cleanupUnhealthyReplicas`,
//! `scaleDownOldReplicaSetsForRollingUpdate`); Recreate takes every old ReplicaSet to 0 and waits
//! for their pods to be gone before the new one grows. A paused Deployment, or one with nothing
//! old left, is only scaled (`sync`).
//!
//! One action per sync: after scaling something the sync ends, and the ReplicaSet's update
//! (delivered to the informer) queues the Deployment again with fresh caches.

use super::super::client::uid_of;
use super::super::replicaset::controlled_by;
use super::super::Caches;
use super::sync::Sync;
use super::util::{annotations_stale, available, fenceposts, is_paused, is_recreate, new_rs_replicas, replicas};
use crate::apiserver::Context;
use serde_json::Value;

/// `oldPodsRunning`: a pod of an old RS that has not finished, terminating ones included, so
/// Recreate never runs old and new pods side by side.
pub fn old_pods_running(old: &[&Value], caches: &Caches) -> bool {
    old.iter().any(|rs| {
        caches.pods.values().any(|p| controlled_by(p, uid_of(rs)) && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
    })
}

/// Recreate's first half: every old RS to 0. Returns true when it scaled something.
pub fn rollout_recreate_old(ctx: &mut Context, sync: &mut Sync, old: &[&Value]) -> bool {
    let mut scaled = false;
    for rs in old {
        if replicas(rs) > 0 {
            scaled |= sync.scale(ctx, rs, 0);
        }
    }
    scaled
}

/// `rolloutRolling` / `rolloutRecreate` / `sync` once the new RS exists.
pub fn rollout(ctx: &mut Context, sync: &mut Sync, new: &Value, old: &[&Value], caches: &Caches) {
    let d = sync.d;
    let want = replicas(d);
    let old_total: i64 = old.iter().map(|rs| replicas(rs)).sum();
    if is_paused(d) || old_total == 0 {
        // Not rolling out: a replicas change is a plain scale of the new RS.
        if replicas(new) != want || annotations_stale(d, new) {
            sync.scale(ctx, new, want);
        }
        return;
    }
    if is_recreate(d) {
        if rollout_recreate_old(ctx, sync, old) {
            return;
        }
        if !old_pods_running(old, caches) && replicas(new) != want {
            sync.scale(ctx, new, want);
        }
        return;
    }
    // reconcileNewReplicaSet.
    let all_total = old_total + replicas(new);
    let target = if replicas(new) > want { want } else { new_rs_replicas(d, all_total, replicas(new)) };
    if target != replicas(new) {
        sync.scale(ctx, new, target);
        return;
    }
    // reconcileOldReplicaSets.
    let (_, max_unavailable) = fenceposts(d);
    let min_available = want - max_unavailable;
    let new_unavailable = replicas(new) - available(new);
    let max_scaled_down = all_total - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return;
    }
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    let mut cleaned = 0;
    for rs in old {
        if cleaned >= max_scaled_down {
            break;
        }
        let unhealthy = replicas(rs) - available(rs);
        if replicas(rs) == 0 || unhealthy <= 0 {
            continue;
        }
        let n = unhealthy.min(max_scaled_down - cleaned);
        if sync.scale(ctx, rs, replicas(rs) - n) {
            cleaned += n;
        }
    }
    if cleaned > 0 {
        return;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: available old pods above minAvailable.
    let available_all: i64 = old.iter().map(|rs| available(rs)).sum::<i64>() + available(new);
    if available_all <= min_available {
        return;
    }
    let mut budget = available_all - min_available;
    for rs in old {
        if budget <= 0 {
            break;
        }
        if replicas(rs) == 0 {
            continue;
        }
        let n = replicas(rs).min(budget);
        if sync.scale(ctx, rs, replicas(rs) - n) {
            budget -= n;
        }
    }
}
