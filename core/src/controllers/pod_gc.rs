//! The pod garbage collector (`pkg/controller/podgc`, `pod-garbage-collector`), its orphan pass:
//! every 20 s (`gcCheckPeriod`) it looks for pods bound to a Node its informer does not have.
//! Such a node is quarantined for 40 s (`quarantineTime`, in case the informer is merely behind),
//! then confirmed absent with a live GET; its pods get the condition `DisruptionTarget` (reason
//! `DeletionByPodGC`, "PodGC: node no longer exists") and are force-deleted (grace period 0),
//! since no kubelet is left to confirm their end.
//!
//! Not modelled: the terminated-pod threshold and the out-of-service taint pass.

use super::client::{self, name_of, ns_of, uid_of};
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::json;
use std::collections::BTreeMap;

const NAME: &str = "pod-garbage-collector";
const CHECK_PERIOD_MS: u64 = 20_000;
const QUARANTINE: Duration = Duration::from_secs(40);

#[derive(Debug, Default)]
pub struct PodGcController {
    /// Node name -> when the collector first found pods bound to it with no Node.
    quarantined: BTreeMap<String, Time>,
    /// True while some pod is bound to a missing node (the collector's tick is then wanted).
    orphans: bool,
    /// When the collector last looked.
    now: Time,
}

impl PodGcController {
    /// The next tick at which a quarantine ends (or the next tick, to start one).
    pub fn next_wake(&self) -> Option<Time> {
        if !self.orphans && self.quarantined.is_empty() {
            return None;
        }
        let ready = self.quarantined.values().copied().min().map_or(self.now, |t| t.after(QUARANTINE)).max(self.now);
        // The first tick at or after `ready` that is still ahead of the last look.
        let tick = ready.as_ms().div_ceil(CHECK_PERIOD_MS) * CHECK_PERIOD_MS;
        Some(Time(if tick <= self.now.as_ms() { tick + CHECK_PERIOD_MS } else { tick }))
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches) {
        // From the informer's node index, not a scan of every pod (a twentieth of a 10,000-pod
        // scheduling run): its keys are the nodes pods name, sorted and each once.
        let missing: Vec<String> = caches.pods.node_names().filter(|n| caches.nodes.get("", n).is_none()).map(str::to_string).collect();
        self.orphans = !missing.is_empty();
        self.now = ctx.now;
        self.quarantined.retain(|n, _| missing.contains(n));
        // The collector acts only at its ticks.
        if !ctx.now.as_ms().is_multiple_of(CHECK_PERIOD_MS) {
            return;
        }
        for node in missing {
            let since = *self.quarantined.entry(node.clone()).or_insert(ctx.now);
            if since.after(QUARANTINE) > ctx.now {
                continue;
            }
            self.quarantined.remove(&node);
            if self.node_exists(ctx, &node) {
                continue;
            }
            self.delete_pods_on(ctx, caches, &node);
        }
    }

    /// `checkIfNodeExists`: a GET that bypasses the informer.
    fn node_exists(&self, ctx: &mut Context, node: &str) -> bool {
        let Some(kind) = client::kind("v1", "Node") else { return true };
        client::send(ctx, &client::controller(NAME), Verb::Get, kind, "", node, None).result.is_ok()
    }

    fn delete_pods_on(&self, ctx: &mut Context, caches: &Caches, node: &str) {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let user = client::controller(NAME);
        for pod in caches.pods.on_node(node) {
            let mut new = pod.clone();
            let condition = client::pod_condition(pod, "DisruptionTarget", true, "DeletionByPodGC", "PodGC: node no longer exists", &rfc3339(ctx.now));
            let has = new["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "DisruptionTarget");
            if !has {
                match new["status"]["conditions"].as_array_mut() {
                    Some(conds) => conds.push(condition),
                    None => new["status"]["conditions"] = json!([condition]),
                }
                client::update_status(ctx, &user, pod_kind, &new);
            }
            let mut req = Request::new(Verb::Delete, pod_kind, ns_of(pod), name_of(pod));
            req.user = user.clone();
            req.delete.grace_period_seconds = Some(0);
            req.delete.precondition_uid = Some(uid_of(pod).to_string());
            handle(ctx, &req);
        }
    }
}
