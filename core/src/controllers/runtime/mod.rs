//! The container runtime behind each kubelet (containerd, simulated) and the part of the kubelet's
//! `SyncPod` that drives it: once the sandbox is up, the init containers run one at a time, in
//! order, each to exit 0 before the next is pulled (a sidecar, `restartPolicy: Always`, only has to
//! have started); then every app container is pulled, created and started, its process runs
//! ([`process`]) and writes its log ([`logs`]), exits, and is restarted or not as the pod's
//! `restartPolicy` says ([`container`]). A failing init container is restarted with the same
//! back-off under `Always` and `OnFailure` and fails the pod under `Never`. A container whose env
//! refers to a missing ConfigMap or Secret waits in `CreateContainerConfigError` ([`config`]).
//! The app containers' liveness, readiness and startup probes run in virtual time against the
//! simulated application ([`prober`], [`probe`], [`serving`], [`files`]): a failed liveness probe
//! kills and restarts the container, readiness decides `ready` and the pod's Ready condition.
//! After each change the kubelet writes the pod's status as `system:node:<name>` ([`status`]).
//!
//! Timers are of two kinds, offered to the kernel separately: those that finish a start (image
//! pulls, container creation) settle the cluster after a command, while those that come only
//! with the passage of time (a process exiting, a back-off running out, a pull retried) wait for
//! `run <duration>`, so a crash-looping pod never keeps a command from finishing.
//!
//! ```text
//! admit ─► Pulling ─2s─► Pulled ─1s─► Created, Started (Running) ─exit─► Terminated
//!            │                                                           │ restartPolicy
//!            └─1s─► ErrImagePull ─1s─► ImagePullBackOff ─10s,20s…─► Pulling   ▼
//!                                        Running ◄─ at once, then 10s, 20s… ─ CrashLoopBackOff
//! ```

pub mod config;
pub mod container;
mod entrypoints;
pub mod exec;
mod exec_probe;
pub mod files;
pub mod images;
pub mod logs;
mod pi;
pub mod probe;
pub mod prober;
pub mod process;
pub mod serving;
mod shell;
pub mod spec;
pub mod status;
pub mod usage;
pub mod volumes;

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use crate::apiserver::{rfc3339, Context, User};
use crate::sim::{Duration, Time};
use config::ConfigObjects;
use container::{Container, ContainerSpec, KubeletEvent, SyncCtx};
use prober::Probers;
use serde_json::Value;
use status::{startup_passes_at, Containers, PodView};
use std::collections::{BTreeMap, BTreeSet};

const STATUS_RETRY: Duration = Duration::from_secs(1);
const MAX_STATUS_RETRIES: u32 = 5;
/// Pods one runtime keeps at once (a node's `maxPods` is 110; this bounds a misconfigured run).
const MAX_PODS: usize = 1_000;
/// The next pod sync after the PLEG reports a container exited or started (its relist period).
const PLEG_RELIST: Duration = Duration::from_secs(1);
/// `terminationGracePeriodSeconds`' default: how long a sidecar that ignores SIGTERM lives on.
const DEFAULT_GRACE_SECONDS: u64 = 30;
/// Images one node remembers (the node status lists the 50 largest).
const MAX_IMAGES: usize = 500;

#[derive(Debug)]
struct PodRuntime {
    init_specs: Vec<ContainerSpec>,
    /// The init containers started so far, in order.
    inits: Vec<Container>,
    specs: Vec<ContainerSpec>,
    /// The app containers, created once initialisation is done.
    containers: Vec<Container>,
    /// The prober workers of each app container, in the order of `specs` (`prober.rs`).
    probers: Vec<Probers>,
    /// The next probe tick that changes something: (when, whether it settles the start).
    probe_due: Option<(Time, bool)>,
    restart_policy: String,
    admitted: Time,
    /// The last sync: the timers up to here have been taken.
    synced: Time,
    grace: Duration,
    /// The app containers are done for good: the sidecars were told to stop then, and are killed
    /// once the grace period is over.
    sidecars_stopping: Option<Time>,
    /// Status writes refused in a row, and when to try again.
    failures: u32,
    retry_at: Option<Time>,
    /// Being deleted: the kubelet stops the containers, nothing in them moves on.
    stopped: bool,
    /// The pod's resourceVersion at the last sync, and whether that sync sent nothing: a pod
    /// with neither a change nor a due timer since has nothing new to sync (`quiet`).
    seen_rv: String,
    quiet: bool,
}

#[derive(Debug, Default)]
pub struct Runtime {
    pods: BTreeMap<String, PodRuntime>,
    /// The images pulled on this node (containerd keeps them after their pods are gone).
    images: BTreeSet<String>,
    /// [`Runtime::next_wake`] and [`Runtime::next_timer`] as of the last change to `pods`:
    /// every step asks every kubelet whether it is due, and walking each node's pods for that
    /// was 2% of a 5,000-node scheduling run. Every method that changes `pods` clears it.
    timers: std::cell::Cell<Option<(Option<Time>, Option<Time>)>>,
}

/// `format.Pod`: `name_namespace(uid)`, as kubelet messages name a pod.
pub fn pod_ref(pod: &Value) -> String {
    format!("{}_{}({})", name_of(pod), ns_of(pod), uid_of(pod))
}

/// True when the pod's phase is final: the kubelet has nothing more to run.
pub fn is_terminal(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

impl PodRuntime {
    fn view<'a>(&'a self, now: Time, app_probes: &'a [(bool, bool)]) -> PodView<'a> {
        PodView {
            inits: Containers { specs: &self.init_specs, created: &self.inits },
            apps: Containers { specs: &self.specs, created: &self.containers },
            restart_policy: &self.restart_policy,
            admitted: self.admitted,
            now,
            app_probes,
        }
    }

    /// When the last init container started is done, so the next container may start one PLEG
    /// relist later: a regular one exited 0, a sidecar passed its startup probe. `None` while the
    /// app containers run already or the last one is not done.
    fn next_start(&self) -> Option<Time> {
        if !self.containers.is_empty() {
            return None;
        }
        let (Some(c), Some(spec)) = (self.inits.last(), self.init_specs.get(self.inits.len().wrapping_sub(1))) else { return None };
        let done = if spec.restartable { c.running_since().map(|t| startup_passes_at(spec, self.admitted, t)) } else { c.succeeded_at() };
        done.map(|t| t.after(PLEG_RELIST))
    }

    /// Whether something of this pod is due by `now`: a container's transition, a probe, a
    /// status retry, or a timer of [`PodRuntime::timers`].
    fn due(&self, now: Time) -> bool {
        self.next_due().is_some_and(|t| t <= now)
    }

    /// The first instant something of this pod is due (see [`PodRuntime::due`]).
    fn next_due(&self) -> Option<Time> {
        let containers = self.inits.iter().chain(&self.containers).filter_map(Container::next_due).map(|(t, _)| t);
        let probes = self.probe_due.map(|(t, _)| t);
        containers.chain(probes).chain(self.retry_at).chain(self.timers()).min()
    }

    /// When the sidecars are killed: the grace period after they were told to stop.
    fn sidecar_kill(&self) -> Option<Time> {
        self.sidecars_stopping.filter(|_| self.inits.iter().any(Container::is_running)).map(|t| t.after(self.grace))
    }

    /// Instants only the passage of time brings: a sidecar's startup probe passing, the next
    /// init container's turn, the sidecars' kill.
    fn timers(&self) -> impl Iterator<Item = Time> + '_ {
        let probes = self.inits.iter().zip(&self.init_specs).filter(|(_, s)| s.restartable && s.startup_probe.is_some()).filter_map(|(c, s)| c.running_since().map(|t| startup_passes_at(s, self.admitted, t)));
        probes.chain(self.next_start()).chain(self.sidecar_kill()).filter(|t| *t > self.synced)
    }
}

impl Runtime {
    pub fn knows(&self, uid: &str) -> bool {
        self.pods.contains_key(uid)
    }

    /// Forgets pods that are gone (their logs go with them, as the kubelet removes the pod's
    /// log directory).
    /// `live` is sorted.
    pub fn retain(&mut self, live: &[&str]) {
        self.timers.set(None);
        self.pods.retain(|uid, _| live.binary_search(&uid.as_str()).is_ok());
    }

    /// How long the pod's running containers take to stop once told (`killContainer`, all at
    /// once): `quick` for a process that exits on SIGTERM, the grace period for one that ignores
    /// it (a shell as PID 1), which SIGKILL ends. `quick` when none runs.
    pub fn stop_delay(&self, uid: &str, grace: Duration, quick: Duration) -> Duration {
        let Some(run) = self.pods.get(uid) else { return quick };
        let inits = run.inits.iter().zip(&run.init_specs);
        let running = inits.chain(run.containers.iter().zip(&run.specs)).filter(|(c, _)| c.is_running());
        running.map(|(_, spec)| if prober::on_sigterm(spec).is_some() { quick } else { grace.max(quick) }).max().unwrap_or(quick)
    }

    /// Forgets one pod that is gone (see [`retain`](Runtime::retain)).
    pub fn forget(&mut self, uid: &str) {
        self.timers.set(None);
        self.pods.remove(uid);
    }

    /// Whether [`sync`](Runtime::sync) (without `everything`) would return at once for this pod:
    /// it was last synced at this resourceVersion, that sync sent nothing and nothing of it is
    /// due. Like `sync`, it drops the kept next timer (the pod may have been the one found due).
    pub fn unchanged(&self, uid: &str, pod: &Value, now: Time) -> bool {
        let Some(run) = self.pods.get(uid) else { return false };
        self.timers.set(None);
        run.quiet && run.seen_rv == pod["metadata"]["resourceVersion"].as_str().unwrap_or("") && !run.due(now)
    }

    /// When a sync of this pod (without `everything`), if the pod does not change, would next do
    /// more than return at once: now unless its last sync was at this resourceVersion and sent
    /// nothing, else when something of it is next due (`None`: never).
    pub fn next_sync(&self, uid: &str, pod: &Value, now: Time) -> Option<Time> {
        match self.pods.get(uid) {
            Some(run) if run.quiet && run.seen_rv == pod["metadata"]["resourceVersion"].as_str().unwrap_or("") => run.next_due(),
            _ => Some(now),
        }
    }

    /// The pod is being deleted: its containers are stopped, so no exit, restart or pull of
    /// theirs is due any more (a due timer nothing consumes would keep the kernel stepping).
    pub fn stop(&mut self, uid: &str) {
        self.timers.set(None);
        if let Some(p) = self.pods.get_mut(uid) {
            p.stopped = true;
        }
    }

    /// Takes the pod on: the first init container's pull starts now, or with none every app
    /// container's. Returns the events to record (`Pulling`), each with the container's
    /// `fieldPath`.
    pub fn admit(&mut self, pod: &Value, now: Time) -> Vec<(String, KubeletEvent)> {
        self.timers.set(None);
        if self.pods.len() >= MAX_PODS {
            return Vec::new();
        }
        let list = |key: &str| pod["spec"][key].as_array().into_iter().flatten().map(|c| ContainerSpec::from_json(c, pod)).collect::<Vec<_>>();
        let (init_specs, specs) = (list("initContainers"), list("containers"));
        let mut events = Vec::new();
        let images = &self.images;
        let mut start = |s: &ContainerSpec| {
            let (c, e) = Container::new(s, now, images.contains(&s.image));
            events.push((client::container_field_path(pod, &s.name), e));
            c
        };
        let (inits, containers) = match init_specs.first() {
            Some(first) => (vec![start(first)], Vec::new()),
            None => (Vec::new(), specs.iter().map(&mut start).collect()),
        };
        let restart_policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always").to_string();
        let grace = Duration::from_secs(pod["spec"]["terminationGracePeriodSeconds"].as_u64().unwrap_or(DEFAULT_GRACE_SECONDS));
        let probers = pod["spec"]["containers"].as_array().into_iter().flatten().map(|c| Probers::new(c, now)).collect();
        let run = PodRuntime { init_specs, inits, specs, containers, probers, probe_due: None, restart_policy, admitted: now, synced: now, grace, sidecars_stopping: None, failures: 0, retry_at: None, stopped: false, seen_rv: String::new(), quiet: false };
        self.pods.insert(uid_of(pod).to_string(), run);
        events
    }

    /// Moves the pod's containers on to `ctx.now`, writes its status when it changed, and
    /// records the events of what happened.
    ///
    /// `everything`: a ConfigMap or Secret changed, so every pod is synced. Otherwise a pod is
    /// skipped when it is as last synced, that sync sent nothing and nothing of it is due: the
    /// sync would find what it found then (a node of 100 pods synced all of them whenever one
    /// changed, a third of a 1,000-node scale run).
    #[allow(clippy::too_many_arguments)]
    pub fn sync(&mut self, ctx: &mut Context, pod: &Value, objects: &ConfigObjects, user: &User, source: &Source, names: &mut EventNames, everything: bool) {
        let Some(run) = self.pods.get_mut(uid_of(pod)) else { return };
        // Even a sync that returns early may have been the one to find a pod due; any sync may
        // move the pod's timers.
        self.timers.set(None);
        let rv = pod["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if !everything && run.quiet && run.seen_rv == rv && !run.due(ctx.now) {
            return;
        }
        let sent = *ctx.next_request_id;
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let now = ctx.now;
        let pref = pod_ref(pod);
        let ns = ns_of(pod);
        let mut events = Vec::new();
        // Each container's events carry its `fieldPath` (`GenerateContainerRef`).
        let mut recorded: Vec<(String, KubeletEvent)> = Vec::new();
        let mut tag = |events: &mut Vec<KubeletEvent>, name: &str| recorded.extend(events.drain(..).map(|e| (client::container_field_path(pod, name), e)));
        // `containerChanged`: an app container whose image the pod now names otherwise (the one
        // container field an update may change) is restarted from its new definition.
        for (i, c) in pod["spec"]["containers"].as_array().into_iter().flatten().enumerate() {
            let Some(old) = run.specs.get(i) else { break };
            if c["image"].as_str().is_none_or(|image| image == old.image) || c["name"].as_str() != Some(old.name.as_str()) {
                continue;
            }
            let spec = ContainerSpec::from_json(c, pod);
            if let Some(container) = run.containers.get_mut(i) {
                events.extend(container.redefine(now, &spec, self.images.contains(&spec.image), run.grace, prober::on_sigterm(old)));
                tag(&mut events, &spec.name);
            }
            run.specs[i] = spec;
        }
        // Each pass may finish initialisation one step further (the next init container, then
        // the app containers); the number of init containers bounds it.
        for _ in 0..=run.init_specs.len() + 1 {
            let stopping = run.sidecars_stopping.is_some();
            let policy = run.restart_policy.clone();
            for (c, spec) in run.inits.iter_mut().zip(&run.init_specs) {
                let env = objects.resolve_env(ns, &spec.env_from, &spec.env_refs, &spec.env);
                // A sidecar is restarted whatever the pod's policy; an init container only after a
                // failure, and never under `Never`.
                let restart = |code: i32| if spec.restartable { !stopping } else { policy != "Never" && code != 0 };
                c.advance(now, spec, &mut SyncCtx { hostname: name_of(pod), pod_ref: &pref, restart: &restart, env: &env, rng: ctx.rng, out: &mut events });
                tag(&mut events, &spec.name);
            }
            let probe_pod = prober::PodCtx { pod_ip: pod["status"]["podIP"].as_str().unwrap_or(""), grace: run.grace };
            for ((c, spec), probers) in run.containers.iter_mut().zip(&run.specs).zip(run.probers.iter_mut()) {
                let env = objects.resolve_env(ns, &spec.env_from, &spec.env_refs, &spec.env);
                let restart = |code: i32| policy == "Always" || (policy == "OnFailure" && code != 0);
                prober::advance(c, spec, probers, now, &probe_pod, &mut SyncCtx { hostname: name_of(pod), pod_ref: &pref, restart: &restart, env: &env, rng: ctx.rng, out: &mut events });
                tag(&mut events, &spec.name);
            }
            match run.next_start().filter(|t| *t <= now) {
                Some(at) if run.inits.len() < run.init_specs.len() => {
                    if let Some(spec) = run.init_specs.get(run.inits.len()) {
                        let (c, e) = Container::new(spec, at, self.images.contains(&spec.image));
                        events.push(e);
                        tag(&mut events, &spec.name);
                        run.inits.push(c);
                    }
                }
                Some(at) => {
                    for spec in &run.specs {
                        let (c, e) = Container::new(spec, at, self.images.contains(&spec.image));
                        events.push(e);
                        tag(&mut events, &spec.name);
                        run.containers.push(c);
                    }
                }
                None => break,
            }
        }
        // The app containers are done for good: the kubelet stops the sidecars, in reverse order;
        // a shell or `sleep` as PID 1 ignores SIGTERM, so they are killed after the grace period.
        let apps_done = !run.containers.is_empty() && run.containers.iter().all(|c| c.finished().is_some());
        if apps_done && run.sidecars_stopping.is_none() && run.inits.iter().any(Container::is_running) {
            run.sidecars_stopping = Some(now);
            for (c, _) in run.inits.iter().zip(&run.init_specs).rev().filter(|(c, s)| s.restartable && c.is_running()) {
                events.push((false, "Killing", format!("Stopping container {}", c.name)));
                tag(&mut events, &c.name);
            }
        }
        if let Some(at) = run.sidecar_kill().filter(|t| *t <= now) {
            for (c, spec) in run.inits.iter_mut().zip(&run.init_specs).rev() {
                if spec.restartable {
                    c.kill(at, 137);
                }
            }
        }
        run.synced = now;
        for c in run.inits.iter().chain(&run.containers) {
            if c.image_present() && self.images.len() < MAX_IMAGES {
                self.images.insert(c.image.clone());
            }
        }
        let pod_ip = pod["status"]["podIP"].as_str().unwrap_or("");
        let plans = run.containers.iter().zip(&run.specs).zip(&run.probers).filter_map(|((c, spec), p)| prober::plan(c, spec, p, pod_ip));
        run.probe_due = plans.min_by_key(|(t, settles)| (*t, !*settles));
        let gates: Vec<(bool, bool)> = run.probers.iter().zip(&run.containers).map(|(p, c)| (p.started(c), p.ready(c))).collect();
        let status = run.view(now, &gates).pod_status(pod, &pref, &rfc3339(now));
        if status != pod["status"] && run.retry_at.is_none_or(|t| t <= now) && run.failures <= MAX_STATUS_RETRIES {
            let mut new = pod.clone();
            new["status"] = status;
            if client::update_status_owned(ctx, user, pod_kind, new) {
                run.failures = 0;
                run.retry_at = None;
            } else {
                run.failures += 1;
                run.retry_at = (run.failures <= MAX_STATUS_RETRIES).then(|| now.after(STATUS_RETRY));
            }
        }
        for (field_path, (warning, reason, message)) in recorded {
            client::event_at(ctx, names, user, source, pod, &field_path, warning, reason, &message);
        }
        run.seen_rv = rv.to_string();
        run.quiet = *ctx.next_request_id == sent;
    }

    /// The next instant a pod's start moves on (a pull finishing, a container being created) or
    /// a refused status write is retried.
    pub fn next_wake(&self) -> Option<Time> {
        self.timers().0
    }

    /// Both kinds of timers, from the memo or computed.
    fn timers(&self) -> (Option<Time>, Option<Time>) {
        if let Some(t) = self.timers.get() {
            return t;
        }
        let t = (self.compute_next_wake(), self.compute_next_timer());
        self.timers.set(Some(t));
        t
    }

    fn compute_next_wake(&self) -> Option<Time> {
        let live = || self.pods.values().filter(|p| !p.stopped);
        let starts = live().flat_map(|p| p.inits.iter().chain(&p.containers).filter_map(|c| c.next_due().filter(|(_, settles)| *settles).map(|(t, _)| t)));
        let probes = live().filter_map(|p| p.probe_due.filter(|(_, settles)| *settles).map(|(t, _)| t));
        starts.chain(live().filter_map(|p| p.retry_at)).chain(probes).min()
    }

    /// The next instant something happens only because time passes.
    pub fn next_timer(&self) -> Option<Time> {
        self.timers().1
    }

    fn compute_next_timer(&self) -> Option<Time> {
        let live = || self.pods.values().filter(|p| !p.stopped);
        let exits = live().flat_map(|p| p.inits.iter().chain(&p.containers).filter_map(|c| c.next_due().filter(|(_, settles)| !*settles).map(|(t, _)| t)));
        let probes = live().filter_map(|p| p.probe_due.filter(|(_, settles)| !*settles).map(|(t, _)| t));
        exits.chain(live().flat_map(PodRuntime::timers)).chain(probes).min()
    }

    /// A container of a pod this runtime runs, for its log.
    pub fn container(&self, uid: &str, name: &str) -> Option<&Container> {
        let p = self.pods.get(uid)?;
        p.containers.iter().chain(&p.inits).find(|c| c.name == name)
    }

    /// The images on this node, as the node status reports them (`images.rs`).
    pub fn node_images(&self) -> Value {
        images::node_images(&self.images)
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    const BATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: batch\nspec:\n  replicas: 2\n  strategy:\n    type: Recreate\n  selector:\n    matchLabels: {app: batch}\n  template:\n    metadata:\n      labels: {app: batch}\n    spec:\n      containers:\n      - name: worker\n        image: busybox:1.36\n";

    fn pod(cluster: &mut Cluster, name: &str, jsonpath: &str) -> String {
        cluster.execute(&format!("kubectl get pod {name} -o jsonpath='{jsonpath}'"), &MemoryFiles::new()).stdout
    }

    const INIT: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  restartPolicy: RESTART\n  initContainers:\n  - name: a\n    image: busybox:1.36\n    command: [sh, -c, 'sleep 4; exit CODE']\n  - name: b\n    image: busybox:1.36\n    command: [sh, -c, 'sleep 2']\n  containers:\n  - name: app\n    image: nginx:1.27\n";

    #[test]
    fn init_containers_run_in_order_before_the_app_containers() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("p.yaml", INIT.replace("RESTART", "Always").replace("CODE", "0"));
        cluster.execute("kubectl apply -f p.yaml", &files);
        // a runs (pulled 2 s, created 1 s), b and app wait as PodInitializing.
        assert_eq!(pod(&mut cluster, "p", "{.status.initContainerStatuses[*].state.waiting.reason}"), "PodInitializing");
        assert_eq!(pod(&mut cluster, "p", "{.status.containerStatuses[0].state.waiting.reason}"), "PodInitializing");
        let initialized = "{.status.conditions[?(@.type==\"Initialized\")].message}";
        assert_eq!(pod(&mut cluster, "p", initialized), "containers with incomplete status: [a b]");
        assert_eq!(pod(&mut cluster, "p", "{.status.phase}"), "Pending");
        cluster.execute("run 30s", &MemoryFiles::new());
        assert_eq!(pod(&mut cluster, "p", "{.status.phase}"), "Running");
        assert_eq!(pod(&mut cluster, "p", "{.status.initContainerStatuses[*].state.terminated.reason}"), "Completed Completed");
        assert_eq!(pod(&mut cluster, "p", "{.status.initContainerStatuses[*].ready}"), "true true");
        // b started only after a finished: a ran 4 s from its start.
        let started_b = pod(&mut cluster, "p", "{.status.initContainerStatuses[1].state.terminated.startedAt}");
        let finished_a = pod(&mut cluster, "p", "{.status.initContainerStatuses[0].state.terminated.finishedAt}");
        assert!(started_b > finished_a, "{finished_a} then {started_b}");
    }

    #[test]
    fn a_failing_init_container_fails_the_pod_under_never_and_restarts_under_always() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("p.yaml", INIT.replace("RESTART", "Never").replace("CODE", "3"));
        cluster.execute("kubectl apply -f p.yaml", &files);
        cluster.execute("run 20s", &MemoryFiles::new());
        assert_eq!(pod(&mut cluster, "p", "{.status.phase}"), "Failed");
        assert_eq!(pod(&mut cluster, "p", "{.status.initContainerStatuses[0].state.terminated.exitCode}"), "3");
        assert_eq!(pod(&mut cluster, "p", "{.status.conditions[?(@.type==\"Ready\")].reason}"), "PodFailed");
        let pods = cluster.execute("kubectl get pods", &MemoryFiles::new()).stdout;
        assert!(pods.contains("Init:Error"), "{pods}");
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("p.yaml", INIT.replace("RESTART", "Always").replace("CODE", "3"));
        cluster.execute("kubectl apply -f p.yaml", &files);
        cluster.execute("run 40s", &MemoryFiles::new());
        assert_eq!(pod(&mut cluster, "p", "{.status.phase}"), "Pending");
        assert!(pod(&mut cluster, "p", "{.status.initContainerStatuses[0].restartCount}").parse::<u32>().unwrap_or(0) >= 2);
        assert_eq!(pod(&mut cluster, "p", "{.status.containerStatuses[0].state.waiting.reason}"), "PodInitializing");
    }

    #[test]
    fn pulled_images_reach_the_node_status_and_image_locality() {
        let mut cluster = Cluster::new(Config::default());
        let spec = |name: &str, pin: bool| {
            let selector = if pin { "  nodeSelector: {kubernetes.io/hostname: node-1}\n" } else { "" };
            format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{selector}  containers:\n  - name: py\n    image: docker.io/library/python:3.13\n    command: [sleep, infinity]\n")
        };
        cluster.execute("kubectl apply -f a.yaml", &MemoryFiles::new().with("a.yaml", spec("first", true)));
        cluster.execute("run 45s", &MemoryFiles::new());
        let names = cluster.execute("kubectl get node node-1 -o jsonpath={.status.images[0].names[1]}", &MemoryFiles::new()).stdout;
        assert_eq!(names, "docker.io/library/python:3.13");
        cluster.execute("kubectl apply -f b.yaml", &MemoryFiles::new().with("b.yaml", spec("second", false)));
        let explain = cluster.execute("scheduler explain pod/second", &MemoryFiles::new()).stdout;
        // 381,000,000 bytes held by 1 of 4 nodes: 95,250,000, so
        // (95,250,000 - 23 MiB) · 100 / (1000 MiB - 23 MiB) = 6; the other nodes hold none.
        let row = |node: &str| explain.lines().rev().find(|l| l.starts_with(node)).unwrap_or("").to_string();
        assert!(row("node-1 ").contains("6 -> 6 = 6"), "{explain}");
        assert!(row("node-2 ").contains("  0 -> 0 = 0  "), "{explain}");
    }

    #[test]
    fn deleting_crash_looping_pods_leaves_no_timer_due() {
        // busybox with no command exits at once and crash-loops; replacing the pods stops them
        // while an exit is due, which must not keep the kernel stepping at one instant.
        let mut cluster = Cluster::new(Config { max_steps_per_run: 5_000, ..Config::default() });
        cluster.execute("kubectl apply -f b.yaml", &MemoryFiles::new().with("b.yaml", BATCH));
        cluster.execute("run 30s", &MemoryFiles::new());
        let changed = MemoryFiles::new().with("b.yaml", BATCH.replace("1.36", "1.37"));
        let id = cluster.submit("kubectl apply -f b.yaml", &changed);
        let outcome = cluster.run_until_idle();
        assert!(outcome.idle, "{outcome:?}");
        assert_eq!(cluster.output(id).map(|o| o.stdout.as_str()), Some("deployment.apps/batch configured\n"));
        let pods = cluster.execute("kubectl get pods", &MemoryFiles::new()).stdout;
        assert!(pods.contains("Completed") || pods.contains("Running") || pods.contains("CrashLoopBackOff"), "{pods}");
    }
}
