//! InterPodAffinity (`pkg/scheduler/framework/plugins/interpodaffinity`): the pod's required
//! affinity and anti-affinity to pods already placed, the placed pods' required anti-affinity to
//! it (Filter), and the preferred terms of both sides plus the placed pods' required affinity at
//! `hardPodAffinityWeight` 1 (Score, normalised min-max).
//!
//! A term matches a pod when the pod is in one of the term's namespaces (the owner's own when
//! the term names none and has no namespaceSelector) and its labels match the term's selector
//! (with `matchLabelKeys` / `mismatchLabelKeys` turned into `In` / `NotIn` on the owner's
//! values). Counts are kept per topology pair `(topologyKey, value of the node holding the pod)`.

use super::filters::Rejection;
use super::node_info::{NodeInfo, PodInfo};
use crate::apiserver::select::LabelSelector;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The names of the nodes that may hold pods with affinity terms (`HavePodsWithAffinityList`):
/// at least every node of the snapshot whose `pods_with_affinity` is not 0. A pod without terms
/// of its own looks only at those, and finding them by walking every node for every pod was
/// 1.6% of a 5,000-node scheduling run. `None`: walk every node.
pub type AffinityNodes<'a> = Option<&'a BTreeSet<String>>;

/// The nodes with pods with affinity terms, in name order (the order of `nodes`).
fn with_affinity<'n>(nodes: &'n BTreeMap<String, NodeInfo>, candidates: AffinityNodes<'n>) -> Box<dyn Iterator<Item = &'n NodeInfo> + 'n> {
    match candidates {
        Some(names) => Box::new(names.iter().filter_map(|n| nodes.get(n)).filter(|n| n.pods_with_affinity > 0)),
        None => Box::new(nodes.values().filter(|n| n.pods_with_affinity > 0)),
    }
}

/// `HardPodAffinityWeight` default of `InterPodAffinityArgs`.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

pub const AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't match pod affinity rules";
pub const ANTI_AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't match pod anti-affinity rules";
pub const EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

/// Namespace name -> its labels, for `namespaceSelector`.
pub type NamespaceLabels = BTreeMap<String, BTreeMap<String, String>>;

/// A `PodAffinityTerm` resolved against the pod that carries it (`framework.AffinityTerm`).
#[derive(Clone, Debug)]
struct Term {
    /// `None`: a missing selector, which matches no pod.
    selector: Option<LabelSelector>,
    /// `None`: every namespace (an empty `namespaceSelector`).
    namespaces: Option<Vec<String>>,
    topology_key: String,
    weight: i64,
}

impl Term {
    fn matches(&self, pod: &PodInfo) -> bool {
        self.namespaces.as_ref().is_none_or(|ns| ns.contains(&pod.namespace)) && self.selector.as_ref().is_some_and(|s| s.matches(&pod.labels))
    }
}

fn term_of(term: &Value, owner: &PodInfo, weight: i64, ns_labels: &NamespaceLabels) -> Term {
    let mut selector = term["labelSelector"].clone();
    if selector.is_object() {
        let mut exprs = selector["matchExpressions"].as_array().cloned().unwrap_or_default();
        for (field, op) in [("matchLabelKeys", "In"), ("mismatchLabelKeys", "NotIn")] {
            for key in term[field].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if let Some(v) = owner.labels.get(key) {
                    exprs.push(json!({"key": key, "operator": op, "values": [v]}));
                }
            }
        }
        selector["matchExpressions"] = json!(exprs);
    }
    let listed: Vec<String> = term["namespaces"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    let namespaces = match term["namespaceSelector"].as_object() {
        None if listed.is_empty() => Some(vec![owner.namespace.clone()]),
        None => Some(listed),
        // An empty selector (`{}`) selects every namespace.
        Some(sel) if sel.get("matchLabels").and_then(Value::as_object).is_none_or(|m| m.is_empty()) && sel.get("matchExpressions").and_then(Value::as_array).is_none_or(|e| e.is_empty()) => None,
        Some(_) => {
            let ns_selector = LabelSelector::from_object(&term["namespaceSelector"]);
            let mut names = listed;
            for (ns, labels) in ns_labels {
                if ns_selector.as_ref().is_some_and(|s| s.matches(labels)) {
                    names.push(ns.clone());
                }
            }
            Some(names)
        }
    };
    Term { selector: LabelSelector::from_object(&selector), namespaces, topology_key: term["topologyKey"].as_str().unwrap_or("").to_string(), weight }
}

fn required(section: &Value, owner: &PodInfo, ns: &NamespaceLabels) -> Vec<Term> {
    section["requiredDuringSchedulingIgnoredDuringExecution"].as_array().into_iter().flatten().map(|t| term_of(t, owner, 0, ns)).collect()
}

fn preferred(section: &Value, owner: &PodInfo, ns: &NamespaceLabels) -> Vec<Term> {
    section["preferredDuringSchedulingIgnoredDuringExecution"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| term_of(&t["podAffinityTerm"], owner, t["weight"].as_i64().unwrap_or(0), ns))
        .collect()
}

type Counts = BTreeMap<(String, String), i64>;

fn bump(counts: &mut Counts, node: &NodeInfo, key: &str, by: i64) {
    if let Some(v) = node.labels.get(key) {
        *counts.entry((key.to_string(), v.clone())).or_default() += by;
    }
}

/// PreFilter's state: the pod's required terms and the counts per topology pair.
#[derive(Debug, Default)]
pub struct AffinityState {
    affinity: Vec<Term>,
    anti_affinity: Vec<Term>,
    affinity_counts: Counts,
    anti_affinity_counts: Counts,
    existing_anti_affinity_counts: Counts,
    matches_own_terms: bool,
}

/// PreFilter over every node: what the filter needs, computed once per attempt.
pub fn pre_filter(pod: &PodInfo, nodes: &BTreeMap<String, NodeInfo>, ns: &NamespaceLabels, candidates: AffinityNodes) -> AffinityState {
    let affinity = required(&pod.pod_affinity, pod, ns);
    let anti_affinity = required(&pod.pod_anti_affinity, pod, ns);
    let mut s = AffinityState { matches_own_terms: affinity.iter().all(|t| t.matches(pod)), ..Default::default() };
    // Without terms of its own, only placed pods' anti-affinity counts: kube-scheduler then
    // walks only `HavePodsWithRequiredAntiAffinityList`.
    let own_terms = !affinity.is_empty() || !anti_affinity.is_empty();
    let looked_at: Box<dyn Iterator<Item = &NodeInfo>> = if own_terms { Box::new(nodes.values()) } else { with_affinity(nodes, candidates) };
    for node in looked_at {
        for existing in &node.pods {
            if existing.pod_anti_affinity.is_object() {
                for t in required(&existing.pod_anti_affinity, existing, ns) {
                    if t.matches(pod) {
                        bump(&mut s.existing_anti_affinity_counts, node, &t.topology_key, 1);
                    }
                }
            }
            if !affinity.is_empty() && affinity.iter().all(|t| t.matches(existing)) {
                for t in &affinity {
                    bump(&mut s.affinity_counts, node, &t.topology_key, 1);
                }
            }
            for t in anti_affinity.iter().filter(|t| t.matches(existing)) {
                bump(&mut s.anti_affinity_counts, node, &t.topology_key, 1);
            }
        }
    }
    s.affinity = affinity;
    s.anti_affinity = anti_affinity;
    s
}

/// Filter: affinity (unresolvable), then the pod's anti-affinity, then the placed pods'.
pub fn filter(s: &AffinityState, node: &NodeInfo) -> Result<(), Rejection> {
    let mut pods_exist = true;
    for t in &s.affinity {
        match node.labels.get(&t.topology_key) {
            Some(v) => {
                if s.affinity_counts.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) <= 0 {
                    pods_exist = false;
                }
            }
            None => return Err(Rejection { reasons: vec![AFFINITY_RULES_NOT_MATCH.into()], unresolvable: true }),
        }
    }
    // The first pod of a group with affinity to itself may go anywhere the topology exists.
    if !(pods_exist || (s.affinity_counts.is_empty() && s.matches_own_terms)) {
        return Err(Rejection { reasons: vec![AFFINITY_RULES_NOT_MATCH.into()], unresolvable: true });
    }
    for t in &s.anti_affinity {
        if let Some(v) = node.labels.get(&t.topology_key) {
            if s.anti_affinity_counts.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) > 0 {
                return Err(Rejection { reasons: vec![ANTI_AFFINITY_RULES_NOT_MATCH.into()], unresolvable: false });
            }
        }
    }
    for ((key, value), n) in &s.existing_anti_affinity_counts {
        if *n > 0 && node.labels.get(key) == Some(value) {
            return Err(Rejection { reasons: vec![EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH.into()], unresolvable: false });
        }
    }
    Ok(())
}

/// PreScore and Score: the raw score of each node in `feasible`, or `None` when the plugin
/// skips (the pod has no preferred terms and no placed pod has any affinity).
pub fn scores(pod: &PodInfo, all: &BTreeMap<String, NodeInfo>, feasible: &[&NodeInfo], ns: &NamespaceLabels, candidates: AffinityNodes) -> Option<Vec<i64>> {
    let pref_affinity = preferred(&pod.pod_affinity, pod, ns);
    let pref_anti = preferred(&pod.pod_anti_affinity, pod, ns);
    let has_constraints = !pref_affinity.is_empty() || !pref_anti.is_empty();
    let existing_with_affinity = with_affinity(all, candidates).next().is_some();
    if !has_constraints && !existing_with_affinity {
        return None;
    }
    let mut topology: Counts = BTreeMap::new();
    // Without preferred terms of its own, only placed pods with terms add to the counts
    // (`HavePodsWithAffinityList`).
    let looked_at: Box<dyn Iterator<Item = &NodeInfo>> = if has_constraints { Box::new(all.values()) } else { with_affinity(all, candidates) };
    for node in looked_at {
        for existing in &node.pods {
            for t in pref_affinity.iter().filter(|t| t.matches(existing)) {
                bump(&mut topology, node, &t.topology_key, t.weight);
            }
            for t in pref_anti.iter().filter(|t| t.matches(existing)) {
                bump(&mut topology, node, &t.topology_key, -t.weight);
            }
            if existing.pod_affinity.is_object() {
                for t in required(&existing.pod_affinity, existing, ns).iter().filter(|t| t.matches(pod)) {
                    bump(&mut topology, node, &t.topology_key, HARD_POD_AFFINITY_WEIGHT);
                }
                for t in preferred(&existing.pod_affinity, existing, ns).iter().filter(|t| t.matches(pod)) {
                    bump(&mut topology, node, &t.topology_key, t.weight);
                }
            }
            if existing.pod_anti_affinity.is_object() {
                for t in preferred(&existing.pod_anti_affinity, existing, ns).iter().filter(|t| t.matches(pod)) {
                    bump(&mut topology, node, &t.topology_key, -t.weight);
                }
            }
        }
    }
    if topology.is_empty() {
        return None;
    }
    Some(feasible.iter().map(|n| topology.iter().filter(|((k, v), _)| n.labels.get(k) == Some(v)).map(|(_, s)| *s).sum()).collect())
}

/// NormalizeScore: `MaxNodeScore * (score - min) / (max - min)`, 0 everywhere when all are equal.
pub fn normalize(scores: &mut [i64]) {
    let (Some(min), Some(max)) = (scores.iter().min().copied(), scores.iter().max().copied()) else { return };
    let diff = max - min;
    for s in scores.iter_mut() {
        *s = if diff > 0 { (super::node_info::MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)) as i64 } else { 0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, zone: &str) -> NodeInfo {
        NodeInfo::from_node(&json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "zone": zone}}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}))
    }

    fn pod(name: &str, app: &str, affinity: Value) -> PodInfo {
        PodInfo::from_pod(&json!({"metadata": {"name": name, "namespace": "default", "uid": name, "labels": {"app": app}}, "spec": {"affinity": affinity}}))
    }

    fn term(app: &str, key: &str) -> Value {
        json!({"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key})
    }

    #[test]
    fn anti_affinity_keeps_replicas_apart_and_affinity_follows_its_target() {
        let mut nodes: BTreeMap<String, NodeInfo> = [("a", "z1"), ("b", "z1"), ("c", "z2")].iter().map(|(n, z)| (n.to_string(), node(n, z))).collect();
        if let Some(a) = nodes.get_mut("a") {
            a.add_pod_info(pod("cache-1", "cache", json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("cache", "kubernetes.io/hostname")]}})));
        }
        let ns = NamespaceLabels::new();
        // A second cache replica: the existing one's anti-affinity forbids node a only.
        let second = pod("cache-2", "cache", Value::Null);
        let s = pre_filter(&second, &nodes, &ns, None);
        assert_eq!(filter(&s, &nodes["a"]).unwrap_err().reasons, vec![EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH.to_string()]);
        assert!(filter(&s, &nodes["b"]).is_ok());
        // A web pod wanting to share a zone with the cache: z1 only, and unresolvably not z2.
        let web = pod("web", "web", json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("cache", "zone")]}}));
        let s = pre_filter(&web, &nodes, &ns, None);
        assert!(filter(&s, &nodes["b"]).is_ok());
        let e = filter(&s, &nodes["c"]).unwrap_err();
        assert_eq!((e.reasons[0].as_str(), e.unresolvable), (AFFINITY_RULES_NOT_MATCH, true));
        // The first pod of a self-affine group goes anywhere.
        let first = pod("db-0", "db", json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term("db", "zone")]}}));
        assert!(filter(&pre_filter(&first, &nodes, &ns, None), &nodes["c"]).is_ok());
    }

    #[test]
    fn preferred_terms_score_by_topology_and_normalise_min_max() {
        let mut nodes: BTreeMap<String, NodeInfo> = [("a", "z1"), ("b", "z1"), ("c", "z2")].iter().map(|(n, z)| (n.to_string(), node(n, z))).collect();
        if let Some(a) = nodes.get_mut("a") {
            a.add_pod_info(pod("cache-1", "cache", Value::Null));
        }
        let web = pod("web", "web", json!({"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 80, "podAffinityTerm": term("cache", "zone")}]}}));
        let feasible: Vec<&NodeInfo> = nodes.values().collect();
        let mut raw = scores(&web, &nodes, &feasible, &NamespaceLabels::new(), None).unwrap();
        // (zone, z1) earns 80: nodes a and b are in z1, c is not.
        assert_eq!(raw, vec![80, 80, 0]);
        normalize(&mut raw);
        assert_eq!(raw, vec![100, 100, 0]);
        assert!(scores(&pod("x", "x", Value::Null), &nodes, &feasible, &NamespaceLabels::new(), None).is_none());
    }
}
