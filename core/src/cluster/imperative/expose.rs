//! `kubectl expose`: the Service kubectl's `generateService` builds from the exposed object (its
//! selector, ports and protocols, as `polymorphichelpers` read them), POSTed as one request.

use crate::api::{lookup, KindInfo};
use crate::apiserver::{handle, Context, Verb};
use crate::cli::kubectl::imperative::Expose;
use crate::cli::kubectl::{resources, DryRun};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use super::client::{Client, server_error};
use super::name_of;

/// `MakeLabels`: `k=v,k2=v2` in key order, which kubectl parses back into the map it sends.
pub(super) fn string_map(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub(super) fn parse_pairs(s: &str) -> Result<Map<String, Value>, String> {
    let mut m = Map::new();
    for spec in s.split(',') {
        let parts: Vec<&str> = spec.split('=').collect();
        if parts.len() != 2 {
            return Err(format!("unexpected label spec: {spec}"));
        }
        if parts[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        m.insert(parts[0].to_string(), json!(parts[1]));
    }
    Ok(m)
}

/// `polymorphichelpers.MapBasedSelectorForObject`.
pub(super) fn selector_for(kind: &KindInfo, obj: &Value) -> Result<Map<String, Value>, String> {
    match kind.kind {
        "Pod" => {
            let labels = string_map(&obj["metadata"]["labels"]);
            if labels.is_empty() {
                return Err("the pod has no labels and cannot be exposed".into());
            }
            Ok(labels)
        }
        "Service" => {
            let sel = string_map(&obj["spec"]["selector"]);
            if sel.is_empty() {
                return Err("the service has no pod selector set".into());
            }
            Ok(sel)
        }
        "ReplicationController" => Ok(string_map(&obj["spec"]["selector"])),
        _ => {
            let exprs = obj["spec"]["selector"]["matchExpressions"].as_array().map_or(0, Vec::len);
            if exprs > 0 {
                return Err(format!("couldn't convert expressions - \"{}\" to map-based selector format", obj["spec"]["selector"]["matchExpressions"]));
            }
            Ok(string_map(&obj["spec"]["selector"]["matchLabels"]))
        }
    }
}

/// `PortsForObject` and `ProtocolsForObject` together: each port with its protocol.
pub(super) fn ports_for(kind: &KindInfo, obj: &Value) -> Vec<(String, String)> {
    let ports = |spec: &Value| -> Vec<(String, String)> {
        spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
            .map(|p| (p["containerPort"].to_string(), p["protocol"].as_str().unwrap_or("TCP").to_string()))
            .collect()
    };
    match kind.kind {
        "Pod" => ports(&obj["spec"]),
        "Service" => obj["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (p["port"].to_string(), p["protocol"].as_str().unwrap_or("TCP").to_string()))
            .collect(),
        _ => ports(&obj["spec"]["template"]["spec"]),
    }
}

/// `intstr.Parse`: a number is an int, anything else a port name.
pub(super) fn int_or_string(s: &str) -> Value {
    s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n))
}

pub(super) fn expose(ctx: &mut Context, c: &mut Client, e: &Expose) {
    let kind = match resources::resolve(&e.target.0) {
        Ok(k) => k,
        Err(err) => return c.error(err),
    };
    let namespace = c.namespace.clone();
    let Some(obj) = c.get(ctx, kind, &namespace, &e.target.1) else { return };
    if !matches!(kind.kind, "Pod" | "Service" | "ReplicationController" | "Deployment" | "ReplicaSet") {
        let gk = if kind.group.is_empty() { kind.kind.to_string() } else { format!("{}.{}", kind.kind, kind.group) };
        return c.error(format!("cannot expose a {gk}"));
    }
    let selector = match &e.selector {
        Some(s) => parse_pairs(s),
        None => selector_for(kind, &obj).map_err(|why| format!("couldn't retrieve selectors via --selector flag or introspection: {why}")),
    };
    let selector = match selector {
        Ok(s) if s.is_empty() => return c.error("selector must be specified"),
        Ok(s) => s,
        Err(why) => return c.error(why),
    };
    let found = ports_for(kind, &obj);
    let protocols: BTreeMap<String, String> = found.iter().cloned().collect();
    let port_list: Vec<String> = match &e.port {
        Some(p) => vec![p.clone()],
        None => found.iter().map(|(p, _)| p.clone()).collect(),
    };
    let headless = e.cluster_ip.as_deref() == Some("None");
    if port_list.is_empty() && !headless {
        return c.error("couldn't find port via --port flag or introspection");
    }
    let labels = match &e.labels {
        Some(l) => match parse_pairs(l) {
            Ok(m) => m,
            Err(why) => return c.error(why),
        },
        None => string_map(&obj["metadata"]["labels"]),
    };
    let mut ports = Vec::new();
    for (i, p) in port_list.iter().enumerate() {
        let Ok(n) = p.parse::<i64>() else {
            return c.error(format!("strconv.Atoi: parsing {p:?}: invalid syntax"));
        };
        let protocol = e.protocol.clone().or_else(|| protocols.get(p).cloned()).unwrap_or_else(|| "TCP".into());
        let mut port = json!({"port": n, "protocol": protocol});
        if port_list.len() > 1 {
            port["name"] = json!(format!("port-{}", i + 1));
        }
        port["targetPort"] = match &e.target_port {
            Some(t) => int_or_string(t),
            None => json!(n),
        };
        ports.push(port);
    }
    let mut name: String = e.name.clone().unwrap_or_else(|| name_of(&obj));
    name.truncate(63);
    let mut meta = json!({"name": name});
    if !labels.is_empty() {
        meta["labels"] = Value::Object(labels);
    }
    let mut service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"ports": ports, "selector": selector},
        "status": {"loadBalancer": {}},
    });
    if let Some(t) = &e.service_type {
        service["spec"]["type"] = json!(t);
    }
    if let Some(ip) = &e.cluster_ip {
        service["spec"]["clusterIP"] = json!(ip);
    }
    let Some(svc_kind) = lookup("v1", "Service") else { return };
    if c.dry_run == DryRun::Client {
        c.print(svc_kind, &service, "exposed");
        return;
    }
    let req = c.request(Verb::Create, svc_kind, &namespace, "").with_body(service);
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(created) => c.print(svc_kind, &created, "exposed"),
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}
