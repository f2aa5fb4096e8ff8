//! `metav1.Status`: how the API server reports a failed request, with the exact message texts of
//! `k8s.io/apimachinery/pkg/api/errors`.

use crate::api::KindInfo;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

/// `deployments.apps` / `pods`: how status messages name a resource.
pub fn qualified_resource(kind: &KindInfo) -> String {
    if kind.group.is_empty() {
        kind.resource.to_string()
    } else {
        format!("{}.{}", kind.resource, kind.group)
    }
}

impl Status {
    pub fn not_found(resource: &str, name: &str) -> Self {
        Status { code: 404, reason: "NotFound", message: format!("{resource} \"{name}\" not found") }
    }

    pub fn already_exists(resource: &str, name: &str) -> Self {
        Status { code: 409, reason: "AlreadyExists", message: format!("{resource} \"{name}\" already exists") }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Status { code: 400, reason: "BadRequest", message: message.into() }
    }

    /// A 422 (`<Kind>[.<group>] "<name>" is invalid: <aggregate of field errors>`).
    pub fn invalid(kind: &KindInfo, name: &str, errors: &[super::FieldError]) -> Self {
        let kind_name = if kind.group.is_empty() { kind.kind.to_string() } else { format!("{}.{}", kind.kind, kind.group) };
        let message = format!("{kind_name} \"{name}\" is invalid: {}", super::field::aggregate(errors));
        Status { code: 422, reason: "Invalid", message }
    }

    /// `Operation cannot be fulfilled on deployments.apps "web": <why>` (409).
    pub fn conflict(resource: &str, name: &str, why: &str) -> Self {
        Status { code: 409, reason: "Conflict", message: format!("Operation cannot be fulfilled on {resource} \"{name}\": {why}") }
    }

    /// 403 `<resource> "<name>" is forbidden: <why>`, or without a name `<resource> is forbidden: <why>`.
    pub fn forbidden(resource: &str, name: &str, why: &str) -> Self {
        let message = if name.is_empty() {
            format!("{resource} is forbidden: {why}")
        } else {
            format!("{resource} \"{name}\" is forbidden: {why}")
        };
        Status { code: 403, reason: "Forbidden", message }
    }

    /// 405 `<verb> is not supported on resources of kind "<resource>"`.
    pub fn method_not_supported(verb: &str, resource: &str) -> Self {
        Status { code: 405, reason: "MethodNotAllowed", message: format!("{verb} is not supported on resources of kind {resource:?}") }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Status { code: 500, reason: "InternalError", message: format!("Internal error occurred: {message}") }
    }
}
