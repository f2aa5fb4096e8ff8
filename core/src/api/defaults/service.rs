//! Service and endpoint defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_Service`
//! and `SetDefaults_Endpoints`, the `ServicePort.protocol` `+default="TCP"` marker, and
//! `pkg/apis/discovery/v1/defaults.go` `SetDefaults_EndpointPort` for EndpointSlices.
//!
//! Not here: `clusterIP`/`clusterIPs`, `ipFamilies`, `ipFamilyPolicy`, `nodePort` and
//! `healthCheckNodePort` are allocated by the Service registry (REST storage), not by the scheme.

use serde_json::{json, Value};

use super::fields::{
    child, default_if_empty, default_if_nil, each, is_empty, is_len_zero, str_of, Object,
};

/// `v1.DefaultClientIPServiceAffinitySeconds`: three hours.
const CLIENT_IP_AFFINITY_SECONDS: i64 = 10800;

pub(super) fn default_service(service: &mut Object) {
    if let Some(spec) = child(service, "spec") {
        default_service_spec(spec);
    }
    let is_load_balancer = service
        .get("spec")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        == Some("LoadBalancer");
    if is_load_balancer {
        if let Some(ingress) = child(service, "status").and_then(|s| child(s, "loadBalancer")) {
            for entry in each(ingress, "ingress") {
                if !str_of(entry, "ip").is_empty() {
                    default_if_nil(entry, "ipMode", "VIP");
                }
            }
        }
    }
}

fn default_service_spec(spec: &mut Object) {
    default_if_empty(spec, "sessionAffinity", "None");
    match str_of(spec, "sessionAffinity") {
        "None" => {
            spec.remove("sessionAffinityConfig");
        }
        "ClientIP" => {
            let has_timeout = spec
                .get("sessionAffinityConfig")
                .and_then(|c| c.get("clientIP"))
                .and_then(|c| c.get("timeoutSeconds"))
                .is_some_and(|t| !t.is_null());
            if !has_timeout {
                // Go replaces the whole config, not just the missing timeout.
                spec.insert(
                    "sessionAffinityConfig".into(),
                    json!({"clientIP": {"timeoutSeconds": CLIENT_IP_AFFINITY_SECONDS}}),
                );
            }
        }
        _ => {}
    }
    default_if_empty(spec, "type", "ClusterIP");
    for port in each(spec, "ports") {
        default_if_empty(port, "protocol", "TCP");
        // targetPort 0 or "" (or absent) means "the same as port".
        if is_empty(port.get("targetPort")) {
            let port_number = port.get("port").cloned().unwrap_or_else(|| 0.into());
            port.insert("targetPort".into(), port_number);
        }
    }
    let service_type = str_of(spec, "type").to_string();
    // `service.ExternallyAccessible`: node ports, load balancers, or a ClusterIP with externalIPs.
    let externally_accessible = matches!(service_type.as_str(), "LoadBalancer" | "NodePort")
        || (service_type == "ClusterIP" && !is_len_zero(spec.get("externalIPs")));
    if externally_accessible {
        default_if_empty(spec, "externalTrafficPolicy", "Cluster");
    }
    if matches!(
        service_type.as_str(),
        "ClusterIP" | "NodePort" | "LoadBalancer"
    ) {
        default_if_nil(spec, "internalTrafficPolicy", "Cluster");
    }
    if service_type == "LoadBalancer" {
        default_if_nil(spec, "allocateLoadBalancerNodePorts", true);
    }
}

/// `SetDefaults_Endpoints`: every port of every subset speaks TCP unless it says otherwise.
pub(super) fn default_endpoints(endpoints: &mut Object) {
    for subset in each(endpoints, "subsets") {
        for port in each(subset, "ports") {
            default_if_empty(port, "protocol", "TCP");
        }
    }
}

/// `SetDefaults_EndpointPort` (discovery/v1): both fields are pointers, so `""` is a set name.
pub(super) fn default_endpoint_slice(slice: &mut Object) {
    for port in each(slice, "ports") {
        default_if_nil(port, "name", "");
        default_if_nil(port, "protocol", "TCP");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&mut Object), v: Value) -> Value {
        let mut v = v;
        if let Some(o) = v.as_object_mut() {
            f(o);
        }
        v
    }

    #[test]
    fn cluster_ip_service() {
        let v = run(
            default_service,
            json!({"spec": {"selector": {"app": "x"}, "ports": [{"port": 80}, {"port": 53, "protocol": "UDP", "targetPort": "dns"}]}}),
        );
        assert_eq!(
            v["spec"],
            json!({"selector": {"app": "x"},
                   "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80},
                             {"port": 53, "protocol": "UDP", "targetPort": "dns"}],
                   "sessionAffinity": "None", "type": "ClusterIP", "internalTrafficPolicy": "Cluster"})
        );
    }

    #[test]
    fn load_balancer_and_node_port() {
        let v = run(
            default_service,
            json!({"spec": {"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 0}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb.example"}]}}}),
        );
        assert_eq!(v["spec"]["externalTrafficPolicy"], json!("Cluster"));
        assert_eq!(v["spec"]["allocateLoadBalancerNodePorts"], json!(true));
        assert_eq!(v["spec"]["ports"][0]["targetPort"], json!(443));
        assert_eq!(
            v["status"]["loadBalancer"]["ingress"],
            json!([{"ip": "1.2.3.4", "ipMode": "VIP"}, {"hostname": "lb.example"}])
        );
        let v = run(
            default_service,
            json!({"spec": {"type": "NodePort", "externalTrafficPolicy": "Local"}}),
        );
        assert_eq!(v["spec"]["externalTrafficPolicy"], json!("Local"));
        assert!(v["spec"].get("allocateLoadBalancerNodePorts").is_none());
    }

    #[test]
    fn external_name_and_external_ips() {
        let v = run(
            default_service,
            json!({"spec": {"type": "ExternalName", "externalName": "db.example"}}),
        );
        assert_eq!(
            v["spec"],
            json!({"type": "ExternalName", "externalName": "db.example", "sessionAffinity": "None"})
        );
        let v = run(
            default_service,
            json!({"spec": {"externalIPs": ["80.11.12.10"]}}),
        );
        assert_eq!(v["spec"]["externalTrafficPolicy"], json!("Cluster"));
    }

    #[test]
    fn session_affinity() {
        let v = run(
            default_service,
            json!({"spec": {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {}}}}),
        );
        assert_eq!(
            v["spec"]["sessionAffinityConfig"],
            json!({"clientIP": {"timeoutSeconds": 10800}})
        );
        let v = run(
            default_service,
            json!({"spec": {"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}}}}),
        );
        assert!(v["spec"].get("sessionAffinityConfig").is_none());
    }

    #[test]
    fn endpoints_and_slices() {
        let v = run(
            default_endpoints,
            json!({"subsets": [{"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}]}),
        );
        assert_eq!(
            v["subsets"][0]["ports"],
            json!([{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}])
        );
        let v = run(
            default_endpoint_slice,
            json!({"ports": [{"port": 80}, {"name": "http", "port": 8080}]}),
        );
        assert_eq!(
            v["ports"],
            json!([{"port": 80, "name": "", "protocol": "TCP"}, {"name": "http", "port": 8080, "protocol": "TCP"}])
        );
    }
}
