//! The default RBAC policy of a new kubeadm 1.3x cluster as API objects: the apiserver's
//! bootstrap policy (`cluster_roles.rs`, `controller_roles.rs`, `namespace_roles.rs`, which
//! mirror `bootstrappolicy/policy.go`, `controller_policy.go` and `namespace_policy.go`, with
//! the label and annotation `addDefaultMetadata` puts on them) followed by kubeadm's additions
//! (`kubeadm_roles.rs`).

use super::cluster_roles::{cluster_role_bindings, cluster_roles};
use super::controller_roles::{controller_role_bindings, controller_roles};
use super::kubeadm_roles::{kubeadm_cluster_role_bindings, kubeadm_cluster_roles, kubeadm_namespace_role_bindings, kubeadm_namespace_roles};
use super::namespace_roles::{namespace_role_bindings, namespace_roles};
use super::rule_builder::{RoleDef, Subject, RBAC};
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::{json, Map, Value};

const BOOTSTRAP_LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");
const AUTOUPDATE_ANNOTATION: (&str, &str) = ("rbac.authorization.kubernetes.io/autoupdate", "true");

fn metadata(name: &str, namespace: Option<&str>, labels: &[(&str, &str)], bootstrap: bool) -> Value {
    let mut meta = Map::new();
    meta.insert("name".into(), json!(name));
    if let Some(ns) = namespace {
        meta.insert("namespace".into(), json!(ns));
    }
    let mut label_map = Map::new();
    for (k, v) in labels {
        label_map.insert(k.to_string(), json!(v));
    }
    if bootstrap {
        label_map.insert(BOOTSTRAP_LABEL.0.into(), json!(BOOTSTRAP_LABEL.1));
        meta.insert("annotations".into(), json!({AUTOUPDATE_ANNOTATION.0: AUTOUPDATE_ANNOTATION.1}));
    }
    if !label_map.is_empty() {
        meta.insert("labels".into(), Value::Object(label_map));
    }
    Value::Object(meta)
}

fn rules_json(rules: &[PolicyRule]) -> Value {
    Value::Array(rules.iter().map(super::rbac::rule_json).collect())
}

pub(super) fn cluster_role_json(def: &RoleDef, bootstrap: bool) -> Value {
    let mut obj = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": metadata(&def.name, None, &def.labels, bootstrap),
    });
    if !def.aggregate_from.is_empty() {
        let selectors: Vec<Value> = def.aggregate_from.iter().map(|l| json!({"matchLabels": {*l: "true"}})).collect();
        obj["aggregationRule"] = json!({"clusterRoleSelectors": selectors});
    }
    // Aggregated roles start without rules; the clusterrole-aggregation controller fills them.
    if !def.rules.is_empty() {
        obj["rules"] = rules_json(&def.rules);
    }
    obj
}

pub(super) fn cluster_role_binding_json(name: &str, role: &str, subjects: &[Subject], bootstrap: bool) -> Value {
    let mut obj = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": metadata(name, None, &[], bootstrap),
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
    });
    if !subjects.is_empty() {
        obj["subjects"] = Value::Array(subjects.iter().map(|s| s.to_json()).collect());
    }
    obj
}

/// Every ClusterRole and ClusterRoleBinding a new kubeadm 1.3x cluster has, then the
/// kube-system/kube-public Roles and RoleBindings, as objects ready to be created through the
/// API server in this order. The apiserver's own (policy.go, controller_policy.go,
/// namespace_policy.go) carry `kubernetes.io/bootstrapping: rbac-defaults` and
/// `rbac.authorization.kubernetes.io/autoupdate: "true"`; kubeadm's additions (`kubeadm:*`,
/// `system:coredns`, `kube-proxy`) carry neither, as on a real cluster. `admin`, `edit` and
/// `view` come without `rules`: the clusterrole-aggregation controller fills them (see
/// [`super::aggregate_cluster_roles`], or [`super::settle_aggregation`] for a settled copy).
pub fn bootstrap_policy() -> Vec<Value> {
    let mut out = Vec::new();
    for def in cluster_roles().iter().chain(controller_roles().iter()) {
        out.push(cluster_role_json(def, true));
    }
    for def in kubeadm_cluster_roles() {
        out.push(cluster_role_json(&def, false));
    }
    for (name, role, subjects) in cluster_role_bindings().into_iter().chain(controller_role_bindings()) {
        out.push(cluster_role_binding_json(&name, &role, &subjects, true));
    }
    for (name, role, subjects) in kubeadm_cluster_role_bindings() {
        out.push(cluster_role_binding_json(&name, &role, &subjects, false));
    }
    let roles = namespace_roles().into_iter().map(|r| (r, true)).chain(kubeadm_namespace_roles().into_iter().map(|r| (r, false)));
    for ((ns, name, rules), bootstrap) in roles {
        out.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": metadata(name, Some(ns), &[], bootstrap),
            "rules": rules_json(&rules),
        }));
    }
    let bindings = namespace_role_bindings()
        .into_iter()
        .map(|b| (b, true))
        .chain(kubeadm_namespace_role_bindings().into_iter().map(|b| (b, false)));
    for ((ns, name, role, subjects), bootstrap) in bindings {
        out.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": metadata(name, Some(ns), &[], bootstrap),
            "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": role},
            "subjects": subjects.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        }));
    }
    out
}

/// The resource plural an object of [`bootstrap_policy`] is created under.
pub fn resource_of(object: &Value) -> &'static str {
    match object["kind"].as_str() {
        Some("ClusterRole") => "clusterroles",
        Some("ClusterRoleBinding") => "clusterrolebindings",
        Some("Role") => "roles",
        _ => "rolebindings",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(policy: &'a [Value], kind: &str, name: &str) -> &'a Value {
        let found = policy.iter().find(|o| o["kind"] == kind && o["metadata"]["name"] == name);
        found.unwrap_or_else(|| panic!("{kind} {name} missing"))
    }

    #[test]
    fn required_roles_and_bindings_exist_with_metadata() {
        let p = bootstrap_policy();
        for name in ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer",
            "system:kube-scheduler", "system:kube-controller-manager", "system:node", "system:node-proxier",
            "system:aggregate-to-admin", "system:aggregate-to-edit", "system:aggregate-to-view"]
        {
            let r = find(&p, "ClusterRole", name);
            assert_eq!(r["metadata"]["labels"]["kubernetes.io/bootstrapping"], "rbac-defaults", "{name}");
            assert_eq!(r["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"], "true", "{name}");
        }
        let admin = find(&p, "ClusterRoleBinding", "cluster-admin");
        assert_eq!(admin["subjects"], json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]));
        let view = find(&p, "ClusterRole", "view");
        assert_eq!(view["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"]["rbac.authorization.k8s.io/aggregate-to-view"], "true");
        assert_eq!(view["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"], "true");
        assert!(find(&p, "ClusterRole", "admin").get("rules").is_none());
        assert!(find(&p, "ClusterRoleBinding", "system:node").get("subjects").is_none());
        let kubeadm = find(&p, "ClusterRoleBinding", "kubeadm:cluster-admins");
        assert!(kubeadm["metadata"].get("labels").is_none());
        assert_eq!(find(&p, "Role", "extension-apiserver-authentication-reader")["metadata"]["namespace"], "kube-system");
        assert_eq!(find(&p, "RoleBinding", "kubeadm:bootstrap-signer-clusterinfo")["metadata"]["namespace"], "kube-public");
    }

    #[test]
    fn names_are_unique_per_kind_and_namespace() {
        let p = bootstrap_policy();
        let mut keys: Vec<String> = p
            .iter()
            .map(|o| format!("{}/{}/{}", o["kind"], o["metadata"]["namespace"].as_str().unwrap_or(""), o["metadata"]["name"]))
            .collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
        assert!(p.iter().all(|o| resource_of(o) != "rolebindings" || o["kind"] == "RoleBinding"));
    }
}
