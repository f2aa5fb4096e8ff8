//! A minimal garbage collector (`pkg/controller/garbagecollector`): a dependent whose owners are
//! all gone is deleted in the background. The dependency graph is read from the informer caches
//! (ReplicaSets owned by Deployments, Pods owned by ReplicaSets, EndpointSlices owned by
//! Services); before deleting, the collector
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
use super::informer::Informer;
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, Context, Propagation, Request, Verb};
use serde_json::{json, Value};

const NAME: &str = "generic-garbage-collector";
/// Deletions per step.
const MAX_DELETES_PER_STEP: usize = 200;
const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

/// The cache that holds owners of this kind, if the collector watches it.
fn owner_cache<'a>(caches: &'a Caches, owner: &Value) -> Option<&'a Informer> {
    match (owner["apiVersion"].as_str(), owner["kind"].as_str()) {
        (Some("apps/v1"), Some("Deployment")) => Some(&caches.deployments),
        (Some("apps/v1"), Some("ReplicaSet")) => Some(&caches.replicasets),
        (Some("apps/v1"), Some("DaemonSet")) => Some(&caches.daemonsets),
        (Some("apps/v1"), Some("StatefulSet")) => Some(&caches.statefulsets),
        (Some("v1"), Some("Service")) => Some(&caches.services),
        (Some("v1"), Some("Node")) => Some(&caches.nodes),
        _ => None,
    }
}

/// True when every owner is of a watched kind and none is in the cache with the same uid.
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

/// The caches whose objects may depend on an owner of this informer's kind.
fn dependents_of<'a>(caches: &'a Caches, owners: &Informer) -> Vec<&'a Informer> {
    match owners.kind.kind {
        "Deployment" => vec![&caches.replicasets],
        "ReplicaSet" => vec![&caches.pods],
        "DaemonSet" | "StatefulSet" => vec![&caches.pods, &caches.controllerrevisions],
        "Service" => vec![&caches.endpointslices],
        "Node" => vec![&caches.leases],
        _ => Vec::new(),
    }
}

/// Owners being deleted in the foreground or with orphaning: work on their dependents, then
/// drop the finalizer. Returns the deletion budget left.
fn finalize_owners(ctx: &mut Context, caches: &Caches, mut budget: usize) -> usize {
    let user = client::controller(NAME);
    for owners in [&caches.deployments, &caches.replicasets, &caches.services, &caches.pods, &caches.endpointslices, &caches.daemonsets, &caches.statefulsets, &caches.nodes] {
        for owner in owners.values() {
            let foreground = has_finalizer(owner, FOREGROUND);
            let orphan = has_finalizer(owner, ORPHAN);
            if !is_terminating(owner) || !(foreground || orphan) {
                continue;
            }
            let dependents: Vec<(&Informer, &Value)> = dependents_of(caches, owners)
                .into_iter()
                .flat_map(|inf| inf.values().filter(|d| owner_namespace(owners, d) == ns_of(owner) && refers_to(d, uid_of(owner))).map(move |d| (inf, d)))
                .collect();
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
            // Foreground: delete what is not yet being deleted; wait for the rest to disappear.
            for (inf, dep) in dependents.iter().filter(|(_, d)| !is_terminating(d)) {
                if budget == 0 {
                    return 0;
                }
                budget -= 1;
                let mut req = Request::new(Verb::Delete, inf.kind, ns_of(dep), name_of(dep));
                req.user = user.clone();
                // Foreground again for a dependent that has dependents of its own (a ReplicaSet);
                // pods and slices have none and go in the background.
                let nested = !dependents_of(caches, inf).is_empty();
                req.delete.propagation = Some(if nested { Propagation::Foreground } else { Propagation::Background });
                req.delete.precondition_uid = Some(uid_of(dep).to_string());
                handle(ctx, &req);
            }
            if dependents.is_empty() {
                remove_finalizer(ctx, owners, owner, FOREGROUND);
            }
        }
    }
    budget
}

fn remove_finalizer(ctx: &mut Context, owners: &Informer, owner: &Value, finalizer: &str) {
    let mut new = owner.clone();
    let kept: Vec<Value> = owner["metadata"]["finalizers"].as_array().into_iter().flatten().filter(|f| *f != finalizer).cloned().collect();
    new["metadata"]["finalizers"] = json!(kept);
    client::send(ctx, &client::controller(NAME), Verb::Update, owners.kind, ns_of(owner), name_of(owner), Some(new));
}

pub fn reconcile(ctx: &mut Context, caches: &Caches) {
    let user = client::controller(NAME);
    let mut budget = finalize_owners(ctx, caches, MAX_DELETES_PER_STEP);
    for dependents in [&caches.replicasets, &caches.pods, &caches.endpointslices, &caches.controllerrevisions, &caches.leases] {
        for obj in dependents.values() {
            if budget == 0 {
                return;
            }
            if is_terminating(obj) || !orphaned(caches, obj) {
                continue;
            }
            // Confirm with a live GET that the owner is really gone (`isDangling`).
            let still_there = obj["metadata"]["ownerReferences"].as_array().into_iter().flatten().any(|o| {
                let kind = client::kind(o["apiVersion"].as_str().unwrap_or(""), o["kind"].as_str().unwrap_or(""));
                kind.is_some_and(|k| {
                    let reply = client::send(ctx, &user, Verb::Get, k, ns_of(obj), o["name"].as_str().unwrap_or(""), None);
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
}
