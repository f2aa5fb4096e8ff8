//! The server-side table columns per resource (`pkg/printers/internalversion/printers.go`):
//! headers and cells, with the `-o wide` (priority 1) columns.

use super::{age, human_duration, parse_time};
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

fn or_unset(v: &Value) -> String {
    match v.as_str() {
        Some(x) => x.to_string(),
        None => "<unset>".into(),
    }
}

/// `status.phase`, or `Terminating` once a deletion is under way (claims and volumes).
fn phase_or_terminating(obj: &Value) -> String {
    if obj["metadata"]["deletionTimestamp"].is_null() {
        s(&obj["status"]["phase"])
    } else {
        "Terminating".into()
    }
}

/// `GetPersistentVolumeClaimClass`: the field, else the beta annotation.
fn claim_class(obj: &Value) -> String {
    match obj["spec"]["storageClassName"].as_str() {
        Some(c) => c.to_string(),
        None => s(&obj["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"]),
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

/// `formatHPAMetrics`: `cpu: 12%/80%` per metric (`<unknown>` until the controller reports
/// one), at most two and then `+ N more...`, `<none>` without metrics.
fn hpa_metrics(spec: &Value, status: &Value) -> String {
    let specs: Vec<&Value> = spec["metrics"].as_array().into_iter().flatten().collect();
    if specs.is_empty() {
        return "<none>".into();
    }
    let current = |i: usize, kind: &str| &status["currentMetrics"][i][kind]["current"];
    let value = |v: &Value| if v.is_null() { "<unknown>".to_string() } else { s(v) };
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, m)| match m["type"].as_str().unwrap_or("") {
            "Resource" | "ContainerResource" => {
                let field = if m["type"] == "Resource" { "resource" } else { "containerResource" };
                let r = &m[field];
                let target = &r["target"];
                if !target["averageValue"].is_null() {
                    format!("{}: {}/{}", s(&r["name"]), value(&current(i, field)["averageValue"]), s(&target["averageValue"]))
                } else {
                    let now = current(i, field)["averageUtilization"].as_i64().map_or("<unknown>".to_string(), |u| format!("{u}%"));
                    let want = target["averageUtilization"].as_i64().map_or("<auto>".to_string(), |u| format!("{u}%"));
                    format!("{}: {now}/{want}", s(&r["name"]))
                }
            }
            "Pods" => format!("{}/{}", value(&current(i, "pods")["averageValue"]), s(&m["pods"]["target"]["averageValue"])),
            "Object" | "External" => {
                let field = if m["type"] == "Object" { "object" } else { "external" };
                let target = &m[field]["target"];
                if !target["averageValue"].is_null() {
                    format!("{}/{} (avg)", value(&current(i, field)["averageValue"]), s(&target["averageValue"]))
                } else {
                    format!("{}/{}", value(&current(i, field)["value"]), s(&target["value"]))
                }
            }
            _ => "<unknown type>".into(),
        })
        .collect();
    if list.len() > 2 {
        return format!("{} + {} more...", list[..2].join(", "), list.len() - 2);
    }
    list.join(", ")
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
        "endpointslices" => (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
        "nodes" => (
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
        ),
        "namespaces" => (&["NAME", "STATUS", "AGE"], &[]),
        "leases" => (&["NAME", "HOLDER", "AGE"], &[]),
        "poddisruptionbudgets" => (&["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], &[]),
        "configmaps" => (&["NAME", "DATA", "AGE"], &[]),
        "secrets" => (&["NAME", "TYPE", "DATA", "AGE"], &[]),
        "serviceaccounts" => (&["NAME", "SECRETS", "AGE"], &[]),
        // printEvent's columns: the wide ones SUBOBJECT and SOURCE sit before MESSAGE.
        "events" if wide => (&["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE"], &["FIRST SEEN", "COUNT", "NAME"]),
        "events" => (&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &[]),
        "ingresses" => (&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[]),
        "horizontalpodautoscalers" => (&["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], &[]),
        "persistentvolumeclaims" => (
            &["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
            &["VOLUMEMODE"],
        ),
        "persistentvolumes" => (
            &["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"],
            &["VOLUMEMODE"],
        ),
        "storageclasses" => (&["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"], &[]),
        "controllerrevisions" => (&["NAME", "CONTROLLER", "REVISION", "AGE"], &[]),
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
            let row = super::pod_status::pod_row(obj);
            let (ready, total, restarts) = (row.ready, row.total, row.restarts);
            let last = row.last_restart.as_deref().and_then(parse_time);
            let restarts = match last {
                Some(t) if restarts > 0 => format!("{restarts} ({} ago)", human_duration(now.as_ms() as i64 - t)),
                _ => restarts.to_string(),
            };
            let gates = spec["readinessGates"].as_array().map_or(0, Vec::len);
            (
                vec![name, format!("{ready}/{total}"), row.reason, restarts, age],
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
        "endpointslices" => {
            // printEndpointSlice: at most three ports (the number, else the name, else `*`) and
            // three addresses, then `+ N more...`; an empty list is `<unset>`.
            let ports: Vec<String> = obj["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| if p["port"].is_i64() { int(&p["port"]).to_string() } else if p["name"].is_string() { s(&p["name"]) } else { "*".into() })
                .collect();
            let addresses: Vec<String> = obj["endpoints"].as_array().into_iter().flatten().flat_map(|e| e["addresses"].as_array().into_iter().flatten().map(s)).collect();
            let list = |items: &[String]| match items.len() {
                0 => "<unset>".to_string(),
                n if n > 3 => format!("{} + {} more...", items[..3].join(","), n - 3),
                _ => items.join(","),
            };
            (vec![name, s(&obj["addressType"]), list(&ports), list(&addresses), age], vec![])
        }
        "nodes" => {
            let conds: Vec<&Value> = status["conditions"].as_array().into_iter().flatten().collect();
            let mut st = match conds.iter().find(|c| c["type"] == "Ready").map(|c| s(&c["status"])) {
                Some(x) if x == "True" => "Ready".to_string(),
                // printNode: any other status of Ready (False or Unknown) is NotReady; only a
                // node without the condition is Unknown.
                Some(_) => "NotReady".to_string(),
                None => "Unknown".to_string(),
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
        "leases" => (vec![name, s(&obj["spec"]["holderIdentity"]), age], vec![]),
        // printPodDisruptionBudget: an unset bound is N/A.
        "poddisruptionbudgets" => {
            let bound = |v: &Value| if v.is_null() { "N/A".to_string() } else { s(v) };
            let allowed = status["disruptionsAllowed"].as_i64().unwrap_or(0).to_string();
            (vec![name, bound(&spec["minAvailable"]), bound(&spec["maxUnavailable"]), allowed, age], vec![])
        }
        "configmaps" => {
            let n = obj["data"].as_object().map_or(0, |m| m.len()) + obj["binaryData"].as_object().map_or(0, |m| m.len());
            (vec![name, n.to_string(), age], vec![])
        }
        "secrets" => {
            let n = obj["data"].as_object().map_or(0, |m| m.len());
            (vec![name, s(&obj["type"]), n.to_string(), age], vec![])
        }
        "serviceaccounts" => (vec![name, obj["secrets"].as_array().map_or(0, Vec::len).to_string(), age], vec![]),
        // printEvent: the first timestamp falls back to eventTime, the last to the first; a
        // series (events.k8s.io) gives the last observation and the count; an event with no
        // count (the new API's singletons) counts 1.
        "events" => {
            let ago = |t: Option<&str>| t.and_then(parse_time).map_or("<unknown>".to_string(), |t| human_duration(now.as_ms() as i64 - t));
            let first = match obj["firstTimestamp"].as_str().filter(|t| !t.is_empty()) {
                Some(t) => ago(Some(t)),
                None => ago(obj["eventTime"].as_str()),
            };
            let mut last = match obj["lastTimestamp"].as_str().filter(|t| !t.is_empty()) {
                Some(t) => ago(Some(t)),
                None => first.clone(),
            };
            let mut count = obj["count"].as_i64().unwrap_or(0);
            if obj["series"].is_object() {
                last = ago(obj["series"]["lastObservedTime"].as_str());
                count = obj["series"]["count"].as_i64().unwrap_or(0);
            } else if count == 0 {
                count = 1;
            }
            let inv = &obj["involvedObject"];
            let kind = s(&inv["kind"]).to_ascii_lowercase();
            let object = if s(&inv["name"]).is_empty() { kind } else { format!("{kind}/{}", s(&inv["name"])) };
            // formatEventSource: the source, else the reporting controller and instance.
            let first_non_empty = |a: String, b: String| if a.is_empty() { b } else { a };
            let component = first_non_empty(s(&obj["source"]["component"]), s(&obj["reportingComponent"]));
            let instance = first_non_empty(s(&obj["source"]["host"]), s(&obj["reportingInstance"]));
            let source = if instance.is_empty() { component } else { format!("{component}, {instance}") };
            let message = s(&obj["message"]).trim().to_string();
            // The wide columns are not all at the end: SUBOBJECT and SOURCE come before MESSAGE.
            if wide {
                (vec![last, s(&obj["type"]), s(&obj["reason"]), object, s(&inv["fieldPath"]), source, message], vec![first, count.to_string(), name])
            } else {
                (vec![last, s(&obj["type"]), s(&obj["reason"]), object, message], vec![])
            }
        }
        // printHorizontalPodAutoscaler (autoscaling/v2).
        "horizontalpodautoscalers" => {
            let target = &spec["scaleTargetRef"];
            let min = spec["minReplicas"].as_i64().map_or("<unset>".to_string(), |m| m.to_string());
            (
                vec![name, format!("{}/{}", s(&target["kind"]), s(&target["name"])), hpa_metrics(spec, status), min, int(&spec["maxReplicas"]).to_string(), int(&status["currentReplicas"]).to_string(), age],
                vec![],
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
        // printPersistentVolumeClaim: capacity and access modes only once bound; unset
        // optional fields print as `<unset>`.
        "persistentvolumeclaims" => {
            let bound = !s(&spec["volumeName"]).is_empty();
            (
                vec![
                    name,
                    phase_or_terminating(obj),
                    s(&spec["volumeName"]),
                    if bound { s(&status["capacity"]["storage"]) } else { String::new() },
                    if bound { access_modes(&status["accessModes"]) } else { String::new() },
                    claim_class(obj),
                    or_unset(&spec["volumeAttributesClassName"]),
                    age,
                ],
                vec![or_unset(&spec["volumeMode"])],
            )
        }
        "persistentvolumes" => {
            let claim = &spec["claimRef"];
            let claim = if claim.is_object() { format!("{}/{}", s(&claim["namespace"]), s(&claim["name"])) } else { String::new() };
            let class = match spec["storageClassName"].as_str() {
                Some(c) => c.to_string(),
                None => s(&obj["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"]),
            };
            (
                vec![
                    name,
                    s(&spec["capacity"]["storage"]),
                    access_modes(&spec["accessModes"]),
                    s(&spec["persistentVolumeReclaimPolicy"]),
                    phase_or_terminating(obj),
                    claim,
                    class,
                    or_unset(&spec["volumeAttributesClassName"]),
                    s(&status["reason"]),
                    age,
                ],
                vec![or_unset(&spec["volumeMode"])],
            )
        }
        "storageclasses" => {
            let default = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
                .iter()
                .any(|a| obj["metadata"]["annotations"][*a] == "true");
            (
                vec![
                    if default { format!("{name} (default)") } else { name },
                    s(&obj["provisioner"]),
                    obj["reclaimPolicy"].as_str().unwrap_or("Delete").to_string(),
                    obj["volumeBindingMode"].as_str().unwrap_or("Immediate").to_string(),
                    obj["allowVolumeExpansion"].as_bool().unwrap_or(false).to_string(),
                    age,
                ],
                vec![],
            )
        }
        // printControllerRevision: the controller as `<kind>.<group>/<name>`.
        "controllerrevisions" => {
            let owner = obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().find(|r| r["controller"] == Value::Bool(true));
            let controller = owner.map_or_else(
                || "<none>".to_string(),
                |r| {
                    let group = s(&r["apiVersion"]).rsplit_once('/').map(|(g, _)| format!(".{g}")).unwrap_or_default();
                    format!("{}{group}/{}", s(&r["kind"]).to_lowercase(), s(&r["name"]))
                },
            );
            (vec![name, controller, int(&obj["revision"]).to_string(), age], vec![])
        }
        _ => (vec![name, age], vec![]),
    };
    if wide {
        base.extend(extra);
    }
    base
}
