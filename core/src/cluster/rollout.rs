//! `kubectl rollout history|undo|restart|pause|resume` as the API requests kubectl sends
//! (`pkg/cmd/rollout` with `pkg/polymorphichelpers`):
//!
//! - history: GET the object, LIST its ReplicaSets (Deployments) or ControllerRevisions
//!   (DaemonSets, StatefulSets), print `REVISION  CHANGE-CAUSE` from the
//!   `deployment.kubernetes.io/revision` and `kubernetes.io/change-cause` annotations, or one
//!   revision's pod template (`--revision`), through the name printer as kubectl does.
//! - undo: kubectl rolls back on the client since the API's `rollback` subresource went away: it
//!   finds the ReplicaSet of the wanted revision and sends a JSON patch that replaces the
//!   Deployment's `spec.template` (without `pod-template-hash`) and its annotations.
//! - restart / pause / resume: a strategic merge patch under the field manager
//!   `kubectl-rollout` setting `kubectl.kubernetes.io/restartedAt` (from the virtual clock) or
//!   `spec.paused`.
//!
//! `rollout status` watches and so runs across kernel steps: see `rollout_status.rs`.

use crate::api::KindInfo;
use crate::apiserver::{handle, rfc3339, Context, PatchType, Request, Status, User, Verb};
use crate::cli::kubectl::rollout::{Rollout, RolloutAction};
use crate::cli::kubectl::{resources, DryRun, Kubectl};
use crate::cli::printers::describe::{format_selector, pod_template_text};
use crate::cli::printers;
use crate::cli::Output;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const HASH_LABEL: &str = "pod-template-hash";
const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
const FIELD_MANAGER: &str = "kubectl-rollout";
/// `annotationsToSkip`: kept from the Deployment, never copied from the ReplicaSet, on undo.
const ANNOTATIONS_TO_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// The requests of one command and what it printed.
pub struct Client {
    pub user: User,
    pub cause: Option<u64>,
    pub namespace: String,
    pub stdout: String,
    pub errors: Vec<String>,
}

impl Client {
    pub fn new(k: &Kubectl, cause: Option<u64>) -> Self {
        Client { user: super::kubectl::user_of(k), cause, namespace: k.namespace.clone().unwrap_or_else(|| "default".into()), stdout: String::new(), errors: Vec::new() }
    }

    pub fn request(&self, verb: Verb, kind: &'static KindInfo, namespace: &str, name: &str) -> Request {
        let mut req = Request::new(verb, kind, if kind.namespaced { namespace } else { "" }, name);
        req.user = self.user.clone();
        req.cause = self.cause;
        req
    }

    /// The objects the targets name, as kubectl's resource builder fetches them (`Latest()`):
    /// a GET per name, a LIST for a bare type.
    pub fn fetch(&mut self, ctx: &mut Context, targets: &[(String, Vec<String>)]) -> Vec<(&'static KindInfo, Value)> {
        let mut out = Vec::new();
        for (typed, names) in targets {
            let kind = match resources::resolve(typed) {
                Ok(k) => k,
                Err(e) => {
                    self.errors.push(e);
                    continue;
                }
            };
            if names.is_empty() {
                match handle(ctx, &self.request(Verb::List, kind, &self.namespace, "")).result {
                    Ok(list) => out.extend(list["items"].as_array().into_iter().flatten().map(|o| (kind, o.clone()))),
                    Err(s) => self.errors.push(server_error(&s)),
                }
                continue;
            }
            for name in names {
                match handle(ctx, &self.request(Verb::Get, kind, &self.namespace, name)).result {
                    Ok(obj) => out.push((kind, obj)),
                    Err(s) => self.errors.push(server_error(&s)),
                }
            }
        }
        out
    }

    pub fn output(self) -> Output {
        let stderr = crate::cli::kubectl::format_errors(&self.errors);
        Output { stdout: self.stdout, stderr, exit_code: i32::from(!self.errors.is_empty()), diagnostics: Vec::new() }
    }
}

pub fn server_error(s: &Status) -> String {
    format!("Error from server ({}): {}", s.reason, s.message)
}

pub fn name_of(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or("")
}

/// `resource.group` as kubectl names a mapping in its errors (`deployments.apps`).
fn resource_string(kind: &KindInfo) -> String {
    if kind.group.is_empty() {
        kind.resource.to_string()
    } else {
        format!("{}.{}", kind.resource, kind.group)
    }
}

/// `schema.GroupKind.String()`: `Deployment.apps`, `Service`.
pub fn group_kind(kind: &KindInfo) -> String {
    if kind.group.is_empty() {
        kind.kind.to_string()
    } else {
        format!("{}.{}", kind.kind, kind.group)
    }
}

/// `deploymentutil.Revision`: the revision annotation as a number.
pub fn revision_of(obj: &Value) -> Option<i64> {
    obj["metadata"]["annotations"][REVISION].as_str().and_then(|r| r.parse().ok())
}

/// The template without the `pod-template-hash` label (`equalIgnoreHash`).
pub fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
    }
    t
}

/// `deploymentutil.GetAllReplicaSets`: the ReplicaSets the Deployment's selector finds and
/// that it controls.
pub fn replica_sets(ctx: &mut Context, c: &mut Client, d: &Value) -> Result<Vec<Value>, String> {
    let Ok(rs_kind) = resources::resolve("replicasets.apps") else { return Ok(Vec::new()) };
    let ns = d["metadata"]["namespace"].as_str().unwrap_or("");
    let mut req = c.request(Verb::List, rs_kind, ns, "");
    let selector = format_selector(&d["spec"]["selector"]);
    req.list.label_selector = if selector == "<none>" { String::new() } else { selector };
    let list = handle(ctx, &req).result.map_err(|s| format!("failed to retrieve replica sets from deployment {}: {}", name_of(d), s.message))?;
    let uid = d["metadata"]["uid"].as_str().unwrap_or("");
    Ok(list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rs| rs["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| o["controller"] == json!(true) && o["uid"].as_str() == Some(uid)))
        .cloned()
        .collect())
}

/// `ControllerRevision`s owned by a DaemonSet or StatefulSet (`controlledHistory`).
fn controller_revisions(ctx: &mut Context, c: &mut Client, obj: &Value) -> Result<Vec<Value>, String> {
    let Ok(kind) = resources::resolve("controllerrevisions.apps") else { return Ok(Vec::new()) };
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
    let mut req = c.request(Verb::List, kind, ns, "");
    let selector = format_selector(&obj["spec"]["selector"]);
    req.list.label_selector = if selector == "<none>" { String::new() } else { selector };
    let list = handle(ctx, &req).result.map_err(|s| s.message)?;
    let uid = obj["metadata"]["uid"].as_str().unwrap_or("");
    let mut out: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| o["controller"] == json!(true) && o["uid"].as_str() == Some(uid)))
        .cloned()
        .collect();
    out.sort_by_key(|r| r["revision"].as_i64().unwrap_or(0));
    Ok(out)
}

/// Runs one of the one-shot rollout subcommands.
pub fn run(ctx: &mut Context, k: &Kubectl, r: &Rollout, cause: Option<u64>) -> Output {
    let mut c = Client::new(k, cause);
    let objects = c.fetch(ctx, &r.targets);
    for (kind, obj) in objects {
        let result = match &r.action {
            RolloutAction::History { revision } => history(ctx, &mut c, kind, &obj, *revision),
            RolloutAction::Undo { to_revision, dry_run } => undo(ctx, &mut c, kind, &obj, *to_revision, *dry_run),
            RolloutAction::Restart => restart(ctx, &mut c, kind, &obj),
            RolloutAction::Pause | RolloutAction::Resume => pause(ctx, &mut c, kind, &obj, r.action == RolloutAction::Pause),
            RolloutAction::Status { .. } => Err("rollout status runs as a watch".to_string()),
        };
        match result {
            Ok(operation) => c.stdout.push_str(&format!("{} {operation}\n", printers::name_of(kind, &obj))),
            // history and undo return from their visitor at the first error; restart, pause and
            // resume collect every object's error.
            Err(e) if matches!(r.action, RolloutAction::History { .. } | RolloutAction::Undo { .. }) => {
                c.errors.push(e);
                break;
            }
            Err(e) => c.errors.push(e),
        }
    }
    c.output()
}

/// `tabbedString`: a tabwriter with padding 2 and no minimum width.
fn tabbed(rows: &[Vec<String>]) -> String {
    let text: String = rows.iter().map(|r| format!("{}\n", r.join("\t"))).collect();
    crate::cli::printers::describe::tabwrite(&text, 0, 2)
}

/// `ViewHistory`, printed as the operation of the name printer: `deployment.apps/web ` and a
/// newline, then the table (or `with revision #N` and the pod template).
fn history(ctx: &mut Context, c: &mut Client, kind: &KindInfo, obj: &Value, revision: i64) -> Result<String, String> {
    let with_revision = if revision > 0 { format!("with revision #{revision}") } else { String::new() };
    let info = match kind.kind {
        "Deployment" => {
            let mut templates: BTreeMap<i64, Value> = BTreeMap::new();
            for rs in replica_sets(ctx, c, obj)? {
                let Some(v) = revision_of(&rs) else { continue };
                let mut template = rs["spec"]["template"].clone();
                if let Some(cause) = rs["metadata"]["annotations"][CHANGE_CAUSE].as_str().filter(|s| !s.is_empty()) {
                    template["metadata"]["annotations"][CHANGE_CAUSE] = json!(cause);
                }
                templates.insert(v, template);
            }
            if templates.is_empty() {
                "No rollout history found.".to_string()
            } else if revision > 0 {
                let template = templates.get(&revision).ok_or("unable to find the specified revision")?;
                pod_template_text(template)
            } else {
                let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
                for (v, t) in &templates {
                    rows.push(vec![v.to_string(), t["metadata"]["annotations"][CHANGE_CAUSE].as_str().unwrap_or("<none>").to_string()]);
                }
                tabbed(&rows)
            }
        }
        "DaemonSet" | "StatefulSet" => {
            let revisions = controller_revisions(ctx, c, obj)?;
            if revisions.is_empty() {
                "No rollout history found.".to_string()
            } else if revision > 0 {
                let r = revisions.iter().find(|r| r["revision"].as_i64() == Some(revision)).ok_or("unable to find the specified revision")?;
                pod_template_text(&r["data"]["spec"]["template"])
            } else if kind.kind == "StatefulSet" {
                let mut rows = vec![vec!["REVISION".to_string()]];
                rows.extend(revisions.iter().map(|r| vec![r["revision"].as_i64().unwrap_or(0).to_string()]));
                tabbed(&rows)
            } else {
                let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
                for r in &revisions {
                    rows.push(vec![r["revision"].as_i64().unwrap_or(0).to_string(), r["metadata"]["annotations"][CHANGE_CAUSE].as_str().unwrap_or("<none>").to_string()]);
                }
                tabbed(&rows)
            }
        }
        "Job" | "Pod" | "ReplicaSet" | "ReplicationController" | "CronJob" => return Err(format!("no history viewer has been implemented for {:?}", group_kind(kind))),
        other => return Err(format!("error retrieving history for {:?}, no visitor method exists for {other}", group_kind(kind))),
    };
    // The name printer's operation: `<kind>/<name> ` + this + a newline.
    Ok(format!("{with_revision}\n{info}"))
}

/// `DeploymentRollbacker.Rollback`, with `deploymentRevision` choosing the ReplicaSet.
fn undo(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, to_revision: i64, dry_run: DryRun) -> Result<String, String> {
    match kind.kind {
        "Deployment" => {}
        "DaemonSet" | "StatefulSet" => return undo_controller_revision(ctx, c, kind, obj, to_revision, dry_run),
        "Job" | "Pod" | "ReplicaSet" | "ReplicationController" | "CronJob" => return Err(format!("no rollbacker has been implemented for {:?}", group_kind(kind))),
        other => return Err(format!("error retrieving rollbacker for {:?}, no visitor method exists for {other}", group_kind(kind))),
    }
    if to_revision < 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    let name = name_of(obj).to_string();
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let d = handle(ctx, &c.request(Verb::Get, kind, &ns, &name)).result.map_err(|s| format!("failed to retrieve Deployment {name}: {}", s.message))?;
    let all = replica_sets(ctx, c, &d)?;
    let rs = deployment_revision(&all, to_revision).ok_or_else(|| {
        if to_revision > 0 {
            format!("unable to find specified revision {to_revision} in history")
        } else {
            format!("no rollout history found for deployment {name:?}")
        }
    })?;
    if dry_run == DryRun::Client {
        return Ok(format!("{} (dry run)", pod_template_text(&rs["spec"]["template"])));
    }
    if d["spec"]["paused"] == json!(true) {
        return Err(format!("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{name}' and try again"));
    }
    if without_hash(&rs["spec"]["template"]) == without_hash(&d["spec"]["template"]) {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    let template = without_hash(&rs["spec"]["template"]);
    let mut annotations = Map::new();
    for key in ANNOTATIONS_TO_SKIP {
        if let Some(v) = d["metadata"]["annotations"].get(*key) {
            annotations.insert(key.to_string(), v.clone());
        }
    }
    for (k, v) in rs["metadata"]["annotations"].as_object().into_iter().flatten() {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let patch = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    let mut req = c.request(Verb::Patch(PatchType::Json), kind, &ns, &name).with_body(patch);
    req.dry_run = dry_run == DryRun::Server;
    handle(ctx, &req).result.map_err(|s| format!("failed restoring revision {to_revision}: {}", s.message))?;
    Ok(if dry_run == DryRun::Server { "rolled back (server dry run)".into() } else { "rolled back".into() })
}

/// `deploymentRevision`: the ReplicaSet with the wanted revision, or for 0 the one with the
/// second highest revision.
pub fn deployment_revision(all: &[Value], to_revision: i64) -> Option<&Value> {
    if to_revision > 0 {
        return all.iter().find(|rs| revision_of(rs) == Some(to_revision));
    }
    let mut with_revision: Vec<(i64, &Value)> = all.iter().filter_map(|rs| revision_of(rs).map(|v| (v, rs))).collect();
    with_revision.sort_by_key(|(v, _)| *v);
    with_revision.iter().rev().nth(1).map(|(_, rs)| *rs)
}

/// `DaemonSetRollbacker` / `StatefulSetRollbacker`: the ControllerRevision's data is itself
/// the strategic merge patch that restores the template.
fn undo_controller_revision(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, to_revision: i64, dry_run: DryRun) -> Result<String, String> {
    if to_revision < 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    let revisions = controller_revisions(ctx, c, obj)?;
    if to_revision == 0 && revisions.len() <= 1 {
        return Err("no last revision to roll back to".into());
    }
    let found = if to_revision == 0 { revisions.get(revisions.len().saturating_sub(2)) } else { revisions.iter().find(|r| r["revision"].as_i64() == Some(to_revision)) };
    let target = found.ok_or_else(|| format!("unable to find specified revision {to_revision} in history"))?;
    let mut wanted = target["data"]["spec"]["template"].clone();
    if let Some(m) = wanted.as_object_mut() {
        m.remove("$patch");
    }
    if dry_run == DryRun::Client {
        return Ok(format!("will roll back to {} (dry run)", pod_template_text(&wanted)));
    }
    if wanted == obj["spec"]["template"] {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
    let mut req = c.request(Verb::Patch(PatchType::Merge), kind, ns, name_of(obj)).with_body(json!({"spec": {"template": wanted}}));
    req.dry_run = dry_run == DryRun::Server;
    handle(ctx, &req).result.map_err(|s| format!("failed restoring revision {to_revision}: {}", s.message))?;
    Ok("rolled back".into())
}

/// `defaultObjectRestarter`: a new `restartedAt` annotation on the pod template.
fn restart(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value) -> Result<String, String> {
    let name = name_of(obj);
    match kind.kind {
        "Deployment" if obj["spec"]["paused"] == json!(true) => {
            return Err(format!("error: {} {name:?} can't restart paused deployment (run rollout resume first)", resource_string(kind)))
        }
        "Deployment" | "DaemonSet" | "StatefulSet" => {}
        _ => return Err(format!("error: {} {name:?} restarting is not supported", resource_string(kind))),
    }
    let now = rfc3339(ctx.now);
    if obj["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT].as_str() == Some(now.as_str()) {
        // The same second as the last restart: kubectl's patch is empty and it says so.
        c.errors.push(format!("failed to create patch for {name}: empty patch"));
    }
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}});
    send_patch(ctx, c, kind, obj, patch)?;
    Ok("restarted".into())
}

/// `defaultObjectPauser` / `defaultObjectResumer`: `spec.paused` for Deployments only.
fn pause(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, pause: bool) -> Result<String, String> {
    let name = name_of(obj);
    if kind.kind != "Deployment" {
        let what = if pause { "pausing" } else { "resuming" };
        return Err(format!("error: {} {name:?} {what} is not supported", resource_string(kind)));
    }
    let paused = obj["spec"]["paused"] == json!(true);
    if pause && paused {
        return Err(format!("error: {} {name:?} is already paused", resource_string(kind)));
    }
    if !pause && !paused {
        return Err(format!("error: {} {name:?} is not paused", resource_string(kind)));
    }
    // The two-way merge of `paused: true` into Go's omitempty `false` is a null.
    let patch = if pause { json!({"spec": {"paused": true}}) } else { json!({"spec": {"paused": null}}) };
    send_patch(ctx, c, kind, obj, patch)?;
    Ok(if pause { "paused".into() } else { "resumed".into() })
}

fn send_patch(ctx: &mut Context, c: &mut Client, kind: &'static KindInfo, obj: &Value, patch: Value) -> Result<Value, String> {
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("");
    let mut req = c.request(Verb::Patch(PatchType::Strategic), kind, ns, name_of(obj)).with_body(patch);
    req.field_manager = FIELD_MANAGER.into();
    handle(ctx, &req).result.map_err(|s| format!("failed to patch: {}", s.message))
}

/// The history table alone, for tests.
#[cfg(test)]
fn table(rows: &[(i64, &str)]) -> String {
    let mut t = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
    t.extend(rows.iter().map(|(r, c)| vec![r.to_string(), c.to_string()]));
    tabbed(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_table_is_padded_by_two() {
        assert_eq!(table(&[(1, "<none>"), (2, "kubectl set image deployment/web nginx=nginx:1.28")]), "REVISION  CHANGE-CAUSE\n1         <none>\n2         kubectl set image deployment/web nginx=nginx:1.28\n");
    }

    #[test]
    fn undo_picks_the_second_newest_revision() {
        let rs = |name: &str, rev: &str| json!({"metadata": {"name": name, "annotations": {REVISION: rev}}});
        let all = vec![rs("a", "1"), rs("c", "3"), rs("b", "2")];
        assert_eq!(deployment_revision(&all, 0).map(name_of), Some("b"));
        assert_eq!(deployment_revision(&all, 1).map(name_of), Some("a"));
        assert_eq!(deployment_revision(&all, 9), None);
        assert_eq!(deployment_revision(&all[..1], 0), None);
    }
}
