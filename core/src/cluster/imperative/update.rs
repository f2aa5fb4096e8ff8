//! The GET-then-write commands on workloads and any object: `label`/`annotate`, `scale` (through
//! the `scale` subresource), `patch`, `replace` (a PUT of the file's object) and `set image`.

use crate::api::KindInfo;
use crate::apiserver::{handle, patch as patching, Context, FieldError, PatchType, Status, Verb};
use crate::cli::kubectl::DryRun;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use super::client::{Client, server_error};
use super::expose::string_map;
use super::name_of;

#[allow(clippy::too_many_arguments)]
pub(super) fn label_one(
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
pub(super) fn scale_one(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, mut obj: Value, replicas: i64, current: i64, resource_version: &str) {
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

pub(super) fn patch_one(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, patch: &Value, patch_type: PatchType) {
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
    let mut req = c.request(Verb::Patch(patch_type), kind, &ns, &name_of(obj)).with_body(patch.clone());
    req.subresource = c.subresource.clone();
    let reply = handle(ctx, &req);
    match reply.result {
        Ok(patched) => {
            let op = if &patched == obj { "patched (no change)" } else { "patched" };
            c.print(kind, &patched, op);
        }
        Err(s) => c.error(server_error(&s, &reply.causes)),
    }
}

pub(super) fn replace_one(ctx: &mut Context, c: &mut Client, source: &str, kind: &'static KindInfo, ns: Option<&str>, name: &str, mut object: Value) {
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
pub(super) fn replace_error(source: &str, s: &Status, causes: &[FieldError]) -> String {
    if s.reason == "Invalid" && s.message.contains(" is invalid") {
        return server_error(s, causes);
    }
    format!("Error from server ({}): error when replacing {source:?}: {}", s.reason, s.message)
}

/// Where a kind keeps its pod spec (`UpdatePodSpecForObject`).
pub(super) fn pod_spec_path(kind: &KindInfo) -> Option<&'static [&'static str]> {
    Some(match kind.kind {
        "Pod" => &["spec"],
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "ReplicationController" | "Job" => &["spec", "template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

pub(super) fn set_image_one(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, images: &[(String, String)]) {
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
