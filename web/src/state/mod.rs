//! The playground's state: the simulated cluster, the editor text, and what the last command
//! printed. Pure: no timers, storage or DOM here, so it is tested natively like the core.

mod action;
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
mod view;

pub use action::Action;
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
pub use view::{KeyRow, ObjectView, View};
#[cfg(test)]
use view::key_rows;

pub use examples::{Example, EXAMPLES, EXAMPLE_MANIFEST};

use kubeplay::api::Diagnostic;
use kubeplay::cli::Output;
use kubeplay::store::RangeRequest;
use kubeplay::trace::Event;
#[cfg(test)]
use kubeplay::trace::Record;
use kubeplay::{Cluster, Config};
use std::cell::RefCell;
use std::rc::Rc;

/// Terminal entries kept on screen; older ones scroll away for good.
pub const MAX_TRANSCRIPT: usize = 200;
/// Requests the pipeline panel keeps for one command.
pub const MAX_REQUESTS_SHOWN: usize = 300;
/// Chips drawn per node before the rest are summarised.
pub const MAX_PODS_PER_NODE: usize = 60;
/// Entries of a "led to" tree.
pub const MAX_CAUSED: usize = 200;

/// The playground: one simulated cluster, the session that rebuilds it, and what the page shows
/// of it (`view.rs` derives the panels, `action.rs` changes it, `run.rs` runs its commands).
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use yew::Reducible;

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

