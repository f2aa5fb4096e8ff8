//! Running kubectl's imperative commands as the API requests kubectl sends: a POST of the
//! object kubectl built (`create <kind>`, `run`, `expose`), a GET then a PATCH (`label`,
//! `annotate`, `scale`, `patch`, `set image`, `taint`, `cordon`), a GET then a PUT (`replace`).
//!
//! Success lines are the name printer's (`deployment.apps/web created`, facts 4.6); errors are
//! worded as kubectl's `CheckErr` prints them (facts 4.5) and collected, so one failing object
//! does not stop the others, as kubectl's `ContinueOnError` visitors do.

use crate::api::{decode_manifest, lookup, KindInfo, Limits};
use crate::apiserver::{handle, patch as patching, Context, FieldError, PatchType, Request, Status, User, Verb};
use crate::cli::kubectl::imperative::{Action, Expose, Imperative, Printer, Taint};
use crate::cli::kubectl::{resources, DryRun, Kubectl};
use crate::cli::printers;
use crate::cli::Output;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What every request of one command shares, and what it has printed so far.
struct Client {
    user: User,
    cause: Option<u64>,
    dry_run: DryRun,
    printer: Printer,
    /// `-n`, or `default`.
    namespace: String,
    stdout: String,
    /// Warnings first, then errors, each a full line as kubectl prints it.
    stderr: Vec<String>,
    failed: bool,
    printed_docs: usize,
}

impl Client {
    fn request(&self, verb: Verb, kind: &'static KindInfo, namespace: &str, name: &str) -> Request {
        let mut req = Request::new(verb, kind, if kind.namespaced { namespace } else { "" }, name);
        req.user = self.user.clone();
        req.cause = self.cause;
        req.dry_run = verb.is_write() && self.dry_run == DryRun::Server;
        req
    }

    fn get(&mut self, ctx: &mut Context, kind: &'static KindInfo, namespace: &str, name: &str) -> Option<Value> {
        let req = self.request(Verb::Get, kind, namespace, name);
        match handle(ctx, &req).result {
            Ok(obj) => Some(obj),
            Err(s) => {
                self.error(server_error(&s, &[]));
                None
            }
        }
    }

    /// The objects a `TYPE NAME...` or `TYPE -l selector` target names, as kubectl's resource
    /// builder fetches them.
    fn fetch(&mut self, ctx: &mut Context, typed: &str, names: &[String], selector: &str) -> Vec<(&'static KindInfo, Value)> {
        let kind = match resources::resolve(typed) {
            Ok(k) => k,
            Err(e) => {
                self.error(e);
                return Vec::new();
            }
        };
        let namespace = self.namespace.clone();
        if names.is_empty() {
            let mut req = self.request(Verb::List, kind, &namespace, "");
            req.list.label_selector = selector.to_string();
            return match handle(ctx, &req).result {
                Ok(list) => list["items"].as_array().into_iter().flatten().map(|o| (kind, o.clone())).collect(),
                Err(s) => {
                    self.error(server_error(&s, &[]));
                    Vec::new()
                }
            };
        }
        names.iter().filter_map(|n| self.get(ctx, kind, &namespace, n).map(|o| (kind, o))).collect()
    }

    fn error(&mut self, e: impl Into<String>) {
        let e = e.into();
        let line = if e.starts_with("Error from server") || e.starts_with("error: ") || e.starts_with("The ") { e } else { format!("error: {e}") };
        self.stderr.push(line);
        self.failed = true;
    }

    fn suffix(&self) -> &'static str {
        match self.dry_run {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }

    /// Prints one object as `-o` asks, or as `<kind>/<name> <operation>`.
    fn print(&mut self, kind: &KindInfo, obj: &Value, operation: &str) {
        let text = match self.printer {
            Printer::Operation => format!("{} {operation}{}\n", printers::name_of(kind, obj), self.suffix()),
            Printer::Name => format!("{}\n", printers::name_of(kind, obj)),
            Printer::Json => printers::to_json(obj),
            Printer::Yaml => {
                let sep = if self.printed_docs > 0 { "---\n" } else { "" };
                format!("{sep}{}", printers::to_yaml(obj))
            }
        };
        self.printed_docs += 1;
        self.stdout.push_str(&text);
    }

    fn output(self) -> Output {
        let stderr: String = self.stderr.iter().map(|l| format!("{l}\n")).collect();
        Output { stdout: self.stdout, stderr, exit_code: i32::from(self.failed), diagnostics: Vec::new() }
    }
}

/// kubectl's `StandardErrorMessage`: `Error from server (Reason): message`, except that invalid
/// objects (422) print their causes without the group (facts 4.5).
fn server_error(s: &Status, causes: &[FieldError]) -> String {
    if let Some(message) = crate::cli::kubectl::invalid_message(s, causes) {
        return message;
    }
    if s.reason == "Invalid" {
        // A 422 without an object (a JSON patch that does not apply) is built with
        // `NewGenericServerResponse`, which keeps only its generic message.
        return "The request is invalid: the server rejected our request due to an error in our request".into();
    }
    format!("Error from server ({}): {}", s.reason, s.message)
}

/// Runs one imperative command; every change is an API request under the command's user.
pub fn run(ctx: &mut Context, k: &Kubectl, cmd: &Imperative, cause: Option<u64>) -> Output {
    let mut c = Client {
        user: super::kubectl::user_of(k),
        cause,
        dry_run: cmd.dry_run,
        printer: cmd.printer,
        namespace: k.namespace.clone().unwrap_or_else(|| "default".into()),
        stdout: String::new(),
        stderr: Vec::new(),
        failed: false,
        printed_docs: 0,
    };
    match &cmd.action {
        Action::Create { object, wrap, warnings } => {
            c.stderr.extend(warnings.lines().map(str::to_string));
            create(ctx, &mut c, object, wrap);
        }
        Action::Expose(e) => expose(ctx, &mut c, e),
        Action::Label { annotate, targets, set, remove, overwrite, selector, all: _ } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, selector) {
                    label_one(ctx, &mut c, kind, &obj, *annotate, set, remove, *overwrite);
                }
            }
        }
        Action::Scale { targets, replicas, current, resource_version } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, "") {
                    scale_one(ctx, &mut c, kind, obj, *replicas, *current, resource_version);
                }
            }
        }
        Action::Patch { targets, patch, patch_type } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, "") {
                    patch_one(ctx, &mut c, kind, &obj, patch, *patch_type);
                }
            }
        }
        Action::Replace { sources } => {
            for (source, bytes) in &sources.files {
                for decoded in decode_manifest(bytes, source, &Limits::default()) {
                    match decoded {
                        Ok(d) => replace_one(ctx, &mut c, source, d.kind, d.namespace.as_deref(), &d.name, d.object),
                        Err(diag) => c.error(diag.message),
                    }
                }
            }
        }
        Action::SetImage { targets, images } => {
            for (typed, names) in targets {
                for (kind, obj) in c.fetch(ctx, typed, names, "") {
                    set_image_one(ctx, &mut c, kind, &obj, images);
                }
            }
        }
        Action::Taint { nodes, add, remove, overwrite } => {
            for n in nodes {
                taint_one(ctx, &mut c, n, add, remove, *overwrite);
            }
        }
        Action::Cordon { nodes, unschedulable } => {
            for n in nodes {
                cordon_one(ctx, &mut c, n, *unschedulable);
            }
        }
    }
    c.output()
}

/// The kind an object kubectl built says it is.
fn kind_of(obj: &Value) -> Option<&'static KindInfo> {
    lookup(obj["apiVersion"].as_str()?, obj["kind"].as_str()?)
}

fn name_of(obj: &Value) -> String {
    obj["metadata"]["name"].as_str().unwrap_or("").to_string()
}

fn create(ctx: &mut Context, c: &mut Client, object: &Value, wrap: &str) {
    let Some(kind) = kind_of(object) else {
        c.error(format!("kubeplay: no served kind for {} {}", object["apiVersion"], object["kind"]));
        return;
    };
    if c.dry_run == DryRun::Client {
        c.print(kind, object, "created");
        return;
    }
    let ns = object["metadata"]["namespace"].as_str().map(str::to_string).unwrap_or_else(|| c.namespace.clone());
    let req = c.request(Verb::Create, kind, &ns, "").with_body(object.clone());
    let reply = handle(ctx, &req);
    c.stderr.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
    match reply.result {
        Ok(obj) => c.print(kind, &obj, "created"),
        // `fmt.Errorf("failed to create deployment: %v", err)` is no longer a status error:
        // kubectl prints the server's message after its own words.
        Err(s) if !wrap.is_empty() => c.error(format!("error: {wrap}{}", s.message)),
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}

/// `MakeLabels`: `k=v,k2=v2` in key order, which kubectl parses back into the map it sends.
fn string_map(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn parse_pairs(s: &str) -> Result<Map<String, Value>, String> {
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
fn selector_for(kind: &KindInfo, obj: &Value) -> Result<Map<String, Value>, String> {
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
fn ports_for(kind: &KindInfo, obj: &Value) -> Vec<(String, String)> {
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
fn int_or_string(s: &str) -> Value {
    s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n))
}

fn expose(ctx: &mut Context, c: &mut Client, e: &Expose) {
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

#[allow(clippy::too_many_arguments)]
fn label_one(
    ctx: &mut Context,
    c: &mut Client,
    kind: &'static KindInfo,
    obj: &Value,
    annotate: bool,
    set: &BTreeMap<String, String>,
    remove: &[String],
    overwrite: bool,
) {
    let field = if annotate { "annotations" } else { "labels" };
    let current = string_map(&obj["metadata"][field]);
    if !overwrite {
        let clashes: Vec<(String, String)> = set
            .iter()
            .filter_map(|(k, v)| current.get(k).and_then(Value::as_str).filter(|cur| cur != v).map(|cur| (k.clone(), cur.to_string())))
            .filter(|(k, _)| !(annotate && k == "kubernetes.io/change-cause"))
            .collect();
        if !clashes.is_empty() {
            let msg = if annotate {
                let list: Vec<String> = clashes.iter().map(|(k, v)| format!("'{k}' already has a value ({v})")).collect();
                format!("--overwrite is false but found the following declared annotation(s): {}", list.join("; "))
            } else {
                let list: Vec<String> = clashes.iter().map(|(k, v)| format!("'{k}' already has a value ({v}), and --overwrite is false")).collect();
                if list.len() == 1 { list[0].clone() } else { format!("[{}]", list.join(", ")) }
            };
            return c.error(msg);
        }
    }
    if !annotate && c.dry_run != DryRun::Client {
        for r in remove {
            if !current.contains_key(r) {
                c.stdout.push_str(&format!("label {r:?} not found.\n"));
            }
        }
    }
    let mut patch = Map::new();
    let (mut added, mut removed) = (0, 0);
    let mut updated = current.clone();
    for (k, v) in set {
        if current.get(k).and_then(Value::as_str) != Some(v) {
            patch.insert(k.clone(), json!(v));
            updated.insert(k.clone(), json!(v));
            added += 1;
        }
    }
    for r in remove {
        if current.contains_key(r) {
            patch.insert(r.clone(), Value::Null);
            updated.remove(r);
            removed += 1;
        }
    }
    let operation = match (annotate, added > 0, removed > 0) {
        (true, ..) => "annotated",
        (false, true, true) => "modified",
        (false, true, false) => "labeled",
        (false, false, true) => "unlabeled",
        (false, false, false) => "not labeled",
    };
    let mut local = obj.clone();
    local["metadata"][field] = Value::Object(updated);
    if c.dry_run == DryRun::Client || patch.is_empty() {
        c.print(kind, &local, operation);
        return;
    }
    let body = json!({"metadata": {field: patch}});
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let req = c.request(Verb::Patch(PatchType::Merge), kind, &ns, &name_of(obj)).with_body(body);
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(patched) => c.print(kind, if annotate { &patched } else { &local }, operation),
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}

/// kubectl's scaler (`ScaleSimple` in `kubectl/pkg/scale/scale.go`): with a precondition
/// (`--current-replicas`, `--resource-version`) a GET of the scale subresource, the check, then a
/// PUT of the Scale; without one a merge patch `{"spec":{"replicas":N}}` of the subresource.
fn scale_one(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, mut obj: Value, replicas: i64, current: i64, resource_version: &str) {
    if !matches!(kind.resource, "deployments" | "replicasets" | "statefulsets" | "replicationcontrollers") {
        return c.error("Error from server (NotFound): the server could not find the requested resource");
    }
    if c.dry_run == DryRun::Client {
        obj["spec"]["replicas"] = json!(replicas);
        return c.print(kind, &obj, "scaled");
    }
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let name = name_of(&obj);
    let mut req = if current >= 0 || !resource_version.is_empty() {
        let mut get = c.request(Verb::Get, kind, &ns, &name);
        get.subresource = "scale".into();
        let mut scale = match handle(ctx, &get).result {
            Ok(s) => s,
            Err(s) => return c.error(server_error(&s, &[])),
        };
        // `ScalePrecondition.validate`: `Expected <what> to be <expected>, was <actual>`.
        let have = scale["spec"]["replicas"].as_i64().unwrap_or(0);
        if current >= 0 && have != current {
            return c.error(format!("Expected replicas to be {current}, was {have}"));
        }
        let rv = scale["metadata"]["resourceVersion"].as_str().unwrap_or("").to_string();
        if !resource_version.is_empty() && rv != resource_version {
            return c.error(format!("Expected resource version to be {resource_version}, was {rv}"));
        }
        scale["spec"]["replicas"] = json!(replicas);
        c.request(Verb::Update, kind, &ns, &name).with_body(scale)
    } else {
        c.request(Verb::Patch(PatchType::Merge), kind, &ns, &name).with_body(json!({"spec": {"replicas": replicas}}))
    };
    req.subresource = "scale".into();
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(_) => {
            obj["spec"]["replicas"] = json!(replicas);
            c.print(kind, &obj, "scaled");
        }
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}

fn patch_one(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, patch: &Value, patch_type: PatchType) {
    if c.dry_run == DryRun::Client {
        let mut target = obj.clone();
        match patch_type {
            PatchType::Merge => patching::merge(&mut target, patch),
            PatchType::Strategic => patching::strategic(&mut target, patch),
            PatchType::Json => {
                if let Err(e) = patching::json_patch(&mut target, patch) {
                    return c.error(e);
                }
            }
        }
        let op = if &target == obj { "patched (no change)" } else { "patched" };
        return c.print(kind, &target, op);
    }
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let req = c.request(Verb::Patch(patch_type), kind, &ns, &name_of(obj)).with_body(patch.clone());
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(patched) => {
            let op = if &patched == obj { "patched (no change)" } else { "patched" };
            c.print(kind, &patched, op);
        }
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}

fn replace_one(ctx: &mut Context, c: &mut Client, source: &str, kind: &'static KindInfo, ns: Option<&str>, name: &str, mut object: Value) {
    let ns = ns.map(str::to_string).unwrap_or_else(|| c.namespace.clone());
    if c.dry_run == DryRun::Client {
        return c.print(kind, &object, "replaced");
    }
    // `helper.Replace(..., overwrite=true, ...)`: without a resourceVersion kubectl reads the
    // live object's and sends it, so the PUT is still an optimistic-concurrency write.
    if object["metadata"]["resourceVersion"].as_str().unwrap_or("").is_empty() {
        let req = c.request(Verb::Get, kind, &ns, name);
        match handle(ctx, &req).result {
            Ok(live) => object["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"].clone(),
            Err(s) => return c.error(replace_error(source, &s, &[])),
        }
    }
    let req = c.request(Verb::Update, kind, &ns, name).with_body(object);
    let reply = handle(ctx, &req);
    c.stderr.extend(reply.warnings.iter().map(|w| format!("Warning: {w}")));
    match reply.result {
        Ok(obj) => c.print(kind, &obj, "replaced"),
        Err(s) => c.error(replace_error(source, &s, &reply.causes)),
    }
}

/// `AddSourceToErr("replacing", source, err)`.
fn replace_error(source: &str, s: &Status, causes: &[FieldError]) -> String {
    if s.reason == "Invalid" && s.message.contains(" is invalid") {
        return server_error(s, causes);
    }
    format!("Error from server ({}): error when replacing {source:?}: {}", s.reason, s.message)
}

/// Where a kind keeps its pod spec (`UpdatePodSpecForObject`).
fn pod_spec_path(kind: &KindInfo) -> Option<&'static [&'static str]> {
    Some(match kind.kind {
        "Pod" => &["spec"],
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController" | "Job" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

fn set_image_one(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, images: &[(String, String)]) {
    let Some(path) = pod_spec_path(kind) else {
        return c.error(format!("error: {}/{} the object is not a pod or does not have a pod template: *v1.{}", kind.resource, name_of(obj), kind.kind));
    };
    let spec = path.iter().fold(obj, |v, p| &v[*p]);
    // The two-way strategic patch from the old object to the new: changed containers by name.
    let mut changes: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut updated = obj.clone();
    for (container, image) in images {
        let mut found = false;
        for field in ["initContainers", "containers"] {
            for (i, ctr) in spec[field].as_array().into_iter().flatten().enumerate() {
                let name = ctr["name"].as_str().unwrap_or("");
                if container != "*" && container != name {
                    continue;
                }
                found = true;
                if ctr["image"].as_str() != Some(image) {
                    changes.entry(field).or_default().push(json!({"image": image, "name": name}));
                    let target = path.iter().fold(&mut updated, |v, p| &mut v[*p]);
                    target[field][i]["image"] = json!(image);
                }
            }
        }
        if !found {
            c.error(format!("error: unable to find container named {container:?}"));
        }
    }
    if changes.is_empty() {
        return;
    }
    if c.dry_run == DryRun::Client {
        return c.print(kind, &updated, "image updated");
    }
    let mut patch = Value::Object(changes.into_iter().map(|(f, v)| (f.to_string(), Value::Array(v))).collect());
    for p in path.iter().rev() {
        patch = json!({*p: patch});
    }
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let req = c.request(Verb::Patch(PatchType::Strategic), kind, &ns, &name_of(obj)).with_body(patch);
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(patched) => c.print(kind, &patched, "image updated"),
        Err(s) => c.error(format!("error: failed to patch image update to pod template: {}", s.message)),
    }
}

fn taint_value(t: &Taint) -> Value {
    let mut v = json!({"key": t.key, "effect": t.effect});
    if !t.value.is_empty() {
        v["value"] = json!(t.value);
    }
    v
}

fn taint_spec(v: &Value) -> Taint {
    let s = |f: &str| v[f].as_str().unwrap_or("").to_string();
    Taint { key: s("key"), value: s("value"), effect: s("effect") }
}

fn taint_one(ctx: &mut Context, c: &mut Client, node: &str, add: &[Taint], remove: &[Taint], overwrite: bool) {
    let Some(kind) = lookup("v1", "Node") else { return };
    let Some(obj) = c.get(ctx, kind, "", node) else { return };
    let old: Vec<Taint> = obj["spec"]["taints"].as_array().into_iter().flatten().map(taint_spec).collect();
    if !overwrite {
        let exists: Vec<&str> = add.iter().filter(|t| old.iter().any(|o| o.key == t.key && o.effect == t.effect)).map(|t| t.key.as_str()).collect();
        if !exists.is_empty() {
            return c.error(format!("node {node} already has {} taint(s) with same effect(s) and --overwrite is false", exists.join(",")));
        }
    }
    // `reorganizeTaints`: the new taints first, then the old ones they do not replace.
    let mut taints: Vec<Taint> = add.to_vec();
    for o in &old {
        if !taints.iter().any(|t| t.key == o.key && t.effect == o.effect) {
            taints.push(o.clone());
        }
    }
    let added = old.len() != taints.len();
    let mut errors = Vec::new();
    let mut deleted = false;
    for r in remove {
        let before = taints.len();
        taints.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = taints.len() != before;
        if !deleted {
            errors.push(format!("taint {:?} not found", r.to_spec()));
        }
    }
    if !errors.is_empty() {
        return c.error(if errors.len() == 1 { errors.remove(0) } else { format!("[{}]", errors.join(", ")) });
    }
    let operation = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    let list: Vec<Value> = taints.iter().map(taint_value).collect();
    let mut updated = obj.clone();
    updated["spec"]["taints"] = json!(list);
    if c.dry_run == DryRun::Client {
        return c.print(kind, &updated, operation);
    }
    let body = json!({"spec": {"taints": if list.is_empty() { Value::Null } else { json!(list) }}});
    let req = c.request(Verb::Patch(PatchType::Strategic), kind, "", node).with_body(body);
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(patched) => c.print(kind, &patched, operation),
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}

fn cordon_one(ctx: &mut Context, c: &mut Client, node: &str, desired: bool) {
    let Some(kind) = lookup("v1", "Node") else { return };
    let Some(obj) = c.get(ctx, kind, "", node) else { return };
    let (already, changed) = if desired { ("already cordoned", "cordoned") } else { ("already uncordoned", "uncordoned") };
    if obj["spec"]["unschedulable"].as_bool().unwrap_or(false) == desired {
        // kubectl prints this line without a dry-run suffix only because nothing was sent; the
        // printer still adds it, so keep the suffix.
        return c.print(kind, &obj, already);
    }
    if c.dry_run == DryRun::Client {
        return c.print(kind, &obj, changed);
    }
    // `CordonHelper.PatchOrReplace`: a two-way strategic patch; `false` is omitted in Go, so
    // uncordoning deletes the field.
    let body = json!({"spec": {"unschedulable": if desired { json!(true) } else { Value::Null }}});
    let req = c.request(Verb::Patch(PatchType::Strategic), kind, "", node).with_body(body);
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(patched) => c.print(kind, &patched, changed),
        Err(s) => c.error(format!("error: unable to {} node {node:?}: {}", if desired { "cordon" } else { "uncordon" }, server_error(&s, &reply.causes))),
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::trace::Event;
    use crate::{Cluster, Config};

    /// The requests one command sent, as `METHOD path` lines.
    fn requests_of(cluster: &mut Cluster, line: &str) -> Vec<String> {
        let before = cluster.trace().records().len();
        let out = cluster.execute(line, &MemoryFiles::new());
        assert!(out.success(), "{line}: {}", out.stderr);
        let mut cause = None;
        let mut sent = Vec::new();
        for r in cluster.trace().records().skip(before) {
            match &r.event {
                Event::Command { .. } if cause.is_none() => cause = Some(r.seq),
                Event::Request { verb, path, cause: c, dry_run, .. } if *c == cause => {
                    sent.push(format!("{verb} {path}{}", if *dry_run { " (dry run)" } else { "" }));
                }
                _ => {}
            }
        }
        sent
    }

    #[test]
    fn each_command_sends_what_kubectl_sends() {
        let mut c = Cluster::new(Config::default());
        assert_eq!(requests_of(&mut c, "kubectl create deployment web --image=nginx"), ["POST /apis/apps/v1/namespaces/default/deployments"]);
        assert_eq!(
            requests_of(&mut c, "kubectl scale deploy/web --replicas=3"),
            ["GET /apis/apps/v1/namespaces/default/deployments/web", "PATCH /apis/apps/v1/namespaces/default/deployments/web/scale"]
        );
        assert_eq!(
            requests_of(&mut c, "kubectl label deploy web tier=front --dry-run=server"),
            ["GET /apis/apps/v1/namespaces/default/deployments/web", "PATCH /apis/apps/v1/namespaces/default/deployments/web (dry run)"]
        );
        assert_eq!(requests_of(&mut c, "kubectl set image deploy/web nginx=nginx:1.28 --dry-run=client"), ["GET /apis/apps/v1/namespaces/default/deployments/web"]);
        assert_eq!(
            requests_of(&mut c, "kubectl expose deploy web --port=80"),
            ["GET /apis/apps/v1/namespaces/default/deployments/web", "POST /api/v1/namespaces/default/services"]
        );
        assert_eq!(requests_of(&mut c, "kubectl cordon node-1"), ["GET /api/v1/nodes/node-1", "PATCH /api/v1/nodes/node-1"]);
    }
}
