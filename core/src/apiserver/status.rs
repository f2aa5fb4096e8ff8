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

    /// A 422 with one field error (`<Kind> "<name>" is invalid: <path>: <detail>`).
    pub fn invalid(kind: &KindInfo, name: &str, field_error: &str) -> Self {
        let kind_name = if kind.group.is_empty() { kind.kind.to_string() } else { format!("{}.{}", kind.kind, kind.group) };
        Status { code: 422, reason: "Invalid", message: format!("{kind_name} \"{name}\" is invalid: {field_error}") }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Status { code: 500, reason: "InternalError", message: format!("Internal error occurred: {message}") }
    }
}
