//! The update error table: a valid object of each kind, then a changed copy validated against it
//! with `validate_update`, compared with the exact aggregate text kube-apiserver returns for the
//! update (`ValidateObjectMetaUpdate`, the kinds' `Validate*Update` in the Go validators). Old and
//! new are written as merge patches over the bases of the create table (`table_tests.rs`).

use super::super::validate_update;
use super::{base, decode, merge};
use crate::apiserver::field::aggregate;
use serde_json::{json, Value};

#[test]
fn update_table() {
    let cases: Vec<(&str, Value, Value, &str)> = vec![
        (
            "Deployment",
            json!({}),
            json!({"spec": {"selector": {"matchLabels": {"app": "web2"}}, "template": {"metadata": {"labels": {"app": "web2"}}}}}),
            "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable",
        ),
        (
            "ConfigMap",
            json!({"immutable": true}),
            json!({"immutable": true, "data": {"a": "2"}}),
            "data: Forbidden: field is immutable when `immutable` is set",
        ),
        (
            "RoleBinding",
            json!({}),
            json!({"roleRef": {"name": "writer"}}),
            "roleRef: Invalid value: {\"APIGroup\":\"rbac.authorization.k8s.io\",\"Kind\":\"ClusterRole\",\"Name\":\"writer\"}: cannot change roleRef",
        ),
        (
            "Job",
            json!({}),
            json!({"spec": {"completions": 3}}),
            "spec.completions: Invalid value: 3: field is immutable",
        ),
        (
            "ConfigMap",
            json!({"metadata": {"uid": "a"}}),
            json!({"metadata": {"uid": "b"}}),
            "metadata.uid: Invalid value: \"b\": field is immutable",
        ),
        (
            "Deployment",
            json!({}),
            json!({"spec": {"replicas": -2}}),
            "spec.replicas: Invalid value: -2: must be greater than or equal to 0",
        ),
    ];
    let mut failures = Vec::new();
    for (kind, old_patch, new_patch, expected) in cases {
        let old_manifest = merge(&base(kind), &old_patch);
        let (info, old) = decode(&old_manifest);
        let (_, new) = decode(&merge(&old_manifest, &new_patch));
        let got = aggregate(&validate_update(info, &old, &new));
        if got != expected {
            failures.push(format!("{kind} {new_patch}\n  expected: {expected}\n       got: {got}"));
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
