//! Priority: mirrors `plugin/pkg/admission/priority`.
//!
//! Mutating, on pod creates: `spec.priorityClassName` is resolved to `spec.priority` and
//! `spec.preemptionPolicy` (a class without a policy means `PreemptLowerPriority`). Without a
//! class name the `globalDefault` class is used (the lowest-valued one if several claim it, and
//! its name is written into the pod); without any, priority 0 and `PreemptLowerPriority`. A name
//! that resolves to nothing is 403 `no PriorityClass with name x was found`. A client may not
//! choose the numbers itself: a `priority` or `preemptionPolicy` in the pod that disagrees with
//! the computed one is 403. The built-in classes `system-cluster-critical` (2000000000) and
//! `system-node-critical` (2000001000) always resolve. On pod updates, values the client dropped
//! are carried over from the stored pod.
//!
//! Validating, on PriorityClass creates and updates: only one class may be the global default.

use super::{forbidden, str_at, Operation, Rejection, Request, Target, Verdict};
use crate::apiserver::Objects;
use crate::sim::Rng;
use serde_json::{json, Value};
use std::rc::Rc;

/// `scheduling.SystemPriorityClasses()`: created by kube-apiserver at start-up.
const SYSTEM_CLASSES: [(&str, i64); 2] = [("system-node-critical", 2_000_001_000), ("system-cluster-critical", 2_000_000_000)];
const DEFAULT_POLICY: &str = "PreemptLowerPriority";
/// The spec fields the plugin sets.
const FIELDS: [&str; 3] = ["priorityClassName", "priority", "preemptionPolicy"];

pub(super) fn admit(objects: &dyn Objects, req: &Request, obj: &mut Target, _rng: &mut Rng) -> Result<Verdict, Rejection> {
    if !(req.is("", "pods") && req.subresource.is_empty() && obj["spec"].is_object()) {
        return Ok(Verdict::skip());
    }
    match req.operation {
        Operation::Update => {
            // Validation forbids changing these, so carrying them over keeps a PUT that omitted
            // them from failing.
            if let Some(old) = req.old {
                for field in ["priority", "preemptionPolicy"] {
                    if obj["spec"][field].is_null() && !old["spec"][field].is_null() {
                        if let Some(mut spec) = obj.edit_spec_fields(&FIELDS) {
                            spec.set(field, old["spec"][field].clone());
                        }
                    }
                }
            }
            Ok(Verdict::note("priority is fixed at creation"))
        }
        Operation::Create => admit_create(objects, req, obj),
        _ => Ok(Verdict::skip()),
    }
}

fn admit_create(objects: &dyn Objects, req: &Request, pod: &mut Target) -> Result<Verdict, Rejection> {
    let class_name = str_at(&pod["spec"], "priorityClassName").to_string();
    let (name, value, policy) = if class_name.is_empty() {
        match default_class(objects) {
            Some(pc) => (str_at(&pc["metadata"], "name").to_string(), pc["value"].as_i64().unwrap_or(0), policy_of(&pc)),
            None => (String::new(), 0, DEFAULT_POLICY.to_string()),
        }
    } else {
        match lookup(objects, &class_name) {
            Some((value, policy)) => (class_name.clone(), value, policy),
            None => return Err(forbidden(req, pod, format!("no PriorityClass with name {class_name} was found"))),
        }
    };
    if let Some(given) = pod["spec"]["priority"].as_i64() {
        if given != value {
            return Err(forbidden(
                req,
                pod,
                format!("the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"),
            ));
        }
    }
    if let Some(given) = pod["spec"]["preemptionPolicy"].as_str() {
        if given != policy {
            return Err(forbidden(
                req,
                pod,
                format!("the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name"),
            ));
        }
    }
    // `admit` checked that the pod has a spec object.
    if let Some(mut spec) = pod.edit_spec_fields(&FIELDS) {
        if !name.is_empty() {
            spec.set("priorityClassName", json!(name));
        }
        spec.set("priority", json!(value));
        spec.set("preemptionPolicy", json!(policy));
    }
    Ok(Verdict::note(if name.is_empty() { "no default PriorityClass: priority 0".to_string() } else { format!("PriorityClass {name}") }))
}

/// A class's value and preemption policy, from the store or the built-in system classes.
fn lookup(objects: &dyn Objects, name: &str) -> Option<(i64, String)> {
    if let Some(pc) = objects.get_shared("priorityclasses", "", name) {
        return Some((pc["value"].as_i64().unwrap_or(0), policy_of(&pc)));
    }
    SYSTEM_CLASSES.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v, DEFAULT_POLICY.to_string()))
}

fn policy_of(pc: &Value) -> String {
    match str_at(pc, "preemptionPolicy") {
        "" => DEFAULT_POLICY.to_string(),
        p => p.to_string(),
    }
}

/// `getDefaultPriorityClass`: among classes with `globalDefault: true`, the lowest value.
fn default_class(objects: &dyn Objects) -> Option<Rc<Value>> {
    let mut best: Option<Rc<Value>> = None;
    for pc in objects.list_shared("priorityclasses", None) {
        if pc["globalDefault"] != true {
            continue;
        }
        let lower = best.as_ref().is_none_or(|b| pc["value"].as_i64().unwrap_or(0) < b["value"].as_i64().unwrap_or(0));
        if lower {
            best = Some(pc);
        }
    }
    best
}

pub(super) fn validate(objects: &dyn Objects, req: &Request, obj: &Value) -> Result<Verdict, Rejection> {
    let applies = req.is("scheduling.k8s.io", "priorityclasses")
        && req.subresource.is_empty()
        && matches!(req.operation, Operation::Create | Operation::Update);
    if !applies {
        return Ok(Verdict::skip());
    }
    if obj["globalDefault"] != true {
        return Ok(Verdict::note("not a global default"));
    }
    if let Some(current) = default_class(objects) {
        let current_name = str_at(&current["metadata"], "name");
        let this_name = str_at(&obj["metadata"], "name");
        if req.operation == Operation::Create || current_name != this_name {
            return Err(forbidden(
                req,
                obj,
                format!("PriorityClass {current_name} is already marked as default. Only one default can exist"),
            ));
        }
    }
    Ok(Verdict::note("the only global default"))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    fn pod(extra: serde_json::Value) -> serde_json::Value {
        let mut p = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
        if let (Some(spec), Some(extra)) = (p["spec"].as_object_mut(), extra.as_object()) {
            spec.extend(extra.clone());
        }
        p
    }

    #[test]
    fn resolves_classes_defaults_and_built_ins() {
        let req = req_in(Operation::Create, "pods", "dev", "web");
        let out = run_mutate(&dev_objects(), &req, &pod(json!({}))).unwrap();
        assert_eq!((out["spec"]["priority"].clone(), out["spec"]["preemptionPolicy"].clone()), (json!(0), json!("PreemptLowerPriority")));
        assert!(out["spec"].get("priorityClassName").is_none());

        let out = run_mutate(&dev_objects(), &req, &pod(json!({"priorityClassName": "system-node-critical"}))).unwrap();
        assert_eq!(out["spec"]["priority"], 2_000_001_000);

        let objects = dev_objects()
            .with("priorityclasses", json!({"metadata": {"name": "low"}, "value": 10, "globalDefault": true, "preemptionPolicy": "Never"}))
            .with("priorityclasses", json!({"metadata": {"name": "high"}, "value": 1000}));
        let out = run_mutate(&objects, &req, &pod(json!({}))).unwrap();
        assert_eq!(out["spec"]["priorityClassName"], "low");
        assert_eq!((out["spec"]["priority"].clone(), out["spec"]["preemptionPolicy"].clone()), (json!(10), json!("Never")));
        let out = run_mutate(&objects, &req, &pod(json!({"priorityClassName": "high", "priority": 1000}))).unwrap();
        assert_eq!(out["spec"]["priority"], 1000);
    }

    #[test]
    fn update_keeps_stored_priority_and_one_global_default() {
        let old = json!({"spec": {"priority": 7, "preemptionPolicy": "Never"}});
        let mut req = req_in(Operation::Update, "pods", "dev", "web");
        req.old = Some(&old);
        let out = run_mutate(&dev_objects(), &req, &pod(json!({}))).unwrap();
        assert_eq!(out["spec"]["priority"], 7);

        let objects = dev_objects().with("priorityclasses", json!({"metadata": {"name": "low"}, "value": 10, "globalDefault": true}));
        let pc = json!({"metadata": {"name": "other"}, "value": 5, "globalDefault": true});
        let err = run_validate(&objects, &req_cluster(Operation::Create, "priorityclasses", "other"), &pc).unwrap_err();
        assert_eq!(
            err.message,
            r#"priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass low is already marked as default. Only one default can exist"#
        );
        let same = json!({"metadata": {"name": "low"}, "value": 11, "globalDefault": true});
        assert!(run_validate(&objects, &req_cluster(Operation::Update, "priorityclasses", "low"), &same).is_ok());
    }
}
