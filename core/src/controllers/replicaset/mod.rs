//! The replicaset controller (`pkg/controller/replicaset`): keeps `spec.replicas` pods alive for
//! each ReplicaSet, creating them from the template (`generateName: <rs>-`, a controller
//! ownerReference) and deleting surplus ones in the order `getPodsToDelete` ranks them, then
//! reports `status` (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//! observedGeneration).
//!
//! Driven by a work queue (`workqueue.rs`): the informers' event handlers queue a ReplicaSet's key
//! when it or one of its pods changes (and at every resync), and each sync returns its
//! [`Decision`]. The caches are current when a step starts, so a pod this controller created in
//! the previous step is already counted (which is what client-go's "expectations" otherwise
//! guard).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::informer::{queue_key, Notification};
use super::workqueue::{Decision, WorkQueue};
use super::Caches;
use crate::apiserver::{Context, Verb};
use crate::sim::Time;
use serde_json::{json, Value};

/// `burstReplicas`: pods created or deleted per ReplicaSet per sync.
const BURST_REPLICAS: usize = 500;
const NAME: &str = "replicaset-controller";

/// True when `obj` names `owner_uid` as its controller.
pub fn controlled_by(obj: &Value, owner_uid: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["controller"] == json!(true) && r["uid"].as_str() == Some(owner_uid))
}

pub fn is_terminating(obj: &Value) -> bool {
    !obj["metadata"]["deletionTimestamp"].is_null()
}

/// `controller.IsPodActive`: not finished and not being deleted.
pub fn is_active(pod: &Value) -> bool {
    !is_terminating(pod) && !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

pub fn condition_true(obj: &Value, kind: &str) -> bool {
    obj["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == kind && c["status"] == "True")
}

/// The rank `getPodsToDelete` sorts by (`ActivePodsWithRanks`): smaller deletes first.
fn victim_rank(pod: &Value, same_node: usize) -> (u8, u8, u8, i64, std::cmp::Reverse<usize>, std::cmp::Reverse<String>) {
    let scheduled = u8::from(!client::str_of(pod, &["spec", "nodeName"]).is_empty());
    let phase = match pod["status"]["phase"].as_str() {
        Some("Pending") => 0,
        Some("Unknown") => 1,
        Some("Running") => 2,
        _ => 0,
    };
    let ready = u8::from(condition_true(pod, "Ready"));
    let cost = client::str_of(pod, &["metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"]).parse::<i64>().unwrap_or(0);
    // Newer creation first: a later RFC 3339 timestamp sorts after, so reverse it.
    let created = client::str_of(pod, &["metadata", "creationTimestamp"]).to_string();
    (scheduled, phase, ready, cost, std::cmp::Reverse(same_node), std::cmp::Reverse(created))
}

/// The replicaset controller: its work queue of ReplicaSet keys (`namespace/name`), fed by the
/// event handlers on the ReplicaSet and Pod informers and drained by `syncReplicaSet`. A failed
/// create or delete returns an error, which retries the key through the queue's rate limiter
/// (5 ms doubling to 1000 s) for as long as it fails, as `processNextWorkItem` does; the
/// failures are forgotten once a sync succeeds.
#[derive(Debug, Default)]
pub struct ReplicaSetController {
    queue: WorkQueue,
}

impl ReplicaSetController {
    /// Keys queued, or a quick retry coming due: work a command waits for.
    pub fn next_wake(&self) -> Option<Time> {
        self.queue.next_wake()
    }

    /// Retries that have backed off to a second or more run as virtual time passes.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.queue.next_background_wake()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        self.handle_events(caches);
        self.queue.process(ctx, NAME, "replicasets", |ctx, key| sync_replica_set(ctx, caches, events, key));
    }

    /// The event handlers (`addRS`, `updateRS`, `deleteRS`, `addPod`, `updatePod`, `deletePod`):
    /// every ReplicaSet notification queues its key, resyncs included; a pod's queues its
    /// controller's, unless nothing changed (a resync: same resourceVersion). Orphan pods would
    /// queue the ReplicaSets that could adopt them; adoption is not modelled.
    fn handle_events(&mut self, caches: &Caches) {
        for n in caches.replicasets.notifications() {
            if let Some(rs) = caches.replicasets.object_of(n) {
                self.queue.add(&queue_key(ns_of(rs), name_of(rs)));
            }
        }
        for n in caches.pods.notifications() {
            let (current, old) = match n {
                Notification::Resynced { .. } => continue,
                Notification::Updated { old, .. } => (caches.pods.object_of(n), Some(old)),
                _ => (caches.pods.object_of(n), None),
            };
            if let (Some(cur), Some(old)) = (current, old) {
                if cur["metadata"]["resourceVersion"] == old["metadata"]["resourceVersion"] {
                    continue;
                }
            }
            // A changed controller reference queues the old controller too.
            for pod in old.into_iter().chain(current) {
                if let Some(rs) = caches.replicasets.resolve_controller_ref(pod) {
                    self.queue.add(&queue_key(ns_of(rs), name_of(rs)));
                }
            }
        }
    }
}

/// `syncReplicaSet` for one key: the pods it controls up or down to `spec.replicas` (at most
/// `burstReplicas` per sync), then its status. An error asks for a rate-limited retry.
fn sync_replica_set(ctx: &mut Context, caches: &Caches, events: &mut EventNames, key: &str) -> Decision {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    let (Some(rs), Some(rs_kind), Some(pod_kind)) = (caches.replicasets.get(ns, name), client::kind("apps/v1", "ReplicaSet"), client::kind("v1", "Pod")) else {
        // Deleted: nothing to do (its pods go through the garbage collector).
        return Decision::Done;
    };
    if is_terminating(rs) {
        return Decision::Done;
    }
    let user = client::controller(NAME);
    let source = Source { component: NAME, host: "" };
    let (rs_name, rs_uid) = (name_of(rs), uid_of(rs));
    let pods: Vec<&Value> = caches.pods.values().filter(|p| ns_of(p) == ns && controlled_by(p, rs_uid)).collect();
    let active: Vec<&Value> = pods.iter().copied().filter(|p| is_active(p)).collect();
    let want = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    let mut error = None;
    if active.len() < want {
        let template = &rs["spec"]["template"];
        for _ in 0..(want - active.len()).min(BURST_REPLICAS) {
            let mut meta = json!({
                "generateName": format!("{rs_name}-"),
                "namespace": ns,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs_name, "uid": rs_uid, "controller": true, "blockOwnerDeletion": true}],
            });
            for f in ["labels", "annotations"] {
                if let Some(v) = template["metadata"].get(f) {
                    meta[f] = v.clone();
                }
            }
            let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]});
            let reply = client::send(ctx, &user, Verb::Create, pod_kind, ns, "", Some(body));
            match reply.result {
                Ok(pod) => client::event(ctx, events, &user, &source, rs, false, "SuccessfulCreate", &format!("Created pod: {}", name_of(&pod))),
                Err(status) => {
                    client::event(ctx, events, &user, &source, rs, true, "FailedCreate", &format!("Error creating: {}", status.message));
                    // In a namespace being deleted every create fails; nothing to retry.
                    if !status.message.ends_with("because it is being terminated") {
                        error = Some(status.message);
                    }
                    // Slow start: stop the batch at the first failure.
                    break;
                }
            }
        }
    }
    if active.len() > want {
        let mut ranked: Vec<(_, &Value)> = active
            .iter()
            .map(|p| {
                let node = client::str_of(p, &["spec", "nodeName"]);
                let same = if node.is_empty() { 0 } else { active.iter().filter(|q| client::str_of(q, &["spec", "nodeName"]) == node).count() };
                (victim_rank(p, same), *p)
            })
            .collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| name_of(a.1).cmp(name_of(b.1))));
        for (_, pod) in ranked.into_iter().take((active.len() - want).min(BURST_REPLICAS)) {
            let mut req = crate::apiserver::Request::new(Verb::Delete, pod_kind, ns, name_of(pod));
            req.user = user.clone();
            req.delete.precondition_uid = Some(uid_of(pod).to_string());
            match crate::apiserver::handle(ctx, &req).result {
                Ok(_) => client::event(ctx, events, &user, &source, rs, false, "SuccessfulDelete", &format!("Deleted pod: {}", name_of(pod))),
                // Already gone is what was wanted.
                Err(status) if status.code == 404 => {}
                Err(status) => error = error.or(Some(status.message)),
            }
        }
    }
    if let Err(e) = update_status(ctx, rs, &active, rs_kind) {
        error = error.or(Some(e));
    }
    error.map_or(Decision::Done, Decision::Error)
}

/// `updateReplicaSetStatus`, written only when it changed. A failed write is the sync's error.
fn update_status(ctx: &mut Context, rs: &Value, active: &[&Value], rs_kind: &'static crate::api::KindInfo) -> Result<(), String> {
    let labels = &rs["spec"]["template"]["metadata"]["labels"];
    let fully_labeled = active
        .iter()
        .filter(|p| labels.as_object().into_iter().flatten().all(|(k, v)| p["metadata"]["labels"][k] == *v))
        .count();
    let ready = active.iter().filter(|p| condition_true(p, "Ready")).count();
    let mut status = json!({"replicas": active.len(), "observedGeneration": rs["metadata"]["generation"]});
    // omitempty: zero counts are not written.
    for (field, n) in [("fullyLabeledReplicas", fully_labeled), ("readyReplicas", ready), ("availableReplicas", ready)] {
        if n > 0 {
            status[field] = json!(n);
        }
    }
    if rs["status"] == status {
        return Ok(());
    }
    let mut new = rs.clone();
    new["status"] = status;
    let mut req = crate::apiserver::Request::new(Verb::Update, rs_kind, ns_of(rs), name_of(rs)).with_body(new);
    req.subresource = "status".into();
    req.user = client::controller(NAME);
    crate::apiserver::handle(ctx, &req).result.map(|_| ()).map_err(|s| s.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, node: &str, phase: &str, ready: bool, created: &str) -> Value {
        json!({
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"nodeName": node},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]},
        })
    }

    #[test]
    fn victims_are_unscheduled_then_pending_then_not_ready_then_crowded_then_newest() {
        let unscheduled = pod("a", "", "Pending", false, "2026-01-01T00:00:05Z");
        let pending = pod("b", "node-1", "Pending", false, "2026-01-01T00:00:05Z");
        let not_ready = pod("c", "node-1", "Running", false, "2026-01-01T00:00:05Z");
        let crowded = pod("d", "node-2", "Running", true, "2026-01-01T00:00:01Z");
        let newer = pod("e", "node-3", "Running", true, "2026-01-01T00:00:09Z");
        let older = pod("f", "node-3", "Running", true, "2026-01-01T00:00:01Z");
        let mut ranked = [
            (victim_rank(&older, 1), "f"),
            (victim_rank(&newer, 1), "e"),
            (victim_rank(&crowded, 2), "d"),
            (victim_rank(&not_ready, 1), "c"),
            (victim_rank(&pending, 1), "b"),
            (victim_rank(&unscheduled, 0), "a"),
        ];
        ranked.sort();
        assert_eq!(ranked.iter().map(|r| r.1).collect::<String>(), "abcdef");
    }
}
