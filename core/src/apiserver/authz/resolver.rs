//! Which rules apply to a user in a namespace: mirrors `DefaultRuleResolver.VisitRulesFor` and
//! `GetRoleReferenceRules` in `pkg/registry/rbac/validation/rule.go`.
//!
//! Every ClusterRoleBinding is visited first, then (for a namespaced request) every RoleBinding
//! in the request's namespace. A binding applies when one of its subjects is the user, one of
//! the user's groups, or (ServiceAccount) `system:serviceaccount:<ns>:<name>`, the namespace
//! defaulting to the RoleBinding's own. Its role reference is then resolved; a missing role
//! contributes no rules and one error (`clusterrole.rbac.authorization.k8s.io "x" not found`).
//! kube-apiserver walks its informer cache in map order; we walk the store's sorted lists.

use super::rbac::rules_of;
use super::user::{service_account_username, UserInfo};
use crate::apiserver::Objects;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use serde_json::Value;

/// One binding that applies to the user, with its role's rules or why they could not be read.
#[derive(Clone, Debug)]
pub struct ResolvedBinding {
    /// `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` or
    /// `RoleBinding "x/ns" of Role "y" to User "jane"` (the `fmt.Stringer` the visitor gets).
    pub source: String,
    pub rules: Result<Vec<PolicyRule>, String>,
}

/// Every binding that applies to `user` in `namespace`, in visiting order.
pub fn resolve(objects: &dyn Objects, user: &UserInfo, namespace: &str) -> Vec<ResolvedBinding> {
    let mut out = Vec::new();
    for binding in objects.list_shared("clusterrolebindings", None) {
        if let Some(resolved) = resolve_binding(objects, user, &binding, "") {
            out.push(resolved);
        }
    }
    if !namespace.is_empty() {
        for binding in objects.list_shared("rolebindings", Some(namespace)) {
            if let Some(resolved) = resolve_binding(objects, user, &binding, namespace) {
                out.push(resolved);
            }
        }
    }
    out
}

/// `RulesFor`: all rules that apply, and the resolution errors met on the way.
pub fn rules_for(objects: &dyn Objects, user: &UserInfo, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for b in resolve(objects, user, namespace) {
        match b.rules {
            Ok(r) => rules.extend(r),
            Err(e) => errors.push(e),
        }
    }
    (rules, errors)
}

/// `utilerrors.NewAggregate(errs).Error()`: one error as is, several as `[a, b]` without repeats.
pub fn aggregate(errors: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in errors {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    match (errors.len(), seen.len()) {
        (0, _) => String::new(),
        (1, _) | (_, 1) => seen.join(", "),
        _ => format!("[{}]", seen.join(", ")),
    }
}

fn resolve_binding(objects: &dyn Objects, user: &UserInfo, binding: &Value, namespace: &str) -> Option<ResolvedBinding> {
    let listed = binding.get("subjects")?;
    // Most bindings name nobody this user could be: say so before decoding their subjects.
    if !listed.as_array().is_some_and(|s| s.iter().any(|s| s.get("name").and_then(Value::as_str).is_some_and(|n| may_name(user, n)))) {
        return None;
    }
    let subjects: Vec<Subject> = serde_json::from_value(listed.clone()).unwrap_or_default();
    let subject = subjects.iter().find(|s| applies_to_user(user, s, namespace))?;
    let role_ref: RoleRef = binding.get("roleRef").and_then(|r| serde_json::from_value(r.clone()).ok()).unwrap_or_default();
    let name = binding["metadata"]["name"].as_str().unwrap_or("");
    let source = if namespace.is_empty() {
        format!("ClusterRoleBinding {} of {} {} to {}", q(name), role_ref.kind, q(&role_ref.name), describe_subject(subject, ""))
    } else {
        format!(
            "RoleBinding {} of {} {} to {}",
            q(&format!("{name}/{namespace}")),
            role_ref.kind,
            q(&role_ref.name),
            describe_subject(subject, namespace)
        )
    };
    Some(ResolvedBinding { source, rules: role_reference_rules(objects, &role_ref, namespace) })
}

/// `GetRoleReferenceRules`: a Role is looked up in the binding's namespace, a ClusterRole
/// cluster-wide. The error texts are the listers' NotFound errors (singular resource).
pub fn role_reference_rules(objects: &dyn Objects, role_ref: &RoleRef, binding_namespace: &str) -> Result<Vec<PolicyRule>, String> {
    let (resource, singular, ns) = match role_ref.kind.as_str() {
        "Role" => ("roles", "role", binding_namespace),
        "ClusterRole" => ("clusterroles", "clusterrole", ""),
        other => return Err(format!("unsupported role reference kind: {}", q(other))),
    };
    match objects.get_shared(resource, ns, &role_ref.name) {
        Some(role) => Ok(rules_of(&role)),
        None => Err(format!("{singular}.rbac.authorization.k8s.io {} not found", q(&role_ref.name))),
    }
}

/// Whether a subject named `name` could apply to `user` whatever its kind: the user's name, one
/// of its groups, or the last part of its service account name.
fn may_name(user: &UserInfo, name: &str) -> bool {
    user.name == name || user.in_group(name) || user.name.strip_suffix(name).is_some_and(|rest| rest.ends_with(':'))
}

/// `appliesToUser`.
fn applies_to_user(user: &UserInfo, subject: &Subject, namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => user.name == subject.name,
        "Group" => user.in_group(&subject.name),
        "ServiceAccount" => {
            let sa_ns = subject.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(namespace);
            !sa_ns.is_empty() && user.name == service_account_username(sa_ns, &subject.name)
        }
        _ => false,
    }
}

/// `describeSubject`: service accounts print as `name/namespace`.
fn describe_subject(s: &Subject, binding_namespace: &str) -> String {
    match s.kind.as_str() {
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(binding_namespace);
            format!("{} {}", s.kind, q(&format!("{}/{ns}", s.name)))
        }
        _ => format!("{} {}", s.kind, q(&s.name)),
    }
}

fn q(s: &str) -> String {
    super::messages::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::MemoryObjects;
    use serde_json::json;

    fn objects() -> MemoryObjects {
        MemoryObjects::new()
            .with("clusterroles", json!({"metadata": {"name": "view"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}))
            .with("rolebindings", json!({"metadata": {"name": "sa-view", "namespace": "dev"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                "subjects": [{"kind": "User", "name": "bob"}, {"kind": "ServiceAccount", "name": "default"}]}))
            .with("clusterrolebindings", json!({"metadata": {"name": "broken"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "missing"},
                "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"}]}))
    }

    #[test]
    fn cluster_bindings_first_then_namespace_bindings() {
        let r = resolve(&objects(), &UserInfo::service_account("dev", "default"), "dev");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].source, r#"ClusterRoleBinding "broken" of ClusterRole "missing" to Group "system:authenticated""#);
        assert_eq!(r[0].rules.as_ref().err().map(String::as_str), Some(r#"clusterrole.rbac.authorization.k8s.io "missing" not found"#));
        // The subject without a namespace defaults to the binding's.
        assert_eq!(r[1].source, r#"RoleBinding "sa-view/dev" of ClusterRole "view" to ServiceAccount "default/dev""#);
        assert_eq!(r[1].rules.as_ref().map(Vec::len), Ok(1));
        // In another namespace the RoleBinding does not apply.
        assert_eq!(resolve(&objects(), &UserInfo::service_account("dev", "default"), "prod").len(), 1);
        assert_eq!(resolve(&objects(), &UserInfo::service_account("prod", "default"), "dev").len(), 1);
    }

    #[test]
    fn a_subject_is_decoded_only_when_its_name_could_be_the_user() {
        let sa = UserInfo::service_account("dev", "default");
        assert!(may_name(&sa, "default") && may_name(&sa, "system:serviceaccounts") && may_name(&sa, "system:serviceaccount:dev:default"));
        assert!(!may_name(&sa, "fault") && !may_name(&sa, "dev"));
        let jane = UserInfo::user("jane", &["devs"]);
        assert!(may_name(&jane, "jane") && may_name(&jane, "devs") && !may_name(&jane, "ane"));
        // A binding naming only others is passed over, whatever its role reference.
        let objects = objects().with("clusterrolebindings", json!({"metadata": {"name": "others"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "bob"}, {"kind": "Group", "name": "ops"}]}));
        assert_eq!(resolve(&objects, &jane, "dev").len(), 1);
        assert_eq!(resolve(&objects, &UserInfo::user("bob", &[]), "dev").len(), 3);
    }

    #[test]
    fn aggregate_texts() {
        assert_eq!(aggregate(&["a".into()]), "a");
        assert_eq!(aggregate(&["a".into(), "a".into()]), "a");
        assert_eq!(aggregate(&["a".into(), "b".into(), "a".into()]), "[a, b]");
    }
}
