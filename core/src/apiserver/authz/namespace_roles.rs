//! The apiserver's default Roles and RoleBindings in kube-system and kube-public: mirrors
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/namespace_policy.go` (leader-locking for the
//! scheduler and controller manager, the extension-apiserver-authentication reader, the
//! bootstrap-signer, cloud-provider and token-cleaner controllers); compare with
//! `bootstrappolicy/testdata/namespace-roles.yaml` and `namespace-role-bindings.yaml`.

use super::rule_builder::*;
use k8s_openapi::api::rbac::v1::PolicyRule;

/// (namespace, name, rules).
pub(super) fn namespace_roles() -> Vec<(&'static str, &'static str, Vec<PolicyRule>)> {
    vec![
        (
            "kube-system",
            "extension-apiserver-authentication-reader",
            vec![rule(READ).groups(&[LEGACY]).resources(&["configmaps"]).names(&["extension-apiserver-authentication"]).build()],
        ),
        (
            "kube-system",
            "system::leader-locking-kube-controller-manager",
            vec![
                rule(&["watch"]).groups(&[LEGACY]).resources(&["configmaps"]).build(),
                rule(&["get", "update"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-controller-manager"]).build(),
            ],
        ),
        (
            "kube-system",
            "system::leader-locking-kube-scheduler",
            vec![
                rule(&["watch"]).groups(&[LEGACY]).resources(&["configmaps"]).build(),
                rule(&["get", "update"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-scheduler"]).build(),
            ],
        ),
        ("kube-system", "system:controller:bootstrap-signer", vec![rule(READ).groups(&[LEGACY]).resources(&["secrets"]).build()]),
        (
            "kube-system",
            "system:controller:cloud-provider",
            vec![rule(&["create", "get", "list", "watch"]).groups(&[LEGACY]).resources(&["configmaps"]).build()],
        ),
        (
            "kube-system",
            "system:controller:token-cleaner",
            vec![rule(&["delete", "get", "list", "watch"]).groups(&[LEGACY]).resources(&["secrets"]).build(), events_rule()],
        ),
        (
            "kube-public",
            "system:controller:bootstrap-signer",
            vec![
                rule(READ).groups(&[LEGACY]).resources(&["configmaps"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["cluster-info"]).build(),
                events_rule(),
            ],
        ),
    ]
}

/// (namespace, name, role, subjects).
pub(super) fn namespace_role_bindings() -> Vec<(&'static str, &'static str, &'static str, Vec<Subject<'static>>)> {
    vec![
        (
            "kube-system",
            "system::extension-apiserver-authentication-reader",
            "extension-apiserver-authentication-reader",
            vec![Subject::User("system:kube-controller-manager"), Subject::User("system:kube-scheduler")],
        ),
        (
            "kube-system",
            "system::leader-locking-kube-controller-manager",
            "system::leader-locking-kube-controller-manager",
            vec![Subject::User("system:kube-controller-manager"), Subject::ServiceAccount("kube-system", "kube-controller-manager")],
        ),
        (
            "kube-system",
            "system::leader-locking-kube-scheduler",
            "system::leader-locking-kube-scheduler",
            vec![Subject::User("system:kube-scheduler"), Subject::ServiceAccount("kube-system", "kube-scheduler")],
        ),
        (
            "kube-system",
            "system:controller:bootstrap-signer",
            "system:controller:bootstrap-signer",
            vec![Subject::ServiceAccount("kube-system", "bootstrap-signer")],
        ),
        (
            "kube-system",
            "system:controller:cloud-provider",
            "system:controller:cloud-provider",
            vec![Subject::ServiceAccount("kube-system", "cloud-provider")],
        ),
        (
            "kube-system",
            "system:controller:token-cleaner",
            "system:controller:token-cleaner",
            vec![Subject::ServiceAccount("kube-system", "token-cleaner")],
        ),
        (
            "kube-public",
            "system:controller:bootstrap-signer",
            "system:controller:bootstrap-signer",
            vec![Subject::ServiceAccount("kube-system", "bootstrap-signer")],
        ),
    ]
}
