//! Where the pipeline meets the stage implementations (defaulting, admission, validation). Each
//! function here adapts one stage's API to the pipeline, so a stage can grow behind it.

use super::{Context, FieldError, Request, Status, StoreObjects, Objects, Verb};
use crate::api::KindInfo;
use serde_json::Value;

/// Scheme defaulting of a decoded body.
pub fn apply_defaults(_kind: &KindInfo, _obj: &mut Value) {}

/// Mutating admission. Returns a one-line summary of the plugins that ran.
pub fn mutate(ctx: &mut Context, req: &Request, _obj: &mut Value, _old: Option<&Value>) -> Result<String, Status> {
    namespace_lifecycle(ctx, req)?;
    Ok("NamespaceLifecycle".into())
}

/// Validating admission. Returns a summary and the warnings to send back.
pub fn validate(_ctx: &mut Context, _req: &Request, _obj: &Value, _old: Option<&Value>) -> Result<(String, Vec<String>), Status> {
    Ok((String::new(), Vec::new()))
}

/// Validating admission of a delete.
pub fn validate_delete(_ctx: &mut Context, req: &Request, _obj: &Value) -> Result<String, Status> {
    if req.kind.group.is_empty() && req.kind.kind == "Namespace" && matches!(req.name.as_str(), "default" | "kube-system" | "kube-public") {
        return Err(Status::forbidden("namespaces", &req.name, "this namespace may not be deleted"));
    }
    Ok("NamespaceLifecycle".into())
}

pub fn validate_create(_kind: &KindInfo, obj: &Value) -> Vec<FieldError> {
    let meta = &obj["metadata"];
    if meta["name"].as_str().unwrap_or("").is_empty() && meta["generateName"].as_str().unwrap_or("").is_empty() {
        return vec![FieldError::required("metadata.name", "name or generateName is required")];
    }
    Vec::new()
}

pub fn validate_update(_kind: &KindInfo, _old: &Value, _new: &Value) -> Vec<FieldError> {
    Vec::new()
}

/// NamespaceLifecycle: no new objects in a namespace that does not exist or is terminating.
fn namespace_lifecycle(ctx: &mut Context, req: &Request) -> Result<(), Status> {
    if !req.kind.namespaced || req.verb != Verb::Create {
        return Ok(());
    }
    let objects = StoreObjects(ctx.store);
    match objects.get("namespaces", "", &req.namespace) {
        None => Err(Status::not_found("namespaces", &req.namespace)),
        Some(ns) if ns["status"]["phase"].as_str() == Some("Terminating") => Err(Status::forbidden(
            &super::qualified_resource(req.kind),
            &req.name,
            &format!("unable to create new content in namespace {} because it is being terminated", req.namespace),
        )),
        Some(_) => Ok(()),
    }
}
