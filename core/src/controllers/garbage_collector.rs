//! A minimal garbage collector (`pkg/controller/garbagecollector`): a dependent whose owners are
//! all gone is deleted in the background. The dependency graph is read from the informer caches
//! (ReplicaSets owned by Deployments, Pods owned by ReplicaSets, EndpointSlices owned by
//! Services); before deleting, the collector
//! confirms the owner's absence with a live GET, as the real one does, and deletes with a UID
//! precondition so a recreated object of the same name is never hit.
//!
//! Not yet: foreground and orphan propagation (the `foregroundDeletion` and `orphan`
//! finalizers), owners of other kinds.

use super::client::{self, name_of, ns_of, uid_of};
use super::informer::Informer;
use super::replicaset::is_terminating;
use super::Caches;
use crate::apiserver::{handle, Context, Propagation, Request, Verb};
use serde_json::Value;

const NAME: &str = "generic-garbage-collector";
/// Deletions per step.
const MAX_DELETES_PER_STEP: usize = 200;

/// The cache that holds owners of this kind, if the collector watches it.
fn owner_cache<'a>(caches: &'a Caches, owner: &Value) -> Option<&'a Informer> {
    match (owner["apiVersion"].as_str(), owner["kind"].as_str()) {
        (Some("apps/v1"), Some("Deployment")) => Some(&caches.deployments),
        (Some("apps/v1"), Some("ReplicaSet")) => Some(&caches.replicasets),
        (Some("v1"), Some("Service")) => Some(&caches.services),
        _ => None,
    }
}

/// True when every owner is of a watched kind and none is in the cache with the same uid.
fn orphaned(caches: &Caches, obj: &Value) -> bool {
    let Some(owners) = obj["metadata"]["ownerReferences"].as_array() else { return false };
    !owners.is_empty()
        && owners.iter().all(|o| {
            owner_cache(caches, o).is_some_and(|c| {
                c.get(ns_of(obj), o["name"].as_str().unwrap_or("")).is_none_or(|found| uid_of(found) != o["uid"].as_str().unwrap_or(""))
            })
        })
}

pub fn reconcile(ctx: &mut Context, caches: &Caches) {
    let user = client::controller(NAME);
    let mut budget = MAX_DELETES_PER_STEP;
    for dependents in [&caches.replicasets, &caches.pods, &caches.endpointslices] {
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
