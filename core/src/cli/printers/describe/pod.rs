//! kubectl's `PodDescriber` and the pieces other describers reuse: containers with their state,
//! probes, environment and mounts (`describeContainers`), volumes (`describeVolumes`), tolerations,
//! the QoS class, and `DescribePodTemplate`.

use crate::sim::Time;
use serde_json::Value;
use super::fields::{annotations_multiline, arr, controlled_by, labels_multiline, n, rfc1123z, s, since, string_map};
use super::tabwriter::PrefixWriter;

pub(super) fn pod(w: &mut PrefixWriter, p: &Value, now: Time) {
    let spec = &p["spec"];
    let status = &p["status"];
    w.write(0, &format!("Name:\t{}\n", s(p, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(p, &["metadata", "namespace"])));
    if let Some(prio) = spec["priority"].as_i64() {
        w.write(0, &format!("Priority:\t{prio}\n"));
    }
    if let Some(pc) = spec["priorityClassName"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(rc) = spec["runtimeClassName"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("Runtime Class Name:\t{rc}\n"));
    }
    if let Some(sa) = spec["serviceAccountName"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("Service Account:\t{sa}\n"));
    }
    match spec["nodeName"].as_str().filter(|x| !x.is_empty()) {
        None => w.write(0, "Node:\t<none>\n"),
        Some(node) => w.write(0, &format!("Node:\t{node}/{}\n", s(status, &["hostIP"]))),
    }
    if let Some(start) = status["startTime"].as_str() {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(start)));
    }
    labels_multiline(w, "", "Labels", &p["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &p["metadata"]["annotations"]);
    let phase = s(status, &["phase"]);
    match p["metadata"]["deletionTimestamp"].as_str() {
        Some(ts) if phase != "Failed" && phase != "Succeeded" => {
            w.write(0, &format!("Status:\tTerminating (lasts {})\n", since(ts, now)));
            w.write(0, &format!("Termination Grace Period:\t{}s\n", n(p, &["metadata", "deletionGracePeriodSeconds"])));
        }
        _ => w.write(0, &format!("Status:\t{phase}\n")),
    }
    for (label, field) in [("Reason", "reason"), ("Message", "message")] {
        if let Some(x) = status[field].as_str().filter(|x| !x.is_empty()) {
            w.write(0, &format!("{label}:\t{x}\n"));
        }
    }
    w.write(0, &format!("IP:\t{}\n", s(status, &["podIP"])));
    let ips = arr(status, &["podIPs"]);
    if ips.is_empty() {
        w.write(0, "IPs:\t<none>\n");
    } else {
        w.write(0, "IPs:\n");
        for ip in ips {
            w.write(1, &format!("IP:\t{}\n", s(ip, &["ip"])));
        }
    }
    if let Some(c) = controlled_by(p) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(nn) = status["nominatedNodeName"].as_str().filter(|x| !x.is_empty()) {
        w.write(0, &format!("NominatedNodeName:\t{nn}\n"));
    }
    let statuses = |field: &str| arr(status, &[field]).to_vec();
    if !arr(spec, &["initContainers"]).is_empty() {
        containers(w, "Init Containers", arr(spec, &["initContainers"]), Some(&statuses("initContainerStatuses")), "");
    }
    containers(w, "Containers", arr(spec, &["containers"]), Some(&statuses("containerStatuses")), "");
    let conditions = arr(status, &["conditions"]);
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(1, &format!("{} \t{} \n", s(c, &["type"]), s(c, &["status"])));
        }
    }
    volumes(w, arr(spec, &["volumes"]), "");
    w.write(0, &format!("QoS Class:\t{}\n", qos_class(p)));
    labels_multiline(w, "", "Node-Selectors", &spec["nodeSelector"]);
    tolerations(w, "", arr(spec, &["tolerations"]));
}

/// `qos.GetPodQOS` for the common cases: Guaranteed when every container has equal CPU and
/// memory requests and limits, BestEffort when none has any, else Burstable.
pub(super) fn qos_class(p: &Value) -> &'static str {
    if let Some(q) = p["status"]["qosClass"].as_str() {
        return match q {
            "Guaranteed" => "Guaranteed",
            "BestEffort" => "BestEffort",
            _ => "Burstable",
        };
    }
    let cs: Vec<&Value> = arr(p, &["spec", "containers"]).iter().chain(arr(p, &["spec", "initContainers"])).collect();
    let any = cs.iter().any(|c| {
        let r = &c["resources"];
        r["requests"].as_object().is_some_and(|m| !m.is_empty()) || r["limits"].as_object().is_some_and(|m| !m.is_empty())
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = cs.iter().all(|c| {
        let r = &c["resources"];
        ["cpu", "memory"].iter().all(|k| !r["limits"][*k].is_null() && (r["requests"][*k].is_null() || r["requests"][*k] == r["limits"][*k]))
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

pub(super) fn tolerations(w: &mut PrefixWriter, initial: &str, tols: &[Value]) {
    w.write(0, &format!("{initial}Tolerations:\t"));
    if tols.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    let mut sorted = tols.to_vec();
    sorted.sort_by(|a, b| s(a, &["key"]).cmp(s(b, &["key"])));
    for (i, t) in sorted.iter().enumerate() {
        if i > 0 {
            w.write(0, &format!("{initial}\t"));
        }
        let (key, value, effect) = (s(t, &["key"]), s(t, &["value"]), s(t, &["effect"]));
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            line.push_str(&format!(":{effect}"));
        }
        if s(t, &["operator"]) == "Exists" && value.is_empty() {
            line.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
        }
        if let Some(secs) = t["tolerationSeconds"].as_i64() {
            line.push_str(&format!(" for {secs}s"));
        }
        w.write(0, &format!("{line}\n"));
    }
}

pub(super) fn containers(w: &mut PrefixWriter, label: &str, cs: &[Value], statuses: Option<&[Value]>, space: &str) {
    let none = if cs.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in cs {
        let name = s(c, &["name"]);
        let st = statuses.and_then(|ss| ss.iter().find(|x| s(x, &["name"]) == name));
        w.write(1, &format!("{name_indent}{name}:\n"));
        if let Some(st) = st {
            w.write(2, &format!("Container ID:\t{}\n", s(st, &["containerID"])));
        }
        w.write(2, &format!("Image:\t{}\n", s(c, &["image"])));
        if let Some(st) = st {
            w.write(2, &format!("Image ID:\t{}\n", s(st, &["imageID"])));
        }
        let port = |p: &Value, field: &str| {
            let mut x = format!("{}/{}", n(p, &[field]), p["protocol"].as_str().unwrap_or("TCP"));
            if let Some(pn) = p["name"].as_str().filter(|x| !x.is_empty()) {
                x = format!("{x} ({pn})");
            }
            x
        };
        let ports: Vec<String> = arr(c, &["ports"]).iter().map(|p| port(p, "containerPort")).collect();
        let host_ports: Vec<String> = arr(c, &["ports"]).iter().map(|p| port(p, "hostPort")).collect();
        for (one, many, list) in [("Port", "Ports", ports), ("Host Port", "Host Ports", host_ports)] {
            let joined = list.join(", ");
            if joined.contains(',') {
                w.write(2, &format!("{many}:\t{joined}\n"));
            } else {
                w.write(2, &format!("{one}:\t{}\n", if joined.is_empty() { "<none>" } else { &joined }));
            }
        }
        for (label, field) in [("Command", "command"), ("Args", "args")] {
            let items = arr(c, &[field]);
            if !items.is_empty() {
                w.write(2, &format!("{label}:\n"));
                for item in items {
                    for line in item.as_str().unwrap_or("").split('\n') {
                        w.write(3, &format!("{line}\n"));
                    }
                }
            }
        }
        if let Some(st) = st {
            container_state(w, "State", &st["state"]);
            if !st["lastState"]["terminated"].is_null() {
                container_state(w, "Last State", &st["lastState"]);
            }
            w.write(2, &format!("Ready:\t{}\n", if st["ready"].as_bool() == Some(true) { "True" } else { "False" }));
            w.write(2, &format!("Restart Count:\t{}\n", n(st, &["restartCount"])));
        }
        for (label, field) in [("Limits", "limits"), ("Requests", "requests")] {
            let m = string_map(&c["resources"][field]);
            if !m.is_empty() {
                w.write(2, &format!("{label}:\n"));
                for (k, v) in resource_sorted(m) {
                    w.write(3, &format!("{k}:\t{v}\n"));
                }
            }
        }
        for (label, field) in [("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"), ("Startup", "startupProbe")] {
            if !c[field].is_null() {
                w.write(2, &format!("{label}:\t{}\n", probe(&c[field])));
            }
        }
        let env_from = arr(c, &["envFrom"]);
        if !env_from.is_empty() {
            w.write(2, "Environment Variables from:\n");
            for e in env_from {
                let (from, r) = if !e["configMapRef"].is_null() { ("ConfigMap", &e["configMapRef"]) } else { ("Secret", &e["secretRef"]) };
                let optional = r["optional"].as_bool() == Some(true);
                match e["prefix"].as_str().filter(|x| !x.is_empty()) {
                    None => w.write(3, &format!("{}\t{from}\tOptional: {optional}\n", s(r, &["name"]))),
                    Some(pre) => w.write(3, &format!("{}\t{from} with prefix '{pre}'\tOptional: {optional}\n", s(r, &["name"]))),
                }
            }
        }
        let env = arr(c, &["env"]);
        w.write(2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in env {
            let name = s(e, &["name"]);
            let vf = &e["valueFrom"];
            if vf.is_null() {
                for (i, line) in s(e, &["value"]).split('\n').enumerate() {
                    if i == 0 {
                        w.write(3, &format!("{name}:\t{line}\n"));
                    } else {
                        w.write(3, &format!("\t{line}\n"));
                    }
                }
            } else if !vf["fieldRef"].is_null() {
                w.write(3, &format!("{name}:\t ({}:{})\n", s(vf, &["fieldRef", "apiVersion"]), s(vf, &["fieldRef", "fieldPath"])));
            } else if !vf["resourceFieldRef"].is_null() {
                w.write(3, &format!("{name}:\t ({})\n", s(vf, &["resourceFieldRef", "resource"])));
            } else if !vf["secretKeyRef"].is_null() {
                let r = &vf["secretKeyRef"];
                w.write(3, &format!("{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n", s(r, &["key"]), s(r, &["name"]), r["optional"].as_bool() == Some(true)));
            } else if !vf["configMapKeyRef"].is_null() {
                let r = &vf["configMapKeyRef"];
                w.write(3, &format!("{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n", s(r, &["key"]), s(r, &["name"]), r["optional"].as_bool() == Some(true)));
            }
        }
        let mut mounts = arr(c, &["volumeMounts"]).to_vec();
        w.write(2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        mounts.sort_by(|a, b| s(a, &["mountPath"]).cmp(s(b, &["mountPath"])));
        for m in &mounts {
            let mut flags = vec![if m["readOnly"].as_bool() == Some(true) { "ro".to_string() } else { "rw".to_string() }];
            if let Some(sp) = m["subPath"].as_str().filter(|x| !x.is_empty()) {
                flags.push(format!("path={sp:?}"));
            }
            w.write(3, &format!("{} from {} ({})\n", s(m, &["mountPath"]), s(m, &["name"]), flags.join(",")));
        }
    }
}

/// `SortedResourceNames`: cpu, memory, ephemeral-storage first, then the rest by name.
pub(super) fn resource_sorted(mut m: Vec<(String, String)>) -> Vec<(String, String)> {
    let rank = |k: &str| match k {
        "cpu" => 0,
        "memory" => 1,
        "ephemeral-storage" => 2,
        _ => 3,
    };
    m.sort_by(|a, b| (rank(&a.0), &a.0).cmp(&(rank(&b.0), &b.0)));
    m
}

pub(super) fn container_state(w: &mut PrefixWriter, label: &str, state: &Value) {
    if !state["running"].is_null() {
        w.write(2, &format!("{label}:\tRunning\n"));
        w.write(3, &format!("Started:\t{}\n", rfc1123z(s(state, &["running", "startedAt"]))));
    } else if !state["terminated"].is_null() {
        let t = &state["terminated"];
        w.write(2, &format!("{label}:\tTerminated\n"));
        for (l, f) in [("Reason", "reason"), ("Message", "message")] {
            if let Some(x) = t[f].as_str().filter(|x| !x.is_empty()) {
                w.write(3, &format!("{l}:\t{x}\n"));
            }
        }
        w.write(3, &format!("Exit Code:\t{}\n", n(t, &["exitCode"])));
        if n(t, &["signal"]) > 0 {
            w.write(3, &format!("Signal:\t{}\n", n(t, &["signal"])));
        }
        w.write(3, &format!("Started:\t{}\n", rfc1123z(s(t, &["startedAt"]))));
        w.write(3, &format!("Finished:\t{}\n", rfc1123z(s(t, &["finishedAt"]))));
    } else {
        w.write(2, &format!("{label}:\tWaiting\n"));
        if let Some(r) = state["waiting"]["reason"].as_str().filter(|x| !x.is_empty()) {
            w.write(3, &format!("Reason:\t{r}\n"));
        }
    }
}

/// `DescribeProbe`.
pub(super) fn probe(p: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        n(p, &["initialDelaySeconds"]),
        p["timeoutSeconds"].as_i64().unwrap_or(1),
        p["periodSeconds"].as_i64().unwrap_or(10),
        p["successThreshold"].as_i64().unwrap_or(1),
        p["failureThreshold"].as_i64().unwrap_or(3)
    );
    let port = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    if !p["exec"].is_null() {
        let cmd: Vec<&str> = arr(p, &["exec", "command"]).iter().filter_map(Value::as_str).collect();
        format!("exec [{}] {attrs}", cmd.join(" "))
    } else if !p["httpGet"].is_null() {
        let h = &p["httpGet"];
        let scheme = h["scheme"].as_str().unwrap_or("HTTP").to_ascii_lowercase();
        format!("http-get {scheme}://{}:{}{} {attrs}", s(h, &["host"]), port(&h["port"]), s(h, &["path"]))
    } else if !p["tcpSocket"].is_null() {
        format!("tcp-socket {}:{} {attrs}", s(p, &["tcpSocket", "host"]), port(&p["tcpSocket"]["port"]))
    } else if !p["grpc"].is_null() {
        format!("grpc <pod>:{} {} {attrs}", n(p, &["grpc", "port"]), s(p, &["grpc", "service"]))
    } else {
        format!("unknown {attrs}")
    }
}

pub(super) fn volumes(w: &mut PrefixWriter, vols: &[Value], space: &str) {
    if vols.is_empty() {
        w.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in vols {
        w.write(1, &format!("{name_indent}{}:\n", s(v, &["name"])));
        if !v["emptyDir"].is_null() {
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
            w.write(2, &format!("Medium:\t{}\n", s(v, &["emptyDir", "medium"])));
            let limit = v["emptyDir"]["sizeLimit"].as_str().unwrap_or("<unset>");
            w.write(2, &format!("SizeLimit:\t{limit}\n"));
        } else if !v["configMap"].is_null() {
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            w.write(2, &format!("Name:\t{}\n", s(v, &["configMap", "name"])));
            w.write(2, &format!("Optional:\t{}\n", v["configMap"]["optional"].as_bool() == Some(true)));
        } else if !v["secret"].is_null() {
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n");
            w.write(2, &format!("SecretName:\t{}\n", s(v, &["secret", "secretName"])));
            w.write(2, &format!("Optional:\t{}\n", v["secret"]["optional"].as_bool() == Some(true)));
        } else if !v["hostPath"].is_null() {
            w.write(2, "Type:\tHostPath (bare host directory volume)\n");
            w.write(2, &format!("Path:\t{}\n", s(v, &["hostPath", "path"])));
            w.write(2, &format!("HostPathType:\t{}\n", s(v, &["hostPath", "type"])));
        } else if !v["persistentVolumeClaim"].is_null() {
            w.write(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n");
            w.write(2, &format!("ClaimName:\t{}\n", s(v, &["persistentVolumeClaim", "claimName"])));
            w.write(2, &format!("ReadOnly:\t{}\n", v["persistentVolumeClaim"]["readOnly"].as_bool() == Some(true)));
        } else if !v["projected"].is_null() {
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            for src in arr(v, &["projected", "sources"]) {
                if !src["serviceAccountToken"].is_null() {
                    w.write(2, &format!("TokenExpirationSeconds:\t{}\n", src["serviceAccountToken"]["expirationSeconds"].as_i64().unwrap_or(3600)));
                } else if !src["configMap"].is_null() {
                    w.write(2, &format!("ConfigMapName:\t{}\n", s(src, &["configMap", "name"])));
                    w.write(2, &format!("Optional:\t{}\n", src["configMap"]["optional"].as_bool() == Some(true)));
                } else if !src["downwardAPI"].is_null() {
                    w.write(2, "DownwardAPI:\ttrue\n");
                }
            }
        } else {
            w.write(2, "<unknown>\n");
        }
    }
}

pub(super) fn pod_template(w: &mut PrefixWriter, t: &Value) {
    w.write(0, "Pod Template:\n");
    labels_multiline(w, "  ", "Labels", &t["metadata"]["labels"]);
    if t["metadata"]["annotations"].as_object().is_some_and(|m| !m.is_empty()) {
        annotations_multiline(w, "  Annotations", &t["metadata"]["annotations"]);
    }
    if let Some(sa) = t["spec"]["serviceAccountName"].as_str().filter(|x| !x.is_empty()) {
        w.write(1, &format!("Service Account:\t{sa}\n"));
    }
    if !arr(t, &["spec", "initContainers"]).is_empty() {
        containers(w, "Init Containers", arr(t, &["spec", "initContainers"]), None, "  ");
    }
    containers(w, "Containers", arr(t, &["spec", "containers"]), None, "  ");
    volumes(w, arr(t, &["spec", "volumes"]), "  ");
    if let Some(pc) = t["spec"]["priorityClassName"].as_str().filter(|x| !x.is_empty()) {
        w.write(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    labels_multiline(w, "  ", "Node-Selectors", &t["spec"]["nodeSelector"]);
    tolerations(w, "  ", arr(t, &["spec", "tolerations"]));
}

/// `DescribePodTemplate` into a plain `PrefixWriter` (no tabwriter), as `kubectl rollout
/// history --revision` and `rollout undo --dry-run` print it: the tabs stay tabs.
pub fn pod_template_text(t: &Value) -> String {
    let mut w = PrefixWriter::default();
    pod_template(&mut w, t);
    w.pending
}
