//! The node lifecycle controller's happy path: a Node is born with the
//! `node.kubernetes.io/not-ready:NoSchedule` taint (TaintNodesByCondition admission) and, once its
//! kubelet reports `Ready=True`, this controller removes the taint so the scheduler may use it.
//!
//! Not yet: the grace period, `Unknown` conditions and the `unreachable` taints, evictions.

use super::client::{self, name_of};
use super::Caches;
use crate::apiserver::{Context, Verb};
use serde_json::{json, Value};

const NAME: &str = "node-controller";
const NOT_READY: &str = "node.kubernetes.io/not-ready";

pub fn reconcile(ctx: &mut Context, caches: &Caches) {
    let Some(node_kind) = client::kind("v1", "Node") else { return };
    for node in caches.nodes.values() {
        let ready = super::replicaset::condition_true(node, "Ready");
        let taints: Vec<Value> = node["spec"]["taints"].as_array().cloned().unwrap_or_default();
        if !ready || !taints.iter().any(|t| t["key"] == NOT_READY) {
            continue;
        }
        let kept: Vec<Value> = taints.into_iter().filter(|t| t["key"] != NOT_READY).collect();
        let mut new = node.clone();
        if kept.is_empty() {
            if let Some(spec) = new["spec"].as_object_mut() {
                spec.remove("taints");
            }
        } else {
            new["spec"]["taints"] = json!(kept);
        }
        client::send(ctx, &client::controller(NAME), Verb::Update, node_kind, "", name_of(node), Some(new));
    }
}
