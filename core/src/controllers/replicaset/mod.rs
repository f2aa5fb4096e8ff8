//! The replicaset controller (`pkg/controller/replicaset`) and, run over ReplicationControllers,
//! the replication controller (`pkg/controller/replication`): keeps `spec.replicas` pods alive
//! for each owner, creating them from the template (`generateName: <owner>-`, a controller
//! ownerReference) and deleting surplus ones in the order `getPodsToDelete` ranks them, then
//! reports `status` (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas: ready for
//! `minReadySeconds`, observedGeneration, the `ReplicaFailure` condition).
//!
//! Kubernetes has one implementation for both: `replication_controller.go` builds the ReplicaSet
//! controller with the ReplicationController's kind and names and converts RCs to ReplicaSets
//! on the way in and out (`conversion.go`). Here the one implementation takes a [`Flavour`]:
//! the owner's kind, the controller's name (its service account, event source and trace name),
//! its informer, and how its selector reads (a `LabelSelector` for a ReplicaSet, a plain map of
//! labels for a ReplicationController).
//!
//! Driven by a work queue (`workqueue.rs`): the informers' event handlers queue an owner's key
//! when it or one of its pods changes (and at every resync), an orphan pod queues every owner
//! whose selector matches it, and each sync returns its [`Decision`]. Each sync first claims
//! its pods (`controller_ref_manager.rs`: adopt matching orphans, release owned pods whose labels
//! no longer match). The caches are current when a step starts, so a pod this controller created
//! in the previous step is already counted (which is what client-go's "expectations" otherwise
//! guard).

mod claimed;
mod sync;

use super::client::{self, name_of, ns_of};
use super::controller_ref_manager::controller_of;
use super::informer::{queue_key, Informer, Notification};
use super::workqueue::WorkQueue;
use super::Caches;
use crate::apiserver::select::LabelSelector;
use crate::apiserver::Context;
use crate::sim::Time;
use serde_json::{json, Value};

/// True when `obj` names `owner_uid` as its controller.
pub fn controlled_by(obj: &Value, owner_uid: &str) -> bool {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["controller"] == json!(true) && r["uid"].as_str() == Some(owner_uid))
}

pub fn is_terminating(obj: &Value) -> bool {
    !obj["metadata"]["deletionTimestamp"].is_null()
}

/// `controller.IsPodActive`: not finished and not being deleted.
pub fn is_active(pod: &Value) -> bool {
    !is_terminating(pod) && !matches!(pod["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
}

pub fn condition_true(obj: &Value, kind: &str) -> bool {
    obj["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == kind && c["status"] == "True")
}

/// Which owners one instance of the controller manages (`NewBaseController`'s parameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flavour {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// The controller's name in kube-controller-manager: its service account
    /// (`--use-service-account-credentials`), its events' source and its trace records.
    pub name: &'static str,
}

/// The ReplicaSet controller proper.
pub const REPLICA_SET: Flavour = Flavour { api_version: "apps/v1", kind: "ReplicaSet", name: "replicaset-controller" };
/// `replicationmanager`: the same controller over ReplicationControllers.
pub const REPLICATION_CONTROLLER: Flavour = Flavour { api_version: "v1", kind: "ReplicationController", name: "replication-controller" };

impl Flavour {
    /// The shared informer of the owners' kind.
    fn informer<'a>(&self, caches: &'a Caches) -> &'a Informer {
        if *self == REPLICATION_CONTROLLER {
            &caches.replicationcontrollers
        } else {
            &caches.replicasets
        }
    }

    /// The owner's selector: `metav1.LabelSelectorAsSelector` for a ReplicaSet (`None` when it
    /// does not parse), `labels.Set(rc.Spec.Selector)` for a ReplicationController.
    fn selector(&self, owner: &Value) -> Option<LabelSelector> {
        if *self == REPLICATION_CONTROLLER {
            let map = owner["spec"]["selector"].as_object().cloned().unwrap_or_default();
            LabelSelector::from_object(&json!({ "matchLabels": map }))
        } else {
            LabelSelector::from_object(&owner["spec"]["selector"])
        }
    }
}

/// One instance of the controller: its flavour and its work queue of owner keys
/// (`namespace/name`), fed by the event handlers on the owners' and the Pod informers and
/// drained by `syncReplicaSet`. A failed claim, create or delete returns an error, which
/// retries the key through the queue's rate limiter (5 ms doubling to 1000 s) for as long as it
/// fails, as `processNextWorkItem` does; the failures are forgotten once a sync succeeds.
#[derive(Debug)]
pub struct ReplicaSetController {
    flavour: Flavour,
    queue: WorkQueue,
    /// Each owner's last claim, so a sync claims only the pods that changed since (`claimed.rs`).
    claims: claimed::Claims,
}

impl Default for ReplicaSetController {
    fn default() -> Self {
        Self::new(REPLICA_SET)
    }
}

impl ReplicaSetController {
    pub fn new(flavour: Flavour) -> Self {
        ReplicaSetController { flavour, queue: WorkQueue::default(), claims: claimed::Claims::default() }
    }

    /// Keys queued, or a quick retry coming due: work a command waits for.
    pub fn next_wake(&self) -> Option<Time> {
        self.queue.next_wake()
    }

    /// Retries that have backed off to a second or more run as virtual time passes.
    pub fn next_background_wake(&self) -> Option<Time> {
        self.queue.next_background_wake()
    }

    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches, events: &mut client::EventNames) {
        self.handle_events(caches);
        self.claims.note_changes(&caches.pods);
        let flavour = self.flavour;
        let resource = flavour.informer(caches).kind.resource;
        let claims = &mut self.claims;
        self.queue.process(ctx, flavour.name, resource, |ctx, key| sync::sync_replica_set(ctx, flavour, caches, events, claims, key));
    }

    /// The event handlers (`addRS`, `updateRS`, `deleteRS`, `addPod`, `updatePod`, `deletePod`):
    /// every owner notification queues its key, resyncs included; a pod's queues its
    /// controller's (the old one's too when the controller changed), unless nothing changed (a
    /// resync: same resourceVersion). An orphan pod that is new, or whose labels or controller
    /// changed, queues every owner whose selector matches it (`getPodReplicaSets`), which may
    /// adopt it.
    fn handle_events(&mut self, caches: &Caches) {
        let owners = self.flavour.informer(caches);
        for n in owners.notifications() {
            if let Some(rs) = owners.object_of(n) {
                self.queue.add(&queue_key(ns_of(rs), name_of(rs)));
            }
        }
        for n in caches.pods.notifications() {
            let (current, old) = match n {
                Notification::Resynced { .. } => continue,
                Notification::Updated { old, .. } => (caches.pods.object_of(n), Some(old)),
                _ => (caches.pods.object_of(n), None),
            };
            if let (Some(cur), Some(old)) = (current, old) {
                if cur["metadata"]["resourceVersion"] == old["metadata"]["resourceVersion"] {
                    continue;
                }
            }
            for pod in old.into_iter().chain(current) {
                if let Some(rs) = owners.resolve_controller_ref(pod) {
                    self.queue.add(&queue_key(ns_of(rs), name_of(rs)));
                }
            }
            let Some(pod) = current.filter(|p| !matches!(n, Notification::Deleted { .. }) && controller_of(p).is_none()) else { continue };
            let changed = old.is_none_or(|o| o["metadata"]["labels"] != pod["metadata"]["labels"] || controller_of(o).is_some());
            if changed {
                for key in self.owners_selecting(owners, pod) {
                    self.queue.add(&key);
                }
            }
        }
    }

    /// The keys of the owners in `pod`'s namespace whose selector matches it; an empty selector
    /// matches nothing here.
    fn owners_selecting(&self, owners: &Informer, pod: &Value) -> Vec<String> {
        owners
            .values()
            .filter(|o| ns_of(o) == ns_of(pod))
            .filter(|o| self.flavour.selector(o).is_some_and(|s| !s.is_empty() && s.matches_object(pod)))
            .map(|o| queue_key(ns_of(o), name_of(o)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replication_controller_selector_is_a_plain_map() {
        let rc = json!({"spec": {"selector": {"app": "nginx"}}});
        let pod = json!({"metadata": {"labels": {"app": "nginx", "tier": "web"}}});
        assert!(REPLICATION_CONTROLLER.selector(&rc).is_some_and(|s| s.matches_object(&pod)));
        let rs = json!({"spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["nginx"]}]}}});
        assert!(REPLICA_SET.selector(&rs).is_some_and(|s| s.matches_object(&pod)));
        let other = json!({"spec": {"selector": {"app": "web"}}});
        assert!(REPLICATION_CONTROLLER.selector(&other).is_some_and(|s| !s.matches_object(&pod)));
    }

    const RC: &str = "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: nginx}\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: {app: nginx}\n    spec:\n      containers: [{name: nginx, image: nginx}]\n";
    const STRAY: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: stray, labels: {app: nginx}}\nspec:\n  containers: [{name: nginx, image: nginx}]\n";

    /// The live pods: name, labels' app, controller kind and name.
    fn pods(c: &mut crate::cluster::Cluster, files: &crate::cli::MemoryFiles) -> Vec<(String, String, String)> {
        let out: Value = serde_json::from_str(&c.execute("kubectl get pods -o json", files).stdout).unwrap_or_default();
        let items = out["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .map(|p| {
                let owner = controller_of(p).map(|r| format!("{}/{}", r["kind"].as_str().unwrap_or(""), r["name"].as_str().unwrap_or(""))).unwrap_or_default();
                (name_of(p).to_string(), client::str_of(p, &["metadata", "labels", "app"]).to_string(), owner)
            })
            .collect()
    }

    #[test]
    fn a_replication_controller_keeps_its_pods_adopts_a_matching_one_and_releases_a_relabelled_one() {
        use crate::cli::MemoryFiles;
        use crate::cluster::{Cluster, Config};
        let mut c = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("rc.yaml", RC).with("stray.yaml", STRAY);
        assert!(c.execute("kubectl apply -f rc.yaml", &files).success());
        let first = pods(&mut c, &files);
        assert_eq!(first.len(), 2, "{first:?}");
        for (name, app, owner) in &first {
            // generateName `nginx-` and five characters of the name generator's alphabet.
            assert!(name.starts_with("nginx-") && name.len() == 11, "{name}");
            assert_eq!((app.as_str(), owner.as_str()), ("nginx", "ReplicationController/nginx"));
        }
        // A hand-made pod with the labels is adopted, and being one too many, deleted again.
        assert!(c.execute("kubectl apply -f stray.yaml", &files).success());
        assert_eq!(pods(&mut c, &files), first);
        let trace = c.trace().render();
        assert!(trace.contains("PATCH /api/v1/namespaces/default/pods/stray as system:serviceaccount:kube-system:replication-controller"), "{trace}");
        // A pod relabelled out of the selector is released (its ownerReference removed) and replaced.
        let relabelled = first[0].0.clone();
        assert!(c.execute(&format!("kubectl label pod {relabelled} app=debug --overwrite"), &files).success());
        let now = pods(&mut c, &files);
        assert_eq!(now.len(), 3, "{now:?}");
        assert!(now.contains(&(relabelled, "debug".to_string(), String::new())), "{now:?}");
        assert_eq!(now.iter().filter(|p| p.2 == "ReplicationController/nginx").count(), 2, "{now:?}");
    }

    #[test]
    fn available_replicas_wait_for_min_ready_seconds() {
        use crate::cli::MemoryFiles;
        use crate::cluster::{Cluster, Config};
        let mut c = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("rc.yaml", RC.replace("  replicas: 2\n", "  replicas: 2\n  minReadySeconds: 10\n"));
        assert!(c.execute("kubectl apply -f rc.yaml", &files).success());
        let status = |c: &mut Cluster| {
            let rc: Value = serde_json::from_str(&c.execute("kubectl get rc nginx -o json", &files).stdout).unwrap_or_default();
            (rc["status"]["readyReplicas"].as_i64(), rc["status"]["availableReplicas"].as_i64())
        };
        assert_eq!(status(&mut c), (Some(2), None), "ready, not yet available");
        // The sync asked to come back after minReadySeconds, which passes as time does.
        c.execute("run 12s", &files);
        assert_eq!(status(&mut c), (Some(2), Some(2)));
    }

    #[test]
    fn a_failing_create_sets_replica_failure_on_the_replication_controller() {
        use crate::cli::MemoryFiles;
        use crate::cluster::{Cluster, Config};
        let mut c = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("rc.yaml", RC.replace("    spec:\n", "    spec:\n      serviceAccountName: missing\n"));
        assert!(c.execute("kubectl apply -f rc.yaml", &files).success());
        let rc: Value = serde_json::from_str(&c.execute("kubectl get rc nginx -o json", &files).stdout).unwrap_or_default();
        let cond = &rc["status"]["conditions"][0];
        assert_eq!((cond["type"].as_str(), cond["status"].as_str(), cond["reason"].as_str()), (Some("ReplicaFailure"), Some("True"), Some("FailedCreate")), "{rc}");
        assert!(cond["message"].as_str().is_some_and(|m| m.ends_with("serviceaccount \"missing\" not found")), "{cond}");
    }
}
