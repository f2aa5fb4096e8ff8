//! DELETE and DELETECOLLECTION in kube-apiserver's order (`registry/generic/registry/store.go`
//! `Delete`, `DeleteCollection`): preconditions, graceful deletion and finalizers
//! (`BeforeDelete`, `CheckGracefulDelete`), validating admission, then the etcd txn that removes
//! the key or marks the object with its `deletionTimestamp`. A child of `pipeline`, whose stages
//! and storage helpers it shares.

use super::{key_of, list, not_found, remove, Run};
use crate::apiserver::{qualified_resource, storage, strategy, Propagation, Request, Status, Verb};
use crate::sim::{Duration, Time};
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
    let mut new = obj.clone();
    let (graceful, pending) = before_delete(req, &mut new, run.ctx.now);
    if pending {
        // A graceful deletion is under way and this one would not shorten it: nothing is
        // written, and the finalizers cannot change now (`errAlreadyDeleting`).
        run.stage(Stage::Storage, Verdict::Passed, format!("already being deleted: {key} unchanged"));
        return Ok(obj);
    }
    let mut finalizers: Vec<Value> = new["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
    match req.delete.propagation {
        Some(Propagation::Foreground) if !finalizers.contains(&json!("foregroundDeletion")) => finalizers.push(json!("foregroundDeletion")),
        Some(Propagation::Orphan) if !finalizers.contains(&json!("orphan")) => finalizers.push(json!("orphan")),
        _ => {}
    }
    admission_on_delete(run, req, &obj)?;
    if finalizers.is_empty() && !graceful {
        if req.dry_run {
            run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would delete {key}"));
            return Ok(obj);
        }
        return remove(run, req, &key, current.mod_revision, obj);
    }
    if !graceful {
        mark_as_deleting(&mut new, run.ctx.now);
    }
    new["metadata"]["finalizers"] = json!(finalizers);
    if finalizers.is_empty() {
        if let Some(m) = new["metadata"].as_object_mut() {
            m.remove("finalizers");
        }
    }
    // A graceful deletion whose period is 0 (an unscheduled pod, a kubelet's last word) is still
    // written first, then removed: watchers see the pod marked, then gone.
    let then_remove = finalizers.is_empty() && new["metadata"]["deletionGracePeriodSeconds"].as_i64().unwrap_or(0) == 0;
    if req.dry_run {
        let what = if then_remove { "delete" } else { "mark for deletion" };
        run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would {what} {key}"));
        return Ok(new);
    }
    let mut old = obj.clone();
    for v in [&mut old, &mut new] {
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
        }
    }
    let mut revision = current.mod_revision;
    if new == old {
        // Already being deleted, nothing shortened: the etcd3 store's GuaranteedUpdate writes
        // nothing for an unchanged object (a kubelet's repeated final DELETE of a pod that keeps
        // a finalizer must not move the store, or the cluster never settles).
        run.stage(Stage::Storage, Verdict::Passed, format!("already being deleted: {key} unchanged"));
        if !then_remove {
            return Ok(obj);
        }
    } else {
        match storage::update(run.ctx.store, &key, &new, current.mod_revision, 0) {
            Ok(r) => {
                revision = r;
                run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: key.clone(), revision: r, op: WriteOp::Update });
                run.stage(Stage::Storage, Verdict::Passed, format!("graceful deletion: deletionTimestamp set on {key}, revision {r}"));
                new["metadata"]["resourceVersion"] = json!(r.to_string());
            }
            Err(_) => {
                let status = Status::conflict(&qualified_resource(req.kind), &req.name, "the object has been modified; please apply your changes to the latest version and try again");
                return run.reject(Stage::Storage, status);
            }
        }
    }
    if then_remove {
        return remove(run, req, &key, revision, new);
    }
    Ok(new)
}

/// `rest.BeforeDelete` for the one kind here whose strategy deletes gracefully, the pod: marks
/// `new` for a graceful deletion, or shortens one under way. Returns whether the deletion is
/// graceful (the object is written before anything else happens) and whether one is pending
/// that this request leaves as it is.
fn before_delete(req: &Request, new: &mut Value, now: Time) -> (bool, bool) {
    if !(req.kind.group.is_empty() && req.kind.kind == "Pod") {
        return (false, false);
    }
    // Negative periods count as 1 s on the delete path.
    let requested = req.delete.grace_period_seconds.map(|g| if g < 0 { 1 } else { g });
    let meta = &new["metadata"];
    if let Some(marked) = meta["deletionTimestamp"].as_str() {
        // A mark without a period, or with 0, was left by a deletion that did not finish: it is
        // finished now. A negative one counts as 1 s.
        let Some(current) = meta["deletionGracePeriodSeconds"].as_i64().filter(|g| *g != 0).map(|g| g.max(1)) else {
            return (false, false);
        };
        let Some(mut period) = requested.filter(|p| *p < current) else { return (false, true) };
        // Only a shorter period: the deletion moves back by the difference, never before now.
        let marked = crate::cli::printers::parse_time(marked).unwrap_or(now.as_ms() as i64);
        let mut due = marked.saturating_sub(current.saturating_mul(1000)).saturating_add(period.saturating_mul(1000));
        if due < now.as_ms() as i64 {
            due = now.as_ms() as i64;
            if period != 0 {
                period = 1;
            }
        }
        new["metadata"]["deletionTimestamp"] = json!(strategy::rfc3339(Time(due.max(0) as u64)));
        new["metadata"]["deletionGracePeriodSeconds"] = json!(period);
        return (true, false);
    }
    // `podStrategy.CheckGracefulDelete`: the request's period, else the pod's own; at once for
    // a pod no node runs or one that has finished.
    let mut period = requested.or(new["spec"]["terminationGracePeriodSeconds"].as_i64()).unwrap_or(0);
    if new["spec"]["nodeName"].as_str().is_none_or(str::is_empty) || matches!(new["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) {
        period = 0;
    }
    if period < 0 {
        period = 1;
    }
    let due = now.after(Duration::from_ms((period as u64).saturating_mul(1000)));
    new["metadata"]["deletionTimestamp"] = json!(strategy::rfc3339(due));
    new["metadata"]["deletionGracePeriodSeconds"] = json!(period);
    bump_generation(new);
    (true, false)
}

/// `markAsDeleting`: an object kept by finalizers is marked now (an earlier mark due later moves
/// to now), with no grace period; the first mark bumps a generation it has.
fn mark_as_deleting(new: &mut Value, now: Time) {
    let marked = new["metadata"]["deletionTimestamp"].as_str().map(crate::cli::printers::parse_time);
    if marked.is_none() {
        bump_generation(new);
    }
    if marked.is_none_or(|t| t.is_none_or(|t| t > now.as_ms() as i64)) {
        new["metadata"]["deletionTimestamp"] = json!(strategy::rfc3339(now));
    }
    new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
}

/// Clients may watch `generation` to see a deletion start: the first mark bumps it, if set.
fn bump_generation(new: &mut Value) {
    if let Some(g) = new["metadata"]["generation"].as_i64().filter(|g| *g > 0) {
        new["metadata"]["generation"] = json!(g.saturating_add(1));
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

#[cfg(test)]
mod tests {
    use crate::api::registry;
    use crate::apiserver::{Request, Verb};
    use crate::cli::MemoryFiles;
    use crate::cluster::{Cluster, Config};
    use crate::sim::Time;
    use serde_json::Value;

    fn delete(cluster: &mut Cluster, kind: &str, name: &str, grace: Option<i64>) -> Result<Value, String> {
        let Some(kind) = registry::lookup(if kind == "Pod" { "v1" } else { "apps/v1" }, kind) else { panic!("{kind}") };
        let mut req = Request::new(Verb::Delete, kind, "default", name);
        req.delete.grace_period_seconds = grace;
        cluster.serve(&req).result.map_err(|s| s.message)
    }

    fn at(cluster: &Cluster, secs: i64) -> String {
        crate::apiserver::strategy::rfc3339(Time((cluster.now().as_ms() as i64 / 1000 * 1000 + secs * 1000) as u64))
    }

    /// `BeforeDelete` for a pod: the mark is due when the period ends and bumps the generation
    /// once; a shorter period moves it back, a longer one changes nothing; a period of 0 is
    /// written, then the pod removed (two revisions).
    #[test]
    fn a_pods_graceful_deletion_is_marked_shortened_and_finished() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new();
        cluster.execute("kubectl run web --image=nginx", &files);
        cluster.execute("run 10s", &files);
        let marked = delete(&mut cluster, "Pod", "web", None).unwrap_or_default();
        let meta = &marked["metadata"];
        assert_eq!((meta["generation"].as_i64(), meta["deletionGracePeriodSeconds"].as_i64()), (Some(2), Some(30)));
        assert_eq!(meta["deletionTimestamp"].as_str(), Some(at(&cluster, 30).as_str()));
        let shorter = delete(&mut cluster, "Pod", "web", Some(10)).unwrap_or_default();
        assert_eq!((shorter["metadata"]["generation"].as_i64(), shorter["metadata"]["deletionGracePeriodSeconds"].as_i64()), (Some(2), Some(10)));
        assert_eq!(shorter["metadata"]["deletionTimestamp"].as_str(), Some(at(&cluster, 10).as_str()));
        let revision = cluster.store().revision();
        let longer = delete(&mut cluster, "Pod", "web", Some(60)).unwrap_or_default();
        assert_eq!((longer["metadata"]["deletionGracePeriodSeconds"].as_i64(), cluster.store().revision()), (Some(10), revision), "nothing written");
        let gone = delete(&mut cluster, "Pod", "web", Some(0)).unwrap_or_default();
        assert_eq!(gone["metadata"]["deletionGracePeriodSeconds"].as_i64(), Some(0));
        assert_eq!(cluster.store().revision(), revision + 2, "marked with period 0, then removed");
        assert!(delete(&mut cluster, "Pod", "web", Some(0)).is_err_and(|m| m.contains("not found")));
    }

    /// `markAsDeleting`: an object its finalizers keep is marked now, its generation bumped by
    /// the first mark only.
    #[test]
    fn a_kept_object_is_marked_once() {
        let mut cluster = Cluster::new(Config::default());
        let files = MemoryFiles::new();
        cluster.execute("kubectl create deployment web --image=nginx", &files);
        cluster.execute(r#"kubectl patch deployment web --type=merge -p '{"metadata":{"finalizers":["example.com/keep"]}}'"#, &files);
        let first = delete(&mut cluster, "Deployment", "web", None).unwrap_or_default();
        assert_eq!((first["metadata"]["generation"].as_i64(), first["metadata"]["deletionGracePeriodSeconds"].as_i64()), (Some(2), Some(0)));
        assert_eq!(first["metadata"]["deletionTimestamp"].as_str(), Some(at(&cluster, 0).as_str()));
        let again = delete(&mut cluster, "Deployment", "web", None).unwrap_or_default();
        assert_eq!(again["metadata"]["generation"].as_i64(), Some(2));
    }
}
