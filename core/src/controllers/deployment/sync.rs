//! What one sync of a Deployment writes, as `pkg/controller/deployment/sync.go` does it:
//! `getNewReplicaSet` (the ReplicaSet named after the template hash, created when missing),
//! `scaleReplicaSet` with its annotations and event, `cleanupDeployment` (old ReplicaSets past
//! `revisionHistoryLimit`) and `checkPausedConditions`.
//!
//! Every request goes through [`Sync::send`], which keeps the first failure: the sync returns it
//! as its error, and the work queue retries the key through its rate limiter.

use super::super::client::{self, name_of, ns_of, uid_of, EventNames, Source};
use super::super::hash::pod_template_hash;
use super::super::replicaset::is_terminating;
use super::util::{fenceposts, i64_at, is_recreate, new_rs_replicas, replicas, set_condition, with_label, DESIRED, MAX_REPLICAS, REVISION};
use super::NAME;
use crate::api::KindInfo;
use crate::apiserver::{Context, Request, User, Verb};
use serde_json::{json, Map, Value};

/// One sync of one Deployment: who it acts as, and the first request that failed.
pub struct Sync<'a> {
    pub d: &'a Value,
    pub d_kind: &'static KindInfo,
    pub rs_kind: &'static KindInfo,
    pub user: User,
    pub events: &'a mut EventNames,
    /// The first failure's message: the sync's error.
    pub error: Option<String>,
}

impl Sync<'_> {
    pub fn event(&mut self, ctx: &mut Context, reason: &str, message: &str) {
        let source = Source { component: NAME, host: "" };
        client::event(ctx, self.events, &self.user, &source, self.d, false, reason, message);
    }

    /// Sends one request; a failure becomes the sync's error. `subresource` is `status` or "".
    pub fn send(&mut self, ctx: &mut Context, verb: Verb, kind: &'static KindInfo, obj: &Value, body: Option<Value>, subresource: &str) -> Option<Value> {
        let mut req = Request::new(verb, kind, ns_of(obj), name_of(obj));
        req.body = body;
        req.subresource = subresource.to_string();
        req.user = self.user.clone();
        match crate::apiserver::handle(ctx, &req).result {
            Ok(v) => Some(v),
            Err(status) => {
                self.error.get_or_insert(status.message);
                None
            }
        }
    }

    /// `UpdateStatus` of the Deployment with this status.
    pub fn update_status(&mut self, ctx: &mut Context, status: Value) {
        let mut nd = self.d.clone();
        nd["status"] = status;
        self.send(ctx, Verb::Update, self.d_kind, self.d, Some(nd), "status");
    }

    /// `scaleReplicaSet`: sets an RS's replicas (and the deployment annotations) with an Update,
    /// plus the event. True when it wrote.
    pub fn scale(&mut self, ctx: &mut Context, rs: &Value, to: i64) -> bool {
        let from = replicas(rs);
        let (surge, _) = fenceposts(self.d);
        let mut new = rs.clone();
        new["spec"]["replicas"] = json!(to);
        new["metadata"]["annotations"][DESIRED] = json!(replicas(self.d).to_string());
        new["metadata"]["annotations"][MAX_REPLICAS] = json!((replicas(self.d) + surge).to_string());
        if from == to && new == *rs {
            return false;
        }
        let ok = self.send(ctx, Verb::Update, self.rs_kind, rs, Some(new), "").is_some();
        if ok && from != to {
            let dir = if to > from { "up" } else { "down" };
            self.event(ctx, "ScalingReplicaSet", &format!("Scaled {dir} replica set {} from {from} to {to}", name_of(rs)));
        }
        ok
    }
}

/// `checkPausedConditions`: the Progressing condition says when a Deployment is paused and
/// resumed (unless it already timed out). `Some` is the new condition list.
pub fn paused_conditions(d: &Value, now: &str) -> Option<Vec<Value>> {
    super::util::progress_deadline_ms(d)?;
    let current = super::util::progressing_condition(d);
    let reason = current.map(|c| c["reason"].as_str().unwrap_or(""));
    if reason == Some("ProgressDeadlineExceeded") {
        return None;
    }
    let paused = super::util::is_paused(d);
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

/// `cleanupDeployment`: old ReplicaSets beyond `revisionHistoryLimit` (default 10) that are
/// scaled to 0 and settled are deleted, oldest revision first.
pub fn cleanup(ctx: &mut Context, sync: &mut Sync, old: &[&Value]) {
    let d = sync.d;
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
            sync.send(ctx, Verb::Delete, sync.rs_kind, rs, None, "");
        }
    }
}

/// `getNewReplicaSet` with createIfNotExisted: the RS named after the template hash. `None`
/// when Recreate must first bring the old ones down, or the create failed.
pub fn create_new_rs(ctx: &mut Context, sync: &mut Sync, old: &[&Value], old_pods_running: bool) -> Option<String> {
    let d = sync.d;
    let old_pods: i64 = old.iter().map(|rs| replicas(rs)).sum();
    if is_recreate(d) {
        // Recreate: the new RS waits until every old RS is at 0 and its pods are gone.
        if old_pods > 0 || old_pods_running {
            super::rolling::rollout_recreate_old(ctx, sync, old);
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
    // A hash collision with an RS of another template would bump status.collisionCount; not
    // modelled: the failure is the sync's error and the key is retried.
    let target = json!({"metadata": {"name": name, "namespace": ns_of(d)}});
    sync.send(ctx, Verb::Create, sync.rs_kind, &target, Some(body), "")?;
    if count > 0 {
        sync.event(ctx, "ScalingReplicaSet", &format!("Scaled up replica set {name} from 0 to {count}"));
    }
    Some(name)
}
