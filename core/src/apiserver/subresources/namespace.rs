//! The namespace registry's own REST handlers (`pkg/registry/core/namespace/storage`):
//!
//! - `DELETE namespaces/<name>` (`REST.Delete`): the first delete only marks the namespace,
//!   setting `deletionTimestamp` and phase `Terminating` (and the `orphan` or
//!   `foregroundDeletion` finalizer a propagation policy asks for) in one guaranteed update,
//!   and answers 200 with the namespace. While `spec.finalizers` is not empty a later delete
//!   changes nothing; only once it is empty does the generic store delete it.
//! - `PUT namespaces/<name>/finalize` (`FinalizeREST.Update`): the one way to change
//!   `spec.finalizers` (the namespace controller takes `kubernetes` off there); the update that
//!   leaves a terminating namespace with no finalizer of either kind deletes it
//!   (`ShouldDeleteNamespaceDuringUpdate`, in the pipeline's update path).

use super::super::{admission_on_delete, delete as generic_delete, key_of, not_found, Run};
use crate::apiserver::{qualified_resource, storage, strategy, Propagation, Request, Status, Verb};
use crate::trace::{Actor, Event, Stage, Verdict, WriteOp};
use serde_json::{json, Value};

/// True for the core group's namespaces.
pub fn is_namespace(req: &Request) -> bool {
    req.kind.group.is_empty() && req.kind.resource == "namespaces"
}

/// The namespace registry's `Delete`.
pub fn delete(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let key = key_of(req, &req.name);
    let Some(current) = storage::get(run.ctx.store, &key).map_err(Status::internal)? else {
        return run.reject(Stage::Storage, not_found(req));
    };
    let ns = &current.object;
    let uid = ns["metadata"]["uid"].as_str().unwrap_or("");
    if let Some(want) = req.delete.precondition_uid.as_deref().filter(|u| *u != uid) {
        let why = format!("Precondition failed: UID in precondition: {want}, UID in object meta: {uid}");
        return run.reject(Stage::Storage, Status::conflict(&qualified_resource(req.kind), &req.name, &why));
    }
    if !ns["metadata"]["deletionTimestamp"].is_null() {
        if ns["spec"]["finalizers"].as_array().is_some_and(|f| !f.is_empty()) {
            // Prior to final deletion, the finalizers must be empty: the answer is the namespace.
            let detail = format!("{key} is already terminating, waiting for spec.finalizers {}: nothing written", ns["spec"]["finalizers"]);
            run.stage(Stage::Storage, Verdict::Passed, detail);
            return Ok(ns.clone());
        }
        return generic_delete(run, req);
    }
    admission_on_delete(run, req, ns)?;
    let mut new = ns.clone();
    new["metadata"]["deletionTimestamp"] = json!(strategy::rfc3339(run.ctx.now));
    new["status"]["phase"] = json!("Terminating");
    set_dependents_finalizers(&mut new, req.delete.propagation);
    if let Some(m) = new["metadata"].as_object_mut() {
        m.remove("resourceVersion");
    }
    if req.dry_run {
        run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would mark {key} Terminating"));
        return Ok(new);
    }
    match storage::update(run.ctx.store, &key, &new, current.mod_revision, 0) {
        Ok(revision) => {
            run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: key.clone(), revision, op: WriteOp::Update });
            let detail = format!("namespace termination: deletionTimestamp set and phase Terminating on {key}, revision {revision}; the namespace controller empties it");
            run.stage(Stage::Storage, Verdict::Passed, detail);
            new["metadata"]["resourceVersion"] = json!(revision.to_string());
            Ok(new)
        }
        Err(_) => {
            let status = Status::conflict(&qualified_resource(req.kind), &req.name, "the object has been modified; please apply your changes to the latest version and try again");
            run.reject(Stage::Storage, status)
        }
    }
}

/// `shouldHaveOrphanFinalizer` / `shouldHaveDeleteDependentsFinalizer`: a propagation policy
/// decides both; with none the namespace keeps what it has. New ones go last, in a fixed order.
fn set_dependents_finalizers(ns: &mut Value, propagation: Option<Propagation>) {
    let mut finalizers: Vec<Value> = ns["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
    let has = |f: &Vec<Value>, name: &str| f.iter().any(|v| v == name);
    let orphan = match propagation {
        Some(p) => p == Propagation::Orphan,
        None => has(&finalizers, "orphan"),
    };
    let foreground = match propagation {
        Some(p) => p == Propagation::Foreground,
        None => has(&finalizers, "foregroundDeletion"),
    };
    let before = finalizers.len();
    for (name, want) in [("orphan", orphan), ("foregroundDeletion", foreground)] {
        if want && !has(&finalizers, name) {
            finalizers.push(json!(name));
        } else if !want {
            finalizers.retain(|v| v != name);
        }
    }
    if finalizers.len() == before && ns["metadata"]["finalizers"].as_array().is_some_and(|f| *f == finalizers) {
        return;
    }
    if finalizers.is_empty() {
        if let Some(m) = ns["metadata"].as_object_mut() {
            m.remove("finalizers");
        }
    } else {
        ns["metadata"]["finalizers"] = json!(finalizers);
    }
}

/// Whether the `finalize` subresource serves this request: PUT on a namespace only. `None`
/// lets the ordinary update path serve it (its strategy keeps everything but `spec`).
pub fn finalize(req: &Request) -> Option<Result<Value, Status>> {
    if !is_namespace(req) {
        return Some(Err(Status { code: 404, reason: "NotFound", message: "the server could not find the requested resource".into() }));
    }
    if req.verb != Verb::Update {
        return Some(Err(Status::method_not_supported(req.verb.name(), "namespaces/finalize")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_propagation_policy_sets_the_dependents_finalizers() {
        let mut ns = json!({"metadata": {"name": "demo"}});
        set_dependents_finalizers(&mut ns, None);
        assert!(ns["metadata"].get("finalizers").is_none());
        set_dependents_finalizers(&mut ns, Some(Propagation::Background));
        assert!(ns["metadata"].get("finalizers").is_none());
        set_dependents_finalizers(&mut ns, Some(Propagation::Foreground));
        assert_eq!(ns["metadata"]["finalizers"], json!(["foregroundDeletion"]));
        set_dependents_finalizers(&mut ns, Some(Propagation::Orphan));
        assert_eq!(ns["metadata"]["finalizers"], json!(["orphan"]));
        set_dependents_finalizers(&mut ns, None);
        assert_eq!(ns["metadata"]["finalizers"], json!(["orphan"]), "no policy keeps what is there");
    }
}
