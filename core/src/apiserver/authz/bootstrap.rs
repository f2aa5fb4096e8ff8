//! The default RBAC policy of a new kubeadm 1.3x cluster, as data: mirrors
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` (`ClusterRoles`,
//! `ClusterRoleBindings`, `NodeRules`, the aggregated `admin`/`edit`/`view` pieces),
//! `namespace_policy.go` (kube-system and kube-public Roles) and the objects `kubeadm init`
//! adds (`kubeadm:cluster-admins`, node bootstrap bindings, CoreDNS). Controller roles are in
//! `controller_roles.rs`.
//!
//! Each table reads like policy.go: `rule(READ).groups(&[LEGACY]).resources(&["pods"])` is
//! `rbacv1helpers.NewRule(Read...).Groups(legacyGroup).Resources("pods")`, and `build` sorts and
//! de-duplicates every list as `RuleOrDie` does, so the objects equal the apiserver's (compare
//! with `bootstrappolicy/testdata/cluster-roles.yaml`).
//!
//! Left out (not needed by the simulation yet): system:heapster, system:node-problem-detector,
//! system:kubelet-api-admin, system:persistent-volume-provisioner, the certificate signer
//! approver roles (legacy-unknown, kubelet-serving, kube-apiserver-client(-kubelet)), and
//! feature-gated rules (DRA, ClusterTrustBundles) in `system:node`.

use super::controller_roles::{controller_role_bindings, controller_roles};
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::{json, Map, Value};

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

const BOOTSTRAP_LABEL: (&str, &str) = ("kubernetes.io/bootstrapping", "rbac-defaults");
const AUTOUPDATE_ANNOTATION: (&str, &str) = ("rbac.authorization.kubernetes.io/autoupdate", "true");
const AGGREGATE_TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";
/// The token group `kubeadm join` authenticates with before the node has a certificate.
const KUBEADM_BOOTSTRAP_GROUP: &str = "system:bootstrappers:kubeadm:default-node-token";

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
    fn to_json(self) -> Value {
        match self {
            Subject::User(n) => json!({"apiGroup": RBAC, "kind": "User", "name": n}),
            Subject::Group(n) => json!({"apiGroup": RBAC, "kind": "Group", "name": n}),
            Subject::ServiceAccount(ns, n) => json!({"kind": "ServiceAccount", "name": n, "namespace": ns}),
        }
    }
}

/// `NodeRules()`: what every kubelet may do; the Node authorizer checks these for resources it
/// does not subdivide (the `system:node` ClusterRole has the same rules but no subjects).
pub fn node_rules() -> Vec<PolicyRule> {
    vec![
        // Needed to check API access. These creates are non-mutating.
        rule(&["create"]).groups(&[AUTHENTICATION]).resources(&["tokenreviews"]).build(),
        rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["subjectaccessreviews", "localsubjectaccessreviews"]).build(),
        // Needed to build serviceLister, to populate env vars for services.
        rule(READ).groups(&[LEGACY]).resources(&["services"]).build(),
        // Nodes can register Node API objects and report status (NodeRestriction limits to its own).
        rule(&["create", "get", "list", "watch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
        rule(&["update", "patch"]).groups(&[LEGACY]).resources(&["nodes/status"]).build(),
        rule(&["update", "patch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
        rule(&["create", "update", "patch"]).groups(&[LEGACY]).resources(&["events"]).build(),
        rule(READ).groups(&[LEGACY]).resources(&["pods"]).build(),
        // Mirror pods, pod status, evictions.
        rule(&["create", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
        rule(&["update", "patch"]).groups(&[LEGACY]).resources(&["pods/status"]).build(),
        rule(&["create"]).groups(&[LEGACY]).resources(&["pods/eviction"]).build(),
        // Secrets, configmaps, PVs and PVCs: the Node authorizer limits these to related objects.
        rule(READ).groups(&[LEGACY]).resources(&["secrets", "configmaps"]).build(),
        rule(&["get"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims", "persistentvolumes"]).build(),
        // Kubelet client-certificate rotation.
        rule(&["create", "get", "list", "watch"]).groups(&[CERTIFICATES]).resources(&["certificatesigningrequests"]).build(),
        rule(&["get", "create", "update", "patch", "delete"]).groups(&[COORDINATION]).resources(&["leases"]).build(),
        rule(&["get"]).groups(&[STORAGE]).resources(&["volumeattachments"]).build(),
        rule(&["create"]).groups(&[LEGACY]).resources(&["serviceaccounts/token"]).build(),
        rule(&["get", "update", "patch"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims/status"]).build(),
        rule(&["get", "watch", "list"]).groups(&[STORAGE]).resources(&["csidrivers"]).build(),
        rule(&["get", "create", "update", "patch", "delete"]).groups(&[STORAGE]).resources(&["csinodes"]).build(),
        rule(READ).groups(&[NODE]).resources(&["runtimeclasses"]).build(),
    ]
}

/// The aggregated `view` pieces (`system:aggregate-to-view`).
fn view_rules() -> Vec<PolicyRule> {
    vec![
        rule(READ)
            .groups(&[LEGACY])
            .resources(&["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
                "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "configmaps"])
            .build(),
        rule(READ)
            .groups(&[LEGACY])
            .resources(&["limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status",
                "namespaces/status", "replicationcontrollers/status", "pods/log"])
            .build(),
        // Read access to namespaces at the namespace scope means you can read *this* namespace.
        rule(READ).groups(&[LEGACY]).resources(&["namespaces"]).build(),
        rule(READ).groups(&[DISCOVERY]).resources(&["endpointslices"]).build(),
        rule(READ)
            .groups(&[APPS])
            .resources(&["controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale", "daemonsets",
                "daemonsets/status", "deployments", "deployments/status", "deployments/scale", "replicasets", "replicasets/status",
                "replicasets/scale"])
            .build(),
        rule(READ).groups(&[AUTOSCALING]).resources(&["horizontalpodautoscalers", "horizontalpodautoscalers/status"]).build(),
        rule(READ).groups(&[BATCH]).resources(&["jobs", "cronjobs", "cronjobs/status", "jobs/status"]).build(),
        rule(READ)
            .groups(&[EXTENSIONS])
            .resources(&["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses",
                "ingresses/status", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
                "networkpolicies"])
            .build(),
        rule(READ).groups(&[POLICY]).resources(&["poddisruptionbudgets", "poddisruptionbudgets/status"]).build(),
        rule(READ).groups(&[NETWORKING]).resources(&["networkpolicies", "ingresses", "ingresses/status"]).build(),
    ]
}

/// The aggregated `edit` pieces (`system:aggregate-to-edit`): writes, and reads of the
/// escalating resources `view` leaves out (secrets, exec, attach, proxy).
fn edit_rules() -> Vec<PolicyRule> {
    vec![
        rule(READ)
            .groups(&[LEGACY])
            .resources(&["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"])
            .build(),
        rule(&["impersonate"]).groups(&[LEGACY]).resources(&["serviceaccounts"]).build(),
        rule(WRITE).groups(&[LEGACY]).resources(&["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]).build(),
        rule(&["create"]).groups(&[LEGACY]).resources(&["pods/eviction"]).build(),
        rule(WRITE)
            .groups(&[LEGACY])
            .resources(&["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/proxy",
                "persistentvolumeclaims", "configmaps", "secrets", "events"])
            .build(),
        rule(&["create"]).groups(&[LEGACY]).resources(&["serviceaccounts/token"]).build(),
        rule(WRITE)
            .groups(&[APPS])
            .resources(&["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback",
                "replicasets", "replicasets/scale"])
            .build(),
        rule(WRITE).groups(&[AUTOSCALING]).resources(&["horizontalpodautoscalers"]).build(),
        rule(WRITE).groups(&[BATCH]).resources(&["jobs", "cronjobs"]).build(),
        rule(WRITE)
            .groups(&[EXTENSIONS])
            .resources(&["daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses", "replicasets",
                "replicasets/scale", "replicationcontrollers/scale", "networkpolicies"])
            .build(),
        rule(WRITE).groups(&[POLICY]).resources(&["poddisruptionbudgets"]).build(),
        rule(WRITE).groups(&[NETWORKING]).resources(&["networkpolicies", "ingresses"]).build(),
        rule(READ_WRITE).groups(&[COORDINATION]).resources(&["leases"]).build(),
    ]
}

/// A ClusterRole definition: name, extra labels, rules, and aggregation selectors
/// (`matchLabels` with one label each).
pub(super) struct RoleDef {
    pub name: String,
    pub labels: Vec<(&'static str, &'static str)>,
    pub rules: Vec<PolicyRule>,
    pub aggregate_from: Vec<&'static str>,
}

fn role(name: &str, rules: Vec<PolicyRule>) -> RoleDef {
    RoleDef { name: name.to_string(), labels: Vec::new(), rules, aggregate_from: Vec::new() }
}

/// `clusterRoles()`.
fn cluster_roles() -> Vec<RoleDef> {
    vec![
        // A "root" role which can do absolutely anything.
        role(
            "cluster-admin",
            vec![rule(&["*"]).groups(&["*"]).resources(&["*"]).build(), rule(&["*"]).urls(&["*"]).build()],
        ),
        // Just enough to tell whether the server is ready and discover API versions.
        role(
            "system:discovery",
            vec![rule(&["get"])
                .urls(&["/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"])
                .build()],
        ),
        // Minimal access for a "normal" user to learn about themselves (`kubectl auth whoami`, `can-i`).
        role(
            "system:basic-user",
            vec![
                rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["selfsubjectaccessreviews", "selfsubjectrulesreviews"]).build(),
                rule(&["create"]).groups(&[AUTHENTICATION]).resources(&["selfsubjectreviews"]).build(),
            ],
        ),
        // Insensitive cluster information, readable even without credentials.
        role("system:public-info-viewer", vec![rule(&["get"]).urls(&["/livez", "/readyz", "/healthz", "/version", "/version/"]).build()]),
        // Namespace admin: edit plus granting permissions (Roles, RoleBindings) inside the namespace.
        RoleDef { aggregate_from: vec![AGGREGATE_TO_ADMIN], ..role("admin", Vec::new()) },
        // Namespace editor: everything user-level, no Roles or RoleBindings, no quota or status.
        RoleDef { labels: vec![(AGGREGATE_TO_ADMIN, "true")], aggregate_from: vec![AGGREGATE_TO_EDIT], ..role("edit", Vec::new()) },
        // Namespace viewer: read-only on non-escalating resources (no Secrets).
        RoleDef { labels: vec![(AGGREGATE_TO_EDIT, "true")], aggregate_from: vec![AGGREGATE_TO_VIEW], ..role("view", Vec::new()) },
        RoleDef {
            labels: vec![(AGGREGATE_TO_ADMIN, "true")],
            ..role(
                "system:aggregate-to-admin",
                vec![
                    rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["localsubjectaccessreviews"]).build(),
                    rule(READ_WRITE).groups(&[RBAC]).resources(&["roles", "rolebindings"]).build(),
                ],
            )
        },
        RoleDef { labels: vec![(AGGREGATE_TO_EDIT, "true")], ..role("system:aggregate-to-edit", edit_rules()) },
        RoleDef { labels: vec![(AGGREGATE_TO_VIEW, "true")], ..role("system:aggregate-to-view", view_rules()) },
        role(
            "system:monitoring",
            vec![rule(&["get"])
                .urls(&["/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"])
                .build()],
        ),
        role("system:node", node_rules()),
        role(
            "system:node-proxier",
            vec![
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["services", "endpoints"]).build(),
                rule(READ).groups(&[LEGACY]).resources(&["nodes"]).build(),
                events_rule(),
                rule(&["list", "watch"]).groups(&[DISCOVERY]).resources(&["endpointslices"]).build(),
                rule(&["list", "watch"]).groups(&[NETWORKING]).resources(&["servicecidrs"]).build(),
            ],
        ),
        role(
            "system:node-bootstrapper",
            vec![rule(&["create", "get", "list", "watch"]).groups(&[CERTIFICATES]).resources(&["certificatesigningrequests"]).build()],
        ),
        role(
            "system:auth-delegator",
            vec![
                rule(&["create"]).groups(&[AUTHENTICATION]).resources(&["tokenreviews"]).build(),
                rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["subjectaccessreviews"]).build(),
            ],
        ),
        role("system:kube-aggregator", vec![rule(READ).groups(&[LEGACY]).resources(&["services", "endpoints"]).build()]),
        role(
            "system:kube-controller-manager",
            vec![
                events_rule(),
                // Leader election.
                rule(&["create"]).groups(&[COORDINATION]).resources(&["leases"]).build(),
                rule(&["get", "update"]).groups(&[COORDINATION]).resources(&["leases"]).names(&["kube-controller-manager"]).build(),
                // Fundamental resources.
                rule(&["create"]).groups(&[LEGACY]).resources(&["secrets", "serviceaccounts"]).build(),
                rule(&["delete"]).groups(&[LEGACY]).resources(&["secrets"]).build(),
                rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps", "namespaces", "secrets", "serviceaccounts"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["secrets", "serviceaccounts"]).build(),
                // Needed to check API access. These creates are non-mutating.
                rule(&["create"]).groups(&[AUTHENTICATION]).resources(&["tokenreviews"]).build(),
                rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["subjectaccessreviews"]).build(),
                // Needed for all shared informers.
                rule(&["list", "watch"]).groups(&["*"]).resources(&["*"]).build(),
                rule(&["create"]).groups(&[LEGACY]).resources(&["serviceaccounts/token"]).build(),
            ],
        ),
        role("system:kube-dns", vec![rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["endpoints", "services"]).build()]),
        role(
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![rule(&["create"]).groups(&[CERTIFICATES]).resources(&["certificatesigningrequests/nodeclient"]).build()],
        ),
        role(
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![rule(&["create"]).groups(&[CERTIFICATES]).resources(&["certificatesigningrequests/selfnodeclient"]).build()],
        ),
        role(
            "system:volume-scheduler",
            vec![
                rule(READ_UPDATE).groups(&[LEGACY]).resources(&["persistentvolumes"]).build(),
                rule(READ).groups(&[STORAGE]).resources(&["storageclasses"]).build(),
                rule(READ_UPDATE).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
            ],
        ),
        role(
            "system:service-account-issuer-discovery",
            vec![rule(&["get"])
                .urls(&["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"])
                .build()],
        ),
        role(
            "system:kube-scheduler",
            vec![
                events_rule(),
                // Leader election.
                rule(&["create"]).groups(&[COORDINATION]).resources(&["leases"]).build(),
                rule(&["get", "update"]).groups(&[COORDINATION]).resources(&["leases"]).names(&["kube-scheduler"]).build(),
                // Fundamental resources.
                rule(READ).groups(&[LEGACY]).resources(&["nodes"]).build(),
                rule(&["get", "list", "watch", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["create"]).groups(&[LEGACY]).resources(&["pods/binding", "bindings"]).build(),
                rule(&["patch", "update"]).groups(&[LEGACY]).resources(&["pods/status"]).build(),
                // Things that select pods.
                rule(READ).groups(&[LEGACY]).resources(&["services", "replicationcontrollers"]).build(),
                rule(READ).groups(&[APPS, EXTENSIONS]).resources(&["replicasets"]).build(),
                rule(READ).groups(&[APPS]).resources(&["statefulsets"]).build(),
                // Things that pods use or that apply to them.
                rule(READ).groups(&[POLICY]).resources(&["poddisruptionbudgets"]).build(),
                rule(READ).groups(&[LEGACY]).resources(&["persistentvolumeclaims", "persistentvolumes"]).build(),
                // Needed to check API access. These creates are non-mutating.
                rule(&["create"]).groups(&[AUTHENTICATION]).resources(&["tokenreviews"]).build(),
                rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["subjectaccessreviews"]).build(),
                // Volume limits, namespaceSelector in pod affinity, CSI.
                rule(READ).groups(&[STORAGE]).resources(&["csinodes"]).build(),
                rule(READ).groups(&[LEGACY]).resources(&["namespaces"]).build(),
                rule(READ).groups(&[STORAGE]).resources(&["csidrivers"]).build(),
                rule(READ).groups(&[STORAGE]).resources(&["csistoragecapacities"]).build(),
            ],
        ),
    ]
}

/// `ClusterRoleBindings()`: binding name = role name unless given.
fn cluster_role_bindings() -> Vec<(String, String, Vec<Subject<'static>>)> {
    let b = |name: &str, subjects: Vec<Subject<'static>>| (name.to_string(), name.to_string(), subjects);
    vec![
        b("cluster-admin", vec![Subject::Group("system:masters")]),
        b("system:monitoring", vec![Subject::Group("system:monitoring")]),
        b("system:discovery", vec![Subject::Group("system:authenticated")]),
        b("system:basic-user", vec![Subject::Group("system:authenticated")]),
        b("system:public-info-viewer", vec![Subject::Group("system:authenticated"), Subject::Group("system:unauthenticated")]),
        b("system:node-proxier", vec![Subject::User("system:kube-proxy")]),
        b("system:kube-controller-manager", vec![Subject::User("system:kube-controller-manager")]),
        b("system:kube-dns", vec![Subject::ServiceAccount("kube-system", "kube-dns")]),
        b("system:kube-scheduler", vec![Subject::User("system:kube-scheduler")]),
        b("system:volume-scheduler", vec![Subject::User("system:kube-scheduler")]),
        // Kept without subjects since the Node authorizer (1.8) took over; reconciliation keeps it.
        b("system:node", vec![]),
        b("system:service-account-issuer-discovery", vec![Subject::Group("system:serviceaccounts")]),
    ]
}

/// What `kubeadm init` adds (phases `bootstrap-token`, `upload-config`, `addon`): ClusterRoles,
/// ClusterRoleBindings (name, role, subjects). These carry no bootstrapping label.
fn kubeadm_cluster_roles() -> Vec<RoleDef> {
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

fn kubeadm_cluster_role_bindings() -> Vec<(String, String, Vec<Subject<'static>>)> {
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

/// Namespaced Roles: (namespace, name, rules, bootstrap-labelled).
fn namespace_roles() -> Vec<(&'static str, &'static str, Vec<PolicyRule>, bool)> {
    vec![
        // namespace_policy.go
        (
            "kube-system",
            "extension-apiserver-authentication-reader",
            vec![rule(READ).groups(&[LEGACY]).resources(&["configmaps"]).names(&["extension-apiserver-authentication"]).build()],
            true,
        ),
        (
            "kube-system",
            "system::leader-locking-kube-controller-manager",
            vec![
                rule(&["watch"]).groups(&[LEGACY]).resources(&["configmaps"]).build(),
                rule(&["get", "update"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-controller-manager"]).build(),
            ],
            true,
        ),
        (
            "kube-system",
            "system::leader-locking-kube-scheduler",
            vec![
                rule(&["watch"]).groups(&[LEGACY]).resources(&["configmaps"]).build(),
                rule(&["get", "update"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-scheduler"]).build(),
            ],
            true,
        ),
        ("kube-system", "system:controller:bootstrap-signer", vec![rule(READ).groups(&[LEGACY]).resources(&["secrets"]).build()], true),
        (
            "kube-system",
            "system:controller:cloud-provider",
            vec![rule(&["create", "get", "list", "watch"]).groups(&[LEGACY]).resources(&["configmaps"]).build()],
            true,
        ),
        (
            "kube-system",
            "system:controller:token-cleaner",
            vec![rule(&["delete", "get", "list", "watch"]).groups(&[LEGACY]).resources(&["secrets"]).build(), events_rule()],
            true,
        ),
        (
            "kube-public",
            "system:controller:bootstrap-signer",
            vec![
                rule(READ).groups(&[LEGACY]).resources(&["configmaps"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["cluster-info"]).build(),
                events_rule(),
            ],
            true,
        ),
        // kubeadm
        ("kube-system", "kubeadm:kubelet-config", vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kubelet-config"]).build()], false),
        (
            "kube-system",
            "kubeadm:nodes-kubeadm-config",
            vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kubeadm-config"]).build()],
            false,
        ),
        ("kube-system", "kube-proxy", vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-proxy"]).build()], false),
        (
            "kube-public",
            "kubeadm:bootstrap-signer-clusterinfo",
            vec![rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["cluster-info"]).build()],
            false,
        ),
    ]
}

/// Namespaced RoleBindings: (namespace, name, role, subjects, bootstrap-labelled).
fn namespace_role_bindings() -> Vec<(&'static str, &'static str, &'static str, Vec<Subject<'static>>, bool)> {
    vec![
        (
            "kube-system",
            "system::extension-apiserver-authentication-reader",
            "extension-apiserver-authentication-reader",
            vec![Subject::User("system:kube-controller-manager"), Subject::User("system:kube-scheduler")],
            true,
        ),
        (
            "kube-system",
            "system::leader-locking-kube-controller-manager",
            "system::leader-locking-kube-controller-manager",
            vec![Subject::User("system:kube-controller-manager"), Subject::ServiceAccount("kube-system", "kube-controller-manager")],
            true,
        ),
        (
            "kube-system",
            "system::leader-locking-kube-scheduler",
            "system::leader-locking-kube-scheduler",
            vec![Subject::User("system:kube-scheduler"), Subject::ServiceAccount("kube-system", "kube-scheduler")],
            true,
        ),
        (
            "kube-system",
            "system:controller:bootstrap-signer",
            "system:controller:bootstrap-signer",
            vec![Subject::ServiceAccount("kube-system", "bootstrap-signer")],
            true,
        ),
        (
            "kube-system",
            "system:controller:cloud-provider",
            "system:controller:cloud-provider",
            vec![Subject::ServiceAccount("kube-system", "cloud-provider")],
            true,
        ),
        (
            "kube-system",
            "system:controller:token-cleaner",
            "system:controller:token-cleaner",
            vec![Subject::ServiceAccount("kube-system", "token-cleaner")],
            true,
        ),
        (
            "kube-public",
            "system:controller:bootstrap-signer",
            "system:controller:bootstrap-signer",
            vec![Subject::ServiceAccount("kube-system", "bootstrap-signer")],
            true,
        ),
        (
            "kube-system",
            "kubeadm:kubelet-config",
            "kubeadm:kubelet-config",
            vec![Subject::Group("system:nodes"), Subject::Group(KUBEADM_BOOTSTRAP_GROUP)],
            false,
        ),
        (
            "kube-system",
            "kubeadm:nodes-kubeadm-config",
            "kubeadm:nodes-kubeadm-config",
            vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP), Subject::Group("system:nodes")],
            false,
        ),
        ("kube-system", "kube-proxy", "kube-proxy", vec![Subject::Group(KUBEADM_BOOTSTRAP_GROUP)], false),
        (
            "kube-public",
            "kubeadm:bootstrap-signer-clusterinfo",
            "kubeadm:bootstrap-signer-clusterinfo",
            vec![Subject::User("system:anonymous")],
            false,
        ),
    ]
}

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
    for (ns, name, rules, bootstrap) in namespace_roles() {
        out.push(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": metadata(name, Some(ns), &[], bootstrap),
            "rules": rules_json(&rules),
        }));
    }
    for (ns, name, role, subjects, bootstrap) in namespace_role_bindings() {
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
    fn builder_sorts_and_dedups_like_rule_or_die() {
        let r = rule(&["watch", "get", "get"]).groups(&["apps", ""]).resources(&["pods", "configmaps"]).build();
        assert_eq!(r.verbs, ["get", "watch"]);
        assert_eq!(r.api_groups.as_deref(), Some(&["".to_string(), "apps".to_string()][..]));
        assert_eq!(r.resources.as_deref(), Some(&["configmaps".to_string(), "pods".to_string()][..]));
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
        assert_eq!(find(&p, "ClusterRole", "view")["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"][AGGREGATE_TO_VIEW], "true");
        assert_eq!(find(&p, "ClusterRole", "view")["metadata"]["labels"][AGGREGATE_TO_EDIT], "true");
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
