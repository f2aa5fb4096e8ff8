//! The deployment controller (`pkg/controller/deployment`): for each Deployment it claims the
//! ReplicaSets of its namespace (`getReplicaSetsForDeployment` through the ControllerRefManager,
//! `controller_ref_manager.rs`: orphans its selector matches are adopted, so a Deployment
//! re-created after `kubectl delete --cascade=orphan` takes its old ReplicaSets back, and owned
//! ones whose labels no longer match are released), creates the "new" one (`<deployment>-<pod-template-hash>`) when none
//! has the current template, moves replicas from old to new within `maxSurge`/`maxUnavailable`
//! (RollingUpdate) or all at once (Recreate), and reports status and the Available/Progressing
//! conditions.
//!
//! As `deployment_controller.go`: a work queue of Deployment keys (`workqueue.rs`) fed by event
//! handlers on the Deployment, ReplicaSet and Pod informers, drained by `syncDeployment`, which
//! returns its decision for the key: done, come back after the progress deadline, or an error
//! retried through the rate limiter (at most 15 times, `maxRetries`, then dropped until the
//! next change or resync). One action per sync, as one `sync` returns after scaling up or down;
//! the write queues the key again and the next step continues with fresh caches.
//!
//! Files as the package has them: `sync.rs` (getNewReplicaSet, scaling, cleanup, paused
//! conditions), `rolling.rs` (rolling.go and recreate.go), `progress.rs` (status, conditions and
//! the progress deadline), `util.rs` (deployment_util.go).
//!
//! Revisions: the new ReplicaSet carries `deployment.kubernetes.io/revision` one above the
//! highest old one, so a rollback (`kubectl rollout undo` puts an old template back) moves that
//! old ReplicaSet to the newest revision and records the one it had in
//! `deployment.kubernetes.io/revision-history`; the Deployment's own annotations (such as
//! `kubernetes.io/change-cause`) are copied to its new ReplicaSet (`SetNewReplicaSetAnnotations`).
//! A paused Deployment only scales; its Progressing condition says `DeploymentPaused` and then
//! `DeploymentResumed` (`checkPausedConditions`). A rollout that makes no progress for
//! `progressDeadlineSeconds` gets `ProgressDeadlineExceeded` (`syncRolloutStatus`).

mod progress;
mod rolling;
mod sync;
mod util;

pub use util::resolve;

use super::client::{self, name_of, ns_of, uid_of, EventNames};
use super::controller_ref_manager::{controller_of, ControllerRefManager};
use crate::apiserver::select::LabelSelector;
use super::informer::{queue_key, Notification};
use super::replicaset::{controlled_by, is_terminating};
use super::workqueue::{Decision, WorkQueue};
use super::Caches;
use crate::apiserver::{rfc3339, Context, Verb};
use crate::sim::Time;
use serde_json::{json, Value};
use sync::Sync;
use util::{complete, is_paused, is_recreate, without_hash, REVISION};

const NAME: &str = "deployment-controller";
/// `maxRetries`: a key that fails this many times in a row is dropped from the queue.
const MAX_RETRIES: u32 = 15;

#[derive(Debug)]
pub struct DeploymentController {
    queue: WorkQueue,
}

impl Default for DeploymentController {
    fn default() -> Self {
        DeploymentController { queue: WorkQueue::new(Some(MAX_RETRIES)) }
    }
}

impl DeploymentController {
    /// Keys queued, or a quick retry coming due: work a command waits for.
    pub fn next_wake(&self) -> Option<Time> {
        self.queue.next_wake()
    }

    /// Progress deadlines and retries backed off to a second or more: they run as time passes.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.queue.next_background_wake()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut EventNames) {
        self.handle_events(caches);
        self.queue.process(ctx, NAME, "deployments", |ctx, key| sync_deployment(ctx, caches, events, key));
    }

    /// The event handlers: every Deployment notification queues its key (`addDeployment`,
    /// `updateDeployment`, `deleteDeployment`, resyncs included); a ReplicaSet's that changed
    /// queues its controller's, the old one's too if the controller changed
    /// (`updateReplicaSet`); an orphaned ReplicaSet that is new, or whose labels or controller
    /// changed, queues every Deployment whose selector matches it (`getDeploymentsForReplicaSet`),
    /// which may adopt it; a deleted pod of a Recreate Deployment queues it once none of its pods
    /// are left (`deletePod`).
    fn handle_events(&mut self, caches: &Caches) {
        for n in caches.deployments.notifications() {
            if let Some(d) = caches.deployments.object_of(n) {
                self.queue.add(&queue_key(ns_of(d), name_of(d)));
            }
        }
        for n in caches.replicasets.notifications() {
            let current = caches.replicasets.object_of(n);
            let old = match n {
                Notification::Resynced { .. } => continue,
                Notification::Updated { old, .. } => Some(old),
                _ => None,
            };
            if let (Some(cur), Some(old)) = (current, old) {
                if cur["metadata"]["resourceVersion"] == old["metadata"]["resourceVersion"] {
                    continue;
                }
            }
            for rs in old.into_iter().chain(current) {
                if let Some(d) = caches.deployments.resolve_controller_ref(rs) {
                    self.queue.add(&queue_key(ns_of(d), name_of(d)));
                }
            }
            let Some(rs) = current.filter(|rs| !matches!(n, Notification::Deleted { .. }) && controller_of(rs).is_none()) else { continue };
            if old.is_none_or(|o| o["metadata"]["labels"] != rs["metadata"]["labels"] || controller_of(o).is_some()) {
                for d in caches.deployments.values().filter(|d| ns_of(d) == ns_of(rs)) {
                    if LabelSelector::from_object(&d["spec"]["selector"]).is_some_and(|s| !s.is_empty() && s.matches_object(rs)) {
                        self.queue.add(&queue_key(ns_of(d), name_of(d)));
                    }
                }
            }
        }
        for n in caches.pods.notifications() {
            let Notification::Deleted { old: pod, .. } = n else { continue };
            let Some(d) = caches.replicasets.resolve_controller_ref(pod).and_then(|rs| caches.deployments.resolve_controller_ref(rs)) else {
                continue;
            };
            if is_recreate(d) && pods_of(d, caches).next().is_none() {
                self.queue.add(&queue_key(ns_of(d), name_of(d)));
            }
        }
    }
}

/// The ReplicaSets a Deployment controls, oldest first.
fn replica_sets_of<'a>(d: &Value, caches: &'a Caches) -> Vec<&'a Value> {
    let mut owned: Vec<&Value> = caches.replicasets.values().filter(|rs| ns_of(rs) == ns_of(d) && controlled_by(rs, uid_of(d))).collect();
    owned.sort_by(|a, b| {
        client::str_of(a, &["metadata", "creationTimestamp"]).cmp(client::str_of(b, &["metadata", "creationTimestamp"])).then(name_of(a).cmp(name_of(b)))
    });
    owned
}

/// The pods of a Deployment's ReplicaSets (`getPodMapForDeployment`).
fn pods_of<'a>(d: &'a Value, caches: &'a Caches) -> impl Iterator<Item = &'a Value> {
    let rs_uids: Vec<&str> = replica_sets_of(d, caches).into_iter().map(uid_of).collect();
    caches.pods.values().filter(move |p| ns_of(p) == ns_of(d) && rs_uids.iter().any(|uid| controlled_by(p, uid)))
}

/// `syncDeployment` for one key: at most one action (paused conditions, the new ReplicaSet's
/// annotations, creating it, one scaling step, the revision annotation), then the status.
fn sync_deployment(ctx: &mut Context, caches: &Caches, events: &mut EventNames, key: &str) -> Decision {
    let (ns, name) = key.split_once('/').unwrap_or(("", key));
    let (Some(d), Some(d_kind), Some(rs_kind)) = (caches.deployments.get(ns, name), client::kind("apps/v1", "Deployment"), client::kind("apps/v1", "ReplicaSet")) else {
        // Deleted: its ReplicaSets go through the garbage collector.
        return Decision::Done;
    };
    if is_terminating(d) {
        return Decision::Done;
    }
    let user = client::controller(NAME);
    // `getReplicaSetsForDeployment`: claim the namespace's ReplicaSets (adopt matching orphans,
    // release owned ones that no longer match). A claim that wrote is this sync's one action:
    // its watch event brings the key back with the cache showing the new owners.
    let Some(selector) = LabelSelector::from_object(&d["spec"]["selector"]).filter(|s| !s.is_empty()) else {
        return Decision::Done;
    };
    let candidates = caches.replicasets.values().filter(|rs| ns_of(rs) == ns);
    let claimed = ControllerRefManager::new(d, d_kind, &selector, &user).claim(ctx, rs_kind, candidates);
    if let Some(error) = claimed.error {
        return Decision::Error(error);
    }
    if claimed.adopted + claimed.released > 0 {
        return Decision::Done;
    }
    let owned = replica_sets_of(d, caches);
    let mut sync = Sync { d, d_kind, rs_kind, user, events, error: None };
    let requeue = sync_one(ctx, &mut sync, &owned, caches);
    match (sync.error, requeue) {
        (Some(error), _) => Decision::Error(error),
        (None, Some(after)) => Decision::RequeueAfter(after),
        (None, None) => Decision::Done,
    }
}

/// The body of `syncDeployment` once the Deployment and its ReplicaSets are known; `Some` is
/// when to check the rollout's progress again.
fn sync_one(ctx: &mut Context, sync: &mut Sync, owned: &[&Value], caches: &Caches) -> Option<crate::sim::Duration> {
    let d = sync.d;
    let template = &d["spec"]["template"];
    let new_rs = owned.iter().copied().find(|rs| without_hash(&rs["spec"]["template"]) == *template);
    let old: Vec<&Value> = owned.iter().copied().filter(|rs| Some(*rs) != new_rs).collect();
    let paused = is_paused(d);
    if let Some(conds) = sync::paused_conditions(d, &rfc3339(ctx.now)) {
        let mut status = d["status"].clone();
        status["conditions"] = json!(conds);
        sync.update_status(ctx, status);
        return None;
    }
    if let Some(updated) = new_rs.and_then(|rs| util::new_rs_annotations(d, rs, &old)) {
        sync.send(ctx, Verb::Update, sync.rs_kind, &updated, Some(updated.clone()), "");
        return None;
    }
    let mut created = None;
    match new_rs {
        None if !paused => {
            let running = is_recreate(d) && rolling::old_pods_running(&old, caches);
            created = sync::create_new_rs(ctx, sync, &old, running);
        }
        None => {}
        Some(new) => rolling::rollout(ctx, sync, new, &old, caches),
    }
    if let Some(name) = created {
        progress::write_status(ctx, sync, None, &old, Some(("True", "NewReplicaSetCreated", format!("Created new replica set \"{name}\""))));
        return None;
    }
    if let Some(new) = new_rs {
        let revision = client::str_of(new, &["metadata", "annotations", REVISION]);
        if !revision.is_empty() && client::str_of(d, &["metadata", "annotations", REVISION]) != revision {
            // `getNewReplicaSet` writes the revision with `UpdateStatus`: a status write may
            // change annotations and does not bump the generation.
            let mut nd = d.clone();
            nd["metadata"]["annotations"][REVISION] = json!(revision);
            sync.send(ctx, Verb::Update, sync.d_kind, d, Some(nd), "status");
            return None;
        }
    }
    if new_rs.is_some() && !paused && complete(d, &d["status"]) {
        sync::cleanup(ctx, sync, &old);
    }
    progress::write_status(ctx, sync, new_rs, &old, None)
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    const STUCK: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  progressDeadlineSeconds: 30\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: ngnix\n";

    const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: 'nginx:1.27'}]\n";

    #[test]
    fn a_deployment_recreated_over_its_orphans_adopts_them_and_keeps_their_pods() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("web.yaml", WEB);
        let names = |c: &mut Cluster, what: &str| c.execute(&format!("kubectl get {what} -o name"), &files).stdout;
        assert!(cluster.execute("kubectl apply -f web.yaml", &files).success());
        let (rs, pods) = (names(&mut cluster, "rs"), names(&mut cluster, "pods"));
        assert!(cluster.execute("kubectl delete deployment web --cascade=orphan", &files).success());
        let orphan: serde_json::Value = serde_json::from_str(&cluster.execute("kubectl get rs -o json", &files).stdout).unwrap_or_default();
        assert!(orphan["items"][0]["metadata"]["ownerReferences"].is_null(), "{orphan}");
        assert!(cluster.execute("kubectl apply -f web.yaml", &files).success());
        // Same template, same hash: the old ReplicaSet is adopted, no new one, the pods stay.
        assert_eq!((names(&mut cluster, "rs"), names(&mut cluster, "pods")), (rs, pods));
        let adopted: serde_json::Value = serde_json::from_str(&cluster.execute("kubectl get rs -o json", &files).stdout).unwrap_or_default();
        let owner = &adopted["items"][0]["metadata"]["ownerReferences"][0];
        assert_eq!((owner["kind"].as_str(), owner["name"].as_str(), owner["controller"].as_bool()), (Some("Deployment"), Some("web"), Some(true)));
        let trace = cluster.trace().render();
        assert!(trace.contains("PATCH /apis/apps/v1/namespaces/default/replicasets/web-"), "{trace}");
        assert!(trace.contains("GET /apis/apps/v1/namespaces/default/deployments/web as system:serviceaccount:kube-system:deployment-controller"), "canAdopt's recheck");
    }

    #[test]
    fn a_stuck_rollout_comes_back_at_its_progress_deadline_and_times_out() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("web.yaml", STUCK);
        cluster.execute("kubectl apply -f web.yaml", &files);
        // The pods never pull: once the status settles, the sync asks to come back a second
        // after the deadline, and says so on its record.
        let trace = cluster.trace().render();
        let requeued = trace.lines().filter(|l| l.contains("deployment-controller reconcile deployments default/web") && l.contains("requeued after ")).count();
        assert_eq!(requeued, 1, "{trace}");
        let reason = |c: &mut Cluster| {
            let d: serde_json::Value = serde_json::from_str(&c.execute("kubectl get deploy web -o json", &files).stdout).unwrap_or_default();
            let conds = d["status"]["conditions"].as_array().cloned().unwrap_or_default();
            conds.iter().find(|cond| cond["type"] == "Progressing").and_then(|cond| cond["reason"].as_str()).unwrap_or("").to_string()
        };
        assert_eq!(reason(&mut cluster), "ReplicaSetUpdated");
        cluster.execute("run 40s", &files);
        assert_eq!(reason(&mut cluster), "ProgressDeadlineExceeded");
    }
}
