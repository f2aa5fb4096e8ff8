//! The kubelets: one per node. At start each registers its Node through the API (as
//! `system:node:<name>`, which the Node authorizer and NodeRestriction admission allow for its own
//! Node only). Then, for each pod bound to its node, it mounts the pod's volumes — a configMap,
//! secret or projected volume whose object is missing fails `MountVolume.SetUp`, a volume type a
//! kubeadm node has no plugin or driver for never mounts (`runtime/volumes.rs`; `FailedMount`,
//! retried with the operation executor's back-off, 500 ms doubling to 2m2s) and the pod stays
//! `ContainerCreating` without a sandbox — then creates the sandbox (pod IP, status
//! `ContainerCreating`, or `Init:0/N` with init containers) and hands the pod to the container
//! runtime (`runtime/`), which pulls, creates, starts and restarts the containers, runs their
//! probes and writes the pod's status; for a pod being deleted it stops the containers (1 s) and removes the pod with
//! grace period 0. It also reports the images it pulled in the Node's `status.images`, from an
//! image list refreshed every 30 s (the image manager's cache), which ImageLocality scores.
//!
//! Timers are kept per pod and offered to the kernel through `next_wake`; nothing is scheduled
//! unless a pod is on its way somewhere, so an idle cluster stays idle.

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, rfc3339, Context, Request, Verb};
use crate::sim::{Duration, Time};
use serde_json::{json, Value};
use std::borrow::Cow;
use super::wake::NodePods;
use std::collections::{BTreeMap, BTreeSet};

const CONTAINER_STOP: Duration = Duration::from_secs(1);
/// The volume manager's loops (the desired-state populator, the reconciler) run every 100 ms: a
/// volume that cannot be set up when the pod arrives is first tried that much later, so an object
/// created just after the pod (`kubectl apply` of a pod and its ConfigMap) is found.
const MOUNT_FIRST_TRY: Duration = Duration::from_ms(100);
/// The operation executor's back-off for a failed mount: 500 ms doubling to 2m2s.
const MOUNT_BACKOFF_INITIAL_MS: u64 = 500;
const MOUNT_BACKOFF_MAX_MS: u64 = 122_000;
/// The image manager refreshes its image list this often; the node status reports that list.
const IMAGE_CACHE_REFRESH: Duration = Duration::from_secs(30);
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
    /// Whether its last sync sent requests: it looks again at the next step even when its node
    /// has no news (a failed write is retried; see `wake.rs`).
    pub busy: bool,
    /// Pods whose volumes cannot be set up: the next try and the current back-off (0 before the
    /// first failed try), per uid.
    mounts: BTreeMap<String, (Time, u64)>,
    /// The image list as of its last refresh, and when that was.
    image_cache: (Option<Time>, Value),
    /// Pods whose sync may act though they do not change, by cache key, and from when (a timer,
    /// a retry, a start to sync): with the pods the step's notifications say changed, these are
    /// the pods a woken kubelet syncs. The rest would only be found as they were.
    revisit: BTreeMap<String, Time>,
    /// The next pass syncs every pod of the node: the first, and any after a step whose
    /// notifications this kubelet did not take (stopped, not registered).
    walk_all: bool,
}

/// What every pod's sync in one kubelet pass shares.
struct PodPass<'c> {
    objects: super::runtime::config::ConfigObjects<'c>,
    pod_kind: &'static crate::api::KindInfo,
    user: crate::apiserver::User,
    /// `ctx.now` in RFC 3339.
    now: String,
    everything: bool,
}

fn pod_condition(t: &str, ok: bool, now: &str, reason: Option<(&str, String)>) -> Value {
    let mut c = json!({"type": t, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now});
    if let Some((r, m)) = reason {
        c["reason"] = json!(r);
        c["message"] = json!(m);
    }
    c
}

/// The containers a running pod has running: its sidecars and its app containers.
fn container_names(pod: &Value) -> Vec<String> {
    let sidecars = pod["spec"]["initContainers"].as_array().into_iter().flatten().filter(|c| c["restartPolicy"] == "Always");
    sidecars.chain(pod["spec"]["containers"].as_array().into_iter().flatten()).map(|c| c["name"].as_str().unwrap_or("").to_string()).collect()
}

impl Kubelet {
    pub fn new(spec: NodeSpec) -> Self {
        Kubelet { spec, timers: BTreeMap::new(), last_ip: 1, failures: BTreeMap::new(), heartbeat: Default::default(), restarted: false, stopped: false, runtime: Default::default(), starting: false, mounts: BTreeMap::new(), image_cache: (None, json!([])), busy: false, revisit: BTreeMap::new(), walk_all: true }
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
        let first_mounts = self.mounts.values().filter(|(_, backoff)| *backoff == 0).map(|(t, _)| *t);
        self.timers.values().map(|(t, _)| *t).chain(self.runtime.next_wake()).chain(starting).chain(first_mounts).min()
    }

    /// Whether a step at `now` has work for this kubelet though nothing on its node changed:
    /// it is starting, one of its timers is due, or it is [`busy`](Kubelet::busy).
    pub fn due(&self, now: Time) -> bool {
        !self.stopped && (self.busy || [self.next_wake(), self.next_heartbeat(), self.next_runtime_timer()].into_iter().flatten().any(|t| t <= now))
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
        // Its timers go, and while stopped it takes no notifications: the next pass looks at all.
        self.walk_all = true;
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

    /// A step had news of this node's pods but did not wake this kubelet: its next pass looks
    /// at every pod.
    pub fn missed_pods(&mut self) {
        self.walk_all = true;
    }

    /// A machine just added: its kubelet registers at the next step (see `starting`).
    pub fn start_now(&mut self) {
        self.starting = true;
    }

    fn source(&self) -> Source<'_> {
        Source { component: "kubelet", host: &self.spec.name }
    }

    /// Registers the Node when the informer does not have it: `registerWithAPIServer`. Returns
    /// the Node as the kubelet now knows it (the informer's, borrowed: copying it at every sync
    /// was 1.4% of a 5,000-node scheduling run).
    fn register<'a>(&mut self, ctx: &mut Context, caches: &'a Caches) -> Option<Cow<'a, Value>> {
        let user = client::kubelet(&self.spec.name);
        if let Some(node) = caches.nodes.get("", &self.spec.name) {
            if std::mem::take(&mut self.restarted) {
                client::event(ctx, &mut EventNames::default(), &user, &self.source(), node, false, "Starting", "Starting kubelet.");
            }
            return Some(Cow::Borrowed(node));
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
        Some(Cow::Owned(created))
    }

    /// `everything`: a ConfigMap or Secret changed (or the caches were listed again), so every
    /// pod is synced, not only those changed or due. `news`: the step's notifications about this
    /// node's pods (`wake.rs`), `None` when they are not all known.
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames, everything: bool, news: Option<&NodePods>) {
        if self.stopped {
            self.walk_all = true;
            return;
        }
        self.starting = false;
        let Some(node) = self.register(ctx, caches) else {
            self.walk_all = true;
            return;
        };
        if self.image_cache.0.is_none_or(|t| t.after(IMAGE_CACHE_REFRESH) <= ctx.now) {
            self.image_cache = (Some(ctx.now), self.runtime.node_images());
        }
        self.heartbeat.reconcile(ctx, caches, &self.spec, &node, &self.image_cache.1, events);
        let objects = super::runtime::config::ConfigObjects { configmaps: &caches.configmaps, secrets: &caches.secrets };
        let Some(pod_kind) = client::kind("v1", "Pod") else {
            self.walk_all = true;
            return;
        };
        let pass = PodPass { objects, pod_kind, user: client::kubelet(&self.spec.name), now: rfc3339(ctx.now), everything };
        let Some(news) = news.filter(|_| !everything && !self.walk_all) else {
            self.walk_all = false;
            self.sync_every_pod(ctx, caches, &pass, events);
            return;
        };
        // The pods gone from the node take their kept state with them (as `retain` in
        // `sync_every_pod`); a key deleted and created again in the step is a new pod.
        for (key, uid) in &news.gone {
            if self.pod_at(caches, key).is_none_or(|p| uid_of(p) != *uid) {
                self.forget(uid);
                self.revisit.remove(*key);
            }
        }
        // The pods that changed and those a sync may act for though they did not, in key order
        // (the order `sync_every_pod` takes them in): a pod neither changed nor due would be
        // passed over there.
        let due: Vec<String> = self.revisit.iter().filter(|(_, t)| **t <= ctx.now).map(|(k, _)| k.clone()).collect();
        let keys: BTreeSet<&str> = news.changed.iter().copied().chain(due.iter().map(String::as_str)).collect();
        for key in keys {
            let again = match self.pod_at(caches, key) {
                Some(pod) => self.sync_pod(ctx, &pass, events, uid_of(pod), pod),
                None => None,
            };
            match (again, self.revisit.get_mut(key)) {
                (Some(t), Some(at)) => *at = t,
                (Some(t), None) => {
                    self.revisit.insert(key.to_string(), t);
                }
                (None, _) => {
                    self.revisit.remove(key);
                }
            }
        }
    }

    /// The pod cached under `key`, if it is bound to this node.
    fn pod_at<'c>(&self, caches: &'c Caches, key: &str) -> Option<&'c Value> {
        caches.pods.cache.get(key).filter(|p| p["spec"]["nodeName"].as_str() == Some(self.spec.name.as_str()))
    }

    /// Drops what is kept for a pod that is gone.
    fn forget(&mut self, uid: &str) {
        self.timers.remove(uid);
        self.failures.remove(uid);
        self.mounts.remove(uid);
        self.runtime.forget(uid);
    }

    /// Syncs every pod of the node, and drops what is kept for pods no longer there.
    fn sync_every_pod(&mut self, ctx: &mut Context, caches: &Caches, pass: &PodPass, events: &mut EventNames) {
        // Each pod's uid is read once; the uids, sorted, say which kept state is still wanted
        // (a search per entry, rather than a scan of every pod for each).
        let mine: Vec<(&str, &str, &Value)> = caches.pods.on_node_keyed(&self.spec.name).map(|(key, p)| (key, uid_of(p), p)).collect();
        let mut live: Vec<&str> = mine.iter().map(|(_, uid, _)| *uid).collect();
        live.sort_unstable();
        let alive = |uid: &String| live.binary_search(&uid.as_str()).is_ok();
        self.timers.retain(|uid, _| alive(uid));
        self.failures.retain(|uid, _| alive(uid));
        self.mounts.retain(|uid, _| alive(uid));
        self.runtime.retain(&live);
        self.revisit.clear();
        for (key, uid, pod) in mine {
            if let Some(t) = self.sync_pod(ctx, pass, events, uid, pod) {
                self.revisit.insert(key.to_string(), t);
            }
        }
    }

    /// Syncs one pod of this node. Returns when a sync of it may next act though the pod does
    /// not change (a timer, a retry; `ctx.now` for at the next sync), or `None` when only a
    /// change to the pod can make it act.
    fn sync_pod(&mut self, ctx: &mut Context, pass: &PodPass, events: &mut EventNames, uid: &str, pod: &Value) -> Option<Time> {
        // A pod the runtime synced at this resourceVersion, with nothing sent then and nothing
        // due since, is as it was: not being deleted, not finished, admitted. Its sync would
        // return at once; the checks below would only read it again.
        if !pass.everything && self.runtime.unchanged(uid, pod, ctx.now) {
            return self.runtime.next_sync(uid, pod, ctx.now);
        }
        let uid = uid.to_string();
        let due = self.timers.get(&uid).copied();
        if is_terminating(pod) {
            self.runtime.stop(&uid);
            // The pod's worker is terminating it: no more volume set-up (a failed mount's retry
            // time, long past, would otherwise keep this kubelet due at every step).
            self.mounts.remove(&uid);
            match due {
                Some((t, Next::Stopped)) if t <= ctx.now => {
                    // One attempt: a failed delete leaves the pod Terminating, as a kubelet
                    // that cannot reach the API server would.
                    self.timers.remove(&uid);
                    let mut req = Request::new(Verb::Delete, pass.pod_kind, ns_of(pod), name_of(pod));
                    req.user = pass.user.clone();
                    req.delete.grace_period_seconds = Some(0);
                    req.delete.precondition_uid = Some(uid.clone());
                    handle(ctx, &req);
                }
                Some((_, Next::Stopped)) => {}
                _ if self.timers.len() < MAX_TIMERS || due.is_some() => {
                    for c in container_names(pod) {
                        if pod["status"]["phase"] == "Running" {
                            client::event_at(ctx, events, &pass.user, &self.source(), pod, &client::container_field_path(pod, &c), false, "Killing", &format!("Stopping container {c}"));
                        }
                    }
                    // SIGTERM now; a process that ignores it is killed when the pod's grace
                    // period (the deletion's) is over.
                    let grace = pod["metadata"]["deletionGracePeriodSeconds"].as_u64().or(pod["spec"]["terminationGracePeriodSeconds"].as_u64()).unwrap_or(30);
                    let stop = self.runtime.stop_delay(&uid, Duration::from_ms(grace.saturating_mul(1000)), CONTAINER_STOP);
                    self.timers.insert(uid.clone(), (ctx.now.after(stop), Next::Stopped));
                }
                _ => {}
            }
            // Its stop timer, or at once: a delete tried, or no room for a timer yet.
            return Some(self.timers.get(&uid).map_or(ctx.now, |(t, _)| *t));
        }
        // A pod whose phase is final has nothing left to run.
        if super::runtime::is_terminal(pod) {
            self.runtime.stop(&uid);
            self.mounts.remove(&uid);
            return None;
        }
        // The containers are the runtime's (`runtime/`): admitted once the volumes are set up
        // and the sandbox is up (a failed sandbox write is retried at the next step), or again
        // by a runtime that does not know the pod, then synced every step.
        let sandboxed = pod["status"]["podIP"].as_str().is_some_and(|ip| !ip.is_empty());
        let admit = if self.runtime.knows(&uid) {
            false
        } else if sandboxed {
            true
        } else if let Some(messages) = super::runtime::volumes::mount_failure(pod, &pass.objects) {
            self.wait_for_mount(ctx, pod, &messages, &pass.now, events);
            false
        } else {
            self.mounts.remove(&uid);
            self.start_sandbox(ctx, pod, &pass.now, true)
        };
        if admit {
            for (field_path, (warning, reason, message)) in self.runtime.admit(pod, ctx.now) {
                client::event_at(ctx, events, &pass.user, &self.source(), pod, &field_path, warning, reason, &message);
            }
            // Its first sync (or, refused for want of room, the admission again).
            return Some(ctx.now);
        }
        if self.runtime.knows(&uid) {
            let source = Source { component: "kubelet", host: &self.spec.name };
            self.runtime.sync(ctx, pod, &pass.objects, &pass.user, &source, events, pass.everything);
            return self.runtime.next_sync(&uid, pod, ctx.now);
        }
        // The next try of its volumes, or at once a sandbox write to retry.
        Some(self.mounts.get(&uid).map_or(ctx.now, |(t, _)| *t))
    }

    /// The container runtime's timers that run only as time passes (exits, back-offs).
    pub fn next_runtime_timer(&self) -> Option<Time> {
        if self.stopped {
            return None;
        }
        self.runtime.next_timer().into_iter().chain(self.mounts.values().filter(|(_, backoff)| *backoff > 0).map(|(t, _)| *t)).min()
    }

    /// A volume cannot be set up: the reconciler's first try comes one loop later; when that
    /// fails the kubelet writes the pod's status (no sandbox, so no IP), and at every try it
    /// records `FailedMount` with each of the try's messages (`runtime/volumes.rs`; none for a
    /// volume that only waits to be attached).
    fn wait_for_mount(&mut self, ctx: &mut Context, pod: &Value, messages: &[String], now: &str, events: &mut EventNames) {
        let uid = uid_of(pod).to_string();
        let backoff = match self.mounts.get(&uid) {
            Some((t, _)) if *t > ctx.now => return,
            Some((_, 0)) => {
                if !pod["status"]["containerStatuses"].is_array() {
                    self.start_sandbox(ctx, pod, now, false);
                }
                MOUNT_BACKOFF_INITIAL_MS
            }
            Some((_, b)) => (b * 2).min(MOUNT_BACKOFF_MAX_MS),
            None if self.mounts.len() >= MAX_TIMERS => return,
            None => {
                self.mounts.insert(uid, (ctx.now.after(MOUNT_FIRST_TRY), 0));
                return;
            }
        };
        self.mounts.insert(uid, (ctx.now.after(Duration::from_ms(backoff)), backoff));
        let user = client::kubelet(&self.spec.name);
        for message in messages {
            client::event(ctx, events, &user, &self.source(), pod, true, "FailedMount", message);
        }
    }

    /// A container's log, as the kubelet serves `/containerLogs/<ns>/<pod>/<container>`.
    pub fn container(&self, pod_uid: &str, name: &str) -> Option<&super::runtime::container::Container> {
        self.runtime.container(pod_uid, name)
    }

    /// The sandbox is up: pod IP, `ContainerCreating` (or `Init:0/N`), image pulls begin. With
    /// `sandbox` false the volumes are not mounted yet: the same status without an IP, and
    /// PodReadyToStartContainers False.
    fn start_sandbox(&mut self, ctx: &mut Context, pod: &Value, now: &str, sandbox: bool) -> bool {
        let Some(pod_kind) = client::kind("v1", "Pod") else { return false };
        let user = client::kubelet(&self.spec.name);
        let mut new = pod.clone();
        let scheduled_at = pod["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "PodScheduled").map(|c| c["lastTransitionTime"].clone()).unwrap_or(json!(now));
        let mut scheduled = pod_condition("PodScheduled", true, now, None);
        scheduled["lastTransitionTime"] = scheduled_at;
        // The Initialized, Ready and ContainersReady conditions and the container statuses are
        // the runtime's, as for a pod none of whose containers exists yet.
        new["status"]["conditions"] = json!([
            pod_condition("PodReadyToStartContainers", sandbox, now, None),
            pod_condition("Initialized", true, now, None),
            pod_condition("Ready", false, now, None),
            pod_condition("ContainersReady", false, now, None),
            scheduled,
        ]);
        new["status"]["hostIP"] = json!(self.spec.internal_ip);
        new["status"]["hostIPs"] = json!([{"ip": self.spec.internal_ip}]);
        if sandbox {
            self.last_ip = if self.last_ip >= 254 { 2 } else { self.last_ip + 1 };
            let ip = format!("10.244.{}.{}", self.spec.pod_cidr_octet, self.last_ip);
            new["status"]["podIP"] = json!(ip);
            new["status"]["podIPs"] = json!([{"ip": ip}]);
        }
        new["status"]["startTime"] = pod["status"]["startTime"].as_str().map_or(json!(now), |t| json!(t));
        new["status"] = super::runtime::status::not_started(&new, now, ctx.now);
        if !sandbox {
            if let Some(c) = new["status"]["conditions"].as_array_mut().and_then(|cs| cs.first_mut()) {
                super::runtime::status::set_condition(c, (false, None, None), now);
            }
        }
        client::update_status_owned(ctx, &user, pod_kind, new)
    }

    /// The images this node reports in its status, as of the last refresh of the image list.
    #[cfg(test)]
    pub fn reported_images(&self) -> &Value {
        &self.image_cache.1
    }
}
