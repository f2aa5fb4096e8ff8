//! The taint eviction controller (`pkg/controller/tainteviction`, split out of the node lifecycle
//! controller in v1.29; it runs with the `node-controller` service account's credentials and
//! records events as `taint-eviction-controller`). A pod on a node with a `NoExecute` taint it
//! does not tolerate is deleted at once; one that tolerates it for `tolerationSeconds` (300 s by
//! the DefaultTolerationSeconds admission plugin) is deleted that long after the controller saw
//! the taint; a toleration without seconds keeps the pod. Before deleting, it records
//! `TaintManagerEviction` "Marking for deletion Pod <ns>/<name>" and adds the pod condition
//! `DisruptionTarget` (reason `DeletionByTaintManager`). When the taint goes first, the pending
//! deletion is cancelled ("Cancelling deletion of Pod <ns>/<name>").
//!
//! The deletion is an ordinary graceful delete: on a node whose kubelet is gone the pod stays
//! `Terminating` until the kubelet returns (or the Node is deleted and pod GC removes it).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::informer::KeysWhere;
use super::replicaset::is_terminating;
use super::scheduler_plugins::tolerates;
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The credentials it runs with ("taint-manager uses existing cluster role from node-controller").
const CLIENT: &str = "node-controller";
const COMPONENT: &str = "taint-eviction-controller";

#[derive(Debug, Default)]
pub struct TaintEvictionController {
    /// Pod uid -> (namespace/name, when it is to be deleted).
    scheduled: BTreeMap<String, (String, Time)>,
    /// The nodes with a `NoExecute` taint, kept from the node informer's notifications (its
    /// node event handler) rather than found by looking at every node at every step.
    tainted: KeysWhere,
}

fn has_no_execute_taint(node: &Value) -> bool {
    node["spec"]["taints"].as_array().into_iter().flatten().any(|t| t["effect"] == "NoExecute")
}

/// What the NoExecute taints mean for a pod: `None` to keep it, `Some(seconds)` to delete it
/// after that long (`getMinTolerationTime`; 0 when a taint is not tolerated at all).
fn eviction_delay(pod: &Value, taints: &[&Value]) -> Option<u64> {
    if taints.is_empty() {
        return None;
    }
    let tolerations: Vec<&Value> = pod["spec"]["tolerations"].as_array().into_iter().flatten().collect();
    let mut min: Option<u64> = None;
    for taint in taints {
        let matching: Vec<&&Value> = tolerations.iter().filter(|t| tolerates(t, taint)).collect();
        if matching.is_empty() {
            return Some(0);
        }
        for t in matching {
            if let Some(s) = t["tolerationSeconds"].as_i64() {
                let s = u64::try_from(s).unwrap_or(0);
                min = Some(min.map_or(s, |m| m.min(s)));
            }
        }
    }
    min
}

impl TaintEvictionController {
    pub fn next_wake(&self) -> Option<Time> {
        self.scheduled.values().map(|(_, t)| *t).min()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        let user = client::controller(CLIENT);
        let source = Source { component: COMPONENT, host: "" };
        let mut live = Vec::new();
        // Only a pod on a node with a NoExecute taint, or one whose eviction is scheduled (to be
        // cancelled), can have anything to do: the others are not visited, in the order a walk
        // of every pod would take (by namespace, then name).
        let mut pods: BTreeMap<String, &Value> = BTreeMap::new();
        self.tainted.update(&caches.nodes, has_no_execute_taint);
        for node in self.tainted.objects(&caches.nodes) {
            for pod in caches.pods.on_node(name_of(node)) {
                pods.insert(format!("{}/{}", ns_of(pod), name_of(pod)), pod);
            }
        }
        for (full, _) in self.scheduled.values() {
            let (ns, name) = full.split_once('/').unwrap_or(("", full));
            if let Some(pod) = caches.pods.get(ns, name) {
                pods.insert(full.clone(), pod);
            }
        }
        for pod in pods.into_values() {
            let node_name = client::str_of(pod, &["spec", "nodeName"]);
            if node_name.is_empty() || is_terminating(pod) {
                continue;
            }
            let uid = uid_of(pod).to_string();
            let node = caches.nodes.get("", node_name);
            let taints: Vec<&Value> = node.and_then(|n| n["spec"]["taints"].as_array()).into_iter().flatten().filter(|t| t["effect"] == "NoExecute").collect();
            let full = format!("{}/{}", ns_of(pod), name_of(pod));
            match eviction_delay(pod, &taints) {
                None => {
                    if self.scheduled.remove(&uid).is_some() {
                        client::event(ctx, events, &user, &source, pod, false, "TaintManagerEviction", &format!("Cancelling deletion of Pod {full}"));
                    }
                }
                Some(seconds) => {
                    live.push(uid.clone());
                    let due = self.scheduled.entry(uid.clone()).or_insert_with(|| (full.clone(), ctx.now.after(Duration::from_secs(seconds)))).1;
                    if due <= ctx.now {
                        self.scheduled.remove(&uid);
                        evict(ctx, pod, events);
                    }
                }
            }
        }
        self.scheduled.retain(|uid, _| live.contains(uid));
    }
}

/// `addConditionAndDeletePod` after the event: the DisruptionTarget condition, then the delete.
fn evict(ctx: &mut Context, pod: &Value, events: &mut EventNames) {
    let Some(pod_kind) = client::kind("v1", "Pod") else { return };
    let user = client::controller(CLIENT);
    let source = Source { component: COMPONENT, host: "" };
    let full = format!("{}/{}", ns_of(pod), name_of(pod));
    client::event(ctx, events, &user, &source, pod, false, "TaintManagerEviction", &format!("Marking for deletion Pod {full}"));
    let mut new = pod.clone();
    let message = "Taint manager: deleting due to NoExecute taint";
    let condition = client::pod_condition(pod, "DisruptionTarget", true, "DeletionByTaintManager", message, &rfc3339(ctx.now));
    match new["status"]["conditions"].as_array_mut() {
        Some(conds) => conds.push(condition),
        None => new["status"]["conditions"] = json!([condition]),
    }
    client::update_status(ctx, &user, pod_kind, &new);
    let mut req = Request::new(Verb::Delete, pod_kind, ns_of(pod), name_of(pod));
    req.user = user;
    req.delete.precondition_uid = Some(uid_of(pod).to_string());
    handle(ctx, &req);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tolerations_give_300_seconds_and_an_untolerated_taint_none() {
        let unreachable = json!({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"});
        let pod = json!({"spec": {"tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ]}});
        assert_eq!(eviction_delay(&pod, &[&unreachable]), Some(300));
        assert_eq!(eviction_delay(&json!({"spec": {}}), &[&unreachable]), Some(0));
        let daemon = json!({"spec": {"tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}]}});
        assert_eq!(eviction_delay(&daemon, &[&unreachable]), None);
        assert_eq!(eviction_delay(&pod, &[]), None);
    }
}
