//! kube-apiserver's validation stage: the registry strategies' `Validate` / `ValidateUpdate`,
//! which call `pkg/apis/<group>/validation` (`ValidatePod`, `ValidateDeployment`, ...), with the
//! real messages and field paths. This file dispatches on (group, kind); one file per concept
//! holds the checks.
//!
//! Objects arrive as JSON in the versioned shape (camelCase) after scheme defaulting. Where a
//! field that scheme defaulting always fills is absent (e.g. `restartPolicy`, `dnsPolicy`,
//! `strategy.type`), the checks read it as its default value: on a real server the field is
//! never empty by the time validation runs, so a "Required value" there is unreachable.
//!
//! The order of errors follows the Go validators (ObjectMeta first, then spec in source order),
//! because the aggregated text depends on it. Go iterates maps in random order; here map keys
//! (labels, data keys, resources) are visited in sorted order.

mod admission_config;
mod config;
mod cron;
mod ingress;
mod job;
mod meta;
mod names;
mod pod;
mod pod_update;
mod probe;
mod pvc;
mod quota;
mod rbac;
mod resources;
pub mod quantity;
mod service;
mod time_zones;
mod update;
mod workloads;

#[cfg(test)]
mod table_tests;

use crate::api::KindInfo;
use crate::apiserver::FieldError;
use serde_json::Value;

pub use names::NameRule;

/// Validates an object for create (`rest.BeforeCreate` -> `strategy.Validate`).
pub fn validate_create(kind: &KindInfo, obj: &Value) -> Vec<FieldError> {
    match (kind.group, kind.kind) {
        ("", "Pod") => pod::validate_pod(obj),
        ("", "PodTemplate") => {
            // ValidatePodTemplate: metadata, then the template at `template`.
            let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
            errs.extend(pod::validate_pod_template_spec(obj.get("template"), "template"));
            errs
        }
        ("", "ReplicationController") => workloads::validate_replication_controller(obj),
        ("apps", "Deployment") => workloads::validate_deployment(obj),
        ("apps", "ReplicaSet") => workloads::validate_replica_set(obj),
        ("apps", "StatefulSet") => workloads::validate_stateful_set(obj),
        ("apps", "DaemonSet") => workloads::validate_daemon_set(obj),
        ("batch", "Job") => job::validate_job(obj),
        ("batch", "CronJob") => job::validate_cron_job(obj),
        ("", "Service") => service::validate_service(obj),
        ("", "ConfigMap") => config::validate_config_map(obj),
        ("", "Secret") => config::validate_secret(obj),
        ("", "Namespace") => config::validate_namespace(obj),
        ("", "PersistentVolumeClaim") => pvc::validate_pvc(obj),
        ("", "ResourceQuota") => quota::validate_resource_quota(obj),
        ("", "LimitRange") => quota::validate_limit_range(obj),
        ("rbac.authorization.k8s.io", "Role") => rbac::validate_role(obj),
        ("rbac.authorization.k8s.io", "ClusterRole") => rbac::validate_cluster_role(obj),
        ("rbac.authorization.k8s.io", "RoleBinding") => rbac::validate_role_binding(obj),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => rbac::validate_cluster_role_binding(obj),
        ("networking.k8s.io", "Ingress") => ingress::validate_ingress(obj),
        ("admissionregistration.k8s.io", k) if admission_config::KINDS.contains(&k) => admission_config::validate(obj),
        _ => meta::validate_object_meta(obj.get("metadata"), kind.namespaced, default_name_rule(kind)),
    }
}

/// Validates a replace (`rest.BeforeUpdate` -> `strategy.ValidateUpdate`). `old` is the stored
/// object, `new` the one about to be written (server-owned metadata already carried over).
pub fn validate_update(kind: &KindInfo, old: &Value, new: &Value) -> Vec<FieldError> {
    update::validate_update(kind, old, new)
}

/// The name rule of kinds validated by ObjectMeta alone here.
fn default_name_rule(kind: &KindInfo) -> NameRule {
    match (kind.group, kind.kind) {
        ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
        ("", "Namespace") => NameRule::Label,
        ("", "Service") => NameRule::Dns1035,
        ("apps", "StatefulSet") => NameRule::Label,
        _ => NameRule::Subdomain,
    }
}

// ---- Small readers over serde_json::Value that never panic on odd shapes. ----
// A wrong JSON type would have failed decoding on a real server; here it reads as absent.

/// The string at `key`, or "" when absent or not a string.
fn str_of<'a>(v: Option<&'a Value>, key: &str) -> &'a str {
    v.and_then(|v| v.get(key)).and_then(Value::as_str).unwrap_or("")
}

/// The integer at `key`, when present and integral.
fn int_of(v: Option<&Value>, key: &str) -> Option<i64> {
    v.and_then(|v| v.get(key)).and_then(Value::as_i64)
}

/// The object at `key`, when present and an object.
fn obj_of<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    v.and_then(|v| v.get(key)).filter(|v| v.is_object())
}

/// The list at `key` (empty when absent or not a list).
fn arr_of<'a>(v: Option<&'a Value>, key: &str) -> &'a [Value] {
    v.and_then(|v| v.get(key)).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// A map's entries in sorted key order (empty when absent or not a map).
fn entries<'a>(v: Option<&'a Value>, key: &str) -> Vec<(&'a String, &'a Value)> {
    let mut out: Vec<(&String, &Value)> =
        v.and_then(|v| v.get(key)).and_then(Value::as_object).map(|m| m.iter().collect()).unwrap_or_default();
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

/// True when `key` holds a JSON true.
fn bool_of(v: Option<&Value>, key: &str) -> bool {
    v.and_then(|v| v.get(key)).and_then(Value::as_bool).unwrap_or(false)
}

/// True when `key` is present and not null.
fn has(v: Option<&Value>, key: &str) -> bool {
    v.and_then(|v| v.get(key)).is_some_and(|v| !v.is_null())
}

/// `ValidateNonnegativeField`.
fn nonnegative(errs: &mut Vec<FieldError>, v: Option<i64>, path: &str) {
    if let Some(n) = v {
        if n < 0 {
            errs.push(FieldError::invalid(path, &Value::from(n), "must be greater than or equal to 0"));
        }
    }
}

/// `ValidateImmutableField`: `Invalid value: <new>: field is immutable`.
fn immutable(errs: &mut Vec<FieldError>, new: Option<&Value>, old: Option<&Value>, path: &str) {
    let n = new.filter(|v| !v.is_null());
    let o = old.filter(|v| !v.is_null());
    if n != o {
        errs.push(FieldError::invalid(path, n.unwrap_or(&Value::Null), "field is immutable"));
    }
}

/// Go's `encoding/json` output for a struct: fields in declaration order (serde_json's map
/// would sort them). Used where Go prints an internal, untagged struct as the error value.
fn go_struct(fields: &[(&str, &Value)]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::from(*k), serde_json::to_string(v).unwrap_or_default()))
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// Go's JSON for a `metav1.LabelSelector`: `matchLabels` before `matchExpressions`.
fn render_selector(sel: &Value) -> String {
    let Some(m) = sel.as_object() else { return serde_json::to_string(sel).unwrap_or_default() };
    let mut fields: Vec<(&str, &Value)> = Vec::new();
    for key in ["matchLabels", "matchExpressions"] {
        if let Some(v) = m.get(key).filter(|v| !v.is_null()) {
            fields.push((key, v));
        }
    }
    go_struct(&fields)
}

/// An error whose value slot shows `rendered` instead of serde_json's rendering.
fn with_value(mut e: FieldError, rendered: String) -> FieldError {
    e.value = rendered;
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    fn kind(group: &str, k: &str) -> &'static KindInfo {
        let api_version = if group.is_empty() { "v1".to_string() } else { format!("{group}/v1") };
        crate::api::lookup(&api_version, k).expect("kind is registered")
    }

    #[test]
    fn odd_shapes_never_panic() {
        let odd = [
            json!(null),
            json!(1),
            json!("x"),
            json!([1, 2]),
            json!({"metadata": 5, "spec": "x"}),
            json!({"metadata": {"name": 5, "labels": [1], "annotations": "a"}, "spec": {"containers": {"a": 1}}}),
            json!({"metadata": {"name": "a", "namespace": "d"}, "spec": {"template": [], "selector": 3, "replicas": "2",
                "ports": [null, 1, {"port": "x", "targetPort": null}], "rules": [null], "data": 7,
                "containers": [null, 3, {"name": 1, "ports": [{"containerPort": "a"}], "resources": {"limits": {"cpu": 5}, "requests": [1]},
                    "livenessProbe": 4, "env": [null, {"name": null}], "volumeMounts": [{}]}],
                "volumes": [null, {"name": 1}], "schedule": 7, "jobTemplate": {"spec": 1}, "strategy": {"type": 1, "rollingUpdate": {"maxSurge": null}}}}),
        ];
        for k in crate::api::all_kinds() {
            for o in &odd {
                let _ = validate_create(k, o);
                for o2 in &odd {
                    let _ = validate_update(k, o, o2);
                }
            }
        }
    }

    #[test]
    fn go_field_order() {
        let sel = json!({"matchExpressions": [{"key": "a", "operator": "Exists"}], "matchLabels": {"b": "c"}});
        assert_eq!(render_selector(&sel), r#"{"matchLabels":{"b":"c"},"matchExpressions":[{"key":"a","operator":"Exists"}]}"#);
        assert_eq!(go_struct(&[("Type", &json!("X")), ("RollingUpdate", &Value::Null)]), r#"{"Type":"X","RollingUpdate":null}"#);
    }

    #[test]
    fn pod_templates_validate_their_pod_spec() {
        let t = json!({"metadata": {"name": "t", "namespace": "default"}, "template": {"spec": {"containers": []}}});
        assert_eq!(aggregate(&validate_create(kind("", "PodTemplate"), &t)), "template.spec.containers: Required value");
    }

    #[test]
    fn other_kinds_get_object_meta_validation() {
        let errs = validate_create(kind("", "ServiceAccount"), &json!({"metadata": {"namespace": "default"}}));
        assert_eq!(aggregate(&errs), "metadata.name: Required value: name or generateName is required");
    }
}
