//! From manifest text to typed Kubernetes objects: document splitting, decoding into k8s-openapi
//! types, diagnostics with line and column, and the table of served kinds.

mod decode;
pub mod defaults;
mod diagnostic;
mod documents;
pub mod registry;
mod strict;
mod yaml11;

pub use decode::{decode_manifest, Decoded, Limits};
pub use diagnostic::{Diagnostic, Origin};
pub use documents::{split_documents, Document};
pub use registry::{all_kinds, lookup, KindInfo};
