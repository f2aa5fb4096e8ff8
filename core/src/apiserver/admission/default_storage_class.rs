//! DefaultStorageClass: mirrors `plugin/pkg/admission/storage/storageclass/setdefault`.
//!
//! A PersistentVolumeClaim created without `spec.storageClassName` (and without the beta
//! annotation `volume.beta.kubernetes.io/storage-class`) gets the default StorageClass: the one
//! annotated `storageclass.kubernetes.io/is-default-class: "true"` (or the beta annotation). With
//! several defaults the newest wins, ties broken by name, as `GetDefaultClass` does. With none the
//! claim is left alone. An explicit `storageClassName: ""` means "no class" and is kept.

use super::{str_at, Operation, Rejection, Request, Target, Verdict};
use crate::apiserver::Objects;
use crate::sim::Rng;
use serde_json::{json, Value};

const DEFAULT_ANNOTATIONS: [&str; 2] =
    ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];
const BETA_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

pub(super) fn admit(objects: &dyn Objects, req: &Request, obj: &mut Target, _rng: &mut Rng) -> Result<Verdict, Rejection> {
    if !(req.is("", "persistentvolumeclaims") && req.subresource.is_empty() && req.operation == Operation::Create && obj.is_object()) {
        return Ok(Verdict::skip());
    }
    if !obj["spec"]["storageClassName"].is_null() || obj["metadata"]["annotations"].get(BETA_CLASS_ANNOTATION).is_some() {
        return Ok(Verdict::note("the claim names its storage class"));
    }
    let mut defaults: Vec<Value> = objects
        .list("storageclasses", None)
        .into_iter()
        .filter(|sc| DEFAULT_ANNOTATIONS.iter().any(|a| sc["metadata"]["annotations"][*a] == "true"))
        .collect();
    // Newest first (RFC 3339 timestamps sort as strings), then by name.
    defaults.sort_by(|a, b| {
        let (ta, tb) = (str_at(&a["metadata"], "creationTimestamp"), str_at(&b["metadata"], "creationTimestamp"));
        tb.cmp(ta).then_with(|| str_at(&a["metadata"], "name").cmp(str_at(&b["metadata"], "name")))
    });
    let Some(class) = defaults.first() else {
        return Ok(Verdict::note("no default StorageClass"));
    };
    let obj = obj.edit();
    if !obj["spec"].is_object() {
        obj["spec"] = json!({});
    }
    obj["spec"]["storageClassName"] = json!(str_at(&class["metadata"], "name"));
    Ok(Verdict::default())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Operation;
    use serde_json::json;

    fn class(name: &str, default: bool, created: &str) -> serde_json::Value {
        let annotations = if default { json!({"storageclass.kubernetes.io/is-default-class": "true"}) } else { json!({}) };
        json!({"metadata": {"name": name, "annotations": annotations, "creationTimestamp": created}, "provisioner": "x"})
    }

    #[test]
    fn newest_default_class_fills_unset_claims() {
        let objects = dev_objects()
            .with("storageclasses", class("fast", false, "2026-01-01T00:00:00Z"))
            .with("storageclasses", class("standard", true, "2026-01-01T00:00:00Z"))
            .with("storageclasses", class("newer", true, "2026-01-02T00:00:00Z"));
        let req = req_in(Operation::Create, "persistentvolumeclaims", "dev", "data");
        let pvc = json!({"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}});
        let out = run_mutate(&objects, &req, &pvc).unwrap();
        assert_eq!(out["spec"]["storageClassName"], "newer");
        let mut none = pvc.clone();
        none["spec"]["storageClassName"] = json!("");
        assert_eq!(run_mutate(&objects, &req, &none).unwrap()["spec"]["storageClassName"], "");
        let out = run_mutate(&dev_objects(), &req, &pvc).unwrap();
        assert!(out["spec"].get("storageClassName").is_none());
    }
}
