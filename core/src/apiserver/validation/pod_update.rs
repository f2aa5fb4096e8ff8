//! Pod update validation (`ValidatePodUpdate` in `pkg/apis/core/validation/validation.go`):
//! after the metadata checks, a pod's spec may change only in its containers' images,
//! `activeDeadlineSeconds`, added tolerations and a negative grace period raised to 1.

use super::meta;
use super::arr_of;
use crate::apiserver::FieldError;
use serde_json::Value;

/// `ValidatePodUpdate`: only images, `activeDeadlineSeconds`, added tolerations and a negative
/// grace period raised to 1 may change. The Go message ends with a diff of the specs, left out.
pub fn validate_pod_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = meta::validate_object_meta_update(new.get("metadata"), old.get("metadata"));
    let (ns, os) = (new.get("spec"), old.get("spec"));
    for list in ["containers", "initContainers"] {
        if arr_of(ns, list).len() != arr_of(os, list).len() {
            errs.push(FieldError::forbidden(
                format!("spec.{list}"),
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
    }
    if !same_but_mutable(ns, os) {
        errs.push(FieldError::forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ));
    }
    errs
}

/// The fields of a pod spec an update may change (ValidatePodUpdate copies the old values
/// over them in a copy of the new spec before comparing).
const MUTABLE_SPEC_FIELDS: [&str; 3] = ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"];

/// Whether the new spec equals the old one once the old containers' images and the old
/// [`MUTABLE_SPEC_FIELDS`] are copied into it, as `validate_pod_update` compares them, but
/// without building that copy (an update of a pod cloned both specs each time).
fn same_but_mutable(ns: Option<&Value>, os: Option<&Value>) -> bool {
    let (Some(Value::Object(n)), Some(Value::Object(o))) = (ns, os) else {
        // Only a map spec is edited before the comparison; anything else is compared as sent.
        return match (ns, os) {
            (Some(Value::Object(_)), _) => false,
            _ => ns.unwrap_or(&Value::Null) == os.unwrap_or(&Value::Null),
        };
    };
    let compared = |k: &String| !MUTABLE_SPEC_FIELDS.contains(&k.as_str());
    // The same keys outside the mutable fields, which both sides hold alike after the copy.
    if n.keys().filter(|k| compared(k)).count() != o.keys().filter(|k| compared(k)).count() {
        return false;
    }
    n.iter().filter(|(k, _)| compared(k)).all(|(k, nv)| {
        let Some(ov) = o.get(k) else { return false };
        match (k.as_str(), nv, ov) {
            ("containers" | "initContainers", Value::Array(na), Value::Array(oa)) => {
                na.len() == oa.len() && na.iter().zip(oa).all(|(c, oc)| same_but_image(c, oc))
            }
            _ => nv == ov,
        }
    })
}

/// Whether a new container equals the old one once the old image (when it has one) is copied
/// into it.
fn same_but_image(c: &Value, oc: &Value) -> bool {
    let (Value::Object(cm), Some(_)) = (c, oc.get("image")) else { return c == oc };
    let Value::Object(om) = oc else { return false };
    cm.len() - usize::from(cm.contains_key("image")) == om.len() - 1
        && cm.iter().filter(|(k, _)| k.as_str() != "image").all(|(k, v)| om.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(spec: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "default"}, "spec": spec})
    }

    #[test]
    fn pod_update_only_images() {
        let old = pod(json!({"containers": [{"name": "web", "image": "nginx:1"}]}));
        let new_image = pod(json!({"containers": [{"name": "web", "image": "nginx:2"}]}));
        assert_eq!(validate_pod_update(&new_image, &old), vec![]);
        let new_port = pod(json!({"containers": [{"name": "web", "image": "nginx:1", "ports": [{"containerPort": 1}]}]}));
        assert_eq!(validate_pod_update(&new_port, &old).len(), 1);
    }

    /// The comparison as ValidatePodUpdate spells it: a copy of the new spec with the old
    /// images and mutable fields written over it, compared with a copy of the old spec.
    fn copied_and_compared(ns: Option<&Value>, os: Option<&Value>) -> bool {
        let mut ns_m = ns.cloned().unwrap_or(Value::Null);
        let os_m = os.cloned().unwrap_or(Value::Null);
        for list in ["containers", "initContainers"] {
            if let Some(items) = ns_m.get_mut(list).and_then(Value::as_array_mut) {
                for (i, c) in items.iter_mut().enumerate() {
                    let image = arr_of(os, list).get(i).and_then(|o| o.get("image")).cloned();
                    if let (Some(obj), Some(image)) = (c.as_object_mut(), image) {
                        obj.insert("image".into(), image);
                    }
                }
            }
        }
        if let Some(m) = ns_m.as_object_mut() {
            for field in MUTABLE_SPEC_FIELDS {
                match os_m.get(field) {
                    Some(v) => m.insert(field.into(), v.clone()),
                    None => m.remove(field),
                };
            }
        }
        ns_m == os_m
    }

    #[test]
    fn the_spec_comparison_answers_as_the_copy_would() {
        let specs = [
            json!(null),
            json!("x"),
            json!({}),
            json!({"containers": []}),
            json!({"containers": "x"}),
            json!({"containers": [{"name": "a", "image": "i:1"}]}),
            json!({"containers": [{"name": "a", "image": "i:2"}]}),
            json!({"containers": [{"name": "a"}]}),
            json!({"containers": [{"name": "b", "image": "i:1"}]}),
            json!({"containers": [{"name": "a", "image": "i:1", "ports": []}]}),
            json!({"containers": ["a"]}),
            json!({"containers": [{"name": "a", "image": "i:1"}], "tolerations": [{"key": "k"}]}),
            json!({"containers": [{"name": "a", "image": "i:3"}], "activeDeadlineSeconds": 5, "terminationGracePeriodSeconds": 1}),
            json!({"containers": [{"name": "a", "image": "i:1"}], "nodeName": "n"}),
            json!({"containers": [{"name": "a", "image": "i:1"}], "initContainers": [{"name": "c", "image": "x"}]}),
            json!({"containers": [{"name": "a", "image": "i:1"}], "initContainers": [{"name": "c", "image": "y"}]}),
            json!({"containers": [{"name": "a", "image": "i:1"}], "initContainers": [{"name": "d", "image": "y"}]}),
            json!({"tolerations": []}),
        ];
        let mut sides: Vec<Option<&Value>> = specs.iter().map(Some).collect();
        sides.push(None);
        for n in &sides {
            for o in &sides {
                assert_eq!(same_but_mutable(*n, *o), copied_and_compared(*n, *o), "new {n:?} old {o:?}");
            }
        }
    }
}
