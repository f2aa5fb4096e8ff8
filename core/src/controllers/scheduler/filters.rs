//! kube-scheduler's node-local filter plugins of the default profile: NodeUnschedulable,
//! NodeName, TaintToleration, NodeAffinity (nodeSelector and required terms), NodePorts and
//! NodeResourcesFit. Each answers with the reason string the real plugin puts in its Status
//! (and so in `FailedScheduling` messages) and whether preemption could help
//! (`Unschedulable`) or not (`UnschedulableAndUnresolvable`). The filters that look across
//! nodes are in `topology_spread.rs`, `inter_pod_affinity.rs` and `volume_binding.rs`.

pub use super::node_info::{NodeInfo, PodInfo};
use serde_json::Value;
use std::collections::BTreeMap;

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
pub(in crate::controllers) fn tolerates(toleration: &Value, taint: &Value) -> bool {
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
    if node.unschedulable && !tolerated(pod, &serde_json::json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})) {
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

/// NodeResourcesFit (filter, `fitsRequest`): pod count, cpu, memory and every scalar resource
/// (extended resources such as `example.com/dongle`, hugepages) against what is left; every
/// shortfall is a reason of its own (`Insufficient <name>`). A request larger than the node's
/// whole allocatable (0 for an extended resource the node does not advertise) cannot be met by
/// evicting anything: `UnschedulableAndUnresolvable`.
pub fn node_resources_fit(pod: &PodInfo, node: &NodeInfo) -> Result<(), Rejection> {
    let mut reasons = Vec::new();
    let mut unresolvable = false;
    if node.pod_count + 1 > node.allowed_pods {
        reasons.push("Too many pods".to_string());
    }
    // The requests were computed once for the cycle, as PreFilter's `computePodResourceRequest`.
    let r = &pod.requests;
    if r.milli_cpu > 0 && r.milli_cpu > node.allocatable.milli_cpu - node.requested.milli_cpu {
        reasons.push("Insufficient cpu".to_string());
        unresolvable |= r.milli_cpu > node.allocatable.milli_cpu;
    }
    if r.memory > 0 && r.memory > node.allocatable.memory - node.requested.memory {
        reasons.push("Insufficient memory".to_string());
        unresolvable |= r.memory > node.allocatable.memory;
    }
    for (name, &want) in &pod.scalar_requests {
        let allocatable = node.allocatable_scalar.get(name).copied().unwrap_or(0);
        let requested = node.requested_scalar.get(name).copied().unwrap_or(0);
        if want > allocatable.saturating_sub(requested) {
            reasons.push(format!("Insufficient {name}"));
            unresolvable |= want > allocatable;
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(Rejection { reasons, unresolvable })
    }
}

/// NodePorts: a hostPort the pod wants is taken on the node for the same protocol and an
/// overlapping host IP (`0.0.0.0` overlaps every address).
pub fn node_ports(pod: &PodInfo, node: &NodeInfo) -> Result<(), Rejection> {
    for (protocol, ip, port) in &pod.host_ports {
        let taken = node.pods.iter().flat_map(|p| &p.host_ports).any(|(p2, ip2, port2)| {
            p2 == protocol && port2 == port && (ip == ip2 || ip == "0.0.0.0" || ip2 == "0.0.0.0")
        });
        if taken {
            return reject("node(s) didn't have free ports for the requested pod ports", false);
        }
    }
    Ok(())
}

/// NodeAffinity (score, before normalising): the summed weights of the pod's preferred terms the
/// node matches. `None` when the pod has no preferred terms (PreScore answers Skip).
pub fn preferred_node_affinity(pod: &Value, node: &NodeInfo) -> Option<i64> {
    let terms = pod["spec"]["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"].as_array()?;
    if terms.is_empty() {
        return None;
    }
    let mut name_labels = BTreeMap::new();
    name_labels.insert("metadata.name".to_string(), node.name.clone());
    let mut sum = 0;
    for t in terms {
        let weight = t["weight"].as_i64().unwrap_or(0);
        let pref = &t["preference"];
        let exprs = pref["matchExpressions"].as_array().cloned().unwrap_or_default();
        let fields = pref["matchFields"].as_array().cloned().unwrap_or_default();
        // An empty preference matches no node (`nodeaffinity.NewPreferredSchedulingTerms`).
        if (!exprs.is_empty() || !fields.is_empty())
            && exprs.iter().all(|e| expression_matches(e, &node.labels))
            && fields.iter().all(|e| expression_matches(e, &name_labels))
        {
            sum += weight;
        }
    }
    Some(sum)
}

/// TaintToleration (score, before normalising): the node's PreferNoSchedule taints the pod does
/// not tolerate, counting only tolerations with effect PreferNoSchedule or none.
pub fn intolerable_prefer_no_schedule(pod: &Value, node: &NodeInfo) -> i64 {
    // Most nodes have no such taint: nothing to look up in the pod.
    if !node.taints.iter().any(|t| t["effect"] == "PreferNoSchedule") {
        return 0;
    }
    let tolerations: Vec<&Value> = pod["spec"]["tolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| matches!(t["effect"].as_str(), None | Some("") | Some("PreferNoSchedule")))
        .collect();
    node.taints.iter().filter(|t| t["effect"] == "PreferNoSchedule" && !tolerations.iter().any(|tol| tolerates(tol, t))).count() as i64
}

#[cfg(test)]
mod tests {
    use super::super::node_info::Resources;
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
        assert!(node_resources_fit(&PodInfo::from_pod(&pod(Some("3"))), &n).is_ok());
        let e = node_resources_fit(&PodInfo::from_pod(&pod(Some("100"))), &n).unwrap_err();
        assert_eq!((e.reasons, e.unresolvable), (vec!["Insufficient cpu".to_string()], true));
        let mut full = worker("4");
        full.pod_count = 110;
        assert_eq!(node_resources_fit(&PodInfo::from_pod(&pod(None)), &full).unwrap_err().reasons, vec!["Too many pods".to_string()]);
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
    fn host_ports_conflict_on_the_same_protocol_and_an_overlapping_address() {
        let mut n = worker("4");
        let with_port = |ip: &str, proto: &str| {
            PodInfo::from_pod(&json!({"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080, "hostIP": ip, "protocol": proto}]}]}}))
        };
        n.add_pod_info(with_port("", "TCP"));
        let e = node_ports(&with_port("10.0.0.1", "TCP"), &n).unwrap_err();
        assert_eq!((e.reasons, e.unresolvable), (vec!["node(s) didn't have free ports for the requested pod ports".to_string()], false));
        assert!(node_ports(&with_port("", "UDP"), &n).is_ok());
    }

    #[test]
    fn extended_resources_must_be_advertised_and_free() {
        let mut p = pod(Some("100m"));
        p["spec"]["containers"][0]["resources"]["requests"]["example.com/dongle"] = json!("3");
        let e = node_resources_fit(&PodInfo::from_pod(&p), &worker("4")).unwrap_err();
        assert_eq!((e.reasons, e.unresolvable), (vec!["Insufficient example.com/dongle".to_string()], true));
        let mut n = NodeInfo::from_node(&json!({"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110", "example.com/dongle": "4"}}}));
        assert!(node_resources_fit(&PodInfo::from_pod(&p), &n).is_ok());
        n.add_pod(&json!({"metadata": {"uid": "a"}, "spec": {"containers": [{"resources": {"requests": {"example.com/dongle": "2"}}}]}}));
        let e = node_resources_fit(&PodInfo::from_pod(&p), &n).unwrap_err();
        assert_eq!((e.reasons, e.unresolvable), (vec!["Insufficient example.com/dongle".to_string()], false));
    }

    #[test]
    fn a_request_above_allocatable_is_unresolvable() {
        let n = worker("4");
        assert!(node_resources_fit(&PodInfo::from_pod(&pod(Some("5"))), &n).unwrap_err().unresolvable);
        let mut busy = worker("4");
        busy.add_pod(&pod(Some("3")));
        assert!(!node_resources_fit(&PodInfo::from_pod(&pod(Some("2"))), &busy).unwrap_err().unresolvable);
    }
}
