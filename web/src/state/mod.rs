//! The playground's state: the simulated cluster, the editor text, and what the last command
//! printed. Pure: no timers, storage or DOM here, so it is tested natively like the core.

mod cluster_map;
mod complete;
mod derived;
mod diff;
mod etcd_history;
mod examples;
pub mod highlight;
#[cfg(test)]
mod perf;
mod persona;
mod pipeline;
mod run;
pub mod scheduler_table;
mod session;
pub mod timeline;

pub use cluster_map::{next_node_name, NodeView, PodChip};
pub use complete::complete;
pub use diff::{line_diff, DiffLine};
pub use etcd_history::{KeyRevision, RaftLog, WalRow, WatchStreams};
pub use persona::{as_persona, persona, Persona, PERSONAS};
pub use pipeline::RequestView;
pub use run::{set_slice_clock, Running, SLICE_BUDGET_MS};
pub use scheduler_table::{Cell, CellState, Outcome, Row, SchedulerTable};
pub use session::{reads_stdin, Input, Session, MAX_INPUTS, MAX_SESSION_BYTES};
pub use timeline::{Caused, Component, Step, StepKind};

pub use examples::{Example, EXAMPLES, EXAMPLE_MANIFEST};

use kubeplay::api::Diagnostic;
use kubeplay::cli::Output;
use kubeplay::store::RangeRequest;
use kubeplay::trace::{Event, Record};
use kubeplay::{Cluster, Config};
use std::cell::RefCell;
use std::rc::Rc;
use yew::Reducible;

/// One row of the etcd key list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub key: String,
    pub create_revision: i64,
    pub mod_revision: i64,
    pub version: i64,
    pub lease: i64,
    pub value_bytes: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The learner edited the manifest.
    Edit(String),
    /// Apply the editor's manifest (`kubectl apply -f -`).
    Apply,
    /// Run a command line typed in the terminal (kubectl or etcdctl; `-f -` reads the editor).
    Run(String),
    /// `kubectl apply -f - --dry-run=server`: every stage but the write.
    DryRun,
    /// Move the cursor to a trace record (clamped to the records kept).
    Seek(u64),
    /// One record back or forward.
    StepBack,
    StepForward,
    /// To the first record of the previous or next request.
    PrevRequest,
    NextRequest,
    /// Back to the newest record: the views follow the cluster as it changes.
    Live,
    /// Act as another user from now on.
    SwitchPersona(String),
    /// Select an etcd key for the object inspector.
    SelectKey(String),
    /// Start over: a new cluster, no commands.
    Reset,
    /// Replace the whole session (import, a shared link).
    Load(Session),
    /// Run at most this many more kernel events of the command in progress (see `run.rs`).
    Continue(usize),
    /// Ctrl+C in the terminal: end the open `kubectl get -w` (see `run.rs`).
    Interrupt,
}

/// Terminal entries kept on screen; older ones scroll away for good.
pub const MAX_TRANSCRIPT: usize = 200;
/// Requests the pipeline panel keeps for one command.
pub const MAX_REQUESTS_SHOWN: usize = 300;
/// Chips drawn per node before the rest are summarised.
pub const MAX_PODS_PER_NODE: usize = 60;
/// Entries of a "led to" tree.
pub const MAX_CAUSED: usize = 200;

/// What the views show, derived from the trace and the store as of the cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// The store revision at the cursor.
    pub revision: i64,
    /// Shared with the cache that keeps them (`derived.rs`): a clone is a pointer copy.
    pub keys: Rc<Vec<KeyRow>>,
    pub nodes: Rc<Vec<NodeView>>,
    /// The request the cursor is in, with only the records reached so far.
    pub request: Option<RequestView>,
    /// What that request (or the command at the cursor) led to.
    pub caused: Vec<Caused>,
    /// The component acting at the cursor.
    pub active: Option<Component>,
    /// The components the request at the cursor passes: its client, kube-apiserver, etcd.
    pub path: Vec<Component>,
    /// The record at the cursor.
    pub step: Option<Step>,
    /// The selected key's value (as YAML) at the cursor's revision, and its writes so far.
    pub object: Option<ObjectView>,
    /// When the record at the cursor is a kube-scheduler attempt: its filter/score table.
    pub scheduling: Option<SchedulerTable>,
}

/// An etcd key as the object inspector shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectView {
    pub key: String,
    /// The value as YAML, or empty when the key does not exist at this revision.
    pub yaml: String,
    /// Every write of the key up to the cursor: (revision, operation).
    pub history: Vec<(i64, &'static str)>,
    /// For a pod, kube-scheduler's last attempt to place it as of the cursor.
    pub scheduling: Option<SchedulerTable>,
}

#[derive(Clone)]
pub struct Playground {
    /// Shared rather than cloned: a reduce step mutates the one cluster and re-derives the view.
    cluster: Rc<RefCell<Cluster>>,
    /// The views' state kept between reduces for this cluster (`derived.rs`), shared like it.
    derived: Rc<RefCell<derived::Derived>>,
    /// The inputs that rebuild this cluster: saved, exported, shared.
    pub session: Session,
    pub editor: String,
    /// The command that was run last and what it printed.
    pub last: Option<(String, Output)>,
    /// Every command run in this session (bounded), for the terminal. Shared: a reduce (one per
    /// step of the cursor) and a render copy a pointer, not up to 200 outputs.
    pub transcript: Rc<Vec<(String, Output)>>,
    /// The store revision now (live).
    pub revision: i64,
    /// The store revision before the last command: rows modified after it are what it changed.
    pub revision_before_last: i64,
    /// The last command's API requests, stage by stage (bounded; shared like the transcript).
    pub requests: Rc<Vec<RequestView>>,
    /// The trace record the views show; `None` follows the newest.
    pub cursor: Option<u64>,
    /// First and last record kept in the trace.
    pub first_seq: u64,
    pub last_seq: u64,
    pub persona: &'static Persona,
    pub selected_key: Option<String>,
    /// Derived as of the cursor.
    pub view: View,
    /// A sentence for the page when something could not be done (an import refused, a bound).
    pub notice: Option<String>,
    /// The command the kernel is still running, slice by slice (see `run.rs`).
    pub running: Option<Running>,
    /// An open `kubectl get -w` printing as the cluster changes, until Ctrl+C (see `run.rs`).
    pub watching: Option<Running>,
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cluster, &other.cluster)
            && self.session == other.session
            && self.editor == other.editor
            && self.last == other.last
            && self.transcript.len() == other.transcript.len()
            && self.revision == other.revision
            && self.revision_before_last == other.revision_before_last
            && self.requests == other.requests
            && self.cursor == other.cursor
            && self.persona == other.persona
            && self.selected_key == other.selected_key
            && self.view == other.view
            && self.notice == other.notice
            && self.running == other.running
            && self.watching == other.watching
            && self.transcript.last() == other.transcript.last()
    }
}

impl Default for Playground {
    fn default() -> Self {
        Playground::new(1, EXAMPLE_MANIFEST.to_string())
    }
}

/// Every store entry at `revision`, as key rows, read in one go (the page keeps them instead:
/// `derived.rs`; this is the reference it is tested against).
#[cfg(test)]
fn key_rows(cluster: &Cluster, revision: i64) -> Vec<KeyRow> {
    let mut req = RangeRequest::prefix(b"/");
    req.revision = revision;
    cluster
        .store()
        .range(&req)
        .map(|resp| {
            resp.kvs.iter().map(derived::row).collect()
        })
        .unwrap_or_default()
}

/// The record numbered `seq`: record numbers are consecutive in the kept trace, so it is found
/// by position (checked, with a search as the fallback) rather than by a scan per step.
fn record_at<'a>(refs: &[&'a Record], seq: u64) -> Option<&'a Record> {
    index_at(refs, seq).and_then(|i| refs.get(i)).copied()
}

/// Where the record numbered `seq` is in `refs`.
fn index_at(refs: &[&Record], seq: u64) -> Option<usize> {
    let first = refs.first()?.seq;
    let at = usize::try_from(seq.checked_sub(first)?).ok()?;
    match refs.get(at) {
        Some(r) if r.seq == seq => Some(at),
        _ => refs.iter().position(|r| r.seq == seq),
    }
}

impl Playground {
    pub fn new(seed: u64, editor: String) -> Self {
        let cluster = Cluster::new(Config { seed, open_watches: true, ..Config::default() });
        let mut p = Playground {
            cluster: Rc::new(RefCell::new(cluster)),
            derived: Rc::default(),
            session: Session::new(seed, editor.clone()),
            editor,
            last: None,
            transcript: Rc::default(),
            revision: 0,
            revision_before_last: i64::MAX,
            requests: Rc::default(),
            cursor: None,
            first_seq: 0,
            last_seq: 0,
            persona: &PERSONAS[0],
            selected_key: None,
            view: View::default(),
            notice: None,
            running: None,
            watching: None,
        };
        p.refresh();
        p
    }

    /// Rebuilds the cluster a session describes by replaying its commands (deterministic: the
    /// same seed and inputs give the same trace and revisions).
    pub fn from_session(session: Session) -> Self {
        let mut p = Playground::new(session.seed, session.editor.clone());
        for input in &session.inputs {
            if input.line == session::INTERRUPT {
                p.interrupt_watch();
            } else {
                p.execute(&input.line, input.stdin.as_deref().unwrap_or(""));
            }
        }
        p.session = session.clone();
        p.editor = session.editor;
        p.persona = persona(&session.persona);
        p.cursor = session.cursor.filter(|c| *c < p.last_seq);
        p.refresh();
        p
    }

    /// Diagnostics of the last command, for the editor to mark.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.last.as_ref().map_or(&[], |(_, out)| out.diagnostics.as_slice())
    }

    /// Runs one line against the cluster, without recording it in the session.
    fn execute(&mut self, line: &str, stdin: &str) -> Output {
        let running = self.begin(line, stdin);
        self.cluster.borrow_mut().run_until_idle();
        self.complete(running)
    }

    /// Runs a command the learner gave to its end and records it in the session.
    fn run(&mut self, line: &str) {
        self.start(line);
        self.finish_running();
    }

    /// Keeps the commands that had finished at `cursor`, replayed into a fresh cluster.
    fn fork_at(&mut self, cursor: u64) {
        let done: Vec<u64> = self
            .cluster
            .borrow()
            .trace()
            .records()
            .filter_map(|r| match r.event {
                Event::CommandDone { .. } if r.seq <= cursor => Some(r.seq),
                _ => None,
            })
            .collect();
        let keep = done.len().min(self.session.inputs.len());
        let mut session = self.session.clone();
        session.inputs.truncate(keep);
        let mut transcript: Vec<_> = self.transcript[..self.transcript.len().min(keep)].to_vec();
        if self.watching.is_some() || self.session.inputs.iter().any(|i| i.line == session::INTERRUPT) {
            // A `get -w` left open while later commands ran finished out of order: keep by command.
            let kept = self.kept_at(cursor);
            let commands = self.session.inputs.iter().zip(&kept).filter(|(i, _)| i.line != session::INTERRUPT);
            let entries = self.transcript.len().min(commands.clone().count());
            let skipped = commands.clone().count() - entries;
            transcript = commands.skip(skipped).zip(self.transcript.iter()).filter(|((_, k), _)| **k).map(|(_, e)| e.clone()).collect();
            session.inputs = self.session.inputs.iter().zip(&kept).filter(|(_, k)| **k).map(|(i, _)| i.clone()).collect();
        }
        session.cursor = None;
        session.editor = self.editor.clone();
        session.persona = self.persona.id.to_string();
        *self = Playground::from_session(session);
        self.transcript = Rc::new(transcript);
    }

    fn switch_persona(&mut self, id: &str) {
        let p = persona(id);
        if let Some((key, commands)) = p.grant {
            let granted = self.cluster.borrow().store().range(&RangeRequest::key(key.as_bytes())).is_ok_and(|r| !r.kvs.is_empty());
            if !granted {
                let admin = std::mem::replace(&mut self.persona, &PERSONAS[0]);
                for c in commands {
                    self.run(c);
                }
                self.persona = admin;
            }
        }
        self.persona = p;
        self.session.persona = p.id.to_string();
    }

    #[cfg(test)]
    fn records(&self) -> Vec<Record> {
        self.cluster.borrow().trace().records().cloned().collect()
    }

    /// Re-derives the views from the trace and the store as of the cursor: what the cursor's
    /// record shows directly, and the store's keyspace and the caused-by links through the
    /// caches of `derived.rs`, which carry over from the last refresh what did not change.
    fn refresh(&mut self) {
        // Borrowed through a second handle to the cluster, so the records are read in place
        // rather than cloned on every step.
        let shared = self.cluster.clone();
        let cluster = shared.borrow();
        let refs: Vec<&Record> = cluster.trace().records().collect();
        self.first_seq = refs.first().map_or(0, |r| r.seq);
        self.last_seq = refs.last().map_or(0, |r| r.seq);
        self.revision = cluster.store().revision();
        let at = self.cursor.unwrap_or(self.last_seq);
        let revision = if self.cursor.is_none() { self.revision } else { timeline::revision_at(refs.iter().copied(), at, 1) };
        // Live, the request tab lists the last command's requests; stepping, it shows the one at
        // the cursor stage by stage.
        let request_id = if self.cursor.is_none() { None } else { record_at(&refs, at).and_then(|r| timeline::request_of(&r.event)) };
        // A request's records are its handling, one run of records from its Request record (its
        // watch deliveries come later): the scan starts there instead of at the trace's start.
        let request = request_id.and_then(|id| {
            let end = index_at(&refs, at)?;
            let start = refs.get(..=end)?.iter().rposition(|r| matches!(r.event, Event::Request { id: rid, .. } if rid == id)).unwrap_or(0);
            timeline::request_upto(refs.get(start..=end)?, id, at)
        });
        let root = match request_id {
            Some(id) => Some(timeline::Root::Request(id)),
            None => refs.iter().rev().filter(|r| r.seq <= at).find(|r| matches!(r.event, Event::Command { .. })).map(|r| timeline::Root::Record(r.seq)),
        };
        let mut derived = self.derived.borrow_mut();
        derived.caused.extend(&refs);
        let caused = root.map(|root| derived.caused.tree(root, MAX_CAUSED)).unwrap_or_default();
        derived.store.update(cluster.store(), revision, MAX_PODS_PER_NODE);
        let object = self.selected_key.as_ref().map(|key| {
            let mut req = RangeRequest::key(key.as_bytes());
            req.revision = revision;
            let yaml = cluster
                .store()
                .range(&req)
                .ok()
                .and_then(|r| r.kvs.into_iter().next())
                .map(|kv| match serde_json::from_slice::<serde_json::Value>(&kv.value) {
                    Ok(v) => kubeplay::cli::printers::to_yaml(&v),
                    Err(_) => String::from_utf8_lossy(&kv.value).into_owned(),
                })
                .unwrap_or_default();
            let history = refs
                .iter()
                .filter(|r| r.seq <= at)
                .filter_map(|r| match &r.event {
                    Event::StoreWrite { key: k, revision, op, .. } if k == key => Some((*revision, timeline::op_name(*op))),
                    _ => None,
                })
                .collect();
            let scheduling = scheduler_table::pod_of_key(key).and_then(|pod| scheduler_table::last_attempt(&refs, at, &pod));
            ObjectView { key: key.clone(), yaml, history, scheduling }
        });
        let path = request
            .as_ref()
            .map(|r| {
                let mut v = vec![Component::of_user(&r.user), Component::ApiServer];
                if !r.writes.is_empty() || r.stages.iter().any(|s| s.0 == kubeplay::trace::Stage::Storage) {
                    v.push(Component::Etcd);
                }
                v
            })
            .unwrap_or_default();
        // At a scheduling record its table; at a binding request, the attempt it carries out.
        let scheduling = record_at(&refs, at)
            .and_then(|r| match &r.event {
                Event::Scheduling(a) => Some(SchedulerTable::from_attempt(a)),
                _ => None,
            })
            .or_else(|| {
                let pod = request.as_ref().and_then(|r| scheduler_table::pod_of_binding(&r.path))?;
                scheduler_table::last_attempt(&refs, at, &pod)
            });
        self.view = View {
            path,
            revision,
            keys: derived.store.keys.clone(),
            nodes: derived.store.map.clone(),
            request,
            caused,
            active: record_at(&refs, at).and_then(|r| timeline::component_at(std::slice::from_ref(&r), at)),
            step: record_at(&refs, at).map(timeline::step_of),
            object,
            scheduling,
        };
        drop(derived);
        drop(cluster);
        self.session.cursor = self.cursor;
        self.session.editor = self.editor.clone();
    }

    /// The YAML of `key` at `revision`, for the history diff.
    pub fn value_at(&self, key: &str, revision: i64) -> String {
        let mut req = RangeRequest::key(key.as_bytes());
        req.revision = revision;
        self.cluster
            .borrow()
            .store()
            .range(&req)
            .ok()
            .and_then(|r| r.kvs.into_iter().next())
            .map(|kv| match serde_json::from_slice::<serde_json::Value>(&kv.value) {
                Ok(v) => kubeplay::cli::printers::to_yaml(&v),
                Err(_) => String::from_utf8_lossy(&kv.value).into_owned(),
            })
            .unwrap_or_default()
    }

    /// The records within `radius` of `around`, for the timeline. Record numbers are consecutive
    /// in the kept trace, so the window is found by position, not by a scan of the whole trace.
    pub fn steps_near(&self, around: u64, radius: u64) -> Vec<Step> {
        let lo = around.saturating_sub(radius).max(self.first_seq);
        let hi = around.saturating_add(radius);
        let skip = usize::try_from(lo - self.first_seq).unwrap_or(usize::MAX);
        let cluster = self.cluster.borrow();
        let near = cluster.trace().records().skip(skip).take_while(|r| r.seq <= hi);
        if cluster.trace().records().nth(skip).is_some_and(|r| r.seq == lo) {
            near.filter(|r| r.seq >= lo).map(timeline::step_of).collect()
        } else {
            cluster.trace().records().filter(|r| r.seq >= lo && r.seq <= hi).map(timeline::step_of).collect()
        }
    }

    fn seek(&mut self, seq: u64) {
        self.cursor = if seq >= self.last_seq { None } else { Some(seq.max(self.first_seq)) };
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.notice = None;
        let at = next.cursor.unwrap_or(next.last_seq);
        match action {
            Action::Edit(text) => {
                next.editor = text;
                next.session.editor = next.editor.clone();
                return Rc::new(next);
            }
            Action::Apply => next.start(&as_persona(next.persona, "kubectl apply -f -")),
            Action::DryRun => next.start(&as_persona(next.persona, "kubectl apply -f - --dry-run=server")),
            Action::Run(line) if line.trim() == session::INTERRUPT => next.interrupt(),
            Action::Interrupt => next.interrupt(),
            Action::Run(line) => {
                if !line.trim().is_empty() {
                    next.start(&as_persona(next.persona, line.trim()));
                }
            }
            Action::Continue(steps) => {
                if next.running.is_none() {
                    return self;
                }
                next.continue_run(steps);
            }
            Action::Seek(seq) => next.seek(seq),
            Action::StepBack => next.seek(at.saturating_sub(1)),
            Action::StepForward => next.seek(at + 1),
            Action::PrevRequest | Action::NextRequest => {
                let shared = next.cluster.clone();
                let cluster = shared.borrow();
                let refs: Vec<&Record> = cluster.trace().records().collect();
                if let Some(seq) = timeline::neighbour_request(&refs, at, matches!(action, Action::NextRequest)) {
                    next.seek(seq);
                }
            }
            Action::Live => next.cursor = None,
            Action::SwitchPersona(id) => next.switch_persona(&id),
            Action::SelectKey(key) => next.selected_key = Some(key),
            Action::Reset => {
                let editor = next.editor.clone();
                next = Playground::new(next.session.seed, editor);
            }
            Action::Load(session) => next = Playground::from_session(session),
        }
        next.follow_watch();
        next.refresh();
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One action, then the slices of the command it started, as the page sends them.
    fn reduce(p: Rc<Playground>, a: Action) -> Rc<Playground> {
        let mut p = p.reduce(a);
        while p.running.is_some() {
            p = p.reduce(Action::Continue(40));
        }
        p
    }

    #[test]
    fn apply_adds_keys_and_a_failed_apply_keeps_them() {
        let p = Rc::new(Playground::default());
        let p = reduce(p, Action::Apply);
        let (_, out) = p.last.clone().unwrap();
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        for key in ["/registry/namespaces/shop", "/registry/deployments/shop/web", "/registry/services/specs/shop/web"] {
            assert!(p.view.keys.iter().any(|k| k.key == key), "{key} stored");
        }
        let after = p.view.keys.clone();
        let p = reduce(p, Action::Edit("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n".into()));
        let p = reduce(p, Action::Apply);
        assert_eq!(p.view.keys, after, "a failed apply changes no key");
        assert_eq!(p.diagnostics()[0].line, 4);
    }

    #[test]
    fn terminal_runs_kubectl_and_etcdctl() {
        let p = reduce(Rc::new(Playground::default()), Action::Apply);
        let p = reduce(p, Action::Run("kubectl get deploy -n shop".into()));
        let (_, out) = p.last.clone().unwrap();
        assert!(out.stdout.starts_with("NAME "), "{}", out.stdout);
        let p = reduce(p, Action::Run("etcdctl get /registry/deployments --prefix --keys-only".into()));
        // kubeadm's CoreDNS Deployment is there from the start.
        assert_eq!(p.last.as_ref().unwrap().1.stdout, "/registry/deployments/kube-system/coredns\n\n/registry/deployments/shop/web\n\n");
        assert!(!p.view.nodes.is_empty(), "the cluster map shows the nodes");
        assert_eq!(p.transcript.len(), 3);
    }

    #[test]
    fn the_pipeline_shows_every_stage_of_the_last_command() {
        use kubeplay::trace::{Stage, Verdict};
        let p = reduce(Rc::new(Playground::default()), Action::Apply);
        let create = p.requests.iter().find(|r| r.method == "POST" && r.path.ends_with("/deployments")).unwrap();
        let stages: Vec<Stage> = create.stages.iter().map(|s| s.0).collect();
        assert_eq!(
            stages,
            [Stage::Authentication, Stage::Authorization, Stage::Decode, Stage::MutatingAdmission, Stage::Validation, Stage::ValidatingAdmission, Stage::Storage]
        );
        assert_eq!(create.stages[2].1, Verdict::Changed, "scheme defaults change a Deployment");
        assert_eq!(create.response.as_ref().unwrap().0, 201);
        assert_eq!(create.writes[0].0, "/registry/deployments/shop/web");
        let p = reduce(p, Action::Run("kubectl get pods -n shop --as jane".into()));
        assert_eq!(p.requests[0].stages[1].1, Verdict::Rejected);
    }

    #[test]
    fn stepping_back_shows_the_store_as_it_was() {
        let p = reduce(Rc::new(Playground::default()), Action::Apply);
        let live = p.view.revision;
        assert!(p.cursor.is_none());
        // Back to the record of the Deployment's create request: no pod exists yet then.
        let records = p.records();
        let create = records
            .iter()
            .find(|r| matches!(&r.event, Event::Request { verb, path, .. } if verb == "POST" && path.ends_with("/namespaces/shop/deployments")))
            .unwrap()
            .seq;
        let p = reduce(p, Action::Seek(create));
        assert_eq!(p.cursor, Some(create));
        assert!(p.view.revision < live);
        assert!(!p.view.keys.iter().any(|k| k.key.starts_with("/registry/deployments/shop/")), "not written yet");
        assert_eq!(p.view.request.as_ref().unwrap().stages.len(), 0, "no stage reached at the request record");
        assert_eq!(p.view.active, Some(Component::User));
        let p = reduce(p, Action::StepForward);
        assert_eq!(p.view.request.as_ref().unwrap().stages.len(), 1, "authentication revealed");
        assert_eq!(p.view.active, Some(Component::ApiServer));
        let p = reduce(p, Action::NextRequest);
        assert!(p.view.keys.iter().any(|k| k.key == "/registry/deployments/shop/web"), "written by the time the next request starts");
        let p = reduce(p, Action::Live);
        assert_eq!(p.view.revision, live);
    }

    #[test]
    fn a_session_replays_to_the_same_cluster() {
        let p = reduce(Rc::new(Playground::default()), Action::Apply);
        let p = reduce(p, Action::Run("run 10s".into()));
        let p = reduce(p, Action::Run("kubectl scale deployment web -n shop --replicas=1".into()));
        let saved = Session::from_json(&p.session.to_json()).unwrap();
        let again = Playground::from_session(saved);
        assert_eq!(again.view.keys, p.view.keys);
        assert_eq!(again.cluster.borrow().trace().render(), p.cluster.borrow().trace().render());
    }

    #[test]
    fn running_in_the_past_forks_history() {
        let p = reduce(Rc::new(Playground::default()), Action::Run("kubectl create namespace a".into()));
        let after_first = p.last_seq;
        let p = reduce(p, Action::Run("kubectl create namespace b".into()));
        let p = reduce(p, Action::Seek(after_first));
        let p = reduce(p, Action::Run("kubectl create namespace c".into()));
        let lines: Vec<&str> = p.session.inputs.iter().map(|i| i.line.as_str()).collect();
        assert_eq!(lines, ["kubectl create namespace a", "kubectl create namespace c"]);
        assert!(!p.view.keys.iter().any(|k| k.key == "/registry/namespaces/b"));
        assert!(p.view.keys.iter().any(|k| k.key == "/registry/namespaces/c"));
    }

    #[test]
    fn the_viewer_is_denied_writes_and_the_grant_is_in_the_session() {
        let p = reduce(Rc::new(Playground::default()), Action::SwitchPersona("viewer".into()));
        assert_eq!(p.session.inputs[0].line, "kubectl create clusterrolebinding viewer-view --clusterrole=view --user=viewer");
        let p = reduce(p, Action::Run("kubectl create namespace x".into()));
        let (line, out) = p.last.clone().unwrap();
        assert_eq!(line, "kubectl create namespace x --as=viewer");
        assert_eq!(
            out.stderr,
            "Error from server (Forbidden): namespaces is forbidden: User \"viewer\" cannot create resource \"namespaces\" in API group \"\" at the cluster scope\n"
        );
        let p = reduce(p, Action::Run("kubectl get ns kube-system".into()));
        assert_eq!(p.last.as_ref().unwrap().1.exit_code, 0);
    }

    #[test]
    fn the_object_inspector_follows_the_cursor() {
        let p = reduce(Rc::new(Playground::default()), Action::Apply);
        let p = reduce(p, Action::SelectKey("/registry/deployments/shop/web".into()));
        let o = p.view.object.clone().unwrap();
        assert!(o.yaml.contains("kind: Deployment"), "{}", o.yaml);
        assert_eq!(o.history[0].1, "create");
        let first = p.first_seq;
        let p = reduce(p, Action::Seek(first));
        assert_eq!(p.view.object.as_ref().unwrap().yaml, "", "not there at the first record");
    }
}

