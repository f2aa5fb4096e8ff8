//! Container resources, mirroring `ValidateResourceRequirements`, `validateContainerResourceName`,
//! `validateResourceName` and `ValidateResourceQuantityValue` in
//! `pkg/apis/core/validation/validation.go`, with the helpers of `pkg/apis/core/helper` that
//! classify resource names (standard, native, hugepages, integer). Requests may not exceed
//! limits; non-overcommitable resources (extended, hugepages) need requests equal to limits.

use super::names;
use super::quantity::{Quantity, FORMAT_WRONG};
use super::entries;
use crate::apiserver::FieldError;
use serde_json::Value;

fn is_native_resource(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `helper.IsStandardResourceName` for unprefixed names.
fn is_standard_resource_name(name: &str) -> bool {
    let base = name.strip_prefix("requests.").or_else(|| name.strip_prefix("limits.")).unwrap_or(name);
    is_hugepages(base)
        || matches!(
            base,
            "cpu" | "memory" | "ephemeral-storage" | "storage" | "pods" | "services" | "replicationcontrollers"
                | "resourcequotas" | "secrets" | "configmaps" | "persistentvolumeclaims" | "services.nodeports"
                | "services.loadbalancers"
        )
}

/// `helper.IsIntegerResourceName`: object counts and extended resources.
fn is_integer_resource(name: &str) -> bool {
    matches!(
        name,
        "pods" | "services" | "replicationcontrollers" | "resourcequotas" | "secrets" | "configmaps"
            | "persistentvolumeclaims" | "services.nodeports" | "services.loadbalancers"
    ) || name.starts_with("count/")
        || (!is_native_resource(name) && !name.starts_with("requests."))
}

/// Parses a quantity at `path`; an unparsable one is reported with the decoder's text (a real
/// server rejects it while decoding, before validation).
pub fn parse_quantity(v: &Value, path: &str, errs: &mut Vec<FieldError>) -> Option<Quantity> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    match Quantity::parse(&text) {
        Ok(q) => Some(q),
        Err(_) => {
            errs.push(FieldError::invalid(path, v, FORMAT_WRONG));
            None
        }
    }
}

/// `ValidateResourceQuantityValue`: non-negative, whole for integer resources.
pub fn validate_quantity_value(resource: &str, q: &Quantity, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let shown = Value::from(q.canonical());
    if q.nanos < 0 {
        errs.push(FieldError::invalid(path, &shown, "must be greater than or equal to 0"));
    }
    if is_integer_resource(resource) && !q.is_integer() {
        errs.push(FieldError::invalid(path, &shown, "must be an integer"));
    }
    errs
}

/// `validateContainerResourceName`.
fn validate_container_resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let value = Value::from(name);
    let mut errs: Vec<FieldError> =
        names::qualified_name(name).into_iter().map(|m| FieldError::invalid(path, &value, m)).collect();
    if !errs.is_empty() {
        return errs;
    }
    if !name.contains('/') {
        if !is_standard_resource_name(name) {
            errs.push(FieldError::invalid(path, &value, "must be a standard resource type or fully qualified"));
        }
        if !(matches!(name, "cpu" | "memory" | "ephemeral-storage") || is_hugepages(name)) {
            errs.push(FieldError::invalid(path, &value, "must be a standard resource for containers"));
        }
    } else if !is_native_resource(name) && name.starts_with("requests.") {
        errs.push(FieldError::invalid(path, &value, "doesn't follow extended resource name standard"));
    }
    errs
}

/// `ValidateResourceRequirements` for a container.
pub fn validate_resource_requirements(res: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let lim_path = format!("{path}.limits");
    let req_path = format!("{path}.requests");
    let mut limits = Vec::new();
    for (name, v) in entries(res, "limits") {
        let p = format!("{lim_path}[{name}]");
        errs.extend(validate_container_resource_name(name, &p));
        if let Some(q) = parse_quantity(v, &p, &mut errs) {
            errs.extend(validate_quantity_value(name, &q, &p));
            limits.push((name.clone(), q));
        }
    }
    for (name, v) in entries(res, "requests") {
        let p = format!("{req_path}[{name}]");
        errs.extend(validate_container_resource_name(name, &p));
        let Some(q) = parse_quantity(v, &p, &mut errs) else { continue };
        errs.extend(validate_quantity_value(name, &q, &p));
        let overcommit = is_native_resource(name) && !is_hugepages(name);
        match limits.iter().find(|(n, _)| n == name) {
            Some((_, limit)) => {
                if q.nanos != limit.nanos && !overcommit {
                    errs.push(FieldError::invalid(
                        &req_path,
                        &Value::from(q.canonical()),
                        format!("must be equal to {name} limit of {}", limit.canonical()),
                    ));
                } else if q.nanos > limit.nanos {
                    errs.push(FieldError::invalid(
                        &req_path,
                        &Value::from(q.canonical()),
                        format!("must be less than or equal to {name} limit of {}", limit.canonical()),
                    ));
                }
            }
            None if !overcommit => {
                errs.push(FieldError::required(&lim_path, "Limit must be set for non overcommitable resources"));
            }
            None => {}
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn extended_resources_need_equal_requests_and_limits() {
        let res = json!({"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "2"}});
        assert_eq!(
            aggregate(&validate_resource_requirements(Some(&res), "r")),
            "r.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2"
        );
        let res = json!({"requests": {"example.com/gpu": "1"}});
        assert_eq!(
            aggregate(&validate_resource_requirements(Some(&res), "r")),
            "r.limits: Required value: Limit must be set for non overcommitable resources"
        );
    }

    #[test]
    fn fractional_extended_resources_are_not_integers() {
        let q = Quantity::parse("500m").unwrap_or(Quantity { nanos: 0, format: super::super::quantity::Format::DecimalSi });
        assert_eq!(aggregate(&validate_quantity_value("example.com/gpu", &q, "p")), "p: Invalid value: \"500m\": must be an integer");
        assert_eq!(validate_quantity_value("cpu", &q, "p"), vec![]);
    }

    #[test]
    fn unparsable_quantities_report_the_decoder_text() {
        let mut errs = Vec::new();
        assert!(parse_quantity(&json!("lots"), "p", &mut errs).is_none());
        assert_eq!(errs[0].detail, FORMAT_WRONG);
    }
}
