//! The scheduler cache's view of a node (`framework.NodeInfo`): its labels, taints and
//! allocatable resources, and the pods bound or assumed there with what each requests
//! (`framework.PodInfo`), which the filters, scores and preemption read.

use crate::apiserver::admission::quantity::Quantity;
use crate::apiserver::select::labels_of;
use serde_json::Value;
use std::collections::BTreeMap;

/// `MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;
/// Requests assumed for scoring when a container has none (`schedutil.DefaultMilliCPURequest`,
/// `DefaultMemoryRequest`): 100m CPU and 200 MiB.
const DEFAULT_MILLI_CPU: i64 = 100;
const DEFAULT_MEMORY: i64 = 200 * 1024 * 1024;

/// What a pod asks for: cpu in millicores, memory in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i64,
    pub memory: i64,
}

fn quantity_milli(v: &Value) -> Option<i64> {
    Quantity::from_json(v).map(|q| q.milli_value().clamp(0, i128::from(i64::MAX)) as i64)
}

/// The pod's requests: the sum over containers and restartable init containers (sidecars), or
/// the largest init container if larger (`resourcehelper.PodRequests`), plus `overhead`.
/// `non_zero` substitutes the scoring defaults for a container without a cpu or memory request
/// (`NonMissingContainerRequests`).
pub fn pod_requests(pod: &Value, non_zero: bool) -> Resources {
    let spec = &pod["spec"];
    let one = |c: &Value| {
        let req = &c["resources"]["requests"];
        let cpu = quantity_milli(&req["cpu"]);
        let mem = quantity_milli(&req["memory"]).map(|m| m / 1000);
        Resources {
            milli_cpu: cpu.unwrap_or(if non_zero { DEFAULT_MILLI_CPU } else { 0 }),
            memory: mem.unwrap_or(if non_zero { DEFAULT_MEMORY } else { 0 }),
        }
    };
    let mut sum = Resources::default();
    for c in spec["containers"].as_array().into_iter().flatten() {
        let r = one(c);
        sum.milli_cpu = sum.milli_cpu.saturating_add(r.milli_cpu);
        sum.memory = sum.memory.saturating_add(r.memory);
    }
    // Init containers run one at a time, sidecars (restartPolicy Always) stay: an init container
    // needs the sidecars started before it plus itself.
    let mut sidecars = Resources::default();
    let mut init_max = Resources::default();
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        let r = one(c);
        if c["restartPolicy"] == "Always" {
            sidecars.milli_cpu = sidecars.milli_cpu.saturating_add(r.milli_cpu);
            sidecars.memory = sidecars.memory.saturating_add(r.memory);
            init_max.milli_cpu = init_max.milli_cpu.max(sidecars.milli_cpu);
            init_max.memory = init_max.memory.max(sidecars.memory);
        } else {
            init_max.milli_cpu = init_max.milli_cpu.max(sidecars.milli_cpu.saturating_add(r.milli_cpu));
            init_max.memory = init_max.memory.max(sidecars.memory.saturating_add(r.memory));
        }
    }
    sum.milli_cpu = sum.milli_cpu.saturating_add(sidecars.milli_cpu).max(init_max.milli_cpu);
    sum.memory = sum.memory.saturating_add(sidecars.memory).max(init_max.memory);
    if let Some(o) = spec["overhead"].as_object() {
        sum.milli_cpu = sum.milli_cpu.saturating_add(o.get("cpu").and_then(quantity_milli).unwrap_or(0));
        sum.memory = sum.memory.saturating_add(o.get("memory").and_then(quantity_milli).map(|m| m / 1000).unwrap_or(0));
    }
    sum
}

/// `v1helper.IsScalarResourceName`: extended resources (a domain-prefixed name outside
/// `requests.`), prefixed native resources (`*kubernetes.io/*`), hugepages and attachable
/// volumes. The scheduler keeps these in `Resource.ScalarResources` and NodeResourcesFit checks
/// each; cpu, memory, pods and ephemeral-storage are kept apart.
pub fn is_scalar_resource_name(name: &str) -> bool {
    (name.contains('/') && !name.starts_with("requests.")) || name.starts_with("hugepages-") || name.starts_with("attachable-volumes-")
}

/// The pod's scalar-resource requests (`Resource.ScalarResources` of `computePodResourceRequest`),
/// in thousandths of a unit, summed the way [`pod_requests`] sums cpu: containers plus sidecars,
/// or the largest init container if larger, plus `overhead`. Zero requests are left out.
pub fn scalar_requests(pod: &Value) -> BTreeMap<String, i64> {
    fn of(list: &Value) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for (k, v) in list.as_object().into_iter().flatten() {
            if is_scalar_resource_name(k) {
                if let Some(q) = quantity_milli(v) {
                    out.insert(k.clone(), q);
                }
            }
        }
        out
    }
    fn add(into: &mut BTreeMap<String, i64>, from: &BTreeMap<String, i64>) {
        for (k, v) in from {
            let e = into.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
    }
    let spec = &pod["spec"];
    let mut sum = BTreeMap::new();
    for c in spec["containers"].as_array().into_iter().flatten() {
        add(&mut sum, &of(&c["resources"]["requests"]));
    }
    let mut sidecars = BTreeMap::new();
    let mut init_max: BTreeMap<String, i64> = BTreeMap::new();
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        let r = of(&c["resources"]["requests"]);
        let mut needs = sidecars.clone();
        add(&mut needs, &r);
        if c["restartPolicy"] == "Always" {
            sidecars = needs.clone();
        }
        for (k, v) in needs {
            let e = init_max.entry(k).or_insert(0);
            *e = (*e).max(v);
        }
    }
    add(&mut sum, &sidecars);
    for (k, v) in init_max {
        let e = sum.entry(k).or_insert(0);
        *e = (*e).max(v);
    }
    add(&mut sum, &of(&spec["overhead"]));
    sum.retain(|_, v| *v > 0);
    sum
}

/// `corev1helpers.PodPriority`: `spec.priority`, 0 when unset.
pub fn pod_priority(pod: &Value) -> i32 {
    pod["spec"]["priority"].as_i64().map_or(0, |p| p.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

/// What the scheduler keeps of a pod on a node (`framework.PodInfo`).
#[derive(Clone, Debug, Default)]
pub struct PodInfo {
    pub uid: String,
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub priority: i32,
    pub requests: Resources,
    pub non_zero_requests: Resources,
    /// Extended and other scalar resources requested ([`scalar_requests`]).
    pub scalar_requests: BTreeMap<String, i64>,
    /// `(protocol, hostIP, hostPort)` of every container port with a hostPort.
    pub host_ports: Vec<(String, String, i64)>,
    /// `spec.affinity.podAffinity` and `podAntiAffinity` (null when absent).
    pub pod_affinity: Value,
    pub pod_anti_affinity: Value,
    /// Being deleted (`deletionTimestamp` set).
    pub terminating: bool,
    /// Deleted by a preemption (`DisruptionTarget` with reason `PreemptionByScheduler`).
    pub preempted: bool,
    /// `status.startTime` (RFC 3339, so string order is time order), for preemption's ordering.
    pub start_time: String,
    /// The `metadata.resourceVersion` it was read from: the cache reuses it while the pod is
    /// unchanged (`cache.rs`).
    pub resource_version: String,
}

impl PodInfo {
    pub fn from_pod(pod: &Value) -> Self {
        let mut host_ports = Vec::new();
        let containers = pod["spec"]["containers"].as_array().into_iter().flatten();
        let inits = pod["spec"]["initContainers"].as_array().into_iter().flatten();
        for c in containers.chain(inits) {
            for p in c["ports"].as_array().into_iter().flatten() {
                let port = p["hostPort"].as_i64().unwrap_or(0);
                if port > 0 {
                    let protocol = p["protocol"].as_str().unwrap_or("TCP").to_string();
                    let ip = p["hostIP"].as_str().filter(|s| !s.is_empty()).unwrap_or("0.0.0.0").to_string();
                    host_ports.push((protocol, ip, port));
                }
            }
        }
        let preempted = pod["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "DisruptionTarget" && c["reason"] == "PreemptionByScheduler" && c["status"] == "True");
        PodInfo {
            uid: pod["metadata"]["uid"].as_str().unwrap_or("").to_string(),
            namespace: pod["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
            name: pod["metadata"]["name"].as_str().unwrap_or("").to_string(),
            labels: labels_of(pod),
            priority: pod_priority(pod),
            requests: pod_requests(pod, false),
            non_zero_requests: pod_requests(pod, true),
            scalar_requests: scalar_requests(pod),
            host_ports,
            pod_affinity: pod["spec"]["affinity"]["podAffinity"].clone(),
            pod_anti_affinity: pod["spec"]["affinity"]["podAntiAffinity"].clone(),
            terminating: !pod["metadata"]["deletionTimestamp"].is_null(),
            preempted,
            start_time: pod["status"]["startTime"].as_str().unwrap_or("").to_string(),
            resource_version: pod["metadata"]["resourceVersion"].as_str().unwrap_or("").to_string(),
        }
    }

    /// Whether the pod has pod affinity or anti-affinity terms.
    pub fn has_affinity(&self) -> bool {
        self.pod_affinity.is_object() || self.pod_anti_affinity.is_object()
    }

    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `util.MoreImportantPod`: higher priority first, then the one that started earlier.
    pub fn more_important_than(&self, other: &PodInfo) -> bool {
        if self.priority != other.priority {
            return self.priority > other.priority;
        }
        match (self.start_time.is_empty(), other.start_time.is_empty()) {
            (false, false) => self.start_time < other.start_time,
            (false, true) => true,
            _ => false,
        }
    }
}

/// A node as the scheduler's cache sees it.
#[derive(Clone, Debug, Default)]
pub struct NodeInfo {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub unschedulable: bool,
    pub taints: Vec<Value>,
    pub allocatable: Resources,
    pub allowed_pods: i64,
    pub requested: Resources,
    /// With the scoring defaults for containers without requests.
    pub non_zero_requested: Resources,
    /// Scalar resources (extended resources such as `example.com/dongle`, hugepages) in
    /// thousandths of a unit: what the node advertises and what its pods request.
    pub allocatable_scalar: BTreeMap<String, i64>,
    pub requested_scalar: BTreeMap<String, i64>,
    pub pod_count: i64,
    /// The pods bound or assumed here.
    pub pods: Vec<PodInfo>,
    /// PodTopologySpread's counts of `pods` by selector, cleared when they change.
    pub spread_counts: super::topology_spread::MatchCounts,
    /// How many of `pods` have pod affinity or anti-affinity terms (kube-scheduler's
    /// `NodeInfo.PodsWithAffinity`): InterPodAffinity skips the nodes without any.
    pub pods_with_affinity: usize,
    /// `status.images`: every name of an image the node holds, with its size in bytes.
    pub images: BTreeMap<String, i64>,
    /// Moves with every pod added or removed, as kube-scheduler's `NodeInfo.Generation`: the
    /// scheduler's cache (`cache.rs`) rebuilds a node whose generation a step moved.
    pub generation: u64,
    /// The Node's `metadata.resourceVersion` the node's own fields were read from: the cache
    /// keeps them while the Node is unchanged (`cache.rs`).
    pub node_rv: String,
}

impl NodeInfo {
    pub fn from_node(node: &Value) -> Self {
        let alloc = &node["status"]["allocatable"];
        let mut images = BTreeMap::new();
        for image in node["status"]["images"].as_array().into_iter().flatten() {
            let size = image["sizeBytes"].as_i64().unwrap_or(0);
            for name in image["names"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                images.insert(name.to_string(), size);
            }
        }
        let allocatable_scalar = alloc
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| is_scalar_resource_name(k))
            .filter_map(|(k, v)| Some((k.clone(), quantity_milli(v)?)))
            .collect();
        NodeInfo {
            allocatable_scalar,
            name: node["metadata"]["name"].as_str().unwrap_or("").to_string(),
            labels: labels_of(node),
            unschedulable: node["spec"]["unschedulable"] == Value::Bool(true),
            taints: node["spec"]["taints"].as_array().cloned().unwrap_or_default(),
            allocatable: Resources {
                milli_cpu: quantity_milli(&alloc["cpu"]).unwrap_or(0),
                memory: quantity_milli(&alloc["memory"]).map(|m| m / 1000).unwrap_or(0),
            },
            allowed_pods: quantity_milli(&alloc["pods"]).map(|m| m / 1000).unwrap_or(0),
            images,
            node_rv: node["metadata"]["resourceVersion"].as_str().unwrap_or("").to_string(),
            ..NodeInfo::default()
        }
    }

    /// Takes every pod off the node, leaving what [`NodeInfo::from_node`] gives of its Node;
    /// returns the pods.
    pub fn take_pods(&mut self) -> Vec<PodInfo> {
        self.requested = Resources::default();
        self.non_zero_requested = Resources::default();
        self.requested_scalar.clear();
        self.pod_count = 0;
        self.spread_counts.clear();
        self.pods_with_affinity = 0;
        self.generation = 0;
        std::mem::take(&mut self.pods)
    }

    /// Counts a pod bound (or assumed) to this node.
    pub fn add_pod(&mut self, pod: &Value) {
        self.add_pod_info(PodInfo::from_pod(pod));
    }

    pub fn add_pod_info(&mut self, p: PodInfo) {
        self.requested.milli_cpu = self.requested.milli_cpu.saturating_add(p.requests.milli_cpu);
        self.requested.memory = self.requested.memory.saturating_add(p.requests.memory);
        self.non_zero_requested.milli_cpu = self.non_zero_requested.milli_cpu.saturating_add(p.non_zero_requests.milli_cpu);
        self.non_zero_requested.memory = self.non_zero_requested.memory.saturating_add(p.non_zero_requests.memory);
        for (k, v) in &p.scalar_requests {
            let e = self.requested_scalar.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
        self.pod_count += 1;
        self.generation += 1;
        self.spread_counts.clear();
        self.pods_with_affinity += usize::from(p.has_affinity());
        self.pods.push(p);
    }

    /// Takes a pod off the node (preemption's dry run); returns it if it was there.
    pub fn remove_pod(&mut self, uid: &str) -> Option<PodInfo> {
        let i = self.pods.iter().position(|p| p.uid == uid)?;
        let p = self.pods.remove(i);
        self.generation += 1;
        self.spread_counts.clear();
        self.pods_with_affinity -= usize::from(p.has_affinity());
        self.requested.milli_cpu -= p.requests.milli_cpu;
        self.requested.memory -= p.requests.memory;
        self.non_zero_requested.milli_cpu -= p.non_zero_requests.milli_cpu;
        self.non_zero_requested.memory -= p.non_zero_requests.memory;
        for (k, v) in &p.scalar_requests {
            if let Some(e) = self.requested_scalar.get_mut(k) {
                *e = e.saturating_sub(*v);
            }
        }
        self.pod_count -= 1;
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_add_sidecars_and_take_the_largest_init_container() {
        let pod = json!({"spec": {
            "initContainers": [
                {"name": "setup", "resources": {"requests": {"cpu": "2"}}},
                {"name": "proxy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}
            ],
            "containers": [{"name": "app", "resources": {"requests": {"cpu": "500m"}}}, {"name": "log"}]
        }});
        // Init: max(2000, 100 sidecar) = 2000; running: 500 + 0 + 100 = 600.
        assert_eq!(pod_requests(&pod, false), Resources { milli_cpu: 2000, memory: 64 << 20 });
        // Non-zero: the `log` container counts 100m and 200Mi, `app` 200Mi of memory.
        assert_eq!(pod_requests(&pod, true), Resources { milli_cpu: 2000, memory: (64 + 400) << 20 });
    }

    #[test]
    fn scalar_requests_keep_extended_resources_only() {
        let pod = json!({"spec": {
            "initContainers": [{"name": "init", "resources": {"requests": {"example.com/dongle": "5"}}}],
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "1", "example.com/dongle": "3", "hugepages-2Mi": "0"}}},
                {"name": "b", "resources": {"requests": {"example.com/dongle": "1", "requests.foo/bar": "1"}}}
            ]
        }});
        assert_eq!(scalar_requests(&pod), BTreeMap::from([("example.com/dongle".to_string(), 5000)]));
        let mut n = NodeInfo::from_node(&json!({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "4", "example.com/dongle": "4"}}}));
        assert_eq!(n.allocatable_scalar, BTreeMap::from([("example.com/dongle".to_string(), 4000)]));
        n.add_pod(&json!({"metadata": {"uid": "p"}, "spec": {"containers": [{"resources": {"requests": {"example.com/dongle": "2"}}}]}}));
        assert_eq!(n.requested_scalar["example.com/dongle"], 2000);
        n.remove_pod("p");
        assert_eq!(n.requested_scalar["example.com/dongle"], 0);
    }

    #[test]
    fn a_removed_pod_gives_its_requests_back() {
        let mut n = NodeInfo::from_node(&json!({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}));
        n.add_pod(&json!({"metadata": {"uid": "a"}, "spec": {"containers": [{"resources": {"requests": {"cpu": "1"}}}]}}));
        assert_eq!((n.requested.milli_cpu, n.pod_count), (1000, 1));
        assert!(n.remove_pod("a").is_some());
        assert_eq!((n.requested.milli_cpu, n.non_zero_requested.memory, n.pod_count), (0, 0, 0));
    }
    #[test]
    fn the_node_counts_its_pods_with_affinity_terms() {
        let mut n = NodeInfo::from_node(&json!({"metadata": {"name": "n"}}));
        let plain = json!({"metadata": {"uid": "a"}, "spec": {}});
        let anti = json!({"metadata": {"uid": "b"}, "spec": {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": []}}}});
        n.add_pod(&plain);
        n.add_pod(&anti);
        assert_eq!(n.pods_with_affinity, 1);
        assert!(n.remove_pod("b").is_some());
        assert_eq!(n.pods_with_affinity, 0);
        assert!(n.remove_pod("a").is_some());
        assert_eq!(n.pods_with_affinity, 0);
    }
}
