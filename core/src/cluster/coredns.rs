//! The cluster DNS add-on `kubeadm init` installs (phase `addon/coredns`), mirroring
//! `cmd/kubeadm/app/phases/addons/dns/manifests.go` and the order `createCoreDNSAddon` in
//! `dns.go` writes it in: the `coredns` ConfigMap with kubeadm's Corefile, the `coredns`
//! ServiceAccount, the `coredns` Deployment (two replicas labelled `k8s-app=kube-dns`) and the
//! `kube-dns` Service on the tenth address of the service CIDR.
//!
//! kubeadm also writes the `system:coredns` ClusterRole and ClusterRoleBinding; those are part of
//! the bootstrap policy (`apiserver/authz/kubeadm_roles.rs`) and are created with it.
//!
//! kubeadm sends these as `kubernetes-admin` (its `admin.conf` identity) with client-go's user
//! agent `kubeadm/v1.x`, so the objects' managedFields name the manager `kubeadm`.

use serde_json::{json, Value};

/// `kubeadmconstants.CoreDNSVersion` for the Kubernetes version the simulation claims.
pub const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.12.1";

/// `GetDNSIP`: the tenth address of kubeadm's default service subnet `10.96.0.0/12`.
pub const DNS_IP: &str = "10.96.0.10";

/// kubeadm's `networking.dnsDomain` default.
const DNS_DOMAIN: &str = "cluster.local";

/// The field manager kube-apiserver derives from kubeadm's user agent.
pub const FIELD_MANAGER: &str = "kubeadm";

/// The Corefile kubeadm renders from `CoreDNSConfigMap` for `cluster.local`.
fn corefile() -> String {
    let d = DNS_DOMAIN;
    format!(
        ".:53 {{
    errors
    health {{
       lameduck 5s
    }}
    ready
    kubernetes {d} in-addr.arpa ip6.arpa {{
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }}
    prometheus :9153
    forward . /etc/resolv.conf {{
       max_concurrent 1000
    }}
    cache 30 {{
       disable success {d}
       disable denial {d}
    }}
    loop
    reload
    loadbalance
}}
"
    )
}

/// The add-on's objects as `(apiVersion, kind, body)`, in the order kubeadm creates them.
pub fn objects() -> Vec<(&'static str, &'static str, Value)> {
    let dns = json!({"k8s-app": "kube-dns"});
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "coredns", "namespace": "kube-system"},
        "data": {"Corefile": corefile()},
    });
    let service_account = json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "coredns", "namespace": "kube-system"},
    });
    let container = json!({
        "name": "coredns",
        "image": COREDNS_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
        "args": ["-conf", "/etc/coredns/Corefile"],
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": true}],
        "ports": [
            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
            {"containerPort": 8080, "name": "liveness-probe", "protocol": "TCP"},
            {"containerPort": 8181, "name": "readiness-probe", "protocol": "TCP"},
        ],
        "livenessProbe": {
            "httpGet": {"path": "/health", "port": "liveness-probe", "scheme": "HTTP"},
            "initialDelaySeconds": 60,
            "timeoutSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 5,
        },
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "readiness-probe", "scheme": "HTTP"}},
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
            "readOnlyRootFilesystem": true,
        },
    });
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dns},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": dns},
            "template": {
                "metadata": {"labels": dns},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 100,
                        "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                            "topologyKey": "kubernetes.io/hostname",
                        },
                    }]}},
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                    ],
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "containers": [container],
                    // CoreDNS resolves upstream through the node's resolv.conf, not through itself.
                    "dnsPolicy": "Default",
                    "volumes": [{
                        "name": "config-volume",
                        "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]},
                    }],
                },
            },
        },
    });
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
            "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
        },
        "spec": {
            "clusterIP": DNS_IP,
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
            ],
            "selector": dns,
        },
    });
    vec![
        ("v1", "ConfigMap", config_map),
        ("v1", "ServiceAccount", service_account),
        ("apps/v1", "Deployment", deployment),
        ("v1", "Service", service),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::MemoryFiles;
    use crate::{Cluster, Config};

    #[test]
    fn the_corefile_is_kubeadms_for_cluster_local() {
        let c = corefile();
        assert!(c.starts_with(".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n"));
        assert!(c.contains("    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"));
        assert!(c.contains("    cache 30 {\n       disable success cluster.local\n       disable denial cluster.local\n    }\n    loop\n"));
        assert!(c.ends_with("    loadbalance\n}\n"));
    }

    #[test]
    fn a_new_cluster_runs_two_ready_coredns_pods_behind_kube_dns() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new();
        let deploy = cluster.execute("kubectl get deploy coredns -n kube-system", &files);
        assert!(deploy.stdout.contains("coredns   2/2     2            2"), "{}{}", deploy.stdout, deploy.stderr);
        let pods = cluster.execute("kubectl get pods -n kube-system -l k8s-app=kube-dns", &files);
        assert_eq!(pods.stdout.matches("1/1     Running").count(), 2, "{}", pods.stdout);
        let svc = cluster.execute("kubectl get svc kube-dns -n kube-system -o jsonpath={.spec.clusterIP}", &files);
        assert_eq!(svc.stdout, DNS_IP);
        let cm = cluster.execute("kubectl get cm coredns -n kube-system -o jsonpath={.metadata.managedFields[0].manager}", &files);
        assert_eq!(cm.stdout, FIELD_MANAGER);
    }
}
