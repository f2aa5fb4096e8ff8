//! kubectl's `NodeDescriber`: roles, taints, the Lease, conditions, addresses, capacity, system
//! info, and `describeNodeResource` (the node's pods' requests and limits against allocatable).

use crate::sim::Time;
use serde_json::Value;
use super::fields::{annotations_multiline, arr, labels_multiline, rfc1123z, s, since, string_map};
use super::Related;
use super::tabwriter::PrefixWriter;

pub(super) fn node(w: &mut PrefixWriter, node: &Value, related: &Related, now: Time) {
    let status = &node["status"];
    w.write(0, &format!("Name:\t{}\n", s(node, &["metadata", "name"])));
    let roles: Vec<String> = string_map(&node["metadata"]["labels"])
        .into_iter()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string).or_else(|| (k == "kubernetes.io/role").then(String::new)))
        .filter(|r| !r.is_empty())
        .collect();
    w.write(0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    labels_multiline(w, "", "Labels", &node["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &node["metadata"]["annotations"]);
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(s(node, &["metadata", "creationTimestamp"]))));
    let mut taints = arr(node, &["spec", "taints"]).to_vec();
    w.write(0, "Taints:\t");
    if taints.is_empty() {
        w.write(0, "<none>\n");
    }
    taints.sort_by_key(|t| format!("{},{}", s(t, &["effect"]), s(t, &["key"])));
    for (i, t) in taints.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        let value = s(t, &["value"]);
        let kv = if value.is_empty() { s(t, &["key"]).to_string() } else { format!("{}={value}", s(t, &["key"])) };
        w.write(0, &format!("{kv}:{}\n", s(t, &["effect"])));
    }
    w.write(0, &format!("Unschedulable:\t{}\n", node["spec"]["unschedulable"].as_bool() == Some(true)));
    match &related.lease {
        Some(Err(e)) => w.write(0, &format!("Lease:\tFailed to get lease: {e}\n")),
        lease => {
            w.write(0, "Lease:\n");
            let spec = lease.as_ref().and_then(|l| l.as_ref().ok()).map(|l| &l["spec"]);
            let field = |f: &str, time: bool| match spec.and_then(|l| l[f].as_str()) {
                Some(v) if time => rfc1123z(v),
                Some(v) => v.to_string(),
                None => "<unset>".to_string(),
            };
            w.write(1, &format!("HolderIdentity:\t{}\n", field("holderIdentity", false)));
            w.write(1, &format!("AcquireTime:\t{}\n", field("acquireTime", true)));
            w.write(1, &format!("RenewTime:\t{}\n", field("renewTime", true)));
        }
    }
    let conditions = arr(status, &["conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    s(c, &["type"]),
                    s(c, &["status"]),
                    rfc1123z(s(c, &["lastHeartbeatTime"])),
                    rfc1123z(s(c, &["lastTransitionTime"])),
                    s(c, &["reason"]),
                    s(c, &["message"])
                ),
            );
        }
    }
    w.write(0, "Addresses:\n");
    for a in arr(status, &["addresses"]) {
        w.write(1, &format!("{}:\t{}\n", s(a, &["type"]), s(a, &["address"])));
    }
    for (label, field) in [("Capacity", "capacity"), ("Allocatable", "allocatable")] {
        let m = string_map(&status[field]);
        if !m.is_empty() {
            w.write(0, &format!("{label}:\n"));
            let mut m = m;
            m.sort();
            for (k, v) in m {
                w.write(0, &format!("  {k}:\t{v}\n"));
            }
        }
    }
    let info = &status["nodeInfo"];
    w.write(0, "System Info:\n");
    for (label, f) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
    ] {
        w.write(0, &format!("  {label}:\t{}\n", s(info, &[f])));
    }
    if let Some(cidr) = node["spec"]["podCIDR"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("PodCIDR:\t{cidr}\n"));
    }
    let cidrs: Vec<&str> = arr(node, &["spec", "podCIDRs"]).iter().filter_map(Value::as_str).collect();
    if !cidrs.is_empty() {
        w.write(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if let Some(p) = node["spec"]["providerID"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("ProviderID:\t{p}\n"));
    }
    node_resources(w, node, &related.pods, now);
}

/// `describeNodeResource`: the node's non-terminated pods with their requests and limits as
/// fractions of the allocatable CPU and memory.
pub(super) fn node_resources(w: &mut PrefixWriter, node: &Value, pods: &[Value], now: Time) {
    let alloc = if node["status"]["allocatable"].as_object().is_some_and(|m| !m.is_empty()) { &node["status"]["allocatable"] } else { &node["status"]["capacity"] };
    let alloc_cpu = alloc["cpu"].as_str().map_or(0, milli_cpu);
    let alloc_mem = alloc["memory"].as_str().map_or(0, bytes);
    let alloc_eph = alloc["ephemeral-storage"].as_str().map_or(0, bytes);
    let pct = |x: i64, of: i64| if of == 0 { 0 } else { (x as f64 / of as f64 * 100.0) as i64 };
    w.write(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut totals = [0i64; 6];
    for p in pods {
        let sum = |kind: &str, res: &str, parse: fn(&str) -> i64| -> i64 {
            arr(p, &["spec", "containers"]).iter().map(|c| c["resources"][kind][res].as_str().map_or(0, parse)).fold(0i64, i64::saturating_add)
        };
        let v = [
            sum("requests", "cpu", milli_cpu),
            sum("limits", "cpu", milli_cpu),
            sum("requests", "memory", bytes),
            sum("limits", "memory", bytes),
            sum("requests", "ephemeral-storage", bytes),
            sum("limits", "ephemeral-storage", bytes),
        ];
        for (t, x) in totals.iter_mut().zip(v) {
            *t = t.saturating_add(x);
        }
        w.write(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                s(p, &["metadata", "namespace"]),
                s(p, &["metadata", "name"]),
                cpu_string(v[0]),
                pct(v[0], alloc_cpu),
                cpu_string(v[1]),
                pct(v[1], alloc_cpu),
                bytes_string(v[2]),
                pct(v[2], alloc_mem),
                bytes_string(v[3]),
                pct(v[3], alloc_mem),
                since(s(p, &["metadata", "creationTimestamp"]), now)
            ),
        );
    }
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    w.write(1, &format!("cpu\t{} ({}%)\t{} ({}%)\n", cpu_string(totals[0]), pct(totals[0], alloc_cpu), cpu_string(totals[1]), pct(totals[1], alloc_cpu)));
    w.write(1, &format!("memory\t{} ({}%)\t{} ({}%)\n", bytes_string(totals[2]), pct(totals[2], alloc_mem), bytes_string(totals[3]), pct(totals[3], alloc_mem)));
    w.write(
        1,
        &format!("ephemeral-storage\t{} ({}%)\t{} ({}%)\n", bytes_string(totals[4]), pct(totals[4], alloc_eph), bytes_string(totals[5]), pct(totals[5], alloc_eph)),
    );
}

/// A CPU quantity in millicores (`500m`, `2`, `0.5`).
pub(super) fn milli_cpu(q: &str) -> i64 {
    match q.strip_suffix('m') {
        Some(m) => m.parse().unwrap_or(0),
        None => q.parse::<f64>().map_or(0, |c| (c * 1000.0).round() as i64),
    }
}

/// A byte quantity (`128Mi`, `1G`, `1000`).
pub(super) fn bytes(q: &str) -> i64 {
    const SUFFIXES: [(&str, i64); 10] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(num) = q.strip_suffix(suffix) {
            return num.parse::<f64>().map_or(0, |x| (x * factor as f64) as i64);
        }
    }
    q.parse::<f64>().map_or(0, |x| x as i64)
}

pub(super) fn cpu_string(milli: i64) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

/// A byte count as a canonical binary quantity when it is a whole number of Ki/Mi/Gi.
pub(super) fn bytes_string(b: i64) -> String {
    for (suffix, factor) in [("Gi", 1i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if b != 0 && b % factor == 0 {
            return format!("{}{suffix}", b / factor);
        }
    }
    b.to_string()
}
