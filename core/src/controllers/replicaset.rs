//! The replicaset controller (`pkg/controller/replicaset`): keeps `spec.replicas` pods alive for
//! each ReplicaSet, creating them from the template (`generateName: <rs>-`, a controller
//! ownerReference) and deleting surplus ones in the order `getPodsToDelete` ranks them, then
//! reports `status` (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//! observedGeneration).
//!
//! Level-triggered: every step looks at every ReplicaSet in the informer cache. The caches are
//! current when a step starts, so a pod this controller created in the previous step is already
//! counted (which is what client-go's "expectations" otherwise guard).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::Caches;
use crate::apiserver::{Context, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

/// How long after a failed create the controller tries again (doubling), and how many times
/// before it waits for the ReplicaSet itself to change (its `generation`). The real controller's
/// rate-limited work queue keeps retrying up to 1000 s apart; stopping lets the cluster go idle.
const CREATE_BACKOFF_MS: u64 = 1_000;
const MAX_CREATE_RETRIES: u32 = 5;

/// A ReplicaSet whose last pod create failed.
#[derive(Debug, Clone, Copy)]
struct Backoff {
    generation: i64,
    failures: u32,
    retry_at: Time,
}

#[derive(Debug, Default)]
pub struct ReplicaSetController {
    backoff: BTreeMap<String, Backoff>,
}

impl ReplicaSetController {
    /// The next retry of a failed create, while retries remain.
    pub fn next_wake(&self) -> Option<Time> {
        self.backoff.values().filter(|b| b.failures <= MAX_CREATE_RETRIES).map(|b| b.retry_at).min()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let live: Vec<&str> = caches.replicasets.values().map(uid_of).collect();
        self.backoff.retain(|uid, _| live.contains(&uid.as_str()));
        reconcile(ctx, caches, events, &mut self.backoff);
    }
}

fn reconcile(ctx: &mut Context, caches: &Caches, events: &mut EventNames, backoff: &mut BTreeMap<String, Backoff>) {
    let (Some(rs_kind), Some(pod_kind)) = (client::kind("apps/v1", "ReplicaSet"), client::kind("v1", "Pod")) else { return };
    let user = client::controller(NAME);
    let source = Source { component: NAME, host: "" };
    for rs in caches.replicasets.values() {
        if is_terminating(rs) {
            continue;
        }
        let (ns, rs_name, rs_uid) = (ns_of(rs), name_of(rs), uid_of(rs));
        let pods: Vec<&Value> = caches.pods.values().filter(|p| ns_of(p) == ns && controlled_by(p, rs_uid)).collect();
        let active: Vec<&Value> = pods.iter().copied().filter(|p| is_active(p)).collect();
        let want = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
        let generation = rs["metadata"]["generation"].as_i64().unwrap_or(0);
        let waiting = backoff.get(rs_uid).is_some_and(|b| b.generation == generation && (b.failures > MAX_CREATE_RETRIES || ctx.now < b.retry_at));
        if active.len() < want && !waiting {
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
                    Ok(pod) => {
                        backoff.remove(rs_uid);
                        client::event(ctx, events, &user, &source, rs, false, "SuccessfulCreate", &format!("Created pod: {}", name_of(&pod)));
                    }
                    Err(status) => {
                        client::event(ctx, events, &user, &source, rs, true, "FailedCreate", &format!("Error creating: {}", status.message));
                        let failures = backoff.get(rs_uid).filter(|b| b.generation == generation).map_or(1, |b| b.failures + 1);
                        let delay = CREATE_BACKOFF_MS << (failures - 1).min(10);
                        backoff.insert(rs_uid.to_string(), Backoff { generation, failures, retry_at: ctx.now.after(Duration::from_ms(delay)) });
                        // Slow start: stop the batch at the first failure.
                        break;
                    }
                }
            }
        } else if active.len() >= want {
            backoff.remove(rs_uid);
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
                if crate::apiserver::handle(ctx, &req).result.is_ok() {
                    client::event(ctx, events, &user, &source, rs, false, "SuccessfulDelete", &format!("Deleted pod: {}", name_of(pod)));
                }
            }
        }
        update_status(ctx, rs, &active, rs_kind);
    }
}

fn update_status(ctx: &mut Context, rs: &Value, active: &[&Value], rs_kind: &'static crate::api::KindInfo) {
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
        return;
    }
    let mut new = rs.clone();
    new["status"] = status;
    client::update_status(ctx, &client::controller(NAME), rs_kind, &new);
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
