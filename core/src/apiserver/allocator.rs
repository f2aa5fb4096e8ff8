//! The Service registry's allocators: ClusterIPs from the service CIDR (kubeadm's 10.96.0.0/12,
//! the `kubernetes` Service holding the first address) and NodePorts from 30000-32767.
//!
//! Since the MultiCIDRServiceAllocator (GA in 1.33) every ClusterIP is an `IPAddress` object named
//! by the address (`/registry/ipaddresses/10.96.12.34`), which is how this allocator knows which
//! addresses are taken. Addresses and ports are drawn at random, as the real allocators do, from
//! the run's seeded RNG.

use super::{storage, Status};
use crate::sim::Rng;
use crate::store::Store;
use serde_json::{json, Value};

const CIDR_BASE: u32 = 0x0A60_0000; // 10.96.0.0
const CIDR_SIZE: u32 = 1 << 20; // /12
const NODE_PORT_MIN: i64 = 30000;
const NODE_PORT_MAX: i64 = 32767;

fn ip_string(ip: u32) -> String {
    format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff)
}

fn taken(store: &Store, ip: &str) -> bool {
    storage::get(store, &format!("/registry/ipaddresses/{ip}")).ok().flatten().is_some()
}

/// Fills `spec.clusterIP(s)`, `ipFamilies`, `ipFamilyPolicy` and node ports of a new Service.
/// Returns the addresses whose `IPAddress` objects must be written with it.
pub fn allocate(store: &Store, rng: &mut Rng, svc: &mut Value) -> Result<Vec<String>, Status> {
    let name = svc["metadata"]["name"].as_str().unwrap_or("").to_string();
    let spec = &mut svc["spec"];
    let ty = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    let requested = spec["clusterIP"].as_str().map(str::to_string);
    if ty == "ExternalName" {
        return Ok(Vec::new());
    }
    let mut new_ips = Vec::new();
    match requested.as_deref() {
        Some("None") => {
            spec["clusterIPs"] = json!(["None"]);
        }
        Some(ip) if !ip.is_empty() => {
            if taken(store, ip) {
                let msg = format!("Service \"{}\" is invalid: spec.clusterIPs: Invalid value: [\"{ip}\"]: failed to allocate IP {ip}: provided IP is already allocated", name);
                return Err(Status { code: 422, reason: "Invalid", message: msg });
            }
            spec["clusterIPs"] = json!([ip]);
            new_ips.push(ip.to_string());
        }
        _ => {
            // Random offsets, skipping the network address, the first address (the `kubernetes`
            // Service's) and the broadcast address; bounded tries, then a linear scan.
            let mut chosen = None;
            for _ in 0..64 {
                let offset = 2 + rng.below(u64::from(CIDR_SIZE - 3)) as u32;
                let ip = ip_string(CIDR_BASE + offset);
                if !taken(store, &ip) {
                    chosen = Some(ip);
                    break;
                }
            }
            let chosen = chosen
                .or_else(|| (2..CIDR_SIZE - 1).map(|o| ip_string(CIDR_BASE + o)).find(|ip| !taken(store, ip)))
                .ok_or_else(|| Status::internal("failed to allocate a serviceIP: range is full"))?;
            spec["clusterIP"] = json!(chosen);
            spec["clusterIPs"] = json!([chosen]);
            new_ips.push(chosen);
        }
    }
    if spec["ipFamilies"].is_null() {
        spec["ipFamilies"] = json!(["IPv4"]);
    }
    if spec["ipFamilyPolicy"].is_null() {
        spec["ipFamilyPolicy"] = json!("SingleStack");
    }
    if ty == "NodePort" || ty == "LoadBalancer" {
        let used = used_node_ports(store);
        if let Some(ports) = spec["ports"].as_array_mut() {
            let mut taken_now: Vec<i64> = Vec::new();
            for p in ports {
                if p["nodePort"].as_i64().is_some() {
                    continue;
                }
                let span = (NODE_PORT_MAX - NODE_PORT_MIN + 1) as u64;
                let mut port = NODE_PORT_MIN + rng.below(span) as i64;
                while used.contains(&port) || taken_now.contains(&port) {
                    port = if port == NODE_PORT_MAX { NODE_PORT_MIN } else { port + 1 };
                }
                taken_now.push(port);
                p["nodePort"] = json!(port);
            }
        }
    }
    Ok(new_ips)
}

fn used_node_ports(store: &Store) -> Vec<i64> {
    storage::list(store, "/registry/services/specs/", None, 0)
        .map(|(items, _, _)| {
            items
                .iter()
                .flat_map(|s| s.object["spec"]["ports"].as_array().cloned().unwrap_or_default())
                .filter_map(|p| p["nodePort"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

/// The `IPAddress` object recording that `ip` belongs to the Service.
pub fn ip_address_object(ip: &str, namespace: &str, service: &str, created: &str, uid: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IPAddress",
        "metadata": {
            "name": ip,
            "labels": {"ipaddress.kubernetes.io/ip-family": "IPv4", "ipaddress.kubernetes.io/managed-by": "ipallocator.k8s.io"},
            "creationTimestamp": created,
            "uid": uid,
        },
        "spec": {"parentRef": {"group": "", "resource": "services", "namespace": namespace, "name": service}}
    })
}
