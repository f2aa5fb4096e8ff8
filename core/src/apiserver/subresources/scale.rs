//! The `scale` subresource of Deployments, ReplicaSets, StatefulSets (apps/v1) and
//! ReplicationControllers (v1): an `autoscaling/v1` Scale that reads and writes the parent's
//! `spec.replicas`.
//!
//! Mirrors `ScaleREST` in `pkg/registry/apps/deployment/storage/storage.go` (and its siblings
//! for ReplicaSets, StatefulSets and ReplicationControllers): GET converts the parent to a Scale
//! (`scaleFromDeployment`); PUT and PATCH apply the request to that Scale, validate it
//! (`ValidateScale`), copy `spec.replicas` and `resourceVersion` back onto the parent and store the
//! parent through the ordinary update path (`scaleUpdatedObjectInfo`), so the parent's
//! generation moves and the write is the same guarded etcd txn as any update.

use super::super::{get, update, Run};
use crate::apiserver::field::FieldError;
use crate::apiserver::{patch, PatchType, Request, Status, Verb};
use crate::trace::{Stage, Verdict};
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec, ScaleStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::{json, Value};

/// True for the resources that serve `/scale`.
pub fn serves(req: &Request) -> bool {
    matches!(
        (req.kind.group, req.kind.resource),
        ("apps", "deployments" | "replicasets" | "statefulsets") | ("", "replicationcontrollers")
    )
}

/// `labels.Selector.String()`: requirements sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`,
/// `k`, `!k`. A ReplicationController's selector is a plain map of labels.
pub fn selector_string(selector: &Value) -> String {
    let mut parts: Vec<(String, String)> = Vec::new();
    let Some(obj) = selector.as_object() else { return String::new() };
    let labels = obj.get("matchLabels").and_then(Value::as_object);
    let is_map = labels.is_none() && !obj.contains_key("matchExpressions");
    let plain = if is_map { Some(obj) } else { labels };
    for (k, v) in plain.into_iter().flatten() {
        parts.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
    }
    for e in obj.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
        let key = e["key"].as_str().unwrap_or("").to_string();
        let mut values: Vec<&str> = e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let text = match e["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        parts.push((key, text));
    }
    parts.sort();
    parts.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// `scaleFromDeployment` and its siblings: name, namespace, uid, resourceVersion and
/// creationTimestamp of the parent, its desired and observed replicas and its selector.
pub fn scale_of(parent: &Value) -> Value {
    let meta = &parent["metadata"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    let created = meta["creationTimestamp"].as_str().and_then(|s| serde_json::from_value::<Time>(json!(s)).ok());
    let replicas = parent["spec"]["replicas"].as_i64().unwrap_or(0) as i32;
    let selector = selector_string(&parent["spec"]["selector"]);
    let scale = Scale {
        metadata: ObjectMeta {
            name: text(&meta["name"]),
            namespace: text(&meta["namespace"]),
            uid: text(&meta["uid"]),
            resource_version: text(&meta["resourceVersion"]),
            creation_timestamp: created,
            ..ObjectMeta::default()
        },
        // Go's `replicas,omitempty` drops a zero.
        spec: Some(ScaleSpec { replicas: (replicas != 0).then_some(replicas) }),
        status: Some(ScaleStatus {
            replicas: parent["status"]["replicas"].as_i64().unwrap_or(0) as i32,
            selector: (!selector.is_empty()).then_some(selector),
        }),
    };
    let mut v = serde_json::to_value(&scale).unwrap_or(Value::Null);
    // `status.replicas` has no omitempty in autoscaling/v1.
    if v["status"]["replicas"].is_null() {
        v["status"]["replicas"] = json!(0);
    }
    v
}

/// `ValidateScale`: replicas may not be negative.
fn validate(scale: &Value) -> Vec<FieldError> {
    match scale["spec"]["replicas"].as_i64() {
        Some(n) if n < 0 => vec![FieldError::invalid("spec.replicas", &json!(n), "must be greater than or equal to 0")],
        _ => Vec::new(),
    }
}

/// GET, PUT or PATCH on `<parent>/scale`.
pub fn serve(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let parent_get = Request { verb: Verb::Get, subresource: String::new(), body: None, ..req.clone() };
    if !matches!(req.verb, Verb::Get | Verb::Update | Verb::Patch(_)) {
        return Err(Status::method_not_supported(req.verb.name(), &format!("{}/scale", req.kind.resource)));
    }
    let parent = get(run, &parent_get)?;
    let old_scale = scale_of(&parent);
    if req.verb == Verb::Get {
        return Ok(old_scale);
    }
    // old scale -> new scale, as the request asks.
    let body = req.body.clone().unwrap_or(Value::Null);
    let new_scale = match req.verb {
        Verb::Patch(kind) => {
            let mut s = old_scale.clone();
            match kind {
                PatchType::Merge | PatchType::Strategic => patch::merge(&mut s, &body),
                PatchType::Json => {
                    if let Err(e) = patch::json_patch(&mut s, &body) {
                        return run.reject(Stage::Decode, Status { code: 422, reason: "Invalid", message: e });
                    }
                }
            }
            s
        }
        _ => {
            if body["kind"].as_str().is_some_and(|k| k != "Scale") {
                let message = format!("expected input object type to be Scale, but {}", body["kind"].as_str().unwrap_or(""));
                return run.reject(Stage::Decode, Status::bad_request(message));
            }
            body
        }
    };
    let name = req.name.clone();
    let errors = validate(&new_scale);
    if !errors.is_empty() {
        // `errors.NewInvalid(autoscaling.Kind("Scale"), name, errs)`.
        let message = format!("Scale.autoscaling \"{name}\" is invalid: {}", crate::apiserver::field::aggregate(&errors));
        let status = Status { code: 422, reason: "Invalid", message };
        run.causes = errors;
        return run.reject(Stage::Validation, status);
    }
    let uid = new_scale["metadata"]["uid"].as_str().unwrap_or("");
    let have = parent["metadata"]["uid"].as_str().unwrap_or("");
    if !uid.is_empty() && uid != have {
        let resource = format!("{}/scale{}", req.kind.resource, if req.kind.group.is_empty() { String::new() } else { format!(".{}", req.kind.group) });
        let why = format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {have}");
        return run.reject(Stage::Validation, Status::conflict(&resource, &name, &why));
    }
    let replicas = new_scale["spec"]["replicas"].as_i64().unwrap_or(0);
    run.stage(Stage::Validation, Verdict::Passed, format!("Scale spec.replicas {replicas} -> {}.spec.replicas", req.kind.resource));
    // new scale -> new parent: replicas and the resourceVersion precondition move over.
    let mut new_parent = parent.clone();
    new_parent["spec"]["replicas"] = json!(replicas);
    match new_scale["metadata"]["resourceVersion"].as_str() {
        Some(rv) => new_parent["metadata"]["resourceVersion"] = json!(rv),
        None => {
            if let Some(m) = new_parent["metadata"].as_object_mut() {
                m.remove("resourceVersion");
            }
        }
    }
    let parent_update = Request { verb: Verb::Update, body: Some(new_parent), ..req.clone() };
    let stored = update(run, &parent_update)?;
    Ok(scale_of(&stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_print_as_labels_selector_string() {
        let sel = json!({"matchLabels": {"tier": "web", "app": "web"}, "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}, {"key": "legacy", "operator": "DoesNotExist"}]});
        assert_eq!(selector_string(&sel), "app=web,env in (dev,prod),!legacy,tier=web");
        // A ReplicationController's selector is a map.
        assert_eq!(selector_string(&json!({"app": "web"})), "app=web");
    }

    #[test]
    fn scale_carries_replicas_and_selector() {
        let d = json!({"metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7", "creationTimestamp": "2026-01-01T00:00:00Z", "labels": {"x": "y"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}}, "status": {"replicas": 2}});
        let s = scale_of(&d);
        assert_eq!(s["apiVersion"], "autoscaling/v1");
        assert_eq!(s["kind"], "Scale");
        assert_eq!(s["spec"]["replicas"], 3);
        assert_eq!(s["status"], json!({"replicas": 2, "selector": "app=web"}));
        assert_eq!(s["metadata"]["resourceVersion"], "7");
        assert!(s["metadata"].get("labels").is_none());
        let zero = scale_of(&json!({"metadata": {"name": "web"}, "spec": {"replicas": 0}}));
        assert_eq!(zero["spec"], json!({}));
        assert_eq!(zero["status"]["replicas"], 0);
        assert_eq!(validate(&json!({"spec": {"replicas": -1}}))[0].to_string(), "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    }
}
