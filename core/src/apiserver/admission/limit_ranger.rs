//! LimitRanger: mirrors `plugin/pkg/admission/limitranger` (mutating and validating halves).
//!
//! Mutating, on pod creates: every LimitRange in the namespace contributes its `Container` items'
//! `defaultRequest` and `default`; a container (then each init container) that lacks a request or
//! limit for such a resource gets it, and the pod is annotated
//! `kubernetes.io/limit-ranger: LimitRanger plugin set: cpu, memory request for container nginx;
//! cpu limit for container nginx` (resources sorted, one entry per container and kind).
//!
//! Validating, on pod creates and PVC creates/updates: each LimitRange's `min`, `max` and
//! `maxLimitRequestRatio` per Container (each container and init container), per Pod (summed
//! requests/limits, init containers taking the max) and per PersistentVolumeClaim (requests only),
//! with the plugin's messages, e.g. `maximum cpu usage per Container is 1, but limit is 2`. The
//! first LimitRange with violations rejects with all of its messages, aggregated as `[a, b]`.
//!
//! The LimitRange objects are read with their scheme defaults applied (`default` <- `max`,
//! `defaultRequest` <- `default`, else `min`), which is idempotent, so a LimitRange stored before
//! that defaulting existed behaves as on a real server. Where Go iterates a map (resource names
//! within an item), we go in name order.

use super::quantity::Quantity;
use super::{aggregate, containers_mut, forbidden, list, str_at, Operation, Rejection, Request, Target, Verdict};
use crate::apiserver::Objects;
use crate::sim::Rng;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

type ResourceList = BTreeMap<String, Quantity>;

pub(super) fn admit(objects: &dyn Objects, req: &Request, obj: &mut Target, _rng: &mut Rng) -> Result<Verdict, Rejection> {
    if !(req.is("", "pods") && req.subresource.is_empty() && req.operation == Operation::Create) {
        return Ok(Verdict::skip());
    }
    let ranges = limit_ranges(objects, req.namespace);
    if ranges.is_empty() {
        return Ok(Verdict::note(format!("no LimitRange in namespace {}", req.namespace)));
    }
    let obj = obj.edit();
    for range in &ranges {
        let (requests, limits) = container_defaults(range);
        let mut notes: Vec<String> = Vec::new();
        if let Some(spec) = obj.get_mut("spec") {
            for (what, container) in containers_mut(spec) {
                let name = str_at(container, "name").to_string();
                let set_requests = fill(container, "requests", &requests);
                let set_limits = fill(container, "limits", &limits);
                if !set_requests.is_empty() {
                    notes.push(format!("{} request for {what} {name}", set_requests.join(", ")));
                }
                if !set_limits.is_empty() {
                    notes.push(format!("{} limit for {what} {name}", set_limits.join(", ")));
                }
            }
        }
        if !notes.is_empty() {
            // Each LimitRange that set something rewrites the annotation, as in the Go code.
            let value = format!("LimitRanger plugin set: {}", notes.join("; "));
            if let Some(meta) = ensure_object(obj, "metadata") {
                if let Some(annotations) = ensure_object_in(meta, "annotations") {
                    annotations.insert(ANNOTATION.to_string(), Value::String(value));
                }
            }
        }
    }
    Ok(Verdict::note("every container already sets what the LimitRanges default"))
}

pub(super) fn validate(objects: &dyn Objects, req: &Request, obj: &Value) -> Result<Verdict, Rejection> {
    let is_pod = req.is("", "pods") && req.operation == Operation::Create;
    let is_pvc = req.is("", "persistentvolumeclaims") && matches!(req.operation, Operation::Create | Operation::Update);
    if !req.subresource.is_empty() || !(is_pod || is_pvc) {
        return Ok(Verdict::skip());
    }
    if req.old.is_some_and(|old| !old["metadata"]["deletionTimestamp"].is_null()) {
        return Ok(Verdict::note("the object is being deleted"));
    }
    let ranges = limit_ranges(objects, req.namespace);
    if ranges.is_empty() {
        return Ok(Verdict::note(format!("no LimitRange in namespace {}", req.namespace)));
    }
    for range in &ranges {
        let errors = if is_pod { validate_pod(range, obj) } else { validate_pvc(range, obj) };
        if !errors.is_empty() {
            return Err(forbidden(req, obj, aggregate(&errors)));
        }
    }
    Ok(Verdict::note(format!("within the {} LimitRange(s) of namespace {}", ranges.len(), req.namespace)))
}

/// The namespace's LimitRanges, each item with its scheme defaults applied.
fn limit_ranges(objects: &dyn Objects, namespace: &str) -> Vec<Vec<Item>> {
    list(objects, "limitranges", namespace).iter().map(items).collect()
}

/// One `spec.limits[]` entry, parsed.
struct Item {
    kind: String,
    min: ResourceList,
    max: ResourceList,
    default: ResourceList,
    default_request: ResourceList,
    ratio: ResourceList,
}

fn items(lr: &Value) -> Vec<Item> {
    let Some(limits) = lr["spec"]["limits"].as_array() else { return Vec::new() };
    limits
        .iter()
        .map(|l| {
            let mut item = Item {
                kind: str_at(l, "type").to_string(),
                min: resource_list(&l["min"]),
                max: resource_list(&l["max"]),
                default: resource_list(&l["default"]),
                default_request: resource_list(&l["defaultRequest"]),
                ratio: resource_list(&l["maxLimitRequestRatio"]),
            };
            // SetDefaults_LimitRangeItem, for Container items only.
            if item.kind == "Container" {
                for (k, v) in &item.max {
                    item.default.entry(k.clone()).or_insert(*v);
                }
                for (k, v) in &item.default {
                    item.default_request.entry(k.clone()).or_insert(*v);
                }
                for (k, v) in &item.min {
                    item.default_request.entry(k.clone()).or_insert(*v);
                }
            }
            item
        })
        .collect()
}

/// A `ResourceList` from JSON; entries that are not quantities are skipped (validation rejects
/// them when the LimitRange is written).
pub(super) fn resource_list(v: &Value) -> ResourceList {
    let mut out = ResourceList::new();
    if let Some(map) = v.as_object() {
        for (k, q) in map {
            if let Some(q) = Quantity::from_json(q) {
                out.insert(k.clone(), q);
            }
        }
    }
    out
}

/// `defaultContainerResourceRequirements`: (requests, limits); later items win.
fn container_defaults(items: &[Item]) -> (ResourceList, ResourceList) {
    let mut requests = ResourceList::new();
    let mut limits = ResourceList::new();
    for item in items.iter().filter(|i| i.kind == "Container") {
        requests.extend(item.default_request.iter().map(|(k, v)| (k.clone(), *v)));
        limits.extend(item.default.iter().map(|(k, v)| (k.clone(), *v)));
    }
    (requests, limits)
}

/// Sets each missing `resources.<bucket>.<name>` from `defaults`; returns the names set.
fn fill(container: &mut Value, bucket: &str, defaults: &ResourceList) -> Vec<String> {
    let missing: Vec<(&String, &Quantity)> =
        defaults.iter().filter(|(k, _)| container["resources"][bucket].get(k.as_str()).is_none()).collect();
    if missing.is_empty() || !container.is_object() {
        return Vec::new();
    }
    let Some(resources) = ensure_object(container, "resources") else { return Vec::new() };
    let Some(list) = ensure_object_in(resources, bucket) else { return Vec::new() };
    missing
        .into_iter()
        .map(|(k, v)| {
            list.insert(k.clone(), Value::String(v.to_string()));
            k.clone()
        })
        .collect()
}

fn ensure_object<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Map<String, Value>> {
    ensure_object_in(v.as_object_mut()?, key)
}

fn ensure_object_in<'a>(map: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    let entry = map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut()
}

fn validate_pod(items: &[Item], pod: &Value) -> Vec<String> {
    let spec = &pod["spec"];
    let mut errors = Vec::new();
    let all_containers: Vec<&Value> = ["containers", "initContainers"]
        .iter()
        .filter_map(|k| spec[*k].as_array())
        .flatten()
        .collect();
    for item in items {
        match item.kind.as_str() {
            "Container" => {
                for c in &all_containers {
                    let requests = resource_list(&c["resources"]["requests"]);
                    let limits = resource_list(&c["resources"]["limits"]);
                    check_item(item, "Container", &requests, &limits, &mut errors);
                }
            }
            "Pod" => {
                let (requests, limits) = pod_totals(spec);
                check_item(item, "Pod", &requests, &limits, &mut errors);
            }
            _ => {}
        }
    }
    errors
}

fn check_item(item: &Item, kind: &str, requests: &ResourceList, limits: &ResourceList, errors: &mut Vec<String>) {
    for (name, enforced) in &item.min {
        errors.extend(min_constraint(kind, name, enforced, requests, Some(limits)));
    }
    for (name, enforced) in &item.max {
        errors.extend(max_constraint(kind, name, enforced, requests, limits));
    }
    for (name, enforced) in &item.ratio {
        errors.extend(ratio_constraint(kind, name, enforced, requests, limits));
    }
}

fn validate_pvc(items: &[Item], pvc: &Value) -> Vec<String> {
    let requests = resource_list(&pvc["spec"]["resources"]["requests"]);
    let mut errors = Vec::new();
    for item in items.iter().filter(|i| i.kind == "PersistentVolumeClaim") {
        for (name, enforced) in &item.min {
            errors.extend(min_constraint(&item.kind, name, enforced, &requests, None));
        }
        for (name, enforced) in &item.max {
            match requests.get(name) {
                None => errors.push(format!("maximum {name} usage per {} is {enforced}.  No request is specified", item.kind)),
                Some(r) if r > enforced => {
                    errors.push(format!("maximum {name} usage per {} is {enforced}, but request is {r}", item.kind))
                }
                Some(_) => {}
            }
        }
    }
    errors
}

fn min_constraint(kind: &str, name: &str, enforced: &Quantity, requests: &ResourceList, limits: Option<&ResourceList>) -> Option<String> {
    let Some(request) = requests.get(name) else {
        return Some(format!("minimum {name} usage per {kind} is {enforced}.  No request is specified"));
    };
    if request < enforced {
        return Some(format!("minimum {name} usage per {kind} is {enforced}, but request is {request}"));
    }
    match limits.and_then(|l| l.get(name)) {
        Some(limit) if limit < enforced => Some(format!("minimum {name} usage per {kind} is {enforced}, but limit is {limit}")),
        _ => None,
    }
}

fn max_constraint(kind: &str, name: &str, enforced: &Quantity, requests: &ResourceList, limits: &ResourceList) -> Option<String> {
    let Some(limit) = limits.get(name) else {
        return Some(format!("maximum {name} usage per {kind} is {enforced}.  No limit is specified"));
    };
    if limit > enforced {
        return Some(format!("maximum {name} usage per {kind} is {enforced}, but limit is {limit}"));
    }
    match requests.get(name) {
        Some(request) if request > enforced => Some(format!("maximum {name} usage per {kind} is {enforced}, but request is {request}")),
        _ => None,
    }
}

fn ratio_constraint(kind: &str, name: &str, enforced: &Quantity, requests: &ResourceList, limits: &ResourceList) -> Option<String> {
    let request = requests.get(name).map(Quantity::milli_value).unwrap_or(0);
    if request == 0 {
        return Some(format!(
            "{name} max limit to request ratio per {kind} is {enforced}, but no request is specified or request is 0"
        ));
    }
    let limit = limits.get(name).map(Quantity::milli_value).unwrap_or(0);
    if limit == 0 {
        return Some(format!("{name} max limit to request ratio per {kind} is {enforced}, but no limit is specified or limit is 0"));
    }
    let observed = limit as f64 / request as f64;
    if observed * 1000.0 > enforced.milli_value() as f64 {
        return Some(format!("{name} max limit to request ratio per {kind} is {enforced}, but provided ratio is {observed:.6}"));
    }
    None
}

/// Pod-level requests and limits: containers summed, then raised to any single (non-sidecar) init
/// container's value, as `resourcehelper.PodRequests` without overhead.
pub(super) fn pod_totals(spec: &Value) -> (ResourceList, ResourceList) {
    let mut requests = ResourceList::new();
    let mut limits = ResourceList::new();
    for c in spec["containers"].as_array().into_iter().flatten() {
        add_into(&mut requests, &resource_list(&c["resources"]["requests"]));
        add_into(&mut limits, &resource_list(&c["resources"]["limits"]));
    }
    for c in spec["initContainers"].as_array().into_iter().flatten() {
        let sidecar = str_at(c, "restartPolicy") == "Always";
        let r = resource_list(&c["resources"]["requests"]);
        let l = resource_list(&c["resources"]["limits"]);
        if sidecar {
            // Restartable init containers run beside the app containers, so they add up.
            add_into(&mut requests, &r);
            add_into(&mut limits, &l);
        } else {
            max_into(&mut requests, &r);
            max_into(&mut limits, &l);
        }
    }
    (requests, limits)
}

fn add_into(total: &mut ResourceList, more: &ResourceList) {
    for (k, v) in more {
        let sum = total.get(k).copied().unwrap_or(Quantity::ZERO).plus(*v);
        total.insert(k.clone(), sum);
    }
}

fn max_into(total: &mut ResourceList, other: &ResourceList) {
    for (k, v) in other {
        let m = total.get(k).copied().unwrap_or(Quantity::ZERO).max(*v);
        total.insert(k.clone(), m);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    fn limit_range(limits: serde_json::Value) -> serde_json::Value {
        json!({"metadata": {"name": "limits", "namespace": "dev"}, "spec": {"limits": limits}})
    }

    #[test]
    fn defaults_requests_and_limits_and_annotates() {
        let objects = dev_objects().with(
            "limitranges",
            limit_range(json!([{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "100m"}}])),
        );
        let pod = json!({"metadata": {"name": "web"}, "spec": {"containers": [
            {"name": "nginx", "image": "nginx"},
            {"name": "side", "image": "busybox", "resources": {"limits": {"memory": "64Mi"}, "requests": {"memory": "64Mi"}}}
        ]}});
        let out = run_mutate(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &pod).unwrap();
        assert_eq!(out["spec"]["containers"][0]["resources"], json!({"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}));
        assert_eq!(out["spec"]["containers"][1]["resources"]["limits"], json!({"cpu": "500m", "memory": "64Mi"}));
        assert_eq!(
            out["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
            "LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx; cpu request for container side; cpu limit for container side"
        );
    }

    #[test]
    fn max_defaults_the_limit_and_rejects_above_it() {
        let objects = dev_objects().with("limitranges", limit_range(json!([{"type": "Container", "max": {"cpu": "1"}, "min": {"memory": "64Mi"}}])));
        // No explicit defaults: default <- max, defaultRequest <- default and min.
        let pod = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}});
        let out = run_admission(&objects, &req_in(Operation::Create, "pods", "dev", "web"), &pod).unwrap();
        assert_eq!(out["spec"]["containers"][0]["resources"], json!({"limits": {"cpu": "1"}, "requests": {"cpu": "1", "memory": "64Mi"}}));

        let big = json!({"metadata": {"name": "big"}, "spec": {"containers": [{"name": "nginx", "image": "nginx",
            "resources": {"limits": {"cpu": "2", "memory": "32Mi"}, "requests": {"cpu": "2", "memory": "32Mi"}}}]}});
        let err = run_admission(&objects, &req_in(Operation::Create, "pods", "dev", "big"), &big).unwrap_err();
        assert_eq!(
            err.message,
            r#"pods "big" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, maximum cpu usage per Container is 1, but limit is 2]"#
        );
    }
}
