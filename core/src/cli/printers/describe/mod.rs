//! `kubectl describe`: mirrors the describers in kubectl's `pkg/describe/describe.go` for pods,
//! deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs, services, endpoints,
//! endpointslices, ingresses, ingressclasses, networkpolicies (`networking.rs`), nodes,
//! namespaces, configmaps, secrets, service accounts, persistent volumes and their claims,
//! storage classes, horizontal pod autoscalers, roles, cluster roles and their bindings
//! (`rbac.rs`), resource quotas, limit ranges, priority classes and pod disruption budgets
//! (`policy.rs`), and the generic describer for every other kind. Each describer writes lines
//! through a [`PrefixWriter`]
//! (two spaces per level, cells separated by tabs) into Go's `text/tabwriter` configured as
//! kubectl's `tabbedString` does (`minwidth 0, tabwidth 8, padding 2`), so columns line up per
//! block of consecutive lines exactly as kubectl prints them:
//!
//! ```text
//! Name:             web
//! Namespace:        default
//! Labels:           app=web
//! Annotations:      <none>
//! Events:           <none>
//! ```

mod tabwriter;
mod fields;
mod pod;
mod workloads;
mod service;
mod node;
mod namespace;
mod config;
mod generic;
mod events;
mod hpa;
mod networking;
mod batch;
mod sets;
mod service_account;
mod storage;
mod rbac;
mod policy;
#[cfg(test)]
mod tests;

use crate::api::KindInfo;
use crate::sim::Time;
use serde_json::Value;
use std::collections::BTreeMap;
use batch::{cronjob, job};
use config::{configmap, secret};
use service_account::service_account;
use sets::{daemonset, statefulset};
use storage::{persistent_volume, persistent_volume_claim, storage_class};
use policy::{limit_range, pod_disruption_budget, priority_class, resource_quota};
use rbac::{role, role_binding};
use events::describe_events;
pub use fields::{format_selector, rfc1123z};
pub use pod::pod_template_text;
pub use tabwriter::{tabwrite, PrefixWriter};
use generic::generic;
use namespace::namespace;
use node::node;
use pod::pod;
use service::service;
use workloads::{deployment, replicaset, replication_controller};

/// What a describer reads besides the object itself, fetched by the caller through the API.
#[derive(Clone, Debug, Default)]
pub struct Related {
    /// `None` when events are not shown (several objects, or a kind without events).
    pub events: Option<Vec<Value>>,
    /// Deployments: the ReplicaSets it controls. Pods of a ReplicaSet or on a node.
    pub replicasets: Vec<Value>,
    pub pods: Vec<Value>,
    /// Services: their EndpointSlices.
    pub endpoint_slices: Vec<Value>,
    /// Ingresses: each Service a backend names, with the Service and its EndpointSlices, or the
    /// message of the error that stopped reading them (`describeBackendV1`).
    pub backends: BTreeMap<String, Result<(Value, Vec<Value>), String>>,
    /// Namespaces: quotas and limit ranges.
    pub quotas: Vec<Value>,
    pub limit_ranges: Vec<Value>,
    /// Nodes: the node's Lease in `kube-node-lease`, or why it could not be read.
    pub lease: Option<Result<Value, String>>,
}

/// Describes one object as kubectl prints it.
pub fn describe(kind: &KindInfo, obj: &Value, related: &Related, now: Time) -> String {
    let mut w = PrefixWriter::default();
    match (kind.group, kind.kind) {
        ("", "Pod") => pod(&mut w, obj, now),
        ("apps", "Deployment") => deployment(&mut w, obj, related),
        ("apps", "ReplicaSet") => replicaset(&mut w, obj, related),
        ("", "ReplicationController") => replication_controller(&mut w, obj, related),
        ("", "Service") => service(&mut w, obj, related),
        ("", "Node") => node(&mut w, obj, related, now),
        ("", "Namespace") => namespace(&mut w, obj, related),
        ("", "ConfigMap") => configmap(&mut w, obj),
        ("", "Secret") => secret(&mut w, obj),
        ("autoscaling", "HorizontalPodAutoscaler") => hpa::hpa(&mut w, obj),
        ("", "ServiceAccount") => service_account(&mut w, obj),
        ("", "PersistentVolumeClaim") => persistent_volume_claim(&mut w, obj, related, now),
        ("batch", "Job") => job(&mut w, obj),
        ("batch", "CronJob") => cronjob(&mut w, obj),
        ("apps", "StatefulSet") => statefulset(&mut w, obj, related),
        ("apps", "DaemonSet") => daemonset(&mut w, obj, related),
        ("", "Endpoints") => networking::endpoints(&mut w, obj),
        ("discovery.k8s.io", "EndpointSlice") => networking::endpoint_slice(&mut w, obj),
        ("networking.k8s.io", "Ingress") => networking::ingress(&mut w, obj, related),
        ("networking.k8s.io", "IngressClass") => networking::ingress_class(&mut w, obj),
        ("networking.k8s.io", "NetworkPolicy") => networking::network_policy(&mut w, obj),
        ("", "PersistentVolume") => persistent_volume(&mut w, obj, now),
        ("storage.k8s.io", "StorageClass") => storage_class(&mut w, obj),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => role(&mut w, obj),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => role_binding(&mut w, obj),
        ("", "ResourceQuota") => resource_quota(&mut w, obj),
        ("", "LimitRange") => limit_range(&mut w, obj),
        ("scheduling.k8s.io", "PriorityClass") => priority_class(&mut w, obj),
        ("policy", "PodDisruptionBudget") => pod_disruption_budget(&mut w, obj),
        _ => generic(&mut w, obj),
    }
    if let Some(events) = &related.events {
        if shows_events(kind) {
            describe_events(&mut w, events, now);
        }
    }
    w.finish()
}

/// Whether kubectl's describer for `kind` lists the object's events: every one but those of
/// secrets, namespaces, network policies, quotas, limit ranges, and RBAC roles and bindings.
pub fn shows_events(kind: &KindInfo) -> bool {
    !matches!(
        (kind.group, kind.kind),
        ("", "Secret" | "Namespace" | "ResourceQuota" | "LimitRange")
            | ("networking.k8s.io", "NetworkPolicy")
            | ("rbac.authorization.k8s.io", "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding")
    )
}
