//! Networking defaults: mirrors `pkg/apis/networking/v1/defaults.go` (`SetDefaults_NetworkPolicy`,
//! `SetDefaults_NetworkPolicyPort`, `SetDefaults_IngressClass`).
//!
//! Ingress has no scheme defaults in networking/v1: `pathType` is required, not defaulted.

use serde_json::Value;

use super::fields::{child, default_if_nil, each, is_len_zero, Object};

pub(super) fn default_network_policy(policy: &mut Object) {
    let Some(spec) = child(policy, "spec") else {
        return;
    };
    for direction in ["ingress", "egress"] {
        for rule in each(spec, direction) {
            for port in each(rule, "ports") {
                default_if_nil(port, "protocol", "TCP");
            }
        }
    }
    // A policy that names no types is at least an Ingress policy, and an Egress one too if it
    // has egress rules.
    if is_len_zero(spec.get("policyTypes")) {
        let mut types = vec![Value::from("Ingress")];
        if !is_len_zero(spec.get("egress")) {
            types.push("Egress".into());
        }
        spec.insert("policyTypes".into(), Value::Array(types));
    }
}

pub(super) fn default_ingress_class(class: &mut Object) {
    if let Some(parameters) = child(class, "spec").and_then(|s| child(s, "parameters")) {
        default_if_nil(parameters, "scope", "Cluster");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policy_types_and_port_protocols() {
        let mut v = json!({"spec": {"podSelector": {}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}, {"port": 5978}]}]}});
        if let Some(o) = v.as_object_mut() {
            default_network_policy(o);
        }
        assert_eq!(v["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
        assert_eq!(
            v["spec"]["egress"][0]["ports"],
            json!([{"port": 53, "protocol": "UDP"}, {"port": 5978, "protocol": "TCP"}])
        );
        let mut v = json!({"spec": {"podSelector": {}, "policyTypes": ["Egress"]}});
        if let Some(o) = v.as_object_mut() {
            default_network_policy(o);
        }
        assert_eq!(v["spec"]["policyTypes"], json!(["Egress"]));
    }

    #[test]
    fn ingress_class_parameters_scope() {
        let mut v = json!({"spec": {"controller": "x", "parameters": {"kind": "K", "name": "n"}}});
        if let Some(o) = v.as_object_mut() {
            default_ingress_class(o);
        }
        assert_eq!(v["spec"]["parameters"]["scope"], json!("Cluster"));
    }
}
