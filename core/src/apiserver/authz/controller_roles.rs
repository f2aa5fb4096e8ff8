//! The per-controller ClusterRoles and their ClusterRoleBindings, as data: mirrors
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go` (`buildControllerRoles`,
//! `saRolePrefix = "system:controller:"`). kube-controller-manager runs each controller as the
//! service account `kube-system/<controller>` (`--use-service-account-credentials`, kubeadm's
//! default), and each ClusterRole `system:controller:<controller>` is bound to that account by
//! a ClusterRoleBinding of the same name.
//!
//! Left out: expand-controller (its in-tree volume plugin rules changed across releases),
//! endpointslicemirroring-controller, and the roles behind feature gates off by default or still
//! changing (resource-claim-controller, storage-version-*); persistent-volume-binder is kept
//! without the rules of the removed in-tree volume plugins. The garbage collector's role is
//! `system:controller:generic-garbage-collector`, as upstream names it. Signer names are the
//! `certificates.k8s.io` well-known signers.

use super::rule_builder::{
    events_rule, rule, RoleDef, Subject, ADMISSION_REGISTRATION, APPS, AUTHORIZATION, AUTOSCALING, BATCH, CERTIFICATES, DISCOVERY,
    EXTENSIONS, LEGACY, NETWORKING, POLICY, RBAC, STORAGE,
};
use k8s_openapi::api::rbac::v1::PolicyRule;

const SA_ROLE_PREFIX: &str = "system:controller:";
const METRICS: &str = "metrics.k8s.io";
const CUSTOM_METRICS: &str = "custom.metrics.k8s.io";
const EXTERNAL_METRICS: &str = "external.metrics.k8s.io";

/// (controller name, rules), alphabetical as in `testdata/controller-roles.yaml`.
fn controllers() -> Vec<(&'static str, Vec<PolicyRule>)> {
    vec![
        (
            "attachdetach-controller",
            vec![
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["persistentvolumes", "persistentvolumeclaims"]).build(),
                rule(&["get", "list", "watch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
                rule(&["patch", "update"]).groups(&[LEGACY]).resources(&["nodes/status"]).build(),
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
                rule(&["get", "create", "delete", "list", "watch"]).groups(&[STORAGE]).resources(&["volumeattachments"]).build(),
                rule(&["get", "watch", "list"]).groups(&[STORAGE]).resources(&["csidrivers"]).build(),
                rule(&["get", "watch", "list"]).groups(&[STORAGE]).resources(&["csinodes"]).build(),
            ],
        ),
        (
            "certificate-controller",
            vec![
                rule(&["get", "list", "watch", "delete"]).groups(&[CERTIFICATES]).resources(&["certificatesigningrequests"]).build(),
                rule(&["update"]).groups(&[CERTIFICATES]).resources(&["certificatesigningrequests/status", "certificatesigningrequests/approval"]).build(),
                rule(&["approve"]).groups(&[CERTIFICATES]).resources(&["signers"]).names(&["kubernetes.io/kube-apiserver-client-kubelet"]).build(),
                rule(&["sign"])
                    .groups(&[CERTIFICATES])
                    .resources(&["signers"])
                    .names(&["kubernetes.io/legacy-unknown", "kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
                        "kubernetes.io/kubelet-serving"])
                    .build(),
                rule(&["create"]).groups(&[AUTHORIZATION]).resources(&["subjectaccessreviews"]).build(),
                events_rule(),
            ],
        ),
        (
            // Must be able to mutate any ClusterRole to fill aggregated rules.
            "clusterrole-aggregation-controller",
            vec![rule(&["escalate", "get", "list", "watch", "update", "patch"]).groups(&[RBAC]).resources(&["clusterroles"]).build()],
        ),
        (
            "cronjob-controller",
            vec![
                rule(&["get", "list", "watch", "update"]).groups(&[BATCH]).resources(&["cronjobs"]).build(),
                rule(&["get", "list", "watch", "create", "update", "delete", "patch"]).groups(&[BATCH]).resources(&["jobs"]).build(),
                rule(&["update"]).groups(&[BATCH]).resources(&["cronjobs/status"]).build(),
                rule(&["update"]).groups(&[BATCH]).resources(&["cronjobs/finalizers"]).build(),
                rule(&["list", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            "daemon-set-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[EXTENSIONS, APPS]).resources(&["daemonsets"]).build(),
                rule(&["update"]).groups(&[EXTENSIONS, APPS]).resources(&["daemonsets/status"]).build(),
                rule(&["update"]).groups(&[EXTENSIONS, APPS]).resources(&["daemonsets/finalizers"]).build(),
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
                rule(&["list", "watch", "create", "delete", "patch"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["create"]).groups(&[LEGACY]).resources(&["pods/binding"]).build(),
                rule(&["get", "list", "watch", "create", "delete", "update", "patch"]).groups(&[APPS]).resources(&["controllerrevisions"]).build(),
                events_rule(),
            ],
        ),
        (
            "deployment-controller",
            vec![
                rule(&["get", "list", "watch", "update"]).groups(&[EXTENSIONS, APPS]).resources(&["deployments"]).build(),
                rule(&["update"]).groups(&[EXTENSIONS, APPS]).resources(&["deployments/status"]).build(),
                rule(&["update"]).groups(&[EXTENSIONS, APPS]).resources(&["deployments/finalizers"]).build(),
                rule(&["get", "list", "watch", "create", "update", "patch", "delete"]).groups(&[EXTENSIONS, APPS]).resources(&["replicasets"]).build(),
                // "update" stays until https://github.com/kubernetes/kubernetes/issues/36897 is resolved.
                rule(&["get", "list", "watch", "update"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            "disruption-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[EXTENSIONS, APPS]).resources(&["deployments"]).build(),
                rule(&["get", "list", "watch"]).groups(&[APPS, EXTENSIONS]).resources(&["replicasets"]).build(),
                rule(&["get", "list", "watch"]).groups(&[LEGACY]).resources(&["replicationcontrollers"]).build(),
                rule(&["get", "list", "watch"]).groups(&[POLICY]).resources(&["poddisruptionbudgets"]).build(),
                rule(&["get", "list", "watch"]).groups(&[APPS]).resources(&["statefulsets"]).build(),
                rule(&["update"]).groups(&[POLICY]).resources(&["poddisruptionbudgets/status"]).build(),
                rule(&["patch", "update"]).groups(&[LEGACY]).resources(&["pods/status"]).build(),
                rule(&["get"]).groups(&["*"]).resources(&["*/scale"]).build(),
                events_rule(),
            ],
        ),
        (
            "endpoint-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[LEGACY]).resources(&["services", "pods"]).build(),
                rule(&["get", "list", "create", "update", "delete"]).groups(&[LEGACY]).resources(&["endpoints"]).build(),
                rule(&["create"]).groups(&[LEGACY]).resources(&["endpoints/restricted"]).build(),
                events_rule(),
            ],
        ),
        (
            "endpointslice-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[LEGACY]).resources(&["services", "pods", "nodes"]).build(),
                // Owner references with blockOwnerDeletion need update on the service's finalizers.
                rule(&["update"]).groups(&[LEGACY]).resources(&["services/finalizers"]).build(),
                rule(&["get", "list", "create", "update", "delete"]).groups(&[DISCOVERY]).resources(&["endpointslices"]).build(),
                events_rule(),
            ],
        ),
        (
            "ephemeral-volume-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["pods/finalizers"]).build(),
                rule(&["get", "list", "watch", "create"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
                events_rule(),
            ],
        ),
        (
            // List/watch, selective gets and updates against any resource with owners.
            "generic-garbage-collector",
            vec![rule(&["get", "list", "watch", "patch", "update", "delete"]).groups(&["*"]).resources(&["*"]).build(), events_rule()],
        ),
        (
            "horizontal-pod-autoscaler",
            vec![
                rule(&["get", "list", "watch"]).groups(&[AUTOSCALING]).resources(&["horizontalpodautoscalers"]).build(),
                rule(&["update"]).groups(&[AUTOSCALING]).resources(&["horizontalpodautoscalers/status"]).build(),
                rule(&["get", "update"]).groups(&["*"]).resources(&["*/scale"]).build(),
                rule(&["list"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                // Resource, custom and external metrics.
                rule(&["list"]).groups(&[METRICS]).resources(&["pods"]).build(),
                rule(&["get", "list"]).groups(&[CUSTOM_METRICS]).resources(&["*"]).build(),
                rule(&["get", "list"]).groups(&[EXTERNAL_METRICS]).resources(&["*"]).build(),
                events_rule(),
            ],
        ),
        (
            "job-controller",
            vec![
                rule(&["get", "list", "watch", "update", "patch"]).groups(&[BATCH]).resources(&["jobs"]).build(),
                rule(&["update"]).groups(&[BATCH]).resources(&["jobs/status"]).build(),
                rule(&["update"]).groups(&[BATCH]).resources(&["jobs/finalizers"]).build(),
                rule(&["list", "watch", "create", "delete", "patch"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            "legacy-service-account-token-cleaner",
            vec![
                rule(&["get"]).groups(&[LEGACY]).resources(&["configmaps"]).names(&["kube-apiserver-legacy-service-account-token-tracking"]).build(),
                rule(&["patch", "delete"]).groups(&[LEGACY]).resources(&["secrets"]).build(),
            ],
        ),
        (
            "namespace-controller",
            vec![
                rule(&["get", "list", "watch", "delete"]).groups(&[LEGACY]).resources(&["namespaces"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["namespaces/finalize", "namespaces/status"]).build(),
                rule(&["get", "list", "delete", "deletecollection"]).groups(&["*"]).resources(&["*"]).build(),
            ],
        ),
        (
            "node-controller",
            vec![
                rule(&["get", "list", "update", "delete", "patch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
                rule(&["patch", "update"]).groups(&[LEGACY]).resources(&["nodes/status"]).build(),
                // Used for pod deletion.
                rule(&["patch", "update"]).groups(&[LEGACY]).resources(&["pods/status"]).build(),
                rule(&["list", "get", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            // Without the in-tree plugins' rules (glusterfs, openstack), removed with the plugins.
            "persistent-volume-binder",
            vec![
                rule(&["get", "list", "watch", "update", "create", "delete"]).groups(&[LEGACY]).resources(&["persistentvolumes"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["persistentvolumes/status"]).build(),
                rule(&["get", "list", "watch", "update"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims/status"]).build(),
                rule(&["list", "watch", "get", "create", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["get", "list", "watch"]).groups(&[STORAGE]).resources(&["storageclasses"]).build(),
                events_rule(),
            ],
        ),
        (
            "pod-garbage-collector",
            vec![
                rule(&["list", "watch", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["get", "list"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
                rule(&["patch"]).groups(&[LEGACY]).resources(&["pods/status"]).build(),
            ],
        ),
        (
            "pv-protection-controller",
            vec![rule(&["get", "list", "watch", "update"]).groups(&[LEGACY]).resources(&["persistentvolumes"]).build(), events_rule()],
        ),
        (
            "pvc-protection-controller",
            vec![
                rule(&["get", "list", "watch", "update"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
                rule(&["list", "watch", "get"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            "replicaset-controller",
            vec![
                rule(&["get", "list", "watch", "update"]).groups(&[APPS, EXTENSIONS]).resources(&["replicasets"]).build(),
                rule(&["update"]).groups(&[APPS, EXTENSIONS]).resources(&["replicasets/status"]).build(),
                rule(&["update"]).groups(&[APPS, EXTENSIONS]).resources(&["replicasets/finalizers"]).build(),
                rule(&["list", "watch", "patch", "create", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            // 1.0 controllers needed get and update, so old controllers still work on new servers.
            "replication-controller",
            vec![
                rule(&["get", "list", "watch", "update"]).groups(&[LEGACY]).resources(&["replicationcontrollers"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["replicationcontrollers/status"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["replicationcontrollers/finalizers"]).build(),
                rule(&["list", "watch", "patch", "create", "delete"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                events_rule(),
            ],
        ),
        (
            // Quota counts anything, so it needs full viewing powers.
            "resourcequota-controller",
            vec![
                rule(&["list", "watch"]).groups(&["*"]).resources(&["*"]).build(),
                rule(&["update"]).groups(&[LEGACY]).resources(&["resourcequotas/status"]).build(),
                events_rule(),
            ],
        ),
        (
            "root-ca-cert-publisher",
            vec![rule(&["create", "update"]).groups(&[LEGACY]).resources(&["configmaps"]).build(), events_rule()],
        ),
        (
            "route-controller",
            vec![
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
                rule(&["patch"]).groups(&[LEGACY]).resources(&["nodes/status"]).build(),
                events_rule(),
            ],
        ),
        (
            "service-account-controller",
            vec![rule(&["create"]).groups(&[LEGACY]).resources(&["serviceaccounts"]).build(), events_rule()],
        ),
        (
            // MultiCIDRServiceAllocator, GA in 1.33.
            "service-cidrs-controller",
            vec![
                rule(&["get", "list", "watch", "patch", "update"]).groups(&[NETWORKING]).resources(&["servicecidrs"]).build(),
                rule(&["patch", "update"]).groups(&[NETWORKING]).resources(&["servicecidrs/finalizers"]).build(),
                rule(&["patch", "update"]).groups(&[NETWORKING]).resources(&["servicecidrs/status"]).build(),
                rule(&["get", "list", "watch"]).groups(&[NETWORKING]).resources(&["ipaddresses"]).build(),
                events_rule(),
            ],
        ),
        (
            "service-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[LEGACY]).resources(&["services"]).build(),
                rule(&["patch", "update"]).groups(&[LEGACY]).resources(&["services/status"]).build(),
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["nodes"]).build(),
                events_rule(),
            ],
        ),
        (
            "statefulset-controller",
            vec![
                rule(&["list", "watch"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["get", "list", "watch"]).groups(&[APPS]).resources(&["statefulsets"]).build(),
                rule(&["update"]).groups(&[APPS]).resources(&["statefulsets/status"]).build(),
                rule(&["update"]).groups(&[APPS]).resources(&["statefulsets/finalizers"]).build(),
                rule(&["get", "create", "delete", "update", "patch"]).groups(&[LEGACY]).resources(&["pods"]).build(),
                rule(&["get", "create", "delete", "update", "patch", "list", "watch"]).groups(&[APPS]).resources(&["controllerrevisions"]).build(),
                rule(&["get", "create"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
                events_rule(),
                // persistentVolumeClaimRetentionPolicy (StatefulSetAutoDeletePVC, GA in 1.32).
                rule(&["update", "delete"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
            ],
        ),
        (
            "ttl-after-finished-controller",
            vec![rule(&["get", "list", "watch", "delete"]).groups(&[BATCH]).resources(&["jobs"]).build(), events_rule()],
        ),
        (
            "ttl-controller",
            vec![rule(&["update", "patch", "list", "watch"]).groups(&[LEGACY]).resources(&["nodes"]).build(), events_rule()],
        ),
        (
            // ValidatingAdmissionPolicy, GA in 1.30.
            "validatingadmissionpolicy-status-controller",
            vec![
                rule(&["get", "list", "watch"]).groups(&[ADMISSION_REGISTRATION]).resources(&["validatingadmissionpolicies"]).build(),
                rule(&["get", "patch", "update"]).groups(&[ADMISSION_REGISTRATION]).resources(&["validatingadmissionpolicies/status"]).build(),
                events_rule(),
            ],
        ),
        (
            // VolumeAttributesClass, GA in 1.34.
            "volumeattributesclass-protection-controller",
            vec![
                rule(&["list", "watch", "get"]).groups(&[LEGACY]).resources(&["persistentvolumeclaims"]).build(),
                rule(&["list", "watch", "get"]).groups(&[LEGACY]).resources(&["persistentvolumes"]).build(),
                rule(&["get", "list", "watch", "update"]).groups(&[STORAGE]).resources(&["volumeattributesclasses"]).build(),
                events_rule(),
            ],
        ),
    ]
}

/// The `system:controller:*` ClusterRoles.
pub(super) fn controller_roles() -> Vec<RoleDef> {
    controllers()
        .into_iter()
        .map(|(name, rules)| RoleDef { name: format!("{SA_ROLE_PREFIX}{name}"), labels: Vec::new(), rules, aggregate_from: Vec::new() })
        .collect()
}

/// One ClusterRoleBinding per controller role, to the service account `kube-system/<controller>`.
pub(super) fn controller_role_bindings() -> Vec<(String, String, Vec<Subject<'static>>)> {
    controllers()
        .into_iter()
        .map(|(name, _)| {
            let full = format!("{SA_ROLE_PREFIX}{name}");
            (full.clone(), full, vec![Subject::ServiceAccount("kube-system", name)])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_controllers_are_present_and_bound_to_their_service_accounts() {
        let names: Vec<&str> = controllers().iter().map(|(n, _)| *n).collect();
        for required in ["deployment-controller", "replicaset-controller", "job-controller", "cronjob-controller", "daemon-set-controller",
            "statefulset-controller", "namespace-controller", "node-controller", "endpointslice-controller", "service-account-controller",
            "generic-garbage-collector", "resourcequota-controller", "ttl-after-finished-controller"]
        {
            assert!(names.contains(&required), "{required}");
        }
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names, "kept in alphabetical order for comparison with the golden YAML");
        let bindings = controller_role_bindings();
        assert_eq!(bindings.len(), names.len());
        assert_eq!(bindings[0].0, "system:controller:attachdetach-controller");
        assert!(matches!(bindings[0].2[..], [Subject::ServiceAccount("kube-system", "attachdetach-controller")]));
    }
}
