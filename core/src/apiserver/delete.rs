//! DELETE and DELETECOLLECTION in kube-apiserver's order (`registry/generic/registry/store.go`
//! `Delete`, `DeleteCollection`): preconditions, graceful deletion and finalizers
//! (`BeforeDelete`, `CheckGracefulDelete`), validating admission, then the etcd txn that removes
//! the key or marks the object with its `deletionTimestamp`. A child of `pipeline`, whose stages
//! and storage helpers it shares.

use super::{key_of, list, not_found, remove, Run};
use crate::apiserver::{qualified_resource, storage, strategy, Propagation, Request, Status, Verb};
use crate::trace::{Actor, Event, Stage, Verdict, WriteOp};
use serde_json::{json, Value};

pub(super) fn delete(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let key = key_of(req, &req.name);
    let Some(current) = storage::get(run.ctx.store, &key).map_err(Status::internal)? else {
        return run.reject(Stage::Storage, not_found(req));
    };
    let obj = current.object.clone();
    if let Some(uid) = &req.delete.precondition_uid {
        if obj["metadata"]["uid"].as_str() != Some(uid) {
            let why = format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {}", obj["metadata"]["uid"].as_str().unwrap_or(""));
            return run.reject(Stage::Storage, Status::conflict(&qualified_resource(req.kind), &req.name, &why));
        }
    }
    let mut old = obj.clone();
    let mut new = obj.clone();
    let mut finalizers: Vec<Value> = new["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
    match req.delete.propagation {
        Some(Propagation::Foreground) if !finalizers.contains(&json!("foregroundDeletion")) => finalizers.push(json!("foregroundDeletion")),
        Some(Propagation::Orphan) if !finalizers.contains(&json!("orphan")) => finalizers.push(json!("orphan")),
        _ => {}
    }
    // Graceful deletion (`podStrategy.CheckGracefulDelete`): a pod bound to a node waits for its
    // kubelet for the request's grace period, else its own `terminationGracePeriodSeconds`;
    // unscheduled and finished pods, and a period of 0, go at once.
    let grace = req.delete.grace_period_seconds.or(obj["spec"]["terminationGracePeriodSeconds"].as_i64()).unwrap_or(30);
    let graceful = req.kind.group.is_empty()
        && req.kind.kind == "Pod"
        && obj["spec"]["nodeName"].as_str().is_some_and(|n| !n.is_empty())
        && grace > 0
        && !matches!(obj["status"]["phase"].as_str(), Some("Succeeded" | "Failed"));
    if finalizers.is_empty() && !graceful {
        admission_on_delete(run, req, &obj)?;
        if req.dry_run {
            run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would delete {key}"));
            return Ok(obj);
        }
        return remove(run, req, &key, current.mod_revision, obj);
    }
    admission_on_delete(run, req, &obj)?;
    if new["metadata"]["deletionTimestamp"].is_null() {
        new["metadata"]["deletionTimestamp"] = json!(strategy::rfc3339(run.ctx.now));
        new["metadata"]["deletionGracePeriodSeconds"] = json!(if graceful { grace } else { 0 });
    }
    new["metadata"]["finalizers"] = json!(finalizers);
    if new["metadata"]["finalizers"].as_array().is_some_and(Vec::is_empty) {
        if let Some(m) = new["metadata"].as_object_mut() {
            m.remove("finalizers");
        }
    }
    if req.dry_run {
        run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would mark {key} for deletion"));
        return Ok(new);
    }
    for v in [&mut old, &mut new] {
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
    }
    if new == old {
        // Already being deleted, nothing shortened: the etcd3 store's GuaranteedUpdate writes
        // nothing for an unchanged object (a kubelet's repeated final DELETE of a pod that keeps
        // a finalizer must not move the store, or the cluster never settles).
        run.stage(Stage::Storage, Verdict::Passed, format!("already being deleted: {key} unchanged"));
        return Ok(obj);
    }
    match storage::update(run.ctx.store, &key, &new, current.mod_revision, 0) {
        Ok(revision) => {
            run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: key.clone(), revision, op: WriteOp::Update });
            run.stage(Stage::Storage, Verdict::Passed, format!("graceful deletion: deletionTimestamp set on {key}, revision {revision}"));
            new["metadata"]["resourceVersion"] = json!(revision.to_string());
            Ok(new)
        }
        Err(_) => {
            let status = Status::conflict(&qualified_resource(req.kind), &req.name, "the object has been modified; please apply your changes to the latest version and try again");
            run.reject(Stage::Storage, status)
        }
    }
}

pub(super) fn admission_on_delete(run: &mut Run, req: &Request, obj: &Value) -> Result<(), Status> {
    match crate::apiserver::stages::validate_delete(run.ctx, req, obj) {
        Err(status) => run.reject(Stage::ValidatingAdmission, status).map(|_| ()),
        Ok(summary) => {
            run.stage(Stage::ValidatingAdmission, Verdict::Passed, summary);
            Ok(())
        }
    }
}

pub(super) fn delete_collection(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let listed = list(run, req)?;
    let mut deleted = Vec::new();
    for item in listed["items"].as_array().cloned().unwrap_or_default() {
        let name = item["metadata"]["name"].as_str().unwrap_or("").to_string();
        let ns = item["metadata"]["namespace"].as_str().unwrap_or("").to_string();
        let one = Request { verb: Verb::Delete, name, namespace: ns, ..req.clone() };
        deleted.push(delete(run, &one)?);
    }
    Ok(json!({"apiVersion": req.kind.api_version(), "kind": format!("{}List", req.kind.kind), "metadata": {}, "items": deleted}))
}
