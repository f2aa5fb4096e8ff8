//! The kubelets: one per node. At start each registers its Node through the API (as
//! `system:node:<name>`, which the Node authorizer and NodeRestriction admission allow for its own
//! Node only). Then, for each pod bound to its node, it creates the sandbox (pod IP, status
//! `ContainerCreating`), pulls the images (2 s of virtual time), creates and starts the
//! containers (1 s more) and reports `Running` with every condition True; for a pod being
//! deleted it stops the containers (1 s) and removes the pod with grace period 0.
//!
//! Timers are kept per pod and offered to the kernel through `next_wake`; nothing is scheduled
//! unless a pod is on its way somewhere, so an idle cluster stays idle.

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const CONTAINER_STOP: Duration = Duration::from_secs(1);
/// Timers one kubelet keeps at once (pods on the way somewhere).
const MAX_TIMERS: usize = 1_000;
pub const KUBELET_VERSION: &str = "v1.37.0";

pub use super::nodes::NodeSpec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// The containers are stopped: the pod is removed.
    Stopped,
}

#[derive(Debug)]
pub struct Kubelet {
    spec: NodeSpec,
    /// Per pod uid: what happens next and when.
    timers: BTreeMap<String, (Time, Next)>,
    /// The last host octet handed out in this node's pod CIDR.
    last_ip: u8,
    /// Rejected status writes per pod uid.
    failures: BTreeMap<String, u32>,
    /// The Lease renewals and node status reports (`node_lease.rs`).
    heartbeat: super::node_lease::Heartbeat,
    /// Started again after `node stop`: the next step records `Starting`.
    restarted: bool,
    /// `node stop`: the kubelet is down, nothing it does happens (its containers keep running).
    pub stopped: bool,
    /// The node's container runtime: the containers, their processes and logs (`runtime/`).
    runtime: super::runtime::Runtime,
    /// A machine just added or a kubelet just started: it acts at the next step (registers its
    /// Node, renews its Lease) as foreground work, so a run to idle includes it rather than
    /// leaving it to the background heartbeat. Cleared by that step, so it wakes only once.
    starting: bool,
}

fn pod_condition(t: &str, ok: bool, now: &str, reason: Option<(&str, String)>) -> Value {
    let mut c = json!({"type": t, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now});
    if let Some((r, m)) = reason {
        c["reason"] = json!(r);
        c["message"] = json!(m);
    }
    c
}

fn container_names(pod: &Value) -> Vec<String> {
    pod["spec"]["containers"].as_array().into_iter().flatten().map(|c| c["name"].as_str().unwrap_or("").to_string()).collect()
}

impl Kubelet {
    pub fn new(spec: NodeSpec) -> Self {
        Kubelet { spec, timers: BTreeMap::new(), last_ip: 1, failures: BTreeMap::new(), heartbeat: Default::default(), restarted: false, stopped: false, runtime: Default::default(), starting: false }
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    pub fn spec(&self) -> &NodeSpec {
        &self.spec
    }

    /// Pod work in progress (pulls, starts, stops): the kernel runs a command until these are done.
    pub fn next_wake(&self) -> Option<Time> {
        if self.stopped {
            return None;
        }
        let starting = self.starting.then_some(Time::default());
        self.timers.values().map(|(t, _)| *t).chain(self.runtime.next_wake()).chain(starting).min()
    }

    /// The heartbeat timers, which run in the background as virtual time passes.
    pub fn next_heartbeat(&self) -> Option<Time> {
        if self.stopped {
            return None;
        }
        self.heartbeat.next_wake()
    }

    /// `node stop` / `node start`. A kubelet that starts again has lost its timers and says so.
    pub fn set_stopped(&mut self, stopped: bool) {
        if self.stopped && !stopped {
            self.timers.clear();
            self.failures.clear();
            self.heartbeat.restart();
            self.restarted = true;
        }
        if self.stopped && !stopped {
            self.starting = true;
        }
        self.stopped = stopped;
    }

    /// A machine just added: its kubelet registers at the next step (see `starting`).
    pub fn start_now(&mut self) {
        self.starting = true;
    }

    fn source(&self) -> Source<'_> {
        Source { component: "kubelet", host: &self.spec.name }
    }

    /// Registers the Node when the informer does not have it: `registerWithAPIServer`. Returns
    /// the Node as the kubelet now knows it.
    fn register(&mut self, ctx: &mut Context, caches: &Caches) -> Option<Value> {
        let user = client::kubelet(&self.spec.name);
        if let Some(node) = caches.nodes.get("", &self.spec.name) {
            if std::mem::take(&mut self.restarted) {
                client::event(ctx, &mut EventNames::default(), &user, &self.source(), node, false, "Starting", "Starting kubelet.");
            }
            return Some(node.clone());
        }
        let node_kind = client::kind("v1", "Node")?;
        let mut node = super::nodes::node_object(&self.spec);
        node["status"]["conditions"] = super::node_lease::healthy_conditions(&rfc3339(ctx.now));
        let created = client::send(ctx, &user, Verb::Create, node_kind, "", &self.spec.name, Some(node)).result.ok()?;
        self.restarted = false;
        let mut names = EventNames::default();
        client::event(ctx, &mut names, &user, &self.source(), &created, false, "Starting", "Starting kubelet.");
        client::event(ctx, &mut names, &user, &self.source(), &created, false, "NodeReady", &format!("Node {} status is now: NodeReady", self.spec.name));
        // The registration carried the status: the next report is due in nodeStatusReportFrequency.
        self.heartbeat.registered(ctx.now);
        Some(created)
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        if self.stopped {
            return;
        }
        self.starting = false;
        let Some(node) = self.register(ctx, caches) else { return };
        self.heartbeat.reconcile(ctx, caches, &self.spec, &node, events);
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let user = client::kubelet(&self.spec.name);
        let now = rfc3339(ctx.now);
        let mine: Vec<&Value> = caches.pods.values().filter(|p| client::str_of(p, &["spec", "nodeName"]) == self.spec.name.as_str()).collect();
        let live: Vec<&str> = mine.iter().map(|p| uid_of(p)).collect();
        self.timers.retain(|uid, _| live.contains(&uid.as_str()));
        self.failures.retain(|uid, _| live.contains(&uid.as_str()));
        self.runtime.retain(&live);
        for pod in mine {
            let uid = uid_of(pod).to_string();
            let due = self.timers.get(&uid).copied();
            if is_terminating(pod) {
                self.runtime.stop(&uid);
                match due {
                    Some((t, Next::Stopped)) if t <= ctx.now => {
                        // One attempt: a failed delete leaves the pod Terminating, as a kubelet
                        // that cannot reach the API server would.
                        self.timers.remove(&uid);
                        let mut req = Request::new(Verb::Delete, pod_kind, ns_of(pod), name_of(pod));
                        req.user = user.clone();
                        req.delete.grace_period_seconds = Some(0);
                        req.delete.precondition_uid = Some(uid.clone());
                        handle(ctx, &req);
                    }
                    Some((_, Next::Stopped)) => {}
                    _ if self.timers.len() < MAX_TIMERS || due.is_some() => {
                        for c in container_names(pod) {
                            if pod["status"]["phase"] == "Running" {
                                client::event(ctx, events, &user, &self.source(), pod, false, "Killing", &format!("Stopping container {c}"));
                            }
                        }
                        self.timers.insert(uid, (ctx.now.after(CONTAINER_STOP), Next::Stopped));
                    }
                    _ => {}
                }
                continue;
            }
            // A pod whose phase is final has nothing left to run.
            if super::runtime::is_terminal(pod) {
                self.runtime.stop(&uid);
                continue;
            }
            let phase = pod["status"]["phase"].as_str().unwrap_or("");
            let has_statuses = pod["status"]["containerStatuses"].is_array();
            // The containers are the runtime's (`runtime/`): admitted once the sandbox is up (a
            // failed sandbox write is retried at the next step), or again by a runtime that
            // does not know the pod, then synced every step.
            let admit = if phase == "Pending" && !has_statuses {
                self.start_sandbox(ctx, pod, &now)
            } else {
                !self.runtime.knows(&uid)
            };
            if admit {
                for (warning, reason, message) in self.runtime.admit(pod, ctx.now) {
                    client::event(ctx, events, &user, &self.source(), pod, warning, reason, &message);
                }
            } else {
                let source = Source { component: "kubelet", host: &self.spec.name };
                self.runtime.sync(ctx, pod, &user, &source, events);
            }
        }
    }

    /// The container runtime's timers that run only as time passes (exits, back-offs).
    pub fn next_runtime_timer(&self) -> Option<Time> {
        if self.stopped {
            return None;
        }
        self.runtime.next_timer()
    }

    /// A container's log, as the kubelet serves `/containerLogs/<ns>/<pod>/<container>`.
    pub fn container(&self, pod_uid: &str, name: &str) -> Option<&super::runtime::container::Container> {
        self.runtime.container(pod_uid, name)
    }

    /// The sandbox is up: pod IP, `ContainerCreating`, image pulls begin.
    fn start_sandbox(&mut self, ctx: &mut Context, pod: &Value, now: &str) -> bool {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return false };
        let user = client::kubelet(&self.spec.name);
        self.last_ip = if self.last_ip >= 254 { 2 } else { self.last_ip + 1 };
        let ip = format!("10.244.{}.{}", self.spec.pod_cidr_octet, self.last_ip);
        let names = container_names(pod);
        let unready = format!("containers with unready status: [{}]", names.join(" "));
        let mut new = pod.clone();
        let scheduled_at = pod["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "PodScheduled").map(|c| c["lastTransitionTime"].clone()).unwrap_or(json!(now));
        let mut scheduled = pod_condition("PodScheduled", true, now, None);
        scheduled["lastTransitionTime"] = scheduled_at;
        new["status"]["conditions"] = json!([
            pod_condition("PodReadyToStartContainers", true, now, None),
            pod_condition("Initialized", true, now, None),
            pod_condition("Ready", false, now, Some(("ContainersNotReady", unready.clone()))),
            pod_condition("ContainersReady", false, now, Some(("ContainersNotReady", unready))),
            scheduled,
        ]);
        new["status"]["hostIP"] = json!(self.spec.internal_ip);
        new["status"]["hostIPs"] = json!([{"ip": self.spec.internal_ip}]);
        new["status"]["podIP"] = json!(ip);
        new["status"]["podIPs"] = json!([{"ip": ip}]);
        new["status"]["startTime"] = json!(now);
        new["status"]["containerStatuses"] = json!(pod["spec"]["containers"].as_array().into_iter().flatten().map(|c| json!({
            "name": c["name"], "image": c["image"], "imageID": "", "ready": false, "restartCount": 0, "started": false,
            "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {},
        })).collect::<Vec<_>>());
        client::update_status(ctx, &user, pod_kind, &new)
    }
}
