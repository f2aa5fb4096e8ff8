//! The cluster map's data, derived from the store: every node with its pods, and the pods no node
//! has yet, as the scheduler would see them.

use kubeplay::apiserver::admission::quantity::Quantity;
use kubeplay::cli::printers::pod_status;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChip {
    pub namespace: String,
    pub name: String,
    /// kubectl's STATUS text (`Running`, `ContainerCreating`, `Pending`, ...).
    pub status: String,
    /// The controller that owns it (`ReplicaSet/web-7d4b9c8f5`), if any.
    pub owner: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    /// `Ready`, `NotReady` or `Unknown`, from the node's Ready condition.
    pub status: String,
    pub control_plane: bool,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    pub pods: Vec<PodChip>,
    /// Pods on the node beyond the chips drawn.
    pub more_pods: usize,
    /// Requested versus allocatable: CPU in millicores, memory in bytes (the scheduler's view:
    /// the sum of the containers' requests of the pods bound to the node).
    pub cpu_requested_m: i64,
    pub cpu_allocatable_m: i64,
    pub memory_requested: i64,
    pub memory_allocatable: i64,
}

fn milli(v: &Value) -> i64 {
    Quantity::from_json(v).map_or(0, |q| q.milli_value().clamp(0, i64::MAX as i128) as i64)
}

/// The sum of a pod's containers' requests (CPU millicores, memory bytes); init containers are
/// ignored here, a simplification of the scheduler's max(init, sum) rule.
fn pod_requests(p: &Value) -> (i64, i64) {
    let mut cpu = 0i64;
    let mut mem = 0i64;
    for c in p["spec"]["containers"].as_array().into_iter().flatten() {
        cpu = cpu.saturating_add(milli(&c["resources"]["requests"]["cpu"]));
        mem = mem.saturating_add(milli(&c["resources"]["requests"]["memory"]) / 1000);
    }
    (cpu, mem)
}

#[cfg(test)]
fn objects(store: &kubeplay::store::Store, prefix: &str, revision: i64) -> Vec<Value> {
    let mut req = kubeplay::store::RangeRequest::prefix(prefix.as_bytes());
    req.revision = revision;
    store
        .range(&req)
        .map(|r| r.kvs.iter().filter_map(|kv| serde_json::from_slice(&kv.value).ok()).collect())
        .unwrap_or_default()
}

/// A node as the map draws it, from its object (no pods yet).
pub(super) fn node_view(n: &Value) -> NodeView {
    let ready = n["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Ready");
    let status = match ready.and_then(|c| c["status"].as_str()) {
        Some("True") => "Ready",
        Some("False") => "NotReady",
        _ => "Unknown",
    };
    NodeView {
        name: n["metadata"]["name"].as_str().unwrap_or("").to_string(),
        status: status.to_string(),
        control_plane: n["metadata"]["labels"].get("node-role.kubernetes.io/control-plane").is_some(),
        unschedulable: n["spec"]["unschedulable"] == true,
        pods: Vec::new(),
        more_pods: 0,
        cpu_requested_m: 0,
        cpu_allocatable_m: milli(&n["status"]["allocatable"]["cpu"]),
        memory_requested: 0,
        memory_allocatable: milli(&n["status"]["allocatable"]["memory"]) / 1000,
    }
}

/// What the map needs of one pod object: parsed once per stored value (see `derived.rs`), so a
/// step of the cursor does not decode every pod again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PodInfo {
    chip: PodChip,
    node: String,
    /// Succeeded or Failed: its requests no longer count against the node.
    finished: bool,
    requests: (i64, i64),
}

pub(super) fn pod_info(p: &Value) -> PodInfo {
    let owner = p["metadata"]["ownerReferences"]
        .as_array()
        .and_then(|o| o.first())
        .map(|o| format!("{}/{}", o["kind"].as_str().unwrap_or(""), o["name"].as_str().unwrap_or("")))
        .unwrap_or_default();
    let chip = PodChip {
        namespace: p["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
        name: p["metadata"]["name"].as_str().unwrap_or("").to_string(),
        status: pod_status(p),
        owner,
    };
    PodInfo {
        chip,
        node: p["spec"]["nodeName"].as_str().unwrap_or("").to_string(),
        finished: matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")),
        requests: pod_requests(p),
    }
}

/// The map from its nodes and pods (each in key order). Nodes in name order (control plane
/// first), then a pseudo-node `(unscheduled)` when some pods have no node. Bounded: at most
/// `max_pods` chips per node.
pub(super) fn assemble<'a>(nodes: impl Iterator<Item = &'a NodeView>, pods: impl Iterator<Item = &'a PodInfo>, max_pods: usize) -> Vec<NodeView> {
    let mut nodes: Vec<NodeView> = nodes.cloned().collect();
    nodes.sort_by(|a, b| b.control_plane.cmp(&a.control_plane).then_with(|| a.name.cmp(&b.name)));
    let mut unscheduled = NodeView { name: "(unscheduled)".into(), ..NodeView::default() };
    for p in pods {
        let target = match nodes.iter_mut().find(|n| n.name == p.node) {
            Some(n) => {
                if !p.finished {
                    n.cpu_requested_m = n.cpu_requested_m.saturating_add(p.requests.0);
                    n.memory_requested = n.memory_requested.saturating_add(p.requests.1);
                }
                n
            }
            None => &mut unscheduled,
        };
        if target.pods.len() < max_pods {
            target.pods.push(p.chip.clone());
        } else {
            target.more_pods += 1;
        }
    }
    if !unscheduled.pods.is_empty() {
        nodes.push(unscheduled);
    }
    nodes
}

/// As of `revision` (0: the newest), read and decoded from the store in one go (the page keeps
/// the decoded objects instead: `derived.rs`; this is the reference it is tested against).
#[cfg(test)]
pub fn cluster_map(store: &kubeplay::store::Store, revision: i64, max_pods: usize) -> Vec<NodeView> {
    let nodes: Vec<NodeView> = objects(store, "/registry/minions/", revision).iter().map(node_view).collect();
    let pods: Vec<PodInfo> = objects(store, "/registry/pods/", revision).iter().map(pod_info).collect();
    assemble(nodes.iter(), pods.iter(), max_pods)
}

/// The name "Add node" gives a new worker: `node-N` one past the highest `node-N` on the map, so
/// names are never reused while a node of that name is drawn.
pub fn next_node_name(nodes: &[NodeView]) -> String {
    let highest = nodes.iter().filter_map(|n| n.name.strip_prefix("node-")?.parse::<u32>().ok()).max().unwrap_or(0);
    format!("node-{}", highest.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> NodeView {
        NodeView { name: name.into(), ..NodeView::default() }
    }

    #[test]
    fn a_new_node_is_named_after_the_highest() {
        assert_eq!(next_node_name(&[]), "node-1");
        assert_eq!(next_node_name(&[node("control-plane"), node("node-1"), node("node-3")]), "node-4");
        assert_eq!(next_node_name(&[node("node-x"), node("node-2"), node("(unscheduled)")]), "node-3");
    }
}
