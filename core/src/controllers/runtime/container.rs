//! One container's life in the simulated container runtime, as the kubelet's `SyncPod` drives it:
//! pull the image (or fail and back off: `ErrImagePull`, then `ImagePullBackOff`, 10 s doubling
//! to 5 min), create and start it, let its process run and exit, and restart it as the pod's
//! `restartPolicy` says, the second restart onwards after a crash back-off (`CrashLoopBackOff`,
//! 10 s doubling to 5 min, forgotten after 10 min of running) as the kubelet's `doBackOff` does.
//!
//! A container whose env refers to a ConfigMap or Secret that is missing is pulled but not
//! created: it waits in `CreateContainerConfigError` and the pod worker tries again every 10 s
//! (`backOffPeriod`), the image then "already present on machine".
//!
//! Every transition happens at a virtual instant and yields the kubelet events it would record.

use super::files::Files;
use super::images::{self, ImageRef};
use super::logs::LogBuffer;
use super::process::{self, End, Launch};
pub use super::spec::ContainerSpec;
use crate::apiserver::rfc3339;
use crate::sim::{Duration, Rng, Time};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const IMAGE_PULL: Duration = Duration::from_secs(2);
/// Resolving a reference that does not exist fails fast.
const IMAGE_PULL_FAILURE: Duration = Duration::from_secs(1);
pub const CONTAINER_START: Duration = Duration::from_secs(1);
/// The next pod sync after a change the PLEG reports (its relist period is 1 s).
const PLEG_RELIST: Duration = Duration::from_secs(1);
/// `MaxContainerBackOff` and the initial back-off, for image pulls and crash loops alike.
const BACKOFF_INITIAL_MS: u64 = 10_000;
const BACKOFF_MAX_MS: u64 = 300_000;
/// The pod worker's retry after a failed sync (`backOffPeriod`), as for a config error.
const SYNC_RETRY: Duration = Duration::from_secs(10);

/// A finished run of the container.
#[derive(Clone, Debug)]
pub struct Term {
    pub id: String,
    pub started: Time,
    pub finished: Time,
    pub code: i32,
}

impl Term {
    fn reason(&self) -> &'static str {
        if self.code == 0 {
            "Completed"
        } else {
            "Error"
        }
    }

    fn json(&self) -> Value {
        json!({"containerID": self.id, "exitCode": self.code, "finishedAt": rfc3339(self.finished), "reason": self.reason(), "startedAt": rfc3339(self.started)})
    }
}

#[derive(Clone, Debug)]
pub enum State {
    /// Pulling the image until the instant given.
    Pulling(Time),
    /// The pull failed: `ErrImagePull` until `backoff_shown`, then `ImagePullBackOff` until the retry.
    PullFailed { message: String, backoff_shown: Time, shown: bool, retry: Time },
    /// The image is present; created and started at the instant given.
    Creating(Time),
    Running { id: String, started: Time, exits: Option<(Time, i32)> },
    /// Exited; restarted at `restart` when the restart policy says so.
    Terminated { term: Term, restart: Option<Time> },
    /// `CrashLoopBackOff` until the instant given.
    BackOff { until: Time, backoff_ms: u64 },
    /// `CreateContainerConfigError`: the env refers to something missing; tried again at `retry`.
    ConfigError { message: String, retry: Time },
}

/// What the kubelet does about a container, and its records.
#[derive(Clone, Debug)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub state: State,
    pub restart_count: u32,
    pub last: Option<Term>,
    pull_backoff_ms: u64,
    /// The crash back-off (`backOff.Get`) and when it was last moved (`lastUpdate`).
    crash_backoff: Option<(u64, Time)>,
    pub logs: LogBuffer,
    pub previous: Option<LogBuffer>,
    /// The current run's filesystem timeline, which exec probes read.
    pub files: Files,
    /// The current run's environment, as it was created with (what `kubectl exec -- env` shows).
    pub env: BTreeMap<String, String>,
    /// The current run is being killed for a failed liveness or startup probe: its exit counts
    /// as a failure for the restart policy whatever its code.
    killed: bool,
    /// The container's definition changed (a new image): once this run is over the next one
    /// starts at once from the new spec, whatever the restart policy and the back-off, and its
    /// image is on the node (`true`) or is pulled.
    redefined: Option<bool>,
}

/// An event the kubelet records about the pod: warning?, reason, message.
pub type KubeletEvent = (bool, &'static str, String);

/// What the kubelet knows when it moves a container on: the pod, its restart policy, the env
/// the container would be created with now (or why it cannot be), the RNG, and where events go.
pub struct SyncCtx<'a> {
    pub hostname: &'a str,
    pub pod_ref: &'a str,
    /// Whether an exit with this code is followed by a restart.
    pub restart: &'a dyn Fn(i32) -> bool,
    /// `makeEnvironmentVariables`' result: the env, or the error that keeps the container from
    /// being created (`configmap "x" not found`).
    pub env: &'a Result<BTreeMap<String, String>, String>,
    pub rng: &'a mut Rng,
    pub out: &'a mut Vec<KubeletEvent>,
}

/// Which list a container is in, which decides its `started` and `ready` (the prober manager's
/// `UpdatePodStatus`): an app container is started while it runs once its startup probe passed
/// and ready once its readiness probe passed too (`prober.rs`); an init container is started while
/// it runs and ready once it exited 0; a sidecar (an init container with `restartPolicy: Always`)
/// is started once its startup probe passed, and then ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    App { started: bool, ready: bool },
    Init,
    Sidecar { started: bool },
}

/// Go's `time.Duration.String()` for whole seconds: `10s`, `1m20s`, `5m0s`.
pub fn go_duration(ms: u64) -> String {
    let s = ms / 1000;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{}h{}m{}s", s / 3600, s % 3600 / 60, s % 60)
    }
}

impl Container {
    /// Admitted at `now`: `EnsureImageExists` either finds the image on the node (`present`,
    /// and the policy is not `Always`) and the container is created at once, or starts a pull.
    pub fn new(spec: &ContainerSpec, now: Time, present: bool) -> (Self, KubeletEvent) {
        let (state, event) = if present && !spec.pull_always {
            (State::Creating(now.after(CONTAINER_START)), (false, "Pulled", format!("Container image {:?} already present on machine and can be accessed by the pod", spec.image)))
        } else {
            let until = now.after(if images::pull_error(&spec.image).is_some() { IMAGE_PULL_FAILURE } else { IMAGE_PULL });
            (State::Pulling(until), (false, "Pulling", format!("Pulling image {:?}", spec.image)))
        };
        let c = Container {
            name: spec.name.clone(),
            image: spec.image.clone(),
            state,
            restart_count: 0,
            last: None,
            pull_backoff_ms: 0,
            crash_backoff: None,
            logs: LogBuffer::default(),
            previous: None,
            files: Files::default(),
            env: BTreeMap::new(),
            killed: false,
            redefined: None,
        };
        (c, event)
    }

    /// When the next transition is due, and whether it settles the pod's start (pull, create)
    /// or only comes with the passage of time (an exit, a back-off, a retry).
    pub fn next_due(&self) -> Option<(Time, bool)> {
        match &self.state {
            State::Pulling(t) | State::Creating(t) => Some((*t, true)),
            State::PullFailed { backoff_shown, shown, retry, .. } => Some((if *shown { *retry } else { *backoff_shown }, false)),
            State::Running { exits, .. } => exits.map(|(t, _)| (t, false)),
            State::Terminated { restart, .. } => restart.map(|t| (t, false)),
            State::BackOff { until, .. } => Some((*until, false)),
            State::ConfigError { retry, .. } => Some((*retry, false)),
        }
    }

    /// Takes every transition due by `now`.
    pub fn advance(&mut self, now: Time, spec: &ContainerSpec, s: &mut SyncCtx) {
        // Each pass takes one transition; a bound keeps a malformed state from spinning.
        for _ in 0..16 {
            let Some((due, _)) = self.next_due() else { return };
            if due > now {
                return;
            }
            self.transition(due, spec, s);
        }
    }

    fn transition(&mut self, at: Time, spec: &ContainerSpec, s: &mut SyncCtx) {
        let state = std::mem::replace(&mut self.state, State::Creating(at));
        let out = &mut *s.out;
        self.state = match state {
            State::Pulling(_) => match images::pull_error(&self.image) {
                Some(err) => {
                    out.push((true, "Failed", format!("Failed to pull image {:?}: {err}", self.image)));
                    out.push((true, "Failed", "Error: ErrImagePull".into()));
                    self.pull_backoff_ms = if self.pull_backoff_ms == 0 { BACKOFF_INITIAL_MS } else { (self.pull_backoff_ms * 2).min(BACKOFF_MAX_MS) };
                    State::PullFailed { message: err, backoff_shown: at.after(PLEG_RELIST), shown: false, retry: at.after(Duration::from_ms(self.pull_backoff_ms)) }
                }
                None => {
                    let secs = IMAGE_PULL.0 / 1000;
                    out.push((false, "Pulled", format!("Successfully pulled image {:?} in {secs}s ({secs}s including waiting). Image size: {} bytes.", self.image, images::size_bytes(&self.image))));
                    State::Creating(at.after(CONTAINER_START))
                }
            },
            State::PullFailed { message, retry, shown: false, .. } => {
                out.push((false, "BackOff", format!("Back-off pulling image {:?}", self.image)));
                out.push((true, "Failed", "Error: ImagePullBackOff".into()));
                State::PullFailed { message, backoff_shown: at, shown: true, retry }
            }
            State::PullFailed { .. } => {
                out.push((false, "Pulling", format!("Pulling image {:?}", self.image)));
                State::Pulling(at.after(IMAGE_PULL_FAILURE))
            }
            State::Creating(_) => self.create(at, spec, s),
            State::ConfigError { .. } => {
                out.push((false, "Pulled", format!("Container image {:?} already present on machine and can be accessed by the pod", self.image)));
                self.create(at, spec, s)
            }
            State::Running { id, started, exits } => {
                let code = exits.map_or(0, |(_, c)| c);
                let term = Term { id, started, finished: at, code };
                // The lines written so far are all there is (a killed loop writes no more).
                self.logs.truncate_after(at);
                let failed = if std::mem::take(&mut self.killed) && code == 0 { 1 } else { code };
                let restart_at = if self.redefined.is_some() {
                    // `SyncPod` kills it and starts the new one in the same sync.
                    Some(at)
                } else if (s.restart)(failed) {
                    Some(at.after(PLEG_RELIST))
                } else {
                    None
                };
                State::Terminated { term, restart: restart_at }
            }
            State::Terminated { term, restart: Some(_) } if self.redefined.is_some() => self.start_redefined(at, &term, spec, s),
            State::Terminated { term, restart: Some(_) } => {
                // `doBackOff`: in back-off while less than the back-off has passed since the exit.
                let in_backoff = self.crash_backoff.filter(|(_, last)| term.finished.as_ms().saturating_sub(last.as_ms()) <= 2 * BACKOFF_MAX_MS).filter(|(b, _)| at.as_ms() - term.finished.as_ms() < *b);
                self.last = Some(term.clone());
                match in_backoff {
                    Some((backoff_ms, _)) => {
                        out.push((true, "BackOff", format!("Back-off restarting failed container {} in pod {}", self.name, s.pod_ref)));
                        State::BackOff { until: term.finished.after(Duration::from_ms(backoff_ms)), backoff_ms }
                    }
                    None => self.restart(at, &term, spec, s),
                }
            }
            done @ State::Terminated { restart: None, .. } => done,
            State::BackOff { .. } => {
                let term = self.last.clone().unwrap_or(Term { id: String::new(), started: at, finished: at, code: 0 });
                self.restart(at, &term, spec, s)
            }
        };
    }

    /// The container's spec changed (`containerChanged`): a running one is killed as for a
    /// failed probe (`Killing`), and started again from `spec` as soon as it has exited; one
    /// waiting for its back-off starts again now (a new definition has a back-off key of its
    /// own), and one not created yet is pulled or created anew. Returns the events to record.
    pub fn redefine(&mut self, at: Time, spec: &ContainerSpec, present: bool, grace: Duration, on_sigterm: Option<i32>) -> Vec<KubeletEvent> {
        self.redefined = Some(present);
        match &self.state {
            State::Running { .. } => {
                self.kill_for_probe(at, grace, on_sigterm);
                vec![(false, "Killing", format!("Container {} definition changed, will be restarted", self.name))]
            }
            // Done for good: no restart policy brings it back.
            State::Terminated { restart: None, .. } => {
                self.redefined = None;
                Vec::new()
            }
            State::Terminated { term, .. } => {
                let term = term.clone();
                self.state = State::Terminated { term, restart: Some(at) };
                Vec::new()
            }
            State::BackOff { .. } => {
                let term = self.last.clone().unwrap_or(Term { id: String::new(), started: at, finished: at, code: 0 });
                self.state = State::Terminated { term, restart: Some(at) };
                Vec::new()
            }
            State::Pulling(_) | State::PullFailed { .. } | State::Creating(_) | State::ConfigError { .. } => {
                self.redefined = None;
                let (fresh, event) = Container::new(spec, at, present);
                self.image = fresh.image;
                self.state = fresh.state;
                self.pull_backoff_ms = 0;
                vec![event]
            }
        }
    }

    /// The first run of a redefined container: its image pulled or found, the restart counted.
    fn start_redefined(&mut self, at: Time, term: &Term, spec: &ContainerSpec, s: &mut SyncCtx) -> State {
        let present = self.redefined.take().unwrap_or(false);
        self.crash_backoff = None;
        self.last = Some(term.clone());
        self.restart_count += 1;
        self.previous = Some(std::mem::take(&mut self.logs));
        self.pull_backoff_ms = 0;
        let (fresh, event) = Container::new(spec, at, present);
        self.image = fresh.image;
        s.out.push(event);
        fresh.state
    }

    /// `backOff.Next(key, finishedAt)` and a new instance of the container.
    fn restart(&mut self, at: Time, term: &Term, spec: &ContainerSpec, s: &mut SyncCtx) -> State {
        let next = match self.crash_backoff {
            Some((b, last)) if term.finished.as_ms().saturating_sub(last.as_ms()) <= 2 * BACKOFF_MAX_MS => (b * 2).min(BACKOFF_MAX_MS),
            _ => BACKOFF_INITIAL_MS,
        };
        self.crash_backoff = Some((next, term.finished));
        self.last = Some(term.clone());
        self.restart_count += 1;
        self.previous = Some(std::mem::take(&mut self.logs));
        // `EnsureImageExists` again: the image is there, so no pull (`IfNotPresent`).
        s.out.push((false, "Pulled", format!("Container image {:?} already present on machine and can be accessed by the pod", self.image)));
        self.create(at, spec, s)
    }

    /// `generateContainerConfig` first: a missing ConfigMap or Secret stops the start there.
    fn create(&mut self, at: Time, spec: &ContainerSpec, s: &mut SyncCtx) -> State {
        match s.env {
            Err(message) => {
                s.out.push((true, "Failed", format!("Error: {message}")));
                State::ConfigError { message: message.clone(), retry: at.after(SYNC_RETRY) }
            }
            Ok(env) => self.start(at, spec, env, s),
        }
    }

    /// Created and started: a container ID, the process, its log.
    fn start(&mut self, at: Time, spec: &ContainerSpec, env: &BTreeMap<String, String>, s: &mut SyncCtx) -> State {
        let rng = &mut *s.rng;
        let out = &mut *s.out;
        let id = format!("containerd://{:016x}{:016x}{:016x}{:016x}", rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64());
        let program = process::launch(&Launch { image: &spec.image, command: &spec.command, args: &spec.args, env, hostname: s.hostname, started: at });
        for (offset, line) in program.lines {
            self.logs.push(at.after(Duration::from_ms(offset)), line);
        }
        self.files = program.files;
        self.env = env.clone();
        out.push((false, "Created", "Container created".into()));
        out.push((false, "Started", "Container started".into()));
        let exits = match program.end {
            End::Runs => None,
            End::Exits { after_ms, code } => Some((at.after(Duration::from_ms(after_ms)), code)),
        };
        State::Running { id, started: at, exits }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, State::Running { .. })
    }

    /// Terminated with no restart to come.
    pub fn finished(&self) -> Option<i32> {
        match &self.state {
            State::Terminated { term, restart: None } => Some(term.code),
            _ => None,
        }
    }

    /// Never ran yet (pulling, creating, failing to pull or to create).
    pub fn waiting_to_start(&self) -> bool {
        matches!(self.state, State::Pulling(_) | State::Creating(_) | State::PullFailed { .. } | State::ConfigError { .. }) && self.last.is_none()
    }

    /// When the current run started, while it runs.
    pub fn running_since(&self) -> Option<Time> {
        match &self.state {
            State::Running { started, .. } => Some(*started),
            _ => None,
        }
    }

    /// The exit code while it is terminated (whether or not a restart is coming).
    pub fn terminated(&self) -> Option<i32> {
        match &self.state {
            State::Terminated { term, .. } => Some(term.code),
            _ => None,
        }
    }

    /// Whether its image has been pulled (it got past pulling once).
    pub fn image_present(&self) -> bool {
        !matches!(self.state, State::Pulling(_) | State::PullFailed { .. }) || self.last.is_some()
    }

    /// When it exited 0 for good (an init container done).
    pub fn succeeded_at(&self) -> Option<Time> {
        match &self.state {
            State::Terminated { term, restart: None } if term.code == 0 => Some(term.finished),
            _ => None,
        }
    }

    /// The kubelet stops it for good at `at` (a sidecar once the app containers are done): it
    /// exits with `code` and is not restarted.
    pub fn kill(&mut self, at: Time, code: i32) {
        let term = match &self.state {
            State::Running { id, started, .. } => Term { id: id.clone(), started: *started, finished: at, code },
            _ => return,
        };
        self.logs.truncate_after(at);
        self.state = State::Terminated { term, restart: None };
    }

    /// The kubelet kills the running container at `at` because a probe failed (`killContainer`):
    /// SIGTERM, which the process answers by exiting with `on_sigterm`'s code at once, or ignores
    /// (`None`, a shell as PID 1) until SIGKILL when `grace` is over (exit code 137).
    pub fn kill_for_probe(&mut self, at: Time, grace: Duration, on_sigterm: Option<i32>) {
        if let State::Running { exits, .. } = &mut self.state {
            let kill = match on_sigterm {
                Some(code) => (at, code),
                None => (at.after(grace), 137),
            };
            // A process that exits by itself first exits as it would have.
            if exits.is_none_or(|(t, _)| t > kill.0) {
                *exits = Some(kill);
            }
            self.killed = true;
        }
    }

    /// The container's entry in `status.containerStatuses` (or `initContainerStatuses`). Until the
    /// runtime has created it, it shows `default_waiting`: `ContainerCreating`, or
    /// `PodInitializing` in a pod with init containers.
    pub fn status(&self, pod_ref: &str, role: Role, default_waiting: &str) -> Value {
        let r = ImageRef::parse(&self.image);
        let image_id = images::image_id(&self.image);
        let last = self.last.as_ref().map_or(json!({}), |t| json!({"terminated": t.json()}));
        let waiting = |reason: &str, message: Option<String>| {
            let mut w = json!({"reason": reason});
            if let Some(m) = message {
                w["message"] = json!(m);
            }
            w
        };
        let (state, ready, id) = match &self.state {
            State::Pulling(_) | State::Creating(_) => (json!({"waiting": waiting(default_waiting, None)}), false, None),
            State::PullFailed { message, shown: false, .. } => (json!({"waiting": waiting("ErrImagePull", Some(message.clone()))}), false, None),
            State::PullFailed { shown: true, .. } => (json!({"waiting": waiting("ImagePullBackOff", Some(format!("Back-off pulling image {:?}", self.image)))}), false, None),
            State::Running { id, started, .. } => (json!({"running": {"startedAt": rfc3339(*started)}}), true, Some(id.clone())),
            State::Terminated { term, .. } => (json!({"terminated": term.json()}), false, Some(term.id.clone())),
            State::BackOff { backoff_ms, .. } => {
                let msg = format!("back-off {} restarting failed container={} pod={pod_ref}", go_duration(*backoff_ms), self.name);
                (json!({"waiting": waiting("CrashLoopBackOff", Some(msg))}), false, self.last.as_ref().map(|t| t.id.clone()))
            }
            State::ConfigError { message, .. } => (json!({"waiting": waiting("CreateContainerConfigError", Some(message.clone()))}), false, None),
        };
        let running = ready;
        let (started, ready) = match role {
            Role::App { started, ready } => (running && started, running && started && ready),
            Role::Init => (running, self.succeeded_at().is_some()),
            Role::Sidecar { started } => (running && started, running && started),
        };
        let ran = id.is_some() || self.last.is_some();
        let mut s = json!({
            "name": self.name,
            "image": if ran { r.full() } else { self.image.clone() },
            "imageID": if ran { image_id } else { String::new() },
            "lastState": last, "ready": ready, "restartCount": self.restart_count, "started": started, "state": state,
        });
        if let Some(id) = id {
            s["containerID"] = json!(id);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(image: &str, script: &str) -> ContainerSpec {
        let command = if script.is_empty() { vec![] } else { vec!["sh".into(), "-c".into(), script.into()] };
        ContainerSpec { name: "app".into(), image: image.into(), command, ..ContainerSpec::default() }
    }

    /// Runs the container to `until`, returning (instant, waiting or terminated reason) at each change.
    fn timeline(s: &ContainerSpec, always: bool, until_s: u64) -> Vec<(u64, String, u32)> {
        let mut rng = Rng::new(1);
        let (mut c, _) = Container::new(s, Time(0), false);
        let mut seen = Vec::new();
        let restart = move |code: i32| always || code != 0;
        let mut now = Time(0);
        while now.as_ms() <= until_s * 1000 {
            let mut out = Vec::new();
            let env = Ok(BTreeMap::new());
            c.advance(now, s, &mut SyncCtx { hostname: "p", pod_ref: "p_default(u)", restart: &restart, env: &env, rng: &mut rng, out: &mut out });
            let st = c.status("p_default(u)", Role::App { started: true, ready: true }, "ContainerCreating");
            let reason = ["waiting", "terminated"].iter().find_map(|k| st["state"][k]["reason"].as_str()).unwrap_or("Running").to_string();
            if seen.last().map(|(_, r, n): &(u64, String, u32)| (r.clone(), *n)) != Some((reason.clone(), c.restart_count)) {
                seen.push((now.as_ms() / 1000, reason, c.restart_count));
            }
            now = now.after(Duration::from_secs(1));
        }
        seen
    }

    #[test]
    fn a_crashing_container_backs_off_10s_doubling() {
        let t = timeline(&spec("busybox", "exit 1"), true, 80);
        let expect: Vec<(u64, &str, u32)> = vec![
            (0, "ContainerCreating", 0),
            (3, "Running", 0),
            (4, "Error", 0),
            (5, "Running", 1),
            (6, "Error", 1),
            (7, "CrashLoopBackOff", 1),
            (16, "Running", 2),
            (17, "Error", 2),
            (18, "CrashLoopBackOff", 2),
            (37, "Running", 3),
            (38, "Error", 3),
            (39, "CrashLoopBackOff", 3),
            (78, "Running", 4),
            (79, "Error", 4),
            (80, "CrashLoopBackOff", 4),
        ];
        assert_eq!(t, expect.into_iter().map(|(a, b, c)| (a, b.to_string(), c)).collect::<Vec<_>>());
    }

    /// `containerChanged`: a running container is killed and started from its new image as soon
    /// as it has exited (whatever the policy), counted as a restart; a crash-looping one starts
    /// at once, without its back-off; one that never ran pulls the new image with no restart.
    #[test]
    fn a_new_image_restarts_the_container_from_it() {
        let mut rng = Rng::new(1);
        let env = Ok(BTreeMap::new());
        let never = |_: i32| false;
        let mut step = |c: &mut Container, at: u64, s: &ContainerSpec| {
            let mut out = Vec::new();
            c.advance(Time(at * 1000), s, &mut SyncCtx { hostname: "p", pod_ref: "p", restart: &never, env: &env, rng: &mut rng, out: &mut out });
            out.into_iter().map(|(_, reason, _)| reason).collect::<Vec<_>>()
        };
        let (old, new) = (spec("nginx:1.27", ""), spec("nginx:1.28", ""));
        let (mut c, _) = Container::new(&old, Time(0), true);
        step(&mut c, 5, &old);
        assert!(c.is_running());
        let events = c.redefine(Time(5_000), &new, false, Duration::from_secs(30), Some(0));
        assert_eq!(events.iter().map(|e| e.2.as_str()).collect::<Vec<_>>(), ["Container app definition changed, will be restarted"]);
        assert_eq!(step(&mut c, 5, &new), ["Pulling"]);
        assert_eq!((c.image.as_str(), c.restart_count, c.last.as_ref().map(|t| t.code)), ("nginx:1.28", 1, Some(0)));
        assert_eq!(step(&mut c, 10, &new), ["Pulled", "Created", "Started"]);
        // A shell as PID 1 ignores SIGTERM: the new run waits for the grace period.
        let (sleeper, next) = (spec("busybox", "sleep 3600"), spec("busybox:1.36", "sleep 3600"));
        let (mut c, _) = Container::new(&sleeper, Time(0), true);
        step(&mut c, 5, &sleeper);
        c.redefine(Time(5_000), &next, true, Duration::from_secs(30), None);
        assert!(step(&mut c, 34, &next).is_empty() && c.is_running());
        assert_eq!(step(&mut c, 36, &next), ["Pulled", "Created", "Started"]);
        assert_eq!((c.restart_count, c.last.as_ref().map(|t| t.code)), (1, Some(137)));
        // Never ran: the new image is pulled now, no restart counted.
        let (mut c, _) = Container::new(&spec("ngnix", ""), Time(0), false);
        step(&mut c, 20, &spec("ngnix", ""));
        let events = c.redefine(Time(20_000), &old, false, Duration::from_secs(30), Some(0));
        assert_eq!(events.iter().map(|e| e.1).collect::<Vec<_>>(), ["Pulling"]);
        step(&mut c, 25, &old);
        assert_eq!((c.is_running(), c.restart_count), (true, 0));
        // Finished for good under Never: nothing restarts it.
        let (mut c, _) = Container::new(&spec("busybox", "exit 0"), Time(0), true);
        step(&mut c, 10, &spec("busybox", "exit 0"));
        assert!(c.redefine(Time(10_000), &spec("busybox:1.36", "exit 0"), true, Duration::from_secs(30), Some(0)).is_empty());
        assert!(step(&mut c, 20, &spec("busybox:1.36", "exit 0")).is_empty() && c.restart_count == 0);
    }

    #[test]
    fn a_typo_image_fails_and_backs_off() {
        let t = timeline(&spec("ngnix", ""), true, 40);
        let reasons: Vec<(u64, &str)> = t.iter().map(|(s, r, _)| (*s, r.as_str())).collect();
        assert_eq!(reasons, vec![(0, "ContainerCreating"), (1, "ErrImagePull"), (2, "ImagePullBackOff"), (11, "ContainerCreating"), (12, "ErrImagePull"), (13, "ImagePullBackOff"), (32, "ContainerCreating"), (33, "ErrImagePull"), (34, "ImagePullBackOff")]);
    }

    #[test]
    fn a_completed_container_with_on_failure_stays_completed() {
        let t = timeline(&spec("busybox", "echo done"), false, 20);
        assert_eq!(t.last().map(|(_, r, n)| (r.as_str(), *n)), Some(("Completed", 0)));
        assert_eq!(go_duration(80_000), "1m20s");
        assert_eq!(go_duration(300_000), "5m0s");
    }
}
