//! The stages of one request, in kube-apiserver's order, each traced.

use super::{
    diff, patch, qualified_resource, select, storage, strategy, Context, FieldError, PatchType,
    Reply, Request, Status, Verb,
};
use crate::trace::{Actor, Event, Stage, Verdict, WriteOp};
use serde_json::{json, Value};

// Server-side apply: a child of this module, so it ends in the same create and update paths.
#[path = "apply_patch.rs"]
mod apply_patch;

// DELETE and DELETECOLLECTION: a child of this module, so it ends in the same storage stage.
#[path = "delete.rs"]
mod delete;
use delete::{admission_on_delete, delete, delete_collection};

// Subresources and watch: children of this module, so they share its stages.
#[path = "subresources/mod.rs"]
mod subresources;

struct Run<'c, 'a> {
    ctx: &'c mut Context<'a>,
    id: u64,
    warnings: Vec<String>,
    causes: Vec<FieldError>,
}

impl Run<'_, '_> {
    fn stage(&mut self, stage: Stage, verdict: Verdict, detail: impl Into<String>) {
        let event = Event::Stage { request: self.id, stage, verdict, detail: detail.into() };
        self.ctx.trace.push(self.ctx.now, Actor::ApiServer, event);
    }

    fn reject(&mut self, stage: Stage, status: Status) -> Result<Value, Status> {
        self.stage(stage, Verdict::Rejected, format!("{} {}: {}", status.code, status.reason, status.message));
        Err(status)
    }
}

/// The trace record behind a request that names no cause (the components' requests): the store
/// write that produced the version of the object it acts on — for a create, of the object's
/// first owner; for an Event, of the object it is about. This is the watch event that woke the
/// component, so the trace reads as a chain: Deployment → ReplicaSet → Pods → bindings → status.
fn derived_cause(ctx: &Context, req: &Request) -> Option<u64> {
    let key = if !req.name.is_empty() && (req.verb != Verb::Create || !req.subresource.is_empty()) {
        req.kind.etcd_key(&req.namespace, &req.name)
    } else {
        let body = req.body.as_ref()?;
        let target = if req.kind.kind == "Event" && req.kind.group.is_empty() {
            &body["involvedObject"]
        } else {
            body["metadata"]["ownerReferences"].as_array()?.first()?
        };
        let kind = crate::api::lookup(target["apiVersion"].as_str()?, target["kind"].as_str()?)?;
        let ns = if kind.namespaced { target["namespace"].as_str().unwrap_or(&req.namespace) } else { "" };
        kind.etcd_key(ns, target["name"].as_str()?)
    };
    // The key's mod_revision, read in place (a keys-only range copied the whole value).
    let revision = ctx.store.get_current(key.as_bytes())?.mod_revision;
    ctx.trace.write_at(revision)
}

pub fn handle(ctx: &mut Context, req: &Request) -> Reply {
    handle_with(ctx, req, None)
}

/// Serves `req`, proxying it to `upstream` when its group is an aggregated API's (`aggregator.rs`).
pub fn handle_with(ctx: &mut Context, req: &Request, upstream: Option<&dyn super::aggregator::AggregatedServer>) -> Reply {
    let id = *ctx.next_request_id;
    *ctx.next_request_id += 1;
    // A component's request belongs to the reconcile it was sent from (traced as its own record).
    let cause = req.cause.or_else(|| crate::controllers::reconcile::cause_of(ctx, req)).or_else(|| derived_cause(ctx, req));
    ctx.trace.push(
        ctx.now,
        Actor::ApiServer,
        Event::Request {
            id,
            verb: req.verb.http_method().into(),
            path: req.path(),
            user: req.user.name.clone(),
            cause,
            dry_run: req.dry_run,
        },
    );
    let mut run = Run { ctx, id, warnings: Vec::new(), causes: Vec::new() };
    let result = serve(&mut run, req, upstream);
    let (code, message) = match &result {
        Ok(_) if req.verb == Verb::Create => (201, "Created".to_string()),
        Ok(_) => (200, "OK".to_string()),
        Err(s) => (s.code, format!("{}: {}", s.reason, s.message)),
    };
    let revision = run.ctx.store.revision();
    run.ctx.trace.push(run.ctx.now, Actor::ApiServer, Event::Response { id, code, message, revision });
    Reply { id, result, warnings: run.warnings, causes: run.causes }
}

fn serve(run: &mut Run, req: &Request, upstream: Option<&dyn super::aggregator::AggregatedServer>) -> Result<Value, Status> {
    // Authentication: the simulation's clients present credentials the server accepts, except
    // the anonymous user, whom kubeadm's servers answer with 401.
    if req.user.name == "system:anonymous" {
        return run.reject(Stage::Authentication, Status { code: 401, reason: "Unauthorized", message: "Unauthorized".into() });
    }
    run.stage(Stage::Authentication, Verdict::Passed, format!("user {:?} groups {:?}", req.user.name, req.user.groups));

    // Authorization.
    authorize(run, req)?;

    if super::aggregator::is_aggregated(req.kind) {
        return proxy(run, req, upstream);
    }
    if let Some(served) = subresources::serve(run, req) {
        return served;
    }
    if req.subresource == "binding" && req.verb == Verb::Create && req.kind.group.is_empty() && req.kind.kind == "Pod" {
        return bind(run, req);
    }
    match req.verb {
        Verb::Get => get(run, req),
        Verb::List => list(run, req),
        Verb::Create => create(run, req),
        Verb::Update | Verb::Patch(_) => update(run, req),
        Verb::Apply { force } => apply_patch::serve(run, req, force),
        Verb::Delete => delete(run, req),
        Verb::DeleteCollection => delete_collection(run, req),
        Verb::Watch => subresources::watch::serve(run, req),
    }
}

/// kube-aggregator's proxy: the server behind the APIService answers; etcd is not involved.
fn proxy(run: &mut Run, req: &Request, upstream: Option<&dyn super::aggregator::AggregatedServer>) -> Result<Value, Status> {
    let Some(server) = upstream else {
        let status = super::aggregator::unavailable(req);
        return run.reject(Stage::Storage, status);
    };
    let via = format!("proxied to APIService {} (service {})", server.api_service(), server.service());
    match server.serve(req) {
        Ok(answer) => {
            run.stage(Stage::Storage, Verdict::Passed, via);
            Ok(answer)
        }
        Err(status) => {
            run.stage(Stage::Storage, Verdict::Rejected, format!("{via}: {} {}: {}", status.code, status.reason, status.message));
            Err(status)
        }
    }
}

fn authorize(run: &mut Run, req: &Request) -> Result<(), Status> {
    match super::stages::authorize(run.ctx, req) {
        Ok(detail) => {
            run.stage(Stage::Authorization, Verdict::Passed, detail);
            Ok(())
        }
        Err(status) => run.reject(Stage::Authorization, status).map(|_| ()),
    }
}

fn key_of(req: &Request, name: &str) -> String {
    req.kind.etcd_key(&req.namespace, name)
}

fn not_found(req: &Request) -> Status {
    Status::not_found(&qualified_resource(req.kind), &req.name)
}

fn get(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let key = key_of(req, &req.name);
    match storage::get(run.ctx.store, &key).map_err(Status::internal)? {
        Some(s) => {
            run.stage(Stage::Storage, Verdict::Passed, format!("get {key} (mod_revision {})", s.mod_revision));
            Ok(s.object)
        }
        None => {
            let status = not_found(req);
            run.reject(Stage::Storage, status)
        }
    }
}

fn list_prefix(req: &Request) -> String {
    if req.kind.namespaced && !req.namespace.is_empty() {
        format!("{}/{}/", req.kind.etcd_prefix(), req.namespace)
    } else {
        format!("{}/", req.kind.etcd_prefix())
    }
}

fn list(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let labels = select::LabelSelector::parse(&req.list.label_selector).map_err(Status::bad_request)?;
    let fields = select::FieldSelector::parse(&req.list.field_selector, req.kind.resource).map_err(Status::bad_request)?;
    let prefix = list_prefix(req);
    let start = if req.list.continue_token.is_empty() { None } else { Some(req.list.continue_token.as_str()) };
    if start.is_some_and(|s| !s.starts_with(&prefix)) {
        return Err(Status::bad_request("continue key is not valid: inappropriate continue token"));
    }
    // Selectors filter after the range read, as the storage layer does; a page holds at most
    // `limit` matching items.
    let (all, revision, _) = storage::list(run.ctx.store, &prefix, start, 0).map_err(Status::internal)?;
    let mut items = Vec::new();
    let mut next = None;
    for s in all {
        if !labels.matches_object(&s.object) || !fields.matches(&s.object) {
            continue;
        }
        if req.list.limit > 0 && items.len() as i64 == req.list.limit {
            let ns = s.object["metadata"]["namespace"].as_str().unwrap_or("");
            let name = s.object["metadata"]["name"].as_str().unwrap_or("");
            next = Some(req.kind.etcd_key(ns, name));
            break;
        }
        items.push(s.object);
    }
    run.stage(Stage::Storage, Verdict::Passed, format!("range {prefix} at revision {revision}: {} items", items.len()));
    let mut metadata = json!({"resourceVersion": revision.to_string()});
    if let Some(n) = next {
        metadata["continue"] = json!(n);
    }
    Ok(json!({"apiVersion": req.kind.api_version(), "kind": format!("{}List", req.kind.kind), "metadata": metadata, "items": items}))
}

/// Strict decoding and scheme defaulting of the body.
fn decode(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let Some(body) = req.body.as_ref() else {
        let status = Status::bad_request("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
        return run.reject(Stage::Decode, status).map(|_| Value::Null);
    };
    if !req.unknown_fields.is_empty() {
        let list: Vec<String> = req.unknown_fields.iter().map(|f| format!("unknown field {f:?}")).collect();
        let status = Status::bad_request(format!(
            "{} in version {:?} cannot be handled as a {}: strict decoding error: {}",
            req.kind.kind,
            req.kind.version,
            req.kind.kind,
            list.join(", ")
        ));
        return run.reject(Stage::Decode, status).map(|_| Value::Null);
    }
    // Every write but an apply records its managed fields from the body's own entries, read
    // where they are (`sent_managed_fields`) and then replaced: the copy leaves them out
    // (they were a third of a PUT body's copy), and the comparison takes them as unchanged,
    // which defaulting leaves them.
    let (obj, changes) = if matches!(req.verb, Verb::Apply { .. }) {
        let mut obj = body.clone();
        super::stages::apply_defaults(req.kind, &mut obj);
        let changes = diff::changes(body, &obj, 12);
        (obj, changes)
    } else {
        let mut obj = without_managed_fields(body);
        super::stages::apply_defaults(req.kind, &mut obj);
        let changes = diff::changes_but_managed_fields(body, &obj, 12);
        (obj, changes)
    };
    if changes.is_empty() {
        run.stage(Stage::Decode, Verdict::Passed, format!("{} {}", req.kind.api_version(), req.kind.kind));
    } else {
        run.stage(Stage::Decode, Verdict::Changed, format!("defaults: {}", changes.join(", ")));
    }
    Ok(obj)
}

/// A copy of an object without `metadata.managedFields` (when its metadata is an object).
fn without_managed_fields(v: &Value) -> Value {
    let Value::Object(top) = v else { return v.clone() };
    if v.get("metadata").and_then(|m| m.get("managedFields")).is_none() {
        return v.clone();
    }
    let copy = top
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Object(meta) if k == "metadata" => {
                    Value::Object(meta.iter().filter(|(k, _)| k.as_str() != "managedFields").map(|(k, v)| (k.clone(), v.clone())).collect())
                }
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    Value::Object(copy)
}

/// The `metadata.managedFields` a request sent, which [`decode`] left out of its copy.
fn sent_managed_fields(req: &Request) -> Option<&Value> {
    req.body.as_ref()?.get("metadata")?.get("managedFields")
}

fn check_namespace(req: &Request, obj: &Value) -> Result<(), Status> {
    if req.kind.namespaced {
        if let Some(ns) = obj["metadata"]["namespace"].as_str() {
            if !ns.is_empty() && ns != req.namespace {
                return Err(Status::bad_request("the namespace of the provided object does not match the namespace sent on the request"));
            }
        }
    }
    Ok(())
}

fn admission_and_validation(run: &mut Run, req: &Request, obj: &mut Value, old: Option<&Value>) -> Result<(), Status> {
    match super::stages::mutate(run.ctx, req, obj, old) {
        Err(status) => return run.reject(Stage::MutatingAdmission, status).map(|_| ()),
        Ok((summary, before)) => {
            // No plugin edited the object when there is no copy of it from before the phase.
            let changes = before.map(|b| b.changes(obj, 12)).unwrap_or_default();
            let verdict = if changes.is_empty() { Verdict::Passed } else { Verdict::Changed };
            let detail = if changes.is_empty() { summary } else { format!("{summary}: {}", changes.join(", ")) };
            run.stage(Stage::MutatingAdmission, verdict, detail);
        }
    }
    let errors = match old {
        None => super::stages::validate_create(req.kind, obj),
        Some(o) => super::stages::validate_update(req.kind, o, obj),
    };
    if !errors.is_empty() {
        let name = obj["metadata"]["name"].as_str().unwrap_or(&req.name).to_string();
        let status = Status::invalid(req.kind, &name, &errors);
        run.causes = errors;
        return run.reject(Stage::Validation, status).map(|_| ());
    }
    run.stage(Stage::Validation, Verdict::Passed, "");
    match super::stages::validate(run.ctx, req, obj, old) {
        Err(status) => run.reject(Stage::ValidatingAdmission, status).map(|_| ()),
        Ok((summary, warnings)) => {
            run.warnings.extend(warnings);
            run.stage(Stage::ValidatingAdmission, Verdict::Passed, summary);
            Ok(())
        }
    }
}

fn create(run: &mut Run, req: &Request) -> Result<Value, Status> {
    if !req.kind.persisted {
        return Err(Status::method_not_supported("create", req.kind.resource));
    }
    let mut obj = decode(run, req)?;
    check_namespace(req, &obj)?;
    // The etcd3 store refuses it (`storage.ErrResourceVersionSetOnCreate`), after admission; a
    // dry run never reaches that check. kubectl clears it before a create, so only a raw client
    // meets this.
    let resource_version_set = obj["metadata"]["resourceVersion"].as_str().is_some_and(|s| !s.is_empty());
    let mut name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    let generate = obj["metadata"]["generateName"].as_str().unwrap_or("").to_string();
    if name.is_empty() && !generate.is_empty() {
        name = strategy::generate_name(&generate, run.ctx.rng);
        obj["metadata"]["name"] = json!(name);
    }
    super::generation::convert_daemonset(req.kind, &mut obj);
    record_managed_fields(run, req, None, &mut obj, sent_managed_fields(req));
    strategy::prepare_for_create(req.kind, &mut obj, &req.namespace, run.ctx.now, run.ctx.rng);
    admission_and_validation(run, req, &mut obj, None)?;
    let key = key_of(req, &name);
    let is_service = req.kind.group.is_empty() && req.kind.kind == "Service";
    let new_ips = if is_service {
        match super::allocator::allocate(run.ctx.store, run.ctx.rng, &mut obj) {
            Ok(ips) => ips,
            Err(status) => return run.reject(Stage::Storage, status),
        }
    } else {
        Vec::new()
    };
    if req.dry_run {
        run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would create {key}"));
        return Ok(obj);
    }
    if resource_version_set {
        // A plain error, not a `StatusError`: `ErrorToAPIStatus` makes it a 500 with no reason.
        return run.reject(Stage::Storage, Status { code: 500, reason: "", message: "resourceVersion should not be set on objects to be created".into() });
    }
    for ip in &new_ips {
        let uid = strategy::uuid_v4(run.ctx.rng);
        let created = strategy::rfc3339(run.ctx.now);
        let record = super::allocator::ip_address_object(ip, &req.namespace, &name, &created, &uid);
        let ip_key = format!("/registry/ipaddresses/{ip}");
        if let Ok(revision) = storage::create(run.ctx.store, &ip_key, &record, 0) {
            run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: ip_key, revision, op: WriteOp::Create });
        }
    }
    // Events carry a lease for --event-ttl (see subresources/event_ttl.rs).
    let lease = subresources::event_ttl::lease_for(run, req);
    match storage::create(run.ctx.store, &key, &obj, lease) {
        Ok(revision) => {
            run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: key.clone(), revision, op: WriteOp::Create });
            run.stage(Stage::Storage, Verdict::Passed, format!("txn: create_revision({key}) = 0 -> put, revision {revision}"));
            obj["metadata"]["resourceVersion"] = json!(revision.to_string());
            Ok(obj)
        }
        Err(storage::WriteError::Conflict) => {
            let existing = storage::get(run.ctx.store, &key).ok().flatten();
            let resource = qualified_resource(req.kind);
            let mut status = Status::already_exists(&resource, &name);
            if existing.is_some_and(|e| !e.object["metadata"]["deletionTimestamp"].is_null()) {
                status.message = format!("object is being deleted: {}", status.message);
            }
            run.reject(Stage::Storage, status)
        }
        Err(storage::WriteError::Store(e)) => run.reject(Stage::Storage, Status::internal(e)),
    }
}

/// `FieldManager.UpdateNoErrors`: the write's fields become its manager's in
/// `metadata.managedFields` (after decoding and defaulting, before admission, as the create and
/// update handlers call it). Server-side apply has recorded its own already.
fn record_managed_fields(run: &mut Run, req: &Request, old: Option<&mut Value>, new: &mut Value, sent: Option<&Value>) {
    if matches!(req.verb, Verb::Apply { .. }) {
        return;
    }
    let api_version = req.kind.api_version();
    let now = strategy::rfc3339(run.ctx.now);
    let manager = super::manager_for_request(req, run.ctx.trace);
    let has_status = strategy::has_status_subresource(old.as_deref().unwrap_or(new), req.kind);
    let writer = super::managed_fields::Writer {
        kind: req.kind.kind,
        api_version: &api_version,
        manager: &manager,
        subresource: &req.subresource,
        has_status,
        now: &now,
    };
    // `old` is the stored object read for this request: the field manager may take its entries
    // out for the comparison (and puts them back) rather than copy it. `sent` are the entries
    // the request carried, which `decode` did not copy into `new`.
    super::managed_fields::record_update_sent(&writer, old, new, sent);
}

fn update(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let key = key_of(req, &req.name);
    let Some(mut current) = storage::get(run.ctx.store, &key).map_err(Status::internal)? else {
        return run.reject(Stage::Storage, not_found(req));
    };
    let patched = match req.verb {
        Verb::Patch(kind) => {
            let mut merged = current.object.clone();
            let body = req.body.as_ref().unwrap_or(&Value::Null);
            match kind {
                PatchType::Merge => patch::merge(&mut merged, body),
                PatchType::Strategic => patch::strategic(&mut merged, body),
                PatchType::Json => {
                    if let Err(e) = patch::json_patch(&mut merged, body) {
                        return run.reject(Stage::Decode, Status { code: 422, reason: "Invalid", message: e });
                    }
                }
            }
            // A resourceVersion the patch itself sets stays, as a precondition the update below
            // checks (a stale one is a 409, as kube-apiserver's patcher keeps it); otherwise the
            // patch applies to what is stored now.
            if let Some(m) = merged.get_mut("metadata").and_then(Value::as_object_mut) {
                if m.get("resourceVersion").and_then(Value::as_str).is_none_or(str::is_empty) {
                    m.insert("resourceVersion".into(), json!(current.mod_revision.to_string()));
                }
            }
            Some(Request { body: Some(merged), verb: Verb::Update, ..req.clone() })
        }
        _ => None,
    };
    // The request as decoded: the patched object for a patch.
    let sent = patched.as_ref().unwrap_or(req);
    let mut new = decode(run, sent)?;
    check_namespace(req, &new)?;
    // A PUT's uid is a precondition, checked before the resourceVersion
    // (`defaultUpdatedObjectInfo.Preconditions`); a patch's is validated as immutable.
    if req.verb == Verb::Update {
        let (sent_uid, stored_uid) = (new["metadata"]["uid"].as_str().unwrap_or(""), current.object["metadata"]["uid"].as_str().unwrap_or(""));
        if !sent_uid.is_empty() && sent_uid != stored_uid {
            let message = format!("Precondition failed: UID in precondition: {sent_uid}, UID in object meta: {stored_uid}");
            let status = Status::conflict(&qualified_resource(req.kind), &req.name, &message);
            return run.reject(Stage::Storage, status);
        }
    }
    // A resourceVersion in the body is a precondition (optimistic concurrency).
    if let Some(rv) = new["metadata"]["resourceVersion"].as_str() {
        if !rv.is_empty() && rv != current.mod_revision.to_string() {
            let status = Status::conflict(
                &qualified_resource(req.kind),
                &req.name,
                "the object has been modified; please apply your changes to the latest version and try again",
            );
            return run.reject(Stage::Storage, status);
        }
    }
    super::generation::convert_daemonset(req.kind, &mut new);
    strategy::prepare_for_update(req.kind, &req.subresource, &current.object, &mut new);
    record_managed_fields(run, req, Some(&mut current.object), &mut new, sent_managed_fields(sent));
    super::generation::keep_template_generation(req.kind, &req.subresource, &current.object, &mut new);
    admission_and_validation(run, req, &mut new, Some(&current.object))?;
    write_update(run, req, &key, &current, new)
}

/// Writes an updated object, or deletes it when it is being deleted and its last finalizer went.
fn write_update(run: &mut Run, req: &Request, key: &str, current: &storage::Stored, mut new: Value) -> Result<Value, Status> {
    if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    if storage::same_but_resource_version(&current.object, &new) {
        run.stage(Stage::Storage, Verdict::Passed, format!("no-op update of {key}: nothing written"));
        return Ok(current.object.clone());
    }
    if req.dry_run {
        run.stage(Stage::Storage, Verdict::Skipped, format!("dry run: would update {key}"));
        // Nothing was written: the answer carries the stored version's resourceVersion.
        new["metadata"]["resourceVersion"] = json!(current.mod_revision.to_string());
        return Ok(new);
    }
    // A namespace also waits for its own `spec.finalizers` (`ShouldDeleteNamespaceDuringUpdate`).
    let spec_finalizers_empty = !subresources::namespace::is_namespace(req) || new["spec"]["finalizers"].as_array().is_none_or(Vec::is_empty);
    let finalizers_empty = new["metadata"]["finalizers"].as_array().is_none_or(Vec::is_empty) && spec_finalizers_empty;
    if !new["metadata"]["deletionTimestamp"].is_null() && finalizers_empty {
        return remove(run, req, key, current.mod_revision, new);
    }
    // The events registry's TTLFunc runs for updates too: a patched Event lives another hour.
    let lease = subresources::event_ttl::lease_for(run, req);
    match storage::update(run.ctx.store, key, &new, current.mod_revision, lease) {
        Ok(revision) => {
            run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: key.to_string(), revision, op: WriteOp::Update });
            run.stage(Stage::Storage, Verdict::Passed, format!("txn: mod_revision({key}) = {} -> put, revision {revision}", current.mod_revision));
            new["metadata"]["resourceVersion"] = json!(revision.to_string());
            Ok(new)
        }
        Err(storage::WriteError::Conflict) => {
            let status = Status::conflict(
                &qualified_resource(req.kind),
                &req.name,
                "the object has been modified; please apply your changes to the latest version and try again",
            );
            run.reject(Stage::Storage, status)
        }
        Err(storage::WriteError::Store(e)) => run.reject(Stage::Storage, Status::internal(e)),
    }
}

fn remove(run: &mut Run, req: &Request, key: &str, expected: i64, obj: Value) -> Result<Value, Status> {
    match storage::delete(run.ctx.store, key, expected) {
        Ok(revision) => {
            run.ctx.trace.push(run.ctx.now, Actor::Etcd, Event::StoreWrite { request: run.id, key: key.to_string(), revision, op: WriteOp::Delete });
            run.stage(Stage::Storage, Verdict::Passed, format!("txn: mod_revision({key}) = {expected} -> delete, revision {revision}"));
            Ok(obj)
        }
        Err(storage::WriteError::Conflict) => {
            let status = Status::conflict(&qualified_resource(req.kind), &req.name, "the object has been modified; please apply your changes to the latest version and try again");
            run.reject(Stage::Storage, status)
        }
        Err(storage::WriteError::Store(e)) => run.reject(Stage::Storage, Status::internal(e)),
    }
}

/// `POST pods/<name>/binding` (`BindingREST.Create` -> `assignPod` in
/// `pkg/registry/core/pod/storage/storage.go`): sets `spec.nodeName` to the Binding's target and
/// the `PodScheduled=True` condition, on a pod that is not yet assigned and not being deleted.
fn bind(run: &mut Run, req: &Request) -> Result<Value, Status> {
    let key = key_of(req, &req.name);
    let Some(current) = storage::get(run.ctx.store, &key).map_err(Status::internal)? else {
        return run.reject(Stage::Storage, not_found(req));
    };
    let body = req.body.clone().unwrap_or(Value::Null);
    let node = body["target"]["name"].as_str().unwrap_or("").to_string();
    if node.is_empty() {
        let status = Status { code: 422, reason: "Invalid", message: format!("Binding.core \"{}\" is invalid: target.name: Required value", req.name) };
        return run.reject(Stage::Validation, status);
    }
    let mut pod = current.object.clone();
    let conflict = |message: String| Status::conflict(&qualified_resource(req.kind), &req.name, &message);
    if let Some(uid) = body["metadata"]["uid"].as_str() {
        let have = pod["metadata"]["uid"].as_str().unwrap_or("");
        if !uid.is_empty() && uid != have {
            return run.reject(Stage::Storage, conflict(format!("Precondition failed: UID in precondition: {uid}, UID in object meta: {have}")));
        }
    }
    if !pod["metadata"]["deletionTimestamp"].is_null() {
        return run.reject(Stage::Storage, conflict(format!("pod {} is being deleted, cannot be assigned to a host", req.name)));
    }
    if let Some(assigned) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
        return run.reject(Stage::Storage, conflict(format!("pod {} is already assigned to node {assigned:?}", req.name)));
    }
    pod["spec"]["nodeName"] = json!(node);
    // ClearingNominatedNodeNameAfterBinding (on by default since 1.35): a preemptor's
    // nomination is over once it is bound.
    if let Some(status) = pod["status"].as_object_mut() {
        status.remove("nominatedNodeName");
    }
    let now = strategy::rfc3339(run.ctx.now);
    let mut conds: Vec<Value> = pod["status"]["conditions"].as_array().cloned().unwrap_or_default();
    conds.retain(|c| c["type"] != "PodScheduled");
    conds.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}));
    pod["status"]["conditions"] = json!(conds);
    run.stage(Stage::Validation, Verdict::Passed, format!("bind to node {node}"));
    write_update(run, req, &key, &current, pod)?;
    Ok(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}))
}
