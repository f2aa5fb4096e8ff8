//! A kubelet's heartbeats, as kubelet does them since the NodeLease feature
//! (`pkg/kubelet/nodelease` and `kubelet_node_status.go`):
//! - the Lease `kube-node-lease/<node>` (coordination.k8s.io/v1, owned by the Node, `holderIdentity`
//!   the node name, `leaseDurationSeconds` 40) is created at start and its `renewTime` renewed
//!   every 10 s (a quarter of the duration, `renewIntervalFraction` 0.25);
//! - the Node's status (the Ready, MemoryPressure, DiskPressure and PIDPressure conditions with
//!   their `lastHeartbeatTime`) is patched only when a condition changed or when
//!   `nodeStatusReportFrequency` (5 min) has passed since the last report, or when the images
//!   the kubelet holds (`status.images`) changed.
//!
//! So a node at rest costs one `PUT lease` per 10 s of virtual time and nothing else. Both timers
//! are offered to the kernel as background wake-ups: they keep running while time passes but do
//! not keep a command from finishing.

use super::client::{self, EventNames, Source};
use super::nodes::NodeSpec;
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, PatchType, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};

pub const LEASE_NAMESPACE: &str = "kube-node-lease";
pub const LEASE_DURATION_SECONDS: u64 = 40;
/// `leaseDuration * renewIntervalFraction` (40 s * 0.25).
pub const RENEW_INTERVAL: Duration = Duration::from_secs(10);
/// `nodeStatusReportFrequency`.
pub const STATUS_REPORT: Duration = Duration::from_secs(300);

/// `metav1.MicroTime` as kube-apiserver serialises it: `2026-01-01T00:00:10.000000Z`.
pub fn micro_time(t: Time) -> String {
    let base = rfc3339(t);
    let micros = (t.as_ms() % 1000) * 1000;
    format!("{}.{micros:06}Z", base.trim_end_matches('Z'))
}

/// The kubelet's four node conditions, all healthy, as `setNodeReadyCondition` and the
/// pressure setters word them.
pub fn healthy_conditions(now: &str) -> Value {
    let c = |t: &str, status: &str, reason: &str, message: &str| {
        json!({"type": t, "status": status, "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": reason, "message": message})
    };
    json!([
        c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        c("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ])
}

/// The event kubelet records when a condition comes to its healthy status (`recordNodeStatusEvent`).
fn transition_event(kind: &str) -> &'static str {
    match kind {
        "MemoryPressure" => "NodeHasSufficientMemory",
        "DiskPressure" => "NodeHasNoDiskPressure",
        "PIDPressure" => "NodeHasSufficientPID",
        _ => "NodeReady",
    }
}

/// One kubelet's heartbeat timers.
#[derive(Debug, Default)]
pub struct Heartbeat {
    /// When the Lease is next renewed (`None`: create or renew at the next step).
    renew_at: Option<Time>,
    /// When the node status was last reported.
    reported_at: Option<Time>,
    /// Failed writes in a row; past a few the kubelet waits for its next interval.
    failures: u32,
}

impl Heartbeat {
    /// The next instant a heartbeat is due.
    pub fn next_wake(&self) -> Option<Time> {
        // Not renewed yet (a kubelet just started): due at once.
        let renew = self.renew_at.unwrap_or_default();
        Some(match self.reported_at {
            Some(r) => renew.min(r.after(STATUS_REPORT)),
            None => renew,
        })
    }

    /// The Node was just registered with its status.
    pub fn registered(&mut self, now: Time) {
        self.reported_at = Some(now);
    }

    /// A kubelet that starts again renews at once and reports its status.
    pub fn restart(&mut self) {
        *self = Heartbeat::default();
    }

    /// `node` is the kubelet's Node as it last saw it (from the cache, or as just registered);
    /// `images` the kubelet's image list (`nodestatus.Images`).
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, spec: &NodeSpec, node: &Value, images: &Value, events: &mut EventNames) {
        if self.renew_at.is_none_or(|t| t <= ctx.now) {
            let ok = self.renew_lease(ctx, caches, spec, node);
            self.failures = if ok { 0 } else { self.failures + 1 };
            // A failed renewal is retried at the next step a few times, then at the next interval.
            self.renew_at = if ok || self.failures > 3 { Some(ctx.now.after(RENEW_INTERVAL)) } else { None };
        }
        let due = self.reported_at.is_none_or(|t| t.after(STATUS_REPORT) <= ctx.now);
        let no_images = |v: &Value| v.as_array().is_none_or(Vec::is_empty);
        let images_changed = !(no_images(images) && no_images(&node["status"]["images"])) && node["status"]["images"] != *images;
        let changed = !conditions_healthy(node) || images_changed;
        if (due || changed) && self.report_status(ctx, spec, node, images, events) {
            self.reported_at = Some(ctx.now);
        }
    }

    /// `POST` the Lease when it does not exist yet, else `PUT` it with a fresh `renewTime`.
    fn renew_lease(&mut self, ctx: &mut Context, caches: &Caches, spec: &NodeSpec, node: &Value) -> bool {
        let Some(kind) = client::kind("coordination.k8s.io/v1", "Lease") else { return true };
        let user = client::kubelet(&spec.name);
        let now = micro_time(ctx.now);
        match caches.leases.get(LEASE_NAMESPACE, &spec.name) {
            None => {
                let lease = json!({
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": {"name": spec.name, "namespace": LEASE_NAMESPACE, "ownerReferences": [{
                        "apiVersion": "v1", "kind": "Node", "name": spec.name, "uid": client::uid_of(node),
                    }]},
                    "spec": {"holderIdentity": spec.name, "leaseDurationSeconds": LEASE_DURATION_SECONDS, "renewTime": now},
                });
                client::send(ctx, &user, Verb::Create, kind, LEASE_NAMESPACE, &spec.name, Some(lease)).result.is_ok()
            }
            Some(lease) => {
                let mut new = lease.clone();
                new["spec"]["renewTime"] = json!(now);
                client::send(ctx, &user, Verb::Update, kind, LEASE_NAMESPACE, &spec.name, Some(new)).result.is_ok()
            }
        }
    }

    /// `PATCH nodes/<name>/status` with the four conditions, their heartbeat now; a condition
    /// whose status changes gets a new `lastTransitionTime` and kubelet's event for it.
    fn report_status(&mut self, ctx: &mut Context, spec: &NodeSpec, node: &Value, images: &Value, events: &mut EventNames) -> bool {
        let Some(kind) = client::kind("v1", "Node") else { return true };
        let user = client::kubelet(&spec.name);
        let now = rfc3339(ctx.now);
        let mut conditions = healthy_conditions(&now);
        let mut transitions = Vec::new();
        for c in conditions.as_array_mut().into_iter().flatten() {
            let old = node["status"]["conditions"].as_array().into_iter().flatten().find(|o| o["type"] == c["type"]);
            match old {
                Some(o) if o["status"] == c["status"] => c["lastTransitionTime"] = o["lastTransitionTime"].clone(),
                _ => transitions.push(c["type"].as_str().unwrap_or("").to_string()),
            }
        }
        let mut body = json!({"status": {"conditions": conditions}});
        if images.as_array().is_some_and(|i| !i.is_empty()) {
            body["status"]["images"] = images.clone();
        }
        let mut req = Request::new(Verb::Patch(PatchType::Strategic), kind, "", &spec.name).with_body(body);
        req.subresource = "status".into();
        req.user = user.clone();
        let Ok(updated) = handle(ctx, &req).result else { return false };
        let source = Source { component: "kubelet", host: &spec.name };
        for t in transitions {
            let reason = transition_event(&t);
            client::event(ctx, events, &user, &source, &updated, false, reason, &format!("Node {} status is now: {reason}", spec.name));
        }
        true
    }
}

/// True when every kubelet condition shows the status a healthy kubelet posts.
fn conditions_healthy(node: &Value) -> bool {
    let status = |t: &str| node["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == t).map(|c| c["status"].as_str().unwrap_or(""));
    status("Ready") == Some("True") && ["MemoryPressure", "DiskPressure", "PIDPressure"].iter().all(|t| status(t) == Some("False"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renew_time_is_a_micro_time() {
        assert_eq!(micro_time(Time(10_250)), "2026-01-01T00:00:10.250000Z");
    }

    #[test]
    fn the_next_wake_is_the_sooner_of_renewal_and_status_report() {
        let mut h = Heartbeat { renew_at: Some(Time(10_000)), reported_at: Some(Time(0)), failures: 0 };
        assert_eq!(h.next_wake(), Some(Time(10_000)));
        h.renew_at = Some(Time(310_000));
        assert_eq!(h.next_wake(), Some(Time(300_000)));
    }
}
