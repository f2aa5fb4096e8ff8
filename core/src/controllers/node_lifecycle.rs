//! The node lifecycle controller (`pkg/controller/nodelifecycle`, kube-controller-manager's
//! `node-controller`). Every `--node-monitor-period` (5 s) it looks at each Node's Lease and
//! kubelet heartbeat:
//! - a Node it has not seen before gets the event `RegisteredNode`; one that went away `RemovingNode`;
//! - when neither the Lease's `renewTime` nor the Ready condition's `lastHeartbeatTime` moved for
//!   `--node-monitor-grace-period` (50 s since v1.32), every kubelet condition becomes `Unknown`
//!   (reason `NodeStatusUnknown`, "Kubelet stopped posting node status."), the event
//!   `NodeNotReady` is recorded, and the node's pods are marked `Ready=False` (`MarkPodsNotReady`);
//! - the condition taints follow the Ready condition: `Unknown` gives
//!   `node.kubernetes.io/unreachable` with effects NoSchedule and NoExecute, `False` gives
//!   `node.kubernetes.io/not-ready`, `True` removes both (so a new Node, born with
//!   `not-ready:NoSchedule` by TaintNodesByCondition admission, is freed once its kubelet is Ready).
//!
//! The evictions the NoExecute taints cause are the taint eviction controller's
//! (`taint_eviction.rs`). Not modelled: the zone-based eviction rate limits.

use super::client::{self, name_of, EventNames, Source};
use super::node_lease::LEASE_NAMESPACE;
use super::wake::Woken;
use super::Caches;
use crate::apiserver::{rfc3339, Context, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const NAME: &str = "node-controller";
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// `--node-monitor-period`.
const MONITOR_PERIOD_MS: u64 = 5_000;
/// `--node-monitor-grace-period` (50 s since v1.32, kubernetes/kubernetes#126287).
pub const GRACE_PERIOD: Duration = Duration::from_secs(50);
const KUBELET_CONDITIONS: [&str; 4] = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/// What the controller remembers of one Node (`nodeHealthData`).
#[derive(Debug)]
struct Health {
    /// When the controller last saw the heartbeat move (`probeTimestamp`), on its own clock.
    probe: Time,
    renew_time: String,
    heartbeat: String,
    /// The Node as last seen, for the `RemovingNode` event.
    node: Value,
}

#[derive(Debug, Default)]
pub struct NodeLifecycleController {
    health: BTreeMap<String, Health>,
    /// When the controller last looked.
    now: Time,
    /// Nodes whose last look sent a request: looked at again at the next step.
    recheck: BTreeSet<String>,
}

fn ready_status(node: &Value) -> &str {
    node["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready").and_then(|c| c["status"].as_str()).unwrap_or("Unknown")
}

fn heartbeat_of(node: &Value) -> String {
    node["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready").map(|c| c["lastHeartbeatTime"].to_string()).unwrap_or_default()
}

/// The last monitor tick at or before `now`.
fn last_tick(now: Time) -> Time {
    Time(now.as_ms() / MONITOR_PERIOD_MS * MONITOR_PERIOD_MS)
}

impl NodeLifecycleController {
    /// The monitor tick at which some healthy node's grace period will have run out.
    pub fn next_wake(&self) -> Option<Time> {
        self.health
            .values()
            .filter(|h| ready_status(&h.node) != "Unknown")
            .map(|h| Time((h.probe.after(GRACE_PERIOD).as_ms() / MONITOR_PERIOD_MS + 1) * MONITOR_PERIOD_MS))
            .min()
            // Never behind the last look (a failed status write waits for the next tick).
            .map(|t| if t <= self.now { Time((self.now.as_ms() / MONITOR_PERIOD_MS + 1) * MONITOR_PERIOD_MS) } else { t })
    }

    /// Looks at the nodes `woken` names and those whose requests went out last time, or at every
    /// node once per monitor period (when a grace period can have run out) and after a relist.
    /// Between two ticks a node nobody wrote has nothing new to say: its health changes only
    /// with its Node or Lease, and its timeout only at a tick.
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, woken: &Woken) {
        let full = woken.everything() || last_tick(ctx.now) != last_tick(self.now);
        self.now = ctx.now;
        let mut names: BTreeSet<String> = std::mem::take(&mut self.recheck);
        if full {
            names.extend(self.health.keys().cloned());
            names.extend(caches.nodes.values().map(|n| name_of(n).to_string()));
        } else {
            names.extend(woken.nodes().map(str::to_string));
        }
        let user = client::controller(NAME);
        let source = Source { component: "node-controller", host: "" };
        for name in names.iter().filter(|n| caches.nodes.get("", n).is_none()) {
            if let Some(h) = self.health.remove(name) {
                client::event(ctx, events, &user, &source, &h.node, false, "RemovingNode", &format!("Node {name} event: Removing Node {name} from Controller"));
            }
        }
        for node in names.iter().filter_map(|n| caches.nodes.get("", n)) {
            let sent = *ctx.next_request_id;
            self.look_at(ctx, caches, node, events);
            // A write that failed is tried again at the next step, not only at the next tick.
            if *ctx.next_request_id != sent {
                self.recheck.insert(name_of(node).to_string());
            }
        }
    }

    /// `monitorNodeHealth` for one Node: its health record, the grace period, its taints.
    fn look_at(&mut self, ctx: &mut Context, caches: &Caches, node: &Value, events: &mut EventNames) {
        let user = client::controller(NAME);
        let source = Source { component: "node-controller", host: "" };
        let name = name_of(node).to_string();
        let renew_time = caches.leases.get(LEASE_NAMESPACE, &name).map(|l| l["spec"]["renewTime"].to_string()).unwrap_or_default();
        let heartbeat = heartbeat_of(node);
        match self.health.get_mut(&name) {
            None => {
                client::event(ctx, events, &user, &source, node, false, "RegisteredNode", &format!("Node {name} event: Registered Node {name} in Controller"));
                self.health.insert(name.clone(), Health { probe: ctx.now, renew_time, heartbeat, node: node.clone() });
            }
            Some(h) => {
                if h.renew_time != renew_time || h.heartbeat != heartbeat {
                    h.probe = ctx.now;
                    h.renew_time = renew_time;
                    h.heartbeat = heartbeat;
                }
                // The informer's copy changes only with its resourceVersion: a Node looked at
                // again unchanged (its kubelet's pods woke it) is not copied again. The copy and
                // the drop of the last one were 2.5% of a 10,000-replica scale run.
                let rv = &node["metadata"]["resourceVersion"];
                if rv.is_null() || h.node["metadata"]["resourceVersion"] != *rv {
                    h.node = node.clone();
                }
            }
        }
        let probe = self.health.get(&name).map_or(ctx.now, |h| h.probe);
        let timed_out = last_tick(ctx.now) > probe.after(GRACE_PERIOD);
        if timed_out && ready_status(node) != "Unknown" {
            self.mark_unknown(ctx, caches, node, events);
            // The taints follow at the next pass, from the Node as now stored.
            return;
        }
        update_taints(ctx, node);
    }

    /// `tryUpdateNodeHealth` once the grace period ran out: every kubelet condition `Unknown`.
    fn mark_unknown(&mut self, ctx: &mut Context, caches: &Caches, node: &Value, events: &mut EventNames) {
        let Some(node_kind) = client::kind("v1", "Node") else { return };
        let user = client::controller(NAME);
        let now = rfc3339(ctx.now);
        let mut new = node.clone();
        for c in new["status"]["conditions"].as_array_mut().into_iter().flatten() {
            if KUBELET_CONDITIONS.iter().any(|t| c["type"] == *t) && c["status"] != "Unknown" {
                c["status"] = json!("Unknown");
                c["reason"] = json!("NodeStatusUnknown");
                c["message"] = json!("Kubelet stopped posting node status.");
                c["lastTransitionTime"] = json!(now);
            }
        }
        if !client::update_status(ctx, &user, node_kind, &new) {
            return;
        }
        let name = name_of(node);
        let source = Source { component: "node-controller", host: "" };
        client::event(ctx, events, &user, &source, node, false, "NodeNotReady", &format!("Node {name} status is now: NodeNotReady"));
        mark_pods_not_ready(ctx, caches, name, events);
    }
}

/// `MarkPodsNotReady`: each pod on the node gets `Ready=False` and a `NodeNotReady` warning.
fn mark_pods_not_ready(ctx: &mut Context, caches: &Caches, node: &str, events: &mut EventNames) {
    let Some(pod_kind) = client::kind("v1", "Pod") else { return };
    let user = client::controller(NAME);
    let source = Source { component: "node-controller", host: "" };
    let now = rfc3339(ctx.now);
    for pod in caches.pods.on_node(node) {
        let mut new = pod.clone();
        let mut changed = false;
        for c in new["status"]["conditions"].as_array_mut().into_iter().flatten() {
            if c["type"] == "Ready" && c["status"] != "False" {
                c["status"] = json!("False");
                c["lastTransitionTime"] = json!(now);
                changed = true;
            }
        }
        if changed && client::update_status(ctx, &user, pod_kind, &new) {
            client::event(ctx, events, &user, &source, pod, true, "NodeNotReady", "Node is not ready");
        }
    }
}

/// The taints the Ready condition calls for (`doNoScheduleTaintingPass`,
/// `doNoExecuteTaintingPass`), written when they differ from the Node's.
fn update_taints(ctx: &mut Context, node: &Value) {
    let Some(node_kind) = client::kind("v1", "Node") else { return };
    let want: Option<&str> = match ready_status(node) {
        "True" => None,
        "False" => Some(NOT_READY),
        _ => Some(UNREACHABLE),
    };
    let taints: Vec<Value> = node["spec"]["taints"].as_array().cloned().unwrap_or_default();
    let is_condition_taint = |t: &Value| t["key"] == NOT_READY || t["key"] == UNREACHABLE;
    let has = |key: &str, effect: &str| taints.iter().any(|t| t["key"] == key && t["effect"] == effect);
    let stale = taints.iter().any(|t| is_condition_taint(t) && Some(t["key"].as_str().unwrap_or("")) != want);
    let missing = want.is_some_and(|k| !has(k, "NoSchedule") || !has(k, "NoExecute"));
    if !stale && !missing {
        return;
    }
    let mut kept: Vec<Value> = taints.iter().filter(|t| !is_condition_taint(t) || Some(t["key"].as_str().unwrap_or("")) == want).cloned().collect();
    if let Some(key) = want {
        for effect in ["NoSchedule", "NoExecute"] {
            if !has(key, effect) {
                kept.push(json!({"key": key, "effect": effect, "timeAdded": rfc3339(ctx.now)}));
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grace_period_is_checked_at_monitor_ticks() {
        let mut c = NodeLifecycleController::default();
        let node = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        c.health.insert("node-2".into(), Health { probe: Time(12_001), renew_time: String::new(), heartbeat: String::new(), node });
        // 12.001 s + 50 s = 62.001 s; the first tick after it is 65 s.
        assert_eq!(c.next_wake(), Some(Time(65_000)));
        assert_eq!(last_tick(Time(64_999)), Time(60_000));
    }
}
