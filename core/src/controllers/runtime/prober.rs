//! The kubelet's prober manager for one container (`pkg/kubelet/prober`): a worker per probe
//! (startup, liveness, readiness), each ticking every `periodSeconds` from when the kubelet took
//! the pod on, in virtual time, and doing what `worker.doProbe` does at each tick:
//!
//! - a new container instance resets the worker's result to its initial value (readiness
//!   Failure, liveness Success, startup Unknown) and lifts its hold;
//! - a container that is not running fails; none probes before `initialDelaySeconds` of running;
//! - the startup probe gates the others: until it has succeeded only it runs, afterwards only they;
//! - each failed run records `Unhealthy` (Warning, `Liveness probe failed: <output>`); the result
//!   changes only after `failureThreshold` failures or `successThreshold` successes in a row;
//! - a liveness or startup Failure has the container killed (`Killing`, "Container X failed
//!   liveness probe, will be restarted") and holds the worker until the next instance.
//!
//! `started` and `ready` in the container status are these results (`UpdatePodStatus`): started
//! once the startup probe passed (at once without one), ready once started and the readiness
//! probe's result for this instance is Success (at once without one).
//!
//! Nothing is kept per tick: each worker holds only its current result and run. The kernel is
//! woken only at ticks where something changes or a failure is recorded ([`Probers::plan`]);
//! ticks in between, which would find the same answer, are skipped up to the next instant the
//! simulated application can answer differently.

use super::container::{Container, ContainerSpec, KubeletEvent, SyncCtx};
use super::process::interpreted;
use super::files::Files;
use super::probe::{Probe, ProbeType};
use super::serving::App;
use crate::sim::{Duration, Time};
use serde_json::Value;

/// Ticks one sync or one look-ahead takes at most (a long `run` with 1 s periods).
const MAX_TICKS: usize = 10_000;
/// A first readiness or startup success this soon after the container started (within one default
/// period: a probe with no `initialDelaySeconds`) settles the pod's start, so a command waits for
/// it as for a pull; a later one (a probe that waits on purpose) comes with the passage of time.
const SETTLE_WITHIN: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    Unknown,
    Success,
    Failure,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Worker {
    ty: ProbeType,
    probe: Probe,
    /// The container instance (its restart count) the result belongs to.
    instance: Option<u32>,
    result: Res,
    last: Option<bool>,
    /// Runs of `last` in a row, capped at that outcome's threshold (beyond it nothing changes).
    run: u32,
    on_hold: bool,
    /// The last tick taken.
    done: Time,
}

/// What a tick asks of the kubelet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Event(KubeletEvent),
    /// The liveness or startup probe failed: kill the container.
    Kill(ProbeType),
}

/// What a probe reaches: the pod's IP and the container's application.
pub struct Target<'a> {
    pub image: &'a str,
    pub argv: &'a [String],
    pub ports: &'a [u16],
    /// The container's process is a script the simulation interprets (it listens on nothing).
    pub shell: bool,
    pub pod_ip: &'a str,
}

/// The workers of one container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probers {
    workers: Vec<Worker>,
    admitted: Time,
}

/// The container instance probes see: none before it was first created.
fn instance(c: &Container) -> Option<u32> {
    (!c.waiting_to_start()).then_some(c.restart_count)
}

impl Worker {
    fn initial(&self) -> Res {
        match self.ty {
            ProbeType::Readiness => Res::Failure,
            ProbeType::Liveness => Res::Success,
            ProbeType::Startup => Res::Unknown,
        }
    }

    /// The next run: the ticker's next tick, or sooner the readiness run the prober manager
    /// triggers when it finds a running container with no readiness result yet (`UpdatePodStatus`
    /// writes to `manualTriggerCh`), which is what makes a pod Ready as soon as it starts.
    fn next_tick(&self, admitted: Time, c: &Container) -> Time {
        let k = self.done.as_ms().saturating_sub(admitted.as_ms()) / self.probe.period_ms + 1;
        let periodic = Time(admitted.as_ms().saturating_add(k.saturating_mul(self.probe.period_ms)));
        let triggered = c.running_since().filter(|_| self.ty == ProbeType::Readiness && self.instance != instance(c)).map(|since| since.max(Time(self.done.as_ms().saturating_add(1))));
        triggered.map_or(periodic, |t| t.min(periodic))
    }
}

impl Probers {
    /// The workers for the probes the container's spec has.
    pub fn new(container: &Value, admitted: Time) -> Self {
        let workers = [ProbeType::Startup, ProbeType::Liveness, ProbeType::Readiness]
            .into_iter()
            .filter_map(|ty| Probe::from_container(container, ty).map(|probe| (ty, probe)))
            .map(|(ty, probe)| {
                let mut w = Worker { ty, probe, instance: None, result: Res::Unknown, last: None, run: 0, on_hold: false, done: admitted };
                w.result = w.initial();
                w
            })
            .collect();
        Probers { workers, admitted }
    }

    fn worker(&self, ty: ProbeType) -> Option<&Worker> {
        self.workers.iter().find(|w| w.ty == ty)
    }

    /// The probe of this type, for the kill's grace period.
    pub fn probe(&self, ty: ProbeType) -> Option<&Probe> {
        self.worker(ty).map(|w| &w.probe)
    }

    /// The result of this container instance's probe, `None` when it has none yet.
    fn result(&self, ty: ProbeType, c: &Container) -> Option<Res> {
        self.worker(ty).map(|w| if w.instance.is_some() && w.instance == instance(c) { w.result } else { Res::Unknown })
    }

    /// `started`: the startup probe passed, or there is none.
    pub fn started(&self, c: &Container) -> bool {
        self.result(ProbeType::Startup, c).is_none_or(|r| r == Res::Success)
    }

    /// `ready` (given running and started): the readiness probe passed, or there is none.
    pub fn ready(&self, c: &Container) -> bool {
        self.result(ProbeType::Readiness, c).is_none_or(|r| r == Res::Success)
    }

    /// The next tick of any worker.
    pub fn next_tick(&self, c: &Container) -> Option<Time> {
        self.workers.iter().map(|w| w.next_tick(self.admitted, c)).min()
    }

    /// Takes the workers' ticks due at `at` (`doProbe`).
    pub fn tick(&mut self, at: Time, c: &Container, files: &Files, target: &Target) -> Vec<Action> {
        let mut actions = Vec::new();
        let now_instance = instance(c);
        let admitted = self.admitted;
        for i in 0..self.workers.len() {
            let started = self.started(c);
            let Some(w) = self.workers.get_mut(i) else { continue };
            if w.next_tick(admitted, c) != at {
                continue;
            }
            w.done = at;
            let Some(inst) = now_instance else { continue };
            if w.instance != Some(inst) {
                w.instance = Some(inst);
                w.result = w.initial();
                w.on_hold = false;
            }
            if w.on_hold {
                continue;
            }
            let Some(since) = c.running_since() else {
                w.result = Res::Failure;
                continue;
            };
            let offset = at.as_ms().saturating_sub(since.as_ms());
            if offset / 1000 < w.probe.initial_delay_s {
                continue;
            }
            // The startup probe stops once the container started; the others wait for it.
            if started == (w.ty == ProbeType::Startup) {
                continue;
            }
            let app = App::new(target.image, target.argv, target.ports, target.shell);
            let ok = match w.probe.run(&app, target.image, files, target.pod_ip, offset) {
                Ok(()) => true,
                Err(output) => {
                    actions.push(Action::Event((true, "Unhealthy", format!("{} probe failed: {output}", w.ty.label()))));
                    false
                }
            };
            let threshold = if ok { w.probe.success_threshold } else { w.probe.failure_threshold };
            w.run = if w.last == Some(ok) { (w.run + 1).min(threshold) } else { 1 };
            w.last = Some(ok);
            if w.run < threshold {
                continue;
            }
            w.result = if ok { Res::Success } else { Res::Failure };
            if !ok && w.ty != ProbeType::Readiness {
                // Held until a new container: no probing a container that is being killed.
                w.on_hold = true;
                w.run = 0;
                actions.push(Action::Kill(w.ty));
            }
        }
        actions
    }

    /// Skips the ticks before `until`: they would find what the last did.
    fn skip_to(&mut self, until: Time) {
        for w in &mut self.workers {
            let before = Time(until.as_ms().saturating_sub(1));
            if before > w.done {
                w.done = before;
            }
        }
    }

    /// The next tick, up to `horizon` (the container's next transition), at which something
    /// changes or a failure is recorded, and whether it settles the start (a first readiness or
    /// startup success soon after the container started). Simulated on a copy.
    pub fn plan(&self, c: &Container, files: &Files, target: &Target, horizon: Option<Time>) -> Option<(Time, bool)> {
        let mut sim = self.clone();
        // Workers that ticked without change since the last skip.
        let mut quiet = vec![false; sim.workers.len()];
        for _ in 0..MAX_TICKS {
            let t = sim.next_tick(c)?;
            if horizon.is_some_and(|h| t > h) {
                return None;
            }
            let before = sim.clone();
            let gates = (sim.started(c), sim.ready(c));
            let actions = sim.tick(t, c, files, target);
            // Only what shows wakes the kernel: an event, a kill, `started` or `ready` flipping.
            let now_gates = (sim.started(c), sim.ready(c));
            if now_gates != gates || !actions.is_empty() {
                let first_success = (now_gates.0 && !gates.0) || (now_gates.1 && !gates.1);
                let soon = c.running_since().is_some_and(|s| t <= s.after(SETTLE_WITHIN));
                return Some((t, first_success && soon && actions.is_empty()));
            }
            // A worker is at rest once a tick of its own left it as it was.
            for ((q, w), b) in quiet.iter_mut().zip(&sim.workers).zip(&before.workers) {
                if w.done == t {
                    *q = (w.instance, w.result, w.last, w.run, w.on_hold) == (b.instance, b.result, b.last, b.run, b.on_hold);
                }
            }
            if !quiet.iter().all(|q| *q) {
                continue;
            }
            // Every worker found nothing new: the same answers follow until the application can
            // answer differently (a file comes or goes, agnhost turns unhealthy) or a delay ends.
            let since = c.running_since()?;
            let offset = t.as_ms().saturating_sub(since.as_ms());
            let app = App::new(target.image, target.argv, target.ports, target.shell);
            let delays = sim.workers.iter().map(|w| w.probe.initial_delay_s.saturating_mul(1000)).filter(|d| *d > offset);
            let next = [files.next_change_after(offset), app.next_change_after(offset)].into_iter().flatten().chain(delays).min()?;
            sim.skip_to(since.after(Duration::from_ms(next)));
            quiet.iter_mut().for_each(|q| *q = false);
        }
        None
    }

    /// Moves every worker past `now` without probing: a sync that fell too far behind.
    pub fn fast_forward(&mut self, now: Time) {
        self.skip_to(now.after(Duration::from_ms(1)));
    }
}

/// What the kubelet knows of the pod when it probes one of its containers.
pub struct PodCtx<'a> {
    pub pod_ip: &'a str,
    /// `terminationGracePeriodSeconds`: how long a process that ignores SIGTERM lives on.
    pub grace: Duration,
}

fn argv_of(spec: &ContainerSpec) -> Vec<String> {
    spec.command.iter().chain(&spec.args).cloned().collect()
}

/// The exit code the container's process answers SIGTERM with at once, or `None` when it
/// ignores it (a shell as PID 1) until SIGKILL.
pub fn on_sigterm(spec: &ContainerSpec) -> Option<i32> {
    let argv = argv_of(spec);
    App::new(&spec.image, &argv, &spec.ports, interpreted(&spec.image, &spec.command, &spec.args)).on_sigterm()
}

/// Moves a container and its probes on to `now` in time order: the container's transitions due
/// by a tick are taken before it, so each probe finds the container as it was then. A liveness or
/// startup Failure kills the container (`Killing`); the restart follows the pod's policy.
pub fn advance(c: &mut Container, spec: &ContainerSpec, probers: &mut Probers, now: Time, pod: &PodCtx, s: &mut SyncCtx) {
    let argv = argv_of(spec);
    let shell = interpreted(&spec.image, &spec.command, &spec.args);
    let target = Target { image: &spec.image, argv: &argv, ports: &spec.ports, shell, pod_ip: pod.pod_ip };
    let mut taken = 0;
    loop {
        let due = match probers.next_tick(c).filter(|t| *t <= now) {
            Some(t) => Some(t),
            // The container may start (and have its readiness run triggered) before `now`.
            None => {
                c.advance(now, spec, s);
                probers.next_tick(c).filter(|t| *t <= now)
            }
        };
        let Some(mut t) = due else { break };
        if taken >= MAX_TICKS {
            probers.fast_forward(now);
            break;
        }
        taken += 1;
        c.advance(t, spec, s);
        // A start taken just now may bring a triggered run before `t`.
        if let Some(sooner) = probers.next_tick(c).filter(|x| *x < t) {
            t = sooner;
        }
        for action in probers.tick(t, c, &c.files, &target) {
            match action {
                Action::Event(e) => s.out.push(e),
                Action::Kill(ty) => {
                    // `computePodActions`: restarted unless the policy is Never.
                    let suffix = if (s.restart)(1) { ", will be restarted" } else { "" };
                    s.out.push((false, "Killing", format!("Container {} failed {} probe{suffix}", c.name, ty.label().to_lowercase())));
                    let grace = probers.probe(ty).and_then(|p| p.termination_grace_s).map_or(pod.grace, Duration::from_secs);
                    let app = App::new(&spec.image, &argv, &spec.ports, shell);
                    c.kill_for_probe(t, grace, app.on_sigterm());
                }
            }
        }
    }
    c.advance(now, spec, s);
}

/// The container's next interesting tick (see [`Probers::plan`]), up to its next transition.
pub fn plan(c: &Container, spec: &ContainerSpec, probers: &Probers, pod_ip: &str) -> Option<(Time, bool)> {
    let argv = argv_of(spec);
    let target = Target { image: &spec.image, argv: &argv, ports: &spec.ports, shell: interpreted(&spec.image, &spec.command, &spec.args), pod_ip };
    probers.plan(c, &c.files, &target, c.next_due().map(|(t, _)| t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Rng;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// Runs a container with probes second by second from admission to `until_s`, as the
    /// runtime's sync does, returning each action with the second it happened at.
    fn simulate(container: Value, until_s: u64) -> (Vec<(u64, String)>, Container) {
        let pod = json!({"metadata": {"name": "p"}});
        let spec = ContainerSpec::from_json(&container, &pod);
        let mut probers = Probers::new(&container, Time(0));
        let (mut c, _) = Container::new(&spec, Time(0), false);
        let mut rng = Rng::new(1);
        let mut seen = Vec::new();
        let restart = |_: i32| true;
        let env = Ok(BTreeMap::new());
        let argv: Vec<String> = spec.command.iter().chain(&spec.args).cloned().collect();
        let shell = interpreted(&spec.image, &spec.command, &spec.args);
        for s in 0..=until_s {
            let now = Time(s * 1000);
            let mut out = Vec::new();
            while let Some(t) = probers.next_tick(&c).filter(|t| *t <= now) {
                c.advance(t, &spec, &mut SyncCtx { hostname: "p", pod_ref: "p", restart: &restart, env: &env, rng: &mut rng, out: &mut out });
                let target = Target { image: &spec.image, argv: &argv, ports: &[], shell, pod_ip: "10.244.1.5" };
                let files = c.files.clone();
                for a in probers.tick(t, &c, &files, &target) {
                    match a {
                        Action::Event((_, reason, msg)) => seen.push((s, format!("{reason}: {msg}"))),
                        Action::Kill(ty) => {
                            seen.push((s, format!("Kill {}", ty.label())));
                            c.kill_for_probe(t, Duration::from_secs(30), None);
                        }
                    }
                }
            }
            c.advance(now, &spec, &mut SyncCtx { hostname: "p", pod_ref: "p", restart: &restart, env: &env, rng: &mut rng, out: &mut out });
        }
        (seen, c)
    }

    #[test]
    fn exec_liveness_fails_after_the_file_is_removed_and_kills_the_container() {
        let container = json!({"name": "liveness", "image": "registry.k8s.io/busybox:1.27.2",
            "args": ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"],
            "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "initialDelaySeconds": 5, "periodSeconds": 5}});
        let (seen, c) = simulate(container, 80);
        let msg = "Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory";
        // Started at 3 s, the file is gone from 33 s: the ticks at 35, 40 and 45 s fail.
        assert_eq!(seen, vec![(35, msg.to_string()), (40, msg.to_string()), (45, msg.to_string()), (45, "Kill Liveness".to_string())]);
        // SIGKILL 30 s later (75 s), restarted a PLEG relist after.
        assert_eq!(c.restart_count, 1);
        assert_eq!(c.last.as_ref().map(|t| (t.code, t.finished)), Some((137, Time(75_000))));
    }

    #[test]
    fn readiness_starts_false_and_a_startup_probe_gates_it() {
        let container = json!({"name": "web", "image": "nginx:1.27",
            "startupProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
            "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 10}});
        let pod = json!({});
        let spec = ContainerSpec::from_json(&container, &pod);
        let mut p = Probers::new(&container, Time(0));
        let (mut c, _) = Container::new(&spec, Time(0), true);
        let mut rng = Rng::new(1);
        let env = Ok(BTreeMap::new());
        let mut out = Vec::new();
        c.advance(Time(1_000), &spec, &mut SyncCtx { hostname: "p", pod_ref: "p", restart: &|_| true, env: &env, rng: &mut rng, out: &mut out });
        assert!(c.is_running());
        assert!(!p.started(&c), "no startup result yet");
        let target = Target { image: "nginx:1.27", argv: &[], ports: &[], shell: false, pod_ip: "10.244.1.5" };
        let files = Files::default();
        // The readiness run triggered at the start finds the container not started yet.
        assert_eq!(p.next_tick(&c), Some(Time(1_000)));
        assert!(p.tick(Time(1_000), &c, &files, &target).is_empty());
        assert_eq!(p.plan(&c, &files, &target, None), Some((Time(5_000), true)));
        assert!(p.tick(Time(5_000), &c, &files, &target).is_empty());
        assert!(p.started(&c) && !p.ready(&c));
        assert_eq!(p.plan(&c, &files, &target, None), Some((Time(10_000), true)));
        p.tick(Time(10_000), &c, &files, &target);
        assert!(p.ready(&c));
        // From then on every answer is the same: nothing to wake for.
        assert_eq!(p.plan(&c, &files, &target, None), None);
    }
}
