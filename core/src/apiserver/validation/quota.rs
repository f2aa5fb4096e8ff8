//! ResourceQuota and LimitRange basics, mirroring `ValidateResourceQuota` /
//! `ValidateResourceQuotaSpec` / `ValidateResourceQuotaResourceName` and the quantity parts of
//! `ValidateLimitRange` in `pkg/apis/core/validation/validation.go`. Quota scopes and scope
//! selectors, and LimitRange's per-type resource name rules and ratio checks, are left out.

use super::meta;
use super::names::NameRule;
use super::resources::{parse_quantity, validate_quantity_value};
use super::quantity::Quantity;
use super::{arr_of, entries, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::Value;

/// `helper.IsStandardQuotaResourceName`.
fn is_standard_quota_resource(name: &str) -> bool {
    matches!(
        name,
        "pods" | "services" | "replicationcontrollers" | "resourcequotas" | "secrets" | "configmaps"
            | "persistentvolumeclaims" | "services.nodeports" | "services.loadbalancers" | "cpu" | "memory"
            | "ephemeral-storage" | "requests.cpu" | "requests.memory" | "requests.storage"
            | "requests.ephemeral-storage" | "limits.cpu" | "limits.memory" | "limits.ephemeral-storage"
    ) || name.starts_with("hugepages-")
        || name.starts_with("requests.hugepages-")
}

/// `ValidateResourceQuota` (spec part).
pub fn validate_resource_quota(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    for (name, v) in entries(obj_of(Some(obj), "spec"), "hard") {
        let path = format!("spec.hard[{name}]");
        let shown = Value::from(name.as_str());
        let mut name_errs: Vec<FieldError> =
            super::names::qualified_name(name).into_iter().map(|m| FieldError::invalid(&path, &shown, m)).collect();
        if name_errs.is_empty() && !name.contains('/') && !is_standard_quota_resource(name) {
            name_errs.push(FieldError::invalid(&path, &shown, "must be a standard resource for quota"));
        }
        errs.extend(name_errs);
        if let Some(q) = parse_quantity(v, &path, &mut errs) {
            errs.extend(validate_quantity_value(name, &q, &path));
        }
    }
    errs
}

/// The quantity checks of `ValidateLimitRange`: types are known, values non-negative, and
/// min <= default request <= default <= max for each resource.
pub fn validate_limit_range(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Subdomain);
    for (i, limit) in arr_of(obj_of(Some(obj), "spec"), "limits").iter().enumerate() {
        let base = format!("spec.limits[{i}]");
        let l = Some(limit);
        let ty = str_of(l, "type");
        errs.extend(limit_range_type_name(ty, &format!("{base}.type")));
        let mut read = |field: &str| -> Vec<(String, Quantity)> {
            let mut out = Vec::new();
            for (name, v) in entries(l, field) {
                let path = format!("{base}.{field}[{name}]");
                if let Some(q) = parse_quantity(v, &path, &mut errs) {
                    errs.extend(validate_quantity_value(name, &q, &path));
                    out.push((name.clone(), q));
                }
            }
            out
        };
        let (max, min) = (read("max"), read("min"));
        let (default, default_request) = (read("default"), read("defaultRequest"));
        let find = |list: &[(String, Quantity)], k: &str| list.iter().find(|(n, _)| n == k).map(|(_, q)| q.clone());
        let mut keys: Vec<String> = max.iter().chain(&min).chain(&default).chain(&default_request).map(|(n, _)| n.clone()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let (mx, mn, d, dr) = (find(&max, &k), find(&min, &k), find(&default, &k), find(&default_request, &k));
            let shown = |q: &Quantity| Value::from(q.canonical());
            if let (Some(mn), Some(mx)) = (&mn, &mx) {
                if mn > mx {
                    errs.push(FieldError::invalid(
                        format!("{base}.min[{k}]"),
                        &shown(mn),
                        format!("min value {} is greater than max value {}", mn.canonical(), mx.canonical()),
                    ));
                }
            }
            if let (Some(dr), Some(mn)) = (&dr, &mn) {
                if mn > dr {
                    errs.push(FieldError::invalid(
                        format!("{base}.defaultRequest[{k}]"),
                        &shown(dr),
                        format!("min value {} is greater than default request value {}", mn.canonical(), dr.canonical()),
                    ));
                }
            }
            if let (Some(dr), Some(mx)) = (&dr, &mx) {
                if dr > mx {
                    errs.push(FieldError::invalid(
                        format!("{base}.defaultRequest[{k}]"),
                        &shown(dr),
                        format!("default request value {} is greater than max value {}", dr.canonical(), mx.canonical()),
                    ));
                }
            }
            if let (Some(dr), Some(d)) = (&dr, &d) {
                if dr > d {
                    errs.push(FieldError::invalid(
                        format!("{base}.defaultRequest[{k}]"),
                        &shown(dr),
                        format!("default request value {} is greater than default limit value {}", dr.canonical(), d.canonical()),
                    ));
                }
            }
            if let (Some(d), Some(mx)) = (&d, &mx) {
                if d > mx {
                    errs.push(FieldError::invalid(
                        format!("{base}.default[{k}]"),
                        &shown(d),
                        format!("default value {} is greater than max value {}", d.canonical(), mx.canonical()),
                    ));
                }
            }
        }
    }
    errs
}

/// `validateLimitRangeTypeName`: a qualified name (so a missing type fails as an empty one), and
/// without a `/` prefix one of the standard types.
fn limit_range_type_name(ty: &str, path: &str) -> Vec<FieldError> {
    let errs: Vec<FieldError> =
        super::names::qualified_name(ty).into_iter().map(|m| FieldError::invalid(path, &Value::from(ty), m)).collect();
    if !errs.is_empty() || ty.contains('/') || matches!(ty, "Pod" | "Container" | "PersistentVolumeClaim") {
        return errs;
    }
    vec![FieldError::invalid(path, &Value::from(ty), "must be a standard limit type or fully qualified")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn quota_names_and_values() {
        let q = json!({"metadata": {"name": "q", "namespace": "default"}, "spec": {"hard": {"pods": "1.5", "foo": "1"}}});
        assert_eq!(
            aggregate(&validate_resource_quota(&q)),
            "[spec.hard[foo]: Invalid value: \"foo\": must be a standard resource for quota, spec.hard[pods]: Invalid value: \"1500m\": must be an integer]"
        );
    }

    #[test]
    fn limit_range_min_above_max() {
        let l = json!({"metadata": {"name": "l", "namespace": "default"}, "spec": {"limits": [{"type": "Container",
            "min": {"cpu": "2"}, "max": {"cpu": "1"}}]}});
        assert_eq!(
            aggregate(&validate_limit_range(&l)),
            "spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1"
        );
    }

    /// The website's problematic-limit-range.yaml leaves `type` out: it fails as an empty
    /// qualified name (`validateLimitRangeTypeName`), not as an unsupported enum value.
    #[test]
    fn limit_range_type_is_a_qualified_name() {
        let with = |ty: Value| json!({"metadata": {"name": "l", "namespace": "default"}, "spec": {"limits": [{"type": ty, "max": {"cpu": "1"}}]}});
        let key = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        assert_eq!(
            aggregate(&validate_limit_range(&with(json!("")))),
            format!("[spec.limits[0].type: Invalid value: \"\": name part must be non-empty, spec.limits[0].type: Invalid value: \"\": {key}]")
        );
        assert_eq!(
            aggregate(&validate_limit_range(&with(json!("Node")))),
            "spec.limits[0].type: Invalid value: \"Node\": must be a standard limit type or fully qualified"
        );
        assert!(validate_limit_range(&with(json!("example.com/gpu"))).is_empty());
    }
}
