//! The trace record of one kube-scheduler scheduling attempt: for every node, what each filter
//! plugin answered and, for the nodes that passed, each score plugin's raw, normalised and weighted
//! score, the total and the node chosen. This is what kube-scheduler-simulator shows as its
//! result table (it records the same data as annotations on the pod); kube-scheduler itself only
//! logs it at high verbosity.
//!
//! Example (a pod asking for 3 CPUs on a cluster whose workers have 4, one of them busy):
//!
//! ```text
//! NODE            NodeUnschedulable  NodeName  TaintToleration                          ...  NodeResourcesFit
//! control-plane   passed             passed    node(s) had untolerated taint {node-...}  ...  -
//! node-1          passed             passed    passed                                   ...  Insufficient cpu
//! node-2          passed             passed    passed                                   ...  passed
//! ```
//!
//! The record is bounded: at most [`MAX_DETAILED_NODES`] nodes are listed with their verdicts,
//! the rest are only counted in `nodes_summarised`. Rendering it as a table is
//! [`SchedulingAttempt::render_table`] (the `scheduler explain` command); the web inspector can
//! draw the same table from the fields.

use serde::Serialize;
use std::fmt::Write;

/// Nodes listed one by one in a record; the others are summarised.
pub const MAX_DETAILED_NODES: usize = 100;

/// One scheduling attempt of one pod (`scheduleOne`: PreFilter, Filter, PostFilter, PreScore,
/// Score, NormalizeScore, selectHost).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchedulingAttempt {
    /// `namespace/name` of the pod.
    pub pod: String,
    pub pod_uid: String,
    /// `spec.priority` (0 when unset), which ordered the pod in the active queue.
    pub priority: i32,
    /// How many times the scheduler has popped this pod from its queue, this attempt included
    /// (`QueuedPodInfo.Attempts`, which also sets the back-off).
    pub attempt: u32,
    /// Every node in the scheduler's snapshot (`NumAllNodes`).
    pub nodes_total: usize,
    /// `numFeasibleNodesToFind`: the filters stop once this many nodes passed (all of them below
    /// 100 nodes); `nodes` and `nodes_summarised` then cover only the nodes looked at.
    pub nodes_to_find: usize,
    /// The filter plugins, in the order the framework runs them: the table's filter columns.
    pub filter_plugins: Vec<&'static str>,
    /// The score plugins with their weights, in the profile's order: the score columns.
    pub score_plugins: Vec<ScorePlugin>,
    /// A PreFilter plugin that rejected the pod for every node (`plugin`, message); then no
    /// filter ran and `nodes` is empty.
    pub pre_filter_rejection: Option<(String, String)>,
    /// Per node, in the order the filters ran (node-name order from `nextStartNodeIndex`, round
    /// the list), at most [`MAX_DETAILED_NODES`].
    pub nodes: Vec<NodeResult>,
    /// Nodes left out of `nodes` because of the bound, and how many of them were feasible.
    pub nodes_summarised: usize,
    pub feasible_summarised: usize,
    /// True when exactly one node passed the filters: kube-scheduler then binds it without
    /// scoring (`schedulePod` returns early), so no scores are recorded.
    pub scoring_skipped: bool,
    /// The node chosen (bound, or waiting for its volumes), if any.
    pub selected_node: Option<String>,
    /// How many nodes shared the best total: `selectHost` picked one of them by reservoir
    /// sampling with the seeded RNG.
    pub tied_nodes: usize,
    /// What DefaultPreemption (the PostFilter) did when no node fitted; `None` when it did not run.
    pub preemption: Option<Preemption>,
    /// `Scheduled`'s or `FailedScheduling`'s event message.
    pub message: String,
}

/// A score plugin column: its name and the weight its normalised score is multiplied by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScorePlugin {
    pub name: &'static str,
    pub weight: i64,
}

/// One node's row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeResult {
    pub node: String,
    /// How many of `filter_plugins`, from the first, passed on this node: all of them on a
    /// feasible node. The framework stops at the first plugin that does not pass, so the plugins
    /// after a rejection did not run (their cells are rendered `-`). A count and the one
    /// rejection, not a cell per plugin: a record holds up to 100 rows.
    pub filters_passed: u8,
    /// The verdict of the plugin after those, when it rejected the node.
    pub rejection: Option<Box<Rejected>>,
    /// Filled for feasible nodes once scoring ran, one per `score_plugins` column in its order
    /// ([`NodeResult::set_scores`], read back by [`NodeResult::scores`]). Only the two numbers
    /// a plugin computed are kept: its name and weight are the column's, the weighted score is
    /// their product, and whether it ran is a bit of `skipped`. A record holds up to 100 rows
    /// of seven plugins, so the full [`ScoreResult`] per cell (48 bytes) was most of its size.
    scores: Box<[Score]>,
    /// Bit `i` set: the `i`th score plugin did not run (PreScore answered Skip).
    skipped: u32,
    /// Sum of the weighted scores (feasible nodes that were scored).
    pub total: Option<i64>,
}

/// What one score plugin computed for one node, as a row keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
struct Score {
    raw: i64,
    normalized: i64,
}

/// A filter plugin's rejection of one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The plugin's Status message (its reasons joined by ", ", as `Status.Message()` does).
    pub reason: String,
    /// `UnschedulableAndUnresolvable`: evicting pods could not make this node fit.
    pub unresolvable: bool,
}

/// One filter plugin's verdict on one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict<'a> {
    Passed,
    Rejected(&'a Rejected),
}

impl NodeResult {
    /// A node every one of `plugins` filters passed.
    pub fn feasible_row(node: impl Into<String>, plugins: usize) -> Self {
        NodeResult { node: node.into(), filters_passed: u8::try_from(plugins).unwrap_or(u8::MAX), rejection: None, scores: Box::default(), skipped: 0, total: None }
    }

    /// Records the scores of a feasible node, one per score plugin in the record's
    /// `score_plugins` order (what the framework's results give), and their total.
    pub fn set_scores(&mut self, scores: &[ScoreResult], total: Option<i64>) {
        self.skipped = 0;
        for (i, s) in scores.iter().enumerate() {
            // Past 32 plugins (the profile has seven) a skip is not kept: it would render as 0.
            if !s.ran && i < 32 {
                self.skipped |= 1 << i;
            }
        }
        self.scores = scores.iter().map(|s| Score { raw: s.raw, normalized: s.normalized }).collect();
        self.total = total;
    }

    /// The row's scores, one per column of `plugins` (the record's `score_plugins`) that has
    /// one; none for a node that was not scored.
    pub fn scores<'a>(&'a self, plugins: &'a [ScorePlugin]) -> impl Iterator<Item = ScoreResult> + 'a {
        plugins.iter().zip(self.scores.iter()).enumerate().map(|(i, (p, s))| ScoreResult {
            plugin: p.name,
            ran: i >= 32 || self.skipped & (1 << i) == 0,
            raw: s.raw,
            normalized: s.normalized,
            weighted: s.normalized.saturating_mul(p.weight),
        })
    }

    /// The score of the plugin named `plugin`, one of `plugins` (the record's `score_plugins`).
    pub fn score(&self, plugins: &[ScorePlugin], plugin: &str) -> Option<ScoreResult> {
        self.scores(plugins).find(|s| s.plugin == plugin)
    }

    /// A node the plugin after the first `passed` rejected.
    pub fn rejected_row(node: impl Into<String>, passed: usize, reason: impl Into<String>, unresolvable: bool) -> Self {
        let rejection = Some(Box::new(Rejected { reason: reason.into(), unresolvable }));
        NodeResult { rejection, ..NodeResult::feasible_row(node, passed) }
    }

    /// True when every filter passed.
    pub fn feasible(&self) -> bool {
        self.rejection.is_none()
    }

    /// The verdict of the `i`th of `filter_plugins`; `None` for a plugin that did not run.
    pub fn filter(&self, i: usize) -> Option<Verdict<'_>> {
        let passed = usize::from(self.filters_passed);
        match &self.rejection {
            _ if i < passed => Some(Verdict::Passed),
            Some(r) if i == passed => Some(Verdict::Rejected(r)),
            _ => None,
        }
    }
}

/// One score plugin on one node: what the framework's results give a row, and what a row
/// gives back from its compact form ([`NodeResult::scores`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScoreResult {
    pub plugin: &'static str,
    /// False when the plugin's PreScore answered Skip for this pod: it does not score at all.
    pub ran: bool,
    /// What `Score` returned.
    pub raw: i64,
    /// After `NormalizeScore` (equal to `raw` for plugins without one), in 0..=100.
    pub normalized: i64,
    /// `normalized * weight`: what the total adds up.
    pub weighted: i64,
}

/// DefaultPreemption's outcome for a pod no node fitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Preemption {
    /// The node chosen, set as the pod's `status.nominatedNodeName`; `None` when preemption
    /// could not help (then `message` is the PostFilter's "preemption: ..." text).
    pub nominated_node: Option<String>,
    /// `namespace/name` of the pods deleted to make room, most important first.
    pub victims: Vec<String>,
    /// The PostFilter status message, empty on success.
    pub message: String,
}

fn pad(s: &mut String, cell: &str, width: usize) {
    s.push_str(cell);
    for _ in cell.chars().count()..width + 2 {
        s.push(' ');
    }
}

/// Lays out rows as kubectl's tab writer does: columns two spaces apart, the last unpadded.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|x| x.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                out.push_str(cell);
            } else {
                pad(&mut out, cell, widths.get(i).copied().unwrap_or(0));
            }
        }
        out.push('\n');
    }
    out
}

impl SchedulingAttempt {
    /// The one trace line.
    pub fn summary(&self) -> String {
        let feasible = self.nodes.iter().filter(|n| n.feasible()).count() + self.feasible_summarised;
        let mut s = format!("scheduling {} (attempt {}): {feasible}/{} nodes feasible", self.pod, self.attempt, self.nodes_total);
        match (&self.selected_node, &self.preemption) {
            (Some(node), _) => {
                let _ = write!(s, ", selected {node}");
                if self.tied_nodes > 1 {
                    let _ = write!(s, " (1 of {} tied)", self.tied_nodes);
                }
            }
            (None, Some(Preemption { nominated_node: Some(node), victims, .. })) => {
                let _ = write!(s, ", preempting {} pod(s) on {node}", victims.len());
            }
            (None, _) => s.push_str(", unschedulable"),
        }
        s
    }

    /// The attempt as the tables `scheduler explain` prints: a header, the filter verdicts per
    /// node, the scores of the feasible nodes, and the outcome.
    pub fn render_table(&self) -> String {
        let mut out = format!("Pod:       {} (priority {}), attempt {}\n", self.pod, self.priority, self.attempt);
        let _ = writeln!(out, "Nodes:     {} in the snapshot", self.nodes_total);
        let looked_at = self.nodes.len() + self.nodes_summarised;
        if looked_at > 0 && looked_at < self.nodes_total {
            let _ = writeln!(
                out,
                "Searched:  {looked_at} of them: the filters stop at {} feasible nodes (numFeasibleNodesToFind, the adaptive percentageOfNodesToScore)",
                self.nodes_to_find
            );
        }
        if let Some((plugin, message)) = &self.pre_filter_rejection {
            let _ = writeln!(out, "PreFilter: {plugin} rejected the pod on every node: {message}");
        }
        if !self.nodes.is_empty() {
            out.push_str("\nFilter (first rejection stops a node; - = not run):\n");
            let mut rows = vec![std::iter::once("NODE".to_string()).chain(self.filter_plugins.iter().map(|p| p.to_string())).collect::<Vec<_>>()];
            for n in &self.nodes {
                let mut row = vec![n.node.clone()];
                for (i, _) in self.filter_plugins.iter().enumerate() {
                    row.push(match n.filter(i) {
                        Some(Verdict::Passed) => "passed".into(),
                        Some(Verdict::Rejected(r)) => r.reason.clone(),
                        None => "-".into(),
                    });
                }
                rows.push(row);
            }
            out.push_str(&table(&rows));
        }
        if self.nodes_summarised > 0 {
            let _ = writeln!(out, "... and {} more node(s), {} of them feasible", self.nodes_summarised, self.feasible_summarised);
        }
        let scored: Vec<&NodeResult> = self.nodes.iter().filter(|n| n.total.is_some()).collect();
        if self.scoring_skipped {
            out.push_str("\nScore: skipped, only one node passed the filters\n");
        } else if !scored.is_empty() {
            out.push_str("\nScore (raw -> normalized x weight = weighted; skip = PreScore skipped the plugin):\n");
            let header = std::iter::once("NODE".to_string())
                .chain(self.score_plugins.iter().map(|p| format!("{} (x{})", p.name, p.weight)))
                .chain(std::iter::once("TOTAL".to_string()))
                .collect::<Vec<_>>();
            let mut rows = vec![header];
            for n in scored {
                let mut row = vec![n.node.clone()];
                for s in n.scores(&self.score_plugins) {
                    row.push(if s.ran { format!("{} -> {} = {}", s.raw, s.normalized, s.weighted) } else { "skip".into() });
                }
                row.push(n.total.unwrap_or(0).to_string());
                rows.push(row);
            }
            out.push_str(&table(&rows));
        }
        out.push('\n');
        if let Some(node) = &self.selected_node {
            let _ = write!(out, "Selected:  {node}");
            if self.tied_nodes > 1 {
                let _ = write!(out, " (reservoir sampling among {} nodes with the best total)", self.tied_nodes);
            }
            out.push('\n');
        }
        if let Some(p) = &self.preemption {
            match &p.nominated_node {
                Some(node) => {
                    let _ = writeln!(out, "Preemption: nominated {node}, victims: {}", if p.victims.is_empty() { "none".to_string() } else { p.victims.join(", ") });
                }
                None => {
                    let _ = writeln!(out, "Preemption: {}", p.message.strip_prefix("preemption: ").unwrap_or(&p.message));
                }
            }
        }
        let _ = writeln!(out, "Message:   {}", self.message);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt() -> SchedulingAttempt {
        let score = |p: &'static str, raw, normalized, weight| ScoreResult { plugin: p, ran: true, raw, normalized, weighted: normalized * weight };
        SchedulingAttempt {
            pod: "default/web".into(),
            pod_uid: "u".into(),
            priority: 0,
            attempt: 1,
            nodes_total: 2,
            nodes_to_find: 2,
            filter_plugins: vec!["TaintToleration", "NodeResourcesFit"],
            score_plugins: vec![ScorePlugin { name: "TaintToleration", weight: 3 }],
            pre_filter_rejection: None,
            nodes: vec![
                NodeResult::rejected_row("control-plane", 0, "node(s) had untolerated taint {a: }", true),
                {
                    let mut row = NodeResult::feasible_row("node-1", 2);
                    row.set_scores(&[score("TaintToleration", 0, 100, 3)], Some(300));
                    row
                },
            ],
            nodes_summarised: 0,
            feasible_summarised: 0,
            scoring_skipped: false,
            selected_node: Some("node-1".into()),
            tied_nodes: 1,
            preemption: None,
            message: "Successfully assigned default/web to node-1".into(),
        }
    }

    #[test]
    fn the_table_lists_each_node_against_each_plugin() {
        let t = attempt().render_table();
        assert!(t.contains("NODE           TaintToleration                      NodeResourcesFit\n"), "{t}");
        assert!(t.contains("control-plane  node(s) had untolerated taint {a: }  -\n"), "{t}");
        assert!(t.contains("node-1         passed                               passed\n"), "{t}");
        assert!(t.contains("NODE    TaintToleration (x3)  TOTAL\nnode-1  0 -> 100 = 300        300\n"), "{t}");
        assert_eq!(attempt().summary(), "scheduling default/web (attempt 1): 1/2 nodes feasible, selected node-1");
    }
    #[test]
    fn a_row_passes_the_plugins_before_its_rejection_and_did_not_run_the_rest() {
        let row = NodeResult::rejected_row("node-2", 1, "Insufficient cpu", false);
        assert_eq!(row.filter(0), Some(Verdict::Passed));
        assert_eq!(row.filter(1), Some(Verdict::Rejected(&Rejected { reason: "Insufficient cpu".into(), unresolvable: false })));
        assert_eq!(row.filter(2), None);
        assert!(!row.feasible());
        let row = NodeResult::feasible_row("node-1", 2);
        assert_eq!((row.filter(1), row.filter(2)), (Some(Verdict::Passed), None));
        assert!(row.feasible());
    }
    #[test]
    fn a_row_gives_back_the_scores_it_was_given() {
        let plugins = [ScorePlugin { name: "TaintToleration", weight: 3 }, ScorePlugin { name: "NodeAffinity", weight: 2 }, ScorePlugin { name: "ImageLocality", weight: 1 }];
        let given = vec![
            ScoreResult { plugin: "TaintToleration", ran: true, raw: 1, normalized: 50, weighted: 150 },
            ScoreResult { plugin: "NodeAffinity", ran: false, raw: 0, normalized: 0, weighted: 0 },
            ScoreResult { plugin: "ImageLocality", ran: true, raw: 23, normalized: 23, weighted: 23 },
        ];
        let mut row = NodeResult::feasible_row("node-1", 2);
        assert_eq!(row.scores(&plugins).count(), 0, "not scored yet");
        row.set_scores(&given, Some(173));
        assert_eq!(row.scores(&plugins).collect::<Vec<_>>(), given);
        assert_eq!(row.score(&plugins, "NodeAffinity"), given.get(1).cloned());
        assert_eq!(row.score(&plugins, "NodeResourcesFit"), None);
        assert_eq!(row.total, Some(173));
    }
}
