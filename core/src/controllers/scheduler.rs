//! kube-scheduler (profile `default-scheduler`): every pod without `spec.nodeName` goes through
//! the filters, the feasible nodes are scored, the best is bound with a `pods/<name>/binding`
//! POST and a `Scheduled` event; a pod no node fits gets `PodScheduled=False`
//! (`Unschedulable`) and a `FailedScheduling` event worded as the real scheduler words it.
//!
//! The scheduler's cache counts pods it bound in this step ("assumed" pods) at once, so a burst
//! of pods spreads. Unschedulable pods are retried only when the nodes or the set of bound pods
//! changed since the last attempt, standing in for the unschedulable queue's requeue on cluster
//! events.

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::hash::fnv32a;
use super::replicaset::is_terminating;
use super::scheduler_plugins::{self as plugins, NodeInfo};
use super::scheduler_volume_binding as volume_binding;
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Pods one step schedules at most; the rest wait for the next step.
const MAX_PODS_PER_STEP: usize = 100;
const NAME: &str = "default-scheduler";

#[derive(Debug, Default)]
pub struct Scheduler {
    /// Unschedulable pods by uid, with the cluster fingerprint of their last attempt.
    unschedulable: BTreeMap<String, u32>,
    /// Pods whose node is chosen while VolumeBinding's PreBind waits for their claims to be
    /// bound, by uid, with that node (the pod counts there meanwhile, as an assumed pod).
    waiting_on_volumes: BTreeMap<String, String>,
}

/// Scores: (plugin weight, score) summed as the framework does.
fn total_score(pod: &Value, node: &NodeInfo, taint_counts: (i64, i64)) -> i64 {
    let (count, max) = taint_counts;
    // TaintToleration normalises reversed: fewer intolerable PreferNoSchedule taints is better.
    let taint = if max == 0 { plugins::MAX_NODE_SCORE } else { plugins::MAX_NODE_SCORE - count * plugins::MAX_NODE_SCORE / max };
    3 * taint + plugins::least_allocated(pod, node) + plugins::balanced_allocation(pod, node)
}

/// `FitError.Error()` plus the preemption post-filter's message.
pub fn fit_error(total: usize, rejections: &[plugins::Rejection]) -> String {
    let mut histogram: BTreeMap<&str, usize> = BTreeMap::new();
    let mut preemption: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rejections {
        for reason in &r.reasons {
            *histogram.entry(reason.as_str()).or_default() += 1;
        }
        let p = if r.unresolvable { "Preemption is not helpful for scheduling" } else { "No preemption victims found for incoming pod" };
        *preemption.entry(p).or_default() += 1;
    }
    let join = |h: &BTreeMap<&str, usize>| {
        let mut parts: Vec<String> = h.iter().map(|(r, n)| format!("{n} {r}")).collect();
        parts.sort();
        parts.join(", ")
    };
    if total == 0 {
        return "no nodes available to schedule pods".into();
    }
    format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
        join(&histogram),
        join(&preemption)
    )
}

impl Scheduler {
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let user = client::scheduler();
        let source = Source { component: NAME, host: "" };
        let mut nodes: BTreeMap<String, NodeInfo> =
            caches.nodes.values().map(|n| (name_of(n).to_string(), NodeInfo::from_node(n))).collect();
        let mut fingerprint_input = String::new();
        for n in caches.nodes.values() {
            fingerprint_input.push_str(client::str_of(n, &["metadata", "resourceVersion"]));
            fingerprint_input.push(',');
        }
        // Claims and classes: a claim bound or a class created can make a pod schedulable.
        for c in caches.pvcs.values().chain(caches.storageclasses.values()) {
            fingerprint_input.push_str(client::str_of(c, &["metadata", "resourceVersion"]));
            fingerprint_input.push(',');
        }
        for p in caches.pods.values() {
            let node = client::str_of(p, &["spec", "nodeName"]);
            if let Some(info) = nodes.get_mut(node) {
                if !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) {
                    info.add_pod(p);
                    fingerprint_input.push_str(uid_of(p));
                }
            }
        }
        let fingerprint = fnv32a(fingerprint_input.as_bytes());
        let live: Vec<&str> = caches.pods.values().map(uid_of).collect();
        self.unschedulable.retain(|uid, _| live.contains(&uid.as_str()));
        self.bind_waiting(ctx, caches, events, &mut nodes);
        let pending: Vec<&Value> = caches
            .pods
            .values()
            .filter(|p| {
                client::str_of(p, &["spec", "nodeName"]).is_empty()
                    && !is_terminating(p)
                    && matches!(p["spec"]["schedulerName"].as_str(), None | Some("default-scheduler"))
                    && p["spec"]["schedulingGates"].as_array().is_none_or(Vec::is_empty)
                    && self.unschedulable.get(uid_of(p)) != Some(&fingerprint)
                    && !self.waiting_on_volumes.contains_key(uid_of(p))
            })
            .take(MAX_PODS_PER_STEP)
            .collect();
        for pod in pending {
            let claims = match volume_binding::pre_filter(pod, caches) {
                Ok(claims) => claims,
                Err(reason) => {
                    self.unschedulable.insert(uid_of(pod).to_string(), fingerprint);
                    let message = volume_binding::pre_filter_error(nodes.len(), &reason);
                    mark_unschedulable(ctx, pod, &message);
                    client::event(ctx, events, &user, &source, pod, true, "FailedScheduling", &message);
                    continue;
                }
            };
            let mut rejections = Vec::new();
            let mut feasible: Vec<&str> = Vec::new();
            for (name, info) in &nodes {
                match plugins::filter(pod, info).and_then(|()| volume_binding::filter(&claims, caches, info)) {
                    Ok(()) => feasible.push(name),
                    Err(r) => rejections.push(r),
                }
            }
            if feasible.is_empty() {
                self.unschedulable.insert(uid_of(pod).to_string(), fingerprint);
                let message = fit_error(nodes.len(), &rejections);
                mark_unschedulable(ctx, pod, &message);
                client::event(ctx, events, &user, &source, pod, true, "FailedScheduling", &message);
                continue;
            }
            let counts: Vec<i64> = feasible.iter().map(|n| nodes.get(*n).map(|i| plugins::intolerable_prefer_no_schedule(pod, i)).unwrap_or(0)).collect();
            let max_count = counts.iter().copied().max().unwrap_or(0);
            let scored: Vec<(i64, &str)> = feasible
                .iter()
                .zip(&counts)
                .filter_map(|(n, c)| nodes.get(*n).map(|i| (total_score(pod, i, (*c, max_count)), *n)))
                .collect();
            let best = scored.iter().map(|s| s.0).max().unwrap_or(0);
            let top: Vec<&str> = scored.iter().filter(|s| s.0 == best).map(|s| s.1).collect();
            // `selectHost`: ties are broken uniformly at random.
            let chosen = top[ctx.rng.below(top.len() as u64) as usize].to_string();
            if !claims.delayed.is_empty() {
                // PreBind: the claims learn the node; the binding waits until they are bound.
                volume_binding::pre_bind(ctx, &user, &claims, &chosen);
                self.waiting_on_volumes.insert(uid_of(pod).to_string(), chosen.clone());
                if let Some(info) = nodes.get_mut(&chosen) {
                    info.add_pod(pod);
                }
                continue;
            }
            let binding = json!({
                "apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name_of(pod), "namespace": ns_of(pod), "uid": uid_of(pod)},
                "target": {"apiVersion": "v1", "kind": "Node", "name": chosen},
            });
            let mut req = Request::new(Verb::Create, pod_kind, ns_of(pod), name_of(pod)).with_body(binding);
            req.subresource = "binding".into();
            req.user = user.clone();
            if handle(ctx, &req).result.is_ok() {
                self.unschedulable.remove(uid_of(pod));
                if let Some(info) = nodes.get_mut(&chosen) {
                    info.add_pod(pod);
                }
                let message = format!("Successfully assigned {}/{} to {chosen}", ns_of(pod), name_of(pod));
                client::event(ctx, events, &user, &source, pod, false, "Scheduled", &message);
            }
        }
    }
}

impl Scheduler {
    /// Pods waiting in VolumeBinding's PreBind: counted on their node, and bound (with the
    /// `Scheduled` event) once every claim they use is bound.
    fn bind_waiting(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, nodes: &mut BTreeMap<String, NodeInfo>) {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let user = client::scheduler();
        let source = Source { component: NAME, host: "" };
        let waiting = std::mem::take(&mut self.waiting_on_volumes);
        for (uid, node) in waiting {
            let Some(pod) = caches.pods.values().find(|p| uid_of(p) == uid) else { continue };
            if !client::str_of(pod, &["spec", "nodeName"]).is_empty() || is_terminating(pod) {
                continue;
            }
            if !volume_binding::all_bound(pod, caches) {
                if let Some(info) = nodes.get_mut(&node) {
                    info.add_pod(pod);
                }
                self.waiting_on_volumes.insert(uid, node);
                continue;
            }
            let binding = json!({
                "apiVersion": "v1", "kind": "Binding",
                "metadata": {"name": name_of(pod), "namespace": ns_of(pod), "uid": uid_of(pod)},
                "target": {"apiVersion": "v1", "kind": "Node", "name": node},
            });
            let mut req = Request::new(Verb::Create, pod_kind, ns_of(pod), name_of(pod)).with_body(binding);
            req.subresource = "binding".into();
            req.user = user.clone();
            if handle(ctx, &req).result.is_ok() {
                if let Some(info) = nodes.get_mut(&node) {
                    info.add_pod(pod);
                }
                let message = format!("Successfully assigned {}/{} to {node}", ns_of(pod), name_of(pod));
                client::event(ctx, events, &user, &source, pod, false, "Scheduled", &message);
            }
        }
    }
}

/// `PodScheduled=False`, reason `Unschedulable`, through `pods/<name>/status`.
fn mark_unschedulable(ctx: &mut Context, pod: &Value, message: &str) {
    let Some(pod_kind) = client::kind("v1", "Pod") else { return };
    let mut new = pod.clone();
    let mut conds: Vec<Value> = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
    conds.retain(|c| c["type"] != "PodScheduled");
    conds.push(json!({"type": "PodScheduled", "status": "False", "lastProbeTime": null, "lastTransitionTime": rfc3339(ctx.now), "reason": "Unschedulable", "message": message}));
    new["status"]["conditions"] = json!(conds);
    if new != *pod {
        client::update_status(ctx, &client::scheduler(), pod_kind, &new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plugins::Rejection;

    #[test]
    fn fit_error_reads_like_kube_scheduler() {
        let taint = Rejection { reasons: vec!["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".into()], unresolvable: true };
        let cpu = Rejection { reasons: vec!["Insufficient cpu".into()], unresolvable: false };
        let rejections = vec![taint, cpu.clone(), cpu.clone(), cpu];
        assert_eq!(
            fit_error(4, &rejections),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. \
             preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
    }
}
