//! The authorizer chain of a kubeadm cluster (`--authorization-mode=Node,RBAC`): mirrors
//! `newForConfig` in `pkg/kubeapiserver/authorizer/reload.go` (the `system:masters`
//! privileged-group authorizer first, then each mode), the union in
//! `k8s.io/apiserver/pkg/authorization/union` and `RBACAuthorizer.Authorize` in
//! `plugin/pkg/auth/authorizer/rbac/rbac.go`.
//!
//! The first authorizer to allow wins. Authorizers without an opinion leave a reason; on denial
//! the union joins the non-empty reasons with a newline (1.3x releases; the 1.37 development
//! line prefixes each with its authorizer's name) and the 403 message ends with them.

use super::attributes::Attributes;
use super::node::{self, NodeDecision};
use super::rbac::{compact_string, rule_allows, rule_json};
use super::memo::RbacMemo;
use super::resolver::aggregate;
use super::user::SYSTEM_MASTERS;
use crate::apiserver::Objects;
use serde::Serialize;
use serde_json::Value;

/// The decision, with what the UI shows: which authorizer, binding and rule allowed, or every
/// binding considered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    /// The reason as kube-apiserver carries it: on allow the deciding authorizer's
    /// (`RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to
    /// Group "system:masters"`; empty for the `system:masters` bypass and the Node authorizer),
    /// on denial every authorizer's reason joined by `\n` (what [`super::forbidden_message`]
    /// appends).
    pub reason: String,
    /// `system:masters`, `Node` or `RBAC` when allowed; empty when denied.
    pub authorizer: String,
    /// What was looked at, in order, one line each: the Node authorizer's verdict for nodes, then
    /// each binding that applies to the user with its outcome (up to the one that allowed).
    pub considered: Vec<String>,
    /// The rule that allowed, as Kubernetes JSON.
    pub rule: Option<Value>,
}

/// Authorizes one request as kube-apiserver's `WithAuthorization` filter does.
pub fn authorize(objects: &dyn Objects, attrs: &Attributes) -> Decision {
    authorize_with(objects, attrs, &mut RbacMemo::default())
}

/// [`authorize`] with the API server's memory of resolved bindings (`memo.rs`), which answers
/// as resolving them again would.
pub fn authorize_with(objects: &dyn Objects, attrs: &Attributes, memo: &mut RbacMemo) -> Decision {
    decide(objects, attrs, memo, true)
}

/// [`authorize_with`] for a request being served, which reads only `allowed`, `reason` and
/// `authorizer`: `considered` is left empty and `rule` `None`. Spelling what was looked at
/// (the allowing rule rendered twice) was a third of a request's authorization.
pub fn authorize_request(objects: &dyn Objects, attrs: &Attributes, memo: &mut RbacMemo) -> Decision {
    decide(objects, attrs, memo, false)
}

/// The chain; `explain`: fill `considered` and `rule` (the same decision either way).
fn decide(objects: &dyn Objects, attrs: &Attributes, memo: &mut RbacMemo, explain: bool) -> Decision {
    // What was looked at, spelled only when asked for.
    let mut considered = Vec::new();
    let mut note = |line: &dyn Fn() -> String| {
        if explain {
            considered.push(line());
        }
    };
    // The privileged-group authorizer: system:masters may do anything, before any mode runs.
    if attrs.user.in_group(SYSTEM_MASTERS) {
        note(&|| format!("group {SYSTEM_MASTERS:?} is a superuser: allowed before Node and RBAC run"));
        return Decision { allowed: true, reason: String::new(), authorizer: SYSTEM_MASTERS.to_string(), considered, rule: None };
    }
    let mut reasons = Vec::new();

    match node::authorize(objects, attrs) {
        NodeDecision::NotANode => {}
        NodeDecision::Allow(why) => {
            note(&|| format!("Node: allowed ({why})"));
            return Decision { allowed: true, reason: String::new(), authorizer: "Node".into(), considered, rule: None };
        }
        NodeDecision::NoOpinion(reason) => {
            note(&|| if reason.is_empty() { "Node: no opinion".to_string() } else { format!("Node: no opinion: {reason}") });
            if !reason.is_empty() {
                reasons.push(reason);
            }
        }
    }

    let mut errors = Vec::new();
    let bindings = memo.resolve(objects, &attrs.user, &attrs.namespace);
    if bindings.is_empty() {
        note(&|| "RBAC: no ClusterRoleBinding or RoleBinding applies to this user".to_string());
    }
    for binding in bindings {
        match &binding.rules {
            Err(e) => {
                note(&|| format!("{}: {e}", binding.source));
                errors.push(e.clone());
            }
            Ok(rules) => match rules.iter().find(|r| rule_allows(attrs, r)) {
                Some(rule) => {
                    note(&|| format!("{}: allowed by rule {}", binding.source, compact_string(rule)));
                    return Decision {
                        allowed: true,
                        reason: format!("RBAC: allowed by {}", binding.source),
                        authorizer: "RBAC".into(),
                        considered,
                        rule: explain.then(|| rule_json(rule)),
                    };
                }
                None => note(&|| format!("{}: {} rules, none matches", binding.source, rules.len())),
            },
        }
    }
    if !errors.is_empty() {
        reasons.push(format!("RBAC: {}", aggregate(&errors)));
    }
    Decision { allowed: false, reason: reasons.join("\n"), authorizer: String::new(), considered, rule: None }
}

#[cfg(test)]
mod tests {
    use super::super::user::UserInfo;
    use super::*;
    use crate::apiserver::MemoryObjects;
    use serde_json::json;

    #[test]
    fn masters_bypass_rbac_even_without_bindings() {
        let d = authorize(&MemoryObjects::new(), &Attributes::resource(UserInfo::super_admin(), "delete", "", "nodes", "", "n1"));
        assert!(d.allowed);
        assert_eq!(d.reason, "");
        assert_eq!(d.authorizer, "system:masters");
    }

    #[test]
    fn allow_names_binding_and_rule() {
        let objects = MemoryObjects::new()
            .with("clusterroles", json!({"metadata": {"name": "reader"}, "rules": [
                {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]},
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]}))
            .with("clusterrolebindings", json!({"metadata": {"name": "jane-reader"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
                "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"}]}));
        let d = authorize(&objects, &Attributes::resource(UserInfo::user("jane", &[]), "list", "", "pods", "dev", ""));
        assert!(d.allowed);
        assert_eq!(d.reason, r#"RBAC: allowed by ClusterRoleBinding "jane-reader" of ClusterRole "reader" to User "jane""#);
        assert_eq!(d.rule, Some(json!({"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]})));
        let d = authorize(&objects, &Attributes::resource(UserInfo::user("jane", &[]), "delete", "", "pods", "dev", "x"));
        assert!(!d.allowed);
        assert_eq!(d.reason, "");
        assert_eq!(d.considered, [r#"ClusterRoleBinding "jane-reader" of ClusterRole "reader" to User "jane": 2 rules, none matches"#]);
    }
}
