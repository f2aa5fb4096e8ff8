//! What a fresh kubeadm cluster holds before the learner types anything, written through the API
//! server as kube-apiserver's own post-start hooks write it: the four namespaces, the RBAC
//! bootstrap policy (with aggregated roles settled), the system PriorityClasses, the
//! `kubernetes` Service, then what `kubeadm init`'s `addon/coredns` phase sends as
//! `kubernetes-admin` (see `coredns.rs`), and kind's default StorageClass `standard`.
//! Per-namespace objects (the `default` ServiceAccount, the `kube-root-ca.crt` ConfigMap) come
//! from the controllers, and the CoreDNS Deployment's pods from the deployment controller once
//! the control plane starts.

use super::Cluster;
use crate::api::lookup;
use crate::apiserver::authz;
use crate::apiserver::{handle, Request, User, Verb};
use serde_json::{json, Value};

fn create(cluster: &mut Cluster, api_version: &str, kind: &str, body: Value) {
    create_as(cluster, User::apiserver(), "", api_version, kind, body);
}

fn create_as(cluster: &mut Cluster, user: User, field_manager: &str, api_version: &str, kind: &str, body: Value) {
    let Some(info) = lookup(api_version, kind) else { return };
    let name = body["metadata"]["name"].as_str().unwrap_or("").to_string();
    let ns = body["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let req = Request { user, field_manager: field_manager.to_string(), ..Request::new(Verb::Create, info, &ns, &name).with_body(body) };
    let mut ctx = cluster.api_context();
    // Bootstrap writes go to an empty store and cannot conflict; each is traced either way.
    let _ = handle(&mut ctx, &req);
}

pub(super) fn bootstrap(cluster: &mut Cluster) {
    for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let ns = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        });
        create(cluster, "v1", "Namespace", ns);
    }
    for object in authz::settle_aggregation(authz::bootstrap_policy()) {
        let api_version = object["apiVersion"].as_str().unwrap_or("").to_string();
        let kind = object["kind"].as_str().unwrap_or("").to_string();
        create(cluster, &api_version, &kind, object);
    }
    for (name, value, description) in [
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
    ] {
        let pc = json!({
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": name},
            "value": value,
            "description": description,
            "preemptionPolicy": "PreemptLowerPriority",
        });
        create(cluster, "scheduling.k8s.io/v1", "PriorityClass", pc);
    }
    let svc = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "clusterIP": "10.96.0.1",
            "clusterIPs": ["10.96.0.1"],
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "sessionAffinity": "None",
            "type": "ClusterIP"
        }
    });
    create(cluster, "v1", "Service", svc);
    // kube-apiserver's endpoint reconciler publishes itself behind that Service, as Endpoints and
    // as an EndpointSlice: what kube-proxy turns into KUBE-SVC-NPX46M4PTMTKRN6Y on every node.
    let endpoints = json!({
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": "192.168.49.2"}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    });
    create(cluster, "v1", "Endpoints", endpoints);
    let slice = json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": ["192.168.49.2"], "conditions": {"ready": true}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]
    });
    create(cluster, "discovery.k8s.io/v1", "EndpointSlice", slice);
    // kubeadm init's `addon/coredns` phase, through the API server as kubeadm's admin.conf user.
    for (api_version, kind, body) in super::coredns::objects() {
        create_as(cluster, User::admin(), super::coredns::FIELD_MANAGER, api_version, kind, body);
    }
    // kind's default StorageClass (what `kind create cluster` installs): volumes from the
    // local-path provisioner, bound only once a pod using the claim is scheduled, so the
    // volume lands on that pod's node. minikube's `standard` uses `k8s.io/minikube-hostpath`
    // and `Immediate` instead.
    let standard = json!({
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer"
    });
    create(cluster, "storage.k8s.io/v1", "StorageClass", standard);
}
