//! The deployment controller (`pkg/controller/deployment`): for each Deployment it finds the
//! ReplicaSets it controls, creates the "new" one (`<deployment>-<pod-template-hash>`) when none
//! has the current template, moves replicas from old to new within `maxSurge`/`maxUnavailable`
//! (RollingUpdate) or all at once (Recreate), and reports status and the Available/Progressing
//! conditions.
//!
//! One action per Deployment per step, as one `sync` returns after scaling up or down; the next
//! step (the store moved) continues the rollout with fresh caches.
//!
//! Revisions: the new ReplicaSet carries `deployment.kubernetes.io/revision` one above the
//! highest old one, so a rollback (`kubectl rollout undo` puts an old template back) moves that
//! old ReplicaSet to the newest revision and records the one it had in
//! `deployment.kubernetes.io/revision-history`; the Deployment's own annotations (such as
//! `kubernetes.io/change-cause`) are copied to its new ReplicaSet (`SetNewReplicaSetAnnotations`).
//! A paused Deployment only scales; its Progressing condition says `DeploymentPaused` and then
//! `DeploymentResumed` (`checkPausedConditions`). A rollout that makes no progress for
//! `progressDeadlineSeconds` gets `ProgressDeadlineExceeded` (`syncRolloutStatus`), from a
//! timer that runs as virtual time passes ([`next_deadline`], as `requeueStuckDeployment`).

use super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::hash::pod_template_hash;
use super::replicaset::{controlled_by, is_terminating};
use super::Caches;
use crate::api::KindInfo;
use crate::apiserver::{rfc3339, Context, Verb};
use serde_json::{json, Map, Value};

const NAME: &str = "deployment-controller";
const HASH_LABEL: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// `maxRevHistoryLengthInChars` of `SetNewReplicaSetAnnotations`.
const MAX_REVISION_HISTORY_CHARS: usize = 2000;
/// Annotations never copied from a Deployment to its ReplicaSets (`skipCopyAnnotation`).
const SKIP_COPY: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED, MAX_REPLICAS, "deprecated.deployment.rollback.to"];

fn i64_at(v: &Value, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_i64().unwrap_or(0)
}

fn replicas(obj: &Value) -> i64 {
    obj["spec"]["replicas"].as_i64().unwrap_or(1).max(0)
}

/// `intstr.GetScaledValueFromIntOrPercent`: an int as it is, "25%" of `total` rounded up or down.
pub fn resolve(v: &Value, total: i64, round_up: bool, default_percent: i64) -> i64 {
    let percent = match v {
        Value::Number(n) => return n.as_i64().unwrap_or(0).max(0),
        Value::String(s) => s.trim_end_matches('%').parse::<i64>().unwrap_or(default_percent),
        _ => default_percent,
    };
    let scaled = total * percent;
    if round_up {
        (scaled + 99) / 100
    } else {
        scaled / 100
    }
}

/// `ResolveFenceposts`: (maxSurge, maxUnavailable); both 0 makes maxUnavailable 1.
pub fn fenceposts(d: &Value) -> (i64, i64) {
    let ru = &d["spec"]["strategy"]["rollingUpdate"];
    let n = replicas(d);
    let surge = resolve(&ru["maxSurge"], n, true, 25);
    let unavailable = resolve(&ru["maxUnavailable"], n, false, 25);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

fn is_recreate(d: &Value) -> bool {
    d["spec"]["strategy"]["type"] == "Recreate"
}

/// The template without the `pod-template-hash` label (`EqualIgnoreHash`).
fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
        if labels.is_empty() {
            if let Some(m) = t["metadata"].as_object_mut() {
                m.remove("labels");
            }
        }
    }
    t
}

fn with_label(v: &Value, hash: &str) -> Value {
    let mut m = v.as_object().cloned().unwrap_or_default();
    m.insert(HASH_LABEL.into(), json!(hash));
    Value::Object(m)
}

/// `NewRSNewReplicas` for RollingUpdate: how far the new ReplicaSet may grow now.
pub fn new_rs_replicas(d: &Value, all_spec_replicas: i64, new_replicas: i64) -> i64 {
    let (surge, _) = fenceposts(d);
    let want = replicas(d);
    let max_total = want + surge;
    if all_spec_replicas >= max_total {
        return new_replicas;
    }
    let scale_up = max_total - all_spec_replicas;
    new_replicas + scale_up.min(want - new_replicas).max(0)
}

struct Sync<'a> {
    d: &'a Value,
    rs_kind: &'static KindInfo,
    user: crate::apiserver::User,
    events: &'a mut EventNames,
}

impl Sync<'_> {
    fn event(&mut self, ctx: &mut Context, reason: &str, message: &str) {
        let source = Source { component: NAME, host: "" };
        client::event(ctx, self.events, &self.user, &source, self.d, false, reason, message);
    }

    /// Sets an RS's replicas (and the deployment annotations) with an Update, plus the event.
    fn scale(&mut self, ctx: &mut Context, rs: &Value, to: i64) -> bool {
        let from = replicas(rs);
        let (surge, _) = fenceposts(self.d);
        let mut new = rs.clone();
        new["spec"]["replicas"] = json!(to);
        new["metadata"]["annotations"][DESIRED] = json!(replicas(self.d).to_string());
        new["metadata"]["annotations"][MAX_REPLICAS] = json!((replicas(self.d) + surge).to_string());
        if from == to && new == *rs {
            return false;
        }
        let ok = client::send(ctx, &self.user, Verb::Update, self.rs_kind, ns_of(rs), name_of(rs), Some(new)).result.is_ok();
        if ok && from != to {
            let dir = if to > from { "up" } else { "down" };
            self.event(ctx, "ScalingReplicaSet", &format!("Scaled {dir} replica set {} from {from} to {to}", name_of(rs)));
        }
        ok
    }
}

pub fn reconcile(ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
    let (Some(d_kind), Some(rs_kind)) = (client::kind("apps/v1", "Deployment"), client::kind("apps/v1", "ReplicaSet")) else { return };
    for d in caches.deployments.values() {
        if is_terminating(d) {
            continue;
        }
        let mut owned: Vec<&Value> = caches.replicasets.values().filter(|rs| ns_of(rs) == ns_of(d) && controlled_by(rs, uid_of(d))).collect();
        owned.sort_by(|a, b| {
            client::str_of(a, &["metadata", "creationTimestamp"]).cmp(client::str_of(b, &["metadata", "creationTimestamp"])).then(name_of(a).cmp(name_of(b)))
        });
        let mut sync = Sync { d, rs_kind, user: client::controller(NAME), events: &mut *events };
        let template = &d["spec"]["template"];
        let new_rs = owned.iter().copied().find(|rs| without_hash(&rs["spec"]["template"]) == *template);
        let old: Vec<&Value> = owned.iter().copied().filter(|rs| Some(*rs) != new_rs).collect();
        let paused = d["spec"]["paused"] == json!(true);
        if let Some(conds) = paused_conditions(d, &rfc3339(ctx.now)) {
            let mut nd = d.clone();
            nd["status"]["conditions"] = json!(conds);
            client::update_status(ctx, &sync.user, d_kind, &nd);
            continue;
        }
        if let Some(updated) = new_rs.and_then(|rs| new_rs_annotations(d, rs, &old)) {
            client::send(ctx, &sync.user, Verb::Update, rs_kind, ns_of(&updated), name_of(&updated), Some(updated.clone()));
            continue;
        }
        let mut created = None;
        match new_rs {
            None if !paused => created = create_new_rs(ctx, &mut sync, &old, caches),
            None => {}
            Some(new) => rollout(ctx, &mut sync, new, &old, caches),
        }
        if let Some(name) = created {
            write_status(ctx, d_kind, d, None, &old, Some(("True", "NewReplicaSetCreated", format!("Created new replica set \"{name}\""))));
            continue;
        }
        if let Some(new) = new_rs {
            let revision = client::str_of(new, &["metadata", "annotations", REVISION]);
            if !revision.is_empty() && client::str_of(d, &["metadata", "annotations", REVISION]) != revision {
                let mut nd = d.clone();
                nd["metadata"]["annotations"][REVISION] = json!(revision);
                client::send(ctx, &sync.user, Verb::Update, d_kind, ns_of(d), name_of(d), Some(nd));
                continue;
            }
        }
        if new_rs.is_some() && !paused && complete(d) {
            cleanup(ctx, &sync_user(), rs_kind, d, &old);
        }
        write_status(ctx, d_kind, d, new_rs, &old, None);
    }
}

/// `HasProgressDeadline`: the deadline in ms, unless unset or MaxInt32.
fn progress_deadline_ms(d: &Value) -> Option<i64> {
    d["spec"]["progressDeadlineSeconds"].as_i64().filter(|s| *s != i64::from(i32::MAX)).map(|s| s * 1000)
}

fn progressing_condition(d: &Value) -> Option<&Value> {
    d["status"]["conditions"].as_array().into_iter().flatten().find(|c| c["type"] == "Progressing")
}

/// `checkPausedConditions`: the Progressing condition says when a Deployment is paused and
/// resumed (unless it already timed out). `Some` is the new condition list.
fn paused_conditions(d: &Value, now: &str) -> Option<Vec<Value>> {
    progress_deadline_ms(d)?;
    let current = progressing_condition(d);
    let reason = current.map(|c| c["reason"].as_str().unwrap_or(""));
    if reason == Some("ProgressDeadlineExceeded") {
        return None;
    }
    let paused = d["spec"]["paused"] == json!(true);
    let mut conds: Vec<Value> = d["status"]["conditions"].as_array().cloned().unwrap_or_default();
    if paused && reason != Some("DeploymentPaused") {
        set_condition(&mut conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now);
    } else if !paused && reason == Some("DeploymentPaused") {
        set_condition(&mut conds, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now);
    } else {
        return None;
    }
    Some(conds)
}

/// `SetNewReplicaSetAnnotations` for an existing new ReplicaSet: the Deployment's annotations
/// copied, the revision raised above every old one (a rollback), the revision it had kept in
/// the revision history. `Some` is the ReplicaSet to write.
fn new_rs_annotations(d: &Value, rs: &Value, old: &[&Value]) -> Option<Value> {
    let mut annotations = rs["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    for (k, v) in d["metadata"]["annotations"].as_object().into_iter().flatten() {
        if !SKIP_COPY.contains(&k.as_str()) && annotations.get(k) != Some(v) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let max_old = old.iter().filter_map(|o| client::str_of(o, &["metadata", "annotations", REVISION]).parse::<i64>().ok()).max().unwrap_or(0);
    let new_revision = max_old + 1;
    let had = annotations.get(REVISION).and_then(Value::as_str).map(str::to_string);
    let old_revision = match had.as_deref() {
        None | Some("") => 0,
        Some(r) => r.parse::<i64>().ok()?,
    };
    if old_revision < new_revision {
        annotations.insert(REVISION.into(), json!(new_revision.to_string()));
        if let Some(previous) = had {
            let history = annotations.get(REVISION_HISTORY).and_then(Value::as_str).unwrap_or("").to_string();
            let value = if history.is_empty() {
                previous
            } else {
                let mut revisions: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + previous.len() + 1;
                while total > MAX_REVISION_HISTORY_CHARS && !revisions.is_empty() {
                    total -= revisions.remove(0).len() + 1;
                }
                revisions.push(&previous);
                revisions.join(",")
            };
            annotations.insert(REVISION_HISTORY.into(), json!(value));
        }
    }
    if rs["metadata"]["annotations"].as_object() == Some(&annotations) {
        return None;
    }
    let mut updated = rs.clone();
    updated["metadata"]["annotations"] = Value::Object(annotations);
    Some(updated)
}

/// `requeueStuckDeployment`: when a rollout still in progress will pass its progress deadline
/// (the Progressing condition's lastUpdateTime + `progressDeadlineSeconds`, + 1 s), for the
/// earliest such Deployment. Only Deployments the next sync will mark are counted, so a due
/// deadline always changes something.
pub fn next_deadline(caches: &Caches) -> Option<crate::sim::Time> {
    caches
        .deployments
        .values()
        .filter(|d| !is_terminating(d) && d["spec"]["paused"] != json!(true))
        .filter(|d| {
            let template = &d["spec"]["template"];
            caches.replicasets.values().any(|rs| ns_of(rs) == ns_of(d) && controlled_by(rs, uid_of(d)) && without_hash(&rs["spec"]["template"]) == *template)
        })
        .filter_map(|d| {
            let deadline = progress_deadline_ms(d)?;
            let cond = progressing_condition(d)?;
            if matches!(cond["reason"].as_str(), Some("NewReplicaSetAvailable" | "ProgressDeadlineExceeded" | "DeploymentPaused")) {
                return None;
            }
            let from = crate::cli::printers::parse_time(cond["lastUpdateTime"].as_str()?)?;
            Some(crate::sim::Time((from + deadline + 1000).max(0) as u64))
        })
        .min()
}

fn sync_user() -> crate::apiserver::User {
    client::controller(NAME)
}

/// `DeploymentComplete` on the status the controller last wrote.
fn complete(d: &Value) -> bool {
    let want = replicas(d);
    i64_at(d, &["status", "updatedReplicas"]) == want
        && i64_at(d, &["status", "replicas"]) == want
        && i64_at(d, &["status", "availableReplicas"]) == want
        && i64_at(d, &["status", "observedGeneration"]) >= i64_at(d, &["metadata", "generation"])
}

/// `cleanupDeployment`: old ReplicaSets beyond `revisionHistoryLimit` (default 10) that are
/// scaled to 0 and settled are deleted, oldest revision first.
fn cleanup(ctx: &mut Context, user: &crate::apiserver::User, rs_kind: &'static KindInfo, d: &Value, old: &[&Value]) {
    let limit = d["spec"]["revisionHistoryLimit"].as_i64().unwrap_or(10).max(0) as usize;
    let mut cleanable: Vec<&Value> = old.iter().copied().filter(|rs| !is_terminating(rs)).collect();
    if cleanable.len() <= limit {
        return;
    }
    let revision = |rs: &Value| client::str_of(rs, &["metadata", "annotations", REVISION]).parse::<i64>().unwrap_or(0);
    cleanable.sort_by_key(|rs| (revision(rs), name_of(rs).to_string()));
    let excess = cleanable.len() - limit;
    for rs in cleanable.into_iter().take(excess) {
        let settled = replicas(rs) == 0
            && i64_at(rs, &["status", "replicas"]) == 0
            && i64_at(rs, &["status", "observedGeneration"]) >= i64_at(rs, &["metadata", "generation"]);
        if settled {
            client::send(ctx, user, Verb::Delete, rs_kind, ns_of(rs), name_of(rs), None);
        }
    }
}

/// `getNewReplicaSet` with createIfNotExisted: the RS named after the template hash.
fn create_new_rs(ctx: &mut Context, sync: &mut Sync, old: &[&Value], caches: &Caches) -> Option<String> {
    let d = sync.d;
    let old_pods: i64 = old.iter().map(|rs| replicas(rs)).sum();
    if is_recreate(d) {
        // Recreate: the new RS waits until every old RS is at 0 and its pods are gone.
        if old_pods > 0 || old_pods_running(old, caches) {
            rollout_recreate_old(ctx, sync, old);
            return None;
        }
    }
    let collision = d["status"]["collisionCount"].as_i64().map(|c| c as i32);
    let hash = pod_template_hash(&d["spec"]["template"], collision);
    let name = format!("{}-{hash}", name_of(d));
    let count = if is_recreate(d) || old_pods == 0 { replicas(d) } else { new_rs_replicas(d, old_pods, 0) };
    let revision = old.iter().filter_map(|rs| client::str_of(rs, &["metadata", "annotations", REVISION]).parse::<i64>().ok()).max().unwrap_or(0) + 1;
    let (surge, _) = fenceposts(d);
    let mut annotations = Map::new();
    for (k, v) in d["metadata"]["annotations"].as_object().into_iter().flatten() {
        if k != "kubectl.kubernetes.io/last-applied-configuration" && !k.starts_with("deployment.kubernetes.io/") {
            annotations.insert(k.clone(), v.clone());
        }
    }
    annotations.insert(DESIRED.into(), json!(replicas(d).to_string()));
    annotations.insert(MAX_REPLICAS.into(), json!((replicas(d) + surge).to_string()));
    annotations.insert(REVISION.into(), json!(revision.to_string()));
    let mut template = d["spec"]["template"].clone();
    template["metadata"]["labels"] = with_label(&template["metadata"]["labels"], &hash);
    let mut selector = d["spec"]["selector"].clone();
    selector["matchLabels"] = with_label(&selector["matchLabels"], &hash);
    let mut spec = json!({"replicas": count, "selector": selector, "template": template});
    if let Some(m) = d["spec"]["minReadySeconds"].as_i64() {
        spec["minReadySeconds"] = json!(m);
    }
    let body = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": name, "namespace": ns_of(d),
            "labels": with_label(&d["spec"]["template"]["metadata"]["labels"], &hash),
            "annotations": annotations,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name_of(d), "uid": uid_of(d), "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": spec,
    });
    let reply = client::send(ctx, &sync.user, Verb::Create, sync.rs_kind, ns_of(d), &name, Some(body));
    if reply.result.is_err() {
        // A hash collision with an RS of another template would bump status.collisionCount;
        // not modelled yet, so the next step simply tries again.
        return None;
    }
    if count > 0 {
        sync.event(ctx, "ScalingReplicaSet", &format!("Scaled up replica set {name} from 0 to {count}"));
    }
    Some(name)
}

/// `oldPodsRunning`: a pod of an old RS that has not finished, terminating ones included, so
/// Recreate never runs old and new pods side by side.
fn old_pods_running(old: &[&Value], caches: &Caches) -> bool {
    old.iter().any(|rs| {
        caches.pods.values().any(|p| controlled_by(p, uid_of(rs)) && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
    })
}

/// Recreate's first half: every old RS to 0. Returns true when it scaled something.
fn rollout_recreate_old(ctx: &mut Context, sync: &mut Sync, old: &[&Value]) -> bool {
    let mut scaled = false;
    for rs in old {
        if replicas(rs) > 0 {
            scaled |= sync.scale(ctx, rs, 0);
        }
    }
    scaled
}

fn available(rs: &Value) -> i64 {
    i64_at(rs, &["status", "availableReplicas"])
}

/// `rolloutRolling` / `rolloutRecreate` / `sync` once the new RS exists.
fn rollout(ctx: &mut Context, sync: &mut Sync, new: &Value, old: &[&Value], caches: &Caches) {
    let d = sync.d;
    let want = replicas(d);
    let old_total: i64 = old.iter().map(|rs| replicas(rs)).sum();
    if d["spec"]["paused"] == json!(true) || old_total == 0 {
        // Not rolling out: a replicas change is a plain scale of the new RS.
        if replicas(new) != want || annotations_stale(d, new) {
            sync.scale(ctx, new, want);
        }
        return;
    }
    if is_recreate(d) {
        if rollout_recreate_old(ctx, sync, old) {
            return;
        }
        if !old_pods_running(old, caches) && replicas(new) != want {
            sync.scale(ctx, new, want);
        }
        return;
    }
    // reconcileNewReplicaSet.
    let all_total = old_total + replicas(new);
    let target = if replicas(new) > want { want } else { new_rs_replicas(d, all_total, replicas(new)) };
    if target != replicas(new) {
        sync.scale(ctx, new, target);
        return;
    }
    // reconcileOldReplicaSets.
    let (_, max_unavailable) = fenceposts(d);
    let min_available = want - max_unavailable;
    let new_unavailable = replicas(new) - available(new);
    let max_scaled_down = all_total - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return;
    }
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    let mut cleaned = 0;
    for rs in old {
        if cleaned >= max_scaled_down {
            break;
        }
        let unhealthy = replicas(rs) - available(rs);
        if replicas(rs) == 0 || unhealthy <= 0 {
            continue;
        }
        let n = unhealthy.min(max_scaled_down - cleaned);
        if sync.scale(ctx, rs, replicas(rs) - n) {
            cleaned += n;
        }
    }
    if cleaned > 0 {
        return;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: available old pods above minAvailable.
    let available_all: i64 = old.iter().map(|rs| available(rs)).sum::<i64>() + available(new);
    if available_all <= min_available {
        return;
    }
    let mut budget = available_all - min_available;
    for rs in old {
        if budget <= 0 {
            break;
        }
        if replicas(rs) == 0 {
            continue;
        }
        let n = replicas(rs).min(budget);
        if sync.scale(ctx, rs, replicas(rs) - n) {
            budget -= n;
        }
    }
}

fn annotations_stale(d: &Value, rs: &Value) -> bool {
    client::str_of(rs, &["metadata", "annotations", DESIRED]) != replicas(d).to_string()
}

/// `SetDeploymentCondition`: re-setting moves the condition to the end; `lastTransitionTime`
/// survives while the status stays the same; an identical status and reason changes nothing.
fn set_condition(conds: &mut Vec<Value>, kind: &str, status: &str, reason: &str, message: &str, now: &str) {
    let current = conds.iter().find(|c| c["type"] == kind).cloned();
    if let Some(c) = &current {
        if c["status"] == status && c["reason"] == reason {
            return;
        }
    }
    let transition = match &current {
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    conds.retain(|c| c["type"] != kind);
    conds.push(json!({"type": kind, "status": status, "lastUpdateTime": now, "lastTransitionTime": transition, "reason": reason, "message": message}));
}

/// `calculateStatus` + `syncRolloutStatus`, written only when it changed.
fn write_status(ctx: &mut Context, d_kind: &'static KindInfo, d: &Value, new: Option<&Value>, old: &[&Value], progressing: Option<(&str, &str, String)>) {
    let all: Vec<&Value> = old.iter().copied().chain(new).collect();
    let sum = |f: &str| all.iter().map(|rs| i64_at(rs, &["status", f])).sum::<i64>();
    let want = replicas(d);
    let available_n = sum("availableReplicas");
    let total_spec: i64 = all.iter().map(|rs| replicas(rs)).sum();
    let mut status = Map::new();
    status.insert("observedGeneration".into(), d["metadata"]["generation"].clone());
    let updated = new.map(|rs| i64_at(rs, &["status", "replicas"])).unwrap_or(0);
    for (field, n) in [
        ("replicas", sum("replicas")),
        ("updatedReplicas", updated),
        ("readyReplicas", sum("readyReplicas")),
        ("availableReplicas", available_n),
        ("unavailableReplicas", (total_spec - available_n).max(0)),
    ] {
        if n > 0 {
            status.insert(field.into(), json!(n));
        }
    }
    if let Some(c) = d["status"].get("collisionCount") {
        status.insert("collisionCount".into(), c.clone());
    }
    let now = rfc3339(ctx.now);
    let mut conds: Vec<Value> = d["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let max_unavailable = if is_recreate(d) || want == 0 { 0 } else { fenceposts(d).1 };
    if available_n >= want - max_unavailable {
        set_condition(&mut conds, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", &now);
    } else {
        set_condition(&mut conds, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", &now);
    }
    let paused = d["spec"]["paused"] == json!(true);
    if let Some((s, reason, message)) = progressing {
        set_condition(&mut conds, "Progressing", s, reason, &message, &now);
    } else if let (Some(new), false) = (new, paused) {
        // A paused Deployment is only scaled (`sync`); the rollout status is left alone.
        let rs_name = name_of(new);
        let deadline = progress_deadline_ms(d);
        if deadline.is_some() && !conds.iter().any(|c| c["type"] == "Progressing") {
            set_condition(&mut conds, "Progressing", "True", "FoundNewReplicaSet", &format!("Found new replica set \"{rs_name}\""), &now);
        }
        let current = conds.iter().find(|c| c["type"] == "Progressing").cloned();
        let complete_deployment = sum("replicas") == updated && current.as_ref().is_some_and(|c| c["reason"] == "NewReplicaSetAvailable");
        let complete = updated == want && sum("replicas") == want && available_n == want;
        let old_status = &d["status"];
        // `DeploymentProgressing`: more updated, fewer old, more ready or more available.
        let progressed = updated > i64_at(old_status, &["updatedReplicas"])
            || sum("replicas") - updated < i64_at(old_status, &["replicas"]) - i64_at(old_status, &["updatedReplicas"])
            || sum("readyReplicas") > i64_at(old_status, &["readyReplicas"])
            || available_n > i64_at(old_status, &["availableReplicas"]);
        // `DeploymentTimedOut`: no progress since the condition's lastUpdateTime + deadline.
        let timed_out = current.as_ref().is_some_and(|c| match c["reason"].as_str() {
            Some("NewReplicaSetAvailable") => false,
            Some("ProgressDeadlineExceeded") => true,
            _ => match (deadline, c["lastUpdateTime"].as_str().and_then(crate::cli::printers::parse_time)) {
                (Some(limit), Some(from)) => from + limit < ctx.now.as_ms() as i64,
                _ => false,
            },
        });
        if deadline.is_some() && !complete_deployment {
            if complete {
                set_condition(&mut conds, "Progressing", "True", "NewReplicaSetAvailable", &format!("ReplicaSet \"{rs_name}\" has successfully progressed."), &now);
            } else if progressed {
                // Re-set on every bit of progress: lastUpdateTime moves, lastTransitionTime stays.
                let transition = current.as_ref().filter(|c| c["status"] == "True").map(|c| c["lastTransitionTime"].clone());
                conds.retain(|c| c["type"] != "Progressing");
                conds.push(json!({"type": "Progressing", "status": "True", "lastUpdateTime": now, "lastTransitionTime": transition.unwrap_or(json!(now)),
                    "reason": "ReplicaSetUpdated", "message": format!("ReplicaSet \"{rs_name}\" is progressing.")}));
            } else if timed_out {
                set_condition(&mut conds, "Progressing", "False", "ProgressDeadlineExceeded", &format!("ReplicaSet \"{rs_name}\" has timed out progressing."), &now);
            }
        }
    }
    if !conds.is_empty() {
        status.insert("conditions".into(), json!(conds));
    }
    let status = Value::Object(status);
    if d["status"] == status {
        return;
    }
    let mut nd = d.clone();
    nd["status"] = status;
    client::update_status(ctx, &client::controller(NAME), d_kind, &nd);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy(replicas: i64, surge: Value, unavailable: Value) -> Value {
        json!({"spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}}})
    }

    #[test]
    fn fenceposts_round_surge_up_and_unavailable_down() {
        assert_eq!(fenceposts(&deploy(4, json!("25%"), json!("25%"))), (1, 1));
        assert_eq!(fenceposts(&deploy(3, json!("25%"), json!("25%"))), (1, 0));
        assert_eq!(fenceposts(&deploy(1, json!("25%"), json!("25%"))), (1, 0));
        assert_eq!(fenceposts(&deploy(10, json!(0), json!(0))), (0, 1));
        assert_eq!(fenceposts(&deploy(10, json!(2), json!("50%"))), (2, 5));
    }

    #[test]
    fn new_replica_set_grows_within_max_surge() {
        let d = deploy(3, json!("25%"), json!("25%"));
        // 3 old pods, surge 1: the new RS may have 1.
        assert_eq!(new_rs_replicas(&d, 3, 0), 1);
        // Already at 4 in total: no growth.
        assert_eq!(new_rs_replicas(&d, 4, 1), 1);
        // Old scaled to 2, new 1: total 3, may grow to 2.
        assert_eq!(new_rs_replicas(&d, 3, 1), 2);
        // Never above replicas.
        assert_eq!(new_rs_replicas(&d, 3, 3), 3);
    }
}
