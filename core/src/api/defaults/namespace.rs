//! Namespace defaults: mirrors `pkg/apis/core/v1/defaults.go` `SetDefaults_Namespace` and
//! `SetDefaults_NamespaceStatus`.
//!
//! Not here: `spec.finalizers: [kubernetes]`, which the Namespace registry strategy
//! (`PrepareForCreate`) sets, not the scheme.

use serde_json::Value;

use super::fields::{child, child_or_insert, default_if_empty, str_of, Object};

/// `v1.LabelMetadataName`: every named namespace carries its own name as a label.
pub(super) const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";

pub(super) fn default_namespace(namespace: &mut Object) {
    // The label is forced, not defaulted: a different value written by the user is replaced.
    // A namespace with only generateName has no name yet, so it gets no label.
    let name = child(namespace, "metadata")
        .map(|m| str_of(m, "name").to_string())
        .unwrap_or_default();
    if !name.is_empty() {
        if let Some(labels) =
            child(namespace, "metadata").and_then(|m| child_or_insert(m, "labels"))
        {
            labels.insert(LABEL_METADATA_NAME.into(), Value::String(name));
        }
    }
    if let Some(status) = child_or_insert(namespace, "status") {
        default_if_empty(status, "phase", "Active");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_is_forced_and_phase_defaulted() {
        let mut v = json!({"metadata": {"name": "dev", "labels": {"kubernetes.io/metadata.name": "x", "team": "a"}}});
        if let Some(o) = v.as_object_mut() {
            default_namespace(o);
        }
        assert_eq!(
            v,
            json!({"metadata": {"name": "dev", "labels": {"kubernetes.io/metadata.name": "dev", "team": "a"}},
                   "status": {"phase": "Active"}})
        );
    }

    #[test]
    fn generate_name_only_gets_no_label() {
        let mut v =
            json!({"metadata": {"generateName": "tmp-"}, "status": {"phase": "Terminating"}});
        if let Some(o) = v.as_object_mut() {
            default_namespace(o);
        }
        assert_eq!(
            v,
            json!({"metadata": {"generateName": "tmp-"}, "status": {"phase": "Terminating"}})
        );
    }
}
