//! LimitRange defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_LimitRangeItem`.
//! For a `Container` item, a missing default limit comes from `max`, and a missing default
//! request from the default limit, else from `min`, resource by resource.
//!
//! Applying these values to pods is the LimitRanger admission plugin's job, not the scheme's.

use super::fields::{child, each, fill_missing_keys, str_of, Object};

pub(super) fn default_limit_range(limit_range: &mut Object) {
    let Some(spec) = child(limit_range, "spec") else {
        return;
    };
    for item in each(spec, "limits") {
        if str_of(item, "type") != "Container" {
            continue;
        }
        for (from, to) in [
            ("max", "default"),
            ("default", "defaultRequest"),
            ("min", "defaultRequest"),
        ] {
            let source = item.get(from).and_then(|v| v.as_object()).cloned();
            if let Some(source) = source {
                fill_missing_keys(item, &source, to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_items_fill_default_and_default_request() {
        let mut v = json!({"spec": {"limits": [
            {"type": "Container", "max": {"cpu": "800m", "memory": "1Gi"}, "min": {"cpu": "100m", "ephemeral-storage": "1Gi"},
             "default": {"memory": "512Mi"}},
            {"type": "Pod", "max": {"cpu": "2"}}
        ]}});
        if let Some(o) = v.as_object_mut() {
            default_limit_range(o);
        }
        assert_eq!(
            v["spec"]["limits"][0],
            json!({"type": "Container", "max": {"cpu": "800m", "memory": "1Gi"},
                   "min": {"cpu": "100m", "ephemeral-storage": "1Gi"},
                   "default": {"memory": "512Mi", "cpu": "800m"},
                   "defaultRequest": {"memory": "512Mi", "cpu": "800m", "ephemeral-storage": "1Gi"}})
        );
        assert_eq!(
            v["spec"]["limits"][1],
            json!({"type": "Pod", "max": {"cpu": "2"}})
        );
    }
}
