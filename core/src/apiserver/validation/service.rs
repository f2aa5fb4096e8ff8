//! Services, mirroring `ValidateService` / `validateServicePort` /
//! `ValidateServiceClusterIPsRelatedFields` / `validateUpgradeDowngradeClusterIPs` in
//! `pkg/apis/core/validation/validation.go`, plus the node port range check of the registry's
//! allocator (`pkg/registry/core/service/portallocator`), which runs in `BeginCreate` before
//! validation and so is reported alone.
//!
//! The strategy copies `clusterIP` into `clusterIPs` before validation; when `clusterIPs` is
//! absent it is read as `[clusterIP]`. Type and session affinity default to ClusterIP / None.
//! Left out: external IPs, load balancer source ranges, traffic policies, IP families beyond
//! their supported values, the kubelet-port rule for LoadBalancer.

use super::meta;
use super::names::{self, NameRule};
use super::pod::validate_protocol;
use super::probe::validate_port_num_or_name;
use super::{arr_of, has, int_of, obj_of, str_of};
use crate::apiserver::FieldError;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// `--service-node-port-range`'s default.
pub const NODE_PORT_RANGE: (i64, i64) = (30000, 32767);

fn service_type(spec: Option<&Value>) -> &str {
    match str_of(spec, "type") {
        "" => "ClusterIP",
        t => t,
    }
}

/// `spec.clusterIPs` as the strategy leaves it (synced from `clusterIP`).
fn cluster_ips(spec: Option<&Value>) -> Vec<String> {
    let ips: Vec<String> = arr_of(spec, "clusterIPs").iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
    if ips.is_empty() && !str_of(spec, "clusterIP").is_empty() {
        return vec![str_of(spec, "clusterIP").to_string()];
    }
    ips
}

/// `isHeadlessService`: exactly one cluster IP, `None` (whatever the type).
fn is_headless(spec: Option<&Value>) -> bool {
    cluster_ips(spec) == ["None"]
}

/// `ValidateService` (and the allocator's node port range check first, as on create).
pub fn validate_service(obj: &Value) -> Vec<FieldError> {
    if let Some(e) = node_port_out_of_range(obj.get("spec")) {
        return vec![e];
    }
    validate_service_fields(obj)
}

/// The allocator's `ErrNotInRange` for the first explicit node port outside the range.
fn node_port_out_of_range(spec: Option<&Value>) -> Option<FieldError> {
    if !matches!(service_type(spec), "NodePort" | "LoadBalancer") {
        return None;
    }
    let (lo, hi) = NODE_PORT_RANGE;
    for (i, port) in arr_of(spec, "ports").iter().enumerate() {
        let np = int_of(Some(port), "nodePort").unwrap_or(0);
        if np != 0 && !(lo..=hi).contains(&np) {
            return Some(FieldError::invalid(
                format!("spec.ports[{i}].nodePort"),
                &Value::from(np),
                format!("provided port is not in the valid range. The range of valid ports is {lo}-{hi}"),
            ));
        }
    }
    None
}

fn validate_service_fields(obj: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta(obj.get("metadata"), true, NameRule::Dns1035);
    let spec = obj.get("spec");
    let ty = service_type(spec);
    let ports = arr_of(spec, "ports");
    let headless = is_headless(spec);
    let ips = cluster_ips(spec);
    if ports.is_empty() && !headless && ty != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    match ty {
        "LoadBalancer" | "NodePort" if headless => {
            errs.push(FieldError::invalid(
                "spec.clusterIPs[0]",
                &Value::from("None"),
                format!("may not be set to 'None' for {ty} services"),
            ));
        }
        "ExternalName" => {
            if !ips.is_empty() {
                errs.push(FieldError::forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            }
            if !arr_of(spec, "ipFamilies").is_empty() {
                errs.push(FieldError::forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            }
            if has(spec, "ipFamilyPolicy") {
                errs.push(FieldError::forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
            }
            let cname = str_of(spec, "externalName");
            let cname = cname.strip_suffix('.').unwrap_or(cname);
            if cname.is_empty() {
                errs.push(FieldError::required("spec.externalName", ""));
            } else {
                for msg in names::dns1123_subdomain(cname) {
                    errs.push(FieldError::invalid("spec.externalName", &Value::from(cname), msg));
                }
            }
        }
        _ => {}
    }
    let mut port_names = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        errs.extend(validate_service_port(Some(port), ports.len() > 1, &mut port_names, &format!("spec.ports[{i}]")));
    }
    if has(spec, "selector") {
        errs.extend(meta::validate_labels(spec, "selector", "spec.selector"));
    }
    let affinity = match str_of(spec, "sessionAffinity") {
        "" => "None",
        a => a,
    };
    match affinity {
        "ClientIP" => {
            let t = int_of(obj_of(obj_of(spec, "sessionAffinityConfig"), "clientIP"), "timeoutSeconds");
            if let Some(t) = t.filter(|t| !(1..=86400).contains(t)) {
                errs.push(FieldError::invalid(
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    &Value::from(t),
                    "must be greater than 0 and less than 86400",
                ));
            }
        }
        "None" => {
            if has(spec, "sessionAffinityConfig") {
                errs.push(FieldError::forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
            }
        }
        other => errs.push(FieldError::not_supported("spec.sessionAffinity", &Value::from(other), &["ClientIP", "None"])),
    }
    if ty != "ExternalName" {
        errs.extend(validate_cluster_ips(spec, &ips));
    }
    if !matches!(ty, "ClusterIP" | "ExternalName" | "LoadBalancer" | "NodePort") {
        errs.push(FieldError::not_supported(
            "spec.type",
            &Value::from(ty),
            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        ));
    }
    if ty == "ClusterIP" {
        for (i, port) in ports.iter().enumerate() {
            if int_of(Some(port), "nodePort").unwrap_or(0) != 0 {
                errs.push(FieldError::forbidden(format!("spec.ports[{i}].nodePort"), "may not be used when `type` is 'ClusterIP'"));
            }
        }
    }
    // Duplicate (protocol, nodePort) and (protocol, port) pairs.
    let mut node_ports = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let np = int_of(Some(port), "nodePort").unwrap_or(0);
        if np == 0 {
            continue;
        }
        if !node_ports.insert((protocol(port).to_string(), np)) {
            errs.push(FieldError::duplicate(format!("spec.ports[{i}].nodePort"), &Value::from(np)));
        }
    }
    let mut seen = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let p = int_of(Some(port), "port").unwrap_or(0);
        if !seen.insert((protocol(port).to_string(), p)) {
            // Go renders the internal ServicePort key struct (no JSON tags).
            let shown = super::go_struct(&[
                ("Name", &json!("")),
                ("Protocol", &json!(protocol(port))),
                ("AppProtocol", &Value::Null),
                ("Port", &json!(p)),
                ("TargetPort", &json!(0)),
                ("NodePort", &json!(0)),
            ]);
            errs.push(super::with_value(FieldError::duplicate(format!("spec.ports[{i}]"), &Value::Null), shown));
        }
    }
    errs
}

fn protocol(port: &Value) -> &str {
    match str_of(Some(port), "protocol") {
        "" => "TCP",
        p => p,
    }
}

/// `validateServicePort`.
fn validate_service_port(port: Option<&Value>, require_name: bool, all_names: &mut BTreeSet<String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = str_of(port, "name");
    if require_name && name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else if !name.is_empty() {
        for msg in names::dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{path}.name"), &Value::from(name), msg));
        }
        if !all_names.insert(name.to_string()) {
            errs.push(FieldError::duplicate(format!("{path}.name"), &Value::from(name)));
        }
    }
    let p = int_of(port, "port").unwrap_or(0);
    for msg in names::port_num(p) {
        errs.push(FieldError::invalid(format!("{path}.port"), &Value::from(p), msg));
    }
    errs.extend(validate_protocol(port, &format!("{path}.protocol")));
    // targetPort is defaulted to port when absent or zero.
    let target = port.and_then(|p| p.get("targetPort")).filter(|t| !t.is_null() && **t != json!(0) && **t != json!(""));
    let default_target = Value::from(p);
    errs.extend(validate_port_num_or_name(Some(target.unwrap_or(&default_target)), &format!("{path}.targetPort")));
    if let Some(app) = port.and_then(|p| p.get("appProtocol")).and_then(Value::as_str) {
        for msg in names::qualified_name(app) {
            errs.push(FieldError::invalid(format!("{path}.appProtocol"), &Value::from(app), msg));
        }
    }
    errs
}

/// The clusterIPs rules of `ValidateServiceClusterIPsRelatedFields`.
fn validate_cluster_ips(spec: Option<&Value>, ips: &[String]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let cluster_ip = str_of(spec, "clusterIP");
    let shown = Value::from(ips.to_vec());
    if !cluster_ip.is_empty() && ips.first().is_some_and(|first| first != cluster_ip) {
        errs.push(FieldError::invalid("spec.clusterIPs", &shown, "first value must match `clusterIP`"));
    } else if cluster_ip.is_empty() && !ips.is_empty() {
        errs.push(FieldError::invalid("spec.clusterIPs", &shown, "must be empty when `clusterIP` is not specified"));
    }
    for (i, fam) in arr_of(spec, "ipFamilies").iter().enumerate() {
        let fam = fam.as_str().unwrap_or("");
        if !matches!(fam, "IPv4" | "IPv6") {
            errs.push(FieldError::not_supported(format!("spec.ipFamilies[{i}]"), &Value::from(fam), &["IPv4", "IPv6"]));
        }
    }
    let policy = str_of(spec, "ipFamilyPolicy");
    if has(spec, "ipFamilyPolicy") && !matches!(policy, "SingleStack" | "PreferDualStack" | "RequireDualStack") {
        errs.push(FieldError::not_supported(
            "spec.ipFamilyPolicy",
            &Value::from(policy),
            &["PreferDualStack", "RequireDualStack", "SingleStack"],
        ));
    }
    for (i, ip) in ips.iter().enumerate() {
        if i == 0 && ip == "None" {
            if ips.len() > 1 {
                errs.push(FieldError::invalid("spec.clusterIPs", &shown, "'None' must be the first and only value"));
            }
            continue;
        }
        if !is_valid_ip_sloppy(ip) {
            errs.push(FieldError::invalid(
                format!("spec.clusterIPs[{i}]"),
                &Value::from(ip.as_str()),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
    }
    errs
}

/// `netutils.ParseIPSloppy` succeeds: like the standard parser, but IPv4 octets may carry
/// leading zeros (read as decimal), as Go's pre-1.17 `net.ParseIP` allowed.
fn is_valid_ip_sloppy(ip: &str) -> bool {
    if ip.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let parts: Vec<&str> = ip.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            (1..=3).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// `ValidateServiceUpdate`: metadata, then the cluster IPs may not change (unless to or from
/// ExternalName), then the new object as on create. An empty `clusterIP` on the new object is
/// filled from the old one by the strategy (`patchAllocatedValues`), as kubectl apply relies on.
pub fn validate_service_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new.get("metadata"), old.get("metadata"));
    let (ns, os) = (new.get("spec"), old.get("spec"));
    let mut new_filled = new.clone();
    if service_type(ns) != "ExternalName" && service_type(os) != "ExternalName" {
        let old_ips = cluster_ips(os);
        let mut new_ips = cluster_ips(ns);
        if new_ips.is_empty() && !old_ips.is_empty() {
            new_ips = old_ips.clone();
            if let Some(spec) = new_filled.get_mut("spec").and_then(Value::as_object_mut) {
                spec.insert("clusterIP".into(), Value::from(old_ips[0].as_str()));
                spec.insert("clusterIPs".into(), Value::from(old_ips.clone()));
            }
        }
        if new_ips.len() == old_ips.len() {
            for (i, ip) in old_ips.iter().enumerate() {
                if new_ips.get(i) != Some(ip) {
                    errs.push(FieldError::invalid(format!("spec.clusterIPs[{i}]"), &Value::from(new_ips.clone()), "may not change once set"));
                }
            }
        }
    }
    errs.extend(validate_service_fields(&new_filled));
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::field::aggregate;

    fn svc(spec: Value) -> Value {
        json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec})
    }

    #[test]
    fn valid_and_headless() {
        assert_eq!(validate_service(&svc(json!({"ports": [{"port": 80}], "selector": {"app": "web"}}))), vec![]);
        assert_eq!(validate_service(&svc(json!({"clusterIP": "None"}))), vec![]);
        assert_eq!(aggregate(&validate_service(&svc(json!({})))), "spec.ports: Required value");
    }

    #[test]
    fn sloppy_ips() {
        assert!(is_valid_ip_sloppy("10.0.0.1"));
        assert!(is_valid_ip_sloppy("010.000.000.001"));
        assert!(is_valid_ip_sloppy("2001:db8::ffff"));
        assert!(!is_valid_ip_sloppy("10.0.0.300"));
        assert!(!is_valid_ip_sloppy("10.0.0"));
    }

    #[test]
    fn node_port_range_is_the_allocators() {
        let s = svc(json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]}));
        assert_eq!(
            aggregate(&validate_service(&s)),
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
    }

    #[test]
    fn cluster_ip_may_not_change() {
        let old = svc(json!({"clusterIP": "10.0.0.5", "clusterIPs": ["10.0.0.5"], "ports": [{"port": 80}]}));
        let new = svc(json!({"clusterIP": "10.0.0.6", "ports": [{"port": 80}]}));
        assert_eq!(
            aggregate(&validate_service_update(&new, &old)),
            "spec.clusterIPs[0]: Invalid value: [\"10.0.0.6\"]: may not change once set"
        );
        let unchanged = svc(json!({"ports": [{"port": 80}]}));
        assert_eq!(validate_service_update(&unchanged, &old), vec![]);
    }
}
