//! The server-side table columns per resource (`pkg/printers/internalversion/printers.go`):
//! headers and cells, with the `-o wide` (priority 1) columns.

use super::{age, human_duration, parse_time, pod_status};
use crate::sim::Time;
use serde_json::Value;

fn s(v: &Value) -> String {
    match v {
        Value::String(x) => x.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn or_none(x: String) -> String {
    if x.is_empty() {
        "<none>".into()
    } else {
        x
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn selector_string(sel: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = sel["matchLabels"].as_object() {
        parts.extend(m.iter().map(|(k, v)| format!("{k}={}", s(v))));
    }
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let vals: Vec<String> = e["values"].as_array().into_iter().flatten().map(s).collect();
        let key = s(&e["key"]);
        parts.push(match e["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", vals.join(",")),
            "NotIn" => format!("{key} notin ({})", vals.join(",")),
            "Exists" => key,
            "DoesNotExist" => format!("!{key}"),
            _ => key,
        });
    }
    parts.join(",")
}

fn map_selector(m: &Value) -> String {
    m.as_object().map(|m| m.iter().map(|(k, v)| format!("{k}={}", s(v))).collect::<Vec<_>>().join(",")).unwrap_or_default()
}

fn containers_images(template_spec: &Value) -> (String, String) {
    let cs: Vec<&Value> = template_spec["containers"].as_array().into_iter().flatten().collect();
    (
        cs.iter().map(|c| s(&c["name"])).collect::<Vec<_>>().join(","),
        cs.iter().map(|c| s(&c["image"])).collect::<Vec<_>>().join(","),
    )
}

/// Column headers for a resource, upper-cased as kubectl prints them.
pub fn headers(resource: &str, wide: bool) -> Vec<&'static str> {
    let (base, extra): (&[&str], &[&str]) = match resource {
        "pods" => (&["NAME", "READY", "STATUS", "RESTARTS", "AGE"], &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]),
        "deployments" => (&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"]),
        "replicasets" | "replicationcontrollers" => {
            (&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"])
        }
        "statefulsets" => (&["NAME", "READY", "AGE"], &["CONTAINERS", "IMAGES"]),
        "daemonsets" => (
            &["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        "jobs" => (&["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"]),
        "cronjobs" => (
            &["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        "services" => (&["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], &["SELECTOR"]),
        "endpoints" => (&["NAME", "ENDPOINTS", "AGE"], &[]),
        "nodes" => (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
        ),
        "namespaces" => (&["NAME", "STATUS", "AGE"], &[]),
        "configmaps" => (&["NAME", "DATA", "AGE"], &[]),
        "secrets" => (&["NAME", "TYPE", "DATA", "AGE"], &[]),
        "serviceaccounts" => (&["NAME", "SECRETS", "AGE"], &[]),
        "events" => (&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"]),
        "ingresses" => (&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[]),
        "persistentvolumeclaims" => (
            &["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
            &["VOLUMEMODE"],
        ),
        _ => (&["NAME", "AGE"], &[]),
    };
    let mut h = base.to_vec();
    if wide {
        h.extend_from_slice(extra);
    }
    h
}

fn access_modes(modes: &Value) -> String {
    modes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| match m.as_str()? {
            "ReadWriteOnce" => Some("RWO"),
            "ReadOnlyMany" => Some("ROX"),
            "ReadWriteMany" => Some("RWX"),
            "ReadWriteOncePod" => Some("RWOP"),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The cells of one object, matching [`headers`].
pub fn columns(resource: &str, obj: &Value, now: Time, wide: bool) -> Vec<String> {
    let name = s(&obj["metadata"]["name"]);
    let spec = &obj["spec"];
    let status = &obj["status"];
    let age = age(obj, now);
    let (mut base, extra): (Vec<String>, Vec<String>) = match resource {
        "pods" => {
            let total = spec["containers"].as_array().map_or(0, Vec::len);
            let statuses: Vec<&Value> = status["containerStatuses"].as_array().into_iter().flatten().collect();
            let ready = statuses.iter().filter(|c| c["ready"].as_bool() == Some(true)).count();
            let restarts: i64 = statuses.iter().map(|c| int(&c["restartCount"])).sum();
            let last = statuses
                .iter()
                .filter_map(|c| c["lastState"]["terminated"]["finishedAt"].as_str().and_then(parse_time))
                .max();
            let restarts = match last {
                Some(t) if restarts > 0 => format!("{restarts} ({} ago)", human_duration(now.as_ms() as i64 - t)),
                _ => restarts.to_string(),
            };
            let gates = spec["readinessGates"].as_array().map_or(0, Vec::len);
            (
                vec![name, format!("{ready}/{total}"), pod_status(obj), restarts, age],
                vec![
                    or_none(s(&status["podIP"])),
                    or_none(s(&spec["nodeName"])),
                    or_none(s(&status["nominatedNodeName"])),
                    if gates == 0 { "<none>".into() } else { format!("0/{gates}") },
                ],
            )
        }
        "deployments" => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            (
                vec![
                    name,
                    format!("{}/{}", int(&status["readyReplicas"]), int(&spec["replicas"])),
                    int(&status["updatedReplicas"]).to_string(),
                    int(&status["availableReplicas"]).to_string(),
                    age,
                ],
                vec![c, i, selector_string(&spec["selector"])],
            )
        }
        "replicasets" | "replicationcontrollers" => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            let sel = if resource == "replicasets" { selector_string(&spec["selector"]) } else { map_selector(&spec["selector"]) };
            (
                vec![
                    name,
                    int(&spec["replicas"]).to_string(),
                    int(&status["replicas"]).to_string(),
                    int(&status["readyReplicas"]).to_string(),
                    age,
                ],
                vec![c, i, sel],
            )
        }
        "statefulsets" => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            (vec![name, format!("{}/{}", int(&status["readyReplicas"]), int(&spec["replicas"])), age], vec![c, i])
        }
        "daemonsets" => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            (
                vec![
                    name,
                    int(&status["desiredNumberScheduled"]).to_string(),
                    int(&status["currentNumberScheduled"]).to_string(),
                    int(&status["numberReady"]).to_string(),
                    int(&status["updatedNumberScheduled"]).to_string(),
                    int(&status["numberAvailable"]).to_string(),
                    or_none(map_selector(&spec["template"]["spec"]["nodeSelector"])),
                    age,
                ],
                vec![c, i, selector_string(&spec["selector"])],
            )
        }
        "jobs" => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            let conds: Vec<&Value> = status["conditions"].as_array().into_iter().flatten().filter(|c| c["status"] == "True").collect();
            let state = if conds.iter().any(|c| c["type"] == "Complete") {
                "Complete"
            } else if conds.iter().any(|c| c["type"] == "Failed") {
                "Failed"
            } else if conds.iter().any(|c| c["type"] == "Suspended") {
                "Suspended"
            } else {
                "Running"
            };
            let completions = match spec["completions"].as_i64() {
                Some(n) => format!("{}/{n}", int(&status["succeeded"])),
                None => format!("{}/1 of {}", int(&status["succeeded"]), spec["parallelism"].as_i64().unwrap_or(1)),
            };
            let duration = match (status["startTime"].as_str().and_then(parse_time), status["completionTime"].as_str().and_then(parse_time)) {
                (Some(a), Some(b)) => human_duration(b - a),
                (Some(a), None) => human_duration(now.as_ms() as i64 - a),
                _ => String::new(),
            };
            (vec![name, state.into(), completions, duration, age], vec![c, i, selector_string(&spec["selector"])])
        }
        "cronjobs" => {
            let (c, i) = containers_images(&spec["jobTemplate"]["spec"]["template"]["spec"]);
            let last = status["lastScheduleTime"]
                .as_str()
                .and_then(parse_time)
                .map_or("<none>".into(), |t| human_duration(now.as_ms() as i64 - t));
            (
                vec![
                    name,
                    s(&spec["schedule"]),
                    or_none(s(&spec["timeZone"])),
                    spec["suspend"].as_bool().unwrap_or(false).to_string().replace("false", "False").replace("true", "True"),
                    status["active"].as_array().map_or(0, Vec::len).to_string(),
                    last,
                    age,
                ],
                vec![c, i, selector_string(&spec["jobTemplate"]["spec"]["selector"])],
            )
        }
        "services" => {
            let ty = s(&spec["type"]);
            let external = match ty.as_str() {
                "ExternalName" => s(&spec["externalName"]),
                "LoadBalancer" => {
                    let ips: Vec<String> = status["loadBalancer"]["ingress"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|i| if i["ip"].is_null() { s(&i["hostname"]) } else { s(&i["ip"]) })
                        .collect();
                    if ips.is_empty() { "<pending>".into() } else { ips.join(",") }
                }
                _ => spec["externalIPs"].as_array().map(|a| a.iter().map(s).collect::<Vec<_>>().join(",")).unwrap_or_default(),
            };
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| match p["nodePort"].as_i64() {
                    Some(np) => format!("{}:{np}/{}", int(&p["port"]), s(&p["protocol"])),
                    None => format!("{}/{}", int(&p["port"]), s(&p["protocol"])),
                })
                .collect();
            (
                vec![name, ty, or_none(s(&spec["clusterIP"])), or_none(external), or_none(ports.join(",")), age],
                vec![or_none(map_selector(&spec["selector"]))],
            )
        }
        "endpoints" => {
            let mut eps = Vec::new();
            for sub in obj["subsets"].as_array().into_iter().flatten() {
                for a in sub["addresses"].as_array().into_iter().flatten() {
                    for p in sub["ports"].as_array().into_iter().flatten() {
                        eps.push(format!("{}:{}", s(&a["ip"]), int(&p["port"])));
                    }
                }
            }
            let shown = if eps.len() > 3 { format!("{} + {} more...", eps[..3].join(","), eps.len() - 3) } else { eps.join(",") };
            (vec![name, or_none(shown), age], vec![])
        }
        "nodes" => {
            let conds: Vec<&Value> = status["conditions"].as_array().into_iter().flatten().collect();
            let mut st = match conds.iter().find(|c| c["type"] == "Ready").map(|c| s(&c["status"])) {
                Some(x) if x == "True" => "Ready".to_string(),
                Some(x) if x == "False" => "NotReady".to_string(),
                _ => "Unknown".to_string(),
            };
            if spec["unschedulable"].as_bool() == Some(true) {
                st.push_str(",SchedulingDisabled");
            }
            let roles: Vec<String> = obj["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(str::to_string))
                .collect();
            let info = &status["nodeInfo"];
            let addr = |t: &str| {
                status["addresses"].as_array().into_iter().flatten().find(|a| a["type"] == t).map(|a| s(&a["address"])).unwrap_or_default()
            };
            (
                vec![name, st, or_none(roles.join(",")), age, s(&info["kubeletVersion"])],
                vec![
                    or_none(addr("InternalIP")),
                    or_none(addr("ExternalIP")),
                    s(&info["osImage"]),
                    s(&info["kernelVersion"]),
                    s(&info["containerRuntimeVersion"]),
                ],
            )
        }
        "namespaces" => (vec![name, s(&status["phase"]), age], vec![]),
        "configmaps" => {
            let n = obj["data"].as_object().map_or(0, |m| m.len()) + obj["binaryData"].as_object().map_or(0, |m| m.len());
            (vec![name, n.to_string(), age], vec![])
        }
        "secrets" => {
            let n = obj["data"].as_object().map_or(0, |m| m.len());
            (vec![name, s(&obj["type"]), n.to_string(), age], vec![])
        }
        "serviceaccounts" => (vec![name, obj["secrets"].as_array().map_or(0, Vec::len).to_string(), age], vec![]),
        "events" => {
            let last = obj["lastTimestamp"]
                .as_str()
                .or(obj["eventTime"].as_str())
                .and_then(parse_time)
                .map_or("<unknown>".into(), |t| human_duration(now.as_ms() as i64 - t));
            let first = obj["firstTimestamp"].as_str().and_then(parse_time).map_or("<unknown>".into(), |t| human_duration(now.as_ms() as i64 - t));
            let inv = &obj["involvedObject"];
            let object = format!("{}/{}", s(&inv["kind"]).to_ascii_lowercase(), s(&inv["name"]));
            (
                vec![last, s(&obj["type"]), s(&obj["reason"]), object, s(&obj["message"])],
                vec![s(&inv["fieldPath"]), s(&obj["source"]["component"]), first, int(&obj["count"]).to_string(), name],
            )
        }
        "ingresses" => {
            let hosts: Vec<String> = spec["rules"].as_array().into_iter().flatten().filter_map(|r| r["host"].as_str().map(str::to_string)).collect();
            let tls = spec["tls"].as_array().is_some_and(|t| !t.is_empty());
            (
                vec![name, or_none(s(&spec["ingressClassName"])), if hosts.is_empty() { "*".into() } else { hosts.join(",") }, String::new(), if tls { "80, 443".into() } else { "80".into() }, age],
                vec![],
            )
        }
        "persistentvolumeclaims" => (
            vec![
                name,
                s(&status["phase"]),
                s(&spec["volumeName"]),
                s(&status["capacity"]["storage"]),
                access_modes(&status["accessModes"]),
                or_none(s(&spec["storageClassName"])),
                or_none(s(&spec["volumeAttributesClassName"])),
                age,
            ],
            vec![s(&spec["volumeMode"])],
        ),
        _ => (vec![name, age], vec![]),
    };
    if wide {
        base.extend(extra);
    }
    base
}
