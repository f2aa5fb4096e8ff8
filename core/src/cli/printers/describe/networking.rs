//! kubectl's networking describers: `describeEndpoints` (v1 Endpoints), `describeEndpointSliceV1`,
//! `IngressDescriber.describeIngressV1` (its backends' endpoints from each Service's
//! EndpointSlices, fetched by the caller into [`Related::backends`]), `IngressClassDescriber`
//! and `describeNetworkPolicy` (which shows no events).

use serde_json::Value;
use super::fields::{annotations_multiline, arr, get, labels_multiline, n, s, selector_string};
use super::service::endpoints as format_endpoint_slices;
use super::tabwriter::PrefixWriter;
use super::Related;

/// `describeEndpoints`: each subset's ready and not-ready addresses and its ports, followed by a
/// blank line.
pub(super) fn endpoints(w: &mut PrefixWriter, ep: &Value) {
    name_namespace_labels_annotations(w, ep);
    w.write(0, "Subsets:\n");
    for subset in arr(ep, &["subsets"]) {
        let ips = |field: &str| or_none(arr(subset, &[field]).iter().map(|a| s(a, &["ip"])).collect::<Vec<_>>().join(","));
        w.write(1, &format!("Addresses:\t{}\n", ips("addresses")));
        w.write(1, &format!("NotReadyAddresses:\t{}\n", ips("notReadyAddresses")));
        let ports = arr(subset, &["ports"]);
        if !ports.is_empty() {
            w.write(1, "Ports:\n");
            w.write(2, "Name\tPort\tProtocol\n");
            w.write(2, "----\t----\t--------\n");
            for port in ports {
                let name = port["name"].as_str().filter(|x| !x.is_empty()).unwrap_or("<unset>");
                w.write(2, &format!("{name}\t{}\t{}\n", n(port, &["port"]), s(port, &["protocol"])));
            }
        }
        w.write(0, "\n");
    }
}

/// `describeEndpointSliceV1`: the address type, the ports, then each endpoint's addresses,
/// readiness, hostname, target, node and zone (`<unset>` where a field is absent).
pub(super) fn endpoint_slice(w: &mut PrefixWriter, eps: &Value) {
    name_namespace_labels_annotations(w, eps);
    w.write(0, &format!("AddressType:\t{}\n", s(eps, &["addressType"])));
    let ports = arr(eps, &["ports"]);
    if ports.is_empty() {
        w.write(0, "Ports: <unset>\n");
    } else {
        w.write(0, "Ports:\n");
        w.write(1, "Name\tPort\tProtocol\n");
        w.write(1, "----\t----\t--------\n");
        for port in ports {
            let name = port["name"].as_str().filter(|x| !x.is_empty()).unwrap_or("<unset>");
            let number = port["port"].as_i64().map_or("<unset>".to_string(), |p| p.to_string());
            w.write(1, &format!("{name}\t{number}\t{}\n", s(port, &["protocol"])));
        }
    }
    let endpoints = arr(eps, &["endpoints"]);
    if endpoints.is_empty() {
        w.write(0, "Endpoints: <none>\n");
        return;
    }
    w.write(0, "Endpoints:\n");
    let unset = |v: &Value| v.as_str().unwrap_or("<unset>").to_string();
    for ep in endpoints {
        let addresses = or_none(arr(ep, &["addresses"]).iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "));
        w.write(1, &format!("- Addresses:\t{addresses}\n"));
        w.write(2, "Conditions:\n");
        let ready = ep["conditions"]["ready"].as_bool().map_or("<unset>".to_string(), |r| r.to_string());
        w.write(3, &format!("Ready:\t{ready}\n"));
        w.write(2, &format!("Hostname:\t{}\n", unset(&ep["hostname"])));
        if ep["targetRef"].is_object() {
            w.write(2, &format!("TargetRef:\t{}/{}\n", s(ep, &["targetRef", "kind"]), s(ep, &["targetRef", "name"])));
        }
        w.write(2, &format!("NodeName:\t{}\n", unset(&ep["nodeName"])));
        w.write(2, &format!("Zone:\t{}\n", unset(&ep["zone"])));
    }
}

/// `describeIngressV1`: the address, class and default backend, TLS, then the `Rules:` table of
/// hosts, paths and backends; annotations come last.
pub(super) fn ingress(w: &mut PrefixWriter, ing: &Value, related: &Related) {
    let spec = &ing["spec"];
    w.write(0, &format!("Name:\t{}\n", s(ing, &["metadata", "name"])));
    labels_multiline(w, "", "Labels", &ing["metadata"]["labels"]);
    w.write(0, &format!("Namespace:\t{}\n", s(ing, &["metadata", "namespace"])));
    w.write(0, &format!("Address:\t{}\n", load_balancer_addresses(ing)));
    w.write(0, &format!("Ingress Class:\t{}\n", spec["ingressClassName"].as_str().unwrap_or("<none>")));
    let default_backend = if spec["defaultBackend"].is_null() { "<default>".to_string() } else { backend(&spec["defaultBackend"], related) };
    w.write(0, &format!("Default backend:\t{default_backend}\n"));
    let tls = arr(spec, &["tls"]);
    if !tls.is_empty() {
        w.write(0, "TLS:\n");
        for t in tls {
            let hosts = arr(t, &["hosts"]).iter().filter_map(Value::as_str).collect::<Vec<_>>().join(",");
            match t["secretName"].as_str().filter(|x| !x.is_empty()) {
                None => w.write(1, &format!("SNI routes {hosts}\n")),
                Some(secret) => w.write(1, &format!("{secret} terminates {hosts}\n")),
            }
        }
    }
    w.write(0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in arr(spec, &["rules"]).iter().filter(|r| !r["http"].is_null()) {
        count += 1;
        let host = rule["host"].as_str().filter(|h| !h.is_empty()).unwrap_or("*");
        w.write(1, &format!("{host}\t\n"));
        for path in arr(rule, &["http", "paths"]) {
            w.write(2, &format!("\t{} \t{}\n", s(path, &["path"]), backend(&path["backend"], related)));
        }
    }
    if count == 0 {
        w.write(1, &format!("*\t*\t{default_backend}\n"));
    }
    annotations_multiline(w, "Annotations", &ing["metadata"]["annotations"]);
}

/// `ingressLoadBalancerStatusStringerV1` (wide): the distinct IPs, else hostnames, sorted.
fn load_balancer_addresses(ing: &Value) -> String {
    let mut set: Vec<&str> = arr(ing, &["status", "loadBalancer", "ingress"])
        .iter()
        .filter_map(|i| i["ip"].as_str().filter(|x| !x.is_empty()).or_else(|| i["hostname"].as_str().filter(|x| !x.is_empty())))
        .collect();
    set.sort_unstable();
    set.dedup();
    set.join(",")
}

/// `describeBackendV1`: `service:port (endpoints)` where the endpoints are those of the Service
/// port the backend names, or the resource a backend points at.
fn backend(b: &Value, related: &Related) -> String {
    let svc = &b["service"];
    if svc.is_object() {
        let (name, number, port_name) = (s(svc, &["name"]), n(svc, &["port", "number"]), s(svc, &["port", "name"]));
        // serviceBackendStringer
        let sb = format!("{name}:{}", if number != 0 { number.to_string() } else { port_name.to_string() });
        let (service, slices) = match related.backends.get(name) {
            Some(Ok((service, slices))) => (service, slices.as_slice()),
            Some(Err(e)) => return format!("{sb} (<error: {e}>)"),
            None => (&Value::Null, [].as_slice()),
        };
        // The last of the Service's ports the backend names, by number or by name.
        let mut sp_name = "";
        for sp in arr(service, &["spec", "ports"]) {
            if (number != 0 && number == n(sp, &["port"])) || (!port_name.is_empty() && port_name == s(sp, &["name"])) {
                sp_name = s(sp, &["name"]);
            }
        }
        return format!("{sb} ({})", format_endpoint_slices(slices, sp_name));
    }
    let resource = &b["resource"];
    if resource.is_object() {
        let group = resource["apiGroup"].as_str().unwrap_or("<none>");
        return format!("APIGroup: {group}, Kind: {}, Name: {}", s(resource, &["kind"]), s(resource, &["name"]));
    }
    String::new()
}

/// `describeIngressClassV1`: the controller and the parameters' reference.
pub(super) fn ingress_class(w: &mut PrefixWriter, ic: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(ic, &["metadata", "name"])));
    labels_multiline(w, "", "Labels", &ic["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &ic["metadata"]["annotations"]);
    w.write(0, &format!("Controller:\t{}\n", s(ic, &["spec", "controller"])));
    let params = &ic["spec"]["parameters"];
    if params.is_object() {
        w.write(0, "Parameters:\n");
        if let Some(group) = params["apiGroup"].as_str() {
            w.write(1, &format!("APIGroup:\t{group}\n"));
        }
        w.write(1, &format!("Kind:\t{}\n", s(params, &["kind"])));
        w.write(1, &format!("Name:\t{}\n", s(params, &["name"])));
    }
}

/// `describeNetworkPolicy`: its creation time (Go's `time.Time.String`), then the spec in words.
pub(super) fn network_policy(w: &mut PrefixWriter, np: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(np, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(np, &["metadata", "namespace"])));
    w.write(0, &format!("Created on:\t{}\n", go_time_string(s(np, &["metadata", "creationTimestamp"]))));
    labels_multiline(w, "", "Labels", &np["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &np["metadata"]["annotations"]);
    let spec = &np["spec"];
    w.write(0, "Spec:\n");
    w.write(1, "PodSelector: ");
    let selector = &spec["podSelector"];
    if arr(selector, &["matchExpressions"]).is_empty() && selector["matchLabels"].as_object().is_none_or(|m| m.is_empty()) {
        w.write(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n");
    } else {
        w.write(2, &format!("{}\n", format_label_selector(selector)));
    }
    let types: Vec<&str> = arr(spec, &["policyTypes"]).iter().filter_map(Value::as_str).collect();
    for (ty, direction, rules, peers, peer_title, peer_any) in [
        ("Ingress", "ingress", "ingress", "from", "From", "From: <any> (traffic not restricted by source)"),
        ("Egress", "egress", "egress", "to", "To", "To: <any> (traffic not restricted by destination)"),
    ] {
        if !types.contains(&ty) {
            w.write(1, &format!("Not affecting {direction} traffic\n"));
            continue;
        }
        w.write(1, &format!("Allowing {direction} traffic:\n"));
        policy_rules(w, arr(spec, &[rules]), direction, peers, peer_title, peer_any);
    }
    w.write(1, &format!("Policy Types: {}\n", if types.is_empty() { "<none>".to_string() } else { types.join(", ") }));
}

/// `printNetworkPolicySpecIngressFrom` / `printNetworkPolicySpecEgressTo`, indented by four
/// spaces: each rule's ports, then its peers, rules separated by a dashed line.
fn policy_rules(w: &mut PrefixWriter, rules: &[Value], direction: &str, peers: &str, peer_title: &str, peer_any: &str) {
    const INDENT: &str = "    ";
    if rules.is_empty() {
        w.write(0, &format!("{INDENT}<none> (Selected pods are isolated for {direction} connectivity)\n"));
        return;
    }
    for (i, rule) in rules.iter().enumerate() {
        let ports = arr(rule, &["ports"]);
        if ports.is_empty() {
            w.write(0, &format!("{INDENT}To Port: <any> (traffic allowed to all ports)\n"));
        }
        for port in ports {
            let proto = port["protocol"].as_str().unwrap_or("TCP");
            // `%s` of a *intstr.IntOrString.
            let number = match &port["port"] {
                Value::String(x) => x.clone(),
                Value::Number(x) => x.to_string(),
                _ => "<nil>".to_string(),
            };
            match port["endPort"].as_i64() {
                None => w.write(0, &format!("{INDENT}To Port: {number}/{proto}\n")),
                Some(end) => w.write(0, &format!("{INDENT}To Port Range: {number}-{end}/{proto}\n")),
            }
        }
        let peer_list = arr(rule, &[peers]);
        if peer_list.is_empty() {
            w.write(0, &format!("{INDENT}{peer_any}\n"));
        }
        for peer in peer_list {
            w.write(0, &format!("{INDENT}{peer_title}:\n"));
            let (pods, namespaces, block) = (&peer["podSelector"], &peer["namespaceSelector"], &peer["ipBlock"]);
            if !namespaces.is_null() {
                w.write(1, &format!("{INDENT}NamespaceSelector: {}\n", format_label_selector(namespaces)));
            }
            if !pods.is_null() {
                w.write(1, &format!("{INDENT}PodSelector: {}\n", format_label_selector(pods)));
            }
            if pods.is_null() && namespaces.is_null() && !block.is_null() {
                w.write(1, &format!("{INDENT}IPBlock:\n"));
                w.write(2, &format!("{INDENT}CIDR: {}\n", s(block, &["cidr"])));
                let except: Vec<&str> = arr(block, &["except"]).iter().filter_map(Value::as_str).collect();
                w.write(2, &format!("{INDENT}Except: {}\n", except.join(", ")));
            }
        }
        if i + 1 != rules.len() {
            w.write(0, &format!("{INDENT}----------\n"));
        }
    }
}

/// `metav1.FormatLabelSelector`: the selector's requirements ordered by key, `<none>` when empty.
fn format_label_selector(sel: &Value) -> String {
    or_none(selector_string(sel))
}

/// Go's `time.Time.String` of a timestamp kubectl decoded into its local zone (UTC):
/// `2026-01-01 00:00:05 +0000 UTC`; the zero time when there is none.
fn go_time_string(ts: &str) -> String {
    match crate::cli::printers::parse_time(ts).and_then(|_| Some(format!("{} {}", ts.get(0..10)?, ts.get(11..19)?))) {
        Some(t) => format!("{t} +0000 UTC"),
        None => "0001-01-01 00:00:00 +0000 UTC".into(),
    }
}

fn name_namespace_labels_annotations(w: &mut PrefixWriter, obj: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(obj, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(obj, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", get(obj, &["metadata", "labels"]));
    annotations_multiline(w, "Annotations", get(obj, &["metadata", "annotations"]));
}

fn or_none(text: String) -> String {
    if text.is_empty() {
        "<none>".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(f: impl FnOnce(&mut PrefixWriter)) -> String {
        let mut w = PrefixWriter::default();
        f(&mut w);
        w.finish()
    }

    #[test]
    fn endpoints_subsets_with_ports() {
        let ep = json!({"metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}}, "subsets": [{
            "addresses": [{"ip": "10.244.1.2"}, {"ip": "10.244.2.3"}], "notReadyAddresses": [{"ip": "10.244.3.4"}],
            "ports": [{"port": 80, "protocol": "TCP"}]}, {"notReadyAddresses": [{"ip": "10.244.3.5"}]}]});
        let want = "Name:         web\nNamespace:    default\nLabels:       app=web\nAnnotations:  <none>\nSubsets:\n\
                    \x20 Addresses:          10.244.1.2,10.244.2.3\n  NotReadyAddresses:  10.244.3.4\n  Ports:\n\
                    \x20   Name     Port  Protocol\n    ----     ----  --------\n    <unset>  80    TCP\n\n\
                    \x20 Addresses:          <none>\n  NotReadyAddresses:  10.244.3.5\n\n";
        assert_eq!(run(|w| endpoints(w, &ep)), want);
    }

    #[test]
    fn endpoint_slice_ports_and_endpoints() {
        let eps = json!({"metadata": {"name": "web-abcde", "namespace": "default", "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}, {"protocol": "UDP"}],
            "endpoints": [
                {"addresses": ["10.244.1.2"], "conditions": {"ready": true}, "nodeName": "node-1", "targetRef": {"kind": "Pod", "name": "web-1"}},
                {"addresses": ["10.244.2.3"], "conditions": {}, "hostname": "web-2", "zone": "z1"}]});
        let want = "Name:         web-abcde\nNamespace:    default\nLabels:       kubernetes.io/service-name=web\nAnnotations:  <none>\n\
                    AddressType:  IPv4\nPorts:\n  Name     Port     Protocol\n  ----     ----     --------\n  http     80       TCP\n\
                    \x20 <unset>  <unset>  UDP\nEndpoints:\n  - Addresses:  10.244.1.2\n    Conditions:\n      Ready:    true\n\
                    \x20   Hostname:   <unset>\n    TargetRef:  Pod/web-1\n    NodeName:   node-1\n    Zone:       <unset>\n\
                    \x20 - Addresses:  10.244.2.3\n    Conditions:\n      Ready:   <unset>\n    Hostname:  web-2\n\
                    \x20   NodeName:  <unset>\n    Zone:      z1\n";
        assert_eq!(run(|w| endpoint_slice(w, &eps)), want);
        let empty = json!({"metadata": {"name": "e", "namespace": "default"}, "addressType": "IPv4"});
        let want = "Name:         e\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\nAddressType:  IPv4\nPorts: <unset>\nEndpoints: <none>\n";
        assert_eq!(run(|w| endpoint_slice(w, &empty)), want);
    }

    #[test]
    fn ingress_rules_tls_and_backends() {
        let ing = json!({"metadata": {"name": "web", "namespace": "default", "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"}},
            "spec": {"ingressClassName": "nginx",
                "tls": [{"hosts": ["a.example.com", "b.example.com"], "secretName": "tls-cert"}, {"hosts": ["c.example.com"]}],
                "rules": [
                    {"host": "a.example.com", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                        {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}},
                    {"http": {"paths": [{"path": "/static", "pathType": "Prefix",
                        "backend": {"resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket", "name": "assets"}}}]}},
                    {"host": "nohttp.example.com"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.168.0.2"}, {"hostname": "lb.example.com"}, {"ip": "192.168.0.2"}]}}});
        let service = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}});
        let slice = json!({"ports": [{"name": "", "port": 8080}], "endpoints": [
            {"addresses": ["10.244.1.2"], "conditions": {"ready": true}}, {"addresses": ["10.244.2.3"], "conditions": {"ready": true}},
            {"addresses": ["10.244.3.4"], "conditions": {"ready": false}}]});
        let mut related = Related::default();
        related.backends.insert("web".into(), Ok((service.clone(), vec![slice])));
        related.backends.insert("api".into(), Err("services \"api\" not found".into()));
        let want = "Name:             web\nLabels:           <none>\nNamespace:        default\nAddress:          192.168.0.2,lb.example.com\n\
                    Ingress Class:    nginx\nDefault backend:  <default>\nTLS:\n  tls-cert terminates a.example.com,b.example.com\n\
                    \x20 SNI routes c.example.com\nRules:\n  Host           Path  Backends\n  ----           ----  --------\n\
                    \x20 a.example.com  \n                 /      web:80 (10.244.1.2:8080,10.244.2.3:8080)\n\
                    \x20                /api   api:http (<error: services \"api\" not found>)\n  *              \n\
                    \x20                /static   APIGroup: k8s.example.com, Kind: StorageBucket, Name: assets\n\
                    Annotations:     nginx.ingress.kubernetes.io/rewrite-target: /\n";
        assert_eq!(run(|w| ingress(w, &ing, &related)), want);

        // Without rules, the default backend is the only row.
        let def = json!({"metadata": {"name": "def", "namespace": "default"}, "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}});
        let mut related = Related::default();
        related.backends.insert("web".into(), Ok((service, Vec::new())));
        let want = "Name:             def\nLabels:           <none>\nNamespace:        default\nAddress:          \nIngress Class:    <none>\n\
                    Default backend:  web:80 (<none>)\nRules:\n  Host        Path  Backends\n  ----        ----  --------\n\
                    \x20 *           *     web:80 (<none>)\nAnnotations:  <none>\n";
        assert_eq!(run(|w| ingress(w, &def, &related)), want);
    }

    #[test]
    fn ingress_class_with_parameters() {
        let ic = json!({"metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "k8s.io/ingress-nginx", "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "external-lb", "scope": "Cluster"}}});
        let want = "Name:         nginx\nLabels:       <none>\nAnnotations:  ingressclass.kubernetes.io/is-default-class: true\n\
                    Controller:   k8s.io/ingress-nginx\nParameters:\n  APIGroup:  k8s.example.com\n  Kind:      IngressParameters\n  Name:      external-lb\n";
        assert_eq!(run(|w| ingress_class(w, &ic)), want);
    }

    #[test]
    fn network_policy_rules_in_words() {
        let np = json!({"metadata": {"name": "test-network-policy", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:05Z"},
            "spec": {"podSelector": {"matchLabels": {"role": "db"}}, "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {"from": [{"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}},
                        {"namespaceSelector": {"matchLabels": {"project": "myproject"}}}, {"podSelector": {"matchLabels": {"role": "frontend"}}}],
                     "ports": [{"protocol": "TCP", "port": 6379}]},
                    {"from": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "In", "values": ["b", "a"]}]}, "podSelector": {}}]}],
                "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24"}}],
                    "ports": [{"protocol": "TCP", "port": 32000, "endPort": 32768}, {"port": "dns", "protocol": "UDP"}]}]}});
        let want = "Name:         test-network-policy\nNamespace:    default\nCreated on:   2026-01-01 00:00:05 +0000 UTC\n\
                    Labels:       <none>\nAnnotations:  <none>\nSpec:\n  PodSelector:     role=db\n  Allowing ingress traffic:\n\
                    \x20   To Port: 6379/TCP\n    From:\n      IPBlock:\n        CIDR: 172.17.0.0/16\n        Except: 172.17.1.0/24\n\
                    \x20   From:\n      NamespaceSelector: project=myproject\n    From:\n      PodSelector: role=frontend\n    ----------\n\
                    \x20   To Port: <any> (traffic allowed to all ports)\n    From:\n      NamespaceSelector: team in (a,b)\n      PodSelector: <none>\n\
                    \x20 Allowing egress traffic:\n    To Port Range: 32000-32768/TCP\n    To Port: dns/UDP\n    To:\n      IPBlock:\n\
                    \x20       CIDR: 10.0.0.0/24\n        Except: \n  Policy Types: Ingress, Egress\n";
        assert_eq!(run(|w| network_policy(w, &np)), want);

        let deny = json!({"metadata": {"name": "deny", "namespace": "default"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}});
        let want = "Name:         deny\nNamespace:    default\nCreated on:   0001-01-01 00:00:00 +0000 UTC\nLabels:       <none>\n\
                    Annotations:  <none>\nSpec:\n  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n\
                    \x20 Allowing ingress traffic:\n    <none> (Selected pods are isolated for ingress connectivity)\n\
                    \x20 Not affecting egress traffic\n  Policy Types: Ingress\n";
        assert_eq!(run(|w| network_policy(w, &deny)), want);
    }

    #[test]
    fn endpoint_slices_formatted_as_kubectl_does() {
        let ep = |ip: &str, ready: bool| json!({"addresses": [ip], "conditions": {"ready": ready}});
        let slice = json!({"ports": [{"name": "http", "port": 80}, {"name": "", "port": 81}],
            "endpoints": [ep("a", true), ep("b", true), ep("c", true), ep("d", false), ep("e", true)]});
        assert_eq!(format_endpoint_slices(std::slice::from_ref(&slice), "http"), "a:80,b:80,c:80 + 1 more...");
        // A fourth endpoint that is not ready still marks the list as cut short.
        let slice = json!({"ports": [{"name": "http", "port": 80}], "endpoints": [ep("a", true), ep("b", true), ep("c", true), ep("d", false)]});
        assert_eq!(format_endpoint_slices(&[slice], "http"), "a:80,b:80,c:80 + 0 more...");
        let headless = json!({"endpoints": [ep("fd00::1", true), ep("b", false)]});
        assert_eq!(format_endpoint_slices(std::slice::from_ref(&headless), "http"), "fd00::1");
        let v6 = json!({"ports": [{"name": "", "port": 80}], "endpoints": [ep("fd00::1", true)]});
        assert_eq!(format_endpoint_slices(&[v6], ""), "[fd00::1]:80");
        assert_eq!(format_endpoint_slices(&[], ""), "<none>");
    }
}
