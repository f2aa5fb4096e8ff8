//! One sync of one owner, as `replica_set.go` does it: `syncReplicaSet` (claim the active pods,
//! `manageReplicas`, `updateReplicaSetStatus`), with `slowStartBatch` for creates and
//! `getPodsToDelete`'s ranking for deletes, and `calculateStatus` in `replica_set_utils.go`.

use super::super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::super::controller_ref_manager::ControllerRefManager;
use super::super::workqueue::Decision;
use super::super::informer::Informer;
use super::super::Caches;
use super::claimed::{Claim, Claims, Facts};
use super::{condition_true, is_active, is_terminating, Flavour};
use crate::api::KindInfo;
use crate::apiserver::{rfc3339, Context, Request, User, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `burstReplicas`: pods created or deleted per owner per sync.
const BURST_REPLICAS: usize = 500;
/// `controller.SlowStartInitialBatchSize`: the first batch of creates; each next one doubles.
const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;

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

/// What one sync acts as and on.
struct Sync<'a> {
    flavour: Flavour,
    owner: &'a Value,
    owner_kind: &'static KindInfo,
    pod_kind: &'static KindInfo,
    user: User,
    events: &'a mut EventNames,
}

impl Sync<'_> {
    fn event(&mut self, ctx: &mut Context, warning: bool, reason: &str, message: &str) {
        let source = Source { component: self.flavour.name, host: "" };
        client::event(ctx, self.events, &self.user, &source, self.owner, warning, reason, message);
    }
}

/// `syncReplicaSet` for one key: claim the namespace's active pods, bring the owned ones up or
/// down to `spec.replicas` (at most `burstReplicas` per sync), then write the status. An error
/// asks for a rate-limited retry. The owner's last claim (`claimed.rs`) spares the pods that
/// did not change since.
pub(super) fn sync_replica_set(ctx: &mut Context, flavour: Flavour, caches: &Caches, events: &mut EventNames, claims: &mut Claims, key: &str) -> Decision {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    let informer = flavour.informer(caches);
    let (Some(owner), Some(pod_kind)) = (informer.get(ns, name), client::kind("v1", "Pod")) else {
        // Deleted: nothing to do (its pods go through the garbage collector).
        claims.forget(key);
        return Decision::Done;
    };
    // A selector that does not parse is logged and the key dropped.
    let (false, Some(selector)) = (is_terminating(owner), flavour.selector(owner)) else {
        claims.forget(key);
        return Decision::Done;
    };
    let mut sync = Sync { flavour, owner, owner_kind: informer.kind, pod_kind, user: client::controller(flavour.name), events };
    let user = sync.user.clone();
    let sent = *ctx.next_request_id;
    let mut manager = ControllerRefManager::new(owner, informer.kind, &selector, &user);
    let (claimed, mut claim) = match claims.take(key, owner) {
        // Only the pods notified since the last claim can change its answer.
        Some(mut last) => {
            let changed = last.take_changed(&caches.pods);
            (manager.claim(ctx, pod_kind, changed.into_iter().filter(|p| ns_of(p) == ns && is_active(p))), last)
        }
        // Every active pod of the namespace, so that owned pods whose labels changed are released.
        // The namespace's range of the cache, in the same (key) order as a scan of every pod.
        None => {
            let candidates = caches.pods.in_namespace(ns).filter(|p| ns_of(p) == ns && is_active(p));
            (manager.claim(ctx, pod_kind, candidates), Claim::new(owner, BTreeMap::new()))
        }
    };
    let claim_sent_nothing = *ctx.next_request_id == sent;
    if let Some(error) = claimed.error {
        return Decision::Error(error);
    }
    let template_labels = owner["spec"]["template"]["metadata"]["labels"].as_object();
    for p in &claimed.owned {
        claim.owned.insert(caches.pods.kind.etcd_key(ns_of(p), name_of(p)), Facts::of(p, template_labels));
    }
    let active = Active { owned: &claim.owned, pods: &caches.pods };
    let manage_error = manage_replicas(ctx, &mut sync, &active);
    let mut error = manage_error.clone().map(|(_, e)| e);
    let counts = Counts::of(active.owned, min_ready_seconds(owner), ctx.now);
    if let Err(e) = update_status(ctx, &sync, active.len(), counts, manage_error) {
        error = error.or(Some(e));
    }
    // A claim that sent nothing is the next one's start; one that adopted or released must be
    // looked at whole again (a failed patch is retried).
    if claim_sent_nothing {
        claims.keep(key, claim);
    }
    if let Some(e) = error {
        return Decision::Error(e);
    }
    // Every pod ready but not all available yet: look again once `minReadySeconds` has passed.
    let (want, min_ready_s) = (owner["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize, min_ready_seconds(owner));
    if min_ready_s > 0 && counts.ready == want && counts.available != want {
        return Decision::RequeueAfter(Duration(min_ready_s * 1000));
    }
    Decision::Done
}

/// The owner's active pods: their keys with what the sync reads of each, and the cache that
/// holds them (every key is cached: a pod that went away was notified and claimed again).
struct Active<'a> {
    owned: &'a BTreeMap<String, Facts>,
    pods: &'a Informer,
}

impl<'a> Active<'a> {
    fn len(&self) -> usize {
        self.owned.len()
    }

    /// The pods, in key order (the claim's order).
    fn pods(&self) -> Vec<&'a Value> {
        self.owned.keys().filter_map(|k| self.pods.cache.get(k)).collect()
    }

    fn unscheduled_count(&self) -> usize {
        self.owned.values().filter(|f| f.unscheduled).count()
    }

    fn unscheduled(&self) -> Vec<&'a Value> {
        self.owned.iter().filter(|(_, f)| f.unscheduled).filter_map(|(k, _)| self.pods.cache.get(k)).collect()
    }
}

fn min_ready_seconds(owner: &Value) -> u64 {
    owner["spec"]["minReadySeconds"].as_u64().unwrap_or(0)
}

/// The pod counts `calculateStatus` reports.
#[derive(Clone, Copy, Debug)]
struct Counts {
    fully_labeled: usize,
    ready: usize,
    available: usize,
}

impl Counts {
    /// One pass over what was read of each pod when it was claimed.
    fn of(owned: &BTreeMap<String, Facts>, min_ready_s: u64, now: Time) -> Counts {
        let mut counts = Counts { fully_labeled: 0, ready: 0, available: 0 };
        for f in owned.values() {
            counts.fully_labeled += usize::from(f.fully_labeled);
            counts.ready += usize::from(f.ready.is_some());
            counts.available += usize::from(f.ready.is_some_and(|since| ready_long_enough(since, min_ready_s, now)));
        }
        counts
    }
}

/// The pod's first `Ready` condition that is `True`, if any (what `condition_true(pod, "Ready")`
/// asks).
pub(super) fn ready_condition(pod: &Value) -> Option<&Value> {
    pod["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// `podutil.IsPodAvailable` of a Ready pod: ready for at least `minReadySeconds` by its
/// condition's `lastTransitionTime` (parsed, `since`).
fn ready_long_enough(since: Option<i64>, min_ready_s: u64, now: Time) -> bool {
    if min_ready_s == 0 {
        return true;
    }
    since.is_some_and(|ms| ms.max(0) as u64 + min_ready_s * 1000 <= now.as_ms())
}

/// `manageReplicas`: creates in slow-start batches or deletes the lowest-ranked surplus pods.
/// The error, if any, with the reason its `ReplicaFailure` condition gives.
fn manage_replicas(ctx: &mut Context, sync: &mut Sync, active: &Active) -> Option<(&'static str, String)> {
    let want = sync.owner["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    if active.len() < want {
        if let Some(held) = unscheduled_bound(ctx, sync, active) {
            return held.map(|e| ("FailedCreate", e));
        }
        return create_pods(ctx, sync, (want - active.len()).min(BURST_REPLICAS)).map(|e| ("FailedCreate", e));
    }
    if active.len() > want {
        return delete_pods(ctx, sync, &active.pods(), (active.len() - want).min(BURST_REPLICAS)).map(|e| ("FailedDelete", e));
    }
    None
}

/// Pods of one owner that may wait for a node before it creates more (kubeplay's bound, not
/// kube's: `replicas: 1000000000` is valid, and kube-controller-manager would go on creating
/// `burstReplicas` pods per sync, limited only by its client's QPS and etcd's space). One more
/// burst than this may be in flight: the gate is checked before each sync's creates.
const MAX_UNSCHEDULED_PODS: usize = BURST_REPLICAS;

/// Whether the bound holds this sync's creates back: `MAX_UNSCHEDULED_PODS` of the owner's active
/// pods have no node yet. Pods the scheduler binds let the next sync (set off by their updates)
/// create again, so a cluster with room only paces a large owner (`Some(None)`). Once the
/// scheduler has found some of them unschedulable, the bound is an error (`Some(Some(message))`)
/// that the ReplicaFailure condition and a Warning event say, as a refused create would.
fn unscheduled_bound(ctx: &mut Context, sync: &mut Sync, active: &Active) -> Option<Option<String>> {
    // Counted first: at 100,000 replicas most syncs stop here, and need no list.
    if active.unscheduled_count() < MAX_UNSCHEDULED_PODS {
        return None;
    }
    let unscheduled = active.unscheduled();
    let unschedulable = |p: &&Value| p["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "PodScheduled" && c["reason"] == "Unschedulable");
    if !unscheduled.iter().any(unschedulable) {
        return Some(None);
    }
    let message = format!(
        "kubeplay: not creating more pods while {} of this {}'s pods wait for a node (a bound of the simulation: at most {MAX_UNSCHEDULED_PODS} unscheduled pods per owner; a real controller keeps creating them)",
        unscheduled.len(),
        sync.flavour.kind
    );
    sync.event(ctx, true, "FailedCreate", &message);
    Some(Some(message))
}

/// `slowStartBatch` over `CreatePods`: batches of 1, 2, 4, ... pods; a batch with a failure
/// ends the sync with the first failure as its error. A create refused because the namespace is
/// being deleted is no error (`NamespaceTerminatingCause`), though its event is still recorded.
fn create_pods(ctx: &mut Context, sync: &mut Sync, count: usize) -> Option<String> {
    let owner = sync.owner;
    let (owner_name, owner_uid) = (name_of(owner), uid_of(owner));
    let ns = ns_of(owner);
    let template = &owner["spec"]["template"];
    let mut meta = json!({
        "generateName": format!("{owner_name}-"),
        "namespace": ns,
        "ownerReferences": [{"apiVersion": sync.flavour.api_version, "kind": sync.flavour.kind, "name": owner_name, "uid": owner_uid, "controller": true, "blockOwnerDeletion": true}],
    });
    for f in ["labels", "annotations"] {
        if let Some(v) = template["metadata"].get(f) {
            meta[f] = v.clone();
        }
    }
    let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]});
    let mut remaining = count;
    let mut batch = remaining.min(SLOW_START_INITIAL_BATCH_SIZE);
    while batch > 0 {
        let mut error = None;
        for _ in 0..batch {
            let reply = client::send(ctx, &sync.user, Verb::Create, sync.pod_kind, ns, "", Some(body.clone()));
            match reply.result {
                Ok(pod) => sync.event(ctx, false, "SuccessfulCreate", &format!("Created pod: {}", name_of(&pod))),
                Err(status) => {
                    sync.event(ctx, true, "FailedCreate", &format!("Error creating: {}", status.message));
                    if !status.message.ends_with("because it is being terminated") {
                        error = error.or(Some(status.message));
                    }
                }
            }
        }
        if error.is_some() {
            return error;
        }
        remaining -= batch;
        batch = (2 * batch).min(remaining);
    }
    None
}

/// Deletes the `count` lowest-ranked pods (`getPodsToDelete`); a pod already gone is what was
/// wanted. The first other failure is the error.
fn delete_pods(ctx: &mut Context, sync: &mut Sync, active: &[&Value], count: usize) -> Option<String> {
    let mut ranked: Vec<(_, &Value)> = active
        .iter()
        .map(|p| {
            let node = client::str_of(p, &["spec", "nodeName"]);
            let same = if node.is_empty() { 0 } else { active.iter().filter(|q| client::str_of(q, &["spec", "nodeName"]) == node).count() };
            (victim_rank(p, same), *p)
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| name_of(a.1).cmp(name_of(b.1))));
    let mut error = None;
    for (_, pod) in ranked.into_iter().take(count) {
        let mut req = Request::new(Verb::Delete, sync.pod_kind, ns_of(pod), name_of(pod));
        req.user = sync.user.clone();
        req.delete.precondition_uid = Some(uid_of(pod).to_string());
        match crate::apiserver::handle(ctx, &req).result {
            Ok(_) => sync.event(ctx, false, "SuccessfulDelete", &format!("Deleted pod: {}", name_of(pod))),
            Err(status) if status.code == 404 => {}
            Err(status) => {
                sync.event(ctx, true, "FailedDelete", &format!("Error deleting: {}", status.message));
                error = error.or(Some(format!("unable to delete pods: {}", status.message)));
            }
        }
    }
    error
}

/// `calculateStatus` and `updateReplicaSetStatus`, written only when it changed. The
/// `ReplicaFailure` condition is set when `manageReplicas` failed (and it was not set already)
/// and removed when it succeeded. A failed write is the sync's error.
fn update_status(ctx: &mut Context, sync: &Sync, replicas: usize, counts: Counts, manage_error: Option<(&'static str, String)>) -> Result<(), String> {
    let owner = sync.owner;
    let Counts { fully_labeled, ready, available } = counts;
    let mut status = json!({"replicas": replicas, "observedGeneration": owner["metadata"]["generation"]});
    // omitempty: zero counts are not written.
    for (field, n) in [("fullyLabeledReplicas", fully_labeled), ("readyReplicas", ready), ("availableReplicas", available)] {
        if n > 0 {
            status[field] = json!(n);
        }
    }
    let mut conditions: Vec<Value> = owner["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let failing = conditions.iter().any(|c| c["type"] == "ReplicaFailure");
    match manage_error {
        Some((reason, message)) if !failing => conditions.push(json!({
            "type": "ReplicaFailure", "status": "True", "lastTransitionTime": rfc3339(ctx.now), "reason": reason, "message": message,
        })),
        None if failing => conditions.retain(|c| c["type"] != "ReplicaFailure"),
        _ => {}
    }
    if !conditions.is_empty() {
        status["conditions"] = json!(conditions);
    }
    if owner["status"] == status {
        return Ok(());
    }
    let mut new = owner.clone();
    new["status"] = status;
    let mut req = Request::new(Verb::Update, sync.owner_kind, ns_of(owner), name_of(owner)).with_body(new);
    req.subresource = "status".into();
    req.user = sync.user.clone();
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
