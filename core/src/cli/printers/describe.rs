//! `kubectl describe`: mirrors the describers in kubectl's `pkg/describe/describe.go` for pods,
//! deployments, replicasets, services, nodes, namespaces, configmaps, secrets, and the generic
//! describer for every other kind. Each describer writes lines through a [`PrefixWriter`]
//! (two spaces per level, cells separated by tabs) into Go's `text/tabwriter` configured as
//! kubectl's `tabbedString` does (`minwidth 0, tabwidth 8, padding 2`), so columns line up per
//! block of consecutive lines exactly as kubectl prints them:
//!
//! ```text
//! Name:             web
//! Namespace:        default
//! Labels:           app=web
//! Annotations:      <none>
//! Events:           <none>
//! ```

use crate::api::KindInfo;
use crate::cli::printers::{human_duration, jsonpath::go_value, parse_time};
use crate::sim::Time;
use serde_json::{Map, Value};

/// What a describer reads besides the object itself, fetched by the caller through the API.
#[derive(Clone, Debug, Default)]
pub struct Related {
    /// `None` when events are not shown (several objects, or a kind without events).
    pub events: Option<Vec<Value>>,
    /// Deployments: the ReplicaSets it controls. Pods of a ReplicaSet or on a node.
    pub replicasets: Vec<Value>,
    pub pods: Vec<Value>,
    /// Services: their EndpointSlices.
    pub endpoint_slices: Vec<Value>,
    /// Namespaces: quotas and limit ranges.
    pub quotas: Vec<Value>,
    pub limit_ranges: Vec<Value>,
    /// Nodes: the node's Lease in `kube-node-lease`, or why it could not be read.
    pub lease: Option<Result<Value, String>>,
}

/// Describes one object as kubectl prints it.
pub fn describe(kind: &KindInfo, obj: &Value, related: &Related, now: Time) -> String {
    let mut w = PrefixWriter::default();
    match (kind.group, kind.kind) {
        ("", "Pod") => pod(&mut w, obj, now),
        ("apps", "Deployment") => deployment(&mut w, obj, related),
        ("apps", "ReplicaSet") => replicaset(&mut w, obj, related),
        ("", "Service") => service(&mut w, obj, related),
        ("", "Node") => node(&mut w, obj, related, now),
        ("", "Namespace") => namespace(&mut w, obj, related),
        ("", "ConfigMap") => configmap(&mut w, obj),
        ("", "Secret") => secret(&mut w, obj),
        _ => generic(&mut w, obj),
    }
    if let Some(events) = &related.events {
        if !matches!(kind.kind, "Secret" | "Namespace") {
            describe_events(&mut w, events, now);
        }
    }
    w.finish()
}

/// kubectl's `PrefixWriter` over a tabwriter; `flush` ends a block of aligned columns.
#[derive(Default)]
pub struct PrefixWriter {
    pending: String,
    out: String,
}

impl PrefixWriter {
    pub fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.pending.push_str("  ");
        }
        self.pending.push_str(text);
    }

    pub fn flush(&mut self) {
        self.out.push_str(&tabwrite(&self.pending, 0, 2));
        self.pending.clear();
    }

    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// Go's `text/tabwriter` with a space pad character and no flags: a cell is text ended by a
/// tab; the last cell of a line is not part of any column; a column block is a run of
/// consecutive lines that have a cell in that column, and its width is the widest cell plus
/// `padding` (at least `min_width`).
pub fn tabwrite(text: &str, min_width: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split_inclusive('\n').map(|l| l.trim_end_matches('\n').split('\t').collect()).collect();
    let ends_with_newline: Vec<bool> = text.split_inclusive('\n').map(|l| l.ends_with('\n')).collect();
    let mut widths: Vec<Vec<usize>> = lines.iter().map(|l| vec![0; l.len().saturating_sub(1)]).collect();
    format_block(&lines, &mut widths, 0, 0, lines.len(), min_width, padding);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                let w = widths[i][j];
                out.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.chars().count())));
            }
        }
        if ends_with_newline[i] {
            out.push('\n');
        }
    }
    out
}

fn format_block(lines: &[Vec<&str>], widths: &mut [Vec<usize>], column: usize, from: usize, to: usize, min_width: usize, padding: usize) {
    let mut this = from;
    while this < to {
        if column >= lines[this].len().saturating_sub(1) {
            this += 1;
            continue;
        }
        let start = this;
        let mut width = min_width;
        while this < to && column < lines[this].len().saturating_sub(1) {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        for w in widths.iter_mut().take(this).skip(start) {
            w[column] = width;
        }
        format_block(lines, widths, column + 1, start, this, min_width, padding);
    }
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    get(v, path).as_str().unwrap_or("")
}

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

fn n(v: &Value, path: &[&str]) -> i64 {
    get(v, path).as_i64().unwrap_or(0)
}

fn arr<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    get(v, path).as_array().map_or(&[], Vec::as_slice)
}

fn string_map(v: &Value) -> Vec<(String, String)> {
    v.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| go_value(v), str::to_string))).collect()
}

/// `time.RFC1123Z` of an RFC 3339 timestamp: `Thu, 01 Jan 2026 00:00:05 +0000`.
pub fn rfc1123z(ts: &str) -> String {
    let Some(ms) = parse_time(ts) else { return "Mon, 01 Jan 0001 00:00:00 +0000".into() };
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let day = DAYS[ms.div_euclid(86_400_000).rem_euclid(7) as usize];
    let month = ts.get(5..7).and_then(|m| m.parse::<usize>().ok()).and_then(|m| MONTHS.get(m.wrapping_sub(1))).unwrap_or(&"Jan");
    format!("{day}, {} {month} {} {} +0000", &ts[8..10], &ts[0..4], &ts[11..19])
}

fn since(ts: &str, now: Time) -> String {
    match parse_time(ts) {
        Some(t) => human_duration(now.as_ms() as i64 - t),
        None => "<unknown>".into(),
    }
}

fn labels_multiline(w: &mut PrefixWriter, initial: &str, title: &str, labels: &Value) {
    w.write(0, &format!("{initial}{title}:\t"));
    let labels = string_map(labels);
    if labels.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in labels.iter().enumerate() {
        if i > 0 {
            w.write(0, &format!("{initial}\t"));
        }
        w.write(0, &format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline`: the last-applied configuration is skipped; long or multi-line
/// values go on their own lines.
fn annotations_multiline(w: &mut PrefixWriter, title: &str, annotations: &Value) {
    const MAX: usize = 140;
    w.write(0, &format!("{title}:\t"));
    let entries: Vec<(String, String)> =
        string_map(annotations).into_iter().filter(|(k, _)| k != "kubectl.kubernetes.io/last-applied-configuration").collect();
    if entries.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        let v = v.strip_suffix('\n').unwrap_or(v);
        if v.len() + k.len() + 2 > MAX || v.contains('\n') {
            w.write(0, &format!("{k}:\n"));
            for line in v.split('\n') {
                let short = if line.len() > MAX - 2 { format!("{}...", &line[..floor_char_boundary(line, MAX - 2)]) } else { line.to_string() };
                w.write(0, &format!("\t  {short}\n"));
            }
        } else {
            w.write(0, &format!("{k}: {v}\n"));
        }
    }
}

/// The largest char boundary at or below `i` (Go slices bytes; Rust must not split a char).
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn controlled_by(obj: &Value) -> Option<String> {
    arr(obj, &["metadata", "ownerReferences"])
        .iter()
        .find(|r| r["controller"].as_bool() == Some(true))
        .map(|r| format!("{}/{}", s(r, &["kind"]), s(r, &["name"])))
}

/// `metav1.FormatLabelSelector`.
pub fn format_selector(sel: &Value) -> String {
    let mut parts: Vec<String> = string_map(&sel["matchLabels"]).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    for e in arr(sel, &["matchExpressions"]) {
        let key = s(e, &["key"]);
        let values: Vec<&str> = arr(e, &["values"]).iter().filter_map(Value::as_str).collect();
        parts.push(match s(e, &["operator"]) {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            op => format!("{key} {op} ({})", values.join(",")),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn pod(w: &mut PrefixWriter, p: &Value, now: Time) {
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
fn qos_class(p: &Value) -> &'static str {
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

fn tolerations(w: &mut PrefixWriter, initial: &str, tols: &[Value]) {
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

fn containers(w: &mut PrefixWriter, label: &str, cs: &[Value], statuses: Option<&[Value]>, space: &str) {
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
fn resource_sorted(mut m: Vec<(String, String)>) -> Vec<(String, String)> {
    let rank = |k: &str| match k {
        "cpu" => 0,
        "memory" => 1,
        "ephemeral-storage" => 2,
        _ => 3,
    };
    m.sort_by(|a, b| (rank(&a.0), &a.0).cmp(&(rank(&b.0), &b.0)));
    m
}

fn container_state(w: &mut PrefixWriter, label: &str, state: &Value) {
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
fn probe(p: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s successThreshold={} failureThreshold={}",
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

fn volumes(w: &mut PrefixWriter, vols: &[Value], space: &str) {
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

fn pod_template(w: &mut PrefixWriter, t: &Value) {
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

fn conditions_type_status_reason(w: &mut PrefixWriter, obj: &Value) {
    let conditions = arr(obj, &["status", "conditions"]);
    if conditions.is_empty() {
        return;
    }
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for c in conditions {
        w.write(1, &format!("{} \t{}\t{}\n", s(c, &["type"]), s(c, &["status"]), s(c, &["reason"])));
    }
}

fn int_or_string(v: &Value, default: &str) -> String {
    match v {
        Value::String(x) => x.clone(),
        Value::Number(x) => x.to_string(),
        _ => default.to_string(),
    }
}

fn deployment(w: &mut PrefixWriter, d: &Value, related: &Related) {
    let (spec, status) = (&d["spec"], &d["status"]);
    w.write(0, &format!("Name:\t{}\n", s(d, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(d, &["metadata", "namespace"])));
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(s(d, &["metadata", "creationTimestamp"]))));
    labels_multiline(w, "", "Labels", &d["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &d["metadata"]["annotations"]);
    w.write(0, &format!("Selector:\t{}\n", format_selector(&spec["selector"])));
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec["replicas"].as_i64().unwrap_or(1),
            n(status, &["updatedReplicas"]),
            n(status, &["replicas"]),
            n(status, &["availableReplicas"]),
            n(status, &["unavailableReplicas"])
        ),
    );
    w.write(0, &format!("StrategyType:\t{}\n", s(spec, &["strategy", "type"])));
    w.write(0, &format!("MinReadySeconds:\t{}\n", n(spec, &["minReadySeconds"])));
    let ru = &spec["strategy"]["rollingUpdate"];
    if !ru.is_null() {
        w.write(
            0,
            &format!("RollingUpdateStrategy:\t{} max unavailable, {} max surge\n", int_or_string(&ru["maxUnavailable"], "0"), int_or_string(&ru["maxSurge"], "0")),
        );
    }
    pod_template(w, &spec["template"]);
    conditions_type_status_reason(w, d);
    let uid = s(d, &["metadata", "uid"]);
    let owned: Vec<&Value> = related
        .replicasets
        .iter()
        .filter(|rs| arr(rs, &["metadata", "ownerReferences"]).iter().any(|r| r["controller"].as_bool() == Some(true) && s(r, &["uid"]) == uid))
        .collect();
    let strip_hash = |t: &Value| {
        let mut t = t.clone();
        if let Some(l) = t["metadata"]["labels"].as_object_mut() {
            l.remove("pod-template-hash");
        }
        t
    };
    let template = strip_hash(&spec["template"]);
    let (new, old): (Vec<&Value>, Vec<&Value>) = owned.into_iter().partition(|rs| strip_hash(&rs["spec"]["template"]) == template);
    let new = new.into_iter().take(1).collect::<Vec<_>>();
    if !old.is_empty() || !new.is_empty() {
        let list = |rss: &[&Value]| {
            let parts: Vec<String> = rss
                .iter()
                .map(|rs| format!("{} ({}/{} replicas created)", s(rs, &["metadata", "name"]), n(rs, &["status", "replicas"]), rs["spec"]["replicas"].as_i64().unwrap_or(1)))
                .collect();
            if parts.is_empty() {
                "<none>".to_string()
            } else {
                parts.join(", ")
            }
        };
        w.write(0, &format!("OldReplicaSets:\t{}\n", list(&old)));
        w.write(0, &format!("NewReplicaSet:\t{}\n", list(&new)));
    }
}

fn replicaset(w: &mut PrefixWriter, rs: &Value, related: &Related) {
    w.write(0, &format!("Name:\t{}\n", s(rs, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(rs, &["metadata", "namespace"])));
    w.write(0, &format!("Selector:\t{}\n", format_selector(&rs["spec"]["selector"])));
    labels_multiline(w, "", "Labels", &rs["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &rs["metadata"]["annotations"]);
    if let Some(c) = controlled_by(rs) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(0, &format!("Replicas:\t{} current / {} desired\n", n(rs, &["status", "replicas"]), rs["spec"]["replicas"].as_i64().unwrap_or(1)));
    let count = |phase: &str| related.pods.iter().filter(|p| s(p, &["status", "phase"]) == phase).count();
    w.write(0, "Pods Status:\t");
    w.write(0, &format!("{} Running / {} Waiting / {} Succeeded / {} Failed\n", count("Running"), count("Pending"), count("Succeeded"), count("Failed")));
    pod_template(w, &rs["spec"]["template"]);
    conditions_type_status_reason(w, rs);
}

fn service(w: &mut PrefixWriter, svc: &Value, related: &Related) {
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

/// `formatEndpointSlices` for one port name: up to three ready `ip:port`, then `+ N more...`.
fn endpoints(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let (mut list, mut count) = (Vec::new(), 0);
    for slice in slices {
        for port in arr(slice, &["ports"]).iter().filter(|p| p["name"].as_str().unwrap_or("") == port_name) {
            for ep in arr(slice, &["endpoints"]) {
                if ep["conditions"]["ready"].as_bool() == Some(false) {
                    continue;
                }
                if list.len() < 3 {
                    list.push(format!("{}:{}", arr(ep, &["addresses"]).first().and_then(Value::as_str).unwrap_or(""), n(port, &["port"])));
                }
                count += 1;
            }
        }
    }
    if count > 3 {
        format!("{} + {} more...", list.join(","), count - 3)
    } else {
        list.join(",")
    }
}

fn node(w: &mut PrefixWriter, node: &Value, related: &Related, now: Time) {
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
fn node_resources(w: &mut PrefixWriter, node: &Value, pods: &[Value], now: Time) {
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
fn milli_cpu(q: &str) -> i64 {
    match q.strip_suffix('m') {
        Some(m) => m.parse().unwrap_or(0),
        None => q.parse::<f64>().map_or(0, |c| (c * 1000.0).round() as i64),
    }
}

/// A byte quantity (`128Mi`, `1G`, `1000`).
fn bytes(q: &str) -> i64 {
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

fn cpu_string(milli: i64) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

/// A byte count as a canonical binary quantity when it is a whole number of Ki/Mi/Gi.
fn bytes_string(b: i64) -> String {
    for (suffix, factor) in [("Gi", 1i64 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if b != 0 && b % factor == 0 {
            return format!("{}{suffix}", b / factor);
        }
    }
    b.to_string()
}

fn namespace(w: &mut PrefixWriter, ns: &Value, related: &Related) {
    w.write(0, &format!("Name:\t{}\n", s(ns, &["metadata", "name"])));
    labels_multiline(w, "", "Labels", &ns["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &ns["metadata"]["annotations"]);
    w.write(0, &format!("Status:\t{}\n", s(ns, &["status", "phase"])));
    w.write(0, "\n");
    if related.quotas.is_empty() {
        w.write(0, "No resource quota.\n");
    } else {
        w.write(0, "Resource Quotas\n");
        for q in &related.quotas {
            w.write(1, &format!("Name:\t{}\n", s(q, &["metadata", "name"])));
            w.write(1, "Resource\tUsed\tHard\n");
            w.write(1, "--------\t---\t---\n");
            let mut hard = string_map(&q["status"]["hard"]);
            if hard.is_empty() {
                hard = string_map(&q["spec"]["hard"]);
            }
            hard.sort();
            for (k, v) in hard {
                w.write(1, &format!("{k}\t{}\t{v}\n", q["status"]["used"][&k].as_str().unwrap_or("0")));
            }
        }
    }
    w.write(0, "\n");
    if related.limit_ranges.is_empty() {
        w.write(0, "No LimitRange resource.\n");
    } else {
        w.write(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
        w.write(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
        for lr in &related.limit_ranges {
            for item in arr(lr, &["spec", "limits"]) {
                let mut names: Vec<String> = ["min", "max", "default", "defaultRequest", "maxLimitRequestRatio"]
                    .iter()
                    .flat_map(|f| item[*f].as_object().into_iter().flat_map(|m| m.keys().cloned()))
                    .collect();
                names.sort();
                names.dedup();
                for r in names {
                    let cell = |f: &str| item[f][&r].as_str().map_or("-".to_string(), str::to_string);
                    w.write(
                        0,
                        &format!(" {}\t{r}\t{}\t{}\t{}\t{}\t{}\n", s(item, &["type"]), cell("min"), cell("max"), cell("defaultRequest"), cell("default"), cell("maxLimitRequestRatio")),
                    );
                }
            }
        }
    }
}

fn configmap(w: &mut PrefixWriter, cm: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(cm, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(cm, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &cm["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &cm["metadata"]["annotations"]);
    w.write(0, "\nData\n====\n");
    for (k, v) in string_map(&cm["data"]) {
        w.write(0, &format!("{k}:\n----\n"));
        w.write(0, &format!("{v}\n"));
        w.write(0, "\n");
    }
    w.write(0, "\nBinaryData\n====\n");
    for (k, v) in string_map(&cm["binaryData"]) {
        w.write(0, &format!("{k}: {} bytes\n", decoded_len(&v)));
    }
    w.write(0, "\n");
}

/// The length of base64-encoded data once decoded.
fn decoded_len(b64: &str) -> usize {
    let t = b64.trim_end_matches('=');
    t.len() * 3 / 4
}

fn secret(w: &mut PrefixWriter, sec: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(sec, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(sec, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &sec["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &sec["metadata"]["annotations"]);
    let ty = sec["type"].as_str().unwrap_or("Opaque");
    w.write(0, &format!("\nType:\t{ty}\n"));
    w.write(0, "\nData\n====\n");
    let mut data: Vec<(String, usize)> = string_map(&sec["data"]).into_iter().map(|(k, v)| (k, decoded_len(&v))).collect();
    // stringData is merged into data on write; count any that is still there as it would be.
    data.extend(string_map(&sec["stringData"]).into_iter().map(|(k, v)| (k, v.len())));
    data.sort();
    for (k, len) in data {
        w.write(0, &format!("{k}:\t{len} bytes\n"));
    }
}

fn generic(w: &mut PrefixWriter, obj: &Value) {
    w.write(0, &format!("Name:\t{}\n", s(obj, &["metadata", "name"])));
    w.write(0, &format!("Namespace:\t{}\n", s(obj, &["metadata", "namespace"])));
    labels_multiline(w, "", "Labels", &obj["metadata"]["labels"]);
    annotations_multiline(w, "Annotations", &obj["metadata"]["annotations"]);
    let skip = [".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];
    if let Some(m) = obj.as_object() {
        unstructured(w, 0, m, "", &skip);
    }
}

/// `printUnstructuredContent`: fields sorted, nested objects indented, labels made readable.
fn unstructured(w: &mut PrefixWriter, level: usize, content: &Map<String, Value>, prefix: &str, skip: &[&str]) {
    for (field, value) in content {
        let path = format!("{prefix}.{field}");
        if skip.contains(&path.as_str()) {
            continue;
        }
        match value {
            Value::Object(m) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                unstructured(w, level + 1, m, &path, skip);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(m) => unstructured(w, level + 1, m, &path, skip),
                        other => w.write(level + 1, &format!("{}\n", go_value(other))),
                    }
                }
            }
            other => w.write(level, &format!("{}:\t{}\n", smart_label(field), go_value(other))),
        }
    }
}

/// `smartLabelFor`: `creationTimestamp` -> `Creation Timestamp`, `apiVersion` -> `API Version`.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    // camelcase.Split: a new word at a lower-to-upper change, and before the last capital of a
    // run of capitals followed by a lower-case letter.
    let chars: Vec<char> = field.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = match prev {
            Some(p) => (p.is_lowercase() && c.is_uppercase()) || (p.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase())) || (p == '-') != (c == '-'),
            None => false,
        };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .into_iter()
        .map(|w| {
            let upper = w.to_uppercase();
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&upper.as_str()) {
                upper
            } else {
                let mut cs = w.chars();
                cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `DescribeEvents`: oldest first (by last timestamp), with ages and repeat counts.
fn describe_events(w: &mut PrefixWriter, events: &[Value], now: Time) {
    if events.is_empty() {
        w.write(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted = events.to_vec();
    // event.SortableEvents orders by LastTimestamp alone.
    sorted.sort_by_key(|e| e["lastTimestamp"].as_str().and_then(parse_time).unwrap_or(i64::MIN));
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(1, "----\t------\t----\t----\t-------\n");
    for e in &sorted {
        let first = match e["eventTime"].as_str() {
            Some(t) => since(t, now),
            None => e["firstTimestamp"].as_str().map_or("<unknown>".to_string(), |t| since(t, now)),
        };
        let count = n(e, &["count"]);
        let interval = if !e["series"].is_null() {
            format!("{} (x{} over {first})", since(s(e, &["series", "lastObservedTime"]), now), n(e, &["series", "count"]))
        } else if count > 1 {
            format!("{} (x{count} over {first})", since(s(e, &["lastTimestamp"]), now))
        } else {
            first
        };
        let source = e["source"]["component"].as_str().filter(|x| !x.is_empty()).unwrap_or(s(e, &["reportingController"]));
        let mut message = s(e, &["message"]).trim().to_string();
        if let Some(fp) = e["involvedObject"]["fieldPath"].as_str().filter(|x| !x.is_empty()) {
            message = format!("{fp}: {message}");
        }
        w.write(1, &format!("{}\t{}\t{interval}\t{source}\t{message}\n", s(e, &["type"]), s(e, &["reason"])));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_aligns_blocks_of_consecutive_lines() {
        let text = "Name:\tweb\nNamespace:\tdefault\nPod Template:\n  Labels:\tapp=web\n  Containers:\n";
        assert_eq!(tabwrite(text, 0, 2), "Name:       web\nNamespace:  default\nPod Template:\n  Labels:  app=web\n  Containers:\n");
        // A cell in the second column aligns only with the lines around it that have one.
        let t = "a:\tx\tyy\nbbb:\tz\tw\n";
        assert_eq!(tabwrite(t, 0, 2), "a:    x  yy\nbbb:  z  w\n");
    }

    #[test]
    fn labels_and_times() {
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("podCIDRs"), "Pod CID Rs");
        assert_eq!(rfc1123z("2026-01-01T00:00:05Z"), "Thu, 01 Jan 2026 00:00:05 +0000");
        assert_eq!(rfc1123z("2026-03-02T10:20:30Z"), "Mon, 02 Mar 2026 10:20:30 +0000");
        assert_eq!(format_selector(&serde_json::json!({"matchLabels": {"app": "web"}})), "app=web");
    }
}
