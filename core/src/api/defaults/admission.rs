//! Admission configuration defaults: mirrors `pkg/apis/admissionregistration/v1/defaults.go`
//! (`SetDefaults_ValidatingWebhook`, `SetDefaults_MutatingWebhook`, `SetDefaults_Rule`,
//! `SetDefaults_ServiceReference`, `SetDefaults_ValidatingAdmissionPolicySpec`,
//! `SetDefaults_MatchResources`), with the values the v1 types document ("Defaults to Fail",
//! "Default to 10 seconds", "Default to 443").
//!
//! Not defaulted: a webhook's `sideEffects` and `admissionReviewVersions` (required in v1, unlike
//! v1beta1) and a binding's `paramRef.parameterNotFoundAction` (required).

use serde_json::Value;

use super::fields::{child, default_if_nil, each, Object};

/// `SetDefaults_ValidatingWebhook` and `SetDefaults_MutatingWebhook`, over every webhook of a
/// configuration.
pub(super) fn default_webhook_configuration(config: &mut Object, mutating: bool) {
    for webhook in each(config, "webhooks") {
        default_if_nil(webhook, "failurePolicy", "Fail");
        default_if_nil(webhook, "matchPolicy", "Equivalent");
        default_if_nil(webhook, "namespaceSelector", Value::Object(Object::new()));
        default_if_nil(webhook, "objectSelector", Value::Object(Object::new()));
        default_if_nil(webhook, "timeoutSeconds", 10);
        if mutating {
            default_if_nil(webhook, "reinvocationPolicy", "Never");
        }
        for rule in each(webhook, "rules") {
            default_rule(rule);
        }
        if let Some(service) = child(webhook, "clientConfig").and_then(|c| child(c, "service")) {
            default_if_nil(service, "port", 443);
        }
    }
}

/// ValidatingAdmissionPolicy and MutatingAdmissionPolicy: `failurePolicy` and the match
/// constraints.
pub(super) fn default_admission_policy(policy: &mut Object) {
    let Some(spec) = child(policy, "spec") else {
        return;
    };
    default_if_nil(spec, "failurePolicy", "Fail");
    if let Some(constraints) = child(spec, "matchConstraints") {
        default_match_resources(constraints);
    }
}

/// The two policy bindings: only their optional `matchResources` has defaults.
pub(super) fn default_policy_binding(binding: &mut Object) {
    if let Some(resources) = child(binding, "spec").and_then(|s| child(s, "matchResources")) {
        default_match_resources(resources);
    }
}

fn default_match_resources(resources: &mut Object) {
    default_if_nil(resources, "matchPolicy", "Equivalent");
    default_if_nil(resources, "namespaceSelector", Value::Object(Object::new()));
    default_if_nil(resources, "objectSelector", Value::Object(Object::new()));
    for list in ["resourceRules", "excludeResourceRules"] {
        for rule in each(resources, list) {
            default_rule(rule);
        }
    }
}

/// `SetDefaults_Rule`: a rule without a scope matches cluster and namespaced resources alike.
fn default_rule(rule: &mut Object) {
    default_if_nil(rule, "scope", "*");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutating_webhook_defaults() {
        let mut v = json!({"webhooks": [{"name": "w.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
            "clientConfig": {"service": {"namespace": "ns", "name": "svc"}},
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}]});
        if let Some(o) = v.as_object_mut() {
            default_webhook_configuration(o, true);
        }
        assert_eq!(
            v["webhooks"][0],
            json!({"name": "w.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                   "clientConfig": {"service": {"namespace": "ns", "name": "svc", "port": 443}},
                   "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "scope": "*"}],
                   "failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": {}, "objectSelector": {},
                   "timeoutSeconds": 10, "reinvocationPolicy": "Never"})
        );
    }

    #[test]
    fn validating_webhook_has_no_reinvocation_policy() {
        let mut v =
            json!({"webhooks": [{"name": "v", "failurePolicy": "Ignore", "timeoutSeconds": 5}]});
        if let Some(o) = v.as_object_mut() {
            default_webhook_configuration(o, false);
        }
        assert_eq!(v["webhooks"][0]["failurePolicy"], json!("Ignore"));
        assert_eq!(v["webhooks"][0]["timeoutSeconds"], json!(5));
        assert!(v["webhooks"][0].get("reinvocationPolicy").is_none());
    }

    #[test]
    fn policy_and_binding_match_resources() {
        let mut v = json!({"spec": {"matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "resources": ["deployments"]}]}}});
        if let Some(o) = v.as_object_mut() {
            default_admission_policy(o);
        }
        assert_eq!(
            v["spec"],
            json!({"failurePolicy": "Fail", "matchConstraints": {"matchPolicy": "Equivalent", "namespaceSelector": {},
                   "objectSelector": {}, "resourceRules": [{"apiGroups": ["apps"], "resources": ["deployments"], "scope": "*"}]}})
        );
        let mut v = json!({"spec": {"policyName": "p", "validationActions": ["Deny"]}});
        if let Some(o) = v.as_object_mut() {
            default_policy_binding(o);
        }
        assert_eq!(
            v["spec"],
            json!({"policyName": "p", "validationActions": ["Deny"]})
        );
    }
}
