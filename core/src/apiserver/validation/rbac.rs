//! RBAC objects, mirroring `pkg/apis/rbac/validation/validation.go`: `ValidateRole`,
//! `ValidateClusterRole`, `ValidatePolicyRule`, `ValidateRoleBinding`,
//! `ValidateClusterRoleBinding`, `ValidateRoleBindingSubject` and the `roleRef` rule of
//! `ValidateRoleBindingUpdate`. Names are path segments (`ValidateRBACName`). The v1 defaults
//! (`roleRef.apiGroup` and User/Group subjects' `apiGroup` = rbac.authorization.k8s.io) are read
//! for absent fields.

use super::meta;
use super::names::{self, NameRule};
use super::{arr_of, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::{json, Value};

const GROUP: &str = "rbac.authorization.k8s.io";

/// `ValidatePolicyRule`.
fn validate_policy_rule(rule: Option<&Value>, namespaced: bool, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if arr_of(rule, "verbs").is_empty() {
        errs.push(FieldError::required(format!("{path}.verbs"), "verbs must contain at least one value"));
    }
    let urls = arr_of(rule, "nonResourceURLs");
    if !urls.is_empty() {
        let shown = Value::Array(urls.to_vec());
        if namespaced {
            errs.push(FieldError::invalid(format!("{path}.nonResourceURLs"), &shown, "namespaced rules cannot apply to non-resource URLs"));
        }
        if !arr_of(rule, "apiGroups").is_empty() || !arr_of(rule, "resources").is_empty() || !arr_of(rule, "resourceNames").is_empty() {
            errs.push(FieldError::invalid(
                format!("{path}.nonResourceURLs"),
                &shown,
                "rules cannot apply to both regular resources and non-resource URLs",
            ));
        }
        return errs;
    }
    if arr_of(rule, "apiGroups").is_empty() {
        errs.push(FieldError::required(format!("{path}.apiGroups"), "resource rules must supply at least one api group"));
    }
    if arr_of(rule, "resources").is_empty() {
        errs.push(FieldError::required(format!("{path}.resources"), "resource rules must supply at least one resource"));
    }
    errs
}

fn validate_rules(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, rule) in arr_of(Some(obj), "rules").iter().enumerate() {
        errs.extend(validate_policy_rule(Some(rule), namespaced, &format!("rules[{i}]")));
    }
    errs
}

/// `ValidateRole`.
pub fn validate_role(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::PathSegment);
    errs.extend(validate_rules(obj, true));
    errs
}

/// `ValidateClusterRole`.
pub fn validate_cluster_role(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), false, NameRule::PathSegment);
    errs.extend(validate_rules(obj, false));
    if let Some(agg) = obj_of(Some(obj), "aggregationRule") {
        let selectors = arr_of(Some(agg), "clusterRoleSelectors");
        if selectors.is_empty() {
            errs.push(FieldError::required(
                "aggregationRule.clusterRoleSelectors",
                "at least one clusterRoleSelector required if aggregationRule is non-nil",
            ));
        }
        for (i, sel) in selectors.iter().enumerate() {
            errs.extend(meta::validate_label_selector(Some(sel), &format!("aggregationRule.clusterRoleSelectors[{i}]")));
        }
    }
    errs
}

/// `ValidateRoleBinding` / `ValidateClusterRoleBinding`.
fn validate_binding(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), namespaced, NameRule::PathSegment);
    let role_ref = obj_of(Some(obj), "roleRef");
    let api_group = role_ref.and_then(|r| r.get("apiGroup")).and_then(Value::as_str).unwrap_or(GROUP);
    if api_group != GROUP {
        errs.push(FieldError::not_supported("roleRef.apiGroup", &Value::from(api_group), &[GROUP]));
    }
    let kind = str_of(role_ref, "kind");
    let kinds: &[&str] = if namespaced { &["Role", "ClusterRole"] } else { &["ClusterRole"] };
    if !kinds.contains(&kind) {
        errs.push(FieldError::not_supported("roleRef.kind", &Value::from(kind), kinds));
    }
    let name = str_of(role_ref, "name");
    if name.is_empty() {
        errs.push(FieldError::required("roleRef.name", ""));
    } else {
        for msg in names::path_segment_name(name) {
            errs.push(FieldError::invalid("roleRef.name", &Value::from(name), msg));
        }
    }
    for (i, subject) in arr_of(Some(obj), "subjects").iter().enumerate() {
        errs.extend(validate_subject(Some(subject), namespaced, &format!("subjects[{i}]")));
    }
    errs
}

/// `ValidateRoleBindingSubject`.
fn validate_subject(subject: Option<&Value>, namespaced: bool, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = str_of(subject, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    }
    let kind = str_of(subject, "kind");
    let given_group = subject.and_then(|s| s.get("apiGroup")).and_then(Value::as_str);
    match kind {
        "ServiceAccount" => {
            if !name.is_empty() {
                for msg in names::dns1123_subdomain(name) {
                    errs.push(FieldError::invalid(format!("{path}.name"), &Value::from(name), msg));
                }
            }
            let group = given_group.unwrap_or("");
            if !group.is_empty() {
                errs.push(FieldError::not_supported(format!("{path}.apiGroup"), &Value::from(group), &[""]));
            }
            if !namespaced && str_of(subject, "namespace").is_empty() {
                errs.push(FieldError::required(format!("{path}.namespace"), ""));
            }
        }
        "User" | "Group" => {
            let group = given_group.filter(|g| !g.is_empty()).unwrap_or(GROUP);
            if group != GROUP {
                errs.push(FieldError::not_supported(format!("{path}.apiGroup"), &Value::from(group), &[GROUP]));
            }
        }
        other => errs.push(FieldError::not_supported(format!("{path}.kind"), &Value::from(other), &["ServiceAccount", "User", "Group"])),
    }
    errs
}

pub fn validate_role_binding(obj: &Value) -> Vec<FieldError> {
    validate_binding(obj, true)
}

pub fn validate_cluster_role_binding(obj: &Value) -> Vec<FieldError> {
    validate_binding(obj, false)
}

/// `ValidateRoleBindingUpdate` / `ValidateClusterRoleBindingUpdate`: the binding, its metadata,
/// then `roleRef` may not change (Go prints the internal RoleRef struct, untagged).
pub fn validate_binding_update(new: &Value, old: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = validate_binding(new, namespaced);
    errs.extend(meta::validate_object_meta_update(new.get("metadata"), old.get("metadata")));
    let role_ref = |o: &Value| {
        let r = obj_of(Some(o), "roleRef");
        let group = r.and_then(|r| r.get("apiGroup")).and_then(Value::as_str).unwrap_or(GROUP).to_string();
        (group, str_of(r, "kind").to_string(), str_of(r, "name").to_string())
    };
    let (n, o) = (role_ref(new), role_ref(old));
    if n != o {
        errs.push(FieldError::invalid("roleRef", &json!({"APIGroup": n.0, "Kind": n.1, "Name": n.2}), "cannot change roleRef"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;

    #[test]
    fn rules_need_verbs() {
        let r = json!({"metadata": {"name": "r", "namespace": "default"}, "rules": [{"apiGroups": [""], "resources": ["pods"]}]});
        assert_eq!(aggregate(&validate_role(&r)), "rules[0].verbs: Required value: verbs must contain at least one value");
    }

    #[test]
    fn binding_role_ref() {
        let b = json!({"metadata": {"name": "b", "namespace": "default"}, "roleRef": {"kind": "Foo", "name": "r"}});
        assert_eq!(
            aggregate(&validate_role_binding(&b)),
            "roleRef.kind: Unsupported value: \"Foo\": supported values: \"Role\", \"ClusterRole\""
        );
    }

    #[test]
    fn role_ref_is_immutable() {
        let old = json!({"metadata": {"name": "b", "namespace": "default"}, "roleRef": {"kind": "Role", "name": "a", "apiGroup": GROUP}});
        let new = json!({"metadata": {"name": "b", "namespace": "default"}, "roleRef": {"kind": "Role", "name": "c", "apiGroup": GROUP}});
        assert_eq!(
            aggregate(&validate_binding_update(&new, &old, true)),
            "roleRef: Invalid value: {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"Role\",\"Name\":\"c\"}: cannot change roleRef"
        );
    }
}
