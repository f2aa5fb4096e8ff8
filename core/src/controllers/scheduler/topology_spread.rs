//! PodTopologySpread (`pkg/scheduler/framework/plugins/podtopologyspread`).
//!
//! Filter: the pod's `DoNotSchedule` constraints. For each constraint, the matching pods (same
//! namespace, selector, not terminating) are counted per domain (value of the topology key) over
//! the nodes that pass the inclusion policies (`nodeAffinityPolicy: Honor`, `nodeTaintsPolicy:
//! Ignore` by default) and carry every constraint's key; a node fails when
//! `count(its domain) + (1 if the pod matches itself) - min over domains > maxSkew`.
//!
//! Score: the pod's `ScheduleAnyway` constraints, or when it has no constraints at all the
//! system defaults (`kubernetes.io/hostname` maxSkew 3, `topology.kubernetes.io/zone` maxSkew 5)
//! with the selector of the Services, ReplicaSets and StatefulSets that select the pod
//! (`helper.DefaultSelector`). A node scores `Σ count(domain) · ln(domains + 2) + (maxSkew - 1)`
//! over the constraints whose key it has, rounded; normalising reverses it:
//! `100 · (max + min - score) / max`, so the emptiest domain gets 100.
//!
//! Worked example (system defaults, no zone labels, 3 feasible workers holding 2, 1 and 0 pods
//! of the same ReplicaSet): hostname weight `ln(3 + 2) = 1.609`; raw scores `round(2·1.609 + 2)
//! = 5`, `round(1.609 + 2) = 4`, `2`; normalised `100·(5+2-5)/5 = 40`, `100·(5+2-4)/5 = 60`,
//! `100·(5+2-2)/5 = 100`.

use super::filters::{node_affinity, taint_toleration, Rejection};
use super::node_info::{NodeInfo, PodInfo, MAX_NODE_SCORE};
use super::super::Caches;
use crate::apiserver::select::LabelSelector;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;

pub const CONSTRAINTS_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
pub const NODE_LABEL_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
const HOSTNAME: &str = "kubernetes.io/hostname";
const ZONE: &str = "topology.kubernetes.io/zone";

/// A node's memo of [`Constraint::count`]s, by the pod's namespace and the constraint's
/// selector. A count depends only on the node's pods, so [`NodeInfo`] clears it whenever a pod
/// is added or removed; a clone (a cycle's view with nominated pods) carries it, being the same
/// pods. Without it the system default constraints counted every pod of each feasible node in
/// every cycle: with a hundred pods a node and 420 feasible nodes, 42,000 selector matches a pod,
/// a third of a large scale run. kube-scheduler pays that count too (PreScore's
/// `processAllNode`), spread over 16 goroutines; the memo gives the same numbers.
#[derive(Clone, Debug, Default)]
pub struct MatchCounts(RefCell<Vec<(String, i64)>>);

/// Distinct selectors remembered per node; past it the memo starts over.
const MAX_MEMO_ENTRIES: usize = 16;

impl MatchCounts {
    /// Forgets every count: the node's pods changed.
    pub fn clear(&mut self) {
        self.0.get_mut().clear();
    }

    /// The count remembered under `key`, or `count()` remembered.
    fn get_or(&self, key: &str, count: impl FnOnce() -> i64) -> i64 {
        if let Some(n) = self.0.try_borrow().ok().and_then(|memo| memo.iter().find(|(k, _)| k == key).map(|(_, n)| *n)) {
            return n;
        }
        let n = count();
        if let Ok(mut memo) = self.0.try_borrow_mut() {
            if memo.len() >= MAX_MEMO_ENTRIES {
                memo.clear();
            }
            memo.push((key.to_string(), n));
        }
        n
    }
}

#[derive(Clone, Debug)]
pub struct Constraint {
    max_skew: i64,
    topology_key: String,
    /// Every selector must match (the default selector is several combined).
    selector: Vec<LabelSelector>,
    /// The namespace whose pods count (the incoming pod's), and the memo key of
    /// [`MatchCounts`]: it with the selector.
    namespace: String,
    memo_key: String,
    min_domains: Option<i64>,
    honor_node_affinity: bool,
    honor_node_taints: bool,
}

impl Constraint {
    fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.selector.is_empty() && self.selector.iter().all(|s| s.matches(labels))
    }

    /// `countPodsMatchSelector`: pods of the namespace, not terminating, matching (remembered
    /// by the node until its pods change).
    fn count(&self, node: &NodeInfo) -> i64 {
        node.spread_counts.get_or(&self.memo_key, || self.count_pods(node))
    }

    fn count_pods(&self, node: &NodeInfo) -> i64 {
        node.pods.iter().filter(|p| !p.terminating && p.namespace == self.namespace && self.selects(&p.labels)).count() as i64
    }

    /// `matchNodeInclusionPolicies`.
    fn includes(&self, pod: &Value, node: &NodeInfo) -> bool {
        (!self.honor_node_affinity || node_affinity(pod, node).is_ok()) && (!self.honor_node_taints || taint_toleration(pod, node).is_ok())
    }
}

/// The pod's own constraints with this `whenUnsatisfiable`.
fn constraints_of(pod: &Value, info: &PodInfo, action: &str) -> Vec<Constraint> {
    let mut out = Vec::new();
    for c in pod["spec"]["topologySpreadConstraints"].as_array().into_iter().flatten() {
        if c["whenUnsatisfiable"].as_str().unwrap_or("DoNotSchedule") != action {
            continue;
        }
        let mut selector = c["labelSelector"].clone();
        if selector.is_object() {
            let mut exprs = selector["matchExpressions"].as_array().cloned().unwrap_or_default();
            for key in c["matchLabelKeys"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if let Some(v) = info.labels.get(key) {
                    exprs.push(json!({"key": key, "operator": "In", "values": [v]}));
                }
            }
            selector["matchExpressions"] = json!(exprs);
        }
        let selector: Vec<LabelSelector> = LabelSelector::from_object(&selector).into_iter().collect();
        out.push(Constraint {
            max_skew: c["maxSkew"].as_i64().unwrap_or(1),
            topology_key: c["topologyKey"].as_str().unwrap_or("").to_string(),
            memo_key: memo_key(&info.namespace, &selector),
            namespace: info.namespace.clone(),
            selector,
            min_domains: c["minDomains"].as_i64(),
            honor_node_affinity: c["nodeAffinityPolicy"].as_str() != Some("Ignore"),
            honor_node_taints: c["nodeTaintsPolicy"].as_str() == Some("Honor"),
        });
    }
    out
}

/// What [`MatchCounts`] remembers a count under: the namespace and every requirement of the
/// selectors (their `Debug` form, which names each key, operator and value).
fn memo_key(namespace: &str, selector: &[LabelSelector]) -> String {
    format!("{namespace}\u{0}{selector:?}")
}

/// `helper.DefaultSelector`: the selectors of the Services, ReplicaSets and StatefulSets in the
/// pod's namespace that select it.
fn default_selector(info: &PodInfo, caches: &Caches) -> Vec<LabelSelector> {
    let mut out = Vec::new();
    let mut service_labels = serde_json::Map::new();
    for svc in caches.services.values().filter(|s| s["metadata"]["namespace"] == info.namespace.as_str()) {
        let Some(sel) = svc["spec"]["selector"].as_object().filter(|m| !m.is_empty()) else { continue };
        let labels = json!({"matchLabels": sel});
        if LabelSelector::from_object(&labels).is_some_and(|s| s.matches(&info.labels)) {
            service_labels.extend(sel.clone());
        }
    }
    if !service_labels.is_empty() {
        out.extend(LabelSelector::from_object(&json!({"matchLabels": service_labels})));
    }
    for owner in caches.replicasets.values().chain(caches.statefulsets.values()) {
        if owner["metadata"]["namespace"] != info.namespace.as_str() {
            continue;
        }
        if let Some(sel) = LabelSelector::from_object(&owner["spec"]["selector"]).filter(|s| !s.is_empty() && s.matches(&info.labels)) {
            out.push(sel);
        }
    }
    out
}

/// The system default constraints (`systemDefaultConstraints`), all ScheduleAnyway.
fn default_constraints(info: &PodInfo, caches: &Caches) -> Vec<Constraint> {
    let selector = default_selector(info, caches);
    if selector.is_empty() {
        return Vec::new();
    }
    let key = memo_key(&info.namespace, &selector);
    [(HOSTNAME, 3), (ZONE, 5)]
        .iter()
        .map(|(topology_key, skew)| Constraint {
            max_skew: *skew,
            topology_key: topology_key.to_string(),
            namespace: info.namespace.clone(),
            memo_key: key.clone(),
            selector: selector.clone(),
            min_domains: None,
            honor_node_affinity: true,
            honor_node_taints: false,
        })
        .collect()
}

fn has_all_keys(node: &NodeInfo, constraints: &[Constraint]) -> bool {
    constraints.iter().all(|c| node.labels.contains_key(&c.topology_key))
}

/// PreFilter's state for the hard constraints.
#[derive(Debug)]
pub struct SpreadState {
    constraints: Vec<Constraint>,
    /// (constraint index, domain) -> matching pods.
    counts: BTreeMap<(usize, String), i64>,
    /// Per constraint: the smallest count over its domains (0 below `minDomains`).
    min: Vec<i64>,
    self_match: Vec<bool>,
}

/// PreFilter; `None` when the pod has no `DoNotSchedule` constraint (Skip).
pub fn pre_filter(pod: &Value, info: &PodInfo, nodes: &BTreeMap<String, NodeInfo>) -> Option<SpreadState> {
    let constraints = constraints_of(pod, info, "DoNotSchedule");
    if constraints.is_empty() {
        return None;
    }
    let mut counts: BTreeMap<(usize, String), i64> = BTreeMap::new();
    for node in nodes.values().filter(|n| has_all_keys(n, &constraints)) {
        for (i, c) in constraints.iter().enumerate() {
            if !c.includes(pod, node) {
                continue;
            }
            let value = node.labels.get(&c.topology_key).cloned().unwrap_or_default();
            *counts.entry((i, value)).or_default() += c.count(node);
        }
    }
    let min = constraints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let domains: Vec<i64> = counts.iter().filter(|((j, _), _)| *j == i).map(|(_, n)| *n).collect();
            if c.min_domains.is_some_and(|m| (domains.len() as i64) < m) {
                0
            } else {
                domains.into_iter().min().unwrap_or(0)
            }
        })
        .collect();
    let self_match = constraints.iter().map(|c| c.selects(&info.labels)).collect();
    Some(SpreadState { constraints, counts, min, self_match })
}

/// Filter: a missing key is unresolvable; a skew above `maxSkew` may be cured by preemption.
pub fn filter(s: &SpreadState, node: &NodeInfo) -> Result<(), Rejection> {
    if !has_all_keys(node, &s.constraints) {
        return Err(Rejection { reasons: vec![NODE_LABEL_NOT_MATCH.into()], unresolvable: true });
    }
    for (i, c) in s.constraints.iter().enumerate() {
        let value = node.labels.get(&c.topology_key).cloned().unwrap_or_default();
        let matched = s.counts.get(&(i, value)).copied().unwrap_or(0);
        let skew = matched + i64::from(s.self_match[i]) - s.min[i];
        if skew > c.max_skew {
            return Err(Rejection { reasons: vec![CONSTRAINTS_NOT_MATCH.into()], unresolvable: false });
        }
    }
    Ok(())
}

/// `topologyNormalizingWeight`.
fn normalizing_weight(size: usize) -> f64 {
    ((size + 2) as f64).ln()
}

/// PreScore and Score: raw scores of the feasible nodes and which are ignored (they lack a key
/// of the pod's own constraints), or `None` when the plugin skips (no soft constraints).
pub fn scores(pod: &Value, info: &PodInfo, caches: &Caches, all: &BTreeMap<String, NodeInfo>, feasible: &[&NodeInfo]) -> Option<(Vec<i64>, Vec<bool>)> {
    let own = pod["spec"]["topologySpreadConstraints"].as_array().is_some_and(|a| !a.is_empty());
    let constraints = if own { constraints_of(pod, info, "ScheduleAnyway") } else { default_constraints(info, caches) };
    if constraints.is_empty() || all.is_empty() {
        return None;
    }
    // Only the pod's own constraints require every key (system defaults spread by hostname even
    // where nodes have no zone label).
    let require_all = own;
    let ignored: Vec<bool> = feasible.iter().map(|n| require_all && !has_all_keys(n, &constraints)).collect();
    // Per constraint: its domains among the scored feasible nodes (a node without the key is in
    // domain "", as Go's map read gives) with their pod counts, and whether any of those nodes
    // has the key at all.
    let mut counts: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); constraints.len()];
    let mut keyed = vec![false; constraints.len()];
    for (n, _) in feasible.iter().zip(&ignored).filter(|(_, ig)| !**ig) {
        for (i, c) in constraints.iter().enumerate() {
            if c.topology_key == HOSTNAME {
                continue;
            }
            let value = n.labels.get(&c.topology_key);
            keyed[i] |= value.is_some();
            let value = value.map_or("", String::as_str);
            if !counts[i].contains_key(value) {
                counts[i].insert(value.to_string(), 0);
            }
        }
    }
    let scored = ignored.iter().filter(|i| !**i).count();
    let weights: Vec<f64> = constraints.iter().enumerate().map(|(i, c)| normalizing_weight(if c.topology_key == HOSTNAME { scored } else { counts[i].len() })).collect();
    // Score reads a domain's count only for a node that has the key; when no scored node has it
    // (system-default zone spreading on nodes without zone labels), the counts are never read
    // and counting every node of the cluster for them, kube-scheduler's `processAllNode`, can
    // be left out: at 1,000 nodes it was a tenth of a scale run.
    let counted: Vec<usize> = (0..constraints.len()).filter(|&i| keyed[i] && constraints[i].topology_key != HOSTNAME).collect();
    for node in all.values().filter(|_| !counted.is_empty()) {
        if require_all && !has_all_keys(node, &constraints) {
            continue;
        }
        for &i in &counted {
            let c = &constraints[i];
            // Only a domain a feasible node is in counts (never a hostname's: those are counted
            // per feasible node below): look it up before the inclusion policies, which cost a
            // node-affinity and a taint check per node. A node without the key is in domain "",
            // as Go's map read gives: it counts when a scored node has the key with an empty value.
            let value = node.labels.get(&c.topology_key).map_or("", String::as_str);
            let Some(n) = counts[i].get_mut(value) else { continue };
            if c.includes(pod, node) {
                *n += c.count(node);
            }
        }
    }
    let raw = feasible
        .iter()
        .zip(&ignored)
        .map(|(n, ig)| {
            if *ig {
                return 0;
            }
            let mut score = 0.0;
            for (i, c) in constraints.iter().enumerate() {
                let Some(value) = n.labels.get(&c.topology_key) else { continue };
                let cnt = if c.topology_key == HOSTNAME { c.count(n) } else { counts[i].get(value).copied().unwrap_or(0) };
                score += cnt as f64 * weights[i] + (c.max_skew - 1) as f64;
            }
            score.round() as i64
        })
        .collect();
    Some((raw, ignored))
}

/// NormalizeScore: ignored nodes 0; all-zero scores 100; else `100 · (max + min - s) / max`.
pub fn normalize(scores: &mut [i64], ignored: &[bool]) {
    let considered = || scores.iter().zip(ignored).filter(|(_, ig)| !**ig).map(|(s, _)| *s);
    let min = considered().min().unwrap_or(0);
    let max = considered().max().unwrap_or(0);
    for (s, ig) in scores.iter_mut().zip(ignored) {
        *s = if *ig {
            0
        } else if max == 0 {
            MAX_NODE_SCORE
        } else {
            MAX_NODE_SCORE * (max + min - *s) / max
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, zone: Option<&str>) -> NodeInfo {
        let mut labels = json!({"kubernetes.io/hostname": name});
        if let Some(z) = zone {
            labels[ZONE] = json!(z);
        }
        NodeInfo::from_node(&json!({"metadata": {"name": name, "labels": labels}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}))
    }

    fn web(name: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "default", "uid": name, "labels": {"app": "web"}}, "spec": {"containers": [{"name": "c"}]}})
    }

    #[test]
    fn the_worked_example_of_the_module_doc() {
        // Raw and normalised scores as the module documentation computes them by hand.
        let mut raw = vec![5, 4, 2];
        normalize(&mut raw, &[false, false, false]);
        assert_eq!(raw, vec![40, 60, 100]);
        assert_eq!((2.0 * normalizing_weight(3) + 2.0_f64).round() as i64, 5);
        assert_eq!((normalizing_weight(3) + 2.0_f64).round() as i64, 4);
        let mut zero = vec![0, 0];
        normalize(&mut zero, &[false, true]);
        assert_eq!(zero, vec![100, 0]);
    }

    #[test]
    fn a_remembered_count_agrees_with_a_scan_as_pods_come_and_go() {
        let pod = web("web-9");
        let info = PodInfo::from_pod(&pod);
        let mut own = pod.clone();
        own["spec"]["topologySpreadConstraints"] = json!([{"maxSkew": 1, "topologyKey": HOSTNAME, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]);
        let web_only = constraints_of(&own, &info, "DoNotSchedule");
        own["spec"]["topologySpreadConstraints"][0]["labelSelector"] = json!({"matchLabels": {"app": "db"}});
        let db_only = constraints_of(&own, &info, "DoNotSchedule");
        let mut a = node("a", None);
        let check = |n: &NodeInfo| {
            for c in web_only.iter().chain(&db_only) {
                // Twice: once computed, once remembered.
                assert_eq!(c.count(n), c.count_pods(n));
                assert_eq!(c.count(n), c.count_pods(n));
            }
        };
        check(&a);
        a.add_pod(&web("web-1"));
        check(&a);
        let mut db = web("db-1");
        db["metadata"]["labels"] = json!({"app": "db"});
        a.add_pod(&db);
        a.add_pod(&web("web-2"));
        check(&a);
        // A clone carries the memo, and its own changes do not reach the original's.
        let mut view = a.clone();
        view.add_pod(&web("web-3"));
        check(&view);
        check(&a);
        assert_eq!((web_only[0].count(&view), web_only[0].count(&a)), (3, 2));
        assert!(a.remove_pod("web-1").is_some());
        check(&a);
        assert_eq!((web_only[0].count(&a), db_only[0].count(&a)), (1, 1));
        // Another namespace's pods never count.
        let mut other = web("web-4");
        other["metadata"]["namespace"] = json!("other");
        a.add_pod(&other);
        check(&a);
        assert_eq!(web_only[0].count(&a), 1);
    }

    /// PreScore and Score as kube-scheduler writes them, every node counted for every
    /// constraint (a node without the key in domain ""), for the system defaults.
    fn go_default_scores(pod: &Value, info: &PodInfo, caches: &Caches, all: &BTreeMap<String, NodeInfo>, feasible: &[&NodeInfo]) -> Vec<i64> {
        let constraints = default_constraints(info, caches);
        let mut counts: BTreeMap<(usize, String), i64> = BTreeMap::new();
        let mut sizes = vec![0usize; constraints.len()];
        for n in feasible {
            for (i, c) in constraints.iter().enumerate().filter(|(_, c)| c.topology_key != HOSTNAME) {
                if counts.insert((i, n.labels.get(&c.topology_key).cloned().unwrap_or_default()), 0).is_none() {
                    sizes[i] += 1;
                }
            }
        }
        for node in all.values() {
            for (i, c) in constraints.iter().enumerate().filter(|(_, c)| c.topology_key != HOSTNAME) {
                if let Some(n) = counts.get_mut(&(i, node.labels.get(&c.topology_key).cloned().unwrap_or_default())) {
                    if c.includes(pod, node) {
                        *n += c.count_pods(node);
                    }
                }
            }
        }
        let weights: Vec<f64> = constraints.iter().enumerate().map(|(i, c)| normalizing_weight(if c.topology_key == HOSTNAME { feasible.len() } else { sizes[i] })).collect();
        feasible
            .iter()
            .map(|n| {
                let mut score = 0.0;
                for (i, c) in constraints.iter().enumerate() {
                    let Some(value) = n.labels.get(&c.topology_key) else { continue };
                    let cnt = if c.topology_key == HOSTNAME { c.count_pods(n) } else { counts[&(i, value.clone())] };
                    score += cnt as f64 * weights[i] + (c.max_skew - 1) as f64;
                }
                score.round() as i64
            })
            .collect()
    }

    #[test]
    fn system_default_scores_equal_kube_schedulers_whichever_nodes_have_zones() {
        let Some(mut caches) = Caches::new() else { panic!("caches") };
        let rs = json!({"metadata": {"name": "web", "namespace": "default"}, "spec": {"selector": {"matchLabels": {"app": "web"}}}});
        caches.replicasets.cache.insert("/registry/replicasets/default/web".into(), rs);
        let zones = [Some("z1"), None, Some("z2"), None, Some("z1"), Some(""), None];
        let mut all: BTreeMap<String, NodeInfo> = BTreeMap::new();
        for (i, zone) in zones.iter().enumerate() {
            let mut n = node(&format!("n{i}"), *zone);
            for p in 0..(i * 3 % 5) {
                n.add_pod(&web(&format!("web-{i}-{p}")));
            }
            all.insert(format!("n{i}"), n);
        }
        let pod = web("web-new");
        let info = PodInfo::from_pod(&pod);
        let names: Vec<&String> = all.keys().collect();
        // Every subset of the nodes as the feasible ones: with zone labels, without any
        // (where the cluster-wide count is left out), with an empty zone value.
        for mask in 1u32..(1 << names.len()) {
            let feasible: Vec<&NodeInfo> = names.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, n)| &all[*n]).collect();
            let Some((raw, ignored)) = scores(&pod, &info, &caches, &all, &feasible) else { panic!("the ReplicaSet selects the pod") };
            assert!(ignored.iter().all(|i| !i), "system defaults ignore no node");
            assert_eq!(raw, go_default_scores(&pod, &info, &caches, &all, &feasible), "feasible {mask:b}");
        }
    }

    #[test]
    fn a_hard_zone_constraint_rejects_the_crowded_zone() {
        let mut pod = web("web-3");
        pod["spec"]["topologySpreadConstraints"] = json!([{"maxSkew": 1, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]);
        let info = PodInfo::from_pod(&pod);
        let mut nodes: BTreeMap<String, NodeInfo> = [("a", Some("z1")), ("b", Some("z2")), ("c", None)].iter().map(|(n, z)| (n.to_string(), node(n, *z))).collect();
        for name in ["web-1", "web-2"] {
            if let Some(a) = nodes.get_mut("a") {
                a.add_pod(&web(name));
            }
        }
        let s = pre_filter(&pod, &info, &nodes).unwrap();
        // z1 holds 2, z2 0: 2 + 1 - 0 > 1 on a; 0 + 1 - 0 on b; c has no zone label.
        assert_eq!(filter(&s, &nodes["a"]).unwrap_err().reasons, vec![CONSTRAINTS_NOT_MATCH.to_string()]);
        assert!(filter(&s, &nodes["b"]).is_ok());
        let e = filter(&s, &nodes["c"]).unwrap_err();
        assert_eq!((e.reasons[0].as_str(), e.unresolvable), (NODE_LABEL_NOT_MATCH, true));
    }
}
