//! The pod status the kubelet writes after each sync (`generateAPIPodStatus`): the init and app
//! container statuses, the phase (`getPhase`), and the Initialized, ContainersReady and Ready
//! conditions (`pkg/kubelet/status/generate.go`).
//!
//! A container the runtime has not created yet still has a status: waiting `ContainerCreating`,
//! or `PodInitializing` when the pod has init containers (`convertToAPIContainerStatuses`' default
//! state), which is what makes `kubectl get pods` print `Init:0/2` and then `PodInitializing`.
//!
//! ```text
//! init-a ──exit 0──► init-b ──exit 0──► app containers          Initialized False ─► True
//!  Init:0/2           Init:1/2           PodInitializing ─► Running
//! sidecar (restartPolicy: Always): started (startup probe passed) ─► the next init container;
//!  it runs on beside the app containers and counts in READY
//! ```

use super::container::{Container, ContainerSpec, Role};
use crate::sim::Time;
use serde_json::{json, Value};

/// One list of containers as the runtime holds it: the spec of each, and the containers created
/// so far (a prefix, in order).
pub struct Containers<'a> {
    pub specs: &'a [ContainerSpec],
    pub created: &'a [Container],
}

/// The pod's containers and what decides their statuses.
pub struct PodView<'a> {
    pub inits: Containers<'a>,
    pub apps: Containers<'a>,
    pub restart_policy: &'a str,
    /// When the kubelet took the pod on: the prober's ticks count from there.
    pub admitted: Time,
    pub now: Time,
    /// Each app container's `started` and `ready` as its probes have it (`prober.rs`), in order;
    /// a container not listed has no probes.
    pub app_probes: &'a [(bool, bool)],
}

/// When a sidecar that started running at `started` passes its startup probe: the prober's first
/// tick (every `periodSeconds` from the pod's admission) at least `initialDelaySeconds` after the
/// start; at once without a probe. A sidecar's startup probe is taken to succeed at its first try
/// (the app containers' probes are run against the simulated application, `prober.rs`).
pub fn startup_passes_at(spec: &ContainerSpec, admitted: Time, started: Time) -> Time {
    let Some((delay_s, period_s)) = spec.startup_probe else { return started };
    let earliest = started.as_ms().saturating_add(delay_s.saturating_mul(1000));
    let period_ms = period_s.saturating_mul(1000).max(1000);
    let since = earliest.saturating_sub(admitted.as_ms());
    Time(admitted.as_ms().saturating_add(since.div_ceil(period_ms).max(1).saturating_mul(period_ms)))
}

impl PodView<'_> {
    /// Whether the sidecar `c` has started (running, startup probe passed).
    pub fn sidecar_started(&self, spec: &ContainerSpec, c: &Container) -> bool {
        c.running_since().is_some_and(|t| startup_passes_at(spec, self.admitted, t) <= self.now)
    }

    fn role(&self, spec: &ContainerSpec, c: &Container) -> Role {
        if spec.restartable {
            Role::Sidecar { started: self.sidecar_started(spec, c) }
        } else {
            Role::Init
        }
    }

    /// The statuses of one list, created or not yet.
    fn statuses(&self, list: &Containers, init: bool, pod_ref: &str) -> Vec<Value> {
        let default_reason = if self.inits.specs.is_empty() { "ContainerCreating" } else { "PodInitializing" };
        list.specs
            .iter()
            .enumerate()
            .map(|(i, spec)| match list.created.get(i) {
                Some(c) => {
                    let (started, ready) = self.app_probes.get(i).copied().unwrap_or((true, true));
                    c.status(pod_ref, if init { self.role(spec, c) } else { Role::App { started, ready } }, default_reason)
                }
                None => json!({
                    "name": spec.name, "image": spec.image, "imageID": "", "lastState": {}, "ready": false,
                    "restartCount": 0, "started": false, "state": {"waiting": {"reason": default_reason}},
                }),
            })
            .collect()
    }

    /// `getPhase`.
    fn phase(&self) -> &'static str {
        let (mut pending_init, mut pending_sidecars, mut failed_init) = (0, 0, 0);
        let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
        let initialized_before = !self.apps.created.is_empty();
        for (i, spec) in self.inits.specs.iter().enumerate() {
            let c = self.inits.created.get(i);
            let last_code = c.and_then(|c| c.last.as_ref()).map(|t| t.code);
            if spec.restartable {
                match c {
                    Some(c) if c.is_running() => {
                        pending_sidecars += usize::from(!self.sidecar_started(spec, c));
                        running += 1;
                    }
                    Some(c) if c.terminated().is_some() || last_code.is_some() => {}
                    _ => {
                        pending_sidecars += 1;
                        waiting += 1;
                    }
                }
                continue;
            }
            match c {
                Some(c) if c.is_running() => pending_init += 1,
                Some(c) => match (c.terminated(), last_code) {
                    (Some(code), _) => failed_init += usize::from(code != 0),
                    (None, Some(code)) => failed_init += usize::from(code != 0),
                    (None, None) => pending_init += 1,
                },
                None => pending_init += 1,
            }
        }
        for (i, _) in self.apps.specs.iter().enumerate() {
            match self.apps.created.get(i) {
                Some(c) if c.is_running() => running += 1,
                Some(c) => match (c.terminated(), c.last.as_ref()) {
                    (Some(code), _) => {
                        stopped += 1;
                        succeeded += usize::from(code == 0);
                    }
                    (None, Some(_)) => stopped += 1,
                    (None, None) => waiting += 1,
                },
                None => waiting += 1,
            }
        }
        if failed_init > 0 && self.restart_policy == "Never" {
            return "Failed";
        }
        if pending_init > 0 || (pending_sidecars > 0 && !initialized_before) || waiting > 0 {
            return "Pending";
        }
        if running > 0 {
            return "Running";
        }
        if stopped > 0 {
            return match self.restart_policy {
                "Always" => "Running",
                _ if stopped == succeeded => "Succeeded",
                "Never" => "Failed",
                _ => "Running",
            };
        }
        "Pending"
    }

    /// The status the kubelet writes now, starting from the pod's current one.
    pub fn pod_status(&self, pod: &Value, pod_ref: &str, now: &str) -> Value {
        let mut status = pod["status"].clone();
        if !self.inits.specs.is_empty() {
            status["initContainerStatuses"] = json!(self.statuses(&self.inits, true, pod_ref));
        }
        status["containerStatuses"] = json!(self.statuses(&self.apps, false, pod_ref));
        let phase = self.phase();
        status["phase"] = json!(phase);
        let terminal = match phase {
            "Succeeded" => Some("PodCompleted"),
            "Failed" => Some("PodFailed"),
            _ => None,
        };
        // GeneratePodInitializedCondition: regular init containers not done, sidecars not started.
        let incomplete: Vec<&str> = self
            .inits
            .specs
            .iter()
            .enumerate()
            .filter(|(i, spec)| match self.inits.created.get(*i) {
                Some(c) if spec.restartable => !self.sidecar_started(spec, c),
                Some(c) => c.succeeded_at().is_none(),
                None => true,
            })
            .map(|(_, s)| s.name.as_str())
            .collect();
        let initialized: Cond = if phase == "Succeeded" {
            (true, Some("PodCompleted"), None)
        } else if incomplete.is_empty() || !self.apps.created.is_empty() {
            (true, None, None)
        } else {
            (false, Some("ContainersNotInitialized"), Some(format!("containers with incomplete status: [{}]", incomplete.join(" "))))
        };
        // GenerateContainersReadyCondition: the sidecars, then the app containers.
        let statuses = |key: &str| status[key].as_array().cloned().unwrap_or_default();
        let sidecar_names: Vec<&str> = self.inits.specs.iter().filter(|s| s.restartable).map(|s| s.name.as_str()).collect();
        let unready: Vec<String> = statuses("initContainerStatuses")
            .iter()
            .filter(|s| s["name"].as_str().is_some_and(|n| sidecar_names.contains(&n)))
            .chain(statuses("containerStatuses").iter())
            .filter(|s| s["ready"] != true)
            .filter_map(|s| s["name"].as_str().map(str::to_string))
            .collect();
        let ready: Cond = match terminal {
            Some(reason) => (false, Some(reason), None),
            None if unready.is_empty() => (true, None, None),
            None => (false, Some("ContainersNotReady"), Some(format!("containers with unready status: [{}]", unready.join(" ")))),
        };
        if let Some(conds) = status["conditions"].as_array_mut() {
            for c in conds.iter_mut() {
                let want = match c["type"].as_str() {
                    Some("Ready" | "ContainersReady") => ready.clone(),
                    Some("Initialized") => initialized.clone(),
                    Some("PodReadyToStartContainers") => (terminal.is_none(), None, None),
                    _ => continue,
                };
                set_condition(c, want, now);
            }
        }
        stamp_observed_generation(&mut status, pod["metadata"]["generation"].as_i64().unwrap_or(0));
        status
    }
}

/// The conditions the kubelet writes itself (`kubetypes.PodConditionsByKubelet`); others it
/// copies as they are.
const KUBELET_CONDITIONS: [&str; 5] = ["PodScheduled", "Ready", "Initialized", "ContainersReady", "PodReadyToStartContainers"];

/// PodObservedGenerationTracking (on by default since 1.34): the kubelet reports the
/// generation of the pod it synced as `status.observedGeneration` and on each of its
/// conditions (`CalculatePodStatusObservedGeneration`, `CalculatePodConditionObservedGeneration`).
/// A pod without a generation (stored with `etcdctl put`) gets none: Go omits a zero.
fn stamp_observed_generation(status: &mut Value, generation: i64) {
    let set = |v: &mut Value| {
        if let Some(m) = v.as_object_mut() {
            if generation == 0 {
                m.remove("observedGeneration");
            } else {
                m.insert("observedGeneration".into(), json!(generation));
            }
        }
    };
    set(status);
    for c in status.get_mut("conditions").and_then(Value::as_array_mut).into_iter().flatten() {
        if c["type"].as_str().is_some_and(|t| KUBELET_CONDITIONS.contains(&t)) {
            set(c);
        }
    }
}

/// The status of a pod none of whose containers exists yet (the sandbox just started, or its
/// volumes are not mounted): every status waiting, Initialized False while it has init containers.
pub fn not_started(pod: &Value, now_text: &str, now: Time) -> Value {
    let list = |key: &str| pod["spec"][key].as_array().into_iter().flatten().map(|c| ContainerSpec::from_json(c, pod)).collect::<Vec<_>>();
    let (inits, apps) = (list("initContainers"), list("containers"));
    let view = PodView { inits: Containers { specs: &inits, created: &[] }, apps: Containers { specs: &apps, created: &[] }, restart_policy: "Always", admitted: now, now, app_probes: &[] };
    view.pod_status(pod, &super::pod_ref(pod), now_text)
}

/// A condition's status, reason and message.
type Cond = (bool, Option<&'static str>, Option<String>);

/// Sets a condition, moving its `lastTransitionTime` only when the status flips.
pub fn set_condition(c: &mut Value, (ok, reason, message): Cond, now: &str) {
    let text = if ok { "True" } else { "False" };
    if c["status"] != text {
        c["status"] = json!(text);
        c["lastTransitionTime"] = json!(now);
    }
    if let Some(m) = c.as_object_mut() {
        m.remove("reason");
        m.remove("message");
        if let Some(r) = reason {
            m.insert("reason".into(), json!(r));
        }
        if let Some(msg) = message {
            m.insert("message".into(), json!(msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, probe: Option<(u64, u64)>) -> ContainerSpec {
        ContainerSpec { name: name.into(), image: "busybox".into(), restartable: true, startup_probe: probe, ..ContainerSpec::default() }
    }

    #[test]
    fn a_startup_probe_passes_at_the_first_tick_after_its_delay() {
        // Admitted at 0, running from 3 s: ticks every 10 s from admission, so 10 s.
        assert_eq!(startup_passes_at(&spec("s", Some((0, 10))), Time(0), Time(3_000)), Time(10_000));
        // initialDelaySeconds 15: not before 18 s, so the tick at 20 s.
        assert_eq!(startup_passes_at(&spec("s", Some((15, 10))), Time(0), Time(3_000)), Time(20_000));
        assert_eq!(startup_passes_at(&spec("s", None), Time(0), Time(3_000)), Time(3_000));
    }
}
