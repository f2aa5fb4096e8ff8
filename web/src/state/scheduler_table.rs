//! A kube-scheduler attempt (the trace's `Scheduling` record) turned into the rows and cells the
//! inspector's "Scheduler" view draws, as kube-scheduler-simulator's result table shows it: nodes
//! as rows, the filter plugins' verdicts as columns, then for the feasible nodes each score
//! plugin's `raw → normalised ×weight = weighted`, the total, and the node chosen. Pure, so it is
//! tested natively; the Yew view is `views/scheduler_table.rs`. The inspector shows it at a
//! scheduling record, at the binding request that carried it out, and beside a pod's YAML.

use kubeplay::trace::scheduling::{Preemption, SchedulingAttempt, Verdict};
use kubeplay::trace::{Event, Record};

/// `namespace/name` of the pod a `POST .../pods/NAME/binding` request binds.
pub fn pod_of_binding(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let (ns, rest) = rest.split_once("/pods/")?;
    let name = rest.strip_suffix("/binding")?;
    (!ns.is_empty() && !name.is_empty() && !name.contains('/')).then(|| format!("{ns}/{name}"))
}

/// `namespace/name` of the pod stored under an etcd key (`/registry/pods/NS/NAME`).
pub fn pod_of_key(key: &str) -> Option<String> {
    let rest = key.strip_prefix("/registry/pods/")?;
    let (ns, name) = rest.split_once('/')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains('/')).then(|| rest.to_string())
}

/// kube-scheduler's newest attempt for `pod` at or before trace record `at`: what a binding
/// request carried out, or why the pod is still Pending.
pub fn last_attempt(records: &[&Record], at: u64, pod: &str) -> Option<SchedulerTable> {
    records.iter().rev().filter(|r| r.seq <= at).find_map(|r| match &r.event {
        Event::Scheduling(a) if a.pod == pod => Some(SchedulerTable::from_attempt(a)),
        _ => None,
    })
}

/// How a cell reads (and is coloured).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellState {
    /// The filter passed the node.
    Passed,
    /// The filter rejected the node: the cell is red and says why.
    Failed,
    /// The framework stopped at an earlier rejection, so this filter did not run (`-`).
    NotRun,
    /// A score plugin's score on a feasible node.
    Score,
    /// The score plugin's PreScore answered Skip: it does not score this pod.
    Skipped,
}

/// One cell: its text, what hovering shows (the full reason), and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub title: String,
    pub state: CellState,
}

/// One node's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub node: String,
    pub feasible: bool,
    /// The node the pod was bound (or nominated) to.
    pub chosen: bool,
    /// One per filter plugin, in the table's filter columns' order.
    pub filters: Vec<Cell>,
    /// One per score plugin for feasible nodes that were scored; empty otherwise.
    pub scores: Vec<Cell>,
    pub total: Option<i64>,
}

/// What the attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A node was selected (`Scheduled`'s message).
    Bound { node: String, message: String },
    /// DefaultPreemption nominated a node and evicted these pods.
    Nominated { node: String, victims: Vec<String>, message: String },
    /// No node fitted and preemption could not help (`FailedScheduling`'s message).
    Failed { message: String },
}

/// The whole view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerTable {
    pub pod: String,
    pub priority: i32,
    pub attempt: u32,
    pub nodes_total: usize,
    pub feasible: usize,
    pub outcome: Outcome,
    /// A PreFilter plugin that rejected the pod everywhere: (plugin, message).
    pub pre_filter_rejection: Option<(String, String)>,
    pub filter_plugins: Vec<String>,
    /// Score column headers: (plugin, weight).
    pub score_plugins: Vec<(String, i64)>,
    pub rows: Vec<Row>,
    /// Nodes beyond the record's bound, and how many of them were feasible.
    pub nodes_summarised: usize,
    pub feasible_summarised: usize,
    /// Nodes the filters looked at, and where they stop (`numFeasibleNodesToFind`): fewer than
    /// `nodes_total` from 100 nodes on.
    pub nodes_searched: usize,
    pub nodes_to_find: usize,
    /// One feasible node: kube-scheduler binds it without scoring.
    pub scoring_skipped: bool,
    /// Nodes that shared the best total (selectHost picked one at random).
    pub tied_nodes: usize,
}

impl SchedulerTable {
    pub fn from_attempt(a: &SchedulingAttempt) -> Self {
        let chosen = a.selected_node.clone().or_else(|| a.preemption.as_ref().and_then(|p| p.nominated_node.clone()));
        let rows = a
            .nodes
            .iter()
            .map(|n| {
                let filters = a
                    .filter_plugins
                    .iter()
                    .enumerate()
                    .map(|(i, plugin)| match n.filter(i) {
                        Some(Verdict::Passed) => Cell { text: "✓".into(), title: format!("{plugin}: passed"), state: CellState::Passed },
                        Some(Verdict::Rejected(f)) => {
                            let title = if f.unresolvable { format!("{plugin}: {} (UnschedulableAndUnresolvable)", f.reason) } else { format!("{plugin}: {}", f.reason) };
                            Cell { text: format!("✗ {}", f.reason), title, state: CellState::Failed }
                        }
                        None => Cell { text: "-".into(), title: String::new(), state: CellState::NotRun },
                    })
                    .collect();
                let scores = if n.feasible() {
                    a.score_plugins
                        .iter()
                        .filter_map(|p| n.score(&a.score_plugins, p.name).map(|s| (p, s)))
                        .map(|(p, s)| {
                            if s.ran {
                                let text = format!("{} → {} ×{} = {}", s.raw, s.normalized, p.weight, s.weighted);
                                Cell { title: format!("{}: {text}", p.name), text, state: CellState::Score }
                            } else {
                                Cell { text: "skip".into(), title: format!("{}: PreScore Skip", p.name), state: CellState::Skipped }
                            }
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                Row { node: n.node.clone(), feasible: n.feasible(), chosen: chosen.as_deref() == Some(n.node.as_str()), filters, scores, total: n.total }
            })
            .collect();
        let outcome = match (&a.selected_node, &a.preemption) {
            (Some(node), _) => Outcome::Bound { node: node.clone(), message: a.message.clone() },
            (None, Some(Preemption { nominated_node: Some(node), victims, .. })) => Outcome::Nominated { node: node.clone(), victims: victims.clone(), message: a.message.clone() },
            (None, _) => Outcome::Failed { message: a.message.clone() },
        };
        SchedulerTable {
            pod: a.pod.clone(),
            priority: a.priority,
            attempt: a.attempt,
            nodes_total: a.nodes_total,
            feasible: a.nodes.iter().filter(|n| n.feasible()).count() + a.feasible_summarised,
            outcome,
            pre_filter_rejection: a.pre_filter_rejection.clone(),
            filter_plugins: a.filter_plugins.iter().map(|p| p.to_string()).collect(),
            score_plugins: a.score_plugins.iter().map(|p| (p.name.to_string(), p.weight)).collect(),
            rows,
            nodes_summarised: a.nodes_summarised,
            feasible_summarised: a.feasible_summarised,
            nodes_searched: a.nodes.len() + a.nodes_summarised,
            nodes_to_find: a.nodes_to_find,
            scoring_skipped: a.scoring_skipped,
            tied_nodes: a.tied_nodes,
        }
    }
}
