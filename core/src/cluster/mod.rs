//! The simulated cluster: the kernel that owns the clock, the RNG, the event queue, the trace and
//! the store, and steps one event at a time.
//!
//! Inputs arrive through [`Cluster::submit`] (a command line), outputs are the trace, the store and
//! each command's [`Output`]. [`Cluster::step`] handles exactly one event; [`Cluster::run_until_idle`]
//! steps until nothing is due, within a bound. Everything is a function of the seed and the inputs.

mod apply;
mod autoscale;
mod bootstrap;
mod builtins;
mod coredns;
mod drain;
mod exec;
mod imperative;
mod inspect;
mod kubectl;
mod load;
mod logs;
mod rollout;
mod rollout_status;
mod wait;
mod top;
mod watch;
pub mod watch_streams;

use crate::api::Limits;
use crate::cli::kubectl::Command;
use crate::cli::{self, etcdctl, Files, Output};
use crate::sim::{Clock, EventQueue, Rng, Time};
use crate::store::Store;
use crate::trace::{Actor, Event, Trace};
use std::collections::BTreeMap;

/// Bounds and the seed of one simulated cluster.
#[derive(Clone, Debug)]
pub struct Config {
    pub seed: u64,
    /// Events waiting in the queue at once.
    pub max_queued_events: usize,
    /// Trace records kept (older ones are dropped and counted).
    pub max_trace_records: usize,
    /// Events one `run_until_idle` may handle before it stops and says so.
    pub max_steps_per_run: usize,
    /// Commands whose output is kept for the caller to read.
    pub max_kept_outputs: usize,
    pub limits: Limits,
    /// The machines the cluster starts with (workers, their capacity, labels and zones).
    pub nodes: crate::controllers::NodesConfig,
    /// A `kubectl get -w` stays open once the cluster goes idle, printing later changes until
    /// [`Cluster::interrupt`] (the page's Ctrl+C); off for scripts, which have no Ctrl+C.
    pub open_watches: bool,
    /// etcd's `--quota-backend-bytes`: the playground's 256 MiB, which a learner can reach; the
    /// benchmarks of large clusters set etcd's own default, 2 GiB.
    pub etcd_quota_bytes: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            max_queued_events: 100_000,
            max_trace_records: 200_000,
            max_steps_per_run: 1_000_000,
            max_kept_outputs: 1_000,
            limits: Limits::default(),
            nodes: crate::controllers::NodesConfig::default(),
            open_watches: false,
            etcd_quota_bytes: crate::store::DEFAULT_QUOTA_BYTES,
        }
    }
}

/// An identifier for a submitted command, in submission order.
pub type CommandId = u64;

/// What the kernel can be asked to do next.
#[derive(Clone, Debug)]
enum Work {
    /// Start a submitted command.
    Command(CommandId),
    /// Send the next request of a running `kubectl apply`.
    ApplyNext(CommandId),
    /// The store changed, or a component's wake-up came due: the control plane steps.
    ControlPlane,
    /// A running `kubectl get -w` looks for changes (see `watch.rs`).
    WatchPoll(CommandId),
    /// A running `kubectl drain` evicts, retries or polls (see `drain.rs`).
    DrainNext(CommandId),
}

/// Virtual time between two objects of one `kubectl apply` (a GET and a write each).
const KUBECTL_OBJECT_MS: u64 = 5;
/// How soon a controller reacts to a change its informer delivers.
const CONTROLLER_REACTION_MS: u64 = 1;

/// A command that has been submitted and not yet finished.
enum Running {
    Parsed(cli::Parsed),
    Apply(apply::Apply),
    Watch(Box<watch::GetWatch>),
    Drain(Box<drain::Drain>),
    /// `kubectl rollout status`, watching (see `rollout_status.rs`).
    RolloutStatus(Box<rollout_status::StatusWatch>),
    /// `kubectl wait`, watching (see `wait.rs`).
    Wait(Box<wait::WaitCmd>),
}

/// How a bounded run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOutcome {
    pub steps: usize,
    /// False when the step bound stopped the run with events still due.
    pub idle: bool,
}

pub struct Cluster {
    config: Config,
    clock: Clock,
    rng: Rng,
    queue: EventQueue<Work>,
    trace: Trace,
    store: Store,
    running: BTreeMap<CommandId, Running>,
    outputs: BTreeMap<CommandId, Output>,
    next_command: CommandId,
    /// Request ids are unique across the run, so trace records can name their request.
    next_request_id: u64,
    /// kube-apiserver's memory between requests (its RBAC listers), beside the store it reads.
    api_memory: crate::apiserver::ApiMemory,
    /// The trace record of each running command, the cause of the requests it sends.
    command_records: BTreeMap<CommandId, u64>,
    /// The controllers, scheduler and node agents; `None` for a bare etcd (`--etcd-only`).
    control_plane: Option<crate::controllers::ControlPlane>,
    /// When the queued control-plane step is due, if one is queued.
    control_plane_queued: Option<Time>,
    /// Control-plane steps in the queue (a superseded one stays queued until it comes due).
    control_plane_events: usize,
    /// etcdctl's session: its streaming watches print as later commands change the store.
    etcdctl: etcdctl::Etcdctl,
    /// Open-ended `get -w` streams past idle, polled after every step (see `watch.rs`).
    open_watches: std::collections::BTreeSet<CommandId>,
}

impl Cluster {
    pub fn new(config: Config) -> Self {
        let mut cluster = Cluster {
            clock: Clock::default(),
            rng: Rng::new(config.seed),
            queue: EventQueue::with_capacity(config.max_queued_events),
            trace: Trace::with_capacity(config.max_trace_records),
            store: Store::with_config(crate::store::StoreConfig { quota_bytes: config.etcd_quota_bytes, ..Default::default() }),
            running: BTreeMap::new(),
            outputs: BTreeMap::new(),
            next_command: 1,
            next_request_id: 1,
            api_memory: Default::default(),
            command_records: BTreeMap::new(),
            control_plane: None,
            control_plane_queued: None,
            control_plane_events: 0,
            etcdctl: etcdctl::Etcdctl::new(),
            open_watches: std::collections::BTreeSet::new(),
            config,
        };
        bootstrap::bootstrap(&mut cluster);
        let nodes = crate::controllers::NodeSpec::initial(&cluster.config.nodes);
        let mut control_plane = crate::controllers::ControlPlane::with_nodes(nodes);
        control_plane.step(&mut cluster.api_context());
        cluster.control_plane = Some(control_plane);
        // The cluster settles (nodes registered and Ready, leases created) before the learner
        // types anything, so the first command's trace holds only what it set off.
        cluster.notify_controllers();
        cluster.run_until_idle();
        cluster
    }

    /// A cluster with nothing in it but an empty etcd, as `kubeplay --etcd-only` uses.
    pub fn etcd_only(config: Config) -> Self {
        Cluster {
            clock: Clock::default(),
            rng: Rng::new(config.seed),
            queue: EventQueue::with_capacity(config.max_queued_events),
            trace: Trace::with_capacity(config.max_trace_records),
            store: Store::with_config(crate::store::StoreConfig { quota_bytes: config.etcd_quota_bytes, ..Default::default() }),
            running: BTreeMap::new(),
            outputs: BTreeMap::new(),
            next_command: 1,
            next_request_id: 1,
            api_memory: Default::default(),
            command_records: BTreeMap::new(),
            control_plane: None,
            control_plane_queued: None,
            control_plane_events: 0,
            etcdctl: etcdctl::Etcdctl::new(),
            open_watches: std::collections::BTreeSet::new(),
            config,
        }
    }

    /// The API server's view of the cluster for one request.
    fn api_context(&mut self) -> crate::apiserver::Context<'_> {
        crate::apiserver::Context {
            store: &mut self.store,
            trace: &mut self.trace,
            rng: &mut self.rng,
            now: self.clock.now(),
            next_request_id: &mut self.next_request_id,
            memory: &mut self.api_memory,
        }
    }

    pub fn now(&self) -> Time {
        self.clock.now()
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Accepts one command line. Files it names are read now, through `files`, so that running it
    /// later needs nothing from outside. The command starts when the kernel reaches it.
    pub fn submit(&mut self, line: &str, files: &dyn Files) -> CommandId {
        let id = self.next_command;
        self.next_command += 1;
        let now = self.now();
        let record = self.trace.push(now, Actor::User("kubernetes-admin".into()), Event::Command { id, line: line.to_string() });
        self.command_records.insert(id, record);
        match cli::parse(line, files) {
            Ok(parsed) => {
                self.running.insert(id, Running::Parsed(parsed));
                self.schedule(now, Work::Command(id), id);
            }
            Err(out) => self.finish(id, out),
        }
        id
    }

    /// Handles the next due event. Returns false when nothing is queued.
    pub fn step(&mut self) -> bool {
        if self.expire_rollout_status() || self.expire_waits() {
            return true;
        }
        let Some(next) = self.queue.pop() else { return false };
        self.clock.advance_to(next.at);
        // Leases run out in virtual time too (etcd's lessor revokes them on its own).
        self.store.advance_to(next.at.as_ms());
        match next.event {
            Work::Command(id) => self.start(id),
            Work::ApplyNext(id) => self.apply_next(id),
            Work::WatchPoll(id) => self.watch_poll(id),
            Work::DrainNext(id) => self.drain_next(id),
            Work::ControlPlane => {
                self.control_plane_events = self.control_plane_events.saturating_sub(1);
                self.control_plane_queued = None;
                if let Some(mut cp) = self.control_plane.take() {
                    cp.step(&mut self.api_context());
                    self.control_plane = Some(cp);
                }
            }
        }
        self.notify_controllers();
        self.poll_watching_commands();
        self.poll_open_watches();
        true
    }

    /// Steps until the queue is empty or the step bound is reached (which is traced). Timers
    /// that only run as time passes (heartbeats, grace periods) do not count: a cluster whose
    /// queue holds nothing else is idle.
    pub fn run_until_idle(&mut self) -> RunOutcome {
        // One slice as long as the whole bound always ends the run (idle, or at the bound).
        self.run_slice(0, usize::MAX).unwrap_or(RunOutcome { steps: 0, idle: false })
    }

    /// One slice of a run to idle, for a caller that gives control back between slices (the web
    /// page yields to the browser, so a long run never blocks it): steps at most `slice` events,
    /// `done` being what the run's earlier slices stepped. `None` while the run goes on (the slice
    /// was used up); once it is over, idle or at `max_steps_per_run` for the whole run (traced as
    /// a bound), the outcome with the run's total steps. The slices step exactly the events one
    /// `run_until_idle` steps, so the trace is the same however the run is cut.
    pub fn run_slice(&mut self, done: usize, slice: usize) -> Option<RunOutcome> {
        let budget = slice.min(self.config.max_steps_per_run.saturating_sub(done));
        let mut steps = 0;
        while steps < budget {
            if self.only_background_left() || !self.step() {
                return Some(RunOutcome { steps: done + steps, idle: true });
            }
            steps += 1;
        }
        let steps = done + steps;
        if steps < self.config.max_steps_per_run {
            return None;
        }
        let idle = self.queue.is_empty();
        if !idle {
            let what = format!("{} steps in one run; {} events still queued", steps, self.queue.len());
            self.trace.push(self.now(), Actor::ApiServer, Event::Bound { what });
        }
        Some(RunOutcome { steps, idle })
    }

    /// Submits a line and runs the cluster until it is idle: what a terminal does for each line.
    pub fn execute(&mut self, line: &str, files: &dyn Files) -> Output {
        let id = self.submit(line, files);
        self.run_until_idle();
        self.output(id).cloned().unwrap_or_else(|| {
            Output::fail("error: the command did not finish within kubeplay's step bound\n")
        })
    }

    /// Serves one API request from a client outside the learner's commands (the benchmarks'
    /// load generator, `bench/`), traced like any other; the control plane sees what it wrote at
    /// its next step.
    pub fn serve(&mut self, req: &crate::apiserver::Request) -> crate::apiserver::Reply {
        let reply = crate::apiserver::handle(&mut self.api_context(), req);
        self.notify_controllers();
        reply
    }

    /// The output of a finished command (kept for the last `max_kept_outputs` commands).
    pub fn output(&self, id: CommandId) -> Option<&Output> {
        self.outputs.get(&id)
    }

    /// The records from the previous command's start up to this command: what it did and what
    /// it set off.
    fn previous_command_trace(&self, id: CommandId) -> Output {
        let this = self.command_records.get(&id).copied().unwrap_or(u64::MAX);
        let start = self.trace.records().rev().find(|r| r.seq < this && matches!(&r.event, crate::trace::Event::Command { .. })).map(|r| r.seq);
        let Some(start) = start else { return Output::ok("") };
        let mut out = String::new();
        for r in self.trace.records().filter(|r| r.seq >= start && r.seq < this) {
            out.push_str(&r.to_string());
            out.push('\n');
        }
        Output::ok(out)
    }

    /// True when everything queued is control-plane steps for background timers only.
    fn only_background_left(&self) -> bool {
        // A waiting `rollout status` decides itself when the cluster has gone idle under it.
        self.only_background_queued() && !self.rollout_status_running() && !self.wait_running()
    }

    fn only_background_queued(&self) -> bool {
        let Some(cp) = &self.control_plane else { return false };
        self.queue.len() == self.control_plane_events && !cp.has_pending(self.store.revision()) && cp.next_wake().is_none()
    }

    /// Queues a control-plane step when the store moved (what the components' watches deliver)
    /// or when a component's timer comes due, keeping at most one step queued.
    fn notify_controllers(&mut self) {
        let Some(cp) = &self.control_plane else { return };
        let now = self.now();
        let due = if cp.has_pending(self.store.revision()) {
            Some(now.after(crate::sim::Duration::from_ms(CONTROLLER_REACTION_MS)))
        } else {
            cp.next_wake().into_iter().chain(cp.next_background_wake()).min().map(|t| if t < now { now } else { t })
        };
        let Some(at) = due else { return };
        if self.control_plane_queued.is_some_and(|q| q <= at) {
            return;
        }
        if self.queue.schedule(at, Work::ControlPlane).is_ok() {
            self.control_plane_queued = Some(at);
            self.control_plane_events += 1;
        }
    }

    fn schedule(&mut self, at: Time, work: Work, id: CommandId) {
        if let Err(full) = self.queue.schedule(at, work) {
            let what = format!("event queue full ({} events)", full.capacity);
            self.trace.push(self.now(), Actor::ApiServer, Event::Bound { what: what.clone() });
            self.running.remove(&id);
            self.finish(id, Output::fail(format!("error: kubeplay: {what}\n")));
        }
    }

    fn start(&mut self, id: CommandId) {
        let Some(Running::Parsed(parsed)) = self.running.remove(&id) else { return };
        match parsed {
            cli::Parsed::Etcdctl(args) => {
                let out = self.etcdctl.run(&args, "", &mut self.store);
                self.finish(id, out);
            }
            cli::Parsed::Advance(d) => {
                // Everything due within the span happens; then the clock stands at its end.
                let start = self.now();
                let until = start.after(d);
                let mut steps = 0;
                while self.queue.peek_time().is_some_and(|t| t <= until) && steps < self.config.max_steps_per_run {
                    self.step();
                    steps += 1;
                }
                if self.queue.peek_time().is_some_and(|t| t <= until) {
                    // The step bound ran out with work still due inside the span: the clock
                    // stays where the work stopped, and the learner is told, as `wait` does.
                    let ran = crate::cli::printers::human_duration((self.now().as_ms() - start.as_ms()) as i64);
                    let what = format!("run: stopped after {steps} steps, {ran} into the {}: the cluster still had work due (kubeplay's step bound)", crate::cli::printers::human_duration(d.0 as i64));
                    self.trace.push(self.now(), Actor::ApiServer, Event::Bound { what: what.clone() });
                    self.notify_controllers();
                    self.finish(id, Output { stderr: format!("kubeplay: {what}\n"), ..Default::default() });
                    return;
                }
                self.clock.advance_to(until);
                self.store.advance_to(until.as_ms());
                self.notify_controllers();
                self.finish(id, Output::default());
            }
            cli::Parsed::Settle => {
                let out = self.settle();
                self.finish(id, out);
            }
            cli::Parsed::Builtin(b) => {
                let cause = self.command_records.get(&id).copied();
                let out = self.builtin(b, cause);
                self.finish(id, out);
            }
            cli::Parsed::Trace => {
                let out = self.previous_command_trace(id);
                self.finish(id, out);
            }
            cli::Parsed::Kubectl(k) => {
                let cause = self.command_records.get(&id).copied();
                let namespace = k.namespace.clone();
                let user = kubectl::user_of(&k);
                if matches!(&k.command, Command::Drain(_)) {
                    match drain::Drain::start(&mut self.api_context(), &k, cause) {
                        Ok(d) => {
                            self.running.insert(id, Running::Drain(Box::new(d)));
                            self.schedule(self.now(), Work::DrainNext(id), id);
                        }
                        Err(out) => self.finish(id, out),
                    }
                    return;
                }
                if matches!(&k.command, Command::Get(g) if g.watch.watch || g.watch.watch_only) {
                    match watch::GetWatch::start(&mut self.api_context(), &k, cause) {
                        Ok(w) => {
                            self.running.insert(id, Running::Watch(Box::new(w)));
                            self.schedule(self.now(), Work::WatchPoll(id), id);
                        }
                        Err(out) => self.finish(id, out),
                    }
                    return;
                }
                if let Command::Rollout(r) = &k.command {
                    if matches!(r.action, crate::cli::kubectl::rollout::RolloutAction::Status { .. }) {
                        self.start_rollout_status(id, &k, r, cause);
                        return;
                    }
                }
                if let Command::Wait(w) = &k.command {
                    self.start_wait(id, &k, w, cause);
                    return;
                }
                if let Command::Top(t) = &k.command {
                    // metrics.k8s.io is served by metrics-server, one of the control plane's components.
                    let cp = self.control_plane.take();
                    let out = top::run(&mut self.api_context(), cp.as_ref(), &k, t, cause);
                    self.control_plane = cp;
                    self.finish(id, out);
                    return;
                }
                if let Command::Exec(e) = &k.command {
                    // The kubelet of the pod's node runs the command: the control plane holds them.
                    let cp = self.control_plane.take();
                    let out = exec::run(&mut self.api_context(), cp.as_ref(), &k, e, cause);
                    self.control_plane = cp;
                    self.finish(id, out);
                    return;
                }
                if let Command::Logs(l) = &k.command {
                    // Served from the node's kubelet: the control plane's runtimes hold the logs.
                    let cp = self.control_plane.take();
                    let out = logs::run(&mut self.api_context(), cp.as_ref(), &k, l, cause);
                    self.control_plane = cp;
                    self.finish(id, out);
                    return;
                }
                let (sources, dry_run, mode, diff) = match k.command {
                    Command::Apply { sources, dry_run, options } => (sources, dry_run, apply::Mode::Apply(options), None),
                    Command::Create { sources, dry_run } => (sources, dry_run, apply::Mode::Create, None),
                    // `kubectl diff` is a server-side dry-run apply that prints the difference.
                    Command::Diff { sources, options, show_managed_fields } => (sources, cli::kubectl::DryRun::Server, apply::Mode::Apply(options), Some(show_managed_fields)),
                    _ => {
                        let out = kubectl::run(&mut self.api_context(), &k, cause);
                        self.finish(id, out);
                        return;
                    }
                };
                let now = self.clock.now();
                let mut state = apply::Apply::new(sources.files, namespace, &self.config.limits, &mut self.trace, now, cause, mode, dry_run, user);
                if let Some(show_managed_fields) = diff {
                    state.diff = Some(apply::diff::Diff::new(show_managed_fields, now, self.store.revision()));
                }
                self.running.insert(id, Running::Apply(state));
                self.schedule(self.now(), Work::ApplyNext(id), id);
            }
        }
    }

    /// One look of a running `kubectl get -w`: print what changed, then wait for the next event
    /// in the queue; end when the cluster is idle or the stream's deadline comes first.
    fn watch_poll(&mut self, id: CommandId) {
        let Some(Running::Watch(mut w)) = self.running.remove(&id) else { return };
        let open = w.poll(&mut self.api_context());
        let next = self.queue.peek_time();
        // Without --request-timeout the stream ends once only background timers are left; with
        // one it follows them (lease renewals, say) until the timeout.
        let idle = w.timeout().is_none() && self.only_background_left();
        match next {
            Some(at) if open && !idle && at <= w.deadline() => {
                self.running.insert(id, Running::Watch(w));
                // Queued after the event due at `at`, so it sees what that event wrote.
                self.schedule(at.max(self.now()), Work::WatchPoll(id), id);
            }
            _ if open && self.config.open_watches && w.timeout().is_none() => self.keep_open(id, w),
            _ => self.finish(id, w.into_output()),
        }
    }

    fn drain_next(&mut self, id: CommandId) {
        let Some(Running::Drain(mut d)) = self.running.remove(&id) else { return };
        match d.step(&mut self.api_context()) {
            Some(at) => {
                self.running.insert(id, Running::Drain(d));
                self.schedule(at.max(self.now()), Work::DrainNext(id), id);
            }
            None => self.finish(id, d.into_output()),
        }
    }

    fn apply_next(&mut self, id: CommandId) {
        let Some(Running::Apply(mut state)) = self.running.remove(&id) else { return };
        let mut ctx = self.api_context();
        if state.step(&mut ctx) {
            self.running.insert(id, Running::Apply(state));
            let at = self.now().after(crate::sim::Duration::from_ms(KUBECTL_OBJECT_MS));
            self.schedule(at, Work::ApplyNext(id), id);
        } else {
            self.finish(id, state.into_output());
        }
    }

    fn finish(&mut self, id: CommandId, mut out: Output) {
        // Events for `etcdctl watch` sessions started earlier print after the command that
        // caused them, as a watch running in another terminal would show them.
        let watched = self.etcdctl.poll(&mut self.store);
        for d in self.etcdctl.take_deliveries() {
            let watcher = format!("etcdctl watch {}", d.watch);
            self.trace.push_delivery(self.now(), d.revision, &d.key, d.event, vec![watcher], false);
        }
        out.stdout.push_str(&watched.stdout);
        out.stderr.push_str(&watched.stderr);
        self.trace.push(self.now(), Actor::User("kubernetes-admin".into()), Event::CommandDone { id, exit_code: out.exit_code });
        self.outputs.insert(id, out);
        self.command_records.remove(&id);
        while self.outputs.len() > self.config.max_kept_outputs {
            self.outputs.pop_first();
        }
    }
}
