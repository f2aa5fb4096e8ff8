//! `kubectl taint` and `cordon`/`uncordon`: a GET of the Node, then a strategic merge patch of
//! `spec.taints` or `spec.unschedulable`, as kubectl's taint command and `CordonHelper` send them.

use crate::api::lookup;
use crate::apiserver::{handle, Context, PatchType, Verb};
use crate::cli::kubectl::imperative::Taint;
use crate::cli::kubectl::DryRun;
use serde_json::{json, Value};
use super::client::{Client, server_error};

pub(super) fn taint_value(t: &Taint) -> Value {
    let mut v = json!({"key": t.key, "effect": t.effect});
    if !t.value.is_empty() {
        v["value"] = json!(t.value);
    }
    v
}

pub(super) fn taint_spec(v: &Value) -> Taint {
    let s = |f: &str| v[f].as_str().unwrap_or("").to_string();
    Taint { key: s("key"), value: s("value"), effect: s("effect") }
}

pub(super) fn taint_one(ctx: &mut Context, c: &mut Client, node: &str, add: &[Taint], remove: &[Taint], overwrite: bool) {
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

pub(super) fn cordon_one(ctx: &mut Context, c: &mut Client, node: &str, desired: bool) {
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
