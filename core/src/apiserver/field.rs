//! Field errors as `k8s.io/apimachinery/pkg/util/validation/field` words them, and their
//! aggregation into a 422 Invalid status.
//!
//! `FieldError` renders as `<path>: <body>` (e.g. `spec.replicas: Invalid value: -1: must be
//! greater than or equal to 0`). Values are rendered as the Go code renders them: strings quoted,
//! numbers and bools bare, anything else as JSON.

use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// `field.ErrorType`; the `reason` of a `StatusCause`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ErrorType {
    Required,
    Invalid,
    NotSupported,
    Forbidden,
    Duplicate,
    NotFound,
    TooLong,
    TooMany,
    TypeInvalid,
    Internal,
}

impl ErrorType {
    /// The `StatusCause.reason` string (`FieldValueRequired`, ...).
    pub fn reason(self) -> &'static str {
        match self {
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
            ErrorType::Internal => "InternalError",
        }
    }
}

/// One validation failure at one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub kind: ErrorType,
    /// `spec.template.spec.containers[0].image`, `metadata.labels`.
    pub field: String,
    /// The offending value, rendered (see [`render_value`]); empty when the body omits it.
    pub value: String,
    pub detail: String,
}

/// Renders a value as apimachinery does in field errors: strings Go-quoted, numbers and bools
/// bare, null as `null`, objects and lists as compact JSON.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

impl FieldError {
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError { kind: ErrorType::Required, field: field.into(), value: String::new(), detail: detail.into() }
    }

    pub fn invalid(field: impl Into<String>, value: &Value, detail: impl Into<String>) -> Self {
        FieldError { kind: ErrorType::Invalid, field: field.into(), value: render_value(value), detail: detail.into() }
    }

    /// `Unsupported value: "X": supported values: "A", "B"`.
    pub fn not_supported(field: impl Into<String>, value: &Value, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        FieldError {
            kind: ErrorType::NotSupported,
            field: field.into(),
            value: render_value(value),
            detail: if list.is_empty() { String::new() } else { format!("supported values: {}", list.join(", ")) },
        }
    }

    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError { kind: ErrorType::Forbidden, field: field.into(), value: String::new(), detail: detail.into() }
    }

    pub fn duplicate(field: impl Into<String>, value: &Value) -> Self {
        FieldError { kind: ErrorType::Duplicate, field: field.into(), value: render_value(value), detail: String::new() }
    }

    pub fn not_found(field: impl Into<String>, value: &Value) -> Self {
        FieldError { kind: ErrorType::NotFound, field: field.into(), value: render_value(value), detail: String::new() }
    }

    /// `Too long: may not be more than <max> bytes`.
    pub fn too_long(field: impl Into<String>, max: usize) -> Self {
        FieldError {
            kind: ErrorType::TooLong,
            field: field.into(),
            value: String::new(),
            detail: format!("may not be more than {max} bytes"),
        }
    }

    /// `Too many: <n>: must have at most <max> items`.
    pub fn too_many(field: impl Into<String>, actual: usize, max: usize) -> Self {
        FieldError {
            kind: ErrorType::TooMany,
            field: field.into(),
            value: actual.to_string(),
            detail: format!("must have at most {max} items"),
        }
    }

    /// The text after `<field>: ` (the `message` of a `StatusCause`).
    pub fn body(&self) -> String {
        let with_detail = |head: String| if self.detail.is_empty() { head } else { format!("{head}: {}", self.detail) };
        match self.kind {
            ErrorType::Required => with_detail("Required value".into()),
            ErrorType::Invalid | ErrorType::TypeInvalid => with_detail(format!("Invalid value: {}", self.value)),
            ErrorType::NotSupported => with_detail(format!("Unsupported value: {}", self.value)),
            ErrorType::Forbidden => with_detail("Forbidden".into()),
            ErrorType::Duplicate => format!("Duplicate value: {}", self.value),
            ErrorType::NotFound => format!("Not found: {}", self.value),
            ErrorType::TooLong => format!("Too long: {}", self.detail),
            ErrorType::TooMany => format!("Too many: {}: {}", self.value, self.detail),
            ErrorType::Internal => format!("Internal error: {}", self.detail),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// `utilerrors.NewAggregate(...).Error()`: one error as itself, several as `[a, b]`, duplicates
/// removed (first occurrence kept).
pub fn aggregate(errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let s = e.to_string();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    match seen.len() {
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_as_apimachinery() {
        assert_eq!(
            FieldError::invalid("spec.replicas", &json!(-1), "must be greater than or equal to 0").to_string(),
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(FieldError::required("spec.selector", "").to_string(), "spec.selector: Required value");
        assert_eq!(
            FieldError::not_supported("spec.template.spec.restartPolicy", &json!("Never"), &["Always"]).to_string(),
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""
        );
        assert_eq!(
            FieldError::invalid("spec.selector", &json!({"matchLabels": {"app": "web"}}), "field is immutable").to_string(),
            "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\"}}: field is immutable"
        );
        let two = [FieldError::required("a", ""), FieldError::required("b", ""), FieldError::required("a", "")];
        assert_eq!(aggregate(&two), "[a: Required value, b: Required value]");
    }
}
