//! The cluster map's data, derived from the store: every node with its pods, and the pods no node
//! has yet, as the scheduler would see them.

use kubeplay::cli::printers::pod_status;
use kubeplay::store::{RangeRequest, Store};
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub name: String,
    /// `Ready`, `NotReady` or `Unknown`, from the node's Ready condition.
    pub status: String,
    pub control_plane: bool,
    pub pods: Vec<PodChip>,
}

fn objects(store: &Store, prefix: &str) -> Vec<Value> {
    store
        .range(&RangeRequest::prefix(prefix.as_bytes()))
        .map(|r| r.kvs.iter().filter_map(|kv| serde_json::from_slice(&kv.value).ok()).collect())
        .unwrap_or_default()
}

/// Nodes in name order (control plane first), then a pseudo-node `(unscheduled)` when some pods
/// have no node. Bounded: at most `max_pods` chips per node.
pub fn cluster_map(store: &Store, max_pods: usize) -> Vec<NodeView> {
    let mut nodes: Vec<NodeView> = objects(store, "/registry/minions/")
        .iter()
        .map(|n| {
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
                pods: Vec::new(),
            }
        })
        .collect();
    nodes.sort_by(|a, b| b.control_plane.cmp(&a.control_plane).then_with(|| a.name.cmp(&b.name)));
    let mut unscheduled = NodeView { name: "(unscheduled)".into(), status: String::new(), control_plane: false, pods: Vec::new() };
    for p in objects(store, "/registry/pods/") {
        let owner = p["metadata"]["ownerReferences"]
            .as_array()
            .and_then(|o| o.first())
            .map(|o| format!("{}/{}", o["kind"].as_str().unwrap_or(""), o["name"].as_str().unwrap_or("")))
            .unwrap_or_default();
        let chip = PodChip {
            namespace: p["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
            name: p["metadata"]["name"].as_str().unwrap_or("").to_string(),
            status: pod_status(&p),
            owner,
        };
        let node = p["spec"]["nodeName"].as_str().unwrap_or("");
        match nodes.iter_mut().find(|n| n.name == node) {
            Some(n) if n.pods.len() < max_pods => n.pods.push(chip),
            Some(_) => {}
            None if unscheduled.pods.len() < max_pods => unscheduled.pods.push(chip),
            None => {}
        }
    }
    if !unscheduled.pods.is_empty() {
        nodes.push(unscheduled);
    }
    nodes
}
