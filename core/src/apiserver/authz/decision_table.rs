//! The allow/deny table: requests against a cluster holding the settled bootstrap policy plus a
//! few test bindings, each with the exact reason (allow) or 403 message (deny) kube-apiserver
//! gives.

use super::*;
use crate::apiserver::MemoryObjects;
use serde_json::{json, Value};

fn binding(kind: &str, name: &str, ns: Option<&str>, role_kind: &str, role: &str, subjects: Value) -> (String, Value) {
    let mut meta = json!({"name": name});
    if let Some(ns) = ns {
        meta["namespace"] = json!(ns);
    }
    let resource = if kind == "RoleBinding" { "rolebindings" } else { "clusterrolebindings" };
    (
        resource.to_string(),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta,
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}, "subjects": subjects}),
    )
}

fn user(name: &str) -> Value {
    json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}])
}

/// The cluster every case runs against.
pub(super) fn cluster() -> MemoryObjects {
    let mut o = MemoryObjects::new();
    for obj in settle_aggregation(bootstrap_policy()) {
        o.insert(resource_of(&obj), obj);
    }
    for (resource, obj) in [
        binding("RoleBinding", "jane-view", Some("dev"), "ClusterRole", "view", user("jane")),
        binding("RoleBinding", "default-edit", Some("dev"), "ClusterRole", "edit", json!([{"kind": "ServiceAccount", "name": "default", "namespace": "dev"}])),
        binding("RoleBinding", "alice-admin", Some("dev"), "ClusterRole", "admin", user("alice")),
        binding("RoleBinding", "bob-config", Some("dev"), "Role", "config-reader", user("bob")),
        binding("RoleBinding", "carol-foo", Some("dev"), "ClusterRole", "foo", user("carol")),
        binding("ClusterRoleBinding", "dave-ghost", None, "ClusterRole", "ghost", user("dave")),
        binding("RoleBinding", "dave-gone", Some("dev"), "Role", "gone", user("dave")),
        binding("ClusterRoleBinding", "ops-nodes", None, "ClusterRole", "node-reader",
            json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ops"}])),
    ] {
        o.insert(&resource, obj);
    }
    o.insert("roles", json!({"metadata": {"name": "config-reader", "namespace": "dev"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["get"]}]}));
    o.insert("clusterroles", json!({"metadata": {"name": "node-reader"},
        "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]}));
    o.insert("pods", json!({"metadata": {"name": "web", "namespace": "dev"}, "spec": {"nodeName": "n1",
        "containers": [{"name": "web", "envFrom": [{"secretRef": {"name": "db"}}]}]}}));
    o
}

fn res(u: UserInfo, verb: &str, group: &str, resource: &str, ns: &str, name: &str) -> Attributes {
    Attributes::resource(u, verb, group, resource, ns, name)
}

fn jane() -> UserInfo {
    UserInfo::user("jane", &[])
}

enum Want {
    Allow(&'static str),
    Deny(&'static str),
}
use Want::{Allow, Deny};

fn cases() -> Vec<(&'static str, Attributes, Want)> {
    let sa = UserInfo::service_account("dev", "default");
    vec![
        ("view in dev lists pods", res(jane(), "list", "", "pods", "dev", ""),
            Allow(r#"RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane""#)),
        ("view does not reach prod", res(jane(), "list", "", "pods", "prod", ""),
            Deny(r#"pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "prod""#)),
        ("view has no secrets", res(jane(), "get", "", "secrets", "dev", "db"),
            Deny(r#"secrets "db" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "dev""#)),
        ("view reads pods/log", res(jane(), "get", "", "pods", "dev", "web").with_subresource("log"),
            Allow(r#"RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane""#)),
        ("view cannot exec", res(jane(), "create", "", "pods", "dev", "web").with_subresource("exec"),
            Deny(r#"pods "web" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "dev""#)),
        ("view watches pods", res(jane(), "watch", "", "pods", "dev", ""),
            Allow(r#"RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane""#)),
        ("view cannot delete deployments", res(jane(), "delete", "apps", "deployments", "dev", "web"),
            Deny(r#"deployments.apps "web" is forbidden: User "jane" cannot delete resource "deployments" in API group "apps" in the namespace "dev""#)),
        ("view cannot deletecollection", res(jane(), "deletecollection", "", "pods", "dev", ""),
            Deny(r#"pods is forbidden: User "jane" cannot deletecollection resource "pods" in API group "" in the namespace "dev""#)),
        ("nodes are cluster-scoped", res(jane(), "list", "", "nodes", "", ""),
            Deny(r#"nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope"#)),
        ("scale subresource of apps", res(jane(), "get", "apps", "deployments", "dev", "web").with_subresource("scale"),
            Allow(r#"RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane""#)),
        ("edit for the default service account", res(sa.clone(), "create", "apps", "deployments", "dev", ""),
            Allow(r#"RBAC: allowed by RoleBinding "default-edit/dev" of ClusterRole "edit" to ServiceAccount "default/dev""#)),
        ("edit reads secrets", res(sa.clone(), "get", "", "secrets", "dev", "db"),
            Allow(r#"RBAC: allowed by RoleBinding "default-edit/dev" of ClusterRole "edit" to ServiceAccount "default/dev""#)),
        ("edit cannot write roles", res(sa.clone(), "create", "rbac.authorization.k8s.io", "roles", "dev", ""),
            Deny(r#"roles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:dev:default" cannot create resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "dev""#)),
        ("another namespace's default account", res(UserInfo::service_account("prod", "default"), "list", "", "pods", "dev", ""),
            Deny(r#"pods is forbidden: User "system:serviceaccount:prod:default" cannot list resource "pods" in API group "" in the namespace "dev""#)),
        ("admin writes roles", res(UserInfo::user("alice", &[]), "create", "rbac.authorization.k8s.io", "roles", "dev", ""),
            Allow(r#"RBAC: allowed by RoleBinding "alice-admin/dev" of ClusterRole "admin" to User "alice""#)),
        ("admin writes rolebindings", res(UserInfo::user("alice", &[]), "update", "rbac.authorization.k8s.io", "rolebindings", "dev", "x"),
            Allow(r#"RBAC: allowed by RoleBinding "alice-admin/dev" of ClusterRole "admin" to User "alice""#)),
        ("admin cannot change quota", res(UserInfo::user("alice", &[]), "update", "", "resourcequotas", "dev", "q"),
            Deny(r#"resourcequotas "q" is forbidden: User "alice" cannot update resource "resourcequotas" in API group "" in the namespace "dev""#)),
        ("resourceNames allow the named object", res(UserInfo::user("bob", &[]), "get", "", "configmaps", "dev", "app-config"),
            Allow(r#"RBAC: allowed by RoleBinding "bob-config/dev" of Role "config-reader" to User "bob""#)),
        ("resourceNames refuse other names", res(UserInfo::user("bob", &[]), "get", "", "configmaps", "dev", "other"),
            Deny(r#"configmaps "other" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "dev""#)),
        ("resourceNames cannot allow list", res(UserInfo::user("bob", &[]), "list", "", "configmaps", "dev", ""),
            Deny(r#"configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "dev""#)),
        ("binding to a missing role", res(UserInfo::user("carol", &[]), "list", "", "pods", "dev", ""),
            Deny(r#"pods is forbidden: User "carol" cannot list resource "pods" in API group "" in the namespace "dev": RBAC: clusterrole.rbac.authorization.k8s.io "foo" not found"#)),
        ("every missing role is named, cluster bindings first", res(UserInfo::user("dave", &[]), "list", "", "pods", "dev", ""),
            Deny(r#"pods is forbidden: User "dave" cannot list resource "pods" in API group "" in the namespace "dev": RBAC: [clusterrole.rbac.authorization.k8s.io "ghost" not found, role.rbac.authorization.k8s.io "gone" not found]"#)),
        ("anonymous may read /healthz", Attributes::non_resource(UserInfo::anonymous(), "get", "/healthz"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated""#)),
        ("anonymous may not discover", Attributes::non_resource(UserInfo::anonymous(), "get", "/api"),
            Deny(r#"forbidden: User "system:anonymous" cannot get path "/api""#)),
        ("authenticated users discover", Attributes::non_resource(jane(), "get", "/apis/apps/v1"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated""#)),
        ("metrics need system:monitoring", Attributes::non_resource(jane(), "get", "/metrics"),
            Deny(r#"forbidden: User "jane" cannot get path "/metrics""#)),
        ("basic-user self review", res(jane(), "create", "authorization.k8s.io", "selfsubjectaccessreviews", "", ""),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated""#)),
        ("kubeadm admin through its group", res(UserInfo::admin(), "delete", "", "nodes", "", "n1"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins""#)),
        ("super-admin bypasses RBAC", res(UserInfo::super_admin(), "escalate", "rbac.authorization.k8s.io", "clusterroles", "", "x"), Allow("")),
        ("group binding for nodes", res(UserInfo::user("olga", &["ops"]), "get", "", "nodes", "", "n1"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "ops-nodes" of ClusterRole "node-reader" to Group "ops""#)),
        ("scheduler binds pods", res(UserInfo::kube_scheduler(), "create", "", "pods", "dev", "web").with_subresource("binding"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler""#)),
        ("scheduler renews its own lease", res(UserInfo::kube_scheduler(), "update", "coordination.k8s.io", "leases", "kube-system", "kube-scheduler"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler""#)),
        ("scheduler cannot take the controller-manager lease", res(UserInfo::kube_scheduler(), "update", "coordination.k8s.io", "leases", "kube-system", "kube-controller-manager"),
            Deny(r#"leases.coordination.k8s.io "kube-controller-manager" is forbidden: User "system:kube-scheduler" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system""#)),
        ("controller-manager lists everything", res(UserInfo::kube_controller_manager(), "list", "apps", "deployments", "", ""),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager""#)),
        ("deployment controller creates replicasets", res(UserInfo::service_account("kube-system", "deployment-controller"), "create", "apps", "replicasets", "dev", ""),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:controller:deployment-controller" of ClusterRole "system:controller:deployment-controller" to ServiceAccount "deployment-controller/kube-system""#)),
        ("replicaset controller cannot create deployments", res(UserInfo::service_account("kube-system", "replicaset-controller"), "create", "apps", "deployments", "dev", ""),
            Deny(r#"deployments.apps is forbidden: User "system:serviceaccount:kube-system:replicaset-controller" cannot create resource "deployments" in API group "apps" in the namespace "dev""#)),
        ("node reads a secret its pod uses", res(UserInfo::node("n1"), "get", "", "secrets", "dev", "db"), Allow("")),
        ("node cannot read other secrets", res(UserInfo::node("n1"), "get", "", "secrets", "dev", "other"),
            Deny(r#"secrets "other" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "dev": no relationship found between node 'n1' and this object"#)),
        ("node cannot read other nodes", res(UserInfo::node("n1"), "get", "", "nodes", "", "n2"),
            Deny(r#"nodes "n2" is forbidden: User "system:node:n1" cannot get resource "nodes" in API group "" at the cluster scope: node 'n1' cannot read 'n2', only its own Node object"#)),
        ("a node identity without a name", res(UserInfo::user("system:node:", &["system:nodes"]), "get", "", "secrets", "dev", "db"),
            Deny(r#"secrets "db" is forbidden: User "system:node:" cannot get resource "secrets" in API group "" in the namespace "dev": unknown node for user "system:node:""#)),
        ("jane may not impersonate", res(jane(), "impersonate", "", "users", "", "bob"),
            Deny(r#"users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope"#)),
        ("the admin may impersonate", res(UserInfo::admin(), "impersonate", "", "users", "", "bob"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins""#)),
        ("view in dev is no cluster-wide list", res(jane(), "list", "", "secrets", "", ""),
            Deny(r#"secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" at the cluster scope"#)),
        ("view reads deployments/status", res(jane(), "get", "apps", "deployments", "dev", "web").with_subresource("status"),
            Allow(r#"RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane""#)),
        ("view reads events", res(jane(), "list", "", "events", "dev", ""),
            Allow(r#"RBAC: allowed by RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane""#)),
        ("view cannot patch configmaps", res(jane(), "patch", "", "configmaps", "dev", "x"),
            Deny(r#"configmaps "x" is forbidden: User "jane" cannot patch resource "configmaps" in API group "" in the namespace "dev""#)),
        ("edit may exec into pods", res(sa.clone(), "create", "", "pods", "dev", "web").with_subresource("exec"),
            Allow(r#"RBAC: allowed by RoleBinding "default-edit/dev" of ClusterRole "edit" to ServiceAccount "default/dev""#)),
        ("edit only reads quotas", res(sa.clone(), "update", "", "resourcequotas", "dev", "q"),
            Deny(r#"resourcequotas "q" is forbidden: User "system:serviceaccount:dev:default" cannot update resource "resourcequotas" in API group "" in the namespace "dev""#)),
        ("a group binding grants only its role", res(UserInfo::user("olga", &["ops"]), "list", "", "pods", "", ""),
            Deny(r#"pods is forbidden: User "olga" cannot list resource "pods" in API group "" at the cluster scope"#)),
        ("scheduler updates pod status", res(UserInfo::kube_scheduler(), "update", "", "pods", "dev", "web").with_subresource("status"),
            Allow(r#"RBAC: allowed by ClusterRoleBinding "system:kube-scheduler" of ClusterRole "system:kube-scheduler" to User "system:kube-scheduler""#)),
        ("anonymous reads cluster-info for kubeadm join", res(UserInfo::anonymous(), "get", "", "configmaps", "kube-public", "cluster-info"),
            Allow(r#"RBAC: allowed by RoleBinding "kubeadm:bootstrap-signer-clusterinfo/kube-public" of Role "kubeadm:bootstrap-signer-clusterinfo" to User "system:anonymous""#)),
    ]
}

#[test]
fn decision_table() {
    let objects = cluster();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 50, "the RBAC matrix keeps at least 50 cases");
    for (name, attrs, want) in all {
        let d = authorize(&objects, &attrs);
        match want {
            Allow(reason) if !(d.allowed && d.reason == reason) => {
                failures.push(format!("{name}: want allow {reason:?}, got allowed={} reason={:?} {:?}", d.allowed, d.reason, d.considered));
            }
            Deny(message) if d.allowed || forbidden_message(&attrs, &d) != message => {
                failures.push(format!("{name}: want deny {message:?}, got allowed={} {:?}", d.allowed, forbidden_message(&attrs, &d)));
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn considered_lists_bindings_up_to_the_allowing_one() {
    let d = authorize(&cluster(), &res(jane(), "list", "", "pods", "dev", ""));
    let last = d.considered.last().cloned().unwrap_or_default();
    assert_eq!(
        last,
        r#"RoleBinding "jane-view/dev" of ClusterRole "view" to User "jane": allowed by rule {APIGroups:[""], Resources:["configmaps" "endpoints" "persistentvolumeclaims" "persistentvolumeclaims/status" "pods" "replicationcontrollers" "replicationcontrollers/scale" "serviceaccounts" "services" "services/status"], Verbs:["get" "list" "watch"]}"#
    );
    assert!(d.considered.iter().any(|c| c.starts_with(r#"ClusterRoleBinding "system:basic-user""#)));
}

#[test]
fn escalation_against_the_default_policy() {
    let o = cluster();
    let secrets = [json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})];
    assert_eq!(
        check_escalation(&o, &jane(), &secrets, "dev"),
        Err("user \"jane\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}".into())
    );
    assert_eq!(check_escalation(&o, &UserInfo::user("alice", &[]), &secrets, "dev"), Ok(()));
    assert_eq!(check_escalation(&o, &UserInfo::admin(), &secrets, ""), Ok(()));
}
