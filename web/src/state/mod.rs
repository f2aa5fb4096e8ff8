//! The playground's state: the simulated cluster, the editor text, and what the last command
//! printed. Pure: no timers, storage or DOM here, so it is tested natively like the core.

mod cluster_map;
mod examples;
mod pipeline;

pub use cluster_map::{NodeView, PodChip};
pub use pipeline::RequestView;

pub use examples::{EXAMPLES, EXAMPLE_MANIFEST};

use kubeplay::api::Diagnostic;
use kubeplay::cli::{MemoryFiles, Output};
use kubeplay::store::RangeRequest;
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
}

/// Terminal entries kept on screen; older ones scroll away for good.
pub const MAX_TRANSCRIPT: usize = 200;

#[derive(Clone)]
pub struct Playground {
    /// Shared rather than cloned: a reduce step mutates the one cluster and re-derives the view.
    cluster: Rc<RefCell<Cluster>>,
    pub editor: String,
    /// The command that was run last and what it printed.
    pub last: Option<(String, Output)>,
    /// Every command run in this session (bounded), for the terminal.
    pub transcript: Vec<(String, Output)>,
    pub keys: Vec<KeyRow>,
    pub revision: i64,
    /// The store revision before the last command: rows modified after it are what it changed.
    pub revision_before_last: i64,
    /// The last command's API requests, stage by stage (bounded).
    pub requests: Vec<RequestView>,
    /// Nodes and their pods, for the cluster map.
    pub nodes: Vec<NodeView>,
}

/// Requests the pipeline panel keeps for one command.
pub const MAX_REQUESTS_SHOWN: usize = 300;

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.cluster, &other.cluster)
            && self.editor == other.editor
            && self.last == other.last
            && self.transcript.len() == other.transcript.len()
            && self.keys == other.keys
            && self.revision == other.revision
            && self.revision_before_last == other.revision_before_last
            && self.requests == other.requests
            && self.nodes == other.nodes
    }
}

impl Default for Playground {
    fn default() -> Self {
        Playground::new(1, EXAMPLE_MANIFEST.to_string())
    }
}

impl Playground {
    pub fn new(seed: u64, editor: String) -> Self {
        let cluster = Cluster::new(Config { seed, ..Config::default() });
        let mut p = Playground {
            cluster: Rc::new(RefCell::new(cluster)),
            editor,
            last: None,
            transcript: Vec::new(),
            keys: Vec::new(),
            revision: 0,
            revision_before_last: i64::MAX,
            requests: Vec::new(),
            nodes: Vec::new(),
        };
        p.refresh();
        p
    }

    /// Diagnostics of the last command, for the editor to mark.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.last.as_ref().map_or(&[], |(_, out)| out.diagnostics.as_slice())
    }

    fn run(&mut self, line: &str) {
        self.revision_before_last = self.revision + 1;
        let files = MemoryFiles::new().with("-", self.editor.as_bytes());
        let from_seq = self.cluster.borrow().trace().records().next_back().map_or(0, |r| r.seq + 1);
        let out = self.cluster.borrow_mut().execute(line, &files);
        self.requests = pipeline::requests_since(self.cluster.borrow().trace().records(), from_seq, MAX_REQUESTS_SHOWN);
        self.last = Some((line.to_string(), out.clone()));
        self.transcript.push((line.to_string(), out));
        if self.transcript.len() > MAX_TRANSCRIPT {
            let extra = self.transcript.len() - MAX_TRANSCRIPT;
            self.transcript.drain(..extra);
        }
        self.refresh();
    }

    fn refresh(&mut self) {
        let cluster = self.cluster.borrow();
        self.nodes = cluster_map::cluster_map(cluster.store(), 60);
        self.revision = cluster.store().revision();
        self.keys = cluster
            .store()
            .range(&RangeRequest::prefix(b"/"))
            .map(|resp| {
                resp.kvs
                    .into_iter()
                    .map(|kv| KeyRow {
                        key: String::from_utf8_lossy(&kv.key).into_owned(),
                        create_revision: kv.create_revision,
                        mod_revision: kv.mod_revision,
                        version: kv.version,
                        value_bytes: kv.value.len(),
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(text) => next.editor = text,
            Action::Apply => next.run("kubectl apply -f -"),
            Action::DryRun => next.run("kubectl apply -f - --dry-run=server"),
            Action::Run(line) => {
                if !line.trim().is_empty() {
                    next.run(line.trim());
                }
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(p: Rc<Playground>, a: Action) -> Rc<Playground> {
        p.reduce(a)
    }

    #[test]
    fn apply_adds_keys_and_a_failed_apply_keeps_them() {
        let p = Rc::new(Playground::default());
        let p = reduce(p, Action::Apply);
        let (_, out) = p.last.clone().unwrap();
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        for key in ["/registry/namespaces/shop", "/registry/deployments/shop/web", "/registry/services/specs/shop/web"] {
            assert!(p.keys.iter().any(|k| k.key == key), "{key} stored");
        }
        let after = p.keys.clone();
        let p = reduce(p, Action::Edit("apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n".into()));
        let p = reduce(p, Action::Apply);
        assert_eq!(p.keys, after, "a failed apply changes no key");
        assert_eq!(p.diagnostics()[0].line, 4);
    }

    #[test]
    fn terminal_runs_kubectl_and_etcdctl() {
        let p = reduce(Rc::new(Playground::default()), Action::Apply);
        let p = reduce(p, Action::Run("kubectl get deploy -n shop".into()));
        let (_, out) = p.last.clone().unwrap();
        assert!(out.stdout.starts_with("NAME "), "{}", out.stdout);
        let p = reduce(p, Action::Run("etcdctl get /registry/deployments --prefix --keys-only".into()));
        assert_eq!(p.last.as_ref().unwrap().1.stdout, "/registry/deployments/shop/web\n\n");
        assert!(!p.nodes.is_empty(), "the cluster map shows the nodes");
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
}
