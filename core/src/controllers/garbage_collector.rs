//! A minimal garbage collector (`pkg/controller/garbagecollector`): a dependent whose owners are
//! all gone is deleted in the background. As the graph builder does, it keeps its dependency
//! graph (owner uid -> dependents) from the informers' notifications, so a step looks only at
//! what changed: the objects added or updated, the dependents of those deleted, and the owners
//! being finalized (scanning every cached object at every step was a sixth of a 5,000-node
//! run). Before deleting, the collector
//! confirms the owner's absence with a live GET, as the real one does, and deletes with a UID
//! precondition so a recreated object of the same name is never hit.
//!
//! Foreground deletion (`foregroundDeletion` finalizer on the owner): dependents are deleted
//! (foreground too) and the finalizer is removed once none is left, so the owner goes last.
//! Orphan (`orphan` finalizer): the owner's reference is taken out of each dependent, then the
//! finalizer goes. DaemonSets and StatefulSets own their pods and ControllerRevisions; a Node owns
//! its kubelet's Lease in `kube-node-lease` (a cluster-scoped owner of a namespaced dependent), so
//! the Lease goes when the Node is deleted. Not yet: owners of other kinds.

use super::client::{self, name_of, ns_of, uid_of};
use super::informer::{Informer, Notification};
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, Context, Propagation, Request, Verb};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const NAME: &str = "generic-garbage-collector";
/// Deletions per step.
const MAX_DELETES_PER_STEP: usize = 200;
const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

/// Every cache the collector reads, owners and dependents alike: the graph builder's monitors
/// watch every deletable resource, so any kind may own any other. The Secrets cache is left out:
/// its watch starts only once a pod refers to a Secret (`Caches::secrets`), and an empty,
/// never-listed cache would make every Secret-owned object look orphaned.
fn watched(caches: &Caches) -> [&Informer; 22] {
    [
        &caches.deployments,
        &caches.replicasets,
        &caches.replicationcontrollers,
        &caches.pods,
        &caches.daemonsets,
        &caches.statefulsets,
        &caches.controllerrevisions,
        &caches.jobs,
        &caches.cronjobs,
        &caches.services,
        &caches.endpoints,
        &caches.endpointslices,
        &caches.nodes,
        &caches.leases,
        &caches.namespaces,
        &caches.serviceaccounts,
        &caches.configmaps,
        &caches.pvcs,
        &caches.pvs,
        &caches.storageclasses,
        &caches.pdbs,
        &caches.hpas,
    ]
}

/// The cache that holds owners of this kind, if the collector watches it. Matched on group and
/// kind: an owner reference names one version, the object is the same in every version.
fn owner_cache<'a>(caches: &'a Caches, owner: &Value) -> Option<&'a Informer> {
    let api_version = owner["apiVersion"].as_str()?;
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = owner["kind"].as_str()?;
    watched(caches).into_iter().find(|c| c.kind.group == group && c.kind.kind == kind)
}

/// True when every owner is of a watched kind and none is in the cache with the same uid: the
/// uid decides, so an owner deleted and created again under its name (a new uid) is gone.
fn orphaned(caches: &Caches, obj: &Value) -> bool {
    let Some(owners) = obj["metadata"]["ownerReferences"].as_array() else { return false };
    !owners.is_empty()
        && owners.iter().all(|o| {
            owner_cache(caches, o).is_some_and(|c| {
                c.get(owner_namespace(c, obj), o["name"].as_str().unwrap_or("")).is_none_or(|found| uid_of(found) != o["uid"].as_str().unwrap_or(""))
            })
        })
}

/// Where an owner of this cache's kind lives for `dependent`: its namespace, or none for a
/// cluster-scoped owner such as a Node (owner references never cross namespaces).
fn owner_namespace<'a>(owners: &Informer, dependent: &'a Value) -> &'a str {
    if owners.kind.namespaced {
        ns_of(dependent)
    } else {
        ""
    }
}

fn has_finalizer(obj: &Value, name: &str) -> bool {
    obj["metadata"]["finalizers"].as_array().into_iter().flatten().any(|f| f == name)
}

fn refers_to(dependent: &Value, owner_uid: &str) -> bool {
    dependent["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| o["uid"].as_str() == Some(owner_uid))
}

/// `blockingDependents`: a dependent whose reference to this owner sets `blockOwnerDeletion`
/// holds a foreground deletion of the owner until it is gone; others are deleted but not waited for.
fn blocks(dependent: &Value, owner_uid: &str) -> bool {
    dependent["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| o["uid"].as_str() == Some(owner_uid) && o["blockOwnerDeletion"] == json!(true))
}

/// Every watched object that names `owner` (by uid) in its ownerReferences, with its cache.
fn dependents<'a>(caches: &'a Caches, owners: &Informer, owner: &Value) -> Vec<(&'a Informer, &'a Value)> {
    let uid = uid_of(owner);
    watched(caches)
        .into_iter()
        .filter(|inf| owners.kind.namespaced <= inf.kind.namespaced)
        .flat_map(|inf| inf.values().filter(move |d| owner_namespace(owners, d) == ns_of(owner) && refers_to(d, uid)).map(move |d| (inf, d)))
        .collect()
}

/// Owners being deleted in the foreground or with orphaning: work on their dependents, then
/// drop the finalizer. Returns the deletion budget left.
fn finalize_owners(ctx: &mut Context, caches: &Caches, finalizing: &BTreeSet<Node>, mut budget: usize) -> usize {
    let user = client::controller(NAME);
    // The uids some object names as its owner (the graph's nodes with dependents), read once
    // when a foreground deletion needs them.
    let mut owner_uids: Option<BTreeSet<&str>> = None;
    let watched = watched(caches);
    for (index, key) in finalizing {
        let Some(owners) = watched.get(*index).copied() else { continue };
        let Some(owner) = owners.cache.get(key) else { continue };
        if !is_terminating(owner) {
            continue;
        }
        let foreground = has_finalizer(owner, FOREGROUND);
        let orphan = has_finalizer(owner, ORPHAN);
        if !(foreground || orphan) {
            continue;
        }
        let dependents = dependents(caches, owners, owner);
        if orphan {
            for (inf, dep) in &dependents {
                let mut new = (*dep).clone();
                let kept: Vec<Value> = dep["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter(|o| o["uid"].as_str() != Some(uid_of(owner))).cloned().collect();
                match new["metadata"].as_object_mut() {
                    Some(m) if kept.is_empty() => {
                        m.remove("ownerReferences");
                    }
                    _ => new["metadata"]["ownerReferences"] = json!(kept),
                }
                client::send(ctx, &user, Verb::Update, inf.kind, ns_of(dep), name_of(dep), Some(new));
            }
            if dependents.is_empty() {
                remove_finalizer(ctx, owners, owner, ORPHAN);
            }
            continue;
        }
        // Foreground: delete what is not yet being deleted; wait for the blocking rest to go.
        for (inf, dep) in dependents.iter().filter(|(_, d)| !is_terminating(d)) {
            if budget == 0 {
                return 0;
            }
            budget -= 1;
            let mut req = Request::new(Verb::Delete, inf.kind, ns_of(dep), name_of(dep));
            req.user = user.clone();
            // Foreground again for a dependent that has dependents of its own (a ReplicaSet
            // with pods); the others go in the background.
            let uids = owner_uids.get_or_insert_with(|| referenced_uids(caches));
            let nested = uids.contains(uid_of(dep));
            req.delete.propagation = Some(if nested { Propagation::Foreground } else { Propagation::Background });
            req.delete.precondition_uid = Some(uid_of(dep).to_string());
            handle(ctx, &req);
        }
        if !dependents.iter().any(|(_, d)| blocks(d, uid_of(owner))) {
            remove_finalizer(ctx, owners, owner, FOREGROUND);
        }
    }
    budget
}

fn referenced_uids(caches: &Caches) -> BTreeSet<&str> {
    watched(caches).into_iter().flat_map(|inf| inf.values()).flat_map(|o| o["metadata"]["ownerReferences"].as_array().into_iter().flatten()).filter_map(|r| r["uid"].as_str()).collect()
}

fn remove_finalizer(ctx: &mut Context, owners: &Informer, owner: &Value, finalizer: &str) {
    let mut new = owner.clone();
    let kept: Vec<Value> = owner["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != finalizer).cloned().collect();
    new["metadata"]["finalizers"] = json!(kept);
    client::send(ctx, &client::controller(NAME), Verb::Update, owners.kind, ns_of(owner), name_of(owner), Some(new));
}

/// An object of the graph: the index of its cache in [`watched`] and its etcd key. Ordered as
/// the caches are, so a pass over a set of them goes in the order a scan of every cache would.
type Node = (usize, String);

/// The collector's dependency graph (`GraphBuilder`), kept up to date from the informers'
/// notifications rather than rebuilt by scanning every object at every step.
#[derive(Debug, Default)]
pub struct GarbageCollector {
    /// Owner uid -> the objects naming it in their ownerReferences.
    dependents: BTreeMap<String, BTreeSet<Node>>,
    /// Object -> the owner uids it names, to undo the above when it changes or goes.
    owners: BTreeMap<Node, Vec<String>>,
    /// The objects that may be orphaned (`attemptToDelete`'s queue): each added or changed
    /// object, and the dependents of each deleted one. An object leaves it once it is gone,
    /// being deleted, or has an owner; a dangling one stays until its delete goes through.
    suspects: BTreeSet<Node>,
    /// Owners being deleted with the `foregroundDeletion` or `orphan` finalizer.
    finalizing: BTreeSet<Node>,
}

impl GarbageCollector {
    pub fn reconcile(&mut self, ctx: &mut Context, caches: &Caches) {
        self.observe(caches);
        let user = client::controller(NAME);
        let mut budget = finalize_owners(ctx, caches, &self.finalizing, MAX_DELETES_PER_STEP);
        let watched = watched(caches);
        let suspects: Vec<Node> = self.suspects.iter().cloned().collect();
        for node in suspects {
            let (index, key) = &node;
            let Some(dependents) = watched.get(*index).copied() else { continue };
            let Some(obj) = dependents.cache.get(key) else {
                self.suspects.remove(&node);
                continue;
            };
            if budget == 0 {
                return;
            }
            if is_terminating(obj) || !orphaned(caches, obj) {
                self.suspects.remove(&node);
                continue;
            }
            // Confirm with a live GET that the owner is really gone (`isDangling`): absent, or
            // present under its name with another uid.
            let still_there = obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| {
                let kind = client::kind(o["apiVersion"].as_str().unwrap_or(""), o["kind"].as_str().unwrap_or(""));
                kind.is_some_and(|k| {
                    let ns = if k.namespaced { ns_of(obj) } else { "" };
                    let reply = client::send(ctx, &user, Verb::Get, k, ns, o["name"].as_str().unwrap_or(""), None);
                    reply.result.is_ok_and(|found| uid_of(&found) == o["uid"].as_str().unwrap_or(""))
                })
            });
            if still_there {
                continue;
            }
            budget -= 1;
            let mut req = Request::new(Verb::Delete, dependents.kind, ns_of(obj), name_of(obj));
            req.user = user.clone();
            req.delete.propagation = Some(Propagation::Background);
            req.delete.precondition_uid = Some(uid_of(obj).to_string());
            handle(ctx, &req);
        }
    }

    /// Applies the step's informer notifications to the graph (`processGraphChanges`).
    fn observe(&mut self, caches: &Caches) {
        for (index, informer) in watched(caches).into_iter().enumerate() {
            for n in informer.notifications() {
                let node: Node = (index, n.key().to_string());
                match n {
                    Notification::Resynced { .. } => {}
                    Notification::Added { key } | Notification::Updated { key, .. } => {
                        let Some(obj) = informer.cache.get(key) else { continue };
                        if let Notification::Updated { old, .. } = n {
                            // The same key under a new uid (a relist after delete and create):
                            // the old object's dependents lost their owner.
                            if uid_of(old) != uid_of(obj) {
                                self.owner_gone(uid_of(old));
                            }
                        }
                        self.unlink(&node);
                        let uids: Vec<String> = obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().filter_map(|o| o["uid"].as_str()).map(str::to_string).collect();
                        for uid in &uids {
                            self.dependents.entry(uid.clone()).or_default().insert(node.clone());
                        }
                        if !uids.is_empty() {
                            self.owners.insert(node.clone(), uids);
                            self.suspects.insert(node.clone());
                        }
                        if is_terminating(obj) && (has_finalizer(obj, FOREGROUND) || has_finalizer(obj, ORPHAN)) {
                            self.finalizing.insert(node);
                        } else {
                            self.finalizing.remove(&node);
                        }
                    }
                    Notification::Deleted { old, .. } => {
                        self.unlink(&node);
                        self.suspects.remove(&node);
                        self.finalizing.remove(&node);
                        self.owner_gone(uid_of(old));
                    }
                }
            }
        }
    }

    /// Every dependent of a deleted owner becomes a suspect.
    fn owner_gone(&mut self, uid: &str) {
        if let Some(dependents) = self.dependents.get(uid) {
            self.suspects.extend(dependents.iter().cloned());
        }
    }

    /// Takes `node` out of its owners' dependents.
    fn unlink(&mut self, node: &Node) {
        for uid in self.owners.remove(node).unwrap_or_default() {
            if let Some(set) = self.dependents.get_mut(&uid) {
                set.remove(node);
                if set.is_empty() {
                    self.dependents.remove(&uid);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};

    #[test]
    fn a_removed_nodes_lease_goes_with_its_node() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new();
        let leases = cluster.execute("kubectl get leases -n kube-node-lease", &files).stdout;
        assert!(leases.contains("node-3"), "{leases}");
        cluster.execute("node remove node-3", &files);
        let leases = cluster.execute("kubectl get leases -n kube-node-lease", &files).stdout;
        // The Lease's ownerReference names the Node: the collector deletes it once the Node is gone.
        assert!(!leases.contains("node-3") && leases.contains("node-2"), "{leases}");
        let gc = cluster.trace().records().map(|r| r.to_string()).filter(|r| r.contains("generic-garbage-collector") && r.contains("node-3")).count();
        assert!(gc > 0, "the deletion is the garbage collector's request");
    }

    const WORKER: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: worker}}\n  template:\n    metadata: {labels: {app: worker}}\n    spec:\n      containers: [{name: app, image: 'nginx:1.26'}]\n";

    /// A ConfigMap owned by Deployment `worker`, deleted with `cascade`; `recreate` applies a new
    /// `worker` (a new uid) at once. Returns `get configmap cm-b` and `get deployment worker`.
    fn owned_configmap_after_delete(cascade: &str, recreate: bool) -> (String, String) {
        let mut c = Cluster::new(Config::default());
        let files = MemoryFiles::new().with("d.yaml", WORKER);
        assert!(c.execute("kubectl apply -f d.yaml", &files).success());
        let uid = c.execute("kubectl get deployment worker -o jsonpath={.metadata.uid}", &files).stdout;
        let cm = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-b\n  ownerReferences: [{{apiVersion: apps/v1, kind: Deployment, name: worker, uid: {}}}]\ndata: {{v: \"1\"}}\n", uid.trim());
        let files = files.with("cm.yaml", cm);
        assert!(c.execute("kubectl apply -f cm.yaml", &files).success());
        assert!(c.execute(&format!("kubectl delete deployment worker --cascade={cascade}"), &files).success());
        if recreate {
            assert!(c.execute("kubectl apply -f d.yaml", &files).success());
        }
        c.execute("wait", &files);
        let get = |c: &mut Cluster, line: &str| {
            let out = c.execute(line, &files);
            format!("{}{}", out.stdout, out.stderr)
        };
        (get(&mut c, "kubectl get configmap cm-b"), get(&mut c, "kubectl get deployment worker -o name"))
    }

    /// Found by the soak (release seed 59): a ConfigMap is a dependent like any other (the graph
    /// builder watches every deletable resource), and its owner is gone when its uid is, even if
    /// a Deployment of the same name was created at once.
    #[test]
    fn a_configmap_goes_with_its_owner_even_when_the_name_is_taken_again() {
        let gone = "Error from server (NotFound): configmaps \"cm-b\" not found\n";
        let (cm, d) = owned_configmap_after_delete("background", false);
        assert_eq!(cm, gone);
        assert_eq!(d, "Error from server (NotFound): deployments.apps \"worker\" not found\n");
        let (cm, d) = owned_configmap_after_delete("background", true);
        assert_eq!(cm, gone, "the new worker has another uid");
        assert_eq!(d, "deployment.apps/worker\n", "the new worker is not touched");
        // Foreground: the ConfigMap (no blockOwnerDeletion) is deleted, the owner does not wait for it.
        let (cm, d) = owned_configmap_after_delete("foreground", false);
        assert_eq!(cm, gone);
        assert!(d.contains("NotFound"), "{d}");
        // Orphan: the reference is taken out, the ConfigMap stays.
        let (cm, _) = owned_configmap_after_delete("orphan", false);
        assert!(cm.starts_with("NAME"), "{cm}");
    }
}
