//! What `kubeadm init` adds to the apiserver's default policy (phases `bootstrap-token`,
//! `upload-config`, `addon/coredns`, `addon/kube-proxy`, and since 1.29 the
//! `kubeadm:cluster-admins` group its `admin.conf` user belongs to): mirrors
//! `cmd/kubeadm/app/phases/bootstraptoken/node`, `uploadconfig`, `addons/dns` and
//! `addons/proxy`. These objects carry no `kubernetes.io/bootstrapping` label and no autoupdate
//! annotation, as on a real cluster.

use super::rule_builder::*;
use k8s_openapi::api::rbac::v1::PolicyRule;

/// The token group `kubeadm join` authenticates with before the node has a certificate.
const KUBEADM_BOOTSTRAP_GROUP: &str = "system:bootstrappers:kubeadm:default-node-token";

/// kubeadm's ClusterRoles.
pub(super) fn kubeadm_cluster_roles() -> Vec<RoleDef> {
    vec![
        role("kubeadm:get-nodes", vec![rule(&["get"]).groups(&[LEGACY]).resources(&["nodes"]).build()]),
        role(
            "system:coredns",
            vec![
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["endpoints", "services", "pods", "namespaces"]).build(),
                rule(&["list", "watch"]).groups(&[DISCOVERY]).resources(&["endpointslices"]).build(),
            ],
        ),
    ]
}

/// kubeadm's ClusterRoleBindings: (name, role, subjects).
pub(super) fn kubeadm_cluster_role_bindings() -> Vec<(String, String, Vec<Subject<'static>>)> {
    let b = |name: &str, role: &str, subjects: Vec<Subject<'static>>| (name.to_string(), role.to_string(), subjects);
    vec![
        // Since 1.29 admin.conf's user is in this group instead of system:masters.
        b("kubeadm:cluster-admins", "cluster-admin", vec![Subject::Group("kubeadm:cluster-admins")]),
        b("kubeadm:get-nodes", "kubeadm:get-nodes", vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP)]),
        b("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP)]),
        b(
            "kubeadm:node-autoapprove-bootstrap",
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP)],
        ),
        b(
            "kubeadm:node-autoapprove-certificate-rotation",
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![Subject::Group("system:nodes")],
        ),
        b("kubeadm:node-proxier", "system:node-proxier", vec![Subject::ServiceAccount("kube-system", "kube-proxy")]),
        b("system:coredns", "system:coredns", vec![Subject::ServiceAccount("kube-system", "coredns")]),
    ]
}

/// kubeadm's Roles in kube-system and kube-public: (namespace, name, rules).
pub(super) fn kubeadm_namespace_roles() -> Vec<(&'static str, &'static str, Vec<PolicyRule>)> {
    vec![
        (
            "kube-system",
            "kubeadm:kubelet-config",
            vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kubelet-config"]).build()],
        ),
        (
            "kube-system",
            "kubeadm:nodes-kubeadm-config",
            vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kubeadm-config"]).build()],
        ),
        ("kube-system", "kube-proxy", vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-proxy"]).build()]),
        (
            "kube-public",
            "kubeadm:bootstrap-signer-clusterinfo",
            vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["cluster-info"]).build()],
        ),
    ]
}

/// kubeadm's RoleBindings: (namespace, name, role, subjects).
pub(super) fn kubeadm_namespace_role_bindings() -> Vec<(&'static str, &'static str, &'static str, Vec<Subject<'static>>)> {
    vec![
        (
            "kube-system",
            "kubeadm:kubelet-config",
            "kubeadm:kubelet-config",
            vec![Subject::Group("system:nodes"), Subject::Group(KUBEADM_BOOTSTRAP_GROUP)],
        ),
        (
            "kube-system",
            "kubeadm:nodes-kubeadm-config",
            "kubeadm:nodes-kubeadm-config",
            vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP), Subject::Group("system:nodes")],
        ),
        ("kube-system", "kube-proxy", "kube-proxy", vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP)]),
        (
            "kube-public",
            "kubeadm:bootstrap-signer-clusterinfo",
            "kubeadm:bootstrap-signer-clusterinfo",
            vec![Subject::User("system:anonymous")],
        ),
    ]
}
