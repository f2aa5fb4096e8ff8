//! The stored form of real manifests: each file of `testdata/` is a manifest copied verbatim from
//! the kubernetes/website examples (`../shared/corpus/kubernetes-website-examples`, same file
//! name), decoded as kube-apiserver would and defaulted; `<name>.json` beside it is the object
//! as it should be stored, written by hand from the defaults table of
//! `shared/reference/kubernetes-facts.md` section 2 and the Kubernetes `SetDefaults_*` sources
//! (not produced by this code). A manifest with several documents expects a JSON array.

use serde_json::Value;

use super::apply_defaults;
use crate::api::{decode_manifest, Limits};

/// (manifest file, expected stored JSON). Each pair is compiled in, so the test needs no files.
const CASES: &[(&str, &str, &str)] = &[
    (
        "nginx-deployment.yaml",
        include_str!("testdata/nginx-deployment.yaml"),
        include_str!("testdata/nginx-deployment.json"),
    ),
    (
        "replicaset.yaml",
        include_str!("testdata/replicaset.yaml"),
        include_str!("testdata/replicaset.json"),
    ),
    (
        "replication.yaml",
        include_str!("testdata/replication.yaml"),
        include_str!("testdata/replication.json"),
    ),
    (
        "job.yaml",
        include_str!("testdata/job.yaml"),
        include_str!("testdata/job.json"),
    ),
    (
        "daemonset.yaml",
        include_str!("testdata/daemonset.yaml"),
        include_str!("testdata/daemonset.json"),
    ),
    (
        "statefulset.yaml",
        include_str!("testdata/statefulset.yaml"),
        include_str!("testdata/statefulset.json"),
    ),
    (
        "cronjob.yaml",
        include_str!("testdata/cronjob.yaml"),
        include_str!("testdata/cronjob.json"),
    ),
    (
        "simple-pod.yaml",
        include_str!("testdata/simple-pod.yaml"),
        include_str!("testdata/simple-pod.json"),
    ),
    (
        "http-liveness.yaml",
        include_str!("testdata/http-liveness.yaml"),
        include_str!("testdata/http-liveness.json"),
    ),
    (
        "grpc-liveness.yaml",
        include_str!("testdata/grpc-liveness.yaml"),
        include_str!("testdata/grpc-liveness.json"),
    ),
    (
        "init-containers.yaml",
        include_str!("testdata/init-containers.yaml"),
        include_str!("testdata/init-containers.json"),
    ),
    (
        "pod-configmap-volume.yaml",
        include_str!("testdata/pod-configmap-volume.yaml"),
        include_str!("testdata/pod-configmap-volume.json"),
    ),
    (
        "cpu-defaults-pod-2.yaml",
        include_str!("testdata/cpu-defaults-pod-2.yaml"),
        include_str!("testdata/cpu-defaults-pod-2.json"),
    ),
    (
        "projected-service-account-token.yaml",
        include_str!("testdata/projected-service-account-token.yaml"),
        include_str!("testdata/projected-service-account-token.json"),
    ),
    (
        "nginx-service.yaml",
        include_str!("testdata/nginx-service.yaml"),
        include_str!("testdata/nginx-service.json"),
    ),
    (
        "frontend-service.yaml",
        include_str!("testdata/frontend-service.yaml"),
        include_str!("testdata/frontend-service.json"),
    ),
    (
        "pv-volume.yaml",
        include_str!("testdata/pv-volume.yaml"),
        include_str!("testdata/pv-volume.json"),
    ),
    (
        "pv-claim.yaml",
        include_str!("testdata/pv-claim.yaml"),
        include_str!("testdata/pv-claim.json"),
    ),
    (
        "namespace-dev.yaml",
        include_str!("testdata/namespace-dev.yaml"),
        include_str!("testdata/namespace-dev.json"),
    ),
    (
        "cpu-constraints.yaml",
        include_str!("testdata/cpu-constraints.yaml"),
        include_str!("testdata/cpu-constraints.json"),
    ),
    (
        "secret.yaml",
        include_str!("testdata/secret.yaml"),
        include_str!("testdata/secret.json"),
    ),
    (
        "networkpolicy.yaml",
        include_str!("testdata/networkpolicy.yaml"),
        include_str!("testdata/networkpolicy.json"),
    ),
    (
        "simple-rolebinding-with-role.yaml",
        include_str!("testdata/simple-rolebinding-with-role.yaml"),
        include_str!("testdata/simple-rolebinding-with-role.json"),
    ),
];

/// Decodes and defaults every object of one manifest.
fn stored_objects(name: &str, manifest: &str) -> Vec<Value> {
    decode_manifest(manifest.as_bytes(), name, &Limits::default())
        .into_iter()
        .map(|decoded| match decoded {
            Ok(mut d) => {
                apply_defaults(d.kind, &mut d.object);
                d.object
            }
            Err(diagnostic) => panic!("{name} does not decode: {diagnostic:?}"),
        })
        .collect()
}

fn expected_objects(name: &str, expected: &str) -> Vec<Value> {
    match serde_json::from_str(expected) {
        Ok(Value::Array(items)) => items,
        Ok(single) => vec![single],
        Err(e) => panic!("expected JSON for {name} does not parse: {e}"),
    }
}

#[test]
fn manifests_are_stored_with_scheme_defaults() {
    assert!(
        CASES.len() >= 15,
        "the issue asks for at least 15 manifests"
    );
    let mut failures = Vec::new();
    for (name, manifest, expected) in CASES {
        let got = stored_objects(name, manifest);
        let want = expected_objects(name, expected);
        if got != want {
            failures.push(format!(
                "{name}:\n  got:  {}\n  want: {}",
                serde_json::to_string(&got).unwrap_or_default(),
                serde_json::to_string(&want).unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} manifests differ:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Reading an object back from etcd defaults it again; that must change nothing.
#[test]
fn stored_manifests_are_fixed_points() {
    for (name, manifest, _) in CASES {
        for decoded in decode_manifest(manifest.as_bytes(), name, &Limits::default())
            .into_iter()
            .flatten()
        {
            let mut once = decoded.object.clone();
            apply_defaults(decoded.kind, &mut once);
            let mut twice = once.clone();
            apply_defaults(decoded.kind, &mut twice);
            assert_eq!(once, twice, "{name}");
        }
    }
}
