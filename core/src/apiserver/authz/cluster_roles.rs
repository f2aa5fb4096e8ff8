//! The apiserver's default ClusterRoles and ClusterRoleBindings, as data: mirrors
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` (`NodeRules`, `clusterRoles`,
//! `ClusterRoleBindings`, the aggregated `admin`/`edit`/`view` and their
//! `system:aggregate-to-*` pieces). Each line reads like policy.go:
//! `rule(READ).groups(&[LEGACY]).resources(&["pods"])` is
//! `rbacv1helpers.NewRule(Read...).Groups(legacyGroup).Resources("pods")`; compare with
//! `bootstrappolicy/testdata/cluster-roles.yaml`.
//!
//! Left out (not needed by the simulation yet): system:heapster, system:node-problem-detector,
//! system:kubelet-api-admin, system:persistent-volume-provisioner, the certificate signer
//! approver roles (legacy-unknown, kubelet-serving, kube-apiserver-client(-kubelet)), and
//! feature-gated rules (DRA, ClusterTrustBundles) in `system:node`.

use super::rule_builder::*;
use k8s_openapi::api::rbac::v1::PolicyRule;

const AGGREGATE_TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

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
        // Needed for glusterfs volumes (kept after the plugin's removal).
        rule(&["get"]).groups(&[LEGACY]).resources(&["endpoints"]).build(),
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
                "persistentvolumeclaims", "configmaps", "secrets"])
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
    ]
}

/// `clusterRoles()`.
pub(super) fn cluster_roles() -> Vec<RoleDef> {
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
                // Remove once leader election fully uses leases (upstream TODO; still present).
                rule(&["create"]).groups(&[LEGACY]).resources(&["endpoints"]).build(),
                rule(&["get", "update"]).groups(&[LEGACY]).resources(&["endpoints"]).names(&["kube-controller-manager"]).build(),
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
                // Remove once leader election fully uses leases (upstream TODO; still present).
                rule(&["create"]).groups(&[LEGACY]).resources(&["endpoints"]).build(),
                rule(&["get", "update"]).groups(&[LEGACY]).resources(&["endpoints"]).names(&["kube-scheduler"]).build(),
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
pub(super) fn cluster_role_bindings() -> Vec<(String, String, Vec<Subject<'static>>)> {
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
