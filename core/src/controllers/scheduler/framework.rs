//! The scheduling framework's cycle for one pod (`pkg/scheduler/framework/runtime`,
//! `schedule_one.go`): the PreFilter state computed over all nodes, the filter plugins run per
//! node in the profile's order (stopping at the first rejection), the score plugins with
//! PreScore (which may skip), Score, NormalizeScore and weight, `selectHost`, and `FitError`'s
//! message.

use super::filters::{self, Rejection};
use super::inter_pod_affinity::{self as ipa, NamespaceLabels};
use super::cache::ImageNodes;
use super::node_info::{NodeInfo, PodInfo};
use super::super::Caches;
use super::{scores, topology_spread as spread, volume_binding};
use crate::sim::Rng;
use crate::trace::scheduling::{ScorePlugin, ScoreResult};
use serde_json::Value;
use std::collections::BTreeMap;

/// The default profile's filter plugins we model, in its order (VolumeRestrictions,
/// NodeVolumeLimits and VolumeZone never reject in the simulation and are left out).
/// `Cycle::run` calls them by position in this list.
pub const FILTER_PLUGINS: [&str; 9] =
    ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeBinding", "PodTopologySpread", "InterPodAffinity"];

/// The default profile's score plugins and weights (`pkg/scheduler/apis/config/v1/default_plugins.go`).
pub const SCORE_PLUGINS: [(&str, i64); 7] = [
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodeResourcesFit", 1),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
];

pub fn score_columns() -> Vec<ScorePlugin> {
    SCORE_PLUGINS.iter().map(|(n, w)| ScorePlugin { name: n, weight: *w }).collect()
}

/// One pod's cycle state (`framework.CycleState`).
pub struct Cycle<'a> {
    pub pod: &'a Value,
    pub info: PodInfo,
    pub claims: volume_binding::PodVolumeClaims<'a>,
    caches: &'a Caches,
    ns: &'a NamespaceLabels,
    spread: Option<spread::SpreadState>,
    affinity: ipa::AffinityState,
    /// Whether NodeName and NodeAffinity have anything to check (`spec.nodeName`; a
    /// `nodeSelector` or required node affinity): without, they pass every node, which is
    /// then not worth looking the pod up again for, node after node.
    names_node: bool,
    selects_nodes: bool,
}

impl<'a> Cycle<'a> {
    /// PreFilter over the snapshot `nodes`. `info` is `PodInfo::from_pod(pod)`;
    /// `affinity_nodes` holds at least the nodes of `nodes` with pods with affinity terms.
    pub fn new(
        pod: &'a Value,
        info: PodInfo,
        claims: volume_binding::PodVolumeClaims<'a>,
        caches: &'a Caches,
        ns: &'a NamespaceLabels,
        nodes: &BTreeMap<String, NodeInfo>,
        affinity_nodes: ipa::AffinityNodes,
    ) -> Self {
        let spread = spread::pre_filter(pod, &info, nodes);
        let affinity = ipa::pre_filter(&info, nodes, ns, affinity_nodes);
        let spec = &pod["spec"];
        let names_node = spec["nodeName"].as_str().is_some_and(|n| !n.is_empty());
        let selects_nodes = spec["nodeSelector"].as_object().is_some_and(|s| !s.is_empty())
            || spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"].as_array().is_some();
        Cycle { pod, info, claims, caches, ns, spread, affinity, names_node, selects_nodes }
    }

    /// PreFilter again after pods were added to or removed from the snapshot (preemption's dry
    /// run; the framework's `AddPod`/`RemovePod` extensions).
    pub fn refresh(&mut self, nodes: &BTreeMap<String, NodeInfo>) {
        // Preemption moves pods between its own copies of the snapshot: any node may hold them.
        self.spread = spread::pre_filter(self.pod, &self.info, nodes);
        self.affinity = ipa::pre_filter(&self.info, nodes, self.ns, None);
    }

    /// The filter plugin `FILTER_PLUGINS[i]` on `node`. By position rather than by name: the
    /// plugins run on hundreds of nodes per pod, and matching their names was most of the cost
    /// of the filters that pass at once.
    fn run(&self, i: usize, node: &NodeInfo) -> Result<(), Rejection> {
        match i {
            0 => filters::node_unschedulable(self.pod, node),
            1 if self.names_node => filters::node_name(self.pod, node),
            2 => filters::taint_toleration(self.pod, node),
            3 if self.selects_nodes => filters::node_affinity(self.pod, node),
            4 => filters::node_ports(&self.info, node),
            5 => filters::node_resources_fit(&self.info, node),
            6 => volume_binding::filter(&self.claims, self.caches, node),
            7 => self.spread.as_ref().map_or(Ok(()), |s| spread::filter(s, node)),
            8 => ipa::filter(&self.affinity, node),
            _ => Ok(()),
        }
    }

    /// True when the pod passes every filter on `node` (preemption's dry run).
    pub fn fits(&self, node: &NodeInfo) -> Result<(), Rejection> {
        (0..FILTER_PLUGINS.len()).try_for_each(|i| self.run(i, node))
    }

    /// `RunFilterPlugins`: the plugins in `FILTER_PLUGINS` order up to the first rejection, which
    /// is returned with its plugin (`None`: the node is feasible).
    pub fn verdict(&self, node: &NodeInfo) -> Option<(&'static str, Rejection)> {
        FILTER_PLUGINS.iter().enumerate().find_map(|(i, p)| self.run(i, node).err().map(|r| (*p, r)))
    }

    /// PreScore, Score, NormalizeScore and weights for the feasible nodes, one column per plugin
    /// in `SCORE_PLUGINS` order.
    /// `image_nodes` counts, per image, the nodes of `all` holding it; `affinity_nodes` holds at
    /// least the nodes of `all` with pods with affinity terms.
    pub fn score(&self, all: &BTreeMap<String, NodeInfo>, image_nodes: &ImageNodes, feasible: &[&NodeInfo], affinity_nodes: ipa::AffinityNodes) -> Scores {
        let n = feasible.len();
        // ImageLocality's PreScore: the pod's images with the share of nodes holding each.
        let pod_images = scores::PodImages::new(self.pod, image_nodes, all.len());
        // (ran, raw, normalised) per plugin.
        let mut columns: Vec<(bool, Vec<i64>, Vec<i64>)> = Vec::new();
        for (plugin, _) in SCORE_PLUGINS {
            let column: Option<(Vec<i64>, Vec<i64>)> = match plugin {
                "TaintToleration" => {
                    let raw: Vec<i64> = feasible.iter().map(|nd| filters::intolerable_prefer_no_schedule(self.pod, nd)).collect();
                    let mut norm = raw.clone();
                    scores::default_normalize(&mut norm, true);
                    Some((raw, norm))
                }
                "NodeAffinity" => {
                    let raw: Option<Vec<i64>> = feasible.iter().map(|nd| filters::preferred_node_affinity(self.pod, nd)).collect();
                    raw.map(|raw| {
                        let mut norm = raw.clone();
                        scores::default_normalize(&mut norm, false);
                        (raw, norm)
                    })
                }
                "NodeResourcesFit" => {
                    let raw: Vec<i64> = feasible.iter().map(|nd| scores::least_allocated(self.info.non_zero_requests, nd)).collect();
                    Some((raw.clone(), raw))
                }
                "PodTopologySpread" => spread::scores(self.pod, &self.info, self.caches, all, feasible).map(|(raw, ignored)| {
                    let mut norm = raw.clone();
                    spread::normalize(&mut norm, &ignored);
                    (raw, norm)
                }),
                "InterPodAffinity" => ipa::scores(&self.info, all, feasible, self.ns, affinity_nodes).map(|raw| {
                    let mut norm = raw.clone();
                    ipa::normalize(&mut norm);
                    (raw, norm)
                }),
                "NodeResourcesBalancedAllocation" => {
                    let raw: Option<Vec<i64>> = feasible.iter().map(|nd| scores::balanced_allocation(self.info.requests, nd)).collect();
                    raw.map(|raw| (raw.clone(), raw))
                }
                "ImageLocality" => {
                    let raw: Vec<i64> = feasible.iter().map(|nd| scores::image_locality(&pod_images, nd)).collect();
                    Some((raw.clone(), raw))
                }
                _ => None,
            };
            columns.push(match column {
                Some((raw, norm)) => (true, raw, norm),
                None => (false, vec![0; n], vec![0; n]),
            });
        }
        Scores { columns }
    }
}

/// The score plugins' columns over the feasible nodes: (ran, raw, normalised) per plugin.
pub struct Scores {
    columns: Vec<(bool, Vec<i64>, Vec<i64>)>,
}

impl Scores {
    /// The `i`th feasible node's total: its weighted scores summed.
    pub fn total(&self, i: usize) -> i64 {
        SCORE_PLUGINS.iter().zip(&self.columns).map(|((_, weight), (_, _, norm))| norm.get(i).copied().unwrap_or(0) * weight).sum()
    }

    /// The `i`th feasible node's row: one result per plugin in `SCORE_PLUGINS` order.
    pub fn results(&self, i: usize) -> Vec<ScoreResult> {
        SCORE_PLUGINS
            .iter()
            .zip(&self.columns)
            .map(|((plugin, weight), (ran, raw, norm))| ScoreResult {
                plugin,
                ran: *ran,
                raw: raw.get(i).copied().unwrap_or(0),
                normalized: norm.get(i).copied().unwrap_or(0),
                weighted: norm.get(i).copied().unwrap_or(0) * weight,
            })
            .collect()
    }
}

/// `selectHost`: the best total, ties broken by reservoir sampling (each further tied node
/// replaces the choice with probability 1/count), which draws from the RNG once per tie.
/// Returns the node and how many shared the best total.
pub fn select_host<S: AsRef<str>>(totals: &[(S, i64)], rng: &mut Rng) -> Option<(String, usize)> {
    let best = totals.iter().map(|t| t.1).max()?;
    let mut chosen = None;
    let mut count = 0u64;
    for (name, total) in totals {
        if *total != best {
            continue;
        }
        count += 1;
        if count == 1 || rng.below(count) == 0 {
            chosen = Some(name);
        }
    }
    chosen.map(|c| (c.as_ref().to_string(), count as usize))
}

/// `FitError.Error()`: "0/N nodes are available:" then the sorted histogram of the filters'
/// reasons, then the PostFilter's message (" preemption: ..."), if any.
pub fn fit_error<'r>(total: usize, statuses: impl Iterator<Item = &'r Rejection>, post_filter: &str) -> String {
    if total == 0 {
        return "no nodes available to schedule pods".into();
    }
    let mut histogram: BTreeMap<&str, usize> = BTreeMap::new();
    for r in statuses {
        for reason in &r.reasons {
            *histogram.entry(reason.as_str()).or_default() += 1;
        }
    }
    let mut parts: Vec<String> = histogram.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    let mut msg = format!("0/{total} nodes are available:");
    if !parts.is_empty() {
        msg.push_str(&format!(" {}.", parts.join(", ")));
    }
    if !post_filter.is_empty() {
        msg.push(' ');
        msg.push_str(post_filter);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Cycle::run` calls the plugins by position: a plugin renamed or moved in the list must
    /// be moved there too.
    #[test]
    fn the_filter_plugins_are_in_the_order_cycle_run_calls_them() {
        let expected =
            ["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeBinding", "PodTopologySpread", "InterPodAffinity"];
        assert_eq!(FILTER_PLUGINS, expected);
    }

    #[test]
    fn fit_error_reads_like_kube_scheduler() {
        let taint = Rejection { reasons: vec!["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".into()], unresolvable: true };
        let cpu = Rejection { reasons: vec!["Insufficient cpu".into()], unresolvable: false };
        let rejections = [taint, cpu.clone(), cpu.clone(), cpu];
        assert_eq!(
            fit_error(4, rejections.iter(), "preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. \
             preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
        assert_eq!(fit_error(0, [].iter(), ""), "no nodes available to schedule pods");
    }

    #[test]
    fn select_host_draws_only_for_ties() {
        let mut rng = Rng::new(1);
        let before = rng.clone().next_u64();
        let one = [("a".to_string(), 10), ("b".to_string(), 5)];
        assert_eq!(select_host(&one, &mut rng), Some(("a".to_string(), 1)));
        assert_eq!(rng.clone().next_u64(), before, "no tie, no draw");
        let tied = [("a".to_string(), 10), ("b".to_string(), 10), ("c".to_string(), 10)];
        let mut picks = BTreeMap::new();
        for _ in 0..300 {
            let (n, count) = select_host(&tied, &mut rng).unwrap();
            assert_eq!(count, 3);
            *picks.entry(n).or_insert(0) += 1;
        }
        assert_eq!(picks.len(), 3, "every tied node gets picked: {picks:?}");
    }
}
