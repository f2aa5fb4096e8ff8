//! What an object charges against a ResourceQuota: mirrors the quota evaluators in
//! `pkg/quota/v1/evaluator/core` (pods, services, persistentvolumeclaims) and the generic object
//! counter of `k8s.io/apiserver/pkg/quota/v1/generic`.
//!
//! ```text
//! evaluator   resources it answers for                       one object charges
//! pods        pods, count/pods, cpu, memory,                 count/pods=1 always; while not
//!             requests.*/limits.* of cpu, memory,            Succeeded/Failed also pods=1 and
//!             ephemeral-storage, hugepages-*,                its summed requests (cpu and
//!             requests.<extended resource>                   requests.cpu alike) and limits
//! services    services, count/services,                      services=1; LoadBalancer also
//!             services.loadbalancers, services.nodeports     loadbalancers=1; NodePort and
//!                                                            LoadBalancer one node port a port
//! PVCs        persistentvolumeclaims, requests.storage,      1 and its storage request, also
//!             <class>.storageclass.storage.k8s.io/...        under its class
//! others      count/<resource>[.<group>] (and the legacy     1
//!             names configmaps, secrets, resourcequotas,
//!             replicationcontrollers)
//! ```
//!
//! Quota scopes (`spec.scopes`, `spec.scopeSelector`) apply to pods only: Terminating,
//! NotTerminating, BestEffort, NotBestEffort and PriorityClass. A quota with any other scope
//! (CrossNamespacePodAffinity, VolumeAttributesClass) matches nothing here.

use super::limit_ranger::{pod_totals, resource_list};
use super::quantity::Quantity;
use super::{str_at, Operation};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub(super) type ResourceList = BTreeMap<String, Quantity>;

const POD_RESOURCES: [&str; 11] = [
    "count/pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
];
/// Resources a container must declare when a quota constrains them (the pod evaluator's
/// `validationSet`, kept for backward compatibility).
const MUST_DECLARE: [&str; 6] = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];
const SERVICE_RESOURCES: [&str; 4] = ["services", "count/services", "services.loadbalancers", "services.nodeports"];
const CLAIM_RESOURCES: [&str; 3] = ["persistentvolumeclaims", "count/persistentvolumeclaims", "requests.storage"];
const STORAGE_CLASS_SUFFIX: &str = ".storageclass.storage.k8s.io/";
/// Core resources whose object count also goes by its bare name.
const LEGACY_COUNTS: [&str; 4] = ["configmaps", "secrets", "replicationcontrollers", "resourcequotas"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Evaluator {
    Pods,
    Services,
    Claims,
    /// Object count for `resource` in `group`.
    Count { group: String, resource: String },
}

impl Evaluator {
    pub(super) fn for_resource(group: &str, resource: &str) -> Evaluator {
        match (group, resource) {
            ("", "pods") => Evaluator::Pods,
            ("", "services") => Evaluator::Services,
            ("", "persistentvolumeclaims") => Evaluator::Claims,
            _ => Evaluator::Count { group: group.to_string(), resource: resource.to_string() },
        }
    }

    /// The evaluator that answers for a quota resource name, if any.
    pub(super) fn for_quota_key(key: &str) -> Option<Evaluator> {
        let candidates = [Evaluator::Pods, Evaluator::Services, Evaluator::Claims];
        if let Some(e) = candidates.into_iter().find(|e| !e.matching(&[key.to_string()]).is_empty()) {
            return Some(e);
        }
        if LEGACY_COUNTS.contains(&key) {
            return Some(Evaluator::Count { group: String::new(), resource: key.to_string() });
        }
        let rest = key.strip_prefix("count/")?;
        let (resource, group) = rest.split_once('.').unwrap_or((rest, ""));
        Some(Evaluator::Count { group: group.to_string(), resource: resource.to_string() })
    }

    /// The resource plural to list for usage.
    pub(super) fn resource(&self) -> &str {
        match self {
            Evaluator::Pods => "pods",
            Evaluator::Services => "services",
            Evaluator::Claims => "persistentvolumeclaims",
            Evaluator::Count { resource, .. } => resource,
        }
    }

    /// `Handles`: pods and plain object counts are charged on create; services and claims also
    /// on update (type changes, resizes).
    pub(super) fn handles(&self, op: Operation) -> bool {
        match self {
            Evaluator::Pods | Evaluator::Count { .. } => op == Operation::Create,
            Evaluator::Services | Evaluator::Claims => matches!(op, Operation::Create | Operation::Update),
        }
    }

    fn count_name(&self) -> String {
        match self {
            Evaluator::Count { group, resource } if group.is_empty() => format!("count/{resource}"),
            Evaluator::Count { group, resource } => format!("count/{resource}.{group}"),
            other => format!("count/{}", other.resource()),
        }
    }

    /// `MatchingResources`: which of a quota's resource names this evaluator answers for.
    pub(super) fn matching(&self, names: &[String]) -> Vec<String> {
        names.iter().filter(|n| self.answers_for(n)).cloned().collect()
    }

    fn answers_for(&self, name: &str) -> bool {
        match self {
            Evaluator::Pods => {
                POD_RESOURCES.contains(&name)
                    || name.starts_with("hugepages-")
                    || name.starts_with("requests.hugepages-")
                    || name.strip_prefix("requests.").is_some_and(is_extended)
            }
            Evaluator::Services => SERVICE_RESOURCES.contains(&name),
            Evaluator::Claims => {
                CLAIM_RESOURCES.contains(&name)
                    || name.split_once(STORAGE_CLASS_SUFFIX).is_some_and(|(_, r)| r == "requests.storage" || r == "persistentvolumeclaims")
            }
            Evaluator::Count { group, resource } => {
                name == self.count_name() || (group.is_empty() && LEGACY_COUNTS.contains(&resource.as_str()) && name == resource)
            }
        }
    }

    /// `Usage`: what one object charges.
    pub(super) fn usage(&self, obj: &Value) -> ResourceList {
        let one = Quantity::from_units(1);
        let mut out = ResourceList::new();
        out.insert(self.count_name(), one);
        match self {
            Evaluator::Pods => {
                let phase = str_at(&obj["status"], "phase");
                if phase != "Succeeded" && phase != "Failed" {
                    out.insert("pods".into(), one);
                    let (mut requests, limits) = pod_totals(&obj["spec"]);
                    for (k, v) in resource_list(&obj["spec"]["overhead"]) {
                        let sum = requests.get(&k).copied().unwrap_or(Quantity::ZERO).plus(v);
                        requests.insert(k, sum);
                    }
                    out.extend(compute_usage(&requests, &limits));
                }
            }
            Evaluator::Services => {
                out.insert("services".into(), one);
                let ports = obj["spec"]["ports"].as_array().map_or(0, Vec::len) as i64;
                match str_at(&obj["spec"], "type") {
                    "NodePort" => {
                        out.insert("services.nodeports".into(), Quantity::from_units(ports));
                    }
                    "LoadBalancer" => {
                        out.insert("services.loadbalancers".into(), one);
                        let node_ports = if obj["spec"]["allocateLoadBalancerNodePorts"] == false {
                            obj["spec"]["ports"].as_array().into_iter().flatten().filter(|p| p["nodePort"].as_i64().unwrap_or(0) != 0).count() as i64
                        } else {
                            ports
                        };
                        out.insert("services.nodeports".into(), Quantity::from_units(node_ports));
                    }
                    _ => {}
                }
            }
            Evaluator::Claims => {
                out.insert("persistentvolumeclaims".into(), one);
                let class = str_at(&obj["spec"], "storageClassName");
                if !class.is_empty() {
                    out.insert(format!("{class}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"), one);
                }
                if let Some(storage) = Quantity::from_json(&obj["spec"]["resources"]["requests"]["storage"]) {
                    out.insert("requests.storage".into(), storage);
                    if !class.is_empty() {
                        out.insert(format!("{class}{STORAGE_CLASS_SUFFIX}requests.storage"), storage);
                    }
                }
            }
            Evaluator::Count { group, resource } => {
                if group.is_empty() && LEGACY_COUNTS.contains(&resource.as_str()) {
                    out.insert(resource.clone(), one);
                }
            }
        }
        out
    }

    /// `Constraints`: with a quota on cpu or memory, every container must declare it, e.g.
    /// `must specify limits.cpu for: nginx; limits.memory for: nginx`.
    pub(super) fn constraints(&self, required: &[String], obj: &Value) -> Result<(), String> {
        if *self != Evaluator::Pods {
            return Ok(());
        }
        let required: BTreeSet<&str> = required.iter().map(String::as_str).filter(|r| MUST_DECLARE.contains(r)).collect();
        let mut missing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for key in ["containers", "initContainers"] {
            for c in obj["spec"][key].as_array().into_iter().flatten() {
                let declared = compute_usage(&resource_list(&c["resources"]["requests"]), &resource_list(&c["resources"]["limits"]));
                for r in &required {
                    if !declared.contains_key(*r) {
                        missing.entry(r).or_default().insert(str_at(c, "name").to_string());
                    }
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let parts: Vec<String> =
            missing.iter().map(|(r, names)| format!("{r} for: {}", names.iter().cloned().collect::<Vec<_>>().join(","))).collect();
        Err(format!("must specify {}", parts.join("; ")))
    }

    /// Whether `obj` falls under every scope of `quota`.
    pub(super) fn matches_scopes(&self, quota: &Value, obj: &Value) -> bool {
        let mut selectors: Vec<(String, String, Vec<String>)> = Vec::new();
        for scope in quota["spec"]["scopes"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            selectors.push((scope.to_string(), "Exists".into(), Vec::new()));
        }
        for expr in quota["spec"]["scopeSelector"]["matchExpressions"].as_array().into_iter().flatten() {
            let values = expr["values"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
            selectors.push((str_at(expr, "scopeName").to_string(), str_at(expr, "operator").to_string(), values));
        }
        if selectors.is_empty() {
            return true;
        }
        *self == Evaluator::Pods && selectors.iter().all(|(scope, op, values)| pod_matches_scope(obj, scope, op, values))
    }
}

/// `podComputeUsageHelper`: requests count under both the bare and the `requests.` name.
fn compute_usage(requests: &ResourceList, limits: &ResourceList) -> ResourceList {
    let mut out = ResourceList::new();
    for r in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(q) = requests.get(r) {
            out.insert(r.to_string(), *q);
            out.insert(format!("requests.{r}"), *q);
        }
        if let Some(q) = limits.get(r) {
            out.insert(format!("limits.{r}"), *q);
        }
    }
    for (name, q) in requests {
        if name.starts_with("hugepages-") {
            out.insert(name.clone(), *q);
            out.insert(format!("requests.{name}"), *q);
        } else if is_extended(name) {
            out.insert(format!("requests.{name}"), *q);
        }
    }
    out
}

/// An extended resource (`example.com/gpu`): domain-qualified, not in `kubernetes.io`.
fn is_extended(name: &str) -> bool {
    match name.split_once('/') {
        Some((domain, _)) => domain != "kubernetes.io" && !domain.ends_with(".kubernetes.io") && !name.starts_with("requests."),
        None => false,
    }
}

fn pod_matches_scope(pod: &Value, scope: &str, op: &str, values: &[String]) -> bool {
    let spec = &pod["spec"];
    let truth = match scope {
        "Terminating" => spec["activeDeadlineSeconds"].as_i64().is_some_and(|s| s >= 0),
        "NotTerminating" => spec["activeDeadlineSeconds"].as_i64().is_none_or(|s| s < 0),
        "BestEffort" => best_effort(spec),
        "NotBestEffort" => !best_effort(spec),
        "PriorityClass" => {
            let class = str_at(spec, "priorityClassName");
            return match op {
                "In" => values.iter().any(|v| v == class),
                "NotIn" => !values.iter().any(|v| v == class),
                "Exists" => !class.is_empty(),
                "DoesNotExist" => class.is_empty(),
                _ => false,
            };
        }
        _ => return false,
    };
    match op {
        "Exists" | "" => truth,
        "DoesNotExist" => !truth,
        _ => false,
    }
}

/// QoS class BestEffort: no container asks for or limits cpu or memory.
fn best_effort(spec: &Value) -> bool {
    ["containers", "initContainers"].iter().flat_map(|k| spec[*k].as_array().into_iter().flatten()).all(|c| {
        ["requests", "limits"].iter().all(|b| ["cpu", "memory"].iter().all(|r| c["resources"][*b].get(*r).is_none()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(list: &ResourceList) -> String {
        list.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    }

    #[test]
    fn pod_service_claim_and_count_usage() {
        let pod = json!({"spec": {"containers": [
            {"name": "a", "resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "500m"}}},
            {"name": "b", "resources": {"requests": {"cpu": "250m", "example.com/gpu": "1"}}}
        ]}});
        assert_eq!(
            show(&Evaluator::Pods.usage(&pod)),
            "count/pods=1,cpu=500m,limits.cpu=500m,memory=64Mi,pods=1,requests.cpu=500m,requests.example.com/gpu=1,requests.memory=64Mi"
        );
        assert_eq!(show(&Evaluator::Pods.usage(&json!({"status": {"phase": "Succeeded"}}))), "count/pods=1");
        let svc = json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 80}, {"port": 443}]}});
        assert_eq!(show(&Evaluator::Services.usage(&svc)), "count/services=1,services=1,services.loadbalancers=1,services.nodeports=2");
        let pvc = json!({"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "5Gi"}}}});
        assert_eq!(
            show(&Evaluator::Claims.usage(&pvc)),
            "count/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/requests.storage=5Gi,persistentvolumeclaims=1,requests.storage=5Gi"
        );
        assert_eq!(show(&Evaluator::for_resource("", "configmaps").usage(&json!({}))), "configmaps=1,count/configmaps=1");
        assert_eq!(show(&Evaluator::for_resource("apps", "deployments").usage(&json!({}))), "count/deployments.apps=1");
        assert_eq!(Evaluator::for_quota_key("count/deployments.apps"), Some(Evaluator::for_resource("apps", "deployments")));
        assert_eq!(Evaluator::for_quota_key("requests.cpu"), Some(Evaluator::Pods));
        assert_eq!(Evaluator::for_quota_key("secrets"), Some(Evaluator::for_resource("", "secrets")));
        assert_eq!(Evaluator::for_quota_key("bogus"), None);
    }

    #[test]
    fn scopes() {
        let quota = json!({"spec": {"scopes": ["BestEffort"]}});
        let plain = json!({"spec": {"containers": [{"name": "a"}]}});
        let sized = json!({"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}]}});
        assert!(Evaluator::Pods.matches_scopes(&quota, &plain));
        assert!(!Evaluator::Pods.matches_scopes(&quota, &sized));
        assert!(!Evaluator::Services.matches_scopes(&quota, &plain));
        let by_class = json!({"spec": {"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}});
        assert!(Evaluator::Pods.matches_scopes(&by_class, &json!({"spec": {"priorityClassName": "high"}})));
        assert!(!Evaluator::Pods.matches_scopes(&by_class, &plain));
    }
}
