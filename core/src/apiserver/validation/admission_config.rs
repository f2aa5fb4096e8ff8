//! The admission configuration kinds of `admissionregistration.k8s.io` (webhook configurations,
//! admission policies and their bindings): ObjectMeta, then the name suffix reserved for
//! manifest-based admission configuration.
//!
//! With the `ManifestBasedAdmissionControlConfig` feature (beta and on by default in 1.37), each
//! of these strategies' `Validate` appends `ValidateStaticSuffix`
//! (`pkg/apis/admissionregistration/validation/static_suffix.go`): names ending in
//! `.static.k8s.io` belong to policies the API server loads from files at start-up, so a create
//! through the API is refused. The specs themselves are not validated here yet.

use super::meta;
use super::names::NameRule;
use crate::apiserver::FieldError;
use serde_json::Value;

/// The suffix of manifest-based admission configuration names (`StaticConfigSuffix`).
const STATIC_CONFIG_SUFFIX: &str = ".static.k8s.io";

/// The kinds whose strategy checks the suffix.
pub const KINDS: [&str; 6] = [
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
];

/// `strategy.Validate` for a create of one of [`KINDS`] (cluster-scoped, DNS-1123 subdomain names).
pub fn validate(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), false, NameRule::Subdomain);
    let name = obj.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("");
    if name.ends_with(STATIC_CONFIG_SUFFIX) {
        errs.push(FieldError::invalid(
            "metadata.name",
            &Value::from(name),
            format!("names ending with {STATIC_CONFIG_SUFFIX:?} are reserved for static manifest-based configurations and cannot be managed via the API"),
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;
    use serde_json::json;

    #[test]
    fn static_names_are_reserved() {
        let policy = |name: &str| json!({"metadata": {"name": name}, "spec": {}});
        assert!(validate(&policy("demo-policy.example.com")).is_empty());
        assert_eq!(
            aggregate(&validate(&policy("example-deny-privileged.static.k8s.io"))),
            "metadata.name: Invalid value: \"example-deny-privileged.static.k8s.io\": names ending with \".static.k8s.io\" are reserved for static manifest-based configurations and cannot be managed via the API"
        );
    }
}
