//! DefaultPreemption, the PostFilter plugin (`pkg/scheduler/framework/plugins/defaultpreemption`
//! and `framework/preemption`): when no node fits, find the nodes where deleting pods of lower
//! priority would let the pod fit, with as few and as unimportant victims as possible.
//!
//! 1. Eligibility: `preemptionPolicy: Never` never preempts; a pod already nominated to a node
//!    where a lower-priority pod is still terminating from a preemption waits for it.
//! 2. Dry run on every node whose rejection was not `UnschedulableAndUnresolvable`, starting at a
//!    random offset: take away every lower-priority pod; if the pod still does not fit, the node
//!    is no candidate; else put the pods back one by one, most important first (those whose
//!    eviction would violate a PodDisruptionBudget before the others), keeping each that still
//!    leaves room: the rest are the victims.
//! 3. Pick a candidate (`pickOneNodeForPreemption`): fewest PDB violations, then the lowest
//!    highest victim priority, the lowest sum of priorities, the fewest victims, the latest start
//!    of the most important victims, the first.
//!
//! The caller then deletes the victims through the API (a `DisruptionTarget` condition first,
//! and a `Preempted` event) and nominates the node on the pod.

use super::filters::Rejection;
use super::framework::Cycle;
use super::node_info::{NodeInfo, PodInfo};
use crate::apiserver::select::LabelSelector;
use crate::sim::Rng;
use serde_json::Value;
use std::collections::BTreeMap;

pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";

/// A PodDisruptionBudget as preemption reads it.
#[derive(Clone, Debug)]
pub struct Pdb {
    pub namespace: String,
    pub selector: Option<LabelSelector>,
    pub disruptions_allowed: i64,
    /// `status.disruptedPods`: already being evicted, not counted again.
    pub disrupted: Vec<String>,
}

impl Pdb {
    pub fn from_object(pdb: &Value) -> Self {
        Pdb {
            namespace: pdb["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
            selector: LabelSelector::from_object(&pdb["spec"]["selector"]).filter(|s| !s.is_empty()),
            disruptions_allowed: pdb["status"]["disruptionsAllowed"].as_i64().unwrap_or(0),
            disrupted: pdb["status"]["disruptedPods"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default(),
        }
    }
}

/// A node and the pods to delete there.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub node: String,
    /// Most important first.
    pub victims: Vec<PodInfo>,
    pub pdb_violations: usize,
}

/// What the PostFilter concluded.
#[derive(Debug)]
pub enum Outcome {
    /// The pod may not preempt; the message follows "preemption: ".
    NotEligible(String),
    /// No node can be freed; the message is the dry run's own FitError.
    NoCandidate(String),
    Nominated(Candidate),
}

/// `filterPodsWithPDBViolation`: (violating, non-violating), each in the given order.
fn split_by_pdb(pods: Vec<PodInfo>, pdbs: &[Pdb]) -> (Vec<PodInfo>, Vec<PodInfo>) {
    let mut allowed: Vec<i64> = pdbs.iter().map(|p| p.disruptions_allowed).collect();
    let (mut violating, mut fine) = (Vec::new(), Vec::new());
    for p in pods {
        let mut violated = false;
        if !p.labels.is_empty() {
            for (i, pdb) in pdbs.iter().enumerate() {
                if pdb.namespace != p.namespace || !pdb.selector.as_ref().is_some_and(|s| s.matches(&p.labels)) || pdb.disrupted.contains(&p.name) {
                    continue;
                }
                allowed[i] -= 1;
                if allowed[i] < 0 {
                    violated = true;
                }
            }
        }
        if violated {
            violating.push(p);
        } else {
            fine.push(p);
        }
    }
    (violating, fine)
}

/// `SelectVictimsOnNode`: the victims and how many of them violate a PDB, or why the node
/// cannot be freed.
pub fn select_victims_on_node(cycle: &mut Cycle, nodes: &BTreeMap<String, NodeInfo>, node: &str, pdbs: &[Pdb]) -> Result<(Vec<PodInfo>, usize), Rejection> {
    let mut snapshot = nodes.clone();
    let priority = cycle.info.priority;
    let Some(target) = snapshot.get_mut(node) else { return Err(Rejection { reasons: vec![NO_VICTIMS.into()], unresolvable: true }) };
    let lower: Vec<String> = target.pods.iter().filter(|p| p.priority < priority).map(|p| p.uid.clone()).collect();
    let mut potential: Vec<PodInfo> = lower.iter().filter_map(|uid| target.remove_pod(uid)).collect();
    if potential.is_empty() {
        return Err(Rejection { reasons: vec![NO_VICTIMS.into()], unresolvable: true });
    }
    cycle.refresh(&snapshot);
    let fits = |cycle: &Cycle, snapshot: &BTreeMap<String, NodeInfo>| snapshot.get(node).map_or(Err(Rejection { reasons: vec![NO_VICTIMS.into()], unresolvable: true }), |n| cycle.fits(n));
    fits(cycle, &snapshot)?;
    // Most important first, so the important ones are reprieved first.
    potential.sort_by(|a, b| if a.more_important_than(b) { std::cmp::Ordering::Less } else if b.more_important_than(a) { std::cmp::Ordering::Greater } else { a.key().cmp(&b.key()) });
    let (violating, fine) = split_by_pdb(potential, pdbs);
    let both = !violating.is_empty() && !fine.is_empty();
    let mut victims = Vec::new();
    let mut violations = 0;
    for (is_violating, p) in violating.into_iter().map(|p| (true, p)).chain(fine.into_iter().map(|p| (false, p))) {
        if let Some(n) = snapshot.get_mut(node) {
            n.add_pod_info(p.clone());
        }
        cycle.refresh(&snapshot);
        if fits(cycle, &snapshot).is_err() {
            if let Some(n) = snapshot.get_mut(node) {
                n.remove_pod(&p.uid);
            }
            victims.push(p);
            violations += usize::from(is_violating);
        }
    }
    if both {
        victims.sort_by(|a, b| if a.more_important_than(b) { std::cmp::Ordering::Less } else if b.more_important_than(a) { std::cmp::Ordering::Greater } else { std::cmp::Ordering::Equal });
    }
    cycle.refresh(nodes);
    Ok((victims, violations))
}

/// `pickOneNodeForPreemption`.
pub fn pick_one(candidates: &[Candidate]) -> Option<&Candidate> {
    let mut left: Vec<&Candidate> = candidates.iter().collect();
    let keep_min = |left: &mut Vec<&Candidate>, key: &dyn Fn(&Candidate) -> i64| {
        if let Some(best) = left.iter().map(|c| key(c)).min() {
            left.retain(|c| key(c) == best);
        }
    };
    keep_min(&mut left, &|c| c.pdb_violations as i64);
    keep_min(&mut left, &|c| c.victims.first().map_or(i64::from(i32::MIN), |v| i64::from(v.priority)));
    // Priorities shifted by MaxInt32+1 so that negative ones still add up.
    keep_min(&mut left, &|c| c.victims.iter().map(|v| i64::from(v.priority) + i64::from(i32::MAX) + 1).sum());
    keep_min(&mut left, &|c| c.victims.len() as i64);
    // The latest "earliest start time among the highest-priority victims" wins.
    if left.len() > 1 {
        let earliest = |c: &Candidate| -> String {
            let top = c.victims.first().map_or(i32::MIN, |v| v.priority);
            c.victims.iter().filter(|v| v.priority == top).map(|v| v.start_time.clone()).min().unwrap_or_default()
        };
        if let Some(latest) = left.iter().map(|c| earliest(c)).max() {
            left.retain(|c| earliest(c) == latest);
        }
    }
    left.first().copied()
}

/// The PostFilter. `statuses` holds every node's filter rejection (no node fitted); `nominated`
/// is the pod's current `status.nominatedNodeName`.
pub fn post_filter(cycle: &mut Cycle, nodes: &BTreeMap<String, NodeInfo>, statuses: &BTreeMap<String, Rejection>, nominated: &str, pdbs: &[Pdb], rng: &mut Rng) -> Outcome {
    if cycle.pod["spec"]["preemptionPolicy"] == "Never" {
        return Outcome::NotEligible("not eligible due to preemptionPolicy=Never.".into());
    }
    let priority = cycle.info.priority;
    if !nominated.is_empty() && !statuses.get(nominated).is_some_and(|r| r.unresolvable) {
        if let Some(n) = nodes.get(nominated) {
            if n.pods.iter().any(|p| p.priority < priority && p.terminating && p.preempted) {
                return Outcome::NotEligible("not eligible due to a terminating pod on the nominated node.".into());
            }
        }
    }
    let potential: Vec<&String> = nodes.keys().filter(|n| statuses.get(*n).is_some_and(|r| !r.unresolvable)).collect();
    let mut dry_run: BTreeMap<String, Rejection> = BTreeMap::new();
    let mut candidates = Vec::new();
    if !potential.is_empty() {
        // `GetOffsetAndNumCandidates`: a random start; every node is tried in a small cluster.
        let offset = rng.below(potential.len() as u64) as usize;
        for i in 0..potential.len() {
            let node = potential[(offset + i) % potential.len()];
            match select_victims_on_node(cycle, nodes, node, pdbs) {
                Ok((victims, pdb_violations)) if !victims.is_empty() => candidates.push(Candidate { node: node.clone(), victims, pdb_violations }),
                Ok(_) => {
                    dry_run.insert(node.clone(), Rejection { reasons: vec![format!("expected at least one victim pod on node {node:?}")], unresolvable: false });
                }
                Err(r) => {
                    dry_run.insert(node.clone(), r);
                }
            }
        }
    }
    match pick_one(&candidates) {
        Some(c) => Outcome::Nominated(c.clone()),
        None => {
            // Nodes not tried count as "Preemption is not helpful for scheduling".
            let absent = nodes.len() - dry_run.len();
            let not_helpful = Rejection { reasons: vec![NOT_HELPFUL.into()], unresolvable: true };
            let statuses = dry_run.values().chain(std::iter::repeat_n(&not_helpful, absent));
            Outcome::NoCandidate(super::framework::fit_error(nodes.len(), statuses, ""))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn victim(name: &str, priority: i32, start: &str, app: &str) -> PodInfo {
        PodInfo {
            uid: name.into(),
            namespace: "default".into(),
            name: name.into(),
            labels: [("app".to_string(), app.to_string())].into_iter().collect(),
            priority,
            start_time: start.into(),
            ..PodInfo::default()
        }
    }

    #[test]
    fn the_candidate_with_the_least_important_victims_wins() {
        let a = Candidate { node: "a".into(), victims: vec![victim("x", 100, "", "x")], pdb_violations: 0 };
        let b = Candidate { node: "b".into(), victims: vec![victim("y", 10, "", "y"), victim("z", 10, "", "z")], pdb_violations: 0 };
        // b's highest victim priority (10) is below a's (100), though b has more victims.
        assert_eq!(pick_one(&[a.clone(), b.clone()]).unwrap().node, "b");
        // Fewer PDB violations beat everything else.
        let a_clean = Candidate { pdb_violations: 0, ..a };
        let b_violating = Candidate { pdb_violations: 1, ..b };
        assert_eq!(pick_one(&[b_violating, a_clean]).unwrap().node, "a");
        // Equal priorities: fewer victims, then the later-started victims.
        let c = Candidate { node: "c".into(), victims: vec![victim("p", 0, "2026-01-01T00:00:05Z", "p")], pdb_violations: 0 };
        let d = Candidate { node: "d".into(), victims: vec![victim("q", 0, "2026-01-01T00:00:09Z", "q")], pdb_violations: 0 };
        assert_eq!(pick_one(&[c, d]).unwrap().node, "d");
    }

    #[test]
    fn a_pdb_marks_victims_beyond_its_allowance_as_violating() {
        let pdb = Pdb { namespace: "default".into(), selector: LabelSelector::from_object(&serde_json::json!({"matchLabels": {"app": "db"}})), disruptions_allowed: 1, disrupted: vec![] };
        let pods = vec![victim("db-0", 0, "", "db"), victim("db-1", 0, "", "db"), victim("web", 0, "", "web")];
        let (violating, fine) = split_by_pdb(pods, &[pdb]);
        assert_eq!(violating.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["db-1"]);
        assert_eq!(fine.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["db-0", "web"]);
    }

    fn pod(name: &str, priority: i64, cpu: &str, start: &str) -> Value {
        serde_json::json!({
            "metadata": {"name": name, "namespace": "default", "uid": name, "labels": {"app": name}},
            "spec": {"priority": priority, "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
            "status": {"startTime": start}
        })
    }

    fn worker(name: &str, pods: &[Value]) -> NodeInfo {
        let mut n = NodeInfo::from_node(&serde_json::json!({"metadata": {"name": name}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}));
        for p in pods {
            n.add_pod(p);
        }
        n
    }

    #[test]
    fn the_dry_run_keeps_the_important_pods_and_evicts_as_few_as_needed() {
        let Some(caches) = crate::controllers::Caches::new() else { panic!("caches") };
        let ns = super::super::inter_pod_affinity::NamespaceLabels::new();
        // node-a: three 1-CPU pods of lower priority; the preemptor needs 2 of the 4 CPUs.
        let a = worker("node-a", &[pod("mid", 100, "1", "2026-01-01T00:00:01Z"), pod("low-old", 10, "1", "2026-01-01T00:00:02Z"), pod("low-new", 10, "1", "2026-01-01T00:00:03Z")]);
        // node-b: one 3-CPU pod of higher priority: nothing to evict.
        let b = worker("node-b", &[pod("critical", 2000, "3", "2026-01-01T00:00:01Z")]);
        let nodes: BTreeMap<String, NodeInfo> = [("node-a".to_string(), a), ("node-b".to_string(), b)].into_iter().collect();
        let preemptor = pod("vip", 1000, "2", "");
        let mut cycle = Cycle::new(&preemptor, PodInfo::from_pod(&preemptor), Default::default(), &caches, &ns, &nodes, None);
        // Reprieved most important first: mid, then low-old (started earlier); low-new goes.
        let (victims, violations) = select_victims_on_node(&mut cycle, &nodes, "node-a", &[]).unwrap();
        assert_eq!((victims.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), violations), (vec!["low-new"], 0));
        let e = select_victims_on_node(&mut cycle, &nodes, "node-b", &[]).unwrap_err();
        assert_eq!(e.reasons, vec![NO_VICTIMS.to_string()]);
        let cpu = Rejection { reasons: vec!["Insufficient cpu".into()], unresolvable: false };
        let statuses: BTreeMap<String, Rejection> = [("node-a".to_string(), cpu.clone()), ("node-b".to_string(), cpu)].into_iter().collect();
        let mut rng = Rng::new(1);
        match post_filter(&mut cycle, &nodes, &statuses, "", &[], &mut rng) {
            Outcome::Nominated(c) => assert_eq!(c.node, "node-a"),
            other => panic!("{other:?}"),
        }
        // A pod of the filler's own priority finds no victim anywhere.
        let peer = pod("peer", 10, "2", "");
        let mut cycle = Cycle::new(&peer, PodInfo::from_pod(&peer), Default::default(), &caches, &ns, &nodes, None);
        match post_filter(&mut cycle, &nodes, &statuses, "", &[], &mut rng) {
            Outcome::NoCandidate(m) => assert_eq!(m, "0/2 nodes are available: 2 No preemption victims found for incoming pod."),
            other => panic!("{other:?}"),
        }
        let mut never = preemptor.clone();
        never["spec"]["preemptionPolicy"] = serde_json::json!("Never");
        let mut cycle = Cycle::new(&never, PodInfo::from_pod(&never), Default::default(), &caches, &ns, &nodes, None);
        assert!(matches!(post_filter(&mut cycle, &nodes, &statuses, "", &[], &mut rng), Outcome::NotEligible(m) if m == "not eligible due to preemptionPolicy=Never."));
    }
}
