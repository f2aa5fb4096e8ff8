//! Quantities the server's decoder refuses. `resource.Quantity` implements `UnmarshalJSON` with
//! `ParseQuantity`, so a request that holds `cpu: lots` fails while kube-apiserver decodes the
//! body — a 400 `Pod in version "v1" cannot be handled as a Pod: quantities must match the
//! regular expression ...`, before validation ever runs. k8s-openapi keeps a `Quantity` as its
//! string, so this walks the decoded object for the quantity-valued fields of the built-in kinds
//! (resource lists and the few single quantities) and parses each one.

use crate::apiserver::validation::quantity::{Quantity, FORMAT_WRONG};
use serde_json::Value;

/// Fields holding a `ResourceList` (`map[ResourceName]resource.Quantity`): container and claim
/// resources, quota, LimitRange items, node capacity, RuntimeClass overhead.
const RESOURCE_LISTS: [&str; 11] =
    ["requests", "limits", "hard", "used", "capacity", "allocatable", "max", "min", "default", "defaultRequest", "maxLimitRequestRatio"];

/// Fields holding one `*resource.Quantity`: `emptyDir.sizeLimit`, HPA metric targets.
const SINGLE: [&str; 3] = ["sizeLimit", "averageValue", "value"];

/// The decoder's error for the first unparsable quantity in document order, if any.
pub(super) fn first_bad_quantity(object: &Value) -> Option<&'static str> {
    walk(object, 0)
}

fn walk(value: &Value, depth: usize) -> Option<&'static str> {
    // Typed objects are shallow; the bound keeps a pathological one from recursing far.
    if depth > 64 {
        return None;
    }
    match value {
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            // A CRD's schema holds `default`/`max`/`min` of its own, which are no quantities.
            if key == "openAPIV3Schema" {
                return None;
            }
            let list = RESOURCE_LISTS.contains(&key.as_str()) && v.as_object().is_some_and(|m| m.values().all(is_scalar));
            if list {
                v.as_object()?.values().find_map(bad)
            } else if SINGLE.contains(&key.as_str()) && v.is_string() && in_metric_or_volume(key, map) {
                bad(v)
            } else {
                walk(v, depth + 1)
            }
        }),
        Value::Array(items) => items.iter().find_map(|v| walk(v, depth + 1)),
        _ => None,
    }
}

fn is_scalar(v: &Value) -> bool {
    v.is_string() || v.is_number()
}

/// `value` is a quantity only in an HPA metric target (beside `type`), `sizeLimit` in an emptyDir
/// (beside `medium`, or alone).
fn in_metric_or_volume(key: &str, holder: &serde_json::Map<String, Value>) -> bool {
    match key {
        "value" | "averageValue" => holder.get("type").and_then(Value::as_str).is_some_and(|t| t == "Value" || t == "AverageValue"),
        _ => true,
    }
}

fn bad(v: &Value) -> Option<&'static str> {
    match v {
        Value::String(s) => Quantity::parse(s.trim()).err().map(|_| FORMAT_WRONG),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_unparsable_quantities_where_the_types_hold_them() {
        let pod = json!({"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m", "memory": "lots"}}}]}});
        assert_eq!(first_bad_quantity(&pod), Some(FORMAT_WRONG));
        let fine = json!({"spec": {"containers": [{"resources": {"limits": {"cpu": 1, "memory": "1Gi"}}}], "volumes": [{"emptyDir": {"sizeLimit": "1Gi"}}]}});
        assert_eq!(first_bad_quantity(&fine), None);
        assert_eq!(first_bad_quantity(&json!({"spec": {"volumes": [{"emptyDir": {"sizeLimit": "big"}}]}})), Some(FORMAT_WRONG));
        assert_eq!(first_bad_quantity(&json!({"spec": {"hard": {"pods": "ten"}}})), Some(FORMAT_WRONG));
        // Not quantities: a ConfigMap's data, an env var's value, a list of LimitRange items.
        assert_eq!(first_bad_quantity(&json!({"data": {"requests": "many"}, "env": [{"name": "a", "value": "x"}]})), None);
        assert_eq!(
            first_bad_quantity(&json!({"metrics": [{"resource": {"target": {"type": "AverageValue", "averageValue": "x"}}}]})),
            Some(FORMAT_WRONG)
        );
    }
}
