//! The container runtime behind each kubelet (containerd, simulated) and the part of the kubelet's
//! `SyncPod` that drives it: once the sandbox is up, every container is pulled, created and
//! started, its process runs ([`process`]) and writes its log ([`logs`]), exits, and is restarted
//! or not as the pod's `restartPolicy` says ([`container`]). After each change the kubelet
//! writes the pod's status as `system:node:<name>`: the container statuses, the phase
//! (`getPhase`: Pending while a container waits to start, Running, then Succeeded or Failed
//! when nothing will restart) and the Ready and ContainersReady conditions.
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

pub mod container;
mod entrypoints;
pub mod images;
pub mod logs;
mod pi;
pub mod process;
mod shell;
pub mod usage;

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use crate::apiserver::{rfc3339, Context, User};
use crate::sim::{Duration, Time};
use container::{Container, ContainerSpec, KubeletEvent};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const STATUS_RETRY: Duration = Duration::from_secs(1);
const MAX_STATUS_RETRIES: u32 = 5;
/// Pods one runtime keeps at once (a node's `maxPods` is 110; this bounds a misconfigured run).
const MAX_PODS: usize = 1_000;

#[derive(Debug)]
struct PodRuntime {
    specs: Vec<ContainerSpec>,
    containers: Vec<Container>,
    restart_policy: String,
    /// Status writes refused in a row, and when to try again.
    failures: u32,
    retry_at: Option<Time>,
    /// Being deleted: the kubelet stops the containers, nothing in them moves on.
    stopped: bool,
}

#[derive(Debug, Default)]
pub struct Runtime {
    pods: BTreeMap<String, PodRuntime>,
}

/// `format.Pod`: `name_namespace(uid)`, as kubelet messages name a pod.
pub fn pod_ref(pod: &Value) -> String {
    format!("{}_{}({})", name_of(pod), ns_of(pod), uid_of(pod))
}

/// True when the pod's phase is final: the kubelet has nothing more to run.
pub fn is_terminal(pod: &Value) -> bool {
    matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

impl Runtime {
    pub fn knows(&self, uid: &str) -> bool {
        self.pods.contains_key(uid)
    }

    /// Forgets pods that are gone (their logs go with them, as the kubelet removes the pod's
    /// log directory).
    pub fn retain(&mut self, live: &[&str]) {
        self.pods.retain(|uid, _| live.contains(&uid.as_str()));
    }

    /// The pod is being deleted: its containers are stopped, so no exit, restart or pull of
    /// theirs is due any more (a due timer nothing consumes would keep the kernel stepping).
    pub fn stop(&mut self, uid: &str) {
        if let Some(p) = self.pods.get_mut(uid) {
            p.stopped = true;
        }
    }

    /// Takes the pod on: its image pulls start now. Returns the events to record (`Pulling`).
    pub fn admit(&mut self, pod: &Value, now: Time) -> Vec<KubeletEvent> {
        if self.pods.len() >= MAX_PODS {
            return Vec::new();
        }
        let specs: Vec<ContainerSpec> = pod["spec"]["containers"].as_array().into_iter().flatten().map(|c| ContainerSpec::from_json(c, pod)).collect();
        let mut events = Vec::new();
        let containers = specs
            .iter()
            .map(|s| {
                let (c, e) = Container::new(s, now);
                events.push(e);
                c
            })
            .collect();
        let restart_policy = pod["spec"]["restartPolicy"].as_str().unwrap_or("Always").to_string();
        self.pods.insert(uid_of(pod).to_string(), PodRuntime { specs, containers, restart_policy, failures: 0, retry_at: None, stopped: false });
        events
    }

    /// Moves the pod's containers on to `ctx.now`, writes its status when it changed, and
    /// records the events of what happened.
    pub fn sync(&mut self, ctx: &mut Context, pod: &Value, user: &User, source: &Source, names: &mut EventNames) {
        let Some(run) = self.pods.get_mut(uid_of(pod)) else { return };
        let Some(pod_kind) = client::kind("v1", "Pod") else { return };
        let now = ctx.now;
        let pref = pod_ref(pod);
        let policy = run.restart_policy.clone();
        let restart = move |code: i32| policy == "Always" || (policy == "OnFailure" && code != 0);
        let mut events = Vec::new();
        for (c, spec) in run.containers.iter_mut().zip(run.specs.iter()) {
            c.advance(now, spec, name_of(pod), &pref, &restart, ctx.rng, &mut events);
        }
        let status = pod_status(pod, &run.containers, &run.restart_policy, &rfc3339(now));
        if status != pod["status"] && run.retry_at.is_none_or(|t| t <= now) && run.failures <= MAX_STATUS_RETRIES {
            let mut new = pod.clone();
            new["status"] = status;
            if client::update_status(ctx, user, pod_kind, &new) {
                run.failures = 0;
                run.retry_at = None;
            } else {
                run.failures += 1;
                run.retry_at = (run.failures <= MAX_STATUS_RETRIES).then(|| now.after(STATUS_RETRY));
            }
        }
        for (warning, reason, message) in events {
            client::event(ctx, names, user, source, pod, warning, reason, &message);
        }
    }

    /// The next instant a pod's start moves on (a pull finishing, a container being created) or
    /// a refused status write is retried.
    pub fn next_wake(&self) -> Option<Time> {
        let starts = self.pods.values().filter(|p| !p.stopped).flat_map(|p| p.containers.iter().filter_map(|c| c.next_due().filter(|(_, settles)| *settles).map(|(t, _)| t)));
        starts.chain(self.pods.values().filter(|p| !p.stopped).filter_map(|p| p.retry_at)).min()
    }

    /// The next instant something happens only because time passes.
    pub fn next_timer(&self) -> Option<Time> {
        self.pods.values().filter(|p| !p.stopped).flat_map(|p| p.containers.iter().filter_map(|c| c.next_due().filter(|(_, settles)| !*settles).map(|(t, _)| t))).min()
    }

    /// A container of a pod this runtime runs, for its log.
    pub fn container(&self, uid: &str, name: &str) -> Option<&Container> {
        self.pods.get(uid)?.containers.iter().find(|c| c.name == name)
    }
}

/// The pod's status as the kubelet's `generateAPIPodStatus` would write it now.
fn pod_status(pod: &Value, containers: &[Container], restart_policy: &str, now: &str) -> Value {
    let pref = pod_ref(pod);
    let mut status = pod["status"].clone();
    status["containerStatuses"] = json!(containers.iter().map(|c| c.status(&pref)).collect::<Vec<_>>());
    // `getPhase`: a container that never ran keeps the pod Pending; a running one makes it
    // Running; when every container has stopped, the restart policy decides.
    let waiting = containers.iter().any(Container::waiting_to_start);
    let running = containers.iter().any(Container::is_running);
    let finished: Vec<i32> = containers.iter().filter_map(Container::finished).collect();
    let all_stopped = !containers.is_empty() && finished.len() == containers.len();
    let phase = if waiting {
        "Pending"
    } else if running || !all_stopped {
        "Running"
    } else if finished.iter().all(|c| *c == 0) {
        "Succeeded"
    } else if restart_policy == "Always" {
        "Running"
    } else {
        "Failed"
    };
    status["phase"] = json!(phase);
    let terminal = matches!(phase, "Succeeded" | "Failed");
    let unready: Vec<&str> = containers.iter().filter(|c| !c.is_running()).map(|c| c.name.as_str()).collect();
    let ready: (bool, Option<&str>, Option<String>) = if terminal {
        (false, Some("PodCompleted"), None)
    } else if unready.is_empty() {
        (true, None, None)
    } else {
        (false, Some("ContainersNotReady"), Some(format!("containers with unready status: [{}]", unready.join(" "))))
    };
    if let Some(conds) = status["conditions"].as_array_mut() {
        for c in conds.iter_mut() {
            let want = match c["type"].as_str() {
                Some("Ready" | "ContainersReady") => ready.clone(),
                Some("PodReadyToStartContainers") => (!terminal, None, None),
                _ => continue,
            };
            let text = if want.0 { "True" } else { "False" };
            if c["status"] != text {
                c["status"] = json!(text);
                c["lastTransitionTime"] = json!(now);
            }
            if let Some(m) = c.as_object_mut() {
                m.remove("reason");
                m.remove("message");
                if let Some(r) = want.1 {
                    m.insert("reason".into(), json!(r));
                }
                if let Some(msg) = want.2 {
                    m.insert("message".into(), json!(msg));
                }
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    const BATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: batch\nspec:\n  replicas: 2\n  strategy:\n    type: Recreate\n  selector:\n    matchLabels: {app: batch}\n  template:\n    metadata:\n      labels: {app: batch}\n    spec:\n      containers:\n      - name: worker\n        image: busybox:1.36\n";

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
