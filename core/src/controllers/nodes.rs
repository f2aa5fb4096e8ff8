//! The machines of the simulated cluster: what each kubelet is configured with (its name, address,
//! pod CIDR, capacity, labels and registration taints) and the Node object it registers, as
//! kubelet's `initialNode` builds it from its flags (`--node-labels`, `--register-with-taints`).
//!
//! The default shape is a kubeadm cluster: one `control-plane` node (tainted
//! `node-role.kubernetes.io/control-plane:NoSchedule`) and three workers. [`NodesConfig`] changes
//! the workers' count, capacity, labels and zones; `node add` adds one at run time.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Nodes one cluster may have at once (each has a kubelet and a kube-proxy to step).
pub const MAX_NODES: usize = 100;

/// Nodes an embedder may start a cluster with through [`NodesConfig`] (the benchmarks' 5,000-node
/// clusters, `bench/`); `node add` stays within [`MAX_NODES`]. Past 253 workers the addresses
/// move on to the next /24 (`192.168.50.0`, ...); the pod CIDRs stop at `10.244.255.0/24`, which
/// later nodes share, as kubeadm's default `10.244.0.0/16` holds 256 of them.
pub const MAX_CONFIGURED_NODES: usize = 10_000;

/// One node of the simulated cluster, as its kubelet is configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSpec {
    pub name: String,
    pub internal_ip: String,
    /// The third octet of the node's pod CIDR `10.244.<n>.0/24` (kube-controller-manager's
    /// `--allocate-node-cidrs` hands them out in order).
    pub pod_cidr_octet: u8,
    pub control_plane: bool,
    pub cpu: String,
    pub memory: String,
    pub pods: String,
    pub labels: BTreeMap<String, String>,
    /// `--register-with-taints`: `{key, value?, effect}` objects.
    pub taints: Vec<Value>,
}

/// The initial cluster's shape (the workers; the control-plane node is always there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodesConfig {
    pub workers: usize,
    pub cpu: String,
    pub memory: String,
    pub pods: String,
    /// Labels every worker gets (`--node-labels`).
    pub labels: BTreeMap<String, String>,
    /// Zones handed out round-robin as `topology.kubernetes.io/zone` (none when empty).
    pub zones: Vec<String>,
}

impl Default for NodesConfig {
    fn default() -> Self {
        NodesConfig { workers: 3, cpu: "4".into(), memory: "8Gi".into(), pods: "110".into(), labels: BTreeMap::new(), zones: Vec::new() }
    }
}

impl NodeSpec {
    /// A worker with the default capacity; `octet` numbers its address and pod CIDR.
    pub fn worker(name: &str, octet: u8) -> Self {
        NodeSpec {
            name: name.to_string(),
            internal_ip: format!("192.168.49.{}", u16::from(octet) + 2),
            pod_cidr_octet: octet,
            control_plane: false,
            cpu: "4".into(),
            memory: "8Gi".into(),
            pods: "110".into(),
            labels: BTreeMap::new(),
            taints: Vec::new(),
        }
    }
}

impl NodeSpec {
    /// The nodes a fresh cluster starts with.
    pub fn initial(config: &NodesConfig) -> Vec<NodeSpec> {
        initial_nodes(config)
    }
}

/// The nodes a fresh cluster starts with.
pub fn initial_nodes(config: &NodesConfig) -> Vec<NodeSpec> {
    let mut control_plane = NodeSpec::worker("control-plane", 0);
    control_plane.control_plane = true;
    let mut nodes = vec![control_plane];
    for i in 1..=config.workers.min(MAX_CONFIGURED_NODES - 1) {
        let octet = u8::try_from(i).unwrap_or(u8::MAX);
        let mut n = NodeSpec::worker(&format!("node-{i}"), octet);
        if i + 2 > usize::from(u8::MAX) {
            n.internal_ip = format!("192.168.{}.{}", 49 + (i + 2) / 256, (i + 2) % 256);
        }
        n.cpu = config.cpu.clone();
        n.memory = config.memory.clone();
        n.pods = config.pods.clone();
        n.labels = config.labels.clone();
        if !config.zones.is_empty() {
            let zone = &config.zones[(i - 1) % config.zones.len()];
            n.labels.insert("topology.kubernetes.io/zone".into(), zone.clone());
        }
        nodes.push(n);
    }
    nodes
}

/// The Node a kubelet registers (`registerWithAPIServer`), without conditions.
pub fn node_object(spec: &NodeSpec) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": spec.name, "kubernetes.io/os": "linux",
    });
    for (k, v) in &spec.labels {
        labels[k] = json!(v);
    }
    let cidr = format!("10.244.{}.0/24", spec.pod_cidr_octet);
    let mut node_spec = json!({"podCIDR": cidr, "podCIDRs": [cidr]});
    let mut taints = spec.taints.clone();
    if spec.control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        taints.insert(0, json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}));
    }
    if !taints.is_empty() {
        node_spec["taints"] = json!(taints);
    }
    let resources = json!({"cpu": spec.cpu, "ephemeral-storage": "102625208Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": spec.memory, "pods": spec.pods});
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": spec.name, "labels": labels, "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": node_spec,
        "status": {
            "capacity": resources, "allocatable": resources,
            "addresses": [{"type": "InternalIP", "address": spec.internal_ip}, {"type": "Hostname", "address": spec.name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64", "bootID": "", "containerRuntimeVersion": "containerd://2.1.4",
                "kernelVersion": "6.8.0-kubeplay", "kubeProxyVersion": "", "kubeletVersion": super::kubelet::KUBELET_VERSION,
                "machineID": "", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": "",
            },
        },
    })
}

/// `key=value:Effect` or `key:Effect` (kubelet's `--register-with-taints` syntax).
pub fn parse_taint(s: &str) -> Option<Value> {
    let (kv, effect) = s.rsplit_once(':')?;
    if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") || kv.is_empty() {
        return None;
    }
    let mut t = Map::new();
    match kv.split_once('=') {
        Some((k, v)) => {
            t.insert("key".into(), json!(k));
            t.insert("value".into(), json!(v));
        }
        None => {
            t.insert("key".into(), json!(kv));
        }
    }
    t.insert("effect".into(), json!(effect));
    Some(Value::Object(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cluster_is_one_control_plane_and_three_workers() {
        let nodes = initial_nodes(&NodesConfig::default());
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["control-plane", "node-1", "node-2", "node-3"]);
        assert_eq!(nodes[2].internal_ip, "192.168.49.4");
        let cp = node_object(&nodes[0]);
        assert_eq!(cp["spec"]["taints"][0]["key"], "node-role.kubernetes.io/control-plane");
        assert!(node_object(&nodes[1])["spec"]["taints"].is_null());
    }

    #[test]
    fn zones_go_round_robin_and_taints_parse_as_kubelet_reads_them() {
        let config = NodesConfig { workers: 3, zones: vec!["a".into(), "b".into()], ..NodesConfig::default() };
        let nodes = initial_nodes(&config);
        assert_eq!(nodes[3].labels["topology.kubernetes.io/zone"], "a");
        assert_eq!(parse_taint("gpu=true:NoSchedule"), Some(json!({"key": "gpu", "value": "true", "effect": "NoSchedule"})));
        assert_eq!(parse_taint("dedicated:NoExecute"), Some(json!({"key": "dedicated", "effect": "NoExecute"})));
        assert_eq!(parse_taint("x=y:Sometimes"), None);
    }
}
