//! Where the pipeline meets the stage implementations (defaulting, authorization, admission,
//! validation). Each function adapts one stage's API to the pipeline and summarises what the
//! stage decided for the trace.

use super::admission::{self, Operation, Outcome, PluginRecord};
use super::authz::{self, Attributes, UserInfo};
use super::{Context, FieldError, Request, Status, StoreObjects, User, Verb};
use crate::api::KindInfo;
use serde_json::Value;

/// Scheme defaulting of a decoded body.
pub fn apply_defaults(kind: &KindInfo, obj: &mut Value) {
    crate::api::defaults::apply_defaults(kind, obj);
}

fn user_info(u: &User) -> UserInfo {
    UserInfo { name: u.name.clone(), uid: String::new(), groups: u.groups.clone() }
}

/// The authorizer chain (system:masters, Node, RBAC). Ok carries the reason to trace.
pub fn authorize(ctx: &mut Context, req: &Request) -> Result<String, Status> {
    let name = match req.verb {
        // A create names its object in the URL only on a subresource (`pods/web/exec`).
        Verb::Create if !req.subresource.is_empty() => req.name.clone(),
        Verb::Create | Verb::List | Verb::DeleteCollection => String::new(),
        _ => req.name.clone(),
    };
    let mut attrs = Attributes::resource(user_info(&req.user), req.verb.name(), req.kind.group, req.kind.resource, &req.namespace, &name);
    if !req.subresource.is_empty() {
        attrs = attrs.with_subresource(&req.subresource);
    }
    if !req.list.field_selector.is_empty() {
        attrs = attrs.with_field_selector(&req.list.field_selector);
    }
    let decision = authz::authorize_request(&StoreObjects(ctx.store), &attrs, &mut ctx.memory.rbac);
    if decision.allowed {
        let by = if decision.reason.is_empty() { decision.authorizer.clone() } else { decision.reason.clone() };
        Ok(format!("allowed: {by}"))
    } else {
        let message = authz::forbidden_message(&attrs, &decision);
        Err(Status { code: 403, reason: "Forbidden", message })
    }
}

fn admission_request<'a>(req: &'a Request, obj_name: &'a str, old: Option<&'a Value>, operation: Operation) -> admission::Request<'a> {
    admission::Request {
        operation,
        kind: req.kind,
        subresource: &req.subresource,
        namespace: &req.namespace,
        name: obj_name,
        user: &req.user.name,
        dry_run: req.dry_run,
        old,
    }
}

/// The plugins' records as one line, `; `-separated, written into one string rather than a
/// string per record joined into another.
fn summary(records: &[PluginRecord]) -> String {
    let mut out = String::new();
    let shown = records.iter().filter(|r| r.outcome != Outcome::Passed || !r.detail.starts_with("does not apply"));
    for (i, r) in shown.enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(r.plugin);
        match r.outcome {
            Outcome::Passed => {}
            Outcome::Changed => {
                out.push_str(" changed ");
                out.push_str(&r.detail);
            }
            Outcome::Rejected => {
                out.push_str(" rejected: ");
                out.push_str(&r.detail);
            }
        }
    }
    out
}

/// Mutating admission. Returns a one-line summary of the plugins that ran, and the object (or its
/// spec) as it was before the phase when a plugin edited it (`None`: unchanged).
pub fn mutate(ctx: &mut Context, req: &Request, obj: &mut Value, old: Option<&Value>) -> Result<(String, Option<admission::Before>), Status> {
    let name = obj["metadata"]["name"].as_str().unwrap_or(&req.name).to_string();
    let op = if old.is_some() { Operation::Update } else { Operation::Create };
    let areq = admission_request(req, &name, old, op);
    let mut records = Vec::new();
    let objects = StoreObjects(ctx.store);
    let before = admission::mutate(&objects, &areq, obj, ctx.rng, &mut records)?;
    Ok((summary(&records), before))
}

/// Validating admission. Returns a summary and the warnings to send back.
pub fn validate(ctx: &mut Context, req: &Request, obj: &Value, old: Option<&Value>) -> Result<(String, Vec<String>), Status> {
    let name = obj["metadata"]["name"].as_str().unwrap_or(&req.name).to_string();
    let op = if old.is_some() { Operation::Update } else { Operation::Create };
    let areq = admission_request(req, &name, old, op);
    let mut records = Vec::new();
    admission::validate(&StoreObjects(ctx.store), &areq, obj, &mut records)?;
    let warnings = records.iter().flat_map(|r| r.warnings.iter().cloned()).collect();
    Ok((summary(&records), warnings))
}

/// Admission of a delete (NamespaceLifecycle keeps the immortal namespaces).
pub fn validate_delete(ctx: &mut Context, req: &Request, obj: &Value) -> Result<String, Status> {
    let areq = admission_request(req, &req.name, Some(obj), Operation::Delete);
    let mut records = Vec::new();
    let mut scratch = obj.clone();
    admission::mutate(&StoreObjects(ctx.store), &areq, &mut scratch, ctx.rng, &mut records)?;
    admission::validate(&StoreObjects(ctx.store), &areq, obj, &mut records)?;
    Ok(summary(&records))
}

pub fn validate_create(kind: &KindInfo, obj: &Value) -> Vec<FieldError> {
    super::validation::validate_create(kind, obj)
}

pub fn validate_update(kind: &KindInfo, old: &Value, new: &Value) -> Vec<FieldError> {
    super::validation::validate_update(kind, old, new)
}
