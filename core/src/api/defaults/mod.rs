//! Scheme defaulting: the `SetDefaults_*` functions and `+default=` markers that kube-apiserver's
//! scheme applies to every decoded versioned object (mirrors the generated `RegisterDefaults` of
//! `pkg/apis/*/v1*/zz_generated.defaults.go`, which dispatches on the Go type).
//!
//! kube-apiserver runs these on each request body before conversion, and again on every read
//! from etcd, so `kubectl create --dry-run=server -o yaml` and `kubectl get -o yaml` both show
//! them. They work here on the JSON form (camelCase, as k8s-openapi serialises it), in place.
//!
//! Deliberately absent, because they are not scheme defaulting:
//! - registry strategy and allocation: `metadata.uid`/`creationTimestamp`/`generation`, Service
//!   `clusterIP(s)`/`ipFamilies`/`ipFamilyPolicy`/`nodePort`, Namespace `spec.finalizers`, the
//!   Job selector and `batch.kubernetes.io/*` labels, Pod `status.phase`/`qosClass`;
//! - mutating admission: service account token volumes, default tolerations, priority,
//!   LimitRanger, the default StorageClass, node taints.
//!
//! Files: one per concept, each naming the Kubernetes function it mirrors.
//! `pod.rs` (PodSpec, Pod), `container.rs` (containers, probes), `volume.rs`, `image.rs`
//! (reference parsing for `imagePullPolicy`), `workloads.rs` (apps/v1 and ReplicationController),
//! `batch.rs`, `service.rs` (and endpoints), `storage.rs`, `namespace.rs`, `node.rs`,
//! `limit_range.rs`, `networking.rs`, `rbac.rs`, `autoscaling.rs`, `admission.rs`; `fields.rs`
//! holds the JSON helpers that stand in for Go's zero-value tests.

mod admission;
mod autoscaling;
mod batch;
mod container;
mod fields;
mod image;
mod limit_range;
mod namespace;
mod networking;
mod node;
mod pod;
mod rbac;
mod service;
mod storage;
mod volume;
mod workloads;

#[cfg(test)]
mod manifests_tests;

use serde_json::Value;

use crate::api::KindInfo;
use fields::{child, default_if_empty, default_if_nil, Object};

/// Applies scheme defaults to a stored-form object (JSON as k8s-openapi serialises it, camelCase
/// keys), in place. Runs on every decoded request body and on every read from etcd.
///
/// Never replaces a value the object already has (the one exception is the Namespace
/// `kubernetes.io/metadata.name` label, which Kubernetes forces to the name), and applying it
/// twice gives the same object as applying it once. Kinds without scheme defaults (ConfigMap,
/// whose only default is an invisible empty `data`; PodDisruptionBudget; Ingress; Roles) and
/// objects that are not JSON objects are left untouched.
pub fn apply_defaults(kind: &KindInfo, obj: &mut Value) {
    if !obj.is_object() {
        return;
    }
    match (kind.group, kind.kind) {
        ("", "Pod") => pod::default_pod(obj),
        ("", "PodTemplate") => pod::default_template(root(obj).and_then(|o| child(o, "template"))),
        ("", "ReplicationController") => workloads::default_replication_controller(obj),
        ("", "Service") => with_root(obj, service::default_service),
        ("", "Endpoints") => with_root(obj, service::default_endpoints),
        ("", "Namespace") => with_root(obj, namespace::default_namespace),
        ("", "Node") => with_root(obj, node::default_node),
        ("", "LimitRange") => with_root(obj, limit_range::default_limit_range),
        ("", "PersistentVolumeClaim") => with_root(obj, storage::default_claim),
        ("", "PersistentVolume") => with_root(obj, storage::default_volume_object),
        // `Convert_v1_Secret_To_core_Secret`, then `SetDefaults_Secret`.
        ("", "Secret") => with_root(obj, |secret| {
            merge_string_data(secret);
            default_if_empty(secret, "type", "Opaque");
        }),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration") => {
            with_root(obj, |config| {
                admission::default_webhook_configuration(config, false)
            })
        }
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration") => {
            with_root(obj, |config| {
                admission::default_webhook_configuration(config, true)
            })
        }
        (
            "admissionregistration.k8s.io",
            "ValidatingAdmissionPolicy" | "MutatingAdmissionPolicy",
        ) => with_root(obj, admission::default_admission_policy),
        (
            "admissionregistration.k8s.io",
            "ValidatingAdmissionPolicyBinding" | "MutatingAdmissionPolicyBinding",
        ) => with_root(obj, admission::default_policy_binding),
        ("apps", "Deployment") => with_spec(obj, workloads::default_deployment),
        ("apps", "ReplicaSet") => with_spec(obj, workloads::default_replica_set),
        ("apps", "StatefulSet") => with_spec(obj, workloads::default_stateful_set),
        ("apps", "DaemonSet") => with_spec(obj, workloads::default_daemon_set),
        ("batch", "Job") => batch::default_job(obj),
        ("batch", "CronJob") => with_spec(obj, batch::default_cron_job),
        ("autoscaling", "HorizontalPodAutoscaler") if kind.version == "v1" => {
            with_root(obj, autoscaling::default_hpa_v1)
        }
        ("autoscaling", "HorizontalPodAutoscaler") => with_root(obj, autoscaling::default_hpa_v2),
        ("networking.k8s.io", "NetworkPolicy") => {
            with_root(obj, networking::default_network_policy)
        }
        ("networking.k8s.io", "IngressClass") => with_root(obj, networking::default_ingress_class),
        ("discovery.k8s.io", "EndpointSlice") => with_root(obj, service::default_endpoint_slice),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            with_root(obj, rbac::default_binding)
        }
        ("storage.k8s.io", "StorageClass") => with_root(obj, storage::default_storage_class),
        ("storage.k8s.io", "CSIDriver") => with_root(obj, storage::default_csi_driver),
        // `SetDefaults_PriorityClass` (scheduling/v1).
        ("scheduling.k8s.io", "PriorityClass") => with_root(obj, |class| {
            default_if_nil(class, "preemptionPolicy", "PreemptLowerPriority")
        }),
        _ => {}
    }
}

fn root(obj: &mut Value) -> Option<&mut Object> {
    obj.as_object_mut()
}

/// The v1 Secret's conversion: each `stringData` value goes into `data` (base64, as a `[]byte`
/// is written), over a `data` entry of the same key, and `stringData` itself is never stored
/// (it is write-only: `kubectl get secret -o yaml` never shows it).
fn merge_string_data(secret: &mut Object) {
    let Some(string_data) = secret.remove("stringData") else { return };
    let Some(entries) = string_data.as_object().filter(|m| !m.is_empty()) else { return };
    if !secret.get("data").is_some_and(Value::is_object) {
        secret.insert("data".into(), Value::Object(Object::new()));
    }
    if let Some(data) = secret.get_mut("data").and_then(Value::as_object_mut) {
        for (k, v) in entries {
            let text = v.as_str().unwrap_or("");
            data.insert(k.clone(), Value::from(crate::cli::etcdctl::format::base64(text.as_bytes())));
        }
    }
}

fn with_root(obj: &mut Value, f: impl FnOnce(&mut Object)) {
    if let Some(o) = obj.as_object_mut() {
        f(o);
    }
}

/// Workload specs are structs in Go, so they exist even when the manifest omits `spec`.
fn with_spec(obj: &mut Value, f: impl FnOnce(&mut Object)) {
    if let Some(spec) = obj
        .as_object_mut()
        .and_then(|o| fields::child_or_insert(o, "spec"))
    {
        f(spec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::lookup;
    use serde_json::json;

    fn kind(api_version: &str, kind: &str) -> &'static KindInfo {
        match lookup(api_version, kind) {
            Some(k) => k,
            None => panic!("kind {api_version} {kind} is not served"),
        }
    }

    #[test]
    fn defaulting_is_idempotent_for_every_kind() {
        let obj = json!({"metadata": {"name": "x"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
        for k in crate::api::all_kinds() {
            let mut once = obj.clone();
            apply_defaults(k, &mut once);
            let mut twice = once.clone();
            apply_defaults(k, &mut twice);
            assert_eq!(once, twice, "{k:?}");
        }
    }

    #[test]
    fn non_objects_and_undefaulted_kinds_are_untouched() {
        let mut v = json!([1, 2]);
        apply_defaults(kind("v1", "Pod"), &mut v);
        assert_eq!(v, json!([1, 2]));
        for (api_version, k) in [
            ("v1", "ConfigMap"),
            ("policy/v1", "PodDisruptionBudget"),
            ("networking.k8s.io/v1", "Ingress"),
            ("rbac.authorization.k8s.io/v1", "Role"),
        ] {
            let original = json!({"metadata": {"name": "x"}, "spec": {"rules": [{"http": {"paths": [{"path": "/"}]}}]}});
            let mut v = original.clone();
            apply_defaults(kind(api_version, k), &mut v);
            assert_eq!(v, original, "{k}");
        }
    }

    #[test]
    fn secret_priority_class_and_hpa_versions() {
        let mut v = json!({"metadata": {"name": "s"}});
        apply_defaults(kind("v1", "Secret"), &mut v);
        assert_eq!(v["type"], json!("Opaque"));
        let mut v = json!({"metadata": {"name": "s"}, "type": "kubernetes.io/tls"});
        apply_defaults(kind("v1", "Secret"), &mut v);
        assert_eq!(v["type"], json!("kubernetes.io/tls"));
        let mut v = json!({"metadata": {"name": "s"}, "data": {"a": "b2xk", "b": "Yg=="}, "stringData": {"a": "new", "c": "hello"}});
        apply_defaults(kind("v1", "Secret"), &mut v);
        assert_eq!(v["data"], json!({"a": "bmV3", "b": "Yg==", "c": "aGVsbG8="}), "stringData wins over data, base64'd");
        assert!(v.get("stringData").is_none(), "stringData is never stored");
        let mut v = json!({"value": 1000});
        apply_defaults(kind("scheduling.k8s.io/v1", "PriorityClass"), &mut v);
        assert_eq!(v["preemptionPolicy"], json!("PreemptLowerPriority"));
        let mut v = json!({"spec": {"maxReplicas": 3}});
        apply_defaults(kind("autoscaling/v1", "HorizontalPodAutoscaler"), &mut v);
        assert_eq!(v, json!({"spec": {"maxReplicas": 3, "minReplicas": 1}}));
    }

    #[test]
    fn pod_template_kind_gets_spec_defaults_only() {
        let mut v = json!({"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1", "resources": {"limits": {"cpu": "1"}}}]}}});
        apply_defaults(kind("v1", "PodTemplate"), &mut v);
        assert_eq!(
            v["template"]["spec"]["schedulerName"],
            json!("default-scheduler")
        );
        assert!(v["template"]["spec"].get("enableServiceLinks").is_none());
        assert!(v["template"]["spec"]["containers"][0]["resources"]
            .get("requests")
            .is_none());
    }
}
