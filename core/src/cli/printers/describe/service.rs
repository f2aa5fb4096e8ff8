//! kubectl's `ServiceDescriber`: type, IPs, ports with their endpoints from the Service's
//! EndpointSlices (`formatEndpointSlices`), session affinity and traffic policies.

use serde_json::Value;
use super::fields::{annotations_multiline, arr, int_or_string, labels_multiline, n, s, string_map};
use super::Related;
use super::tabwriter::PrefixWriter;

pub(super) fn service(w: &mut PrefixWriter, svc: &Value, related: &Related) {
    let spec = &svc["spec"];
    w.write(0, &format!("Name:\t{}\n", s(svc, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(svc, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &svc["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &svc["metadata"]["annotations"]);
    let selector: Vec<String> = string_map(&spec["selector"]).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    w.write(0, &format!("Selector:\t{}\n", selector.join(",")));
    w.write(0, &format!("Type:\t{}\n", s(spec, &["type"])));
    if let Some(p) = spec["ipFamilyPolicy"].as_str() {
        w.write(0, &format!("IP Family Policy:\t{p}\n"));
    }
    let join = |field: &str| arr(spec, &[field]).iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",");
    let families = join("ipFamilies");
    w.write(0, &format!("IP Families:\t{}\n", if families.is_empty() { "<none>" } else { &families }));
    w.write(0, &format!("IP:\t{}\n", s(spec, &["clusterIP"])));
    let ips = join("clusterIPs");
    w.write(0, &format!("IPs:\t{}\n", if ips.is_empty() { "<none>" } else { &ips }));
    if !join("externalIPs").is_empty() {
        w.write(0, &format!("External IPs:\t{}\n", join("externalIPs")));
    }
    if let Some(x) = spec["externalName"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("External Name:\t{x}\n"));
    }
    let ingress: Vec<&str> = arr(svc, &["status", "loadBalancer", "ingress"]).iter().filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str())).collect();
    if !ingress.is_empty() {
        w.write(0, &format!("LoadBalancer Ingress:\t{}\n", ingress.join(", ")));
    }
    for sp in arr(spec, &["ports"]) {
        let name = sp["name"].as_str().filter(|x| !x.is_empty()).unwrap_or("<unset>");
        let proto = sp["protocol"].as_str().unwrap_or("TCP");
        w.write(0, &format!("Port:\t{name}\t{}/{proto}\n", n(sp, &["port"])));
        w.write(0, &format!("TargetPort:\t{}/{proto}\n", int_or_string(&sp["targetPort"], &n(sp, &["port"]).to_string())));
        if let Some(ap) = sp["appProtocol"].as_str() {
            w.write(0, &format!("AppProtocol:\t{ap}\n"));
        }
        if n(sp, &["nodePort"]) != 0 {
            w.write(0, &format!("NodePort:\t{name}\t{}/{proto}\n", n(sp, &["nodePort"])));
        }
        w.write(0, &format!("Endpoints:\t{}\n", endpoints(&related.endpoint_slices, sp["name"].as_str().unwrap_or(""))));
    }
    w.write(0, &format!("Session Affinity:\t{}\n", s(spec, &["sessionAffinity"])));
    if let Some(x) = spec["externalTrafficPolicy"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("External Traffic Policy:\t{x}\n"));
    }
    if let Some(x) = spec["internalTrafficPolicy"].as_str() {
        w.write(0, &format!("Internal Traffic Policy:\t{x}\n"));
    }
}

/// `formatEndpointSlices` for one port name: up to three ready endpoints (`ip:port`, or the bare
/// address in a slice without ports), then `+ N more...` once a fourth endpoint, ready or not,
/// was reached.
pub(super) fn endpoints(slices: &[Value], port_name: &str) -> String {
    const MAX: usize = 3;
    if slices.is_empty() {
        return "<none>".into();
    }
    let (mut list, mut more, mut count) = (Vec::new(), false, 0);
    for slice in slices {
        let ports = arr(slice, &["ports"]);
        // A slice without ports (a headless Service) lists bare addresses.
        let ports: Vec<Option<&Value>> = if ports.is_empty() { vec![None] } else { ports.iter().filter(|p| p["name"].as_str().unwrap_or("") == port_name).map(Some).collect() };
        for port in ports {
            for ep in arr(slice, &["endpoints"]) {
                more |= list.len() == MAX;
                // A readiness that is not known counts as ready.
                if ep["conditions"]["ready"].as_bool() == Some(false) {
                    continue;
                }
                if !more {
                    let addr = arr(ep, &["addresses"]).first().and_then(Value::as_str).unwrap_or("");
                    list.push(match port {
                        None => addr.to_string(),
                        // net.JoinHostPort
                        Some(p) if addr.contains(':') => format!("[{addr}]:{}", n(p, &["port"])),
                        Some(p) => format!("{addr}:{}", n(p, &["port"])),
                    });
                }
                count += 1;
            }
        }
    }
    if more {
        format!("{} + {} more...", list.join(","), count - MAX)
    } else {
        list.join(",")
    }
}
