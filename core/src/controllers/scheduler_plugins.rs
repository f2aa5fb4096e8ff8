//! kube-scheduler's filter and score plugins for the default profile, the subset a simulated
//! cluster exercises: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity (nodeSelector and
//! required terms), NodeResourcesFit (filter, and LeastAllocated scoring),
//! NodeResourcesBalancedAllocation. Each filter answers with the reason string the real plugin
//! puts in `FailedScheduling` messages.

use crate::apiserver::admission::quantity::Quantity;
use serde_json::Value;
use std::collections::BTreeMap;

/// `MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;
/// Requests assumed for scoring when a container has none (`schedutil.DefaultMilliCPURequest`,
/// `DefaultMemoryRequest`).
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

/// The pod's requests: the sum over containers, or the largest init container if larger
/// (`resourcehelper.PodRequests`), plus `overhead`. `non_zero` substitutes the scoring defaults.
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
        sum.milli_cpu += r.milli_cpu;
        sum.memory += r.memory;
    }
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        let r = one(c);
        sum.milli_cpu = sum.milli_cpu.max(r.milli_cpu);
        sum.memory = sum.memory.max(r.memory);
    }
    if let Some(o) = spec["overhead"].as_object() {
        sum.milli_cpu += o.get("cpu").and_then(quantity_milli).unwrap_or(0);
        sum.memory += o.get("memory").and_then(quantity_milli).map(|m| m / 1000).unwrap_or(0);
    }
    sum
}

/// A node as the scheduler's cache sees it: allocatable and what its pods already request.
#[derive(Clone, Debug, Default)]
pub struct NodeInfo {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub unschedulable: bool,
    pub taints: Vec<Value>,
    pub allocatable: Resources,
    pub allowed_pods: i64,
    pub requested: Resources,
    /// With the scoring defaults for pods without requests.
    pub non_zero_requested: Resources,
    pub pod_count: i64,
}

impl NodeInfo {
    pub fn from_node(node: &Value) -> Self {
        let alloc = &node["status"]["allocatable"];
        NodeInfo {
            name: node["metadata"]["name"].as_str().unwrap_or("").to_string(),
            labels: crate::apiserver::select::labels_of(node),
            unschedulable: node["spec"]["unschedulable"] == Value::Bool(true),
            taints: node["spec"]["taints"].as_array().cloned().unwrap_or_default(),
            allocatable: Resources {
                milli_cpu: quantity_milli(&alloc["cpu"]).unwrap_or(0),
                memory: quantity_milli(&alloc["memory"]).map(|m| m / 1000).unwrap_or(0),
            },
            allowed_pods: quantity_milli(&alloc["pods"]).map(|m| m / 1000).unwrap_or(0),
            ..NodeInfo::default()
        }
    }

    /// Counts a pod bound (or assumed) to this node.
    pub fn add_pod(&mut self, pod: &Value) {
        let r = pod_requests(pod, false);
        let nz = pod_requests(pod, true);
        self.requested.milli_cpu += r.milli_cpu;
        self.requested.memory += r.memory;
        self.non_zero_requested.milli_cpu += nz.milli_cpu;
        self.non_zero_requested.memory += nz.memory;
        self.pod_count += 1;
    }
}

/// Why a filter rejected a node, and whether preemption could ever help there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub reasons: Vec<String>,
    /// `UnschedulableAndUnresolvable`: evicting pods would not make the node fit.
    pub unresolvable: bool,
}

fn reject(reason: impl Into<String>, unresolvable: bool) -> Result<(), Rejection> {
    Err(Rejection { reasons: vec![reason.into()], unresolvable })
}

/// `v1.Toleration.ToleratesTaint`, shared with the taint eviction controller.
pub(super) fn tolerates(toleration: &Value, taint: &Value) -> bool {
    let effect = toleration["effect"].as_str().unwrap_or("");
    if !effect.is_empty() && Some(effect) != taint["effect"].as_str() {
        return false;
    }
    let key = toleration["key"].as_str().unwrap_or("");
    if !key.is_empty() && Some(key) != taint["key"].as_str() {
        return false;
    }
    match toleration["operator"].as_str().unwrap_or("Equal") {
        "Exists" => true,
        _ => toleration["value"].as_str().unwrap_or("") == taint["value"].as_str().unwrap_or(""),
    }
}

fn tolerated(pod: &Value, taint: &Value) -> bool {
    pod["spec"]["tolerations"].as_array().into_iter().flatten().any(|t| tolerates(t, taint))
}

/// NodeUnschedulable: a cordoned node takes only pods tolerating `node.kubernetes.io/unschedulable`.
pub fn node_unschedulable(pod: &Value, node: &NodeInfo) -> Result<(), Rejection> {
    let taint = serde_json::json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"});
    if node.unschedulable && !tolerated(pod, &taint) {
        return reject("node(s) were unschedulable", true);
    }
    Ok(())
}

/// NodeName: a pod naming a node fits only there.
pub fn node_name(pod: &Value, node: &NodeInfo) -> Result<(), Rejection> {
    match pod["spec"]["nodeName"].as_str() {
        Some(n) if !n.is_empty() && n != node.name => reject("node(s) didn't match the requested node name", true),
        _ => Ok(()),
    }
}

/// TaintToleration (filter): the first untolerated NoSchedule or NoExecute taint rejects.
pub fn taint_toleration(pod: &Value, node: &NodeInfo) -> Result<(), Rejection> {
    for taint in &node.taints {
        let effect = taint["effect"].as_str().unwrap_or("");
        if matches!(effect, "NoSchedule" | "NoExecute") && !tolerated(pod, taint) {
            let key = taint["key"].as_str().unwrap_or("");
            let value = taint["value"].as_str().unwrap_or("");
            return reject(format!("node(s) had untolerated taint {{{key}: {value}}}"), true);
        }
    }
    Ok(())
}

fn expression_matches(expr: &Value, labels: &BTreeMap<String, String>) -> bool {
    let key = expr["key"].as_str().unwrap_or("");
    let values: Vec<&str> = expr["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let have = labels.get(key);
    match expr["operator"].as_str().unwrap_or("") {
        "In" => have.is_some_and(|v| values.contains(&v.as_str())),
        "NotIn" => !have.is_some_and(|v| values.contains(&v.as_str())),
        "Exists" => have.is_some(),
        "DoesNotExist" => have.is_none(),
        op @ ("Gt" | "Lt") => {
            let (Some(h), Some(w)) = (have.and_then(|v| v.parse::<i64>().ok()), values.first().and_then(|v| v.parse::<i64>().ok())) else {
                return false;
            };
            if op == "Gt" {
                h > w
            } else {
                h < w
            }
        }
        _ => false,
    }
}

/// NodeAffinity (filter): `nodeSelector` AND required terms (terms ORed, expressions ANDed).
pub fn node_affinity(pod: &Value, node: &NodeInfo) -> Result<(), Rejection> {
    const REASON: &str = "node(s) didn't match Pod's node affinity/selector";
    for (k, v) in pod["spec"]["nodeSelector"].as_object().into_iter().flatten() {
        if node.labels.get(k).map(String::as_str) != v.as_str() {
            return reject(REASON, true);
        }
    }
    let required = &pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
    if let Some(terms) = required.as_array() {
        let fits = terms.iter().any(|t| {
            let exprs = t["matchExpressions"].as_array().cloned().unwrap_or_default();
            let fields = t["matchFields"].as_array().cloned().unwrap_or_default();
            let mut name_labels = BTreeMap::new();
            name_labels.insert("metadata.name".to_string(), node.name.clone());
            (!exprs.is_empty() || !fields.is_empty())
                && exprs.iter().all(|e| expression_matches(e, &node.labels))
                && fields.iter().all(|e| expression_matches(e, &name_labels))
        });
        if !fits {
            return reject(REASON, true);
        }
    }
    Ok(())
}

/// NodeResourcesFit (filter): pod count, cpu and memory against what is left; every shortfall
/// is a reason of its own.
pub fn node_resources_fit(pod: &Value, node: &NodeInfo) -> Result<(), Rejection> {
    let mut reasons = Vec::new();
    if node.pod_count + 1 > node.allowed_pods {
        reasons.push("Too many pods".to_string());
    }
    let r = pod_requests(pod, false);
    if r.milli_cpu > 0 && r.milli_cpu > node.allocatable.milli_cpu - node.requested.milli_cpu {
        reasons.push("Insufficient cpu".to_string());
    }
    if r.memory > 0 && r.memory > node.allocatable.memory - node.requested.memory {
        reasons.push("Insufficient memory".to_string());
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Rejection { reasons, unresolvable: false })
    }
}

/// The filters in the default profile's order; the first rejection stops the node's check.
pub fn filter(pod: &Value, node: &NodeInfo) -> Result<(), Rejection> {
    node_unschedulable(pod, node)?;
    node_name(pod, node)?;
    taint_toleration(pod, node)?;
    node_affinity(pod, node)?;
    node_resources_fit(pod, node)
}

/// NodeResourcesFit LeastAllocated: per resource `(allocatable - requested) * 100 / allocatable`,
/// cpu and memory weighted 1 each, with the pod's own (non-zero) requests added.
pub fn least_allocated(pod: &Value, node: &NodeInfo) -> i64 {
    let p = pod_requests(pod, true);
    let score = |alloc: i64, req: i64| if alloc <= 0 || req > alloc { 0 } else { (alloc - req) * MAX_NODE_SCORE / alloc };
    let cpu = score(node.allocatable.milli_cpu, node.non_zero_requested.milli_cpu + p.milli_cpu);
    let mem = score(node.allocatable.memory, node.non_zero_requested.memory + p.memory);
    (cpu + mem) / 2
}

/// NodeResourcesBalancedAllocation: `(1 - stddev of the cpu and memory fractions) * 100`.
pub fn balanced_allocation(pod: &Value, node: &NodeInfo) -> i64 {
    let p = pod_requests(pod, true);
    let frac = |alloc: i64, req: i64| if alloc <= 0 { 1.0 } else { (req as f64 / alloc as f64).min(1.0) };
    let cpu = frac(node.allocatable.milli_cpu, node.non_zero_requested.milli_cpu + p.milli_cpu);
    let mem = frac(node.allocatable.memory, node.non_zero_requested.memory + p.memory);
    let std = (cpu - mem).abs() / 2.0;
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// TaintToleration (score, before normalising): untolerated PreferNoSchedule taints.
pub fn intolerable_prefer_no_schedule(pod: &Value, node: &NodeInfo) -> i64 {
    node.taints.iter().filter(|t| t["effect"] == "PreferNoSchedule" && !tolerated(pod, t)).count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn worker(cpu: &str) -> NodeInfo {
        NodeInfo::from_node(&json!({
            "metadata": {"name": "node-1", "labels": {"disk": "ssd", "kubernetes.io/hostname": "node-1"}},
            "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}}
        }))
    }

    fn pod(cpu: Option<&str>) -> Value {
        let res = cpu.map(|c| json!({"requests": {"cpu": c}})).unwrap_or(json!({}));
        json!({"spec": {"containers": [{"name": "c", "image": "nginx", "resources": res}]}})
    }

    #[test]
    fn resources_fit_names_each_shortfall() {
        let n = worker("4");
        assert_eq!(n.allocatable, Resources { milli_cpu: 4000, memory: 8 << 30 });
        assert!(node_resources_fit(&pod(Some("3")), &n).is_ok());
        let e = node_resources_fit(&pod(Some("100")), &n).unwrap_err();
        assert_eq!((e.reasons, e.unresolvable), (vec!["Insufficient cpu".to_string()], false));
        let mut full = worker("4");
        full.pod_count = 110;
        assert_eq!(node_resources_fit(&pod(None), &full).unwrap_err().reasons, vec!["Too many pods".to_string()]);
    }

    #[test]
    fn taints_reject_unless_tolerated() {
        let mut n = worker("4");
        n.taints = vec![json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"})];
        let e = taint_toleration(&pod(None), &n).unwrap_err();
        assert_eq!(e.reasons, vec!["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".to_string()]);
        let mut p = pod(None);
        p["spec"]["tolerations"] = json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]);
        assert!(taint_toleration(&p, &n).is_ok());
        p["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
        assert!(taint_toleration(&p, &n).is_ok());
    }

    #[test]
    fn node_affinity_ands_the_selector_and_ors_the_terms() {
        let n = worker("4");
        let mut p = pod(None);
        p["spec"]["nodeSelector"] = json!({"disk": "ssd"});
        assert!(node_affinity(&p, &n).is_ok());
        p["spec"]["nodeSelector"] = json!({"disk": "hdd"});
        assert!(node_affinity(&p, &n).is_err());
        p["spec"]["nodeSelector"] = json!({});
        p["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["hdd"]}]},
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}
        ]}}});
        assert!(node_affinity(&p, &n).is_ok());
    }

    #[test]
    fn least_allocated_prefers_the_emptier_node() {
        let empty = worker("4");
        let mut busy = worker("4");
        busy.add_pod(&pod(Some("2")));
        let p = pod(None);
        // Empty: cpu (4000-100)*100/4000 = 97, memory (8Gi-200Mi)/8Gi = 97.
        assert_eq!(least_allocated(&p, &empty), 97);
        assert!(least_allocated(&p, &busy) < least_allocated(&p, &empty));
        assert!(balanced_allocation(&p, &busy) < balanced_allocation(&p, &empty));
    }
}
