//! The vocabulary the policy tables are written in: mirrors `rbacv1helpers.PolicyRuleBuilder`
//! (`NewRule(...).Groups(...).Resources(...).Names(...).URLs(...).RuleOrDie()`) and
//! `ClusterRoleBindingBuilder` (`NewClusterBinding(...).Groups/Users/SAs`) in
//! `pkg/apis/rbac/v1/helpers.go`, and the group and verb constants of `bootstrappolicy/policy.go`.

use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::{json, Value};

pub(super) const LEGACY: &str = "";
pub(super) const ADMISSION_REGISTRATION: &str = "admissionregistration.k8s.io";
pub(super) const APPS: &str = "apps";
pub(super) const AUTHENTICATION: &str = "authentication.k8s.io";
pub(super) const AUTHORIZATION: &str = "authorization.k8s.io";
pub(super) const AUTOSCALING: &str = "autoscaling";
pub(super) const BATCH: &str = "batch";
pub(super) const CERTIFICATES: &str = "certificates.k8s.io";
pub(super) const COORDINATION: &str = "coordination.k8s.io";
pub(super) const DISCOVERY: &str = "discovery.k8s.io";
pub(super) const EVENTS: &str = "events.k8s.io";
pub(super) const EXTENSIONS: &str = "extensions";
pub(super) const NETWORKING: &str = "networking.k8s.io";
pub(super) const NODE: &str = "node.k8s.io";
pub(super) const POLICY: &str = "policy";
pub(super) const RBAC: &str = "rbac.authorization.k8s.io";
pub(super) const STORAGE: &str = "storage.k8s.io";

pub(super) const READ: &[&str] = &["get", "list", "watch"];
pub(super) const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];
pub(super) const READ_WRITE: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
pub(super) const READ_UPDATE: &[&str] = &["get", "list", "watch", "update", "patch"];

/// `rbacv1helpers.NewRule`.
pub(super) fn rule(verbs: &[&str]) -> RuleBuilder {
    RuleBuilder(PolicyRule { verbs: strings(verbs), ..PolicyRule::default() })
}

/// `rbacv1helpers.PolicyRuleBuilder`.
pub(super) struct RuleBuilder(PolicyRule);

impl RuleBuilder {
    pub(super) fn groups(mut self, groups: &[&str]) -> Self {
        self.0.api_groups = Some(strings(groups));
        self
    }
    pub(super) fn resources(mut self, resources: &[&str]) -> Self {
        self.0.resources = Some(strings(resources));
        self
    }
    pub(super) fn names(mut self, names: &[&str]) -> Self {
        self.0.resource_names = Some(strings(names));
        self
    }
    pub(super) fn urls(mut self, urls: &[&str]) -> Self {
        self.0.non_resource_urls = Some(strings(urls));
        self
    }
    /// `RuleOrDie`: every list sorted and de-duplicated (the builder keeps them as sets).
    pub(super) fn build(self) -> PolicyRule {
        let mut r = self.0;
        for list in [&mut r.api_groups, &mut r.resources, &mut r.resource_names, &mut r.non_resource_urls].into_iter().flatten() {
            list.sort();
            list.dedup();
        }
        r.verbs.sort();
        r.verbs.dedup();
        r
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `eventsRule()`: create/update/patch events in both event APIs.
pub(super) fn events_rule() -> PolicyRule {
    rule(&["create", "update", "patch"]).groups(&[LEGACY, EVENTS]).resources(&["events"]).build()
}

/// A subject of a binding, as `NewClusterBinding(...).Groups/Users/SAs` writes it.
#[derive(Clone, Copy)]
pub(super) enum Subject<'a> {
    User(&'a str),
    Group(&'a str),
    ServiceAccount(&'a str, &'a str),
}

impl Subject<'_> {
    pub(super) fn to_json(self) -> Value {
        match self {
            Subject::User(n) => json!({"apiGroup": RBAC, "kind": "User", "name": n}),
            Subject::Group(n) => json!({"apiGroup": RBAC, "kind": "Group", "name": n}),
            Subject::ServiceAccount(ns, n) => json!({"kind": "ServiceAccount", "name": n, "namespace": ns}),
        }
    }
}

/// A ClusterRole definition: name, extra labels, rules, and aggregation selectors
/// (`matchLabels` with one label each).
pub(super) struct RoleDef {
    pub name: String,
    pub labels: Vec<(&'static str, &'static str)>,
    pub rules: Vec<PolicyRule>,
    pub aggregate_from: Vec<&'static str>,
}

pub(super) fn role(name: &str, rules: Vec<PolicyRule>) -> RoleDef {
    RoleDef { name: name.to_string(), labels: Vec::new(), rules, aggregate_from: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_sorts_and_dedups_like_rule_or_die() {
        let r = rule(&["watch", "get", "get"]).groups(&["apps", ""]).resources(&["pods", "configmaps"]).build();
        assert_eq!(r.verbs, ["get", "watch"]);
        assert_eq!(r.api_groups.as_deref(), Some(&["".to_string(), "apps".to_string()][..]));
        assert_eq!(r.resources.as_deref(), Some(&["configmaps".to_string(), "pods".to_string()][..]));
    }

    #[test]
    fn subjects_as_kubernetes_writes_them() {
        assert_eq!(Subject::Group("g").to_json(), json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "g"}));
        assert_eq!(
            Subject::ServiceAccount("kube-system", "x").to_json(),
            json!({"kind": "ServiceAccount", "name": "x", "namespace": "kube-system"})
        );
    }
}
