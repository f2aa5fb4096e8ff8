//! A decoding problem as data: where it is (document, line, column, field path) and the message
//! kubectl or kube-apiserver would print for it.

use serde::Serialize;
use std::fmt;

/// Which side of the wire rejects the input on a real cluster. kubectl itself fails on YAML it
/// cannot parse or kinds it cannot map; the API server rejects bodies it cannot decode (400).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Origin {
    Client,
    Server { code: u16, reason: &'static str },
}

impl Origin {
    pub const BAD_REQUEST: Origin = Origin::Server { code: 400, reason: "BadRequest" };
    pub const TOO_LARGE: Origin = Origin::Server { code: 413, reason: "RequestEntityTooLarge" };
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Zero-based index of the YAML document in the input.
    pub doc: usize,
    /// One-based line in the whole input (not in the document), for the editor to underline.
    pub line: usize,
    /// One-based column.
    pub column: usize,
    /// The field path in Kubernetes notation (`spec.template.spec.containers[0].image`), or empty.
    pub path: String,
    /// The message as kubectl or the API server words it, without kubectl's `error: ` prefix.
    pub message: String,
    pub origin: Origin,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}
